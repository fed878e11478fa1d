// SPDX-License-Identifier: MIT
#include "guard/spawn.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "guard/util.h"

/* Signals the init ignores: from a terminal they are for pip's group, not for it. */
static const int init_ignored[] = { SIGINT, SIGQUIT, SIGTERM, SIGHUP, SIGTSTP, SIGTTIN, SIGTTOU,
				    SIGUSR1, SIGUSR2, SIGPIPE };

/* Dispositions as safe-pip found them: pip gets them back (nohup's SIG_IGN ...). */
static struct sigaction saved[ARRAY_SIZE(init_ignored)];

static void reset_signals(const sigset_t *oldmask)
{
	for (size_t i = 0; i < ARRAY_SIZE(init_ignored); i++)
		(void)sigaction(init_ignored[i], &saved[i], NULL);
	sigpipe_restore();
	sigprocmask(SIG_SETMASK, oldmask, NULL);
}

/* Runs in the child that becomes pip; never returns. */
static void exec_pip(char *const argv[], int err_fd, const sigset_t *oldmask)
{
	int e;

	reset_signals(oldmask);
	execvp(argv[0], argv);
	e = errno;
	(void)write_all(err_fd, &e, sizeof(e));
	_exit(127);
}

/*
 * The init runs no exec, so the supervisor's close-on-exec fds (the
 * kernel sensor's maps and links, the log, the event loop) would stay open
 * in it: close them, except the pipes it needs.  Inherited fds without
 * close-on-exec belong to whoever started safe-pip and go on to pip.
 */
static void close_supervisor_fds(const int keep[3])
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	int dfd = d ? dirfd(d) : -1;

	if (!d)
		return;
	while ((de = readdir(d))) {
		int fd = atoi(de->d_name), fl;

		if (fd < 3 || fd == dfd || fd == keep[0] || fd == keep[1] || fd == keep[2])
			continue;
		fl = fcntl(fd, F_GETFD);
		if (fl >= 0 && (fl & FD_CLOEXEC))
			(void)close(fd);
	}
	closedir(d);
}

/*
 * The namespace's init: wait for "go", fork pip, reap everything, pass
 * pip's status back, and leave when the namespace is empty.  Never returns.
 */
static void run_init(int go_fd, int err_fd, int status_fd, char *const argv[],
		     const sigset_t *oldmask)
{
	int status, pip_status = 0, keep[3] = { go_fd, err_fd, status_fd };
	pid_t pip, pid;
	char go;

	close_supervisor_fds(keep);
	for (size_t i = 0; i < ARRAY_SIZE(init_ignored); i++)
		signal(init_ignored[i], SIG_IGN);
	sigprocmask(SIG_SETMASK, oldmask, NULL);
	(void)prctl(PR_SET_DUMPABLE, 0);
	if (read(go_fd, &go, 1) != 1 || go != 'g')
		_exit(127);
	close(go_fd);
	pip = fork();
	if (pip < 0) {
		int e = errno;

		(void)write_all(err_fd, &e, sizeof(e));
		_exit(127);
	}
	if (pip == 0) {
		close(status_fd);
		exec_pip(argv, err_fd, oldmask);
	}
	close(err_fd);
	for (;;) {
		pid = waitpid(-1, &status, __WALL);
		if (pid < 0) {
			if (errno == EINTR)
				continue;
			break;          /* ECHILD: the namespace is empty */
		}
		if (pid == pip) {
			pip_status = status;
			(void)write_all(status_fd, &status, sizeof(status));
		}
	}
	_exit(WIFEXITED(pip_status) ? WEXITSTATUS(pip_status) : 127);
}

/* The child, in either mode; never returns. */
static void child(struct spawn *sp, int go, int err, int status, pid_t parent,
		  char *const argv[], const sigset_t *oldmask)
{
	char c;

	(void)setpgid(0, 0);
	/* Dies with us; in a new namespace getppid() is 0, so the go pipe tells. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || (!sp->pidns && getppid() != parent))
		_exit(127);
	if (sp->setup) {
		int e = -sp->setup(sp->setup_ctx);

		if (e > 0) {
			/* reported as the exec's failure, once released */
			if (read(go, &c, 1) == 1)
				(void)write_all(err, &e, sizeof(e));
			_exit(127);
		}
	}
	if (sp->pidns)
		run_init(go, err, status, argv, oldmask);
	if (read(go, &c, 1) != 1 || c != 'g')
		_exit(127);
	close(go);
	exec_pip(argv, err, oldmask);
}

