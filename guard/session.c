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
#include "guard/gscore.h"
#include "guard/kmon.h"
#include "guard/ksensor.h"
#include "guard/landlock.h"
#include "guard/privdrop.h"
#include "guard/seccomp.h"
#include "guard/shims.h"
#include "guard/shimsrv.h"
#include "guard/summary.h"
#include "guard/tree.h"
#include "guard/txn.h"
#include "guard/util.h"
#include "policy/policy.h"

#define KILL_TIMEOUT_MS 5000
#define LOOP_TICK_MS 100
/*
 * The kernel wakes us at once for what it judges urgent (a deny, an exec,
 * a build's writes and file operations); the rest, a build's read of a
 * secret or its sockets among it, is judged by the scorer too, which must
 * see it within milliseconds to stop the tree before the next step.  So
 * while the kernel sensor runs, its records are drained this often; the
 * rest of the tick's work keeps LOOP_TICK_MS.
 */
#define DRAIN_TICK_MS 2

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

/*
 * The sensor starts loading before the policy is read; what the policy
 * decides (mode, network) is set after the load (gpolicy_kernel_apply).
 * Until then, and by default: enforce, builds may not reach the network.
 */
static struct ks_config sensor_cfg = {
	.enforce = true,
	.deny_inet_roles = 1u << SP_ROLE_BUILD,
};

static int open_kernel_sensor(struct session *s)
{
	const char *why = "";
	int r;

	if (privdrop_active()) {
		/* loaded before the capabilities were dropped (guard/privdrop.h) */
		r = privdrop_take_kernel(s, &sensor_cfg, s->sens.kernel_why, sizeof(s->sens.kernel_why));
		if (r < 0)
			return r;
	} else {
		/* Started with the session; loading overlaps with the interpreter probe. */
		r = ks_open_wait(s->opening, &s->ks, &why);
		s->opening = NULL;
		if (r < 0) {
			/* said in the first line, with what runs instead (guard/sensors.c) */
			snprintf(s->sens.kernel_why, sizeof(s->sens.kernel_why),
				 "cannot %s eBPF programs: %s%s", why, strerror(-r),
				 r == -EPERM ? " (needs root or CAP_BPF+CAP_PERFMON)" : "");
			s->ks = NULL;
			return r;
		}
	}
	r = ks_add_interp(s->ks, s->py.dev, s->py.ino);
	if (r == 0)
		r = gpolicy_kernel_apply(s);
	if (r < 0) {
		/* e.g. a kernel before 6.5 refuses map updates once the capabilities are dropped */
		snprintf(s->sens.kernel_why, sizeof(s->sens.kernel_why),
			 "cannot configure the kernel sensor (interpreter, policy network rules): %s",
			 strerror(-r));
		ks_close(s->ks);
		s->ks = NULL;
		return r;
	}
	return 0;
}

/* Made while the sensor loads; its network hooks are attached after. */
static void open_cgroup(struct session *s)
{
	int r = sp_cgroup_create(&s->cg);

	if (r < 0) {
		sp_debug("no session cgroup (%s): the tree is killed without one", strerror(-r));
		return;
	}
	s->have_cgroup = true;
	sp_debug("session cgroup %s", s->cg.path);
}

/*
 * Without them, the kernel sensor still denies at the connect or sendmsg
 * syscall, after the cgroup would have; the cgroup still kills the tree.
 */
static void attach_cgroup_hooks(struct session *s)
{
	int r = s->ks && s->have_cgroup ? ks_attach_cgroup(s->ks, s->cg.fd) : 0;

	if (r < 0)
		sp_debug("cannot attach network hooks to %s: %s", s->cg.path, strerror(-r));
}

/* ---------------------------------------------------------------- spawn */

static int add_epoll(int epfd, int fd)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = fd };

	return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) < 0 ? -errno : 0;
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

