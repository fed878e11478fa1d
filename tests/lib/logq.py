#!/usr/bin/env python3
"""Query a safe-pip JSON Lines log (--log) from a test.

usage: logq.py LOG [-n | -p | -v KEY] [--print KEY] FILTER...

A FILTER is KEY=VALUE, KEY!=VALUE, KEY~REGEX (search), KEY>NUMBER,
KEY<NUMBER or KEY? (present).  KEY may be dotted for nested members
(stats.syscalls.file, argv.0).  VALUE is compared with the member as JSON
writes it (true, 12, text).  frame~TEXT selects lines with a Python frame
whose file contains TEXT.  Lines of every type are searched; add type=event
etc.

Exit status 0 when a line matches (1 when none, 2 on bad input); -n prints
the number of matching lines, -p the first one, -v KEY its KEY, --print KEY
the KEY of every matching line, one per line.
"""
import json
import re
import sys


def get(d, key):
    for part in key.split("."):
        if isinstance(d, list) and part.isdigit() and int(part) < len(d):
            d = d[int(part)]
        elif isinstance(d, dict) and part in d:
            d = d[part]
        else:
            return None
    return d


def text(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (dict, list)):
        return json.dumps(v)
    return str(v)


def matches(d, flt):
    if flt.startswith("frame~"):
        want = flt[6:]
        frames = get(d, "python.frames") or []
        return any(want in (f.get("file") or "") for f in frames if isinstance(f, dict))
    m = re.match(r"^([A-Za-z0-9_.-]+?)(!=|=|~|>|<|\?)(.*)$", flt)
    if not m:
        raise SystemExit("logq.py: bad filter %r" % flt)
    key, op, want = m.groups()
    v = get(d, key)
    if op == "?":
        return v is not None
    if v is None:
        return op == "!="
    if op == "=":
        return text(v) == want
    if op == "!=":
        return text(v) != want
    if op == "~":
        return re.search(want, text(v)) is not None
    try:
        return float(v) > float(want) if op == ">" else float(v) < float(want)
    except (TypeError, ValueError):
        return False


def main():
    args = sys.argv[1:]
    if not args:
        raise SystemExit(__doc__)
    log, args = args[0], args[1:]
    mode, vkey, filters = "test", None, []
    while args:
        a = args.pop(0)
        if a in ("-n", "--count", "-p"):
            mode = "-n" if a == "--count" else a
        elif a in ("-v", "--print") and args:
            mode, vkey = a, args.pop(0)
        else:
            filters.append(a)
    hits = []
    with open(log, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            try:
                d = json.loads(line)
            except ValueError:
                print("logq.py: %s:%d: not JSON" % (log, n), file=sys.stderr)
                sys.exit(2)
            if all(matches(d, a) for a in filters):
                hits.append(d)
    if mode == "-n":
        print(len(hits))
        return
    if hits and mode == "-p":
        print(json.dumps(hits[0]))
    if hits and mode == "-v":
        print(text(get(hits[0], vkey)))
    if mode == "--print":
        for h in hits:
            print(text(get(h, vkey)))
        return
    sys.exit(0 if hits else 1)


if __name__ == "__main__":
    main()
