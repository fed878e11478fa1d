// SPDX-License-Identifier: MIT
/*
 * PEP 440 versions and specifiers.  The grammar and the ordering follow the
 * PEP (and packaging's reading of it, which is what pip uses); see
 * pep440.h for the deliberate differences.
 */
#include "policy/pep440.h"

#include <ctype.h>
#include <errno.h>
#include <string.h>
#include <strings.h>

/* A cursor over the text being parsed. */
struct cur {
	const char *s, *end;
};

static bool at_sep(const struct cur *c)
{
	return c->s < c->end && (*c->s == '-' || *c->s == '_' || *c->s == '.');
}

static bool at_digit(const struct cur *c)
{
	return c->s < c->end && isdigit((unsigned char)*c->s);
}

/* Digits into a 64-bit number; false on overflow. */
static bool take_num(struct cur *c, uint64_t *out)
{
	uint64_t v = 0;

	while (at_digit(c)) {
		unsigned d = (unsigned)(*c->s - '0');

		if (v > (UINT64_MAX - d) / 10)
			return false;
		v = v * 10 + d;
		c->s++;
	}
	*out = v;
	return true;
}

/* Case-insensitive keyword at the cursor; consumed when present. */
static bool take_word(struct cur *c, const char *w)
{
	size_t n = strlen(w);

	if ((size_t)(c->end - c->s) < n || strncasecmp(c->s, w, n) != 0)
		return false;
	c->s += n;
	return true;
}

/*
 * "[-_.]?LABEL[-_.]?N?" with LABEL one of labels (tried in order, longest
 * alternatives first as in the PEP's grammar).  Returns the label's index,
 * or -1 with the cursor untouched.  *n is 0 when the number is implicit.
 */
static int take_labelled(struct cur *c, const char *const *labels, size_t nl, uint64_t *n,
			 bool *overflow)
{
	struct cur t = *c;

	if (at_sep(&t))
		t.s++;
	for (size_t i = 0; i < nl; i++) {
		if (!take_word(&t, labels[i]))
			continue;
		if (at_sep(&t))
			t.s++;
		*n = 0;
		if (at_digit(&t) && !take_num(&t, n))
			*overflow = true;
		*c = t;
		return (int)i;
	}
	return -1;
}

static const char *const pre_labels[] = { "alpha", "a", "beta", "b", "preview", "pre", "c", "rc" };
static const int pre_kinds[] = { PRE_A, PRE_A, PRE_B, PRE_B, PRE_RC, PRE_RC, PRE_RC, PRE_RC };
static const char *const post_labels[] = { "post", "rev", "r" };
static const char *const dev_labels[] = { "dev" };

static int parse_local(struct cur *c, struct pep440 *v)
{
	for (;;) {
		const char *b = c->s;
		struct pep440_local *l;
		size_t n;

		while (c->s < c->end && isalnum((unsigned char)*c->s))
			c->s++;
		n = (size_t)(c->s - b);
		if (n == 0 || v->nlocal >= PEP440_LOCAL_MAX || n >= PEP440_LOCAL_SEG_MAX)
			return -EINVAL;
		l = &v->local[v->nlocal++];
		l->numeric = true;
		for (size_t i = 0; i < n; i++)
			if (!isdigit((unsigned char)b[i]))
				l->numeric = false;
		if (l->numeric) {
			struct cur d = { b, c->s };

			if (!take_num(&d, &l->num))
				return -EINVAL;
		}
		for (size_t i = 0; i < n; i++)
			l->str[i] = (char)tolower((unsigned char)b[i]);
		l->str[n] = '\0';
		if (!at_sep(c))
			return 0;
		c->s++;
	}
}

