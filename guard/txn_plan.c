// SPDX-License-Identifier: MIT
/*
 * Where a pip command writes.  A mistake here does not weaken the guard
 * (writes outside the target are still staged in staged mode, and seen by
 * the kernel), but files pip writes where the plan does not expect them
 * are reported instead of committed, so follow pip closely.
 */
#include "guard/txn_plan.h"

#include <ctype.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>

#include "guard/fsutil.h"
#include "guard/util.h"

extern char **environ;

enum field {
	F_NONE, F_TARGET, F_PREFIX, F_ROOT, F_USER, F_NO_USER, F_CACHE_DIR, F_NO_CACHE,
	F_SRC, F_LOG, F_REPORT, F_DEST, F_WHEEL_DIR, F_ISOLATED, F_PYTHON, F_EDITABLE,
};

#define C_I 1u          /* install */
#define C_D 2u          /* download */
#define C_W 4u          /* wheel */
#define C_ALL 7u
#define C_GEN 8u        /* a general option: valid before the command too */

struct pip_opt {
	const char *lng;
	char shrt;
	bool valued;
	enum field field;
	unsigned cmds;
};

/* Every option of pip 23.2's install, download and wheel commands. */
static const struct pip_opt pip_opts[] = {
	{ "--requirement", 'r', true, F_NONE, C_ALL },
	{ "--constraint", 'c', true, F_NONE, C_ALL },
	{ "--no-deps", 0, false, F_NONE, C_ALL },
	{ "--no-dependencies", 0, false, F_NONE, C_ALL },
	{ "--pre", 0, false, F_NONE, C_ALL },
	{ "--editable", 'e', true, F_EDITABLE, C_I | C_W },
	{ "--dry-run", 0, false, F_NONE, C_I },
	{ "--target", 't', true, F_TARGET, C_I },
	{ "--platform", 0, true, F_NONE, C_I | C_D },
	{ "--python-version", 0, true, F_NONE, C_I | C_D },
	{ "--implementation", 0, true, F_NONE, C_I | C_D },
	{ "--abi", 0, true, F_NONE, C_I | C_D },
	{ "--user", 0, false, F_USER, C_I },
	{ "--no-user", 0, false, F_NO_USER, C_I },
	{ "--root", 0, true, F_ROOT, C_I },
	{ "--prefix", 0, true, F_PREFIX, C_I },
	{ "--src", 0, true, F_SRC, C_ALL },
	{ "--source", 0, true, F_SRC, C_ALL },
	{ "--source-dir", 0, true, F_SRC, C_ALL },
	{ "--source-directory", 0, true, F_SRC, C_ALL },
	{ "--upgrade", 'U', false, F_NONE, C_I },
	{ "--upgrade-strategy", 0, true, F_NONE, C_I },
	{ "--force-reinstall", 0, false, F_NONE, C_I },
	{ "--ignore-installed", 'I', false, F_NONE, C_I },
	{ "--ignore-requires-python", 0, false, F_NONE, C_ALL },
	{ "--no-build-isolation", 0, false, F_NONE, C_ALL },
	{ "--use-pep517", 0, false, F_NONE, C_ALL },
	{ "--no-use-pep517", 0, false, F_NONE, C_ALL },
	{ "--check-build-dependencies", 0, false, F_NONE, C_ALL },
	{ "--break-system-packages", 0, false, F_NONE, C_I },
	{ "--config-settings", 'C', true, F_NONE, C_I | C_W },
	{ "--global-option", 0, true, F_NONE, C_ALL },
	{ "--build-option", 0, true, F_NONE, C_W },
	{ "--compile", 0, false, F_NONE, C_I },
	{ "--no-compile", 0, false, F_NONE, C_I },
	{ "--no-warn-script-location", 0, false, F_NONE, C_I },
	{ "--no-warn-conflicts", 0, false, F_NONE, C_I },
	{ "--no-binary", 0, true, F_NONE, C_ALL },
	{ "--only-binary", 0, true, F_NONE, C_ALL },
	{ "--prefer-binary", 0, false, F_NONE, C_ALL },
	{ "--require-hashes", 0, false, F_NONE, C_ALL },
	{ "--progress-bar", 0, true, F_NONE, C_ALL },
	{ "--root-user-action", 0, true, F_NONE, C_I },
	{ "--report", 0, true, F_REPORT, C_I },
	{ "--no-clean", 0, false, F_NONE, C_ALL },
	{ "--no-verify", 0, false, F_NONE, C_W },
	{ "--dest", 'd', true, F_DEST, C_D },
	{ "--destination-dir", 0, true, F_DEST, C_D },
	{ "--destination-directory", 0, true, F_DEST, C_D },
	{ "--wheel-dir", 'w', true, F_WHEEL_DIR, C_W },
	{ "--index-url", 'i', true, F_NONE, C_ALL },
	{ "--pypi-url", 0, true, F_NONE, C_ALL },
	{ "--extra-index-url", 0, true, F_NONE, C_ALL },
	{ "--no-index", 0, false, F_NONE, C_ALL },
	{ "--find-links", 'f', true, F_NONE, C_ALL },
	/* general options */
	{ "--help", 'h', false, F_NONE, C_ALL | C_GEN },
	{ "--debug", 0, false, F_NONE, C_ALL | C_GEN },
	{ "--isolated", 0, false, F_ISOLATED, C_ALL | C_GEN },
	{ "--require-virtualenv", 0, false, F_NONE, C_ALL | C_GEN },
	{ "--require-venv", 0, false, F_NONE, C_ALL | C_GEN },
	{ "--python", 0, true, F_PYTHON, C_ALL | C_GEN },
	{ "--verbose", 'v', false, F_NONE, C_ALL | C_GEN },
	{ "--version", 'V', false, F_NONE, C_ALL | C_GEN },
	{ "--quiet", 'q', false, F_NONE, C_ALL | C_GEN },
	{ "--log", 0, true, F_LOG, C_ALL | C_GEN },
	{ "--log-file", 0, true, F_LOG, C_ALL | C_GEN },
	{ "--local-log", 0, true, F_LOG, C_ALL | C_GEN },
	{ "--no-input", 0, false, F_NONE, C_ALL | C_GEN },
	{ "--keyring-provider", 0, true, F_NONE, C_ALL | C_GEN },
	{ "--proxy", 0, true, F_NONE, C_ALL | C_GEN },
	{ "--retries", 0, true, F_NONE, C_ALL | C_GEN },
	{ "--timeout", 0, true, F_NONE, C_ALL | C_GEN },
	{ "--default-timeout", 0, true, F_NONE, C_ALL | C_GEN },
	{ "--exists-action", 0, true, F_NONE, C_ALL | C_GEN },
	{ "--trusted-host", 0, true, F_NONE, C_ALL | C_GEN },
	{ "--cert", 0, true, F_NONE, C_ALL | C_GEN },
	{ "--client-cert", 0, true, F_NONE, C_ALL | C_GEN },
	{ "--cache-dir", 0, true, F_CACHE_DIR, C_ALL | C_GEN },
	{ "--no-cache-dir", 0, false, F_NO_CACHE, C_ALL | C_GEN },
	{ "--disable-pip-version-check", 0, false, F_NONE, C_ALL | C_GEN },
	{ "--no-color", 0, false, F_NONE, C_ALL | C_GEN },
	{ "--no-python-version-warning", 0, false, F_NONE, C_ALL | C_GEN },
	{ "--use-feature", 0, true, F_NONE, C_ALL | C_GEN },
	{ "--use-deprecated", 0, true, F_NONE, C_ALL | C_GEN },
};

