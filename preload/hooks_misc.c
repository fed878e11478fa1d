// SPDX-License-Identifier: MIT
/*
 * Hooks: memfd_create, mprotect(PROT_EXEC), ptrace, changes of LD_PRELOAD
 * (or of the shim's own variables) in the environment, and the shim's own
 * fds.
 *
 * The channel and configuration fds must survive programs that close
 * "every other fd": CPython's subprocess (close_range in the child), daemons
 * (closefrom, close loops).  So close_range/closefrom skip them, and a
 * close() naming one of them is reported and refused (it returns 0, the fd
 * stays open).  Replacing one with dup2/dup3 is reported, then allowed:
 * the channel is lost for that process, which the kernel side then sees as
 * actions without reports.
 */
#include "preload/shim_int.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <unistd.h>

/*
 * glibc declares some arguments nonnull, but programs do pass NULL (and
 * glibc answers EINVAL): the hooks check, the compiler must not drop it.
 */
#pragma GCC diagnostic ignored "-Wnonnull-compare"

/* ------------------------------------------------------------- memory */

SHIM_EXPORT int memfd_create(const char *name, unsigned int flags)
{
	struct shim_rec r;
	int saved;

	if (shim_enter()) {
		saved = errno;
		shim_rec_init(&r, SHIM_EV_MEM, SHIM_CALL_MEMFD_CREATE, PYC_MEM);
		shim_copy(r.mem.name, sizeof(r.mem.name), name);
		r.mem.flags = flags;
		shim_send(&r);
		shim_leave();
		errno = saved;
	}
	NEED(memfd_create, -1);
	return real.memfd_create(name, flags);
}

SHIM_EXPORT int mprotect(void *addr, size_t len, int prot)
{
	struct shim_rec r;
	int saved;

	if ((prot & PROT_EXEC) && shim_enter()) {
		saved = errno;
		shim_rec_init(&r, SHIM_EV_MEM, SHIM_CALL_MPROTECT, PYC_MEM);
		r.mem.addr = (uintptr_t)addr;
		r.mem.len = len;
		r.mem.prot = (uint32_t)prot;
		shim_send(&r);
		shim_leave();
		errno = saved;
	}
	NEED(mprotect, -1);
	return real.mprotect(addr, len, prot);
}

SHIM_EXPORT long ptrace(enum __ptrace_request request, ...)
{
	struct shim_rec r;
	va_list ap;
	pid_t pid;
	void *addr, *data;
	int saved;

	va_start(ap, request);
	pid = va_arg(ap, pid_t);
	addr = va_arg(ap, void *);
	data = va_arg(ap, void *);
	va_end(ap);
	if (shim_enter()) {
		saved = errno;
		shim_rec_init(&r, SHIM_EV_PTRACE, SHIM_CALL_PTRACE, PYC_ANY);
		r.ptrace.request = (int32_t)request;
		r.ptrace.target = pid;
		r.ptrace.addr = (uintptr_t)addr;
		shim_send(&r);
		shim_leave();
		errno = saved;
	}
	NEED(ptrace, -1);
	return real.ptrace((int)request, pid, addr, data);
}

/* -------------------------------------------------------- environment */

static bool watched_name(const char *name, size_t len)
{
	return (len == 10 && strncmp(name, "LD_PRELOAD", 10) == 0) ||
	       (len > 14 && strncmp(name, "SAFE_PIP_SHIM_", 14) == 0);
}

static void env_report(uint32_t call, const char *name, size_t len, const char *value)
{
	struct shim_rec r;
	int saved;

	if (!shim_enter())
		return;
	saved = errno;
	shim_rec_init(&r, SHIM_EV_ENV, call, PYC_ENV);
	if (len >= sizeof(r.env.name))
		len = sizeof(r.env.name) - 1;
	memcpy(r.env.name, name, len);
	if (shim_copy(r.env.value, sizeof(r.env.value), value))
		r.h.flags |= SHIM_F_TRUNC;
	shim_send(&r);
	shim_leave();
	errno = saved;
}

SHIM_EXPORT int setenv(const char *name, const char *value, int overwrite)
{
	if (name && watched_name(name, strlen(name)))
		env_report(SHIM_CALL_SETENV, name, strlen(name), value);
	NEED(setenv, -1);
	return real.setenv(name, value, overwrite);
}

