// SPDX-License-Identifier: MIT
/* The policy questions and the built-in default (guard/decide.c). */
#include "tests/cmocka_all.h"

#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "bpf/sp_event.h"
#include "guard/decide.h"
#include "preload/shim_enc.h"

static struct decider d;

static int setup(void **state)
{
	return decider_init(&d, "/home/u/");
}

static int teardown(void **state)
{
	decider_free(&d);
	return 0;
}

static void test_hosts(void **state)
{
	struct decision out = { 0 };

	assert_true(decide_host(&d, SP_ROLE_BUILD, "webhook.site", &out));
	assert_string_equal(out.rule, "dns-suspicious-host");
	assert_int_equal(out.error, EACCES);
	assert_non_null(strstr(out.why, "webhook.site"));
	assert_true(decide_host(&d, SP_ROLE_BUILD, "abc.ngrok-free.app", &out));
	assert_true(decide_host(&d, SP_ROLE_BUILD, "ABC.NGROK.IO.", &out));
	assert_true(decide_host(&d, SP_ROLE_BUILD, "x.oast.fun", &out));
	assert_true(decide_host(&d, SP_ROLE_BUILD, "discord.com", &out));
	assert_true(decide_host(&d, SP_ROLE_NONE, "api.telegram.org", &out));
	assert_false(decide_host(&d, SP_ROLE_BUILD, "pypi.org", &out));
	assert_false(decide_host(&d, SP_ROLE_BUILD, "files.pythonhosted.org", &out));
	assert_false(decide_host(&d, SP_ROLE_BUILD, "notwebhook.site.example", &out));
	/* pip itself is not restricted */
	assert_false(decide_host(&d, SP_ROLE_PIP, "webhook.site", &out));
	assert_false(decide_host(&d, SP_ROLE_BUILD, NULL, &out));
}

static void test_host_match(void **state)
{
	assert_true(decide_host_match("*.ngrok.io", "ngrok.io"));
	assert_true(decide_host_match("*.ngrok.io", "a.b.ngrok.io"));
	assert_false(decide_host_match("*.ngrok.io", "ngrok.io.evil.example"));
	assert_false(decide_host_match("webhook.site", ""));
	assert_false(decide_host_match("webhook.site", "."));
}

static void test_files(void **state)
{
	struct decision out = { 0 };

	assert_true(decide_open(&d, SP_ROLE_BUILD, "/home/u/.ssh/id_rsa", SHIM_ACC_READ, &out));
	assert_string_equal(out.rule, "read-secret");
	assert_false(decide_open(&d, SP_ROLE_BUILD, "/home/u/.ssh/id_rsa.pub", SHIM_ACC_READ, &out));
	assert_true(decide_open(&d, SP_ROLE_BUILD, "/home/u/.aws/credentials", SHIM_ACC_READ, &out));
	assert_true(decide_open(&d, SP_ROLE_BUILD, "/etc/shadow", SHIM_ACC_READ, &out));
	assert_false(decide_open(&d, SP_ROLE_BUILD, "/home/u/project/setup.py", SHIM_ACC_READ, &out));
	assert_false(decide_open(&d, SP_ROLE_PIP, "/home/u/.netrc", SHIM_ACC_READ, &out));
	assert_true(decide_open(&d, SP_ROLE_BUILD, "/home/u/.netrc", SHIM_ACC_READ, &out));

	assert_true(decide_open(&d, SP_ROLE_BUILD, "/home/u/.bashrc", SHIM_ACC_WRITE, &out));
	assert_string_equal(out.rule, "write-outside-target");
	assert_true(decide_open(&d, SP_ROLE_BUILD, "/etc/cron.d/x", SHIM_ACC_WRITE, &out));
	assert_true(decide_open(&d, SP_ROLE_BUILD, "/home/u/.config/autostart/x.desktop",
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
	assert_string_equal(out.rule, "spawn-fetch");
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

	assert_true(decide_connect(&d, SP_ROLE_BUILD, AF_INET, a, 9, &out));
	assert_string_equal(out.rule, "build-connect");
	assert_false(decide_connect(&d, SP_ROLE_PIP, AF_INET, a, 443, &out));
	assert_false(decide_connect(&d, SP_ROLE_BUILD, AF_UNIX, a, 0, &out));
}

static void test_prefilter(void **state)
{
	struct shim_cfg *cfg = calloc(1, sizeof(*cfg));

	assert_non_null(cfg);
	assert_int_equal(decide_prefilter(&d, cfg, 99, 1234), 0);
	assert_int_equal(shim_cfg_check(cfg, sizeof(*cfg), 99), 0);
	assert_int_equal(cfg->ask_timeout_ms, 1234);
	assert_false(cfg->flags & SHIM_CFG_ASK_ALL);
	/* everything denied above is asked about; what is not, is not */
	assert_true(shim_cfg_wants_exec(cfg, "/usr/bin/curl"));
	assert_false(shim_cfg_wants_exec(cfg, "/usr/bin/gcc"));
	assert_true(shim_cfg_wants_host(cfg, "abc.ngrok.io"));
	assert_false(shim_cfg_wants_host(cfg, "pypi.org"));
	assert_true(shim_cfg_wants_path(cfg, "/home/u/.ssh/id_rsa", SHIM_ACC_READ));
	assert_true(shim_cfg_wants_path(cfg, "/home/u/.bashrc", SHIM_ACC_WRITE));
	assert_false(shim_cfg_wants_path(cfg, "/home/u/.bashrc", SHIM_ACC_READ));
	assert_false(shim_cfg_wants_path(cfg, "/usr/lib/python3/os.py", SHIM_ACC_READ));
	free(cfg);
}

static void test_no_home(void **state)
{
	struct decider nd;
	struct decision out = { 0 };

	/* without a usable home, "~/" rules are left out, the others stay */
	assert_int_equal(decider_init(&nd, "relative/home"), 0);
	assert_false(decide_open(&nd, SP_ROLE_BUILD, "/.ssh/id_rsa", SHIM_ACC_READ, &out));
	assert_true(decide_open(&nd, SP_ROLE_BUILD, "/etc/shadow", SHIM_ACC_READ, &out));
	decider_free(&nd);
	assert_int_equal(decider_init(&nd, "/"), 0);
	assert_true(decide_open(&nd, SP_ROLE_BUILD, "/.ssh/id_rsa", SHIM_ACC_READ, &out));
	decider_free(&nd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hosts),
		cmocka_unit_test(test_host_match),
		cmocka_unit_test(test_files),
		cmocka_unit_test(test_exec),
		cmocka_unit_test(test_connect),
		cmocka_unit_test(test_prefilter),
		cmocka_unit_test(test_no_home),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
