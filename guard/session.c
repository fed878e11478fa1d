// SPDX-License-Identifier: MIT
#include "guard/session.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>

#include "guard/exitcode.h"
#include "guard/gpolicy.h"
#include "guard/ksensor.h"
#include "guard/landlock.h"
#include "guard/privdrop.h"
#include "guard/seccomp.h"
#include "guard/shims.h"
#include "guard/tree.h"
#include "guard/util.h"
#include "policy/policy.h"

#define KILL_TIMEOUT_MS 5000

static const int handled_signals[] = { SIGCHLD, SIGINT, SIGTERM, SIGHUP, SIGQUIT };

/* ---------------------------------------------------------------- setup */

static int setup_signals(struct session *s, sigset_t *old)
{
	sigset_t set;

	sigemptyset(&set);
	for (size_t i = 0; i < ARRAY_SIZE(handled_signals); i++)
		sigaddset(&set, handled_signals[i]);
	if (sigprocmask(SIG_BLOCK, &set, old) < 0)
		return -errno;
	s->sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	return s->sigfd < 0 ? -errno : 0;
}

static int open_kernel_sensor(struct session *s)
{
	struct ks_config cfg = { 0 };
	const char *why = "";
	int r;

	gpolicy_kernel_config(s->policy, &cfg);
	if (privdrop_active()) {
		/* loaded before the capabilities were dropped (guard/privdrop.h) */
		r = privdrop_take_kernel(s, &cfg, s->sens.kernel_why, sizeof(s->sens.kernel_why));
		if (r < 0)
			return r;
	} else {
		r = ks_open(&s->ks, &cfg, monitor_kernel_record, s, &why);
	}
	if (r < 0) {
		/* said in the first line, with what runs instead (guard/sensors.c) */
		snprintf(s->sens.kernel_why, sizeof(s->sens.kernel_why), "cannot %s eBPF programs: %s%s",
			 why, strerror(-r), r == -EPERM ? " (needs root or CAP_BPF+CAP_PERFMON)" : "");
		s->ks = NULL;
		return r;
	}
	r = ks_add_interp(s->ks, s->py.dev, s->py.ino);
	if (r < 0) {
		/* e.g. a kernel before 6.5 refuses map updates once the capabilities are dropped */
		snprintf(s->sens.kernel_why, sizeof(s->sens.kernel_why),
			 "cannot register the interpreter with the kernel sensor: %s", strerror(-r));
		ks_close(s->ks);
		s->ks = NULL;
		return r;
	}
	return 0;
}

static void open_cgroup(struct session *s)
{
	int r = sp_cgroup_create(&s->cg);

	if (r < 0) {
		sp_debug("no session cgroup (%s): killing through the %s only", strerror(-r),
			 s->ks ? "tracked set" : "process scan");
		return;
	}
	r = s->ks ? ks_attach_cgroup(s->ks, s->cg.fd) : 0;
	if (r < 0) {
		sp_debug("cannot attach network hooks to %s: %s", s->cg.path, strerror(-r));
		(void)sp_cgroup_destroy(&s->cg, 0);
		return;
	}
	s->have_cgroup = true;
	sp_debug("session cgroup %s", s->cg.path);
}

/* ---------------------------------------------------------------- spawn */

/*
 * The child: its own process group, dies with us, waits for "go" (sent once
 * it is tracked) and becomes pip.  Never returns.
 */
