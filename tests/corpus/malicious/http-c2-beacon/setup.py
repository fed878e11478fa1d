from setuptools import setup

setup(name="http-c2-beacon", version="0.12.0", packages=["featflags"])
