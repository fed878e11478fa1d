// SPDX-License-Identifier: MIT
/*
 * Layering: later layers override settings and add entries; a locked
 * layer cannot be weakened, and the error names both files and lines.
 * The standard layer discovery (/etc dir, policy.d sorted, user file),
 * --allow, and `policy show` with provenance.
 */
#include "tests/cmocka_all.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "policy/policy.h"

static const struct sp_policy_env env = { .homes = { "/home/u" } };

struct fix {
	struct sp_policy *p;
	struct sp_errors err;
	char dir[64];
};

static int setup(void **state)
{
	struct fix *f = calloc(1, sizeof(*f));

	f->p = sp_policy_new(&env);
	assert_non_null(f->p);
	assert_int_equal(sp_policy_add_default(f->p, &f->err), 0);
	snprintf(f->dir, sizeof(f->dir), "/tmp/sp-layers-test.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fix *f = *state;
	char cmd[128];

	sp_policy_free(f->p);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

static int add(struct fix *f, const char *name, const char *yaml)
{
	memset(&f->err, 0, sizeof(f->err));
	return sp_policy_add_yaml(f->p, name, yaml, strlen(yaml), &f->err);
}

static void write_file(const char *dir, const char *name, const char *text)
{
	char path[256];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fp = fopen(path, "we");
	assert_non_null(fp);
	fputs(text, fp);
	assert_int_equal(fclose(fp), 0);
}

/* The single error contains every string of want[]. */
static void expect_lock_error(struct fix *f, const char *yaml, unsigned line, const char *const *want)
{
	unsigned layers = sp_policy_nlayers(f->p);

	assert_int_equal(add(f, "user.yaml", yaml), -EINVAL);
	assert_true(f->err.n >= 1);
	assert_string_equal(f->err.v[0].file, "user.yaml");
	assert_int_equal(f->err.v[0].line, line);
	for (; *want; want++)
		if (!strstr(f->err.v[0].msg, *want))
			fail_msg("expected '%s' in: %s", *want, f->err.v[0].msg);
	assert_int_equal(sp_policy_nlayers(f->p), layers);
}

static void test_later_layers_override_and_add(void **state)
{
	struct fix *f = *state;

	assert_int_equal(add(f, "a.yaml", "threshold: 70\npackages: {deny: [x]}\n"), 0);
	assert_int_equal(add(f, "b.yaml", "threshold: 90\nmode: monitor\npackages: {allow: [x], deny: [y]}\n"), 0);
	assert_int_equal(sp_policy_threshold(f->p), 90);
	assert_int_equal(sp_policy_mode(f->p), SP_MODE_MONITOR);
	/* the later layer's allow beats the earlier deny */
	assert_int_equal(sp_policy_match_package(f->p, "x", NULL)->action, SP_ACT_ALLOW);
	assert_string_equal(sp_policy_match_package(f->p, "x", NULL)->loc.file, "b.yaml");
	assert_int_equal(sp_policy_match_package(f->p, "y", NULL)->action, SP_ACT_DENY);
	assert_int_equal(sp_policy_nlayers(f->p), 3);
}

static const char *const LOCKED =
	"version: 1\n"
	"locked: true\n"
	"threshold: 80\n"
	"rules: {listen: {weight: 90, cap: 90}}\n"
	"typosquat: {max_distance: 2}\n"
	"packages: {deny: [evil]}\n";

static void test_lock_threshold(void **state)
{
	struct fix *f = *state;

	assert_int_equal(add(f, "/etc/safe-pip/policy.yaml", LOCKED), 0);
	expect_lock_error(f, "threshold: 81\n", 1,
			  (const char *const[]){ "raising the threshold from 80 (/etc/safe-pip/policy.yaml:3) to 81",
						 "locked policy /etc/safe-pip/policy.yaml",
						 "locked at /etc/safe-pip/policy.yaml:2", NULL });
	/* lowering is fine */
	assert_int_equal(add(f, "user.yaml", "threshold: 50\n"), 0);
	assert_int_equal(sp_policy_threshold(f->p), 50);
	/* and the lowered value is the new bar */
	expect_lock_error(f, "threshold: 60\n", 1, (const char *const[]){ "from 50 (user.yaml:1)", NULL });
}

static void test_lock_mode_and_allows(void **state)
{
	struct fix *f = *state;

	assert_int_equal(add(f, "/etc/p.yaml", LOCKED), 0);
	expect_lock_error(f, "mode: monitor\n", 1,
			  (const char *const[]){ "mode: monitor would weaken the locked policy /etc/p.yaml", NULL });
	expect_lock_error(f, "packages: {allow: [evil]}\n", 1,
			  (const char *const[]){ "packages.allow entry 'evil'", "locked at /etc/p.yaml:2", NULL });
	expect_lock_error(f, "network: {allow: [\"*\"]}\n", 1,
			  (const char *const[]){ "network.allow entry '*'", NULL });
	expect_lock_error(f, "files: {allow_write: [\"/x/**\"]}\n", 1,
			  (const char *const[]){ "files.allow_write entry '/x/**'", NULL });
	expect_lock_error(f, "\n\nexec: {allow: [curl]}\n", 3,
			  (const char *const[]){ "exec.allow entry 'curl'", NULL });
	/* denies, stricter settings and "enforce" are fine */
	assert_int_equal(add(f, "user.yaml", "mode: enforce\npackages: {deny: [other]}\n"
				"network: {deny: [\"10.0.0.0/8\"]}\nexec: {deny: [xyz]}\n"), 0);
}

static void test_lock_rules(void **state)
{
	struct fix *f = *state;

	assert_int_equal(add(f, "/etc/p.yaml", LOCKED), 0);
	expect_lock_error(f, "rules: {listen: {weight: 10}}\n", 1,
			  (const char *const[]){ "lowering the weight of rule listen from 90 (/etc/p.yaml:4) to 10", NULL });
	expect_lock_error(f, "rules: {listen: {cap: 10}}\n", 1,
			  (const char *const[]){ "lowering the cap of rule listen", NULL });
	expect_lock_error(f, "rules: {ptrace: {enabled: false}}\n", 1,
			  (const char *const[]){ "disabling rule ptrace", NULL });
	expect_lock_error(f, "typosquat: {enabled: false}\n", 1,
			  (const char *const[]){ "disabling the typosquatting check", NULL });
	expect_lock_error(f, "typosquat: {max_distance: 1}\n", 1,
			  (const char *const[]){ "lowering typosquat.max_distance from 2 (/etc/p.yaml:5) to 1", NULL });
	expect_lock_error(f, "typosquat: {popular_top_n: 10}\n", 1,
			  (const char *const[]){ "lowering typosquat.popular_top_n from 5000", NULL });
	/* write confinement, once required by a locked layer, stays */
	assert_int_equal(add(f, "/etc/p2.yaml", "locked: true\nfiles: {confine_writes: true}\n"), 0);
	expect_lock_error(f, "files: {confine_writes: false}\n", 1,
			  (const char *const[]){ "files.confine_writes: false would weaken the locked policy /etc/p2.yaml", NULL });
	assert_int_equal(add(f, "user.yaml", "files: {confine_writes: true}\nrequire: [enforcing]\n"), 0);
	assert_int_equal(add(f, "user.yaml", "rules: {listen: {weight: 200, cap: 300, enabled: true}}\n"
				"typosquat: {max_distance: 3, popular_top_n: 8000}\n"), 0);
	assert_int_equal(sp_policy_rule(f->p, "listen")->weight, 200);
}

static void test_lock_reports_every_weakening(void **state)
{
	struct fix *f = *state;

	assert_int_equal(add(f, "/etc/p.yaml", LOCKED), 0);
	assert_int_equal(add(f, "user.yaml", "threshold: 1000\nmode: monitor\npackages: {allow: [a, b]}\n"),
			 -EINVAL);
	assert_int_equal(f->err.n, 4);
}

static void test_unlocked_layers_may_weaken(void **state)
{
	struct fix *f = *state;

	assert_int_equal(add(f, "a.yaml", "threshold: 10\n"), 0);
	assert_int_equal(add(f, "b.yaml", "threshold: 500\nmode: monitor\nrules: {listen: {enabled: false}}\n"
				"packages: {allow: [x]}\n"), 0);
	assert_int_equal(sp_policy_threshold(f->p), 500);
	assert_false(sp_policy_rule(f->p, "listen")->enabled);
}

static void test_allow_cli(void **state)
{
	struct fix *f = *state;

	assert_int_equal(add(f, "a.yaml", "packages: {deny: [foo]}\n"), 0);
	memset(&f->err, 0, sizeof(f->err));
	assert_int_equal(sp_policy_allow_cli(f->p, "foo", &f->err), 0);
	assert_int_equal(sp_policy_allow_cli(f->p, "bar>=1", &f->err), 0);
	assert_int_equal(sp_policy_match_package(f->p, "foo", NULL)->action, SP_ACT_ALLOW);
	assert_string_equal(sp_policy_match_package(f->p, "foo", NULL)->loc.file, "--allow");
	assert_null(sp_policy_match_package(f->p, "bar", NULL));
	assert_non_null(sp_policy_match_package(f->p, "bar", "1.5"));
	/* one layer for all --allow */
	assert_int_equal(sp_policy_nlayers(f->p), 3);
	assert_int_equal(sp_policy_allow_cli(f->p, "not a name", &f->err), -EINVAL);
	assert_string_equal(f->err.v[0].file, "--allow");
	assert_int_equal(sp_policy_nlayers(f->p), 3);
}

static void test_allow_cli_locked(void **state)
{
	struct fix *f = *state;

	assert_int_equal(add(f, "/etc/p.yaml", LOCKED), 0);
	memset(&f->err, 0, sizeof(f->err));
	assert_int_equal(sp_policy_allow_cli(f->p, "evil", &f->err), -EINVAL);
	assert_non_null(strstr(f->err.v[0].msg, "packages.allow entry 'evil' would weaken the locked policy /etc/p.yaml"));
	assert_int_equal(sp_policy_match_package(f->p, "evil", NULL)->action, SP_ACT_DENY);
}

static void test_allow_cli_after_lock_in_shared_layer(void **state)
{
	struct fix *f = *state;

	assert_int_equal(sp_policy_allow_cli(f->p, "a", &f->err), 0);
	assert_int_equal(add(f, "l.yaml", "locked: true\n"), 0);
	/* a new --allow layer after the lock */
	assert_int_equal(sp_policy_allow_cli(f->p, "b", &f->err), -EINVAL);
	assert_null(sp_policy_match_package(f->p, "b", NULL));
	assert_non_null(sp_policy_match_package(f->p, "a", NULL));
}

static void test_standard_layers(void **state)
{
	struct fix *f = *state;
	char dropins[128], user[128];

	snprintf(dropins, sizeof(dropins), "%s/policy.d", f->dir);
	assert_int_equal(mkdir(dropins, 0700), 0);
	write_file(f->dir, "policy.yaml", "threshold: 90\n");
	write_file(dropins, "20-b.yaml", "threshold: 70\n");
	write_file(dropins, "10-a.yaml", "threshold: 80\n");
	write_file(dropins, "30-c.yml", "not: loaded\n");
	write_file(dropins, ".hidden.yaml", "not: loaded\n");
	write_file(f->dir, "user.yaml", "threshold: 60\n");
	snprintf(user, sizeof(user), "%s/user.yaml", f->dir);
	memset(&f->err, 0, sizeof(f->err));
	assert_int_equal(sp_policy_add_standard(f->p, f->dir, user, &f->err), 0);
	assert_int_equal(sp_policy_nlayers(f->p), 5);
	assert_non_null(strstr(sp_policy_layer(f->p, 1)->name, "/policy.yaml"));
	assert_non_null(strstr(sp_policy_layer(f->p, 2)->name, "/policy.d/10-a.yaml"));
	assert_non_null(strstr(sp_policy_layer(f->p, 3)->name, "/policy.d/20-b.yaml"));
	assert_string_equal(sp_policy_layer(f->p, 4)->name, user);
	assert_int_equal(sp_policy_threshold(f->p), 60);
}

static void test_standard_layers_missing_ok(void **state)
{
	struct fix *f = *state;
	char etc[128], user[128];

	snprintf(etc, sizeof(etc), "%s/nothing", f->dir);
	snprintf(user, sizeof(user), "%s/nothing.yaml", f->dir);
	assert_int_equal(sp_policy_add_standard(f->p, etc, user, &f->err), 0);
	assert_int_equal(sp_policy_nlayers(f->p), 1);
}

/* A locked /etc layer and a user layer that weakens it: error, both named. */
static void test_standard_layers_lock(void **state)
{
	struct fix *f = *state;
	char user[128];

	write_file(f->dir, "policy.yaml", "version: 1\nlocked: true\nthreshold: 50\n");
	write_file(f->dir, "user.yaml", "version: 1\nthreshold: 500\n");
	snprintf(user, sizeof(user), "%s/user.yaml", f->dir);
	memset(&f->err, 0, sizeof(f->err));
	assert_int_equal(sp_policy_add_standard(f->p, f->dir, user, &f->err), -EINVAL);
	assert_string_equal(f->err.v[0].file, user);
	assert_int_equal(f->err.v[0].line, 2);
	assert_int_equal(f->err.v[0].col, 12);
	assert_non_null(strstr(f->err.v[0].msg, "/policy.yaml:3) to 500"));
	assert_non_null(strstr(f->err.v[0].msg, "/policy.yaml:2)"));
}

static void test_show_provenance_and_roundtrip(void **state)
{
	struct fix *f = *state;
	char *text, *again;
	struct sp_policy *q;
	struct sp_errors err = { 0 };

	assert_int_equal(add(f, "/etc/x.yaml", "locked: true\nthreshold: 40\npackages:\n  deny:\n    - \"evil<2\"\n"
				"network: {deny: [{to: \"*.bad.example\", roles: [build]}]}\n"), 0);
	assert_int_equal(sp_policy_allow_cli(f->p, "good", &f->err), -EINVAL);     /* locked */
	text = sp_policy_show(f->p);
	assert_non_null(text);
	assert_non_null(strstr(text, "#   1. (embedded default)\n"));
	assert_non_null(strstr(text, "#   2. /etc/x.yaml (locked at line 1)\n"));
	assert_non_null(strstr(text, "threshold: 40  # /etc/x.yaml:2\n"));
	assert_non_null(strstr(text, "    - \"evil<2\"  # /etc/x.yaml:5\n"));
	assert_non_null(strstr(text, "{to: \"*.bad.example\", roles: [build]}  # /etc/x.yaml:6\n"));
	assert_non_null(strstr(text, "{to: \"$pip-index\", roles: [pip]}  # (embedded default):"));
	assert_non_null(strstr(text, "    - \"~/.ssh/**\"  # (embedded default):"));
	assert_non_null(strstr(text, "  build-connect:\n    weight: 100  # (embedded default):"));
	/* what show prints is a policy that loads, and shows the same settings */
	q = sp_policy_new(&env);
	assert_int_equal(sp_policy_add_yaml(q, "shown.yaml", text, strlen(text), &err), 0);
	again = sp_policy_show(q);
	assert_non_null(strstr(again, "threshold: 40  # shown.yaml:"));
	assert_non_null(strstr(again, "    - \"evil<2\"  # shown.yaml:"));
	assert_int_equal(sp_policy_match_package(q, "evil", "1.0")->action, SP_ACT_DENY);
	free(text);
	free(again);
	sp_policy_free(q);
}

static void test_show_index_hosts(void **state)
{
	struct fix *f = *state;
	char *hosts[] = { "pypi.org", "Files.PythonHosted.org" };
	char *text;

	assert_int_equal(sp_policy_set_index_hosts(f->p, hosts, 2), 0);
	text = sp_policy_show(f->p);
	assert_non_null(strstr(text, "# $pip-index stands for: pypi.org files.pythonhosted.org\n"));
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_later_layers_override_and_add, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lock_threshold, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lock_mode_and_allows, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lock_rules, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lock_reports_every_weakening, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unlocked_layers_may_weaken, setup, teardown),
		cmocka_unit_test_setup_teardown(test_allow_cli, setup, teardown),
		cmocka_unit_test_setup_teardown(test_allow_cli_locked, setup, teardown),
		cmocka_unit_test_setup_teardown(test_allow_cli_after_lock_in_shared_layer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_standard_layers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_standard_layers_missing_ok, setup, teardown),
		cmocka_unit_test_setup_teardown(test_standard_layers_lock, setup, teardown),
		cmocka_unit_test_setup_teardown(test_show_provenance_and_roundtrip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_show_index_hosts, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
