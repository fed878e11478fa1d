// SPDX-License-Identifier: MIT
/*
 * The processes of the tree as the seccomp sensor learns them, and what it
 * reads of them: their memory, their /proc entries, their lineage.
 *
 * Every entry carries an O_PATH fd of /proc/<tid> while it is in use: any
 * lookup under it fails with ESRCH once that thread is gone, even when its
 * pid was given to a new process, which is how a reused pid is told apart.
 * Fds are closed for the least recently used entries beyond SN_FDS_MAX;
 * such an entry is revalidated by the start time in /proc/<tid>/stat.
 */
#include <fcntl.h>
#include <signal.h>
#include <limits.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "guard/seccomp_int.h"
#include "guard/session.h"
#include "guard/util.h"

#ifndef KCMP_VM
#define KCMP_VM 1
#endif

static size_t bucket_of(const struct sn *sn, pid_t tid)
{
	return ((uint32_t)tid * 2654435761u) & (sn->nbuckets - 1);
}

static struct sn_task *lookup(struct sn *sn, pid_t tid)
{
	if (!sn->buckets)
		return NULL;
	for (struct sn_task *t = sn->buckets[bucket_of(sn, tid)]; t; t = t->next)
		if (t->tid == tid)
			return t;
	return NULL;
}

static void close_fds(struct sn *sn, struct sn_task *t)
{
	if (t->procfd >= 0) {
		close(t->procfd);
		t->procfd = -1;
		sn->nfds--;
	}
	if (t->memfd >= 0) {
		close(t->memfd);
		t->memfd = -1;
		sn->nfds--;
	}
}

/* Keep the number of open /proc fds bounded: close the older half. */
static void evict(struct sn *sn)
{
	uint64_t horizon;

	if (sn->nfds < SN_FDS_MAX)
		return;
	horizon = sn->clock > SN_FDS_MAX / 4 ? sn->clock - SN_FDS_MAX / 4 : 0;
	for (size_t b = 0; b < sn->nbuckets; b++)
		for (struct sn_task *t = sn->buckets[b]; t; t = t->next)
			if (t->used < horizon)
				close_fds(sn, t);
}

static void unlink_task(struct sn *sn, struct sn_task *dead)
{
	struct sn_task **pp = &sn->buckets[bucket_of(sn, dead->tid)];

	for (; *pp; pp = &(*pp)->next) {
		if (*pp == dead) {
			*pp = dead->next;
			break;
		}
	}
	/* threads of a dead process point at it: they are dead too */
	for (size_t b = 0; b < sn->nbuckets; b++)
		for (struct sn_task *t = sn->buckets[b]; t; t = t->next)
			if (t->proc == dead)
				t->proc = t;
	close_fds(sn, dead);
	free(dead);
	sn->count--;
}

void sn_tasks_free(struct sn *sn)
{
	for (size_t b = 0; b < sn->nbuckets; b++) {
		struct sn_task *t = sn->buckets[b], *n;

		for (; t; t = n) {
			n = t->next;
			close_fds(sn, t);
			free(t);
		}
	}
	free(sn->buckets);
	sn->buckets = NULL;
	sn->count = 0;
}

/* ------------------------------------------------------------- /proc */

static ssize_t read_proc(int dirfd, const char *name, char *buf, size_t len)
{
	_cleanup_close_ int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return n;
}

/* Field 22 of stat: start time in clock ticks after boot. */
static int parse_starttime(const char *stat, unsigned long long *out)
{
	const char *p = strrchr(stat, ')');
	int field = 2;

	if (!p)
		return -EPROTO;
	for (p++; *p && field < 21; p++)
		if (*p == ' ')
			field++;
	return sscanf(p, " %llu", out) == 1 ? 0 : -EPROTO;
}

static long status_num(const char *status, const char *key)
{
	const char *p = strstr(status, key);

	return p ? strtol(p + strlen(key), NULL, 10) : -1;
}

