#!/usr/bin/env python3
"""Evaluate safe-pip on the behaviour corpus (tests/corpus).

usage: eval.py --safe-pip BIN --srcdir DIR --work DIR --wheelhouse DIR
               --venv-template DIR [--only NAME,...] [--modes plain,guarded,bare]
               [--json FILE] [--strict]
       eval.py --lint --srcdir DIR
       eval.py --markdown FILE.json

Every fixture is installed twice, one after the other, in a fresh venv:
with plain pip, to prove it really does what it claims (its effects are
checked), and through safe-pip with the embedded default policy.  The table
shows both side by side; the JSON file has every detail.  The "bare" mode
(not run by default) installs with plain pip but without the harness's
SP_* variables, and checks that the fixture then stays inert: nothing
sent, nothing changed outside the venv, no process left.

Everything runs in a private mount and network namespace: the only network
is loopback, where the evaluation's own services stand in for webhooks,
paste sites, C2 servers, DNS and a package index; /etc/hosts and
/etc/resolv.conf are replaced there so that the host names fixtures use
resolve to 127.0.0.1 and every DNS query reaches the fake DNS server.
Nothing a fixture does can leave the machine, even when a fixture or the
guard fails.

Exit status: 0 when every fixture could be judged (with --strict: and the
bar is met), 1 when a fixture did not show its effect under plain pip or
the evaluation itself failed, 2 on a usage or setup error.
"""
import argparse
import base64
import datetime
import json
import os
import platform
import shutil
import socket
import subprocess
import sys
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True      # nothing written into the source tree

import corpus  # noqa: E402
import report  # noqa: E402
import runner  # noqa: E402
import sandbox  # noqa: E402
import services as svc_mod  # noqa: E402


# plain: pip alone, with the harness's variables (the attack happens);
# guarded: through safe-pip, same variables; bare: pip alone without the
# harness's SP_* variables (the fixture must stay inert).
MODES = ("plain", "guarded", "bare")


def die(msg, status=2):
    sys.stderr.write("eval: %s\n" % msg)
    sys.exit(status)


def parse_args():
    a = argparse.ArgumentParser(description="evaluate safe-pip on the behaviour corpus")
    a.add_argument("--safe-pip")
    a.add_argument("--srcdir")
    a.add_argument("--work")
    a.add_argument("--wheelhouse")
    a.add_argument("--venv-template")
    a.add_argument("--only", default="")
    a.add_argument("--modes", default="plain,guarded")
    a.add_argument("--json")
    a.add_argument("--strict", action="store_true")
    a.add_argument("--lint", action="store_true")
    a.add_argument("--markdown")
    a.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    args = a.parse_args()
    args.modes = [m for m in args.modes.split(",") if m]
    if any(m not in MODES for m in args.modes) or not args.modes:
        die("--modes takes a comma-separated list of %s" % ", ".join(MODES))
    args.only = set(n for n in args.only.replace(" ", ",").split(",") if n)
    if args.srcdir:
        args.srcdir = os.path.realpath(args.srcdir)
    return args


# ------------------------------------------------------------ outside the namespace

def preflight(args):
    for opt in ("safe_pip", "srcdir", "work", "wheelhouse", "venv_template"):
        if not getattr(args, opt):
            die("--%s is required" % opt.replace("_", "-"))
    if os.geteuid() != 0:
        die("needs root: the kernel sensor and the private network namespace need it")
    # What the fixtures and the evaluation run, and the Debian package of each.
    tools = {"unshare": "util-linux", "mount": "mount", "ip": "iproute2", "gcc": "gcc",
             "g++": "g++", "make": "make", "pkg-config": "pkg-config", "curl": "curl",
             "wget": "wget", "git": "git", "bash": "bash", "base64": "coreutils"}
    missing = sorted(set(pkg for tool, pkg in tools.items() if not shutil.which(tool)))
    if missing:
        die("missing tools; apt-get install %s" % " ".join(missing))
    out = subprocess.run([args.safe_pip, "sensors"], capture_output=True, text=True)
    if out.returncode != 0:
        die("the kernel sensor is unavailable here: %s" % (out.stdout + out.stderr).strip())


def reexec_in_namespace():
    """Run this same command again, inside new mount and network namespaces."""
    cmd = ["unshare", "--mount", "--net", "--propagation", "private", "--",
           sys.executable, os.path.abspath(__file__)] + sys.argv[1:] + ["--inner"]
    return subprocess.call(cmd)


