// SPDX-License-Identifier: MIT
/*
 * The policy's network section in the kernel.
 *
 * The policy decides a destination by its entries: among the address
 * entries that match (address or CIDR, port, role), the one of the latest
 * layer decides, and within one layer a deny beats an allow; with none, a
 * build may not reach the network and pip may (its index hosts are names,
 * which the kernel never sees).  The kernel decides by longest prefix.
 * Both agree when every prefix the policy names carries, for every port
 * and role, the decision the policy takes for the addresses whose longest
 * named prefix it is: that is what is loaded here, computed from all the
 * entries containing the prefix.  Prefixes nest or are disjoint, so those
 * addresses see exactly the entries containing their longest prefix.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <sys/socket.h>

#include "guard/gpolicy.h"
#include "guard/ksensor.h"
#include "guard/session.h"
#include "guard/util.h"
#include "policy/policy.h"

#define KROLES_MAX 3    /* SP_ROLE_NONE, SP_ROLE_PIP, SP_ROLE_BUILD */

struct gnet {
	const struct sp_entry **by_id;  /* kernel rule id -> deciding entry (NULL: default) */
	size_t nids;
};

struct arule {
	int family;
	uint8_t addr[16];
	unsigned plen, lo, hi, roles, layer;
	enum sp_action action;
	const struct sp_entry *entry;
};

struct rules {
	struct arule *v;
	size_t n, cap;
};

