// SPDX-License-Identifier: MIT
/*
 * Typosquatting against the compiled-in popular list: well-known squat
 * shapes are caught and name the intended package; no false alarm on any
 * of the 2,000 most popular names.  What the similarity rule alone would
 * say (the "popular itself" exemption switched off), over the top 2,000
 * and over the whole list, and the lookup rate are printed as TAP
 * comments for the record.
 */
#include "tests/cmocka_all.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "policy/typosquat.h"

static const struct sp_typosquat_conf conf = { .enabled = true, .max_distance = 2, .popular_top_n = 5000 };
static struct sp_popular *pl;

static int setup(void **state)
{
	pl = sp_popular_embedded();
	assert_non_null(pl);
	return 0;
}

static int teardown(void **state)
{
	sp_popular_free(pl);
	return 0;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void test_list_loaded(void **state)
{
	unsigned rank;

	assert_true(sp_popular_count(pl) > 14000);
	assert_string_equal(sp_popular_at(pl, 0, &rank), "boto3");
	assert_int_equal(rank, 1);
	assert_int_equal(sp_popular_rank(pl, "requests"), 6);
	assert_int_equal(sp_popular_rank(pl, "no-such-package-anywhere"), 0);
	assert_null(sp_popular_at(pl, sp_popular_count(pl), NULL));
}

static void test_squats_caught(void **state)
{
	static const struct {
		const char *name, *intended;
	} squats[] = {
		{ "reqeusts", "requests" },             /* transposition */
		{ "requets", "requests" },              /* deletion */
		{ "requestss", "requests" },            /* insertion */
		{ "urlib3", "urllib3" },
		{ "colourama", "colorama" },
		{ "djago", "django" },
		{ "nunpy", "numpy" },
		{ "python-requests", "requests" },      /* common prefix */
		{ "requests-python", "requests" },      /* common suffix */
		{ "py-yaml", "pyyaml" },                /* separators */
		{ "beautiful-soup4", "beautifulsoup4" },
		{ "tensorfow", "tensorflow" },
		{ "crytography", "cryptography" },
		{ "setup-tools", "setuptools" },
	};
	struct sp_squat sq;

	for (size_t i = 0; i < sizeof(squats) / sizeof(squats[0]); i++) {
		if (!sp_typosquat_check(pl, &conf, squats[i].name, &sq))
			fail_msg("%s not caught", squats[i].name);
		if (strcmp(sq.intended, squats[i].intended) != 0)
			fail_msg("%s: intended %s, expected %s (%s)", squats[i].name, sq.intended,
				 squats[i].intended, sq.why);
	}
}

static void test_not_squats(void **state)
{
	/* short names, distinct names, and our own fixtures */
	static const char *const fine[] = {
		"abc", "zzyzx-unrelated-tool", "benign-setup", "connect-sink", "daemon-marker",
		"my-company-internal-lib", "a", "pip",
	};
	struct sp_squat sq;

	for (size_t i = 0; i < sizeof(fine) / sizeof(fine[0]); i++)
		if (sp_typosquat_check(pl, &conf, fine[i], &sq))
			fail_msg("%s flagged as a squat of %s (%s)", fine[i], sq.intended, sq.why);
}

static void test_max_distance(void **state)
{
	struct sp_typosquat_conf c = conf;
	struct sp_squat sq;

	/* "tensorfow" is one edit from tensorflow, "tensrfow" two */
	assert_true(sp_typosquat_check(pl, &c, "tensrfow", &sq));
	c.max_distance = 1;
	assert_false(sp_typosquat_check(pl, &c, "tensrfow", &sq));
	assert_true(sp_typosquat_check(pl, &c, "tensorfow", &sq));
	c.max_distance = 0;
	assert_false(sp_typosquat_check(pl, &c, "tensorfow", &sq));
	/* distance 0 still catches separator and affix tricks */
	assert_true(sp_typosquat_check(pl, &c, "python-requests", &sq));
}

/*
 * The measure: run every one of the 2,000 most popular names through the
 * check, (a) as shipped and (b) with the "popular itself" exemption off,
 * and count alarms.
 */
static void test_no_false_alarm_top_2000(void **state)
{
	unsigned shipped = 0, noexempt = 0;
	struct sp_squat sq;

	for (size_t i = 0; i < 2000; i++) {
		const char *name = sp_popular_at(pl, i, NULL);

		if (sp_typosquat_check(pl, &conf, name, &sq)) {
			printf("# false alarm: %s looks like %s (%s)\n", name, sq.intended, sq.why);
			shipped++;
		}
	}
	assert_int_equal(shipped, 0);
	/*
	 * Without the exemption, similar popular names do collide (cattrs and
	 * attrs, scapy and scipy ...): the exemption is what makes 0 possible.
	 */
	for (size_t i = 0; i < 2000; i++) {
		const char *name = sp_popular_at(pl, i, NULL);

		if (sp_typosquat_check_ex(pl, &conf, name, false, &sq)) {
			printf("# without the exemption: %s would look like %s (%s)\n", name, sq.intended, sq.why);
			noexempt++;
		}
	}
	printf("# top 2000 names: %u false alarms as shipped, %u with the popularity exemption off\n",
	       shipped, noexempt);
}

static void test_whole_list_and_rate(void **state)
{
	size_t n = sp_popular_count(pl);
	unsigned shipped = 0, raw = 0, raw_beyond = 0;
	struct sp_squat sq;
	double t0, dt;

	for (size_t i = 0; i < n; i++)
		shipped += sp_typosquat_check(pl, &conf, sp_popular_at(pl, i, NULL), &sq);
	/* a listed name is popular itself: never refused as shipped */
	assert_int_equal(shipped, 0);
	/* the full search, timed: what an unlisted name costs */
	t0 = now();
	for (size_t i = 0; i < n; i++) {
		unsigned rank;
		const char *name = sp_popular_at(pl, i, &rank);

		if (sp_typosquat_check_ex(pl, &conf, name, false, &sq)) {
			raw++;
			raw_beyond += rank > conf.popular_top_n;
		}
	}
	dt = now() - t0;
	printf("# whole list (%zu names): %u false alarms as shipped; without the exemption %u (%.2f%%), "
	       "%u of them ranked beyond %u\n", n, shipped, raw, 100.0 * raw / (double)n, raw_beyond,
	       conf.popular_top_n);
	printf("# full search (no exemption) of %zu names in %.3f s: %.1f us per name\n", n, dt,
	       dt * 1e6 / (double)n);
}

static void test_parse_errors(void **state)
{
	struct sp_errors err = { 0 };
	const char *bad = "ok\t1\nno-tab\n";
	const char *badrank = "x\t0\n";
	struct sp_popular *p;

	assert_null(sp_popular_parse(bad, strlen(bad), "l.tsv", &err));
	assert_int_equal(err.v[0].line, 2);
	memset(&err, 0, sizeof(err));
	assert_null(sp_popular_parse(badrank, strlen(badrank), "l.tsv", &err));
	assert_non_null(strstr(err.v[0].msg, "rank"));
	p = sp_popular_parse("# c\nFoo_Bar\t3\n\nfoo-bar\t9\n", 25, "l.tsv", &err);
	assert_non_null(p);
	assert_int_equal(sp_popular_count(p), 1);
	assert_int_equal(sp_popular_rank(p, "foo-bar"), 3);
	sp_popular_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_list_loaded),
		cmocka_unit_test(test_squats_caught),
		cmocka_unit_test(test_not_squats),
		cmocka_unit_test(test_max_distance),
		cmocka_unit_test(test_no_false_alarm_top_2000),
		cmocka_unit_test(test_whole_list_and_rate),
		cmocka_unit_test(test_parse_errors),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
