"""Read the version of a project from a file (evaluation dependency, benign)."""
import re


def version_from_file(path):
    with open(path) as f:
        text = f.read().strip()
    if not re.match(r"^\d+(\.\d+)*$", text):
        raise ValueError("%s: not a version: %r" % (path, text))
    return text
