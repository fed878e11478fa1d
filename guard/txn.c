// SPDX-License-Identifier: MIT
/*
 * The install transaction's life: prepare (plan, session directory,
 * locks, recovery of what dead sessions left, the mode), pip's side of
 * the namespace, what the kernel saw, commit or abort, cleanup.
 */
#include "guard/txn.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>

#include "guard/cgroup.h"
#include "guard/fsutil.h"
#include "guard/txn_int.h"
#include "guard/util.h"

/* ---------------------------------------------------------- configuration */

int txn_want_parse(const char *s, enum txn_want *out)
{
	if (strcmp(s, "auto") == 0)
		*out = TXN_WANT_AUTO;
	else if (strcmp(s, "staged") == 0)
		*out = TXN_WANT_STAGED;
	else if (strcmp(s, "journaled") == 0)
		*out = TXN_WANT_JOURNALED;
	else
		return -EINVAL;
	return 0;
}

static const char *want_name(enum txn_want w)
{
	return w == TXN_WANT_STAGED ? "staged" : w == TXN_WANT_JOURNALED ? "journaled" : "auto";
}

int txn_config_require(struct txn_config *c, enum txn_want want, const char *source, char *err,
		       size_t errlen)
{
	if (want == TXN_WANT_AUTO || want == c->want)
		return 0;
	if (c->want != TXN_WANT_AUTO) {
		snprintf(err, errlen, "%s demands a %s transaction but %s demands %s", source,
			 want_name(want), c->want_source ? c->want_source : "the configuration",
			 want_name(c->want));
		return -EINVAL;
	}
	c->want = want;
	c->want_source = source;
	return 0;
}

/* ---------------------------------------------------------------- faults */

/*
 * SAFE_PIP_FAULT=POINT[:N] (for testing crash safety): SIGKILL ourselves
 * the N-th time (default 1) the transaction passes POINT.
 */
void txn_fault(const char *point)
{
	static unsigned long passes;
	const char *env = getenv("SAFE_PIP_FAULT");
	size_t len = strlen(point);
	unsigned long n = 1;

	if (!env || strncmp(env, point, len) != 0 || (env[len] != '\0' && env[len] != ':'))
		return;
	if (env[len] == ':')
		n = strtoul(env + len + 1, NULL, 10);
	if (++passes == n) {
		sp_msg("fault injection: killed at %s:%lu", point, n);
		raise(SIGKILL);
	}
}

void txn_lost(struct txn_result *res, const char *path)
{
	for (size_t i = 0; i < res->nlost && i < TXN_LOST_LIST_MAX; i++)
		if (strcmp(res->lost[i], path) == 0)
			return;
	if (res->nlost < TXN_LOST_LIST_MAX)
		res->lost[res->nlost] = strdup(path);
	res->nlost++;
}

/* -------------------------------------------------------------- helpers */

int txn_root_of(const struct journal *j, const char *abs, bool targets_only)
{
	int best = -1;

	/* The innermost root holds the path: a target nested in a cover wins. */
	for (size_t i = 0; i < j->nroots; i++) {
		if (targets_only && j->roots[i].kind != JROOT_TARGET)
			continue;
		if (path_under(abs, j->roots[i].path) &&
		    (best < 0 || strlen(j->roots[i].path) > strlen(j->roots[best].path)))
			best = (int)i;
	}
	return best;
}

int txn_set_state(struct txn *t, enum txn_state st)
{
	t->j.state = st;
	return journal_save(t->sess_fd, &t->j);
}

/*
 * The work area of root i: where renames and links from the root work (the
 * same file system), in the session directory when it is there, else
 * beside the root as ".safe-pip-ID.N"; otherwise in the session directory
 * all the same (commit then copies).  Nothing is created here.
 */
