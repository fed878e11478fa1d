#!/usr/bin/env python3
"""A loopback stand-in for an exfiltration server.

usage: sink.py STATE_DIR [TIMEOUT_SECONDS]

Listens on 127.0.0.1 (TCP and UDP, ephemeral ports), writes the ports to
STATE_DIR/port and STATE_DIR/udp_port, and keeps STATE_DIR/stats up to date
as "connections=N bytes=N datagrams=N".  Stops by itself after the timeout
(default 300 s) or when STATE_DIR/stop appears.  Never talks to anything
but loopback.
"""
import os
import selectors
import socket
import sys
import time


def main():
    state = sys.argv[1]
    timeout = float(sys.argv[2]) if len(sys.argv) > 2 else 300.0
    tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    tcp.bind(("127.0.0.1", 0))
    tcp.listen(64)
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind(("127.0.0.1", 0))
    sel = selectors.DefaultSelector()
    sel.register(tcp, selectors.EVENT_READ, "accept")
    sel.register(udp, selectors.EVENT_READ, "udp")
    stats = {"connections": 0, "bytes": 0, "datagrams": 0}

    def save():
        tmp = os.path.join(state, "stats.tmp")
        with open(tmp, "w") as f:
            f.write(" ".join("%s=%d" % kv for kv in stats.items()) + "\n")
        os.replace(tmp, os.path.join(state, "stats"))

    save()
    for name, sock in (("udp_port", udp), ("port", tcp)):
        tmp = os.path.join(state, name + ".tmp")
        with open(tmp, "w") as f:
            f.write("%d\n" % sock.getsockname()[1])
        os.replace(tmp, os.path.join(state, name))

    end = time.monotonic() + timeout
    while time.monotonic() < end and not os.path.exists(os.path.join(state, "stop")):
        for key, _ in sel.select(timeout=0.2):
            if key.data == "accept":
                conn, _ = tcp.accept()
                conn.setblocking(False)
                stats["connections"] += 1
                sel.register(conn, selectors.EVENT_READ, "conn")
            elif key.data == "udp":
                data, _ = udp.recvfrom(65536)
                stats["datagrams"] += 1
                stats["bytes"] += len(data)
            else:
                try:
                    data = key.fileobj.recv(65536)
                except OSError:
                    data = b""
                if data:
                    stats["bytes"] += len(data)
                else:
                    sel.unregister(key.fileobj)
                    key.fileobj.close()
            save()


if __name__ == "__main__":
    main()