static void child_exec(struct session *s, int go_fd, int err_fd, pid_t parent,
		       const sigset_t *oldmask)
{
	char **argv = calloc((size_t)s->opt->pip_argc + 4, sizeof(char *));
	char go;
	int e;

	(void)setpgid(0, 0);
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
		_exit(127);
	for (size_t i = 0; i < ARRAY_SIZE(handled_signals); i++)
		signal(handled_signals[i], SIG_DFL);
	signal(SIGTTOU, SIG_DFL);
	sigprocmask(SIG_SETMASK, oldmask, NULL);
	if (read(go_fd, &go, 1) != 1 || go != 'g')
		_exit(127);
	if (!argv) {
		e = ENOMEM;
		goto fail;
	}
	/* a guarded venv's pip runs the real pip for us (guard/shims.h) */
	if (setenv(SP_ENV_ACTIVE, "1", 1) < 0 ||
	    (s->ll && (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || ll_restrict(s->ll) < 0))) {
		e = errno;
		goto fail;
	}
	argv[0] = s->py.python;
	argv[1] = "-m";
	argv[2] = "pip";
	for (int i = 0; i < s->opt->pip_argc; i++)
		argv[3 + i] = s->opt->pip_argv[i];
	execvp(argv[0], argv);
	e = errno;
fail:
	(void)write_all(err_fd, &e, sizeof(e));
	_exit(127);
}

void session_hand_terminal(struct session *s)
{
	s->tty = -1;
	if (!isatty(STDIN_FILENO))
		return;
	s->tty_pgrp = tcgetpgrp(STDIN_FILENO);
	if (s->tty_pgrp != getpgrp())
		return;         /* we run in the background: leave it */
	if (tcsetpgrp(STDIN_FILENO, s->root) == 0)
		s->tty = STDIN_FILENO;
}

static void take_terminal(struct session *s)
{
	void (*old)(int);

	if (s->tty < 0)
		return;
	old = signal(SIGTTOU, SIG_IGN);
	(void)tcsetpgrp(s->tty, s->tty_pgrp);
	signal(SIGTTOU, old);
	s->tty = -1;
}

static int spawn_pip(struct session *s, const sigset_t *oldmask)
{
	int go[2], err[2], e = 0, r;
	pid_t parent = getpid();
	ssize_t n;

	if (s->sn)
		return sn_spawn(s->sn, oldmask);
	if (pipe2(go, O_CLOEXEC) < 0)
		return -errno;
	if (pipe2(err, O_CLOEXEC) < 0) {
		r = -errno;
		close(go[0]);
		close(go[1]);
		return r;
	}
	s->root = fork();
	if (s->root < 0) {
		r = -errno;
		close(go[0]);
		close(go[1]);
		close(err[0]);
		close(err[1]);
		return r;
	}
	if (s->root == 0) {
		close(go[1]);
		close(err[0]);
		child_exec(s, go[0], err[1], parent, oldmask);
	}
	close(go[0]);
	close(err[1]);
	(void)setpgid(s->root, s->root);

	/* Tracked (and in the cgroup) before it runs a single instruction of pip. */
	r = ks_track(s->ks, s->root, SP_ROLE_PIP, SP_PF_ROOT);
	if (r == 0 && s->have_cgroup)
		r = sp_cgroup_add(&s->cg, s->root);
	if (r < 0) {
		(void)kill(s->root, SIGKILL);
		close(go[1]);
		close(err[0]);
		return r;
	}
	session_hand_terminal(s);
	if (write(go[1], "g", 1) != 1) {
		r = -errno;
		(void)kill(s->root, SIGKILL);
	}
	close(go[1]);
	/* EOF: exec succeeded (the pipe is close-on-exec); else its errno. */
	do
		n = read(err[0], &e, sizeof(e));
	while (n < 0 && errno == EINTR);
	close(err[0]);
	if (n == sizeof(e)) {
		sp_msg("cannot run %s: %s", s->py.python, strerror(e));
		return -e;
	}
	return r;
}

/* ----------------------------------------------------------------- kill */

void session_reap(struct session *s)
{
	int status;
	pid_t pid;

	/* We are the subreaper of the tree: orphans come to us. */
	while ((pid = waitpid(-1, &status, WNOHANG | __WALL)) > 0) {
		if (pid == s->root) {
			s->root_done = true;
			s->root_status = status;
		}
	}
}

static void mark_killed(void *ctx, pid_t tgid)
{
	struct session *s = ctx;
	struct proc *p = proctab_get(&s->procs, tgid);

	if (p)
		p->killed = true;
}

