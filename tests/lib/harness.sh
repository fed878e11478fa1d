# Shared by the integration tests (sourced).  Each test is a TAP producer:
#   . "$top_srcdir/tests/lib/harness.sh"
#   sp_require_kernel_sensor          # skips the whole test with a reason
#   sp_init                           # fresh temp dir, venv, fake HOME
#   ...; check "what" test ...; ...
#   done_testing
#
# Environment (set by make check, see tests/local.mk): top_srcdir,
# top_builddir, SAFE_PIP (the binary under test), SP_WORK (wheelhouse and
# venv template made by tests/lib/mkenv.sh).

set -u
: "${top_srcdir:?run through make check}"
: "${SAFE_PIP:?run through make check}"
: "${SP_WORK:?run through make check}"

SP_FIXTURES=$top_srcdir/tests/fixtures
SP_LIB=$top_srcdir/tests/lib
SP_WHEELHOUSE=$SP_WORK/wheelhouse
SP_EXIT_BLOCKED=77
SP_EXIT_CONFIG=78
SP_EXIT_ROLLBACK=79
SP_EXIT_SENSOR=69
SP_PY=${PYTHON3:-python3}

tap_n=0
tap_failed=0

ok() { tap_n=$((tap_n + 1)); echo "ok $tap_n - $*"; }
not_ok() { tap_n=$((tap_n + 1)); tap_failed=$((tap_failed + 1)); echo "not ok $tap_n - $*"; }
skip() { tap_n=$((tap_n + 1)); echo "ok $tap_n - # SKIP $*"; }
diag() { echo "# $*"; }
skip_all() { echo "1..0 # SKIP $*"; exit 0; }
bail() { echo "Bail out! $*"; exit 99; }

# check DESCRIPTION COMMAND...: one test point from a command's success
check() {
	desc=$1
	shift
	if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}

# check_eq DESCRIPTION EXPECTED ACTUAL
check_eq() {
	if [ "$2" = "$3" ]; then
		ok "$1"
	else
		not_ok "$1"
		diag "expected: $2"
		diag "actual:   $3"
	fi
}

done_testing() {
	echo "1..$tap_n"
	[ "$tap_failed" -eq 0 ]
	exit $?
}

sp_require_root() {
	[ "$(id -u)" -eq 0 ] || skip_all "needs root (eBPF, cgroups); run as root to test the kernel sensor"
}

# Skip unless the kernel sensor loads here (root, BPF, BTF).
sp_require_kernel_sensor() {
	sp_require_root
	[ -r /sys/kernel/btf/vmlinux ] || skip_all "kernel has no BTF (/sys/kernel/btf/vmlinux)"
	out=$("$SAFE_PIP" sensors 2>&1) || skip_all "kernel sensor unavailable here: $out"
}

sp_cleanup() {
	[ -n "${SP_SINK_DIR:-}" ] && touch "$SP_SINK_DIR/stop" 2>/dev/null
	[ -n "${SP_SINK_PID:-}" ] && kill "$SP_SINK_PID" 2>/dev/null && wait "$SP_SINK_PID" 2>/dev/null
	if [ -n "${T:-}" ] && [ -d "$T" ]; then
		if [ -n "${SP_KEEP:-}" ]; then
			echo "# kept $T" >&2
		else
			rm -rf "$T"
		fi
	fi
}

# A fresh temp dir $T with a venv $T/venv, a fake $HOME, no pip settings
# from the machine (pip.conf, PIP_* variables) and a unique $SP_TOKEN.
sp_init() {
	T=$(mktemp -d "${TMPDIR:-/tmp}/safe-pip-test.XXXXXX")
	trap sp_cleanup EXIT
	trap 'exit 130' INT TERM
	for v in $(env | sed -n 's/^\(PIP_[A-Za-z0-9_]*\)=.*/\1/p'); do unset "$v"; done
	unset VIRTUAL_ENV SAFE_PIP_PYTHON PYTHONPATH
	export PIP_CONFIG_FILE=/dev/null
	export PIP_DISABLE_PIP_VERSION_CHECK=1
	export HOME="$T/home"
	mkdir -p "$HOME"
	# No policy of the machine or of the user: a test brings its own.
	export SAFE_PIP_POLICY_DIR="$T/etc-safe-pip"
	unset XDG_CONFIG_HOME
	# Given only to the installs under test, to find their processes later.
	SP_TOKEN=sp$$$(date +%s%N)
	cp -a "$SP_WORK/venv-template" "$T/venv" || bail "cannot copy the venv template"
	VENV=$T/venv
	PY=$VENV/bin/python
}

# Another venv at $T/NAME.
sp_venv() {
	cp -a "$SP_WORK/venv-template" "$T/$1" || bail "cannot copy the venv template"
}

# sdist FIXTURE: build the fixture's sdist into $T/dist, print its path
sdist() {
	"$SP_PY" "$SP_LIB/sdist.py" "$SP_FIXTURES/$1" "$T/dist"
}

