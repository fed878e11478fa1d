# Evaluation fixture (benign): a bundled C library built the classic way,
# "./configure && make", in the build directory, then linked statically
# into the extension (as packages bundling libyaml, libffi or zstd do).
import os
import shutil
import subprocess

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext


class BuildExt(build_ext):
    def run(self):
        lib = os.path.join(self.build_temp, "libtinyhash")
        shutil.rmtree(lib, ignore_errors=True)
        shutil.copytree(os.path.join("vendor", "libtinyhash"), lib)
        subprocess.run(["sh", "./configure", "--prefix=" + os.path.abspath(self.build_temp)], cwd=lib,
                       check=True)
        subprocess.run(["make"], cwd=lib, check=True)
        for ext in self.extensions:
            ext.include_dirs.append(lib)
            ext.extra_objects.append(os.path.join(lib, "libtinyhash.a"))
        super().run()


setup(
    name="configure-make",
    version="0.7.2",
    description="Bindings to a bundled libtinyhash",
    ext_modules=[Extension("pytinyhash", ["src/pytinyhash.c"])],
    cmdclass={"build_ext": BuildExt},
)
