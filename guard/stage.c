// SPDX-License-Identifier: MIT
/*
 * Staged mode: pip runs in a private mount namespace where each root is
 * behind an overlay whose upper layer is the root's work area.  The real
 * directories are never written while pip runs.
 *
 *   target roots   the install target: commit moves the upper layer in
 *   cover roots    home, /etc, /usr, /opt: never committed, except the
 *                  paths pip writes on purpose (pass paths: its cache,
 *                  download and wheel directories, local projects)
 *
 * The overlays are mounted with redirect_dir, index and metacopy off, so
 * the upper layer holds only whole files, whiteouts (character devices
 * 0/0) and opaque directories: commit is a walk of the upper layer alone,
 * its cost grows with what the install changed, not with the size of the
 * environment.  Where the work area shares the root's file system, commit
 * renames; elsewhere it copies.
 *
 * The namespace is made by a short-lived helper process; pip's process
 * joins it with setns() (txn_child_setup).  Inside, the state directory,
 * the work areas and the interpreter binary are bind-mounted read-only:
 * the install cannot rewrite its own journal, reach the staging
 * directories behind the overlay's back, or replace the interpreter the
 * kernel sensor recognises by inode.
 */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <sys/xattr.h>

#include "guard/fsutil.h"
#include "guard/txn_int.h"
#include "guard/util.h"

#define OVERLAYFS_MAGIC 0x794c7630
#define MOUNTS_MAX 256
#define OVL_XATTR_TRUSTED "trusted.overlay."
#define OVL_XATTR_USER "user.overlay."
#define SP_XATTR_TIMES "trusted.safe-pip.times"  /* on upper directories only, never committed */

enum mop_kind {
	MOP_OVERLAY,            /* an overlay over a root */
	MOP_BIND,               /* a file system mounted below a cover, put back */
	MOP_RO_BIND,            /* the state directory, a work area, the interpreter */
};

struct mop {
	enum mop_kind kind;
	const char *path;       /* where, inside the namespace */
	int depth;              /* components of path: parents are mounted first */
	const char *src, *lower, *upper, *work;         /* what to mount, NULL when unused */
};

/*
 * What the helper mounts.  Paths only: the helper opens them itself once
 * it is in the new namespace (overlayfs and bind mounts take their layers
 * from the caller's own namespace), before it mounts anything, so that
 * each fd names the real directory and never one of the new mounts.
 */
struct mplan {
	struct mop v[MOUNTS_MAX];
	size_t n;
	char *owned[2 * MOUNTS_MAX];    /* strings made for the plan */
	size_t nowned;
};

static int path_depth(const char *p)
{
	int d = 0;

	for (; *p; p++)
		d += *p == '/';
	return d;
}

static const char *own(struct mplan *m, char *s)
{
	if (!s)
		return NULL;
	if (m->nowned >= ARRAY_SIZE(m->owned)) {
		free(s);
		return NULL;
	}
	m->owned[m->nowned++] = s;
	return s;
}

static int mplan_add(struct mplan *m, enum mop_kind kind, const char *path, const char *src)
{
	if (!path || m->n >= MOUNTS_MAX)
		return path ? -E2BIG : -ENOMEM;
	m->v[m->n++] = (struct mop){ .kind = kind, .path = path, .depth = path_depth(path),
				     .src = src };
	return 0;
}

static void mplan_free(struct mplan *m)
{
	for (size_t i = 0; i < m->nowned; i++)
		free(m->owned[i]);
	m->n = m->nowned = 0;
}

/* mountinfo escapes space, tab, newline and backslash as \ooo. */
static char *unescape_mountinfo(const char *s)
{
	char *out = malloc(strlen(s) + 1), *o = out;

	if (!out)
		return NULL;
	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*o++ = (char)((s[1] - '0') << 6 | (s[2] - '0') << 3 | (s[3] - '0'));
			s += 3;
		} else {
			*o++ = *s;
		}
	}
	*o = '\0';
	return out;
}

/*
 * File systems mounted below a root.  Below a target they would let pip
 * write past the overlay: staged mode is refused.  Below a cover they are
 * bound back on top of the overlay (their contents are not covered).
 */
