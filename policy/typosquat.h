/* SPDX-License-Identifier: MIT */
/*
 * Typosquatting: is a requested distribution name a near miss of a much
 * more popular one?  The popular list (policy/data/pypi-popular.tsv,
 * "name<TAB>rank" lines, rank 1 the most downloaded) is compiled in.
 *
 * A name N is refused when it is not itself popular (not on the list at
 * all: a listed name has many users, which a fresh squat has not) and
 * some name T among the popular_top_n first, at least SP_SQUAT_RATIO
 * times more popular than N, is
 *   - the same name once separators are removed ("git-python" / "gitpython"),
 *   - the same name once a common prefix or suffix is removed or added
 *     ("python-requests", "requests-py", "dotenv" / "python-dotenv"), or
 *   - within the allowed edit distance, counting insertions, deletions,
 *     substitutions and transpositions of adjacent characters: 0 for
 *     names of up to 4 characters, 1 up to 7, else 2, never above
 *     typosquat.max_distance.
 */
#ifndef SAFEPIP_TYPOSQUAT_H
#define SAFEPIP_TYPOSQUAT_H

#include <stdbool.h>
#include <stddef.h>

#include "policy/policy.h"

#define SP_SQUAT_RATIO 10
#define SP_POPULAR_MAX 200000           /* names in a popular list */

struct sp_popular;

/* The compiled-in list.  NULL with errno (ENOMEM, EINVAL for a bad list). */
struct sp_popular *sp_popular_embedded(void);

/*
 * Parse a list ("name<TAB>rank" per line, names PEP 503-normalised by this
 * function, ranks >= 1).  NULL with errno; err gets line numbers.
 */
struct sp_popular *sp_popular_parse(const char *tsv, size_t len, const char *file,
				    struct sp_errors *err);
void sp_popular_free(struct sp_popular *pl);

size_t sp_popular_count(const struct sp_popular *pl);
/* The i-th name of the list, in file order (the list is sorted by rank); NULL past the end. */
const char *sp_popular_at(const struct sp_popular *pl, size_t i, unsigned *rank);
/* Rank of a normalised name, 0 when not listed. */
unsigned sp_popular_rank(const struct sp_popular *pl, const char *norm);

struct sp_squat {
	const char *intended;           /* the popular name (owned by pl) */
	unsigned intended_rank;
	unsigned rank;                  /* of the checked name, 0 if not listed */
	unsigned distance;              /* edit distance, 0 for separator/affix matches */
	const char *why;                /* static text */
};

/*
 * Is norm (PEP 503-normalised) a typosquat under conf?  true and *out
 * filled when it is.  conf->enabled is not looked at.
 */
bool sp_typosquat_check(const struct sp_popular *pl, const struct sp_typosquat_conf *conf,
			const char *norm, struct sp_squat *out);

/*
 * The same with the "popular itself" exemption switchable: with
 * exempt_popular false, a listed name is judged like any other, against
 * the names at least SP_SQUAT_RATIO times more popular.  For measurements.
 */
bool sp_typosquat_check_ex(const struct sp_popular *pl, const struct sp_typosquat_conf *conf,
			   const char *norm, bool exempt_popular, struct sp_squat *out);

#endif