static int push(struct rules *rs, const struct arule *r)
{
	if (rs->n == rs->cap) {
		size_t cap = rs->cap ? rs->cap * 2 : 32;
		struct arule *v = realloc(rs->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		rs->v = v;
		rs->cap = cap;
	}
	rs->v[rs->n++] = *r;
	return 0;
}

static int collect(void *ctx, const struct sp_net_rule *nr)
{
	struct rules *rs = ctx;
	struct arule r = { .family = nr->family, .plen = nr->prefixlen, .lo = nr->port_lo,
			   .hi = nr->port_hi, .roles = nr->roles, .action = nr->action,
			   .entry = nr->entry, .layer = nr->entry ? nr->entry->layer : 0 };
	int e;

	memcpy(r.addr, nr->addr, sizeof(r.addr));
	if (nr->family != 0)
		return push(rs, &r);
	/* "*": any address of either family */
	r.family = AF_INET;
	r.plen = 0;
	memset(r.addr, 0, sizeof(r.addr));
	e = push(rs, &r);
	r.family = AF_INET6;
	return e ? e : push(rs, &r);
}

/* Does rule r's prefix contain prefix (family, addr, plen)? */
static bool contains(const struct arule *r, int family, const uint8_t *addr, unsigned plen)
{
	unsigned full = r->plen / 8, rest = r->plen % 8;

	if (r->family != family || r->plen > plen)
		return false;
	if (memcmp(r->addr, addr, full) != 0)
		return false;
	return rest == 0 || ((r->addr[full] ^ addr[full]) & (0xff00 >> rest) & 0xff) == 0;
}

static int default_action(unsigned role)
{
	return role == SP_ROLE_PIP ? SP_NET_ALLOW : SP_NET_DENY;
}

/*
 * The policy's decision for role, ports [lo, hi] (a range no entry
 * boundary cuts) of the addresses whose longest named prefix is p.
 */
static int decide(const struct rules *rs, const struct arule *p, unsigned role, unsigned lo,
		  const struct sp_entry **by)
{
	const struct arule *best = NULL;

	for (size_t i = 0; i < rs->n; i++) {
		const struct arule *r = &rs->v[i];

		if (!(r->roles & (1u << role)) || lo < r->lo || lo > r->hi ||
		    !contains(r, p->family, p->addr, p->plen))
			continue;
		if (!best || r->layer > best->layer ||
		    (r->layer == best->layer && r->action == SP_ACT_DENY && best->action != SP_ACT_DENY))
			best = r;
	}
	*by = best ? best->entry : NULL;
	if (!best)
		return default_action(role);
	return best->action == SP_ACT_DENY ? SP_NET_DENY : SP_NET_ALLOW;
}

static int cmp_uint(const void *a, const void *b)
{
	unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;

	return x < y ? -1 : x > y;
}

static int remember(struct gnet *g, int id, const struct sp_entry *e)
{
	const struct sp_entry **v;

	if (id < 0)
		return id;
	if ((size_t)id >= g->nids) {
		v = realloc(g->by_id, ((size_t)id + 1) * sizeof(*v));
		if (!v)
			return -ENOMEM;
		memset(v + g->nids, 0, ((size_t)id + 1 - g->nids) * sizeof(*v));
		g->by_id = v;
		g->nids = (size_t)id + 1;
	}
	g->by_id[id] = e;
	return 0;
}

/* Load the decisions of prefix p: every port, every role. */
static int load_prefix(struct ksensor *ks, struct gnet *g, const struct rules *rs,
		       const struct arule *p)
{
	unsigned bounds[2 * 256 + 2], nb = 0, nrules = 0;

	bounds[nb++] = 0;
	bounds[nb++] = 65536;
	for (size_t i = 0; i < rs->n && nb + 2 <= ARRAY_SIZE(bounds); i++) {
		const struct arule *r = &rs->v[i];

		if (!contains(r, p->family, p->addr, p->plen))
			continue;
		bounds[nb++] = r->lo;
		bounds[nb++] = r->hi + 1;
	}
	if (nb + 2 > ARRAY_SIZE(bounds))
		return -E2BIG;
	qsort(bounds, nb, sizeof(bounds[0]), cmp_uint);
	for (unsigned role = 0; role < KROLES_MAX; role++) {
		unsigned start = 0;
		int cur = -1;
		const struct sp_entry *cur_by = NULL;

		/* runs of equal decisions over the port boundaries, one rule per run */
		for (unsigned i = 0; i < nb; i++) {
			const struct sp_entry *by = NULL;
			int a = -1, r;

			if (i + 1 < nb && bounds[i] == bounds[i + 1])
				continue;
			if (bounds[i] < 65536)
				a = decide(rs, p, role, bounds[i], &by);
			if (a == cur && by == cur_by)
				continue;
			if (cur >= 0) {
				if (++nrules > SP_NET_PORTS)
					return -E2BIG;
				r = ks_net_rule_add(ks, p->family, p->addr, p->plen, (uint16_t)start,
						    (uint16_t)(bounds[i] - 1), 1u << role, cur);
				r = remember(g, r, cur_by);
				if (r < 0)
					return r;
			}
			start = bounds[i];
			cur = a;
			cur_by = by;
		}
	}
	return 0;
}

int gpolicy_kernel_apply(struct session *s)
{
	struct rules rs = { 0 };
	struct gnet *g;
	int r;

	ks_set_enforce(s->ks, sp_policy_mode(s->policy) == SP_MODE_ENFORCE);
	for (unsigned role = 0; role < KROLES_MAX; role++) {
		r = ks_net_default(s->ks, role, default_action(role));
		if (r < 0)
			return r;
	}
	g = calloc(1, sizeof(*g));
	if (!g)
		return -ENOMEM;
	s->gnet = g;
	r = sp_policy_net_rules(s->policy, collect, &rs);
	for (size_t i = 0; r == 0 && i < rs.n; i++) {
		bool seen = false;

		/* each named prefix once */
		for (size_t k = 0; k < i && !seen; k++)
			seen = rs.v[k].family == rs.v[i].family && rs.v[k].plen == rs.v[i].plen &&
			       memcmp(rs.v[k].addr, rs.v[i].addr, sizeof(rs.v[i].addr)) == 0;
		if (!seen)
			r = load_prefix(s->ks, g, &rs, &rs.v[i]);
	}
	free(rs.v);
	return r;
}

const struct sp_entry *gpolicy_net_entry(const struct session *s, uint32_t rule)
{
	if (!s->gnet || rule >= s->gnet->nids)
		return NULL;
	return s->gnet->by_id[rule];
}

uint32_t gpolicy_net_id(struct session *s, const struct sp_entry *e)
{
	struct gnet *g = s->gnet;

	if (!e)
		return ~0u;
	if (!g && !(g = s->gnet = calloc(1, sizeof(*g))))
		return ~0u;
	for (size_t i = 0; i < g->nids; i++)
		if (g->by_id[i] == e)
			return (uint32_t)i;
	return remember(g, (int)g->nids, e) < 0 ? ~0u : (uint32_t)(g->nids - 1);
}

void gpolicy_net_free(struct session *s)
{
	if (!s->gnet)
		return;
	free(s->gnet->by_id);
	free(s->gnet);
	s->gnet = NULL;
}
