// SPDX-License-Identifier: MIT
#include "guard/fsutil.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>

#include "guard/util.h"

#define XATTR_LIST_MAX_BYTES (64 * 1024)
#define XATTR_VALUE_MAX_BYTES (64 * 1024)
#define MOVE_TMP_NAME ".safe-pip-move.tmp"

bool fs_is_whiteout(const struct stat *st)
{
	return S_ISCHR(st->st_mode) && st->st_rdev == makedev(0, 0);
}

/* ------------------------------------------------------------ removal */

static int remove_entry(int dirfd, const char *name, uint64_t *count, int depth);

/* Open a directory to empty it; one without permissions is opened up first. */
static int open_dir_for_removal(int dirfd, const char *name)
{
	int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0 && errno == EACCES && fchmodat(dirfd, name, 0700, 0) == 0)
		fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

/* Remove everything in the directory fd (consumed). */
static int empty_dir(int fd, uint64_t *count, int depth)
{
	DIR *d = fdopendir(fd);
	struct dirent *de;
	bool opened_up = false;
	int r = 0;

	if (!d) {
		r = -errno;
		close(fd);
		return r;
	}
	while ((errno = 0, de = readdir(d))) {
		int q;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		q = remove_entry(dirfd(d), de->d_name, count, depth + 1);
		if (q == -EACCES && !opened_up) {
			/* A read-only directory: allow ourselves to remove its entries. */
			opened_up = fchmod(dirfd(d), 0700) == 0;
			if (opened_up)
				q = remove_entry(dirfd(d), de->d_name, count, depth + 1);
		}
		if (q < 0 && r == 0)
			r = q;
	}
	if (errno && r == 0)
		r = -errno;
	closedir(d);
	return r;
}

static int remove_entry(int dirfd, const char *name, uint64_t *count, int depth)
{
	int fd, r;

	if (unlinkat(dirfd, name, 0) == 0) {
		if (count)
			(*count)++;
		return 0;
	}
	if (errno == ENOENT)
		return 0;
	if (errno != EISDIR)
		return -errno;
	if (depth >= FS_DEPTH_MAX)
		return -ELOOP;
	fd = open_dir_for_removal(dirfd, name);
	if (fd == -ENOENT)
		return 0;
	if (fd < 0)
		return fd;
	r = empty_dir(fd, count, depth);
	if (unlinkat(dirfd, name, AT_REMOVEDIR) == 0) {
		if (count)
			(*count)++;
	} else if (errno != ENOENT && r == 0) {
		r = -errno;
	}
	return r;
}

int fs_remove_at(int dirfd, const char *name, uint64_t *count)
{
	return remove_entry(dirfd, name, count, 0);
}

/* ------------------------------------------------------------ metadata */

