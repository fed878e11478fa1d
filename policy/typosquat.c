// SPDX-License-Identifier: MIT
/*
 * The popular-package list and the typosquatting check (see typosquat.h
 * for the rule).  Candidates are found without a scan of the whole list:
 * separator-free forms and affix variants are hash lookups, and the edit
 * distance is computed only against popular names whose length is within
 * the allowed distance.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/internal.h"
#include "policy/typosquat.h"

/* policy/data/pypi-popular.tsv, compiled in by the build (embed.sh) */
extern const char sp_popular_tsv_data[];
extern const size_t sp_popular_tsv_size;

#define LEN_MAX 128

struct sp_popular {
	struct arena ar;
	const char **names;             /* by rank order */
	unsigned *ranks;
	size_t n;
	struct hmap *by_name;           /* name -> index (as a pointer-sized integer) */
	struct hmap *by_bare;           /* name without '-' -> index */
	struct ptrvec by_len[LEN_MAX];  /* indexes of names of each length */
};

/* Prefixes and suffixes that do not change what a name means to a reader. */
static const char *const prefixes[] = { "python3-", "python-", "py-", "python", "py" };
static const char *const suffixes[] = { "-python3", "-python", "-py3", "-py", "-lib", "python", "py" };

void sp_popular_free(struct sp_popular *pl)
{
	if (!pl)
		return;
	hmap_free(pl->by_name);
	hmap_free(pl->by_bare);
	for (size_t i = 0; i < LEN_MAX; i++)
		ptrvec_free(&pl->by_len[i]);
	free(pl->names);
	free(pl->ranks);
	ar_free(&pl->ar);
	free(pl);
}

static void *as_ptr(size_t i)
{
	return (void *)(uintptr_t)(i + 1);
}

static size_t as_index(const void *p)
{
	return (size_t)(uintptr_t)p - 1;
}

/* The separator-free form of a normalised name. */
static size_t bare(const char *s, char *out)
{
	size_t o = 0;

	for (; *s; s++)
		if (*s != '-')
			out[o++] = *s;
	out[o] = '\0';
	return o;
}

static int add_name(struct sp_popular *pl, const char *norm, unsigned rank)
{
	size_t i = pl->n, len = strlen(norm);
	char b[SP_PKGNAME_MAX];
	const char *name;
	size_t bl;

	if (hmap_get(pl->by_name, norm, len))
		return 0;       /* listed twice: the first (better) rank stays */
	name = ar_strdup(&pl->ar, norm);
	if (!name)
		return -ENOMEM;
	pl->names[i] = name;
	pl->ranks[i] = rank;
	pl->n++;
	bl = bare(norm, b);
	if (hmap_add(pl->by_name, &pl->ar, name, len, as_ptr(i)) < 0 ||
	    (!hmap_get(pl->by_bare, b, bl) && hmap_add(pl->by_bare, &pl->ar, b, bl, as_ptr(i)) < 0) ||
	    (len < LEN_MAX && ptrvec_push(&pl->by_len[len], as_ptr(i)) < 0))
		return -ENOMEM;
	return 0;
}

static int parse_line(struct sp_popular *pl, const char *l, size_t n, unsigned lineno,
		      const char *file, struct sp_errors *err)
{
	const char *tab = memchr(l, '\t', n);
	char norm[SP_PKGNAME_MAX], num[16];
	unsigned long rank;
	char *end;
	size_t nl;

	if (!tab)
		return perr(err, file, lineno, 1, "expected NAME<TAB>RANK");
	nl = (size_t)(l + n - tab - 1);
	if (nl == 0 || nl >= sizeof(num))
		return perr(err, file, lineno, (unsigned)(tab - l) + 2, "expected a rank");
	memcpy(num, tab + 1, nl);
	num[nl] = '\0';
	rank = strtoul(num, &end, 10);
	if (*end || rank == 0 || rank > 100000000)
		return perr(err, file, lineno, (unsigned)(tab - l) + 2, "expected a rank >= 1");
	if (!sp_name_normalize(l, (size_t)(tab - l), norm, sizeof(norm)))
		return perr(err, file, lineno, 1, "not a distribution name");
	return add_name(pl, norm, (unsigned)rank);
}

struct sp_popular *sp_popular_parse(const char *tsv, size_t len, const char *file,
				    struct sp_errors *err)
{
	struct sp_popular *pl = calloc(1, sizeof(*pl));
	size_t lines = 1, off = 0;
	unsigned lineno = 0;
	int r = -ENOMEM;

	if (!pl)
		goto fail;
	for (size_t i = 0; i < len; i++)
		lines += tsv[i] == '\n';
	if (lines > SP_POPULAR_MAX + 1) {
		r = perr(err, file, 0, 0, "too many names (more than %d)", SP_POPULAR_MAX);
		goto fail;
	}
	pl->names = calloc(lines, sizeof(*pl->names));
	pl->ranks = calloc(lines, sizeof(*pl->ranks));
	pl->by_name = hmap_new();
	pl->by_bare = hmap_new();
	if (!pl->names || !pl->ranks || !pl->by_name || !pl->by_bare)
		goto fail;
	while (off < len) {
		const char *l = tsv + off, *nl = memchr(l, '\n', len - off);
		size_t n = nl ? (size_t)(nl - l) : len - off;

		off += n + 1;
		lineno++;
		if (n == 0 || l[0] == '#')
			continue;
		r = parse_line(pl, l, n, lineno, file, err);
		if (r < 0)
			goto fail;
	}
	return pl;
fail:
	sp_popular_free(pl);
	errno = -r;
	return NULL;
}

