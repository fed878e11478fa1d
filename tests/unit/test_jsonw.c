// SPDX-License-Identifier: MIT
/* The JSON writer must give valid JSON whatever bytes it is handed. */
#include "tests/cmocka_all.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guard/jsonw.h"
#include "guard/proctab.h"

static char *render(void (*fn)(struct jw *w))
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct jw w;

	assert_non_null(f);
	jw_init(&w, f);
	fn(&w);
	fclose(f);
	return buf;
}

static void doc(struct jw *w)
{
	jw_obj(w);
	jw_kstr(w, "a", "x\"y\\z\n\t\x01");
	jw_kint(w, "n", -5);
	jw_key(w, "l");
	jw_arr(w);
	jw_uint(w, 1);
	jw_bool(w, true);
	jw_null(w);
	jw_str(w, NULL);
	jw_arr_end(w);
	jw_kdouble(w, "d", 0.5);
	jw_obj_end(w);
}

static void test_document(void **state)
{
	char *s = render(doc);

	assert_string_equal(s, "{\"a\":\"x\\\"y\\\\z\\n\\t\\u0001\",\"n\":-5,\"l\":[1,true,null,null],\"d\":0.5}");
	free(s);
}

static void bytes(struct jw *w)
{
	/* valid 2/3/4-byte UTF-8, then an invalid byte, an overlong and a surrogate */
	jw_str(w, "\xc3\xa9\xe2\x82\xac\xf0\x9f\x90\x8d|\xff|\xc0\xaf|\xed\xa0\x80|\x7f");
}

static void test_utf8(void **state)
{
	char *s = render(bytes);

	assert_string_equal(s, "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x90\x8d|\\u00ff|\\u00c0\\u00af|"
			       "\\u00ed\\u00a0\\u0080|\\u007f\"");
	free(s);
}

static void truncated(struct jw *w)
{
	/* a sequence cut by the end of the buffer */
	jw_strn(w, "ok\xe2\x82", 4);
}

static void test_truncated_sequence(void **state)
{
	char *s = render(truncated);

	assert_string_equal(s, "\"ok\\u00e2\\u0082\"");
	free(s);
}

static void test_argv_render(void **state)
{
	char out[64];
	const char argv[] = "python\0-c\0print(1 + 1)\0a\x1b" "b";

	argv_render(argv, sizeof(argv) - 1, false, out, sizeof(out));
	assert_string_equal(out, "python -c 'print(1 + 1)' a\\x1bb");
	argv_render(argv, sizeof(argv) - 1, true, out, 12);
	assert_int_equal(strlen(out), 11);
	argv_render("", 0, false, out, sizeof(out));
	assert_string_equal(out, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_document),
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_truncated_sequence),
		cmocka_unit_test(test_argv_render),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
