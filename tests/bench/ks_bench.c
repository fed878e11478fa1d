// SPDX-License-Identifier: MIT
/*
 * Measurements of the kernel sensor for `make bench` (needs root):
 *
 *   ks_bench attach N      load+attach and detach the sensor N times:
 *                          "attach_ms MEDIAN P90" and "detach_ms MEDIAN P90",
 *                          and "verified_insns N", the verifier's work
 *   ks_bench syscalls N    cost of a cheap syscall (getppid) made N times
 *                          without the sensor, untracked and tracked:
 *                          "syscall_ns NONE UNTRACKED TRACKED"
 *   ks_bench spawn N       cost of starting a program: a shell runs
 *                          /bin/true N times, without the sensor, untracked
 *                          and tracked (kernel side: nobody reads the
 *                          records): "spawn_us NONE UNTRACKED TRACKED"
 *   ks_bench rate SECONDS  records per second the guard's own consumer
 *                          (monitor and findings, no log) takes in with no
 *                          loss: a tracked child makes one record per
 *                          prctl(PR_SET_NAME) at rising paced rates.
 *                          "rate TARGET ACHIEVED LOST" per step, then
 *                          "rate_max_lossless ACHIEVED"
 *
 * Timing is reported, never judged: this is not a test.
 */
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>

#include "guard/kmon.h"
#include "guard/ksensor.h"
#include "guard/session.h"
#include "guard/util.h"

