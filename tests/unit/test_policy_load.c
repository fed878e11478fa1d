// SPDX-License-Identifier: MIT
/*
 * The policy loader on good and hostile input: every error names
 * file:line:column and what was expected, every limit is enforced, and a
 * failed load leaves the policy as it was.
 */
#include "tests/cmocka_all.h"

#include <fcntl.h>
#include <limits.h>
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

	assert_non_null(f);
	f->p = sp_policy_new(&env);
	assert_non_null(f->p);
	snprintf(f->dir, sizeof(f->dir), "/tmp/sp-policy-test.XXXXXX");
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

static int add(struct fix *f, const char *yaml)
{
	memset(&f->err, 0, sizeof(f->err));
	return sp_policy_add_yaml(f->p, "t.yaml", yaml, strlen(yaml), &f->err);
}

/* The first error is at line:col and its message contains what. */
static void expect_error(struct fix *f, const char *yaml, unsigned line, unsigned col, const char *what)
{
	unsigned layers = sp_policy_nlayers(f->p);
	int r = add(f, yaml);

	assert_int_equal(r, -EINVAL);
	assert_true(f->err.n >= 1);
	if (!strstr(f->err.v[0].msg, what))
		fail_msg("expected '%s' in: %s:%u:%u: %s", what, f->err.v[0].file, f->err.v[0].line,
			 f->err.v[0].col, f->err.v[0].msg);
	assert_string_equal(f->err.v[0].file, "t.yaml");
	assert_int_equal(f->err.v[0].line, line);
	if (col)
		assert_int_equal(f->err.v[0].col, col);
	assert_int_equal(sp_policy_nlayers(f->p), layers);
}

static void test_default_loads(void **state)
{
	struct fix *f = *state;
	const struct sp_rule_conf *rc;

	assert_int_equal(sp_policy_add_default(f->p, &f->err), 0);
	assert_int_equal(f->err.n, 0);
	assert_int_equal(sp_policy_mode(f->p), SP_MODE_ENFORCE);
	assert_int_equal(sp_policy_threshold(f->p), 100);
	assert_int_equal(sp_policy_require(f->p), 0);
	rc = sp_policy_rule(f->p, "build-connect");
	assert_non_null(rc);
	assert_int_equal(rc->weight, 100);
	assert_int_equal(rc->cap, 100);
	assert_true(rc->enabled);
	assert_int_equal(sp_policy_rule(f->p, "daemonize")->weight, 30);
	assert_null(sp_policy_rule(f->p, "no-such-rule"));
	assert_true(sp_policy_typosquat(f->p)->enabled);
	assert_int_equal(sp_policy_typosquat(f->p)->popular_top_n, 5000);
	assert_string_equal(sp_policy_layer(f->p, 0)->name, SP_POLICY_DEFAULT_NAME);
}

/* Every rule of the registry has its weight and cap in the default policy. */
static void test_default_sets_every_rule(void **state)
{
	struct fix *f = *state;
	static const char *const ids[] = {
#define SP_RULE(c, id, d) id,
#include "policy/rules.def"
#undef SP_RULE
	};

	assert_int_equal(sp_policy_add_default(f->p, &f->err), 0);
	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		const struct sp_rule_conf *rc = sp_policy_rule(f->p, ids[i]);

		assert_non_null(rc);
		if (!rc->weight_loc.file || !rc->cap_loc.file)
			fail_msg("rule %s has no weight or cap in the default policy", ids[i]);
		assert_true(rc->weight > 0);
	}
}

