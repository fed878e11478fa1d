"""Install one fixture, plain or guarded, and record what really happened.

A run gets its own directory with a copy of the venv template, a fake home
full of fake secrets, a marker directory and a temp directory (TMPDIR), and
a unique token in its environment to find its processes.  The run records:
the install's exit status and duration, what safe-pip's log says (verdict,
rule, score, time to stop), what the loopback services received, which
processes were left, which files changed, and, for each effect the fixture
names, whether it happened.
"""
import glob
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time

import sandbox

HOOK_HOSTS = {
    "SP_HOOK_HOST": "discord.com",
    "SP_TG_HOST": "api.telegram.org",
    "SP_PASTE_HOST": "pastebin.com",
    "SP_CDN_HOST": "raw.githubusercontent.com",
    "SP_INDEX_HOST": "files.pythonhosted.org",
    "SP_CATCHER_HOST": "webhook.site",
    "SP_DROP_HOST": "transfer.sh",
}
DNS_DOMAIN = "oastify.com"
BASE_PATH = "/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin"
POLL = 0.25
BIND_KNOCK = b'echo "bind shell $SP_TOKEN" > "$SP_MARK/bind.ran"; exit\n'


class Env:
    """What every run shares: tools, services, directories."""

    def __init__(self, safe_pip, work, wheelhouse, findlinks, venv_template, bindir, services):
        self.safe_pip = safe_pip
        self.work = work
        self.wheelhouse = wheelhouse
        self.findlinks = findlinks
        self.venv_template = venv_template
        self.bindir = bindir
        self.services = services


