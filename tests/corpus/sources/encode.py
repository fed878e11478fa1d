#!/usr/bin/env python3
"""Encode a fixture's payload the way obfuscating malware ships it.

usage: encode.py METHOD SOURCE.py
  METHOD: b64 (base64), zb64 (zlib, then base64), mzb64 (compile, marshal,
  zlib, base64; tied to the interpreter's bytecode version), hex

Prints the encoded text to paste into the fixture.  The clear sources of
the obfuscated fixtures live next to this script, so that anyone can check
what they do.
"""
import base64
import marshal
import sys
import zlib


def main():
    method, path = sys.argv[1], sys.argv[2]
    with open(path, "rb") as f:
        src = f.read()
    if method == "b64":
        out = base64.b64encode(src)
    elif method == "zb64":
        out = base64.b64encode(zlib.compress(src, 9))
    elif method == "mzb64":
        out = base64.b64encode(zlib.compress(marshal.dumps(compile(src, "<string>", "exec")), 9))
    elif method == "hex":
        out = src.hex().encode()
    else:
        raise SystemExit("unknown method %s" % method)
    sys.stdout.write(out.decode() + "\n")


if __name__ == "__main__":
    main()