static void test_full_schema(void **state)
{
	struct fix *f = *state;
	const char *y =
		"version: 1\n"
		"locked: false\n"
		"mode: monitor\n"
		"threshold: 60\n"
		"require: [kernel, shim]\n"
		"packages: {allow: [Foo_Bar], deny: [\"evil>=1,<2\", bad.pkg]}\n"
		"network:\n"
		"  allow: [\"*.corp.example:443\", {to: 10.0.0.0/8, roles: [build]}]\n"
		"  deny: [\"*:4444\", \"[2001:db8::/32]:1-1024\", \"::1\"]\n"
		"files: {deny_read: [\"~/.ssh/**\"], deny_write: [/etc/**], allow_write: [\"/tmp/**\"]}\n"
		"exec: {allow: [cc], deny: [curl, \"/tmp/**\"]}\n"
		"rules: {listen: {weight: 5, cap: 10, enabled: false}}\n"
		"typosquat: {enabled: false, max_distance: 1, popular_top_n: 100}\n";

	assert_int_equal(add(f, y), 0);
	assert_int_equal(sp_policy_mode(f->p), SP_MODE_MONITOR);
	assert_int_equal(sp_policy_threshold(f->p), 60);
	assert_int_equal(sp_policy_require(f->p), SP_REQUIRE_KERNEL | SP_REQUIRE_SHIM);
	assert_int_equal(sp_policy_require_loc(f->p, SP_REQUIRE_SHIM)->line, 5);
	assert_int_equal(sp_policy_rule(f->p, "listen")->weight, 5);
	assert_false(sp_policy_rule(f->p, "listen")->enabled);
	assert_int_equal(sp_policy_rule(f->p, "listen")->weight_loc.line, 12);
	assert_false(sp_policy_typosquat(f->p)->enabled);
	assert_int_equal(sp_policy_typosquat(f->p)->max_distance, 1);
	assert_non_null(sp_policy_match_package(f->p, "foo-bar", NULL));
	assert_int_equal(sp_policy_match_package(f->p, "bad-pkg", NULL)->action, SP_ACT_DENY);
	assert_int_equal(sp_policy_match_package(f->p, "bad-pkg", NULL)->loc.line, 6);
	assert_true(sp_policy_net_allows_role(f->p, SP_PROLE_BUILD));
}

/* require: [enforcing] and files.confine_writes, with their locations */
static void test_enforcing_and_confine(void **state)
{
	struct fix *f = *state;
	struct sp_loc loc;

	assert_int_equal(sp_policy_add_default(f->p, &f->err), 0);
	assert_false(sp_policy_confine_writes(f->p, &loc));
	assert_string_equal(loc.file, SP_POLICY_DEFAULT_NAME);
	assert_int_equal(add(f, "version: 1\nrequire: [enforcing]\n"
			     "files:\n  confine_writes: true\n  allow_write: [\"/srv/build/**\"]\n"), 0);
	assert_int_equal(sp_policy_require(f->p), SP_REQUIRE_ENFORCING);
	assert_int_equal(sp_policy_require_loc(f->p, SP_REQUIRE_ENFORCING)->line, 2);
	assert_null(sp_policy_require_loc(f->p, SP_REQUIRE_KERNEL));
	assert_true(sp_policy_confine_writes(f->p, &loc));
	assert_string_equal(loc.file, "t.yaml");
	assert_int_equal(loc.line, 4);
	expect_error(f, "require: [enforcng]\n", 1, 11, "did you mean 'enforcing'");
	expect_error(f, "files: {confine_writes: yes}\n", 1, 25, "expected true or false");
	expect_error(f, "files: {confine_write: true}\n", 1, 9, "did you mean 'confine_writes'");
}

static int count_allow(void *ctx, const char *pattern, const struct sp_entry *e)
{
	char *seen = ctx;

	snprintf(seen + strlen(seen), 512 - strlen(seen), "%s@%u;", pattern, e->loc.line);
	return 0;
}

/* The allow_write patterns in layer order, "~" expanded, for Landlock roots. */
static void test_write_allows_listed(void **state)
{
	struct fix *f = *state;
	char seen[512] = "";

	assert_int_equal(add(f, "files:\n  allow_write: [\"/tmp/**\", \"~/.cache/**\"]\n"
			     "  deny_write: [\"/etc/**\"]\n"), 0);
	assert_int_equal(add(f, "files: {allow_write: [\"/dev/null\"]}\n"), 0);
	assert_int_equal(sp_policy_write_allows(f->p, count_allow, seen), 0);
	assert_string_equal(seen, "/tmp/**@2;/home/u/.cache/**@2;/dev/null@1;");
}

