/* SPDX-License-Identifier: MIT */
/*
 * Small helpers shared by the guard: cleanup attributes, messages, time,
 * bounded file reads.  Functions returning int return 0 (or a count) on
 * success and -errno on failure unless they say otherwise.
 */
#ifndef SAFEPIP_UTIL_H
#define SAFEPIP_UTIL_H

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static inline void freep(void *p)
{
	free(*(void **)p);
}

static inline void closep(int *fd)
{
	if (*fd >= 0) {
		int saved = errno;

		(void)close(*fd);
		errno = saved;
	}
}

static inline void fclosep(FILE **f)
{
	if (*f)
		(void)fclose(*f);
}

#define _cleanup_free_ __attribute__((cleanup(freep)))
#define _cleanup_close_ __attribute__((cleanup(closep)))
#define _cleanup_fclose_ __attribute__((cleanup(fclosep)))

/* Hand ownership out of a cleanup variable. */
#define TAKE_PTR(p) ({ __typeof__(p) _p = (p); (p) = NULL; _p; })
#define TAKE_FD(fd) ({ int _fd = (fd); (fd) = -1; _fd; })

/* Verbosity of safe-pip's own messages: 0 normal, 1 -v, 2 -vv. */
extern int sp_verbosity;

/*
 * Messages on stderr, one line each, prefixed "safe-pip: ".  pip's own
 * output is never touched.  sp_debug() prints only with -v.
 */
void sp_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void sp_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void sp_vmsg(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

/* CLOCK_MONOTONIC in nanoseconds: the clock of bpf_ktime_get_ns(). */
uint64_t mono_ns(void);

/*
 * Read at most max bytes of a file into a NUL-terminated buffer.  Returns
 * the length, -EFBIG when the file is larger than max, or -errno.
 */
ssize_t read_file_max(int dirfd, const char *path, char **out, size_t max);

/* Write a whole buffer, retrying on EINTR and short writes. */
int write_all(int fd, const void *buf, size_t len);

/* strdup/asprintf that return NULL on failure (errno ENOMEM). */
char *sp_asprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Does s start with prefix / end with suffix? */
bool startswith(const char *s, const char *prefix);
bool endswith(const char *s, const char *suffix);

/* Last path component of p (p itself when it has no '/'). */
const char *path_base(const char *p);

/*
 * Search PATH (the caller's) for an executable named name.  Returns a newly
 * allocated path or NULL (errno ENOENT).  A name containing '/' is returned
 * as is when it is executable.
 */
char *find_in_path(const char *name);

#endif

/*
 * Run argv (argv[0] searched in PATH) with stdin from /dev/null, stderr
 * inherited, and capture at most max bytes of its stdout into *out
 * (NUL-terminated).  Kills the process after timeout_ms.  Returns the
 * wait(2) status (>= 0) or -errno; -ETIMEDOUT on timeout, -EFBIG when the
 * output exceeded max.
 */
int run_capture(char *const argv[], char **out, size_t max, int timeout_ms);

/*
 * A guarded session must outlive a closed stdout or stderr (`safe-pip ... |
 * head`): it still has to stop the tree and commit or roll back.  The
 * supervisor ignores SIGPIPE (sigpipe_ignore, once, before it changes any
 * other disposition); a child calls sigpipe_restore before its exec, so
 * every program safe-pip runs gets the disposition safe-pip found.
 */
void sigpipe_ignore(void);
void sigpipe_restore(void);

/* FNV-1a of a string: for hash tables, not for anything an attacker must not collide. */
static inline uint64_t str_hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
	return h;
}

/* A device number as the kernel keeps it (s_dev, in kernel records): MAJOR << 20 | MINOR. */
static inline uint32_t kernel_dev(dev_t d)
{
	return (uint32_t)(major(d) << 20 | minor(d));
}
