#!/bin/sh
# Second stage the evaluation's web server hands out (piped into sh by
# "curl | sh" droppers).  Proves it ran: a marker in $SP_MARK and a report
# to the loopback web server.  Does nothing without SP_MARK and SP_TOKEN.
[ -n "${SP_MARK:-}" ] && [ -n "${SP_TOKEN:-}" ] || exit 0
name=${1:-payload-sh}
echo "payload.sh ran as $(id -un) on $(hostname)" >"$SP_MARK/$name.ran"
curl -s -m 5 --data-binary "SP-SH-PAYLOAD-RAN $name $SP_TOKEN $(uname -a)" \
	"http://127.0.0.1:${SP_HTTP_PORT:-80}/collect" >/dev/null 2>&1
exit 0
