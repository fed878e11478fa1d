// SPDX-License-Identifier: MIT
/*
 * Journaled mode: pip writes the target in place, and the transaction
 * keeps what it needs to put it back.
 *
 *   manifest   every entry of the target before pip runs: type, mode,
 *              owner, size, times, inode, symlink target
 *              (STATE/txn/ID/manifest.N, written before pip starts)
 *   snapshot   a hard link to every regular file (AREA/snap/INDEX): a file
 *              pip deletes, renames away or replaces keeps its inode and
 *              contents there.  Needs the work area on the target's file
 *              system; costs one link per file.
 *   backups    a copy of a file made just before it is changed in place
 *              (AREA/backup/INDEX), on request of the in-process shim
 *              through txn_before_modify(): a hard link does not protect
 *              against writes into the same inode.
 *
 * Rollback: remove what is not in the manifest (or replaced it), link back
 * what is missing, restore metadata, then verify every entry against the
 * manifest.  A file changed in place with no backup, or anything else that
 * does not match in the end, is reported by name.
 */
#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <sys/stat.h>

#include "guard/fsutil.h"
#include "guard/txn_int.h"
#include "guard/util.h"

#define MANIFEST_MAGIC "safe-pip-manifest 1"
#define MANIFEST_ENTRIES_MAX 4000000u
#define MANIFEST_FILE_MAX (1024u * 1024 * 1024)

#define MF_SNAP 1u              /* the snapshot holds a link to the original inode */
#define MF_WRITTEN 2u           /* opened for writing in place with no copy saved */
#define MF_SEEN 4u              /* rollback: in place with the same identity */
#define MF_CHECKED 8u           /* verification: found */
#define MF_BACKUP 16u           /* a copy was saved before a change in place */
#define MF_TOUCHED 32u          /* rollback: a directory whose entries changed */

struct mentry {
	char *rel;              /* "" for the root */
	char *link;             /* symlink target, NULL otherwise */
	uint32_t mode, uid, gid, flags;
	uint64_t size, ino;
	struct timespec atime, mtime;
	struct stat cur;        /* rollback: what was found (valid with MF_SEEN) */
};

struct manifest {
	bool absent;            /* the root did not exist before */
	struct mentry *v;
	size_t n, cap;
	uint32_t *slots;        /* open addressing over v by rel: index + 1, 0 empty */
	size_t nslots;
	int snap_fd, backup_fd;
};

/* ------------------------------------------------------------ the table */

static int index_build(struct manifest *m)
{
	size_t want = 64;

	while (want < m->n * 2)
		want *= 2;
	free(m->slots);
	m->slots = calloc(want, sizeof(*m->slots));
	if (!m->slots)
		return -ENOMEM;
	m->nslots = want;
	for (size_t i = 0; i < m->n; i++) {
		size_t s = str_hash(m->v[i].rel) & (want - 1);

		while (m->slots[s])
			s = (s + 1) & (want - 1);
		m->slots[s] = (uint32_t)i + 1;
	}
	return 0;
}

static struct mentry *lookup(const struct manifest *m, const char *rel)
{
	size_t s;

	if (!m->nslots)
		return NULL;
	for (s = str_hash(rel) & (m->nslots - 1); m->slots[s]; s = (s + 1) & (m->nslots - 1))
		if (strcmp(m->v[m->slots[s] - 1].rel, rel) == 0)
			return &m->v[m->slots[s] - 1];
	return NULL;
}

static size_t index_of(const struct manifest *m, const struct mentry *e)
{
	return (size_t)(e - m->v);
}

static struct mentry *append(struct manifest *m)
{
	if (m->n == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 1024;
		struct mentry *v;

		if (m->n >= MANIFEST_ENTRIES_MAX) {
			errno = E2BIG;
			return NULL;
		}
		v = realloc(m->v, cap * sizeof(*v));
		if (!v)
			return NULL;
		m->v = v;
		m->cap = cap;
	}
	memset(&m->v[m->n], 0, sizeof(m->v[0]));
	return &m->v[m->n++];
}

