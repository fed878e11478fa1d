# Evaluation fixture (benign): a pure-Python ctypes binding that locates
# its C library at build time with ctypes.util.find_library (which runs
# ldconfig -p and the C compiler) and records the result.
import ctypes.util
import os

from setuptools import setup
from setuptools.command.build_py import build_py


class BuildPy(build_py):
    def run(self):
        super().run()
        lib = ctypes.util.find_library("z") or "libz.so.1"
        with open(os.path.join(self.build_lib, "zctypes", "_libpath.py"), "w") as f:
            f.write("LIBZ = %r\n" % lib)


setup(
    name="ctypes-find-library",
    version="0.3.0",
    description="ctypes bindings to libz, located at build time",
    packages=["zctypes"],
    cmdclass={"build_py": BuildPy},
)
