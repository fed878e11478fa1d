/* SPDX-License-Identifier: MIT */
/*
 * The rule scorer: findings in, points and verdicts out.
 *
 *   score(dist) = sum over rules of min(cap(rule), weight(rule) x hits(rule))
 *
 * with weights, caps and the threshold from the policy (policy/default.yaml
 * `rules:`, sp_policy_rule(), sp_policy_threshold()).  Points are kept per
 * distribution (the package that earned them; findings of no distribution
 * go to a bucket of their own, which can cross the threshold too), per
 * role and for the session, and every point stays linked to the finding
 * that earned it, so a report can list the top reasons.
 *
 * Ids that are not scorer rules (the policy's deny ids, denied-read ...)
 * earn no points: they stop an install by themselves.  A disabled rule
 * earns none either.
 *
 * The scorer decides nothing about killing: scorer_add() says when a
 * distribution's score first reaches the threshold; the session
 * (guard/gscore.c) applies mode and packages.allow.
 */
#ifndef SAFEPIP_SCORE_H
#define SAFEPIP_SCORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bpf/sp_event.h"

struct sp_policy;

/* Rule indices of policy/rules.def, in its order. */
enum score_rule {
#define SP_RULE(c, id, desc) SCORE_##c,
#include "policy/rules.def"
#undef SP_RULE
	SCORE_RULES
};

#define SCORE_DISTS_MAX 4096            /* distributions scored separately (more share one) */
#define SCORE_NONE_DIST (-1)            /* findings of no distribution */

struct score_acc {
	unsigned total;                 /* points, all rules */
	unsigned points[SCORE_RULES];   /* points per rule (<= its cap) */
	unsigned hits[SCORE_RULES];     /* findings per rule, scoring or not */
	bool crossed;                   /* total reached the threshold */
};

/* What one finding earned. */
struct score_mark {
	int dist;
	int rule;                       /* enum score_rule, -1 when not a scorer rule */
	unsigned points;
};

struct scorer {
	const struct sp_policy *policy; /* not owned; NULL: defaults of no rule (all 0) */
	unsigned threshold;
	struct score_acc *dists;        /* [0] = no distribution, [d + 1] = dist d */
	size_t ndists;                  /* slots allocated */
	struct score_acc roles[SP_ROLE_MAX];
	struct score_acc session;
	struct score_mark *marks;       /* per finding index */
	size_t nmarks, capmarks;
};

/* Set up sc for policy (not owned).  Returns 0. */
int scorer_init(struct scorer *sc, const struct sp_policy *policy);
void scorer_free(struct scorer *sc);

/* The index of rule id in policy/rules.def, or -1. */
int score_rule_index(const char *id);
const char *score_rule_id(int rule);
const char *score_rule_desc(int rule);

/*
 * Account finding number idx (findings are numbered from 0 in the order
 * they are added; an index seen before is accounted again only if it is
 * new) of rule id for dist (SCORE_NONE_DIST: none) and role.  Returns the
 * points it earned (0 past the rule's cap) or -ENOMEM.  *crossed is set
 * when this finding brought its distribution's score to the threshold.
 */
int scorer_add(struct scorer *sc, size_t idx, const char *id, int dist, uint32_t role,
	       bool *crossed);

/* What finding idx earned (points 0, rule -1 for one never accounted). */
struct score_mark scorer_mark(const struct scorer *sc, size_t idx);

/* The accumulator of dist (SCORE_NONE_DIST: none), or NULL if it never scored. */
const struct score_acc *scorer_dist(const struct scorer *sc, int dist);
unsigned scorer_dist_total(const struct scorer *sc, int dist);

/*
 * The findings that earned dist the most points, highest first (ties: the
 * earlier finding), at most max of them, into out.  Findings with 0
 * points follow the scoring ones when room remains.  Returns the count.
 */
size_t scorer_top(const struct scorer *sc, int dist, size_t *out, size_t max);

/* What a crossing does. */
enum score_verdict {
	SCORE_GO_ON = 0,                /* no crossing, or a deny (stops under its own name) */
	SCORE_STOP,                     /* kill the tree */
	SCORE_MONITOR,                  /* monitor mode: report that it would have stopped */
	SCORE_ALLOWED,                  /* packages.allow: report, never stop by score */
};

/*
 * The verdict for a finding: crossed as scorer_add() said, deny a deny
 * finding, enforce the policy's mode, allowed the distribution is in
 * packages.allow.
 */
enum score_verdict score_decide(bool crossed, bool deny, bool enforce, bool allowed);

/* The distribution with the highest score (SCORE_NONE_DIST when only it scored). */
int scorer_worst(const struct scorer *sc);

#endif