static unsigned command_bit(const char *command)
{
	if (!command)
		return C_GEN;
	if (strcmp(command, "install") == 0)
		return C_I;
	if (strcmp(command, "download") == 0)
		return C_D;
	if (strcmp(command, "wheel") == 0)
		return C_W;
	return 0;
}

/*
 * The long option arg (len bytes, without "=value") names among those
 * valid for cmds: an exact name, else optparse's unique abbreviation.
 * NULL when unknown or ambiguous (pip refuses those itself).
 */
static const struct pip_opt *find_long(const char *arg, size_t len, unsigned cmds)
{
	const struct pip_opt *hit = NULL;
	int nhits = 0;

	for (size_t i = 0; i < ARRAY_SIZE(pip_opts); i++) {
		const struct pip_opt *o = &pip_opts[i];

		if (!(o->cmds & cmds) || strncmp(o->lng, arg, len) != 0)
			continue;
		if (o->lng[len] == '\0')
			return o;
		/* optparse: even two aliases of one option make an abbreviation ambiguous */
		nhits++;
		hit = o;
	}
	return nhits == 1 ? hit : NULL;
}

static const struct pip_opt *find_short(char c, unsigned cmds)
{
	for (size_t i = 0; i < ARRAY_SIZE(pip_opts); i++)
		if (pip_opts[i].shrt == c && (pip_opts[i].cmds & cmds))
			return &pip_opts[i];
	return NULL;
}

