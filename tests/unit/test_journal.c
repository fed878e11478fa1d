// SPDX-License-Identifier: MIT
/* The intent journal read back from the disk, and the path helpers it relies on. */
#include "tests/cmocka_all.h"

#include <stdlib.h>
#include <string.h>

#include "guard/fsutil.h"
#include "guard/journal.h"

#define ID "0123456789abcdef01234567"

static void test_escape(void **state)
{
	const char *s = "a b\\c\nd\x7f\xc3\xa9";
	char *e = str_escape(s), *u;

	assert_non_null(e);
	assert_null(strpbrk(e, " \n"));
	u = str_unescape(e);
	assert_string_equal(u, s);
	free(e);
	free(u);
	assert_null(str_unescape("a\\x00b"));   /* no NUL smuggled in */
	assert_null(str_unescape("a\\xg1"));
	assert_null(str_unescape("a\\n"));
	assert_null(str_unescape("a b"));
	assert_null(str_unescape("trail\\x2"));
}

static void test_paths(void **state)
{
	char *p;

	p = path_normalize("//a/./b/../c//");
	assert_string_equal(p, "/a/c");
	free(p);
	p = path_normalize("/../..");
	assert_string_equal(p, "/");
	free(p);
	assert_null(path_normalize("rel/x"));
	assert_true(path_under("/a/b", "/a"));
	assert_true(path_under("/a", "/a"));
	assert_false(path_under("/ab", "/a"));
	assert_true(path_under("/x", "/"));
	assert_string_equal(path_rel("/a/b/c", "/a"), "b/c");
	assert_string_equal(path_rel("/a", "/a"), "");
	assert_string_equal(path_rel("/a/b", "/"), "a/b");
	p = path_canonical("/nonexistent-sp/x/../y");
	assert_string_equal(p, "/nonexistent-sp/y");
	free(p);
}

static void sample(struct journal *j, struct jroot *roots, char **pass)
{
	memset(j, 0, sizeof(*j));
	strcpy(j->id, ID);
	j->pid = 1234;
	j->mode = TXN_STAGED;
	j->state = TXN_COMMITTING;
	j->cgroup = "/sys/fs/cgroup/safe-pip-1";
	j->mntns = 4026532000ull;
	j->tmpdir = "/tmp/safe-pip-" ID;
	roots[0] = (struct jroot){ .kind = JROOT_TARGET, .path = "/v e n v", .area = "/s/txn/" ID "/0" };
	roots[1] = (struct jroot){ .kind = JROOT_COVER, .created = true, .path = "/home/u\nx",
				   .area = "/s/txn/" ID "/1",
				   .ptimes = { { 1, 2 }, { 3, 999999999 } } };
	j->roots = roots;
	j->nroots = 2;
	pass[0] = "/home/u\nx/.cache/pip";
	j->pass = pass;
	j->npass = 1;
}

static void test_roundtrip(void **state)
{
	struct journal j, k;
	struct jroot roots[2];
	char *pass[1], *text = NULL, err[128];
	size_t len;

	sample(&j, roots, pass);
	assert_int_equal(journal_format(&j, &text, &len), 0);
	assert_int_equal(journal_parse(&k, text, err, sizeof(err)), 0);
	assert_string_equal(k.id, ID);
	assert_int_equal(k.pid, 1234);
	assert_int_equal(k.mode, TXN_STAGED);
	assert_int_equal(k.state, TXN_COMMITTING);
	assert_string_equal(k.cgroup, j.cgroup);
	assert_true(k.mntns == j.mntns);
	assert_int_equal(k.nroots, 2);
	assert_string_equal(k.roots[0].path, "/v e n v");
	assert_string_equal(k.roots[1].path, "/home/u\nx");
	assert_true(k.roots[1].created);
	assert_int_equal(k.roots[1].kind, JROOT_COVER);
	assert_int_equal(k.roots[1].ptimes[1].tv_nsec, 999999999);
	assert_string_equal(k.pass[0], pass[0]);
	journal_free(&k);
	free(text);
}

static void test_malformed(void **state)
{
	static const char *const bad[] = {
		"",
		"safe-pip-txn 2\nid " ID "\npid 1\nmode staged\nstate prepared\n",
		"safe-pip-txn 1\nid " ID "\npid 1\nmode staged\n",                        /* no state */
		"safe-pip-txn 1\nid 0123\npid 1\nmode staged\nstate prepared\n",          /* short id */
		"safe-pip-txn 1\nid " ID "\npid -1\nmode staged\nstate prepared\n",
		"safe-pip-txn 1\nid " ID "\npid 1\nmode none\nstate prepared\n",
		"safe-pip-txn 1\nid " ID "\npid 1\nmode staged\nstate maybe\n",
		"safe-pip-txn 1\nid " ID "\npid 1\nmode staged\nstate prepared\nroot 0 target existing rel /a\n",
		"safe-pip-txn 1\nid " ID "\npid 1\nmode staged\nstate prepared\nroot 0 target existing /a/../b /a\n",
		"safe-pip-txn 1\nid " ID "\npid 1\nmode staged\nstate prepared\nroot 1 target existing /a /b\n",
		"safe-pip-txn 1\nid " ID "\npid 1\nmode staged\nstate prepared\nroot 0 target existing /a /b\n"
		"ptimes 0 1 2 3 4\n",                                                        /* not created */
		"safe-pip-txn 1\nid " ID "\npid 1\nmode staged\nstate prepared\nrm -rf /\n",
		"safe-pip-txn 1\nid " ID "\npid 1\nmode staged\nstate prepared\npass relative\n",
	};
	struct journal j;
	char err[128];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		assert_int_equal(journal_parse(&j, bad[i], err, sizeof(err)), -EINVAL);
		assert_true(err[0] != '\0');
	}
}

static void test_area_ok(void **state)
{
	assert_true(journal_area_ok("/s/txn/" ID "/3", "/x/venv", "/s/txn/" ID, ID, 3));
	assert_true(journal_area_ok("/x/.safe-pip-" ID ".0", "/x/venv", "/s/txn/" ID, ID, 0));
	assert_false(journal_area_ok("/x/.safe-pip-" ID ".1", "/x/venv", "/s/txn/" ID, ID, 0));
	assert_false(journal_area_ok("/etc", "/x/venv", "/s/txn/" ID, ID, 0));
	assert_false(journal_area_ok("/s/txn/" ID "/0/../..", "/x/venv", "/s/txn/" ID, ID, 0));
	assert_false(journal_area_ok("/.safe-pip-" ID ".0", "/venv", "/s/txn/" ID, ID, 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_paths),
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_area_ok),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