/* Processes that died after the session was doomed: what the kill took. */
static void count_dead(struct proc *p, void *ctx)
{
	struct session *s = ctx;

	if (p->exited && p->exit_ns >= ks_doomed_ns(s->ks))
		s->nkilled++;
}

/*
 * Kill the whole tree: doom it in the kernel (any tracked task entering a
 * syscall dies there), kill the cgroup, SIGKILL every tracked process, and
 * repeat until the kernel has seen the last one exit.
 */
static void kill_tree(struct session *s)
{
	uint64_t deadline = mono_ns() + KILL_TIMEOUT_MS * 1000000ull;

	if (!s->ks) {
		(void)tree_kill(s);     /* the fallback: cgroup.kill, /proc walks */
		return;
	}
	ks_doom(s->ks);
	if (s->have_cgroup)
		(void)sp_cgroup_kill(&s->cg);
	for (;;) {
		(void)ks_kill_tracked(s->ks, mark_killed, s);
		session_reap(s);
		(void)ks_consume(s->ks);
		if (ks_ntracked(s->ks) <= 0)
			break;
		if (mono_ns() > deadline) {
			sp_msg("warning: %ld processes of the tree did not die within %d ms",
			       ks_ntracked(s->ks), KILL_TIMEOUT_MS);
			break;
		}
		(void)nanosleep(&(struct timespec){ .tv_nsec = 200 * 1000 }, NULL);
	}
	s->dead_ns = mono_ns();
	session_reap(s);
	s->nkilled = 0;
	proctab_each(&s->procs, count_dead, s);
}

/* ----------------------------------------------------------------- loop */

static void on_signal(struct session *s, int signo)
{
	if (signo == SIGCHLD) {
		session_reap(s);
		return;
	}
	/*
	 * From the terminal, pip's group got the signal too and pip stops on
	 * its own; a signal sent to us alone is passed on.  SIGTERM and SIGHUP
	 * mean "stop now".
	 */
	if (!s->interrupted)
		sp_msg("interrupted by %s: stopping pip", strsignal(signo));
	s->interrupted = signo;
	if (!s->root_done)
		(void)kill(s->root, signo == SIGQUIT ? SIGQUIT : SIGINT);
}

static int drain_signals(struct session *s)
{
	struct signalfd_siginfo si;

	for (;;) {
		ssize_t n = read(s->sigfd, &si, sizeof(si));

		if (n < 0)
			return errno == EAGAIN ? 0 : -errno;
		if (n != sizeof(si))
			return -EIO;
		on_signal(s, (int)si.ssi_signo);
	}
}

/*
 * The kernel doomed the session on its own: a fork it could not track
 * (the tracked map was full).  Fail closed.
 */
static void block_on_kernel_doom(struct session *s)
{
	struct finding f = { .rule = "untracked-process", .deny = true, .dist = -1,
			     .ts_ns = ks_doomed_ns(s->ks) };
	int idx;

	snprintf(f.what, sizeof(f.what),
		 "%llu processes could not be tracked (more than %d at once): the session was stopped",
		 (unsigned long long)ks_overflow(s->ks), SP_TRACKED_MAX);
	idx = session_add_finding(s, &f);
	s->blocked = true;
	s->block_finding = idx;
}

static int event_loop(struct session *s)
{
	struct epoll_event ev[4];
	int r;

	while (!s->root_done && !s->blocked) {
		if (s->interrupted == SIGTERM || s->interrupted == SIGHUP)
			return 0;
		int n = epoll_wait(s->epfd, ev, ARRAY_SIZE(ev), 1000);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		for (int i = 0; i < n; i++) {
			if (ev[i].data.fd == s->sigfd) {
				r = drain_signals(s);
				if (r < 0)
					return r;
			} else if (s->sn && ev[i].data.fd == sn_fd(s->sn)) {
				r = sn_handle(s->sn);
				if (r < 0)
					return r;
			} else {
				r = ks_consume(s->ks);
				if (r < 0 && r != -EINTR)
					return r;
			}
		}
		/* A missed SIGCHLD must not hang us. */
		if (n == 0)
			session_reap(s);
		if (!s->blocked && s->ks && ks_is_doomed(s->ks))
			block_on_kernel_doom(s);
	}
	return 0;
}

