/* SPDX-License-Identifier: MIT */
/*
 * The kernel sensor: loads bpf/safepip.bpf.c, keeps the tracked set and
 * hands ring buffer records to a callback.  One ksensor per session.
 */
#ifndef SAFEPIP_KSENSOR_H
#define SAFEPIP_KSENSOR_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "bpf/sp_event.h"

struct ksensor;

struct ks_config {
	bool enforce;                   /* kill on in-kernel deny; false = monitor */
	uint32_t deny_inet_roles;       /* bitmask of 1 << enum sp_role */
	const char *preload;            /* the shim's path as put in LD_PRELOAD, or NULL */
};

/* Called for each record, in ring buffer order.  Return 0 to go on. */
typedef int (*ks_record_fn)(void *ctx, const struct sp_event *e);

/*
 * Open, load and attach the programs.  Returns 0 or -errno; *why gets a
 * static description of the step that failed.
 */
int ks_open(struct ksensor **out, const struct ks_config *cfg, ks_record_fn fn, void *ctx,
	    const char **why);
void ks_close(struct ksensor *ks);

/* Teach the exec classifier an interpreter binary (st_dev/st_ino of stat). */
int ks_add_interp(struct ksensor *ks, dev_t dev, ino_t ino);

/* Start tracking tgid (and, from the fork tracepoint, all it creates). */
int ks_track(struct ksensor *ks, pid_t tgid, uint32_t role, uint32_t flags);

/* Attach the cgroup sock_addr programs to a cgroup v2 directory fd. */
int ks_attach_cgroup(struct ksensor *ks, int cgroup_fd);

/* fd to poll for records; ks_consume() processes what is ready. */
int ks_fd(const struct ksensor *ks);
int ks_consume(struct ksensor *ks);

/* Doom the session: every tracked task dies at its next syscall. */
void ks_doom(struct ksensor *ks);
bool ks_is_doomed(const struct ksensor *ks);
uint64_t ks_doomed_ns(const struct ksensor *ks);

/*
 * SIGKILL every tracked process.  Calls fn(ctx, tgid) for each before
 * signalling it (may be NULL).  Returns how many were signalled.
 */
int ks_kill_tracked(struct ksensor *ks, void (*fn)(void *ctx, pid_t tgid), void *ctx);

long ks_ntracked(const struct ksensor *ks);
uint64_t ks_lost(const struct ksensor *ks);
uint64_t ks_overflow(const struct ksensor *ks);

#endif