/* ------------------------------------------------------------- settings */

static int set_str(char **slot, const char *v)
{
	char *c = strdup(v);

	if (!c)
		return -ENOMEM;
	free(*slot);
	*slot = c;
	return 0;
}

/* strtobool() of pip: -1 when v is not a boolean. */
static int parse_bool(const char *v)
{
	static const char *const yes[] = { "y", "yes", "t", "true", "on", "1" };
	static const char *const no[] = { "n", "no", "f", "false", "off", "0" };

	for (size_t i = 0; i < ARRAY_SIZE(yes); i++) {
		if (strcasecmp(v, yes[i]) == 0)
			return 1;
		if (strcasecmp(v, no[i]) == 0)
			return 0;
	}
	return -1;
}

/*
 * Set field from a value (v is NULL for a flag on the command line).
 * Mirrors pip: a boolean from configuration goes through strtobool; the
 * store_false option --no-user set from configuration stores that value
 * as it is (pip 23 does the same).
 */
static int set_field(struct pip_settings *s, enum field f, const char *v)
{
	int b;

	switch (f) {
	case F_TARGET:
		return set_str(&s->target, v);
	case F_PREFIX:
		return set_str(&s->prefix, v);
	case F_ROOT:
		return set_str(&s->root, v);
	case F_CACHE_DIR:
		s->no_cache = false;
		return set_str(&s->cache_dir, v);
	case F_SRC:
		return set_str(&s->src, v);
	case F_LOG:
		return set_str(&s->log, v);
	case F_REPORT:
		return set_str(&s->report, v);
	case F_DEST:
		return set_str(&s->dest, v);
	case F_WHEEL_DIR:
		return set_str(&s->wheel_dir, v);
	case F_USER:
	case F_NO_USER:
		if (!v) {
			s->user = f == F_USER;
			return 0;
		}
		b = parse_bool(v);
		if (b >= 0)
			s->user = b;
		return 0;
	case F_NO_CACHE:
		s->no_cache = true;
		return 0;
	case F_ISOLATED:
		if (!v || parse_bool(v) == 1)
			s->isolated = true;
		return 0;
	case F_PYTHON:
		s->other_python = true;
		return 0;
	default:
		return 0;
	}
}

/* A configuration key or PIP_* name: exact long option names only. */
static int set_key(struct pip_settings *s, const char *key, const char *v, unsigned cmds)
{
	char name[80];

	if (!*v || strlen(key) > sizeof(name) - 3)
		return 0;       /* pip ignores empty values */
	snprintf(name, sizeof(name), "--%s", key);
	for (size_t i = 0; i < ARRAY_SIZE(pip_opts); i++)
		if ((pip_opts[i].cmds & cmds) && strcmp(pip_opts[i].lng, name) == 0)
			return pip_opts[i].field == F_EDITABLE ? 0 : set_field(s, pip_opts[i].field, v);
	return 0;
}

