// SPDX-License-Identifier: MIT
#include "guard/dist.h"

#include <ctype.h>
#include <fcntl.h>

#include "guard/util.h"

#define META_MAX (256 * 1024)

void pep503_normalize(const char *in, char *out, size_t outlen)
{
	size_t o = 0;
	bool sep = false;

	if (outlen == 0)
		return;
	for (; *in && o + 1 < outlen; in++) {
		if (*in == '-' || *in == '_' || *in == '.') {
			sep = true;
			continue;
		}
		if (sep && o > 0 && o + 2 < outlen)
			out[o++] = '-';
		sep = false;
		out[o++] = (char)tolower((unsigned char)*in);
	}
	out[o] = '\0';
}

/* PEP 508: ^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$, case-insensitive. */
static bool valid_name(const char *s, size_t n)
{
	if (n == 0 || n >= DIST_NAME_MAX)
		return false;
	if (!isalnum((unsigned char)s[0]) || !isalnum((unsigned char)s[n - 1]))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '.' && s[i] != '_' && s[i] != '-')
			return false;
	return true;
}

static int set_name(const char *s, size_t n, char *name, size_t nlen)
{
	while (n > 0 && isspace((unsigned char)*s)) {
		s++;
		n--;
	}
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		n--;
	if (!valid_name(s, n) || n >= nlen)
		return -ENOENT;
	memcpy(name, s, n);
	name[n] = '\0';
	return 0;
}

/* Value of an RFC 822 header "Key: value" in the header block of buf. */
static const char *header(const char *buf, const char *key, size_t *len)
{
	size_t kl = strlen(key);
	const char *l = buf;

	while (*l && *l != '\n' && !(l[0] == '\r' && l[1] == '\n')) {
		const char *eol = strchrnul(l, '\n');

		if ((size_t)(eol - l) > kl && strncasecmp(l, key, kl) == 0 && l[kl] == ':') {
			const char *v = l + kl + 1;

			*len = eol - v;
			if (*len > 0 && v[*len - 1] == '\r')
				(*len)--;
			return v;
		}
		l = *eol ? eol + 1 : eol;
	}
	return NULL;
}

int parse_pkg_info(const char *buf, char *name, size_t nlen, char *ver, size_t vlen)
{
	const char *v;
	size_t len;

	v = header(buf, "Name", &len);
	if (!v || set_name(v, len, name, nlen) < 0)
		return -ENOENT;
	v = header(buf, "Version", &len);
	if (ver && vlen) {
		ver[0] = '\0';
		if (v) {
			while (len > 0 && isspace((unsigned char)*v)) {
				v++;
				len--;
			}
			while (len > 0 && isspace((unsigned char)v[len - 1]))
				len--;
			if (len < vlen) {
				for (size_t i = 0; i < len; i++)
					ver[i] = isprint((unsigned char)v[i]) ? v[i] : '?';
				ver[len] = '\0';
			}
		}
	}
	return 0;
}

/*
 * Find "key = value" in [section] of an INI/TOML-like buffer.  Only the
 * simple one-line form; enough to name a package for a report.
 */
static const char *ini_value(const char *buf, const char *section, const char *key, size_t *len)
{
	const char *l = buf;
	bool in = false;
	size_t sl = strlen(section), kl = strlen(key);

	while (*l) {
		const char *eol = strchrnul(l, '\n');
		const char *p = l;

		while (p < eol && (*p == ' ' || *p == '\t'))
			p++;
		if (*p == '[') {
			in = (size_t)(eol - p) >= sl + 2 && strncmp(p + 1, section, sl) == 0 &&
			     p[sl + 1] == ']';
		} else if (in && (size_t)(eol - p) > kl && strncmp(p, key, kl) == 0) {
			const char *q = p + kl;

			while (q < eol && (*q == ' ' || *q == '\t'))
				q++;
			if (q < eol && (*q == '=' || *q == ':')) {
				q++;
				*len = eol - q;
				return q;
			}
		}
		l = *eol ? eol + 1 : eol;
	}
	return NULL;
}

static int unquote_name(const char *v, size_t len, char *name, size_t nlen)
{
	while (len > 0 && isspace((unsigned char)*v)) {
		v++;
		len--;
	}
	if (len >= 2 && (*v == '"' || *v == '\'')) {
		const char *end = memchr(v + 1, *v, len - 1);

		if (!end)
			return -ENOENT;
		return set_name(v + 1, end - v - 1, name, nlen);
	}
	return -ENOENT;
}