static int parse_release(struct cur *c, struct pep440 *v)
{
	uint64_t n;

	if (!at_digit(c) || !take_num(c, &n))
		return -EINVAL;
	if (c->s < c->end && *c->s == '!') {
		v->epoch = n;
		c->s++;
		if (!at_digit(c) || !take_num(c, &n))
			return -EINVAL;
	}
	v->rel[v->nrel++] = n;
	while (c->end - c->s >= 2 && c->s[0] == '.' && isdigit((unsigned char)c->s[1])) {
		c->s++;
		if (v->nrel >= PEP440_PARTS_MAX || !take_num(c, &n))
			return -EINVAL;
		v->rel[v->nrel++] = n;
	}
	return 0;
}

/* The pre-, post- and dev-release suffixes after the release. */
static int parse_suffixes(struct cur *c, struct pep440 *v)
{
	bool overflow = false;
	int i;

	i = take_labelled(c, pre_labels, sizeof(pre_labels) / sizeof(pre_labels[0]), &v->pre_n,
			  &overflow);
	if (i >= 0)
		v->pre = pre_kinds[i];
	if (c->end - c->s >= 2 && c->s[0] == '-' && isdigit((unsigned char)c->s[1])) {
		c->s++;
		v->has_post = true;
		if (!take_num(c, &v->post_n))
			overflow = true;
	} else if (take_labelled(c, post_labels, 3, &v->post_n, &overflow) >= 0) {
		v->has_post = true;
	}
	if (take_labelled(c, dev_labels, 1, &v->dev_n, &overflow) >= 0)
		v->has_dev = true;
	return overflow ? -EINVAL : 0;
}

int pep440_parse(const char *s, size_t len, struct pep440 *v)
{
	struct cur c = { s, s + len };

	memset(v, 0, sizeof(*v));
	v->pre = PRE_NONE;
	while (c.s < c.end && isspace((unsigned char)*c.s))
		c.s++;
	while (c.end > c.s && isspace((unsigned char)c.end[-1]))
		c.end--;
	if (c.s < c.end && (*c.s == 'v' || *c.s == 'V'))
		c.s++;
	if (parse_release(&c, v) < 0 || parse_suffixes(&c, v) < 0)
		return -EINVAL;
	if (c.s < c.end && *c.s == '+') {
		c.s++;
		if (parse_local(&c, v) < 0)
			return -EINVAL;
	}
	return c.s == c.end ? 0 : -EINVAL;
}

/* ------------------------------------------------------------- order */

static int cmp_u64(uint64_t a, uint64_t b)
{
	return a < b ? -1 : a > b;
}

/* Release numbers compare as if padded with zeros. */
static int cmp_release(const struct pep440 *a, const struct pep440 *b)
{
	unsigned n = a->nrel > b->nrel ? a->nrel : b->nrel;

	for (unsigned i = 0; i < n; i++) {
		int r = cmp_u64(i < a->nrel ? a->rel[i] : 0, i < b->nrel ? b->rel[i] : 0);

		if (r)
			return r;
	}
	return 0;
}

/*
 * The pre-release key: a dev release of a final version sorts before its
 * pre-releases; a version without pre-release after all of them.
 */
static void pre_key(const struct pep440 *v, int *rank, uint64_t *n)
{
	*n = v->pre_n;
	if (v->pre == PRE_NONE && !v->has_post && v->has_dev)
		*rank = -1;
	else if (v->pre == PRE_NONE)
		*rank = 3;
	else
		*rank = v->pre;
}

static int cmp_local(const struct pep440 *a, const struct pep440 *b)
{
	unsigned n = a->nlocal < b->nlocal ? a->nlocal : b->nlocal;

	for (unsigned i = 0; i < n; i++) {
		const struct pep440_local *x = &a->local[i], *y = &b->local[i];
		int r;

		/* numeric segments sort after alphanumeric ones */
		if (x->numeric != y->numeric)
			return x->numeric ? 1 : -1;
		r = x->numeric ? cmp_u64(x->num, y->num) : strcmp(x->str, y->str);
		if (r)
			return r < 0 ? -1 : 1;
	}
	return cmp_u64(a->nlocal, b->nlocal);
}

