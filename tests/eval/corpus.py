"""The behaviour corpus: fixture descriptions (FIXTURE files) and checks.

Each fixture directory (tests/corpus/{malicious,benign}/NAME) carries a
FIXTURE file of "key: value" lines ('#' starts a comment):

  description  one line: what the package does at install time (required)
  category     malicious: one of MALICIOUS_CATEGORIES; benign: one of
               BENIGN_CATEGORIES (required)
  trigger      how its code gets to run, one of TRIGGERS or OTHER_TRIGGERS
               (required)
  evasion      comma-separated EVASIONS, or "none" (malicious only)
  expected     "blocked" (malicious) or "allowed" (benign)
  effect       repeatable: an observable effect the install really has,
               see EFFECTS; malicious fixtures need at least one
  wait         seconds to keep watching after the install returns
               (delayed and daemonised behaviour), default 0
  timeout      seconds the install may take, default 240
  dep-sdist    repeatable: a package of tests/corpus/deps put as an sdist
               on the install's find-links
  dep-wheel    repeatable: the same, as a pure-Python wheel
  note         a remark carried into the results table

Effects (PATH may use $HOME, $MARK, $TMP, $VENV and $SITE, STR may use
$TOKEN; see Checker):

  sink-contains STR           a loopback service received STR
  sink-bytes                  a loopback service received any byte
  http-path STR               the web server was asked for a path holding STR
  dns-exfil STR               DNS names under $SP_DNS_DOMAIN carry STR, hex
                              encoded in "SEQ.HEX.ID.domain" names
  file PATH                   PATH exists (a glob pattern: something matches)
  file-contains PATH STR      PATH exists and contains STR
  file-missing PATH           PATH (created by the harness) is gone
  python-runs PATH [MODULE]   starting the venv's python (importing MODULE)
                              creates PATH: persistence that runs later
  imports MODULE              the venv's python can import MODULE
  bind-knock PORTFILE PATH    a port written to PORTFILE accepts a shell
                              command that creates PATH
  outlived                    a process of the install outlived it
  install-killed              the process that ran the install died of a signal
"""
import os
import re

MALICIOUS_CATEGORIES = ("command-execution", "information-stealing", "file-operations",
                        "code-execution", "remote-control")
BENIGN_CATEGORIES = ("c-extension", "build-tools", "network", "packaging", "backends", "heavy")
TRIGGERS = ("setup-module", "cmd-install", "cmd-build_py", "cmd-egg_info", "pep517-backend",
            "dep-install-requires", "dep-build-requires")
# Where honest build code runs, besides the above.
OTHER_TRIGGERS = ("cmd-build_ext", "declarative")
EVASIONS = ("none", "base64", "zlib", "marshal", "whitespace", "staged", "memfd",
            "double-fork", "delay", "ld-preload-scrub", "static-binary", "raw-syscall",
            "dns-label", "pth", "shell-rc", "cron", "kill-supervisor", "stall-supervisor",
            "killpg", "flood", "mixed", "anon-exec", "hidden-dir", "other-package")
# What the corpus must cover (the evasions every guard is expected to face).
REQUIRED_EVASIONS = ("base64", "zlib", "marshal", "staged", "memfd", "double-fork", "delay",
                     "ld-preload-scrub", "static-binary", "raw-syscall", "dns-label", "pth",
                     "shell-rc", "cron", "kill-supervisor", "stall-supervisor", "killpg",
                     "flood", "mixed")
EFFECTS = {
    "sink-contains": 1, "sink-bytes": 0, "http-path": 1, "dns-exfil": 1, "file": 1,
    "file-contains": 2, "file-missing": 1, "python-runs": (1, 2), "imports": 1, "bind-knock": 2,
    "outlived": 0, "install-killed": 0,
}
KEYS = ("description", "category", "trigger", "evasion", "expected", "effect", "wait",
        "timeout", "dep-sdist", "dep-wheel", "note")
REPEATABLE = ("effect", "dep-sdist", "dep-wheel")
MIN_MALICIOUS, MIN_BENIGN = 40, 20
NAME_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")


class FixtureError(Exception):
    pass


class Fixture:
    def __init__(self, kind, name, path):
        self.kind = kind                # "malicious" or "benign"
        self.name = name
        self.path = path
        self.description = ""
        self.category = ""
        self.trigger = ""
        self.evasion = []
        self.expected = ""
        self.effects = []               # list of (kind, [args])
        self.wait = 0.0
        self.timeout = 240.0
        self.dep_sdist = []
        self.dep_wheel = []
        self.note = ""

    @property
    def malicious(self):
        return self.kind == "malicious"


def _split_effect(value):
    """Words of an effect line; double quotes group words."""
    words, cur, quoted, started = [], [], False, False
    for ch in value:
        if ch == '"':
            quoted = not quoted
            started = True
        elif ch.isspace() and not quoted:
            if started:
                words.append("".join(cur))
            cur, started = [], False
        else:
            cur.append(ch)
            started = True
    if quoted:
        raise FixtureError("unbalanced quote in effect: %s" % value)
    if started:
        words.append("".join(cur))
    return words


