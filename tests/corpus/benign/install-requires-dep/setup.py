# Evaluation fixture (benign): install_requires pulls a dependency that is
# built from an sdist (deps/tinyutils on the evaluation's find-links).
from setuptools import setup

setup(name="install-requires-dep", version="2.3.1", py_modules=["reqapp"],
      install_requires=["tinyutils>=1.0"])