int pep440_cmp(const struct pep440 *a, const struct pep440 *b)
{
	int r, ra, rb;
	uint64_t na, nb;

	if ((r = cmp_u64(a->epoch, b->epoch)) || (r = cmp_release(a, b)))
		return r;
	pre_key(a, &ra, &na);
	pre_key(b, &rb, &nb);
	if (ra != rb)
		return ra < rb ? -1 : 1;
	if ((r = cmp_u64(na, nb)))
		return r;
	if (a->has_post != b->has_post)
		return a->has_post ? 1 : -1;
	if ((r = cmp_u64(a->post_n, b->post_n)))
		return r;
	if (a->has_dev != b->has_dev)
		return a->has_dev ? -1 : 1;
	if ((r = cmp_u64(a->dev_n, b->dev_n)))
		return r;
	return cmp_local(a, b);
}

/* ------------------------------------------------------------ clauses */

static void public_of(const struct pep440 *v, struct pep440 *out)
{
	*out = *v;
	out->nlocal = 0;
}

static void base_of(const struct pep440 *v, struct pep440 *out)
{
	memset(out, 0, sizeof(*out));
	out->epoch = v->epoch;
	memcpy(out->rel, v->rel, sizeof(v->rel));
	out->nrel = v->nrel;
	out->pre = PRE_NONE;
}

static bool is_pre(const struct pep440 *v)
{
	return v->pre != PRE_NONE || v->has_dev;
}

/* ==X.Y.*: the epoch and the release, padded with zeros, start with X.Y. */
static bool prefix_match(const struct pep440 *spec, const struct pep440 *v)
{
	if (spec->epoch != v->epoch)
		return false;
	for (unsigned i = 0; i < spec->nrel; i++)
		if ((i < v->nrel ? v->rel[i] : 0) != spec->rel[i])
			return false;
	return true;
}

static bool match_eq(const struct pep440_spec *sp, const struct pep440 *v)
{
	struct pep440 pub;

	if (sp->wildcard)
		return prefix_match(&sp->v, v);
	if (sp->v.nlocal == 0) {
		public_of(v, &pub);
		return pep440_cmp(&pub, &sp->v) == 0;
	}
	return pep440_cmp(v, &sp->v) == 0;
}

static bool match_lt(const struct pep440 *spec, const struct pep440 *v)
{
	struct pep440 bv, bs;

	if (pep440_cmp(v, spec) >= 0)
		return false;
	/* <V excludes the pre-releases of V itself, unless V is one */
	if (!is_pre(spec) && is_pre(v)) {
		base_of(v, &bv);
		base_of(spec, &bs);
		if (pep440_cmp(&bv, &bs) == 0)
			return false;
	}
	return true;
}

static bool match_gt(const struct pep440 *spec, const struct pep440 *v)
{
	struct pep440 bv, bs;

	if (pep440_cmp(v, spec) <= 0)
		return false;
	/* >V excludes V's post-releases (unless V is one) and V's local versions */
	base_of(v, &bv);
	base_of(spec, &bs);
	if (pep440_cmp(&bv, &bs) == 0 && ((!spec->has_post && v->has_post) || v->nlocal > 0))
		return false;
	return true;
}

/* ~=V: >=V and ==prefix.* where prefix is V's release without its last number. */
static bool match_compat(const struct pep440 *spec, const struct pep440 *v)
{
	struct pep440 prefix, pub;

	public_of(v, &pub);
	if (pep440_cmp(&pub, spec) < 0)
		return false;
	base_of(spec, &prefix);
	prefix.nrel = spec->nrel - 1;
	return prefix_match(&prefix, v);
}

bool pep440_spec_match(const struct pep440_spec *sp, const struct pep440 *v)
{
	struct pep440 pub;

	public_of(v, &pub);
	switch (sp->op) {
	case OP_COMPAT:
		return match_compat(&sp->v, v);
	case OP_EQ:
		return match_eq(sp, v);
	case OP_NE:
		return !match_eq(sp, v);
	case OP_LE:
		return pep440_cmp(&pub, &sp->v) <= 0;
	case OP_GE:
		return pep440_cmp(&pub, &sp->v) >= 0;
	case OP_LT:
		return match_lt(&sp->v, v);
	case OP_GT:
		return match_gt(&sp->v, v);
	case OP_ARB:
		return false;   /* needs the text: pep440_specset_match() */
	}
	return false;
}

