/* SPDX-License-Identifier: MIT */
/*
 * The install's process tree without the kernel sensor's tracked set.
 *
 * safe-pip is the child subreaper of its session: a process of the tree
 * whose parent dies is reparented to safe-pip, not to init.  So the tree
 * is exactly safe-pip's descendants, found by walking the parent links of
 * /proc, and no double fork, setsid or daemon() leaves it.  What this
 * guarantees, by kill mode:
 *
 *   cgroup   (a session cgroup v2 could be made) cgroup.kill kills every
 *            process of the cgroup at once, including those forked while
 *            the kill runs; the /proc walk below then only confirms.
 *   scan     (no cgroup: containers, unprivileged users) every descendant
 *            found is sent SIGKILL, and the walk is repeated until none is
 *            left: a process forking while it is killed adds a child that
 *            the next walk finds; the loop ends when a walk finds nothing
 *            alive, or reports what survived after TREE_KILL_MS.
 */
#ifndef SAFEPIP_TREE_H
#define SAFEPIP_TREE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct session;

#define TREE_MAX 65536          /* processes one walk reports */
#define TREE_KILL_MS 5000

/*
 * The live (not zombie) descendants of self, at most max of them, into
 * out.  Returns how many there are (may exceed max), or -errno.
 */
int tree_descendants(pid_t self, pid_t *out, size_t max);

/*
 * Kill every descendant of the supervisor until none is left.  Counts
 * what it killed in s->nkilled; reaps.  Returns 0, or -ETIMEDOUT when
 * some survived (reported).
 */
int tree_kill(struct session *s);

/* pip has exited: report each process still running (outlived-pip), then kill. */
void tree_finish(struct session *s);

#endif
