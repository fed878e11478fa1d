#!/bin/sh
# Make the offline environment the tests install from:
#   WORK/wheelhouse      pip, setuptools and wheel wheels (no network needed)
#   WORK/venv-template   a virtual environment each test copies
# usage: mkenv.sh WORK [PYTHON]
set -eu
work=$1
py=${2:-${SAFE_PIP_TEST_PYTHON:-python3}}

rm -rf "$work.tmp"
mkdir -p "$work.tmp/wheelhouse"
wh=$work.tmp/wheelhouse

# setuptools and pip: the interpreter's own bundled wheels.  Debian's
# setuptools wheel is patched for Debian's python; it is used only when the
# interpreter has none of its own (which is Debian's python itself).
bundled=$("$py" -c 'import ensurepip, os; print(os.path.join(os.path.dirname(ensurepip.__file__), "_bundled"))' 2>/dev/null || true)
found=
if [ -n "$bundled" ] && [ -d "$bundled" ]; then
	for w in "$bundled"/setuptools-*.whl "$bundled"/pip-*.whl; do
		[ -f "$w" ] && cp "$w" "$wh/" && found=1
	done
fi
if [ -z "$found" ]; then
	for w in /usr/share/python-wheels/setuptools-*.whl /usr/share/python-wheels/pip-*.whl; do
		[ -f "$w" ] && cp "$w" "$wh/" && found=1
	done
fi
if ! ls "$wh"/setuptools-*.whl >/dev/null 2>&1; then
	echo "mkenv: no setuptools wheel for $py (install python3-venv / python3-setuptools-whl)" >&2
	exit 1
fi
for w in /usr/share/python-wheels/wheel-*.whl; do
	[ -f "$w" ] && cp "$w" "$wh/"
done
if ! ls "$wh"/wheel-*.whl >/dev/null 2>&1; then
	echo "mkenv: no wheel wheel (apt-get install python3-wheel-whl)" >&2
	exit 1
fi

"$py" -m venv "$work.tmp/venv-template"
"$work.tmp/venv-template/bin/python" -c 'import pip' 2>/dev/null || {
	echo "mkenv: the new venv has no pip (apt-get install python3-venv)" >&2
	exit 1
}
rm -rf "$work"
mv "$work.tmp" "$work"
echo "mkenv: wheelhouse and venv template for $("$work/venv-template/bin/python" -c 'import sys; print(sys.version.split()[0])') in $work"