/* In the child, before pip's tree starts: what each sensor needs there. */
static int child_setup(void *ctx)
{
	struct session *s = ctx;
	int r;

	/* a guarded venv's pip runs the real pip for us (guard/shims.h) */
	if (setenv(SP_ENV_ACTIVE, "1", 1) < 0)
		return -errno;
	/* into the staged mount namespace, private TMPDIR */
	r = txn_child_setup(s->txn);
	if (r < 0)
		return r;
	r = shimsrv_child_setup(s);
	if (r < 0)
		return r;
	/* Landlock last: no privilege is needed after it */
	if (s->ll && (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || ll_restrict(s->ll) < 0))
		return -errno;
	return 0;
}

static int spawn_pip(struct session *s, const sigset_t *oldmask)
{
	_cleanup_free_ char **argv = calloc((size_t)s->opt->pip_argc + 4, sizeof(char *));
	int r;

	if (s->sn)
		return sn_spawn(s->sn, oldmask);
	if (!argv)
		return -ENOMEM;
	argv[0] = s->py.python;
	argv[1] = "-m";
	argv[2] = "pip";
	for (int i = 0; i < s->opt->pip_argc; i++)
		argv[3 + i] = s->opt->pip_argv[i];
	/* The tree gets its own PID namespace where allowed (guard/spawn.h). */
	s->sp.setup = child_setup;
	s->sp.setup_ctx = s;
	s->sp.cgroup_fd = s->have_cgroup ? s->cg.fd : -1;
	r = spawn_start(&s->sp, argv, oldmask, true);
	shimsrv_spawned(s);
	if (r < 0)
		return r;
	s->root = s->sp.pid;
	(void)setpgid(s->root, s->root);
	if (s->sp.pidns)
		sp_debug("pip runs in a PID namespace of its own (its init is %d)", (int)s->root);
	else
		sp_debug("no PID namespace for pip: the supervisor is visible to the tree");

	/* Tracked (and in the cgroup) before it runs a single instruction of pip. */
	r = s->sp.pidns ? ks_track(s->ks, s->root, SP_ROLE_NONE, SP_PF_INIT) :
			  ks_track(s->ks, s->root, SP_ROLE_PIP, SP_PF_ROOT);
	if (r == 0 && s->have_cgroup && !s->sp.in_cgroup)
		r = sp_cgroup_add(&s->cg, s->root);
	if (r == 0 && s->sp.pidns)
		r = add_epoll(s->epfd, s->sp.status_fd);
	if (r < 0) {
		(void)kill(s->root, SIGKILL);
		spawn_close(&s->sp);
		return r;
	}
	session_hand_terminal(s);
	r = spawn_release(&s->sp);
	if (r < 0) {
		sp_msg("cannot run %s: %s", s->py.python, strerror(-r));
		return r;
	}
	return 0;
}

/* ----------------------------------------------------------------- kill */

/* pidns: pip's own wait status, passed on by the namespace's init. */
static void read_pip_status(struct session *s)
{
	int status;

	if (!s->root_done && spawn_read_status(&s->sp, &status) == 1) {
		s->root_done = true;
		s->root_status = status;
	}
}

