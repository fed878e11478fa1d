// SPDX-License-Identifier: MIT
/*
 * pip's command line and requirement files, read as pip 23 reads them
 * (pip/_internal/req/req_file.py and the install/download/wheel options).
 * Where safe-pip and pip could disagree about what is requested, the
 * reading here errs towards seeing more names, never fewer.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "policy/internal.h"
#include "policy/reqs.h"

static const char *sys_getenv(const char *name)
{
	return getenv(name);
}

struct sp_pipargs_arena {
	struct arena a;
};

/* Options of pip's install, download and wheel commands (and the general
 * ones) that take a value; everything else starting with '-' is a flag. */
static const char *const valued_long[] = {
	"--requirement", "--constraint", "--editable", "--target", "--platform", "--python-version",
	"--implementation", "--abi", "--root", "--prefix", "--src", "--source", "--source-dir",
	"--source-directory", "--upgrade-strategy", "--config-settings", "--global-option",
	"--build-option", "--no-binary", "--only-binary", "--progress-bar", "--root-user-action",
	"--report", "--index-url", "--pypi-url", "--extra-index-url", "--find-links", "--python",
	"--log", "--log-file", "--local-log", "--keyring-provider", "--proxy", "--retries",
	"--timeout", "--default-timeout", "--exists-action", "--trusted-host", "--cert",
	"--client-cert", "--cache-dir", "--use-feature", "--use-deprecated", "--dest",
	"--destination-dir", "--destination-directory", "--wheel-dir", "--hash", "--install-option",
};
static const char valued_short[] = "rcetCifdw";

struct rctx {
	struct sp_pipargs *pa;
	const struct sp_pipargs_env *env;
	struct sp_errors *err;
	unsigned depth;
};

static struct arena *AR(struct sp_pipargs *pa)
{
	return &pa->ar->a;
}