void manifest_free(struct manifest *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->n; i++) {
		free(m->v[i].rel);
		free(m->v[i].link);
	}
	if (m->snap_fd >= 0)
		close(m->snap_fd);
	if (m->backup_fd >= 0)
		close(m->backup_fd);
	free(m->v);
	free(m->slots);
	free(m);
}

static struct manifest *manifest_new(void)
{
	struct manifest *m = calloc(1, sizeof(*m));

	if (m)
		m->snap_fd = m->backup_fd = -1;
	return m;
}

static void entry_stat(const struct mentry *e, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_mode = e->mode;
	st->st_uid = e->uid;
	st->st_gid = e->gid;
	st->st_size = (off_t)e->size;
	st->st_ino = e->ino;
	st->st_atim = e->atime;
	st->st_mtim = e->mtime;
}

static bool same_time(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec == b->tv_sec && a->tv_nsec == b->tv_nsec;
}

/* Owner, mode, size (files) and mtime as the manifest says. */
static bool meta_matches(const struct mentry *e, const struct stat *st)
{
	if (st->st_mode != e->mode || st->st_uid != e->uid || st->st_gid != e->gid)
		return false;
	if (S_ISREG(st->st_mode) && (uint64_t)st->st_size != e->size)
		return false;
	return S_ISLNK(st->st_mode) || same_time(&st->st_mtim, &e->mtime);
}

static char *join_rel(const char *dir, const char *name)
{
	return *dir ? sp_asprintf("%s/%s", dir, name) : strdup(name);
}

/* ------------------------------------------------------------ the walk */

struct mwalk {
	struct manifest *m;
	int snap_fd;            /* -1: no snapshot */
};

static int record(struct mwalk *w, int dirfd, const char *name, const char *rel,
		  const struct stat *st)
{
	struct mentry *e = append(w->m);
	char idx[24], target[PATH_MAX];
	ssize_t n;

	if (!e)
		return -errno;
	e->rel = strdup(rel);
	if (!e->rel)
		return -ENOMEM;
	e->mode = st->st_mode;
	e->uid = st->st_uid;
	e->gid = st->st_gid;
	e->size = (uint64_t)st->st_size;
	e->ino = st->st_ino;
	e->atime = st->st_atim;
	e->mtime = st->st_mtim;
	if (S_ISLNK(st->st_mode)) {
		n = readlinkat(dirfd, name, target, sizeof(target) - 1);
		if (n < 0)
			return -errno;
		target[n] = '\0';
		e->link = strdup(target);
		if (!e->link)
			return -ENOMEM;
	} else if (S_ISREG(st->st_mode) && w->snap_fd >= 0) {
		snprintf(idx, sizeof(idx), "%zu", w->m->n - 1);
		/* refused links (protected_hardlinks, EMLINK) leave the file unprotected */
		if (linkat(dirfd, name, w->snap_fd, idx, 0) == 0)
			e->flags |= MF_SNAP;
	}
	return 0;
}

static int walk(struct mwalk *w, int rootfd, const char *rel, int depth)
{
	struct dirent *de;
	DIR *d;
	int fd, r = 0;

	if (depth >= FS_DEPTH_MAX)
		return -ELOOP;
	fd = openat(rootfd, *rel ? rel : ".", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return -errno;
	}
	while (r == 0 && (errno = 0, de = readdir(d))) {
		_cleanup_free_ char *sub = NULL;
		struct stat st;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		sub = join_rel(rel, de->d_name);
		if (!sub)
			r = -ENOMEM;
		else if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			r = errno == ENOENT ? 0 : -errno;
		else if ((r = record(w, dirfd(d), de->d_name, sub, &st)) == 0 && S_ISDIR(st.st_mode))
			r = walk(w, rootfd, sub, depth + 1);
	}
	if (r == 0 && errno)
		r = -errno;
	closedir(d);
	return r;
}

/* --------------------------------------------------------- the file */

