// SPDX-License-Identifier: MIT
#include "guard/score.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "policy/policy.h"

static const char *const rule_ids[SCORE_RULES] = {
#define SP_RULE(c, id, desc) [SCORE_##c] = id,
#include "policy/rules.def"
#undef SP_RULE
};

static const char *const rule_descs[SCORE_RULES] = {
#define SP_RULE(c, id, desc) [SCORE_##c] = desc,
#include "policy/rules.def"
#undef SP_RULE
};

int score_rule_index(const char *id)
{
	for (int i = 0; id && i < SCORE_RULES; i++)
		if (strcmp(id, rule_ids[i]) == 0)
			return i;
	return -1;
}

const char *score_rule_id(int rule)
{
	return rule >= 0 && rule < SCORE_RULES ? rule_ids[rule] : NULL;
}

const char *score_rule_desc(int rule)
{
	return rule >= 0 && rule < SCORE_RULES ? rule_descs[rule] : NULL;
}

int scorer_init(struct scorer *sc, const struct sp_policy *policy)
{
	memset(sc, 0, sizeof(*sc));
	sc->policy = policy;
	sc->threshold = policy ? sp_policy_threshold(policy) : 100;
	return 0;
}

void scorer_free(struct scorer *sc)
{
	free(sc->dists);
	free(sc->marks);
	sc->dists = NULL;
	sc->marks = NULL;
	sc->ndists = sc->nmarks = sc->capmarks = 0;
}

/* The slot of dist: beyond SCORE_DISTS_MAX the last slot is shared. */
static size_t slot_of(int dist)
{
	if (dist < 0)
		return 0;
	return (size_t)dist + 1 < SCORE_DISTS_MAX ? (size_t)dist + 1 : SCORE_DISTS_MAX - 1;
}

static struct score_acc *acc_for(struct scorer *sc, int dist)
{
	size_t slot = slot_of(dist);

	if (slot >= sc->ndists) {
		size_t n = sc->ndists ? sc->ndists : 8;
		struct score_acc *v;

		while (n <= slot)
			n *= 2;
		if (n > SCORE_DISTS_MAX)
			n = SCORE_DISTS_MAX;
		v = realloc(sc->dists, n * sizeof(*v));
		if (!v)
			return NULL;
		memset(v + sc->ndists, 0, (n - sc->ndists) * sizeof(*v));
		sc->dists = v;
		sc->ndists = n;
	}
	return &sc->dists[slot];
}

static int grow_marks(struct scorer *sc, size_t idx)
{
	size_t cap = sc->capmarks ? sc->capmarks : 64;
	struct score_mark *v;

	if (idx < sc->capmarks)
		return 0;
	while (cap <= idx)
		cap *= 2;
	v = realloc(sc->marks, cap * sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (size_t i = sc->capmarks; i < cap; i++)
		v[i] = (struct score_mark){ .dist = SCORE_NONE_DIST, .rule = -1 };
	sc->marks = v;
	sc->capmarks = cap;
	return 0;
}

/* Points one more hit earns under the rule's weight and cap. */
static unsigned earn(const struct scorer *sc, const struct score_acc *a, int rule)
{
	const struct sp_rule_conf *c;
	unsigned room;

	if (rule < 0 || !sc->policy)
		return 0;
	c = sp_policy_rule(sc->policy, rule_ids[rule]);
	if (!c || !c->enabled || a->points[rule] >= c->cap)
		return 0;
	room = c->cap - a->points[rule];
	return c->weight < room ? c->weight : room;
}

static void credit(struct score_acc *a, int rule, unsigned points)
{
	if (rule >= 0) {
		a->hits[rule]++;
		a->points[rule] += points;
	}
	a->total += points;
}

int scorer_add(struct scorer *sc, size_t idx, const char *id, int dist, uint32_t role,
	       bool *crossed)
{
	int rule = score_rule_index(id);
	struct score_acc *a;
	unsigned pts;

	*crossed = false;
	if (grow_marks(sc, idx) < 0 || !(a = acc_for(sc, dist)))
		return -ENOMEM;
	if (idx < sc->nmarks && sc->marks[idx].rule >= 0)
		return (int)sc->marks[idx].points;      /* accounted before */
	/* the cap is the distribution's: one package cannot earn more from one rule */
	pts = earn(sc, a, rule);
	credit(a, rule, pts);
	if (role < SP_ROLE_MAX)
		credit(&sc->roles[role], rule, pts);
	credit(&sc->session, rule, pts);
	sc->marks[idx] = (struct score_mark){ .dist = dist < 0 ? SCORE_NONE_DIST : dist,
					      .rule = rule, .points = pts };
	if (idx >= sc->nmarks)
		sc->nmarks = idx + 1;
	if (!a->crossed && sc->threshold > 0 && a->total >= sc->threshold) {
		a->crossed = true;
		*crossed = true;
	}
	return (int)pts;
}

struct score_mark scorer_mark(const struct scorer *sc, size_t idx)
{
	if (idx >= sc->nmarks)
		return (struct score_mark){ .dist = SCORE_NONE_DIST, .rule = -1 };
	return sc->marks[idx];
}

const struct score_acc *scorer_dist(const struct scorer *sc, int dist)
{
	size_t slot = slot_of(dist);

	return slot < sc->ndists ? &sc->dists[slot] : NULL;
}

unsigned scorer_dist_total(const struct scorer *sc, int dist)
{
	const struct score_acc *a = scorer_dist(sc, dist);

	return a ? a->total : 0;
}

/* Does mark a rank before mark b (more points; then the earlier)? */
static bool before(const struct scorer *sc, size_t a, size_t b)
{
	if (sc->marks[a].points != sc->marks[b].points)
		return sc->marks[a].points > sc->marks[b].points;
	return a < b;
}

size_t scorer_top(const struct scorer *sc, int dist, size_t *out, size_t max)
{
	size_t n = 0;
	int want = dist < 0 ? SCORE_NONE_DIST : dist;

	/* insertion into a short sorted list: max is a screenful */
	for (size_t i = 0; i < sc->nmarks && max; i++) {
		size_t j;

		if (sc->marks[i].dist != want)
			continue;
		if (n == max && !before(sc, i, out[n - 1]))
			continue;
		j = n < max ? n++ : n - 1;
		while (j > 0 && before(sc, i, out[j - 1])) {
			out[j] = out[j - 1];
			j--;
		}
		out[j] = i;
	}
	return n;
}

enum score_verdict score_decide(bool crossed, bool deny, bool enforce, bool allowed)
{
	if (!crossed || deny)
		return SCORE_GO_ON;
	/* an allowed package is never stopped by its score, in either mode */
	if (allowed)
		return SCORE_ALLOWED;
	return enforce ? SCORE_STOP : SCORE_MONITOR;
}

int scorer_worst(const struct scorer *sc)
{
	int worst = SCORE_NONE_DIST;
	unsigned best = 0;

	for (size_t i = 1; i < sc->ndists; i++)
		if (sc->dists[i].total > best) {
			best = sc->dists[i].total;
			worst = (int)i - 1;
		}
	if (sc->ndists && sc->dists[0].total > best)
		worst = SCORE_NONE_DIST;
	return worst;
}
