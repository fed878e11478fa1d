// SPDX-License-Identifier: MIT
/*
 * Policy files are hostile input.  The loader reads them with libyaml's
 * event parser into a small node tree and enforces, as the events arrive,
 * every limit libyaml does not have: nesting depth, node count, list
 * length, scalar length.  Aliases and anchors are refused outright (no
 * billion laughs), as are tags, several documents and duplicate keys.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "policy/internal.h"

/* A collection being read: its node and its children so far. */
struct frame {
	struct ynode *node;
	struct ptrvec kids;
};

struct loader {
	struct arena *a;
	const char *file;
	const char *buf;
	size_t len;
	struct sp_errors *err;
	struct frame stack[SP_POLICY_DEPTH_MAX];
	unsigned depth;
	size_t nodes;
	struct ynode *root;
};

static int lerr(struct loader *l, const yaml_mark_t *m, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int lerr(struct loader *l, const yaml_mark_t *m, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vperr(l->err, l->file, m ? (unsigned)m->line + 1 : 0, m ? (unsigned)m->column + 1 : 0, fmt, ap);
	va_end(ap);
	errno = EINVAL;
	return -EINVAL;
}

/* Line and column of a byte offset (libyaml's reader errors give only that). */
static void offset_mark(const struct loader *l, size_t off, yaml_mark_t *m)
{
	memset(m, 0, sizeof(*m));
	for (size_t i = 0; i < off && i < l->len; i++) {
		if (l->buf[i] == '\n') {
			m->line++;
			m->column = 0;
		} else if (((unsigned char)l->buf[i] & 0xc0) != 0x80) {
			m->column++;
		}
	}
}

static int parser_error(struct loader *l, const yaml_parser_t *p)
{
	yaml_mark_t m;

	if (p->error == YAML_MEMORY_ERROR) {
		errno = ENOMEM;
		return -ENOMEM;
	}
	if (p->error == YAML_READER_ERROR) {
		offset_mark(l, p->problem_offset, &m);
		return lerr(l, &m, "not valid UTF-8 text: %s",
			    p->problem ? p->problem : "unreadable input");
	}
	if (p->context)
		return lerr(l, &p->problem_mark, "invalid YAML: %s %s (line %lu)", p->problem, p->context,
			    (unsigned long)p->context_mark.line + 1);
	return lerr(l, &p->problem_mark, "invalid YAML: %s", p->problem ? p->problem : "syntax error");
}

static struct ynode *new_node(struct loader *l, enum ynode_kind kind, const yaml_mark_t *m)
{
	struct ynode *n;

	if (++l->nodes > SP_POLICY_NODES_MAX) {
		lerr(l, m, "too many YAML nodes (more than %d)", SP_POLICY_NODES_MAX);
		return NULL;
	}
	n = ar_alloc(l->a, sizeof(*n));
	if (!n)
		return NULL;
	n->kind = kind;
	n->line = (unsigned)m->line + 1;
	n->col = (unsigned)m->column + 1;
	return n;
}

/* Hang a finished node under the open collection, or make it the root. */
static int attach(struct loader *l, struct ynode *n, const yaml_mark_t *m)
{
	struct frame *f;
	size_t max;

	if (l->depth == 0) {
		l->root = n;
		return 0;
	}
	f = &l->stack[l->depth - 1];
	max = f->node->kind == Y_MAP ? 2 * (size_t)SP_POLICY_LIST_MAX : SP_POLICY_LIST_MAX;
	if (f->kids.n >= max)
		return lerr(l, m, "too many items in one %s (more than %d)",
			    f->node->kind == Y_MAP ? "mapping" : "list", SP_POLICY_LIST_MAX);
	if (f->node->kind == Y_MAP && f->kids.n % 2 == 0 && n->kind != Y_SCALAR)
		return lerr(l, m, "a mapping key must be a string, not a %s",
			    n->kind == Y_MAP ? "mapping" : "list");
	return ptrvec_push(&f->kids, n);
}

static int no_anchor_tag(struct loader *l, const yaml_event_t *ev, const yaml_char_t *anchor,
			 const yaml_char_t *tag)
{
	if (anchor)
		return lerr(l, &ev->start_mark, "anchors (&%s) are not allowed in a policy", anchor);
	if (tag)
		return lerr(l, &ev->start_mark, "tags (%s) are not allowed in a policy", tag);
	return 0;
}

static int on_scalar(struct loader *l, const yaml_event_t *ev)
{
	const typeof(ev->data.scalar) *sc = &ev->data.scalar;
	struct ynode *n;
	int r;

	if ((r = no_anchor_tag(l, ev, sc->anchor, sc->tag)) < 0)
		return r;
	if (sc->length > SP_POLICY_STRING_MAX)
		return lerr(l, &ev->start_mark, "string too long (%zu bytes, at most %d)", sc->length,
			    SP_POLICY_STRING_MAX);
	if (memchr(sc->value, '\0', sc->length))
		return lerr(l, &ev->start_mark, "a string may not contain a NUL character");
	n = new_node(l, Y_SCALAR, &ev->start_mark);
	if (!n)
		return -errno;
	n->str = ar_strndup(l->a, (const char *)sc->value, sc->length);
	if (!n->str)
		return -ENOMEM;
	n->len = sc->length;
	n->plain = sc->style == YAML_PLAIN_SCALAR_STYLE;
	return attach(l, n, &ev->start_mark);
}

static int on_start(struct loader *l, const yaml_event_t *ev, enum ynode_kind kind)
{
	const yaml_char_t *anchor, *tag;
	struct ynode *n;
	int r;

	if (kind == Y_MAP) {
		anchor = ev->data.mapping_start.anchor;
		tag = ev->data.mapping_start.tag;
	} else {
		anchor = ev->data.sequence_start.anchor;
		tag = ev->data.sequence_start.tag;
	}
	if ((r = no_anchor_tag(l, ev, anchor, tag)) < 0)
		return r;
	if (l->depth >= SP_POLICY_DEPTH_MAX)
		return lerr(l, &ev->start_mark, "nested too deeply (more than %d levels)",
			    SP_POLICY_DEPTH_MAX);
	n = new_node(l, kind, &ev->start_mark);
	if (!n)
		return -errno;
	l->stack[l->depth].node = n;
	memset(&l->stack[l->depth].kids, 0, sizeof(struct ptrvec));
	l->depth++;
	return 0;
}

static int cmp_keys(const void *x, const void *y)
{
	const struct ynode *a = *(const struct ynode *const *)x, *b = *(const struct ynode *const *)y;
	int r;

	if (a->len != b->len)
		return a->len < b->len ? -1 : 1;
	r = memcmp(a->str, b->str, a->len);
	if (r)
		return r;
	return a->line != b->line ? (a->line < b->line ? -1 : 1) : (a->col < b->col ? -1 : a->col > b->col);
}

/* Duplicate keys are errors: sort a copy of the keys and compare neighbours. */
static int check_duplicates(struct loader *l, const struct ynode *map)
{
	size_t nk = map->n / 2;
	struct ynode **keys;
	int r = 0;

	if (nk < 2)
		return 0;
	keys = malloc(nk * sizeof(*keys));
	if (!keys)
		return -ENOMEM;
	for (size_t i = 0; i < nk; i++)
		keys[i] = map->items[2 * i];
	qsort(keys, nk, sizeof(*keys), cmp_keys);
	for (size_t i = 1; i < nk && r == 0; i++) {
		if (keys[i]->len == keys[i - 1]->len && memcmp(keys[i]->str, keys[i - 1]->str, keys[i]->len) == 0) {
			yaml_mark_t m = { .line = keys[i]->line - 1, .column = keys[i]->col - 1 };

			r = lerr(l, &m, "duplicate key '%s' (first at line %u)", keys[i]->str,
				 keys[i - 1]->line);
		}
	}
	free(keys);
	return r;
}

static int on_end(struct loader *l, const yaml_event_t *ev)
{
	struct frame *f = &l->stack[--l->depth];
	struct ynode *n = f->node;
	int r = 0;

	n->n = f->kids.n;
	if (n->n) {
		n->items = ar_alloc(l->a, n->n * sizeof(*n->items));
		if (!n->items)
			r = -ENOMEM;
		else
			memcpy(n->items, f->kids.v, n->n * sizeof(*n->items));
	}
	ptrvec_free(&f->kids);
	if (r == 0 && n->kind == Y_MAP)
		r = check_duplicates(l, n);
	if (r == 0)
		r = attach(l, n, &ev->start_mark);
	return r;
}

static int on_event(struct loader *l, const yaml_event_t *ev, unsigned *docs)
{
	switch (ev->type) {
	case YAML_DOCUMENT_START_EVENT:
		if (++*docs > 1)
			return lerr(l, &ev->start_mark, "more than one YAML document in a policy file");
		return 0;
	case YAML_ALIAS_EVENT:
		return lerr(l, &ev->start_mark, "aliases (*%s) are not allowed in a policy",
			    ev->data.alias.anchor);
	case YAML_SCALAR_EVENT:
		return on_scalar(l, ev);
	case YAML_SEQUENCE_START_EVENT:
		return on_start(l, ev, Y_SEQ);
	case YAML_MAPPING_START_EVENT:
		return on_start(l, ev, Y_MAP);
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		return on_end(l, ev);
	default:
		return 0;
	}
}

static int run_parser(struct loader *l, yaml_parser_t *p)
{
	unsigned docs = 0;
	yaml_event_t ev;
	bool done = false;
	int r = 0;

	while (!done && r == 0) {
		if (!yaml_parser_parse(p, &ev))
			return parser_error(l, p);
		done = ev.type == YAML_STREAM_END_EVENT;
		r = on_event(l, &ev, &docs);
		yaml_event_delete(&ev);
	}
	return r;
}

struct ynode *yaml_load(struct arena *a, const char *file, const char *buf, size_t len,
			struct sp_errors *err)
{
	struct loader l = { .a = a, .file = file, .buf = buf, .len = len, .err = err };
	yaml_parser_t p;
	int r;

	if (len > SP_POLICY_FILE_MAX) {
		perr(err, file, 0, 0, "file too large (%zu bytes, at most %u)", len, SP_POLICY_FILE_MAX);
		errno = EFBIG;
		return NULL;
	}
	if (!yaml_parser_initialize(&p)) {
		errno = ENOMEM;
		return NULL;
	}
	yaml_parser_set_input_string(&p, (const unsigned char *)buf, len);
	yaml_parser_set_encoding(&p, YAML_UTF8_ENCODING);
	r = run_parser(&l, &p);
	yaml_parser_delete(&p);
	/* after an error, collections may still be open */
	while (l.depth > 0)
		ptrvec_free(&l.stack[--l.depth].kids);
	if (r < 0) {
		errno = -r;
		return NULL;
	}
	if (!l.root || (l.root->kind == Y_SCALAR && l.root->plain && l.root->len == 0)) {
		perr(err, file, 0, 0, "the policy is empty (expected a mapping, e.g. version: 1)");
		errno = EINVAL;
		return NULL;
	}
	return l.root;
}
