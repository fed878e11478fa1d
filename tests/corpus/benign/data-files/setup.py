# Evaluation fixture (benign): data_files into the environment's share/
# (man page, shell completion, desktop entry) and package data.
from setuptools import setup

setup(
    name="data-files",
    version="2.4.0",
    description="Command-line todo manager",
    packages=["todoman"],
    package_data={"todoman": ["templates/*.txt"]},
    data_files=[
        ("share/man/man1", ["share/todoman.1"]),
        ("share/bash-completion/completions", ["share/todoman"]),
        ("share/applications", ["share/todoman.desktop"]),
    ],
)
