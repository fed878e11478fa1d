// SPDX-License-Identifier: MIT
/*
 * What builds did where no transaction keeps their changes (/tmp, /var,
 * /srv..., and in journaled mode the home), from the kernel's records:
 * files and links they created, directories they made, names they moved.
 * An abort undoes it, newest first, each step only while the path still
 * holds the very object the record named (device and inode); anything
 * else is listed as not restored.
 *
 * Entries are found by path through a chained hash, so that following a
 * rename costs a lookup, not a scan.  A renamed directory carries the
 * entries below it to its new name: that is a scan, bounded per session.
 */
#include "guard/txn.h"

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <sys/stat.h>

#include "guard/fsutil.h"
#include "guard/txn_int.h"
#include "guard/util.h"

#define MADE_BUCKETS 16384u             /* power of two; TXN_MADE_MAX / 4 */
#define MADE_SCAN_BUDGET (1u << 26)     /* entries visited for directory renames, per session */
#define NO_DFD INT_MIN                  /* record_name(): the record has no directory fd */

static uint32_t *bucket_of(struct txn *t, const char *path)
{
	return &t->made_buckets[str_hash(path) & (MADE_BUCKETS - 1)];
}

static void chain_link(struct txn *t, size_t k)
{
	uint32_t *b = bucket_of(t, t->made[k].path);

	t->made[k].next = *b;
	*b = (uint32_t)k + 1;
}

static void chain_unlink(struct txn *t, size_t k)
{
	uint32_t *p = bucket_of(t, t->made[k].path);

	while (*p && *p != k + 1)
		p = &t->made[*p - 1].next;
	if (*p)
		*p = t->made[k].next;
}

/* The newest live entry at path, or -1. */
static ssize_t made_find(struct txn *t, const char *path)
{
	ssize_t best = -1;

	if (!t->made_buckets)
		return -1;
	for (uint32_t k = *bucket_of(t, path); k; k = t->made[k - 1].next)
		if ((ssize_t)k - 1 > best && strcmp(t->made[k - 1].path, path) == 0)
			best = (ssize_t)k - 1;
	return best;
}

/* Remember an entry (path and from are taken). */
static void made_add(struct txn *t, enum made_kind kind, char *path, char *from, uint32_t kdev,
		     ino_t ino, ino_t ino2)
{
	if (!t->made_buckets)
		t->made_buckets = calloc(MADE_BUCKETS, sizeof(*t->made_buckets));
	if (t->made_buckets && t->nmade == t->made_cap) {
		size_t cap = t->made_cap ? t->made_cap * 2 : 64;
		struct made_file *v = cap <= TXN_MADE_MAX ? realloc(t->made, cap * sizeof(*v)) : NULL;

		if (v) {
			t->made = v;
			t->made_cap = cap;
		}
	}
	if (!path || (kind >= MADE_MOVED && !from) || !t->made_buckets || t->nmade == t->made_cap) {
		free(path);
		free(from);
		t->made_dropped++;      /* an abort cannot undo it: it says so */
		return;
	}
	t->made[t->nmade] = (struct made_file){
		.path = path, .from = from, .kdev = kdev, .ino = ino, .ino2 = ino2, .kind = kind,
	};
	chain_link(t, t->nmade++);
}

/* Entry k now lives at path (taken; NULL when it could not be copied: not followed). */
static void made_move(struct txn *t, size_t k, char *path)
{
	if (!path) {
		t->made_unfollowed++;
		return;
	}
	chain_unlink(t, k);
	free(t->made[k].path);
	t->made[k].path = path;
	chain_link(t, k);
}

/*
 * Entries older than `below` (all when SIZE_MAX) whose path lies under
 * directory from/ now lie under to/.  False when the session's budget for
 * such scans is spent (the caller says what it could not follow).
 */
static bool move_below(struct txn *t, const char *from, const char *to, size_t below)
{
	size_t n = below < t->nmade ? below : t->nmade, flen = strlen(from);

	if (t->made_scanned + n > MADE_SCAN_BUDGET)
		return false;
	t->made_scanned += n;
	for (size_t k = 0; k < n; k++) {
		const char *p = t->made[k].path;
		char *moved;

		if (strncmp(p, from, flen) != 0 || p[flen] != '/')
			continue;
		moved = sp_asprintf("%s%s", to, p + flen);
		made_move(t, k, moved);
	}
	return true;
}

void txn_made_created(struct txn *t, const char *abs, uint32_t kdev, ino_t ino)
{
	made_add(t, MADE_FILE, strdup(abs), NULL, kdev, ino, 0);
}

/*
 * A name from a file record, canonical: its directory resolved (the
 * supervisor sees the same tree outside the staged roots), the last
 * component as written, so that a symlink is the link itself.  The kernel
 * completes a relative name with its directory; when it could not, the
 * directory is asked of /proc (dfd: the call's, or NO_DFD when the record
 * does not have it).
 */
