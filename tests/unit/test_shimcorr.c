// SPDX-License-Identifier: MIT
/* Matching the kernel's view with the shim's reports (guard/shimcorr.c). */
#include "tests/cmocka_all.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "guard/shimcorr.h"

static struct corr c;
static struct shim_rec r;
static struct corr_match m;

static int setup(void **state)
{
	return corr_init(&c);
}

static int teardown(void **state)
{
	corr_free(&c);
	return 0;
}

/* A shim record of kind/call at ts from pid/tid, with key (path, host). */
static void note(pid_t pid, pid_t tid, uint64_t ts, uint16_t kind, uint32_t call,
		 const char *key, uint32_t flags)
{
	struct corr_note n;

	memset(&r, 0, sizeof(r));
	r.h.kind = kind;
	r.h.call = call;
	r.h.ts_ns = ts;
	r.h.flags = flags;
	switch (kind) {
	case SHIM_EV_EXEC:
		strcpy(r.exec.path, key);
		break;
	case SHIM_EV_FILE:
		strcpy(r.file.path, key);
		break;
	case SHIM_EV_DNS:
		strcpy(r.dns.host, key);
		break;
	case SHIM_EV_CONNECT:
		r.connect.family = AF_INET;
		r.connect.port = 9;
		r.connect.addr[0] = 127;
		r.connect.addr[3] = 1;
		break;
	}
	corr_note_from(&n, &r);
	corr_add(&c, pid, tid, &n, "setup.py:3 in run -> x", 0);
}

/* pid starts a new image at ts that should carry the shim, and says hello. */
static void live(pid_t pid, uint64_t ts)
{
	assert_int_equal(corr_exec(&c, pid, pid, ts, "/usr/bin/python3", true, &m), CORR_NONE);
	note(pid, pid, ts + 1, SHIM_EV_HELLO, SHIM_CALL_CTOR, "", 0);
	assert_true(corr_live(&c, pid));
}

static const uint8_t lo[16] = { 127, 0, 0, 1 };

static void test_not_expected(void **state)
{
	assert_int_equal(corr_open(&c, 10, 10, 5, "/tmp/x", &m), CORR_NONE);
	assert_int_equal(corr_exec(&c, 10, 10, 6, "/bin/static", false, &m), CORR_NONE);
	assert_int_equal(corr_open(&c, 10, 10, 7, "/tmp/x", &m), CORR_NONE);
	assert_false(corr_live(&c, 10));
	corr_exit(&c, 10, 8);
}

static void test_noshim(void **state)
{
	assert_int_equal(corr_exec(&c, 11, 11, 100, "/usr/bin/x", true, &m), CORR_NONE);
	/* no hello: the first action tells, once per image */
	assert_int_equal(corr_open(&c, 11, 11, 110, "/tmp/a", &m), CORR_NOSHIM);
	assert_int_equal(corr_open(&c, 11, 11, 111, "/tmp/b", &m), CORR_NONE);
	/* a hello that comes late still counts for what follows it */
	note(11, 11, 112, SHIM_EV_HELLO, SHIM_CALL_CTOR, "", 0);
	assert_int_equal(corr_open(&c, 11, 11, 113, "/tmp/c", &m), CORR_BYPASS);
	corr_exit(&c, 11, 200);
}

static void test_open(void **state)
{
	live(12, 100);
	note(12, 12, 200, SHIM_EV_FILE, SHIM_CALL_OPEN, "/tmp/a", 0);
	assert_int_equal(corr_open(&c, 12, 12, 201, "/tmp/a", &m), CORR_MATCHED);
	assert_int_equal(m.note.call, SHIM_CALL_OPEN);
	/* the last note before the action must be about it */
	assert_int_equal(corr_open(&c, 12, 12, 202, "/tmp/b", &m), CORR_BYPASS);
	/* a note sent after the action does not explain it */
	note(12, 12, 300, SHIM_EV_FILE, SHIM_CALL_OPEN, "/tmp/late", 0);
	assert_int_equal(corr_open(&c, 12, 12, 250, "/tmp/late", &m), CORR_BYPASS);
	/* another thread of the process has its own history */
	assert_int_equal(corr_open(&c, 12, 13, 301, "/tmp/late", &m), CORR_BYPASS);
	/* libc writes some devices on its own */
	assert_int_equal(corr_open(&c, 12, 12, 302, "/dev/null", &m), CORR_EXPLAINED);
	assert_int_equal(corr_open(&c, 12, 12, 303, "/dev/pts/3", &m), CORR_EXPLAINED);
	corr_exit(&c, 12, 400);
}

