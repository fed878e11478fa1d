#!/usr/bin/env python3
"""A loopback DNS server that knows no name.

usage: dnssink.py ADDRESS STATE_DIR [TIMEOUT_SECONDS]

Listens on ADDRESS:53/udp (a loopback address the test picks), answers every
query NXDOMAIN at once, and appends each queried name to STATE_DIR/queries.
Writes STATE_DIR/ready when listening; stops by itself after the timeout
(default 120 s) or when STATE_DIR/stop appears.  Never talks to anything but
loopback.
"""
import os
import socket
import sys
import time


def qname(msg):
    i, labels = 12, []
    while i < len(msg) and msg[i]:
        n = msg[i]
        labels.append(msg[i + 1:i + 1 + n].decode("ascii", "replace"))
        i += 1 + n
    return ".".join(labels), i + 5


def main():
    addr, state = sys.argv[1], sys.argv[2]
    timeout = float(sys.argv[3]) if len(sys.argv) > 3 else 120.0
    if not addr.startswith("127."):
        raise SystemExit("dnssink.py: loopback addresses only")
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((addr, 53))
    s.settimeout(0.2)
    open(os.path.join(state, "ready"), "w").close()
    end = time.monotonic() + timeout
    while time.monotonic() < end and not os.path.exists(os.path.join(state, "stop")):
        try:
            msg, peer = s.recvfrom(4096)
        except socket.timeout:
            continue
        if len(msg) < 12:
            continue
        name, qend = qname(msg)
        with open(os.path.join(state, "queries"), "a") as f:
            f.write(name + "\n")
        # same id and question, QR=1, RA, RCODE=3 (NXDOMAIN), no answers
        flags = 0x8183 | (msg[2] & 0x01) << 8
        reply = msg[:2] + flags.to_bytes(2, "big") + msg[4:6] + b"\0\0\0\0\0\0" + msg[12:qend]
        s.sendto(reply, peer)


if __name__ == "__main__":
    main()
