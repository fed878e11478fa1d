// SPDX-License-Identifier: MIT
/*
 * Globs.  Path globs work per component: '*' matches a run of characters
 * within one component, '?' one character, and "**" as a whole component
 * matches any number of components (zero or more in the middle or at the
 * start, one or more at the end: "dir" followed by "/" and "**" is what
 * is inside dir, not dir itself).  Flat
 * globs (hostnames, program names) have '*' and '?' only, and '*' matches
 * across dots.  Both run in time linear in the input times the number of
 * stars, with no recursion.
 */
#include <string.h>

#include "policy/internal.h"

/* One component [p, pe) against [s, se): '*' and '?' only. */
static bool comp_match(const char *p, const char *pe, const char *s, const char *se)
{
	const char *star = NULL, *mark = NULL;

	while (s < se) {
		if (p < pe && (*p == '?' || *p == *s)) {
			p++;
			s++;
		} else if (p < pe && *p == '*') {
			star = ++p;
			mark = s;
		} else if (star) {
			p = star;
			s = ++mark;
		} else {
			return false;
		}
	}
	while (p < pe && *p == '*')
		p++;
	return p == pe;
}

bool glob_flat_match(const char *pat, const char *s)
{
	return comp_match(pat, pat + strlen(pat), s, s + strlen(s));
}

static const char *comp_end(const char *s)
{
	const char *e = strchr(s, '/');

	return e ? e : s + strlen(s);
}

static const char *next_comp(const char *e)
{
	return *e == '/' ? e + 1 : e;
}

static bool is_dstar(const char *p)
{
	return p[0] == '*' && p[1] == '*' && (p[2] == '/' || p[2] == '\0');
}

/*
 * pat and path are absolute and normalised (no empty components).  The
 * last "**" seen is the only backtracking point needed: a later "**" can
 * absorb anything an earlier one could.
 */
bool glob_path_match(const char *pat, const char *path)
{
	const char *p = pat + (*pat == '/'), *s = path + (*path == '/');
	const char *star_p = NULL, *star_s = NULL;

	for (;;) {
		if (*p && is_dstar(p)) {
			if (p[2] == '\0')
				return *s != '\0';      /* trailing: one or more components */
			star_p = p + 3;
			star_s = s;
			p = star_p;
			continue;
		}
		if (*p == '\0' && *s == '\0')
			return true;
		if (*p && *s) {
			const char *pe = comp_end(p), *se = comp_end(s);

			if (comp_match(p, pe, s, se)) {
				p = next_comp(pe);
				s = next_comp(se);
				continue;
			}
		}
		/* backtrack: the last "**" takes one more component */
		if (!star_p || *star_s == '\0')
			return false;
		star_s = next_comp(comp_end(star_s));
		s = star_s;
		p = star_p;
	}
}

bool sp_path_normalize(const char *in, char *out, size_t outlen)
{
	size_t o = 0;

	if (in[0] != '/' || outlen < 2)
		return false;
	out[o++] = '/';
	while (*in) {
		const char *e;
		size_t n;

		while (*in == '/')
			in++;
		if (!*in)
			break;
		e = comp_end(in);
		n = (size_t)(e - in);
		if (n == 1 && in[0] == '.') {
			/* nothing */
		} else if (n == 2 && in[0] == '.' && in[1] == '.') {
			/* back to the previous '/' (never above the root) */
			while (o > 1 && out[o - 1] != '/')
				o--;
			if (o > 1)
				o--;
		} else {
			if (o + 1 + n + 1 > outlen)
				return false;
			if (o > 1)
				out[o++] = '/';
			memcpy(out + o, in, n);
			o += n;
		}
		in = e;
	}
	/* a ".." can leave a trailing '/' of a component it removed */
	if (o > 1 && out[o - 1] == '/')
		o--;
	out[o] = '\0';
	return true;
}
