// SPDX-License-Identifier: MIT
/*
 * Landlock rules for the install's tree (see guard/landlock.h).
 *
 * The rules are built in the supervisor, which opens the roots; the child
 * only calls landlock_restrict_self() before executing pip.  Rights are
 * limited to what the running kernel's ABI knows: ABI 1 cannot allow a
 * rename into another directory (always refused there), which pip needs,
 * so write confinement requires ABI 2; truncate is handled from ABI 3 and
 * signal scoping from ABI 6.  Rights of later ABIs that would restrict
 * more than writes (ioctl on devices, network ports) are left unhandled.
 */
#include "guard/landlock.h"

#include <fcntl.h>
#include <limits.h>
#include <linux/landlock.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "guard/session.h"
#include "guard/util.h"
#include "policy/policy.h"

/* The attribute grew after the headers this is built with: our own copy. */
struct ll_ruleset_attr {
	uint64_t handled_access_fs;
	uint64_t handled_access_net;    /* ABI 4 */
	uint64_t scoped;                /* ABI 6 */
};

#ifndef LANDLOCK_ACCESS_FS_REFER
#define LANDLOCK_ACCESS_FS_REFER (1ULL << 13)
#endif
#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE (1ULL << 14)
#endif
#ifndef LANDLOCK_SCOPE_SIGNAL
#define LANDLOCK_SCOPE_SIGNAL (1ULL << 1)
#endif

#define LL_WRITE_FILE_RIGHTS (LANDLOCK_ACCESS_FS_WRITE_FILE)
#define LL_WRITE_DIR_RIGHTS (LANDLOCK_ACCESS_FS_REMOVE_DIR | LANDLOCK_ACCESS_FS_REMOVE_FILE | \
			     LANDLOCK_ACCESS_FS_MAKE_CHAR | LANDLOCK_ACCESS_FS_MAKE_DIR |      \
			     LANDLOCK_ACCESS_FS_MAKE_REG | LANDLOCK_ACCESS_FS_MAKE_SOCK |      \
			     LANDLOCK_ACCESS_FS_MAKE_FIFO | LANDLOCK_ACCESS_FS_MAKE_BLOCK |    \
			     LANDLOCK_ACCESS_FS_MAKE_SYM)

int ll_abi(void)
{
	long abi = syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);

	return abi < 0 ? 0 : (int)abi;
}

/* The write rights this ABI handles: file rights, and directory rights. */
static uint64_t file_rights(int abi)
{
	return LL_WRITE_FILE_RIGHTS | (abi >= 3 ? LANDLOCK_ACCESS_FS_TRUNCATE : 0);
}

static uint64_t all_rights(int abi)
{
	return file_rights(abi) | LL_WRITE_DIR_RIGHTS | (abi >= 2 ? LANDLOCK_ACCESS_FS_REFER : 0);
}

/* ------------------------------------------------------------- roots */

struct collect {
	struct ll_plan *p;
	int r;
};

/* Add a root (made absolute and resolved); missing roots are skipped. */
static void add_root(struct ll_plan *p, const char *path, bool dir, bool create)
{
	char real[PATH_MAX];
	struct stat st;

	if (!path || path[0] != '/' || p->nroots >= LL_ROOTS_MAX)
		return;
	if (!realpath(path, real) || stat(real, &st) < 0) {
		sp_debug("landlock: write root %s skipped: %s", path, strerror(errno));
		return;
	}
	if (dir && !S_ISDIR(st.st_mode))
		dir = create = false;
	for (size_t i = 0; i < p->nroots; i++)
		if (strcmp(p->roots[i].path, real) == 0 && p->roots[i].dir == dir) {
			p->roots[i].create |= create;
			return;
		}
	p->roots[p->nroots].path = strdup(real);
	if (!p->roots[p->nroots].path)
		return;
	p->roots[p->nroots].dir = dir;
	p->roots[p->nroots].create = create;
	p->nroots++;
}

