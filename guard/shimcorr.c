// SPDX-License-Identifier: MIT
#include "guard/shimcorr.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "preload/shim_enc.h"

static size_t hash_pid(pid_t pid, size_t n)
{
	return ((uint32_t)pid * 2654435761u) & (n - 1);
}

int corr_init(struct corr *c)
{
	memset(c, 0, sizeof(*c));
	c->nbuckets = 1024;
	c->buckets = calloc(c->nbuckets, sizeof(*c->buckets));
	return c->buckets ? 0 : -ENOMEM;
}

static void thread_free(struct corr *c, struct corr_thread *t)
{
	c->nslots -= t->cap;
	c->nthreads--;
	free(t->ring);
	free(t);
}

static void free_threads(struct corr *c, struct corr_proc *p)
{
	struct corr_thread *t, *n;

	for (t = p->threads; t; t = n) {
		n = t->next;
		thread_free(c, t);
	}
	p->threads = NULL;
}

void corr_free(struct corr *c)
{
	for (size_t i = 0; c->buckets && i < c->nbuckets; i++) {
		struct corr_proc *p = c->buckets[i], *n;

		for (; p; p = n) {
			n = p->next;
			free_threads(c, p);
			free(p);
		}
	}
	free(c->buckets);
	memset(c, 0, sizeof(*c));
}

static struct corr_proc *proc_get(struct corr *c, pid_t pid, bool create)
{
	size_t h = hash_pid(pid, c->nbuckets);
	struct corr_proc *p;

	for (p = c->buckets[h]; p; p = p->next)
		if (p->pid == pid)
			return p;
	if (!create)
		return NULL;
	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->pid = pid;
	p->next = c->buckets[h];
	c->buckets[h] = p;
	c->nprocs++;
	return p;
}

static void proc_unlink(struct corr *c, struct corr_proc *p)
{
	struct corr_proc **pp = &c->buckets[hash_pid(p->pid, c->nbuckets)];

	for (; *pp; pp = &(*pp)->next)
		if (*pp == p) {
			*pp = p->next;
			c->nprocs--;
			return;
		}
}

static struct corr_thread *thread_get(struct corr *c, struct corr_proc *p, pid_t tid, bool create)
{
	struct corr_thread *t;

	for (t = p->threads; t; t = t->next)
		if (t->tid == tid)
			return t;
	if (!create)
		return NULL;
	if (c->nthreads >= CORR_THREADS_MAX || c->nslots + CORR_RING_MIN > CORR_NOTES_MAX)
		return NULL;
	t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->ring = calloc(CORR_RING_MIN, sizeof(*t->ring));
	if (!t->ring) {
		free(t);
		return NULL;
	}
	t->cap = CORR_RING_MIN;
	c->nslots += t->cap;
	t->tid = tid;
	t->next = p->threads;
	p->threads = t;
	c->nthreads++;
	return t;
}

static const struct corr_note *ring_at(const struct corr_thread *t, unsigned i)
{
	return &t->ring[(t->head + i) % t->cap];
}

/* Twice the room, within the limits; false when there is none. */
static bool ring_grow(struct corr *c, struct corr_thread *t)
{
	unsigned cap = t->cap * 2;
	struct corr_note *r;

	if (cap > CORR_RING_MAX || c->nslots + (cap - t->cap) > CORR_NOTES_MAX)
		return false;
	r = malloc(cap * sizeof(*r));
	if (!r)
		return false;
	for (unsigned i = 0; i < t->count; i++)
		r[i] = *ring_at(t, i);
	free(t->ring);
	c->nslots += cap - t->cap;
	t->ring = r;
	t->cap = cap;
	t->head = 0;
	return true;
}

static void ring_push(struct corr *c, struct corr_thread *t, const struct corr_note *n)
{
	if (t->count == t->cap && !ring_grow(c, t)) {
		/* no room: the oldest goes, and is remembered as lost */
		t->lost_ts = ring_at(t, 0)->ts;
		t->head = (t->head + 1) % t->cap;
		t->count--;
	}
	t->ring[(t->head + t->count) % t->cap] = *n;
	t->count++;
}

/* Keep only the notes with ts > after. */
static void ring_drop_until(struct corr_thread *t, uint64_t after)
{
	while (t->count > 0 && ring_at(t, 0)->ts <= after) {
		t->head = (t->head + 1) % t->cap;
		t->count--;
	}
}

