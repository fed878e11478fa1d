// SPDX-License-Identifier: MIT
/*
 * pip's configuration, as far as it decides where pip downloads from.
 * See pipconf.h for the order of precedence (pip/_internal/configuration.py
 * and ConfigOptionParser._update_defaults in pip 23).
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
#include "policy/pipconf.h"

static const char *sys_getenv(const char *name)
{
	return getenv(name);
}

enum ckey { K_INDEX_URL, K_EXTRA_INDEX_URL, K_FIND_LINKS, K_TRUSTED_HOST, K_NO_INDEX, K_MAX };

static const char *const key_names[K_MAX] = {
	"index-url", "extra-index-url", "find-links", "trusted-host", "no-index",
};
static const char *const env_names[K_MAX] = {
	"PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL", "PIP_FIND_LINKS", "PIP_TRUSTED_HOST", "PIP_NO_INDEX",
};

/* Values by section (0 [global], 1 the command's) and key; later files win. */
struct conf {
	char *v[2][K_MAX];
};

static void conf_free(struct conf *c)
{
	for (int s = 0; s < 2; s++)
		for (int k = 0; k < K_MAX; k++)
			free(c->v[s][k]);
}

/* pip's _normalize_name(): lower case, '_' as '-', no leading "--". */
static int key_of(const char *k, size_t n)
{
	char buf[64];

	while (n >= 2 && k[0] == '-' && k[1] == '-') {
		k += 2;
		n -= 2;
	}
	if (n >= sizeof(buf))
		return -1;
	for (size_t i = 0; i < n; i++)
		buf[i] = k[i] == '_' ? '-' : (char)tolower((unsigned char)k[i]);
	buf[n] = '\0';
	for (int i = 0; i < K_MAX; i++)
		if (strcmp(buf, key_names[i]) == 0)
			return i;
	return -1;
}

static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

/* Append a continuation line to the value being read. */
static int append_value(char **v, const char *more)
{
	size_t a = strlen(*v), b = strlen(more);
	char *n = realloc(*v, a + b + 2);

	if (!n)
		return -ENOMEM;
	n[a] = '\n';
	memcpy(n + a + 1, more, b + 1);
	*v = n;
	return 0;
}

/* An INI file as configparser reads it; only the keys of interest are kept. */
static int parse_ini(struct conf *c, char *buf, const char *cmd)
{
	int sect = -1, cur_key = -1;
	char *save = NULL;

	for (char *l = strtok_r(buf, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		char *t = trim(l), *sep;
		size_t kl;

		if (*t == '\0' || *t == '#' || *t == ';')
			continue;
		if (isspace((unsigned char)l[0]) && cur_key >= 0 && sect >= 0) {
			if (append_value(&c->v[sect][cur_key], t) < 0)
				return -ENOMEM;
			continue;
		}
		cur_key = -1;
		if (*t == '[') {
			char *close = strchr(t, ']');

			if (close)
				*close = '\0';
			sect = strcmp(t + 1, "global") == 0 ? 0 : cmd && strcmp(t + 1, cmd) == 0 ? 1 : -1;
			continue;
		}
		sep = t + strcspn(t, "=:");
		if (!*sep || sect < 0)
			continue;
		kl = (size_t)(sep - t);
		while (kl > 0 && isspace((unsigned char)t[kl - 1]))
			kl--;
		cur_key = key_of(t, kl);
		if (cur_key < 0)
			continue;
		free(c->v[sect][cur_key]);
		c->v[sect][cur_key] = strdup(trim(sep + 1));
		if (!c->v[sect][cur_key])
			return -ENOMEM;
	}
	return 0;
}

static int read_conf_file(struct conf *c, const char *path, const char *cmd)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	struct stat st;
	char *buf;
	ssize_t n;
	int r;

	if (fd < 0)
		return 0;       /* missing or unreadable: pip skips it too */
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > SP_PIPCONF_FILE_MAX) {
		close(fd);
		return 0;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	do
		n = read(fd, buf, (size_t)st.st_size);
	while (n < 0 && errno == EINTR);
	close(fd);
	if (n < 0) {
		free(buf);
		return 0;
	}
	buf[n] = '\0';
	r = parse_ini(c, buf, cmd);
	free(buf);
	return r;
}

