/* SPDX-License-Identifier: MIT */
/*
 * An installation with file capabilities (configure --enable-file-caps):
 * the installed safe-pip carries CAP_BPF, CAP_PERFMON and CAP_NET_ADMIN in
 * its permitted set only, so that a user without root gets the kernel
 * sensor.
 *
 * privdrop_early() runs first in main(), before the arguments, the
 * environment or any file of the user is looked at: with the environment
 * hidden, it loads safe-pip's own eBPF programs (embedded in the binary)
 * with a fixed configuration (enforce, builds get no network), attaches
 * the network hooks to the cgroup the user runs in, then drops every
 * capability (effective, permitted, inheritable, ambient) and checks that
 * /proc/self/status says so.  Everything after it, pip included, runs
 * with none.  The loaded sensor is taken by the session when the policy
 * asks for exactly that configuration; otherwise the session uses the
 * seccomp fallback and says why.  SECURITY.md has the reasoning.
 */
#ifndef SAFEPIP_PRIVDROP_H
#define SAFEPIP_PRIVDROP_H

#include <stdbool.h>
#include <stddef.h>

struct session;
struct ks_config;

/*
 * When started with capabilities in the permitted set and not as root:
 * load, then drop them all.  Returns 0, or an exit status when they could
 * not be dropped (safe-pip must stop: SP_EXIT_INTERNAL).
 */
int privdrop_early(void);

/* Did this process start with file capabilities (and drop them)? */
bool privdrop_active(void);

/*
 * The kernel sensor loaded before the drop, for session s whose policy
 * asks for cfg.  0 and s->ks set, or -errno with the reason in why:
 * -ENOENT nothing was loaded (the load failed), -EINVAL another
 * configuration is needed than the one loaded.
 */
int privdrop_take_kernel(struct session *s, const struct ks_config *cfg, char *why, size_t len);

/*
 * For `safe-pip sensors` and the first line: did the load succeed (else
 * *why and the errno), and are the network hooks attached to the cgroup
 * the user runs in?
 */
bool privdrop_loaded(const char **why, int *err);
bool privdrop_hooked(void);

/* Release what was loaded and not taken. */
void privdrop_release(void);

#endif