int txn_make_area(struct txn *t, size_t i, bool prefer_same_fs)
{
	struct jroot *r = &t->j.roots[i];
	_cleanup_free_ char *parent = strdup(r->path);
	struct stat sst, pst;
	char *slash;

	if (!parent)
		return -ENOMEM;
	slash = strrchr(parent, '/');
	if (slash && slash != parent)
		*slash = '\0';
	else
		parent[1] = '\0';
	if (fstat(t->sess_fd, &sst) < 0)
		return -errno;
	/* a root safe-pip is going to create has no file system yet: its parent's counts */
	if (stat(r->created ? parent : r->path, &pst) < 0)
		return -errno;
	t->rt[i].dev = pst.st_dev;
	t->rt[i].area_same_fs = sst.st_dev == pst.st_dev;
	if (!t->rt[i].area_same_fs && prefer_same_fs && strcmp(parent, "/") != 0 &&
	    access(parent, W_OK) == 0) {
		struct stat rst;

		/* beside the root, if the root is no mount point of its own */
		if (r->created || (stat(r->path, &rst) == 0 && rst.st_dev == pst.st_dev)) {
			r->area = sp_asprintf("%s/.safe-pip-%s.%zu", parent, t->j.id, i);
			t->rt[i].area_same_fs = true;
			return r->area ? 0 : -ENOMEM;
		}
	}
	r->area = sp_asprintf("%s/%zu", t->sessdir, i);
	return r->area ? 0 : -ENOMEM;
}

/* -------------------------------------------------------------- leftovers */

/* SIGKILL every process in the mount namespace with this inode. */
static int kill_mntns(uint64_t ino)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	char want[64], link[64], buf[64];
	int n = 0;

	if (!d)
		return 0;
	snprintf(want, sizeof(want), "mnt:[%llu]", (unsigned long long)ino);
	while ((de = readdir(d))) {
		char *end;
		long pid = strtol(de->d_name, &end, 10);
		ssize_t len;

		if (*end || pid <= 1 || pid == getpid())
			continue;
		snprintf(link, sizeof(link), "/proc/%ld/ns/mnt", pid);
		len = readlink(link, buf, sizeof(buf) - 1);
		if (len <= 0)
			continue;
		buf[len] = '\0';
		if (strcmp(buf, want) == 0 && kill((pid_t)pid, SIGKILL) == 0)
			n++;
	}
	closedir(d);
	return n;
}

/* The cgroup of a journal, if it is one safe-pip made (never another one). */
static bool cgroup_ok(const char *path)
{
	_cleanup_free_ char *mnt = sp_cgroup2_mount();

	return mnt && path_under(path, mnt) && strcmp(path, mnt) != 0 &&
	       startswith(path_base(path), "safe-pip-");
}

void txn_kill_leftovers(const struct journal *j)
{
	for (int round = 0; round < 250; round++) {
		int n = 0;

		if (j->mntns)
			n += kill_mntns(j->mntns);
		if (j->cgroup && cgroup_ok(j->cgroup)) {
			_cleanup_free_ char *procs = NULL, *file = sp_asprintf("%s/cgroup.procs", j->cgroup);

			if (file && read_file_max(AT_FDCWD, file, &procs, 1 << 20) > 0) {
				for (char *p = procs; *p;) {
					long pid = strtol(p, &p, 10);

					if (pid > 1 && kill((pid_t)pid, SIGKILL) == 0)
						n++;
					while (*p == '\n')
						p++;
				}
			}
		}
		if (n == 0)
			break;
		(void)usleep(20 * 1000);
	}
	if (j->cgroup && cgroup_ok(j->cgroup))
		(void)rmdir(j->cgroup);
}

/* -------------------------------------------------------------- cleanup */

void txn_restore_parent_times(const struct jroot *root)
{
	_cleanup_free_ char *parent = strdup(root->path);
	char *slash = parent ? strrchr(parent, '/') : NULL;

	if (!slash)
		return;
	*slash = '\0';
	(void)utimensat(AT_FDCWD, *parent ? parent : "/", root->ptimes, AT_SYMLINK_NOFOLLOW);
}

