# Evaluation fixture (benign): a build-time code generator.  build_ext
# first compiles a small C tool into the build directory and runs it to
# generate a header of lookup tables, then compiles the extension with it
# (as projects generating Unicode or codec tables do).
import os
import subprocess
import sysconfig

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext


class BuildExt(build_ext):
    def run(self):
        os.makedirs(self.build_temp, exist_ok=True)
        tool = os.path.join(self.build_temp, "gentables")
        header = os.path.join(self.build_temp, "b85_tables.h")
        cc = (sysconfig.get_config_var("CC") or "cc").split()[0]
        subprocess.run([cc, "-O1", "-o", tool, os.path.join("tools", "gentables.c")], check=True)
        subprocess.run([tool, header], check=True)
        for ext in self.extensions:
            ext.include_dirs.append(self.build_temp)
        super().run()


setup(
    name="codegen-tool",
    version="1.1.0",
    description="Fast base-85 codec with generated tables",
    ext_modules=[Extension("b85fast", ["src/b85.c"])],
    cmdclass={"build_ext": BuildExt},
)
