// SPDX-License-Identifier: MIT
/* The syscall class tables the kernel sensor counts with. */
#include "tests/cmocka_all.h"

#include <asm/unistd.h>
#include <string.h>

#include "guard/systab.h"

static struct sp_sysclass tab[SP_SYSNR_MAX];

static void test_native(void **state)
{
	assert_true(systab_build(false, tab, SP_SYSNR_MAX) > 200);
	assert_int_equal(tab[__NR_openat].cat, SP_CAT_FILE);
	assert_int_equal(tab[__NR_openat].tok, SP_TOK_OPEN);
	assert_int_equal(tab[__NR_read].cat, SP_CAT_IO);
	assert_int_equal(tab[__NR_read].tok, SP_TOK_READ);
	assert_int_equal(tab[__NR_connect].cat, SP_CAT_NET);
	assert_int_equal(tab[__NR_clock_nanosleep].cat, SP_CAT_TIME);
	assert_int_equal(tab[__NR_setuid].cat, SP_CAT_SECURITY);
	assert_int_equal(tab[__NR_faccessat].cat, SP_CAT_SECURITY);      /* as DySec counts it */
	assert_int_equal(tab[__NR_clone].tok, SP_TOK_FORK);
	assert_int_equal(tab[__NR_wait4].cat, SP_CAT_PROCESS);
	assert_int_equal(tab[__NR_mmap].cat, SP_CAT_OTHER);
	assert_int_equal(tab[__NR_mmap].tok, SP_TOK_MMAP);
	assert_int_equal(tab[__NR_mount].valid, 1);
	for (int nr = 0; nr < SP_SYSNR_MAX; nr++) {
		assert_true(tab[nr].cat < SP_CAT_MAX);
		assert_true(tab[nr].tok < SP_TOK_MAX);
		if (tab[nr].valid)
			assert_int_equal(tab[nr].native, nr);
	}
	assert_int_equal(systab_build(false, tab, 10), -EINVAL);
}

#if defined(__x86_64__)
static void test_compat(void **state)
{
	assert_true(systab_build(true, tab, SP_SYSNR_MAX) > 200);
	/* i386 numbers map to the native calls they stand for */
	assert_int_equal(tab[5].native, __NR_open);
	assert_int_equal(tab[5].tok, SP_TOK_OPEN);
	assert_int_equal(tab[295].native, __NR_openat);
	assert_int_equal(tab[192].native, __NR_mmap);           /* mmap2 */
	assert_int_equal(tab[213].native, __NR_setuid);         /* setuid32 */
	assert_int_equal(tab[362].native, __NR_connect);
	assert_int_equal(tab[102].native, SP_NR_SOCKETCALL);
	assert_int_equal(tab[102].cat, SP_CAT_NET);
	assert_int_equal(tab[11].native, __NR_execve);
	assert_int_equal(tab[37].native, __NR_kill);
}
#endif

static void test_names(void **state)
{
	assert_string_equal(systab_name(__NR_openat, false), "openat");
	assert_string_equal(systab_name(__NR_mount, false), "mount");
#if defined(__x86_64__)
	assert_string_equal(systab_name(5, true), "open");
	assert_string_equal(systab_name(102, true), "socketcall");
#endif
	assert_null(systab_name(-1, false));
	assert_null(systab_name(100000, false));
	assert_string_equal(sp_cat_name(SP_CAT_SECURITY), "security");
	assert_string_equal(sp_ngram_name(SP_NG_FORK_EXEC_WAIT), "fork-execve-wait4");
	assert_string_equal(sp_bucket_name(SP_BK_HIDDEN), "hidden");
	assert_string_equal(sp_cat_name(99), "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_native),
#if defined(__x86_64__)
		cmocka_unit_test(test_compat),
#endif
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
