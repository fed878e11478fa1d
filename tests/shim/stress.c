// SPDX-License-Identifier: MIT
/*
 * Stress for the shim: THREADS threads make CALLS hooked calls each; every
 * FORK_EVERY calls a thread forks a child that makes CHILD_CALLS more and
 * exits.  Every call is sem_open() of a name that does not exist: the shim
 * reports each one, the call fails with ENOENT, and nothing is created.
 * The program checks that errno is what libc says after every call, and
 * prints the number of calls made ("calls N") to the file named by argv[1].
 * Exit status: 0, or 1 when an errno was wrong or a child failed.
 *
 * usage: stress OUTFILE [THREADS [CALLS]]
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#define FORK_EVERY 1000
#define CHILD_CALLS 100
#define NAME "/safe-pip-stress-does-not-exist"

static int calls = 10000;
static atomic_long made;
static atomic_int wrong;

static void one_call(void)
{
	errno = 0;
	if (sem_open(NAME, 0) != SEM_FAILED || errno != ENOENT)
		atomic_fetch_add(&wrong, 1);
	atomic_fetch_add(&made, 1);
}

static int child_calls(void)
{
	int bad = 0;

	for (int i = 0; i < CHILD_CALLS; i++) {
		errno = 0;
		if (sem_open(NAME, 0) != SEM_FAILED || errno != ENOENT)
			bad = 1;
	}
	return bad;
}

static void *worker(void *arg)
{
	for (int i = 1; i <= calls; i++) {
		one_call();
		if (i % FORK_EVERY == 0) {
			int status;
			pid_t pid = fork();

			if (pid == 0)
				_exit(child_calls());
			if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
			    WEXITSTATUS(status) != 0)
				atomic_fetch_add(&wrong, 1);
			else
				atomic_fetch_add(&made, CHILD_CALLS);
		}
	}
	return arg;
}

int main(int argc, char **argv)
{
	int threads = argc > 2 ? atoi(argv[2]) : 16;
	pthread_t *t;
	FILE *out;

	if (argc < 2 || threads < 1 || threads > 1024) {
		fprintf(stderr, "usage: stress OUTFILE [THREADS [CALLS]]\n");
		return 2;
	}
	if (argc > 3)
		calls = atoi(argv[3]);
	t = calloc((size_t)threads, sizeof(*t));
	if (!t)
		return 2;
	for (int i = 0; i < threads; i++)
		if (pthread_create(&t[i], NULL, worker, NULL) != 0)
			return 2;
	for (int i = 0; i < threads; i++)
		pthread_join(t[i], NULL);
	out = fopen(argv[1], "w");
	if (!out)
		return 2;
	fprintf(out, "calls %ld\nwrong %d\n", atomic_load(&made), atomic_load(&wrong));
	if (fclose(out) != 0)
		return 2;
	free(t);
	return atomic_load(&wrong) ? 1 : 0;
}
