#!/bin/sh
# End-to-end cost of the transaction (make bench): wall time of a guarded
# install of a small sdist in each mode against plain pip, runs
# interleaved on the same machine, fresh venv each time.  Prints a Markdown
# table (medians and ratios to plain pip); asserts nothing.
#
# usage: txn-e2e.sh SAFE_PIP SRCDIR WORK [RUNS]
#   WORK: the test wheelhouse and venv template (tests/testenv)
set -u
safe_pip=$1
src=$2
work=$3
runs=${4:-7}
py=${PYTHON3:-python3}

if [ "$(id -u)" -ne 0 ] || ! "$safe_pip" sensors >/dev/null 2>&1; then
	echo "txn-e2e: skipped: a guarded install needs root and the kernel sensor"
	exit 0
fi
T=$(mktemp -d /tmp/sp-bench-e2e.XXXXXX)
trap 'rm -rf "$T"' EXIT
export HOME=$T/home PIP_CONFIG_FILE=/dev/null PIP_DISABLE_PIP_VERSION_CHECK=1 SAFE_PIP_STATE_DIR=$T/state
for v in $(env | sed -n 's/^\(PIP_[A-Za-z0-9_]*\)=.*/\1/p'); do
	[ "$v" = PIP_CONFIG_FILE ] || [ "$v" = PIP_DISABLE_PIP_VERSION_CHECK ] || unset "$v"
done
mkdir -p "$HOME"
pkg=$("$py" "$src/tests/lib/sdist.py" "$src/tests/fixtures/benign-setup" "$T/dist")
opts="--no-index --find-links $work/wheelhouse --no-cache-dir"

now() { date +%s%N; }
for i in $(seq "$runs"); do
	for kind in plain staged journaled; do
		rm -rf "$T/venv"
		cp -a "$work/venv-template" "$T/venv"
		t0=$(now)
		if [ $kind = plain ]; then
			"$T/venv/bin/python" -m pip install $opts "$pkg" >/dev/null 2>&1
		else
			"$safe_pip" --transaction=$kind --python "$T/venv/bin/python" install $opts "$pkg" \
				>/dev/null 2>&1
		fi
		echo "$kind $(( $(now) - t0 ))" >>"$T/times"
	done
done
median() { grep "^$1 " "$T/times" | cut -d' ' -f2 | sort -n | sed -n "$(( (runs + 1) / 2 ))p"; }
plain=$(median plain)
echo "| install of a small sdist ($runs runs, interleaved) | median s | ratio to plain pip |"
echo "|---|---:|---:|"
for kind in plain staged journaled; do
	m=$(median $kind)
	awk -v k="$kind" -v m="$m" -v p="$plain" 'BEGIN { printf "| %s | %.2f | %.2f |\n", k == "plain" ? "plain pip" : "safe-pip, " k, m / 1e9, m / p }'
done
