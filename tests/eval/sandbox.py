"""What one install runs in, and what it leaves behind.

  make_home()      a fake home directory full of fake secrets
  Snapshot         the state of a set of trees, to count what an install changed
  token_procs()    the processes one install started (they carry its token)
  kill_token()     end them, and only them
  RunCgroup        a cgroup holding everything one install starts, even
                   processes that dropped the token from their environment
  build_wheel()    a pure-Python wheel of a dependency, without running its code
"""
import base64
import hashlib
import os
import signal
import stat
import time
import zipfile

# Every fake secret carries this prefix and the run's token, so a sink that
# received one can say which run it came from.
FAKE = "SPFAKE"


def _write(path, text, mode=0o644):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    data = text.encode() if isinstance(text, str) else text
    with open(path, "wb") as f:
        f.write(data)
    os.chmod(path, mode)


def fake_secrets(token):
    """Path (relative to HOME) -> (content, mode) of the fake home."""
    t = token
    key = "\n".join(base64.b64encode(hashlib.sha512(("%s%d" % (t, i)).encode()).digest()).decode()
                    for i in range(6))
    # Shaped like a Discord token: 24, 6 and 27 characters of [\w-].
    discord = "%s.GSpFak.%s" % (("MT%s%s" % (FAKE, t))[:24].ljust(24, "x"),
                                ("%sDISCORD%s" % (FAKE, t))[:27].ljust(27, "x"))
    return {
        ".ssh/id_rsa": ("-----BEGIN OPENSSH PRIVATE KEY-----\n%s-SSH-RSA-%s\n%s\n"
                        "-----END OPENSSH PRIVATE KEY-----\n" % (FAKE, t, key), 0o600),
        ".ssh/id_ed25519": ("-----BEGIN OPENSSH PRIVATE KEY-----\n%s-SSH-ED25519-%s\n"
                            "-----END OPENSSH PRIVATE KEY-----\n" % (FAKE, t), 0o600),
        ".ssh/id_rsa.pub": ("ssh-rsa AAAAB3NzaC1yc2E%s user@workstation\n" % FAKE, 0o644),
        ".ssh/known_hosts": ("github.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6\n",
                             0o644),
        ".ssh/authorized_keys": ("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIUSERKEY user@laptop\n",
                                 0o600),
        ".aws/credentials": ("[default]\naws_access_key_id = AKIA%s0000000\n"
                             "aws_secret_access_key = %s-AWS-SECRET-%s\n" % (FAKE, FAKE, t), 0o600),
        ".aws/config": ("[default]\nregion = eu-west-1\n", 0o644),
        ".netrc": ("machine github.com login dev password %s-NETRC-%s\n" % (FAKE, t), 0o600),
        ".pypirc": ("[distutils]\nindex-servers = pypi\n\n[pypi]\nusername = __token__\n"
                    "password = pypi-%s-PYPIRC-%s\n" % (FAKE, t), 0o600),
        ".git-credentials": ("https://dev:%s-GITCRED-%s@github.com\n" % (FAKE, t), 0o600),
        ".docker/config.json": ('{"auths": {"registry.example": {"auth": "%s"}}}\n'
                                % base64.b64encode(("dev:%s-DOCKER-%s" % (FAKE, t)).encode()).decode(),
                                0o600),
        ".kube/config": ("apiVersion: v1\nusers:\n- name: dev\n  user:\n    token: %s-KUBE-%s\n"
                         % (FAKE, t), 0o600),
        ".config/gh/hosts.yml": ("github.com:\n    oauth_token: gho_%s-GH-%s\n    user: dev\n"
                                 % (FAKE, t), 0o600),
        ".config/discord/Local Storage/leveldb/000005.ldb":
            (b"\x00\x01LevelDB\x00_https://discord.com\x00\x01token\x00\"" + discord.encode()
             + b"\"\x00\x00", 0o644),
        ".config/google-chrome/Default/Login Data":
            (b"SQLite format 3\x00" + ("logins https://bank.example dev %s-CHROME-%s" % (FAKE, t)).encode(),
             0o600),
        ".config/google-chrome/Local State":
            ('{"os_crypt": {"encrypted_key": "%s"}}\n'
             % base64.b64encode(("DPAPI%s-CHROMEKEY-%s" % (FAKE, t)).encode()).decode(), 0o600),
        ".mozilla/firefox/abcd1234.default-release/logins.json":
            ('{"logins": [{"hostname": "https://mail.example", "encryptedPassword": "%s-FIREFOX-%s"}]}\n'
             % (FAKE, t), 0o600),
        ".gnupg/private-keys-v1.d/0A1B2C.key": ("(private-key (rsa %s-GPG-%s))\n" % (FAKE, t), 0o600),
        "project/.env": ("DATABASE_URL=postgres://app:%s-DOTENV-%s@db/app\n" % (FAKE, t), 0o600),
        ".bashrc": ("# ~/.bashrc\ncase $- in *i*) ;; *) return;; esac\nHISTSIZE=1000\n"
                    "alias ll='ls -l'\n", 0o644),
        ".profile": ('# ~/.profile\n[ -f "$HOME/.bashrc" ] && . "$HOME/.bashrc"\n', 0o644),
        ".zshrc": ("# ~/.zshrc\nsetopt histignorealldups\n", 0o644),
        "Documents/thesis.txt": ("Chapter 1\n" * 50, 0o644),
        "Documents/budget.csv": ("month,amount\njan,100\nfeb,120\n", 0o644),
        "Pictures/holiday.jpg": (b"\xff\xd8\xff\xe0" + bytes(range(256)) * 8, 0o644),
    }


