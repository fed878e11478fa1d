// SPDX-License-Identifier: MIT
/*
 * Lookups against the effective policy.  Every entry is indexed when its
 * layer is merged, so that a lookup looks at a handful of candidates
 * whatever the number of entries:
 *
 *   packages   by normalised name
 *   hosts      exact names by name; "*.suffix" globs by suffix (a lookup
 *              tries each suffix of the host); other globs in a short list
 *   addresses  by (family, prefix length, masked address): one probe per
 *              prefix length in use
 *   paths      by the literal directory before the first glob character:
 *              a lookup probes each ancestor directory of the path; bare
 *              file names by name, file-name globs in a short list
 *
 * Among the matching candidates the latest layer decides, and within a
 * layer a deny beats an allow (entry_beats()).
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "policy/internal.h"

#define ADDR_KEY_MAX 24

/* "family plen masked-address" as a binary key. */
static size_t addr_key(char *key, int family, const uint8_t *addr, unsigned plen)
{
	unsigned bytes = family == AF_INET ? 4 : 16;

	key[0] = (char)family;
	key[1] = (char)plen;
	for (unsigned i = 0; i < bytes; i++) {
		unsigned keep = plen >= 8 * (i + 1) ? 8 : plen > 8 * i ? plen - 8 * i : 0;

		key[2 + i] = (char)(addr[i] & (uint8_t)(0xff00u >> keep));
	}
	return 2 + bytes;
}

/* The directory part of a path glob before its first glob character. */
static size_t glob_dir_len(const char *g)
{
	size_t first = strcspn(g, "*?");
	size_t d = 0;

	for (size_t i = 0; i < first; i++)
		if (g[i] == '/')
			d = i;
	return d;
}

static bool has_glob(const char *s)
{
	return strpbrk(s, "*?") != NULL;
}

static int index_net(struct sp_policy *p, struct pentry *pe)
{
	const char *h = pe->u.net.host;
	char key[ADDR_KEY_MAX];

	switch (pe->u.net.nk) {
	case NK_ANY:
		return ptrvec_push(&p->net_any, pe);
	case NK_HOST:
		return hmap_add(p->host_exact, &p->ar, h, strlen(h), pe);
	case NK_HOST_GLOB:
		if (h[0] == '*' && h[1] == '.' && !has_glob(h + 1))
			return hmap_add(p->host_suffix, &p->ar, h + 1, strlen(h + 1), pe);
		return ptrvec_push(&p->host_globs, pe);
	case NK_INDEX:
		return ptrvec_push(&p->index_entries, pe);
	case NK_ADDR:
		if (pe->u.net.family == AF_INET)
			p->addr_plens4[pe->u.net.prefixlen] = 1;
		else
			p->addr_plens6[pe->u.net.prefixlen] = 1;
		return hmap_add(p->addr_by_prefix, &p->ar, key,
				addr_key(key, pe->u.net.family, pe->u.net.addr, pe->u.net.prefixlen), pe);
	}
	return -EINVAL;
}

int index_entry(struct sp_policy *p, struct pentry *pe)
{
	const char *g;

	switch (pe->kind) {
	case EK_PACKAGE:
		return hmap_add(p->pkg_by_name, &p->ar, pe->u.pkg.name, strlen(pe->u.pkg.name), pe);
	case EK_NET:
		return index_net(p, pe);
	default:
		g = pe->u.path.glob;
		if (pe->u.path.name_only && has_glob(g))
			return ptrvec_push(&p->name_globs[pe->kind], pe);
		if (pe->u.path.name_only)
			return hmap_add(p->name_exact[pe->kind], &p->ar, g, strlen(g), pe);
		return hmap_add(p->path_by_dir[pe->kind], &p->ar, g, glob_dir_len(g), pe);
	}
}

int index_layer(struct sp_policy *p, const struct layer *l)
{
	for (size_t i = 0; i < l->entries.n; i++) {
		int r = index_entry(p, l->entries.v[i]);

		if (r < 0)
			return r;
	}
	return 0;
}

