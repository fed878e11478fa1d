# Evaluation fixture (benign): the way Cython projects ship sdists: the
# translated C file is in the archive, and the build only compiles it.
from setuptools import Extension, setup

setup(
    name="generated-c",
    version="2.0.3",
    description="Vector math kernels (pre-translated C)",
    packages=["vecmath"],
    ext_modules=[Extension("vecmath._kernels", ["vecmath/_kernels.c"])],
)
