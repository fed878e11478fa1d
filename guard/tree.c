// SPDX-License-Identifier: MIT
#include "guard/tree.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <time.h>

#include "guard/seccomp.h"
#include "guard/session.h"
#include "guard/util.h"

struct pinfo {
	pid_t pid, ppid;
	bool alive;             /* not a zombie */
};

/* pid, ppid and state from /proc/<pid>/stat ("pid (comm) S ppid ..."). */
static int read_stat(int procfd, const char *name, struct pinfo *pi)
{
	char path[64], buf[512];
	const char *p;
	ssize_t n;
	int fd, ppid;
	char state;

	snprintf(path, sizeof(path), "%s%s/stat", procfd == AT_FDCWD ? "/proc/" : "", name);
	fd = openat(procfd, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -EIO;
	buf[n] = '\0';
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 1, " %c %d", &state, &ppid) != 2)
		return -EPROTO;
	pi->pid = (pid_t)strtol(name, NULL, 10);
	pi->ppid = ppid;
	pi->alive = state != 'Z' && state != 'X' && state != 'x';
	return 0;
}

static int snapshot(struct pinfo **out, size_t *n)
{
	DIR *d = opendir("/proc");
	struct pinfo *v = NULL;
	size_t cap = 0, len = 0;
	struct dirent *de;

	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		if (len == cap) {
			struct pinfo *nv = realloc(v, (cap = cap ? cap * 2 : 512) * sizeof(*v));

			if (!nv) {
				free(v);
				closedir(d);
				return -ENOMEM;
			}
			v = nv;
		}
		if (read_stat(dirfd(d), de->d_name, &v[len]) == 0)
			len++;
	}
	closedir(d);
	*out = v;
	*n = len;
	return 0;
}

static int by_pid(const void *a, const void *b)
{
	const struct pinfo *x = a, *y = b;

	return (x->pid > y->pid) - (x->pid < y->pid);
}

/* Is v[i] a descendant of self?  memo: 0 unknown, 1 yes, 2 no. */
static bool descends(struct pinfo *v, size_t n, unsigned char *memo, size_t i, pid_t self)
{
	size_t chain[64], len = 0;
	bool yes = false;

	/* walk up until an answer is known, then write it down the chain */
	for (;;) {
		struct pinfo key = { .pid = v[i].ppid }, *parent;

		if (memo[i]) {
			yes = memo[i] == 1;
			break;
		}
		if (len == sizeof(chain) / sizeof(chain[0])) {
			yes = false;
			break;
		}
		chain[len++] = i;
		if (v[i].ppid == self) {
			yes = true;
			break;
		}
		parent = v[i].ppid > 0 ? bsearch(&key, v, n, sizeof(*v), by_pid) : NULL;
		if (!parent) {
			yes = false;
			break;
		}
		i = (size_t)(parent - v);
	}
	while (len--)
		memo[chain[len]] = yes ? 1 : 2;
	return yes;
}

int tree_descendants(pid_t self, pid_t *out, size_t max)
{
	struct pinfo *v = NULL;
	unsigned char *memo;
	size_t n = 0, found = 0;
	int r = snapshot(&v, &n);

	if (r < 0)
		return r;
	memo = calloc(n ? n : 1, 1);
	if (!memo) {
		free(v);
		return -ENOMEM;
	}
	qsort(v, n, sizeof(*v), by_pid);
	for (size_t i = 0; i < n; i++) {
		if (!v[i].alive || v[i].pid == self || !descends(v, n, memo, i, self))
			continue;
		if (found < max)
			out[found] = v[i].pid;
		found++;
	}
	free(memo);
	free(v);
	return (int)found;
}

static void mark_killed(struct session *s, pid_t pid)
{
	struct proc *p = proctab_get(&s->procs, pid);

	if (!p)
		p = proctab_add(&s->procs, pid);
	if (p && !p->killed) {
		p->killed = true;
		s->nkilled++;
	}
}

/* Is pid still running (not yet a zombie)? */
static bool running(pid_t pid)
{
	struct pinfo pi;
	char name[16];

	snprintf(name, sizeof(name), "%d", (int)pid);
	return read_stat(AT_FDCWD, name, &pi) == 0 && pi.alive;
}

/* Wait until the processes just killed are dead (cheap: no full walk). */
static void wait_dead(struct session *s, const pid_t *pids, int n, uint64_t deadline)
{
	for (int i = 0; i < n && i < TREE_MAX && mono_ns() < deadline;) {
		session_reap(s);
		if (!running(pids[i]))
			i++;
		else
			(void)nanosleep(&(struct timespec){ .tv_nsec = 100 * 1000 }, NULL);
	}
}

int tree_kill(struct session *s)
{
	uint64_t deadline = mono_ns() + TREE_KILL_MS * 1000000ull;
	pid_t *pids = calloc(TREE_MAX, sizeof(*pids));
	int n = 0;

	if (!pids)
		return -ENOMEM;
	if (s->have_cgroup)
		(void)sp_cgroup_kill(&s->cg);
	/* what the fallback has seen first: no /proc walk needed for them */
	sn_kill_known(s->sn);
	/* then walk until a walk finds nothing: what forked meanwhile is found */
	for (;;) {
		n = tree_descendants(getpid(), pids, TREE_MAX);
		for (int i = 0; i < n && i < TREE_MAX; i++) {
			mark_killed(s, pids[i]);
			(void)kill(pids[i], SIGKILL);
		}
		session_reap(s);
		if (n <= 0)
			break;
		if (mono_ns() > deadline) {
			sp_msg("warning: %d processes of the tree did not die within %d ms", n, TREE_KILL_MS);
			break;
		}
		wait_dead(s, pids, n, deadline);
	}
	s->dead_ns = mono_ns();
	session_reap(s);
	free(pids);
	return n > 0 ? -ETIMEDOUT : 0;
}

static void cmdline_of(pid_t pid, char *out, size_t len)
{
	char path[64], buf[PROC_CMDLINE_MAX];
	ssize_t n;
	int fd;

	out[0] = '\0';
	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	n = read(fd, buf, sizeof(buf));
	close(fd);
	if (n > 0)
		argv_render(buf, (size_t)n, n == (ssize_t)sizeof(buf), out, len);
}

void tree_finish(struct session *s)
{
	pid_t *pids = calloc(TREE_MAX, sizeof(*pids));
	int n;

	if (!pids)
		return;
	n = tree_descendants(getpid(), pids, TREE_MAX);
	for (int i = 0; i < n && i < TREE_MAX; i++) {
		char cmd[PROC_CMDLINE_MAX];

		cmdline_of(pids[i], cmd, sizeof(cmd));
		session_add_outlived(s, pids[i], cmd);
	}
	free(pids);
	if (n > 0)
		(void)tree_kill(s);
}
