#!/usr/bin/env python3
"""safe-pip against plain pip, and the kernel sensor itself (make bench).

usage: bench.py BUILDDIR SRCDIR RUNS LATENCY_RUNS

  * wall time of `pip install SDIST` and `safe-pip install SDIST` on a
    pure-Python sdist and on an sdist with a C extension compiled by gcc:
    RUNS runs each, interleaved (ABBA), each into a fresh venv copy,
    offline from the test wheelhouse; medians and the ratio of medians,
    and the CPU time of the whole process tree alongside
  * load+attach and detach time of the kernel sensor (ks_bench attach)
  * cost of one syscall without the sensor, untracked and tracked
  * cost of starting a program (a shell's fork, exec and wait of
    /bin/true) without the sensor, untracked and tracked
  * records per second the guard's consumer takes in without loss
  * detection latency: from a build's connect attempt (a deny rule), from
    a build's exec that brings the score to the threshold (spawn-fetch) and
    from its open for writing in the home (write-outside-target) to the
    whole tree dead, over LATENCY_RUNS blocked installs each: median
    and p99.  BENCH_ONLY=latency measures these alone.

Prints a Markdown table.  Measures, never judges: the machine may be busy
with other work, so the load average is printed with the results.
"""
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time


def load():
    with open("/proc/loadavg") as f:
        return f.read().split()[0]


