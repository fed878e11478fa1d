# Evaluation fixture (benign): console and GUI scripts and a plugin entry
# point group, which pip turns into executables in the environment's bin/.
from setuptools import setup

setup(
    name="entry-points",
    version="0.9.0",
    description="Static site generator",
    packages=["sitegen"],
    entry_points={
        "console_scripts": ["sitegen = sitegen:main", "sitegen-serve = sitegen:serve"],
        "gui_scripts": ["sitegen-preview = sitegen:preview"],
        "sitegen.plugins": ["markdown = sitegen:MarkdownPlugin"],
    },
)