int parse_pyproject_name(const char *buf, char *name, size_t nlen)
{
	size_t len;
	const char *v = ini_value(buf, "project", "name", &len);

	return v ? unquote_name(v, len, name, nlen) : -ENOENT;
}

int parse_setup_cfg_name(const char *buf, char *name, size_t nlen)
{
	size_t len;
	const char *v = ini_value(buf, "metadata", "name", &len);
	size_t i = 0;

	if (!v)
		return -ENOENT;
	/* a bare value, up to a comment */
	while (i < len && v[i] != '#' && v[i] != ';')
		i++;
	return set_name(v, i, name, nlen);
}

int parse_unpack_dir(const char *base, char *name, size_t nlen)
{
	const char *us = strrchr(base, '_');
	size_t i;

	if (!us || strlen(us + 1) != 32)
		return -ENOENT;
	for (i = 1; i <= 32; i++)
		if (!isxdigit((unsigned char)us[i]))
			return -ENOENT;
	return set_name(base, us - base, name, nlen);
}

static void name_dist(struct dist *d, const char *srcdir)
{
	_cleanup_close_ int dfd = open(srcdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	_cleanup_free_ char *buf = NULL;

	if (dfd >= 0) {
		if (read_file_max(dfd, "PKG-INFO", &buf, META_MAX) >= 0 &&
		    parse_pkg_info(buf, d->name, sizeof(d->name), d->version, sizeof(d->version)) == 0)
			return;
		free(TAKE_PTR(buf));
		if (read_file_max(dfd, "pyproject.toml", &buf, META_MAX) >= 0 &&
		    parse_pyproject_name(buf, d->name, sizeof(d->name)) == 0)
			return;
		free(TAKE_PTR(buf));
		if (read_file_max(dfd, "setup.cfg", &buf, META_MAX) >= 0 &&
		    parse_setup_cfg_name(buf, d->name, sizeof(d->name)) == 0)
			return;
	}
	if (parse_unpack_dir(path_base(srcdir), d->name, sizeof(d->name)) == 0)
		return;
	snprintf(d->name, sizeof(d->name), "(source in %s)", path_base(srcdir));
}

static bool gone_srcdir(const char *srcdir)
{
	return strncmp(srcdir, DIST_GONE_PREFIX, strlen(DIST_GONE_PREFIX)) == 0;
}

/*
 * A build process that exited before its record was read is known by the
 * last component of its directory only (DIST_GONE_PREFIX): it is the
 * distribution whose directory of that name is seen whole, before or
 * after.  One distribution must not become two, each with part of the
 * score.  Two sources whose directories share a last component (pip's
 * unpack directories carry a hash; a local tree may not) are taken as one:
 * their points add up, which errs towards stopping.
 */
static int same_source(struct dists *d, const char *srcdir)
{
	bool gone = gone_srcdir(srcdir);
	const char *base = path_base(srcdir);

	if (!base[0])
		return -ENOENT;
	for (size_t i = 0; i < d->n; i++) {
		struct dist *o = &d->v[i];
		char *whole;

		if (!o->srcdir || gone_srcdir(o->srcdir) == gone || strcmp(path_base(o->srcdir), base))
			continue;
		if (gone)
			return (int)i;
		/* the whole path at last: the same index, and what its files say */
		whole = strdup(srcdir);
		if (!whole)
			return -ENOMEM;
		free(o->srcdir);
		o->srcdir = whole;
		o->version[0] = '\0';
		name_dist(o, whole);
		return (int)i;
	}
	return -ENOENT;
}

int dists_for_srcdir(struct dists *d, const char *srcdir)
{
	struct dist *nd;
	int r;

	for (size_t i = 0; i < d->n; i++)
		if (d->v[i].srcdir && strcmp(d->v[i].srcdir, srcdir) == 0)
			return (int)i;
	r = same_source(d, srcdir);
	if (r != -ENOENT)
		return r;
	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 8;
		struct dist *v = realloc(d->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		d->v = v;
		d->cap = cap;
	}
	nd = &d->v[d->n];
	memset(nd, 0, sizeof(*nd));
	nd->srcdir = strdup(srcdir);
	if (!nd->srcdir)
		return -ENOMEM;
	name_dist(nd, srcdir);
	return (int)d->n++;
}

void dists_free(struct dists *d)
{
	for (size_t i = 0; i < d->n; i++)
		free(d->v[i].srcdir);
	free(d->v);
	memset(d, 0, sizeof(*d));
}