void index_free(struct sp_policy *p)
{
	hmap_free(p->pkg_by_name);
	hmap_free(p->host_exact);
	hmap_free(p->host_suffix);
	hmap_free(p->addr_by_prefix);
	ptrvec_free(&p->host_globs);
	ptrvec_free(&p->net_any);
	ptrvec_free(&p->index_entries);
	for (int k = 0; k < EK_MAX; k++) {
		hmap_free(p->path_by_dir[k]);
		hmap_free(p->name_exact[k]);
		ptrvec_free(&p->name_globs[k]);
	}
}

/* ------------------------------------------------------------ packages */

const struct sp_entry *sp_policy_match_package(const struct sp_policy *p, const char *name,
					       const char *version)
{
	char norm[SP_PKGNAME_MAX];
	const struct ptrvec *c;
	const struct sp_entry *best = NULL;

	if (!sp_name_normalize(name, strlen(name), norm, sizeof(norm)))
		return NULL;
	c = hmap_get(p->pkg_by_name, norm, strlen(norm));
	for (size_t i = 0; c && i < c->n; i++) {
		const struct pentry *pe = c->v[i];

		if (pe->u.pkg.spec.n && (!version || !pep440_specset_match(&pe->u.pkg.spec, version)))
			continue;
		if (entry_beats(&pe->e, best))
			best = &pe->e;
	}
	return best;
}

/* --------------------------------------------------------------- paths */

static void best_of(const struct ptrvec *c, const char *path, bool flat, const struct sp_entry **best)
{
	for (size_t i = 0; c && i < c->n; i++) {
		const struct pentry *pe = c->v[i];

		if (!entry_beats(&pe->e, *best))
			continue;
		if (flat ? glob_flat_match(pe->u.path.glob, path) : glob_path_match(pe->u.path.glob, path))
			*best = &pe->e;
	}
}

static const struct sp_entry *match_path(const struct sp_policy *p, enum entry_kind k,
					 const char *path)
{
	char norm[PATH_MAX];
	const struct sp_entry *best = NULL;
	const char *base;

	if (path[0] != '/') {
		/* a bare or relative name: only the file-name entries apply */
		base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
		best_of(hmap_get(p->name_exact[k], base, strlen(base)), base, true, &best);
		best_of(&p->name_globs[k], base, true, &best);
		return best;
	}
	if (!sp_path_normalize(path, norm, sizeof(norm)))
		return NULL;
	/* each ancestor directory: "", "/a", "/a/b", ... */
	for (size_t i = 0; norm[i]; i++) {
		if (norm[i] == '/')
			best_of(hmap_get(p->path_by_dir[k], norm, i), norm, false, &best);
	}
	base = strrchr(norm, '/') + 1;
	if (*base) {
		best_of(hmap_get(p->name_exact[k], base, strlen(base)), base, true, &best);
		best_of(&p->name_globs[k], base, true, &best);
	}
	return best;
}

const struct sp_entry *sp_policy_match_read(const struct sp_policy *p, const char *path)
{
	return path[0] == '/' ? match_path(p, EK_READ, path) : NULL;
}

const struct sp_entry *sp_policy_match_write(const struct sp_policy *p, const char *path)
{
	return path[0] == '/' ? match_path(p, EK_WRITE, path) : NULL;
}

const struct sp_entry *sp_policy_match_exec(const struct sp_policy *p, const char *path)
{
	return match_path(p, EK_EXEC, path);
}

/* ------------------------------------------------------------- network */

static bool net_applies(const struct pentry *pe, const struct sp_net_query *q)
{
	if (!(pe->u.net.roles & (1u << q->role)))
		return false;
	if (pe->u.net.port_lo == 0 && pe->u.net.port_hi == 65535)
		return true;
	return q->port != 0 && q->port >= pe->u.net.port_lo && q->port <= pe->u.net.port_hi;
}