/* The credential lines of a status file, concatenated, into out. */
static void creds_of(const char *status, char *out, size_t len)
{
	static const char *const keys[] = { "\nUid:", "\nGid:", "\nGroups:", "\nCapPrm:", "\nCapEff:" };

	out[0] = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
		const char *p = strstr(status, keys[i]);
		size_t n;

		if (!p)
			continue;
		p++;
		n = strcspn(p, "\n");
		snprintf(out + strlen(out), len - strlen(out), "%.*s;", (int)n, p);
	}
}

pid_t sn_proc_ppid(pid_t pid)
{
	char path[64], stat[1024];
	const char *p;
	int ppid;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (read_proc(AT_FDCWD, path, stat, sizeof(stat)) < 0)
		return -ESRCH;
	p = strrchr(stat, ')');
	if (!p || sscanf(p + 1, " %*c %d", &ppid) != 1)
		return -EPROTO;
	return ppid;
}

bool sn_in_tree(struct sn *sn, pid_t pid)
{
	if (pid <= 0 || pid == sn->self)
		return false;
	for (int i = 0; i < SN_LINEAGE_MAX && pid > 1; i++) {
		pid = sn_proc_ppid(pid);
		if (pid == sn->self)
			return true;
	}
	return false;
}

/* ---------------------------------------------------------- learning */

