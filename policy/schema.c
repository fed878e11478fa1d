// SPDX-License-Identifier: MIT
/*
 * Schema version 1: from the YAML node tree of one file to a layer.
 * Every error names file:line:column and what was expected; unknown keys
 * get a did-you-mean.  Conversion goes on after an error so that one run
 * reports as many problems as it can (up to SP_ERRORS_MAX).
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/internal.h"

#define PATTERN_MAX 4096

struct sctx {
	struct arena *a;
	const struct sp_policy_env *env;
	const char *file;
	struct sp_errors *err;
	struct layer *l;
	int r;                          /* first error: -EINVAL or -ENOMEM */
};

static void serr(struct sctx *c, const struct ynode *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void serr(struct sctx *c, const struct ynode *n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vperr(c->err, c->file, n ? n->line : 0, n ? n->col : 0, fmt, ap);
	va_end(ap);
	if (c->r == 0)
		c->r = -EINVAL;
}

static void snomem(struct sctx *c)
{
	c->r = -ENOMEM;
}

static struct sp_loc loc_of(const struct sctx *c, const struct ynode *n)
{
	return (struct sp_loc){ .file = c->file, .line = n->line, .col = n->col };
}

static const char *kind_name(const struct ynode *n)
{
	return n->kind == Y_MAP ? "a mapping" : n->kind == Y_SEQ ? "a list" : "a scalar";
}

/* ------------------------------------------------------------ scalars */

static bool is_null(const struct ynode *n)
{
	return n->kind == Y_SCALAR && n->plain &&
	       (n->len == 0 || strcmp(n->str, "~") == 0 || strcmp(n->str, "null") == 0 ||
		strcmp(n->str, "Null") == 0 || strcmp(n->str, "NULL") == 0);
}

static bool get_str(struct sctx *c, const struct ynode *n, const char *what, const char **out)
{
	if (n->kind != Y_SCALAR || is_null(n)) {
		serr(c, n, "expected %s, found %s", what, is_null(n) ? "nothing (null)" : kind_name(n));
		return false;
	}
	*out = n->str;
	return true;
}

static bool get_bool(struct sctx *c, const struct ynode *n, bool *out)
{
	if (n->kind == Y_SCALAR && n->plain && strcmp(n->str, "true") == 0) {
		*out = true;
		return true;
	}
	if (n->kind == Y_SCALAR && n->plain && strcmp(n->str, "false") == 0) {
		*out = false;
		return true;
	}
	serr(c, n, "expected true or false, found %s%s%s", n->kind == Y_SCALAR ? "'" : "",
	     n->kind == Y_SCALAR ? n->str : kind_name(n), n->kind == Y_SCALAR ? "'" : "");
	return false;
}

static bool get_uint(struct sctx *c, const struct ynode *n, unsigned min, unsigned max,
		     unsigned *out)
{
	unsigned long long v = 0;
	bool ok = n->kind == Y_SCALAR && n->plain && n->len > 0 && n->len <= 10;

	for (size_t i = 0; ok && i < n->len; i++) {
		if (!isdigit((unsigned char)n->str[i]))
			ok = false;
		else
			v = v * 10 + (unsigned)(n->str[i] - '0');
	}
	if (!ok || v < min || v > max) {
		serr(c, n, "expected a whole number from %u to %u, found %s%s%s", min, max,
		     n->kind == Y_SCALAR ? "'" : "", n->kind == Y_SCALAR ? n->str : kind_name(n),
		     n->kind == Y_SCALAR ? "'" : "");
		return false;
	}
	*out = (unsigned)v;
	return true;
}

static bool want(struct sctx *c, const struct ynode *n, enum ynode_kind k, const char *what)
{
	if (n->kind == k)
		return true;
	serr(c, n, "expected %s for %s, found %s", k == Y_MAP ? "a mapping" : "a list", what,
	     is_null(n) ? "nothing (null)" : kind_name(n));
	return false;
}

/* One of words[], with a hint when it is not. */
static int get_word(struct sctx *c, const struct ynode *n, const char *what,
		    const char *const *words, size_t nw)
{
	const char *s, *hint;

	if (!get_str(c, n, what, &s))
		return -1;
	for (size_t i = 0; i < nw; i++)
		if (strcmp(s, words[i]) == 0)
			return (int)i;
	hint = did_you_mean(s, words, nw);
	if (hint)
		serr(c, n, "unknown %s '%s' (did you mean '%s'?)", what, s, hint);
	else if (nw == 2)
		serr(c, n, "unknown %s '%s' (expected %s or %s)", what, s, words[0], words[1]);
	else
		serr(c, n, "unknown %s '%s'", what, s);
	return -1;
}

/* ------------------------------------------------------------ mapping */

typedef void (*key_fn)(struct sctx *c, const struct ynode *key, const struct ynode *val, void *arg);

struct keydef {
	const char *key;
	key_fn fn;
};

/* Call the handler of every key of map; unknown keys are errors with a hint. */
static void each_key(struct sctx *c, const struct ynode *map, const struct keydef *defs, size_t nd,
		     const char *where, void *arg)
{
	const char *names[16];

	for (size_t i = 0; i < nd && i < ARRAY_SIZE(names); i++)
		names[i] = defs[i].key;
	for (size_t i = 0; i + 1 < map->n; i += 2) {
		const struct ynode *k = map->items[i], *v = map->items[i + 1];
		size_t j;

		for (j = 0; j < nd; j++)
			if (strcmp(k->str, defs[j].key) == 0)
				break;
		if (j < nd) {
			defs[j].fn(c, k, v, arg);
			continue;
		}
		{
			const char *hint = did_you_mean(k->str, names, nd < 16 ? nd : 16);

			if (hint)
				serr(c, k, "unknown key '%s' in %s (did you mean '%s'?)", k->str, where, hint);
			else
				serr(c, k, "unknown key '%s' in %s", k->str, where);
		}
	}
}

/* ------------------------------------------------------------ entries */

static struct pentry *new_entry(struct sctx *c, const struct ynode *n, enum entry_kind kind,
				enum sp_action act)
{
	struct pentry *pe = ar_alloc(c->a, sizeof(*pe));

	if (!pe) {
		snomem(c);
		return NULL;
	}
	pe->kind = kind;
	pe->e.action = act;
	pe->e.text = n->str;
	pe->e.loc = loc_of(c, n);
	return pe;
}

static void push_entry(struct sctx *c, struct pentry *pe)
{
	if (ptrvec_push(&c->l->entries, pe) < 0)
		snomem(c);
}

/* Check a path glob: components, "**" whole, no ".." ; write it normalised. */
static const char *check_glob(const char *g, char *out, size_t outlen)
{
	size_t o = 0;

	for (const char *p = g; *p;) {
		const char *e = strchr(p, '/');
		size_t n = e ? (size_t)(e - p) : strlen(p);

		if (n == 2 && p[0] == '.' && p[1] == '.')
			return "'..' is not allowed in a path pattern";
		if (n > 2 && memmem(p, n, "**", 2))
			return "'**' must be a whole path component (like a/**/b)";
		if (n == 2 && p[0] == '*' && p[1] == '*' && o > 0 && o >= 3 &&
		    memcmp(out + o - 3, "/**", 3) == 0) {
			/* "**" after "**" adds nothing */
		} else if (!(n == 1 && p[0] == '.') && n > 0) {
			if (o + 1 + n + 1 > outlen)
				return "pattern too long";
			out[o++] = '/';
			memcpy(out + o, p, n);
			o += n;
		}
		p += n;
		while (*p == '/')
			p++;
	}
	if (o == 0)
		out[o++] = '/';
	out[o] = '\0';
	return NULL;
}

static void add_path_glob(struct sctx *c, const struct ynode *n, enum entry_kind kind,
			  enum sp_action act, const char *glob, bool name_only)
{
	struct pentry *pe = new_entry(c, n, kind, act);

	if (!pe)
		return;
	pe->u.path.name_only = name_only;
	pe->u.path.glob = ar_strdup(c->a, glob);
	if (!pe->u.path.glob)
		snomem(c);
	else
		push_entry(c, pe);
}

/*
 * A files/exec pattern: an absolute path, ~/..., **\/... or a bare file
 * name (no '/': any file of that name).  ~ becomes each home of env.
 */
static void path_entry(struct sctx *c, const struct ynode *n, enum entry_kind kind,
		       enum sp_action act)
{
	const char *s, *bad, *homes[SP_HOMES_MAX];
	char expanded[PATTERN_MAX + 1], norm[PATTERN_MAX + 1];
	unsigned nh = 0;

	if (!get_str(c, n, "a path pattern", &s))
		return;
	if (!strchr(s, '/') && s[0] != '~') {
		if (strcmp(s, "..") == 0 || strcmp(s, ".") == 0)
			serr(c, n, "'%s' is not a file name", s);
		else
			add_path_glob(c, n, kind, act, s, true);
		return;
	}
	if (s[0] == '~' && s[1] != '/' && s[1] != '\0') {
		serr(c, n, "only ~/ (the invoking user's home) is supported, not '%s'", s);
		return;
	}
	if (s[0] != '/' && s[0] != '~' && strncmp(s, "**/", 3) != 0) {
		serr(c, n, "expected an absolute path, ~/..., **/... or a file name, found '%s'", s);
		return;
	}
	if (s[0] == '~') {
		while (nh < SP_HOMES_MAX && c->env->homes[nh]) {
			homes[nh] = c->env->homes[nh];
			nh++;
		}
		if (nh == 0) {
			serr(c, n, "cannot expand '~': the invoking user has no home directory");
			return;
		}
	} else {
		homes[nh++] = "";
	}
	for (unsigned i = 0; i < nh; i++) {
		snprintf(expanded, sizeof(expanded), "%s%s", homes[i], s[0] == '~' ? s + 1 : s);
		bad = check_glob(expanded, norm, sizeof(norm));
		if (bad) {
			serr(c, n, "%s: '%s'", bad, s);
			return;
		}
		add_path_glob(c, n, kind, act, norm, false);
	}
}

static bool valid_name_char(char ch)
{
	return isalnum((unsigned char)ch) || ch == '.' || ch == '_' || ch == '-';
}

int schema_package_entry(struct arena *a, const char *s, struct pentry *pe, char *why,
			 size_t whylen)
{
	char norm[SP_PKGNAME_MAX];
	const char *p = s, *why_s = NULL;
	struct pep440_spec specs[PEP440_SPECS_MAX];
	unsigned ns = 0;

	while (valid_name_char(*p))
		p++;
	if (!sp_name_normalize(s, (size_t)(p - s), norm, sizeof(norm))) {
		snprintf(why, whylen, "expected a distribution name (letters, digits, '.', '_', '-')");
		return -EINVAL;
	}
	while (isspace((unsigned char)*p))
		p++;
	if (*p == '[' || *p == ';' || *p == '@') {
		snprintf(why, whylen, "%s are not allowed in a package entry",
			 *p == '[' ? "extras" : *p == ';' ? "markers" : "URLs");
		return -EINVAL;
	}
	while (*p) {
		const char *e = strchr(p, ',');
		size_t n = e ? (size_t)(e - p) : strlen(p);

		if (ns == PEP440_SPECS_MAX) {
			snprintf(why, whylen, "too many version clauses (at most %d)", PEP440_SPECS_MAX);
			return -EINVAL;
		}
		if (pep440_spec_parse(p, n, &specs[ns++], &why_s) < 0) {
			snprintf(why, whylen, "bad version specifier '%.*s': %s", (int)n, p, why_s);
			return -EINVAL;
		}
		p += n + (e ? 1 : 0);
		if (e && !*p) {
			snprintf(why, whylen, "expected a version clause after ','");
			return -EINVAL;
		}
	}
	pe->kind = EK_PACKAGE;
	pe->u.pkg.name = ar_strdup(a, norm);
	pe->u.pkg.spec.n = ns;
	pe->u.pkg.spec.v = ns ? ar_alloc(a, ns * sizeof(specs[0])) : NULL;
	if (!pe->u.pkg.name || (ns && !pe->u.pkg.spec.v))
		return -ENOMEM;
	if (ns)
		memcpy(pe->u.pkg.spec.v, specs, ns * sizeof(specs[0]));
	return 0;
}

static void package_entry(struct sctx *c, const struct ynode *n, enum sp_action act)
{
	struct pentry *pe;
	const char *s;
	char why[256];
	int r;

	if (!get_str(c, n, "a package name", &s))
		return;
	pe = new_entry(c, n, EK_PACKAGE, act);
	if (!pe)
		return;
	r = schema_package_entry(c->a, s, pe, why, sizeof(why));
	if (r == -ENOMEM)
		snomem(c);
	else if (r < 0)
		serr(c, n, "%s: '%s'", why, s);
	else
		push_entry(c, pe);
}

static const char *const role_words[] = { "pip", "build" };

static unsigned net_roles(struct sctx *c, const struct ynode *n)
{
	unsigned roles = 0;

	if (!want(c, n, Y_SEQ, "roles"))
		return 0;
	if (n->n == 0)
		serr(c, n, "roles must name at least one role (pip, build)");
	for (size_t i = 0; i < n->n; i++) {
		int w = get_word(c, n->items[i], "role", role_words, ARRAY_SIZE(role_words));

		if (w >= 0)
			roles |= 1u << (w == 0 ? SP_PROLE_PIP : SP_PROLE_BUILD);
	}
	return roles;
}

static void net_entry(struct sctx *c, const struct ynode *n, enum sp_action act)
{
	const struct ynode *to = n, *roles = NULL;
	struct pentry *pe;
	char why[256];
	const char *s;
	int r;

	if (n->kind == Y_MAP) {
		to = NULL;
		for (size_t i = 0; i + 1 < n->n; i += 2) {
			const char *k = n->items[i]->str;

			if (strcmp(k, "to") == 0)
				to = n->items[i + 1];
			else if (strcmp(k, "roles") == 0)
				roles = n->items[i + 1];
			else
				serr(c, n->items[i], "unknown key '%s' in a network entry (expected to, roles)", k);
		}
		if (!to) {
			serr(c, n, "a network entry written as a mapping needs 'to: DESTINATION'");
			return;
		}
	}
	if (!get_str(c, to, "a destination (host, address, CIDR, optional :port)", &s))
		return;
	pe = new_entry(c, to, EK_NET, act);
	if (!pe)
		return;
	r = net_parse(c->a, s, pe, why, sizeof(why));
	if (r == -ENOMEM) {
		snomem(c);
		return;
	}
	if (r < 0) {
		serr(c, to, "%s: '%s'", why, s);
		return;
	}
	pe->u.net.roles = roles ? net_roles(c, roles) : SP_PROLES_ALL;
	push_entry(c, pe);
}

/* A list section: each item through fn. */
static void each_item(struct sctx *c, const struct ynode *key, const struct ynode *val,
		      void (*fn)(struct sctx *, const struct ynode *, enum entry_kind, enum sp_action),
		      enum entry_kind kind, enum sp_action act)
{
	if (!want(c, val, Y_SEQ, key->str))
		return;
	for (size_t i = 0; i < val->n && c->r != -ENOMEM; i++)
		fn(c, val->items[i], kind, act);
}

static void pkg_item(struct sctx *c, const struct ynode *n, enum entry_kind k, enum sp_action a)
{
	package_entry(c, n, a);
}

static void net_item(struct sctx *c, const struct ynode *n, enum entry_kind k, enum sp_action a)
{
	net_entry(c, n, a);
}

/* ----------------------------------------------------------- sections */

#define LIST_KEY(fname, itemfn, kind, act)                                                     \
	static void fname(struct sctx *c, const struct ynode *k, const struct ynode *v, void *arg) \
	{                                                                                       \
		each_item(c, k, v, itemfn, kind, act);                                          \
	}

LIST_KEY(k_pkg_allow, pkg_item, EK_PACKAGE, SP_ACT_ALLOW)
LIST_KEY(k_pkg_deny, pkg_item, EK_PACKAGE, SP_ACT_DENY)
LIST_KEY(k_net_allow, net_item, EK_NET, SP_ACT_ALLOW)
LIST_KEY(k_net_deny, net_item, EK_NET, SP_ACT_DENY)
LIST_KEY(k_deny_read, path_entry, EK_READ, SP_ACT_DENY)
LIST_KEY(k_deny_write, path_entry, EK_WRITE, SP_ACT_DENY)
LIST_KEY(k_allow_write, path_entry, EK_WRITE, SP_ACT_ALLOW)
LIST_KEY(k_exec_allow, path_entry, EK_EXEC, SP_ACT_ALLOW)
LIST_KEY(k_exec_deny, path_entry, EK_EXEC, SP_ACT_DENY)

static const struct keydef packages_keys[] = { { "allow", k_pkg_allow }, { "deny", k_pkg_deny } };
static const struct keydef network_keys[] = { { "allow", k_net_allow }, { "deny", k_net_deny } };
/* files.confine_writes: true | false */
static void k_confine(struct sctx *c, const struct ynode *k, const struct ynode *v, void *arg)
{
	if (get_bool(c, v, &c->l->confine)) {
		c->l->has_confine = true;
		c->l->confine_loc = loc_of(c, v);
	}
}

static const struct keydef files_keys[] = {
	{ "deny_read", k_deny_read }, { "deny_write", k_deny_write }, { "allow_write", k_allow_write },
	{ "confine_writes", k_confine },
};
static const struct keydef exec_keys[] = { { "allow", k_exec_allow }, { "deny", k_exec_deny } };

#define SECTION_KEY(fname, defs)                                                                \
	static void fname(struct sctx *c, const struct ynode *k, const struct ynode *v, void *arg) \
	{                                                                                        \
		if (want(c, v, Y_MAP, k->str))                                                   \
			each_key(c, v, defs, ARRAY_SIZE(defs), k->str, arg);                     \
	}

SECTION_KEY(k_packages, packages_keys)
SECTION_KEY(k_network, network_keys)
SECTION_KEY(k_files, files_keys)
SECTION_KEY(k_exec, exec_keys)

static void k_version(struct sctx *c, const struct ynode *k, const struct ynode *v, void *arg)
{
	unsigned ver;

	if (!get_uint(c, v, 0, UINT_MAX / 2, &ver))
		return;
	if (ver != SP_POLICY_VERSION)
		serr(c, v, "unsupported policy version %u (this safe-pip reads version %d)", ver,
		     SP_POLICY_VERSION);
	c->l->has_version = true;
}

static void k_locked(struct sctx *c, const struct ynode *k, const struct ynode *v, void *arg)
{
	if (get_bool(c, v, &c->l->info.locked))
		c->l->info.lock_loc = loc_of(c, k);
}

static void k_mode(struct sctx *c, const struct ynode *k, const struct ynode *v, void *arg)
{
	static const char *const modes[] = { "enforce", "monitor" };
	int w = get_word(c, v, "mode", modes, 2);

	if (w < 0)
		return;
	c->l->has_mode = true;
	c->l->mode = w == 0 ? SP_MODE_ENFORCE : SP_MODE_MONITOR;
	c->l->mode_loc = loc_of(c, v);
}

static void k_threshold(struct sctx *c, const struct ynode *k, const struct ynode *v, void *arg)
{
	if (!get_uint(c, v, 1, SP_POLICY_THRESHOLD_MAX, &c->l->threshold))
		return;
	c->l->has_threshold = true;
	c->l->threshold_loc = loc_of(c, v);
}

static void k_require(struct sctx *c, const struct ynode *k, const struct ynode *v, void *arg)
{
	static const char *const sensors[SP_REQUIRE_N] = { "kernel", "shim", "enforcing" };

	if (!want(c, v, Y_SEQ, "require"))
		return;
	for (size_t i = 0; i < v->n; i++) {
		int w = get_word(c, v->items[i], "sensor", sensors, SP_REQUIRE_N);

		if (w < 0)
			continue;
		c->l->require |= 1u << w;
		c->l->require_loc[w] = loc_of(c, v->items[i]);
	}
}

/* rules: { RULE_ID: { weight: N, cap: N, enabled: bool } } */
static void k_rule_weight(struct sctx *c, const struct ynode *k, const struct ynode *v, void *arg)
{
	struct layer_rule *lr = arg;

	if (get_uint(c, v, 0, SP_POLICY_WEIGHT_MAX, &lr->weight)) {
		lr->has_weight = true;
		lr->weight_loc = loc_of(c, v);
	}
}

static void k_rule_cap(struct sctx *c, const struct ynode *k, const struct ynode *v, void *arg)
{
	struct layer_rule *lr = arg;

	if (get_uint(c, v, 0, SP_POLICY_WEIGHT_MAX, &lr->cap)) {
		lr->has_cap = true;
		lr->cap_loc = loc_of(c, v);
	}
}

static void k_rule_enabled(struct sctx *c, const struct ynode *k, const struct ynode *v, void *arg)
{
	struct layer_rule *lr = arg;

	if (get_bool(c, v, &lr->enabled)) {
		lr->has_enabled = true;
		lr->enabled_loc = loc_of(c, v);
	}
}

static const struct keydef rule_keys[] = {
	{ "weight", k_rule_weight }, { "cap", k_rule_cap }, { "enabled", k_rule_enabled },
};

#define RULE_IDS_MAX 128

static void unknown_rule(struct sctx *c, const struct ynode *k)
{
	const char *ids[RULE_IDS_MAX], *hint;
	size_t n = sp_nrules < RULE_IDS_MAX ? sp_nrules : RULE_IDS_MAX;

	for (size_t i = 0; i < n; i++)
		ids[i] = sp_rule_defs[i].id;
	hint = did_you_mean(k->str, ids, n);
	if (hint)
		serr(c, k, "unknown rule '%s' (did you mean '%s'?)", k->str, hint);
	else
		serr(c, k, "unknown rule '%s' (the rule ids are listed in safe-pip-policy(5))", k->str);
}

static void k_rules(struct sctx *c, const struct ynode *k, const struct ynode *v, void *arg)
{
	if (!want(c, v, Y_MAP, "rules"))
		return;
	for (size_t i = 0; i + 1 < v->n; i += 2) {
		const struct ynode *id = v->items[i], *conf = v->items[i + 1];
		int idx = rule_index(id->str);

		if (idx < 0)
			unknown_rule(c, id);
		else if (want(c, conf, Y_MAP, id->str))
			each_key(c, conf, rule_keys, ARRAY_SIZE(rule_keys), id->str, &c->l->rules[idx]);
	}
}

/* typosquat: { enabled, max_distance, popular_top_n } */
static void k_ts_enabled(struct sctx *c, const struct ynode *k, const struct ynode *v, void *arg)
{
	if (get_bool(c, v, &c->l->ts.enabled)) {
		c->l->has_ts_enabled = true;
		c->l->ts_enabled_loc = loc_of(c, v);
	}
}

static void k_ts_dist(struct sctx *c, const struct ynode *k, const struct ynode *v, void *arg)
{
	if (get_uint(c, v, 0, 3, &c->l->ts.max_distance)) {
		c->l->has_ts_dist = true;
		c->l->ts_dist_loc = loc_of(c, v);
	}
}

static void k_ts_topn(struct sctx *c, const struct ynode *k, const struct ynode *v, void *arg)
{
	if (get_uint(c, v, 1, 1000000, &c->l->ts.popular_top_n)) {
		c->l->has_ts_topn = true;
		c->l->ts_topn_loc = loc_of(c, v);
	}
}

static const struct keydef typosquat_keys[] = {
	{ "enabled", k_ts_enabled }, { "max_distance", k_ts_dist }, { "popular_top_n", k_ts_topn },
};

SECTION_KEY(k_typosquat, typosquat_keys)

static const struct keydef top_keys[] = {
	{ "version", k_version }, { "locked", k_locked }, { "mode", k_mode },
	{ "threshold", k_threshold }, { "require", k_require }, { "packages", k_packages },
	{ "network", k_network }, { "files", k_files }, { "exec", k_exec },
	{ "rules", k_rules }, { "typosquat", k_typosquat },
};

int schema_layer(struct arena *a, const struct sp_policy_env *env, const char *file,
		 const struct ynode *root, struct layer *out, struct sp_errors *err)
{
	struct sctx c = { .a = a, .env = env, .file = file, .err = err, .l = out };

	out->info.name = file;
	out->rules = ar_alloc(a, sp_nrules * sizeof(*out->rules));
	if (!out->rules)
		return -ENOMEM;
	if (root->kind != Y_MAP) {
		serr(&c, root, "expected a mapping at the top of the policy (version: 1, ...), found %s",
		     kind_name(root));
		return c.r;
	}
	each_key(&c, root, top_keys, ARRAY_SIZE(top_keys), "the policy", NULL);
	return c.r;
}
