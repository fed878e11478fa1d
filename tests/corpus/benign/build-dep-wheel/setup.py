# Evaluation fixture (benign): a build plugin from build-system.requires
# (deps/versionfile-plugin, a wheel on the evaluation's find-links, shaped
# like setuptools_scm or versioneer) supplies the version.
from setuptools import setup
from versionfile_plugin import version_from_file

setup(name="build-dep-wheel", version=version_from_file("VERSION.txt"), packages=["plugproj"])