static int count_record(void *ctx, const struct sp_event *e)
{
	(*(uint64_t *)ctx)++;
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static double pct(uint64_t *v, size_t n, double p)
{
	qsort(v, n, sizeof(*v), cmp_u64);
	return (double)v[(size_t)floor(p * (double)(n - 1) + 0.5)];
}

static uint64_t cpu_ns(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/*
 * Wall time of load+attach and of detach, and the CPU time load+attach
 * takes (the kernel verifies in our context): on a busy machine wall time
 * includes waiting for a CPU.
 */
static int attach(int n)
{
	struct ks_config cfg = { .enforce = true, .deny_inet_roles = 1u << SP_ROLE_BUILD };
	uint64_t *a = calloc((size_t)n, sizeof(*a)), *d = calloc((size_t)n, sizeof(*d)), count = 0;
	uint64_t *c = calloc((size_t)n, sizeof(*c));
	const char *why = "";
	uint64_t insns = 0;

	if (!a || !d || !c)
		return 1;
	for (int i = 0; i < n; i++) {
		struct ksensor *ks;
		uint64_t t0 = mono_ns(), c0 = cpu_ns(), t1;
		int r = ks_open(&ks, &cfg, count_record, &count, &why);

		if (r < 0) {
			fprintf(stderr, "ks_bench: cannot %s the sensor: %s\n", why, strerror(-r));
			return 1;
		}
		t1 = mono_ns();
		c[i] = cpu_ns() - c0;
		insns = ks_verified_insns(ks);
		ks_close(ks);
		a[i] = t1 - t0;
		d[i] = mono_ns() - t1;
	}
	printf("attach_ms %.1f %.1f\n", pct(a, (size_t)n, 0.5) / 1e6, pct(a, (size_t)n, 0.9) / 1e6);
	printf("attach_cpu_ms %.1f %.1f\n", pct(c, (size_t)n, 0.5) / 1e6, pct(c, (size_t)n, 0.9) / 1e6);
	printf("detach_ms %.1f %.1f\n", pct(d, (size_t)n, 0.5) / 1e6, pct(d, (size_t)n, 0.9) / 1e6);
	printf("verified_insns %llu\n", (unsigned long long)insns);
	free(a);
	free(c);
	free(d);
	return 0;
}

/*
 * A child held on a pipe until released, which then runs work() and
 * writes back one double.  Returns its pid, or -1.
 */
static pid_t held_child(int *go_w, int *res_r, double (*work)(long), long arg)
{
	int go[2], res[2];
	pid_t pid;

	if (pipe2(go, O_CLOEXEC) < 0 || pipe2(res, O_CLOEXEC) < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		char c;
		double v;

		close(go[1]);
		close(res[0]);
		if (read(go[0], &c, 1) != 1)
			_exit(1);
		v = work(arg);
		(void)write_all(res[1], &v, sizeof(v));
		_exit(0);
	}
	close(go[0]);
	close(res[1]);
	*go_w = go[1];
	*res_r = res[0];
	return pid;
}

static double getppid_loop(long n)
{
	uint64_t t0 = mono_ns();

	for (long i = 0; i < n; i++)
		(void)getppid();
	return (double)(mono_ns() - t0) / (double)n;
}

/*
 * A shell that starts /bin/true n times: microseconds each.  The shell
 * forks, not this process, whose address space (libbpf's, the ring
 * buffer's) would make every fork dearer.
 */
static double spawn_loop(long n)
{
	char script[160];
	uint64_t t0 = mono_ns();
	pid_t pid;
	int st;

	snprintf(script, sizeof(script),
		 "i=0; while [ $i -lt %ld ]; do /bin/true; i=$((i + 1)); done", n);
	pid = fork();
	if (pid == 0) {
		execl("/bin/sh", "sh", "-c", script, (char *)NULL);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
		return -1;
	return (double)(mono_ns() - t0) / (double)n / 1e3;
}

/* Run the work in a child; tracked if ks is given. */
static double child_cost(struct ksensor *ks, double (*work)(long), long n)
{
	int go, res, st;
	double v = -1;
	pid_t pid = held_child(&go, &res, work, n);

	if (pid < 0)
		return -1;
	if (ks && ks_track(ks, pid, SP_ROLE_BUILD, 0) < 0)
		fprintf(stderr, "ks_bench: cannot track the child\n");
	if (write(go, "g", 1) != 1 || read(res, &v, sizeof(v)) != sizeof(v))
		v = -1;
	close(go);
	close(res);
	waitpid(pid, &st, 0);
	return v;
}

/*
 * Five rounds, each without the sensor, then with it (untracked and
 * tracked); the minimum of each is the least disturbed by whatever else
 * the machine runs.  Prints "WHAT NONE UNTRACKED TRACKED".
 */
static int costs(const char *what, double (*work)(long), long n)
{
	struct ks_config cfg = { .enforce = true, .deny_inet_roles = 1u << SP_ROLE_BUILD };
	double none = INFINITY, untracked = INFINITY, tracked = INFINITY;
	struct ksensor *ks;
	const char *why = "";
	uint64_t count = 0;
	int r;

	for (int round = 0; round < 5; round++) {
		none = fmin(none, child_cost(NULL, work, n));
		r = ks_open(&ks, &cfg, count_record, &count, &why);
		if (r < 0) {
			fprintf(stderr, "ks_bench: cannot %s the sensor: %s\n", why, strerror(-r));
			return 1;
		}
		untracked = fmin(untracked, child_cost(NULL, work, n));
		tracked = fmin(tracked, child_cost(ks, work, n));
		ks_close(ks);
	}
	printf("%s %.0f %.0f %.0f\n", what, none, untracked, tracked);
	return 0;
}

/* ------------------------------------------------------------------ rate */

static long pace_rate;          /* records per second the child aims at */
static double pace_seconds;

/* One record per prctl(PR_SET_NAME); paced per millisecond.  Returns the rate reached. */
static double pace(long rate)
{
	uint64_t t0 = mono_ns(), end = t0 + (uint64_t)(pace_seconds * 1e9), tick = t0;
	long per_ms = rate / 1000 > 0 ? rate / 1000 : 1, done = 0;

	while (mono_ns() < end) {
		for (long i = 0; i < per_ms; i++)
			(void)prctl(PR_SET_NAME, "ks-bench", 0, 0, 0);
		done += per_ms;
		tick += 1000000;
		while (mono_ns() < tick)
			;
	}
	return (double)done / ((double)(mono_ns() - t0) / 1e9);
}

static double pace_work(long unused)
{
	return pace(pace_rate);
}

/* One step: a fresh tracked child at rate; the guard's consumer drains. */
static int rate_step(struct session *s, long rate, double *achieved, uint64_t *lost)
{
	uint64_t lost0 = ks_lost(s->ks);
	struct epoll_event ev;
	int go, res, st, ep;
	pid_t pid;

	pace_rate = rate;
	pid = held_child(&go, &res, pace_work, 0);
	if (pid < 0 || ks_track(s->ks, pid, SP_ROLE_BUILD, 0) < 0)
		return -1;
	ep = epoll_create1(EPOLL_CLOEXEC);
	ev.events = EPOLLIN;
	ev.data.fd = ks_fd(s->ks);
	(void)epoll_ctl(ep, EPOLL_CTL_ADD, ks_fd(s->ks), &ev);
	ev.data.fd = res;
	(void)epoll_ctl(ep, EPOLL_CTL_ADD, res, &ev);
	if (write(go, "g", 1) != 1)
		return -1;
	for (;;) {
		struct epoll_event got[2];
		int n = epoll_wait(ep, got, 2, 100);
		bool done = false;

		for (int i = 0; i < n; i++) {
			if (got[i].data.fd == res)
				done = true;
			else
				(void)ks_consume(s->ks);
		}
		if (done)
			break;
	}
	if (read(res, achieved, sizeof(*achieved)) != sizeof(*achieved))
		*achieved = 0;
	waitpid(pid, &st, 0);
	(void)ks_consume(s->ks);
	close(ep);
	close(go);
	close(res);
	*lost = ks_lost(s->ks) - lost0;
	return 0;
}

static int rate(double seconds)
{
	static const long steps[] = { 25000, 50000, 100000, 200000, 400000, 800000, 1600000 };
	struct ks_config cfg = { .enforce = true, .deny_inet_roles = 1u << SP_ROLE_BUILD };
	struct options opt = { 0 };
	struct session s = { .opt = &opt, .block_finding = -1 };
	double best = 0, achieved;
	const char *why = "";
	uint64_t lost;
	int r;

	pace_seconds = seconds;
	if (proctab_init(&s.procs) < 0 || kmon_init(&s) < 0)
		return 1;
	s.start_ns = mono_ns();
	r = ks_open(&s.ks, &cfg, monitor_kernel_record, &s, &why);
	if (r < 0) {
		fprintf(stderr, "ks_bench: cannot %s the sensor: %s\n", why, strerror(-r));
		return 1;
	}
	for (size_t i = 0; i < ARRAY_SIZE(steps); i++) {
		if (rate_step(&s, steps[i], &achieved, &lost) < 0)
			break;
		printf("rate %ld %.0f %llu\n", steps[i], achieved, (unsigned long long)lost);
		fflush(stdout);
		if (lost == 0 && achieved > best)
			best = achieved;
		if (lost > 0 || achieved < 0.9 * (double)steps[i])
			break;          /* lost, or the generator itself cannot go faster */
	}
	printf("rate_max_lossless %.0f\n", best);
	ks_close(s.ks);
	kmon_free(&s);
	proctab_free(&s.procs);
	dists_free(&s.dists);
	free(s.findings);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "attach"))
		return attach(atoi(argv[2]) > 0 ? atoi(argv[2]) : 10);
	if (argc == 3 && !strcmp(argv[1], "syscalls"))
		return costs("syscall_ns", getppid_loop, atol(argv[2]) > 0 ? atol(argv[2]) : 1000000);
	if (argc == 3 && !strcmp(argv[1], "spawn"))
		return costs("spawn_us", spawn_loop, atol(argv[2]) > 0 ? atol(argv[2]) : 500);
	if (argc == 3 && !strcmp(argv[1], "rate"))
		return rate(atof(argv[2]) > 0 ? atof(argv[2]) : 1.0);
	fprintf(stderr, "usage: ks_bench attach N | syscalls N | spawn N | rate SECONDS\n");
	return 64;
}
