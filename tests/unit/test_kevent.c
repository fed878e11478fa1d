// SPDX-License-Identifier: MIT
/* Decoders of kernel records: DNS questions, flags, syscall lines, JSON bodies. */
#include "tests/cmocka_all.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <asm/unistd.h>

#include "guard/kevent.h"

/* A DNS query for name (dotted), type A, built the way resolvers do. */
static size_t make_query(uint8_t *buf, const char *name)
{
	static const uint8_t hdr[12] = { 0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0 };
	size_t o = sizeof(hdr);

	memcpy(buf, hdr, sizeof(hdr));
	while (*name) {
		const char *dot = strchr(name, '.');
		size_t l = dot ? (size_t)(dot - name) : strlen(name);

		buf[o++] = (uint8_t)l;
		memcpy(buf + o, name, l);
		o += l;
		name += l + (dot ? 1 : 0);
	}
	buf[o++] = 0;
	buf[o++] = 0;
	buf[o++] = 1;   /* A */
	buf[o++] = 0;
	buf[o++] = 1;   /* IN */
	return o;
}

static void test_dns_question(void **state)
{
	uint8_t q[300];
	char name[DNS_NAME_MAX];
	uint16_t type = 0;
	size_t n = make_query(q, "c2VjcmV0.exfil.example.test");

	assert_int_equal(dns_question(q, n, name, sizeof(name), &type), 0);
	assert_string_equal(name, "c2VjcmV0.exfil.example.test");
	assert_int_equal(type, 1);
	/* every truncation of the message is refused, never read past */
	for (size_t cut = 0; cut < n; cut++)
		assert_int_equal(dns_question(q, cut, name, sizeof(name), &type), -EINVAL);
}

static void test_dns_hostile(void **state)
{
	uint8_t q[600];
	char name[DNS_NAME_MAX], small[8];
	size_t n;

	/* no question */
	n = make_query(q, "a.b");
	q[5] = 0;
	assert_int_equal(dns_question(q, n, name, sizeof(name), NULL), -ENOENT);
	/* a compression pointer in a question */
	n = make_query(q, "a.b");
	q[12] = 0xc0;
	assert_int_equal(dns_question(q, n, name, sizeof(name), NULL), -EINVAL);
	/* bytes that are not hostname characters are escaped */
	n = make_query(q, "ab.cd");
	q[13] = '\n';
	q[14] = '"';
	assert_int_equal(dns_question(q, n, name, sizeof(name), NULL), 0);
	assert_string_equal(name, "\\010\\034.cd");
	/* a name longer than 255 bytes is malformed */
	{
		char longname[400];

		memset(longname, 'a', sizeof(longname));
		for (int i = 60; i < 390; i += 61)
			longname[i] = '.';
		longname[390] = '\0';
		n = make_query(q, longname);
		assert_int_equal(dns_question(q, n, name, sizeof(name), NULL), -EINVAL);
	}
	/* the root name, and an output buffer too small */
	n = make_query(q, "");
	assert_int_equal(dns_question(q, n, name, sizeof(name), NULL), 0);
	assert_string_equal(name, ".");
	n = make_query(q, "abcdefghij.k");
	assert_int_equal(dns_question(q, n, small, sizeof(small), NULL), -ENOSPC);
}

static void test_flags(void **state)
{
	char b[256];

	clone_flags_str(0x20000000 | 0x04000000 | 17, b, sizeof(b));
	assert_string_equal(b, "CLONE_NEWUTS|CLONE_NEWPID|SIGCHLD");
	clone_flags_str(0, b, sizeof(b));
	assert_string_equal(b, "0");
	clone_flags_str(17, b, sizeof(b));
	assert_string_equal(b, "SIGCHLD");
	clone_flags_str(0x400000000000ull, b, sizeof(b));
	assert_string_equal(b, "0x400000000000");
	open_flags_str(O_RDONLY, b, sizeof(b));
	assert_string_equal(b, "read");
	open_flags_str(O_WRONLY | O_CREAT | O_TRUNC, b, sizeof(b));
	assert_string_equal(b, "write|create|truncate");
	open_flags_str(O_RDWR | O_APPEND, b, sizeof(b));
	assert_string_equal(b, "read-write|append");
}