/* mkdir -p path, remembering what was made (undone after a stopped install). */
static void make_dirs(struct ll_plan *p, const char *path)
{
	char buf[PATH_MAX];
	size_t n = strlen(path);

	if (path[0] != '/' || n >= sizeof(buf))
		return;
	memcpy(buf, path, n + 1);
	for (char *s = buf + 1;; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		char c = *s;

		*s = '\0';
		if (mkdir(buf, 0777) == 0 && p->ncreated < LL_ROOTS_MAX)
			p->created[p->ncreated++] = strdup(buf);
		*s = c;
		if (!c)
			break;
	}
}

/* An empty file at path when missing, so that it can be a file root. */
static void make_file(struct ll_plan *p, const char *path)
{
	int fd;

	if (path[0] != '/')
		return;
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
	if (fd < 0)
		return;
	close(fd);
	if (p->ncreated < LL_ROOTS_MAX)
		p->created[p->ncreated++] = strdup(path);
}

char *ll_pattern_root(const char *pattern, bool *exact)
{
	const char *wild = strpbrk(pattern, "*?[");
	const char *end;

	*exact = !wild;
	if (pattern[0] != '/')
		return NULL;
	if (!wild)
		return strdup(pattern);
	end = wild;
	while (end > pattern && end[-1] != '/')
		end--;
	if (end - pattern <= 1)
		return NULL;    /* a wildcard right after the root: that would be everything */
	return strndup(pattern, (size_t)(end - pattern - 1));
}

static int policy_root(void *ctx, const char *pattern, const struct sp_entry *e)
{
	struct ll_plan *p = ctx;
	bool exact;
	char *root = ll_pattern_root(pattern, &exact);

	if (!root) {
		sp_debug("landlock: files.allow_write '%s' has no literal leading directory: "
			 "not a write root", e->text);
		return 0;
	}
	/* an exact pattern matches the path itself; one with a wildcard what is beneath */
	add_root(p, root, !exact, !exact);
	free(root);
	return 0;
}

/* ------------------------------------------------------ pip's arguments */

struct dest_opt {
	const char *lng, *shrt;
	bool dir;
};

static const struct dest_opt dest_opts[] = {
	{ "--target", "-t", true }, { "--prefix", NULL, true }, { "--root", NULL, true },
	{ "--src", NULL, true }, { "--dest", "-d", true }, { "--wheel-dir", "-w", true },
	{ "--cache-dir", NULL, true }, { "--log", NULL, false }, { "--log-file", NULL, false },
	{ "--local-log", NULL, false }, { "--report", NULL, false },
};

/* Options of pip install/download/wheel that take a value (not destinations). */
static const char *const valued[] = {
	"-r", "--requirement", "-c", "--constraint", "--platform", "--python-version",
	"--implementation", "--abi", "--upgrade-strategy", "--install-option", "--global-option",
	"-C", "--config-settings", "-i", "--index-url", "--extra-index-url", "-f", "--find-links",
	"--no-binary", "--only-binary", "--progress-bar", "--root-user-action", "--proxy",
	"--retries", "--timeout", "--exists-action", "--trusted-host", "--cert", "--client-cert",
	"--use-feature", "--use-deprecated", "--keyring-provider", "--python",
};

static bool is_valued(const char *a)
{
	for (size_t i = 0; i < ARRAY_SIZE(valued); i++)
		if (strcmp(a, valued[i]) == 0)
			return true;
	return false;
}

/* "./pkg[extra]", "file:///src/pkg#egg=x": the directory, if it is one. */
static void local_source(const char *arg, void (*fn)(void *ctx, const char *path, bool dir), void *ctx)
{
	char path[PATH_MAX], real[PATH_MAX];
	struct stat st;

	if (startswith(arg, "file://"))
		arg += 7;
	snprintf(path, sizeof(path), "%s", arg);
	path[strcspn(path, "[#")] = '\0';
	if (!path[0] || stat(path, &st) < 0 || !S_ISDIR(st.st_mode) || !realpath(path, real))
		return;
	/* pip builds local directories in place (build/, *.egg-info) */
	fn(ctx, real, true);
}

