/* SPDX-License-Identifier: MIT */
/*
 * PEP 440 versions and version specifiers, as pip (packaging) reads them:
 * epochs, release numbers, pre-, post- and development releases, local
 * versions, and the operators ~= == != <= >= < > === with ".*" prefix
 * matching for == and !=.
 *
 * Differences from packaging, on purpose: a specifier set here matches
 * pre-releases like any other version (a deny entry must never skip
 * them); numbers are limited to 64 bits; at most PEP440_PARTS_MAX release
 * components and PEP440_LOCAL_MAX local segments.
 */
#ifndef SAFEPIP_PEP440_H
#define SAFEPIP_PEP440_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PEP440_PARTS_MAX 16
#define PEP440_LOCAL_MAX 16
#define PEP440_LOCAL_SEG_MAX 32         /* bytes of one local segment */
#define PEP440_SPECS_MAX 16             /* clauses in one specifier set */
#define PEP440_TEXT_MAX 128             /* bytes of a version as written */

enum pep440_pre { PRE_NONE = -1, PRE_A = 0, PRE_B = 1, PRE_RC = 2 };

struct pep440_local {
	bool numeric;
	uint64_t num;
	char str[PEP440_LOCAL_SEG_MAX];
};

struct pep440 {
	uint64_t epoch;
	uint64_t rel[PEP440_PARTS_MAX];
	unsigned nrel;
	int pre;                        /* enum pep440_pre */
	uint64_t pre_n;
	bool has_post;
	uint64_t post_n;
	bool has_dev;
	uint64_t dev_n;
	struct pep440_local local[PEP440_LOCAL_MAX];
	unsigned nlocal;
};

/* Parse a version (surrounding whitespace allowed).  0 or -EINVAL. */
int pep440_parse(const char *s, size_t len, struct pep440 *v);

/* <0, 0, >0 in PEP 440 order. */
int pep440_cmp(const struct pep440 *a, const struct pep440 *b);

enum pep440_op { OP_COMPAT, OP_EQ, OP_NE, OP_LE, OP_GE, OP_LT, OP_GT, OP_ARB };

struct pep440_spec {
	enum pep440_op op;
	bool wildcard;                  /* == / != with ".*" */
	struct pep440 v;                /* unused for OP_ARB */
	char text[PEP440_TEXT_MAX];     /* the version as written (OP_ARB compares it) */
};

struct pep440_specset {
	struct pep440_spec *v;          /* n clauses, all must hold */
	unsigned n;
};

/*
 * Parse one clause ("~=1.4.2", "== 1.*").  0 or -EINVAL with why filled in
 * (a static string).
 */
int pep440_spec_parse(const char *s, size_t len, struct pep440_spec *sp, const char **why);

/* Does version v satisfy the clause? */
bool pep440_spec_match(const struct pep440_spec *sp, const struct pep440 *v);

/*
 * Does the version text satisfy every clause?  A text that is not a valid
 * version matches only === clauses of the same text (case-insensitive).
 */
bool pep440_specset_match(const struct pep440_specset *set, const char *version);

/* The exact version a clause pins (== without wildcard, ===), else NULL. */
const char *pep440_spec_pin(const struct pep440_spec *sp);

#endif
