# Evaluation fixture (benign): a native library built with CMake and Ninja.
# build_ext configures lib/ into the build directory with `cmake -G Ninja`,
# builds it with `cmake --build` (which runs ninja, the compiler and ar),
# then links the Python extension against the static library.
import os
import shutil
import subprocess

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext


class CMakeBuildExt(build_ext):
    def run(self):
        for tool in ("cmake", "ninja"):
            if not shutil.which(tool):
                raise SystemExit("cmake-ninja needs %s (apt-get install cmake ninja-build)" % tool)
        build = os.path.abspath(os.path.join(self.build_temp, "cmake"))
        subprocess.run(["cmake", "-G", "Ninja", "-S", "lib", "-B", build,
                        "-DCMAKE_BUILD_TYPE=Release"], check=True)
        subprocess.run(["cmake", "--build", build], check=True)
        for ext in self.extensions:
            ext.extra_objects.append(os.path.join(build, "libadler32lib.a"))
        super().run()


setup(
    name="cmake-ninja",
    version="2.0.3",
    description="Adler-32 from a CMake-built C library",
    ext_modules=[Extension("adler", ["src/adler.c"])],
    cmdclass={"build_ext": CMakeBuildExt},
)