static void test_syntax_error_position(void **state)
{
	expect_error(*state, "version: 1\nmode: [enforce\n", 3, 0, "invalid YAML");
}

static void test_unknown_keys_hint(void **state)
{
	struct fix *f = *state;

	expect_error(f, "version: 1\nthreshhold: 5\n", 2, 1, "did you mean 'threshold'");
	expect_error(f, "version: 1\npackages:\n  alow: [x]\n", 3, 3, "did you mean 'allow'");
	expect_error(f, "files:\n  deny-read: []\n", 2, 3, "did you mean 'deny_read'");
	expect_error(f, "rules:\n  listn: {weight: 1}\n", 2, 3, "did you mean 'listen'");
	expect_error(f, "rules:\n  listen: {wieght: 1}\n", 2, 12, "did you mean 'weight'");
	expect_error(f, "mode: monitr\n", 1, 7, "did you mean 'monitor'");
	expect_error(f, "require: [kernal]\n", 1, 11, "did you mean 'kernel'");
	expect_error(f, "network:\n  allow: [{to: x.org, roles: [bulid]}]\n", 2, 31, "did you mean 'build'");
	expect_error(f, "frobnicate: 1\n", 1, 1, "unknown key 'frobnicate'");
}

static void test_wrong_types(void **state)
{
	struct fix *f = *state;

	expect_error(f, "threshold: high\n", 1, 12, "expected a whole number");
	expect_error(f, "threshold: 0\n", 1, 12, "from 1 to");
	expect_error(f, "threshold: \"100\"\n", 1, 12, "expected a whole number");
	expect_error(f, "threshold: 99999999999\n", 1, 12, "expected a whole number");
	expect_error(f, "locked: yes\n", 1, 9, "expected true or false");
	expect_error(f, "packages: [x]\n", 1, 11, "expected a mapping for packages");
	expect_error(f, "packages: {deny: x}\n", 1, 18, "expected a list for deny");
	expect_error(f, "packages: {deny: [[x]]}\n", 1, 19, "expected a package name");
	expect_error(f, "packages: {deny: [~]}\n", 1, 19, "nothing (null)");
	expect_error(f, "version: 2\n", 1, 10, "unsupported policy version 2");
	expect_error(f, "- a\n- b\n", 1, 1, "expected a mapping at the top");
	expect_error(f, "rules: {listen: 5}\n", 1, 17, "expected a mapping for listen");
	expect_error(f, "typosquat: {max_distance: 9}\n", 1, 27, "from 0 to 3");
}

static void test_bad_entries(void **state)
{
	struct fix *f = *state;

	expect_error(f, "packages: {deny: [\"-x\"]}\n", 1, 19, "expected a distribution name");
	expect_error(f, "packages: {deny: [\"x[extra]\"]}\n", 1, 19, "extras are not allowed");
	expect_error(f, "packages: {deny: [\"x>=\"]}\n", 1, 19, "expected a version");
	expect_error(f, "packages: {deny: [\"x~=1\"]}\n", 1, 19, "at least two release numbers");
	expect_error(f, "packages: {deny: [\"x>=1.*\"]}\n", 1, 19, "only with == and !=");
	expect_error(f, "packages: {deny: [\"x==1.0a1.*\"]}\n", 1, 19, "must follow a release");
	expect_error(f, "packages: {deny: [\"x=1\"]}\n", 1, 19, "expected an operator");
	expect_error(f, "network: {deny: [\"10.0.0.0/33\"]}\n", 1, 18, "prefix length is 0-32");
	expect_error(f, "network: {deny: [\"host:70000\"]}\n", 1, 18, ":PORT");
	expect_error(f, "network: {deny: [\"host:90-80\"]}\n", 1, 18, ":PORT");
	expect_error(f, "network: {deny: [\"[::1\"]}\n", 1, 18, "expected ']'");
	expect_error(f, "network: {deny: [\"[1.2.3.4]:80\"]}\n", 1, 18, "IPv6");
	expect_error(f, "network: {deny: [\"bad host\"]}\n", 1, 18, "hostname");
	expect_error(f, "network: {deny: [{roles: [pip]}]}\n", 1, 18, "needs 'to:");
	expect_error(f, "network: {deny: [{to: x, roles: []}]}\n", 1, 33, "at least one role");
	expect_error(f, "files: {deny_read: [\"a/b\"]}\n", 1, 21, "expected an absolute path");
	expect_error(f, "files: {deny_read: [\"/a/**b\"]}\n", 1, 21, "whole path component");
	expect_error(f, "files: {deny_read: [\"/a/../b\"]}\n", 1, 21, "'..' is not allowed");
	expect_error(f, "files: {deny_read: [\"~bob/x\"]}\n", 1, 21, "only ~/");
}