static int plan_submounts(struct txn *t, struct mplan *m, char *why, size_t whylen)
{
	_cleanup_fclose_ FILE *f = fopen("/proc/self/mountinfo", "re");
	char line[8192];
	int r = 0;

	if (!f)
		return -errno;
	while (r == 0 && fgets(line, sizeof(line), f)) {
		char field[PATH_MAX + 1];
		const char *mp;
		bool nested = false;
		int i;

		if (sscanf(line, "%*s %*s %*s %*s %4096s", field) != 1)
			continue;
		mp = own(m, unescape_mountinfo(field));
		if (!mp)
			return -ENOMEM;
		i = txn_root_of(&t->j, mp, false);
		if (i < 0 || strcmp(mp, t->j.roots[i].path) == 0)
			continue;
		if (t->j.roots[i].kind == JROOT_TARGET) {
			snprintf(why, whylen, "a file system is mounted at %s, inside the target", mp);
			return -EXDEV;
		}
		/* nested mounts come along with MS_REC on the outer one */
		for (size_t k = 0; k < m->n && !nested; k++)
			nested = m->v[k].kind == MOP_BIND && path_under(mp, m->v[k].path);
		if (!nested)
			r = mplan_add(m, MOP_BIND, mp, mp);
	}
	return r;
}

static int plan_overlays(struct txn *t, struct mplan *m)
{
	int r = 0;

	for (size_t i = 0; i < t->j.nroots && r == 0; i++) {
		struct mop *o;

		r = mplan_add(m, MOP_OVERLAY, t->j.roots[i].path, NULL);
		if (r < 0)
			break;
		o = &m->v[m->n - 1];
		o->lower = t->j.roots[i].path;
		o->upper = own(m, sp_asprintf("%s/upper", t->j.roots[i].area));
		o->work = own(m, sp_asprintf("%s/work", t->j.roots[i].area));
		if (!o->upper || !o->work)
			r = -ENOMEM;
	}
	return r;
}

/*
 * The interpreter's standard library, when a cover holds it and no target
 * is inside it: bound read-only (nothing of an install belongs there, a
 * sitecustomize.py dropped there would run in every later interpreter) and
 * read at the file system's own speed, not through an overlay, by every
 * interpreter pip starts.
 */
static bool protect_stdlib(const struct txn *t)
{
	int i = t->stdlib ? txn_root_of(&t->j, t->stdlib, false) : -1;

	if (i < 0 || t->j.roots[i].kind != JROOT_COVER)
		return false;
	for (size_t k = 0; k < t->j.nroots; k++)
		if (t->j.roots[k].kind == JROOT_TARGET && path_under(t->j.roots[k].path, t->stdlib))
			return false;
	return true;
}

/*
 * Read-only binds on top of everything: state, work areas, the standard
 * library, the interpreter (the kernel sensor knows it by inode, which an
 * overlay would change).
 */
static int plan_protect(struct txn *t, struct mplan *m)
{
	int r = mplan_add(m, MOP_RO_BIND, t->state_dir, t->state_dir);

	for (size_t i = 0; i < t->j.nroots && r == 0; i++)
		if (!path_under(t->j.roots[i].area, t->state_dir))
			r = mplan_add(m, MOP_RO_BIND, t->j.roots[i].area, t->j.roots[i].area);
	if (r == 0 && protect_stdlib(t))
		r = mplan_add(m, MOP_RO_BIND, t->stdlib, t->stdlib);
	if (r == 0 && txn_root_of(&t->j, t->interp, false) >= 0)
		r = mplan_add(m, MOP_RO_BIND, t->interp, t->interp);
	return r;
}

static int cmp_mop(const void *a, const void *b)
{
	const struct mop *x = a, *y = b;

	/* overlays and binds by depth (parents first), protection last, also by depth */
	if ((x->kind == MOP_RO_BIND) != (y->kind == MOP_RO_BIND))
		return x->kind == MOP_RO_BIND ? 1 : -1;
	return x->depth - y->depth;
}

/* ------------------------------------------------------------ the helper */

struct helper_status {
	int err;                /* errno, 0 when the namespace is ready */
	char what[256];
};

