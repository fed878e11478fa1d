// SPDX-License-Identifier: MIT
/* The kernel's counters summed per distribution and session. */
#include "tests/cmocka_all.h"

#include <string.h>
#include <sys/socket.h>

#include "guard/kstats.h"

static struct sp_stats proc(uint64_t reads, uint64_t writes, uint64_t cpu)
{
	struct sp_stats st;

	memset(&st, 0, sizeof(st));
	st.opens_read = reads;
	st.opens_write = writes;
	st.opens[SP_BK_ETC] = reads;
	st.opens[SP_BK_TMP] = writes;
	st.sys[SP_CAT_FILE] = reads + writes;
	st.ngram[SP_NG_SOCKET_BIND_LISTEN] = 1;
	st.cpu_ns = cpu;
	st.rchar = 100;
	st.wchar = 10;
	st.bytes_sent = 5;
	return st;
}

static void test_per_dist_and_session(void **state)
{
	struct kstats *ks = kstats_new();
	struct ks_features f;
	struct sp_stats a = proc(3, 0, 1000), b = proc(0, 2, 500), c = proc(1, 1, 1);

	assert_non_null(ks);
	assert_int_equal(kstats_proc_exit(ks, 0, &a), 0);
	assert_int_equal(kstats_proc_exit(ks, 0, &b), 0);
	assert_int_equal(kstats_proc_exit(ks, -1, &c), 0);    /* pip's: session only */
	assert_int_equal(kstats_exec(ks, 0), 0);
	assert_int_equal(kstats_dns(ks, 0), 0);

	assert_int_equal(kstats_features(ks, 0, &f), 0);
	assert_int_equal(f.procs, 2);
	assert_int_equal(f.procs_reading, 1);
	assert_int_equal(f.procs_writing, 1);
	assert_int_equal(f.procs_files, 2);
	assert_int_equal(f.bytes_read, 200);
	assert_int_equal(f.opens[SP_BK_ETC], 3);
	assert_int_equal(f.opens[SP_BK_TMP], 2);
	assert_int_equal(f.sys[SP_CAT_FILE], 5);
	assert_int_equal(f.ngram[SP_NG_SOCKET_BIND_LISTEN], 2);
	assert_int_equal(f.cpu_ns, 1500);
	assert_int_equal(f.execs, 1);
	assert_int_equal(f.dns_queries, 1);

	assert_int_equal(kstats_features(ks, -1, &f), 0);
	assert_int_equal(f.procs, 3);
	assert_int_equal(f.procs_files, 3);
	assert_int_equal(f.bytes_sent, 15);

	assert_int_equal(kstats_features(ks, 7, &f), -ENOENT);
	assert_int_equal(f.procs, 0);
	assert_int_equal(kstats_proc_exit(ks, KSTATS_DISTS_MAX, &a), -E2BIG);
	assert_int_equal(kstats_features(ks, -1, &f), 0);
	assert_int_equal(f.procs, 4);   /* still counted for the session */
	kstats_free(ks);
}

static void test_tcp_distinct(void **state)
{
	struct kstats *ks = kstats_new();
	struct ks_features f;
	struct sp_tcp t;

	memset(&t, 0, sizeof(t));
	t.family = AF_INET;
	t.saddr[0] = 127;
	t.saddr[3] = 1;
	for (unsigned i = 0; i < 3000; i++) {
		t.daddr[0] = 10;
		t.daddr[2] = (uint8_t)(i >> 8);
		t.daddr[3] = (uint8_t)i;
		t.sport = (uint16_t)(40000 + i % 7);
		t.dport = 443;
		assert_int_equal(kstats_tcp(ks, 1, &t), 0);
	}
	assert_int_equal(kstats_features(ks, 1, &f), 0);
	assert_int_equal(f.tcp_transitions, 3000);
	assert_int_equal(f.local_ips, 1);
	assert_int_equal(f.local_ports, 7);
	assert_int_equal(f.remote_ports, 1);
	/* distinct addresses saturate at the cap instead of growing without bound */
	assert_int_equal(f.remote_ips, KSTATS_SET_MAX);
	assert_int_equal(kstats_features(ks, 0, &f), -ENOENT);
	kstats_free(ks);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_per_dist_and_session),
		cmocka_unit_test(test_tcp_distinct),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
