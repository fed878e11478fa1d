"""Installed with a .pth line that runs at interpreter start, the way
setuptools ships distutils-precedence.pth: it puts a finder on
sys.meta_path that redirects one module name."""
import importlib.abc
import importlib.util
import sys


class _Redirect(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname, path, target=None):
        if fullname == "importshim_compat":
            return importlib.util.find_spec("json")
        return None


def add_shim():
    if not any(isinstance(f, _Redirect) for f in sys.meta_path):
        sys.meta_path.insert(0, _Redirect())