/*
 * The latest note before ts.  *lost when none is kept from before ts but
 * some were dropped for room: the one that mattered may be among them.
 * Scans from the oldest: the thread's earlier actions trimmed the notes
 * before the one that explained them, so this is short.
 */
static const struct corr_note *latest_before(const struct corr_thread *t, uint64_t ts, bool *lost)
{
	const struct corr_note *best = NULL;

	for (unsigned i = 0; i < t->count; i++) {
		const struct corr_note *n = ring_at(t, i);

		if (n->ts >= ts)
			break;
		best = n;
	}
	if (!best && t->lost_ts)
		*lost = true;
	return best;
}

/*
 * The kernel's records of a thread come in order: notes before the one
 * that answered an action are done with.
 */
static void trim_before(struct corr_thread *t, const struct corr_note *keep)
{
	ring_drop_until(t, keep->ts - 1);
	if (t->lost_ts && t->lost_ts < keep->ts)
		t->lost_ts = 0;         /* what was dropped is older than what is kept */
}

uint64_t corr_hash(const char *key, size_t *len)
{
	uint64_t h = 1469598103934665603ull;    /* FNV-1a */
	size_t n = 0;

	for (; key[n] && n < SHIM_PATH_MAX - 1; n++) {
		h ^= (unsigned char)key[n];
		h *= 1099511628211ull;
	}
	*len = n;
	return h;
}

/* The key's last bytes (the base name of a path, the X's of a template). */
static void set_key(struct corr_note *n, const char *key)
{
	size_t len;

	n->key_hash = corr_hash(key, &len);
	n->key_len = (uint32_t)len;
	if (len >= CORR_KEY_MAX)
		key += len - (CORR_KEY_MAX - 1);
	shim_copy(n->key, sizeof(n->key), key);
}

void corr_note_from(struct corr_note *n, const struct shim_rec *r)
{
	memset(n, 0, sizeof(*n));
	n->ts = r->h.ts_ns;
	n->kind = r->h.kind;
	n->call = (uint16_t)r->h.call;
	n->flags = r->h.flags;
	switch (r->h.kind) {
	case SHIM_EV_EXEC:
		set_key(n, r->exec.path);
		break;
	case SHIM_EV_CONNECT:
		n->family = r->connect.family;
		n->port = r->connect.port;
		memcpy(n->addr, r->connect.addr, sizeof(n->addr));
		break;
	case SHIM_EV_FILE:
		set_key(n, r->file.path);
		break;
	case SHIM_EV_DNS:
		set_key(n, r->dns.host);
		break;
	default:
		break;
	}
}

uint32_t corr_add(struct corr *c, pid_t pid, pid_t tid, const struct corr_note *n,
		  const char *via, uint32_t dropped)
{
	struct corr_proc *p = proc_get(c, pid, true);
	struct corr_thread *t;
	uint32_t grew = 0;

	if (!p)
		return 0;
	if (dropped > p->dropped) {
		grew = dropped - p->dropped;
		p->dropped = dropped;
	}
	if (n->kind == SHIM_EV_HELLO && n->ts > p->hello_ts)
		p->hello_ts = n->ts;
	t = thread_get(c, p, tid, true);
	if (!t) {
		c->untracked_threads++;
		p->overflow = true;
		return grew;
	}
	ring_push(c, t, n);
	if (via && via[0] && (n->kind == SHIM_EV_EXEC || n->kind == SHIM_EV_CONNECT)) {
		struct corr_via *v = &t->vias[t->via_next];

		t->via_next = (t->via_next + 1) % CORR_VIAS;
		v->ts = n->ts;
		shim_copy(v->via, sizeof(v->via), via);
	}
	return grew;
}

/* The attribution kept with a note of thread t, or "". */
static void fill_match(const struct corr_thread *t, const struct corr_note *n,
		       struct corr_match *m)
{
	m->note = *n;
	m->via[0] = '\0';
	for (unsigned i = 0; t && i < CORR_VIAS; i++)
		if (t->vias[i].ts == n->ts && t->vias[i].via[0])
			shim_copy(m->via, sizeof(m->via), t->vias[i].via);
}

