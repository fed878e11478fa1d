/* SPDX-License-Identifier: MIT */
/*
 * The kernel sensor: loads bpf/safepip.bpf.c, keeps the tracked set and
 * hands ring buffer records to a callback.  One ksensor per session.
 *
 * Network rules live in the kernel: ks_net_rule_add() loads one address
 * prefix with a port range, a set of roles and an action; ks_net_default()
 * sets what a role may do when no rule matches.  The kernel judges every
 * connect and every send with a destination: the longest matching prefix
 * that has a rule for the role and port wins (rules of one prefix are
 * tried in the order they were added), else the role's default.  A deny
 * is refused by the session cgroup's hooks before the packet leaves and
 * kills the caller (enforce mode).
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
	uint32_t deny_inet_roles;       /* roles (1 << enum sp_role) whose network default is deny */
	const char *preload;            /* the shim's path as put in LD_PRELOAD, or NULL */
};

/* Called for each record, in ring buffer order.  Return 0 to go on. */
typedef int (*ks_record_fn)(void *ctx, const struct sp_event *e);

/*
 * Open, load and attach the programs.  The calling process is the
 * supervisor the kernel protects.  Returns 0 or -errno; *why gets a static
 * description of the step that failed.
 */
int ks_open(struct ksensor **out, const struct ks_config *cfg, ks_record_fn fn, void *ctx,
	    const char **why);
void ks_close(struct ksensor *ks);

/*
 * ks_open() on a thread of its own: loading costs ~100 ms of CPU in the
 * verifier, which can overlap with the caller's own start-up.  cfg is
 * copied.  ks_open_wait() returns what ks_open() returned and frees the
 * handle; if the thread could not start, it opens there and then.
 */
struct ks_opening;
struct ks_opening *ks_open_start(const struct ks_config *cfg, ks_record_fn fn, void *ctx);
int ks_open_wait(struct ks_opening *o, struct ksensor **out, const char **why);

/* Teach the exec classifier an interpreter binary (st_dev/st_ino of stat). */
int ks_add_interp(struct ksensor *ks, dev_t dev, ino_t ino);

/*
 * Start tracking tgid (and, from the fork tracepoint, all it creates).
 * flags SP_PF_INIT: tgid is the session's PID namespace init, whose first
 * child becomes the session root (role pip).
 */
int ks_track(struct ksensor *ks, pid_t tgid, uint32_t role, uint32_t flags);

/* Attach the cgroup sock_addr programs to a cgroup v2 directory fd. */
int ks_attach_cgroup(struct ksensor *ks, int cgroup_fd);

/*
 * Add a network rule: family AF_INET or AF_INET6, addr (4 or 16 bytes,
 * network order) masked to prefixlen, ports port_lo..port_hi (host order,
 * inclusive; 0..65535 for any), roles_mask (1 << enum sp_role), action
 * SP_NET_ALLOW or SP_NET_DENY.  Returns the rule's id (>= 0, reported in
 * records and findings) or -EINVAL, -ENOSPC (SP_NET_RULES_MAX prefixes or
 * SP_NET_PORTS rules on one prefix), -errno.
 */
int ks_net_rule_add(struct ksensor *ks, int family, const void *addr, unsigned prefixlen,
		    uint16_t port_lo, uint16_t port_hi, uint32_t roles_mask, int action);

/* Enforce (kill on an in-kernel deny) or monitor; may change after ks_open(). */
void ks_set_enforce(struct ksensor *ks, bool enforce);

/* What role may reach when no rule matches: SP_NET_ALLOW or SP_NET_DENY. */
int ks_net_default(struct ksensor *ks, uint32_t role, int action);

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
uint64_t ks_lost_kind(const struct ksensor *ks, unsigned kind);
uint64_t ks_emitted(const struct ksensor *ks);          /* records the kernel submitted */
uint64_t ks_overflow(const struct ksensor *ks);
uint64_t ks_bad_records(const struct ksensor *ks);      /* records user space rejected */

/* The first deny the kernel decided on its own (enum sp_deny), if any. */
struct ks_deny {
	uint32_t reason;        /* enum sp_deny, SP_DENY_NONE if none */
	uint32_t tgid;          /* who */
	uint32_t rule;          /* SP_DENY_NET: rule id, ~0 for the role default */
	uint32_t target;        /* SP_DENY_SUPERVISOR: the pid or group aimed at */
	uint64_t ts_ns;
};
void ks_deny_info(const struct ksensor *ks, struct ks_deny *out);

/* Totals of the processes of role that have exited. */
int ks_role_stats(const struct ksensor *ks, uint32_t role, struct sp_stats *out);

/* Time spent in ks_open() loading and attaching, in ns. */
uint64_t ks_attach_ns(const struct ksensor *ks);

/*
 * Instructions the kernel's verifier walked to load the sensor's programs,
 * all of them (what most of the load time goes to); 0 before Linux 5.16.
 */
uint64_t ks_verified_insns(const struct ksensor *ks);

#endif
