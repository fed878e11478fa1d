"""Judging runs against the bar, totals, and the tables people read.

The bar: every malicious fixture stopped (blocked), no byte of it reached a
loopback service, nothing left changed, no process left; no benign fixture
stopped.  A fixture whose plain install did not show its effect (or, for a
benign one, did not install) is broken: the evaluation cannot say anything
about it, and says so.
"""
from corpus import BENIGN_CATEGORIES, MALICIOUS_CATEGORIES


def plain_ok(fx, plain):
    """Did the fixture really do its thing under plain pip?"""
    if plain is None:
        return None
    effects = all(e["ok"] for e in plain["effects"])
    if fx["kind"] == "benign":
        return plain["rc"] == 0 and not plain["timed_out"] and effects
    return effects


def bare_inert(bare):
    """Without the harness's variables, did the fixture stay inert?"""
    if bare is None:
        return None
    persisted = any(e["ok"] for e in bare["effects"]
                    if e["effect"].startswith(("python-runs", "sink", "dns", "http", "bind")))
    return (bare["sink_bytes"] == 0 and bare["changed_outside_venv"] == 0 and not bare["left_procs"]
            and not persisted and not bare["timed_out"])


def judge(fx, guarded):
    """(meets the bar, reasons it does not) for a guarded run."""
    if guarded is None:
        return None, []
    why = []
    if fx["kind"] == "benign":
        if guarded.get("verdict") != "allowed" or guarded["rc"] != 0:
            why.append("stopped" if guarded.get("verdict") == "blocked" else
                       "install failed (%s)" % describe_status(guarded))
        elif guarded["effect"] != "all":
            why.append("installed, but not all of it works (%s)" % guarded["effect"])
        return not why, why
    if guarded.get("verdict") != "blocked":
        why.append("not stopped (%s)" % describe_status(guarded))
    if guarded["sink_bytes"]:
        why.append("%d bytes reached the sink" % guarded["sink_bytes"])
    if guarded["changed"]:
        why.append("%d files left changed" % guarded["changed"])
    if guarded["effect"] != "none":
        why.append("effect happened (%s)" % guarded["effect"])
    if guarded["left_procs"] or guarded["unkillable"]:
        why.append("processes left after safe-pip returned")
    return not why, why


def describe_status(g):
    if g.get("timed_out"):
        return "hung: killed by the evaluation after the fixture's timeout"
    rc = g["rc"]
    if rc is not None and rc < 0:
        return "safe-pip died of signal %d" % -rc
    if g.get("verdict") is None:
        return "no verdict in the log, exit %s" % rc
    if g["verdict"] == "allowed" and rc != 0:
        return "allowed, pip failed with %d" % rc
    return "%s, exit %s" % (g["verdict"], rc)


def verdict_cell(g):
    if g is None:
        return "-"
    if g.get("timed_out"):
        return "TIMEOUT"
    if g["rc"] is not None and g["rc"] < 0:
        return "SP-KILLED"
    v = g.get("verdict") or "?"
    if v == "allowed" and g["rc"] != 0:
        return "pip-fail"
    if v == "allowed" and g.get("outlived"):
        return "allowed*"
    return v


def top_rule(g):
    if g is None:
        return "-"
    if g.get("rule"):
        return g["rule"]
    best = None
    for f in g.get("findings", []):
        if best is None or (f.get("points") or 0) > (best.get("points") or 0):
            best = f
    return best["rule"] if best else "-"


def rate(n, d):
    return "%d/%d (%.0f%%)" % (n, d, 100.0 * n / d) if d else "0/0"


