// SPDX-License-Identifier: MIT
/* Naming the distribution a build works for, from hostile metadata. */
#include "tests/cmocka_all.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "guard/dist.h"

static void test_pkg_info(void **state)
{
	char n[128], v[64];

	assert_int_equal(parse_pkg_info("Metadata-Version: 2.1\nName: Demo_Pkg\nVersion: 1.0.post1\n\n"
					"Name: later\n", n, sizeof(n), v, sizeof(v)), 0);
	assert_string_equal(n, "Demo_Pkg");
	assert_string_equal(v, "1.0.post1");
	assert_int_equal(parse_pkg_info("name:   spaced  \r\nVersion:2\r\n", n, sizeof(n), v, sizeof(v)), 0);
	assert_string_equal(n, "spaced");
	assert_string_equal(v, "2");
	/* a name only after the header block does not count */
	assert_int_equal(parse_pkg_info("Summary: x\n\nName: body\n", n, sizeof(n), v, sizeof(v)), -ENOENT);
	/* invalid names are refused, not passed on to reports */
	assert_int_equal(parse_pkg_info("Name: ../../etc\n", n, sizeof(n), v, sizeof(v)), -ENOENT);
	assert_int_equal(parse_pkg_info("Name: a\x1b[31mb\n", n, sizeof(n), v, sizeof(v)), -ENOENT);
	assert_int_equal(parse_pkg_info("Name: -x\n", n, sizeof(n), v, sizeof(v)), -ENOENT);
	assert_int_equal(parse_pkg_info("", n, sizeof(n), v, sizeof(v)), -ENOENT);
	/* control bytes in a version are neutralised */
	assert_int_equal(parse_pkg_info("Name: ok\nVersion: 1\x1b\n", n, sizeof(n), v, sizeof(v)), 0);
	assert_string_equal(v, "1?");
}

static void test_pkg_info_long_name(void **state)
{
	char buf[512], n[128], v[64];

	strcpy(buf, "Name: ");
	memset(buf + 6, 'a', 300);
	strcpy(buf + 306, "\n");
	assert_int_equal(parse_pkg_info(buf, n, sizeof(n), v, sizeof(v)), -ENOENT);
}

static void test_pyproject(void **state)
{
	char n[128];

	assert_int_equal(parse_pyproject_name("[build-system]\nrequires = []\nname = \"no\"\n"
					      "[project]\nversion = \"1\"\nname = \"yes-pkg\"\n", n, sizeof(n)), 0);
	assert_string_equal(n, "yes-pkg");
	assert_int_equal(parse_pyproject_name("[project]\nname = 'single'\n", n, sizeof(n)), 0);
	assert_string_equal(n, "single");
	assert_int_equal(parse_pyproject_name("[tool.x]\nname = \"no\"\n", n, sizeof(n)), -ENOENT);
	assert_int_equal(parse_pyproject_name("[project]\nname = \"unterminated\n", n, sizeof(n)), -ENOENT);
}

static void test_setup_cfg(void **state)
{
	char n[128];

	assert_int_equal(parse_setup_cfg_name("[metadata]\nname = cfg_pkg # comment\n", n, sizeof(n)), 0);
	assert_string_equal(n, "cfg_pkg");
	assert_int_equal(parse_setup_cfg_name("[options]\nname = no\n", n, sizeof(n)), -ENOENT);
}

static void test_unpack_dir(void **state)
{
	char n[128];

	assert_int_equal(parse_unpack_dir("demo-pkg_0123456789abcdef0123456789abcdef", n, sizeof(n)), 0);
	assert_string_equal(n, "demo-pkg");
	assert_int_equal(parse_unpack_dir("pip-req-build-abc123", n, sizeof(n)), -ENOENT);
	assert_int_equal(parse_unpack_dir("x_0123", n, sizeof(n)), -ENOENT);
	assert_int_equal(parse_unpack_dir("x_0123456789abcdef0123456789abcdeg", n, sizeof(n)), -ENOENT);
}

