# Evaluation fixture (benign): a Cython extension.  build_ext runs the
# cython3 command-line tool (as projects pinning a system Cython do) to
# translate src/fastsum.pyx into C in the build directory, then compiles
# that C as an ordinary extension.
import os
import shutil
import subprocess

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext


class CythonBuildExt(build_ext):
    def run(self):
        cython = shutil.which("cython3") or shutil.which("cython")
        if not cython:
            raise SystemExit("cython-ext needs the cython3 tool (apt-get install cython3)")
        os.makedirs(self.build_temp, exist_ok=True)
        out = os.path.join(self.build_temp, "fastsum.c")
        subprocess.run([cython, "-3", "-o", out, os.path.join("src", "fastsum.pyx")], check=True)
        for ext in self.extensions:
            ext.sources = [out]
        super().run()


setup(
    name="cython-ext",
    version="0.9.1",
    description="A summing loop compiled with Cython",
    ext_modules=[Extension("fastsum", ["src/fastsum.pyx"])],
    cmdclass={"build_ext": CythonBuildExt},
)