def totals(results):
    mal = [r for r in results if r["kind"] == "malicious" and r.get("guarded")]
    ben = [r for r in results if r["kind"] == "benign" and r.get("guarded")]

    def blocked(r):
        return r["guarded"].get("verdict") == "blocked"

    t = {"malicious": len(mal), "benign": len(ben)}
    t["detected"] = sum(1 for r in mal if blocked(r))
    t["effect_prevented"] = sum(1 for r in mal if r["guarded"]["effect"] == "none")
    t["exfil_fixtures"] = sum(1 for r in mal if r.get("exfil"))
    t["exfil_leaked"] = sum(1 for r in mal if r.get("exfil") and r["guarded"]["sink_bytes"] > 0)
    t["sink_bytes_malicious"] = sum(r["guarded"]["sink_bytes"] for r in mal)
    t["stopped_with_changes"] = sum(1 for r in mal if blocked(r) and r["guarded"]["changed"])
    stops = sorted(r["guarded"]["time_to_dead_ms"] for r in mal
                   if blocked(r) and r["guarded"].get("time_to_dead_ms") is not None)
    t["time_to_stop_ms"] = {"median": stops[len(stops) // 2], "max": stops[-1]} if stops else None
    t["false_positives"] = sum(1 for r in ben if blocked(r))
    t["benign_failed"] = sum(1 for r in ben if not r["bar_ok"] and not blocked(r))
    t["procs_left"] = sum(1 for r in mal + ben if r["guarded"]["left_procs"])
    t["broken_fixtures"] = [r["name"] for r in results if r.get("plain_ok") is False]
    t["not_inert"] = [r["name"] for r in results if r.get("bare_inert") is False]
    t["inert_checked"] = sum(1 for r in results if r.get("bare_inert") is not None)
    t["bar_met"] = None if not mal + ben else (
        all(r.get("bar_ok") for r in mal + ben) and not t["broken_fixtures"] and not t["not_inert"])
    t["by_category"] = {}
    for c in MALICIOUS_CATEGORIES:
        rs = [r for r in mal if r["category"] == c]
        t["by_category"][c] = {"n": len(rs), "blocked": sum(1 for r in rs if blocked(r)),
                               "prevented": sum(1 for r in rs if r["guarded"]["effect"] == "none")}
    for c in BENIGN_CATEGORIES:
        rs = [r for r in ben if r["category"] == c]
        t["by_category"][c] = {"n": len(rs), "blocked": sum(1 for r in rs if blocked(r))}
    return t


COLS = [("fixture", 26), ("cat", 5), ("trigger", 11), ("exp", 7), ("plain", 7), ("bare", 6),
        ("verdict", 9), ("rule", 17), ("score", 5), ("sinkB", 6), ("chg", 4), ("procs", 5),
        ("stop_ms", 8), ("effect", 7)]
CAT_ABBR = {"command-execution": "cmd", "information-stealing": "steal", "file-operations": "file",
            "code-execution": "code", "remote-control": "rc", "c-extension": "cext",
            "build-tools": "tools", "network": "net", "packaging": "pkg", "backends": "pep517",
            "heavy": "heavy"}


def row(r):
    g, p = r.get("guarded"), r.get("plain")
    stopped = g is not None and g.get("verdict") == "blocked"
    po = r.get("plain_ok")
    cells = [
        r["name"], CAT_ABBR.get(r["category"], r["category"]), r["trigger"],
        r["expected"],
        "-" if po is None else ("ok" if po else "BROKEN"),
        {None: "-", True: "inert", False: "ACTIVE"}[r.get("bare_inert")],
        verdict_cell(g), top_rule(g),
        "-" if g is None or g.get("score") is None else str(g["score"]),
        "-" if g is None else str(g["sink_bytes"]),
        str(g["changed"]) if stopped else "-",
        "-" if g is None else str(len(g["left_procs"])),
        "%.2f" % g["time_to_dead_ms"] if g and g.get("time_to_dead_ms") is not None else "-",
        "-" if g is None else g["effect"],
    ]
    return cells


def text_table(results):
    lines = [" ".join(h.ljust(w) for h, w in COLS)]
    for r in results:
        lines.append(" ".join(c.ljust(w) for c, (_, w) in zip(row(r), COLS)))
    return "\n".join(lines)


def text_totals(t):
    out = [
        "malicious: %s stopped; effect prevented in %s; %d of %d fixtures that send secrets "
        "leaked (%d bytes reached the services in all); %d stopped with files left changed"
        % (rate(t["detected"], t["malicious"]), rate(t["effect_prevented"], t["malicious"]),
           t["exfil_leaked"], t["exfil_fixtures"], t["sink_bytes_malicious"],
           t["stopped_with_changes"]),
        "time from the offending call to the whole tree dead: %s"
        % ("median %.2f ms, max %.2f ms" % (t["time_to_stop_ms"]["median"], t["time_to_stop_ms"]["max"])
           if t["time_to_stop_ms"] else "-"),
        "benign: %s stopped (false positives); %d failed otherwise"
        % (rate(t["false_positives"], t["benign"]), t["benign_failed"]),
        "runs with processes left after safe-pip returned: %d" % t["procs_left"],
    ]
    for c in MALICIOUS_CATEGORIES:
        v = t["by_category"][c]
        out.append("  %-22s detection %s" % (c, rate(v["blocked"], v["n"])))
    for c in BENIGN_CATEGORIES:
        v = t["by_category"][c]
        out.append("  %-22s false positives %s" % (c, rate(v["blocked"], v["n"])))
    if t["broken_fixtures"]:
        out.append("BROKEN (no effect under plain pip): " + ", ".join(t["broken_fixtures"]))
    if t["inert_checked"]:
        out.append("inert without the harness's variables: %s" % rate(t["inert_checked"] - len(t["not_inert"]),
                                                                      t["inert_checked"]))
    if t["not_inert"]:
        out.append("NOT INERT without the harness's variables: " + ", ".join(t["not_inert"]))
    out.append("bar met: %s" % {None: "- (no guarded runs)", True: "yes", False: "no"}[t["bar_met"]])
    return "\n".join(out)


def remarks(r):
    """What the table's cells do not say: an unusual end, the fixture's note."""
    g, out = r.get("guarded"), []
    cell = verdict_cell(g)
    if cell == "allowed*":
        out.append("pip finished; the processes it left were killed")
    elif cell in ("SP-KILLED", "TIMEOUT", "pip-fail"):
        out.append(describe_status(g))
    if g and g.get("cgroup_left"):
        out.append("session cgroup left behind")
    if r.get("note"):
        out.append(r["note"])
    return "; ".join(out)


def markdown(doc):
    """The README's summary: totals per category, then one line per fixture."""
    t, res = doc["totals"], doc["fixtures"]
    out = ["Measured %s on %s, kernel %s, %s, pip %s; safe-pip %s, embedded default policy."
           % (doc["date"], doc["machine"], doc["kernel"], doc["python"], doc["pip"],
              doc["safe_pip_version"]), ""]
    out += ["| malicious category | fixtures | stopped | effect prevented |", "|---|---|---|---|"]
    for c in MALICIOUS_CATEGORIES:
        v = t["by_category"][c]
        out.append("| %s | %d | %s | %s |" % (c, v["n"], rate(v["blocked"], v["n"]),
                                              rate(v["prevented"], v["n"])))
    out.append("| **all** | %d | %s | %s |" % (t["malicious"], rate(t["detected"], t["malicious"]),
                                              rate(t["effect_prevented"], t["malicious"])))
    out += ["", "| benign category | fixtures | stopped (false positives) |", "|---|---|---|"]
    for c in BENIGN_CATEGORIES:
        v = t["by_category"][c]
        out.append("| %s | %d | %s |" % (c, v["n"], rate(v["blocked"], v["n"])))
    out.append("| **all** | %d | %s |" % (t["benign"], rate(t["false_positives"], t["benign"])))
    stop = t.get("time_to_stop_ms")
    proven = sum(1 for r in res if r.get("plain_ok"))
    out += ["", "Every fixture is installed with plain pip first: %d of %d showed their effect (the "
            "attack really happens, the honest build really works)%s."
            % (proven, len(res), "; %d of %d stayed inert without the evaluation's variables"
               % (t["inert_checked"] - len(t["not_inert"]), t["inert_checked"]) if t["inert_checked"] else ""),
            "", "Fixtures that send secrets and leaked some: %d of %d (%d bytes reached the loopback "
            "services in all). Stopped installs that left files changed: %d. Runs that left a process "
            "behind: %d. Time from the offending call to the whole tree dead: %s. Bar met: **%s**."
            % (t["exfil_leaked"], t["exfil_fixtures"], t["sink_bytes_malicious"],
               t["stopped_with_changes"], t["procs_left"],
               "median %.2f ms, max %.2f ms" % (stop["median"], stop["max"]) if stop else "-",
               {None: "-", True: "yes", False: "no"}[t["bar_met"]]), ""]
    out += ["| fixture | category | trigger | evasion | plain pip | safe-pip | rule | bytes out "
            "| files changed | stop (ms) | effect under safe-pip | remarks |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in res:
        c = row(r)
        out.append("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |"
                   % (c[0], c[1], c[2], ", ".join(r["evasion"]) or "-", c[4], c[6], c[7], c[9],
                      c[10], c[12], c[13], remarks(r)))
    return "\n".join(out)