static int read_conf_files(struct conf *c, const struct sp_pipargs *pa,
			   const struct sp_pipconf_env *env, const char *(*ge)(const char *))
{
	const char *pcf = ge("PIP_CONFIG_FILE"), *xdg_dirs = ge("XDG_CONFIG_DIRS"),
		   *xdg_home = ge("XDG_CONFIG_HOME");
	char path[4096];
	struct stat st;
	bool pcf_exists = pcf && *pcf && stat(pcf, &st) == 0;
	int r = 0;

	if (pcf && strcmp(pcf, "/dev/null") == 0)
		return 0;       /* pip loads no file at all then */
	/* global: each of $XDG_CONFIG_DIRS (default /etc/xdg), then /etc */
	if (!xdg_dirs || !*xdg_dirs)
		xdg_dirs = "/etc/xdg";
	for (const char *d = xdg_dirs; *d && r == 0;) {
		size_t n = strcspn(d, ":");

		if (n > 0 && snprintf(path, sizeof(path), "%.*s/pip/pip.conf", (int)n, d) < (int)sizeof(path))
			r = read_conf_file(c, path, pa->command);
		d += n + (d[n] == ':');
	}
	if (r == 0) {
		snprintf(path, sizeof(path), "%s/pip.conf", env->etc ? env->etc : "/etc");
		r = read_conf_file(c, path, pa->command);
	}
	if (r == 0 && !pa->isolated && !pcf_exists && env->home) {
		snprintf(path, sizeof(path), "%s/.pip/pip.conf", env->home);
		r = read_conf_file(c, path, pa->command);
		if (r == 0) {
			if (xdg_home && *xdg_home)
				snprintf(path, sizeof(path), "%s/pip/pip.conf", xdg_home);
			else
				snprintf(path, sizeof(path), "%s/.config/pip/pip.conf", env->home);
			r = read_conf_file(c, path, pa->command);
		}
	}
	if (r == 0 && env->prefix) {
		snprintf(path, sizeof(path), "%s/pip.conf", env->prefix);
		r = read_conf_file(c, path, pa->command);
	}
	if (r == 0 && pcf && *pcf)
		r = read_conf_file(c, pcf, pa->command);
	return r;
}

/* ---------------------------------------------------------------- hosts */

static int add_host(struct sp_hosts *h, const char *host)
{
	for (size_t i = 0; i < h->n; i++)
		if (strcmp(h->v[i], host) == 0)
			return 0;
	if (h->n >= SP_INDEX_HOSTS_MAX)
		return -E2BIG;
	h->v[h->n] = strdup(host);
	if (!h->v[h->n])
		return -ENOMEM;
	h->n++;
	return 0;
}

static int add_url(struct sp_hosts *h, const char *url)
{
	char host[256];

	return sp_url_host(url, host, sizeof(host)) ? add_host(h, host) : 0;
}

/* "host" or "host:port" (pip's --trusted-host) */
static int add_trusted(struct sp_hosts *h, const char *s)
{
	char host[256];
	size_t n = s[0] == '[' ? strcspn(s + 1, "]") : strcspn(s, ":");
	const char *b = s[0] == '[' ? s + 1 : s;

	if (n == 0 || n >= sizeof(host))
		return 0;
	for (size_t i = 0; i < n; i++)
		host[i] = (char)tolower((unsigned char)b[i]);
	host[n] = '\0';
	return add_host(h, host);
}