static int grow(struct sn *sn)
{
	size_t nb = sn->nbuckets ? sn->nbuckets * 2 : 256;
	struct sn_task **v;

	if (sn->buckets && sn->count < sn->nbuckets)
		return 0;
	v = calloc(nb, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (size_t b = 0; b < sn->nbuckets; b++) {
		struct sn_task *t = sn->buckets[b], *n;

		for (; t; t = n) {
			n = t->next;
			t->next = v[((uint32_t)t->tid * 2654435761u) & (nb - 1)];
			v[((uint32_t)t->tid * 2654435761u) & (nb - 1)] = t;
		}
	}
	free(sn->buckets);
	sn->buckets = v;
	sn->nbuckets = nb;
	return 0;
}

/* Forget the entries of processes that are gone; true if any was. */
static bool purge_dead(struct sn *sn)
{
	size_t before = sn->count;

	for (size_t b = 0; b < sn->nbuckets; b++) {
		struct sn_task *t = sn->buckets[b], *n;

		for (; t; t = n) {
			char path[64];

			n = t->next;
			snprintf(path, sizeof(path), "/proc/%d", (int)t->tid);
			if (access(path, F_OK) < 0 && errno == ENOENT)
				unlink_task(sn, t);
		}
	}
	return sn->count < before;
}

/*
 * A new process: its role from its parent as we know it.  An orphan
 * (reparented to us) or a process whose lineage we cannot establish is a
 * build: that is the stricter role.
 */
static void inherit(struct sn *sn, struct sn_task *t, pid_t ppid, int depth)
{
	struct session *s = sn->s;
	struct sn_task *parent = NULL;

	if (t->tgid == s->root) {
		t->role = SP_ROLE_PIP;
		t->flags = SNP_ROOT;
		return;
	}
	t->role = SP_ROLE_BUILD;
	if (ppid > 0 && ppid != sn->self && depth < SN_LINEAGE_MAX)
		parent = sn_task_get_depth(sn, ppid, depth + 1);
	if (parent) {
		struct sp_event e = { 0 };
		struct sn_call c = { .t = parent, .p = parent->proc, .ts_ns = mono_ns() };

		parent = parent->proc;
		t->role = parent->role;
		t->flags = parent->flags & SNP_CREDS;
		/* the monitor copies the parent's distribution into the child */
		e.h.kind = SP_EV_FORK;
		e.fork.child_tgid = (uint32_t)t->tgid;
		sn_record(sn, &c, &e);
	} else {
		struct proc *p = proctab_add(&s->procs, t->tgid);

		if (p && p->role == SP_ROLE_NONE) {
			p->ppid = ppid;
			p->role = t->role;
		}
		sp_debug("seccomp: process %d of unknown lineage (parent %d): role build",
			 (int)t->tgid, (int)ppid);
	}
}

static struct sn_task *learn(struct sn *sn, pid_t tid, int depth)
{
	char path[64], buf[4096], creds[sizeof(sn->creds)];
	unsigned long long start;
	struct sn_task *t;
	pid_t tgid, ppid;
	int procfd;

	if (sn->count >= SN_TASKS_MAX && !purge_dead(sn)) {
		errno = ENOSPC;
		return NULL;
	}
	if (grow(sn) < 0)
		return NULL;
	snprintf(path, sizeof(path), "/proc/%d", (int)tid);
	procfd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (procfd < 0)
		return NULL;
	if (read_proc(procfd, "stat", buf, sizeof(buf)) < 0 || parse_starttime(buf, &start) < 0 ||
	    read_proc(procfd, "status", buf, sizeof(buf)) < 0) {
		close(procfd);
		errno = ESRCH;
		return NULL;
	}
	tgid = (pid_t)status_num(buf, "\nTgid:");
	ppid = (pid_t)status_num(buf, "\nPPid:");
	creds_of(buf, creds, sizeof(creds));
	t = calloc(1, sizeof(*t));
	if (!t || tgid <= 0) {
		free(t);
		close(procfd);
		errno = t ? EPROTO : ENOMEM;
		return NULL;
	}
	t->tid = tid;
	t->tgid = tgid;
	t->start = start;
	t->procfd = procfd;
	t->memfd = -1;
	t->proc = t;
	t->used = ++sn->clock;
	sn->nfds++;
	t->next = sn->buckets[bucket_of(sn, tid)];
	sn->buckets[bucket_of(sn, tid)] = t;
	sn->count++;
	if (tid != tgid) {
		struct sn_task *leader = sn_task_get_depth(sn, tgid, depth + 1);

		if (leader)
			t->proc = leader->proc;
		else
			inherit(sn, t, ppid, depth);
	} else {
		struct stat ns;

		inherit(sn, t, ppid, depth);
		if (strcmp(creds, sn->creds) != 0)
			t->flags |= SNP_CREDS;
		if (fstatat(procfd, "ns/mnt", &ns, 0) < 0 || ns.st_ino != sn->mnt_ino)
			t->flags |= SNP_OTHER_NS;
	}
	return t;
}

/* Is t still the thread it was when learnt? */
static bool still_same(struct sn *sn, struct sn_task *t)
{
	char path[64], buf[1024];
	unsigned long long start;

	if (t->procfd >= 0)
		return faccessat(t->procfd, "stat", F_OK, 0) == 0;
	snprintf(path, sizeof(path), "/proc/%d", (int)t->tid);
	t->procfd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (t->procfd < 0)
		return false;
	sn->nfds++;
	return read_proc(t->procfd, "stat", buf, sizeof(buf)) > 0 &&
	       parse_starttime(buf, &start) == 0 && start == t->start;
}

struct sn_task *sn_task_get_depth(struct sn *sn, pid_t tid, int depth)
{
	struct sn_task *t = lookup(sn, tid);

	evict(sn);
	if (t && !still_same(sn, t)) {
		unlink_task(sn, t);
		t = NULL;
	}
	if (!t)
		return learn(sn, tid, depth);
	t->used = ++sn->clock;
	if (t->proc != t)
		t->proc->used = t->used;
	return t;
}

struct sn_task *sn_task_get(struct sn *sn, pid_t tid)
{
	return sn_task_get_depth(sn, tid, 0);
}

void sn_kill_known(struct sn *sn)
{
	if (!sn)
		return;
	for (size_t b = 0; b < sn->nbuckets; b++)
		for (struct sn_task *t = sn->buckets[b]; t; t = t->next)
			if (t->proc == t && t->procfd >= 0 && faccessat(t->procfd, "stat", F_OK, 0) == 0)
				(void)kill(t->tgid, SIGKILL);
}

void sn_task_execed(struct sn *sn, struct sn_task *p)
{
	p->flags |= SNP_EXECED;
	if (p->memfd >= 0) {
		close(p->memfd);
		p->memfd = -1;
		sn->nfds--;
	}
}

/* ------------------------------------------------------------ memory */

static int memfd_of(struct sn *sn, struct sn_task *t)
{
	struct sn_task *p = t->proc;

	if (p->memfd >= 0)
		return p->memfd;
	if (p->procfd < 0 && !still_same(sn, p))
		return -ESRCH;
	p->memfd = openat(p->procfd, "mem", O_RDONLY | O_CLOEXEC);
	if (p->memfd < 0)
		return errno == ENOENT ? -ESRCH : -errno;
	sn->nfds++;
	return p->memfd;
}

int sn_read_mem(struct sn *sn, struct sn_task *t, uint64_t addr, void *buf, size_t len)
{
	int fd = memfd_of(sn, t);
	ssize_t n;

	if (fd < 0)
		return fd;
	if (addr > (uint64_t)INT64_MAX - len)
		return -EFAULT;
	n = pread(fd, buf, len, (off_t)addr);
	if (n < 0)
		return errno == ESRCH ? -ESRCH : -EFAULT;
	return (size_t)n == len ? 0 : -EFAULT;
}

ssize_t sn_read_str(struct sn *sn, struct sn_task *t, uint64_t addr, char *buf, size_t max)
{
	int fd = memfd_of(sn, t);
	size_t got = 0;

	if (fd < 0)
		return fd;
	/* page by page: the string may end just before an unmapped page */
	while (got < max) {
		size_t chunk = 4096 - ((addr + got) & 4095);
		ssize_t n;
		char *nul;

		if (chunk > max - got)
			chunk = max - got;
		if (addr + got > (uint64_t)INT64_MAX - chunk)
			return -EFAULT;
		n = pread(fd, buf + got, chunk, (off_t)(addr + got));
		if (n <= 0)
			return n < 0 && errno == ESRCH ? -ESRCH : -EFAULT;
		nul = memchr(buf + got, '\0', (size_t)n);
		if (nul)
			return nul - buf;
		got += (size_t)n;
	}
	return -ENAMETOOLONG;
}

bool sn_still_valid(struct sn *sn, uint64_t id)
{
	return ioctl(sn->fd, SECCOMP_IOCTL_NOTIF_ID_VALID, &id) == 0;
}

/* ------------------------------------------------------------ races */

static long threads_of(struct sn *sn, struct sn_task *p)
{
	char buf[4096];

	if ((p->procfd < 0 && !still_same(sn, p)) || read_proc(p->procfd, "status", buf, sizeof(buf)) < 0)
		return -1;
	return status_num(buf, "\nThreads:");
}

bool sn_racy(struct sn *sn, struct sn_task *t)
{
	struct sn_task *p = t->proc;
	pid_t ppid;
	long r;

	if (threads_of(sn, p) != 1)
		return true;
	/* a program it executed owns its memory; before that it may be a vfork child */
	if (p->flags & SNP_EXECED)
		return false;
	ppid = sn_proc_ppid(p->tgid);
	if (ppid <= 0)
		return true;
	r = syscall(SYS_kcmp, p->tgid, ppid, KCMP_VM, 0, 0);
	if (r < 0)
		return true;            /* cannot tell (kcmp is refused in containers) */
	if (r != 0)
		return false;           /* a memory of its own */
	{
		struct sn_task *parent = sn_task_get(sn, ppid);

		return !parent || threads_of(sn, parent->proc) != 1;
	}
}

/* ------------------------------------------------------ acting for it */

int sn_task_open(struct sn *sn, struct sn_task *t, const char *name, int flags)
{
	int fd;

	if (t->procfd < 0 && !still_same(sn, t))
		return -ESRCH;
	fd = openat(t->procfd, name, flags | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

bool sn_same_creds(struct sn *sn, struct sn_task *t)
{
	return !(t->proc->flags & SNP_CREDS);
}

int sn_task_umask(struct sn *sn, struct sn_task *t)
{
	char buf[4096];
	const char *p;

	if ((t->procfd < 0 && !still_same(sn, t)) || read_proc(t->procfd, "status", buf, sizeof(buf)) < 0)
		return -ESRCH;
	p = strstr(buf, "\nUmask:");
	if (!p)
		return -EPROTO;
	return (int)strtol(p + 7, NULL, 8) & 0777;
}
