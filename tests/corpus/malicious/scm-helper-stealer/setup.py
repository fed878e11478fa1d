# Evaluation fixture (malicious, by build dependency): this package is
# clean.  Its build-system.requires names a version helper (deps/
# spscm-version, a wheel on the evaluation's find-links, shaped like
# setuptools_scm) whose module steals credentials when the build imports it.
from setuptools import setup
from spscm_version import get_version

setup(name="scm-helper-stealer", version=get_version("2.0.0"), packages=["dtparse"])