static char *record_name(const struct sp_event *e, const char *given, size_t max, int dfd)
{
	_cleanup_free_ char *norm = NULL, *dir = NULL;
	char link[64], base[PATH_MAX], *slash;
	ssize_t n;

	if (memchr(given, '\0', max) == NULL)
		return NULL;
	if (given[0] == '/') {
		norm = path_normalize(given);
	} else {
		if (dfd == NO_DFD)
			return NULL;
		if (dfd == AT_FDCWD)
			snprintf(link, sizeof(link), "/proc/%u/cwd", e->h.tgid);
		else
			snprintf(link, sizeof(link), "/proc/%u/fd/%d", e->h.tgid, dfd);
		n = readlink(link, base, sizeof(base) - 1);
		if (n <= 0 || base[0] != '/')
			return NULL;
		base[n] = '\0';
		dir = path_join(base, given);
		norm = dir ? path_normalize(dir) : NULL;
		free(TAKE_PTR(dir));
	}
	if (!norm || strcmp(norm, "/") == 0)
		return NULL;
	slash = strrchr(norm, '/');
	*slash = '\0';
	dir = path_canonical(*norm ? norm : "/");
	if (!dir)
		return NULL;
	return sp_asprintf("%s/%s", strcmp(dir, "/") ? dir : "", slash + 1);
}

/* Does the transaction keep changes at abs (a root), or is it the session's own place? */
static bool kept_place(const struct txn *t, const char *abs)
{
	return txn_root_of(&t->j, abs, false) >= 0 || txn_session_place(t, abs);
}

/* A name the call made (mkdir, link, symlink: they fail on an existing one). */
static void on_new_name(struct txn *t, const struct sp_event *e, enum made_kind kind,
			const char *given, int dfd)
{
	_cleanup_free_ char *name = record_name(e, given, sizeof(e->file.path), dfd);
	struct stat st;

	if (!name || kept_place(t, name))
		return;
	/* what holds the name now is what the build put there */
	if (lstat(name, &st) < 0 || (kind == MADE_DIR) != !!S_ISDIR(st.st_mode))
		return;
	made_add(t, kind, TAKE_PTR(name), NULL, kernel_dev(st.st_dev), st.st_ino, 0);
}

/*
 * A rename.  What the build made follows its object (a directory carries
 * what lies below it).  Otherwise: something that was there before, moved
 * from where nothing keeps it (or out of a journaled target, whose
 * rollback puts the original back), is a move to undo; something moved
 * out of the session's own places (a build tree) is new where it lands.
 */
static void on_rename(struct txn *t, const struct sp_event *e)
{
	bool exchange = e->file.flags & RENAME_EXCHANGE;
	_cleanup_free_ char *from = record_name(e, e->file.path, sizeof(e->file.path), e->file.fd);
	/* the record has the old name's directory fd only */
	_cleanup_free_ char *to = record_name(e, e->file.path2, sizeof(e->file.path2), NO_DFD);
	struct stat st, st2 = { 0 };
	ssize_t k, k2 = -1;
	bool dir;

	if (!from || !to || strcmp(from, to) == 0 || lstat(to, &st) < 0 ||
	    (exchange && lstat(from, &st2) < 0))
		return;
	dir = S_ISDIR(st.st_mode) && !exchange;
	k = made_find(t, from);
	if (exchange)
		k2 = made_find(t, to);
	if (k >= 0 || k2 >= 0) {
		if (k >= 0)
			made_move(t, (size_t)k, strdup(to));
		if (k2 >= 0)
			made_move(t, (size_t)k2, strdup(from));
		if (dir && !move_below(t, from, to, SIZE_MAX))
			t->made_unfollowed++;
		return;
	}
	if (exchange) {
		if (!kept_place(t, from) && !kept_place(t, to))
			made_add(t, MADE_SWAPPED, TAKE_PTR(to), TAKE_PTR(from), kernel_dev(st.st_dev),
				 st.st_ino, st2.st_ino);
		return;
	}
	if (!kept_place(t, from) || (txn_root_of(&t->j, from, false) >= 0 && !kept_place(t, to))) {
		if (dir && !move_below(t, from, to, SIZE_MAX))
			t->made_unfollowed++;
		made_add(t, MADE_MOVED, TAKE_PTR(to), TAKE_PTR(from), kernel_dev(st.st_dev),
			 st.st_ino, 0);
	} else if (txn_root_of(&t->j, from, false) < 0 && !kept_place(t, to)) {
		made_add(t, dir ? MADE_TREE : MADE_FILE, TAKE_PTR(to), NULL, kernel_dev(st.st_dev),
			 st.st_ino, 0);
	}
}

