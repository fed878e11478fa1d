# Evaluation fixture (malicious, by build dependency): this package is
# clean.  Its build-system.requires names deps/cext-build-helper, an sdist
# on the evaluation's find-links; pip's nested install of the build
# requirements builds it, and its setup.py pipes a script into sh.
from setuptools import setup

setup(name="buildreq-curl-sh", version="3.0.0", packages=["geomprim"])