static int add_epoll(int epfd, int fd)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = fd };

	return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) < 0 ? -errno : 0;
}

static void mark_outlived(void *ctx, pid_t tgid)
{
	struct session *s = ctx;
	struct proc *p = proctab_get(&s->procs, tgid);
	struct finding f = { 0 };

	if (tgid == s->root)
		return;
	s->noutlived++;
	f.rule = "outlived-pip";
	f.points = 0;
	f.dist = p ? p->dist : -1;
	f.pid = tgid;
	f.ts_ns = mono_ns();
	snprintf(f.what, sizeof(f.what), "process %d (%s) was still running after pip exited; killed",
		 (int)tgid, p ? (p->cmdline[0] ? p->cmdline : p->comm) : "?");
	if (p)
		p->outlived = true;
	(void)session_add_finding(s, &f);
}

/* pip is done: whatever of the tree still runs outlived it. */
static void finish_tree(struct session *s)
{
	if (!s->ks) {
		tree_finish(s);
		return;
	}
	(void)ks_consume(s->ks);
	if (ks_ntracked(s->ks) <= 0)
		return;
	ks_doom(s->ks);
	/* A process outliving pip is itself a finding; list them once. */
	(void)ks_kill_tracked(s->ks, mark_outlived, s);
	kill_tree(s);
}

static int exit_status_of_pip(const struct session *s)
{
	if (WIFEXITED(s->root_status))
		return WEXITSTATUS(s->root_status);
	if (WIFSIGNALED(s->root_status))
		return 128 + WTERMSIG(s->root_status);
	return SP_EXIT_INTERNAL;
}

static int ignore_record(void *ctx, const struct sp_event *e)
{
	return 0;
}

int sensors_check(void)
{
	struct ks_config cfg = { .enforce = true };
	struct ksensor *ks = NULL;
	struct sp_cgroup cg;
	const char *why = "";
	int r, status = 0;

	if (privdrop_active()) {
		/* loaded at start, before the capabilities were dropped */
		if (privdrop_loaded(&why, &r))
			printf("kernel sensor: available (eBPF, loaded with this installation's file "
			       "capabilities, all dropped before pip runs)\n");
		else
			printf("kernel sensor: unavailable (cannot %s eBPF programs with this installation's "
			       "file capabilities: %s)\n", why, strerror(-r));
		sensors_check_fallback();
		return r < 0 ? SP_EXIT_SENSOR : 0;
	}
	r = ks_open(&ks, &cfg, ignore_record, NULL, &why);
	if (r < 0) {
		printf("kernel sensor: unavailable (cannot %s eBPF programs: %s)\n", why, strerror(-r));
		status = SP_EXIT_SENSOR;
	} else {
		printf("kernel sensor: available (eBPF)\n");
	}
	r = sp_cgroup_create(&cg);
	if (r < 0) {
		printf("session cgroup: unavailable (%s)\n", strerror(-r));
	} else {
		if (ks && ks_attach_cgroup(ks, cg.fd) < 0)
			printf("session cgroup: %s, but network hooks cannot attach (%s)\n",
			       cg.path, strerror(errno));
		else
			printf("session cgroup: available (cgroup v2%s)\n",
			       cg.has_kill ? ", cgroup.kill" : ", no cgroup.kill");
		(void)sp_cgroup_destroy(&cg, 1000);
	}
	ks_close(ks);
	sensors_check_fallback();
	return status;
}