# no_score_policy: print the path of a policy whose threshold no install
# reaches, for tests of what a sensor sees rather than of the score (deny
# rules still stop; tests/integration/score-*.test test the score).
no_score_policy() {
	[ -f "$T/no-score.yaml" ] || printf 'version: 1\nthreshold: 100000\n' >"$T/no-score.yaml"
	echo "$T/no-score.yaml"
}

# Options every install uses: offline, no cache (so setup.py always runs).
PIP_OFFLINE="--no-index --find-links $SP_WHEELHOUSE --no-cache-dir --disable-pip-version-check"

# guarded_install ARGS...: safe-pip install into $VENV; sets $rc, $out, $err
guarded_install() {
	SP_TOKEN=$SP_TOKEN "$SAFE_PIP" --python "$PY" install $PIP_OFFLINE "$@" >"$T/out" 2>"$T/err"
	rc=$?
	out=$(cat "$T/out")
	err=$(cat "$T/err")
}

# plain_install PYTHON ARGS...: pip without safe-pip; sets $rc, $out, $err
plain_install() {
	p=$1
	shift
	SP_TOKEN=$SP_TOKEN "$p" -m pip install $PIP_OFFLINE "$@" >"$T/out" 2>"$T/err"
	rc=$?
	out=$(cat "$T/out")
	err=$(cat "$T/err")
}

# Start the loopback sink; sets SP_SINK_DIR, SP_SINK_PORT, SP_SINK_UDP_PORT.
start_sink() {
	SP_SINK_DIR=$T/sink
	mkdir -p "$SP_SINK_DIR"
	"$SP_PY" "$SP_LIB/sink.py" "$SP_SINK_DIR" "${1:-600}" &
	SP_SINK_PID=$!
	i=0
	while [ ! -s "$SP_SINK_DIR/port" ]; do
		i=$((i + 1))
		[ $i -gt 200 ] && bail "the sink did not start"
		sleep 0.05
	done
	SP_SINK_PORT=$(cat "$SP_SINK_DIR/port")
	SP_SINK_UDP_PORT=$(cat "$SP_SINK_DIR/udp_port")
	export SP_SINK_PORT SP_SINK_UDP_PORT
}

# sink_stat NAME: connections, bytes or datagrams received so far
sink_stat() {
	sed -n "s/.*$1=\([0-9]*\).*/\1/p" "$SP_SINK_DIR/stats"
}

# Processes whose environment carries this test's token (i.e. started by it).
token_procs() {
	grep -l "SP_TOKEN=$SP_TOKEN" /proc/[0-9]*/environ 2>/dev/null | cut -d/ -f3
}

# installed NAME: is the distribution installed in $VENV?
installed() {
	"$PY" -m pip show -q "$1" >/dev/null 2>&1
}

# not_installed NAME: the distribution is not installed in $VENV (and pip works)
not_installed() {
	"$PY" -m pip --version >/dev/null 2>&1 && ! installed "$1"
}

# ---------------------------------------------------------------- shim tests
# private_dns HOSTNAMES CMD...: run CMD (as root) in a private mount
# namespace where /etc/hosts maps each of HOSTNAMES (space-separated) to
# 127.0.0.1, the resolver is 127.0.0.1 and only files and DNS are asked:
# no name lookup of the command can leave the machine, even if what is
# tested fails.
private_dns() {
	_h=$1
	shift
	# one address per name: with several, glibc's getaddrinfo connects UDP
	# sockets to sort them, which a build may not do
	{ echo "127.0.0.1 localhost"
	  for n in $_h; do echo "127.0.0.1 $n"; done; } >"$T/dns-hosts"
	printf 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n' >"$T/dns-resolv.conf"
	printf 'hosts: files dns\n' >"$T/dns-nsswitch.conf"
	unshare --mount --propagation private sh -c '
		mount --bind "$1" /etc/hosts && mount --bind "$2" /etc/resolv.conf &&
		mount --bind "$3" /etc/nsswitch.conf || exit 125
		shift 3
		exec "$@"' sh "$T/dns-hosts" "$T/dns-resolv.conf" "$T/dns-nsswitch.conf" "$@"
}

# re_escape TEXT: TEXT as a literal in a logq KEY~REGEX filter
re_escape() {
	printf '%s' "$1" | sed 's/[][\\.*^$()+?{}|]/\\&/g'
}

# logq ARGS...: query the JSON Lines log $T/log.jsonl (see tests/lib/logq.py)
# (the number of matching lines, or with --print KEY each one's KEY)
logq() {
	case " $* " in
	*" --print "*) "$SP_PY" "$SP_LIB/logq.py" "$T/log.jsonl" "$@" ;;
	*) "$SP_PY" "$SP_LIB/logq.py" "$T/log.jsonl" -n "$@" ;;
	esac
}
