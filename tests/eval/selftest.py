#!/usr/bin/env python3
"""Tests of the evaluation's own parts, printed as TAP (run by make check).

The fixture parser must refuse bad FIXTURE files with the file and line,
the corpus lint must notice missing coverage, the DNS stand-in must parse
and answer real queries and survive malformed ones, the tree snapshot
must see every kind of change, and the services must account for what
they receive.  None of this needs root or a network beyond loopback.
"""
import os
import shutil
import socket
import struct
import sys
import tempfile
import time
import traceback
import urllib.error
import urllib.request
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True      # nothing written into the source tree

import corpus  # noqa: E402
import report  # noqa: E402
import runner  # noqa: E402
import sandbox  # noqa: E402
import services  # noqa: E402

SRCDIR = os.path.realpath(os.environ.get("top_srcdir", os.path.join(HERE, "..", "..")))
GOOD = """description: a test fixture
category: command-execution
trigger: setup-module
evasion: base64, staged
expected: blocked
effect: file $MARK/x.ran
effect: sink-contains "two words"
wait: 2
"""

TESTS = []


def test(fn):
    TESTS.append(fn)
    return fn


class Tmp:
    def __enter__(self):
        self.path = tempfile.mkdtemp(prefix="sp-selftest-")
        return self.path

    def __exit__(self, *exc):
        shutil.rmtree(self.path, ignore_errors=True)


def fixture_dir(root, kind, name, text, pkg=True, setup=True):
    d = os.path.join(root, kind, name)
    os.makedirs(d)
    with open(os.path.join(d, "FIXTURE"), "w") as f:
        f.write(text)
    if pkg:
        with open(os.path.join(d, "PKG-INFO"), "w") as f:
            f.write("Metadata-Version: 2.1\nName: %s\nVersion: 1.0\n" % name)
    if setup:
        with open(os.path.join(d, "setup.py"), "w") as f:
            f.write("from setuptools import setup\nsetup()\n")
    return d


def expect_error(root, text, needle, **kw):
    with Tmp() as t:
        d = fixture_dir(t, "malicious", "bad", text, **kw)
        try:
            corpus.load_fixture("malicious", d)
        except corpus.FixtureError as e:
            assert needle in str(e), "%r not in %r" % (needle, str(e))
            assert "FIXTURE" in str(e), str(e)
            return
        raise AssertionError("accepted: %r" % text)


# ------------------------------------------------------------ corpus

@test
def fixture_parses():
    with Tmp() as t:
        fx = corpus.load_fixture("malicious", fixture_dir(t, "malicious", "good", GOOD))
    assert fx.evasion == ["base64", "staged"], fx.evasion
    assert fx.effects == [("file", ["$MARK/x.ran"]), ("sink-contains", ["two words"])], fx.effects
    assert fx.wait == 2.0 and fx.timeout == 240.0


@test
def fixture_errors_name_file_and_line():
    cases = [
        (GOOD + "colour: red\n", ":9:"),
        (GOOD + "wait: 3\n", "given twice"),
        (GOOD + "effect: teleport\n", "unknown effect"),
        (GOOD + "effect: file a b\n", "takes"),
        (GOOD + 'effect: sink-contains "open\n', "unbalanced"),
        (GOOD.replace("wait: 2", "wait: 9999"), "out of range"),
        (GOOD.replace("wait: 2", "wait: soon"), "not a number"),
        (GOOD.replace("description: a test fixture\n", ""), "no description"),
        (GOOD.replace("command-execution", "mining"), "category"),
        (GOOD.replace("setup-module", "magic"), "trigger"),
        (GOOD.replace("base64, staged", "teleport"), "unknown evasion"),
        (GOOD.replace("expected: blocked", "expected: allowed"), "expected"),
        ("\n".join(l for l in GOOD.splitlines() if not l.startswith("effect")) + "\n", "no effect"),
        (GOOD + "no colon here\n", "key: value"),
        (GOOD + "dep-sdist: ../../etc\n", "bad dependency"),
    ]
    for text, needle in cases:
        expect_error(None, text, needle)
    expect_error(None, GOOD, "PKG-INFO", pkg=False)
    expect_error(None, GOOD, "setup.py", setup=False)


@test
def the_corpus_passes_its_lint():
    problems, fixtures = corpus.lint(os.path.join(SRCDIR, "tests", "corpus"))
    assert not problems, problems
    assert sum(f.malicious for f in fixtures) >= corpus.MIN_MALICIOUS
    assert sum(not f.malicious for f in fixtures) >= corpus.MIN_BENIGN