void txn_kernel_file(struct txn *t, const struct sp_event *e)
{
	if (!t || t->finished || e->h.kind != SP_EV_FILE || e->file.ret != 0 ||
	    (e->h.flags & SP_EF_TRUNC) || e->h.role == SP_ROLE_PIP)
		return;
	switch (e->file.op) {
	case SP_FOP_MKDIR:
		on_new_name(t, e, MADE_DIR, e->file.path, e->file.fd);
		break;
	case SP_FOP_LINK:
		/* the record has the old name's directory fd only */
		on_new_name(t, e, MADE_FILE, e->file.path2, NO_DFD);
		break;
	case SP_FOP_SYMLINK:
		on_new_name(t, e, MADE_FILE, e->file.path2, e->file.fd);
		break;
	case SP_FOP_RENAME:
		on_rename(t, e);
		break;
	default:
		break;
	}
}

/* ---------------------------------------------------------------- abort */

static bool holds(const char *path, const struct made_file *m, ino_t ino, struct stat *st)
{
	return lstat(path, st) == 0 && kernel_dev(st->st_dev) == m->kdev && st->st_ino == ino;
}

/* rename without replacing; where the file system cannot say so, after a check */
static int put_back(const char *path, const char *from)
{
	struct stat st;

	if (renameat2(AT_FDCWD, path, AT_FDCWD, from, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno != EINVAL)
		return -1;
	if (lstat(from, &st) == 0 || errno != ENOENT)
		return -1;
	return rename(path, from);
}

/* Put a moved name back; the older entries below a moved directory come along. */
static void undo_move(struct txn *t, size_t k)
{
	const struct made_file *m = &t->made[k];
	struct stat st, st2;

	if (!holds(m->path, m, m->ino, &st)) {
		/* moved on or removed by the build, with nothing we followed */
		txn_lost(&t->res, m->from);
		return;
	}
	if (m->kind == MADE_SWAPPED) {
		if (!holds(m->from, m, m->ino2, &st2) ||
		    renameat2(AT_FDCWD, m->path, AT_FDCWD, m->from, RENAME_EXCHANGE) < 0) {
			txn_lost(&t->res, m->from);
			return;
		}
	} else if (lstat(m->from, &st2) == 0) {
		/* a rollback put the original back (a hard link of the same file): drop the copy */
		if (kernel_dev(st2.st_dev) != m->kdev || st2.st_ino != m->ino ||
		    S_ISDIR(st.st_mode) || unlink(m->path) < 0) {
			txn_lost(&t->res, m->from);
			return;
		}
	} else if (errno != ENOENT || put_back(m->path, m->from) < 0) {
		txn_lost(&t->res, m->from);
		return;
	} else if (S_ISDIR(st.st_mode) && !move_below(t, m->path, m->from, k)) {
		t->made_unfollowed++;
	}
	t->res.moved_back++;
	sp_debug("put %s back, moved to %s by the stopped install", m->from, m->path);
}

static int remove_made(const struct made_file *m)
{
	switch (m->kind) {
	case MADE_DIR:
		return rmdir(m->path);
	case MADE_TREE:
		/* a build tree moved out of the session's places: all of it is the build's */
		return fs_remove_at(AT_FDCWD, m->path, NULL) < 0 ? -1 : 0;
	default:
		return unlink(m->path);
	}
}

static void undo_one(struct txn *t, size_t k)
{
	const struct made_file *m = &t->made[k];
	struct stat st;

	if (m->kind >= MADE_MOVED) {
		undo_move(t, k);
		return;
	}
	if (lstat(m->path, &st) < 0) {
		/* ENOENT: removed or moved away by the build itself */
		if (errno != ENOENT)
			txn_lost(&t->res, m->path);
		return;
	}
	if (kernel_dev(st.st_dev) != m->kdev || st.st_ino != m->ino ||
	    (m->kind != MADE_FILE) != !!S_ISDIR(st.st_mode) || remove_made(m) < 0) {
		txn_lost(&t->res, m->path);
		return;
	}
	t->res.removed_elsewhere++;
	sp_debug("removed %s, created by the stopped install", m->path);
}

void txn_made_undo_into_roots(struct txn *t)
{
	for (size_t k = t->nmade; k-- > 0;) {
		struct made_file *m = &t->made[k];

		if (m->kind >= MADE_MOVED && !m->undone && txn_root_of(&t->j, m->path, false) >= 0) {
			undo_move(t, k);
			m->undone = true;
		}
	}
}

void txn_made_undo(struct txn *t)
{
	char what[112];

	for (size_t k = t->nmade; k-- > 0;)
		if (!t->made[k].undone)
			undo_one(t, k);
	if (t->made_dropped) {
		snprintf(what, sizeof(what), "(%llu more files, directories and moves builds made, "
			 "not remembered)", (unsigned long long)t->made_dropped);
		txn_lost(&t->res, what);
	}
	if (t->made_unfollowed) {
		snprintf(what, sizeof(what), "(%llu renames builds made, not followed)",
			 (unsigned long long)t->made_unfollowed);
		txn_lost(&t->res, what);
	}
}

void txn_made_free(struct txn *t)
{
	for (size_t i = 0; i < t->nmade; i++) {
		free(t->made[i].path);
		free(t->made[i].from);
	}
	free(t->made);
	free(t->made_buckets);
}