static void net_best(const struct ptrvec *c, const struct sp_net_query *q, const char *host,
		     const struct sp_entry **best)
{
	for (size_t i = 0; c && i < c->n; i++) {
		const struct pentry *pe = c->v[i];

		if (!entry_beats(&pe->e, *best) || !net_applies(pe, q))
			continue;
		if (pe->u.net.nk == NK_HOST_GLOB && !glob_flat_match(pe->u.net.host, host))
			continue;
		*best = &pe->e;
	}
}

static bool is_index_host(const struct sp_policy *p, const char *host)
{
	for (size_t i = 0; i < p->nindex_hosts; i++)
		if (strcmp(p->index_hosts[i], host) == 0)
			return true;
	return false;
}

/* An index configured by address ("http://10.0.0.5:3141/simple"). */
static void match_index_addr(const struct sp_policy *p, const struct sp_net_query *q, int family,
			     const uint8_t *addr, const struct sp_entry **best)
{
	char text[INET6_ADDRSTRLEN];

	if (p->nindex_hosts && inet_ntop(family, addr, text, sizeof(text)) && is_index_host(p, text))
		net_best(&p->index_entries, q, text, best);
}

static void match_host(const struct sp_policy *p, const struct sp_net_query *q, const char *host,
		       const struct sp_entry **best)
{
	size_t n = strlen(host);

	net_best(hmap_get(p->host_exact, host, n), q, host, best);
	for (size_t i = 1; i < n; i++)
		if (host[i] == '.')
			net_best(hmap_get(p->host_suffix, host + i, n - i), q, host, best);
	net_best(&p->host_globs, q, host, best);
	if (is_index_host(p, host))
		net_best(&p->index_entries, q, host, best);
}

static void match_addr(const struct sp_policy *p, const struct sp_net_query *q, int family,
		       const uint8_t *addr, const struct sp_entry **best)
{
	static const uint8_t v4mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	const uint8_t *plens = family == AF_INET ? p->addr_plens4 : p->addr_plens6;
	unsigned max = family == AF_INET ? 32 : 128;
	char key[ADDR_KEY_MAX];

	/* an IPv4 peer of an IPv6 socket is judged as the IPv4 address it is */
	if (family == AF_INET6 && memcmp(addr, v4mapped, 12) == 0) {
		match_addr(p, q, AF_INET, addr + 12, best);
		return;
	}
	match_index_addr(p, q, family, addr, best);
	for (unsigned pl = 0; pl <= max; pl++)
		if (plens[pl])
			net_best(hmap_get(p->addr_by_prefix, key, addr_key(key, family, addr, pl)), q, NULL,
				 best);
}

const struct sp_entry *sp_policy_match_net(const struct sp_policy *p, const struct sp_net_query *q)
{
	const struct sp_entry *best = NULL;
	uint8_t lit[16];
	char host[256];
	size_t n;

	if (q->role != SP_PROLE_PIP && q->role != SP_PROLE_BUILD)
		return NULL;
	net_best(&p->net_any, q, NULL, &best);
	if (q->addr && (q->family == AF_INET || q->family == AF_INET6))
		match_addr(p, q, q->family, q->addr, &best);
	if (!q->host)
		return best;
	n = strlen(q->host);
	if (n > 0 && q->host[n - 1] == '.')
		n--;
	if (n == 0 || n >= sizeof(host))
		return best;
	for (size_t i = 0; i < n; i++)
		host[i] = (char)tolower((unsigned char)q->host[i]);
	host[n] = '\0';
	/* a literal address given as a host name is judged as the address */
	if (inet_pton(AF_INET, host, lit) == 1)
		match_addr(p, q, AF_INET, lit, &best);
	else if (inet_pton(AF_INET6, host, lit) == 1)
		match_addr(p, q, AF_INET6, lit, &best);
	else
		match_host(p, q, host, &best);
	return best;
}