static int strv_push(struct sp_pipargs *pa, struct sp_strv *v, const char *s, size_t n)
{
	const char *c = ar_strndup(AR(pa), s, n);

	if (!c)
		return -ENOMEM;
	if (v->n == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 8;
		const char **nv = realloc(v->v, cap * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		v->v = nv;
		v->cap = cap;
	}
	v->v[v->n++] = c;
	return 0;
}

/* ---------------------------------------------------------------- URLs */

static bool is_scheme_char(char c)
{
	return isalnum((unsigned char)c) || c == '+' || c == '-' || c == '.';
}

/* Length of "scheme:" when s starts with a URL scheme followed by "//", else 0. */
static size_t url_scheme_len(const char *s)
{
	size_t i = 0;

	if (!isalpha((unsigned char)s[0]))
		return 0;
	while (is_scheme_char(s[i]))
		i++;
	return s[i] == ':' && s[i + 1] == '/' && s[i + 2] == '/' ? i + 1 : 0;
}

bool sp_url_host(const char *s, char *out, size_t outlen)
{
	size_t sl = url_scheme_len(s), n;
	const char *h, *end, *at;

	if (!sl)
		return false;
	h = s + sl + 2;
	end = h + strcspn(h, "/?#");
	at = memchr(h, '@', (size_t)(end - h));
	if (at)
		h = at + 1;
	if (*h == '[') {
		const char *close = memchr(h, ']', (size_t)(end - h));

		if (!close)
			return false;
		h++;
		n = (size_t)(close - h);
	} else {
		const char *colon = memchr(h, ':', (size_t)(end - h));

		n = (size_t)((colon ? colon : end) - h);
	}
	if (n == 0 || n >= outlen)
		return false;
	for (size_t i = 0; i < n; i++)
		out[i] = (char)tolower((unsigned char)h[i]);
	out[n] = '\0';
	return true;
}

/* -------------------------------------------------------- requirements */

static const char *const archive_exts[] = { ".whl", ".tar.gz", ".tgz", ".tar.bz2", ".tbz",
					    ".tar.xz", ".txz", ".tar", ".zip" };

/* "name-1.0.tar.gz" / "name-1.0-py3-none-any.whl": name and version. */
static void name_from_archive(struct sp_pipargs *pa, const char *path, struct sp_req *r)
{
	const char *base = strrchr(path, '/'), *end = NULL, *dash;
	char norm[SP_PKGNAME_MAX];
	size_t bl;

	base = base ? base + 1 : path;
	bl = strcspn(base, "?#");
	for (size_t i = 0; i < ARRAY_SIZE(archive_exts) && !end; i++) {
		size_t el = strlen(archive_exts[i]);

		if (bl > el && strncasecmp(base + bl - el, archive_exts[i], el) == 0)
			end = base + bl - el;
	}
	if (!end)
		return;
	if (strncasecmp(end, ".whl", 4) == 0) {
		dash = memchr(base, '-', (size_t)(end - base));
		if (dash && sp_name_normalize(base, (size_t)(dash - base), norm, sizeof(norm))) {
			const char *vend = memchr(dash + 1, '-', (size_t)(end - dash - 1));

			r->name = ar_strdup(AR(pa), norm);
			r->version = ar_strndup(AR(pa), dash + 1, (size_t)((vend ? vend : end) - dash - 1));
		}
		return;
	}
	/* sdist: the version starts after the last '-' followed by a digit */
	for (dash = end; dash > base; dash--) {
		if (dash[-1] == '-' && isdigit((unsigned char)dash[0]))
			break;
	}
	if (dash > base && sp_name_normalize(base, (size_t)(dash - 1 - base), norm, sizeof(norm))) {
		r->name = ar_strdup(AR(pa), norm);
		r->version = ar_strndup(AR(pa), dash, (size_t)(end - dash));
	}
}

/* "#egg=name" of a VCS or archive URL. */
static void name_from_egg(struct sp_pipargs *pa, const char *url, struct sp_req *r)
{
	const char *egg = strstr(url, "#egg=");
	char norm[SP_PKGNAME_MAX];
	size_t n;

	if (!egg)
		egg = strstr(url, "&egg=");
	if (!egg)
		return;
	egg += 5;
	n = strcspn(egg, "&[ ");
	if (sp_name_normalize(egg, n, norm, sizeof(norm)))
		r->name = ar_strdup(AR(pa), norm);
}

static bool looks_like_path(const char *s)
{
	return strchr(s, '/') || s[0] == '.' || s[0] == '~';
}

/* The version clauses of a PEP 508 requirement: the pin when there is one. */
static void version_pin(struct sp_pipargs *pa, const char *s, size_t n, struct sp_req *r)
{
	while (n > 0) {
		const char *comma = memchr(s, ',', n);
		size_t cl = comma ? (size_t)(comma - s) : n;
		struct pep440_spec sp;
		const char *why, *pin;

		if (pep440_spec_parse(s, cl, &sp, &why) == 0 && (pin = pep440_spec_pin(&sp)))
			r->version = ar_strdup(AR(pa), pin);
		s += cl + (comma ? 1 : 0);
		n -= cl + (comma ? 1 : 0);
	}
}

/* name [extras] (spec | @ url) ; marker */
static void parse_pep508(struct sp_pipargs *pa, const char *s, struct sp_req *r)
{
	const char *p = s, *spec;
	char norm[SP_PKGNAME_MAX];
	size_t n;

	while (isalnum((unsigned char)*p) || *p == '-' || *p == '_' || *p == '.')
		p++;
	if (!sp_name_normalize(s, (size_t)(p - s), norm, sizeof(norm)))
		return;         /* pip refuses it */
	r->name = ar_strdup(AR(pa), norm);
	while (isspace((unsigned char)*p))
		p++;
	if (*p == '[') {
		const char *close = strchr(p, ']');

		p = close ? close + 1 : p + strlen(p);
		while (isspace((unsigned char)*p))
			p++;
	}
	if (*p == '@') {
		p++;
		while (isspace((unsigned char)*p))
			p++;
		n = strcspn(p, " \t;");
		r->url = ar_strndup(AR(pa), p, n);
		r->from_index = false;
		return;
	}
	r->from_index = true;
	spec = p + (*p == '(');
	n = strcspn(spec, ";)");
	version_pin(pa, spec, n, r);
}

/* "name [extras] @ url": PEP 508's direct reference */
static bool is_direct_reference(const char *s)
{
	const char *p = s;

	while (isalnum((unsigned char)*p) || *p == '-' || *p == '_' || *p == '.')
		p++;
	if (p == s)
		return false;
	while (isspace((unsigned char)*p))
		p++;
	if (*p == '[') {
		p = strchr(p, ']');
		if (!p)
			return false;
		p++;
		while (isspace((unsigned char)*p))
			p++;
	}
	return *p == '@';
}

static bool archive_exists(const struct sp_pipargs *pa, const char *s)
{
	char path[4096];
	struct stat st;

	if (s[0] == '/')
		snprintf(path, sizeof(path), "%s", s);
	else if (snprintf(path, sizeof(path), "%s/%s", pa->cwd ? pa->cwd : ".", s) >= (int)sizeof(path))
		return false;
	return stat(path, &st) == 0;
}

int sp_req_parse(struct sp_pipargs *pa, const char *text, struct sp_req *r)
{
	const char *s = text;

	while (isspace((unsigned char)*s))
		s++;
	r->text = ar_strdup(AR(pa), s);
	if (!r->text)
		return -ENOMEM;
	if (url_scheme_len(s) || strncmp(s, "git+", 4) == 0 || strncmp(s, "hg+", 3) == 0 ||
	    strncmp(s, "svn+", 4) == 0 || strncmp(s, "bzr+", 4) == 0) {
		r->url = r->text;
		name_from_egg(pa, s, r);
		if (!r->name)
			name_from_archive(pa, s, r);
	} else if (is_direct_reference(s)) {
		parse_pep508(pa, s, r);
	} else if (looks_like_path(s) || archive_exists(pa, s)) {
		/* a project directory or an archive: named by its file name when it can be */
		r->url = r->text;
		name_from_archive(pa, s, r);
	} else {
		parse_pep508(pa, s, r);
	}
	return 0;
}

static int add_req(struct rctx *c, const char *text, const struct sp_loc *loc, bool constraint,
		   bool editable)
{
	struct sp_pipargs *pa = c->pa;
	struct sp_req *r;
	int ret;

	if (pa->nreqs >= SP_REQS_MAX)
		return perr(c->err, loc->file, loc->line, 0, "too many requirements (more than %d)",
			    SP_REQS_MAX);
	if (pa->nreqs == pa->capreqs) {
		size_t cap = pa->capreqs ? pa->capreqs * 2 : 16;
		struct sp_req *v = realloc(pa->reqs, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		pa->reqs = v;
		pa->capreqs = cap;
	}
	r = &pa->reqs[pa->nreqs];
	memset(r, 0, sizeof(*r));
	r->loc = *loc;
	r->constraint = constraint;
	r->editable = editable;
	if (editable && !url_scheme_len(text) && !strchr(text, '+')) {
		/* a local project: its name is not known before it is built */
		r->text = r->url = ar_strdup(AR(pa), text);
		ret = r->text ? 0 : -ENOMEM;
	} else {
		ret = sp_req_parse(pa, text, r);
	}
	if (ret < 0)
		return ret;
	if (editable)
		r->from_index = false;
	pa->nreqs++;
	return 0;
}

const char *sp_pipargs_constraint_pin(const struct sp_pipargs *pa, const char *name)
{
	const char *pin = NULL;

	for (size_t i = 0; i < pa->nreqs; i++)
		if (pa->reqs[i].constraint && pa->reqs[i].name && pa->reqs[i].version &&
		    strcmp(pa->reqs[i].name, name) == 0)
			pin = pa->reqs[i].version;
	return pin;
}

/* ------------------------------------------------------------- options */

static int read_reqfile(struct rctx *c, const char *path, const char *base_dir, bool constraint,
			const struct sp_loc *from);

/* What an option does, wherever it is written (command line or file). */
static int apply_option(struct rctx *c, const char *opt, const char *val, const struct sp_loc *loc,
			const char *base_dir)
{
	struct sp_pipargs *pa = c->pa;

	if (!strcmp(opt, "-r") || !strcmp(opt, "--requirement"))
		return read_reqfile(c, val, base_dir, false, loc);
	if (!strcmp(opt, "-c") || !strcmp(opt, "--constraint"))
		return read_reqfile(c, val, base_dir, true, loc);
	if (!strcmp(opt, "-e") || !strcmp(opt, "--editable"))
		return add_req(c, val, loc, false, true);
	if (!strcmp(opt, "-i") || !strcmp(opt, "--index-url") || !strcmp(opt, "--pypi-url"))
		return (pa->index_url = ar_strdup(AR(pa), val)) ? 0 : -ENOMEM;
	if (!strcmp(opt, "--extra-index-url"))
		return strv_push(pa, &pa->extra_index_urls, val, strlen(val));
	if (!strcmp(opt, "-f") || !strcmp(opt, "--find-links"))
		return strv_push(pa, &pa->find_links, val, strlen(val));
	if (!strcmp(opt, "--trusted-host"))
		return strv_push(pa, &pa->trusted_hosts, val, strlen(val));
	if (!strcmp(opt, "--no-index"))
		pa->no_index = true;
	if (!strcmp(opt, "--isolated"))
		pa->isolated = true;
	return 0;
}

static bool takes_value(const char *opt, size_t len)
{
	if (len == 2 && opt[0] == '-' && opt[1] != '-')
		return strchr(valued_short, opt[1]) != NULL;
	for (size_t i = 0; i < ARRAY_SIZE(valued_long); i++)
		if (strlen(valued_long[i]) == len && strncmp(valued_long[i], opt, len) == 0)
			return true;
	return false;
}

/*
 * Options and arguments of argv[0..argc): options are applied, other
 * arguments are requirements (after the command word on the command line).
 * Short options bundle as in optparse: "-Ur x" is -U then -r x.
 */
static int parse_args(struct rctx *c, int argc, char *const *argv, bool cmdline,
		      const struct sp_loc *fileloc, const char *base_dir)
{
	bool opts_done = false;
	int r = 0;

	for (int i = 0; i < argc && r == 0; i++) {
		const char *a = argv[i];
		struct sp_loc loc = fileloc ? *fileloc : (struct sp_loc){ "command line", (unsigned)i + 1, 0 };

		if (opts_done || a[0] != '-' || a[1] == '\0') {
			if (cmdline && !c->pa->command)
				c->pa->command = a;
			else if (cmdline)
				r = add_req(c, a, &loc, false, false);
			continue;
		}
		if (strcmp(a, "--") == 0) {
			opts_done = true;
			continue;
		}
		if (a[1] == '-') {
			const char *eq = strchr(a, '=');
			size_t ol = eq ? (size_t)(eq - a) : strlen(a);
			char opt[64];

			if (ol >= sizeof(opt))
				continue;
			memcpy(opt, a, ol);
			opt[ol] = '\0';
			if (!eq && takes_value(a, ol)) {
				if (i + 1 >= argc)
					break;  /* pip complains itself */
				r = apply_option(c, opt, argv[++i], &loc, base_dir);
			} else {
				r = apply_option(c, opt, eq ? eq + 1 : "", &loc, base_dir);
			}
			continue;
		}
		for (const char *s = a + 1; *s && r == 0; s++) {
			char opt[3] = { '-', *s, '\0' };

			if (!strchr(valued_short, *s)) {
				r = apply_option(c, opt, "", &loc, base_dir);
				continue;
			}
			if (s[1])
				r = apply_option(c, opt, s + 1, &loc, base_dir);
			else if (i + 1 < argc)
				r = apply_option(c, opt, argv[++i], &loc, base_dir);
			break;
		}
	}
	return r;
}

/* ------------------------------------------------------- requirement files */

/* pip's shlex.split() of the options part of a line, into words. */
static int split_words(char *s, char **words, int max)
{
	int n = 0;

	while (*s) {
		char *w = s, *o = s;
		char q = 0;

		while (isspace((unsigned char)*s))
			s++;
		if (!*s)
			break;
		w = o = s;
		while (*s && (q || !isspace((unsigned char)*s))) {
			if (!q && (*s == '"' || *s == '\'')) {
				q = *s++;
			} else if (q && *s == q) {
				q = 0;
				s++;
			} else if (*s == '\\' && s[1] && q != '\'') {
				s++;
				*o++ = *s++;
			} else {
				*o++ = *s++;
			}
		}
		if (*s)
			s++;
		*o = '\0';
		if (n == max)
			return -E2BIG;
		words[n++] = w;
	}
	return n;
}

#define LINE_WORDS_MAX 256

/*
 * One logical line, comments stripped: requirement args up to the first
 * word starting with '-', then options (pip's break_args_options).
 */
static int parse_line(struct rctx *c, char *line, const struct sp_loc *loc, bool constraint,
		      const char *base_dir)
{
	char *words[LINE_WORDS_MAX];
	char *p = line, *opts;
	int n;

	/* args are separated by single spaces as pip splits them */
	while (*p) {
		if (*p == '-' && (p == line || p[-1] == ' '))
			break;
		p++;
	}
	opts = p;
	if (p > line) {
		/*
		 * A requirement line.  Its options (--hash, --config-settings)
		 * change no name, and pip ignores -r/-c written after a
		 * requirement, so they are not looked at.
		 */
		*p = '\0';
		while (p > line && isspace((unsigned char)p[-1]))
			*--p = '\0';
		return add_req(c, line, loc, constraint, false);
	}
	n = split_words(opts, words, LINE_WORDS_MAX);
	if (n < 0)
		return perr(c->err, loc->file, loc->line, 0, "too many words on one line");
	return parse_args(c, n, words, false, loc, base_dir);
}

/* ${NAME} with NAME of [A-Z0-9_], from the environment, as pip does. */
static int expand_env(struct rctx *c, const char *in, char *out, size_t outlen)
{
	size_t o = 0;

	while (*in) {
		const char *end;
		size_t nl = 0;

		if (in[0] == '$' && in[1] == '{') {
			end = in + 2;
			while (isupper((unsigned char)*end) || isdigit((unsigned char)*end) || *end == '_')
				end++;
			nl = *end == '}' && end > in + 2 ? (size_t)(end - in - 2) : 0;
		}
		if (nl) {
			char name[256];
			const char *v;

			if (nl < sizeof(name)) {
				memcpy(name, in + 2, nl);
				name[nl] = '\0';
				v = c->env->getenv(name);
				if (v && *v) {
					size_t vl = strlen(v);

					if (o + vl >= outlen)
						return -E2BIG;
					memcpy(out + o, v, vl);
					o += vl;
					in += nl + 3;
					continue;
				}
			}
		}
		if (o + 1 >= outlen)
			return -E2BIG;
		out[o++] = *in++;
	}
	out[o] = '\0';
	return 0;
}

/* pip's COMMENT_RE: (^|\s+)#.*$ */
static void strip_comment(char *l)
{
	for (char *p = l; *p; p++) {
		if (*p == '#' && (p == l || isspace((unsigned char)p[-1]))) {
			*p = '\0';
			break;
		}
	}
}

static bool is_comment_line(const char *l)
{
	while (isspace((unsigned char)*l))
		l++;
	return *l == '#';
}

/* One logical line (continuations joined): comments, ${VAR}, then parse_line(). */
static int logical_line(struct rctx *c, char *joined, char *exp, const struct sp_loc *loc,
			bool constraint, const char *base_dir)
{
	char *s = exp;

	strip_comment(joined);
	if (expand_env(c, joined, exp, SP_REQ_LINE_MAX) < 0)
		return perr(c->err, loc->file, loc->line, 0, "line too long after ${VAR} expansion");
	while (isspace((unsigned char)*s))
		s++;
	return *s ? parse_line(c, s, loc, constraint, base_dir) : 0;
}

static int parse_buffer(struct rctx *c, const char *buf, size_t len, const char *file,
			const char *base_dir, bool constraint)
{
	char *joined = malloc(SP_REQ_LINE_MAX), *exp = malloc(SP_REQ_LINE_MAX);
	struct sp_loc loc = { ar_strdup(AR(c->pa), file), 0, 1 };
	size_t jl = 0, off = 0;
	unsigned lineno = 0;
	int r = 0;

	if (!joined || !exp || !loc.file) {
		r = -ENOMEM;
		goto out;
	}
	while (off < len && r == 0) {
		const char *l = buf + off, *nl = memchr(l, '\n', len - off);
		size_t n = nl ? (size_t)(nl - l) : len - off;

		off += n + 1;
		lineno++;
		if (n && l[n - 1] == '\r')
			n--;
		if (jl == 0)
			loc.line = lineno;
		if (jl + n + 1 >= SP_REQ_LINE_MAX) {
			r = perr(c->err, file, loc.line, 0, "line too long (more than %d bytes)", SP_REQ_LINE_MAX);
			break;
		}
		memcpy(joined + jl, l, n);
		jl += n;
		joined[jl] = '\0';
		/* "\" at the end joins the next line, except on a comment line */
		if (n && l[n - 1] == '\\' && !is_comment_line(joined)) {
			joined[--jl] = '\0';
			continue;
		}
		r = logical_line(c, joined, exp, &loc, constraint, base_dir);
		jl = 0;
	}
	if (r == 0 && jl)
		r = logical_line(c, joined, exp, &loc, constraint, base_dir);
out:
	free(joined);
	free(exp);
	return r;
}

static int load_file(struct rctx *c, const char *path, const struct sp_loc *from, char **out,
		     size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	struct stat st;
	ssize_t n;
	char *buf;
	int r;

	if (fd < 0) {
		r = -errno;
		perr(c->err, from->file, from->line, from->col, "cannot open requirements file %s: %s",
		     path, strerror(-r));
		return -EINVAL;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > SP_REQ_FILE_MAX) {
		close(fd);
		return perr(c->err, from->file, from->line, from->col,
			    "requirements file %s is not a regular file of at most %u bytes", path,
			    SP_REQ_FILE_MAX);
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	do
		n = read(fd, buf, (size_t)st.st_size + 1);
	while (n < 0 && errno == EINTR);
	close(fd);
	if (n < 0 || n > st.st_size) {
		free(buf);
		return perr(c->err, from->file, from->line, from->col,
			    "cannot read requirements file %s (unreadable, or it changed)", path);
	}
	*out = buf;
	*len = (size_t)n;
	return 0;
}

/*
 * A -r/-c file: relative to the directory of the file naming it (pip's
 * rule), the working directory for the command line.  file: URLs are
 * read; http(s) ones are refused: safe-pip does not fetch anything and
 * cannot check what it has not read.
 */
static int read_reqfile(struct rctx *c, const char *name, const char *base_dir, bool constraint,
			const struct sp_loc *from)
{
	char path[4096], dir[4096];
	char *buf = NULL;
	size_t len = 0;
	int r;

	if (strncmp(name, "file://", 7) == 0)
		name += 7;
	else if (url_scheme_len(name))
		return perr(c->err, from->file, from->line, from->col,
			    "cannot check the requirements file %s before pip runs: download it and pass "
			    "the local file", name);
	if (c->depth >= SP_REQ_DEPTH_MAX)
		return perr(c->err, from->file, from->line, from->col,
			    "requirement files nested more than %d deep (a cycle?)", SP_REQ_DEPTH_MAX);
	if (c->pa->nfiles >= SP_REQ_FILES_MAX)
		return perr(c->err, from->file, from->line, from->col,
			    "more than %d requirement files", SP_REQ_FILES_MAX);
	if (name[0] == '/')
		r = snprintf(path, sizeof(path), "%s", name);
	else
		r = snprintf(path, sizeof(path), "%s/%s", base_dir, name);
	if (r < 0 || (size_t)r >= sizeof(path))
		return perr(c->err, from->file, from->line, from->col, "path too long: %s", name);
	c->pa->nfiles++;
	r = load_file(c, path, from, &buf, &len);
	if (r < 0)
		return r;
	snprintf(dir, sizeof(dir), "%s", path);
	*strrchr(dir, '/') = '\0';
	if (!dir[0])
		strcpy(dir, "/");
	c->depth++;
	r = parse_buffer(c, buf, len, path, dir, constraint);
	c->depth--;
	free(buf);
	return r;
}

int sp_pipargs_parse(struct sp_pipargs *pa, int argc, char *const *argv,
		     const struct sp_pipargs_env *env, struct sp_errors *err)
{
	struct sp_pipargs_env e = { sys_getenv, NULL };
	struct rctx c = { .pa = pa, .env = &e, .err = err };
	char cwd[4096];

	memset(pa, 0, sizeof(*pa));
	if (env && env->getenv)
		e.getenv = env->getenv;
	if (env && env->cwd)
		snprintf(cwd, sizeof(cwd), "%s", env->cwd);
	else if (!getcwd(cwd, sizeof(cwd)))
		snprintf(cwd, sizeof(cwd), ".");
	pa->ar = calloc(1, sizeof(*pa->ar));
	if (!pa->ar || !(pa->cwd = ar_strdup(AR(pa), cwd)))
		return -ENOMEM;
	return parse_args(&c, argc, argv, true, NULL, pa->cwd);
}

void sp_pipargs_free(struct sp_pipargs *pa)
{
	if (pa->ar)
		ar_free(&pa->ar->a);
	free(pa->ar);
	free(pa->reqs);
	free(pa->extra_index_urls.v);
	free(pa->find_links.v);
	free(pa->trusted_hosts.v);
	memset(pa, 0, sizeof(*pa));
}
