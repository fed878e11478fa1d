// SPDX-License-Identifier: MIT
/*
 * The seccomp sensor's life: the probe, starting pip under the filter,
 * receiving notifications and answering them.
 *
 * Handing the listener to the supervisor: the filter notifies sendmsg(),
 * so the child cannot pass the listener with SCM_RIGHTS once it is
 * filtered (nobody would answer), and pidfd_getfd() is refused inside
 * containers.  Instead the child is cloned with CLONE_FILES: it shares our
 * fd table until its execve(), so the listener it creates is ours as soon
 * as it exists; it tells us its number through a pipe.  execve() then
 * gives the child a private copy of the table, in which the listener
 * (close-on-exec, as the kernel creates it) is closed.  While the table is
 * shared neither side closes an fd the other still needs.
 */
#include <fcntl.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>

#include "guard/landlock.h"
#include "guard/seccomp_int.h"
#include "guard/session.h"
#include "guard/shims.h"
#include "guard/txn.h"
#include "guard/util.h"
#include "policy/policy.h"

#define CHILD_STACK (256 * 1024)
#define LISTENER_WAIT_MS 10000

static int seccomp_(unsigned op, unsigned flags, void *arg)
{
	return (int)syscall(SYS_seccomp, op, flags, arg);
}

int sn_probe(const char **why)
{
	struct seccomp_notif_sizes sz;
	unsigned action = SECCOMP_RET_USER_NOTIF;
	struct utsname u;
	unsigned major = 0, minor = 0;

	*why = "seccomp user notification is not supported by this kernel";
	if (seccomp_(SECCOMP_GET_ACTION_AVAIL, 0, &action) < 0 ||
	    seccomp_(SECCOMP_GET_NOTIF_SIZES, 0, &sz) < 0)
		return -errno;
	/* SECCOMP_ADDFD_FLAG_SEND, which file emulation needs, came with 5.14 */
	*why = "the kernel is older than 5.14 (no SECCOMP_ADDFD_FLAG_SEND)";
	if (uname(&u) < 0 || sscanf(u.release, "%u.%u", &major, &minor) != 2 ||
	    major < 5 || (major == 5 && minor < 14))
		return -ENOSYS;
	*why = "no /proc (the supervisor reads its targets' memory there)";
	if (access("/proc/self/status", R_OK) < 0)
		return -errno;
	*why = "";
	return 0;
}

int sn_new(struct sn **out, struct session *s)
{
	struct seccomp_notif_sizes sz;
	_cleanup_free_ char *status = NULL;
	struct sn *sn;
	ssize_t n;

	if (seccomp_(SECCOMP_GET_NOTIF_SIZES, 0, &sz) < 0)
		return -errno;
	sn = calloc(1, sizeof(*sn));
	if (!sn)
		return -ENOMEM;
	sn->s = s;
	sn->fd = -1;
	sn->err_fd = -1;
	sn->self = getpid();
	/* the kernel may know more fields than our headers: use its sizes */
	sn->req_size = sz.seccomp_notif > sizeof(struct seccomp_notif) ? sz.seccomp_notif :
		       sizeof(struct seccomp_notif);
	sn->resp_size = sz.seccomp_notif_resp > sizeof(struct seccomp_notif_resp) ?
			sz.seccomp_notif_resp : sizeof(struct seccomp_notif_resp);
	sn->req = calloc(1, sn->req_size);
	sn->resp = calloc(1, sn->resp_size);
	sn->enforce = sp_policy_mode(s->policy) == SP_MODE_ENFORCE;
	sn->builds_net = sp_policy_net_allows_role(s->policy, SP_PROLE_BUILD);
	n = read_file_max(AT_FDCWD, "/proc/self/status", &status, 64 * 1024);
	{
		struct stat ns;

		sn->mnt_ino = stat("/proc/self/ns/mnt", &ns) == 0 ? ns.st_ino : 0;
	}
	if (!sn->req || !sn->resp || n < 0) {
		sn_free(sn);
		return n < 0 ? (int)n : -ENOMEM;
	}
	/* the same lines seccomp_procs.c compares, in the same order */
	{
		static const char *const keys[] = { "\nUid:", "\nGid:", "\nGroups:", "\nCapPrm:", "\nCapEff:" };

		for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
			const char *p = strstr(status, keys[i]);

			if (p) {
				p++;
				snprintf(sn->creds + strlen(sn->creds), sizeof(sn->creds) - strlen(sn->creds),
					 "%.*s;", (int)strcspn(p, "\n"), p);
			}
		}
	}
	*out = sn;
	return 0;
}

void sn_free(struct sn *sn)
{
	if (!sn)
		return;
	sn_tasks_free(sn);
	if (sn->fd >= 0)
		close(sn->fd);
	if (sn->err_fd >= 0)
		close(sn->err_fd);
	free(sn->req);
	free(sn->resp);
	free(sn);
}

void sn_set_preload(struct sn *sn, const char *path)
{
	sn->preload = path;
}

int sn_fd(const struct sn *sn)
{
	return sn->fd;
}