/* O_PATH fds of one mount's sources, opened in the new namespace before any mount. */
struct mfds {
	int src, lower, upper, work;
};

static int open_sources(const struct mop *o, struct mfds *f, char *what, size_t len)
{
	const char *paths[] = { o->src, o->lower, o->upper, o->work };
	int *fds[] = { &f->src, &f->lower, &f->upper, &f->work };

	for (size_t k = 0; k < ARRAY_SIZE(paths); k++) {
		*fds[k] = -1;
		if (!paths[k])
			continue;
		*fds[k] = open(paths[k], O_PATH | O_CLOEXEC);
		if (*fds[k] < 0) {
			snprintf(what, len, "open %s", paths[k]);
			return -errno;
		}
	}
	return 0;
}

static int do_mop(const struct mop *o, const struct mfds *f, char *what, size_t len)
{
	char opts[256], src[64];
	struct statfs sf;

	switch (o->kind) {
	case MOP_OVERLAY:
		snprintf(opts, sizeof(opts),
			 "lowerdir=/proc/self/fd/%d,upperdir=/proc/self/fd/%d,workdir=/proc/self/fd/%d,"
			 "redirect_dir=off,index=off,metacopy=off,xino=off,volatile", f->lower, f->upper, f->work);
		snprintf(what, len, "mount an overlay on %s", o->path);
		if (mount("overlay", o->path, "overlay", 0, opts) < 0)
			return -errno;
		/* read the state back: the directory is an overlay now */
		if (statfs(o->path, &sf) < 0 || sf.f_type != OVERLAYFS_MAGIC)
			return -EIO;
		return 0;
	case MOP_BIND:
		snprintf(src, sizeof(src), "/proc/self/fd/%d", f->src);
		snprintf(what, len, "bind %s back over its overlay", o->path);
		return mount(src, o->path, NULL, MS_BIND | MS_REC, NULL) < 0 ? -errno : 0;
	case MOP_RO_BIND:
		snprintf(src, sizeof(src), "/proc/self/fd/%d", f->src);
		snprintf(what, len, "make %s read-only inside", o->path);
		if (mount(src, o->path, NULL, MS_BIND, NULL) < 0 ||
		    mount(NULL, o->path, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL) < 0)
			return -errno;
		return 0;
	}
	return -EINVAL;
}

/* The helper: make the namespace, report, wait to be released. */
static void __attribute__((noreturn)) helper(const struct mplan *m, int status_fd, int release_fd)
{
	static struct mfds fds[MOUNTS_MAX];
	struct helper_status st = { 0 };
	char c;

	(void)prctl(PR_SET_PDEATHSIG, SIGKILL);
	snprintf(st.what, sizeof(st.what), "make a mount namespace");
	if (unshare(CLONE_NEWNS) < 0) {
		st.err = errno;
	} else if (mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0) {
		/* nothing we mount may propagate back to the host */
		st.err = errno;
	} else {
		for (size_t i = 0; i < m->n && !st.err; i++)
			st.err = -open_sources(&m->v[i], &fds[i], st.what, sizeof(st.what));
		for (size_t i = 0; i < m->n && !st.err; i++)
			st.err = -do_mop(&m->v[i], &fds[i], st.what, sizeof(st.what));
	}
	(void)write_all(status_fd, &st, sizeof(st));
	while (read(release_fd, &c, 1) < 0 && errno == EINTR)
		;
	_exit(0);
}

