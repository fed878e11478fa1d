// SPDX-License-Identifier: MIT
/* The shim's policy questions (guard/decide.c) against the embedded default. */
#include "tests/cmocka_all.h"

#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "bpf/sp_event.h"
#include "guard/decide.h"
#include "policy/policy.h"
#include "preload/shim_enc.h"

static struct sp_policy *pol;
static struct decider d;

static int setup(void **state)
{
	struct sp_policy_env env = { .homes = { "/home/u", NULL } };
	struct sp_errors err = { 0 };

	pol = sp_policy_new(&env);
	if (!pol || sp_policy_add_default(pol, &err) < 0)
		return -1;
	decider_init(&d, pol);
	return 0;
}

static int teardown(void **state)
{
	sp_policy_free(pol);
	return 0;
}

/* A policy of the default plus one YAML layer. */
static struct sp_policy *with_layer(const char *yaml)
{
	struct sp_policy_env env = { .homes = { "/home/u", NULL } };
	struct sp_errors err = { 0 };
	struct sp_policy *p = sp_policy_new(&env);

	assert_non_null(p);
	assert_int_equal(sp_policy_add_default(p, &err), 0);
	assert_int_equal(sp_policy_add_yaml(p, "layer.yaml", yaml, strlen(yaml), &err), 0);
	return p;
}

static void test_hosts(void **state)
{
	struct decision out = { 0 };

	assert_true(decide_host(&d, SP_ROLE_BUILD, "webhook.site", &out));
	assert_string_equal(out.rule, "denied-host");
	assert_int_equal(out.error, EACCES);
	assert_non_null(strstr(out.why, "webhook.site"));
	assert_non_null(strstr(out.why, "network.deny"));
	assert_true(decide_host(&d, SP_ROLE_BUILD, "abc.ngrok-free.app", &out));
	assert_true(decide_host(&d, SP_ROLE_BUILD, "ABC.NGROK.IO", &out));
	assert_true(decide_host(&d, SP_ROLE_BUILD, "x.oast.fun", &out));
	assert_true(decide_host(&d, SP_ROLE_BUILD, "discord.com", &out));
	assert_true(decide_host(&d, SP_ROLE_NONE, "api.telegram.org", &out));
	assert_false(decide_host(&d, SP_ROLE_BUILD, "pypi.org", &out));
	assert_false(decide_host(&d, SP_ROLE_BUILD, "files.pythonhosted.org", &out));
	assert_false(decide_host(&d, SP_ROLE_BUILD, "notwebhook.site.example", &out));
	/* pip itself is not restricted by the build's host list */
	assert_false(decide_host(&d, SP_ROLE_PIP, "webhook.site", &out));
	assert_false(decide_host(&d, SP_ROLE_BUILD, NULL, &out));
}

static void test_files(void **state)
{
	struct decision out = { 0 };

	assert_true(decide_open(&d, SP_ROLE_BUILD, "/home/u/.ssh/id_rsa", SHIM_ACC_READ, &out));
	assert_string_equal(out.rule, "denied-read");
	assert_non_null(strstr(out.why, "files.deny_read"));
	assert_true(decide_open(&d, SP_ROLE_BUILD, "/home/u/.aws/credentials", SHIM_ACC_READ, &out));
	assert_true(decide_open(&d, SP_ROLE_BUILD, "/etc/shadow", SHIM_ACC_READ, &out));
	assert_false(decide_open(&d, SP_ROLE_BUILD, "/home/u/project/setup.py", SHIM_ACC_READ, &out));
	/* pip may read index credentials */
	assert_false(decide_open(&d, SP_ROLE_PIP, "/home/u/.netrc", SHIM_ACC_READ, &out));
	assert_true(decide_open(&d, SP_ROLE_BUILD, "/home/u/.netrc", SHIM_ACC_READ, &out));

	assert_true(decide_open(&d, SP_ROLE_BUILD, "/home/u/.bashrc", SHIM_ACC_WRITE, &out));
	assert_string_equal(out.rule, "denied-write");
	assert_true(decide_open(&d, SP_ROLE_BUILD, "/etc/cron.d/x", SHIM_ACC_WRITE, &out));
	assert_true(decide_open(&d, SP_ROLE_BUILD, "/home/u/.config/autostart/x.desktop",
				SHIM_ACC_WRITE, &out));
	/* persistence is denied to pip too: a wheel's sitecustomize.py */
	assert_true(decide_open(&d, SP_ROLE_PIP, "/v/lib/python3.11/site-packages/sitecustomize.py",
				SHIM_ACC_WRITE, &out));
	/* reading a start-up file is fine, writing the build tree is fine */
	assert_false(decide_open(&d, SP_ROLE_BUILD, "/home/u/.bashrc", SHIM_ACC_READ, &out));
	assert_false(decide_open(&d, SP_ROLE_BUILD, "/tmp/pip-build/x.o", SHIM_ACC_WRITE, &out));
	/* a relative path never matches: callers pass absolute ones */
	assert_false(decide_open(&d, SP_ROLE_BUILD, ".bashrc", SHIM_ACC_WRITE, &out));
}

