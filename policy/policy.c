// SPDX-License-Identifier: MIT
/*
 * The policy object: layers in order, lock checks, the effective settings.
 * Lists are additive across layers; settings are overridden by later
 * layers; a locked layer forbids every later weakening (see check_locks).
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "policy/internal.h"

#define CLI_ALLOW_NAME "--allow"

bool sp_name_normalize(const char *in, size_t len, char *out, size_t outlen)
{
	size_t o = 0;
	bool sep = false;

	if (len == 0 || !isalnum((unsigned char)in[0]) || !isalnum((unsigned char)in[len - 1]))
		return false;
	for (size_t i = 0; i < len; i++) {
		char ch = in[i];

		if (ch == '-' || ch == '_' || ch == '.') {
			sep = true;
			continue;
		}
		if (!isalnum((unsigned char)ch))
			return false;
		if (o + 2 >= outlen)
			return false;
		if (sep)
			out[o++] = '-';
		sep = false;
		out[o++] = (char)tolower((unsigned char)ch);
	}
	out[o] = '\0';
	return true;
}

struct sp_policy *sp_policy_new(const struct sp_policy_env *env)
{
	struct sp_policy *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	for (unsigned i = 0, n = 0; env && i < SP_HOMES_MAX && env->homes[i]; i++) {
		bool dup = false;

		for (unsigned j = 0; j < n; j++)
			dup |= strcmp(p->env.homes[j], env->homes[i]) == 0;
		if (dup || env->homes[i][0] != '/')
			continue;
		if (!(p->env.homes[n++] = ar_strdup(&p->ar, env->homes[i])))
			goto fail;
	}
	/* what an empty policy means; the embedded default sets all of it */
	p->mode = SP_MODE_ENFORCE;
	p->threshold = 100;
	p->rules = ar_alloc(&p->ar, sp_nrules * sizeof(*p->rules));
	p->pkg_by_name = hmap_new();
	p->host_exact = hmap_new();
	p->host_suffix = hmap_new();
	p->addr_by_prefix = hmap_new();
	for (int k = 0; k < EK_MAX; k++) {
		p->path_by_dir[k] = hmap_new();
		p->name_exact[k] = hmap_new();
		if (!p->path_by_dir[k] || !p->name_exact[k])
			goto fail;
	}
	if (!p->rules || !p->pkg_by_name || !p->host_exact || !p->host_suffix || !p->addr_by_prefix)
		goto fail;
	for (size_t i = 0; i < sp_nrules; i++)
		p->rules[i].enabled = true;
	return p;
fail:
	sp_policy_free(p);
	errno = ENOMEM;
	return NULL;
}

static void layer_free(struct layer *l)
{
	if (!l)
		return;
	ptrvec_free(&l->entries);
	ar_free(&l->ar);
	free(l);
}

void sp_policy_free(struct sp_policy *p)
{
	if (!p)
		return;
	for (unsigned i = 0; i < p->nlayers; i++)
		layer_free(p->layers[i]);
	index_free(p);
	for (size_t i = 0; i < p->nindex_hosts; i++)
		free(p->index_hosts[i]);
	free(p->index_hosts);
	sp_popular_free(p->popular);
	ar_free(&p->ar);
	free(p);
}

/* ---------------------------------------------------------------- locks */

struct lockctx {
	const struct sp_policy *p;
	const struct layer *lock;       /* the latest locked layer */
	const struct layer *l;          /* the layer being added */
	struct sp_errors *err;
	int r;
};

