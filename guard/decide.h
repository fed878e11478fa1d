/* SPDX-License-Identifier: MIT */
/*
 * The policy questions the shim asks while an install runs, in one place:
 *
 *   may this build look up host H?           decide_host()
 *   may it send a datagram to A:P?           decide_connect()
 *   may it open path P for reading/writing?  decide_open()
 *   may it execute E?                        decide_exec()
 *
 * and the list of calls the shim should ask about at all (its
 * configuration: a superset of what is denied, so that everything else
 * runs without a round trip), decide_prefilter().
 *
 * The answers are the policy's (policy/policy.h): network, files and exec
 * deny entries, and "no network allow entry for builds" for datagrams.
 * Deny findings carry the policy's deny ids (denied-host, denied-read,
 * denied-write, denied-exec, denied-connect) and build-connect for a build
 * reaching the network, as the kernel-side checks do (guard/gpolicy_session.c).
 * Reads are judged for builds only (pip itself may read ~/.netrc and
 * keyrings for index credentials); writes for every role; exec and hosts for
 * builds (pip's own helpers, git for VCS requirements, are pip's).
 */
#ifndef SAFEPIP_DECIDE_H
#define SAFEPIP_DECIDE_H

#include <stdbool.h>
#include <stdint.h>

#include "preload/shim_proto.h"

struct sp_policy;

#define DECIDE_WHY_MAX 320

struct decision {
	const char *rule;               /* finding id when denied */
	int error;                      /* errno a refused call fails with */
	char why[DECIDE_WHY_MAX];       /* the entry that matched and where it was written */
	const struct sp_entry *entry;   /* that entry (the policy's), NULL for a default */
};

struct decider {
	const struct sp_policy *policy; /* not owned */
};

/* Answer from policy (not owned; must outlive the decider). */
void decider_init(struct decider *d, const struct sp_policy *policy);

/*
 * Each returns true when the action is denied, and then fills *out.
 * role is an enum sp_role; SP_ROLE_NONE (an untracked process) is treated
 * as a build.
 */
bool decide_host(const struct decider *d, uint32_t role, const char *host, struct decision *out);
bool decide_connect(const struct decider *d, uint32_t role, unsigned family, const uint8_t *addr,
		    unsigned port, struct decision *out);
/* abspath: absolute and normalised; access: SHIM_ACC_READ and/or SHIM_ACC_WRITE */
bool decide_open(const struct decider *d, uint32_t role, const char *abspath, uint32_t access,
		 struct decision *out);
/* path as executed (execvp: the bare name); argv0 may be NULL */
bool decide_exec(const struct decider *d, uint32_t role, const char *path, const char *argv0,
		 struct decision *out);

/*
 * Fill the shim's configuration: which programs, hosts and paths it must
 * ask about.  token and timeout are the session's.  A list that does not
 * fit, or holds a pattern the shim cannot pre-filter on, makes the shim ask
 * about every call of that kind.  Returns 0.
 */
int decide_prefilter(const struct decider *d, struct shim_cfg *cfg, uint64_t token,
		     uint32_t ask_timeout_ms);

#endif
