from setuptools import setup

setup(name="proc-environ-harvest", version="1.4.0", packages=["csvsniff"])
