#!/usr/bin/env python3
"""Query a safe-pip summary (--json FILE) from a test.

usage: sumq.py SUMMARY EXPRESSION

EXPRESSION is Python with s bound to the summary object, and these helpers:
  pkg(NAME)          the package entry of NAME (None if absent)
  rules(NAME)        the rule ids of NAME's findings, in order
  points(NAME, RULE) the points the findings of RULE earned NAME
Prints the value (true/false in lower case); exit status 2 on bad input.
"""
import json
import sys


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    try:
        with open(sys.argv[1]) as f:
            s = json.load(f)
    except (OSError, ValueError) as e:
        print("sumq: %s" % e, file=sys.stderr)
        return 2

    def pkg(name):
        return next((p for p in s["packages"] if p["name"] == name), None)

    def rules(name):
        return [f["rule"] for f in s["findings"] if f["dist"] == name]

    def points(name, rule):
        return sum(f["points"] for f in s["findings"] if f["dist"] == name and f["rule"] == rule)

    v = eval(sys.argv[2], {"s": s, "pkg": pkg, "rules": rules, "points": points})
    print(str(v).lower() if isinstance(v, bool) else v)
    return 0


sys.exit(main())
