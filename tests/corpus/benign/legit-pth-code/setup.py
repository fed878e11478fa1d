# Evaluation fixture (benign): a .pth whose line executes code at every
# interpreter start, shipped exactly the way setuptools ships its own
# distutils-precedence.pth (build_py copies it to the top of the wheel).
# A guard that flags every code-running .pth flags setuptools itself.
import os
import shutil

from setuptools import setup
from setuptools.command.build_py import build_py

PTH = "importshim-precedence.pth"


class BuildPy(build_py):
    def run(self):
        super().run()
        shutil.copy(PTH, os.path.join(self.build_lib, PTH))


setup(
    name="legit-pth-code",
    version="69.0.1",
    packages=["_importshim"],
    cmdclass={"build_py": BuildPy},
)
