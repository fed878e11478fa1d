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

#include "bpf/sp_event.h"

struct options;
struct session;
struct proc;
struct pyinfo;
struct ks_config;
struct sp_policy;

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

/* The kernel sensor's configuration the policy implies (mode, network). */
void gpolicy_kernel_config(const struct sp_policy *p, struct ks_config *cfg);

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
void gpolicy_on_connect(struct session *s, struct proc *p, const struct sp_event *e);

/* The end of a session: what monitor mode let through. */
void gpolicy_report_end(struct session *s);

#endif