@test
def lint_reports_missing_coverage():
    with Tmp() as t:
        os.makedirs(os.path.join(t, "benign"))
        fixture_dir(t, "malicious", "one", GOOD + "dep-wheel: missing-dep\n")
        problems, _ = corpus.lint(t)
    text = "\n".join(problems)
    for needle in ("only 1 malicious", "only 0 benign", "category remote-control",
                   "trigger cmd-install", "evasion memfd", "dependency missing-dep"):
        assert needle in text, "%r not reported in:\n%s" % (needle, text)


# ------------------------------------------------------------ DNS

def dns_query(name, qtype=1, qid=0x1234):
    q = struct.pack("!HHHHHH", qid, 0x0100, 1, 0, 0, 0)
    for label in name.split("."):
        q += bytes([len(label)]) + label.encode()
    return q + b"\x00" + struct.pack("!HH", qtype, 1)


@test
def dns_answers_a_queries_with_loopback():
    name, reply = services.dns_answer(dns_query("0.41.x.oastify.com"))
    assert name == "0.41.x.oastify.com", name
    qid, flags, qd, an = struct.unpack("!HHHH", reply[:8])
    assert (qid, qd, an) == (0x1234, 1, 1) and flags & 0x8000
    assert reply.endswith(socket.inet_aton("127.0.0.1"))
    name, reply = services.dns_answer(dns_query("example.com", qtype=28))
    assert struct.unpack("!H", reply[6:8])[0] == 0, "AAAA gets no answer"


@test
def dns_ignores_malformed_packets():
    good = dns_query("a.b")
    bad = [b"", good[:11], good[:-3], good[:12] + b"\xc0\x0c" + good[-4:],
           struct.pack("!HHHHHH", 1, 0x8180, 1, 0, 0, 0) + good[12:],
           good[:12] + b"\x3f" + b"a" * 10]
    for p in bad:
        assert services.dns_parse_query(p) is None, p
        assert services.dns_answer(p) == (None, None)


@test
def dns_decode_orders_and_skips_noise():
    data = b"user|host|aws_secret_access_key = SPFAKE-1"
    names = ["%d.%s.ab12.oastify.com" % (i, data[i * 10:i * 10 + 10].hex()) for i in range(5)]
    names = list(reversed(names)) + ["www.oastify.com", "x.zz.oastify.com", "1.41.other.com"]
    assert runner.dns_decode(names, "oastify.com") == data


# ------------------------------------------------------------ snapshots

@test
def snapshot_sees_every_change():
    with Tmp() as t:
        for name in ("same", "edit", "gone", "mode"):
            with open(os.path.join(t, name), "w") as f:
                f.write("0123456789")
        os.symlink("same", os.path.join(t, "link"))
        os.makedirs(os.path.join(t, "__pycache__"))
        before = sandbox.Snapshot([("t", t)])
        time.sleep(0.01)
        with open(os.path.join(t, "edit"), "w") as f:
            f.write("9876543210")      # same size, new content
        os.unlink(os.path.join(t, "gone"))
        os.chmod(os.path.join(t, "mode"), 0o700)
        os.unlink(os.path.join(t, "link"))
        os.symlink("edit", os.path.join(t, "link"))
        with open(os.path.join(t, "new"), "w") as f:
            f.write("x")
        with open(os.path.join(t, "__pycache__", "m.pyc"), "w") as f:
            f.write("ignored")
        after = sandbox.Snapshot([("t", t)], previous=before)
    diff = before.diff(after)
    assert diff == ["~ t/edit", "- t/gone", "~ t/link", "~ t/mode", "+ t/new"], diff


# ------------------------------------------------------------ wheels

@test
def wheel_has_metadata_and_record():
    with Tmp() as t:
        path = sandbox.build_wheel(os.path.join(SRCDIR, "tests", "corpus", "deps", "versionfile-plugin"), t)
        with zipfile.ZipFile(path) as z:
            names = z.namelist()
            record = z.read("versionfile_plugin-0.5.2.dist-info/RECORD").decode()
    assert os.path.basename(path) == "versionfile_plugin-0.5.2-py3-none-any.whl"
    assert "versionfile_plugin/__init__.py" in names and "setup.py" not in names
    assert "versionfile_plugin/__init__.py,sha256=" in record