static int manifest_format(const struct manifest *m, FILE *f)
{
	fprintf(f, "%s %s\n", MANIFEST_MAGIC, m->absent ? "absent" : "present");
	for (size_t i = 0; i < m->n; i++) {
		const struct mentry *e = &m->v[i];
		_cleanup_free_ char *rel = str_escape(*e->rel ? e->rel : ".");
		_cleanup_free_ char *link = e->link ? str_escape(e->link) : NULL;

		if (!rel || (e->link && !link))
			return -ENOMEM;
		fprintf(f, "%o %u %u %" PRIu64 " %" PRIu64 " %lld %ld %lld %ld %u %s%s%s\n", e->mode,
			e->uid, e->gid, e->size, e->ino, (long long)e->mtime.tv_sec, e->mtime.tv_nsec,
			(long long)e->atime.tv_sec, e->atime.tv_nsec, e->flags & MF_SNAP, rel,
			link ? " " : "", link ? link : "");
	}
	return ferror(f) ? -EIO : 0;
}

static int manifest_save(const struct manifest *m, int sess_fd, size_t i)
{
	_cleanup_free_ char *buf = NULL;
	char name[32];
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int r;

	if (!f)
		return -errno;
	r = manifest_format(m, f);
	if (fclose(f) != 0 && r == 0)
		r = -ENOMEM;
	if (r < 0)
		return r;
	snprintf(name, sizeof(name), "manifest.%zu", i);
	return fs_write_atomic(sess_fd, name, buf, len, true);
}

/* A relative path as the manifest may hold it: normalised, inside the root. */
static bool rel_ok(const char *rel)
{
	_cleanup_free_ char *abs = sp_asprintf("/%s", rel);
	_cleanup_free_ char *norm = abs ? path_normalize(abs) : NULL;

	return norm && strcmp(norm, abs) == 0 && strcmp(rel, ".") != 0;
}

static int parse_entry(struct manifest *m, char *line)
{
	struct mentry *e;
	char rel[PATH_MAX * 4 + 1], link[PATH_MAX * 4 + 1] = "";
	unsigned mode, uid, gid, snap;
	uint64_t size, ino;
	long long ms, as;
	long mns, ans;
	int n;

	n = sscanf(line, "%o %u %u %" SCNu64 " %" SCNu64 " %lld %ld %lld %ld %u %16384s %16384s",
		   &mode, &uid, &gid, &size, &ino, &ms, &mns, &as, &ans, &snap, rel, link);
	if (n < 11 || mns < 0 || mns > 999999999 || ans < 0 || ans > 999999999)
		return -EINVAL;
	e = append(m);
	if (!e)
		return -errno;
	e->rel = str_unescape(rel);
	if (!e->rel)
		return -EINVAL;
	if (strcmp(e->rel, ".") == 0) {
		if (m->n != 1)
			return -EINVAL;
		e->rel[0] = '\0';
	} else if (!rel_ok(e->rel)) {
		return -EINVAL;
	}
	e->mode = mode;
	e->uid = uid;
	e->gid = gid;
	e->size = size;
	e->ino = ino;
	e->mtime = (struct timespec){ .tv_sec = (time_t)ms, .tv_nsec = mns };
	e->atime = (struct timespec){ .tv_sec = (time_t)as, .tv_nsec = ans };
	e->flags = snap ? MF_SNAP : 0;
	if (S_ISLNK(mode) != (n == 12))
		return -EINVAL;
	if (n == 12 && !(e->link = str_unescape(link)))
		return -EINVAL;
	return 0;
}

/* Load STATE/txn/ID/manifest.N: input from the disk, checked line by line. */
static int manifest_load(int sess_fd, size_t i, struct manifest **out)
{
	_cleanup_free_ char *text = NULL;
	struct manifest *m = manifest_new();
	char name[32], *save = NULL, *line;
	ssize_t n;
	int r = 0;

	*out = NULL;
	if (!m)
		return -ENOMEM;
	snprintf(name, sizeof(name), "manifest.%zu", i);
	n = read_file_max(sess_fd, name, &text, MANIFEST_FILE_MAX);
	if (n < 0) {
		manifest_free(m);
		return (int)n;
	}
	line = strtok_r(text, "\n", &save);
	if (line && strcmp(line, MANIFEST_MAGIC " absent") == 0)
		m->absent = true;
	else if (!line || strcmp(line, MANIFEST_MAGIC " present") != 0)
		r = -EINVAL;
	while (r == 0 && (line = strtok_r(NULL, "\n", &save)))
		r = parse_entry(m, line);
	if (r == 0 && !m->absent && (m->n == 0 || m->v[0].rel[0] != '\0' || !S_ISDIR(m->v[0].mode)))
		r = -EINVAL;
	if (r == 0)
		r = index_build(m);
	if (r < 0) {
		manifest_free(m);
		return r;
	}
	*out = m;
	return 0;
}