static void test_no_home_for_tilde(void **state)
{
	struct fix *f = *state;
	struct sp_policy_env none = { .homes = { NULL } };
	struct sp_policy *p = sp_policy_new(&none);
	const char *y = "files: {deny_read: [\"~/.ssh/**\"]}\n";

	assert_int_equal(sp_policy_add_yaml(p, "t.yaml", y, strlen(y), &f->err), -EINVAL);
	assert_non_null(strstr(f->err.v[0].msg, "no home directory"));
	sp_policy_free(p);
}

static void test_duplicate_keys(void **state)
{
	struct fix *f = *state;

	expect_error(f, "version: 1\nthreshold: 5\nthreshold: 6\n", 3, 1, "duplicate key 'threshold' (first at line 2)");
	expect_error(f, "rules:\n  listen: {weight: 1, weight: 2}\n", 2, 23, "duplicate key 'weight'");
}

static void test_aliases_and_anchors_refused(void **state)
{
	struct fix *f = *state;
	/* billion laughs: must not expand, must not even be accepted */
	const char *laughs =
		"a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
		"b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
		"c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
		"d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n";

	expect_error(f, laughs, 1, 4, "anchors (&a) are not allowed");
	expect_error(f, "threshold: *x\n", 1, 12, "aliases (*x) are not allowed");
	expect_error(f, "threshold: !!int 5\n", 1, 12, "tags (tag:yaml.org,2002:int) are not allowed");
	expect_error(f, "version: 1\n---\nversion: 1\n", 2, 1, "more than one YAML document");
}

static void test_empty_and_null(void **state)
{
	struct fix *f = *state;

	memset(&f->err, 0, sizeof(f->err));
	assert_int_equal(sp_policy_add_yaml(f->p, "t.yaml", "", 0, &f->err), -EINVAL);
	assert_non_null(strstr(f->err.v[0].msg, "the policy is empty"));
	assert_int_equal(add(f, "# only a comment\n"), -EINVAL);
	assert_non_null(strstr(f->err.v[0].msg, "the policy is empty"));
	assert_int_equal(add(f, "---\n...\n"), -EINVAL);
	assert_int_equal(add(f, "{}\n"), 0);      /* an empty mapping is a valid, empty layer */
}

static void test_not_utf8(void **state)
{
	struct fix *f = *state;
	const char bad[] = "version: 1\nmode: \"enf\xff\xfeorce\"\n";
	const char nul[] = "version: 1\nmode: en\0force\n";

	memset(&f->err, 0, sizeof(f->err));
	assert_int_equal(sp_policy_add_yaml(f->p, "t.yaml", bad, sizeof(bad) - 1, &f->err), -EINVAL);
	assert_non_null(strstr(f->err.v[0].msg, "not valid UTF-8"));
	assert_int_equal(f->err.v[0].line, 2);
	memset(&f->err, 0, sizeof(f->err));
	assert_int_equal(sp_policy_add_yaml(f->p, "t.yaml", nul, sizeof(nul) - 1, &f->err), -EINVAL);
	assert_int_equal(f->err.v[0].line, 2);
	/* UTF-16 is not read as UTF-8 */
	memset(&f->err, 0, sizeof(f->err));
	assert_int_equal(sp_policy_add_yaml(f->p, "t.yaml", "\xff\xfev\0:\0 \0001\0\n\0", 12, &f->err),
			 -EINVAL);
}

