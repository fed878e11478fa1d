# Evaluation fixture (benign): a C extension compiled with the system C
# compiler, the most common kind of non-pure build on PyPI.
from setuptools import Extension, setup

setup(
    name="c-extension",
    version="1.3.0",
    description="CRC-32C checksums in C",
    ext_modules=[Extension("crc32c_ext", ["src/crc32c.c"], extra_compile_args=["-O2"])],
)
