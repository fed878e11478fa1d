#!/usr/bin/env python3
"""Build an sdist (NAME-VERSION.tar.gz) of a fixture directory.

usage: sdist.py FIXTURE_DIR OUT_DIR

The fixture carries its own PKG-INFO; its Name and Version name the archive.
The archive is deterministic (sorted, fixed mtime and owner), so that two
builds of one fixture are byte-identical.  Prints the archive's path.
"""
import io
import os
import sys
import tarfile


def header(text, key):
    for line in text.splitlines():
        if not line.strip():
            break
        k, _, v = line.partition(":")
        if k.strip().lower() == key.lower():
            return v.strip()
    raise SystemExit("sdist.py: PKG-INFO has no %s" % key)


def main():
    src, out = sys.argv[1], sys.argv[2]
    with open(os.path.join(src, "PKG-INFO"), encoding="utf-8") as f:
        pkg_info = f.read()
    name, version = header(pkg_info, "Name"), header(pkg_info, "Version")
    base = "%s-%s" % (name, version)
    os.makedirs(out, exist_ok=True)
    path = os.path.join(out, base + ".tar.gz")
    with tarfile.open(path, "w:gz", format=tarfile.PAX_FORMAT) as tar:
        for root, dirs, files in os.walk(src):
            dirs.sort()
            dirs[:] = [d for d in dirs if d != "__pycache__"]
            for fn in sorted(files):
                full = os.path.join(root, fn)
                rel = os.path.relpath(full, src)
                info = tar.gettarinfo(full, arcname=base + "/" + rel)
                info.mtime = 1700000000
                info.uid = info.gid = 0
                info.uname = info.gname = "root"
                with open(full, "rb") as f:
                    tar.addfile(info, io.BytesIO(f.read()))
    print(path)


if __name__ == "__main__":
    main()
