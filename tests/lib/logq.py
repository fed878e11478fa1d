#!/usr/bin/env python3
"""Query safe-pip's JSON Lines log.

usage: logq.py LOG [KEY=VALUE | KEY~TEXT | frame~TEXT]... [--print KEY] [--count]

Selects the lines whose KEY equals VALUE (KEY may be dotted: "python.event")
or whose KEY contains TEXT; "frame~TEXT" selects lines with a Python frame
whose file contains TEXT.  Prints the number of lines selected (default),
or the value of KEY of each (--print), one per line.
"""
import json
import sys


def get(obj, key):
    for part in key.split("."):
        if isinstance(obj, dict):
            obj = obj.get(part)
        elif isinstance(obj, list) and part.isdigit() and int(part) < len(obj):
            obj = obj[int(part)]
        else:
            return None
    return obj


def matches(rec, cond):
    if cond.startswith("frame~"):
        text = cond[6:]
        frames = get(rec, "python.frames") or []
        return any(text in (f.get("file") or "") for f in frames)
    if "~" in cond and ("=" not in cond or cond.index("~") < cond.index("=")):
        key, _, text = cond.partition("~")
        v = get(rec, key)
        return v is not None and text in (v if isinstance(v, str) else json.dumps(v))
    key, _, val = cond.partition("=")
    v = get(rec, key)
    if isinstance(v, bool):
        v = "true" if v else "false"
    return v is not None and str(v) == val


def main():
    args = sys.argv[1:]
    log = args.pop(0)
    conds, show = [], None
    while args:
        a = args.pop(0)
        if a == "--print":
            show = args.pop(0)
        elif a == "--count":
            show = None
        else:
            conds.append(a)
    n = 0
    with open(log, encoding="utf-8") as f:
        for line in f:
            try:
                rec = json.loads(line)
            except ValueError:
                print("logq.py: bad JSON line: %r" % line[:80], file=sys.stderr)
                sys.exit(2)
            if all(matches(rec, c) for c in conds):
                n += 1
                if show:
                    v = get(rec, show)
                    print(v if isinstance(v, str) else json.dumps(v))
    if not show:
        print(n)


if __name__ == "__main__":
    main()
