// SPDX-License-Identifier: MIT
/*
 * Files under the seccomp sensor: opens, and the calls that create,
 * replace or remove a name (unlink, rename, link, symlink, truncate,
 * mknod).
 *
 * pip's own calls are judged on the copy of their path and carried out by
 * the kernel (CONTINUE): pip is not package code.
 *
 * A build's calls are carried out by the supervisor, on the path it read
 * once, so that nothing the build changes afterwards (its memory, a
 * symlink it swaps) can make the kernel act on something else than what
 * was judged:
 *   1. resolve without side effects: O_PATH of the file, or of its parent
 *      directory for a name to create, relative to the caller's cwd or
 *      dirfd (/proc/<tid>/cwd, /proc/<tid>/fd/N), with the caller's
 *      openat2() resolve flags, magic links refused unless they are the
 *      caller's own (/proc/self/fd/N is rewritten to /proc/<tid>/fd/N);
 *   2. judge the resolved path (and the path as written) against the
 *      policy and, when writes are confined, the Landlock roots;
 *   3. act on the resolved object: reopen /proc/self/fd/N with the
 *      caller's flags and hand the fd over with SECCOMP_IOCTL_NOTIF_ADDFD
 *      (atomically returned by the call), or unlinkat/renameat2/... on
 *      the resolved parent with the caller's umask.
 * The supervisor acts only for processes with exactly its credentials and
 * mount namespace.  For the rest, and for FIFOs and sockets (opening them
 * could block the supervisor), the call is judged on the copy and
 * continued when no other thread can change the path (sn_racy()), refused
 * otherwise.
 */
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "guard/gpolicy.h"
#include "guard/landlock.h"
#include "guard/seccomp_int.h"
#include "guard/session.h"
#include "guard/util.h"
#include "policy/policy.h"

#define O_WRITE_INTENT (O_WRONLY | O_RDWR | O_CREAT | O_TRUNC)

static bool write_intent(int flags)
{
	return (flags & O_WRITE_INTENT) || (flags & O_TMPFILE) == O_TMPFILE;
}

/* ------------------------------------------------------- path helpers */

bool sn_translate_self(const char *in, pid_t tgid, pid_t tid, char *out, size_t len)
{
	static const struct {
		const char *prefix;
		int fd;                 /* -1: a directory prefix */
		bool thread;
	} map[] = {
		{ "/proc/self", -1, false }, { "/proc/thread-self", -1, true },
		{ "/dev/fd", -2, false }, { "/dev/stdin", 0, false }, { "/dev/stdout", 1, false },
		{ "/dev/stderr", 2, false },
	};

	for (size_t i = 0; i < ARRAY_SIZE(map); i++) {
		size_t n = strlen(map[i].prefix);
		const char *rest = in + n;
		int r;

		if (strncmp(in, map[i].prefix, n) != 0 || (*rest && *rest != '/'))
			continue;
		if (map[i].fd >= 0)
			r = snprintf(out, len, "/proc/%d/fd/%d%s", (int)tid, map[i].fd, rest);
		else if (map[i].fd == -2)
			r = snprintf(out, len, "/proc/%d/fd%s", (int)tid, rest);
		else if (map[i].thread)
			r = snprintf(out, len, "/proc/%d/task/%d%s", (int)tgid, (int)tid, rest);
		else
			r = snprintf(out, len, "/proc/%d%s", (int)tgid, rest);
		return r > 0 && (size_t)r < len;
	}
	return false;
}

/* "//" and "/./" collapsed (the same path to the kernel), so that the prefixes above are seen. */
static void squash(char *p)
{
	const char *r = p;
	char *w = p;

	while (*r) {
		if (r[0] == '/' && r[1] == '/') {
			r++;
			continue;
		}
		if (r[0] == '/' && r[1] == '.' && r[2] == '/') {
			r += 2;
			continue;
		}
		*w++ = *r++;
	}
	*w = '\0';
}

