# Helpers of the install transaction tests (sourced after harness.sh).
#
#   txn_init                  sp_init, plus a private state dir ($T/state) and
#                             TMPDIR ($T/tmp) for safe-pip
#   tree DIR                  exact listing of a tree, metadata included
#   site_of PYTHON            its purelib
#   install_stophook VENV     tests/lib/sp_stophook.py into VENV (inert until SP_STOP_AT)
#   txn_install MODE ARGS...  safe-pip --transaction=MODE install into $VENV;
#                             sets $rc, $T/out, $T/err
#   check_clean WHAT          one test point: nothing of the transaction is left

# Test-side interpreters must not write bytecode into the trees compared.
export PYTHONDONTWRITEBYTECODE=1

txn_init() {
	sp_init
	mkdir -p "$T/state" "$T/tmp"
	SAFE_PIP_STATE_DIR=$T/state
	export SAFE_PIP_STATE_DIR
}

tree() {
	"$SP_PY" "$SP_LIB/treehash.py" "$1" --meta
}

site_of() {
	"$1" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])'
}

install_stophook() {
	s=$(site_of "$1/bin/python")
	cp "$SP_LIB/sp_stophook.py" "$s/" && echo "import sp_stophook" >"$s/sp_stophook.pth"
}

# txn_install MODE [--policy FILE] PIP-ARGS...
txn_install() {
	m=$1
	shift
	tp=
	if [ "${1:-}" = --policy ]; then
		tp="--policy $2"
		shift 2
	fi
	# shellcheck disable=SC2086
	SP_TOKEN=$SP_TOKEN TMPDIR=$T/tmp "$SAFE_PIP" -v --transaction="$m" $tp --python "$PY" install \
		$PIP_OFFLINE "$@" >"$T/out" 2>"$T/err"
	rc=$?
}

# Nothing of a finished transaction is left: no session in the state dir,
# no private TMPDIR, no staging directory beside the venv, no process.
leftovers() {
	ls -A "$T/state/txn" 2>/dev/null
	ls -A "$T/tmp" 2>/dev/null
	ls -A "$T" | grep '^\.safe-pip-'
	token_procs
}

check_clean() {
	l=$(leftovers)
	if [ -z "$l" ]; then
		ok "$1"
	else
		not_ok "$1"
		diag "left: $l"
	fi
}

# Show safe-pip's stderr when a point failed (for the log).
show_err() {
	[ "$tap_failed" -gt 0 ] && sed 's/^/# /' "$T/err"
	return 0
}

# same_install A B [ARGS...]: A and B hold the same installed files, read
# with treehash.py ARGS (e.g. --replace) applied to both.  RECORD files
# list hashes of files that name their own venv or project (scripts'
# shebangs, editable finders) and cannot be rewritten: they are compared
# by path and size only (the contents are compared file by file above).
same_install() {
	a=$1
	b=$2
	shift 2
	"$SP_PY" "$SP_LIB/treehash.py" "$a" --ignore '*/RECORD' "$@" --replace "$a=ROOT" >"$T/a.tree"
	"$SP_PY" "$SP_LIB/treehash.py" "$b" --ignore '*/RECORD' "$@" --replace "$b=ROOT" >"$T/b.tree"
	[ -s "$T/a.tree" ] && cmp -s "$T/a.tree" "$T/b.tree" || return 1
	for r in $(cd "$a" && find . -name RECORD); do
		[ -f "$b/$r" ] || return 1
		cut -d, -f1 "$a/$r" | sort >"$T/a.record"
		cut -d, -f1 "$b/$r" | sort >"$T/b.record"
		cmp -s "$T/a.record" "$T/b.record" || return 1
	done
}