/* Each whitespace-separated word of a configured value. */
static int each_word(struct sp_hosts *h, const char *v, int (*fn)(struct sp_hosts *, const char *))
{
	char w[4096];
	int r = 0;

	while (v && *v && r == 0) {
		size_t n;

		while (isspace((unsigned char)*v))
			v++;
		n = strcspn(v, " \t\r\n");
		if (n == 0)
			break;
		if (n < sizeof(w)) {
			memcpy(w, v, n);
			w[n] = '\0';
			r = fn(h, w);
		}
		v += n;
	}
	return r;
}

static bool truthy(const char *v)
{
	static const char *const yes[] = { "1", "yes", "true", "on", "y", "t" };

	for (size_t i = 0; v && i < ARRAY_SIZE(yes); i++)
		if (strcasecmp(v, yes[i]) == 0)
			return true;
	return false;
}

static int strv_each(struct sp_hosts *h, const struct sp_strv *v,
		     int (*fn)(struct sp_hosts *, const char *))
{
	int r = 0;

	for (size_t i = 0; i < v->n && r == 0; i++)
		r = fn(h, v->v[i]);
	return r;
}

/* Hosts of the direct URL requirements (name @ URL, archives, VCS). */
static int add_req_urls(struct sp_hosts *h, const struct sp_pipargs *pa)
{
	int r = 0;

	for (size_t i = 0; i < pa->nreqs && r == 0; i++) {
		const char *u = pa->reqs[i].url;
		const char *plus = u ? strchr(u, '+') : NULL;

		if (!u)
			continue;
		/* git+https://host/...: the URL after the VCS prefix */
		if (plus && plus < strstr(u, "://"))
			u = plus + 1;
		r = add_url(h, u);
	}
	return r;
}

int sp_pip_index_hosts(const struct sp_pipargs *pa, const struct sp_pipconf_env *env,
		       struct sp_hosts *out, struct sp_errors *err)
{
	const char *(*ge)(const char *) = env->getenv ? env->getenv : sys_getenv;
	struct conf c = { 0 };
	const char *v[K_MAX];
	const char *index_url;
	bool no_index;
	int r;

	memset(out, 0, sizeof(*out));
	r = read_conf_files(&c, pa, env, ge);
	if (r < 0)
		goto out;
	for (int k = 0; k < K_MAX; k++) {
		const char *e = pa->isolated ? NULL : ge(env_names[k]);

		v[k] = e && *e ? e : c.v[1][k] ? c.v[1][k] : c.v[0][k];
	}
	index_url = pa->index_url ? pa->index_url : v[K_INDEX_URL];
	no_index = pa->no_index || truthy(v[K_NO_INDEX]);
	if (!no_index) {
		char host[256];

		if (!index_url)
			index_url = "https://pypi.org/simple";
		r = add_url(out, index_url);
		/* pypi.org's index links to its files on files.pythonhosted.org */
		if (r == 0 && sp_url_host(index_url, host, sizeof(host)) && strcmp(host, "pypi.org") == 0)
			r = add_host(out, "files.pythonhosted.org");
		if (r == 0)
			r = each_word(out, v[K_EXTRA_INDEX_URL], add_url);
		if (r == 0)
			r = strv_each(out, &pa->extra_index_urls, add_url);
	}
	if (r == 0)
		r = each_word(out, v[K_FIND_LINKS], add_url);
	if (r == 0)
		r = strv_each(out, &pa->find_links, add_url);
	if (r == 0)
		r = each_word(out, v[K_TRUSTED_HOST], add_trusted);
	if (r == 0)
		r = strv_each(out, &pa->trusted_hosts, add_trusted);
	if (r == 0)
		r = add_req_urls(out, pa);
	if (r == -E2BIG)
		r = perr(err, NULL, 0, 0, "pip is configured with more than %d index hosts",
			 SP_INDEX_HOSTS_MAX);
out:
	conf_free(&c);
	if (r < 0)
		sp_hosts_free(out);
	return r;
}

void sp_hosts_free(struct sp_hosts *h)
{
	for (size_t i = 0; i < h->n; i++)
		free(h->v[i]);
	h->n = 0;
}