void sn_doom(struct sn *sn)
{
	sn->doomed = true;
}

unsigned long sn_count(const struct sn *sn)
{
	return sn ? sn->answered : 0;
}

unsigned long sn_refused(const struct sn *sn)
{
	return sn ? sn->refused : 0;
}

int sn_exec_error(const struct sn *sn)
{
	int e = 0;

	if (!sn || sn->err_fd < 0)
		return 0;
	if (read(sn->err_fd, &e, sizeof(e)) != sizeof(e))
		return 0;
	return e;
}

/* ---------------------------------------------------------------- spawn */

struct child_args {
	struct session *s;
	pid_t parent;
	const sigset_t *oldmask;
	struct sock_fprog prog;
	char **argv;
	int go_fd;              /* read: "g" once we track it */
	int lfd_fd;             /* write: the listener's number, or -errno */
	int err_fd;             /* write: exec's errno */
};

static const int child_default_signals[] = { SIGCHLD, SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGTTOU };

/*
 * In the child, fd table shared with the supervisor: close nothing.
 * Never returns.
 */
static int child_main(void *arg)
{
	struct child_args *a = arg;
	int lfd, e;
	char go;

	(void)setpgid(0, 0);
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != a->parent)
		_exit(127);
	for (size_t i = 0; i < ARRAY_SIZE(child_default_signals); i++)
		signal(child_default_signals[i], SIG_DFL);
	sigpipe_restore();
	sigprocmask(SIG_SETMASK, a->oldmask, NULL);
	if (read(a->go_fd, &go, 1) != 1 || go != 'g')
		_exit(127);
	if (setenv(SP_ENV_ACTIVE, "1", 1) < 0)
		goto fail;
	/* the transaction's private TMPDIR (and its mount namespace, when staged) */
	if (txn_child_setup(a->s->txn) < 0)
		goto fail;
	/*
	 * Started from an installation with file capabilities we are not
	 * dumpable yet, and the supervisor could not read our memory at exec.
	 */
	(void)prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
	/* no privilege can be gained from here on: Landlock and seccomp need it */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		goto fail;
	if (a->s->ll && ll_restrict(a->s->ll) < 0)
		goto fail;
	lfd = seccomp_(SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, &a->prog);
	if (lfd < 0)
		goto fail;
	if (write(a->lfd_fd, &lfd, sizeof(lfd)) != sizeof(lfd))
		_exit(127);
	execvp(a->argv[0], a->argv);
	e = errno;
	(void)write(a->err_fd, &e, sizeof(e));
	_exit(127);
fail:
	e = -errno;
	(void)write(a->lfd_fd, &e, sizeof(e));
	_exit(127);
}

static char **pip_argv(const struct session *s)
{
	char **argv = calloc((size_t)s->opt->pip_argc + 4, sizeof(char *));

	if (!argv)
		return NULL;
	argv[0] = s->py.python;
	argv[1] = "-m";
	argv[2] = "pip";
	for (int i = 0; i < s->opt->pip_argc; i++)
		argv[3 + i] = s->opt->pip_argv[i];
	return argv;
}

/* Wait for the listener's number (or the child's death). */
static int receive_listener(struct sn *sn, int fd, pid_t child)
{
	uint64_t deadline = mono_ns() + LISTENER_WAIT_MS * 1000000ull;
	int lfd;

	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int status;

		if (poll(&p, 1, 50) > 0) {
			if (read(fd, &lfd, sizeof(lfd)) != sizeof(lfd))
				return -EIO;
			return lfd;
		}
		if (waitpid(child, &status, WNOHANG) == child)
			return -ECHILD;
		if (mono_ns() > deadline)
			return -ETIMEDOUT;
	}
}

static void close_pair(int p[2])
{
	if (p[0] >= 0)
		close(p[0]);
	if (p[1] >= 0)
		close(p[1]);
}

