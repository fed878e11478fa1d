// SPDX-License-Identifier: MIT
/*
 * The effective policy as YAML, with the provenance of everything in
 * comments.  The output is itself a valid policy (the comments aside, it
 * is what the layers add up to), so it can be checked, kept and reused.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/internal.h"

struct sbuf {
	char *s;
	size_t n, cap;
	bool oom;
};

static void sb_printf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void sb_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->oom)
		return;
	va_start(ap, fmt);
	n = vsnprintf(b->s ? b->s + b->n : NULL, b->s ? b->cap - b->n : 0, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->oom = true;
		return;
	}
	if (!b->s || b->n + (size_t)n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		char *s;

		while (cap < b->n + (size_t)n + 1)
			cap *= 2;
		s = realloc(b->s, cap);
		if (!s) {
			b->oom = true;
			return;
		}
		b->s = s;
		b->cap = cap;
		va_start(ap, fmt);
		vsnprintf(b->s + b->n, b->cap - b->n, fmt, ap);
		va_end(ap);
	}
	b->n += (size_t)n;
}

/* A double-quoted YAML string. */
static void sb_quoted(struct sbuf *b, const char *s)
{
	sb_printf(b, "\"");
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			sb_printf(b, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			sb_printf(b, "\\x%02x", c);
		else
			sb_printf(b, "%c", c);
	}
	sb_printf(b, "\"");
}

static void sb_from(struct sbuf *b, const struct sp_loc *l)
{
	if (!l->file)
		sb_printf(b, "  # built in\n");
	else if (l->line)
		sb_printf(b, "  # %s:%u\n", l->file, l->line);
	else
		sb_printf(b, "  # %s\n", l->file);
}

static void show_entry(struct sbuf *b, const struct pentry *pe)
{
	sb_printf(b, "    - ");
	if (pe->kind == EK_NET && pe->u.net.roles != SP_PROLES_ALL) {
		sb_printf(b, "{to: ");
		sb_quoted(b, pe->e.text);
		sb_printf(b, ", roles: [%s%s%s]}", pe->u.net.roles & (1u << SP_PROLE_PIP) ? "pip" : "",
			  pe->u.net.roles == SP_PROLES_ALL ? ", " : "",
			  pe->u.net.roles & (1u << SP_PROLE_BUILD) ? "build" : "");
	} else {
		sb_quoted(b, pe->e.text);
	}
	sb_from(b, &pe->e.loc);
}

/* One list of a section: every entry of kind and action, all layers in order. */
static void show_list(struct sbuf *b, const struct sp_policy *p, const char *key,
		      enum entry_kind kind, enum sp_action act)
{
	const struct pentry *prev = NULL;
	size_t count = 0;

	for (unsigned li = 0; li < p->nlayers; li++) {
		const struct layer *l = p->layers[li];

		for (size_t i = 0; i < l->entries.n; i++) {
			const struct pentry *pe = l->entries.v[i];

			if (pe->kind != kind || pe->e.action != act)
				continue;
			/* "~/x" with two homes is two entries from one line: show it once */
			if (prev && prev->e.loc.file == pe->e.loc.file && prev->e.loc.line == pe->e.loc.line &&
			    prev->e.loc.col == pe->e.loc.col)
				continue;
			if (count++ == 0)
				sb_printf(b, "  %s:\n", key);
			show_entry(b, pe);
			prev = pe;
		}
	}
	if (count == 0)
		sb_printf(b, "  %s: []\n", key);
}

static void show_rules(struct sbuf *b, const struct sp_policy *p)
{
	sb_printf(b, "rules:\n");
	for (size_t i = 0; i < sp_nrules; i++) {
		const struct sp_rule_conf *rc = &p->rules[i];

		sb_printf(b, "  %s:\n", sp_rule_defs[i].id);
		sb_printf(b, "    weight: %u", rc->weight);
		sb_from(b, &rc->weight_loc);
		sb_printf(b, "    cap: %u", rc->cap);
		sb_from(b, &rc->cap_loc);
		sb_printf(b, "    enabled: %s", rc->enabled ? "true" : "false");
		sb_from(b, &rc->enabled_loc);
	}
}