static void test_temp(void **state)
{
	live(14, 100);
	note(14, 14, 200, SHIM_EV_FILE, SHIM_CALL_MKSTEMP, "/tmp/ccXXXXXX.s", 0);
	/* mkstemp may try several names */
	assert_int_equal(corr_open(&c, 14, 14, 201, "/tmp/ccAb3dEf.s", &m), CORR_MATCHED);
	assert_int_equal(corr_open(&c, 14, 14, 202, "/tmp/ccZZZZZZ.s", &m), CORR_MATCHED);
	assert_int_equal(corr_open(&c, 14, 14, 203, "/tmp/dd123456.s", &m), CORR_BYPASS);
	assert_true(corr_template_match("/tmp/XXXXXX", "/tmp/a1b2c3"));
	assert_true(corr_template_match("stXXXXXX", "/build/helper/st53kpAn"));
	assert_false(corr_template_match("/tmp/XXXXXX", "/tmp/a1b2c3d"));
	assert_false(corr_template_match("/tmp/abXXXX", "/var/a1b2c3"));
	corr_exit(&c, 14, 400);
}

static void test_connect(void **state)
{
	uint8_t other[16] = { 10, 0, 0, 1 };

	live(15, 100);
	note(15, 15, 200, SHIM_EV_CONNECT, SHIM_CALL_CONNECT, "", 0);
	assert_int_equal(corr_connect(&c, 15, 15, 201, AF_INET, lo, 9, &m), CORR_MATCHED);
	assert_string_equal(m.via, "setup.py:3 in run -> x");
	assert_int_equal(corr_connect(&c, 15, 15, 202, AF_INET, other, 9, &m), CORR_BYPASS);
	assert_int_equal(corr_connect(&c, 15, 15, 203, AF_INET, lo, 10, &m), CORR_BYPASS);
	/* the resolver connects inside a lookup, not after it */
	note(15, 15, 300, SHIM_EV_DNS, SHIM_CALL_GETADDRINFO, "example.org", 0);
	assert_int_equal(corr_connect(&c, 15, 15, 301, AF_INET, other, 53, &m), CORR_MATCHED);
	note(15, 15, 302, SHIM_EV_DNS, SHIM_CALL_GETADDRINFO, "example.org", SHIM_F_RESULT);
	assert_int_equal(corr_connect(&c, 15, 15, 303, AF_INET, other, 53, &m), CORR_BYPASS);
	/* unix sockets are not judged */
	assert_int_equal(corr_connect(&c, 15, 15, 304, AF_UNIX, lo, 0, &m), CORR_NONE);
	corr_exit(&c, 15, 400);
}

static void test_exec_and_spawn(void **state)
{
	live(16, 100);
	note(16, 16, 200, SHIM_EV_EXEC, SHIM_CALL_EXECVP, "make", 0);
	/* execvp's search: the kernel names the file found */
	assert_int_equal(corr_exec(&c, 16, 16, 201, "/usr/bin/make", true, &m), CORR_MATCHED);
	assert_string_equal(m.via, "setup.py:3 in run -> x");
	/* the new image has not said hello yet: its first action tells */
	assert_int_equal(corr_open(&c, 16, 16, 205, "/tmp/x", &m), CORR_NOSHIM);

	/* posix_spawn: the child execs inside libc, the parent's note explains it */
	live(17, 300);
	note(17, 17, 400, SHIM_EV_EXEC, SHIM_CALL_POSIX_SPAWN, "/bin/cc", 0);
	corr_fork(&c, 17, 17, 18, 401);
	assert_true(corr_live(&c, 18));
	assert_int_equal(corr_open(&c, 18, 18, 402, "/tmp/out.log", &m), CORR_EXPLAINED);
	assert_int_equal(corr_exec(&c, 18, 18, 403, "/bin/cc", true, &m), CORR_EXPLAINED);
	assert_int_equal(m.note.call, SHIM_CALL_POSIX_SPAWN);
	/* a plain fork explains nothing */
	note(17, 17, 500, SHIM_EV_FILE, SHIM_CALL_OPEN, "/tmp/y", 0);
	corr_fork(&c, 17, 17, 19, 501);
	assert_int_equal(corr_exec(&c, 19, 19, 502, "/bin/sh", true, &m), CORR_BYPASS);
	corr_exit(&c, 16, 600);
	corr_exit(&c, 17, 600);
	corr_exit(&c, 18, 600);
	corr_exit(&c, 19, 600);
}

