/* SPDX-License-Identifier: MIT */
/*
 * The policy in the guard: which layers are loaded, the policy commands,
 * the name checks before pip starts, and the decisions the policy takes
 * on kernel records during a session.  The policy library (policy/) does
 * the work; this file talks to the user.
 *
 * Layers, lowest first: the embedded default, $SAFE_PIP_POLICY_DIR (else
 * /etc/safe-pip)/policy.yaml, .../policy.d/\*.yaml, $XDG_CONFIG_HOME (else
 * ~/.config)/safe-pip/policy.yaml, each --policy FILE, then --allow NAME.
 */
#ifndef SAFEPIP_GPOLICY_H
#define SAFEPIP_GPOLICY_H

#include <stdbool.h>
#include <stdint.h>

#include "bpf/sp_event.h"

struct options;
struct session;
struct proc;
struct pyinfo;
struct ks_config;
struct sp_policy;
struct sp_entry;

/*
 * Load every layer for o.  Returns 0 and *out (sp_policy_free() it), or an
 * exit status after telling the user why: SP_EXIT_CONFIG for a policy
 * error (each naming file:line:column), SP_EXIT_INTERNAL.
 */
int gpolicy_load(const struct options *o, struct sp_policy **out);

/* safe-pip policy check FILE... | policy show.  Returns the exit status. */
int gpolicy_command(const struct options *o);

/*
 * Before pip starts: read the requested names (arguments, -r and -c files)
 * and pip's index configuration; set the hosts "$pip-index" stands for;
 * refuse denied and typosquatted names.  Returns 0 to go on, or an exit
 * status: SP_EXIT_BLOCKED (refused), SP_EXIT_CONFIG (an unreadable
 * requirement file).
 */
int gpolicy_preflight(struct session *s);

/*
 * Give the kernel sensor what the policy decides: enforce or monitor, and
 * the network section's address entries as exact per-prefix decisions
 * (guard/gpolicy_net.c).  Returns 0, -E2BIG when a prefix needs more port
 * ranges than the kernel holds, -errno.
 */
int gpolicy_kernel_apply(struct session *s);

/* The policy entry behind kernel network rule id (NULL: the role's default). */
const struct sp_entry *gpolicy_net_entry(const struct session *s, uint32_t rule);
/*
 * The id gpolicy_net_entry() maps back to entry e, for records of another
 * sensor (the seccomp fallback) that decided by e; ~0u for none or no memory.
 */
uint32_t gpolicy_net_id(struct session *s, const struct sp_entry *e);
void gpolicy_net_free(struct session *s);

/*
 * Are the sensors the policy requires available?  0, or SP_EXIT_SENSOR
 * after naming the missing sensor and the policy line requiring it.
 * "enforcing" is met by the kernel sensor or the seccomp fallback.
 */
int gpolicy_require(const struct sp_policy *p, bool have_kernel, bool have_seccomp, bool have_shim);

/* Does a deny finding stop the install (mode enforce)? */
bool gpolicy_enforcing(const struct session *s);

/* Session hooks, called from monitor.c for each record of the kind. */
void gpolicy_on_exec(struct session *s, struct proc *p, const struct sp_event *e);
void gpolicy_on_open(struct session *s, struct proc *p, const struct sp_event *e);

/* The end of a session: what monitor mode let through. */
void gpolicy_report_end(struct session *s);

#endif