int sn_spawn(struct sn *sn, const sigset_t *oldmask)
{
	struct session *s = sn->s;
	struct child_args a = { .s = s, .parent = getpid(), .oldmask = oldmask };
	int go[2] = { -1, -1 }, lfd[2] = { -1, -1 }, err[2] = { -1, -1 };
	_cleanup_free_ char *stack = malloc(CHILD_STACK);
	_cleanup_free_ char **argv = pip_argv(s);
	int r;

	if (!stack || !argv)
		return -ENOMEM;
	r = sn_filter_build(&a.prog);
	if (r < 0)
		return r;
	a.argv = argv;
	if (pipe2(go, O_CLOEXEC) < 0 || pipe2(lfd, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0) {
		r = -errno;
		goto out;
	}
	a.go_fd = go[0];
	a.lfd_fd = lfd[1];
	a.err_fd = err[1];
	s->root = clone(child_main, stack + CHILD_STACK, CLONE_FILES | SIGCHLD, &a);
	if (s->root < 0) {
		r = -errno;
		goto out;
	}
	(void)setpgid(s->root, s->root);
	r = s->have_cgroup ? sp_cgroup_add(&s->cg, s->root) : 0;
	if (r == 0) {
		session_hand_terminal(s);
		if (write(go[1], "g", 1) != 1)
			r = -errno;
	}
	if (r == 0) {
		r = receive_listener(sn, lfd[0], s->root);
		if (r >= 0) {
			sn->fd = r;
			r = 0;
		} else if (r != -ECHILD && r != -ETIMEDOUT && r != -EIO) {
			sp_msg("cannot start pip under the seccomp filter: %s", strerror(-r));
		}
	}
	if (r < 0) {
		(void)kill(s->root, SIGKILL);
		(void)waitpid(s->root, NULL, 0);
		s->root_done = true;
		goto out;
	}
	/* the child only execs from here on: these it no longer needs */
	close_pair(go);
	close_pair(lfd);
	sn->err_fd = err[0];
	/* err[1] stays open until the end: the child may still report */
	err[0] = -1;
	r = 0;
out:
	close_pair(go);
	close_pair(lfd);
	if (err[0] >= 0)
		close_pair(err);
	free(a.prog.filter);
	return r;
}

/* -------------------------------------------------------------- answers */

static void respond(struct sn *sn, uint64_t id, struct sn_verdict *v)
{
	struct seccomp_notif_resp *resp = sn->resp;

	sn->answered++;
	if (v->answer == SN_FD) {
		struct seccomp_notif_addfd af = {
			.id = id, .flags = SECCOMP_ADDFD_FLAG_SEND, .srcfd = (uint32_t)v->fd,
			.newfd_flags = v->fd_flags,
		};
		int r = ioctl(sn->fd, SECCOMP_IOCTL_NOTIF_ADDFD, &af);
		int e = errno;

		close(v->fd);
		v->fd = -1;
		if (r >= 0 || e == ENOENT)
			return;         /* sent, or the target is gone */
		v->answer = SN_ERROR;
		v->err = e == EMFILE || e == EBADF ? EMFILE : e;
	}
	memset(resp, 0, sn->resp_size);
	resp->id = id;
	if (v->answer == SN_CONTINUE) {
		resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
	} else if (v->answer == SN_RETURN) {
		resp->val = v->val;
	} else {
		resp->error = -(v->err ? v->err : EPERM);
		sn->refused++;
	}
	if (ioctl(sn->fd, SECCOMP_IOCTL_NOTIF_SEND, resp) < 0 && errno != ENOENT)
		sp_debug("seccomp: cannot answer notification: %s", strerror(errno));
}

/* The tree grew past what we can follow: fail closed. */
static void too_many(struct sn *sn)
{
	struct session *s = sn->s;
	struct finding f = { .rule = "untracked-process", .deny = true, .dist = -1, .ts_ns = mono_ns() };
	int idx;

	if (s->blocked)
		return;
	snprintf(f.what, sizeof(f.what), "more than %d processes and threads at once: the session was stopped",
		 SN_TASKS_MAX);
	idx = session_add_finding(s, &f);
	s->blocked = true;
	s->block_finding = idx;
	sn->doomed = true;
}

static void handle_one(struct sn *sn, const struct seccomp_notif *req)
{
	struct sn_call c = { .req = req, .ts_ns = mono_ns() };
	struct sn_verdict v = { .answer = SN_ERROR, .err = EPERM, .fd = -1 };

	c.t = sn_task_get(sn, (pid_t)req->pid);
	if (!c.t) {
		if (errno == ENOSPC)
			too_many(sn);
		/* gone already, or unknowable: refuse (fail closed) */
		if (sn->doomed)
			(void)kill((pid_t)req->pid, SIGKILL);
	} else {
		c.p = c.t->proc;
		if (!sn->doomed)
			sn_decide(sn, &c, &v);
		/*
		 * Stopped, here or by a deny of the policy's (guard/gpolicy_session.c):
		 * the caller dies before the answer, so it never runs another
		 * instruction, and the call fails.
		 */
		if (sn->s->blocked || sn->doomed) {
			sn->doomed = true;
			(void)kill(c.p->tgid, SIGKILL);
			if (v.answer == SN_FD)
				close(v.fd);
			v.answer = SN_ERROR;
			v.err = EPERM;
		}
	}
	respond(sn, req->id, &v);
}

int sn_handle(struct sn *sn)
{
	struct session *s = sn->s;

	for (int i = 0; i < SN_BATCH && !s->blocked; i++) {
		struct pollfd p = { .fd = sn->fd, .events = POLLIN };

		if (poll(&p, 1, 0) <= 0)
			return 0;
		if (!(p.revents & POLLIN)) {
			/* no process uses the filter any more */
			if (p.revents & (POLLHUP | POLLERR))
				(void)epoll_ctl(s->epfd, EPOLL_CTL_DEL, sn->fd, NULL);
			return 0;
		}
		memset(sn->req, 0, sn->req_size);
		if (ioctl(sn->fd, SECCOMP_IOCTL_NOTIF_RECV, sn->req) < 0) {
			/* ENOENT: the target died (or was interrupted) before we got it */
			if (errno == EINTR || errno == ENOENT)
				continue;
			return -errno;
		}
		handle_one(sn, sn->req);
	}
	return 0;
}
