from setuptools import setup

setup(
    name="demo-benign",
    version="1.0",
    packages=["demo_benign"],
    entry_points={"console_scripts": ["demo-benign = demo_benign:main"]},
)