void pip_settings_free(struct pip_settings *s)
{
	free(s->target);
	free(s->prefix);
	free(s->root);
	free(s->cache_dir);
	free(s->src);
	free(s->log);
	free(s->report);
	free(s->dest);
	free(s->wheel_dir);
	for (size_t i = 0; i < s->nlocals; i++)
		free(s->locals[i]);
	free(s->locals);
	memset(s, 0, sizeof(*s));
	s->user = -1;
}

/* ------------------------------------------------------------ arguments */

/* A requirement argument that names an existing local directory or file. */
static int note_local(struct pip_settings *s, const char *arg)
{
	_cleanup_free_ char *path = strdup(arg);
	struct stat st;
	char **v;
	char *br;

	if (!path)
		return -ENOMEM;
	if (stat(path, &st) < 0 && (br = strchr(path, '[')) && br != path) {
		*br = '\0';     /* ./proj[extra] */
		if (stat(path, &st) < 0)
			return 0;
	} else if (stat(path, &st) < 0) {
		return 0;
	}
	if (!S_ISDIR(st.st_mode) || s->nlocals >= PLAN_PATHS_MAX)
		return 0;
	v = realloc(s->locals, (s->nlocals + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	s->locals = v;
	s->locals[s->nlocals++] = TAKE_PTR(path);
	return 0;
}

struct argp {
	struct pip_settings *s;
	char *const *argv;
	int argc, i;
	unsigned cmds;
	char *err;
	size_t errlen;
};

static int take_arg_value(struct argp *p, const char *inline_value, const char **out)
{
	if (inline_value) {
		*out = inline_value;
		return 0;
	}
	if (p->i + 1 >= p->argc) {
		/* pip refuses the command line before it installs anything */
		*out = NULL;
		return 0;
	}
	*out = p->argv[++p->i];
	return 0;
}

static int apply_opt(struct argp *p, const struct pip_opt *o, const char *v)
{
	if (o->field == F_EDITABLE)
		return note_local(p->s, v);
	return set_field(p->s, o->field, v);
}

static int parse_long(struct argp *p)
{
	const char *arg = p->argv[p->i];
	const char *eq = strchr(arg, '=');
	size_t len = eq ? (size_t)(eq - arg) : strlen(arg);
	const struct pip_opt *o = find_long(arg, len, p->cmds);
	const char *v = NULL;
	int r;

	if (!o)
		return 0;       /* unknown: pip will say so */
	if (!o->valued)
		return eq ? 0 : apply_opt(p, o, NULL);
	r = take_arg_value(p, eq ? eq + 1 : NULL, &v);
	return r < 0 || !v ? r : apply_opt(p, o, v);
}

/* A cluster of short options: "-Ut DIR", "-tDIR", "-vv". */
static int parse_short(struct argp *p)
{
	const char *arg = p->argv[p->i];

	for (const char *c = arg + 1; *c; c++) {
		const struct pip_opt *o = find_short(*c, p->cmds);
		const char *v = NULL;
		int r;

		if (!o)
			return 0;
		if (!o->valued) {
			r = apply_opt(p, o, NULL);
			if (r < 0)
				return r;
			continue;
		}
		r = take_arg_value(p, c[1] ? c + 1 : NULL, &v);
		return r < 0 || !v ? r : apply_opt(p, o, v);
	}
	return 0;
}

int pip_args_parse(struct pip_settings *s, char *const *argv, int argc, const char **command,
		   char *err, size_t errlen)
{
	struct argp p = { .s = s, .argv = argv, .argc = argc, .cmds = C_GEN, .err = err,
			  .errlen = errlen };
	bool options_done = false;
	int r;

	*command = NULL;
	for (p.i = 0; p.i < argc; p.i++) {
		const char *arg = argv[p.i];

		if (!options_done && strcmp(arg, "--") == 0) {
			options_done = true;
			continue;
		}
		if (!options_done && arg[0] == '-' && arg[1] != '\0') {
			r = arg[1] == '-' ? parse_long(&p) : parse_short(&p);
			if (r < 0)
				return r;
			continue;
		}
		if (!*command) {
			*command = arg;
			p.cmds = command_bit(arg);
			options_done = false;
			continue;
		}
		r = note_local(s, arg);
		if (r < 0)
			return r;
	}
	return 0;
}

/* ---------------------------------------------------- configuration files */

struct ini_pick {
	const char *section;            /* the section applied in this pass */
	bool present;                   /* the file has it */
	char *keys[32], *vals[32];      /* its entries and [DEFAULT]'s, in order */
	bool from_default[32];
	size_t n;
};

static char *strip(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

static void ini_pick_add(struct ini_pick *k, const char *key, const char *val, bool dflt)
{
	if (k->n >= ARRAY_SIZE(k->keys))
		return;
	k->keys[k->n] = strdup(key);
	k->vals[k->n] = strdup(val);
	k->from_default[k->n] = dflt;
	if (!k->keys[k->n] || !k->vals[k->n]) {
		free(k->keys[k->n]);
		free(k->vals[k->n]);
		return;
	}
	k->n++;
}

/*
 * Collect the entries of one section, and of [DEFAULT], of an INI text as
 * Python's RawConfigParser reads it: "key = value" or "key: value", keys
 * lower-cased, full-line comments (# ;), indented continuation lines.
 * Only keys naming options of interest are kept.
 */
static void ini_collect(struct ini_pick *k, char *text, unsigned cmds)
{
	const char *section = NULL;
	char *line, *save = NULL;

	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *s = strip(line), *sep, *key;
		bool indented = line[0] == ' ' || line[0] == '\t';

		if (!*s || *s == '#' || *s == ';' || indented)
			continue;       /* continuations never carry a path we use */
		if (*s == '[' && s[strlen(s) - 1] == ']') {
			s[strlen(s) - 1] = '\0';
			section = s + 1;
			if (strcmp(section, k->section) == 0)
				k->present = true;
			continue;
		}
		if (!section)
			continue;
		sep = strpbrk(s, "=:");
		if (!sep)
			continue;
		*sep = '\0';
		key = strip(s);
		for (char *c = key; *c; c++)
			*c = (char)(*c == '_' ? '-' : tolower((unsigned char)*c));
		if (strcmp(section, k->section) == 0)
			ini_pick_add(k, key, strip(sep + 1), false);
		else if (strcmp(section, "DEFAULT") == 0)
			ini_pick_add(k, key, strip(sep + 1), true);
	}
	(void)cmds;
}

int pip_config_apply(struct pip_settings *s, const char *text, const char *command, int pass)
{
	_cleanup_free_ char *copy = strdup(text);
	struct ini_pick k = { .section = pass == 0 ? "global" : command };
	unsigned cmds = command_bit(command);
	int r = 0;

	if (!copy)
		return -ENOMEM;
	if (!k.section)
		return 0;
	ini_collect(&k, copy, cmds);
	/* [DEFAULT] entries count only for sections the file has; the section's own win. */
	for (int round = 0; round < 2 && k.present && r == 0; round++)
		for (size_t i = 0; i < k.n && r == 0; i++)
			if (k.from_default[i] == (round == 0))
				r = set_key(s, k.keys[i], k.vals[i], cmds);
	for (size_t i = 0; i < k.n; i++) {
		free(k.keys[i]);
		free(k.vals[i]);
	}
	return r;
}

/* Apply one configuration file, if it exists, for one pass. */
static int apply_file(struct pip_settings *s, const char *path, const char *command, int pass)
{
	_cleanup_free_ char *text = NULL;
	ssize_t n = read_file_max(AT_FDCWD, path, &text, PLAN_CONFIG_MAX);

	if (n == -ENOENT || n == -ENOTDIR || n == -EISDIR)
		return 0;
	if (n < 0)
		return (int)n;
	return pip_config_apply(s, text, command, pass);
}

/* pip's configuration files, lowest precedence first (pip 23 iter_config_files). */
static int config_files(char ***out, size_t *n, const struct pyinfo *py, bool isolated)
{
	const char *env_file = getenv("PIP_CONFIG_FILE");
	const char *home = getenv("HOME");
	const char *xdg_dirs = getenv("XDG_CONFIG_DIRS");
	const char *xdg_home = getenv("XDG_CONFIG_HOME");
	_cleanup_free_ char *dirs = strdup(xdg_dirs && *xdg_dirs ? xdg_dirs : "/etc/xdg");
	char **v = calloc(24, sizeof(char *));
	size_t k = 0;
	char *save = NULL;
	struct stat st;

	*out = v;
	*n = 0;
	if (!v || !dirs)
		return -ENOMEM;
	if (env_file && strcmp(env_file, "/dev/null") == 0)
		return 0;       /* pip loads no file at all */
	for (char *d = strtok_r(dirs, ":", &save); d && k < 16; d = strtok_r(NULL, ":", &save))
		v[k++] = sp_asprintf("%s/pip/pip.conf", d);
	v[k++] = strdup("/etc/pip.conf");
	if (!isolated && !(env_file && stat(env_file, &st) == 0) && home) {
		v[k++] = sp_asprintf("%s/.pip/pip.conf", home);
		if (xdg_home && *xdg_home)
			v[k++] = sp_asprintf("%s/pip/pip.conf", xdg_home);
		else
			v[k++] = sp_asprintf("%s/.config/pip/pip.conf", home);
	}
	v[k++] = sp_asprintf("%s/pip.conf", py->prefix);
	if (env_file)
		v[k++] = strdup(env_file);
	*n = k;
	for (size_t i = 0; i < k; i++)
		if (!v[i])
			return -ENOMEM;
	return 0;
}

static int apply_config(struct pip_settings *s, const struct pyinfo *py, const char *command,
			bool isolated)
{
	char **files = NULL;
	size_t n = 0;
	int r;

	r = config_files(&files, &n, py, isolated);
	for (int pass = 0; pass < 2 && r == 0; pass++)
		for (size_t i = 0; i < n && r == 0; i++)
			r = apply_file(s, files[i], command, pass);
	for (size_t i = 0; i < n; i++)
		free(files[i]);
	free(files);
	if (r < 0 || isolated)
		return r;
	/* PIP_* variables come after every file. */
	for (char **e = environ; *e && r == 0; e++) {
		const char *eq = strchr(*e, '=');
		char key[80];
		size_t len;

		if (!startswith(*e, "PIP_") || !eq)
			continue;
		len = (size_t)(eq - *e) - 4;
		if (len == 0 || len >= sizeof(key))
			continue;
		for (size_t i = 0; i < len; i++)
			key[i] = (char)((*e)[4 + i] == '_' ? '-' : tolower((unsigned char)(*e)[4 + i]));
		key[len] = '\0';
		if (strcmp(key, "version") == 0 || strcmp(key, "help") == 0)
			continue;
		r = set_key(s, key, eq + 1, command_bit(command));
	}
	return r;
}

/* Command-line settings override what configuration and environment said. */
static int overlay(struct pip_settings *s, struct pip_settings *cl)
{
	char **slots[] = { &s->target, &s->prefix, &s->root, &s->cache_dir, &s->src, &s->log,
			   &s->report, &s->dest, &s->wheel_dir };
	char **from[] = { &cl->target, &cl->prefix, &cl->root, &cl->cache_dir, &cl->src, &cl->log,
			  &cl->report, &cl->dest, &cl->wheel_dir };

	for (size_t i = 0; i < ARRAY_SIZE(slots); i++) {
		if (!*from[i])
			continue;
		free(*slots[i]);
		*slots[i] = TAKE_PTR(*from[i]);
	}
	if (cl->user >= 0)
		s->user = cl->user;
	if (cl->no_cache)
		s->no_cache = true;
	s->other_python |= cl->other_python;
	s->locals = TAKE_PTR(cl->locals);
	s->nlocals = cl->nlocals;
	cl->nlocals = 0;
	return 0;
}

/* ------------------------------------------------------------------ plan */

/* Absolute, canonical form of a path pip was given (relative to cwd, "~" when pip expands it). */
static char *resolve(const char *p, const char *cwd, bool expand_user)
{
	_cleanup_free_ char *abs = NULL;
	const char *home = getenv("HOME");

	if (expand_user && p[0] == '~' && (p[1] == '/' || p[1] == '\0') && home)
		abs = sp_asprintf("%s%s", home, p + 1);
	else if (p[0] == '/')
		abs = strdup(p);
	else
		abs = sp_asprintf("%s/%s", cwd, p);
	if (!abs)
		return NULL;
	return path_canonical(abs);
}

static int add_path(char ***v, size_t *n, char *p)
{
	char **nv;

	if (!p)
		return -errno ? -errno : -ENOMEM;
	for (size_t i = 0; i < *n; i++)
		if (strcmp((*v)[i], p) == 0) {
			free(p);
			return 0;
		}
	if (*n >= PLAN_PATHS_MAX) {
		free(p);
		return -E2BIG;
	}
	nv = realloc(*v, (*n + 1) * sizeof(*nv));
	if (!nv) {
		free(p);
		return -ENOMEM;
	}
	*v = nv;
	(*v)[(*n)++] = p;
	return 0;
}

/* With --root, pip writes every scheme path below root (distutils change_root). */
static char *rooted(const char *root, const char *p, const char *cwd)
{
	_cleanup_free_ char *r = NULL;

	if (!root)
		return resolve(p, cwd, false);
	r = resolve(root, cwd, false);
	if (!r)
		return NULL;
	return sp_asprintf("%s%s", strcmp(r, "/") == 0 ? "" : r, p);
}

/* pip's decide_user_install(), without the errors pip reports itself. */
static bool user_install(const struct pip_settings *s, const struct pyinfo *py)
{
	if (s->user >= 0)
		return s->user == 1;
	if (s->prefix || s->target)
		return false;
	if (py->in_venv || getenv("PYTHONNOUSERSITE") || getuid() != geteuid())
		return false;   /* no user site (site.ENABLE_USER_SITE false) */
	if (s->root)
		return false;   /* site_packages_writable() tests the rooted paths, which pip creates */
	return access(py->purelib, W_OK) != 0 || access(py->platlib, W_OK) != 0;
}

static int plan_targets(struct txn_plan *plan, const struct pip_settings *s,
			const struct pyinfo *py)
{
	const char *scheme[] = { py->data, py->purelib, py->platlib, py->scripts };
	int r = 0;

	if (strcmp(plan->command, "install") != 0)
		return 0;
	if (s->target)
		return add_path(&plan->targets, &plan->ntargets, resolve(s->target, plan->cwd, false));
	plan->user_scheme = user_install(s, py);
	if (plan->user_scheme)
		return add_path(&plan->targets, &plan->ntargets, rooted(s->root, py->userbase, plan->cwd));
	if (s->prefix) {
		_cleanup_free_ char *pfx = resolve(s->prefix, plan->cwd, false);

		if (!pfx)
			return -errno;
		return add_path(&plan->targets, &plan->ntargets, rooted(s->root, pfx, plan->cwd));
	}
	for (size_t i = 0; i < ARRAY_SIZE(scheme) && r == 0; i++)
		r = add_path(&plan->targets, &plan->ntargets, rooted(s->root, scheme[i], plan->cwd));
	return r;
}

static int plan_pass(struct txn_plan *plan, const struct pip_settings *s)
{
	const char *xdg_cache = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
	const char *cmd = plan->command;
	int r = 0;

	if (!s->no_cache) {
		if (s->cache_dir)
			r = add_path(&plan->pass, &plan->npass, resolve(s->cache_dir, plan->cwd, true));
		else if (xdg_cache && *xdg_cache)
			r = add_path(&plan->pass, &plan->npass, sp_asprintf("%s/pip", xdg_cache));
		else if (home)
			r = add_path(&plan->pass, &plan->npass, sp_asprintf("%s/.cache/pip", home));
	}
	if (r == 0 && s->src)
		r = add_path(&plan->pass, &plan->npass, resolve(s->src, plan->cwd, true));
	if (r == 0 && s->log)
		r = add_path(&plan->pass, &plan->npass, resolve(s->log, plan->cwd, true));
	if (r == 0 && s->report && strcmp(s->report, "-") != 0)
		r = add_path(&plan->pass, &plan->npass, resolve(s->report, plan->cwd, false));
	if (r == 0 && strcmp(cmd, "download") == 0)
		r = add_path(&plan->pass, &plan->npass, resolve(s->dest ? s->dest : ".", plan->cwd, true));
	if (r == 0 && strcmp(cmd, "wheel") == 0)
		r = add_path(&plan->pass, &plan->npass,
			     resolve(s->wheel_dir ? s->wheel_dir : ".", plan->cwd, true));
	for (size_t i = 0; i < s->nlocals && r == 0; i++)
		r = add_path(&plan->pass, &plan->npass, resolve(s->locals[i], plan->cwd, false));
	return r;
}

/* Keep only outermost targets; pass-through paths inside a target are the target's. */
static void plan_prune(struct txn_plan *plan)
{
	size_t k = 0;

	for (size_t i = 0; i < plan->ntargets; i++) {
		bool inner = false;

		for (size_t j = 0; j < plan->ntargets && !inner; j++)
			inner = j != i && path_under(plan->targets[i], plan->targets[j]) &&
				(strcmp(plan->targets[i], plan->targets[j]) != 0 || j < i);
		if (inner)
			free(plan->targets[i]);
		else
			plan->targets[k++] = plan->targets[i];
	}
	plan->ntargets = k;
	k = 0;
	for (size_t i = 0; i < plan->npass; i++) {
		bool inner = false;

		for (size_t j = 0; j < plan->ntargets && !inner; j++)
			inner = path_under(plan->pass[i], plan->targets[j]);
		if (inner)
			free(plan->pass[i]);
		else
			plan->pass[k++] = plan->pass[i];
	}
	plan->npass = k;
}

int txn_plan_make(struct txn_plan *plan, const struct pyinfo *py, char *const *argv, int argc,
		  char *err, size_t errlen)
{
	struct pip_settings cl = { .user = -1 }, s = { .user = -1 };
	char cwd[PATH_MAX];
	const char *command;
	int r;

	memset(plan, 0, sizeof(*plan));
	if (!getcwd(cwd, sizeof(cwd))) {
		snprintf(err, errlen, "cannot get the working directory: %s", strerror(errno));
		return -errno;
	}
	plan->cwd = strdup(cwd);
	if (!plan->cwd)
		return -ENOMEM;
	r = pip_args_parse(&cl, argv, argc, &command, err, errlen);
	if (r < 0)
		goto out;
	if (!command || !command_bit(command) || command_bit(command) == C_GEN) {
		snprintf(err, errlen, "no pip command to plan a transaction for");
		r = -EINVAL;
		goto out;
	}
	plan->command = command;
	r = apply_config(&s, py, command, cl.isolated);
	if (r < 0) {
		snprintf(err, errlen, "cannot read pip's configuration: %s", strerror(-r));
		goto out;
	}
	overlay(&s, &cl);
	if (s.other_python) {
		snprintf(err, errlen, "pip's own --python option would install into another environment: "
			 "give the interpreter to safe-pip (safe-pip --python PATH install ...)");
		r = -EINVAL;
		goto out;
	}
	r = plan_targets(plan, &s, py);
	if (r == 0)
		r = plan_pass(plan, &s);
	if (r < 0)
		snprintf(err, errlen, "cannot work out where pip installs: %s", strerror(-r));
	else
		plan_prune(plan);
out:
	pip_settings_free(&cl);
	pip_settings_free(&s);
	return r;
}

void txn_plan_free(struct txn_plan *plan)
{
	for (size_t i = 0; i < plan->ntargets; i++)
		free(plan->targets[i]);
	for (size_t i = 0; i < plan->npass; i++)
		free(plan->pass[i]);
	free(plan->targets);
	free(plan->pass);
	free(plan->cwd);
	memset(plan, 0, sizeof(*plan));
}