static void test_sys_describe(void **state)
{
	struct sp_sys s;
	char b[512];

	memset(&s, 0, sizeof(s));
	s.nr = __NR_kill;
	s.args[0] = 4242;
	s.args[1] = 9;
	s.ret = -3;
	sys_describe(&s, false, b, sizeof(b));
	assert_string_equal(b, "kill(4242, SIGKILL) = -1 ESRCH");

	memset(&s, 0, sizeof(s));
	s.nr = __NR_prctl;
	s.args[0] = 15;
	strcpy(s.str, "kworker\"x");
	sys_describe(&s, false, b, sizeof(b));
	assert_string_equal(b, "prctl(PR_SET_NAME, \"kworker\\x22x\") = 0");

	memset(&s, 0, sizeof(s));
	s.nr = __NR_setsid;
	s.ret = 77;
	sys_describe(&s, false, b, sizeof(b));
	assert_string_equal(b, "setsid() = 77");

	memset(&s, 0, sizeof(s));
	s.nr = __NR_mmap;
	s.args[1] = 4096;
	s.args[2] = 7;
	s.sflags = SP_SF_ANON;
	s.ret = 0x7f0000000000;
	sys_describe(&s, false, b, sizeof(b));
	assert_string_equal(b, "mmap(anonymous, len 4096, prot 0x7) = 139637976727552");

	memset(&s, 0, sizeof(s));
	s.nr = __NR_open;
	s.cnr = 5;
	s.sflags = SP_SF_FIRST_COMPAT;
	sys_describe(&s, true, b, sizeof(b));
	assert_string_equal(b, "first 32-bit syscall: open (i386 #5)");

	/* an unknown number and a string without NUL stay bounded */
	memset(&s, 0, sizeof(s));
	s.nr = 511;
	sys_describe(&s, false, b, 16);
	assert_int_equal(strlen(b), 15);
	memset(&s, 0, sizeof(s));
	s.nr = __NR_memfd_create;
	memset(s.str, 'A', sizeof(s.str));
	sys_describe(&s, false, b, sizeof(b));
	assert_true(strlen(b) < sizeof(b));
}

/* Every kind renders as one valid JSON object, whatever its bytes say. */
static void test_json_any_record(void **state)
{
	struct sp_event e;
	char *buf = NULL;
	size_t len = 0;

	srand(42);
	for (unsigned kind = 0; kind < SP_EV_KIND_MAX + 2; kind++) {
		for (int round = 0; round < 200; round++) {
			FILE *f = open_memstream(&buf, &len);
			struct jw w;

			for (size_t i = 0; i < sizeof(e); i++)
				((unsigned char *)&e)[i] = (unsigned char)rand();
			e.h.kind = (uint16_t)kind;
			jw_init(&w, f);
			jw_obj(&w);
			kevent_json(&w, &e);
			jw_obj_end(&w);
			fclose(f);
			assert_true(len >= 2);
			assert_int_equal(buf[0], '{');
			assert_int_equal(buf[len - 1], '}');
			assert_null(memchr(buf, '\n', len));
			free(buf);
			buf = NULL;
		}
	}
}

static void test_names(void **state)
{
	assert_string_equal(kevent_kind_name(SP_EV_DNS), "dns");
	assert_string_equal(kevent_kind_name(0), "?");
	assert_string_equal(kevent_kind_name(9999), "?");
	assert_string_equal(fileop_name(SP_FOP_SYMLINK), "symlink");
	assert_string_equal(netop_name(SP_NOP_SENDTO), "sendto");
	assert_string_equal(tcp_state_name(1), "ESTABLISHED");
	assert_string_equal(tcp_state_name(200), "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dns_question),
		cmocka_unit_test(test_dns_hostile),
		cmocka_unit_test(test_flags),
		cmocka_unit_test(test_sys_describe),
		cmocka_unit_test(test_json_any_record),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