/* The path as written, made absolute against the caller's cwd/dirfd. */
static bool absolute(struct sn *sn, struct sn_task *t, int dirfd, const char *path, char *out,
		     size_t len)
{
	char link[64], base[SN_PATH_MAX];
	ssize_t n;

	if (path[0] == '/')
		return snprintf(out, len, "%s", path) < (int)len;
	if (dirfd == AT_FDCWD)
		snprintf(link, sizeof(link), "/proc/%d/cwd", (int)t->tid);
	else
		snprintf(link, sizeof(link), "/proc/%d/fd/%d", (int)t->tid, dirfd);
	n = readlink(link, base, sizeof(base) - 1);
	if (n <= 0 || base[0] != '/')
		return false;
	base[n] = '\0';
	return snprintf(out, len, "%s/%s", base, path) < (int)len;
}

static int fd_path(int fd, char *out, size_t len)
{
	char link[64];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, out, len - 1);
	if (n <= 0)
		return -errno;
	out[n] = '\0';
	return 0;
}

/* Does a resolved path lead into the supervisor's own /proc entries? */
static bool ours(const struct sn *sn, const char *resolved)
{
	char me[32];
	size_t n = (size_t)snprintf(me, sizeof(me), "/proc/%d", (int)sn->self);

	return strncmp(resolved, me, n) == 0 && (resolved[n] == '/' || resolved[n] == '\0');
}

static const char *loc(const struct sp_entry *e, char *buf, size_t len)
{
	if (e->loc.line)
		snprintf(buf, len, "%s:%u", e->loc.file, e->loc.line);
	else
		snprintf(buf, len, "%s", e->loc.file ? e->loc.file : "built in");
	return buf;
}

/* --------------------------------------------------------- judgement */

/*
 * Judge one path a call reads or writes (as written, made absolute, and
 * as resolved; either may be NULL).  Returns 0 to go on, or the errno the
 * call fails with (the finding recorded).
 */
static int judge(struct sn *sn, struct sn_call *c, const char *abs, const char *resolved,
		 bool write, bool creating)
{
	struct session *s = sn->s;
	const char *paths[2] = { abs, resolved };
	char w[SP_ERR_FILE_MAX + 16], who[PROC_CMDLINE_MAX + 64];

	for (size_t i = 0; i < 2; i++) {
		const struct sp_entry *m;

		if (!paths[i] || paths[i][0] != '/' || (i == 1 && abs && strcmp(abs, resolved) == 0))
			continue;
		m = write ? sp_policy_match_write(s->policy, paths[i]) :
			    sp_policy_match_read(s->policy, paths[i]);
		if (!m || m->action != SP_ACT_DENY)
			continue;
		(void)sn_finding(sn, c, write ? "denied-write" : "denied-read", true,
				 "%s of %s%s%s denied by the files.%s entry '%s' (%s): %s",
				 write ? "write" : "read", paths[i], i == 1 && abs ? " as " : "",
				 i == 1 && abs ? abs : "", write ? "deny_write" : "deny_read", m->text,
				 loc(m, w, sizeof(w)), sn_who(sn, c, who, sizeof(who)));
		if (s->blocked || sn->enforce)
			return EACCES;
	}
	if (write && resolved && s->ll && !ll_allows_write(s->ll, resolved, creating)) {
		/* what the kernel would say: Landlock confines the build's writes */
		sp_debug("seccomp: write to %s outside the confined directories refused: %s", resolved,
			 sn_who(sn, c, who, sizeof(who)));
		return EACCES;
	}
	return 0;
}

/* The copy cannot be acted on by us: continue only if it cannot change. */
static void continue_if_stable(struct sn *sn, struct sn_call *c, struct sn_verdict *v,
			       const char *what)
{
	char who[PROC_CMDLINE_MAX + 64];

	if (!sn_racy(sn, c->t))
		return;
	sp_debug("seccomp: %s refused: %s has several threads and the supervisor cannot act for it",
		 what, sn_who(sn, c, who, sizeof(who)));
	v->answer = SN_ERROR;
	v->err = EACCES;
}

