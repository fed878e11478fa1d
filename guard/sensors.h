/* SPDX-License-Identifier: MIT */
/*
 * Which sensors watch a session, chosen once before pip starts:
 *
 *   kernel    the eBPF sensor, when it loads (root, or the capabilities of
 *             an installation made with --enable-file-caps)
 *   seccomp   otherwise the seccomp user-notification fallback
 *             (guard/seccomp.h), which needs no privilege and works inside
 *             `docker build`
 *   shim      the LD_PRELOAD sensor, alongside either (set by its part)
 *
 * plus Landlock (guard/landlock.h) whenever the kernel has it.  The first
 * line safe-pip prints says what runs.  A policy's require: [kernel] makes
 * the fallback an error, require: [enforcing] accepts kernel or seccomp.
 */
#ifndef SAFEPIP_SENSORS_H
#define SAFEPIP_SENSORS_H

#include <stdbool.h>
#include <stddef.h>

struct session;

struct sensors {
	bool kernel;                    /* eBPF sensor loaded */
	bool seccomp;                   /* the seccomp fallback watches */
	bool shim;                      /* LD_PRELOAD shim active */
	int landlock_abi;               /* 0: no Landlock */
	char kernel_why[192];           /* why the kernel sensor did not load */
	char seccomp_why[160];          /* why the fallback cannot run */
};

/*
 * After trying the kernel sensor (kernel_r: 0 or its -errno): start the
 * fallback when needed, plan Landlock, check what the policy requires.
 * Returns 0, or an exit status after saying why (SP_EXIT_SENSOR).
 */
int sensors_choose(struct session *s, int kernel_r);

/*
 * Is what runs enough?  No sensor at all, or less than the policy's
 * require: says why and returns SP_EXIT_SENSOR; else 0.
 */
int sensors_require(struct session *s);

/* Free what sensors_choose() made. */
void sensors_close(struct session *s);

/* "kernel (eBPF, session cgroup)", "seccomp (...), landlock ABI 7 (...)" */
void sensors_describe(const struct session *s, char *buf, size_t len);

/* The JSON Lines record of what runs (--log). */
void sensors_log(struct session *s);

/* safe-pip sensors: the lines about the fallback and Landlock. */
void sensors_check_fallback(void);

#endif