static void lock_err(struct lockctx *c, const struct sp_loc *at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* "FILE:L:C: <what> would weaken the locked policy LOCKFILE (locked at LOCKFILE:L)" */
static void lock_err(struct lockctx *c, const struct sp_loc *at, const char *fmt, ...)
{
	char what[SP_ERR_MSG_MAX / 2];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	perr(c->err, at->file, at->line, at->col,
	     "%s would weaken the locked policy %s (locked at %s:%u): later layers may only add denies, "
	     "lower the threshold and raise weights",
	     what, c->lock->info.name, c->lock->info.lock_loc.file, c->lock->info.lock_loc.line);
	c->r = -EINVAL;
}

static const char *where(const struct sp_loc *l, char *buf, size_t len)
{
	if (!l->file)
		snprintf(buf, len, "built in");
	else if (l->line)
		snprintf(buf, len, "%s:%u", l->file, l->line);
	else
		snprintf(buf, len, "%s", l->file);
	return buf;
}

static void check_rule_locks(struct lockctx *c)
{
	char w[SP_ERR_FILE_MAX + 16];

	for (size_t i = 0; i < sp_nrules; i++) {
		const struct layer_rule *lr = &c->l->rules[i];
		const struct sp_rule_conf *cur = &c->p->rules[i];
		const char *id = sp_rule_defs[i].id;

		if (lr->has_weight && lr->weight < cur->weight)
			lock_err(c, &lr->weight_loc, "lowering the weight of rule %s from %u (%s) to %u", id,
				 cur->weight, where(&cur->weight_loc, w, sizeof(w)), lr->weight);
		if (lr->has_cap && lr->cap < cur->cap)
			lock_err(c, &lr->cap_loc, "lowering the cap of rule %s from %u (%s) to %u", id,
				 cur->cap, where(&cur->cap_loc, w, sizeof(w)), lr->cap);
		if (lr->has_enabled && !lr->enabled && cur->enabled)
			lock_err(c, &lr->enabled_loc, "disabling rule %s", id);
	}
}

static void check_typosquat_locks(struct lockctx *c)
{
	const struct layer *l = c->l;
	const struct sp_typosquat_conf *cur = &c->p->ts;
	char w[SP_ERR_FILE_MAX + 16];

	if (l->has_ts_enabled && !l->ts.enabled && cur->enabled)
		lock_err(c, &l->ts_enabled_loc, "disabling the typosquatting check");
	if (l->has_ts_dist && l->ts.max_distance < cur->max_distance)
		lock_err(c, &l->ts_dist_loc, "lowering typosquat.max_distance from %u (%s) to %u",
			 cur->max_distance, where(&c->p->ts_dist_loc, w, sizeof(w)), l->ts.max_distance);
	if (l->has_ts_topn && l->ts.popular_top_n < cur->popular_top_n)
		lock_err(c, &l->ts_topn_loc, "lowering typosquat.popular_top_n from %u (%s) to %u",
			 cur->popular_top_n, where(&c->p->ts_topn_loc, w, sizeof(w)), l->ts.popular_top_n);
}

static const char *const allow_names[EK_MAX] = {
	[EK_PACKAGE] = "packages.allow", [EK_NET] = "network.allow",
	[EK_WRITE] = "files.allow_write", [EK_EXEC] = "exec.allow", [EK_READ] = "files",
};

/*
 * A layer after a locked one may add denies, lower the threshold, raise
 * weights and caps, enable rules; it may not add allows, switch to
 * monitor mode, raise the threshold, lower a weight or cap, disable a
 * rule or the typosquatting check, or narrow the check (max_distance,
 * popular_top_n).
 */
static int check_locks(const struct sp_policy *p, const struct layer *l, struct sp_errors *err)
{
	struct lockctx c = { .p = p, .l = l, .err = err };
	char w[SP_ERR_FILE_MAX + 16];

	for (unsigned i = p->nlayers; i-- > 0;) {
		if (p->layers[i]->info.locked) {
			c.lock = p->layers[i];
			break;
		}
	}
	if (!c.lock)
		return 0;
	if (l->has_mode && l->mode == SP_MODE_MONITOR && p->mode == SP_MODE_ENFORCE)
		lock_err(&c, &l->mode_loc, "mode: monitor");
	if (l->has_threshold && l->threshold > p->threshold)
		lock_err(&c, &l->threshold_loc, "raising the threshold from %u (%s) to %u", p->threshold,
			 where(&p->threshold_loc, w, sizeof(w)), l->threshold);
	if (l->has_confine && !l->confine && p->confine)
		lock_err(&c, &l->confine_loc, "files.confine_writes: false");
	check_rule_locks(&c);
	check_typosquat_locks(&c);
	for (size_t i = 0; i < l->entries.n; i++) {
		const struct pentry *pe = l->entries.v[i];

		if (pe->e.action == SP_ACT_ALLOW)
			lock_err(&c, &pe->e.loc, "the %s entry '%s'", allow_names[pe->kind], pe->e.text);
	}
	return c.r;
}

/* ---------------------------------------------------------------- merge */

static void apply_settings(struct sp_policy *p, const struct layer *l)
{
	if (l->has_mode) {
		p->mode = l->mode;
		p->mode_loc = l->mode_loc;
	}
	if (l->has_threshold) {
		p->threshold = l->threshold;
		p->threshold_loc = l->threshold_loc;
	}
	p->require |= l->require;
	if (l->has_confine) {
		p->confine = l->confine;
		p->confine_loc = l->confine_loc;
	}
	for (size_t i = 0; i < sp_nrules; i++) {
		const struct layer_rule *lr = &l->rules[i];
		struct sp_rule_conf *rc = &p->rules[i];

		if (lr->has_weight) {
			rc->weight = lr->weight;
			rc->weight_loc = lr->weight_loc;
		}
		if (lr->has_cap) {
			rc->cap = lr->cap;
			rc->cap_loc = lr->cap_loc;
		}
		if (lr->has_enabled) {
			rc->enabled = lr->enabled;
			rc->enabled_loc = lr->enabled_loc;
		}
	}
	if (l->has_ts_enabled) {
		p->ts.enabled = l->ts.enabled;
		p->ts_enabled_loc = l->ts_enabled_loc;
	}
	if (l->has_ts_dist) {
		p->ts.max_distance = l->ts.max_distance;
		p->ts_dist_loc = l->ts_dist_loc;
	}
	if (l->has_ts_topn) {
		p->ts.popular_top_n = l->ts.popular_top_n;
		p->ts_topn_loc = l->ts_topn_loc;
	}
}

/* Check a parsed layer against the policy so far and merge it; frees it on error. */
static int merge_layer(struct sp_policy *p, struct layer *l, struct sp_errors *err)
{
	int r;

	if (p->nlayers >= SP_POLICY_LAYERS_MAX) {
		perr(err, l->info.name, 0, 0, "too many policy layers (at most %d)", SP_POLICY_LAYERS_MAX);
		r = -E2BIG;
		goto fail;
	}
	if (p->nentries + l->entries.n > SP_POLICY_ENTRIES_MAX) {
		perr(err, l->info.name, 0, 0, "too many entries in all policies together (at most %d)",
		     SP_POLICY_ENTRIES_MAX);
		r = -E2BIG;
		goto fail;
	}
	for (size_t i = 0; i < l->entries.n; i++)
		((struct pentry *)l->entries.v[i])->e.layer = p->nlayers;
	r = check_locks(p, l, err);
	if (r < 0)
		goto fail;
	r = index_layer(p, l);
	if (r < 0)
		goto fail;      /* out of memory: the policy is unusable, the caller stops */
	apply_settings(p, l);
	p->layers[p->nlayers++] = l;
	p->nentries += l->entries.n;
	return 0;
fail:
	layer_free(l);
	return r;
}

int sp_policy_add_yaml(struct sp_policy *p, const char *name, const char *buf, size_t len,
		       struct sp_errors *err)
{
	struct layer *l = calloc(1, sizeof(*l));
	const struct ynode *root;
	const char *file;
	int r;

	if (!l)
		return -ENOMEM;
	file = ar_strdup(&l->ar, name);
	if (!file) {
		layer_free(l);
		return -ENOMEM;
	}
	root = yaml_load(&l->ar, file, buf, len, err);
	if (!root) {
		r = errno == ENOMEM ? -ENOMEM : -EINVAL;
		layer_free(l);
		return r;
	}
	r = schema_layer(&l->ar, &p->env, file, root, l, err);
	if (r < 0) {
		layer_free(l);
		return r;
	}
	return merge_layer(p, l, err);
}

/* policy/default.yaml, compiled in by the build (embed.sh) */
extern const char sp_default_yaml_data[];
extern const size_t sp_default_yaml_size;

const char *sp_policy_default_yaml(size_t *len)
{
	*len = sp_default_yaml_size;
	return sp_default_yaml_data;
}

int sp_policy_add_default(struct sp_policy *p, struct sp_errors *err)
{
	size_t len;
	const char *y = sp_policy_default_yaml(&len);

	return sp_policy_add_yaml(p, SP_POLICY_DEFAULT_NAME, y, len, err);
}

static struct layer *new_cli_layer(void)
{
	struct layer *l = calloc(1, sizeof(*l));

	if (!l || !(l->rules = ar_alloc(&l->ar, sp_nrules * sizeof(*l->rules))) ||
	    !(l->info.name = ar_strdup(&l->ar, CLI_ALLOW_NAME))) {
		layer_free(l);
		return NULL;
	}
	return l;
}

/* All --allow options share one layer, the last; a new one is made on the first. */
int sp_policy_allow_cli(struct sp_policy *p, const char *spec, struct sp_errors *err)
{
	struct layer *last = p->nlayers ? p->layers[p->nlayers - 1] : NULL;
	bool fresh = !last || strcmp(last->info.name, CLI_ALLOW_NAME) != 0;
	struct layer *l = fresh ? new_cli_layer() : last;
	struct layer probe = { 0 };
	struct pentry *pe;
	char why[256];
	int r;

	if (!l)
		return -ENOMEM;
	pe = ar_alloc(&l->ar, sizeof(*pe));
	if (!pe || !(pe->e.text = ar_strdup(&l->ar, spec))) {
		r = -ENOMEM;
		goto out;
	}
	r = schema_package_entry(&l->ar, spec, pe, why, sizeof(why));
	if (r == -EINVAL)
		perr(err, CLI_ALLOW_NAME, 0, 0, "%s: '%s'", why, spec);
	if (r < 0)
		goto out;
	pe->e.action = SP_ACT_ALLOW;
	pe->e.loc.file = l->info.name;
	r = ptrvec_push(&l->entries, pe);
	if (r < 0)
		goto out;
	if (fresh) {
		r = merge_layer(p, l, err);
		l = NULL;       /* merge_layer owns it now */
		goto out;
	}
	/* the shared layer is merged already: check and index the new entry alone */
	probe.info = l->info;
	probe.rules = calloc(sp_nrules, sizeof(*probe.rules));
	if (!probe.rules || ptrvec_push(&probe.entries, pe) < 0) {
		r = -ENOMEM;
	} else {
		pe->e.layer = p->nlayers - 1;
		r = check_locks(p, &probe, err);
		if (r == 0)
			r = index_entry(p, pe);
	}
	if (r < 0)
		l->entries.n--;
	else
		p->nentries++;
	free(probe.rules);
	ptrvec_free(&probe.entries);
	l = NULL;
out:
	if (fresh)
		layer_free(l);
	return r;
}

/* ----------------------------------------------------------------- files */

static int read_policy_fd(int fd, const char *path, char **out, size_t *len, struct sp_errors *err)
{
	struct stat st;
	size_t cap, n = 0;
	char *buf;

	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return perr(err, path, 0, 0, "not a regular file (%s)",
			    S_ISDIR(st.st_mode) ? "a directory" : S_ISFIFO(st.st_mode) ? "a FIFO" : "a special file");
	if (st.st_size > SP_POLICY_FILE_MAX) {
		perr(err, path, 0, 0, "file too large (%lld bytes, at most %u)", (long long)st.st_size,
		     SP_POLICY_FILE_MAX);
		return -EFBIG;
	}
	cap = (size_t)st.st_size + 1;
	buf = malloc(cap + 1);
	if (!buf)
		return -ENOMEM;
	/* read up to one byte more than the limit: the file may have grown */
	for (;;) {
		ssize_t k = read(fd, buf + n, cap - n);

		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			int e = errno;

			free(buf);
			return perr(err, path, 0, 0, "cannot read: %s", strerror(e)), -e;
		}
		if (k == 0)
			break;
		n += (size_t)k;
		if (n == cap) {
			char *nb;

			if (cap > SP_POLICY_FILE_MAX) {
				free(buf);
				perr(err, path, 0, 0, "file too large (more than %u bytes)", SP_POLICY_FILE_MAX);
				return -EFBIG;
			}
			cap = cap * 2 > SP_POLICY_FILE_MAX + 1 ? SP_POLICY_FILE_MAX + 1 : cap * 2;
			nb = realloc(buf, cap + 1);
			if (!nb) {
				free(buf);
				return -ENOMEM;
			}
			buf = nb;
		}
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return 0;
}

int sp_policy_add_file(struct sp_policy *p, const char *path, struct sp_errors *err)
{
	/* O_NONBLOCK: opening a FIFO must not wait for a writer */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	char *buf = NULL;
	size_t len = 0;
	int r;

	if (fd < 0) {
		r = -errno;
		perr(err, path, 0, 0, "cannot open policy: %s", strerror(-r));
		return r;
	}
	r = read_policy_fd(fd, path, &buf, &len, err);
	close(fd);
	if (r < 0)
		return r;
	r = sp_policy_add_yaml(p, path, buf, len, err);
	free(buf);
	return r;
}

static int add_if_exists(struct sp_policy *p, const char *path, struct sp_errors *err)
{
	struct stat st;

	if (lstat(path, &st) < 0 && errno == ENOENT)
		return 0;
	return sp_policy_add_file(p, path, err);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* ETC/policy.d/\*.yaml in byte order of their names. */
static int add_dropins(struct sp_policy *p, const char *dir, struct sp_errors *err)
{
	DIR *d = opendir(dir);
	struct ptrvec names = { 0 };
	struct dirent *de;
	int r = 0;

	if (!d) {
		if (errno == ENOENT)
			return 0;
		r = -errno;
		perr(err, dir, 0, 0, "cannot read policy directory: %s", strerror(-r));
		return r;
	}
	while ((de = readdir(d)) != NULL && r == 0) {
		size_t n = strlen(de->d_name);
		char *path;

		if (de->d_name[0] == '.' || n < 6 || strcmp(de->d_name + n - 5, ".yaml") != 0)
			continue;
		if (names.n >= SP_POLICY_LAYERS_MAX) {
			r = perr(err, dir, 0, 0, "too many policy files (more than %d)", SP_POLICY_LAYERS_MAX);
			break;
		}
		path = malloc(strlen(dir) + n + 2);
		if (!path) {
			r = -ENOMEM;
			break;
		}
		sprintf(path, "%s/%s", dir, de->d_name);
		r = ptrvec_push(&names, path);
		if (r < 0)
			free(path);
	}
	closedir(d);
	if (r == 0 && names.n)
		qsort(names.v, names.n, sizeof(names.v[0]), cmp_str);
	for (size_t i = 0; i < names.n; i++) {
		if (r == 0)
			r = sp_policy_add_file(p, names.v[i], err);
		free(names.v[i]);
	}
	ptrvec_free(&names);
	return r;
}

int sp_policy_add_standard(struct sp_policy *p, const char *etc_dir, const char *user_file,
			   struct sp_errors *err)
{
	char *path;
	int r = 0;

	if (etc_dir) {
		path = malloc(strlen(etc_dir) + sizeof("/policy.yaml"));
		if (!path)
			return -ENOMEM;
		sprintf(path, "%s/policy.yaml", etc_dir);
		r = add_if_exists(p, path, err);
		if (r == 0) {
			sprintf(path, "%s/policy.d", etc_dir);
			r = add_dropins(p, path, err);
		}
		free(path);
	}
	if (r == 0 && user_file)
		r = add_if_exists(p, user_file, err);
	return r;
}

/* -------------------------------------------------------------- settings */

int sp_policy_set_index_hosts(struct sp_policy *p, char *const *hosts, size_t n)
{
	char **v = n ? calloc(n, sizeof(*v)) : NULL;

	if (n && !v)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		v[i] = strdup(hosts[i]);
		if (!v[i]) {
			while (i-- > 0)
				free(v[i]);
			free(v);
			return -ENOMEM;
		}
		for (char *c = v[i]; *c; c++)
			*c = (char)tolower((unsigned char)*c);
	}
	for (size_t i = 0; i < p->nindex_hosts; i++)
		free(p->index_hosts[i]);
	free(p->index_hosts);
	p->index_hosts = v;
	p->nindex_hosts = n;
	return 0;
}

unsigned sp_policy_nlayers(const struct sp_policy *p)
{
	return p->nlayers;
}

const struct sp_layer_info *sp_policy_layer(const struct sp_policy *p, unsigned i)
{
	return i < p->nlayers ? &p->layers[i]->info : NULL;
}

enum sp_mode sp_policy_mode(const struct sp_policy *p)
{
	return p->mode;
}

unsigned sp_policy_threshold(const struct sp_policy *p)
{
	return p->threshold;
}

unsigned sp_policy_require(const struct sp_policy *p)
{
	return p->require;
}

const struct sp_loc *sp_policy_require_loc(const struct sp_policy *p, unsigned sensor)
{
	unsigned w = 0;

	while (w < SP_REQUIRE_N && sensor != 1u << w)
		w++;
	for (unsigned i = 0; w < SP_REQUIRE_N && i < p->nlayers; i++)
		if (p->layers[i]->require & sensor)
			return &p->layers[i]->require_loc[w];
	return NULL;
}

bool sp_policy_confine_writes(const struct sp_policy *p, struct sp_loc *loc)
{
	if (loc)
		*loc = p->confine_loc;
	return p->confine;
}

const struct sp_rule_conf *sp_policy_rule(const struct sp_policy *p, const char *id)
{
	int i = rule_index(id);

	if (i < 0) {
		errno = ENOENT;
		return NULL;
	}
	return &p->rules[i];
}

const struct sp_typosquat_conf *sp_policy_typosquat(const struct sp_policy *p)
{
	return &p->ts;
}

/* ----------------------------------------------------------- name checks */

int sp_policy_check_name(struct sp_policy *p, const char *name, const char *version,
			 unsigned flags, struct sp_name_check *out)
{
	char norm[SP_PKGNAME_MAX];
	struct sp_squat sq;

	memset(out, 0, sizeof(*out));
	if (!sp_name_normalize(name, strlen(name), norm, sizeof(norm)))
		return -EINVAL;
	out->entry = sp_policy_match_package(p, norm, version);
	if (out->entry) {
		out->verdict = out->entry->action == SP_ACT_DENY ? SP_NAME_DENIED : SP_NAME_ALLOWED;
		return 0;
	}
	if (!p->ts.enabled || !(flags & SP_CHECK_TYPOSQUAT))
		return 0;
	if (!p->popular) {
		p->popular = sp_popular_embedded();
		/* never -EINVAL, which says the name is not one */
		if (!p->popular)
			return errno == ENOMEM ? -ENOMEM : -EIO;
	}
	out->rank = sp_popular_rank(p->popular, norm);
	if (sp_typosquat_check(p->popular, &p->ts, norm, &sq)) {
		out->verdict = SP_NAME_TYPOSQUAT;
		snprintf(out->intended, sizeof(out->intended), "%s", sq.intended);
		out->intended_rank = sq.intended_rank;
		out->why = sq.why;
	}
	return 0;
}

void sp_policy_unload_popular(struct sp_policy *p)
{
	sp_popular_free(p->popular);
	p->popular = NULL;
}
