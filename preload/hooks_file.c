// SPDX-License-Identifier: MIT
/*
 * Hooks: files.  Reported: every open for writing (or creating,
 * truncating), every read of a path the configuration lists, and every
 * unlink, rename, chmod, temporary file and dlopen.  An access the
 * configuration lists is asked about first; on a deny the call fails with
 * EACCES (or the supervisor's errno) and the file is never touched.
 *
 * Paths are made absolute (against the working directory or the dirfd)
 * and normalised lexically before they are matched; symlinks are not
 * resolved.  A path too long to normalise is asked about whenever the
 * configuration has rules for that access at all: fail closed.
 *
 * Every libc entry point that opens internally past the PLT (fopen,
 * mkstemp, tmpfile, shm_open, sem_open ...) is hooked itself, so that the
 * kernel's view of writes can be matched against reports.
 */
#include "preload/shim_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dlfcn.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* The fortified entry points glibc's headers declare only under _FORTIFY_SOURCE. */
int __open_2(const char *path, int flags);
int __open64_2(const char *path, int flags);
int __openat_2(int dfd, const char *path, int flags);
int __openat64_2(int dfd, const char *path, int flags);

#define NORM_MAX 1024

/* path made absolute and normalised into out; false when it cannot be. */
static bool absolute(int dfd, const char *path, char *out, size_t size)
{
	char base[NORM_MAX];

	if (path[0] == '/')
		return shim_normalize(NULL, path, out, size) > 0;
	if (!shim_dir_path(dfd, base, sizeof(base)))
		return false;
	return shim_normalize(base, path, out, size) > 0;
}

/* Does this access need a question?  abs NULL: the path is not known. */
static bool wants(const char *abs, uint32_t access)
{
	if (!abs)
		return shim_cfg_has_paths(shim.cfg, access);
	return shim_cfg_wants_path(shim.cfg, abs, access);
}

struct file_op {
	uint32_t call;
	int dfd;
	const char *path;
	int dfd2;
	const char *path2;      /* rename: the new name */
	int flags;
	mode_t mode;
	uint32_t access;        /* SHIM_ACC_* */
	bool always;            /* report even a plain read */
};

static __attribute__((noinline)) int file_send(const struct file_op *op, const char *abs,
						bool ask)
{
	struct shim_rec r;
	bool trunc = false;

	shim_rec_init(&r, SHIM_EV_FILE, op->call, PYC_FILE);
	trunc |= shim_copy(r.file.path, sizeof(r.file.path), op->path);
	trunc |= shim_copy(r.file.abspath, sizeof(r.file.abspath), abs ? abs : "");
	trunc |= shim_copy(r.file.path2, sizeof(r.file.path2), op->path2);
	if (trunc)
		r.h.flags |= SHIM_F_TRUNC;
	r.file.dfd = op->dfd;
	r.file.flags = (uint32_t)op->flags;
	r.file.mode = op->mode;
	r.file.access = op->access;
	return shim_report(&r, ask);
}

/* Report or ask about one file operation; 0 to go on, else the errno. */
static int file_report(const struct file_op *op)
{
	char abs[NORM_MAX], abs2[NORM_MAX];
	bool known, ask, write = op->access & SHIM_ACC_WRITE;
	int saved, err = 0;

	if (!op->path || !shim_enter())
		return 0;
	saved = errno;
	/* the common case: a plain read nobody asks about */
	if (!write && !op->always && !shim_cfg_has_paths(shim.cfg, SHIM_ACC_READ))
		goto out;
	known = absolute(op->dfd, op->path, abs, sizeof(abs));
	ask = wants(known ? abs : NULL, op->access);
	if (op->path2 && !ask)
		ask = wants(absolute(op->dfd2, op->path2, abs2, sizeof(abs2)) ? abs2 : NULL,
			    op->access);
	if (write || op->always || ask)
		err = file_send(op, known ? abs : NULL, ask);
out:
	shim_leave();
	errno = saved;
	return err;
}

static int open_report(uint32_t call, int dfd, const char *path, int flags, mode_t mode)
{
	struct file_op op = {
		.call = call, .dfd = dfd, .path = path, .flags = flags, .mode = mode,
		.access = shim_flags_write(flags) ? SHIM_ACC_WRITE : SHIM_ACC_READ,
	};

	return file_report(&op);
}

static inline bool needs_mode(int flags)
{
	return (flags & O_CREAT) || (flags & __O_TMPFILE) == __O_TMPFILE;
}

/* ------------------------------------------------------------ open family */