static char *repeat(const char *head, const char *item, size_t n, const char *tail)
{
	size_t hl = strlen(head), il = strlen(item), tl = strlen(tail);
	char *s = malloc(hl + il * n + tl + 1), *o = s;

	assert_non_null(s);
	memcpy(o, head, hl);
	o += hl;
	for (size_t i = 0; i < n; i++, o += il)
		memcpy(o, item, il);
	memcpy(o, tail, tl + 1);
	return s;
}

static void test_limit_depth(void **state)
{
	struct fix *f = *state;
	char *open = repeat("x: ", "[", SP_POLICY_DEPTH_MAX - 1, "");
	char *ok = repeat(open, "]", SP_POLICY_DEPTH_MAX - 1, "\n");
	char *deep = repeat("x: ", "[", SP_POLICY_DEPTH_MAX + 1, "");
	char *very = repeat("x: ", "[", 100000, "");

	/* as deep as allowed: the only complaint is the unknown key */
	expect_error(f, ok, 1, 1, "unknown key 'x'");
	free(open);
	free(ok);
	expect_error(f, deep, 1, 3 + SP_POLICY_DEPTH_MAX, "nested too deeply");
	expect_error(f, very, 1, 3 + SP_POLICY_DEPTH_MAX, "nested too deeply");
	free(deep);
	free(very);
}

static void test_limit_list_length(void **state)
{
	struct fix *f = *state;
	char *ok = repeat("packages: {deny: [", "p,", SP_POLICY_LIST_MAX - 1, "p]}\n");
	char *big = repeat("packages: {deny: [", "p,", SP_POLICY_LIST_MAX, "p]}\n");

	assert_int_equal(add(f, ok), 0);
	expect_error(f, big, 1, 0, "too many items in one list");
	free(ok);
	free(big);
}

static void test_limit_nodes(void **state)
{
	struct fix *f = *state;
	/* many short lists: the node limit, not the list limit, is hit */
	char *many = repeat("x: [", "[a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q,r,s,t],", SP_POLICY_NODES_MAX / 21 + 10, "]\n");

	expect_error(f, many, 1, 0, "too many YAML nodes");
	free(many);
}

static void test_limit_string(void **state)
{
	struct fix *f = *state;
	char *ok = repeat("exec: {deny: [\"/", "a", SP_POLICY_STRING_MAX - 1, "\"]}\n");
	char *big = repeat("exec: {deny: [\"/", "a", SP_POLICY_STRING_MAX, "\"]}\n");

	assert_int_equal(add(f, ok), 0);
	expect_error(f, big, 1, 15, "string too long");
	free(ok);
	free(big);
}

static void test_limit_file_size(void **state)
{
	struct fix *f = *state;
	char *big = repeat("# ", "x", SP_POLICY_FILE_MAX, "\nversion: 1\n");
	char path[128];
	int fd;

	memset(&f->err, 0, sizeof(f->err));
	assert_true(sp_policy_add_yaml(f->p, "t.yaml", big, strlen(big), &f->err) < 0);
	assert_non_null(strstr(f->err.v[0].msg, "file too large"));
	snprintf(path, sizeof(path), "%s/big.yaml", f->dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, big, strlen(big)), (ssize_t)strlen(big));
	close(fd);
	memset(&f->err, 0, sizeof(f->err));
	assert_int_equal(sp_policy_add_file(f->p, path, &f->err), -EFBIG);
	assert_non_null(strstr(f->err.v[0].msg, "file too large"));
	assert_string_equal(f->err.v[0].file, path);
	free(big);
}

static void test_limit_layers(void **state)
{
	struct fix *f = *state;
	unsigned i;

	for (i = 0; i < SP_POLICY_LAYERS_MAX; i++)
		assert_int_equal(add(f, "version: 1\n"), 0);
	assert_int_equal(add(f, "version: 1\n"), -E2BIG);
	assert_non_null(strstr(f->err.v[0].msg, "too many policy layers"));
}

