#!/bin/sh
# The safe-pip demo: install an honest package and a malicious one through
# safe-pip with the embedded default policy, offline, in a throwaway venv.
# usage: run-demo.sh SAFE_PIP SRCDIR WORKDIR
set -u
safe_pip=$1
src=$2
work=$3
py=${PYTHON3:-python3}

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

if [ "$(id -u)" -ne 0 ]; then
	echo "demo: the kernel sensor needs root (or an installation with file capabilities): run as root" >&2
	exit 1
fi
"$safe_pip" sensors || { echo "demo: the kernel sensor cannot run on this machine" >&2; exit 1; }

# An offline wheelhouse (setuptools, wheel) and a venv, like the tests use.
sh "$src/tests/lib/mkenv.sh" "$work/env" "$py" >/dev/null || exit 1
rm -rf "$work/venv" "$work/dist" "$work/collector"
cp -a "$work/env/venv-template" "$work/venv"
venv_py=$work/venv/bin/python
for p in demo-benign demo-evil; do
	"$py" "$src/tests/lib/sdist.py" "$src/demo/$p" "$work/dist" >/dev/null || exit 1
done
offline="--no-index --find-links $work/env/wheelhouse --no-cache-dir --disable-pip-version-check"

# The "attacker's" collector: a listener on loopback that counts what it gets.
mkdir -p "$work/collector"
"$py" "$src/tests/lib/sink.py" "$work/collector" 120 &
collector=$!
trap 'touch "$work/collector/stop"; wait $collector 2>/dev/null' EXIT
while [ ! -s "$work/collector/port" ]; do sleep 0.05; done
DEMO_COLLECTOR_PORT=$(cat "$work/collector/port")
export DEMO_COLLECTOR_PORT

say "safe-pip install demo-benign  (an honest package)"
"$safe_pip" --python "$venv_py" install $offline "$work/dist/demo-benign-1.0.tar.gz"
benign_rc=$?
"$work/venv/bin/demo-benign"

say "safe-pip install demo-evil  (setup.py sends host facts to 127.0.0.1:$DEMO_COLLECTOR_PORT)"
"$safe_pip" --python "$venv_py" install $offline "$work/dist/demo-evil-1.0.tar.gz"
evil_rc=$?

sleep 0.2
bytes=$(sed -n 's/.*bytes=\([0-9]*\).*/\1/p' "$work/collector/stats")
if "$venv_py" -m pip show -q demo-evil >/dev/null 2>&1; then evil_installed=yes; else evil_installed=no; fi

say "result"
echo "demo-benign: exit status $benign_rc (0 = installed)"
echo "demo-evil:   exit status $evil_rc (77 = blocked), installed: $evil_installed"
echo "the collector received $bytes bytes"
[ "$benign_rc" -eq 0 ] && [ "$evil_rc" -eq 77 ] && [ "$bytes" = 0 ] && [ "$evil_installed" = no ]