static void test_exec(void **state)
{
	struct decision out = { 0 };

	assert_true(decide_exec(&d, SP_ROLE_BUILD, "/usr/bin/curl", NULL, &out));
	assert_string_equal(out.rule, "denied-exec");
	assert_non_null(strstr(out.why, "exec.deny"));
	assert_true(decide_exec(&d, SP_ROLE_BUILD, "wget", "wget", &out));
	/* a renamed copy is caught by its argv[0] when that still says so */
	assert_true(decide_exec(&d, SP_ROLE_BUILD, "/tmp/x", "nc", &out));
	assert_false(decide_exec(&d, SP_ROLE_BUILD, "/usr/bin/gcc", "gcc", &out));
	assert_false(decide_exec(&d, SP_ROLE_PIP, "/usr/bin/curl", "curl", &out));
}

static void test_connect(void **state)
{
	struct decision out = { 0 };
	uint8_t a[16] = { 127, 0, 0, 1 };
	struct sp_policy *p = with_layer("version: 1\nnetwork:\n  allow: [{to: \"127.0.0.1:53\", roles: [build]}]\n");
	struct decider dd;

	assert_true(decide_connect(&d, SP_ROLE_BUILD, AF_INET, a, 9, &out));
	assert_string_equal(out.rule, "build-connect");
	assert_false(decide_connect(&d, SP_ROLE_PIP, AF_INET, a, 443, &out) && 0);
	assert_false(decide_connect(&d, SP_ROLE_BUILD, AF_UNIX, a, 0, &out));
	/* an allow entry for builds lets that destination through */
	decider_init(&dd, p);
	assert_false(decide_connect(&dd, SP_ROLE_BUILD, AF_INET, a, 53, &out));
	assert_true(decide_connect(&dd, SP_ROLE_BUILD, AF_INET, a, 54, &out));
	sp_policy_free(p);
}

static void test_prefilter(void **state)
{
	struct shim_cfg *cfg = calloc(1, sizeof(*cfg));

	assert_non_null(cfg);
	assert_int_equal(decide_prefilter(&d, cfg, 99, 1234), 0);
	assert_int_equal(shim_cfg_check(cfg, sizeof(*cfg), 99), 0);
	assert_int_equal(cfg->ask_timeout_ms, 1234);
	/* the embedded default fits: nothing is asked about wholesale */
	assert_int_equal(cfg->flags, 0);
	/* everything denied above is asked about; what is not, is not */
	assert_true(shim_cfg_wants_exec(cfg, "/usr/bin/curl"));
	assert_false(shim_cfg_wants_exec(cfg, "/usr/bin/gcc"));
	assert_true(shim_cfg_wants_host(cfg, "abc.ngrok.io"));
	assert_true(shim_cfg_wants_host(cfg, "webhook.site"));
	assert_false(shim_cfg_wants_host(cfg, "pypi.org"));
	assert_true(shim_cfg_wants_path(cfg, "/home/u/.ssh/id_rsa", SHIM_ACC_READ));
	assert_true(shim_cfg_wants_path(cfg, "/home/u/.bashrc", SHIM_ACC_WRITE));
	assert_true(shim_cfg_wants_path(cfg, "/v/lib/python3.11/site-packages/sitecustomize.py",
					SHIM_ACC_WRITE));
	assert_false(shim_cfg_wants_path(cfg, "/home/u/.bashrc", SHIM_ACC_READ));
	assert_false(shim_cfg_wants_path(cfg, "/usr/lib/python3/os.py", SHIM_ACC_READ));
	free(cfg);
}

static void test_prefilter_overflow(void **state)
{
	struct shim_cfg *cfg = calloc(1, sizeof(*cfg));
	struct sp_policy *p = with_layer("version: 1\nexec:\n  deny: [\"/opt/*/bin/t?ol\"]\n"
					 "network:\n  deny: [\"*\"]\n");
	struct decider dd;

	assert_non_null(cfg);
	decider_init(&dd, p);
	assert_int_equal(decide_prefilter(&dd, cfg, 1, 1), 0);
	/* a glob in a program name, or "deny every host": ask about all of that kind */
	assert_true(cfg->flags & SHIM_CFG_ASK_EXEC);
	assert_true(cfg->flags & SHIM_CFG_ASK_HOST);
	assert_false(cfg->flags & SHIM_CFG_ASK_PATH);
	assert_true(shim_cfg_wants_exec(cfg, "/usr/bin/gcc"));
	assert_false(shim_cfg_wants_path(cfg, "/usr/lib/python3/os.py", SHIM_ACC_READ));
	sp_policy_free(p);
	free(cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hosts),
		cmocka_unit_test(test_files),
		cmocka_unit_test(test_exec),
		cmocka_unit_test(test_connect),
		cmocka_unit_test(test_prefilter),
		cmocka_unit_test(test_prefilter_overflow),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