void ll_pip_destinations(char *const *argv, int argc, void (*fn)(void *ctx, const char *path, bool dir),
			 void *ctx)
{
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i], *eq = strchr(a, '='), *val = NULL;
		size_t n = eq && startswith(a, "--") ? (size_t)(eq - a) : strlen(a);
		bool matched = false;

		for (size_t k = 0; k < ARRAY_SIZE(dest_opts) && !matched; k++) {
			const struct dest_opt *d = &dest_opts[k];

			if (strlen(d->lng) == n && strncmp(a, d->lng, n) == 0)
				val = eq ? eq + 1 : (i + 1 < argc ? argv[++i] : NULL);
			else if (d->shrt && strcmp(a, d->shrt) == 0)
				val = i + 1 < argc ? argv[++i] : NULL;
			else if (d->shrt && startswith(a, d->shrt) && a[2])
				val = a + 2;
			else
				continue;
			matched = true;
			if (val && *val)
				fn(ctx, val, d->dir);
		}
		if (matched)
			continue;
		if (strcmp(a, "-e") == 0 || strcmp(a, "--editable") == 0) {
			if (i + 1 < argc)
				local_source(argv[++i], fn, ctx);
		} else if (startswith(a, "--editable=")) {
			local_source(a + 11, fn, ctx);
		} else if (is_valued(a)) {
			i++;
		} else if (a[0] != '-') {
			local_source(a, fn, ctx);
		}
	}
}

static void dest_root(void *ctx, const char *path, bool dir)
{
	struct ll_plan *p = ctx;
	char abs[PATH_MAX];

	if (path[0] != '/') {
		if (!getcwd(abs, sizeof(abs)) || strlen(abs) + strlen(path) + 2 > sizeof(abs))
			return;
		snprintf(abs + strlen(abs), sizeof(abs) - strlen(abs), "/%s", path);
		path = abs;
	}
	if (dir)
		make_dirs(p, path);
	else
		make_file(p, path);
	add_root(p, path, dir, dir);
}

/* pip's cache: --no-cache-dir, --cache-dir (handled above), PIP_CACHE_DIR, XDG */
static void cache_root(struct ll_plan *p, const struct options *o)
{
	const char *env = getenv("PIP_CACHE_DIR"), *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
	char path[PATH_MAX];

	for (int i = 0; i < o->pip_argc; i++)
		if (strcmp(o->pip_argv[i], "--no-cache-dir") == 0)
			return;
	if (env && env[0] == '/')
		snprintf(path, sizeof(path), "%s", env);
	else if (xdg && xdg[0] == '/')
		snprintf(path, sizeof(path), "%s/pip", xdg);
	else if (home && home[0] == '/')
		snprintf(path, sizeof(path), "%s/.cache/pip", home);
	else
		return;
	make_dirs(p, path);
	add_root(p, path, true, true);
}

static void target_roots(struct ll_plan *p, const struct session *s)
{
	const char *tmp = getenv("TMPDIR"), *ub = getenv("PYTHONUSERBASE"), *home = getenv("HOME");
	char path[PATH_MAX];

	if (s->py.in_venv) {
		add_root(p, s->py.prefix, true, true);
	} else {
		add_root(p, s->py.purelib, true, true);
		add_root(p, s->py.platlib, true, true);
		add_root(p, s->py.scripts, true, true);
		add_root(p, s->py.data, true, true);
	}
	for (int i = 0; i < s->opt->pip_argc; i++) {
		if (strcmp(s->opt->pip_argv[i], "--user") != 0)
			continue;
		if (ub && ub[0] == '/')
			snprintf(path, sizeof(path), "%s", ub);
		else if (home && home[0] == '/')
			snprintf(path, sizeof(path), "%s/.local", home);
		else
			break;
		make_dirs(p, path);
		add_root(p, path, true, true);
		break;
	}
	add_root(p, tmp && tmp[0] == '/' ? tmp : "/tmp", true, true);
	add_root(p, "/dev", true, false);       /* /dev/null, ttys: existing files only */
}

/* ------------------------------------------------------------ ruleset */

