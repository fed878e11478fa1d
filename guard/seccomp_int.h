/* SPDX-License-Identifier: MIT */
/*
 * Inside the seccomp sensor: shared by guard/seccomp*.c only.
 *
 * The supervisor learns the processes of the tree from their notifications
 * (seccomp does not see fork): a thread is first seen when it stops in a
 * filtered syscall; its process inherits the role of its parent as known
 * then, or is a build when its lineage is unknown (an orphan reparented to
 * us: fail closed).  Entries are keyed by thread id and carry the start
 * time of the thread, so that a reused pid is never mistaken for the
 * process that had it.
 */
#ifndef SAFEPIP_SECCOMP_INT_H
#define SAFEPIP_SECCOMP_INT_H

#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "bpf/sp_event.h"
#include "guard/seccomp.h"

#define SN_PATH_MAX 4096        /* bytes of a path read from a target (PATH_MAX) */
#define SN_TASKS_MAX 65536      /* threads and processes the sensor keeps */
#define SN_FDS_MAX 256          /* /proc fds kept open at once (LRU beyond) */
#define SN_BATCH 256            /* notifications per sn_handle() call */
#define SN_LINEAGE_MAX 64       /* ancestors walked to learn a new process */

/* sn_task.flags (meaningful in a process's own entry) */
#define SNP_ROOT (1u << 0)      /* the session root: its first interpreter exec is pip */
#define SNP_EXECED (1u << 1)    /* executed a program since first seen: owns its memory */
#define SNP_CREDS (1u << 2)     /* other credentials than ours: the supervisor never acts for it */
#define SNP_OTHER_NS (1u << 3)  /* another mount namespace: paths mean other files */

struct sn_task {
	pid_t tid;
	pid_t tgid;
	unsigned long long start;       /* starttime of /proc/<tid>/stat: identity */
	int procfd;                     /* O_PATH of /proc/<tid>, -1 when evicted */
	struct sn_task *proc;           /* the entry of tgid (this one for a leader) */
	uint64_t used;                  /* last use, for evicting procfd/memfd */

	/* process state, valid in the tgid's entry */
	uint32_t role;                  /* enum sp_role */
	uint32_t flags;                 /* SNP_* */
	int memfd;                      /* /proc/<tgid>/mem of the current image, or -1 */
	bool verify_exe;                /* check the program at the next notification */
	dev_t exe_dev;                  /* ... against the file judged at exec */
	ino_t exe_ino;

	struct sn_task *next;           /* hash chain */
};

struct sn {
	struct session *s;
	int fd;                         /* the listener */
	struct seccomp_notif *req;
	struct seccomp_notif_resp *resp;
	unsigned short req_size, resp_size;

	struct sn_task **buckets;
	size_t nbuckets, count;
	unsigned nfds;                  /* procfd + memfd kept open */
	uint64_t clock;

	pid_t self;                     /* the supervisor */
	bool doomed;
	bool enforce;                   /* policy mode enforce */
	bool builds_net;                /* the policy gives builds some network */
	char creds[512];                /* our Uid/Gid/Groups/Cap lines */
	ino_t mnt_ino;                  /* our mount namespace */
	unsigned long answered, refused;
	const char *preload;            /* the shim's path, or NULL */
	int err_fd;                     /* the child's exec error pipe (read end) */
	int exec_error;
};

/* What is answered to one notification. */
enum sn_answer {
	SN_CONTINUE,                    /* the kernel carries the call out */
	SN_ERROR,                       /* the call fails with err */
	SN_FD,                          /* the call returns fd, opened by us */
	SN_RETURN,                      /* the call returns val: we carried it out */
};

struct sn_verdict {
	enum sn_answer answer;
	int err;                        /* SN_ERROR: the errno the call fails with */
	int fd;                         /* SN_FD: our fd, installed in the target and closed */
	unsigned fd_flags;              /* SN_FD: O_CLOEXEC or 0 */
	long long val;                  /* SN_RETURN */
};

/* The notification being decided. */
struct sn_call {
	const struct seccomp_notif *req;
	struct sn_task *t;              /* calling thread */
	struct sn_task *p;              /* its process */
	uint64_t ts_ns;                 /* when it was received */
};

/* ------------------------------------------------------ seccomp_filter.c */

