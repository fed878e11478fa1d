// SPDX-License-Identifier: MIT
/*
 * PEP 440: parsing, normalisation-equivalent spellings, ordering and
 * specifiers.  The expected results were produced with packaging (the
 * library pip vendors) with pre-releases enabled, the way safe-pip matches.
 */
#include "tests/cmocka_all.h"

#include <string.h>

#include "policy/pep440.h"

static struct pep440 V(const char *s)
{
	struct pep440 v;

	if (pep440_parse(s, strlen(s), &v) < 0)
		fail_msg("cannot parse '%s'", s);
	return v;
}

/* In increasing order (packaging's own test list). */
static const char *const ordered[] = {
	"1.0.dev456", "1.0a1", "1.0a2.dev456", "1.0a12.dev456", "1.0a12", "1.0b1.dev456", "1.0b2",
	"1.0b2.post345.dev456", "1.0b2.post345", "1.0b2-346", "1.0c1.dev456", "1.0c1", "1.0rc2",
	"1.0c3", "1.0", "1.0.post456.dev34", "1.0.post456", "1.1.dev1", "1.2+123abc",
	"1.2+123abc456", "1.2+abc", "1.2+abc123", "1.2+abc123def", "1.2+1234.abc", "1.2+123456",
	"1.2.r32+123456", "1.2.rev33+123456", "1!1.0b2.post345.dev456", "1!1.0b2.post345", "1!1.0",
};

static void test_order(void **state)
{
	size_t n = sizeof(ordered) / sizeof(ordered[0]);

	for (size_t i = 0; i < n; i++) {
		for (size_t j = 0; j < n; j++) {
			struct pep440 a = V(ordered[i]), b = V(ordered[j]);
			int c = pep440_cmp(&a, &b), want = i < j ? -1 : i > j;

			if ((c < 0 ? -1 : c > 0) != want)
				fail_msg("%s vs %s: %d, expected %d", ordered[i], ordered[j], c, want);
		}
	}
}

/* Spellings the PEP normalises to one version. */
static void test_equivalent_spellings(void **state)
{
	static const char *const same[][2] = {
		{ "1.0", "1.0.0.0" }, { "v1.0", "1.0" }, { "1.0alpha1", "1.0a1" }, { "1.0-a-1", "1.0a1" },
		{ "1.0_beta_2", "1.0b2" }, { "1.0c1", "1.0rc1" }, { "1.0pre1", "1.0rc1" },
		{ "1.0preview1", "1.0rc1" }, { "1.0rc", "1.0rc0" }, { "1.0-1", "1.0.post1" },
		{ "1.0-r1", "1.0.post1" }, { "1.0rev1", "1.0.post1" }, { "1.0.post", "1.0.post0" },
		{ "1.0-dev", "1.0.dev0" }, { "1.0a-", "1.0a0" }, { "1.0a.dev1", "1.0a0.dev1" },
		{ " 1.0 ", "1.0" }, { "01.02", "1.2" }, { "1.0+ABC", "1.0+abc" }, { "1.0+1.05", "1.0+1.5" },
		{ "0!1.0", "1.0" }, { "1.0A1", "1.0a1" },
	};

	for (size_t i = 0; i < sizeof(same) / sizeof(same[0]); i++) {
		struct pep440 a = V(same[i][0]), b = V(same[i][1]);

		if (pep440_cmp(&a, &b) != 0)
			fail_msg("%s != %s", same[i][0], same[i][1]);
	}
}

