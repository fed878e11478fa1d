#!/usr/bin/env python3
"""What the LD_PRELOAD shim costs: plain pip, safe-pip without the shim and
safe-pip with it, installing the same sdists side by side, interleaved.

usage: shim_overhead.py [ROUNDS]   (run by "make bench"; needs root)

For each sdist and configuration, prints the median wall time and the
median CPU time (user + system of the whole process tree, the supervisor
included), and the ratios.  The shim's own cost is "shim CPU": CPU with the
shim over CPU without it; the whole guard's is against plain pip.
Environment (set by make): SAFE_PIP, SAFE_PIP_PRELOAD, SP_WORK, top_srcdir.
"""
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROUNDS = int(sys.argv[1]) if len(sys.argv) > 1 else 5
SAFE_PIP = os.environ["SAFE_PIP"]
SHIM = os.environ["SAFE_PIP_PRELOAD"]
WORK = os.environ["SP_WORK"]
SRC = os.environ["top_srcdir"]
FIXTURES = ["cext-make", "benign-setup"]
CONFIGS = ["pip", "safe-pip (kernel only)", "safe-pip (kernel + shim)"]


def children_cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run(config, sdist, tmp):
    venv = os.path.join(tmp, "venv")
    shutil.rmtree(venv, ignore_errors=True)
    shutil.copytree(os.path.join(WORK, "venv-template"), venv, symlinks=True)
    py = os.path.join(venv, "bin", "python")
    opts = ["--no-index", "--find-links", os.path.join(WORK, "wheelhouse"), "--no-cache-dir",
            "--disable-pip-version-check", "-q", sdist]
    env = dict(os.environ, PIP_CONFIG_FILE="/dev/null", HOME=os.path.join(tmp, "home"))
    for k in list(env):
        if k.startswith("PIP_") and k != "PIP_CONFIG_FILE":
            del env[k]
    if config == "pip":
        cmd = [py, "-m", "pip", "install"] + opts
    else:
        cmd = [SAFE_PIP, "--python", py, "install"] + opts
        env["SAFE_PIP_PRELOAD"] = SHIM if "shim" in config else "off"
    cpu0, t0 = children_cpu(), time.monotonic()
    p = subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wall, cpu = time.monotonic() - t0, children_cpu() - cpu0
    if p.returncode != 0:
        sys.exit("bench: %s failed (%d): %s" % (config, p.returncode, p.stderr.decode()[-400:]))
    return wall, cpu


def main():
    if os.geteuid() != 0:
        print("shim_overhead: skipped: safe-pip's kernel sensor needs root")
        return
    tmp = tempfile.mkdtemp(prefix="safe-pip-bench.")
    os.makedirs(os.path.join(tmp, "home"))
    try:
        print("shim overhead: %d interleaved rounds per configuration, median of each" % ROUNDS)
        print("%-14s %-26s %9s %9s %9s %9s" % ("sdist", "configuration", "wall s", "cpu s",
                                               "wall/pip", "cpu/pip"))
        for fx in FIXTURES:
            sdist = subprocess.run([sys.executable, os.path.join(SRC, "tests/lib/sdist.py"),
                                    os.path.join(SRC, "tests/fixtures", fx), tmp],
                                   check=True, capture_output=True, text=True).stdout.strip()
            res = {c: [] for c in CONFIGS}
            run("pip", sdist, tmp)      # warm the page cache once
            # forwards, then backwards: no configuration always runs first or last
            for i in range(ROUNDS):
                for c in CONFIGS if i % 2 == 0 else CONFIGS[::-1]:
                    res[c].append(run(c, sdist, tmp))
            med = {c: (statistics.median(w for w, _ in res[c]),
                       statistics.median(u for _, u in res[c])) for c in CONFIGS}
            for c in CONFIGS:
                print("%-14s %-26s %9.2f %9.2f %9.3f %9.3f" % (
                    fx, c, med[c][0], med[c][1], med[c][0] / med["pip"][0],
                    med[c][1] / med["pip"][1]))
            k, s = med["safe-pip (kernel only)"], med["safe-pip (kernel + shim)"]
            paired = statistics.median(
                ws[1] / wk[1] for ws, wk in zip(res["safe-pip (kernel + shim)"],
                                                res["safe-pip (kernel only)"]))
            print("%-14s %-26s %9s %9.3f   (target < 1.02; paired median %.3f)"
                  % (fx, "shim CPU: with / without", "", s[1] / k[1], paired))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
