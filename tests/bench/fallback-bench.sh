#!/bin/sh
# make bench-fallback: wall time of installs under safe-pip against plain
# pip, run interleaved on the same machine, as ratios.
#
#   plain     python -m pip install (no guard)
#   kernel    safe-pip with the kernel sensor (when it loads here)
#   seccomp   safe-pip in an emulated `docker build` (the seccomp fallback)
#
# for a pure-Python sdist and a C extension, ROUNDS rounds each (default
# 5); prints the median of each and its ratio to plain pip.  Needs root
# for the kernel sensor and the emulation.
set -u
: "${top_srcdir:?}" "${top_builddir:?}"
SAFE_PIP=$top_builddir/guard/safe-pip
DOCKEREMU=$top_builddir/tests/lib/dockeremu
WORK=$top_builddir/tests/testenv
ROUNDS=${ROUNDS:-5}
PY3=${PYTHON3:-python3}
T=$(mktemp -d "${TMPDIR:-/tmp}/safe-pip-bench.XXXXXX")
trap 'rm -rf "$T"' EXIT
export HOME=$T/home PIP_CONFIG_FILE=/dev/null SAFE_PIP_POLICY_DIR=$T/etc PIP_DISABLE_PIP_VERSION_CHECK=1
mkdir -p "$HOME"
OPTS="--no-index --find-links $WORK/wheelhouse --no-cache-dir --disable-pip-version-check -q"

modes="plain"
"$SAFE_PIP" sensors >/dev/null 2>&1 && modes="$modes kernel"
[ "$(id -u)" -eq 0 ] && [ -x "$DOCKEREMU" ] && modes="$modes seccomp"

now() { date +%s%N; }

run() {
	mode=$1 pkg=$2
	rm -rf "$T/venv"
	cp -a "$WORK/venv-template" "$T/venv"
	t0=$(now)
	case $mode in
	plain) "$T/venv/bin/python" -m pip install $OPTS "$pkg" ;;
	kernel) "$SAFE_PIP" --python "$T/venv/bin/python" install $OPTS "$pkg" 2>/dev/null ;;
	seccomp) "$DOCKEREMU" -- "$SAFE_PIP" --python "$T/venv/bin/python" install $OPTS "$pkg" 2>/dev/null ;;
	esac
	rc=$?
	t1=$(now)
	[ $rc -eq 0 ] || { echo "bench: $mode install of $pkg failed ($rc)" >&2; exit 1; }
	echo $(((t1 - t0) / 1000))
}

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

for fixture in benign-setup cext-hello; do
	pkg=$("$PY3" "$top_srcdir/tests/lib/sdist.py" "$top_srcdir/tests/fixtures/$fixture" "$T/dist")
	for i in $(seq "$ROUNDS"); do
		for m in $modes; do
			run "$m" "$pkg" >>"$T/$fixture.$m"
		done
	done
	base=$(median <"$T/$fixture.plain")
	for m in $modes; do
		med=$(median <"$T/$fixture.$m")
		awk -v f="$fixture" -v m="$m" -v t="$med" -v b="$base" -v n="$ROUNDS" \
			'BEGIN { printf "%-13s %-8s median %7.1f ms  ratio %.3f  (%d rounds, interleaved)\n", f, m, t / 1000, t / b, n }'
	done
done
