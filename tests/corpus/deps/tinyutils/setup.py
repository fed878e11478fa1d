# Evaluation dependency (benign) of benign/install-requires-dep.
from setuptools import setup

setup(name="tinyutils", version="1.0.4", py_modules=["tinyutils"])
