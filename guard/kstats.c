// SPDX-License-Identifier: MIT
#include "guard/kstats.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/* A set of 64-bit keys (open addressing), counting at most KSTATS_SET_MAX. */
struct kset {
	uint64_t *slot;         /* 0 is empty; keys are stored + 1 */
	size_t cap, n;
};

struct kagg {
	struct ks_features f;
	struct kset lip, rip, lport, rport;
};

struct kstats {
	struct kagg session;
	struct kagg **dist;     /* allocated on first use */
	size_t ndist;
};

static uint64_t mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ull;
	return x ^ (x >> 33);
}

/* Add key; returns 0, -ENOMEM, or -E2BIG when the set is full (not counted). */
static int kset_add(struct kset *s, uint64_t key)
{
	uint64_t k = key + 1 ? key + 1 : 1;
	size_t i;

	if (s->n >= KSTATS_SET_MAX)
		return -E2BIG;
	if (s->n * 2 >= s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 16;
		uint64_t *v = calloc(cap, sizeof(*v));

		if (!v)
			return -ENOMEM;
		for (size_t j = 0; j < s->cap; j++) {
			if (!s->slot[j])
				continue;
			for (i = mix(s->slot[j]) & (cap - 1); v[i]; i = (i + 1) & (cap - 1))
				;
			v[i] = s->slot[j];
		}
		free(s->slot);
		s->slot = v;
		s->cap = cap;
	}
	for (i = mix(k) & (s->cap - 1); s->slot[i]; i = (i + 1) & (s->cap - 1))
		if (s->slot[i] == k)
			return 0;
	s->slot[i] = k;
	s->n++;
	return 0;
}

static void kagg_free(struct kagg *a)
{
	if (!a)
		return;
	free(a->lip.slot);
	free(a->rip.slot);
	free(a->lport.slot);
	free(a->rport.slot);
}

struct kstats *kstats_new(void)
{
	return calloc(1, sizeof(struct kstats));
}

void kstats_free(struct kstats *ks)
{
	if (!ks)
		return;
	kagg_free(&ks->session);
	for (size_t i = 0; i < ks->ndist; i++) {
		kagg_free(ks->dist[i]);
		free(ks->dist[i]);
	}
	free(ks->dist);
	free(ks);
}

/* The aggregate of dist, created when missing; NULL for none (or errors). */
static struct kagg *dist_agg(struct kstats *ks, int dist, int *err)
{
	*err = 0;
	if (dist < 0)
		return NULL;
	if (dist >= KSTATS_DISTS_MAX) {
		*err = -E2BIG;
		return NULL;
	}
	if ((size_t)dist >= ks->ndist) {
		size_t n = (size_t)dist + 1;
		struct kagg **v = realloc(ks->dist, n * sizeof(*v));

		if (!v) {
			*err = -ENOMEM;
			return NULL;
		}
		memset(v + ks->ndist, 0, (n - ks->ndist) * sizeof(*v));
		ks->dist = v;
		ks->ndist = n;
	}
	if (!ks->dist[dist]) {
		ks->dist[dist] = calloc(1, sizeof(struct kagg));
		if (!ks->dist[dist])
			*err = -ENOMEM;
	}
	return ks->dist[dist];
}

static void add_proc(struct ks_features *f, const struct sp_stats *st)
{
	f->procs++;
	f->procs_reading += st->opens_read > 0;
	f->procs_writing += st->opens_write > 0;
	f->procs_files += st->opens_read + st->opens_write > 0;
	f->bytes_read += st->rchar;
	f->bytes_written += st->wchar;
	for (unsigned i = 0; i < SP_BK_MAX; i++)
		f->opens[i] += st->opens[i];
	for (unsigned i = 0; i < SP_CAT_MAX; i++)
		f->sys[i] += st->sys[i];
	for (unsigned i = 0; i < SP_NG_MAX; i++)
		f->ngram[i] += st->ngram[i];
	f->forks += st->forks;
	f->threads += st->threads;
	f->cpu_ns += st->cpu_ns;
	f->bytes_sent += st->bytes_sent;
	f->bytes_recv += st->bytes_recv;
	f->storage_read += st->read_bytes;
	f->storage_written += st->write_bytes;
	f->compat_sys += st->compat_sys;
}

int kstats_proc_exit(struct kstats *ks, int dist, const struct sp_stats *st)
{
	int err;
	struct kagg *a = dist_agg(ks, dist, &err);

	add_proc(&ks->session.f, st);
	if (a)
		add_proc(&a->f, st);
	return err;
}

int kstats_exec(struct kstats *ks, int dist)
{
	int err;
	struct kagg *a = dist_agg(ks, dist, &err);

	ks->session.f.execs++;
	if (a)
		a->f.execs++;
	return err;
}

int kstats_dns(struct kstats *ks, int dist)
{
	int err;
	struct kagg *a = dist_agg(ks, dist, &err);

	ks->session.f.dns_queries++;
	if (a)
		a->f.dns_queries++;
	return err;
}

static uint64_t addr_key(unsigned family, const uint8_t *a)
{
	uint64_t hi = 0, lo = 0;

	memcpy(&hi, a, 8);
	memcpy(&lo, a + 8, 8);
	return mix(hi ^ mix(lo ^ family));
}

static void tcp_into(struct kagg *a, const struct sp_tcp *t)
{
	a->f.tcp_transitions++;
	/* A set that is full keeps its count: the feature saturates. */
	(void)kset_add(&a->lip, addr_key(t->family, t->saddr));
	(void)kset_add(&a->rip, addr_key(t->family, t->daddr));
	(void)kset_add(&a->lport, t->sport);
	(void)kset_add(&a->rport, t->dport);
	a->f.local_ips = a->lip.n;
	a->f.remote_ips = a->rip.n;
	a->f.local_ports = a->lport.n;
	a->f.remote_ports = a->rport.n;
}

int kstats_tcp(struct kstats *ks, int dist, const struct sp_tcp *t)
{
	int err;
	struct kagg *a = dist_agg(ks, dist, &err);

	tcp_into(&ks->session, t);
	if (a)
		tcp_into(a, t);
	return err;
}

int kstats_features(const struct kstats *ks, int dist, struct ks_features *out)
{
	memset(out, 0, sizeof(*out));
	if (dist < 0) {
		*out = ks->session.f;
		return 0;
	}
	if ((size_t)dist >= ks->ndist || !ks->dist[dist])
		return -ENOENT;
	*out = ks->dist[dist]->f;
	return 0;
}

size_t kstats_ndists(const struct kstats *ks)
{
	return ks->ndist;
}
