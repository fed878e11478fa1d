# Evaluation fixture (benign): an in-tree PEP 517 backend that wraps
# setuptools and records build information before building the wheel, as
# projects with custom build steps do (backend-path in pyproject.toml).
import datetime
import os
import platform

from setuptools import build_meta as _orig
from setuptools.build_meta import *  # noqa: F401,F403


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    with open(os.path.join("intreeproj", "_buildinfo.py"), "w") as f:
        f.write("BUILT_ON = %r\nPYTHON = %r\n" % (datetime.date.today().isoformat(),
                                                 platform.python_version()))
    return _orig.build_wheel(wheel_directory, config_settings, metadata_directory)
