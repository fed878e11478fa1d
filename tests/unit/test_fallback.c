// SPDX-License-Identifier: MIT
/*
 * The pieces of the seccomp fallback that can be judged alone: the filter
 * program (run for real on a thread, a second thread receiving its
 * notifications), role classification at exec, the rewriting of
 * self-referring paths, Landlock roots and pip's destinations, and the
 * /proc walk that finds the tree.
 */
#include "tests/cmocka_all.h"

#include <fcntl.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bpf/sp_event.h"
#include "guard/landlock.h"
#include "guard/seccomp_int.h"
#include "guard/tree.h"

/* ------------------------------------------------------------ the filter */

struct filter_run {
	int listener;           /* set by the filtered thread */
	int ready[2];           /* filtered thread -> supervisor: listener made */
	int done;               /* filtered thread finished its calls */
	int seen[64];           /* notified syscall numbers, in order */
	unsigned nseen;
	long results[16];       /* what the filtered calls returned */
};

#define X32_GETPID (0x40000000 | 39)

static void *filtered(void *arg)
{
	struct filter_run *fr = arg;
	struct sock_fprog prog;
	char buf[1] = { 0 };
	int i = 0;

	if (sn_filter_build(&prog) < 0 || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return NULL;
	fr->listener = (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER,
				    &prog);
	free(prog.filter);
	if (write(fr->ready[1], "r", 1) != 1)
		return NULL;
	fr->results[i++] = syscall(SYS_getpid);                                 /* allowed */
	fr->results[i++] = syscall(SYS_openat, AT_FDCWD, "/dev/null", O_RDONLY);   /* notified */
	fr->results[i++] = syscall(SYS_sendto, -1, buf, 1, 0, NULL, 0);         /* no address: allowed */
	fr->results[i++] = syscall(SYS_sendto, -1, buf, 1, 0, (void *)8, 16);   /* notified */
	fr->results[i++] = syscall(SYS_clone3, NULL, 0);                        /* ENOSYS, silently */
	fr->results[i++] = syscall(SYS_io_uring_enter, -1, 0, 0, 0, NULL, 0);   /* EPERM, silently */
	fr->results[i++] = syscall(SYS_socket, AF_UNIX, SOCK_STREAM, 0);        /* notified */
	fr->results[i++] = syscall(X32_GETPID);                                 /* x32: notified */
	fr->results[i++] = syscall(SYS_unshare, 0);                             /* notified */
	__atomic_store_n(&fr->done, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

/* The supervisor's side: record each notification, continue it. */
static void supervise(struct filter_run *fr)
{
	struct seccomp_notif req;
	struct seccomp_notif_resp resp;

	while (!__atomic_load_n(&fr->done, __ATOMIC_SEQ_CST)) {
		struct pollfd p = { .fd = fr->listener, .events = POLLIN };

		if (poll(&p, 1, 50) <= 0 || !(p.revents & POLLIN))
			continue;
		memset(&req, 0, sizeof(req));
		if (ioctl(fr->listener, SECCOMP_IOCTL_NOTIF_RECV, &req) < 0)
			continue;
		if (fr->nseen < 64)
			fr->seen[fr->nseen++] = req.data.nr & ~0x40000000;
		memset(&resp, 0, sizeof(resp));
		resp.id = req.id;
		if (req.data.nr & 0x40000000) {
			resp.error = -ENOSYS;   /* what the fallback answers to x32 */
		} else {
			resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
		}
		(void)ioctl(fr->listener, SECCOMP_IOCTL_NOTIF_SEND, &resp);
	}
}

static int filter_child(void)
{
	struct filter_run fr = { .listener = -1 };
	static const int want[] = { SYS_openat, SYS_sendto, SYS_socket, 39, SYS_unshare };
	pthread_t th;
	char c;

	if (pipe(fr.ready) < 0 || pthread_create(&th, NULL, filtered, &fr) != 0)
		return 10;
	if (read(fr.ready[0], &c, 1) != 1 || fr.listener < 0)
		return 11;
	supervise(&fr);
	pthread_join(th, NULL);
	if (fr.nseen != sizeof(want) / sizeof(want[0])) {
		fprintf(stderr, "notified %u calls, expected %zu:", fr.nseen, sizeof(want) / sizeof(want[0]));
		for (unsigned i = 0; i < fr.nseen; i++)
			fprintf(stderr, " %d", fr.seen[i]);
		fprintf(stderr, "\n");
		return 12;
	}
	for (unsigned i = 0; i < fr.nseen; i++)
		if (fr.seen[i] != want[i])
			return 13;
	/* clone3 and io_uring_enter were refused without asking */
	if (fr.results[4] != -1 || fr.results[5] != -1 || fr.results[7] != -1)
		return 14;
	return 0;
}

static void test_filter_notifies_what_matters(void **state)
{
	pid_t pid = fork();
	int status;

	assert_true(pid >= 0);
	if (pid == 0)
		_exit(filter_child());
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

/* ----------------------------------------------------------------- roles */

static uint32_t classify(const char *const *args)
{
	char buf[256];
	size_t n = 0;

	for (; *args; args++) {
		size_t l = strlen(*args) + 1;

		memcpy(buf + n, *args, l);
		n += l;
	}
	return sn_classify_interp_argv(buf, n);
}

static void test_classify_interp_exec(void **state)
{
	assert_int_equal(classify((const char *const[]){ "/v/bin/python", "/v/lib/python3.11/site-packages/pip/__pip-runner__.py", "install", NULL }), SP_ROLE_PIP);
	assert_int_equal(classify((const char *const[]){ "python", "-m", "pip", "install", NULL }), SP_ROLE_PIP);
	assert_int_equal(classify((const char *const[]){ "python", "/usr/lib/python3/dist-packages/pip", "install", NULL }), SP_ROLE_PIP);
	assert_int_equal(classify((const char *const[]){ "python", "/v/pip/_vendor/pyproject_hooks/_in_process/_in_process.py", "build_wheel", NULL }), SP_ROLE_BUILD);
	assert_int_equal(classify((const char *const[]){ "python", "setup.py", "egg_info", NULL }), SP_ROLE_BUILD);
	assert_int_equal(classify((const char *const[]){ "python", "-m", "pipx", NULL }), SP_ROLE_BUILD);
	assert_int_equal(classify((const char *const[]){ "python", "-m", NULL }), SP_ROLE_BUILD);
	assert_int_equal(classify((const char *const[]){ "python", "notpip", NULL }), SP_ROLE_BUILD);
	assert_int_equal(classify((const char *const[]){ "python", NULL }), SP_ROLE_BUILD);
	/* a file merely called like the runner is not the runner */
	assert_int_equal(classify((const char *const[]){ "python", "/tmp/x__pip-runner__.py", NULL }), SP_ROLE_BUILD);
}

/* ------------------------------------------------------------ self paths */

static void test_translate_self(void **state)
{
	char out[128];

	assert_true(sn_translate_self("/proc/self/status", 10, 12, out, sizeof(out)));
	assert_string_equal(out, "/proc/10/status");
	assert_true(sn_translate_self("/proc/self", 10, 12, out, sizeof(out)));
	assert_string_equal(out, "/proc/10");
	assert_true(sn_translate_self("/proc/thread-self/comm", 10, 12, out, sizeof(out)));
	assert_string_equal(out, "/proc/10/task/12/comm");
	assert_true(sn_translate_self("/dev/fd/3", 10, 12, out, sizeof(out)));
	assert_string_equal(out, "/proc/12/fd/3");
	assert_true(sn_translate_self("/dev/stdout", 10, 12, out, sizeof(out)));
	assert_string_equal(out, "/proc/12/fd/1");
	assert_false(sn_translate_self("/proc/selfish", 10, 12, out, sizeof(out)));
	assert_false(sn_translate_self("/dev/stdoutx", 10, 12, out, sizeof(out)));
	assert_false(sn_translate_self("/home/u/.ssh/id_rsa", 10, 12, out, sizeof(out)));
	assert_false(sn_translate_self("/proc/self/status", 10, 12, out, 8));   /* would not fit */
}

/* -------------------------------------------------------------- Landlock */

static void test_pattern_root(void **state)
{
	bool exact;
	char *r;

	r = ll_pattern_root("/tmp/**", &exact);
	assert_string_equal(r, "/tmp");
	assert_false(exact);
	free(r);
	r = ll_pattern_root("/home/u/.cache/pip*/x", &exact);
	assert_string_equal(r, "/home/u/.cache");
	free(r);
	r = ll_pattern_root("/dev/null", &exact);
	assert_string_equal(r, "/dev/null");
	assert_true(exact);
	free(r);
	assert_null(ll_pattern_root("/*", &exact));
	assert_null(ll_pattern_root("**/build/**", &exact));
	assert_null(ll_pattern_root("core", &exact));
}

static void test_allows_write(void **state)
{
	struct ll_plan p = { .writes = true, .nroots = 3 };

	p.roots[0] = (struct ll_root){ .path = "/v", .dir = true, .create = true };
	p.roots[1] = (struct ll_root){ .path = "/dev", .dir = true, .create = false };
	p.roots[2] = (struct ll_root){ .path = "/etc/x.conf", .dir = false };
	assert_true(ll_allows_write(&p, "/v/lib/a.py", true));
	assert_false(ll_allows_write(&p, "/v", true));          /* the root itself is its parent's */
	assert_false(ll_allows_write(&p, "/vx/a", false));
	assert_true(ll_allows_write(&p, "/dev/null", false));
	assert_false(ll_allows_write(&p, "/dev/evil", true));   /* no new names under /dev */
	assert_true(ll_allows_write(&p, "/etc/x.conf", false));
	assert_false(ll_allows_write(&p, "/etc/x.conf", true));
	assert_false(ll_allows_write(&p, "/home/u/.bashrc", false));
	p.writes = false;
	assert_true(ll_allows_write(&p, "/home/u/.bashrc", false));
	assert_true(ll_allows_write(NULL, "/anything", true));
}

struct dests {
	char text[1024];
};

static void collect(void *ctx, const char *path, bool dir)
{
	struct dests *d = ctx;

	snprintf(d->text + strlen(d->text), sizeof(d->text) - strlen(d->text), "%s%s;", dir ? "d:" : "f:", path);
}

static void test_pip_destinations(void **state)
{
	char *argv[] = {
		"install", "--target", "/t", "--prefix=/p", "-d", "/dl", "-w/wh", "--log", "/l.log",
		"--report=/r.json", "-r", "/tmp", "--find-links", "/tmp", "-e", "/tmp[x]", "/tmp",
		"--cache-dir", "/c", "--no-deps", "requests", NULL,
	};
	struct dests d = { "" };

	ll_pip_destinations(argv, (int)(sizeof(argv) / sizeof(argv[0])) - 1, collect, &d);
	/* -r and --find-links values are not destinations; -e and a bare directory are sources */
	assert_string_equal(d.text, "d:/t;d:/p;d:/dl;d:/wh;f:/l.log;f:/r.json;d:/tmp;d:/tmp;d:/c;");
}

/* ------------------------------------------------------------------ tree */

static void test_tree_finds_orphans(void **state)
{
	int pfd[2];
	pid_t child, grandchild = 0, found[16];
	int n;

	assert_int_equal(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
	assert_int_equal(pipe(pfd), 0);
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		/* double fork, setsid: the grandchild outlives its parent */
		pid_t g = fork();

		if (g == 0) {
			setsid();
			pause();
			_exit(0);
		}
		(void)write(pfd[1], &g, sizeof(g));
		_exit(0);
	}
	assert_int_equal(read(pfd[0], &grandchild, sizeof(grandchild)), (int)sizeof(grandchild));
	assert_int_equal(waitpid(child, NULL, 0), child);
	n = tree_descendants(getpid(), found, 16);
	assert_int_equal(n, 1);
	assert_int_equal(found[0], grandchild);
	kill(grandchild, SIGKILL);
	assert_int_equal(waitpid(grandchild, NULL, 0), grandchild);
	assert_int_equal(tree_descendants(getpid(), found, 16), 0);
	close(pfd[0]);
	close(pfd[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_filter_notifies_what_matters),
		cmocka_unit_test(test_classify_interp_exec),
		cmocka_unit_test(test_translate_self),
		cmocka_unit_test(test_pattern_root),
		cmocka_unit_test(test_allows_write),
		cmocka_unit_test(test_pip_destinations),
		cmocka_unit_test(test_tree_finds_orphans),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
