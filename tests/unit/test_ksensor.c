// SPDX-License-Identifier: MIT
/*
 * The kernel sensor with the real kernel, without pip and without a PID
 * namespace: what it decides for a tracked child that aims at the
 * supervisor (this test process), that the network rules deny or allow,
 * and what dooming the session does.  Skips without root or eBPF.
 */
#include "tests/cmocka_all.h"

#include <arpa/inet.h>
#include <asm/unistd.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guard/ksensor.h"

#define MAX_RECS 64

struct recs {
	struct sp_event v[MAX_RECS];
	int n;
};

static int collect(void *ctx, const struct sp_event *e)
{
	struct recs *r = ctx;

	if (r->n < MAX_RECS && (e->h.kind == SP_EV_SYSCALL || e->h.kind == SP_EV_CONNECT))
		memcpy(&r->v[r->n++], e, e->h.kind == SP_EV_SYSCALL ? SP_EVSZ_SYSCALL : SP_EVSZ_CONNECT);
	return 0;
}

static struct ksensor *open_sensor(struct recs *r)
{
	struct ks_config cfg = { .enforce = true, .deny_inet_roles = 1u << SP_ROLE_BUILD };
	struct ksensor *ks = NULL;
	const char *why = "";

	if (geteuid() != 0)
		return NULL;
	if (ks_open(&ks, &cfg, collect, r, &why) < 0)
		return NULL;
	return ks;
}

/* Fork a child held until tracked, run fn in it; return its wait status. */
static int tracked_child(struct ksensor *ks, void (*fn)(void *), void *arg)
{
	int go[2], st;
	pid_t pid;
	char c;

	assert_int_equal(pipe(go), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(go[1]);
		if (read(go[0], &c, 1) != 1)
			_exit(2);
		fn(arg);
		_exit(0);
	}
	close(go[0]);
	assert_int_equal(ks_track(ks, pid, SP_ROLE_BUILD, 0), 0);
	assert_int_equal(write(go[1], "g", 1), 1);
	close(go[1]);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	(void)ks_consume(ks);
	return st;
}

static const struct sp_event *find_sys(struct recs *r, unsigned nr, int nth)
{
	for (int i = 0; i < r->n; i++)
		if (r->v[i].h.kind == SP_EV_SYSCALL && r->v[i].sys.nr == nr && nth-- == 0)
			return &r->v[i];
	return NULL;
}

static void signal_parent(void *arg)
{
	(void)kill(getppid(), 0);               /* a probe: recorded, not an attack */
	(void)kill(getppid(), SIGWINCH);        /* ignored by the parent, killed here */
}

static void test_signal_to_supervisor(void **state)
{
	struct recs *r = calloc(1, sizeof(*r));
	struct ksensor *ks = open_sensor(r);
	const struct sp_event *probe, *attack;
	struct ks_deny d;
	int st;

	if (!ks) {
		free(r);
		skip();
	}
	signal(SIGWINCH, SIG_IGN);
	st = tracked_child(ks, signal_parent, NULL);
	assert_true(WIFSIGNALED(st));
	assert_int_equal(WTERMSIG(st), SIGKILL);
	probe = find_sys(r, __NR_kill, 0);
	attack = find_sys(r, __NR_kill, 1);
	assert_non_null(probe);
	assert_non_null(attack);
	assert_true(probe->sys.sflags & SP_SF_TARGET_SUPERVISOR);
	assert_int_equal(probe->sys.target_tgid, getpid());
	assert_true(attack->sys.sflags & SP_SF_TARGET_SUPERVISOR);
	assert_true(attack->h.flags & SP_EF_DENIED);
	ks_deny_info(ks, &d);
	assert_int_equal(d.reason, SP_DENY_SUPERVISOR);
	assert_int_equal(d.target, getpid());
	assert_true(ks_is_doomed(ks));
	ks_close(ks);
	free(r);
}

static void seize_parent(void *arg)
{
	/* SEIZE does not stop the parent; the child dies before it can use it. */
	(void)ptrace(PTRACE_SEIZE, getppid(), 0, 0);
	(void)kill(getpid(), SIGCONT);
}

static void test_ptrace_supervisor(void **state)
{
	struct recs *r = calloc(1, sizeof(*r));
	struct ksensor *ks = open_sensor(r);
	const struct sp_event *e;
	int st;

	if (!ks) {
		free(r);
		skip();
	}
	st = tracked_child(ks, seize_parent, NULL);
	assert_true(WIFSIGNALED(st));
	assert_int_equal(WTERMSIG(st), SIGKILL);
	e = find_sys(r, __NR_ptrace, 0);
	assert_non_null(e);
	assert_true(e->sys.sflags & SP_SF_TARGET_SUPERVISOR);
	assert_true(e->h.flags & SP_EF_DENIED);
	ks_close(ks);
	free(r);
}

static void connect_to(void *arg)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	(void)connect(fd, (struct sockaddr *)arg, sizeof(struct sockaddr_in));
	close(fd);
}

/* A listening loopback socket; fills sin with its address. */
static int listener(struct sockaddr_in *sin)
{
	socklen_t len = sizeof(*sin);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)sin, sizeof(*sin)), 0);
	assert_int_equal(listen(fd, 4), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)sin, &len), 0);
	return fd;
}