static void test_limit_entries(void **state)
{
	struct fix *f = *state;
	char *layer = repeat("packages: {deny: [", "p,", SP_POLICY_LIST_MAX - 1, "p]}\n");
	unsigned full = SP_POLICY_ENTRIES_MAX / SP_POLICY_LIST_MAX;

	for (unsigned i = 0; i < full; i++)
		assert_int_equal(add(f, layer), 0);
	/* one entry more than the limit allows */
	assert_int_equal(add(f, "packages: {deny: [q]}\n"), -E2BIG);
	assert_non_null(strstr(f->err.v[0].msg, "too many entries in all policies together"));
	assert_int_equal(sp_policy_nlayers(f->p), full);
	assert_null(sp_policy_match_package(f->p, "q", NULL));
	free(layer);
}

static void test_not_a_regular_file(void **state)
{
	struct fix *f = *state;
	char path[128];

	memset(&f->err, 0, sizeof(f->err));
	assert_int_equal(sp_policy_add_file(f->p, f->dir, &f->err), -EINVAL);
	assert_non_null(strstr(f->err.v[0].msg, "not a regular file (a directory)"));
	snprintf(path, sizeof(path), "%s/fifo", f->dir);
	assert_int_equal(mkfifo(path, 0600), 0);
	memset(&f->err, 0, sizeof(f->err));
	/* must not block waiting for a writer */
	assert_int_equal(sp_policy_add_file(f->p, path, &f->err), -EINVAL);
	assert_non_null(strstr(f->err.v[0].msg, "a FIFO"));
	memset(&f->err, 0, sizeof(f->err));
	assert_int_equal(sp_policy_add_file(f->p, "/dev/null", &f->err), -EINVAL);
	memset(&f->err, 0, sizeof(f->err));
	snprintf(path, sizeof(path), "%s/missing.yaml", f->dir);
	assert_int_equal(sp_policy_add_file(f->p, path, &f->err), -ENOENT);
	assert_non_null(strstr(f->err.v[0].msg, "cannot open policy"));
}

static void test_many_errors_reported(void **state)
{
	struct fix *f = *state;
	char *many = repeat("packages: {deny: [", "\"-\",", 100, "\"-\"]}\n");

	assert_int_equal(add(f, many), -EINVAL);
	assert_int_equal(f->err.n, SP_ERRORS_MAX);
	assert_int_equal(f->err.dropped, 101 - SP_ERRORS_MAX);
	free(many);
}

static void test_error_format(void **state)
{
	struct sp_error e = { "a.yaml", 3, 7, "unknown key 'x'" };
	char buf[256];

	sp_error_format(&e, buf, sizeof(buf));
	assert_string_equal(buf, "a.yaml:3:7: unknown key 'x'");
	e.line = 0;
	sp_error_format(&e, buf, sizeof(buf));
	assert_string_equal(buf, "a.yaml: unknown key 'x'");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_default_loads, setup, teardown),
		cmocka_unit_test_setup_teardown(test_default_sets_every_rule, setup, teardown),
		cmocka_unit_test_setup_teardown(test_full_schema, setup, teardown),
		cmocka_unit_test_setup_teardown(test_enforcing_and_confine, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_allows_listed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_syntax_error_position, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_keys_hint, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wrong_types, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_entries, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_home_for_tilde, setup, teardown),
		cmocka_unit_test_setup_teardown(test_duplicate_keys, setup, teardown),
		cmocka_unit_test_setup_teardown(test_aliases_and_anchors_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_empty_and_null, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_utf8, setup, teardown),
		cmocka_unit_test_setup_teardown(test_limit_depth, setup, teardown),
		cmocka_unit_test_setup_teardown(test_limit_list_length, setup, teardown),
		cmocka_unit_test_setup_teardown(test_limit_nodes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_limit_string, setup, teardown),
		cmocka_unit_test_setup_teardown(test_limit_file_size, setup, teardown),
		cmocka_unit_test_setup_teardown(test_limit_layers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_limit_entries, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_a_regular_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_many_errors_reported, setup, teardown),
		cmocka_unit_test(test_error_format),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
