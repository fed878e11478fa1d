// SPDX-License-Identifier: MIT
/* Where pip writes: its arguments, configuration files and environment. */
#include "tests/cmocka_all.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "guard/txn_plan.h"

static struct pip_settings parse(int argc, char **argv, const char **cmd)
{
	struct pip_settings s = { .user = -1 };
	char err[128];

	assert_int_equal(pip_args_parse(&s, argv, argc, cmd, err, sizeof(err)), 0);
	return s;
}

static void test_args_target(void **state)
{
	char *a1[] = { "install", "-t", "/t1", "pkg" };
	char *a2[] = { "install", "--targ=/t2", "pkg" };
	char *a3[] = { "install", "-Ut/t3", "pkg" };
	char *a4[] = { "--isolated", "install", "-q", "--target", "/t4" };
	const char *cmd;
	struct pip_settings s;

	s = parse(4, a1, &cmd);
	assert_string_equal(cmd, "install");
	assert_string_equal(s.target, "/t1");
	pip_settings_free(&s);
	s = parse(3, a2, &cmd);
	assert_string_equal(s.target, "/t2");     /* optparse's unique abbreviation */
	pip_settings_free(&s);
	s = parse(3, a3, &cmd);
	assert_string_equal(s.target, "/t3");     /* a cluster: -U, then -t with its value */
	pip_settings_free(&s);
	s = parse(5, a4, &cmd);
	assert_true(s.isolated);
	assert_string_equal(s.target, "/t4");
	pip_settings_free(&s);
}

static void test_args_scheme(void **state)
{
	char *a1[] = { "install", "--prefix", "/p", "--root=/r", "--user", "x" };
	char *a2[] = { "install", "--pre", "--no-user", "x" };
	char *a3[] = { "install", "--pref", "/p", "x" };     /* --prefix or --prefer-binary */
	char *a4[] = { "install", "--python", "/usr/bin/python3", "x" };
	char *a5[] = { "install", "x", "--target" };          /* pip refuses it */
	const char *cmd;
	struct pip_settings s;

	s = parse(6, a1, &cmd);
	assert_string_equal(s.prefix, "/p");
	assert_string_equal(s.root, "/r");
	assert_int_equal(s.user, 1);
	pip_settings_free(&s);
	s = parse(4, a2, &cmd);
	assert_null(s.prefix);                   /* --pre is an exact name, not --prefix */
	assert_int_equal(s.user, 0);
	pip_settings_free(&s);
	s = parse(4, a3, &cmd);
	assert_null(s.prefix);                   /* ambiguous: pip says so itself */
	pip_settings_free(&s);
	s = parse(4, a4, &cmd);
	assert_true(s.other_python);
	pip_settings_free(&s);
	s = parse(3, a5, &cmd);
	assert_null(s.target);
	pip_settings_free(&s);
}

static void test_args_outputs(void **state)
{
	char *a1[] = { "--cache-dir", "/c", "download", "-d", "/d", "--log", "/l", "x" };
	char *a2[] = { "wheel", "-w/w", "--no-cache-dir", "--report", "/r", "x" };
	char *a3[] = { "install", "-e", "/", "--src", "/s", "--", "/", "-x" };
	const char *cmd;
	struct pip_settings s;

	s = parse(8, a1, &cmd);
	assert_string_equal(cmd, "download");
	assert_string_equal(s.cache_dir, "/c");
	assert_string_equal(s.dest, "/d");
	assert_string_equal(s.log, "/l");
	pip_settings_free(&s);
	s = parse(6, a2, &cmd);
	assert_string_equal(s.wheel_dir, "/w");
	assert_true(s.no_cache);
	assert_null(s.report);                   /* --report is install's only */
	pip_settings_free(&s);
	s = parse(8, a3, &cmd);
	assert_string_equal(s.src, "/s");
	/* "-e /" and the positional "/" are local directories; "-x" after -- is no option */
	assert_int_equal(s.nlocals, 2);
	assert_string_equal(s.locals[0], "/");
	pip_settings_free(&s);
}

static void test_config(void **state)
{
	struct pip_settings s = { .user = -1 };
	const char *ini =
		"# comment\n"
		"[DEFAULT]\n"
		"cache_dir = /dflt\n"
		"[global]\n"
		"target = /g\n"
		"  continued line\n"
		"; another comment\n"
		"user: yes\n"
		"[install]\n"
		"Target = /i\n"
		"prefix =\n"
		"[other]\n"
		"root = /o\n";

	assert_int_equal(pip_config_apply(&s, ini, "install", 0), 0);
	assert_string_equal(s.target, "/g");
	assert_int_equal(s.user, 1);
	assert_string_equal(s.cache_dir, "/dflt");
	assert_int_equal(pip_config_apply(&s, ini, "install", 1), 0);
	assert_string_equal(s.target, "/i");     /* [install] after [global] */
	assert_null(s.prefix);                   /* empty values are ignored */
	assert_null(s.root);                     /* sections of other commands are not */
	pip_settings_free(&s);
	/* a file without the section: [DEFAULT] does not apply either */
	assert_int_equal(pip_config_apply(&s, "[DEFAULT]\ntarget = /x\n", "install", 1), 0);
	assert_null(s.target);
	assert_int_equal(pip_config_apply(&s, "[wheel]\nwheel-dir = /w\n[download]\ntarget=/x\n",
					  "wheel", 1), 0);
	assert_string_equal(s.wheel_dir, "/w");
	assert_null(s.target);
	pip_settings_free(&s);
}