static void test_invalid(void **state)
{
	static const char *const bad[] = {
		"", "v", "1.", ".1", "1..0", "1.0-", "1.0+", "1.0+-abc", "1.0+a..b", "a1.0", "1.0 1",
		"1.0junk", "1!", "!1", "1.0a1b2", "1.0.dev1.post1", "99999999999999999999999",
		"1.2.3.4.5.6.7.8.9.10.11.12.13.14.15.16.17",
		"1.0+aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	};
	struct pep440 v;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (pep440_parse(bad[i], strlen(bad[i]), &v) == 0)
			fail_msg("'%s' parsed", bad[i]);
}

static const char *const versions[] = { "0.9", "1", "1.0", "1.0.0", "1.0+local", "1.0+other", "1.0.1", "1.0a1", "1.0.dev1", "1.0.post1", "1.0.post1.dev1", "1.0.post2", "1.1", "1.4", "1.4.4", "1.4.5", "1.4.5a4", "1.4.5b1", "1.4.9", "1.5", "2.0", "2.0rc1", "2.0.dev1", "2.0+local", "2.1", "2.2.post3", "2.2.post4", "2.3", "3.0", "1!1.0", "1!0.5", "0.1", "0.1.5", "0.10" };

static const struct {
	const char *spec;
	const char *match;      /* '1' where versions[i] satisfies spec */
} vectors[] = {
	{ "==1.0", "0111110000000000000000000000000000" },
	{ "==1.0.0", "0111110000000000000000000000000000" },
	{ "==1.0+local", "0000100000000000000000000000000000" },
	{ "==1.*", "0111111111111111111100000000000000" },
	{ "==1.0.*", "0111111111110000000000000000000000" },
	{ "!=1.0.*", "1000000000001111111111111111111111" },
	{ "!=1.0", "1000001111111111111111111111111111" },
	{ "~=1.4.5", "0000000000000001001000000000000000" },
	{ "~=1.4", "0000000000000111111100000000000000" },
	{ "~=2.2.post3", "0000000000000000000000000111000000" },
	{ "~=1.4.5a4", "0000000000000001111000000000000000" },
	{ "<2.0", "1111111111111111111100000000000111" },
	{ "<2.0rc1", "1111111111111111111100100000000111" },
	{ "<=2.0", "1111111111111111111111110000000111" },
	{ ">1.0", "0000001000001111111111111111111000" },
	{ ">1.0.post1", "0000001000011111111111111111111000" },
	{ ">=1.0", "0111111001111111111111111111111000" },
	{ ">=1.0a1", "0111111101111111111111111111111000" },
	{ "==1!1.0", "0000000000000000000000000000010000" },
	{ "===1.0.0", "0001000000000000000000000000000000" },
	{ "==2.0.dev1", "0000000000000000000000100000000000" },
	{ "<1.0.dev1", "1000000000000000000000000000000111" },
	{ ">1.0.dev1", "0111001100001111111111111111111000" },
	{ "==0.1.*", "0000000000000000000000000000000110" },
	{ "!=2.0+local", "1111111111111111111111101111111111" },
};

static void test_specifiers(void **state)
{
	size_t nv = sizeof(versions) / sizeof(versions[0]);

	for (size_t i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		struct pep440_spec sp;
		struct pep440_specset set = { &sp, 1 };
		const char *why;

		if (pep440_spec_parse(vectors[i].spec, strlen(vectors[i].spec), &sp, &why) < 0)
			fail_msg("cannot parse '%s': %s", vectors[i].spec, why);
		assert_int_equal(strlen(vectors[i].match), nv);
		for (size_t j = 0; j < nv; j++) {
			bool want = vectors[i].match[j] == '1';

			if (pep440_specset_match(&set, versions[j]) != want)
				fail_msg("'%s' %s '%s'", versions[j], want ? "should satisfy" : "should not satisfy",
					 vectors[i].spec);
		}
	}
}

static void test_specifier_sets(void **state)
{
	struct pep440_spec sp[3];
	struct pep440_specset set = { sp, 3 };
	const char *why;

	assert_int_equal(pep440_spec_parse(">=1.0", 5, &sp[0], &why), 0);
	assert_int_equal(pep440_spec_parse(" <2 ", 4, &sp[1], &why), 0);
	assert_int_equal(pep440_spec_parse("!=1.5.*", 7, &sp[2], &why), 0);
	assert_true(pep440_specset_match(&set, "1.0"));
	assert_true(pep440_specset_match(&set, "1.4.9"));
	assert_false(pep440_specset_match(&set, "1.5.1"));
	assert_false(pep440_specset_match(&set, "2.0"));
	assert_false(pep440_specset_match(&set, "not-a-version"));
	assert_null(pep440_spec_pin(&sp[0]));
	assert_int_equal(pep440_spec_parse("== 1.2.3", 8, &sp[0], &why), 0);
	assert_string_equal(pep440_spec_pin(&sp[0]), "1.2.3");
	assert_int_equal(pep440_spec_parse("===foo", 6, &sp[0], &why), 0);
	assert_string_equal(pep440_spec_pin(&sp[0]), "foo");
	set.n = 1;
	assert_true(pep440_specset_match(&set, "FOO"));
}

static void test_bad_specifiers(void **state)
{
	static const char *const bad[] = {
		"1.0", "=1.0", "~=1", "~=1.*", ">=1.*", "<1.0+local", "==1.0a1.*", "==", ">= ", "==1.0 x",
		"==1.0.*.*", "~=1.0+l",
	};
	struct pep440_spec sp;
	const char *why;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (pep440_spec_parse(bad[i], strlen(bad[i]), &sp, &why) == 0)
			fail_msg("'%s' parsed", bad[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_equivalent_spellings),
		cmocka_unit_test(test_invalid),
		cmocka_unit_test(test_specifiers),
		cmocka_unit_test(test_specifier_sets),
		cmocka_unit_test(test_bad_specifiers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
