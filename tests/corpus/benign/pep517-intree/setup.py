from setuptools import setup

setup(name="pep517-intree", version="4.1.0", packages=["intreeproj"])