SHIM_EXPORT int unsetenv(const char *name)
{
	if (name && watched_name(name, strlen(name)))
		env_report(SHIM_CALL_UNSETENV, name, strlen(name), NULL);
	NEED(unsetenv, -1);
	return real.unsetenv(name);
}

SHIM_EXPORT int putenv(char *string)
{
	if (string) {
		const char *eq = strchr(string, '=');
		size_t len = eq ? (size_t)(eq - string) : strlen(string);

		/* "NAME" without '=' removes NAME in glibc */
		if (watched_name(string, len))
			env_report(SHIM_CALL_PUTENV, string, len, eq ? eq + 1 : NULL);
	}
	NEED(putenv, -1);
	return real.putenv(string);
}

SHIM_EXPORT int clearenv(void)
{
	env_report(SHIM_CALL_CLEARENV, "*", 1, NULL);
	NEED(clearenv, -1);
	return real.clearenv();
}

/* ------------------------------------------------------ the shim's fds */

static void fd_report(uint32_t call, int fd, int fd2, int which, bool refused)
{
	struct shim_rec r;
	int saved;

	if (!shim_enter())
		return;
	saved = errno;
	shim_rec_init(&r, SHIM_EV_FD, call, PYC_ANY);
	r.fd.fd = fd;
	r.fd.fd2 = fd2;
	r.fd.which = (uint32_t)which;
	r.fd.refused = refused;
	shim_send(&r);
	shim_leave();
	errno = saved;
}

SHIM_EXPORT int close(int fd)
{
	int which = shim_own_fd(fd);

	if (SHIM_UNLIKELY(which)) {
		fd_report(SHIM_CALL_CLOSE, fd, -1, which, true);
		return 0;
	}
	NEED(close, -1);
	return real.close(fd);
}

/* close_range over [first, last] minus the shim's fds. */
static int close_ranges(unsigned int first, unsigned int last, int flags)
{
	unsigned int keep[2], n = 0, lo = first;
	int r = 0;

	if (shim.active && shim.fd >= 0)
		keep[n++] = (unsigned int)shim.fd;
	if (shim.active && shim.cfgfd >= 0)
		keep[n++] = (unsigned int)shim.cfgfd;
	if (n == 2 && keep[0] > keep[1]) {
		unsigned int t = keep[0];

		keep[0] = keep[1];
		keep[1] = t;
	}
	for (unsigned int i = 0; i < n; i++) {
		if (keep[i] < lo || keep[i] > last)
			continue;
		if (keep[i] > lo && real.close_range(lo, keep[i] - 1, flags) < 0)
			r = -1;
		lo = keep[i] + 1;
		if (keep[i] == last)
			return r;
	}
	if (lo <= last && real.close_range(lo, last, flags) < 0)
		r = -1;
	return r;
}

SHIM_EXPORT int close_range(unsigned int first, unsigned int last, int flags)
{
	NEED(close_range, -1);
	if (!shim.active || first > last)
		return real.close_range(first, last, flags);
	return close_ranges(first, last, flags);
}

SHIM_EXPORT void closefrom(int lowfd)
{
	unsigned int lo = lowfd < 0 ? 0 : (unsigned int)lowfd;
	struct rlimit rl;

	if (SHIM_UNLIKELY(!real.closefrom || !real.close_range || !real.close))
		shim_resolve();
	if (!shim.active || !real.close_range || !real.close) {
		if (real.closefrom)
			real.closefrom(lowfd);
		return;
	}
	if (close_ranges(lo, ~0u, 0) == 0)
		return;
	/* a kernel without close_range: one by one, up to the fd limit */
	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur > (1u << 20))
		rl.rlim_cur = 1u << 20;
	for (unsigned int fd = lo; fd < rl.rlim_cur; fd++)
		if (!shim_own_fd((int)fd))
			(void)real.close((int)fd);
}

SHIM_EXPORT int dup2(int oldfd, int newfd)
{
	int which = shim_own_fd(newfd);

	if (SHIM_UNLIKELY(which) && oldfd != newfd)
		fd_report(SHIM_CALL_DUP2, oldfd, newfd, which, false);
	NEED(dup2, -1);
	return real.dup2(oldfd, newfd);
}

SHIM_EXPORT int dup3(int oldfd, int newfd, int flags)
{
	int which = shim_own_fd(newfd);

	if (SHIM_UNLIKELY(which) && oldfd != newfd)
		fd_report(SHIM_CALL_DUP3, oldfd, newfd, which, false);
	NEED(dup3, -1);
	return real.dup3(oldfd, newfd, flags);
}
