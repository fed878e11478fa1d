#!/usr/bin/env python3
"""Print one line per entry of a tree: path, type, mode, size and content hash.

usage: treehash.py DIR [--meta] [--ignore GLOB]... [--replace OLD=NEW]...

Two trees with the same output have the same files, links, modes and
contents.  --replace rewrites bytes in file contents before hashing (e.g.
the venv path in script shebangs) so that equivalent trees compare equal.
--meta adds owner, group, modification time (ns) and, for files, the link
count: two listings of one tree taken before and after something are equal
only if nothing of it changed.  Bytecode caches are left out unless --meta
is given (they carry timestamps; with --meta nothing is left out).
A missing DIR prints "(absent)".
"""
import fnmatch
import hashlib
import os
import stat
import sys


def main():
    args = sys.argv[1:]
    root = args.pop(0)
    meta = False
    ignore, replace = ["*/__pycache__", "*/__pycache__/*", "*.pyc"], []
    while args:
        opt = args.pop(0)
        if opt == "--meta":
            meta = True
            ignore = [g for g in ignore if g not in ("*/__pycache__", "*/__pycache__/*", "*.pyc")]
            continue
        val = args.pop(0)
        if opt == "--ignore":
            ignore.append(val)
        elif opt == "--replace":
            old, _, new = val.partition("=")
            replace.append((old.encode(), new.encode()))
    if not os.path.lexists(root):
        sys.stdout.write("(absent)\n")
        return
    out = []
    if meta:
        st = os.lstat(root)
        out.append(". d %o %d:%d %d" % (stat.S_IMODE(st.st_mode), st.st_uid, st.st_gid, st.st_mtime_ns))
    for dirpath, dirs, files in os.walk(root):
        for name in sorted(dirs) + sorted(files):
            full = os.path.join(dirpath, name)
            rel = os.path.relpath(full, root)
            if any(fnmatch.fnmatch("/" + rel, g) for g in ignore):
                continue
            st = os.lstat(full)
            kind = "d" if stat.S_ISDIR(st.st_mode) else "l" if stat.S_ISLNK(st.st_mode) else "f"
            digest = ""
            if kind == "f":
                with open(full, "rb") as f:
                    data = f.read()
                for old, new in replace:
                    data = data.replace(old, new)
                digest = hashlib.sha256(data).hexdigest()
            elif kind == "l":
                digest = os.readlink(full)
            size = len(data) if kind == "f" else 0     # after --replace
            line = "%s %s %o %d %s" % (rel, kind, stat.S_IMODE(st.st_mode), size, digest)
            if meta:
                line += " %d:%d %d" % (st.st_uid, st.st_gid, st.st_mtime_ns if kind != "l" else 0)
                if kind == "f":
                    line += " n%d" % st.st_nlink
            out.append(line)
    sys.stdout.write("\n".join(sorted(out)) + "\n")


if __name__ == "__main__":
    main()
