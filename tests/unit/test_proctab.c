// SPDX-License-Identifier: MIT
/* The process table under many processes and pid reuse. */
#include "tests/cmocka_all.h"

#include <stdlib.h>
#include <string.h>

#include "guard/proctab.h"

static void count(struct proc *p, void *ctx)
{
	(*(size_t *)ctx)++;
}

static void test_many(void **state)
{
	struct proctab t;
	size_t n = 0;

	assert_int_equal(proctab_init(&t), 0);
	for (pid_t pid = 1; pid <= 20000; pid++) {
		struct proc *p = proctab_add(&t, pid * 7);

		assert_non_null(p);
		p->ppid = pid;
	}
	assert_int_equal(t.count, 20000);
	for (pid_t pid = 1; pid <= 20000; pid++) {
		struct proc *p = proctab_get(&t, pid * 7);

		assert_non_null(p);
		assert_int_equal(p->ppid, pid);
	}
	assert_null(proctab_get(&t, 3));
	proctab_each(&t, count, &n);
	assert_int_equal(n, 20000);
	proctab_free(&t);
}

static void test_reuse(void **state)
{
	struct proctab t;
	struct proc *p;

	assert_int_equal(proctab_init(&t), 0);
	p = proctab_add(&t, 42);
	p->dist = 3;
	p->exe = strdup("/bin/x");
	/* still alive: the same entry */
	assert_ptr_equal(proctab_add(&t, 42), p);
	assert_int_equal(p->dist, 3);
	/* exited: the pid is reused by a new process */
	p->exited = true;
	assert_ptr_equal(proctab_add(&t, 42), p);
	assert_int_equal(p->dist, -1);
	assert_null(p->exe);
	assert_false(p->exited);
	assert_int_equal(p->pid, 42);
	proctab_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_many),
		cmocka_unit_test(test_reuse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