/*
 * fork() semantics (no CLONE_VM, no new stack) in a new PID namespace.
 * Born in the cgroup of cgroup_fd where the kernel can (Linux 5.7, cgroup
 * v2): moving a process into a cgroup afterwards waits for an RCU grace
 * period, 10 to 20 ms here, on the way to pip's start.
 */
static pid_t clone_pidns(int cgroup_fd, bool *in_cgroup)
{
	struct clone_args ca = { .flags = CLONE_NEWPID | CLONE_INTO_CGROUP,
				 .exit_signal = SIGCHLD, .cgroup = (uint64_t)cgroup_fd };
	pid_t pid;

	*in_cgroup = false;
	if (cgroup_fd >= 0) {
		pid = (pid_t)syscall(SYS_clone3, &ca, sizeof(ca));
		if (pid >= 0) {
			*in_cgroup = true;
			return pid;
		}
	}
	return (pid_t)syscall(SYS_clone, CLONE_NEWPID | SIGCHLD, NULL, NULL, NULL, NULL);
}

static void close_pair(int p[2])
{
	if (p[0] >= 0)
		close(p[0]);
	if (p[1] >= 0)
		close(p[1]);
	p[0] = p[1] = -1;
}

int spawn_start(struct spawn *sp, char *const argv[], const sigset_t *oldmask, bool want_pidns)
{
	int go[2] = { -1, -1 }, err[2] = { -1, -1 }, st[2] = { -1, -1 }, r;
	pid_t parent = getpid(), pid = -1;

	sp->pid = -1;
	sp->pidns = false;
	sp->in_cgroup = false;
	sp->status_fd = sp->go_fd = sp->err_fd = -1;
	for (size_t i = 0; i < ARRAY_SIZE(init_ignored); i++)
		(void)sigaction(init_ignored[i], NULL, &saved[i]);
	if (pipe2(go, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0 ||
	    (want_pidns && pipe2(st, O_CLOEXEC) < 0)) {
		r = -errno;
		goto fail;
	}
	if (want_pidns) {
		pid = clone_pidns(sp->cgroup_fd, &sp->in_cgroup);
		if (pid >= 0)
			sp->pidns = true;
		else if (errno != EPERM && errno != EINVAL && errno != ENOSPC && errno != EUSERS)
			sp_debug("cannot make a PID namespace: %s", strerror(errno));
	}
	if (pid < 0)
		pid = fork();
	if (pid < 0) {
		r = -errno;
		goto fail;
	}
	if (pid == 0)
		child(sp, go[0], err[1], sp->pidns ? st[1] : -1, parent, argv, oldmask);
	close(go[0]);
	close(err[1]);
	if (st[1] >= 0)
		close(st[1]);
	if (!sp->pidns && st[0] >= 0) {
		close(st[0]);
		st[0] = -1;
	}
	sp->pid = pid;
	sp->go_fd = go[1];
	sp->err_fd = err[0];
	sp->status_fd = st[0];
	return 0;
fail:
	close_pair(go);
	close_pair(err);
	close_pair(st);
	return r;
}

int spawn_release(struct spawn *sp)
{
	ssize_t n;
	int e = 0, r = 0;

	if (write(sp->go_fd, "g", 1) != 1)
		r = -errno;
	close(sp->go_fd);
	sp->go_fd = -1;
	if (r < 0)
		return r;
	/* EOF: exec succeeded (the pipe is close-on-exec); else its errno. */
	do
		n = read(sp->err_fd, &e, sizeof(e));
	while (n < 0 && errno == EINTR);
	close(sp->err_fd);
	sp->err_fd = -1;
	return n == sizeof(e) ? -e : 0;
}

int spawn_read_status(struct spawn *sp, int *status)
{
	ssize_t n;

	if (sp->status_fd < 0)
		return -EPIPE;
	do
		n = read(sp->status_fd, status, sizeof(*status));
	while (n < 0 && errno == EINTR);
	if (n == sizeof(*status))
		return 1;
	if (n < 0 && errno == EAGAIN)
		return 0;
	close(sp->status_fd);
	sp->status_fd = -1;
	return -EPIPE;
}

void spawn_close(struct spawn *sp)
{
	if (sp->go_fd >= 0)
		close(sp->go_fd);
	if (sp->err_fd >= 0)
		close(sp->err_fd);
	if (sp->status_fd >= 0)
		close(sp->status_fd);
	sp->go_fd = sp->err_fd = sp->status_fd = -1;
}