int fs_set_meta_at(int dirfd, const char *name, const struct stat *st)
{
	struct timespec ts[2] = { st->st_atim, st->st_mtim };

	if (fchownat(dirfd, name, st->st_uid, st->st_gid, AT_SYMLINK_NOFOLLOW) < 0 &&
	    (errno != EPERM || geteuid() == 0))
		return -errno;
	if (!S_ISLNK(st->st_mode) && fchmodat(dirfd, name, st->st_mode & 07777, 0) < 0)
		return -errno;
	if (utimensat(dirfd, name, ts, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	return 0;
}

int fs_copy_xattrs(int src, int dst)
{
	_cleanup_free_ char *names = NULL, *value = NULL;
	ssize_t n, vlen;

	n = flistxattr(src, NULL, 0);
	if (n <= 0)
		return n < 0 && errno != ENOTSUP ? -errno : 0;
	if (n > XATTR_LIST_MAX_BYTES)
		return -E2BIG;
	names = malloc((size_t)n);
	value = malloc(XATTR_VALUE_MAX_BYTES);
	if (!names || !value)
		return -ENOMEM;
	n = flistxattr(src, names, (size_t)n);
	if (n < 0)
		return -errno;
	for (char *p = names; p < names + n; p += strlen(p) + 1) {
		vlen = fgetxattr(src, p, value, XATTR_VALUE_MAX_BYTES);
		if (vlen < 0)
			continue;
		/* security.* may be refused by the destination file system: best effort. */
		(void)fsetxattr(dst, p, value, (size_t)vlen, 0);
	}
	return 0;
}

/* ------------------------------------------------------------- copying */

static int copy_contents(int sfd, int dfd)
{
	char buf[64 * 1024];
	bool use_cfr = true;

	if (ioctl(dfd, FICLONE, sfd) == 0)
		return 0;
	for (;;) {
		ssize_t n;

		if (use_cfr) {
			n = copy_file_range(sfd, NULL, dfd, NULL, 1u << 30, 0);
			if (n < 0 && (errno == EXDEV || errno == EINVAL || errno == ENOSYS ||
				      errno == EOPNOTSUPP)) {
				use_cfr = false;
				continue;
			}
		} else {
			n = read(sfd, buf, sizeof(buf));
			if (n > 0) {
				int r = write_all(dfd, buf, (size_t)n);

				if (r < 0)
					return r;
			}
		}
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return 0;
	}
}

static int fd_set_meta(int fd, const struct stat *st)
{
	struct timespec ts[2] = { st->st_atim, st->st_mtim };

	if (fchown(fd, st->st_uid, st->st_gid) < 0 && (errno != EPERM || geteuid() == 0))
		return -errno;
	if (fchmod(fd, st->st_mode & 07777) < 0)
		return -errno;
	return futimens(fd, ts) < 0 ? -errno : 0;
}

int fs_copy_file_at(int sdir, const char *sname, int ddir, const char *dname)
{
	_cleanup_close_ int sfd = -1, dfd = -1;
	struct stat st;
	int r;

	sfd = openat(sdir, sname, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (sfd < 0)
		return -errno;
	if (fstat(sfd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	dfd = openat(ddir, dname, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (dfd < 0)
		return -errno;
	r = copy_contents(sfd, dfd);
	if (r == 0) {
		/* chown before chmod (it clears set-id bits), xattrs (file capabilities) after */
		struct timespec ts[2] = { st.st_atim, st.st_mtim };

		if (fchown(dfd, st.st_uid, st.st_gid) < 0 && (errno != EPERM || geteuid() == 0))
			r = -errno;
		else if (fchmod(dfd, st.st_mode & 07777) < 0)
			r = -errno;
		else if ((r = fs_copy_xattrs(sfd, dfd)) == 0 && futimens(dfd, ts) < 0)
			r = -errno;
	}
	if (r < 0)
		(void)unlinkat(ddir, dname, 0);
	return r;
}

static int copy_tree(int sdir, const char *sname, int ddir, const char *dname, int depth);

static int copy_dir(int sdir, const char *sname, const struct stat *st, int ddir,
		    const char *dname, int depth)
{
	_cleanup_close_ int dfd = -1;
	struct dirent *de;
	DIR *d;
	int sfd, r = 0;

	if (depth >= FS_DEPTH_MAX)
		return -ELOOP;
	if (mkdirat(ddir, dname, 0700) < 0)
		return -errno;
	dfd = openat(ddir, dname, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	sfd = openat(sdir, sname, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0 || sfd < 0) {
		r = -errno;
		if (sfd >= 0)
			close(sfd);
		return r;
	}
	d = fdopendir(sfd);
	if (!d) {
		r = -errno;
		close(sfd);
		return r;
	}
	while (r == 0 && (errno = 0, de = readdir(d))) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		r = copy_tree(dirfd(d), de->d_name, dfd, de->d_name, depth + 1);
	}
	if (r == 0 && errno)
		r = -errno;
	if (r == 0)
		r = fs_copy_xattrs(dirfd(d), dfd);
	closedir(d);
	return r < 0 ? r : fd_set_meta(dfd, st);
}

static int copy_tree(int sdir, const char *sname, int ddir, const char *dname, int depth)
{
	char target[PATH_MAX];
	struct stat st;
	ssize_t n;

	if (fstatat(sdir, sname, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	switch (st.st_mode & S_IFMT) {
	case S_IFREG:
		return fs_copy_file_at(sdir, sname, ddir, dname);
	case S_IFDIR:
		return copy_dir(sdir, sname, &st, ddir, dname, depth);
	case S_IFLNK:
		n = readlinkat(sdir, sname, target, sizeof(target) - 1);
		if (n < 0)
			return -errno;
		target[n] = '\0';
		if (symlinkat(target, ddir, dname) < 0)
			return -errno;
		return fs_set_meta_at(ddir, dname, &st);
	default:
		if (mknodat(ddir, dname, st.st_mode, st.st_rdev) < 0)
			return -errno;
		return fs_set_meta_at(ddir, dname, &st);
	}
}

int fs_copy_tree_at(int sdir, const char *sname, int ddir, const char *dname)
{
	return copy_tree(sdir, sname, ddir, dname, 0);
}

int fs_move_at(int sdir, const char *sname, int ddir, const char *dname)
{
	int r;

	if (renameat(sdir, sname, ddir, dname) == 0)
		return 0;
	if (errno != EXDEV)
		return -errno;
	/* Another file system: copy beside the destination, then one rename. */
	r = fs_remove_at(ddir, MOVE_TMP_NAME, NULL);
	if (r == 0)
		r = fs_copy_tree_at(sdir, sname, ddir, MOVE_TMP_NAME);
	if (r == 0 && renameat(ddir, MOVE_TMP_NAME, ddir, dname) < 0)
		r = -errno;
	if (r < 0) {
		(void)fs_remove_at(ddir, MOVE_TMP_NAME, NULL);
		return r;
	}
	return fs_remove_at(sdir, sname, NULL);
}

/* -------------------------------------------------------------- xattrs */

static int strip_one(const char *path, const char *prefix)
{
	char names[XATTR_LIST_MAX_BYTES];
	ssize_t n = llistxattr(path, names, sizeof(names));
	size_t plen = strlen(prefix);

	if (n < 0)
		return errno == ENOTSUP || errno == ENOENT ? 0 : -errno;
	for (char *p = names; p < names + n; p += strlen(p) + 1)
		if (strncmp(p, prefix, plen) == 0 && lremovexattr(path, p) < 0 && errno != ENODATA)
			return -errno;
	return 0;
}

static int strip_tree(int dfd, const char *name, const char *prefix, bool recursive, int depth)
{
	char path[64 + NAME_MAX];
	struct dirent *de;
	struct stat st;
	DIR *d;
	int fd, r;

	/* The l*xattr calls do not follow the last component: symlinks are safe. */
	snprintf(path, sizeof(path), "/proc/self/fd/%d/%s", dfd, name);
	r = strip_one(path, prefix);
	if (r < 0 || !recursive)
		return r;
	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	if (!S_ISDIR(st.st_mode))
		return 0;
	if (depth >= FS_DEPTH_MAX)
		return -ELOOP;
	fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	d = fdopendir(fd);
	if (!d) {
		r = -errno;
		close(fd);
		return r;
	}
	while (r == 0 && (errno = 0, de = readdir(d))) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		r = strip_tree(dirfd(d), de->d_name, prefix, true, depth + 1);
	}
	if (r == 0 && errno)
		r = -errno;
	closedir(d);
	return r;
}

int fs_strip_xattrs_at(int dirfd, const char *name, const char *prefix, bool recursive)
{
	return strip_tree(dirfd, name, prefix, recursive, 0);
}

/* ---------------------------------------------------------- directories */

int fs_mkdir_p(const char *path, mode_t mode)
{
	_cleanup_free_ char *p = strdup(path);
	struct stat st;

	if (!p)
		return -ENOMEM;
	for (char *s = p + 1;; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		char c = *s;

		*s = '\0';
		if (mkdir(p, mode) < 0 && errno != EEXIST)
			return -errno;
		if (c == '\0')
			break;
		*s = c;
	}
	if (stat(p, &st) < 0)
		return -errno;
	return S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
}

int fs_write_atomic(int dirfd, const char *name, const void *buf, size_t len, bool durable)
{
	char tmp[NAME_MAX + 1];
	int fd, r;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", name) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	r = write_all(fd, buf, len);
	if (r == 0 && durable && fsync(fd) < 0)
		r = -errno;
	if (close(fd) < 0 && r == 0)
		r = -errno;
	if (r == 0 && renameat(dirfd, tmp, dirfd, name) < 0)
		r = -errno;
	if (r < 0) {
		(void)unlinkat(dirfd, tmp, 0);
		return r;
	}
	return durable && fsync(dirfd) < 0 ? -errno : 0;
}

/* --------------------------------------------------------------- paths */

char *path_normalize(const char *p)
{
	size_t len = strlen(p), o = 0;
	char *out;

	if (p[0] != '/') {
		errno = EINVAL;
		return NULL;
	}
	if (len >= PATH_MAX) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	out = malloc(len + 2);
	if (!out)
		return NULL;
	for (const char *s = p; *s;) {
		const char *e;
		size_t n;

		while (*s == '/')
			s++;
		e = strchrnul(s, '/');
		n = (size_t)(e - s);
		if (n == 0 || (n == 1 && s[0] == '.')) {
			/* nothing */
		} else if (n == 2 && s[0] == '.' && s[1] == '.') {
			while (o > 0 && out[o - 1] != '/')
				o--;
			if (o > 0)
				o--;
		} else {
			out[o++] = '/';
			memcpy(out + o, s, n);
			o += n;
		}
		s = e;
	}
	if (o == 0)
		out[o++] = '/';
	out[o] = '\0';
	return out;
}

bool path_under(const char *path, const char *root)
{
	size_t n = strlen(root);

	if (strcmp(root, "/") == 0)
		return path[0] == '/';
	return strncmp(path, root, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

const char *path_rel(const char *path, const char *root)
{
	const char *r = path + (strcmp(root, "/") == 0 ? 0 : strlen(root));

	return *r == '/' ? r + 1 : r;
}

char *path_join(const char *a, const char *b)
{
	if (!*b)
		return strdup(a);
	return sp_asprintf("%s%s%s", a, endswith(a, "/") ? "" : "/", b);
}

char *path_canonical(const char *p)
{
	_cleanup_free_ char *norm = path_normalize(p);
	char real[PATH_MAX];
	char *cut;

	if (!norm)
		return NULL;
	if (realpath(norm, real))
		return strdup(real);
	if (errno != ENOENT && errno != ENOTDIR)
		return NULL;
	/* Resolve the longest existing ancestor; append the rest as written. */
	cut = strrchr(norm, '/');
	while (cut) {
		char saved = *cut;

		*cut = '\0';
		if (realpath(*norm ? norm : "/", real)) {
			*cut = saved;
			return sp_asprintf("%s%s", strcmp(real, "/") == 0 ? "" : real, cut);
		}
		*cut = saved;
		if (cut == norm)
			break;
		do
			cut--;
		while (cut > norm && *cut != '/');
	}
	return NULL;
}

char *str_escape(const char *s)
{
	size_t n = strlen(s);
	char *out = malloc(n * 4 + 1), *o = out;

	if (!out)
		return NULL;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p <= 0x20 || *p == 0x7f || *p == '\\')
			o += sprintf(o, "\\x%02x", *p);
		else
			*o++ = (char)*p;
	}
	*o = '\0';
	return out;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

char *str_unescape(const char *s)
{
	char *out = malloc(strlen(s) + 1), *o = out;

	if (!out)
		return NULL;
	for (const char *p = s; *p; p++) {
		int hi, lo;

		if ((unsigned char)*p <= 0x20 || *p == 0x7f)
			goto bad;
		if (*p != '\\') {
			*o++ = *p;
			continue;
		}
		if (p[1] != 'x' || (hi = hexval(p[2])) < 0 || (lo = hexval(p[3])) < 0 ||
		    (hi == 0 && lo == 0))
			goto bad;
		*o++ = (char)(hi << 4 | lo);
		p += 3;
	}
	*o = '\0';
	return out;
bad:
	free(out);
	errno = EINVAL;
	return NULL;
}
