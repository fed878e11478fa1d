/* SPDX-License-Identifier: MIT */
/*
 * Starting pip's tree so that it cannot reach the supervisor.
 *
 * Where the kernel allows it (root, or CAP_SYS_ADMIN), the tree runs in a
 * PID namespace of its own.  Our child is that namespace's init: it holds
 * nothing (every other fd is closed), ignores signals, reaps orphans and
 * forks pip, whose wait status it passes back through a pipe.  Inside the
 * namespace the supervisor has no pid: kill(-1), kill of a process group,
 * ptrace and process_vm_* cannot name it, and pidfds of it cannot be made.
 * The init dies with the supervisor (PR_SET_PDEATHSIG), and the kernel
 * then kills everything in the namespace; killing the init is the same
 * atomic kill of the whole tree.
 *
 * Pids: the kernel sensor and the supervisor use global pids; processes of
 * the tree see their namespace's pids (pip is 2 there, the init 1).  The
 * records carry both (sp_hdr.tgid, sp_hdr.ns_tgid).  The tree still sees
 * the host's /proc, where pids are global.
 *
 * Without a namespace (containers that refuse CLONE_NEWPID), pip is our
 * child directly, as before.
 */
#ifndef SAFEPIP_SPAWN_H
#define SAFEPIP_SPAWN_H

#include <signal.h>
#include <stdbool.h>
#include <sys/types.h>

struct spawn {
	pid_t pid;              /* our child: the namespace's init, or pip itself */
	bool pidns;             /* the tree runs in its own PID namespace */
	int status_fd;          /* pidns: pip's wait status arrives here, else -1 */
	int go_fd;              /* write "g" to release the child; -1 once done */
	int err_fd;             /* exec errors of pip (errno) */
	/*
	 * Set before spawn_start(), may be NULL: runs in the child before the
	 * tree starts (before the namespace's init forks pip), to prepare what
	 * pip's tree inherits (environment, fds, namespaces).  Returns 0 or
	 * -errno, which then fails the exec with that error.  fds it makes
	 * for pip must not be close-on-exec.
	 */
	int (*setup)(void *ctx);
	void *setup_ctx;
	/*
	 * Set before spawn_start(): a cgroup v2 directory for the tree, or -1.
	 * The namespace's init is born in it where the kernel can (in_cgroup
	 * set); otherwise the caller moves the child in.
	 */
	int cgroup_fd;
	bool in_cgroup;
};

/*
 * Fork the child, held until spawn_release(): it has its own process
 * group and dies with us.  argv is pip's command (argv[0] searched in
 * PATH); oldmask the signal mask pip gets.  want_pidns asks for the PID
 * namespace, falling back to a plain child where it is refused.  Returns
 * 0 or -errno.
 */
int spawn_start(struct spawn *sp, char *const argv[], const sigset_t *oldmask, bool want_pidns);

/*
 * Let the child run pip.  Returns 0 when pip was executed, -errno of the
 * exec when it could not be, or -errno of the release itself.
 */
int spawn_release(struct spawn *sp);

/*
 * pidns: read pip's wait status once status_fd is readable.  Returns 1 and
 * sets *status when it arrived, 0 when not yet, -EPIPE when the init died
 * without sending it.
 */
int spawn_read_status(struct spawn *sp, int *status);

/* Close the parent's fds (the child is not touched). */
void spawn_close(struct spawn *sp);

#endif