def _set(fx, key, value, where):
    if key == "effect":
        try:
            words = _split_effect(value)
        except FixtureError as e:
            raise FixtureError("%s: %s" % (where, e)) from None
        if not words or words[0] not in EFFECTS:
            raise FixtureError("%s: unknown effect %r" % (where, value))
        n = EFFECTS[words[0]]
        lo, hi = n if isinstance(n, tuple) else (n, n)
        if not lo <= len(words) - 1 <= hi:
            raise FixtureError("%s: effect %s takes %s arguments" % (where, words[0], n))
        fx.effects.append((words[0], words[1:]))
    elif key in ("wait", "timeout"):
        try:
            v = float(value)
        except ValueError:
            raise FixtureError("%s: %s is not a number: %r" % (where, key, value)) from None
        if not 0 <= v <= 600:
            raise FixtureError("%s: %s out of range: %s" % (where, key, value))
        setattr(fx, key, v)
    elif key == "evasion":
        fx.evasion = [e.strip() for e in value.split(",") if e.strip()]
    elif key in ("dep-sdist", "dep-wheel"):
        if not NAME_RE.match(value):
            raise FixtureError("%s: bad dependency name %r" % (where, value))
        getattr(fx, key.replace("-", "_")).append(value)
    else:
        setattr(fx, key, value)


def load_fixture(kind, path):
    name = os.path.basename(path)
    fx = Fixture(kind, name, path)
    fpath = os.path.join(path, "FIXTURE")
    if not NAME_RE.match(name):
        raise FixtureError("%s: bad fixture name" % path)
    try:
        with open(fpath, encoding="utf-8") as f:
            text = f.read(65536)
    except OSError as e:
        raise FixtureError("%s: %s" % (fpath, e.strerror)) from None
    seen = set()
    for n, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition(":")
        key, value, where = key.strip(), value.strip(), "%s:%d" % (fpath, n)
        if not sep or key not in KEYS:
            raise FixtureError("%s: expected 'key: value' with a known key" % where)
        if key in seen and key not in REPEATABLE:
            raise FixtureError("%s: %s given twice" % (where, key))
        seen.add(key)
        _set(fx, key, value, where)
    _validate(fx, fpath)
    return fx


def _validate(fx, fpath):
    def bad(msg):
        raise FixtureError("%s: %s" % (fpath, msg))

    if not fx.description:
        bad("no description")
    cats = MALICIOUS_CATEGORIES if fx.malicious else BENIGN_CATEGORIES
    if fx.category not in cats:
        bad("category must be one of %s" % ", ".join(cats))
    if fx.trigger not in TRIGGERS + OTHER_TRIGGERS:
        bad("trigger must be one of %s" % ", ".join(TRIGGERS + OTHER_TRIGGERS))
    for e in fx.evasion:
        if e not in EVASIONS:
            bad("unknown evasion %r" % e)
    if fx.expected != ("blocked" if fx.malicious else "allowed"):
        bad("expected must be %s" % ("blocked" if fx.malicious else "allowed"))
    if not fx.effects:
        bad("no effect to check (what proves the install really did its thing)")
    if fx.malicious and not fx.evasion:
        bad("evasion missing (say 'none')")
    if not os.path.isfile(os.path.join(fx.path, "PKG-INFO")):
        bad("no PKG-INFO")
    if not any(os.path.isfile(os.path.join(fx.path, f)) for f in ("setup.py", "pyproject.toml")):
        bad("no setup.py or pyproject.toml")


def load_corpus(root, only=None):
    """All fixtures under ROOT/malicious and ROOT/benign, sorted by kind and name."""
    out = []
    for kind in ("malicious", "benign"):
        base = os.path.join(root, kind)
        for name in sorted(os.listdir(base)):
            if only and name not in only:
                continue
            full = os.path.join(base, name)
            if os.path.isdir(full):
                out.append(load_fixture(kind, full))
    return out


def lint(root):
    """Problems with the corpus as a whole: counts and coverage."""
    problems = []
    try:
        fixtures = load_corpus(root)
    except FixtureError as e:
        return [str(e)], []
    mal = [f for f in fixtures if f.malicious]
    ben = [f for f in fixtures if not f.malicious]
    if len(mal) < MIN_MALICIOUS:
        problems.append("only %d malicious fixtures (at least %d)" % (len(mal), MIN_MALICIOUS))
    if len(ben) < MIN_BENIGN:
        problems.append("only %d benign fixtures (at least %d)" % (len(ben), MIN_BENIGN))
    for c in MALICIOUS_CATEGORIES:
        if not any(f.category == c for f in mal):
            problems.append("no malicious fixture of category %s" % c)
    for t in TRIGGERS:
        if not any(f.trigger == t for f in mal):
            problems.append("no malicious fixture with trigger %s" % t)
    for e in REQUIRED_EVASIONS:
        if not any(e in f.evasion for f in mal):
            problems.append("no malicious fixture with evasion %s" % e)
    deps = os.path.join(root, "deps")
    for f in fixtures:
        for d in f.dep_sdist + f.dep_wheel:
            if not os.path.isfile(os.path.join(deps, d, "PKG-INFO")):
                problems.append("%s: dependency %s not in %s" % (f.name, d, deps))
    return problems, fixtures
