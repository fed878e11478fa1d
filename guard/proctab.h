/* SPDX-License-Identifier: MIT */
/*
 * What user space knows of each process of the session, keyed by tgid:
 * parent, role, the distribution it works for, what it executed.  Built in
 * ring buffer order, so a child's entry exists before any record of it.
 */
#ifndef SAFEPIP_PROCTAB_H
#define SAFEPIP_PROCTAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define PROC_CMDLINE_MAX 256

struct proc {
	pid_t pid;
	pid_t ppid;
	uint32_t role;          /* enum sp_role */
	int dist;               /* index in the session's dists, -1 for none */
	char *exe;              /* last executed file, NULL before any exec */
	char cmdline[PROC_CMDLINE_MAX];     /* printable argv head */
	char comm[16];
	uint64_t start_ns;
	uint64_t exit_ns;
	int exit_status;
	bool exited;
	bool killed;            /* signalled by the supervisor */
	bool outlived;          /* still alive when pip had exited */
	struct proc *next;      /* hash chain */
};

struct proctab {
	struct proc **buckets;
	size_t nbuckets;
	size_t count;
};

int proctab_init(struct proctab *t);
void proctab_free(struct proctab *t);

/* The entry of pid, or NULL. */
struct proc *proctab_get(struct proctab *t, pid_t pid);

/*
 * The entry of pid, created (role none, dist -1) when missing.  NULL with
 * errno ENOMEM.
 */
struct proc *proctab_add(struct proctab *t, pid_t pid);

/* Call fn for every entry. */
void proctab_each(struct proctab *t, void (*fn)(struct proc *p, void *ctx), void *ctx);

/*
 * Render a NUL-separated argv head (len bytes) as one printable line into
 * out: arguments separated by spaces, quoted when they contain spaces,
 * control bytes escaped.  "..." marks truncation.
 */
void argv_render(const char *argv, size_t len, bool truncated, char *out, size_t outlen);

#endif
