// SPDX-License-Identifier: MIT
/* Command line parsing: what is safe-pip's, what goes to pip untouched. */
#include "tests/cmocka_all.h"

#include <stdlib.h>
#include <string.h>

#include "guard/cli.h"

static int parse(struct options *o, char **argv, char *err)
{
	int argc = 0;

	while (argv[argc])
		argc++;
	return options_parse(o, argc, argv, err, 256);
}

static void test_install_args_untouched(void **state)
{
	char *argv[] = { "safe-pip", "install", "-r", "req.txt", "-e", ".", "--index-url",
			 "http://x/simple", "-v", "--log", "pip.log", "--python", "x", NULL };
	struct options o;
	char err[256];

	assert_int_equal(parse(&o, argv, err), 0);
	assert_int_equal(o.cmd, CMD_GUARDED);
	assert_string_equal(o.pip_command, "install");
	assert_int_equal(o.pip_argc, 12);
	for (int i = 0; i < 12; i++)
		assert_ptr_equal(o.pip_argv[i], argv[i + 1]);
	assert_null(o.pip_argv[12]);
	assert_null(o.log_path);
	assert_int_equal(o.verbose, 0);
	options_free(&o);
}

static void test_own_options_before_command(void **state)
{
	char *argv[] = { "safe-pip", "-vv", "--python=/py", "--log", "/l", "download", "x", NULL };
	struct options o;
	char err[256];

	unsetenv("SAFE_PIP_PYTHON");
	assert_int_equal(parse(&o, argv, err), 0);
	assert_int_equal(o.cmd, CMD_GUARDED);
	assert_int_equal(o.verbose, 2);
	assert_string_equal(o.python, "/py");
	assert_string_equal(o.python_source, "--python");
	assert_string_equal(o.log_path, "/l");
	assert_int_equal(o.pip_argc, 2);
	options_free(&o);
}

static void test_pip_general_options_pass(void **state)
{
	char *argv[] = { "safe-pip", "--isolated", "--proxy", "http://p:1", "--timeout=5", "-q",
			 "wheel", ".", NULL };
	struct options o;
	char err[256];

	assert_int_equal(parse(&o, argv, err), 0);
	assert_int_equal(o.cmd, CMD_GUARDED);
	assert_string_equal(o.pip_command, "wheel");
	assert_int_equal(o.pip_argc, 7);
	assert_string_equal(o.pip_argv[0], "--isolated");
	assert_string_equal(o.pip_argv[1], "--proxy");
	assert_string_equal(o.pip_argv[2], "http://p:1");
	assert_string_equal(o.pip_argv[3], "--timeout=5");
	assert_string_equal(o.pip_argv[4], "-q");
	assert_string_equal(o.pip_argv[5], "wheel");
	options_free(&o);
}

static void test_passthrough_commands(void **state)
{
	const char *cmds[] = { "list", "show", "freeze", "uninstall", "help", "config" };

	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		char *argv[] = { "safe-pip", (char *)cmds[i], "-y", NULL };
		struct options o;
		char err[256];

		assert_int_equal(parse(&o, argv, err), 0);
		assert_int_equal(o.cmd, CMD_PASSTHROUGH);
		assert_int_equal(o.pip_argc, 2);
		options_free(&o);
	}
}

static void test_no_command(void **state)
{
	char *argv[] = { "safe-pip", NULL };
	struct options o;
	char err[256];

	assert_int_equal(parse(&o, argv, err), 0);
	assert_int_equal(o.cmd, CMD_PASSTHROUGH);
	assert_null(o.pip_command);
	assert_int_equal(o.pip_argc, 0);
	options_free(&o);
}

