# The tests of the seccomp fallback (sourced after harness.sh): `docker
# build` emulated by tests/lib/dockeremu (Docker's default capabilities
# and seccomp profile, read-only cgroups), optionally as another user.
#
#   sp_require_container              skip unless the emulation and the fallback run here
#   sp_system_venv                    $VENV from /usr/bin/python3 (for other users)
#   sp_init; sp_share_with nobody     make $T usable by an unprivileged user
#   container_install [--user NAME] [--no-profile] [-v] [--policy FILE] ARGS...
#                                     safe-pip [-v] [--policy FILE] install into $VENV
#                                     inside the emulation;
#                                     sets $rc, $out, $err like guarded_install
#   evil_init                         the evil-actions fixture reports to $T/evil.out
#   evil_sdist                        its sdist
#   evil_result ACTION                what the fixture's ACTION gave ("done", "EPERM" ...)

DOCKEREMU=$top_builddir/tests/lib/dockeremu
SP_STATIC_HELPER=$top_builddir/tests/lib/sp_static
export SP_STATIC_HELPER

sp_require_container() {
	sp_require_root
	[ -x "$DOCKEREMU" ] || skip_all "tests/lib/dockeremu was not built"
	out=$("$DOCKEREMU" -- "$SAFE_PIP" sensors 2>&1)
	case $out in
	*"seccomp fallback: available"*) ;;
	*) skip_all "the seccomp fallback cannot run here: $out" ;;
	esac
	case $out in
	*"kernel sensor: available"*) skip_all "the emulation did not take the kernel sensor away" ;;
	esac
}

# $VENV from the system's interpreter (/usr/bin/python3), which every user
# may run (the test interpreter may live in root's home).
sp_system_venv() {
	[ -x /usr/bin/python3 ] || skip_all "no /usr/bin/python3"
	rm -rf "$VENV"
	/usr/bin/python3 -m venv "$VENV" >/dev/null 2>&1 || skip_all "/usr/bin/python3 cannot make a venv (python3-venv)"
	PY=$VENV/bin/python
}

# Let USER use everything of the test (its temp dir, venv, fake HOME).
sp_share_with() {
	id "$1" >/dev/null 2>&1 || skip_all "no user $1 on this machine"
	chown -R "$1" "$T" || bail "cannot give $T to $1"
	chmod 755 "$T"
}

container_install() {
	cu= so=
	while :; do
		case ${1:-} in
		--user) cu="$cu --user $2"; shift 2 ;;
		--no-profile) cu="$cu --no-profile"; shift ;;
		-v) so="$so -v"; shift ;;
		--policy) so="$so --policy $2"; shift 2 ;;
		*) break ;;
		esac
	done
	# shellcheck disable=SC2086
	SP_TOKEN=$SP_TOKEN "$DOCKEREMU" $cu -- "$SAFE_PIP" $so --python "$PY" install $PIP_OFFLINE "$@" \
		>"$T/out" 2>"$T/err"
	rc=$?
	out=$(cat "$T/out")
	err=$(cat "$T/err")
}

evil_sdist() {
	sdist evil-actions
}

# The fixture reports to $T/evil.out (call after sp_init).
evil_init() {
	SP_EVIL_OUT=$T/evil.out
	SP_SCRATCH=$T/scratch
	mkdir -p "$SP_SCRATCH"
	export SP_EVIL_OUT SP_SCRATCH
}

evil_result() {
	sed -n "s/^$1: //p" "$T/evil.out" 2>/dev/null | head -1
}

# The first line safe-pip printed.
first_line() {
	head -1 "$T/err"
}