static struct pyinfo venv_info(void)
{
	struct pyinfo py = {
		.python = "/nonexistent/venv/bin/python",
		.prefix = "/nonexistent/venv",
		.base_prefix = "/usr",
		.purelib = "/nonexistent/venv/lib/python3.11/site-packages",
		.platlib = "/nonexistent/venv/lib/python3.11/site-packages",
		.scripts = "/nonexistent/venv/bin",
		.data = "/nonexistent/venv",
		.userbase = "/nonexistent/home/.local",
		.in_venv = true,
	};
	return py;
}

static void plan(struct txn_plan *p, int argc, char **argv)
{
	struct pyinfo py = venv_info();
	char err[256] = "";

	if (txn_plan_make(p, &py, argv, argc, err, sizeof(err)) < 0)
		fail_msg("%s", err);
}

static void test_plan(void **state)
{
	char *a1[] = { "install", "x" };
	char *a2[] = { "install", "--target", "rel/dir", "x" };
	char *a3[] = { "install", "--prefix", "/nonexistent/p", "--root", "/nonexistent/r", "x" };
	char *a4[] = { "install", "--user", "x" };
	char cwd[4096], want[4200];
	struct txn_plan p;

	setenv("PIP_CONFIG_FILE", "/dev/null", 1);
	setenv("HOME", "/nonexistent/home", 1);
	unsetenv("XDG_CACHE_HOME");
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	plan(&p, 2, a1);
	assert_int_equal(p.ntargets, 1);        /* everything of the scheme is under the venv */
	assert_string_equal(p.targets[0], "/nonexistent/venv");
	assert_int_equal(p.npass, 1);
	assert_string_equal(p.pass[0], "/nonexistent/home/.cache/pip");
	txn_plan_free(&p);
	plan(&p, 4, a2);
	snprintf(want, sizeof(want), "%s/rel/dir", cwd);
	assert_string_equal(p.targets[0], want);
	txn_plan_free(&p);
	plan(&p, 6, a3);
	assert_string_equal(p.targets[0], "/nonexistent/r/nonexistent/p");
	txn_plan_free(&p);
	plan(&p, 3, a4);
	assert_true(p.user_scheme);
	assert_string_equal(p.targets[0], "/nonexistent/home/.local");
	txn_plan_free(&p);
}

static void test_plan_precedence(void **state)
{
	char *a1[] = { "install", "x" };
	char *a2[] = { "install", "--target", "/nonexistent/cl", "x" };
	char *a3[] = { "--isolated", "install", "x" };
	char file[] = "/tmp/sp-test-pipconf-XXXXXX";
	int fd = mkstemp(file);
	struct txn_plan p;

	assert_true(fd >= 0);
	assert_int_equal(write(fd, "[install]\ntarget = /nonexistent/conf\n", 37), 37);
	close(fd);
	setenv("PIP_CONFIG_FILE", file, 1);
	unsetenv("PIP_TARGET");
	plan(&p, 2, a1);
	assert_string_equal(p.targets[0], "/nonexistent/conf");
	txn_plan_free(&p);
	setenv("PIP_TARGET", "/nonexistent/env", 1);
	plan(&p, 2, a1);
	assert_string_equal(p.targets[0], "/nonexistent/env");      /* environment over files */
	txn_plan_free(&p);
	plan(&p, 4, a2);
	assert_string_equal(p.targets[0], "/nonexistent/cl");       /* command line over all */
	txn_plan_free(&p);
	plan(&p, 3, a3);
	assert_string_equal(p.targets[0], "/nonexistent/conf");     /* --isolated: no PIP_* */
	txn_plan_free(&p);
	unsetenv("PIP_TARGET");
	unlink(file);
}

static void test_plan_refuses_other_python(void **state)
{
	char *a[] = { "install", "--python=/usr/bin/python3", "x" };
	struct pyinfo py = venv_info();
	struct txn_plan p;
	char err[256] = "";

	setenv("PIP_CONFIG_FILE", "/dev/null", 1);
	assert_int_equal(txn_plan_make(&p, &py, a, 3, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "another environment"));
	txn_plan_free(&p);
}

extern char **environ;

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_args_target),
		cmocka_unit_test(test_args_scheme),
		cmocka_unit_test(test_args_outputs),
		cmocka_unit_test(test_config),
		cmocka_unit_test(test_plan),
		cmocka_unit_test(test_plan_precedence),
		cmocka_unit_test(test_plan_refuses_other_python),
	};

	/* the runner's own pip settings must not leak in */
	for (int again = 1; again;) {
		again = 0;
		for (char **e = environ; *e; e++) {
			if (strncmp(*e, "PIP_", 4) == 0) {
				char name[128];

				snprintf(name, sizeof(name), "%.*s", (int)strcspn(*e, "="), *e);
				unsetenv(name);
				again = 1;
				break;
			}
		}
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
