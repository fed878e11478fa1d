# Evaluation fixture (benign): a C++17 extension built with g++.
from setuptools import Extension, setup

setup(
    name="cpp-extension",
    version="0.4.1",
    description="Sorted containers backed by C++",
    ext_modules=[Extension("sortedvec", ["src/sortedvec.cpp"], language="c++",
                           extra_compile_args=["-std=c++17", "-O2"])],
)
