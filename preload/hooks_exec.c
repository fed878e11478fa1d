// SPDX-License-Identifier: MIT
/*
 * Hooks: the exec family, posix_spawn, system and popen.
 *
 * Each is reported before the call with its full argv head and whether the
 * new program's environment still carries the shim.  A program the
 * configuration names is asked about first: on a deny the call fails
 * (EACCES, or the supervisor's errno) and nothing runs.
 *
 * glibc's execvp, execl* and system reach execve internally, past the PLT,
 * so every entry point is hooked on its own and each reports once.  The
 * shim's work ends (shim_leave) before the real call: a vfork child shares
 * our memory and never returns from a successful exec.
 */
#include "preload/shim_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

extern char **environ;

/* Report (or ask about) one exec; 0 to go on, else the errno to fail with. */
static int exec_report(uint32_t call, const char *path, char *const argv[], char *const envp[],
		       int fd)
{
	struct shim_rec r;
	bool trunc = false, ask;
	int saved, err;

	if (!shim_enter())
		return 0;
	saved = errno;
	/*
	 * A path that cannot be executed fails in the kernel without running
	 * anything: not worth a record.  CPython's subprocess tries every PATH
	 * entry itself, which would otherwise give one record per entry.
	 */
	if (path && strchr(path, '/') && fd < 0 &&
	    faccessat(AT_FDCWD, path, X_OK, AT_EACCESS) < 0) {
		shim_leave();
		errno = saved;
		return 0;
	}
	shim_rec_init(&r, SHIM_EV_EXEC, call, PYC_EXEC);
	trunc |= shim_copy(r.exec.path, sizeof(r.exec.path), path);
	r.exec.argv_len = shim_pack_argv(r.exec.argv, sizeof(r.exec.argv), argv, &r.exec.argc,
					 &trunc);
	r.exec.preload = shim_env_preload(envp, shim.self, shim.self_len);
	r.exec.fd = fd;
	if (trunc)
		r.h.flags |= SHIM_F_TRUNC;
	shim_stack_fill(&r);
	ask = shim_cfg_wants_exec(shim.cfg, path) ||
	      (argv && argv[0] && shim_cfg_wants_exec(shim.cfg, argv[0]));
	err = shim_report(&r, ask);
	shim_leave();
	errno = saved;
	return err;
}

SHIM_EXPORT int execve(const char *path, char *const argv[], char *const envp[])
{
	int err = exec_report(SHIM_CALL_EXECVE, path, argv, envp, -1);

	if (err) {
		errno = err;
		return -1;
	}
	NEED(execve, -1);
	return real.execve(path, argv, envp);
}

SHIM_EXPORT int execv(const char *path, char *const argv[])
{
	int err = exec_report(SHIM_CALL_EXECV, path, argv, environ, -1);

	if (err) {
		errno = err;
		return -1;
	}
	NEED(execv, -1);
	return real.execv(path, argv);
}

SHIM_EXPORT int execvp(const char *file, char *const argv[])
{
	int err = exec_report(SHIM_CALL_EXECVP, file, argv, environ, -1);

	if (err) {
		errno = err;
		return -1;
	}
	NEED(execvp, -1);
	return real.execvp(file, argv);
}

SHIM_EXPORT int execvpe(const char *file, char *const argv[], char *const envp[])
{
	int err = exec_report(SHIM_CALL_EXECVPE, file, argv, envp, -1);

	if (err) {
		errno = err;
		return -1;
	}
	NEED(execvpe, -1);
	return real.execvpe(file, argv, envp);
}

SHIM_EXPORT int fexecve(int fd, char *const argv[], char *const envp[])
{
	int err = exec_report(SHIM_CALL_FEXECVE, "", argv, envp, fd);

	if (err) {
		errno = err;
		return -1;
	}
	NEED(fexecve, -1);
	return real.fexecve(fd, argv, envp);
}

SHIM_EXPORT int execveat(int dirfd, const char *path, char *const argv[], char *const envp[],
			 int flags)
{
	int err = exec_report(SHIM_CALL_EXECVEAT, path, argv, envp, dirfd);

	if (err) {
		errno = err;
		return -1;
	}
	NEED(execveat, -1);
	return real.execveat(dirfd, path, argv, envp, flags);
}

/* ------------------------------------------------------- execl family */

/*
 * The variadic forms: gather the arguments into an argv.  Up to STACK_ARGS
 * on the stack, more in an anonymous mapping (mmap is async-signal-safe,
 * malloc is not).
 */
#define STACK_ARGS 256

struct arglist {
	char **argv;
	size_t n;               /* arguments, without the NULL */
	size_t map_len;         /* bytes mapped, 0 when on the stack */
	char *stack[STACK_ARGS + 1];
};

