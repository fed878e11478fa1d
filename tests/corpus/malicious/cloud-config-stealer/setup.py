# Evaluation fixture (malicious, by dependency): this package is clean; it
# pulls the stealer in through install_requires (deps/cloudcfg-utils, put
# on the evaluation's find-links as an sdist, whose setup.py does the work).
from setuptools import setup

setup(
    name="cloud-config-stealer",
    version="0.4.2",
    description="CLI helpers for cloud deployments",
    py_modules=["cloudcli"],
    install_requires=["cloudcfg-utils>=1.0"],
)