# ------------------------------------------------------------ services

@test
def services_account_for_what_they_receive():
    with Tmp() as www:
        os.makedirs(os.path.join(www, "p"))
        os.makedirs(os.path.join(www, "packages"))
        with open(os.path.join(www, "p", "payload.sh"), "wb") as f:
            f.write(b"#!/bin/sh\n")
        svc = services.Services(www, http_port=0, dns_port=0)
        try:
            rec = svc.rec
            run = rec.begin("t")
            base = "http://127.0.0.1:%d" % svc.ports["http"]
            assert urllib.request.urlopen(base + "/any/dir/payload.sh", timeout=5).read() == b"#!/bin/sh\n"
            try:
                urllib.request.urlopen(base + "/p/.hidden", timeout=5)
                raise AssertionError("served a dot file")
            except urllib.error.HTTPError as e:
                assert e.code == 404
            urllib.request.urlopen(base + "/api/webhooks/1", b"SECRET-1", timeout=5).read()
            assert urllib.request.urlopen(base + "/c2/task", timeout=5).read() == services.C2_TASK
            with socket.create_connection(("127.0.0.1", svc.ports["sink"]), timeout=5) as s:
                s.sendall(b"SECRET-2")
            u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            u.sendto(b"SECRET-3", ("127.0.0.1", svc.ports["udp"]))
            u.sendto(dns_query("0.4142.id.oastify.com"), ("127.0.0.1", svc.ports["dns"]))
            u.settimeout(5)
            assert u.recvfrom(512)[0].endswith(socket.inet_aton("127.0.0.1"))
            u.close()
            with socket.create_connection(("127.0.0.1", svc.ports["c2"]), timeout=5) as s:
                assert s.recv(4096) == services.C2_COMMAND
                s.sendall(b"uid=0(root)\n")
            end = time.monotonic() + 5
            while time.monotonic() < end and (b"SECRET-3" not in run.data or b"uid=0" not in run.data
                                              or b"SECRET-2" not in run.data):
                time.sleep(0.05)
            done = rec.end()
        finally:
            svc.stop()
    for needle in (b"SECRET-1", b"SECRET-2", b"SECRET-3", b"uid=0(root)"):
        assert needle in done.data, needle
    assert "POST /api/webhooks/1" in done.http_paths, done.http_paths
    assert done.dns_names == ["0.4142.id.oastify.com"], done.dns_names
    assert done.c2_sessions == 1 and done.bytes["sink"] == 8 and done.bytes["udp"] == 8
    assert done.total_bytes() == sum(done.bytes.values()) > 0


# ------------------------------------------------------------ judging

def result(kind, verdict, rc=0, sink=0, changed=0, effect="none", left=()):
    return {"kind": kind, "category": "information-stealing" if kind == "malicious" else "network",
            "guarded": {"verdict": verdict, "rc": rc, "sink_bytes": sink, "changed": changed,
                        "effect": effect, "left_procs": list(left), "unkillable": 0,
                        "timed_out": False}}


@test
def the_bar_is_judged_strictly():
    ok, why = report.judge(result("malicious", "blocked", 77), result("malicious", "blocked", 77)["guarded"])
    assert ok and not why
    for args, needle in (((("blocked", 77), {"sink": 5}), "bytes"),
                         ((("blocked", 77), {"changed": 1}), "files left"),
                         ((("blocked", 77), {"effect": "partial"}), "effect happened"),
                         ((("allowed", 0), {}), "not stopped"),
                         ((("blocked", 77), {"left": ["x"]}), "processes left")):
        r = result("malicious", *args[0], **args[1])
        ok, why = report.judge(r, r["guarded"])
        assert not ok and needle in "; ".join(why), (args, why)
    b = result("benign", "blocked", 77)
    assert report.judge(b, b["guarded"]) == (False, ["stopped"])
    b = result("benign", "allowed", 0, effect="all")
    assert report.judge(b, b["guarded"]) == (True, [])


def main():
    print("1..%d" % len(TESTS))
    failed = 0
    for n, fn in enumerate(TESTS, 1):
        try:
            fn()
        except Exception:  # any failure, reported with its traceback
            failed += 1
            print("not ok %d - %s" % (n, fn.__name__.replace("_", " ")))
            for line in traceback.format_exc().splitlines():
                print("# " + line)
        else:
            print("ok %d - %s" % (n, fn.__name__.replace("_", " ")))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
