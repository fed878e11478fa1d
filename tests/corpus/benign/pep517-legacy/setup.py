# Evaluation fixture (benign): setup.py run through the
# setuptools.build_meta:__legacy__ backend (setup.py's directory on
# sys.path, as old projects expect), importing a helper next to it.
from setuptools import setup

from legacy_helpers import read_version

setup(name="pep517-legacy", version=read_version(), py_modules=["legacymod"])
