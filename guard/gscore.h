/* SPDX-License-Identifier: MIT */
/*
 * Live scoring in a session: the scorer (guard/score.h) fed with every
 * finding, the rules that need the session's context (guard/signals.h
 * judges the text), the verdict when a distribution's score reaches the
 * threshold, and what the user reads about it.
 *
 *   gscore_init()        after the policy and kmon_init(): s->gsc
 *   gscore_on_finding()  session_add_finding(): points, frame, threshold
 *   gscore_record()      every kernel record, after guard/kmon.c
 *   gscore_shim_dns()    every name lookup the shim reports
 *   gscore_tick()        each round of the event loop: .pth files, CPU
 *   gscore_settle()      pip exited: the last checks; may block
 *   gscore_report_*()    stderr (report.c calls them)
 *
 * A score crossing stops the tree the way a deny finding does (the kernel
 * dooms the session at once, then the loop kills and reaps) unless the
 * policy is in monitor mode or the distribution is in packages.allow;
 * both are reported instead.
 *
 * Rules added here, each with its weight in policy/default.yaml:
 * spawn-fetch, write-outside-target, read-secret, pth-exec,
 * dns-suspicious-host, dns-encoded-label, cpu-excess, proc-excess.
 * Limits (lowered, never raised, by the environment, for tests and
 * tighter sites): SAFE_PIP_CPU_LIMIT (CPU seconds of one process that is
 * not a compiler, default GSCORE_CPU_LIMIT_S) and SAFE_PIP_PROC_LIMIT
 * (processes of one distribution alive at once, default
 * GSCORE_PROC_LIMIT).
 */
#ifndef SAFEPIP_GSCORE_H
#define SAFEPIP_GSCORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "bpf/sp_event.h"
#include "guard/score.h"

struct session;
struct proc;
struct jw;

#define GSCORE_CPU_LIMIT_S 300
#define GSCORE_PROC_LIMIT 512
#define GSCORE_PTH_MAX 256              /* .pth files watched in one session */
#define GSCORE_NAMES_MAX 1024           /* host names judged per session */
#define GSCORE_TOP 5                    /* reasons shown on a stop */

/* Allocate s->gsc.  Returns 0 or -ENOMEM. */
int gscore_init(struct session *s);
void gscore_free(struct session *s);

/* Finding idx was just added: give it points, and stop the tree when due. */
void gscore_on_finding(struct session *s, size_t idx);

/* One kernel record of process p (never NULL), after kmon_record(). */
void gscore_record(struct session *s, struct proc *p, const struct sp_event *e);

/* The shim saw process pid look host up (via: its Python frame, or ""). */
void gscore_shim_dns(struct session *s, pid_t pid, const char *host, uint64_t ts, const char *via);

/* A round of the event loop is done. */
void gscore_tick(struct session *s);

/*
 * pip has exited, not blocked before, and the tree is dead: the last .pth
 * checks.  Returns true when a score crossing since (a .pth file, the
 * processes that outlived pip) blocks the install (enforce mode).
 */
bool gscore_settle(struct session *s);

/* Was path written by a compiler or linker of this session? */
bool gscore_toolchain_output(const struct session *s, const char *path);

/* Did the stop come from a score crossing (else a deny)? */
bool gscore_blocked_by_score(const struct session *s);

/* The frame (Python or native) that did finding idx, or "". */
const char *gscore_frame(const struct session *s, size_t idx);

/* Score of dist and the threshold. */
unsigned gscore_total(const struct session *s, int dist);
unsigned gscore_threshold(const struct session *s);

/* report.c: the head of a stop (package, score, top reasons) and its tail (what allows it). */
void gscore_report_block(struct session *s);
void gscore_report_allow(struct session *s);
/* report.c: the end of a session not stopped: one line, -v lists findings. */
void gscore_report_end(struct session *s);

/* summary.c: the scores of the session as JSON members of the current object. */
void gscore_json(struct session *s, struct jw *w);
/* ... of distribution dist (an index of s->dists). */
void gscore_json_dist(struct session *s, struct jw *w, int dist);
/* Was name (any spelling) requested on the command line or in a -r file? */
bool gscore_direct(const struct session *s, const char *name);

/* DySec's install features: requirements asked for, distributions installed. */
struct gscore_install {
	unsigned total;                 /* distributions installed into the target */
	unsigned direct;                /* requirements given (command line, -r files) */
	unsigned indirect;              /* installed beyond those */
	unsigned build_deps;            /* installed into build environments */
};
void gscore_install_features(const struct session *s, struct gscore_install *out);

/* End of session, after kmon_finish(): the feature vectors go to the log. */
void gscore_finish(struct session *s);

#endif