# ------------------------------------------------------------ inside

def isolate(work):
    """Loopback up, and the name service pointed at loopback only."""
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    names = [n for _, n in socket.if_nameindex()]
    if names != ["lo"]:
        die("the namespace has interfaces besides loopback: %s" % names)
    etc = os.path.join(work, "etc")
    os.makedirs(etc, exist_ok=True)
    host = socket.gethostname()
    hosts = "127.0.0.1 localhost %s\n::1 localhost\n127.0.0.1 %s\n" % (
        host, " ".join(sorted(runner.HOOK_HOSTS.values())))
    files = {"hosts": hosts, "resolv.conf": "nameserver 127.0.0.1\noptions timeout:1 attempts:1\n"}
    for name, text in files.items():
        path = os.path.join(etc, name)
        with open(path, "w") as f:
            f.write(text)
        subprocess.run(["mount", "--bind", path, "/etc/" + name], check=True)
        with open("/etc/" + name) as f:
            if f.read() != text:
                die("cannot override /etc/%s in the namespace" % name)


def check_services(services):
    """The stand-ins answer, and names resolve only to loopback."""
    if services.ports["dns"] != 53:
        die("cannot bind the fake DNS server to 127.0.0.1:53")
    for name in runner.HOOK_HOSTS.values():
        if socket.gethostbyname(name) != "127.0.0.1":
            die("%s does not resolve to 127.0.0.1 in the namespace" % name)
    rec = services.rec
    rec.begin("self-test")
    probe = "0.%s.selftest.%s" % (b"probe".hex(), runner.DNS_DOMAIN)
    if socket.gethostbyname(probe) != "127.0.0.1":
        die("the fake DNS server does not answer")
    run = rec.end()
    if probe not in run.dns_names:
        die("the fake DNS server did not see the probe query")


def prepare(args, fixtures, work):
    """Sdists of the fixtures, the find-links dir of their dependencies,
    the payloads the web server hands out, the stand-in tools."""
    dist = os.path.join(work, "dist")
    findlinks = os.path.join(work, "findlinks")
    www = os.path.join(work, "www")
    bindir = os.path.join(work, "bin")
    for d in (dist, findlinks, www, bindir):
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)
    sdist_py = os.path.join(args.srcdir, "tests", "lib", "sdist.py")
    deps_root = os.path.join(args.srcdir, "tests", "corpus", "deps")
    sdists = {}
    for fx in fixtures:
        out = subprocess.run([sys.executable, sdist_py, fx.path, dist], check=True,
                             capture_output=True, text=True)
        sdists[fx.name] = out.stdout.strip()
        for dep in fx.dep_sdist:
            subprocess.run([sys.executable, sdist_py, os.path.join(deps_root, dep), findlinks],
                           check=True, capture_output=True)
        for dep in fx.dep_wheel:
            sandbox.build_wheel(os.path.join(deps_root, dep), findlinks)
    payloads = os.path.join(HERE, "payloads")
    shutil.copytree(os.path.join(payloads, "www"), www, dirs_exist_ok=True)
    elf = os.path.join(www, "p", "payload.elf")
    subprocess.run(["gcc", "-O2", "-Wall", "-o", elf, os.path.join(payloads, "payload.c")],
                   check=True)
    with open(elf, "rb") as f, open(os.path.join(www, "p", "payload.b64"), "wb") as o:
        o.write(base64.encodebytes(f.read()))
    for tool in os.listdir(os.path.join(HERE, "bin")):
        shutil.copy(os.path.join(HERE, "bin", tool), bindir)
        os.chmod(os.path.join(bindir, tool), 0o755)
    return sdists, findlinks, www, bindir


def versions(args):
    py = os.path.join(args.venv_template, "bin", "python")
    pip = subprocess.run([py, "-m", "pip", "--version"], capture_output=True, text=True).stdout
    sp = subprocess.run([args.safe_pip, "--version"], capture_output=True, text=True).stdout
    return {
        "date": datetime.date.today().isoformat(),
        "machine": "%s, %d cores" % (platform.machine(), os.cpu_count() or 0),
        "kernel": platform.release(),
        "python": "Python " + subprocess.run([py, "-c", "import sys; print(sys.version.split()[0])"],
                                             capture_output=True, text=True).stdout.strip(),
        "pip": pip.split()[1] if pip.startswith("pip ") else "?",
        "safe_pip_version": sp.split()[-1] if sp.strip() else "?",
    }