class Run:
    """One install of one fixture in one mode."""

    def __init__(self, env, fx, mode, sdist):
        self.env, self.fx, self.mode, self.sdist = env, fx, mode, sdist
        self.dir = os.path.join(env.work, "runs", fx.name, mode)
        self.home = os.path.join(self.dir, "home")
        self.mark = os.path.join(self.dir, "mark")
        self.tmp = os.path.join(self.dir, "tmp")
        self.piptmp = os.path.join(self.dir, "piptmp")
        self.venv = os.path.join(self.dir, "venv")
        self.log = os.path.join(self.dir, "log.jsonl")
        self.token = "sp%d%s" % (os.getpid(), secrets.token_hex(6))
        self.result = {"mode": mode}

    # ------------------------------------------------------------ setup

    def setup(self):
        shutil.rmtree(self.dir, ignore_errors=True)
        os.makedirs(self.mark)
        os.makedirs(self.tmp)
        os.makedirs(self.piptmp)
        subprocess.run(["cp", "-a", self.env.venv_template, self.venv], check=True)
        sandbox.make_home(self.home, self.token)
        sites = glob.glob(os.path.join(self.venv, "lib", "python*", "site-packages"))
        self.site = sites[0] if sites else os.path.join(self.venv, "site-packages")

    def environ(self):
        ports = self.env.services.ports
        e = {
            "PATH": self.env.bindir + ":" + BASE_PATH,
            "HOME": self.home, "SP_HOME": self.home, "USER": "root", "LOGNAME": "root",
            "LANG": "C.UTF-8", "TMPDIR": self.piptmp, "SP_TMP": self.tmp, "SP_MARK": self.mark,
            "SP_TOKEN": self.token,
            "SP_SINK_PORT": str(ports["sink"]), "SP_SINK_UDP_PORT": str(ports["udp"]),
            "SP_HTTP_PORT": str(ports["http"]), "SP_C2_PORT": str(ports["c2"]),
            "SP_DNS_DOMAIN": DNS_DOMAIN,
            "PIP_CONFIG_FILE": os.devnull, "PIP_DISABLE_PIP_VERSION_CHECK": "1",
            "PIP_NO_INPUT": "1",
            # pip passes --no-cache-dir on to the nested install of build
            # requirements only through the environment.
            "PIP_NO_CACHE_DIR": "1",
            # The work directory may sit inside a source checkout: builds
            # must not find that repository, as they would not on a user's
            # machine.
            "GIT_CEILING_DIRECTORIES": self.env.work,
        }
        e.update(HOOK_HOSTS)
        e.update(sandbox.fake_env(self.token))
        if self.mode == "bare":
            # As outside the evaluation: no SP_* variable tells the fixture
            # where its stand-ins are.  HOME stays the fake home, the fake
            # secrets stay in the environment: a fixture that ignored its
            # guard would still be caught using them.
            e = {k: v for k, v in e.items() if not k.startswith("SP_")}
        return e

    def command(self):
        opts = ["install", "--no-index", "--find-links", self.env.wheelhouse,
                "--find-links", self.env.findlinks, "--no-cache-dir", self.sdist]
        py = os.path.join(self.venv, "bin", "python")
        if self.mode != "guarded":
            return [py, "-m", "pip"] + opts
        return [self.env.safe_pip, "-v", "--log", self.log, "--python", py] + opts

    def roots(self):
        """What an install could change that the evaluation watches.  TMPDIR
        (pip's scratch space) is not among them: what a killed pip leaves
        there is counted apart (pip_temp_left).  Fixtures use $SP_TMP as
        their /tmp."""
        return [("venv", self.venv), ("home", self.home), ("mark", self.mark), ("tmp", self.tmp)]

    # ------------------------------------------------------------ run

    def execute(self):
        """Run the install and collect the result.  Whatever happens, no
        process of the install is left when this returns or raises."""
        self.cg = sandbox.RunCgroup("%s-%s" % (self.fx.name, self.mode))
        try:
            return self._execute()
        finally:
            self._kill_all()
            self.cg.remove()

    def _execute(self):
        fx, r = self.fx, self.result
        self.setup()
        before = sandbox.Snapshot(self.roots())
        self.env.services.rec.begin("%s/%s" % (fx.name, self.mode))
        env = self.environ()
        t0 = time.monotonic()
        with open(os.path.join(self.dir, "out"), "wb") as out, \
                open(os.path.join(self.dir, "err"), "wb") as err:
            p = subprocess.Popen(self.cg.wrap(self.command()), env=env, stdout=out, stderr=err,
                                 stdin=subprocess.DEVNULL, cwd=self.dir, start_new_session=True)
            r["timed_out"] = False
            try:
                p.wait(timeout=fx.timeout)
            except subprocess.TimeoutExpired:
                r["timed_out"] = True
                self._kill_session(p)
        r["seconds"] = round(time.monotonic() - t0, 2)
        r["rc"] = p.returncode
        left = self._alive()
        r["left_procs"] = [sandbox.proc_desc(pid) for pid in left]
        self._watch(env)
        r["unkillable"] = len(self._kill_all())
        svc = self.env.services.rec.end()
        after = sandbox.Snapshot(self.roots(), previous=before)
        changes = before.diff(after)
        r["changed"] = len(changes)
        r["changed_paths"] = changes[:30]
        r["changed_outside_venv"] = sum(1 for c in changes if not c[2:].startswith("venv/"))
        r["pip_temp_left"] = len(os.listdir(self.piptmp))
        self._services(svc)
        r["effects"] = self._check_effects(svc, env, p.returncode, bool(left))
        ok = [e["ok"] for e in r["effects"]]
        r["effect"] = "none" if not any(ok) else "all" if all(ok) else "partial"
        if self.mode == "guarded":
            self._read_log()
            self._cgroup_left()
        return r

    def _alive(self):
        """Live processes of the install: in its cgroup, or carrying its token."""
        return sorted(set(sandbox.token_procs(self.token)) | set(self.cg.procs()))

    def _kill_all(self):
        """End every process of the install; the pids that would not die."""
        self.cg.kill()
        return sorted(set(sandbox.kill_token(self.token)) | set(self.cg.procs()))

    def _kill_session(self, p):
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except OSError:
            pass
        self._kill_all()
        try:
            p.wait(timeout=30)
        except subprocess.TimeoutExpired:
            pass

    def _watch(self, env):
        """Keep watching for the fixture's wait time: delayed and daemonised
        behaviour acts after pip returns.  The watch ends early when no
        process of the install is left (nothing can act any more) and, for
        plain runs, as soon as every effect is seen."""
        end = time.monotonic() + self.fx.wait
        for kind, args in self.fx.effects:
            if kind == "bind-knock" and self._alive():
                self._knock(args[0], min(self.fx.wait, 10.0))
        while time.monotonic() < end:
            if self.mode == "plain" and self._quick_effects_seen():
                break
            # Only a live process of the install can still act.
            if not self._alive():
                break
            time.sleep(POLL)

    def _quick_effects_seen(self):
        """Are all effects that can be checked without side effects seen?"""
        svc = self.env.services.rec.run
        for kind, args in self.fx.effects:
            if kind in ("python-runs", "imports", "bind-knock", "outlived", "install-killed"):
                continue
            if not self._effect(kind, args, svc, None, 0, False):
                return False
        return True

    def _knock(self, portfile, wait):
        """Play the attacker of a bind shell: connect to the port it announced."""
        path = self._path(portfile)
        end = time.monotonic() + wait
        while not os.path.exists(path) and time.monotonic() < end:
            time.sleep(POLL)
        try:
            with open(path) as f:
                port = int(f.read(16).strip())
            with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
                s.sendall(BIND_KNOCK)
                s.settimeout(5)
                while s.recv(4096):
                    pass
        except (OSError, ValueError):
            pass

    # ------------------------------------------------------------ results

    def _services(self, svc):
        r = self.result
        r["sink_bytes"] = svc.total_bytes()
        r["sink_by_service"] = {k: v for k, v in svc.bytes.items() if v}
        r["connections"] = svc.connections
        r["dns_names"] = len(svc.dns_names)
        r["http_paths"] = svc.http_paths[:20]
        r["c2_sessions"] = svc.c2_sessions

    def _path(self, p):
        for var, val in (("$HOME", self.home), ("$MARK", self.mark), ("$TMP", self.tmp),
                         ("$VENV", self.venv), ("$SITE", self.site)):
            p = p.replace(var, val)
        return p

    def _str(self, s):
        return s.replace("$TOKEN", self.token)

    def _effect(self, kind, args, svc, env, rc, outlived):
        if kind == "sink-contains":
            return self._str(args[0]).encode() in svc.data
        if kind == "sink-bytes":
            return svc.total_bytes() > 0
        if kind == "http-path":
            return any(args[0] in p for p in svc.http_paths)
        if kind == "dns-exfil":
            return self._str(args[0]).encode() in dns_decode(svc.dns_names, DNS_DOMAIN)
        if kind == "file":
            return bool(glob.glob(self._path(args[0])))
        if kind == "file-contains":
            try:
                with open(self._path(args[0]), "rb") as f:
                    return self._str(args[1]).encode() in f.read(16 << 20)
            except OSError:
                return False
        if kind == "file-missing":
            return not os.path.lexists(self._path(args[0]))
        if kind == "python-runs":
            return self._python_runs(args, env)
        if kind == "imports":
            return self._python(env, "import %s" % args[0]) == 0
        if kind == "bind-knock":
            return os.path.exists(self._path(args[1]))
        if kind == "outlived":
            return outlived
        if kind == "install-killed":
            return rc is not None and rc < 0
        raise ValueError(kind)

    def _python_runs(self, args, env):
        """Start the venv's interpreter as a user would later, and see
        whether persistence left by the install runs."""
        marker = self._path(args[0])
        if os.path.lexists(marker):
            os.unlink(marker)
        self._python(env, "import %s" % args[1] if len(args) > 1 else "pass")
        end = time.monotonic() + 3
        while not os.path.exists(marker) and time.monotonic() < end:
            time.sleep(POLL)
        return os.path.exists(marker)

    def _python(self, env, code):
        """Run the venv's interpreter on CODE; its exit status (None: hung)."""
        py = os.path.join(self.venv, "bin", "python")
        try:
            return subprocess.run(self.cg.wrap([py, "-c", code]), env=env, stdin=subprocess.DEVNULL,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                  cwd=self.dir, timeout=60, start_new_session=True).returncode
        except subprocess.TimeoutExpired:
            return None
        finally:
            self._kill_all()

    def _check_effects(self, svc, env, rc, outlived):
        out = []
        for kind, args in self.fx.effects:
            ok = self._effect(kind, args, svc, env, rc, outlived)
            out.append({"effect": " ".join([kind] + args), "ok": bool(ok)})
        return out

    def _read_log(self):
        r = self.result
        r.update(verdict=None, rule=None, score=None, time_to_dead_ms=None, findings=[],
                 lost_records=None, killed=None, outlived=None)
        try:
            with open(self.log, encoding="utf-8", errors="replace") as f:
                lines = f.readlines()
        except OSError:
            return
        for line in lines:
            try:
                o = json.loads(line)
            except ValueError:
                continue
            t = o.get("type")
            if t == "finding" and len(r["findings"]) < 50:
                r["findings"].append({k: o.get(k) for k in ("rule", "points", "deny", "evidence")})
            elif t == "verdict":
                r["verdict"] = o.get("verdict")
                r["rule"] = o.get("rule")
                r["score"] = o.get("score")
                r["time_to_dead_ms"] = o.get("time_to_dead_ms")
                r["lost_records"] = o.get("lost_records")
                r["killed"] = o.get("killed")
                r["outlived"] = o.get("outlived")

    def _cgroup_left(self):
        """A session cgroup safe-pip could not remove (it was killed): say so
        and remove it when it is empty.  Only the one this run's safe-pip
        named in its own output is touched."""
        r = self.result
        r["cgroup_left"] = False
        try:
            with open(os.path.join(self.dir, "err"), encoding="utf-8", errors="replace") as f:
                for line in f:
                    if line.startswith("safe-pip: session cgroup /"):
                        path = line.split(" ", 3)[3].strip()
                        if os.path.basename(path).startswith("safe-pip-") and os.path.isdir(path):
                            r["cgroup_left"] = True
                            try:
                                os.rmdir(path)
                            except OSError:
                                pass
        except OSError:
            pass


def dns_decode(names, domain):
    """Data carried in names "SEQ.HEX.ID.DOMAIN", in sequence order."""
    parts = {}
    suffix = "." + domain
    for n in names:
        if not n.lower().endswith(suffix):
            continue
        labels = n[:-len(suffix)].split(".")
        if len(labels) < 2 or not labels[0].isdigit():
            continue
        try:
            parts[int(labels[0])] = bytes.fromhex(labels[1])
        except ValueError:
            continue
    return b"".join(parts[k] for k in sorted(parts))


def log(msg):
    sys.stderr.write(msg + "\n")
    sys.stderr.flush()