static void test_net_rules(void **state)
{
	struct recs *r = calloc(1, sizeof(*r));
	struct ksensor *ks = open_sensor(r);
	struct sockaddr_in sin;
	uint8_t lo[4] = { 127, 0, 0, 1 }, net[4] = { 127, 0, 0, 0 };
	int lfd, st, allow_id, deny_id;

	if (!ks) {
		free(r);
		skip();
	}
	lfd = listener(&sin);
	/* A /32 allow for this port inside a /8 deny: the longest prefix wins. */
	deny_id = ks_net_rule_add(ks, AF_INET, net, 8, 0, 65535, 1u << SP_ROLE_BUILD, SP_NET_DENY);
	allow_id = ks_net_rule_add(ks, AF_INET, lo, 32, ntohs(sin.sin_port), ntohs(sin.sin_port),
				   1u << SP_ROLE_BUILD, SP_NET_ALLOW);
	assert_true(deny_id >= 0);
	assert_true(allow_id > deny_id);
	st = tracked_child(ks, connect_to, &sin);
	assert_true(WIFEXITED(st));
	assert_int_equal(r->n, 1);
	assert_int_equal(r->v[0].h.kind, SP_EV_CONNECT);
	assert_int_equal(r->v[0].connect.action, SP_NET_ALLOW);
	assert_int_equal(r->v[0].connect.rule, allow_id);
	assert_false(ks_is_doomed(ks));

	/* Another port of the same address: the /8 denies it, the child dies. */
	sin.sin_port = htons(ntohs(sin.sin_port) == 65535 ? 1 : ntohs(sin.sin_port) + 1);
	st = tracked_child(ks, connect_to, &sin);
	assert_true(WIFSIGNALED(st));
	assert_int_equal(WTERMSIG(st), SIGKILL);
	assert_int_equal(r->n, 2);
	assert_int_equal(r->v[1].connect.action, SP_NET_DENY);
	assert_int_equal(r->v[1].connect.rule, deny_id);
	assert_true(r->v[1].h.flags & SP_EF_DENIED);
	assert_true(ks_is_doomed(ks));
	close(lfd);
	ks_close(ks);
	free(r);
}

static void test_rule_errors(void **state)
{
	struct recs *r = calloc(1, sizeof(*r));
	struct ksensor *ks = open_sensor(r);
	uint8_t a[16] = { 10 };
	int id;

	if (!ks) {
		free(r);
		skip();
	}
	assert_int_equal(ks_net_rule_add(ks, AF_UNIX, a, 8, 0, 1, 2, SP_NET_DENY), -EAFNOSUPPORT);
	assert_int_equal(ks_net_rule_add(ks, AF_INET, a, 33, 0, 1, 2, SP_NET_DENY), -EINVAL);
	assert_int_equal(ks_net_rule_add(ks, AF_INET6, a, 129, 0, 1, 2, SP_NET_DENY), -EINVAL);
	assert_int_equal(ks_net_rule_add(ks, AF_INET, a, 8, 9, 8, 2, SP_NET_DENY), -EINVAL);
	assert_int_equal(ks_net_rule_add(ks, AF_INET, a, 8, 0, 1, 0, SP_NET_DENY), -EINVAL);
	assert_int_equal(ks_net_rule_add(ks, AF_INET, a, 8, 0, 1, 1u << 7, SP_NET_DENY), -EINVAL);
	assert_int_equal(ks_net_rule_add(ks, AF_INET, a, 8, 0, 1, 2, 7), -EINVAL);
	/* SP_NET_PORTS rules fit on one prefix, the next does not */
	for (int i = 0; i < SP_NET_PORTS; i++) {
		id = ks_net_rule_add(ks, AF_INET, a, 8, (uint16_t)i, (uint16_t)i, 2, SP_NET_DENY);
		assert_int_equal(id, i);
	}
	assert_int_equal(ks_net_rule_add(ks, AF_INET, a, 8, 100, 100, 2, SP_NET_DENY), -ENOSPC);
	/* the same address with host bits set is the same prefix */
	a[3] = 7;
	assert_int_equal(ks_net_rule_add(ks, AF_INET, a, 8, 100, 100, 2, SP_NET_DENY), -ENOSPC);
	assert_int_equal(ks_net_default(ks, SP_ROLE_MAX, SP_NET_DENY), -EINVAL);
	assert_int_equal(ks_net_default(ks, SP_ROLE_PIP, SP_NET_DENY), 0);
	ks_close(ks);
	free(r);
}

static void spin(void *arg)
{
	for (;;)
		(void)getppid();
}

static void test_doom(void **state)
{
	struct recs *r = calloc(1, sizeof(*r));
	struct ksensor *ks = open_sensor(r);
	int st;

	if (!ks) {
		free(r);
		skip();
	}
	/* A doomed session kills a tracked task at its next syscall. */
	ks_doom(ks);
	st = tracked_child(ks, spin, NULL);
	assert_true(WIFSIGNALED(st));
	assert_int_equal(WTERMSIG(st), SIGKILL);
	assert_true(ks_is_doomed(ks));
	assert_true(ks_doomed_ns(ks) > 0);
	ks_close(ks);
	free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_signal_to_supervisor),
		cmocka_unit_test(test_ptrace_supervisor),
		cmocka_unit_test(test_net_rules),
		cmocka_unit_test(test_rule_errors),
		cmocka_unit_test(test_doom),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
