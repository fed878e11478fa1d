# Helpers of the kernel sensor tests (sourced after harness.sh).
#
#   probe_install ACTIONS [SAFE-PIP OPTIONS...]
#       install the kernel-probe fixture with SP_ACTIONS=ACTIONS, SP_DIR=$PD
#       ($T/p), a log in $LOG ($PD/log.jsonl); sets $rc, $T/out, $T/err
#   has DESCRIPTION FILTER...      a test point: some log line matches
#   hasnt DESCRIPTION FILTER...    a test point: no log line matches
#   res ACTION                     what the fixture reported for ACTION
#   start_dns                      a loopback DNS server ($SP_DNS_ADDR) and
#                                  PROBE_WRAP so that the install resolves there
#   (sourced after sp_init: PD and LOG name files of this test)
#   own_cgroup                     the session cgroup safe-pip -v printed

LOGQ="$SP_PY $SP_LIB/logq.py"
PD=${T:?sp_init first}/p
LOG=$PD/log.jsonl

# The directory the fixture works in: a fake home with secrets, out/, res/.
probe_dir() {
	mkdir -p "$PD/home/.ssh" "$PD/home/.aws" "$PD/out" "$PD/res" "$PD/.hidden"
	echo "PRIVATE KEY" >"$PD/home/.ssh/id_rsa"
	echo "PRIVATE KEY 2" >"$PD/home/.ssh/id_ed25519"
	echo "[default]" >"$PD/home/.aws/credentials"
	echo "x=1" >"$PD/.hidden/conf"
}

probe_install() {
	actions=$1
	shift
	[ -d "$PD/res" ] || probe_dir
	[ -n "${probe_pkg:-}" ] || probe_pkg=$(sdist kernel-probe)
	SP_TOKEN=$SP_TOKEN SP_ACTIONS=$actions SP_DIR=$PD ${PROBE_WRAP:-} "$SAFE_PIP" -v --log "$LOG" \
		--policy "$(no_score_policy)" "$@" \
		--python "$PY" install $PIP_OFFLINE "$probe_pkg" >"$T/out" 2>"$T/err"
	rc=$?
}

has() {
	desc=$1
	shift
	if $LOGQ "$LOG" "$@"; then
		ok "$desc"
	else
		not_ok "$desc"
		diag "no log line matches: $*"
	fi
}

hasnt() {
	desc=$1
	shift
	if $LOGQ "$LOG" "$@"; then
		not_ok "$desc"
		diag "a log line matches: $*"
		diag "$($LOGQ "$LOG" -p "$@")"
	else
		ok "$desc"
	fi
}

res() {
	cat "$PD/res/$1" 2>/dev/null || echo "(no result)"
}

own_cgroup() {
	sed -n 's/^safe-pip: session cgroup //p' "$T/err"
}


# A loopback DNS server on 127.83.X.Y:53 and a private /etc/resolv.conf
# naming it (the install runs in a mount namespace of its own: PROBE_WRAP).
start_dns() {
	SP_DNS_ADDR=127.83.$(($$ % 250 + 1)).$((($$ / 250) % 250 + 1))
	SP_DNS_DIR=$T/dns
	mkdir -p "$SP_DNS_DIR"
	printf 'nameserver %s\noptions timeout:2 attempts:1\n' "$SP_DNS_ADDR" >"$T/resolv.conf"
	printf '127.0.0.1 localhost\n' >"$T/hosts"
	"$SP_PY" "$SP_LIB/dnssink.py" "$SP_DNS_ADDR" "$SP_DNS_DIR" 120 &
	SP_DNS_PID=$!
	i=0
	while [ ! -e "$SP_DNS_DIR/ready" ]; do
		i=$((i + 1))
		[ $i -gt 200 ] && bail "the DNS server did not start"
		sleep 0.05
	done
	PROBE_WRAP="unshare -m $SP_LIB/private-resolv.sh $T/resolv.conf $T/hosts"
}

stop_dns() {
	[ -n "${SP_DNS_PID:-}" ] || return 0
	touch "$SP_DNS_DIR/stop"
	wait "$SP_DNS_PID" 2>/dev/null
	SP_DNS_PID=
}

# net_policy FILE ACTION ENTRY...: a policy layer $T/FILE.yaml whose network
# ACTION (allow or deny) list has the ENTRY destinations, for builds; the
# path of the file is in $NP.
net_policy() {
	NP=$T/$1.yaml
	{
		printf 'version: 1\nnetwork:\n  %s:\n' "$2"
		shift 2
		for e in "$@"; do printf '    - { to: "%s", roles: [build] }\n' "$e"; done
	} >"$NP"
}
