/* SPDX-License-Identifier: MIT */
/*
 * The policy questions the sensors ask while an install runs, in one
 * place:
 *
 *   may this build look up host H?           decide_host()
 *   may it connect or send to A:P?           decide_connect()
 *   may it open path P for reading/writing?  decide_open()
 *   may it execute E?                        decide_exec()
 *
 * and the list of calls the shim should ask about at all (its
 * configuration: a superset of what is denied, so that everything else
 * runs without a round trip), decide_prefilter().
 *
 * Until the policy library provides them, the answers come from a small
 * built-in default (see decide.c, "built-in default"): the same kind of
 * default the session already uses for "builds may not reach the network".
 * Every question is about one process in one role; only builds are
 * restricted, pip itself (role pip) may do all of it.
 */
#ifndef SAFEPIP_DECIDE_H
#define SAFEPIP_DECIDE_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include "preload/shim_proto.h"

#define DECIDE_WHY_MAX 160

struct decision {
	const char *rule;               /* rule id (policy/rules.def) when denied */
	int error;                      /* errno a refused call fails with */
	char why[DECIDE_WHY_MAX];       /* the pattern that matched, for the report */
};

#define DECIDE_PATTERNS_MAX 64

struct decider {
	char home[PATH_MAX];            /* the invoking user's home, for "~/" */
	/* expanded patterns of the built-in default */
	char *read_deny[DECIDE_PATTERNS_MAX];
	unsigned nread_deny;
	char *write_deny[DECIDE_PATTERNS_MAX];
	unsigned nwrite_deny;
};

/*
 * Prepare the built-in default for the invoking user's home (home NULL or
 * relative: no "~/" rules).  Returns 0 or -ENOMEM.
 */
int decider_init(struct decider *d, const char *home);
void decider_free(struct decider *d);

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
 * ask about.  token and timeout are the session's.  Returns 0, or -E2BIG
 * when a list does not fit (the shim then gets SHIM_CFG_ASK_ALL).
 */
int decide_prefilter(const struct decider *d, struct shim_cfg *cfg, uint64_t token,
		     uint32_t ask_timeout_ms);

/* Host glob match: case-insensitive, "*.d" also matches "d", trailing dot ignored. */
bool decide_host_match(const char *pattern, const char *host);

#endif