def fake_env(token):
    """Secrets a developer's shell typically exports (fake)."""
    return {
        "AWS_ACCESS_KEY_ID": "AKIA%sENV0000" % FAKE,
        "AWS_SECRET_ACCESS_KEY": "%s-ENV-AWS-%s" % (FAKE, token),
        "GITHUB_TOKEN": "ghp_%s-ENV-GH-%s" % (FAKE, token),
    }


def make_home(home, token):
    os.makedirs(home, mode=0o700, exist_ok=True)
    for rel, (content, mode) in fake_secrets(token).items():
        _write(os.path.join(home, rel), content, mode)
    for d in (".ssh", ".aws", ".gnupg", ".docker", ".kube"):
        os.chmod(os.path.join(home, d), 0o700)


# ---------------------------------------------------------------- snapshots

IGNORED_NAMES = ("__pycache__",)


def _ignored(name):
    return name in IGNORED_NAMES or name.endswith(".pyc")


class Snapshot:
    """Type, mode, size and content hash of every entry of some trees.

    Contents are hashed once: an entry whose inode, size, mtime and ctime
    are unchanged since a previous snapshot keeps its hash (ctime cannot
    be set back from user space, so a rewritten file is always rehashed).
    """

    def __init__(self, roots, previous=None):
        self.entries = {}
        cache = previous.cache if previous else {}
        self.cache = {}
        for label, root in roots:
            self._walk(label, root, cache)

    def _walk(self, label, root, cache):
        if not os.path.lexists(root):
            return
        for dirpath, dirs, files in os.walk(root):
            dirs[:] = sorted(d for d in dirs if not _ignored(d))
            for name in dirs + sorted(f for f in files if not _ignored(f)):
                full = os.path.join(dirpath, name)
                rel = label + "/" + os.path.relpath(full, root)
                try:
                    self.entries[rel] = self._entry(full, cache)
                except OSError as e:
                    self.entries[rel] = ("?", 0, 0, e.strerror)

    def _entry(self, full, cache):
        st = os.lstat(full)
        mode = stat.S_IMODE(st.st_mode)
        if stat.S_ISDIR(st.st_mode):
            return ("d", mode, 0, "")
        if stat.S_ISLNK(st.st_mode):
            return ("l", mode, 0, os.readlink(full))
        if not stat.S_ISREG(st.st_mode):
            return ("o", mode, 0, "")
        key = (full, st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)
        digest = cache.get(key)
        if digest is None:
            h = hashlib.sha256()
            with open(full, "rb") as f:
                for block in iter(lambda: f.read(1 << 20), b""):
                    h.update(block)
            digest = h.hexdigest()
        self.cache[key] = digest
        return ("f", mode, st.st_size, digest)

    def diff(self, after):
        """Entries added, removed or changed between self and AFTER."""
        out = []
        for k in sorted(set(self.entries) | set(after.entries)):
            a, b = self.entries.get(k), after.entries.get(k)
            if a == b:
                continue
            out.append(("+" if a is None else "-" if b is None else "~") + " " + k)
        return out


# ---------------------------------------------------------------- processes

def token_procs(token):
    """Pids of live processes whose environment carries SP_TOKEN=TOKEN."""
    needle = ("SP_TOKEN=%s\0" % token).encode()
    out = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            with open("/proc/%s/environ" % pid, "rb") as f:
                env = f.read(1 << 20)
            with open("/proc/%s/stat" % pid, "rb") as f:
                st = f.read()
        except OSError:
            continue
        state = st[st.rfind(b")") + 2:][:1]
        if needle in env + b"\0" and state != b"Z":
            out.append(int(pid))
    return out


def proc_desc(pid):
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            return f.read(200).replace(b"\0", b" ").decode("utf-8", "replace").strip()
    except OSError:
        return "?"


def kill_token(token, timeout=10.0):
    """SIGKILL every process carrying TOKEN until none is left.

    Stopped processes are continued first so that nothing stays frozen.
    Returns the pids that would not die (should be empty).
    """
    end = time.monotonic() + timeout
    while True:
        pids = token_procs(token)
        if not pids or time.monotonic() > end:
            return pids
        for pid in pids:
            for sig in (signal.SIGKILL, signal.SIGCONT):
                try:
                    os.kill(pid, sig)
                except OSError:
                    pass
        time.sleep(0.05)