static void test_normalize(void **state)
{
	char out[64];

	pep503_normalize("Foo.Bar__baz--Qux", out, sizeof(out));
	assert_string_equal(out, "foo-bar-baz-qux");
	pep503_normalize("requests", out, sizeof(out));
	assert_string_equal(out, "requests");
	pep503_normalize("a", out, 1);
	assert_string_equal(out, "");
}

static void test_dists_dedup(void **state)
{
	struct dists d = { 0 };
	int a = dists_for_srcdir(&d, "/nonexistent/demo_0123456789abcdef0123456789abcdef");
	int b = dists_for_srcdir(&d, "/nonexistent/other");
	int c = dists_for_srcdir(&d, "/nonexistent/demo_0123456789abcdef0123456789abcdef");

	assert_int_equal(a, 0);
	assert_int_equal(b, 1);
	assert_int_equal(c, 0);
	assert_string_equal(d.v[0].name, "demo");
	assert_string_equal(d.v[1].name, "(source in other)");
	dists_free(&d);
}

#define UNPACKED "demo_0123456789abcdef0123456789abcdef"

/* A source directory with a PKG-INFO, in a fresh temporary directory. */
static void make_source(char *tmp, size_t size, char *src, size_t srcsize)
{
	char pkg[4300];
	FILE *f;

	snprintf(tmp, size, "%s/sp-dist.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	assert_non_null(mkdtemp(tmp));
	snprintf(src, srcsize, "%s/%s", tmp, UNPACKED);
	assert_int_equal(mkdir(src, 0700), 0);
	snprintf(pkg, sizeof(pkg), "%s/PKG-INFO", src);
	f = fopen(pkg, "w");
	assert_non_null(f);
	fputs("Metadata-Version: 2.1\nName: demo\nVersion: 2.5\n", f);
	fclose(f);
}

static void remove_source(const char *tmp, const char *src)
{
	char pkg[4300];

	snprintf(pkg, sizeof(pkg), "%s/PKG-INFO", src);
	(void)unlink(pkg);
	(void)rmdir(src);
	(void)rmdir(tmp);
}

/*
 * A build process gone before its record was read is known by its
 * directory's last component: the same distribution as the whole path,
 * whichever comes first, never a second one with part of the score.
 */
static void test_dists_gone(void **state)
{
	char tmp[4096], src[4200];
	struct dists d = { 0 };

	make_source(tmp, sizeof(tmp), src, sizeof(src));
	/* whole path first */
	assert_int_equal(dists_for_srcdir(&d, src), 0);
	assert_int_equal(dists_for_srcdir(&d, DIST_GONE_PREFIX UNPACKED), 0);
	assert_int_equal(dists_for_srcdir(&d, DIST_GONE_PREFIX "other_0123456789abcdef0123456789abcdef"), 1);
	assert_int_equal(d.n, 2);
	assert_string_equal(d.v[0].srcdir, src);
	dists_free(&d);

	/* gone first: named from the directory's name, then from its files */
	assert_int_equal(dists_for_srcdir(&d, DIST_GONE_PREFIX UNPACKED), 0);
	assert_string_equal(d.v[0].name, "demo");
	assert_string_equal(d.v[0].version, "");
	assert_int_equal(dists_for_srcdir(&d, src), 0);
	assert_int_equal(d.n, 1);
	assert_string_equal(d.v[0].srcdir, src);
	assert_string_equal(d.v[0].version, "2.5");
	assert_int_equal(dists_for_srcdir(&d, DIST_GONE_PREFIX UNPACKED), 0);
	assert_int_equal(dists_for_srcdir(&d, src), 0);
	/* a gone path with no last component is not everyone's */
	assert_int_equal(dists_for_srcdir(&d, DIST_GONE_PREFIX), 1);
	assert_int_equal(d.n, 2);
	dists_free(&d);
	remove_source(tmp, src);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pkg_info),
		cmocka_unit_test(test_pkg_info_long_name),
		cmocka_unit_test(test_pyproject),
		cmocka_unit_test(test_setup_cfg),
		cmocka_unit_test(test_unpack_dir),
		cmocka_unit_test(test_normalize),
		cmocka_unit_test(test_dists_dedup),
		cmocka_unit_test(test_dists_gone),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