static void show_header(struct sbuf *b, const struct sp_policy *p)
{
	sb_printf(b, "# the effective safe-pip policy: %u layers, lowest first\n", p->nlayers);
	for (unsigned i = 0; i < p->nlayers; i++) {
		const struct sp_layer_info *li = &p->layers[i]->info;

		sb_printf(b, "#   %u. %s", i + 1, li->name);
		if (li->locked)
			sb_printf(b, " (locked at line %u)", li->lock_loc.line);
		sb_printf(b, "\n");
	}
	if (p->nindex_hosts) {
		sb_printf(b, "# %s stands for:", SP_NET_INDEX_TOKEN);
		for (size_t i = 0; i < p->nindex_hosts; i++)
			sb_printf(b, " %s", p->index_hosts[i]);
		sb_printf(b, "\n");
	}
}

static void show_require(struct sbuf *b, const struct sp_policy *p)
{
	static const char *const names[SP_REQUIRE_N] = { "kernel", "shim", "enforcing" };
	bool any = false;

	for (unsigned w = 0; w < SP_REQUIRE_N; w++) {
		const struct sp_loc *loc = NULL;

		if (!(p->require & (1u << w)))
			continue;
		/* the first layer that asked for it */
		for (unsigned li = 0; li < p->nlayers && !loc; li++)
			if (p->layers[li]->require & (1u << w))
				loc = &p->layers[li]->require_loc[w];
		if (!any)
			sb_printf(b, "require:\n");
		any = true;
		sb_printf(b, "  - %s", names[w]);
		sb_from(b, loc);
	}
	if (!any)
		sb_printf(b, "require: []\n");
}

char *sp_policy_show(const struct sp_policy *p)
{
	struct sbuf b = { 0 };

	show_header(&b, p);
	sb_printf(&b, "version: %d\n", SP_POLICY_VERSION);
	sb_printf(&b, "mode: %s", p->mode == SP_MODE_MONITOR ? "monitor" : "enforce");
	sb_from(&b, &p->mode_loc);
	sb_printf(&b, "threshold: %u", p->threshold);
	sb_from(&b, &p->threshold_loc);
	show_require(&b, p);
	sb_printf(&b, "packages:\n");
	show_list(&b, p, "allow", EK_PACKAGE, SP_ACT_ALLOW);
	show_list(&b, p, "deny", EK_PACKAGE, SP_ACT_DENY);
	sb_printf(&b, "network:\n");
	show_list(&b, p, "allow", EK_NET, SP_ACT_ALLOW);
	show_list(&b, p, "deny", EK_NET, SP_ACT_DENY);
	sb_printf(&b, "files:\n");
	show_list(&b, p, "deny_read", EK_READ, SP_ACT_DENY);
	show_list(&b, p, "deny_write", EK_WRITE, SP_ACT_DENY);
	show_list(&b, p, "allow_write", EK_WRITE, SP_ACT_ALLOW);
	sb_printf(&b, "  confine_writes: %s", p->confine ? "true" : "false");
	sb_from(&b, &p->confine_loc);
	sb_printf(&b, "exec:\n");
	show_list(&b, p, "allow", EK_EXEC, SP_ACT_ALLOW);
	show_list(&b, p, "deny", EK_EXEC, SP_ACT_DENY);
	show_rules(&b, p);
	sb_printf(&b, "typosquat:\n");
	sb_printf(&b, "  enabled: %s", p->ts.enabled ? "true" : "false");
	sb_from(&b, &p->ts_enabled_loc);
	sb_printf(&b, "  max_distance: %u", p->ts.max_distance);
	sb_from(&b, &p->ts_dist_loc);
	sb_printf(&b, "  popular_top_n: %u", p->ts.popular_top_n);
	sb_from(&b, &p->ts_topn_loc);
	if (b.oom) {
		free(b.s);
		errno = ENOMEM;
		return NULL;
	}
	return b.s;
}
