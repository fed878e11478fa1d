# Evaluation fixture (benign): a path-only .pth (a directory line, no
# code) that puts the package's vendored modules on sys.path, as
# namespace-package installs and tools with vendored libraries do.
import os
import shutil

from setuptools import setup
from setuptools.command.build_py import build_py


class BuildPy(build_py):
    def run(self):
        super().run()
        shutil.copy("vendhelp.pth", os.path.join(self.build_lib, "vendhelp.pth"))


setup(
    name="pth-path-only",
    version="1.5.0",
    packages=["vendhelp_libs"],
    cmdclass={"build_py": BuildPy},
)