def evaluate(args, fixtures, env, sdists):
    results = []
    t_start = time.monotonic()
    for i, fx in enumerate(fixtures, 1):
        res = {"name": fx.name, "kind": fx.kind, "category": fx.category, "trigger": fx.trigger,
               "evasion": [e for e in fx.evasion if e != "none"], "expected": fx.expected,
               "description": fx.description, "note": fx.note,
               # It sends a fake secret somewhere: not one byte may get out.
               "exfil": any(k in ("sink-contains", "dns-exfil") and "SPFAKE" in a[0]
                            for k, a in fx.effects)}
        for mode in MODES:
            if mode not in args.modes:
                res[mode] = None
                continue
            runner.log("[%d/%d] %s: %s install ..." % (i, len(fixtures), fx.name, mode))
            res[mode] = runner.Run(env, fx, mode, sdists[fx.name]).execute()
        res["plain_ok"] = report.plain_ok(res, res["plain"])
        res["bare_inert"] = report.bare_inert(res["bare"])
        res["bar_ok"], res["why"] = report.judge(res, res["guarded"])
        results.append(res)
        print(" ".join(c.ljust(w) for c, (_, w) in zip(report.row(res), report.COLS)), flush=True)
    runner.log("evaluation took %.0f s" % (time.monotonic() - t_start))
    return results


def inner(args):
    work = os.path.abspath(args.work)
    os.makedirs(work, exist_ok=True)
    problems, _ = corpus.lint(os.path.join(args.srcdir, "tests", "corpus"))
    try:
        fixtures = corpus.load_corpus(os.path.join(args.srcdir, "tests", "corpus"), args.only or None)
    except corpus.FixtureError as e:
        die(str(e))
    if args.only and len(fixtures) != len(args.only):
        die("unknown fixture in --only: %s"
            % ", ".join(sorted(args.only - set(f.name for f in fixtures))))
    isolate(work)
    try:
        sdists, findlinks, www, bindir = prepare(args, fixtures, work)
    except (OSError, subprocess.CalledProcessError) as e:
        die("cannot prepare the fixtures and payloads: %s" % e, 1)
    services = svc_mod.Services(www)
    try:
        check_services(services)
        env = runner.Env(os.path.abspath(args.safe_pip), work, os.path.abspath(args.wheelhouse),
                         findlinks, os.path.abspath(args.venv_template), bindir, services)
        print(" ".join(h.ljust(w) for h, w in report.COLS), flush=True)
        results = evaluate(args, fixtures, env, sdists)
    except (OSError, subprocess.SubprocessError, ValueError) as e:
        traceback.print_exc()
        die("the evaluation failed: %s" % e, 1)
    finally:
        services.stop()
    doc = versions(args)
    doc["schema"] = "safe-pip.eval/1"
    doc["corpus_problems"] = problems
    doc["modes"] = args.modes
    doc["fixtures"] = results
    doc["totals"] = report.totals(results)
    out = args.json or os.path.join(work, "results.json")
    with open(out + ".tmp", "w") as f:
        json.dump(doc, f, indent=1, sort_keys=True)
    os.replace(out + ".tmp", out)
    print()
    print(report.text_totals(doc["totals"]))
    print("results: %s" % out)
    if problems:
        print("corpus problems:\n  " + "\n  ".join(problems))
    if doc["totals"]["broken_fixtures"] or doc["totals"]["not_inert"] or problems:
        return 1
    return 1 if args.strict and not doc["totals"]["bar_met"] else 0


def main():
    args = parse_args()
    if args.markdown:
        with open(args.markdown) as f:
            print(report.markdown(json.load(f)))
        return 0
    if args.lint:
        if not args.srcdir:
            die("--srcdir is required")
        problems, fixtures = corpus.lint(os.path.join(args.srcdir, "tests", "corpus"))
        for p in problems:
            print("corpus: %s" % p)
        print("corpus: %d fixtures, %d problems" % (len(fixtures), len(problems)))
        return 1 if problems else 0
    if not args.inner:
        preflight(args)
        return reexec_in_namespace()
    return inner(args)


if __name__ == "__main__":
    sys.exit(main())
