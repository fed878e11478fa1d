/* SPDX-License-Identifier: MIT */
/*
 * The seccomp sensor: the kernel-enforced fallback when the eBPF sensor
 * cannot load (no CAP_BPF, `docker build`, old kernels).
 *
 * pip is started under a seccomp filter (SECCOMP_RET_USER_NOTIF) that
 * every process of the install inherits and cannot remove.  The syscalls
 * that matter (exec, sockets and sends, opens, unlink/rename/link, memfd,
 * ptrace, bpf, io_uring, namespaces and mounts, modules, signals, credential
 * changes, non-native system call entry points) stop in the kernel until
 * the supervisor has decided on them; everything else runs at full speed.
 * Static binaries, raw syscalls and a scrubbed LD_PRELOAD change nothing:
 * the filter sits below libc.
 *
 * How each decision avoids time-of-check/time-of-use races is said where
 * it is taken (guard/seccomp_decide.c, guard/seccomp_files.c) and
 * summarised in SECURITY.md.
 */
#ifndef SAFEPIP_SECCOMP_H
#define SAFEPIP_SECCOMP_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct session;
struct sn;

/*
 * Can the fallback run here: seccomp filters with user notification,
 * SECCOMP_ADDFD_FLAG_SEND (Linux 5.14) and /proc/<pid>/mem?  Returns 0,
 * or -errno with a static reason in *why.
 */
int sn_probe(const char **why);

/* A sensor for session s (its policy decides).  0 or -ENOMEM. */
int sn_new(struct sn **out, struct session *s);
void sn_free(struct sn *sn);

/*
 * Start pip (s->py.python -m pip ARGS) under the filter: its own process
 * group, dying with us, Landlock rules applied when s->ll is set, the
 * listener fd handed to us.  Sets s->root.  Returns 0 or -errno (the
 * child is dead then).
 */
int sn_spawn(struct sn *sn, const sigset_t *oldmask);

/*
 * The shim's path as put in LD_PRELOAD (NULL: no shim), so that exec
 * records say whether a program still carries it (SP_XF_PRELOAD) or not
 * (SP_XF_PRELOAD_OTHER), as the kernel sensor's do.  The string must
 * outlive the sensor.
 */
void sn_set_preload(struct sn *sn, const char *path);

/* The listener fd, for epoll. */
int sn_fd(const struct sn *sn);

/*
 * Answer the pending notifications (at most a batch, so that signals are
 * not starved).  Returns 0, or -errno when the listener broke (the
 * supervisor must then stop everything).
 */
int sn_handle(struct sn *sn);

/*
 * Doom the session: every process of the tree that stops in a filtered
 * syscall from now on is killed there; the syscall fails.
 */
void sn_doom(struct sn *sn);

/*
 * SIGKILL every process the sensor has seen that is still the process it
 * saw (a reused pid is left alone).  sn may be NULL.
 */
void sn_kill_known(struct sn *sn);

/* Notifications answered, and how many were answered with an error (refused, or failed). */
unsigned long sn_count(const struct sn *sn);
unsigned long sn_refused(const struct sn *sn);

/* After the root exited: the exec error the child reported, or 0. */
int sn_exec_error(const struct sn *sn);

#endif