static void test_fork_child_spoke_first(void **state)
{
	live(20, 100);
	/* the child's records are read before the kernel's fork record */
	note(21, 21, 205, SHIM_EV_EXEC, SHIM_CALL_EXECVE, "/bin/true", SHIM_F_CHILD);
	corr_fork(&c, 20, 20, 21, 200);
	assert_int_equal(corr_exec(&c, 21, 21, 206, "/bin/true", true, &m), CORR_MATCHED);
	corr_exit(&c, 20, 300);
	corr_exit(&c, 21, 300);
}

static void test_unknown(void **state)
{
	char p[32];

	live(22, 100);
	/* many notes before the action: the one that matters is still there */
	for (int i = 0; i < 3 * CORR_RING_MIN; i++) {
		snprintf(p, sizeof(p), "/tmp/m%d", i);
		note(22, 22, 110 + (uint64_t)i, SHIM_EV_FILE, SHIM_CALL_OPEN, p, 0);
	}
	assert_int_equal(corr_open(&c, 22, 22, 190, "/tmp/m47", &m), CORR_MATCHED);
	/* more notes after the action than a thread may keep: cannot tell */
	note(22, 22, 200, SHIM_EV_FILE, SHIM_CALL_OPEN, "/tmp/a", 0);
	for (int i = 0; i < CORR_RING_MAX; i++) {
		snprintf(p, sizeof(p), "/tmp/n%d", i);
		note(22, 22, 300 + (uint64_t)i, SHIM_EV_FILE, SHIM_CALL_OPEN, p, 0);
	}
	assert_int_equal(corr_open(&c, 22, 22, 201, "/tmp/a", &m), CORR_UNKNOWN);
	assert_int_equal(corr_open(&c, 22, 22, 201, "/tmp/zzz", &m), CORR_UNKNOWN);
	corr_exit(&c, 22, 100000);

	/* a process that lost records: a missing report may be one of them */
	live(23, 100);
	{
		struct corr_note n;

		memset(&n, 0, sizeof(n));
		n.ts = 150;
		n.kind = SHIM_EV_FILE;
		assert_int_equal(corr_add(&c, 23, 23, &n, NULL, 3), 3);
		assert_int_equal(corr_add(&c, 23, 23, &n, NULL, 5), 2);
	}
	assert_int_equal(corr_open(&c, 23, 23, 200, "/tmp/q", &m), CORR_UNKNOWN);
	corr_exit(&c, 23, 1000);
}

static void test_exit_successor(void **state)
{
	live(24, 100);
	/* a new process with the same pid spoke before the old one's exit was read */
	note(24, 24, 600, SHIM_EV_HELLO, SHIM_CALL_CTOR, "", 0);
	corr_exit(&c, 24, 500);
	assert_int_equal(c.nprocs, 1);
	/* a new fork record for it brings its parent's state; the hello stays */
	live(25, 50);
	corr_fork(&c, 25, 25, 24, 550);
	assert_true(corr_live(&c, 24));
	corr_exit(&c, 24, 700);
	corr_exit(&c, 25, 700);
	assert_int_equal(c.nprocs, 0);
	assert_int_equal(c.nthreads, 0);
	assert_int_equal(c.nslots, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_not_expected),
		cmocka_unit_test(test_noshim),
		cmocka_unit_test(test_open),
		cmocka_unit_test(test_temp),
		cmocka_unit_test(test_connect),
		cmocka_unit_test(test_exec_and_spawn),
		cmocka_unit_test(test_fork_child_spoke_first),
		cmocka_unit_test(test_unknown),
		cmocka_unit_test(test_exit_successor),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
