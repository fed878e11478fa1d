# Evaluation fixture (benign): compiler and linker flags from pkg-config,
# then a C extension linked against the system zlib.
import subprocess

from setuptools import Extension, setup


def pkg_config(*args):
    return subprocess.run(["pkg-config"] + list(args) + ["zlib"], capture_output=True, text=True,
                          check=True).stdout.split()


cflags, libs = pkg_config("--cflags"), pkg_config("--libs")
setup(
    name="pkg-config-zlib",
    version="1.0.1",
    description="zlib bindings via pkg-config",
    ext_modules=[Extension("zadler", ["src/zadler.c"], extra_compile_args=cflags,
                           extra_link_args=libs)],
)