/* ------------------------------------------------------------- prepare */

static int open_sub(const char *area, const char *sub)
{
	_cleanup_free_ char *p = sp_asprintf("%s/%s", area, sub);
	int fd;

	if (!p)
		return -ENOMEM;
	fd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	return fd < 0 ? -errno : fd;
}

/* Take the manifest of root i (and its snapshot when the area allows links). */
static int manifest_take(struct txn *t, size_t i)
{
	const struct jroot *root = &t->j.roots[i];
	struct manifest *m = manifest_new();
	struct mwalk w = { .m = m, .snap_fd = -1 };
	_cleanup_close_ int rfd = -1;
	struct stat st;
	int r;

	if (!m)
		return -ENOMEM;
	t->rt[i].man = m;
	m->snap_fd = open_sub(root->area, "snap");
	m->backup_fd = open_sub(root->area, "backup");
	if (m->snap_fd < 0 || m->backup_fd < 0)
		return m->snap_fd < 0 ? m->snap_fd : m->backup_fd;
	if (root->created) {
		m->absent = true;
		return manifest_save(m, t->sess_fd, i);
	}
	rfd = open(root->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (rfd < 0 || fstat(rfd, &st) < 0)
		return -errno;
	w.snap_fd = t->rt[i].area_same_fs ? m->snap_fd : -1;
	r = record(&w, rfd, ".", "", &st);
	if (r == 0)
		r = walk(&w, rfd, "", 0);
	if (r == 0)
		r = index_build(m);
	return r < 0 ? r : manifest_save(m, t->sess_fd, i);
}

static int make_dirs(struct txn *t)
{
	for (size_t i = 0; i < t->j.nroots; i++) {
		_cleanup_close_ int fd = -1;

		if (mkdir(t->j.roots[i].area, 0700) < 0)
			return -errno;
		fd = open(t->j.roots[i].area, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
		if (fd < 0 || mkdirat(fd, "snap", 0700) < 0 || mkdirat(fd, "backup", 0700) < 0)
			return -errno;
	}
	return mkdir(t->j.tmpdir, 0700) < 0 ? -errno : 0;
}

int journaled_prepare(struct txn *t, char *err, size_t errlen)
{
	int r = 0;

	for (size_t i = 0; i < t->plan.ntargets && r == 0; i++)
		r = txn_add_root(t, JROOT_TARGET, t->plan.targets[i]);
	for (size_t i = 0; i < t->j.nroots && r == 0; i++)
		r = txn_make_area(t, i, true);
	if (r < 0) {
		snprintf(err, errlen, "cannot place the journal's backups: %s", strerror(-r));
		txn_drop_roots(t);
		return r;
	}
	t->j.mode = TXN_JOURNALED;
	t->j.state = TXN_PREPARED;
	r = journal_save(t->sess_fd, &t->j);
	if (r == 0)
		r = make_dirs(t);
	for (size_t i = 0; i < t->j.nroots && r == 0; i++)
		r = manifest_take(t, i);
	if (r < 0) {
		snprintf(err, errlen, "cannot take the manifest of the target: %s", strerror(-r));
		(void)txn_cleanup_dirs(&t->j);
		txn_drop_roots(t);
		t->j.mode = TXN_NONE;
	}
	return r;
}

/* ------------------------------------------------------- during the install */

/*
 * The manifest entry for rel, also when it was reached through a symlink
 * inside the root (a venv's lib64 -> lib): then the real parent decides.
 */
static struct mentry *resolve_entry(const struct manifest *m, const char *root, const char *rel)
{
	_cleanup_free_ char *abs = NULL, *dir = NULL;
	struct mentry *e = lookup(m, rel);
	char real[PATH_MAX], *slash;

	if (e)
		return e;
	abs = path_join(root, rel);
	if (!abs || !(slash = strrchr(abs, '/')) || !(dir = strndup(abs, (size_t)(slash - abs))))
		return NULL;
	if (!realpath(*dir ? dir : "/", real))
		return NULL;
	free(dir);
	dir = path_join(real, slash + 1);
	if (!dir || !path_under(dir, root))
		return NULL;
	return lookup(m, path_rel(dir, root));
}

/* A copy of the original file, renamed into place only when complete. */
static int save_copy(struct manifest *m, struct mentry *e, const char *abs)
{
	char idx[24], tmp[32];
	struct stat st;
	int r;

	snprintf(idx, sizeof(idx), "%zu", index_of(m, e));
	if ((e->flags & MF_BACKUP) || fstatat(m->backup_fd, idx, &st, 0) == 0)
		return 0;       /* saved before */
	snprintf(tmp, sizeof(tmp), "%s.tmp", idx);
	(void)unlinkat(m->backup_fd, tmp, 0);
	r = fs_copy_file_at(AT_FDCWD, abs, m->backup_fd, tmp);
	if (r == 0 && renameat(m->backup_fd, tmp, m->backup_fd, idx) < 0)
		r = -errno;
	if (r == 0)
		e->flags |= MF_BACKUP;
	return r;
}

int manifest_before_modify(struct manifest *m, const char *root, const char *area,
			   const char *rel, enum txn_op what)
{
	_cleanup_free_ char *abs = NULL;
	struct mentry *e;
	struct stat st;

	(void)area;
	if (what == TXN_OP_META || m->absent)
		return 0;       /* the manifest holds the metadata; an absent root is removed whole */
	e = resolve_entry(m, root, rel);
	if (!e || !S_ISREG(e->mode))
		return 0;       /* new, or a directory or symlink the manifest recreates */
	abs = path_join(root, e->rel);
	if (!abs)
		return -ENOMEM;
	if (lstat(abs, &st) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (st.st_ino != e->ino)
		return 0;       /* not the original file any more */
	if ((what == TXN_OP_DELETE || what == TXN_OP_REPLACE) && (e->flags & MF_SNAP))
		return 0;       /* the snapshot keeps the inode */
	return save_copy(m, e, abs);
}

void manifest_kernel_write(struct manifest *m, const char *rel, const char *abs)
{
	struct mentry *e;
	struct stat st;
	char idx[24];

	if (m->absent || !(e = lookup(m, rel)) || !S_ISREG(e->mode) || (e->flags & MF_WRITTEN))
		return;
	snprintf(idx, sizeof(idx), "%zu", index_of(m, e));
	if (fstatat(m->backup_fd, idx, &st, 0) == 0)
		return;         /* a copy was saved first */
	/* the original inode opened for writing, not a new file of the same name */
	if (lstat(abs, &st) == 0 && st.st_ino == e->ino)
		e->flags |= MF_WRITTEN;
}

/* ------------------------------------------------------------ rollback */

struct rb {
	struct manifest *m;
	const char *root;
	struct txn_result *res;
	int rfd;
};

static void lost_rel(struct rb *b, const char *rel)
{
	_cleanup_free_ char *abs = path_join(b->root, rel);

	txn_lost(b->res, abs ? abs : b->root);
}

/* Which entries have a saved copy: one look at the backup directory. */
static void note_backups(struct manifest *m)
{
	struct dirent *de;
	DIR *d;
	int fd;

	if (m->backup_fd < 0 || (fd = fcntl(m->backup_fd, F_DUPFD_CLOEXEC, 0)) < 0)
		return;
	if (!(d = fdopendir(fd))) {
		close(fd);
		return;
	}
	while ((de = readdir(d))) {
		char *end;
		unsigned long i = strtoul(de->d_name, &end, 10);

		/* "N.tmp" is a copy that was never finished: not a backup */
		if (*end == '\0' && end != de->d_name && i < m->n)
			m->v[i].flags |= MF_BACKUP;
	}
	closedir(d);
}

/* The directory holding rel changed: it gets its times back at the end. */
static void touch_parent(struct rb *b, const char *rel)
{
	const char *slash = strrchr(rel, '/');
	_cleanup_free_ char *dir = slash ? strndup(rel, (size_t)(slash - rel)) : strdup("");
	struct mentry *e = dir ? lookup(b->m, dir) : NULL;

	if (e)
		e->flags |= MF_TOUCHED;
}

/* Does the entry found at rel still hold what the manifest recorded (by identity)? */
static bool same_identity(const struct mentry *e, int dirfd, const char *name,
			  const struct stat *st)
{
	char target[PATH_MAX];
	ssize_t n;

	if ((st->st_mode & S_IFMT) != (e->mode & S_IFMT))
		return false;
	if (S_ISREG(st->st_mode))
		return st->st_ino == e->ino;
	if (S_ISLNK(st->st_mode)) {
		n = readlinkat(dirfd, name, target, sizeof(target) - 1);
		if (n < 0)
			return false;
		target[n] = '\0';
		return e->link && strcmp(target, e->link) == 0;
	}
	return true;
}

/* Phase 1: remove whatever is new or took the place of an original entry. */
static int sweep(struct rb *b, int rootfd, const char *rel, int depth)
{
	struct mentry *self = lookup(b->m, rel);
	struct dirent *de;
	DIR *d;
	int fd, r = 0;

	if (depth >= FS_DEPTH_MAX)
		return -ELOOP;
	fd = openat(rootfd, *rel ? rel : ".", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (!(d = fdopendir(fd))) {
		close(fd);
		return -errno;
	}
	while (r == 0 && (errno = 0, de = readdir(d))) {
		_cleanup_free_ char *sub = NULL;
		struct mentry *e;
		struct stat st;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (!(sub = join_rel(rel, de->d_name))) {
			r = -ENOMEM;
			break;
		}
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		e = lookup(b->m, sub);
		if (e && same_identity(e, dirfd(d), de->d_name, &st)) {
			e->flags |= MF_SEEN;
			e->cur = st;
			if (S_ISDIR(st.st_mode))
				r = sweep(b, rootfd, sub, depth + 1);
			continue;
		}
		txn_fault("abort");
		r = fs_remove_at(dirfd(d), de->d_name, NULL);
		b->res->deletions++;
		if (self)
			self->flags |= MF_TOUCHED;
	}
	if (r == 0 && errno)
		r = -errno;
	closedir(d);
	return r;
}

/* The directory holding rel, opened below the root. */
static int open_parent(struct rb *b, const char *rel, const char **base)
{
	const char *slash = strrchr(rel, '/');
	_cleanup_free_ char *dir = NULL;
	int fd;

	*base = slash ? slash + 1 : rel;
	if (!slash) {
		fd = fcntl(b->rfd, F_DUPFD_CLOEXEC, 0);
		return fd < 0 ? -errno : fd;
	}
	dir = strndup(rel, (size_t)(slash - rel));
	if (!dir)
		return -ENOMEM;
	fd = openat(b->rfd, dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

/* Put a missing regular file back: the saved copy, else the snapshot's link. */
static int restore_file(struct rb *b, struct mentry *e, int pfd, const char *base)
{
	char idx[24];
	struct stat st;

	snprintf(idx, sizeof(idx), "%zu", index_of(b->m, e));
	if (e->flags & MF_BACKUP)
		return linkat(b->m->backup_fd, idx, pfd, base, 0) < 0 ? -errno : 0;
	if (!(e->flags & MF_SNAP) || b->m->snap_fd < 0 ||
	    fstatat(b->m->snap_fd, idx, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		lost_rel(b, e->rel);
		return 0;
	}
	/* the original inode, but changed in place before it went: still the closest */
	if ((uint64_t)st.st_size != e->size || !same_time(&st.st_mtim, &e->mtime) ||
	    (e->flags & MF_WRITTEN))
		lost_rel(b, e->rel);
	return linkat(b->m->snap_fd, idx, pfd, base, 0) < 0 ? -errno : 0;
}

/* An original file changed in place after its copy was saved: the copy, in one rename. */
static int put_back_copy(struct rb *b, struct mentry *e, int pfd, const char *base)
{
	char idx[24], tmp[NAME_MAX + 1];

	snprintf(idx, sizeof(idx), "%zu", index_of(b->m, e));
	snprintf(tmp, sizeof(tmp), ".safe-pip-restore.%s", idx);
	(void)unlinkat(pfd, tmp, 0);
	if (linkat(b->m->backup_fd, idx, pfd, tmp, 0) < 0 || renameat(pfd, tmp, pfd, base) < 0)
		return -errno;
	return 0;
}

/* What an entry needs: nothing for the many left alone (no system call). */
enum need { NEED_NOTHING, NEED_CREATE, NEED_COPY, NEED_META };

static enum need needs(struct rb *b, struct mentry *e)
{
	if (!(e->flags & MF_SEEN))
		return NEED_CREATE;
	if (S_ISREG(e->mode) && (e->flags & MF_BACKUP))
		return NEED_COPY;
	if (S_ISREG(e->mode) && ((e->flags & MF_WRITTEN) || (uint64_t)e->cur.st_size != e->size ||
				 !same_time(&e->cur.st_mtim, &e->mtime)))
		lost_rel(b, e->rel);    /* changed in place with no copy saved */
	return S_ISDIR(e->mode) || meta_matches(e, &e->cur) ? NEED_NOTHING : NEED_META;
}

static int create(struct rb *b, struct mentry *e, int pfd, const char *base)
{
	if (S_ISDIR(e->mode))
		return mkdirat(pfd, base, 0700) < 0 ? -errno : 0;
	if (S_ISREG(e->mode))
		return restore_file(b, e, pfd, base);
	if (S_ISLNK(e->mode))
		return symlinkat(e->link, pfd, base) < 0 ? -errno : 0;
	if (S_ISFIFO(e->mode) || S_ISSOCK(e->mode))
		return mknodat(pfd, base, e->mode, 0) < 0 ? -errno : 0;
	lost_rel(b, e->rel);    /* a device: not restored */
	return 0;
}

/* Phase 2: every entry of the manifest back in place, parents first. */
static int restore_entry(struct rb *b, struct mentry *e)
{
	enum need need = *e->rel ? needs(b, e) : NEED_NOTHING;
	_cleanup_close_ int pfd = -1;
	struct stat want;
	const char *base;
	int r;

	if (need == NEED_NOTHING)
		return 0;
	pfd = open_parent(b, e->rel, &base);
	if (pfd < 0) {
		lost_rel(b, e->rel);    /* its directory could not be restored */
		return 0;
	}
	txn_fault("abort");
	if (need == NEED_CREATE)
		r = create(b, e, pfd, base);
	else if (need == NEED_COPY)
		r = put_back_copy(b, e, pfd, base);
	else
		r = 0;
	if (r < 0)
		return r;
	if (need != NEED_META) {
		touch_parent(b, e->rel);
		b->res->files += !S_ISDIR(e->mode);
		if (S_ISDIR(e->mode))
			return 0;       /* directories get their metadata last */
		if (fstatat(pfd, base, &e->cur, AT_SYMLINK_NOFOLLOW) < 0)
			return 0;       /* reported by the verification */
		if (meta_matches(e, &e->cur))
			return 0;
	}
	entry_stat(e, &want);
	return fs_set_meta_at(pfd, base, &want);
}

/*
 * Phase 3: directory metadata, children before parents, for directories
 * that were made again, changed, or had entries removed or put back.
 */
static int restore_dirs(struct rb *b)
{
	for (size_t i = b->m->n; i-- > 0;) {
		struct mentry *e = &b->m->v[i];
		_cleanup_close_ int pfd = -1;
		struct stat st, want;
		const char *base;

		if (!S_ISDIR(e->mode) || ((e->flags & MF_SEEN) && !(e->flags & MF_TOUCHED) &&
					  meta_matches(e, &e->cur)))
			continue;
		if (!*e->rel) {
			pfd = fcntl(b->rfd, F_DUPFD_CLOEXEC, 0);
			base = ".";
		} else {
			pfd = open_parent(b, e->rel, &base);
		}
		if (pfd < 0 || fstatat(pfd, base, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;       /* reported by the verification */
		entry_stat(e, &want);
		if (!meta_matches(e, &st) && fs_set_meta_at(pfd, base, &want) < 0)
			lost_rel(b, e->rel);
	}
	return 0;
}

/* Phase 4: the target against its manifest; every difference is reported. */
static void verify(struct rb *b, int rootfd, const char *rel, int depth)
{
	struct dirent *de;
	DIR *d;
	int fd;

	fd = openat(rootfd, *rel ? rel : ".", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (depth >= FS_DEPTH_MAX || fd < 0 || !(d = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		lost_rel(b, rel);
		return;
	}
	while ((de = readdir(d))) {
		_cleanup_free_ char *sub = NULL;
		struct mentry *e;
		struct stat st, bst;
		char idx[24];

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (!(sub = join_rel(rel, de->d_name)) ||
		    fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		e = lookup(b->m, sub);
		if (!e) {
			lost_rel(b, sub);       /* appeared and would not go */
			continue;
		}
		e->flags |= MF_CHECKED;
		snprintf(idx, sizeof(idx), "%zu", index_of(b->m, e));
		if ((st.st_mode & S_IFMT) != (e->mode & S_IFMT) || !meta_matches(e, &st) ||
		    (S_ISREG(st.st_mode) && st.st_ino != e->ino &&
		     !((e->flags & MF_BACKUP) && fstatat(b->m->backup_fd, idx, &bst, 0) == 0 &&
		       bst.st_ino == st.st_ino)))
			lost_rel(b, sub);
		else if (S_ISDIR(st.st_mode))
			verify(b, rootfd, sub, depth + 1);
	}
	closedir(d);
}

static int rollback_root(const struct jroot *root, struct manifest *m, struct txn_result *res)
{
	struct rb b = { .m = m, .root = root->path, .res = res, .rfd = -1 };
	int r;

	if (m->absent) {
		uint64_t n = 0;

		/* the whole root is the install's: it goes */
		txn_fault("abort");
		r = fs_remove_at(AT_FDCWD, root->path, &n);
		res->deletions += n > 0;
		if (r == 0)
			txn_restore_parent_times(root);
		return r;
	}
	b.rfd = open(root->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (b.rfd < 0 && errno == ENOENT && mkdir(root->path, 0700) == 0)
		b.rfd = open(root->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (b.rfd < 0)
		return -errno;
	for (size_t i = 0; i < m->n; i++)
		m->v[i].flags &= ~(MF_SEEN | MF_CHECKED | MF_TOUCHED);
	note_backups(m);
	r = sweep(&b, b.rfd, "", 0);
	/* the root itself is always there, with its identity */
	if (r == 0 && fstat(b.rfd, &m->v[0].cur) == 0)
		m->v[0].flags |= MF_SEEN;
	for (size_t i = 0; i < m->n && r == 0; i++)
		r = restore_entry(&b, &m->v[i]);
	if (r == 0)
		r = restore_dirs(&b);
	if (r == 0) {
		verify(&b, b.rfd, "", 0);
		for (size_t i = 1; i < m->n; i++)
			if (!(m->v[i].flags & MF_CHECKED))
				lost_rel(&b, m->v[i].rel);
	}
	close(b.rfd);
	return r;
}

int journaled_rollback(const struct journal *j, int sess_fd, struct txn_root_rt *rt,
		       struct txn_result *res)
{
	int r = 0;

	for (size_t i = 0; i < j->nroots && r == 0; i++) {
		struct manifest *m = rt ? rt[i].man : NULL, *loaded = NULL;

		if (j->roots[i].kind != JROOT_TARGET)
			continue;
		if (!m) {
			r = manifest_load(sess_fd, i, &loaded);
			if (r == -ENOENT) {
				r = 0;  /* died before its manifest: pip never ran */
				continue;
			}
			if (r < 0)
				break;
			m = loaded;
			m->snap_fd = open_sub(j->roots[i].area, "snap");
			m->backup_fd = open_sub(j->roots[i].area, "backup");
		}
		r = rollback_root(&j->roots[i], m, res);
		manifest_free(loaded);
	}
	if (r == 0 && res->nlost > 0)
		r = -EIO;
	return r;
}
