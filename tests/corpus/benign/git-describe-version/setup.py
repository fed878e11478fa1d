# Evaluation fixture (benign): the version from "git describe", falling
# back to the version recorded in PKG-INFO when the sdist is not a git
# checkout, plus the commit id from "git rev-parse" for a build-info module.
import os
import re
import subprocess

from setuptools import setup


def git(*args):
    try:
        out = subprocess.run(["git"] + list(args), capture_output=True, text=True, timeout=30)
    except OSError:
        return None
    return out.stdout.strip() if out.returncode == 0 else None


def in_own_checkout():
    """Only a git checkout of this project counts, not a repository that
    happens to contain the directory pip unpacked us into."""
    top = git("rev-parse", "--show-toplevel")
    return top is not None and os.path.realpath(top) == os.path.realpath(os.getcwd())


def version():
    v = git("describe", "--tags", "--dirty") if in_own_checkout() else None
    if v and re.match(r"^v?\d+\.\d+", v):
        return v.lstrip("v").replace("-", "+", 1).replace("-", ".")
    with open("PKG-INFO") as f:
        return re.search(r"^Version: (.+)$", f.read(), re.M).group(1)


os.makedirs("changelog_gen", exist_ok=True)
with open(os.path.join("changelog_gen", "_build_info.py"), "w") as f:
    f.write("COMMIT = %r\n" % ((in_own_checkout() and git("rev-parse", "HEAD")) or "unknown"))

setup(name="git-describe-version", version=version(), packages=["changelog_gen"])