static bool args_gather(struct arglist *a, const char *arg0, va_list ap, char ***envp)
{
	va_list count;
	size_t n = 1;

	va_copy(count, ap);
	if (arg0)
		while (va_arg(count, char *))
			n++;
	else
		n = 0;
	va_end(count);
	a->n = n;
	a->map_len = 0;
	a->argv = a->stack;
	if (n > STACK_ARGS) {
		a->map_len = (n + 1) * sizeof(char *);
		a->argv = mmap(NULL, a->map_len, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (a->argv == MAP_FAILED)
			return false;
	}
	if (n > 0) {
		a->argv[0] = (char *)arg0;
		for (size_t i = 1; i < n; i++)
			a->argv[i] = va_arg(ap, char *);
		(void)va_arg(ap, char *);       /* the terminating NULL */
	}
	a->argv[n] = NULL;
	if (envp)
		*envp = va_arg(ap, char **);
	return true;
}

static void args_free(struct arglist *a)
{
	if (a->map_len) {
		int saved = errno;

		(void)munmap(a->argv, a->map_len);
		errno = saved;
	}
}

/*
 * The list forms, once args_gather() has run (gathered: it succeeded):
 * report, then execve (execvp for execlp, which searches PATH).  a is
 * freed on every path; a failed exec keeps its errno.
 */
static int execl_run(bool gathered, uint32_t call, const char *file, struct arglist *a,
		     char **envp)
{
	bool search = call == SHIM_CALL_EXECLP;
	int err, r = -1;

	if (!gathered) {
		errno = E2BIG;
		return -1;
	}
	err = exec_report(call, file, a->argv, envp, -1);
	if (!err && SHIM_UNLIKELY(search ? !real.execvp : !real.execve))
		shim_resolve();
	if (!err && (search ? !real.execvp : !real.execve))
		err = ENOSYS;
	if (!err)
		r = search ? real.execvp(file, a->argv) : real.execve(file, a->argv, envp);
	args_free(a);
	if (err)
		errno = err;
	return r;
}

SHIM_EXPORT int execl(const char *path, const char *arg, ...)
{
	struct arglist a;
	va_list ap;
	bool ok;

	va_start(ap, arg);
	ok = args_gather(&a, arg, ap, NULL);
	va_end(ap);
	return execl_run(ok, SHIM_CALL_EXECL, path, &a, environ);
}

SHIM_EXPORT int execlp(const char *file, const char *arg, ...)
{
	struct arglist a;
	va_list ap;
	bool ok;

	va_start(ap, arg);
	ok = args_gather(&a, arg, ap, NULL);
	va_end(ap);
	return execl_run(ok, SHIM_CALL_EXECLP, file, &a, environ);
}

SHIM_EXPORT int execle(const char *path, const char *arg, ...)
{
	struct arglist a;
	char **envp = NULL;
	va_list ap;
	bool ok;

	va_start(ap, arg);
	ok = args_gather(&a, arg, ap, &envp);
	va_end(ap);
	return execl_run(ok, SHIM_CALL_EXECLE, path, &a, envp);
}

/* --------------------------------------------------- spawn and shells */

SHIM_EXPORT int posix_spawn(pid_t *pid, const char *path, const posix_spawn_file_actions_t *fa,
			    const posix_spawnattr_t *attr, char *const argv[], char *const envp[])
{
	int err = exec_report(SHIM_CALL_POSIX_SPAWN, path, argv, envp, -1);

	if (err)
		return err;     /* posix_spawn returns the error number */
	if (SHIM_UNLIKELY(!real.posix_spawn)) {
		shim_resolve();
		if (!real.posix_spawn)
			return ENOSYS;
	}
	return real.posix_spawn(pid, path, fa, attr, argv, envp);
}

SHIM_EXPORT int posix_spawnp(pid_t *pid, const char *file, const posix_spawn_file_actions_t *fa,
			     const posix_spawnattr_t *attr, char *const argv[], char *const envp[])
{
	int err = exec_report(SHIM_CALL_POSIX_SPAWNP, file, argv, envp, -1);

	if (err)
		return err;
	if (SHIM_UNLIKELY(!real.posix_spawnp)) {
		shim_resolve();
		if (!real.posix_spawnp)
			return ENOSYS;
	}
	return real.posix_spawnp(pid, file, fa, attr, argv, envp);
}

SHIM_EXPORT int system(const char *command)
{
	char *argv[] = { "sh", "-c", (char *)command, NULL };
	int err;

	/* system(NULL) only asks whether a shell exists */
	if (command) {
		err = exec_report(SHIM_CALL_SYSTEM, "/bin/sh", argv, environ, -1);
		if (err) {
			errno = err;
			return -1;
		}
	}
	NEED(system, -1);
	return real.system(command);
}

SHIM_EXPORT FILE *popen(const char *command, const char *type)
{
	char *argv[] = { "sh", "-c", (char *)command, NULL };
	int err = exec_report(SHIM_CALL_POPEN, "/bin/sh", argv, environ, -1);

	if (err) {
		errno = err;
		return NULL;
	}
	NEED(popen, NULL);
	return real.popen(command, type);
}