static int build_ruleset(struct ll_plan *p)
{
	struct ll_ruleset_attr attr = { 0 };
	size_t size = sizeof(attr.handled_access_fs);

	if (p->writes)
		attr.handled_access_fs = all_rights(p->abi);
	if (p->signals) {
		attr.scoped = LANDLOCK_SCOPE_SIGNAL;
		size = sizeof(attr);
	}
	p->ruleset_fd = (int)syscall(SYS_landlock_create_ruleset, &attr, size, 0);
	if (p->ruleset_fd < 0)
		return -errno;
	for (size_t i = 0; p->writes && i < p->nroots; i++) {
		struct landlock_path_beneath_attr pb = { 0 };
		const struct ll_root *r = &p->roots[i];
		int fd = open(r->path, O_PATH | O_CLOEXEC);

		if (fd < 0)
			return -errno;
		pb.parent_fd = fd;
		pb.allowed_access = r->dir && r->create ? all_rights(p->abi) : file_rights(p->abi);
		if (syscall(SYS_landlock_add_rule, p->ruleset_fd, LANDLOCK_RULE_PATH_BENEATH, &pb, 0) < 0) {
			int e = -errno;

			close(fd);
			return e;
		}
		close(fd);
	}
	return 0;
}

int ll_plan_make(struct ll_plan **out, struct session *s, char *err, size_t errlen)
{
	struct sp_loc where;
	bool confine = sp_policy_confine_writes(s->policy, &where);
	int abi = ll_abi(), r;
	struct ll_plan *p;

	*out = NULL;
	if (confine && abi < 2) {
		snprintf(err, errlen, "files.confine_writes (%s:%u) needs Landlock ABI 2 (Linux 5.19), "
			 "and this kernel has %s", where.file ? where.file : "?", where.line,
			 abi ? "ABI 1" : "no Landlock");
		return -EOPNOTSUPP;
	}
	if (!confine && abi < 6)
		return 0;
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->abi = abi;
	p->ruleset_fd = -1;
	p->writes = confine;
	p->signals = abi >= 6;
	if (confine) {
		target_roots(p, s);
		cache_root(p, s->opt);
		ll_pip_destinations(s->opt->pip_argv, s->opt->pip_argc, dest_root, p);
		(void)sp_policy_write_allows(s->policy, policy_root, p);
	}
	r = build_ruleset(p);
	if (r < 0) {
		snprintf(err, errlen, "cannot build the Landlock rules: %s", strerror(-r));
		ll_plan_free(p);
		return r;
	}
	*out = p;
	return 0;
}

void ll_plan_free(struct ll_plan *p)
{
	if (!p)
		return;
	if (p->ruleset_fd >= 0)
		close(p->ruleset_fd);
	for (size_t i = 0; i < p->nroots; i++)
		free(p->roots[i].path);
	for (size_t i = 0; i < p->ncreated; i++)
		free(p->created[i]);
	free(p);
}

int ll_restrict(const struct ll_plan *p)
{
	if (!p || p->ruleset_fd < 0)
		return 0;
	return syscall(SYS_landlock_restrict_self, p->ruleset_fd, 0) < 0 ? -errno : 0;
}

bool ll_allows_write(const struct ll_plan *p, const char *path, bool creating)
{
	if (!p || !p->writes)
		return true;
	for (size_t i = 0; i < p->nroots; i++) {
		const struct ll_root *r = &p->roots[i];
		size_t n = strlen(r->path);

		if (!r->dir) {
			if (!creating && strcmp(path, r->path) == 0)
				return true;
			continue;
		}
		/* strictly beneath: the root itself belongs to its parent */
		if ((creating && !r->create) || strncmp(path, r->path, n) != 0)
			continue;
		if ((n == 1 && path[1]) || path[n] == '/')
			return true;
	}
	return false;
}

void ll_describe(const struct ll_plan *p, int abi, char *buf, size_t len)
{
	if (!abi) {
		snprintf(buf, len, "landlock unavailable");
		return;
	}
	snprintf(buf, len, "landlock ABI %d: %s%s%s", abi,
		 p && p->writes ? "writes confined" : "writes not confined",
		 p && p->signals ? ", signals scoped" : "", "");
}

void ll_undo_created(struct ll_plan *p)
{
	if (!p)
		return;
	/* newest first, so that a directory is empty when its turn comes */
	for (size_t i = p->ncreated; i-- > 0;) {
		struct stat st;

		if (lstat(p->created[i], &st) < 0)
			continue;
		if (S_ISDIR(st.st_mode))
			(void)rmdir(p->created[i]);
		else if (S_ISREG(st.st_mode) && st.st_size == 0)
			(void)unlink(p->created[i]);
	}
}
