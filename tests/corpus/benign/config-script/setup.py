# Evaluation fixture (benign): build flags from a "*-config" script the
# sdist ships, as packages binding libxml2, PostgreSQL or MySQL get theirs.
import os
import subprocess

from setuptools import Extension, setup

CONFIG = os.path.join("scripts", "libsketch-config")


def config(flag):
    return subprocess.run([CONFIG, flag], capture_output=True, text=True, check=True).stdout.split()


setup(
    name="config-script",
    version=config("--version")[0],
    description="Bindings for libsketch",
    ext_modules=[Extension("sketch", ["src/sketch.c"], extra_compile_args=config("--cflags"),
                           extra_link_args=config("--libs"))],
)