/* ----------------------------------------------------------- resolving */

/* The directory a relative path starts from: cwd or the caller's dirfd. */
static int start_dir(struct sn *sn, struct sn_task *t, int dirfd, const char *path)
{
	char name[32];
	int fd;

	if (path[0] == '/')
		return AT_FDCWD;
	if (dirfd == AT_FDCWD)
		snprintf(name, sizeof(name), "cwd");
	else
		snprintf(name, sizeof(name), "fd/%d", dirfd);
	fd = sn_task_open(sn, t, name, O_PATH);
	if (fd == -ENOENT)
		return -EBADF;
	return fd;
}

struct resolved {
	int pfd;                        /* O_PATH of the object, or -1 */
	int dirfd;                      /* O_PATH of the parent when the object is new, or -1 */
	char name[NAME_MAX + 1];        /* its name in dirfd */
	char path[SN_PATH_MAX];         /* the resolved absolute path */
	mode_t type;                    /* S_IFMT of pfd */
};

static void resolved_free(struct resolved *r)
{
	if (r->pfd >= 0)
		close(r->pfd);
	if (r->dirfd >= 0)
		close(r->dirfd);
	r->pfd = r->dirfd = -1;
}

/* Split path into its parent (may be "." or "/") and last component. */
static int split(const char *path, char *dir, size_t dlen, char *name)
{
	size_t n = strlen(path);
	const char *slash;

	while (n > 1 && path[n - 1] == '/')
		n--;
	slash = memrchr(path, '/', n);
	if (!slash) {
		snprintf(dir, dlen, ".");
		slash = path - 1;
	} else {
		snprintf(dir, dlen, "%.*s", slash == path ? 1 : (int)(slash - path), path);
	}
	if ((size_t)(path + n - slash - 1) > NAME_MAX)
		return -ENAMETOOLONG;
	snprintf(name, NAME_MAX + 1, "%.*s", (int)(path + n - slash - 1), slash + 1);
	if (!name[0] || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return -EISDIR;
	return 0;
}

static int openat2_(int dirfd, const char *path, int flags, uint64_t resolve)
{
	struct open_how how = { .flags = (uint64_t)(flags | O_CLOEXEC), .resolve = resolve };
	long fd = syscall(SYS_openat2, dirfd, path, &how, sizeof(how));

	return fd < 0 ? -errno : (int)fd;
}

/*
 * Resolve path (from start) without side effects.  want_parent: the
 * object itself may be missing (a name to create): resolve its parent.
 * nofollow: the last component is not followed.  Returns 0 or -errno;
 * -EAGAIN means "we cannot act for it" (a magic link not the caller's).
 */
static int resolve(struct sn *sn, int start, const char *path, bool magic_ok, uint64_t how,
		   int oflags, bool want_parent, struct resolved *r)
{
	uint64_t res = how | (magic_ok ? 0 : RESOLVE_NO_MAGICLINKS);
	char dir[SN_PATH_MAX];
	struct stat st;
	int e;

	r->pfd = openat2_(start, path, O_PATH | oflags, res);
	if (r->pfd == -ELOOP && !magic_ok)
		return -EAGAIN;
	if (r->pfd == -ENOENT && want_parent) {
		e = split(path, dir, sizeof(dir), r->name);
		if (e < 0)
			return -ENOENT;
		r->dirfd = openat2_(start, dir, O_PATH | O_DIRECTORY, res);
		if (r->dirfd == -ELOOP && !magic_ok)
			return -EAGAIN;
		if (r->dirfd < 0)
			return r->dirfd;
		e = fd_path(r->dirfd, r->path, sizeof(r->path));
		if (e < 0)
			return e;
		if (snprintf(r->path + strlen(r->path), sizeof(r->path) - strlen(r->path), "%s%s",
			     strcmp(r->path, "/") == 0 ? "" : "/", r->name) >= (int)sizeof(r->path))
			return -ENAMETOOLONG;
		return ours(sn, r->path) ? -EAGAIN : 0;
	}
	if (r->pfd < 0)
		return r->pfd;
	if (fstat(r->pfd, &st) < 0)
		return -errno;
	r->type = st.st_mode & S_IFMT;
	e = fd_path(r->pfd, r->path, sizeof(r->path));
	if (e < 0)
		return e;
	return ours(sn, r->path) ? -EAGAIN : 0;
}

/* ---------------------------------------------------------------- open */

struct open_args {
	int dirfd;
	uint64_t upath;
	int flags;
	mode_t mode;
	uint64_t resolve;
};

static int open_args(struct sn *sn, struct sn_call *c, struct open_args *a)
{
	const struct seccomp_data *d = &c->req->data;

	a->dirfd = AT_FDCWD;
	a->resolve = 0;
	switch (d->nr) {
#ifdef __NR_open
	case __NR_open:
		a->upath = d->args[0];
		a->flags = (int)d->args[1];
		a->mode = (mode_t)d->args[2];
		return 0;
#endif
#ifdef __NR_creat
	case __NR_creat:
		a->upath = d->args[0];
		a->flags = O_CREAT | O_WRONLY | O_TRUNC;
		a->mode = (mode_t)d->args[1];
		return 0;
#endif
	case __NR_openat:
		a->dirfd = (int)d->args[0];
		a->upath = d->args[1];
		a->flags = (int)d->args[2];
		a->mode = (mode_t)d->args[3];
		return 0;
	default: {      /* openat2: struct open_how in memory, read once */
		struct open_how how = { 0 };
		size_t size = (size_t)d->args[3];

		if (size < sizeof(how) || size > 4096)
			return -EINVAL;         /* the kernel's own checks, roughly */
		if (sn_read_mem(sn, c->t, d->args[2], &how, sizeof(how)) < 0)
			return -EFAULT;
		a->dirfd = (int)d->args[0];
		a->upath = d->args[1];
		a->flags = (int)how.flags;
		a->mode = (mode_t)how.mode;
		a->resolve = how.resolve;
		return how.flags > UINT32_MAX ? -EINVAL : 0;
	}
	}
}

/* The caller's umask around an operation that creates. */
static int with_umask(struct sn *sn, struct sn_task *t, mode_t *saved)
{
	int m = sn_task_umask(sn, t);

	if (m < 0)
		return m;
	*saved = umask((mode_t)m);
	return 0;
}

/* Step 3 for an open: the fd the caller gets. */
static int reopen(struct sn *sn, struct sn_call *c, const struct open_args *a, struct resolved *r)
{
	/* never our controlling terminal; the caller's O_CLOEXEC is set by ADDFD */
	int flags = (a->flags & ~(O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC)) | O_CLOEXEC | O_NOCTTY;
	char self[64];
	mode_t saved;
	int fd;

	if (a->flags & O_PATH)
		return TAKE_FD(r->pfd);
	if (r->pfd >= 0) {
		if (r->type == S_IFLNK)
			return -ELOOP;  /* O_NOFOLLOW on a symlink */
		snprintf(self, sizeof(self), "/proc/self/fd/%d", r->pfd);
		if ((a->flags & O_TMPFILE) == O_TMPFILE && with_umask(sn, c->t, &saved) == 0) {
			fd = open(self, flags, a->mode);
			umask(saved);
		} else {
			fd = open(self, flags, a->mode);
		}
		return fd < 0 ? -errno : fd;
	}
	if (!(a->flags & O_CREAT))
		return -ENOENT;
	if (with_umask(sn, c->t, &saved) < 0)
		return -ESRCH;
	/* O_NOFOLLOW: a symlink planted since the check is not followed */
	fd = openat(r->dirfd, r->name, flags | O_CREAT | O_NOFOLLOW | (a->flags & O_EXCL), a->mode);
	umask(saved);
	return fd < 0 ? -errno : fd;
}

/* A build's open, carried out by us.  -EAGAIN: we cannot act for it. */
static int emulate_open(struct sn *sn, struct sn_call *c, const struct open_args *a,
			const char *path, const char *abs, struct sn_verdict *v)
{
	struct resolved r = { .pfd = -1, .dirfd = -1 };
	char tr[SN_PATH_MAX + 64];
	bool magic_ok, write = write_intent(a->flags);
	int start, e, fd, pflags;

	if (c->p->flags & (SNP_CREDS | SNP_OTHER_NS))
		return -EAGAIN;
	magic_ok = sn_translate_self(path, c->t->tgid, c->t->tid, tr, sizeof(tr));
	if (magic_ok)
		path = tr;
	start = start_dir(sn, c->t, a->dirfd, path);
	if (start < 0 && start != AT_FDCWD)
		return start;
	pflags = a->flags & (O_NOFOLLOW | O_DIRECTORY);
	if ((a->flags & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL))
		pflags |= O_NOFOLLOW;
	e = resolve(sn, start, path, magic_ok, a->resolve, pflags, (a->flags & O_CREAT) != 0, &r);
	if (start >= 0)
		close(start);
	if (e == 0 && r.pfd >= 0 && (a->flags & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL))
		e = -EEXIST;
	if (e == 0 && r.pfd >= 0 && !(a->flags & O_PATH) &&
	    (r.type == S_IFIFO || r.type == S_IFSOCK || r.type == S_IFBLK))
		e = -EAGAIN;    /* opening it could block us, or needs the caller's context */
	if (e < 0) {
		resolved_free(&r);
		return e;
	}
	e = judge(sn, c, abs, r.path, write, r.pfd < 0);
	if (e) {
		resolved_free(&r);
		return -e;
	}
	fd = reopen(sn, c, a, &r);
	resolved_free(&r);
	if (fd < 0)
		return fd;
	v->answer = SN_FD;
	v->fd = fd;
	v->fd_flags = (a->flags & O_CLOEXEC) ? O_CLOEXEC : 0;
	return 0;
}

static void record_open(struct sn *sn, struct sn_call *c, const struct open_args *a, const char *path)
{
	struct sp_event e = { 0 };

	e.h.kind = SP_EV_OPEN;
	e.open.dfd = a->dirfd;
	e.open.flags = (uint32_t)a->flags;
	e.open.mode = a->mode;
	if (strlen(path) >= sizeof(e.open.path))
		e.h.flags |= SP_EF_TRUNC;
	snprintf(e.open.path, sizeof(e.open.path), "%s", path);
	sn_record(sn, c, &e);
}

void sn_decide_open(struct sn *sn, struct sn_call *c, struct sn_verdict *v)
{
	char path[SN_PATH_MAX], abs[SN_PATH_MAX + 1];
	struct open_args a;
	bool write, have_abs;
	ssize_t n;
	int e;

	e = open_args(sn, c, &a);
	if (e < 0) {
		v->answer = SN_ERROR;
		v->err = -e;
		return;
	}
	write = write_intent(a.flags);
	if (c->p->role == SP_ROLE_PIP && !write)
		return;         /* pip reads what it wants (~/.netrc, keyrings) */
	n = sn_read_str(sn, c->t, a.upath, path, sizeof(path));
	if (n < 0 || !sn_still_valid(sn, c->req->id)) {
		v->answer = SN_ERROR;
		v->err = n == -ENAMETOOLONG ? ENAMETOOLONG : n == -ESRCH ? ESRCH : EFAULT;
		return;
	}
	squash(path);
	if (write)
		record_open(sn, c, &a, path);   /* the log, and the policy's checks on the path as written */
	if (sn->s->blocked) {
		v->answer = SN_ERROR;
		v->err = EACCES;
		return;
	}
	if (c->p->role == SP_ROLE_PIP)
		return;
	have_abs = absolute(sn, c->t, a.dirfd, path, abs, sizeof(abs));
	e = emulate_open(sn, c, &a, path, have_abs ? abs : NULL, v);
	if (e == -EAGAIN) {
		e = judge(sn, c, have_abs ? abs : NULL, NULL, write, false);
		if (!e)
			continue_if_stable(sn, c, v, "an open");
	}
	if (e < 0 || e > 0) {
		v->answer = SN_ERROR;
		v->err = e < 0 ? -e : e;
	}
}

/* ------------------------------------------------------ names changed */

/* One path operand of a call: removed or written. */
#define OP_WRITE (1u << 0)              /* the name is created, replaced or removed */
#define OP_READ (1u << 1)               /* the file's content becomes reachable elsewhere */

struct operand {
	int dirfd;
	uint64_t upath;
	unsigned judge;                 /* OP_* */
	bool follow;                    /* the last component is followed (truncate) */
	char path[SN_PATH_MAX];
	char abs[SN_PATH_MAX + 1];
	struct resolved r;
};

struct path_op {
	const char *name;
	int nops;
	struct operand op[2];           /* op[1]: the new name of rename/link/symlink */
	uint64_t content;               /* symlink: the target string */
	int flags;
	mode_t mode;
	dev_t dev;
	long long len;
};

static int parse_path_op(const struct seccomp_data *d, struct path_op *o)
{
	int nr = (int)d->nr;

	memset(o, 0, sizeof(*o));
	o->op[0].dirfd = o->op[1].dirfd = AT_FDCWD;
	o->op[0].judge = o->op[1].judge = OP_WRITE;
	o->nops = 1;
#define A(i) d->args[i]
	switch (nr) {
#ifdef __NR_unlink
	case __NR_unlink: o->name = "unlink"; o->op[0].upath = A(0); return 0;
#endif
	case __NR_unlinkat:
		o->name = "unlinkat"; o->op[0].dirfd = (int)A(0); o->op[0].upath = A(1);
		o->flags = (int)A(2); return 0;
#ifdef __NR_rename
	case __NR_rename:
		o->name = "rename"; o->nops = 2; o->op[0].upath = A(0); o->op[1].upath = A(1); return 0;
#endif
#ifdef __NR_renameat
	case __NR_renameat:
#endif
	case __NR_renameat2:
		o->name = "rename"; o->nops = 2; o->op[0].dirfd = (int)A(0); o->op[0].upath = A(1);
		o->op[1].dirfd = (int)A(2); o->op[1].upath = A(3);
		o->flags = nr == __NR_renameat2 ? (int)A(4) : 0; return 0;
#ifdef __NR_link
	case __NR_link:
		o->name = "link"; o->nops = 2; o->op[0].upath = A(0); o->op[1].upath = A(1); return 0;
#endif
	case __NR_linkat:
		o->name = "link"; o->nops = 2; o->op[0].dirfd = (int)A(0); o->op[0].upath = A(1);
		o->op[1].dirfd = (int)A(2); o->op[1].upath = A(3); o->flags = (int)A(4); return 0;
#ifdef __NR_symlink
	case __NR_symlink:
		o->name = "symlink"; o->content = A(0); o->op[0].upath = A(1); return 0;
#endif
	case __NR_symlinkat:
		o->name = "symlink"; o->content = A(0); o->op[0].dirfd = (int)A(1);
		o->op[0].upath = A(2); return 0;
	case __NR_truncate:
		o->name = "truncate"; o->op[0].upath = A(0); o->op[0].follow = true;
		o->len = (long long)A(1); return 0;
#ifdef __NR_mknod
	case __NR_mknod:
		o->name = "mknod"; o->op[0].upath = A(0); o->mode = (mode_t)A(1); o->dev = (dev_t)A(2);
		return 0;
#endif
	case __NR_mknodat:
		o->name = "mknod"; o->op[0].dirfd = (int)A(0); o->op[0].upath = A(1);
		o->mode = (mode_t)A(2); o->dev = (dev_t)A(3); return 0;
	default:
		return -ENOSYS;
	}
#undef A
}

/*
 * What each operand does to its file: a rename's source is removed and
 * its content moves elsewhere; a hard link's source stays, but its
 * content becomes readable under the new name.
 */
static void operand_kinds(struct path_op *o)
{
	if (strcmp(o->name, "rename") == 0)
		o->op[0].judge = OP_WRITE | OP_READ;
	else if (strcmp(o->name, "link") == 0)
		o->op[0].judge = OP_READ;
}

/* Judge one operand as written and as resolved; 0 or the errno. */
static int judge_operand(struct sn *sn, struct sn_call *c, const struct operand *op, bool resolved)
{
	const char *abs = op->abs[0] ? op->abs : NULL, *res = resolved ? op->r.path : NULL;
	int e = 0;

	if (op->judge & OP_READ)
		e = judge(sn, c, abs, res, false, false);
	if (!e && (op->judge & OP_WRITE))
		e = judge(sn, c, abs, res, true, true);
	return e;
}

/* Carry out o on the resolved operands; the call's result. */
static long long perform(struct sn *sn, struct sn_call *c, struct path_op *o, const char *content)
{
	struct resolved *a = &o->op[0].r, *b = &o->op[1].r;
	mode_t saved;
	long long r;

	if (strcmp(o->name, "truncate") == 0) {
		char self[64];
		int fd;

		if (a->pfd < 0)
			return -ENOENT;
		snprintf(self, sizeof(self), "/proc/self/fd/%d", a->pfd);
		fd = open(self, O_WRONLY | O_CLOEXEC);
		if (fd < 0)
			return -errno;
		r = ftruncate(fd, o->len) < 0 ? -errno : 0;
		close(fd);
		return r;
	}
	if (strcmp(o->name, "unlinkat") == 0 || strcmp(o->name, "unlink") == 0)
		return unlinkat(a->dirfd, a->name, o->flags) < 0 ? -errno : 0;
	if (strcmp(o->name, "rename") == 0)
		return syscall(SYS_renameat2, a->dirfd, a->name, b->dirfd, b->name, o->flags) < 0 ? -errno : 0;
	if (strcmp(o->name, "link") == 0)
		return linkat(a->dirfd, a->name, b->dirfd, b->name, o->flags & AT_SYMLINK_FOLLOW) < 0 ?
		       -errno : 0;
	if (with_umask(sn, c->t, &saved) < 0)
		return -ESRCH;
	if (strcmp(o->name, "symlink") == 0)
		r = symlinkat(content, a->dirfd, a->name) < 0 ? -errno : 0;
	else
		r = mknodat(a->dirfd, a->name, o->mode, o->dev) < 0 ? -errno : 0;
	umask(saved);
	return r;
}

/* Resolve operand i: its parent (or, for truncate, the file). */
static int resolve_operand(struct sn *sn, struct sn_call *c, struct operand *op)
{
	char tr[SN_PATH_MAX + 64], dir[SN_PATH_MAX];
	const char *path = op->path;
	bool magic_ok;
	int start, e;

	op->r.pfd = op->r.dirfd = -1;
	magic_ok = sn_translate_self(path, c->t->tgid, c->t->tid, tr, sizeof(tr));
	if (magic_ok)
		path = tr;
	start = start_dir(sn, c->t, op->dirfd, path);
	if (start < 0 && start != AT_FDCWD)
		return start;
	if (op->follow) {
		e = resolve(sn, start, path, magic_ok, 0, 0, false, &op->r);
	} else {
		/* the last component is the name itself, never followed */
		e = split(path, dir, sizeof(dir), op->r.name);
		if (e == 0) {
			op->r.dirfd = openat2_(start, dir, O_PATH | O_DIRECTORY,
					       magic_ok ? 0 : RESOLVE_NO_MAGICLINKS);
			e = op->r.dirfd == -ELOOP && !magic_ok ? -EAGAIN : op->r.dirfd < 0 ? op->r.dirfd :
			    fd_path(op->r.dirfd, op->r.path, sizeof(op->r.path));
		}
		if (e == 0)
			snprintf(op->r.path + strlen(op->r.path), sizeof(op->r.path) - strlen(op->r.path),
				 "%s%s", strcmp(op->r.path, "/") == 0 ? "" : "/", op->r.name);
		if (e == 0 && ours(sn, op->r.path))
			e = -EAGAIN;
	}
	if (start >= 0)
		close(start);
	return e;
}

static void path_op_build(struct sn *sn, struct sn_call *c, struct path_op *o, const char *content,
			  struct sn_verdict *v)
{
	int e = 0;

	if ((o->mode & S_IFMT) == S_IFCHR || (o->mode & S_IFMT) == S_IFBLK) {
		char who[PROC_CMDLINE_MAX + 64];

		sp_debug("seccomp: device node %s refused: %s", o->op[0].path, sn_who(sn, c, who, sizeof(who)));
		v->answer = SN_ERROR;
		v->err = EPERM;
		return;
	}
	if (o->flags & AT_EMPTY_PATH || (c->p->flags & (SNP_CREDS | SNP_OTHER_NS)))
		e = -EAGAIN;
	for (int i = 0; i < o->nops && e == 0; i++) {
		e = resolve_operand(sn, c, &o->op[i]);
		if (e == 0)
			e = -judge_operand(sn, c, &o->op[i], true);
	}
	if (e == 0) {
		v->answer = SN_RETURN;
		v->val = perform(sn, c, o, content);
		if (v->val < 0) {
			v->answer = SN_ERROR;
			v->err = (int)-v->val;
		}
	} else if (e == -EAGAIN) {
		continue_if_stable(sn, c, v, o->name);
	} else {
		v->answer = SN_ERROR;
		v->err = -e;
	}
	for (int i = 0; i < o->nops; i++)
		resolved_free(&o->op[i].r);
}

void sn_decide_path_op(struct sn *sn, struct sn_call *c, struct sn_verdict *v)
{
	char content[SN_PATH_MAX] = "";
	struct path_op *o = calloc(1, sizeof(*o));
	int e = 0;

	if (!o || parse_path_op(&c->req->data, o) < 0) {
		free(o);
		return;         /* not ours to judge */
	}
	operand_kinds(o);
	for (int i = 0; i < o->nops && e == 0; i++) {
		ssize_t n = sn_read_str(sn, c->t, o->op[i].upath, o->op[i].path, sizeof(o->op[i].path));

		e = n < 0 ? (int)n : 0;
		squash(o->op[i].path);
	}
	if (e == 0 && o->content && sn_read_str(sn, c->t, o->content, content, sizeof(content)) < 0)
		e = -EFAULT;
	if (e < 0 || !sn_still_valid(sn, c->req->id)) {
		v->answer = SN_ERROR;
		v->err = e == -ENAMETOOLONG ? ENAMETOOLONG : EFAULT;
		free(o);
		return;
	}
	for (int i = 0; i < o->nops && e == 0; i++) {
		if (!absolute(sn, c->t, o->op[i].dirfd, o->op[i].path, o->op[i].abs, sizeof(o->op[i].abs)))
			o->op[i].abs[0] = '\0';
		/* pip: the names as written */
		if (c->p->role == SP_ROLE_PIP)
			e = judge_operand(sn, c, &o->op[i], false);
	}
	if (e) {
		v->answer = SN_ERROR;
		v->err = e;
	} else if (c->p->role != SP_ROLE_PIP) {
		path_op_build(sn, c, o, content, v);
	}
	free(o);
}