int sp_policy_net_rules(const struct sp_policy *p,
			int (*fn)(void *ctx, const struct sp_net_rule *r), void *ctx)
{
	for (unsigned li = 0; li < p->nlayers; li++) {
		const struct layer *l = p->layers[li];

		for (size_t i = 0; i < l->entries.n; i++) {
			const struct pentry *pe = l->entries.v[i];
			struct sp_net_rule r = { 0 };
			int ret;

			if (pe->kind != EK_NET || (pe->u.net.nk != NK_ADDR && pe->u.net.nk != NK_ANY))
				continue;
			r.family = pe->u.net.nk == NK_ANY ? 0 : pe->u.net.family;
			memcpy(r.addr, pe->u.net.addr, sizeof(r.addr));
			r.prefixlen = pe->u.net.nk == NK_ANY ? 0 : pe->u.net.prefixlen;
			r.port_lo = pe->u.net.port_lo;
			r.port_hi = pe->u.net.port_hi;
			r.roles = pe->u.net.roles;
			r.action = pe->e.action;
			r.entry = &pe->e;
			ret = fn(ctx, &r);
			if (ret)
				return ret;
		}
	}
	return 0;
}

int sp_policy_write_allows(const struct sp_policy *p,
			   int (*fn)(void *ctx, const char *pattern, const struct sp_entry *e),
			   void *ctx)
{
	for (unsigned li = 0; li < p->nlayers; li++) {
		const struct layer *l = p->layers[li];

		for (size_t i = 0; i < l->entries.n; i++) {
			const struct pentry *pe = l->entries.v[i];
			int ret;

			if (pe->kind != EK_WRITE || pe->e.action != SP_ACT_ALLOW)
				continue;
			ret = fn(ctx, pe->u.path.glob, &pe->e);
			if (ret)
				return ret;
		}
	}
	return 0;
}

bool sp_policy_net_allows_role(const struct sp_policy *p, unsigned role)
{
	for (unsigned li = 0; li < p->nlayers; li++) {
		const struct layer *l = p->layers[li];

		for (size_t i = 0; i < l->entries.n; i++) {
			const struct pentry *pe = l->entries.v[i];

			if (pe->kind == EK_NET && pe->e.action == SP_ACT_ALLOW &&
			    (pe->u.net.roles & (1u << role)))
				return true;
		}
	}
	return false;
}

/* The pattern of a deny entry for sp_policy_deny_patterns(), or NULL. */
static const char *deny_pattern(const struct pentry *pe, enum sp_list list, unsigned role,
				char *buf, size_t len)
{
	switch (list) {
	case SP_LIST_READ:
	case SP_LIST_WRITE:
		if (pe->kind != (list == SP_LIST_READ ? EK_READ : EK_WRITE))
			return NULL;
		if (pe->u.path.name_only) {
			snprintf(buf, len, "*/%s", pe->u.path.glob);
			return buf;
		}
		if (strncmp(pe->u.path.glob, "**/", 3) == 0)
			return pe->u.path.glob + 1;
		return pe->u.path.glob;
	case SP_LIST_EXEC:
		return pe->kind == EK_EXEC ? pe->e.text : NULL;
	case SP_LIST_HOST:
		if (pe->kind != EK_NET || !(pe->u.net.roles & (1u << role)))
			return NULL;
		if (pe->u.net.nk == NK_ANY)
			return "*";
		if (pe->u.net.nk == NK_HOST || pe->u.net.nk == NK_HOST_GLOB)
			return pe->u.net.host;
		return NULL;
	}
	return NULL;
}

int sp_policy_deny_patterns(const struct sp_policy *p, enum sp_list list, unsigned role,
			    int (*fn)(void *ctx, const char *pattern, const struct sp_entry *e),
			    void *ctx)
{
	char buf[PATH_MAX];

	for (unsigned i = 0; i < p->nlayers; i++) {
		const struct ptrvec *v = &p->layers[i]->entries;

		for (size_t k = 0; k < v->n; k++) {
			const struct pentry *pe = v->v[k];
			const char *pat;
			int r;

			if (pe->e.action != SP_ACT_DENY)
				continue;
			pat = deny_pattern(pe, list, role, buf, sizeof(buf));
			if (pat && (r = fn(ctx, pat, &pe->e)) != 0)
				return r;
		}
	}
	return 0;
}