void session_reap(struct session *s)
{
	int status;
	pid_t pid;

	/* We are the subreaper of the tree: orphans come to us. */
	while ((pid = waitpid(-1, &status, WNOHANG | __WALL)) > 0) {
		if (pid != s->root)
			continue;
		s->root_reaped = true;
		/* A dead init sent pip's status first, if pip got to exit. */
		if (s->sp.pidns)
			read_pip_status(s);
		if (!s->root_done) {
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

	/* The namespace's init is ours, not the install's. */
	if (s->sp.pidns && p->pid == s->root)
		return;
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
	/* The namespace's init ignores it; pip's group (which it leads) gets it. */
	if (!s->root_done)
		(void)kill(s->sp.pidns ? -s->root : s->root, signo == SIGQUIT ? SIGQUIT : SIGINT);
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
 * The kernel doomed the session on its own: a deny whose record did not
 * reach us, or a fork it could not track (the tracked map was full).  Fail
 * closed, saying why.
 */
static void block_on_kernel_doom(struct session *s)
{
	/*
	 * The record of the denied call comes at its syscall exit, which the
	 * dying caller may not have reached yet: name the finding once the
	 * tree is dead and every record is in (blame_kernel_doom()).
	 */
	s->blocked = true;
	s->block_finding = -1;
}

/* After the kill: the deny finding the kernel's records gave, else its own account. */
static void blame_kernel_doom(struct session *s)
{
	if (s->block_finding >= 0)
		return;
	for (size_t i = 0; i < s->nfindings; i++)
		if (s->findings[i].deny) {
			s->block_finding = (int)i;
			return;
		}
	s->block_finding = kmon_kernel_deny(s);
}

/*
 * The shim's channel wakes us for a record, then sleeps until a tick has
 * passed: a build reports every write, rename and unlink, and waking up
 * for each one cost more than reading it.  What comes meanwhile is read
 * with the kernel's records (which read the channel as far as they need)
 * or at the next wake-up; a question waits one tick at most.  (Only with
 * the kernel sensor, whose tick is short.)
 */
static void shim_wakes(struct session *s, bool on)
{
	struct epoll_event ev = { .events = on ? EPOLLIN : 0, .data.fd = shimsrv_fd(s) };

	(void)epoll_ctl(s->epfd, EPOLL_CTL_MOD, ev.data.fd, &ev);
}

static int event_loop(struct session *s)
{
	int tick = s->ks ? DRAIN_TICK_MS : LOOP_TICK_MS;
	uint64_t reaped_ns = mono_ns(), shim_wake_ns = 0;
	struct epoll_event ev[4];
	int r;

	while (!s->root_done && !s->blocked) {
		if (s->interrupted == SIGTERM || s->interrupted == SIGHUP)
			return 0;
		/* The kernel wakes us for what is urgent; the tick drains the rest. */
		int n = epoll_wait(s->epfd, ev, ARRAY_SIZE(ev), tick);

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
			} else if (ev[i].data.fd == s->sp.status_fd) {
				read_pip_status(s);
			} else if (s->shim && ev[i].data.fd == shimsrv_fd(s)) {
				r = shimsrv_consume(s);
				if (r < 0)
					return r;
				if (s->ks) {
					shim_wakes(s, false);
					shim_wake_ns = mono_ns() + DRAIN_TICK_MS * 1000000ull;
				}
			} else if (s->sn && ev[i].data.fd == sn_fd(s->sn)) {
				r = sn_handle(s->sn);
				if (r < 0)
					return r;
			} else if (s->ks) {
				r = ks_consume(s->ks);
				if (r < 0 && r != -EINTR)
					return r;
			}
		}
		if (n == 0 && s->ks)
			(void)ks_consume(s->ks);
		if (shim_wake_ns && mono_ns() >= shim_wake_ns) {
			shim_wakes(s, true);
			shim_wake_ns = 0;
		}
		/* A missed SIGCHLD must not hang us. */
		if (n == 0 && mono_ns() - reaped_ns >= LOOP_TICK_MS * 1000000ull) {
			reaped_ns = mono_ns();
			session_reap(s);
		}
		shimsrv_after_events(s);
		gscore_tick(s);
		if (!s->blocked && s->ks && ks_is_doomed(s->ks)) {
			/* the record of the denied action that doomed it may still be queued */
			(void)ks_consume(s->ks);
			if (!s->blocked)
				block_on_kernel_doom(s);
		}
		kmon_check_lost(s);
	}
	return 0;
}


struct same_cmd {
	const char *cmd;
	int dist;               /* -1: none seen, -2: several */
};

static void same_cmd_dist(struct proc *p, void *ctx)
{
	struct same_cmd *m = ctx;

	if (p->dist < 0 || strcmp(p->cmdline, m->cmd) != 0)
		return;
	m->dist = m->dist == -1 || m->dist == p->dist ? p->dist : -2;
}

void session_add_outlived(struct session *s, pid_t pid, const char *cmd)
{
	struct proc *p = proctab_get(&s->procs, pid);
	struct finding f = { .rule = "outlived-pip", .dist = p ? p->dist : -1, .pid = pid,
			     .ts_ns = mono_ns() };
	struct same_cmd m = { .cmd = cmd, .dist = -1 };

	if (!cmd || !cmd[0])
		cmd = p ? (p->cmdline[0] ? p->cmdline : p->comm) : "?";
	/*
	 * A sensor that never saw the fork (the seccomp fallback is told of
	 * no fork) leaves a daemon without lineage; a fork that did not exec
	 * still carries the command line of the build that made it.
	 */
	if (f.dist < 0 && m.cmd && m.cmd[0]) {
		proctab_each(&s->procs, same_cmd_dist, &m);
		f.dist = m.dist >= 0 ? m.dist : -1;
	}
	snprintf(f.what, sizeof(f.what),
		 "process %d (%s) was still running after pip exited; killed%s", (int)pid, cmd,
		 m.dist >= 0 ? " (distribution known by its command line)" : "");
	if (p)
		p->outlived = true;
	s->noutlived++;
	(void)session_add_finding(s, &f);
}

static void mark_outlived(void *ctx, pid_t tgid)
{
	struct session *s = ctx;

	if (tgid != s->root)
		session_add_outlived(s, tgid, NULL);
}

/*
 * Our child must be waited for before we leave, also when it was killed
 * (the namespace's init): a killed child's exit can trail its last record.
 */
static void wait_root(struct session *s)
{
	int status;
	pid_t pid;

	if (s->root <= 0 || s->root_reaped)
		return;
	(void)kill(s->root, SIGKILL);
	do
		pid = waitpid(s->root, &status, __WALL);
	while (pid < 0 && errno == EINTR);
	s->root_reaped = true;
	if (!s->root_done) {
		s->root_done = true;
		s->root_status = status;
	}
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
		shimsrv_print_available();
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
	shimsrv_print_available();
	return status;
}

int session_run(const struct options *opt)
{
	struct session s = { .opt = opt, .sigfd = -1, .epfd = -1, .tty = -1, .block_finding = -1,
			     .sp = { .pid = -1, .status_fd = -1, .go_fd = -1, .err_fd = -1 } };
	_cleanup_free_ char *preload = NULL;
	char err[512] = "";
	const char *why;
	sigset_t oldmask;
	int status, r;

	s.start_ns = mono_ns();
	sigprocmask(SIG_SETMASK, NULL, &oldmask);
	sigpipe_ignore();
	if (proctab_init(&s.procs) < 0) {
		sp_msg("out of memory");
		return SP_EXIT_INTERNAL;
	}
	/* the kernel compares every exec'd LD_PRELOAD with the shim's path */
	preload = shimsrv_find(&why);
	sensor_cfg.preload = preload;
	/* with file capabilities it was loaded first thing (guard/privdrop.h) */
	if (!privdrop_active())
		s.opening = ks_open_start(&sensor_cfg, monitor_kernel_record, &s);
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
	if (kmon_init(&s) < 0 || gscore_init(&s) < 0) {
		sp_msg("out of memory");
		status = SP_EXIT_INTERNAL;
		goto out;
	}
	/* the cgroup and the transaction are made while the sensor loads */
	open_cgroup(&s);
	status = session_txn_open(&s);
	if (status)
		goto out;
	/* the kernel sensor, else the seccomp fallback; the first line says which */
	status = sensors_choose(&s, open_kernel_sensor(&s));
	if (status)
		goto out;
	attach_cgroup_hooks(&s);
	/*
	 * After the transaction: in journaled mode the shim asks before writes
	 * in the target.  Not under the seccomp fallback, whose child shares
	 * our descriptor table until it execs.
	 */
	if (!s.sn && shimsrv_open(&s) < 0) {
		status = SP_EXIT_INTERNAL;
		goto out;
	}
	s.sens.shim = s.shim != NULL;
	report_sensors(&s);
	sensors_log(&s);
	status = sensors_require(&s);
	if (status)
		goto out;

	if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0 || setup_signals(&s, &oldmask) < 0) {
		sp_msg("cannot set up the supervisor: %s", strerror(errno));
		status = SP_EXIT_INTERNAL;
		goto out;
	}
	s.epfd = epoll_create1(EPOLL_CLOEXEC);
	if (s.epfd < 0 || add_epoll(s.epfd, s.sigfd) < 0 ||
	    (s.ks && add_epoll(s.epfd, ks_fd(s.ks)) < 0) ||
	    (s.shim && add_epoll(s.epfd, shimsrv_fd(&s)) < 0)) {
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
		status = session_txn_close(&s, false, SP_EXIT_INTERNAL);
		report_txn(&s);
		goto out_terminal;
	}
	/* The tree is dead before the transaction commits or rolls back. */
	if (s.blocked) {
		kill_tree(&s);
		if (s.ks) {
			(void)ks_consume(s.ks);
			blame_kernel_doom(&s);
		}
		shimsrv_finish(&s);
		status = session_txn_close(&s, false, SP_EXIT_BLOCKED);
		/* after the rollback, which puts back the target as it was planned */
		ll_undo_created(s.ll);
		report_block(&s);
	} else if (s.interrupted && !s.root_done) {
		kill_tree(&s);
		status = session_txn_close(&s, false, 128 + s.interrupted);
	} else {
		finish_tree(&s);
		status = s.interrupted ? 128 + s.interrupted : exit_status_of_pip(&s);
		r = status == 127 ? sn_exec_error(s.sn) : 0;
		if (r)
			sp_msg("cannot run %s: %s", s.py.python, strerror(r));
		/* what pip left behind (a .pth file) can still reach the threshold */
		if (!s.interrupted && gscore_settle(&s)) {
			shimsrv_finish(&s);
			status = session_txn_close(&s, false, SP_EXIT_BLOCKED);
			report_block(&s);
		} else {
			status = session_txn_close(&s, !s.interrupted, status);
			/* an install of pip itself replaces a guarded venv's hook (guard/shims.c) */
			if (status == 0 && s.py.in_venv)
				venv_guard_refresh(s.py.prefix, s.py.purelib);
		}
	}
	shimsrv_finish(&s);
	kmon_finish(&s);
	gscore_finish(&s);
	wait_root(&s);
	report_end(&s, status);

out_terminal:
	take_terminal(&s);
out_signals:
	log_verdict(&s, status);
	if (opt->json_path)
		(void)summary_write(&s, opt->json_path, status);
	sigprocmask(SIG_SETMASK, &oldmask, NULL);
out:
	if (s.have_cgroup && sp_cgroup_destroy(&s.cg, 2000) < 0)
		sp_msg("warning: cannot remove session cgroup: %s", strerror(errno));
	log_close(&s);
	shimsrv_close(&s);
	spawn_close(&s.sp);
	gscore_free(&s);
	kmon_free(&s);
	if (s.opening) {
		if (ks_open_wait(s.opening, &s.ks, &why) == 0)
			ks_close(s.ks);
		s.ks = NULL;
	}
	if (s.epfd >= 0)
		close(s.epfd);
	if (s.sigfd >= 0)
		close(s.sigfd);
	txn_free(s.txn);        /* aborts when no verdict was reached */
	ks_close(s.ks);
	sensors_close(&s);
	proctab_free(&s.procs);
	dists_free(&s.dists);
	free(s.findings);
	pyinfo_free(&s.py);
	gpolicy_net_free(&s);
	sp_policy_free(s.policy);
	return status;
}
