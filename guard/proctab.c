// SPDX-License-Identifier: MIT
#include "guard/proctab.h"

#include "guard/util.h"

static size_t hash_pid(pid_t pid, size_t n)
{
	return ((uint32_t)pid * 2654435761u) & (n - 1);
}

int proctab_init(struct proctab *t)
{
	t->nbuckets = 1024;
	t->count = 0;
	t->buckets = calloc(t->nbuckets, sizeof(*t->buckets));
	return t->buckets ? 0 : -ENOMEM;
}

void proctab_free(struct proctab *t)
{
	for (size_t i = 0; i < t->nbuckets; i++) {
		struct proc *p = t->buckets[i], *n;

		for (; p; p = n) {
			n = p->next;
			free(p->exe);
			free(p);
		}
	}
	free(t->buckets);
	t->buckets = NULL;
	t->count = 0;
}

struct proc *proctab_get(struct proctab *t, pid_t pid)
{
	struct proc *p;

	for (p = t->buckets[hash_pid(pid, t->nbuckets)]; p; p = p->next)
		if (p->pid == pid)
			return p;
	return NULL;
}

static void grow(struct proctab *t)
{
	size_t n = t->nbuckets * 2;
	struct proc **b = calloc(n, sizeof(*b));

	if (!b)
		return;         /* longer chains, still correct */
	for (size_t i = 0; i < t->nbuckets; i++) {
		struct proc *p = t->buckets[i], *next;

		for (; p; p = next) {
			size_t h = hash_pid(p->pid, n);

			next = p->next;
			p->next = b[h];
			b[h] = p;
		}
	}
	free(t->buckets);
	t->buckets = b;
	t->nbuckets = n;
}

struct proc *proctab_add(struct proctab *t, pid_t pid)
{
	struct proc *p = proctab_get(t, pid);
	size_t h;

	if (p) {
		/* A reused pid: the old process is gone; start a fresh entry. */
		if (p->exited) {
			free(p->exe);
			memset((char *)p + offsetof(struct proc, ppid), 0,
			       offsetof(struct proc, next) - offsetof(struct proc, ppid));
			p->dist = -1;
		}
		return p;
	}
	if (t->count >= t->nbuckets * 2)
		grow(t);
	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->pid = pid;
	p->dist = -1;
	h = hash_pid(pid, t->nbuckets);
	p->next = t->buckets[h];
	t->buckets[h] = p;
	t->count++;
	return p;
}

void proctab_each(struct proctab *t, void (*fn)(struct proc *p, void *ctx), void *ctx)
{
	for (size_t i = 0; i < t->nbuckets; i++)
		for (struct proc *p = t->buckets[i]; p; p = p->next)
			fn(p, ctx);
}

void argv_render(const char *argv, size_t len, bool truncated, char *out, size_t outlen)
{
	size_t o = 0, i = 0;

	if (outlen == 0)
		return;
#define PUT(c) do { if (o + 1 < outlen) out[o++] = (c); } while (0)
	while (i < len) {
		size_t end = i;
		bool quote = false;

		while (end < len && argv[end])
			end++;
		for (size_t k = i; k < end; k++)
			if (argv[k] == ' ' || argv[k] == '\t')
				quote = true;
		if (o > 0)
			PUT(' ');
		if (quote)
			PUT('\'');
		for (; i < end; i++) {
			unsigned char c = (unsigned char)argv[i];

			if (c < 0x20 || c == 0x7f) {
				PUT('\\');
				PUT('x');
				PUT("0123456789abcdef"[c >> 4]);
				PUT("0123456789abcdef"[c & 15]);
			} else {
				PUT((char)c);
			}
		}
		if (quote)
			PUT('\'');
		i = end + 1;
	}
	if (truncated) {
		PUT('.');
		PUT('.');
		PUT('.');
	}
#undef PUT
	out[o] = '\0';
}
