"""Test scaffolding: stop an install half way through pip's own work.

Installed into a test venv's site-packages with a one-line .pth file, so
that every interpreter of the venv (pip included) loads it.  It does
nothing unless SP_STOP_AT is set.  Then, the first time the process opens
for writing a path that starts with SP_STOP_AT, it:

  SP_STOP_MODE=connect (default): runs a child interpreter that connects to
      the test's loopback sink (127.0.0.1:SP_SINK_PORT) and waits for it.
      The child is a build-role process to the guard, which refuses the
      connect and stops the install there, deterministically: pip is
      waiting for the child when the guard kills the tree.
  SP_STOP_MODE=hang: starts a child that sleeps (a process that would
      outlive the install), writes SP_STOP_MARKER, and sleeps: the test
      then kills safe-pip itself at a known point.
"""
import os
import sys

_AT = os.environ.get("SP_STOP_AT")


def _hook(event, args):
    if event != "open" or _hook.done:
        return
    path, mode, flags = args
    if isinstance(path, bytes):
        path = os.fsdecode(path)
    if not isinstance(path, str) or not path.startswith(_AT):
        return
    writing = (flags or 0) & (os.O_WRONLY | os.O_RDWR) or (
        isinstance(mode, str) and any(c in mode for c in "wax+"))
    if not writing:
        return
    _hook.done = True
    import subprocess
    import time

    if os.environ.get("SP_STOP_MODE", "connect") == "connect":
        code = "import socket, sys; socket.create_connection(('127.0.0.1', int(sys.argv[1])), timeout=5)"
        subprocess.run([sys.executable, "-c", code, os.environ["SP_SINK_PORT"]])
        return
    subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    with open(os.environ["SP_STOP_MARKER"], "w") as f:
        f.write("%d\n" % os.getpid())
    time.sleep(600)


_hook.done = False
if _AT:
    sys.addaudithook(_hook)