int session_run(const struct options *opt)
{
	struct session s = { .opt = opt, .sigfd = -1, .epfd = -1, .tty = -1, .block_finding = -1 };
	char err[512] = "";
	sigset_t oldmask;
	int status, r;

	s.start_ns = mono_ns();
	sigprocmask(SIG_SETMASK, NULL, &oldmask);
	if (proctab_init(&s.procs) < 0) {
		sp_msg("out of memory");
		return SP_EXIT_INTERNAL;
	}
	r = pyinfo_probe(&s.py, opt->python, opt->python_source, err, sizeof(err));
	if (r < 0) {
		sp_msg("%s", err);
		status = SP_EXIT_CONFIG;
		goto out;
	}
	sp_debug("python: %s (chosen by %s), interpreter %s, prefix %s%s", s.py.python, s.py.source,
		 s.py.real_executable, s.py.prefix, s.py.in_venv ? " (virtual environment)" : "");

	/* policy layers, requested names, required sensors: before anything runs */
	status = gpolicy_load(opt, &s.policy);
	if (status == 0)
		status = gpolicy_preflight(&s);
	if (status)
		goto out;

	if (opt->log_path && log_open(&s, opt->log_path) < 0) {
		status = SP_EXIT_CONFIG;
		goto out;
	}
	/* the kernel sensor, else the seccomp fallback; the first line says which */
	status = sensors_choose(&s, open_kernel_sensor(&s));
	if (status == 0)
		open_cgroup(&s);
	report_sensors(&s);
	sensors_log(&s);
	if (status == 0)
		status = sensors_require(&s);
	if (status)
		goto out;

	if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0 || setup_signals(&s, &oldmask) < 0) {
		sp_msg("cannot set up the supervisor: %s", strerror(errno));
		status = SP_EXIT_INTERNAL;
		goto out;
	}
	s.epfd = epoll_create1(EPOLL_CLOEXEC);
	if (s.epfd < 0 || add_epoll(s.epfd, s.sigfd) < 0 || (s.ks && add_epoll(s.epfd, ks_fd(s.ks)) < 0)) {
		sp_msg("cannot set up the event loop: %s", strerror(errno));
		status = SP_EXIT_INTERNAL;
		goto out_signals;
	}

	r = spawn_pip(&s, &oldmask);
	if (r == 0 && s.sn && add_epoll(s.epfd, sn_fd(s.sn)) < 0)
		r = -errno;
	if (r < 0) {
		if (r != -ENOENT && r != -EACCES)
			sp_msg("cannot start pip: %s", strerror(-r));
		kill_tree(&s);
		status = SP_EXIT_CONFIG;
		goto out_signals;
	}

	r = event_loop(&s);
	if (r < 0) {
		sp_msg("supervisor failure: %s: stopping everything", strerror(-r));
		kill_tree(&s);
		status = SP_EXIT_INTERNAL;
		goto out_terminal;
	}
	if (s.blocked) {
		kill_tree(&s);
		if (s.ks)
			(void)ks_consume(s.ks);
		ll_undo_created(s.ll);
		report_block(&s);
		status = SP_EXIT_BLOCKED;
	} else if (s.interrupted && !s.root_done) {
		kill_tree(&s);
		status = 128 + s.interrupted;
	} else {
		finish_tree(&s);
		status = s.interrupted ? 128 + s.interrupted : exit_status_of_pip(&s);
		r = status == 127 ? sn_exec_error(s.sn) : 0;
		if (r)
			sp_msg("cannot run %s: %s", s.py.python, strerror(r));
		/* an install of pip itself replaces a guarded venv's hook (guard/shims.c) */
		if (status == 0 && s.py.in_venv)
			venv_guard_refresh(s.py.prefix, s.py.purelib);
	}
	report_end(&s, status);

out_terminal:
	take_terminal(&s);
out_signals:
	log_verdict(&s, status);
	sigprocmask(SIG_SETMASK, &oldmask, NULL);
out:
	if (s.have_cgroup && sp_cgroup_destroy(&s.cg, 2000) < 0)
		sp_msg("warning: cannot remove session cgroup: %s", strerror(errno));
	log_close(&s);
	if (s.epfd >= 0)
		close(s.epfd);
	if (s.sigfd >= 0)
		close(s.sigfd);
	ks_close(s.ks);
	sensors_close(&s);
	proctab_free(&s.procs);
	dists_free(&s.dists);
	free(s.findings);
	pyinfo_free(&s.py);
	sp_policy_free(s.policy);
	return status;
}