static int run_helper(struct txn *t, const struct mplan *m, char *why, size_t whylen)
{
	int sp[2], rp[2], r = 0, status;
	struct helper_status st = { .err = EIO };
	char nspath[64];
	struct stat nst;
	pid_t pid;
	ssize_t n;

	if (pipe2(sp, O_CLOEXEC) < 0)
		return -errno;
	if (pipe2(rp, O_CLOEXEC) < 0) {
		r = -errno;
		close(sp[0]);
		close(sp[1]);
		return r;
	}
	pid = fork();
	if (pid == 0) {
		close(sp[0]);
		close(rp[1]);
		helper(m, sp[1], rp[0]);
	}
	close(sp[1]);
	close(rp[0]);
	if (pid < 0) {
		r = -errno;
		close(sp[0]);
		close(rp[1]);
		return r;
	}
	do
		n = read(sp[0], &st, sizeof(st));
	while (n < 0 && errno == EINTR);
	close(sp[0]);
	if (n != sizeof(st)) {
		snprintf(why, whylen, "the namespace helper died");
		r = -EIO;
	} else if (st.err) {
		st.what[sizeof(st.what) - 1] = '\0';
		snprintf(why, whylen, "cannot %s: %s", st.what, strerror(st.err));
		r = -st.err;
	} else {
		/* keep the namespace by fd: it lives as long as the fd or a process in it */
		snprintf(nspath, sizeof(nspath), "/proc/%d/ns/mnt", (int)pid);
		t->ns_fd = open(nspath, O_RDONLY | O_CLOEXEC);
		if (t->ns_fd < 0 || fstat(t->ns_fd, &nst) < 0) {
			r = -errno;
			snprintf(why, whylen, "cannot hold the mount namespace: %s", strerror(errno));
		} else {
			t->j.mntns = nst.st_ino;
		}
	}
	close(rp[1]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return r;
}

/* ------------------------------------------------------------- prepare */

/* Work areas: upper/ and work/ on a fresh directory; upper/ dressed as the root. */
static int make_areas(struct txn *t)
{
	for (size_t i = 0; i < t->j.nroots; i++) {
		const struct jroot *root = &t->j.roots[i];
		_cleanup_close_ int fd = -1;
		struct stat st;
		int r;

		if (root->created && mkdir(root->path, 0777) < 0 && errno != EEXIST)
			return -errno;
		if (mkdir(root->area, 0700) < 0)
			return -errno;
		fd = open(root->area, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
		if (fd < 0 || mkdirat(fd, "upper", 0700) < 0 || mkdirat(fd, "work", 0700) < 0)
			return -errno;
		/* the overlay's root directory shows the upper directory's owner, mode, times */
		if (stat(root->path, &st) < 0)
			return -errno;
		r = fs_set_meta_at(fd, "upper", &st);
		if (r < 0)
			return r;
	}
	return mkdir(t->j.tmpdir, 0700) < 0 ? -errno : 0;
}

static int add_roots(struct txn *t)
{
	int r = 0;

	for (size_t i = 0; i < t->plan.ntargets && r == 0; i++)
		r = txn_add_root(t, JROOT_TARGET, t->plan.targets[i]);
	for (size_t i = 0; i < t->noutside && r == 0; i++)
		r = txn_add_root(t, JROOT_COVER, t->outside[i]);
	for (size_t i = 0; i < t->j.nroots && r == 0; i++)
		r = txn_make_area(t, i, t->j.roots[i].kind == JROOT_TARGET);
	return r;
}

static int journal_pass(struct txn *t)
{
	t->j.pass = calloc(t->plan.npass + 1, sizeof(char *));
	if (!t->j.pass)
		return -ENOMEM;
	for (size_t i = 0; i < t->plan.npass; i++) {
		if (txn_root_of(&t->j, t->plan.pass[i], false) < 0)
			continue;       /* not under a cover: written in place anyway */
		t->j.pass[t->j.npass] = strdup(t->plan.pass[i]);
		if (!t->j.pass[t->j.npass])
			return -ENOMEM;
		t->j.npass++;
	}
	return 0;
}

static void undo_prepare(struct txn *t)
{
	if (t->ns_fd >= 0)
		close(t->ns_fd);
	t->ns_fd = -1;
	t->j.mntns = 0;
	(void)txn_cleanup_dirs(&t->j);
	for (size_t i = 0; i < t->j.npass; i++)
		free(t->j.pass[i]);
	free(t->j.pass);
	t->j.pass = NULL;
	t->j.npass = 0;
	txn_drop_roots(t);
	t->j.mode = TXN_NONE;
}

int stage_prepare(struct txn *t, char *why, size_t whylen)
{
	struct mplan m = { 0 };
	int r;

	if (geteuid() != 0) {
		/* unprivileged user namespaces would work too; not done (see README) */
		snprintf(why, whylen, "staged mode needs root (a mount namespace)");
		return -EPERM;
	}
	r = add_roots(t);
	if (r == 0)
		r = journal_pass(t);
	if (r < 0) {
		snprintf(why, whylen, "cannot place the staging directories: %s", strerror(-r));
		undo_prepare(t);
		return r;
	}
	r = plan_submounts(t, &m, why, whylen);
	if (r < 0) {
		if (r != -EXDEV)
			snprintf(why, whylen, "cannot read the mount table: %s", strerror(-r));
		mplan_free(&m);
		undo_prepare(t);
		return r;
	}
	t->j.mode = TXN_STAGED;
	t->j.state = TXN_PREPARED;
	/* named in the journal before any of it exists */
	r = journal_save(t->sess_fd, &t->j);
	if (r == 0)
		r = make_areas(t);
	if (r < 0)
		snprintf(why, whylen, "cannot make the staging directories: %s", strerror(-r));
	if (r == 0)
		r = plan_overlays(t, &m);
	if (r == 0)
		r = plan_protect(t, &m);
	if (r == 0) {
		qsort(m.v, m.n, sizeof(m.v[0]), cmp_mop);
		r = run_helper(t, &m, why, whylen);
	} else if (!*why) {
		snprintf(why, whylen, "cannot open the directories to mount: %s", strerror(-r));
	}
	if (r == 0)
		r = journal_save(t->sess_fd, &t->j);
	mplan_free(&m);
	if (r < 0)
		undo_prepare(t);
	return r;
}

/* -------------------------------------------------------------- commit */

struct merge {
	struct txn_result *res;
	int trash;              /* area/trash on the root's file system, or -1 */
	unsigned long ntrash;
};

static int open_dir_at(int dirfd, const char *name)
{
	int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

static bool xattr_is(int dirfd, const char *name, const char *key, const char *want)
{
	char path[64 + NAME_MAX], v[8];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/fd/%d/%s", dirfd, name);
	n = lgetxattr(path, key, v, sizeof(v));
	return n == (ssize_t)strlen(want) && memcmp(v, want, (size_t)n) == 0;
}

static bool is_opaque(int dirfd, const char *name)
{
	return xattr_is(dirfd, name, OVL_XATTR_TRUSTED "opaque", "y") ||
	       xattr_is(dirfd, name, OVL_XATTR_USER "opaque", "y");
}

static int strip_ovl(int dirfd, const char *name)
{
	int r = fs_strip_xattrs_at(dirfd, name, OVL_XATTR_TRUSTED, false);

	return r < 0 ? r : fs_strip_xattrs_at(dirfd, name, OVL_XATTR_USER, false);
}

/*
 * Make a subtree of the upper layer fit for the real file system before
 * it moves there whole: overlay's own attributes go, stray whiteouts go
 * (a directory new to the target hides nothing), files are counted.
 */
static int clean_tree(int pfd, const char *name, uint64_t *files, int depth)
{
	struct dirent *de;
	struct stat st;
	DIR *d;
	int fd, r;

	if (fstatat(pfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	if (fs_is_whiteout(&st))
		return unlinkat(pfd, name, 0) < 0 ? -errno : 0;
	r = strip_ovl(pfd, name);
	if (r < 0 || !S_ISDIR(st.st_mode)) {
		*files += r == 0;
		return r;
	}
	if (depth >= FS_DEPTH_MAX)
		return -ELOOP;
	fd = open_dir_at(pfd, name);
	if (fd < 0)
		return fd;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return -ENOMEM;
	}
	while (r == 0 && (errno = 0, de = readdir(d)))
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			r = clean_tree(dirfd(d), de->d_name, files, depth + 1);
	if (r == 0 && errno)
		r = -errno;
	closedir(d);
	return r;
}

/* Take what is in the way out of the target: to the trash (one rename) or removed. */
static int set_aside(struct merge *m, int rfd, const char *name)
{
	char tname[32];

	if (m->trash >= 0) {
		for (int tries = 0; tries < 1000; tries++) {
			snprintf(tname, sizeof(tname), "%lu", m->ntrash++);
			if (renameat(rfd, name, m->trash, tname) == 0)
				return 0;
			if (errno != EEXIST && errno != ENOTEMPTY)
				break;
		}
	}
	return fs_remove_at(rfd, name, NULL);
}

static bool same_meta(const struct stat *a, const struct stat *b)
{
	return a->st_mode == b->st_mode && a->st_uid == b->st_uid && a->st_gid == b->st_gid &&
	       a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

/*
 * The times a merged upper directory had when the commit began.  Moving
 * its entries out changes its mtime; an interrupted commit finished later
 * must still give the target directory the times the overlay showed, so
 * they are kept in an attribute of the upper directory before the first
 * entry moves.  fd, or dirfd/name when name is not NULL.
 */
static void pin_times(int fd, const char *name, struct stat *st)
{
	struct timespec ts[2];
	char path[64 + NAME_MAX];
	ssize_t n;

	if (name) {
		snprintf(path, sizeof(path), "/proc/self/fd/%d/%s", fd, name);
		n = lgetxattr(path, SP_XATTR_TIMES, ts, sizeof(ts));
	} else {
		n = fgetxattr(fd, SP_XATTR_TIMES, ts, sizeof(ts));
	}
	if (n == (ssize_t)sizeof(ts)) {
		st->st_atim = ts[0];
		st->st_mtim = ts[1];
		return;
	}
	ts[0] = st->st_atim;
	ts[1] = st->st_mtim;
	if (name)
		(void)lsetxattr(path, SP_XATTR_TIMES, ts, sizeof(ts), 0);
	else
		(void)fsetxattr(fd, SP_XATTR_TIMES, ts, sizeof(ts), 0);
}

static int merge_dir(struct merge *m, int ufd, int rfd, int depth);

/*
 * Make rfd/name what the overlay showed for it, given the upper entry
 * ufd/name.  Each step either finds its work done or does it, so running
 * this again after an interruption finishes the job (roll forward): a
 * moved entry is gone from the upper layer, an applied whiteout has
 * nothing left to remove.
 */
static int merge_entry(struct merge *m, int ufd, int rfd, const char *name, int depth)
{
	struct stat us, rs;
	bool present;
	int r;

	if (fstatat(ufd, name, &us, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : -errno;
	present = fstatat(rfd, name, &rs, AT_SYMLINK_NOFOLLOW) == 0;
	if (!present && errno != ENOENT)
		return -errno;
	if (fs_is_whiteout(&us)) {
		if (!present)
			return 0;
		txn_fault("commit");
		m->res->deletions++;
		return fs_remove_at(rfd, name, NULL);
	}
	if (S_ISDIR(us.st_mode) && present && S_ISDIR(rs.st_mode) && !is_opaque(ufd, name)) {
		_cleanup_close_ int u = open_dir_at(ufd, name), d = open_dir_at(rfd, name);

		if (depth >= FS_DEPTH_MAX)
			return -ELOOP;
		if (u < 0 || d < 0)
			return u < 0 ? u : d;
		pin_times(ufd, name, &us);
		r = merge_dir(m, u, d, depth + 1);
		if (r == 0 && fstat(d, &rs) == 0 && !same_meta(&us, &rs))
			r = fs_set_meta_at(rfd, name, &us);
		return r;
	}
	/* a new or opaque directory, or a file: it moves as a whole */
	txn_fault("commit");
	if (present && (S_ISDIR(rs.st_mode) || S_ISDIR(us.st_mode))) {
		r = set_aside(m, rfd, name);
		if (r < 0)
			return r;
	}
	r = clean_tree(ufd, name, &m->res->files, depth);
	if (r < 0)
		return r;
	return fs_move_at(ufd, name, rfd, name);
}

static int merge_dir(struct merge *m, int ufd, int rfd, int depth)
{
	_cleanup_close_ int dup_fd = dup(ufd);
	struct dirent *de;
	DIR *d;
	int r = 0;

	if (dup_fd < 0)
		return -errno;
	d = fdopendir(dup_fd);
	if (!d)
		return -errno;
	dup_fd = -1;
	while (r == 0 && (errno = 0, de = readdir(d)))
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			r = merge_entry(m, ufd, rfd, de->d_name, depth);
	if (r == 0 && errno)
		r = -errno;
	closedir(d);
	return r;
}

static int open_trash(const struct jroot *root)
{
	_cleanup_free_ char *path = sp_asprintf("%s/trash", root->area);
	struct stat a, b;

	if (!path || stat(root->area, &a) < 0 || stat(root->path, &b) < 0 || a.st_dev != b.st_dev)
		return -1;
	if (mkdir(path, 0700) < 0 && errno != EEXIST)
		return -1;
	return open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
}

/* Merge the whole upper layer of a target into the target. */
static int commit_target(const struct jroot *root, struct txn_result *res)
{
	_cleanup_free_ char *upath = sp_asprintf("%s/upper", root->area);
	_cleanup_close_ int ufd = -1, rfd = -1;
	struct merge m = { .res = res };
	struct stat us, rs;
	int r = 0;

	if (!upath)
		return -ENOMEM;
	ufd = open(upath, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (ufd < 0)
		return errno == ENOENT ? 0 : -errno;    /* nothing was staged */
	rfd = open(root->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (rfd < 0)
		return -errno;
	m.trash = open_trash(root);
	if (fstat(ufd, &us) < 0)
		r = -errno;
	else
		pin_times(ufd, NULL, &us);
	if (r == 0)
		r = merge_dir(&m, ufd, rfd, 0);
	if (r == 0 && fstat(rfd, &rs) == 0 && !same_meta(&us, &rs))
		r = fs_set_meta_at(rfd, ".", &us);
	if (m.trash >= 0)
		close(m.trash);
	return r;
}

/*
 * A path pip writes on purpose below a cover (its cache, a download
 * directory, a local project): its upper entry goes to the real path,
 * whose missing parents are made as the overlay showed them.
 */
static int commit_pass(const struct jroot *root, const char *pass, struct txn_result *res)
{
	_cleanup_free_ char *rel = strdup(path_rel(pass, root->path));
	_cleanup_free_ char *upath = sp_asprintf("%s/upper", root->area);
	_cleanup_close_ int ufd = -1, rfd = -1;
	struct merge m = { .res = res, .trash = -1 };
	char *comp, *save = NULL, *next;

	if (!rel || !upath)
		return -ENOMEM;
	ufd = open(upath, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	rfd = open(root->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (ufd < 0 || rfd < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!*rel)
		return merge_dir(&m, ufd, rfd, 0);
	for (comp = strtok_r(rel, "/", &save); comp; comp = next) {
		struct stat us, rs;
		int u, d;

		next = strtok_r(NULL, "/", &save);
		if (!next)
			return merge_entry(&m, ufd, rfd, comp, 0);
		if (fstatat(ufd, comp, &us, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISDIR(us.st_mode))
			return 0;       /* nothing staged there */
		if (fstatat(rfd, comp, &rs, AT_SYMLINK_NOFOLLOW) < 0) {
			if (errno != ENOENT || mkdirat(rfd, comp, 0700) < 0 ||
			    fs_set_meta_at(rfd, comp, &us) < 0)
				return -errno;
		} else if (!S_ISDIR(rs.st_mode)) {
			return 0;       /* the real path is something else now: leave it */
		}
		u = open_dir_at(ufd, comp);
		d = open_dir_at(rfd, comp);
		close(ufd);
		close(rfd);
		ufd = u;
		rfd = d;
		if (ufd < 0 || rfd < 0)
			return ufd < 0 ? ufd : rfd;
	}
	return 0;
}

int stage_commit(const struct journal *j, struct txn_result *res)
{
	int r = 0;

	for (size_t i = 0; i < j->nroots && r == 0; i++)
		if (j->roots[i].kind == JROOT_TARGET)
			r = commit_target(&j->roots[i], res);
	for (size_t k = 0; k < j->npass && r == 0; k++) {
		int i = txn_root_of(j, j->pass[k], false);

		if (i >= 0 && j->roots[i].kind == JROOT_COVER)
			r = commit_pass(&j->roots[i], j->pass[k], res);
	}
	return r;
}

/* ------------------------------------------------------------- discard */

/* Count what an upper layer holds: files written and whiteouts. */
static void count_upper(int pfd, const char *name, struct txn_result *res, int depth)
{
	struct dirent *de;
	struct stat st;
	DIR *d;
	int fd;

	if (fstatat(pfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return;
	if (fs_is_whiteout(&st)) {
		res->deletions++;
		return;
	}
	if (!S_ISDIR(st.st_mode)) {
		res->files++;
		return;
	}
	if (depth >= FS_DEPTH_MAX || (fd = open_dir_at(pfd, name)) < 0)
		return;
	if (!(d = fdopendir(fd))) {
		close(fd);
		return;
	}
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			count_upper(dirfd(d), de->d_name, res, depth + 1);
	closedir(d);
}

int stage_discard(const struct journal *j, struct txn_result *res)
{
	for (size_t i = 0; i < j->nroots; i++) {
		_cleanup_close_ int fd = -1;

		if (j->roots[i].kind != JROOT_TARGET)
			continue;
		fd = open(j->roots[i].area, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
		if (fd >= 0)
			count_upper(fd, "upper", res, 0);
	}
	txn_fault("abort");
	/* the target was never written: txn_cleanup() removes the work areas */
	return 0;
}

/* ------------------------------------------------------------ findings */

struct fwalk {
	struct txn *t;
	txn_finding_fn fn;
	void *ctx;
	uint64_t n;             /* findings seen */
	int r;
};

static void report_cover_entry(struct fwalk *w, const char *real, const struct stat *st)
{
	const struct outside_write *rec = txn_outside_record(w->t, real);
	struct txn_finding f = { .rule = "write-outside-target", .dist = rec ? rec->dist : -1,
				 .pid = rec ? rec->pid : 0, .by_pip = rec && rec->role == SP_ROLE_PIP };
	struct stat rs;
	const char *verb;

	if (++w->n > TXN_FINDINGS_MAX || w->r)
		return;
	if (fs_is_whiteout(st))
		verb = "deleted";
	else
		verb = lstat(real, &rs) == 0 ? "modified" : "created";
	if (rec)
		snprintf(f.what, sizeof(f.what), "process %d %s %s (outside the install target; "
			 "staged, not committed)", (int)rec->pid, verb, real);
	else
		snprintf(f.what, sizeof(f.what), "the install %s %s (outside the install target; "
			 "staged, not committed)", verb, real);
	w->r = w->fn(w->ctx, &f);
}

/* Walk a cover's upper layer; real is the real path of dirfd/name. */
static void walk_cover(struct fwalk *w, int pfd, const char *name, const char *real, int depth)
{
	struct dirent *de;
	struct stat st;
	DIR *d;
	int fd;

	if (fstatat(pfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0 || w->r)
		return;
	if (depth > 0 && !txn_is_outside(w->t, real)) {
		/* pip's own outputs below a cover: committed with the install, not findings */
		return;
	}
	if (!S_ISDIR(st.st_mode)) {
		report_cover_entry(w, real, &st);
		return;
	}
	if (depth >= FS_DEPTH_MAX || (fd = open_dir_at(pfd, name)) < 0)
		return;
	if (!(d = fdopendir(fd))) {
		close(fd);
		return;
	}
	while ((de = readdir(d))) {
		_cleanup_free_ char *sub = NULL;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		sub = path_join(real, de->d_name);
		if (sub)
			walk_cover(w, dirfd(d), de->d_name, sub, depth + 1);
	}
	closedir(d);
}

int stage_findings(struct txn *t, txn_finding_fn fn, void *ctx)
{
	struct fwalk w = { .t = t, .fn = fn, .ctx = ctx };

	for (size_t i = 0; i < t->j.nroots && !w.r; i++) {
		_cleanup_close_ int fd = -1;

		if (t->j.roots[i].kind != JROOT_COVER)
			continue;
		fd = open(t->j.roots[i].area, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
		if (fd >= 0)
			walk_cover(&w, fd, "upper", t->j.roots[i].path, 0);
	}
	if (w.n > TXN_FINDINGS_MAX && !w.r) {
		struct txn_finding f = { .rule = "write-outside-target", .dist = -1 };

		snprintf(f.what, sizeof(f.what), "and %llu more changes outside the install target "
			 "(staged, not committed)", (unsigned long long)(w.n - TXN_FINDINGS_MAX));
		w.r = fn(ctx, &f);
	}
	return w.r;
}
