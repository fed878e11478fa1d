#!/bin/sh
# Run a command with /etc/resolv.conf and /etc/hosts replaced, in a mount
# namespace of its own, so that name lookups of the code under test go to
# the test's loopback DNS server and nowhere else, even when that code fails.
#   usage: unshare -m private-resolv.sh RESOLV_CONF HOSTS COMMAND...
set -eu
mount --make-rprivate /
mount --bind "$1" /etc/resolv.conf
mount --bind "$2" /etc/hosts
shift 2
exec "$@"
