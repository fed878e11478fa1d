// SPDX-License-Identifier: MIT
/*
 * Plumbing of the policy library: the arena, pointer vectors, a string
 * hash map, error lists and edit distances.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/internal.h"

/* -------------------------------------------------------------- arena */

#define ARENA_BLOCK (64u * 1024)

struct arena_blk {
	struct arena_blk *next;
	size_t size, used;
	_Alignas(16) unsigned char data[];
};

void *ar_alloc(struct arena *a, size_t size)
{
	struct arena_blk *b = a->head;
	size_t need = (size + 15) & ~(size_t)15;

	if (size == 0)
		need = 16;
	if (need < size) {
		errno = ENOMEM;
		return NULL;
	}
	if (!b || b->size - b->used < need) {
		size_t bs = need > ARENA_BLOCK / 4 ? need : ARENA_BLOCK;

		b = malloc(sizeof(*b) + bs);
		if (!b) {
			errno = ENOMEM;
			return NULL;
		}
		b->size = bs;
		b->used = 0;
		/* A large request gets a block of its own behind the current one. */
		if (a->head && bs != ARENA_BLOCK) {
			b->next = a->head->next;
			a->head->next = b;
		} else {
			b->next = a->head;
			a->head = b;
		}
	}
	b->used += need;
	return memset(b->data + b->used - need, 0, need);
}

char *ar_strndup(struct arena *a, const char *s, size_t n)
{
	char *d = ar_alloc(a, n + 1);

	if (d)
		memcpy(d, s, n);
	return d;
}

char *ar_strdup(struct arena *a, const char *s)
{
	return ar_strndup(a, s, strlen(s));
}

