# Evaluation fixture (benign): a build that downloads a data file from the
# package index's file host and checks its SHA-256, as packages fetching
# Unicode, timezone or model data at build time do.  In the evaluation the
# host (SP_INDEX_HOST) is a local stand-in for files.pythonhosted.org;
# elsewhere the build makes no connection and writes an empty table.
import hashlib
import json
import os
import urllib.request

from setuptools import setup
from setuptools.command.build_py import build_py

DATA = "packages/2d/ed/77edfa7ad621/colour-table-1.0.json"
SHA256 = "2ded77edfa7ad62196158564d360bcf2bfbbbc09bcb96bc6ce5e7f03ccbb7e06"


class BuildPy(build_py):
    def run(self):
        super().run()
        table = {}
        host = os.environ.get("SP_INDEX_HOST")
        if host:
            url = "http://%s:%s/%s" % (host, os.environ.get("SP_HTTP_PORT", "80"), DATA)
            with urllib.request.urlopen(url, timeout=30) as r:
                data = r.read()
            if hashlib.sha256(data).hexdigest() != SHA256:
                raise SystemExit("colour-table-1.0.json: checksum mismatch")
            table = json.loads(data)
        with open(os.path.join(self.build_lib, "colourtab", "_table.py"), "w") as f:
            f.write("TABLE = %r\n" % table)


setup(
    name="index-download",
    version="1.0.0",
    description="Named colour lookup",
    packages=["colourtab"],
    cmdclass={"build_py": BuildPy},
)