int txn_cleanup_dirs(const struct journal *j)
{
	int r = 0, q;

	for (size_t i = 0; i < j->nroots; i++) {
		const struct jroot *root = &j->roots[i];

		txn_fault("cleanup");
		if (root->area) {
			q = fs_remove_at(AT_FDCWD, root->area, NULL);
			if (q < 0 && r == 0)
				r = q;
		}
		/* a created mount point nothing was committed to goes again */
		if (root->created && j->mode == TXN_STAGED && rmdir(root->path) == 0)
			txn_restore_parent_times(root);
	}
	if (j->tmpdir) {
		q = fs_remove_at(AT_FDCWD, j->tmpdir, NULL);
		if (q < 0 && r == 0)
			r = q;
	}
	return r;
}

int txn_cleanup(const struct journal *j, const char *sessdir)
{
	int r = txn_cleanup_dirs(j);

	if (r < 0)
		return r;
	/* the journal goes last: without it nobody knows what the directories were */
	return fs_remove_at(AT_FDCWD, sessdir, NULL);
}

/* --------------------------------------------------------------- roots */

/*
 * Add a root for path (canonical).  A path that does not exist yet is
 * replaced by its topmost missing ancestor, marked created: that is the
 * directory the install may make, and what an abort removes.
 */
int txn_add_root(struct txn *t, enum jroot_kind kind, const char *path)
{
	_cleanup_free_ char *p = strdup(path);
	struct jroot *v;
	struct txn_root_rt *rv;
	struct stat st;
	bool created = false;

	if (!p)
		return -ENOMEM;
	if (t->j.nroots >= JOURNAL_ROOTS_MAX)
		return -E2BIG;
	while (lstat(p, &st) < 0) {
		char *slash = strrchr(p, '/');

		if (errno != ENOENT || !slash || slash == p)
			return -errno;
		*slash = '\0';
		if (lstat(p, &st) == 0) {
			*slash = '/';
			created = true;
			break;
		}
	}
	if (!created && !S_ISDIR(st.st_mode))
		return -ENOTDIR;
	if (created) {
		/* the parent's times, to give back when the new directory goes again */
		char *slash = strrchr(p, '/');

		*slash = '\0';
		if (stat(*p ? p : "/", &st) < 0)
			return -errno;
		*slash = '/';
	}
	v = realloc(t->j.roots, (t->j.nroots + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	t->j.roots = v;
	rv = realloc(t->rt, (t->j.nroots + 1) * sizeof(*rv));
	if (!rv)
		return -ENOMEM;
	t->rt = rv;
	memset(&t->rt[t->j.nroots], 0, sizeof(*rv));
	t->j.roots[t->j.nroots++] = (struct jroot){ .kind = kind, .created = created,
						    .path = TAKE_PTR(p),
						    .ptimes = { st.st_atim, st.st_mtim } };
	return 0;
}

/* Forget every root (a mode that could not be set up leaves nothing behind). */
void txn_drop_roots(struct txn *t)
{
	for (size_t i = 0; i < t->j.nroots; i++) {
		free(t->j.roots[i].path);
		free(t->j.roots[i].area);
		manifest_free(t->rt[i].man);
	}
	free(t->j.roots);
	free(t->rt);
	t->j.roots = NULL;
	t->rt = NULL;
	t->j.nroots = 0;
}

/* -------------------------------------------------------------- session */

static int open_session(struct txn *t, const char *cgroup, char *err, size_t errlen)
{
	_cleanup_free_ char *txndir = NULL;
	int r;

	t->state_dir = journal_state_dir();
	if (!t->state_dir) {
		snprintf(err, errlen, "no state directory for the transaction journal: %s "
			 "(set SAFE_PIP_STATE_DIR)", strerror(errno));
		return -errno;
	}
	txndir = sp_asprintf("%s/txn", t->state_dir);
	if (!txndir)
		return -ENOMEM;
	r = fs_mkdir_p(txndir, 0700);
	if (r < 0) {
		snprintf(err, errlen, "cannot make %s: %s", txndir, strerror(-r));
		return r;
	}
	r = journal_check_state_dir(t->state_dir, err, errlen);
	if (r == 0)
		r = journal_new_id(t->j.id);
	if (r < 0)
		return r;
	t->sessdir = sp_asprintf("%s/%s", txndir, t->j.id);
	if (!t->sessdir)
		return -ENOMEM;
	if (mkdir(t->sessdir, 0700) < 0 ||
	    (t->sess_fd = open(t->sessdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 ||
	    (t->lock_fd = openat(t->sess_fd, "lock", O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
				 0600)) < 0 ||
	    flock(t->lock_fd, LOCK_EX | LOCK_NB) < 0) {
		r = -errno;
		snprintf(err, errlen, "cannot make the session directory %s: %s", t->sessdir,
			 strerror(errno));
		return r;
	}
	t->j.pid = getpid();
	if (cgroup && !(t->j.cgroup = strdup(cgroup)))
		return -ENOMEM;
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A target that does not exist yet is represented by its topmost missing ancestor. */
static int to_root_path(char **target)
{
	_cleanup_free_ char *p = strdup(*target);
	struct stat st;
	char *slash;

	if (!p)
		return -ENOMEM;
	while (lstat(p, &st) < 0) {
		if (errno != ENOENT || !(slash = strrchr(p, '/')) || slash == p)
			return 0;       /* txn_add_root() reports it */
		*slash = '\0';
		if (lstat(p, &st) == 0) {
			*slash = '/';
			free(*target);
			*target = TAKE_PTR(p);
			return 0;
		}
	}
	return 0;
}

/*
 * Lock every target, by the path of its root (as journals name it), in a
 * fixed order: two sessions never deadlock.
 */
static int lock_targets(struct txn *t, char *err, size_t errlen)
{
	char **sorted = t->plan.targets;
	size_t k = 0;

	for (size_t i = 0; i < t->plan.ntargets; i++)
		if (to_root_path(&sorted[i]) < 0)
			return -ENOMEM;
	if (t->plan.ntargets > 1)
		qsort(sorted, t->plan.ntargets, sizeof(char *), cmp_str);
	for (size_t i = 0; i < t->plan.ntargets; i++) {
		if (k > 0 && strcmp(sorted[k - 1], sorted[i]) == 0)
			free(sorted[i]);        /* two targets made below one new directory */
		else
			sorted[k++] = sorted[i];
	}
	t->plan.ntargets = k;
	t->tlocks = calloc(t->plan.ntargets + 1, sizeof(int));
	if (!t->tlocks)
		return -ENOMEM;
	for (size_t i = 0; i < t->plan.ntargets; i++) {
		int fd = journal_lock_target(t->state_dir, sorted[i], false);

		if (fd == -EWOULDBLOCK) {
			sp_msg("waiting for another safe-pip session installing into %s", sorted[i]);
			fd = journal_lock_target(t->state_dir, sorted[i], true);
		}
		if (fd < 0) {
			snprintf(err, errlen, "cannot lock %s: %s", sorted[i], strerror(-fd));
			return fd;
		}
		t->tlocks[t->ntlocks++] = fd;
	}
	return 0;
}

static int add_outside(struct txn *t, const char *p)
{
	_cleanup_free_ char *c = NULL;
	struct stat st;
	char **v;

	if (!p || p[0] != '/')
		return 0;
	c = path_canonical(p);
	if (!c || strcmp(c, "/") == 0 || stat(c, &st) < 0 || !S_ISDIR(st.st_mode))
		return 0;
	for (size_t i = 0; i < t->noutside; i++)
		if (path_under(c, t->outside[i]))
			return 0;
	for (size_t i = 0; i < t->plan.ntargets; i++)
		if (path_under(c, t->plan.targets[i]))
			return 0;       /* inside the target: the target's */
	v = realloc(t->outside, (t->noutside + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	t->outside = v;
	/* an outer directory added later swallows inner ones */
	for (size_t i = 0; i < t->noutside;) {
		if (path_under(t->outside[i], c)) {
			free(t->outside[i]);
			t->outside[i] = t->outside[--t->noutside];
		} else {
			i++;
		}
	}
	t->outside[t->noutside++] = TAKE_PTR(c);
	return 0;
}

/*
 * Where a write of the install is a finding (and, staged, never reaches
 * the disk): the homes, /etc, /usr, /opt.  Not /tmp or /var: pip and
 * builds use them, and they hold nothing a later login runs.
 */
static int find_outside(struct txn *t)
{
	static const char *const fixed[] = { "/etc", "/usr", "/opt", "/root", "/home" };
	struct passwd *pw = getpwuid(geteuid());
	int r = 0;

	for (size_t i = 0; i < ARRAY_SIZE(fixed) && r == 0; i++)
		r = add_outside(t, fixed[i]);
	if (r == 0)
		r = add_outside(t, getenv("HOME"));
	if (r == 0 && pw)
		r = add_outside(t, pw->pw_dir);
	return r;
}

bool txn_session_place(const struct txn *t, const char *abs)
{
	for (size_t i = 0; i < t->plan.npass; i++)
		if (path_under(abs, t->plan.pass[i]))
			return true;
	return t->j.tmpdir && path_under(abs, t->j.tmpdir);
}

/* Is abs a write outside the target that counts: not pip's own outputs, not TMPDIR. */
bool txn_is_outside(const struct txn *t, const char *abs)
{
	bool in = false;

	for (size_t i = 0; i < t->noutside && !in; i++)
		in = path_under(abs, t->outside[i]);
	return in && !txn_session_place(t, abs);
}

/*
 * pip's private TMPDIR: below TMPDIR, unless that is below a directory
 * staged mode covers (build trees must be readable from outside the
 * namespace: the monitor names builds from them), then /tmp or /var/tmp.
 */
static int place_tmpdir(struct txn *t)
{
	const char *env = getenv("TMPDIR");
	const char *cand[] = { env && env[0] == '/' ? env : "/tmp", "/tmp", "/var/tmp" };

	for (size_t c = 0; c < ARRAY_SIZE(cand); c++) {
		_cleanup_free_ char *raw = sp_asprintf("%s/safe-pip-%s", cand[c], t->j.id);
		char *dir = raw ? path_normalize(raw) : NULL;
		bool covered = false;

		if (!dir)
			return -ENOMEM;
		for (size_t i = 0; i < t->noutside && !covered; i++)
			covered = path_under(dir, t->outside[i]);
		if (!covered || c == ARRAY_SIZE(cand) - 1) {
			free(t->j.tmpdir);
			t->j.tmpdir = dir;
			return 0;
		}
		free(dir);
	}
	return 0;
}

int txn_prepare(struct txn **out, const struct txn_config *cfg, const struct pyinfo *py,
		char *const *pip_argv, int pip_argc, const char *cgroup, char *err, size_t errlen)
{
	struct txn *t = calloc(1, sizeof(*t));
	char why[512] = "";
	int r;

	*out = NULL;
	if (!t)
		return -ENOMEM;
	t->sess_fd = t->lock_fd = t->ns_fd = -1;
	t->cfg = *cfg;
	r = txn_plan_make(&t->plan, py, pip_argv, pip_argc, err, errlen);
	if (r < 0)
		goto fail;
	t->interp = strdup(py->real_executable);
	if (!t->interp) {
		r = -ENOMEM;
		goto fail;
	}
	t->stdlib = py->stdlib && py->stdlib[0] == '/' ? realpath(py->stdlib, NULL) : NULL;
	r = open_session(t, cgroup, err, errlen);
	if (r == 0)
		r = lock_targets(t, err, errlen);
	if (r < 0)
		goto fail;
	/* What dead sessions left behind, on our targets above all, is finished or undone first. */
	if (txn_recover(t->state_dir, t->plan.targets, t->plan.ntargets) == -EIO)
		sp_msg("warning: a previous install could not be fully rolled back (see above)");
	r = find_outside(t);
	if (r == 0)
		r = place_tmpdir(t);
	if (r < 0)
		goto fail;

	r = -ENOTSUP;
	if (cfg->want != TXN_WANT_JOURNALED) {
		r = stage_prepare(t, why, sizeof(why));
		if (r < 0 && cfg->want == TXN_WANT_STAGED) {
			snprintf(err, errlen, "a staged transaction is required (by %s) but cannot be set up: %s",
				 cfg->want_source ? cfg->want_source : "configuration", why);
			r = -ENOTSUP;
			goto fail;
		}
		if (r < 0)
			sp_debug("staged transaction unavailable (%s): journaled", why);
	}
	if (r < 0) {
		r = journaled_prepare(t, err, errlen);
		if (r < 0)
			goto fail;
	}
	txn_fault("prepared");
	*out = t;
	return 0;
fail:
	t->finished = true;     /* nothing to abort: prepare cleaned up after itself */
	if (t->sessdir && t->j.nroots == 0)
		(void)fs_remove_at(AT_FDCWD, t->sessdir, NULL);
	txn_free(t);
	return r;
}

enum txn_mode txn_mode(const struct txn *t)
{
	return t ? t->j.mode : TXN_NONE;
}

void txn_describe(const struct txn *t, char *buf, size_t len)
{
	const char *first = NULL;

	if (!t) {
		snprintf(buf, len, "none");
		return;
	}
	for (size_t i = 0; i < t->j.nroots && !first; i++)
		if (t->j.roots[i].kind == JROOT_TARGET)
			first = t->j.roots[i].path;
	if (!first)
		snprintf(buf, len, "%s (no install target)", txn_mode_name(t->j.mode));
	else
		snprintf(buf, len, "%s (%s%s)", txn_mode_name(t->j.mode), first,
			 t->plan.ntargets > 1 ? " and more" : "");
}

/* ------------------------------------------------------------- pip side */

int txn_child_setup(const struct txn *t)
{
	if (!t)
		return 0;
	if (t->ns_fd >= 0) {
		if (setns(t->ns_fd, CLONE_NEWNS) < 0)
			return -errno;
		/* the working directory must be seen through the overlays too */
		if (chdir(t->plan.cwd) < 0)
			return -errno;
	}
	if (t->j.tmpdir && setenv("TMPDIR", t->j.tmpdir, 1) < 0)
		return -errno;
	return 0;
}

int txn_before_modify(struct txn *t, const char *abs_path, enum txn_op what)
{
	_cleanup_free_ char *norm = NULL;
	int i;

	if (!t || t->finished || t->j.mode != TXN_JOURNALED)
		return 0;
	norm = path_normalize(abs_path);
	if (!norm)
		return -errno;
	i = txn_root_of(&t->j, norm, true);
	if (i < 0 || !t->rt[i].man)
		return 0;
	return manifest_before_modify(t->rt[i].man, t->j.roots[i].path, t->j.roots[i].area,
				      path_rel(norm, t->j.roots[i].path), what);
}

size_t txn_inplace_roots(const struct txn *t, const char **roots, size_t max)
{
	size_t n = 0;

	if (!t || t->finished || t->j.mode != TXN_JOURNALED)
		return 0;
	for (size_t i = 0; i < t->j.nroots && n < max; i++)
		roots[n++] = t->j.roots[i].path;
	return n;
}

void txn_visible_path(const struct txn *t, const char *abs_path, char *out, size_t len)
{
	struct stat st;
	int i;

	if (t && !t->finished && t->j.mode == TXN_STAGED &&
	    (i = txn_root_of(&t->j, abs_path, false)) >= 0) {
		int n = snprintf(out, len, "%s/upper/%s", t->j.roots[i].area,
				 path_rel(abs_path, t->j.roots[i].path));

		if (n > 0 && (size_t)n < len && lstat(out, &st) == 0)
			return;
	}
	snprintf(out, len, "%s", abs_path);
}

/* The absolute path a kernel open record names, as the process saw it. */
static int record_path(const struct sp_event *e, char *out, size_t len)
{
	char link[64], base[PATH_MAX];
	ssize_t n;

	if (e->h.flags & SP_EF_TRUNC)
		return -ENAMETOOLONG;
	if (e->open.path[0] == '/') {
		snprintf(out, len, "%.*s", (int)sizeof(e->open.path), e->open.path);
		return 0;
	}
	if (e->open.dfd == AT_FDCWD)
		snprintf(link, sizeof(link), "/proc/%u/cwd", e->h.tgid);
	else
		snprintf(link, sizeof(link), "/proc/%u/fd/%d", e->h.tgid, e->open.dfd);
	n = readlink(link, base, sizeof(base) - 1);
	if (n <= 0 || base[0] != '/')
		return -ENOENT;         /* gone already: best effort */
	base[n] = '\0';
	if (snprintf(out, len, "%s/%.*s", base, (int)sizeof(e->open.path), e->open.path) >= (int)len)
		return -ENAMETOOLONG;
	return 0;
}

void txn_kernel_open(struct txn *t, const struct sp_event *e, int dist)
{
	_cleanup_free_ char *norm = NULL;
	char path[PATH_MAX];
	struct outside_write *v;
	int i;

	/* the kernel reports every open; only a successful write can change a file */
	if (!t || t->finished || e->h.kind != SP_EV_OPEN || !(e->open.oflags & SP_OF_WRITE) ||
	    e->open.ret < 0 || record_path(e, path, sizeof(path)) < 0)
		return;
	norm = path_normalize(path);
	if (!norm)
		return;
	i = txn_root_of(&t->j, norm, true);
	if (i >= 0) {
		if (t->rt[i].man)
			manifest_kernel_write(t->rt[i].man, path_rel(norm, t->j.roots[i].path), norm);
		return;
	}
	if ((e->open.oflags & SP_OF_CREATED) && (e->open.oflags & SP_OF_RESOLVED) &&
	    !(e->h.flags & SP_EF_TRUNC) && e->h.role != SP_ROLE_PIP && !txn_session_place(t, norm))
		txn_made_created(t, norm, e->open.dev, (ino_t)e->open.ino);
	if (!txn_is_outside(t, norm))
		return;
	for (size_t k = 0; k < t->now; k++)
		if (strcmp(t->ow[k].path, norm) == 0)
			return;
	if (t->now >= TXN_OUTSIDE_MAX) {
		t->now_dropped++;
		return;
	}
	v = realloc(t->ow, (t->now + 1) * sizeof(*v));
	if (!v)
		return;
	t->ow = v;
	t->ow[t->now++] = (struct outside_write){ .path = TAKE_PTR(norm), .pid = (pid_t)e->h.tgid,
						  .dist = dist, .role = e->h.role };
}

/* ------------------------------------------------------------- findings */

const struct outside_write *txn_outside_record(const struct txn *t, const char *abs)
{
	for (size_t k = 0; k < t->now; k++)
		if (strcmp(t->ow[k].path, abs) == 0)
			return &t->ow[k];
	return NULL;
}

int txn_findings(struct txn *t, txn_finding_fn fn, void *ctx)
{
	struct txn_finding f = { .rule = "write-outside-target" };
	int r = 0;

	if (!t)
		return 0;
	if (t->j.mode == TXN_STAGED)
		return stage_findings(t, fn, ctx);
	for (size_t k = 0; k < t->now && r == 0; k++) {
		if (k == TXN_FINDINGS_MAX) {
			f.dist = -1;
			f.pid = 0;
			snprintf(f.what, sizeof(f.what), "and %zu more writes outside the install target",
				 t->now - k + (size_t)t->now_dropped);
			return fn(ctx, &f);
		}
		f.dist = t->ow[k].dist;
		f.pid = t->ow[k].pid;
		f.by_pip = t->ow[k].role == SP_ROLE_PIP;
		snprintf(f.what, sizeof(f.what),
			 "process %d opened %s for writing (outside the install target; not rolled back)",
			 (int)t->ow[k].pid, t->ow[k].path);
		r = fn(ctx, &f);
	}
	return r;
}

/* -------------------------------------------------------------- finish */

static void close_namespace(struct txn *t)
{
	if (t->ns_fd >= 0) {
		/* with the install's processes gone this drops the overlays */
		close(t->ns_fd);
		t->ns_fd = -1;
	}
}

int txn_commit(struct txn *t)
{
	uint64_t start = mono_ns();
	int r;

	if (!t || t->finished)
		return t ? t->res.error : 0;
	t->finished = true;
	close_namespace(t);
	r = txn_set_state(t, TXN_COMMITTING);
	if (r == 0 && t->j.mode == TXN_STAGED)
		r = stage_commit(&t->j, &t->res);
	txn_fault("committed");
	if (r == 0)
		r = txn_set_state(t, TXN_DONE);
	t->res.elapsed_ns = mono_ns() - start;
	if (r == 0)
		r = txn_cleanup(&t->j, t->sessdir);
	t->res.committed = r == 0;
	t->res.cleanup_ns = mono_ns() - start - t->res.elapsed_ns;
	t->res.error = r;
	return r;
}

int txn_abort(struct txn *t)
{
	uint64_t start = mono_ns();
	int r;

	if (!t || t->finished)
		return t ? t->res.error : 0;
	t->finished = true;
	close_namespace(t);
	r = txn_set_state(t, TXN_ABORTING);
	if (r == 0)
		txn_made_undo_into_roots(t);
	if (r == 0)
		r = t->j.mode == TXN_STAGED ? stage_discard(&t->j, &t->res)
					    : journaled_rollback(&t->j, t->sess_fd, t->rt, &t->res);
	/* what could not be restored is lost for good: clean up all the same */
	if (r == 0 || r == -EIO) {
		int q;

		txn_made_undo(t);
		if (r == 0 && t->res.nlost)
			r = -EIO;
		q = txn_set_state(t, TXN_DONE);

		t->res.elapsed_ns = mono_ns() - start;
		if (q == 0)
			q = txn_cleanup(&t->j, t->sessdir);
		if (q < 0 && r == 0)
			r = q;
	} else {
		t->res.elapsed_ns = mono_ns() - start;
	}
	t->res.aborted = true;
	t->res.cleanup_ns = mono_ns() - start - t->res.elapsed_ns;
	t->res.error = r;
	return r;
}

const struct txn_result *txn_result(const struct txn *t)
{
	return t ? &t->res : NULL;
}

void txn_free(struct txn *t)
{
	if (!t)
		return;
	if (!t->finished)
		(void)txn_abort(t);
	close_namespace(t);
	txn_drop_roots(t);
	/* targets were locked in plan.targets' order, which lock_targets() fixed */
	for (size_t i = 0; i < t->ntlocks; i++)
		journal_unlock_target(t->state_dir, t->plan.targets[i], t->tlocks[i]);
	for (size_t i = 0; i < t->noutside; i++)
		free(t->outside[i]);
	for (size_t i = 0; i < t->now; i++)
		free(t->ow[i].path);
	txn_made_free(t);
	for (size_t i = 0; i < TXN_LOST_LIST_MAX && i < t->res.nlost; i++)
		free(t->res.lost[i]);
	free(t->tlocks);
	free(t->outside);
	free(t->ow);
	if (t->sess_fd >= 0)
		close(t->sess_fd);
	if (t->lock_fd >= 0)
		close(t->lock_fd);
	for (size_t i = 0; i < t->j.npass; i++)
		free(t->j.pass[i]);
	free(t->j.pass);
	free(t->j.cgroup);
	free(t->j.tmpdir);
	free(t->state_dir);
	free(t->sessdir);
	free(t->interp);
	free(t->stdlib);
	txn_plan_free(&t->plan);
	free(t);
}