static const char *base(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

static bool spawn_call(uint16_t call)
{
	return call == SHIM_CALL_POSIX_SPAWN || call == SHIM_CALL_POSIX_SPAWNP ||
	       call == SHIM_CALL_SYSTEM || call == SHIM_CALL_POPEN;
}

void corr_fork(struct corr *c, pid_t parent, pid_t tid, pid_t child, uint64_t ts)
{
	struct corr_proc *pp = proc_get(c, parent, false), *cp;
	const struct corr_note *n = NULL;
	struct corr_thread *t;
	bool lost = false;

	if (!pp)
		return;
	cp = proc_get(c, child, true);
	if (!cp)
		return;
	/* The child may have spoken already (its records can be read first). */
	cp->expect = pp->expect;
	cp->exec_ts = pp->exec_ts;
	if (pp->hello_ts > cp->hello_ts)
		cp->hello_ts = pp->hello_ts;
	if (pp->dropped > cp->dropped)
		cp->dropped = pp->dropped;
	t = thread_get(c, pp, tid, false);
	if (t)
		n = latest_before(t, ts, &lost);
	if (n && n->kind == SHIM_EV_EXEC && spawn_call(n->call)) {
		fill_match(t, n, &cp->spawn);
		cp->has_spawn = true;
	}
}

bool corr_live(struct corr *c, pid_t pid)
{
	struct corr_proc *p = proc_get(c, pid, false);

	return p && p->expect && p->hello_ts > p->exec_ts;
}

typedef bool (*match_fn)(const struct corr_note *n, const void *arg);

/*
 * The verdict on an action of pid/tid at ts: matched by the thread's last
 * note before it, explained by how the process was spawned, or not.
 */
static enum corr_verdict judge(struct corr *c, struct corr_proc *p, pid_t tid, uint64_t ts,
			       match_fn fn, const void *arg, bool by_spawn, struct corr_match *match)
{
	const struct corr_note *n = NULL;
	struct corr_thread *t;
	bool lost = false;

	if (!p || !p->expect)
		return CORR_NONE;
	if (p->hello_ts <= p->exec_ts) {
		if (p->noshim_told)
			return CORR_NONE;
		p->noshim_told = true;
		return CORR_NOSHIM;
	}
	t = thread_get(c, p, tid, false);
	if (t) {
		n = latest_before(t, ts, &lost);
		if (n) {
			trim_before(t, n);
			n = ring_at(t, 0);
		}
	}
	if (n && fn(n, arg)) {
		fill_match(t, n, match);
		return CORR_MATCHED;
	}
	if (by_spawn && p->has_spawn) {
		*match = p->spawn;
		return CORR_EXPLAINED;
	}
	if (lost || p->dropped > 0 || (!t && p->overflow))
		return CORR_UNKNOWN;
	return CORR_BYPASS;
}

static bool match_exec(const struct corr_note *n, const void *arg)
{
	const char *filename = arg;

	if (n->kind != SHIM_EV_EXEC)
		return false;
	if ((n->call == SHIM_CALL_FEXECVE || n->call == SHIM_CALL_EXECVEAT) && !n->key[0])
		return true;
	/* the key keeps the path's tail: its base name, unless absurdly long */
	return strcmp(base(n->key), base(filename)) == 0;
}

enum corr_verdict corr_exec(struct corr *c, pid_t pid, pid_t tid, uint64_t ts,
			    const char *filename, bool expect_shim, struct corr_match *match)
{
	struct corr_proc *p = proc_get(c, pid, true);
	enum corr_verdict v;

	memset(match, 0, sizeof(*match));
	if (!p)
		return CORR_UNKNOWN;
	v = judge(c, p, tid, ts, match_exec, filename, false, match);
	if ((v == CORR_BYPASS || v == CORR_UNKNOWN) && p->has_spawn &&
	    match_exec(&p->spawn.note, filename)) {
		*match = p->spawn;
		v = CORR_EXPLAINED;
	}
	/* the new image: forget what the old one said */
	p->exec_ts = ts;
	p->expect = expect_shim;
	p->noshim_told = false;
	p->has_spawn = false;
	for (struct corr_thread **tp = &p->threads; *tp;) {
		struct corr_thread *t = *tp;

		ring_drop_until(t, ts);
		if (t->count == 0) {
			*tp = t->next;
			thread_free(c, t);
		} else {
			tp = &t->next;
		}
	}
	return v;
}

struct inet {
	unsigned family;
	const uint8_t *addr;
	unsigned port;
};

static bool match_connect(const struct corr_note *n, const void *arg)
{
	const struct inet *in = arg;

	/* the resolver's own connects happen inside a lookup */
	if (n->kind == SHIM_EV_DNS && !(n->flags & SHIM_F_RESULT))
		return true;
	return n->kind == SHIM_EV_CONNECT && n->family == in->family && n->port == in->port &&
	       memcmp(n->addr, in->addr, in->family == AF_INET ? 4 : 16) == 0;
}

enum corr_verdict corr_connect(struct corr *c, pid_t pid, pid_t tid, uint64_t ts,
			       unsigned family, const uint8_t *addr, unsigned port,
			       struct corr_match *match)
{
	struct inet in = { family, addr, port };

	memset(match, 0, sizeof(*match));
	if (family != AF_INET && family != AF_INET6)
		return CORR_NONE;
	return judge(c, proc_get(c, pid, false), tid, ts, match_connect, &in, false, match);
}

bool corr_template_match(const char *tmpl, const char *name)
{
	/* the base names: the kernel's path is resolved, the template as given */
	const char *t = base(tmpl), *b = base(name);

	if (strlen(t) != strlen(b))
		return false;
	for (; *t; t++, b++)
		if (*t != *b && *t != 'X')
			return false;
	return true;
}

struct open_arg {
	const char *path;
	uint64_t hash;
	size_t len;
};

static bool match_open(const struct corr_note *n, const void *arg)
{
	const struct open_arg *o = arg;

	if (n->kind != SHIM_EV_FILE)
		return false;
	switch (n->call) {
	case SHIM_CALL_MKSTEMP:
		return corr_template_match(n->key, o->path);
	case SHIM_CALL_TMPFILE:
	case SHIM_CALL_SEM_OPEN:
		return true;    /* the names are libc's own */
	default:
		/*
		 * The kernel names the file it opened (symlinks and relative
		 * paths resolved), the shim the path it was given: they agree on
		 * the base name.
		 */
		return strcmp(base(n->key), base(o->path)) == 0;
	}
}

/* Files libc writes on its own (error messages, ptys, daemon()). */
static bool libc_device(const char *path)
{
	static const char *const devs[] = {
		"/dev/null", "/dev/tty", "/dev/ptmx", "/dev/full", "/dev/zero",
		"/dev/urandom", "/dev/random",
	};

	for (size_t i = 0; i < sizeof(devs) / sizeof(devs[0]); i++)
		if (strcmp(path, devs[i]) == 0)
			return true;
	return strncmp(path, "/dev/pts/", 9) == 0;
}

enum corr_verdict corr_open(struct corr *c, pid_t pid, pid_t tid, uint64_t ts, const char *path,
			    struct corr_match *match)
{
	struct open_arg o = { .path = path };
	enum corr_verdict v;

	memset(match, 0, sizeof(*match));
	o.hash = corr_hash(path, &o.len);
	v = judge(c, proc_get(c, pid, false), tid, ts, match_open, &o, true, match);
	if ((v == CORR_BYPASS || v == CORR_UNKNOWN) && libc_device(path))
		v = CORR_EXPLAINED;
	return v;
}

void corr_exit(struct corr *c, pid_t pid, uint64_t ts)
{
	struct corr_proc *p = proc_get(c, pid, false);
	bool successor = false;

	if (!p)
		return;
	/*
	 * Records read before this exit record may come from a new process
	 * that already reuses the pid: keep those, as a fresh state.
	 */
	for (struct corr_thread **tp = &p->threads; *tp;) {
		struct corr_thread *t = *tp;

		ring_drop_until(t, ts);
		if (t->count == 0) {
			*tp = t->next;
			thread_free(c, t);
		} else {
			successor = true;
			tp = &t->next;
		}
	}
	if (successor || p->hello_ts > ts) {
		p->expect = false;
		p->noshim_told = false;
		p->exec_ts = 0;
		p->dropped = 0;
		p->has_spawn = false;
		if (p->hello_ts <= ts)
			p->hello_ts = 0;
		return;
	}
	proc_unlink(c, p);
	free(p);
}