struct sp_popular *sp_popular_embedded(void)
{
	struct sp_errors err = { 0 };

	return sp_popular_parse(sp_popular_tsv_data, sp_popular_tsv_size, "pypi-popular.tsv", &err);
}

size_t sp_popular_count(const struct sp_popular *pl)
{
	return pl->n;
}

const char *sp_popular_at(const struct sp_popular *pl, size_t i, unsigned *rank)
{
	if (i >= pl->n)
		return NULL;
	if (rank)
		*rank = pl->ranks[i];
	return pl->names[i];
}

unsigned sp_popular_rank(const struct sp_popular *pl, const char *norm)
{
	const struct ptrvec *v = hmap_get(pl->by_name, norm, strlen(norm));

	return v ? pl->ranks[as_index(v->v[0])] : 0;
}

/* ---------------------------------------------------------------- check */

struct search {
	const struct sp_popular *pl;
	const struct sp_typosquat_conf *conf;
	const char *name;
	unsigned rank;                  /* of name; 0 = not listed */
	struct sp_squat best;
	bool found;
};

/* Is index i a popular target that name could be imitating? */
static bool target_ok(const struct search *s, size_t i)
{
	unsigned tr = s->pl->ranks[i];

	if (tr > s->conf->popular_top_n || strcmp(s->pl->names[i], s->name) == 0)
		return false;
	return s->rank == 0 || (uint64_t)tr * SP_SQUAT_RATIO < s->rank;
}

static void consider(struct search *s, size_t i, unsigned dist, const char *why)
{
	unsigned tr = s->pl->ranks[i];

	if (!target_ok(s, i))
		return;
	if (s->found && (s->best.distance < dist ||
			 (s->best.distance == dist && s->best.intended_rank <= tr)))
		return;
	s->found = true;
	s->best.intended = s->pl->names[i];
	s->best.intended_rank = tr;
	s->best.distance = dist;
	s->best.why = why;
}

static void lookup(struct search *s, const struct hmap *m, const char *key, size_t kl, const char *why)
{
	const struct ptrvec *v = hmap_get(m, key, kl);

	if (v)
		consider(s, as_index(v->v[0]), 0, why);
}

/* name with a common prefix or suffix taken away or added. */
static void affixes(struct search *s, size_t len)
{
	char buf[SP_PKGNAME_MAX + 16];

	for (size_t i = 0; i < ARRAY_SIZE(prefixes); i++) {
		size_t pl = strlen(prefixes[i]);

		if (len > pl + 2 && strncmp(s->name, prefixes[i], pl) == 0)
			lookup(s, s->pl->by_name, s->name + pl, len - pl, "the same name without a common prefix");
		if (snprintf(buf, sizeof(buf), "%s%s", prefixes[i], s->name) < (int)sizeof(buf))
			lookup(s, s->pl->by_name, buf, strlen(buf), "the same name with a common prefix");
	}
	for (size_t i = 0; i < ARRAY_SIZE(suffixes); i++) {
		size_t sl = strlen(suffixes[i]);

		if (len > sl + 2 && strcmp(s->name + len - sl, suffixes[i]) == 0)
			lookup(s, s->pl->by_name, s->name, len - sl, "the same name without a common suffix");
		if (snprintf(buf, sizeof(buf), "%s%s", s->name, suffixes[i]) < (int)sizeof(buf))
			lookup(s, s->pl->by_name, buf, strlen(buf), "the same name with a common suffix");
	}
}

static unsigned allowed_distance(size_t len, unsigned max)
{
	unsigned d = len <= 4 ? 0 : len <= 7 ? 1 : 2;

	return d < max ? d : max;
}

static void near_misses(struct search *s, size_t len)
{
	unsigned k = allowed_distance(len, s->conf->max_distance);

	if (k == 0)
		return;
	for (size_t l = len > k ? len - k : 1; l <= len + k && l < LEN_MAX; l++) {
		const struct ptrvec *v = &s->pl->by_len[l];

		for (size_t j = 0; j < v->n; j++) {
			size_t i = as_index(v->v[j]);
			unsigned d;

			if (!target_ok(s, i))
				continue;
			d = osa_distance(s->name, len, s->pl->names[i], l, k);
			if (d <= k)
				consider(s, i, d, d == 1 ? "edit distance 1" : "edit distance 2");
		}
	}
}

bool sp_typosquat_check(const struct sp_popular *pl, const struct sp_typosquat_conf *conf,
			const char *norm, struct sp_squat *out)
{
	return sp_typosquat_check_ex(pl, conf, norm, true, out);
}

bool sp_typosquat_check_ex(const struct sp_popular *pl, const struct sp_typosquat_conf *conf,
			   const char *norm, bool exempt_popular, struct sp_squat *out)
{
	struct search s = { .pl = pl, .conf = conf, .name = norm };
	size_t len = strlen(norm);
	char b[SP_PKGNAME_MAX];

	s.rank = sp_popular_rank(pl, norm);
	if (exempt_popular && s.rank)
		return false;   /* popular itself: on the list */
	if (len >= SP_PKGNAME_MAX)
		return false;
	lookup(&s, pl->by_bare, b, bare(norm, b), "the same name without separators");
	affixes(&s, len);
	near_misses(&s, len);
	if (!s.found)
		return false;
	s.best.rank = s.rank;
	*out = s.best;
	return true;
}