#define OPEN_BODY(call, dfd, fn, ...)                                   \
	mode_t mode = 0;                                                \
	int err;                                                        \
	if (needs_mode(flags)) {                                        \
		va_list ap;                                             \
		va_start(ap, flags);                                    \
		mode = (mode_t)va_arg(ap, int);                         \
		va_end(ap);                                             \
	}                                                               \
	err = open_report(call, dfd, path, flags, mode);                \
	if (err) {                                                      \
		errno = err;                                            \
		return -1;                                              \
	}                                                               \
	NEED(fn, -1);                                                   \
	return real.fn(__VA_ARGS__, flags, mode)

SHIM_EXPORT int open(const char *path, int flags, ...)
{
	OPEN_BODY(SHIM_CALL_OPEN, AT_FDCWD, open, path);
}

SHIM_EXPORT int open64(const char *path, int flags, ...)
{
	OPEN_BODY(SHIM_CALL_OPEN, AT_FDCWD, open64, path);
}

SHIM_EXPORT int openat(int dfd, const char *path, int flags, ...)
{
	OPEN_BODY(SHIM_CALL_OPENAT, dfd, openat, dfd, path);
}

SHIM_EXPORT int openat64(int dfd, const char *path, int flags, ...)
{
	OPEN_BODY(SHIM_CALL_OPENAT, dfd, openat64, dfd, path);
}

SHIM_EXPORT int __open_2(const char *path, int flags)
{
	int err = open_report(SHIM_CALL_OPEN, AT_FDCWD, path, flags, 0);

	if (err) {
		errno = err;
		return -1;
	}
	NEED(open_2, -1);
	return real.open_2(path, flags);
}

SHIM_EXPORT int __open64_2(const char *path, int flags)
{
	int err = open_report(SHIM_CALL_OPEN, AT_FDCWD, path, flags, 0);

	if (err) {
		errno = err;
		return -1;
	}
	NEED(open64_2, -1);
	return real.open64_2(path, flags);
}

SHIM_EXPORT int __openat_2(int dfd, const char *path, int flags)
{
	int err = open_report(SHIM_CALL_OPENAT, dfd, path, flags, 0);

	if (err) {
		errno = err;
		return -1;
	}
	NEED(openat_2, -1);
	return real.openat_2(dfd, path, flags);
}

SHIM_EXPORT int __openat64_2(int dfd, const char *path, int flags)
{
	int err = open_report(SHIM_CALL_OPENAT, dfd, path, flags, 0);

	if (err) {
		errno = err;
		return -1;
	}
	NEED(openat64_2, -1);
	return real.openat64_2(dfd, path, flags);
}

SHIM_EXPORT int creat(const char *path, mode_t mode)
{
	int err = open_report(SHIM_CALL_CREAT, AT_FDCWD, path, O_WRONLY | O_CREAT | O_TRUNC, mode);

	if (err) {
		errno = err;
		return -1;
	}
	NEED(creat, -1);
	return real.creat(path, mode);
}

SHIM_EXPORT int creat64(const char *path, mode_t mode)
{
	int err = open_report(SHIM_CALL_CREAT, AT_FDCWD, path, O_WRONLY | O_CREAT | O_TRUNC, mode);

	if (err) {
		errno = err;
		return -1;
	}
	NEED(creat64, -1);
	return real.creat64(path, mode);
}

/* ------------------------------------------------------------------ stdio */

SHIM_EXPORT FILE *fopen(const char *path, const char *mode)
{
	int err = open_report(SHIM_CALL_FOPEN, AT_FDCWD, path, shim_fopen_flags(mode), 0666);

	if (err) {
		errno = err;
		return NULL;
	}
	NEED(fopen, NULL);
	return real.fopen(path, mode);
}

SHIM_EXPORT FILE *fopen64(const char *path, const char *mode)
{
	int err = open_report(SHIM_CALL_FOPEN, AT_FDCWD, path, shim_fopen_flags(mode), 0666);

	if (err) {
		errno = err;
		return NULL;
	}
	NEED(fopen64, NULL);
	return real.fopen64(path, mode);
}

SHIM_EXPORT FILE *freopen(const char *path, const char *mode, FILE *stream)
{
	/* path NULL only changes the mode of the open stream */
	int err = path ? open_report(SHIM_CALL_FREOPEN, AT_FDCWD, path, shim_fopen_flags(mode), 0666)
		       : 0;

	if (err) {
		errno = err;
		return NULL;
	}
	NEED(freopen, NULL);
	return real.freopen(path, mode, stream);
}

SHIM_EXPORT FILE *freopen64(const char *path, const char *mode, FILE *stream)
{
	int err = path ? open_report(SHIM_CALL_FREOPEN, AT_FDCWD, path, shim_fopen_flags(mode), 0666)
		       : 0;

	if (err) {
		errno = err;
		return NULL;
	}
	NEED(freopen64, NULL);
	return real.freopen64(path, mode, stream);
}