char *ar_printf(struct arena *a, const char *fmt, ...)
{
	va_list ap;
	char *d;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return NULL;
	d = ar_alloc(a, (size_t)n + 1);
	if (!d)
		return NULL;
	va_start(ap, fmt);
	vsnprintf(d, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return d;
}

void ar_free(struct arena *a)
{
	struct arena_blk *b = a->head;

	while (b) {
		struct arena_blk *next = b->next;

		free(b);
		b = next;
	}
	a->head = NULL;
}

/* ------------------------------------------------------------ ptrvec */

int ptrvec_push(struct ptrvec *pv, void *x)
{
	if (pv->n == pv->cap) {
		size_t cap = pv->cap ? pv->cap * 2 : 8;
		void **v = realloc(pv->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		pv->v = v;
		pv->cap = cap;
	}
	pv->v[pv->n++] = x;
	return 0;
}

void ptrvec_free(struct ptrvec *pv)
{
	free(pv->v);
	memset(pv, 0, sizeof(*pv));
}

/* -------------------------------------------------------------- hmap */

struct hslot {
	const char *key;                /* arena copy, NUL-terminated */
	size_t klen;
	uint64_t hash;
	struct ptrvec vals;
};

struct hmap {
	struct hslot *slots;
	size_t cap, n;                  /* cap is a power of two */
};

static uint64_t fnv1a(const char *s, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

struct hmap *hmap_new(void)
{
	struct hmap *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->cap = 16;
	m->slots = calloc(m->cap, sizeof(*m->slots));
	if (!m->slots) {
		free(m);
		errno = ENOMEM;
		return NULL;
	}
	return m;
}

void hmap_free(struct hmap *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->cap; i++)
		ptrvec_free(&m->slots[i].vals);
	free(m->slots);
	free(m);
}

static struct hslot *hmap_find(const struct hmap *m, const char *key, size_t klen, uint64_t h)
{
	size_t mask = m->cap - 1;

	for (size_t i = h & mask;; i = (i + 1) & mask) {
		struct hslot *s = &m->slots[i];

		if (!s->key)
			return s;
		if (s->hash == h && s->klen == klen && memcmp(s->key, key, klen) == 0)
			return s;
	}
}

static int hmap_grow(struct hmap *m)
{
	struct hslot *old = m->slots;
	size_t oldcap = m->cap;

	m->slots = calloc(oldcap * 2, sizeof(*m->slots));
	if (!m->slots) {
		m->slots = old;
		return -ENOMEM;
	}
	m->cap = oldcap * 2;
	for (size_t i = 0; i < oldcap; i++)
		if (old[i].key)
			*hmap_find(m, old[i].key, old[i].klen, old[i].hash) = old[i];
	free(old);
	return 0;
}

int hmap_add(struct hmap *m, struct arena *a, const char *key, size_t klen, void *val)
{
	uint64_t h = fnv1a(key, klen);
	struct hslot *s;

	if ((m->n + 1) * 4 > m->cap * 3 && hmap_grow(m) < 0)
		return -ENOMEM;
	s = hmap_find(m, key, klen, h);
	if (!s->key) {
		char *k = ar_strndup(a, key, klen);

		if (!k)
			return -ENOMEM;
		s->key = k;
		s->klen = klen;
		s->hash = h;
		m->n++;
	}
	return ptrvec_push(&s->vals, val);
}

const struct ptrvec *hmap_get(const struct hmap *m, const char *key, size_t klen)
{
	struct hslot *s;

	if (!m)
		return NULL;
	s = hmap_find(m, key, klen, fnv1a(key, klen));
	return s->key ? &s->vals : NULL;
}

/* ------------------------------------------------------------ errors */

int vperr(struct sp_errors *e, const char *file, unsigned line, unsigned col, const char *fmt,
	  va_list ap)
{
	struct sp_error *x;

	if (!e)
		return -EINVAL;
	if (e->n >= SP_ERRORS_MAX) {
		e->dropped++;
		return -EINVAL;
	}
	x = &e->v[e->n++];
	snprintf(x->file, sizeof(x->file), "%s", file ? file : "");
	x->line = line;
	x->col = col;
	vsnprintf(x->msg, sizeof(x->msg), fmt, ap);
	return -EINVAL;
}

int perr(struct sp_errors *e, const char *file, unsigned line, unsigned col, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vperr(e, file, line, col, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

void sp_error_format(const struct sp_error *e, char *buf, size_t len)
{
	if (e->file[0] && e->line)
		snprintf(buf, len, "%s:%u:%u: %s", e->file, e->line, e->col ? e->col : 1, e->msg);
	else if (e->file[0])
		snprintf(buf, len, "%s: %s", e->file, e->msg);
	else
		snprintf(buf, len, "%s", e->msg);
}

/* ---------------------------------------------------------- distance */

#define OSA_MAXLEN 255

unsigned osa_distance(const char *a, size_t al, const char *b, size_t bl, unsigned max)
{
	/* three rows of the dynamic programme: i-2, i-1, i */
	unsigned r0[OSA_MAXLEN + 1], r1[OSA_MAXLEN + 1], r2[OSA_MAXLEN + 1];
	unsigned *pp = r0, *p = r1, *c = r2;

	if (al > OSA_MAXLEN || bl > OSA_MAXLEN)
		return max + 1;
	if ((al > bl ? al - bl : bl - al) > max)
		return max + 1;
	for (size_t j = 0; j <= bl; j++)
		p[j] = (unsigned)j;
	for (size_t i = 1; i <= al; i++) {
		unsigned best;
		unsigned *t;

		c[0] = (unsigned)i;
		best = c[0];
		for (size_t j = 1; j <= bl; j++) {
			unsigned cost = a[i - 1] != b[j - 1];
			unsigned v = p[j] + 1;

			if (c[j - 1] + 1 < v)
				v = c[j - 1] + 1;
			if (p[j - 1] + cost < v)
				v = p[j - 1] + cost;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    pp[j - 2] + 1 < v)
				v = pp[j - 2] + 1;
			c[j] = v;
			if (v < best)
				best = v;
		}
		/* every later row is at least this row's minimum */
		if (best > max)
			return max + 1;
		t = pp;
		pp = p;
		p = c;
		c = t;
	}
	return p[bl] > max ? max + 1 : p[bl];
}

const char *did_you_mean(const char *s, const char *const *names, size_t n)
{
	size_t sl = strlen(s);
	unsigned max = sl < 4 ? 1 : sl < 9 ? 2 : 3;
	const char *best = NULL;
	unsigned bestd = max + 1;

	for (size_t i = 0; i < n; i++) {
		unsigned d = osa_distance(s, sl, names[i], strlen(names[i]), max);

		if (d < bestd) {
			bestd = d;
			best = names[i];
		}
	}
	return best;
}