/*
 * The filter program for the native architecture into *prog (malloc'd
 * instructions).  Returns 0 or -ENOMEM.
 */
int sn_filter_build(struct sock_fprog *prog);

/* ------------------------------------------------------- seccomp_procs.c */

/*
 * The thread that sent the notification, learnt on first sight.  NULL
 * (errno) when it is gone, or when the table is full (ENOSPC: the session
 * must be doomed).
 */
struct sn_task *sn_task_get(struct sn *sn, pid_t tid);
/* The same, learning at most SN_LINEAGE_MAX - depth ancestors on the way. */
struct sn_task *sn_task_get_depth(struct sn *sn, pid_t tid, int depth);
void sn_tasks_free(struct sn *sn);

/* A fresh image after exec: the memory fd must be reopened. */
void sn_task_execed(struct sn *sn, struct sn_task *p);

/*
 * Read len bytes at addr of the target's memory.  0, or -EFAULT when not
 * all of it is readable, -ESRCH when the process is gone.
 */
int sn_read_mem(struct sn *sn, struct sn_task *t, uint64_t addr, void *buf, size_t len);

/*
 * Read a NUL-terminated string of at most max-1 bytes at addr into buf.
 * Returns its length, -ENAMETOOLONG, -EFAULT or -ESRCH.
 */
ssize_t sn_read_str(struct sn *sn, struct sn_task *t, uint64_t addr, char *buf, size_t max);

/* Is the notification still pending (the target still in that syscall)? */
bool sn_still_valid(struct sn *sn, uint64_t id);

/*
 * Could memory the target passed change between our read and the kernel's
 * own (other threads of the process, or a parent it shares its memory with
 * after vfork)?  true when unsure.
 */
bool sn_racy(struct sn *sn, struct sn_task *t);

/* An O_PATH fd of /proc/<tid>/<name> followed (cwd, root, fd/N, exe), or -errno. */
int sn_task_open(struct sn *sn, struct sn_task *t, const char *name, int flags);

/* Does the task have our credentials (so that we may act on its behalf)? */
bool sn_same_creds(struct sn *sn, struct sn_task *t);

/* The process's umask, or -errno. */
int sn_task_umask(struct sn *sn, struct sn_task *t);

/* Is pid a live process of the install's tree (a descendant of ours)? */
bool sn_in_tree(struct sn *sn, pid_t pid);

/* The parent of pid as /proc says, or -errno. */
pid_t sn_proc_ppid(pid_t pid);

/* ------------------------------------------------------ seccomp_decide.c */

/* Decide one notification.  Fills v; never blocks for long. */
void sn_decide(struct sn *sn, struct sn_call *c, struct sn_verdict *v);

/*
 * Role of a pip process executing the interpreter with this argv head
 * (NUL-separated, len bytes): pip's own runner stays pip, anything else is
 * a build.  Exposed for tests.
 */
uint32_t sn_classify_interp_argv(const char *argv, size_t len);

/*
 * A finding about the calling process.  deny: a deny rule (stops the
 * install in enforce mode); otherwise the rule's points count towards the
 * distribution's score, which stops the install at the threshold.
 * Returns true when the install is stopped now.
 */
bool sn_finding(struct sn *sn, const struct sn_call *c, const char *rule, bool deny,
		const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* "build process 123 (cmdline)" for messages. */
const char *sn_who(struct sn *sn, const struct sn_call *c, char *buf, size_t len);

/* Feed a synthesized kernel-format record to the monitor. */
void sn_record(struct sn *sn, const struct sn_call *c, struct sp_event *e);

/* ------------------------------------------------------- seccomp_files.c */

/* open, openat, openat2, creat */
void sn_decide_open(struct sn *sn, struct sn_call *c, struct sn_verdict *v);
/* unlink, unlinkat, rename*, link*, symlink*, truncate, mknod* */
void sn_decide_path_op(struct sn *sn, struct sn_call *c, struct sn_verdict *v);

/*
 * Rewrite the paths that name the caller's own process in the supervisor's
 * view ("/proc/self/...", "/proc/thread-self/...", "/dev/fd/N",
 * "/dev/std{in,out,err}") into /proc/<pid>/... paths of the target.
 * Returns true when in was rewritten into out (size len).
 */
bool sn_translate_self(const char *in, pid_t tgid, pid_t tid, char *out, size_t len);

#endif
