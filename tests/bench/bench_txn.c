// SPDX-License-Identifier: MIT
/*
 * Benchmark of the install transaction (make bench): how long prepare,
 * commit and rollback take against the number of files an install changes
 * and against the size of the environment it changes them in.  Prints a
 * Markdown table (median of REPS runs, milliseconds); asserts nothing.
 *
 * The "install" writes CHANGED new files (in new package directories of
 * 50) and deletes CHANGED/10 files of the environment: in staged mode from
 * a child inside the mount namespace, as pip would, in journaled mode in
 * place.  Staged mode needs root; without it only journaled runs.
 *
 * usage: bench_txn [REPS]
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guard/fsutil.h"
#include "guard/txn.h"
#include "guard/util.h"

#define PER_DIR 50

static char base[64], target[128];

static void die(const char *what, int r)
{
	fprintf(stderr, "bench_txn: %s: %s\n", what, strerror(r < 0 ? -r : r));
	exit(1);
}

static void write_file(const char *path, size_t i)
{
	char text[128];
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0)
		die(path, errno);
	snprintf(text, sizeof(text), "# file %zu of the benchmark environment\nVALUE = %zu\n", i, i);
	if (write_all(fd, text, strlen(text)) < 0)
		die(path, errno);
	close(fd);
}

/* An environment of n files in package directories of PER_DIR. */
static void make_env(size_t n)
{
	char path[256];

	(void)fs_remove_at(AT_FDCWD, target, NULL);
	for (size_t i = 0; i < n; i++) {
		if (i % PER_DIR == 0) {
			snprintf(path, sizeof(path), "%s/pkg%04zu", target, i / PER_DIR);
			if (fs_mkdir_p(path, 0755) < 0)
				die(path, errno);
		}
		snprintf(path, sizeof(path), "%s/pkg%04zu/mod%03zu.py", target, i / PER_DIR, i % PER_DIR);
		write_file(path, i);
	}
}

/* What the install does: changed new files, changed/10 deletions. */
static void install(size_t changed, size_t env)
{
	char path[256];

	for (size_t i = 0; i < changed; i++) {
		if (i % PER_DIR == 0) {
			snprintf(path, sizeof(path), "%s/new%04zu", target, i / PER_DIR);
			if (mkdir(path, 0755) < 0)
				_exit(2);
		}
		snprintf(path, sizeof(path), "%s/new%04zu/mod%03zu.py", target, i / PER_DIR, i % PER_DIR);
		write_file(path, i);
	}
	for (size_t i = 0; i < changed / 10 && i < env; i++) {
		snprintf(path, sizeof(path), "%s/pkg%04zu/mod%03zu.py", target, i / PER_DIR, i % PER_DIR);
		if (unlink(path) < 0)
			_exit(3);
	}
}

static struct txn *prepare(enum txn_want want, uint64_t *ns)
{
	static struct pyinfo py = {
		.python = "/bin/true", .prefix = "/nonexistent", .base_prefix = "/nonexistent",
		.purelib = "/nonexistent", .platlib = "/nonexistent", .scripts = "/nonexistent",
		.data = "/nonexistent", .userbase = "/nonexistent", .real_executable = "/bin/true",
	};
	struct txn_config cfg = { .want = want, .want_source = "the benchmark" };
	char *argv[] = { "install", "--target", target, "x" };
	char err[512] = "";
	uint64_t t0 = mono_ns();
	struct txn *t;
	int r = txn_prepare(&t, &cfg, &py, argv, 4, NULL, err, sizeof(err));

	if (r < 0) {
		fprintf(stderr, "bench_txn: %s\n", err);
		exit(1);
	}
	*ns = mono_ns() - t0;
	return t;
}

static void run_install(struct txn *t, size_t changed, size_t env)
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		if (txn_child_setup(t) < 0)
			_exit(4);
		install(changed, env);
		_exit(0);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status))
		die("the install", EIO);
}

/* One run: prepare, install, commit or abort; the times in ns (prepare, finish, cleanup). */
static void one(enum txn_want want, size_t env, size_t changed, bool commit, uint64_t out[3])
{
	struct txn *t;
	int r;

	make_env(env);
	t = prepare(want, &out[0]);
	run_install(t, changed, env);
	r = commit ? txn_commit(t) : txn_abort(t);
	if (r < 0)
		die(commit ? "commit" : "abort", r);
	out[1] = txn_result(t)->elapsed_ns;
	out[2] = txn_result(t)->cleanup_ns;
	txn_free(t);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static double median_ms(uint64_t *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_u64);
	return (double)v[n / 2] / 1e6;
}

int main(int argc, char **argv)
{
	static const size_t envs[] = { 100, 10000 };
	static const size_t changes[] = { 10, 100, 1000 };
	static const enum txn_want modes[] = { TXN_WANT_STAGED, TXN_WANT_JOURNALED };
	int reps = argc > 1 ? atoi(argv[1]) : 5;
	char state[128];

	if (reps < 1 || reps > 100)
		reps = 5;
	strcpy(base, "/tmp/sp-bench-XXXXXX");
	if (!mkdtemp(base))
		die("mkdtemp", errno);
	snprintf(target, sizeof(target), "%s/env", base);
	snprintf(state, sizeof(state), "%s/state", base);
	setenv("SAFE_PIP_STATE_DIR", state, 1);
	setenv("PIP_CONFIG_FILE", "/dev/null", 1);
	setenv("TMPDIR", base, 1);
	printf("| mode | files in the environment | files changed | prepare ms | commit ms | rollback ms "
	       "| cleanup after commit / rollback ms |\n");
	printf("|---|---:|---:|---:|---:|---:|---:|\n");
	for (size_t m = 0; m < ARRAY_SIZE(modes); m++) {
		if (modes[m] == TXN_WANT_STAGED && geteuid() != 0) {
			printf("| staged | - | - | (needs root) | | |\n");
			continue;
		}
		for (size_t e = 0; e < ARRAY_SIZE(envs); e++) {
			for (size_t c = 0; c < ARRAY_SIZE(changes); c++) {
				uint64_t prep[100], com[100], rb[100], ccl[100], rcl[100], x[3];

				for (int i = 0; i < reps; i++) {
					one(modes[m], envs[e], changes[c], true, x);
					prep[i] = x[0];
					com[i] = x[1];
					ccl[i] = x[2];
					one(modes[m], envs[e], changes[c], false, x);
					rb[i] = x[1];
					rcl[i] = x[2];
				}
				printf("| %s | %zu | %zu | %.1f | %.1f | %.1f | %.1f / %.1f |\n",
				       modes[m] == TXN_WANT_STAGED ? "staged" : "journaled", envs[e], changes[c],
				       median_ms(prep, reps), median_ms(com, reps), median_ms(rb, reps),
				       median_ms(ccl, reps), median_ms(rcl, reps));
				fflush(stdout);
			}
		}
	}
	(void)fs_remove_at(AT_FDCWD, base, NULL);
	return 0;
}