/* -------------------------------------------------------- temporary files */

/*
 * Reported before the call with the template: the kernel sees the names
 * tried, which match it with the X's filled in.
 */
static int temp_report(uint32_t call, const char *tmpl, int flags)
{
	struct file_op op = {
		.call = call, .dfd = AT_FDCWD, .path = tmpl,
		.flags = O_RDWR | O_CREAT | O_EXCL | flags, .mode = 0600,
		.access = SHIM_ACC_WRITE, .always = true,
	};

	return file_report(&op);
}

#define TEMP_BODY(fn, flags, ...)                                       \
	int err = temp_report(SHIM_CALL_MKSTEMP, tmpl, flags);          \
	if (err) {                                                      \
		errno = err;                                            \
		return -1;                                              \
	}                                                               \
	NEED(fn, -1);                                                   \
	return real.fn(__VA_ARGS__)

SHIM_EXPORT int mkstemp(char *tmpl) { TEMP_BODY(mkstemp, 0, tmpl); }
SHIM_EXPORT int mkstemp64(char *tmpl) { TEMP_BODY(mkstemp64, 0, tmpl); }
SHIM_EXPORT int mkostemp(char *tmpl, int flags) { TEMP_BODY(mkostemp, flags, tmpl, flags); }
SHIM_EXPORT int mkostemp64(char *tmpl, int flags) { TEMP_BODY(mkostemp64, flags, tmpl, flags); }
SHIM_EXPORT int mkstemps(char *tmpl, int sfx) { TEMP_BODY(mkstemps, 0, tmpl, sfx); }
SHIM_EXPORT int mkstemps64(char *tmpl, int sfx) { TEMP_BODY(mkstemps64, 0, tmpl, sfx); }

SHIM_EXPORT int mkostemps(char *tmpl, int sfx, int flags)
{
	TEMP_BODY(mkostemps, flags, tmpl, sfx, flags);
}

SHIM_EXPORT int mkostemps64(char *tmpl, int sfx, int flags)
{
	TEMP_BODY(mkostemps64, flags, tmpl, sfx, flags);
}

SHIM_EXPORT FILE *tmpfile(void)
{
	const char *dir = P_tmpdir;
	int err = temp_report(SHIM_CALL_TMPFILE, dir, 0);

	if (err) {
		errno = err;
		return NULL;
	}
	NEED(tmpfile, NULL);
	return real.tmpfile();
}

SHIM_EXPORT FILE *tmpfile64(void)
{
	const char *dir = P_tmpdir;
	int err = temp_report(SHIM_CALL_TMPFILE, dir, 0);

	if (err) {
		errno = err;
		return NULL;
	}
	NEED(tmpfile64, NULL);
	return real.tmpfile64();
}

/* "/name" -> "/dev/shm/<prefix>name", as glibc names POSIX shm objects. */
static const char *shm_path(char *buf, size_t size, const char *prefix, const char *name)
{
	size_t o = 0;

	if (!name)
		return NULL;
	while (*name == '/')
		name++;
	for (const char *p = "/dev/shm/"; *p && o + 1 < size; p++)
		buf[o++] = *p;
	for (const char *p = prefix; *p && o + 1 < size; p++)
		buf[o++] = *p;
	for (const char *p = name; *p && o + 1 < size; p++)
		buf[o++] = *p;
	buf[o] = '\0';
	return buf;
}

SHIM_EXPORT int shm_open(const char *name, int flags, mode_t mode)
{
	char buf[SHIM_PATH_MAX];
	struct file_op op = {
		.call = SHIM_CALL_SHM_OPEN, .dfd = AT_FDCWD,
		.path = shm_path(buf, sizeof(buf), "", name), .flags = flags, .mode = mode,
		.access = shim_flags_write(flags) ? SHIM_ACC_WRITE : SHIM_ACC_READ, .always = true,
	};
	int err = file_report(&op);

	if (err) {
		errno = err;
		return -1;
	}
	NEED(shm_open, -1);
	return real.shm_open(name, flags, mode);
}

SHIM_EXPORT sem_t *sem_open(const char *name, int flags, ...)
{
	char buf[SHIM_PATH_MAX];
	mode_t mode = 0;
	unsigned int value = 0;
	struct file_op op = {
		.call = SHIM_CALL_SEM_OPEN, .dfd = AT_FDCWD,
		.path = shm_path(buf, sizeof(buf), "sem.", name), .flags = flags | O_RDWR,
		.access = SHIM_ACC_WRITE, .always = true,
	};
	int err;

	if (flags & O_CREAT) {
		va_list ap;

		va_start(ap, flags);
		mode = (mode_t)va_arg(ap, int);
		value = va_arg(ap, unsigned int);
		va_end(ap);
	}
	op.mode = mode;
	err = file_report(&op);
	if (err) {
		errno = err;
		return SEM_FAILED;
	}
	NEED(sem_open, SEM_FAILED);
	if (flags & O_CREAT)
		return real.sem_open(name, flags, mode, value);
	return real.sem_open(name, flags);
}