static void test_errors(void **state)
{
	char *a1[] = { "safe-pip", "--bogus", "install", NULL };
	char *a2[] = { "safe-pip", "--python", NULL };
	char *a3[] = { "safe-pip", "--proxy", NULL };
	char *a4[] = { "safe-pip", "--verbose=3", "install", NULL };
	struct options o;
	char err[256];

	assert_int_equal(parse(&o, a1, err), -EINVAL);
	assert_non_null(strstr(err, "--bogus"));
	options_free(&o);
	assert_int_equal(parse(&o, a2, err), -EINVAL);
	assert_non_null(strstr(err, "needs a value"));
	options_free(&o);
	assert_int_equal(parse(&o, a3, err), -EINVAL);
	options_free(&o);
	assert_int_equal(parse(&o, a4, err), -EINVAL);
	assert_non_null(strstr(err, "takes no value"));
	options_free(&o);
}

static void test_help_version_env(void **state)
{
	char *a1[] = { "safe-pip", "--help", "install", NULL };
	char *a2[] = { "safe-pip", "-V", NULL };
	char *a3[] = { "safe-pip", "install", "x", NULL };
	struct options o;
	char err[256];

	assert_int_equal(parse(&o, a1, err), 0);
	assert_int_equal(o.cmd, CMD_HELP);
	options_free(&o);
	assert_int_equal(parse(&o, a2, err), 0);
	assert_int_equal(o.cmd, CMD_VERSION);
	options_free(&o);
	setenv("SAFE_PIP_PYTHON", "/env/python", 1);
	assert_int_equal(parse(&o, a3, err), 0);
	assert_string_equal(o.python, "/env/python");
	assert_string_equal(o.python_source, "SAFE_PIP_PYTHON");
	options_free(&o);
	setenv("SAFE_PIP_PYTHON", "", 1);
	assert_int_equal(parse(&o, a3, err), 0);
	assert_null(o.python);
	options_free(&o);
	unsetenv("SAFE_PIP_PYTHON");
}

static void test_guarded_set(void **state)
{
	assert_true(pip_command_is_guarded("install"));
	assert_true(pip_command_is_guarded("download"));
	assert_true(pip_command_is_guarded("wheel"));
	assert_false(pip_command_is_guarded("list"));
	assert_false(pip_command_is_guarded("installx"));
	assert_false(pip_command_is_guarded(""));
}

/* --policy and --allow (repeatable) before the command; the policy command */
static void test_policy_options(void **state)
{
	char *a1[] = { "safe-pip", "--policy", "a.yaml", "--allow=x", "--policy=b.yaml", "--allow", "y",
		       "install", "--policy", "z", NULL };
	char *a2[] = { "safe-pip", "--policy", "p.yaml", "policy", "show", NULL };
	char *a3[] = { "safe-pip", "--allow", NULL };
	struct options o;
	char err[256];

	assert_int_equal(parse(&o, a1, err), 0);
	assert_int_equal(o.cmd, CMD_GUARDED);
	assert_int_equal(o.npolicies, 2);
	assert_string_equal(o.policies[0], "a.yaml");
	assert_string_equal(o.policies[1], "b.yaml");
	assert_int_equal(o.nallows, 2);
	assert_string_equal(o.allows[0], "x");
	assert_string_equal(o.allows[1], "y");
	/* after the command, --policy is pip's argument */
	assert_int_equal(o.pip_argc, 3);
	assert_string_equal(o.pip_argv[1], "--policy");
	options_free(&o);
	assert_int_equal(parse(&o, a2, err), 0);
	assert_int_equal(o.cmd, CMD_POLICY);
	assert_int_equal(o.pip_argc, 2);
	assert_string_equal(o.pip_argv[1], "show");
	options_free(&o);
	assert_int_equal(parse(&o, a3, err), -EINVAL);
	assert_non_null(strstr(err, "needs a value"));
	options_free(&o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_install_args_untouched),
		cmocka_unit_test(test_own_options_before_command),
		cmocka_unit_test(test_pip_general_options_pass),
		cmocka_unit_test(test_passthrough_commands),
		cmocka_unit_test(test_no_command),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_help_version_env),
		cmocka_unit_test(test_guarded_set),
		cmocka_unit_test(test_policy_options),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