class RunCgroup:
    """A cgroup v2 directory for one install, under the evaluation's own
    cgroup.  The install is started through wrap(), which moves it in
    before it execs; whatever it starts stays inside (only root could move
    a process out).  None of it works without a writable cgroup v2
    hierarchy: then path is None and the evaluation relies on tokens."""

    def __init__(self, name):
        self.path = None
        mnt, own = _cgroup2_mount(), _own_cgroup()
        if not mnt or own is None:
            return
        path = os.path.join(mnt + own, "sp-eval-%d-%s" % (os.getpid(), name))
        try:
            os.mkdir(path)
        except FileExistsError:
            pass
        except OSError:
            return
        self.path = path

    def wrap(self, argv):
        if not self.path:
            return argv
        return ["/bin/sh", "-c", 'echo $$ > "$0/cgroup.procs" && exec "$@"', self.path] + argv

    def procs(self):
        """Pids of live processes in the cgroup and below."""
        out = []
        if not self.path:
            return out
        for dirpath, _, files in os.walk(self.path):
            if "cgroup.procs" in files:
                try:
                    with open(os.path.join(dirpath, "cgroup.procs")) as f:
                        out += [int(x) for x in f.read().split()]
                except OSError:
                    pass
        return out

    def kill(self, timeout=10.0):
        """Kill everything inside; True when the cgroup is empty."""
        if not self.path:
            return True
        end = time.monotonic() + timeout
        while self.procs() and time.monotonic() < end:
            try:
                with open(os.path.join(self.path, "cgroup.kill"), "w") as f:
                    f.write("1")
            except OSError:
                for pid in self.procs():
                    for sig in (signal.SIGKILL, signal.SIGCONT):
                        try:
                            os.kill(pid, sig)
                        except OSError:
                            pass
            time.sleep(0.05)
        return not self.procs()

    def remove(self):
        """Remove the cgroup and any empty child cgroups left in it."""
        if not self.path:
            return
        for dirpath, dirs, _ in sorted(os.walk(self.path), key=lambda w: -len(w[0])):
            try:
                os.rmdir(dirpath)
            except OSError:
                pass


def _cgroup2_mount():
    try:
        with open("/proc/self/mountinfo") as f:
            for line in f:
                left, _, right = line.partition(" - ")
                if right.startswith("cgroup2 "):
                    return left.split()[4]
    except OSError:
        pass
    return None


def _own_cgroup():
    try:
        with open("/proc/self/cgroup") as f:
            for line in f:
                if line.startswith("0::"):
                    return line[3:].strip().rstrip("/")
    except OSError:
        pass
    return None


# ---------------------------------------------------------------- wheels

def _pkg_info(path):
    with open(os.path.join(path, "PKG-INFO"), encoding="utf-8") as f:
        text = f.read()
    fields = {}
    for line in text.splitlines():
        if not line.strip():
            break
        k, _, v = line.partition(":")
        fields.setdefault(k.strip().lower(), v.strip())
    return text, fields["name"], fields["version"]


def build_wheel(src, out):
    """A py3-none-any wheel of SRC's Python files (setup.py, PKG-INFO and
    pyproject.toml left out), its METADATA the PKG-INFO.  No code of the
    package runs.  Returns the wheel's path."""
    meta, name, version = _pkg_info(src)
    dist = name.replace("-", "_")
    info = "%s-%s.dist-info" % (dist, version)
    path = os.path.join(out, "%s-%s-py3-none-any.whl" % (dist, version))
    files = []
    for dirpath, dirs, names in os.walk(src):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for n in sorted(names):
            rel = os.path.relpath(os.path.join(dirpath, n), src)
            if rel in ("setup.py", "PKG-INFO", "pyproject.toml", "FIXTURE") or not n.endswith(".py"):
                continue
            with open(os.path.join(dirpath, n), "rb") as f:
                files.append((rel, f.read()))
    files.append((info + "/METADATA", meta.encode()))
    files.append((info + "/WHEEL", b"Wheel-Version: 1.0\nGenerator: safe-pip-eval\n"
                  b"Root-Is-Purelib: true\nTag: py3-none-any\n"))
    record = []
    os.makedirs(out, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for rel, data in files:
            z.writestr(zipfile.ZipInfo(rel, (2023, 11, 14, 0, 0, 0)), data)
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            record.append("%s,sha256=%s,%d" % (rel, digest, len(data)))
        record.append(info + "/RECORD,,")
        z.writestr(zipfile.ZipInfo(info + "/RECORD", (2023, 11, 14, 0, 0, 0)),
                   "\n".join(record) + "\n")
    return path