/* -------------------------------------------- unlink, rename, chmod */

static int change_report(uint32_t call, int dfd, const char *path, int dfd2, const char *path2,
			 mode_t mode)
{
	struct file_op op = {
		.call = call, .dfd = dfd, .path = path, .dfd2 = dfd2, .path2 = path2,
		.mode = mode, .access = SHIM_ACC_WRITE, .always = true,
	};

	return file_report(&op);
}

SHIM_EXPORT int unlink(const char *path)
{
	int err = change_report(SHIM_CALL_UNLINK, AT_FDCWD, path, AT_FDCWD, NULL, 0);

	if (err) {
		errno = err;
		return -1;
	}
	NEED(unlink, -1);
	return real.unlink(path);
}

SHIM_EXPORT int unlinkat(int dfd, const char *path, int flags)
{
	int err = change_report(SHIM_CALL_UNLINKAT, dfd, path, AT_FDCWD, NULL, 0);

	if (err) {
		errno = err;
		return -1;
	}
	NEED(unlinkat, -1);
	return real.unlinkat(dfd, path, flags);
}

SHIM_EXPORT int rename(const char *old, const char *new)
{
	int err = change_report(SHIM_CALL_RENAME, AT_FDCWD, old, AT_FDCWD, new, 0);

	if (err) {
		errno = err;
		return -1;
	}
	NEED(rename, -1);
	return real.rename(old, new);
}

SHIM_EXPORT int renameat(int olddfd, const char *old, int newdfd, const char *new)
{
	int err = change_report(SHIM_CALL_RENAMEAT, olddfd, old, newdfd, new, 0);

	if (err) {
		errno = err;
		return -1;
	}
	NEED(renameat, -1);
	return real.renameat(olddfd, old, newdfd, new);
}

SHIM_EXPORT int renameat2(int olddfd, const char *old, int newdfd, const char *new,
			  unsigned int flags)
{
	int err = change_report(SHIM_CALL_RENAMEAT, olddfd, old, newdfd, new, 0);

	if (err) {
		errno = err;
		return -1;
	}
	NEED(renameat2, -1);
	return real.renameat2(olddfd, old, newdfd, new, flags);
}

SHIM_EXPORT int chmod(const char *path, mode_t mode)
{
	int err = change_report(SHIM_CALL_CHMOD, AT_FDCWD, path, AT_FDCWD, NULL, mode);

	if (err) {
		errno = err;
		return -1;
	}
	NEED(chmod, -1);
	return real.chmod(path, mode);
}

SHIM_EXPORT int fchmodat(int dfd, const char *path, mode_t mode, int flags)
{
	int err = change_report(SHIM_CALL_FCHMODAT, dfd, path, AT_FDCWD, NULL, mode);

	if (err) {
		errno = err;
		return -1;
	}
	NEED(fchmodat, -1);
	return real.fchmodat(dfd, path, mode, flags);
}

/* ----------------------------------------------------------------- dlopen */

static __attribute__((noinline)) void dlopen_report(const char *file, int mode)
{
	struct shim_rec r;
	char abs[NORM_MAX];
	int saved;

	if (SHIM_UNLIKELY(!real.dlopen))
		shim_resolve();
	/* never asked about: a library load is evidence, not a decision */
	if (!shim_enter())
		return;
	saved = errno;
	shim_rec_init(&r, SHIM_EV_FILE, SHIM_CALL_DLOPEN, PYC_DLOPEN);
	shim_copy(r.file.path, sizeof(r.file.path), file ? file : "");
	if (file && strchr(file, '/') && absolute(AT_FDCWD, file, abs, sizeof(abs)))
		shim_copy(r.file.abspath, sizeof(r.file.abspath), abs);
	r.file.dfd = AT_FDCWD;
	r.file.flags = (uint32_t)mode;
	r.file.access = SHIM_ACC_READ;
	shim_send(&r);
	shim_leave();
	errno = saved;
}

/*
 * dlopen() looks at its caller (the return address) to pick the link
 * namespace and RUNPATH: the real call must be a tail call so that the
 * caller it sees is the program's, not the shim.  -foptimize-sibling-calls (-O2)
 * makes it a jump; the build checks the generated code.
 */
SHIM_EXPORT void *dlopen(const char *file, int mode)
{
	dlopen_report(file, mode);
	return real.dlopen(file, mode);
}