def timed(argv, env, cwd=None):
    """Run argv; return (wall seconds, CPU seconds of the tree, status)."""
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    p = subprocess.run(argv, env=env, cwd=cwd, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - t0
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
    return wall, cpu, p.returncode


def pct(values, p):
    v = sorted(values)
    return v[min(len(v) - 1, int(round(p * (len(v) - 1))))]


class Bench:
    def __init__(self, build, src, tmp):
        self.build, self.src, self.tmp = build, src, tmp
        self.safe_pip = os.path.join(build, "guard", "safe-pip")
        self.ks_bench = os.path.join(build, "tests", "bench", "ks_bench")
        self.work = os.path.join(build, "tests", "work")
        self.wheelhouse = os.path.join(self.work, "wheelhouse")
        home = os.path.join(tmp, "home")
        os.makedirs(home)
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
        self.env.update(HOME=home, PIP_CONFIG_FILE="/dev/null",
                        PIP_DISABLE_PIP_VERSION_CHECK="1")
        self.env.pop("VIRTUAL_ENV", None)
        self.n = 0

    def sdist(self, fixture):
        out = subprocess.run([sys.executable, os.path.join(self.src, "tests/lib/sdist.py"),
                              os.path.join(self.src, "tests/fixtures", fixture),
                              os.path.join(self.tmp, "dist")],
                             check=True, stdout=subprocess.PIPE, text=True)
        return out.stdout.strip()

    def venv(self):
        self.n += 1
        v = os.path.join(self.tmp, "venv%d" % self.n)
        shutil.copytree(os.path.join(self.work, "venv-template"), v, symlinks=True)
        return v

    def install(self, sdist, guarded, extra=()):
        v = self.venv()
        py = os.path.join(v, "bin", "python")
        pip_args = ["install", "-q", "--no-index", "--find-links", self.wheelhouse,
                    "--no-cache-dir"] + list(extra) + [sdist]
        if guarded:
            argv = [self.safe_pip, "--python", py] + pip_args
        else:
            argv = [py, "-m", "pip"] + pip_args
        res = timed(argv, self.env)
        shutil.rmtree(v, ignore_errors=True)
        return res

    def overhead(self, sdist, runs):
        plain, guarded, pcpu, gcpu, ratios = [], [], [], [], []
        for i in range(runs):
            order = (False, True) if i % 2 == 0 else (True, False)
            got = {}
            for g in order:
                wall, cpu, rc = self.install(sdist, g)
                if rc != 0:
                    raise SystemExit("bench: install of %s failed (%s, status %d)"
                                     % (sdist, "safe-pip" if g else "pip", rc))
                got[g] = (wall, cpu)
            plain.append(got[False][0])
            guarded.append(got[True][0])
            pcpu.append(got[False][1])
            gcpu.append(got[True][1])
            ratios.append(got[True][0] / got[False][0])
        return {
            "plain": statistics.median(plain), "guarded": statistics.median(guarded),
            "ratio": statistics.median(guarded) / statistics.median(plain),
            "paired": statistics.median(ratios),
            "plain_cpu": statistics.median(pcpu), "guarded_cpu": statistics.median(gcpu),
            "cpu_ratio": statistics.median(gcpu) / statistics.median(pcpu),
            "min_ratio": min(guarded) / min(plain),
        }

    def ks(self, *args):
        out = subprocess.run([self.ks_bench] + list(args), check=True, stdout=subprocess.PIPE,
                             text=True).stdout
        res = {}
        for line in out.splitlines():
            k, *v = line.split()
            res.setdefault(k, []).append(v)
        return res

    def blocked_runs(self, sdist, runs, env, extra=()):
        """time_to_dead_ms of each blocked install of sdist."""
        samples = []
        for i in range(runs):
            v = self.venv()
            log = os.path.join(self.tmp, "lat.jsonl")
            subprocess.run([self.safe_pip, "--log", log, "--python",
                            os.path.join(v, "bin", "python"), "install", "-q",
                            "--no-index", "--find-links", self.wheelhouse,
                            "--no-cache-dir", "--no-build-isolation"] + list(extra) + [sdist],
                           env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            with open(log) as f:
                for line in f:
                    d = json.loads(line)
                    if d.get("type") == "verdict" and "time_to_dead_ms" in d:
                        samples.append(d["time_to_dead_ms"])
            shutil.rmtree(v, ignore_errors=True)
        return samples

    def latency(self, runs):
        """Blocked installs of connect-sink (a deny): time_to_dead_ms of each verdict."""
        sinkdir = os.path.join(self.tmp, "sink")
        os.makedirs(sinkdir)
        sink = subprocess.Popen([sys.executable, os.path.join(self.src, "tests/lib/sink.py"),
                                 sinkdir, "3600"])
        try:
            while not os.path.exists(os.path.join(sinkdir, "port")):
                time.sleep(0.05)
            with open(os.path.join(sinkdir, "port")) as f:
                port = f.read().strip()
            return self.blocked_runs(self.sdist("connect-sink"), runs,
                                     dict(self.env, SP_SINK_PORT=port))
        finally:
            open(os.path.join(sinkdir, "stop"), "w").close()
            sink.wait()

    def score_latency(self, runs, action="pipe-decode"):
        """Installs stopped by a score crossing: ACTION of score-probe
        (pipe-decode: spawn-fetch at an exec, echo | base64 -d | sh, which
        the kernel wakes us for; write-home: write-outside-target at an
        open for writing in the home, which waits for the drain tick)."""
        d = os.path.join(self.tmp, "probe-" + action)
        os.makedirs(d)
        env = dict(self.env, SP_ACTIONS=action, SP_DIR=d)
        samples = []
        for i in range(runs):
            shutil.rmtree(os.path.join(d, "res"), ignore_errors=True)
            samples += self.blocked_runs(self.sdist("score-probe"), 1, env)
        return samples


def main():
    build, src, runs, lruns = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    if os.geteuid() != 0:
        print("bench: needs root for the kernel sensor")
        return 77
    tmp = tempfile.mkdtemp(prefix="safe-pip-bench.")
    try:
        b = Bench(build, src, tmp)
        load0 = load()
        started = time.strftime("%Y-%m-%d %H:%M")
        # BENCH_ONLY=latency: the detection latencies alone
        only_latency = os.environ.get("BENCH_ONLY") == "latency"
        if not only_latency:
            pure = b.overhead(b.sdist("bench-pure"), runs)
            cext = b.overhead(b.sdist("bench-cext"), runs)
            att = b.ks("attach", "10")
            sysc = b.ks("syscalls", "1000000")
            sysc.update(b.ks("spawn", "300"))
            rate = b.ks("rate", "1")
        lat = b.latency(lruns)
        slat = b.score_latency(lruns)
        flat = b.score_latency(lruns, "write-home")
        load1 = load()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    uname = os.uname()
    print("safe-pip benchmark, %s, kernel %s, %d CPUs, load average %s -> %s"
          % (started, uname.release, os.cpu_count(), load0, load1))
    print()
    if not only_latency:
        tables(runs, pure, cext, att, sysc, rate)
    print()
    print("| detection | value |")
    print("|---|---|")
    for what, l in (("deny rule, connect attempt", lat),
                    ("score crossing, spawn-fetch exec", slat),
                    ("score crossing, write into the home", flat)):
        if l:
            print("| %s to tree dead (%d runs) | median %.2f ms, p99 %.2f ms |"
                  % (what, len(l), statistics.median(l), pct(l, 0.99)))
        else:
            print("| %s | no blocked run reported it |" % what)
    return 0


def tables(runs, pure, cext, att, sysc, rate):
    print("| measure | plain pip | safe-pip | ratio |")
    print("|---|---|---|---|")
    for name, r in (("pure-Python sdist", pure), ("C-extension sdist (gcc)", cext)):
        print("| %s, wall, median of %d | %.2f s | %.2f s | **%.3f** (paired median %.3f, best runs %.3f) |"
              % (name, runs, r["plain"], r["guarded"], r["ratio"], r["paired"], r["min_ratio"]))
        print("| %s, CPU of the tree, median | %.2f s | %.2f s | %.3f |"
              % (name, r["plain_cpu"], r["guarded_cpu"], r["cpu_ratio"]))
    print()
    print("| kernel sensor | value |")
    print("|---|---|")
    a, c, d = att["attach_ms"][0], att["attach_cpu_ms"][0], att["detach_ms"][0]
    print("| load + attach, wall, median (p90) of 10 | %s ms (%s ms) |" % (a[0], a[1]))
    print("| load + attach, CPU, median (p90) | %s ms (%s ms) |" % (c[0], c[1]))
    print("| detach, median (p90) | %s ms (%s ms) |" % (d[0], d[1]))
    print("| instructions the verifier walked to load the programs | %s |" % att["verified_insns"][0][0])
    s = sysc["syscall_ns"][0]
    print("| getppid(): without the sensor / untracked / tracked (min of 5) | %s / %s / %s ns |"
          % tuple(s))
    s = sysc["spawn_us"][0]
    print("| start of a program (fork, exec, wait of /bin/true): without the sensor / untracked / "
          "tracked (min of 5) | %s / %s / %s us |" % tuple(s))
    for step in rate.get("rate", []):
        print("| records at %s/s asked: reached, lost | %s/s, %s |" % tuple(step))
    print("| records per second sustained without loss | **%s** |" % rate["rate_max_lossless"][0][0])


if __name__ == "__main__":
    sys.exit(main())