static const struct {
	const char *tok;
	enum pep440_op op;
} ops[] = {
	{ "===", OP_ARB }, { "~=", OP_COMPAT }, { "==", OP_EQ }, { "!=", OP_NE },
	{ "<=", OP_LE }, { ">=", OP_GE }, { "<", OP_LT }, { ">", OP_GT },
};

/* The clause's version text against what its operator allows. */
static int check_clause(struct pep440_spec *sp, const char *vs, size_t vl, const char **why)
{
	bool wild = vl >= 2 && vs[vl - 2] == '.' && vs[vl - 1] == '*';

	if (wild && sp->op != OP_EQ && sp->op != OP_NE) {
		*why = "a .* wildcard is allowed only with == and !=";
		return -EINVAL;
	}
	sp->wildcard = wild;
	if (pep440_parse(vs, wild ? vl - 2 : vl, &sp->v) < 0) {
		*why = "not a PEP 440 version";
		return -EINVAL;
	}
	if (wild && (is_pre(&sp->v) || sp->v.has_post || sp->v.nlocal)) {
		*why = "a .* wildcard must follow a release number";
		return -EINVAL;
	}
	if (sp->v.nlocal && sp->op != OP_EQ && sp->op != OP_NE) {
		*why = "a local version is allowed only with == and !=";
		return -EINVAL;
	}
	if (sp->op == OP_COMPAT && sp->v.nrel < 2) {
		*why = "~= needs a version with at least two release numbers";
		return -EINVAL;
	}
	return 0;
}

int pep440_spec_parse(const char *s, size_t len, struct pep440_spec *sp, const char **why)
{
	const char *end = s + len;
	size_t i, vl;

	memset(sp, 0, sizeof(*sp));
	while (s < end && isspace((unsigned char)*s))
		s++;
	while (end > s && isspace((unsigned char)end[-1]))
		end--;
	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if ((size_t)(end - s) >= strlen(ops[i].tok) && strncmp(s, ops[i].tok, strlen(ops[i].tok)) == 0)
			break;
	if (i == sizeof(ops) / sizeof(ops[0])) {
		*why = "expected an operator (~= == != <= >= < > ===)";
		return -EINVAL;
	}
	sp->op = ops[i].op;
	s += strlen(ops[i].tok);
	while (s < end && isspace((unsigned char)*s))
		s++;
	vl = (size_t)(end - s);
	if (vl == 0 || vl >= PEP440_TEXT_MAX) {
		*why = vl ? "version too long" : "expected a version after the operator";
		return -EINVAL;
	}
	for (i = 0; i < vl; i++) {
		if (isspace((unsigned char)s[i]) || !isprint((unsigned char)s[i])) {
			*why = "unexpected character in the version";
			return -EINVAL;
		}
	}
	memcpy(sp->text, s, vl);
	sp->text[vl] = '\0';
	if (sp->op == OP_ARB)
		return 0;
	return check_clause(sp, s, vl, why);
}

bool pep440_specset_match(const struct pep440_specset *set, const char *version)
{
	struct pep440 v;
	bool valid = pep440_parse(version, strlen(version), &v) == 0;

	for (unsigned i = 0; i < set->n; i++) {
		const struct pep440_spec *sp = &set->v[i];

		if (sp->op == OP_ARB) {
			if (strcasecmp(sp->text, version) != 0)
				return false;
		} else if (!valid || !pep440_spec_match(sp, &v)) {
			return false;
		}
	}
	return true;
}

const char *pep440_spec_pin(const struct pep440_spec *sp)
{
	if (sp->op == OP_ARB || (sp->op == OP_EQ && !sp->wildcard))
		return sp->text;
	return NULL;
}
