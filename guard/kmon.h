/* SPDX-License-Identifier: MIT */
/*
 * Findings and counters from kernel records, after guard/monitor.c has
 * updated the process table: one small handler per kind.  Where a record
 * alone is a clear signal it becomes a finding with a rule id of
 * policy/rules.def (points are the scorer's to give); a deny finding
 * stops the session.
 *
 * Lost records: the kernel counts what did not fit the ring buffer.  They
 * are a finding of their own (lost-records), reported as soon as the loop
 * sees them and again at the end with the final count, in the summary and
 * in the log.  Deny decisions never depend on records: the kernel makes
 * them itself, and kmon_kernel_deny() names them even when their record
 * was lost.
 */
#ifndef SAFEPIP_KMON_H
#define SAFEPIP_KMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bpf/sp_event.h"

struct session;
struct proc;
struct kstats;

#define KMON_WRITTEN_MAX (1u << 17)     /* paths remembered as written, by hash */
#define KMON_PIP_DIRS_MAX 256

struct kstate {
	struct kstats *stats;
	uint64_t *written;              /* open-addressing set of path hashes (+1) */
	size_t nwritten;
	uint64_t written_dropped;       /* not remembered: the set was full */
	uint64_t lost_reported;         /* lost records covered by a finding so far */
	int lost_finding;               /* index of the lost-records finding, -1 */
	char *pip_dirs[KMON_PIP_DIRS_MAX];      /* directories pip made (builds run things there) */
	size_t npip_dirs;
	uint32_t run_uid, run_gid;      /* the ids the install runs with */
};

/* Allocate s->kst.  Returns 0 or -ENOMEM. */
int kmon_init(struct session *s);
void kmon_free(struct session *s);

/* One record, its process entry already updated (p is never NULL). */
void kmon_record(struct session *s, struct proc *p, const struct sp_event *e);

/* Lost records since the last call become (or update) the lost-records finding. */
void kmon_check_lost(struct session *s);

/*
 * The kernel doomed the session on its own (a deny whose record may be
 * lost, an untracked fork): a deny finding that says why.  Returns its
 * index or -ENOMEM.
 */
int kmon_kernel_deny(struct session *s);

/* End of session: the final lost count and the summary lines of the log. */
void kmon_finish(struct session *s);

/*
 * Does path lie in p's own build tree or a directory pip made for this
 * session (where builds compile, run and chmod what they make)?
 */
bool kmon_in_build_space(const struct session *s, const struct proc *p, const char *path);

/* Was path (resolved) opened for writing during the session? */
bool kmon_was_written(const struct session *s, const char *path);

/*
 * For an exec record whose program headers the kernel did not see: read
 * the executed file's.  1 dynamic, 0 static, -1 unknown.
 */
int kmon_exec_dynamic(const struct sp_event *e);

#endif
