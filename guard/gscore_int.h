/* SPDX-License-Identifier: MIT */
/* Internals of the session's scoring: gscore.c, gscore_rules.c, gscore_report.c. */
#ifndef SAFEPIP_GSCORE_INT_H
#define SAFEPIP_GSCORE_INT_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "guard/gscore.h"
#include "guard/score.h"

#define GSCORE_MADE_MAX (1u << 15)      /* toolchain outputs remembered, by hash */
#define GSCORE_REQUESTED_MAX 256
#define GSCORE_INSTALLED_MAX 1024
#define GSCORE_CPU_PIDS_MAX 256         /* processes reported for CPU, each once */

/* A .pth file written during the session, judged once it holds code. */
struct gscore_pth {
	char *path;
	int dist;
	pid_t pid;
	uint32_t role;
	uint64_t ts;
	char via[192];
	bool judged;                    /* a finding was made (or it was a benign one) */
};

struct gscore {
	struct scorer sc;
	char **frames;                  /* per finding: the frame that did it, or NULL */
	size_t nframes;
	const char *pending_via;        /* the frame of the finding being added */

	bool score_block;               /* the stop came from a score crossing */
	int block_dist;
	unsigned monitor_crossed;       /* crossings let through: monitor mode */
	unsigned allowed_crossed;       /* ... packages.allow */

	struct gscore_pth pth[GSCORE_PTH_MAX];
	size_t npth;
	uint64_t pth_dropped;

	uint64_t *made;                 /* paths compilers and linkers wrote (hashes) */
	size_t nmade;

	unsigned *live;                 /* processes alive per distribution slot */
	unsigned *peak;
	bool *proc_told;
	size_t nlive;
	unsigned proc_limit;

	uint64_t cpu_limit_ns;
	uint64_t cpu_checked_ns;
	uint64_t pth_checked_ns;
	pid_t cpu_told[GSCORE_CPU_PIDS_MAX];
	size_t ncpu_told;

	uint64_t names[GSCORE_NAMES_MAX];       /* host names judged (hash of dist and name) */
	size_t nnames;

	char tmpdir[PATH_MAX];          /* $TMPDIR of the session, "" if none */
	uint64_t start_real_ns;          /* CLOCK_REALTIME at the start (birth times) */
	char home[PATH_MAX];            /* $HOME of the session, "" if none */

	/* install features: what was asked for, what got installed */
	char *requested[GSCORE_REQUESTED_MAX];
	size_t nrequested;
	unsigned ndirect;
	char *installed[GSCORE_INSTALLED_MAX];  /* NAME-VERSION of dist-info dirs written */
	size_t ninstalled;
	unsigned build_deps;            /* dist-info dirs written outside the target */
};

/* Add a finding (not a deny) with via as its frame; returns its index or -errno. */
int gscore_add(struct session *s, const struct proc *p, uint64_t ts, const char *via,
	       const char *rule, const char *fmt, ...) __attribute__((format(printf, 6, 7)));
const char *gscore_who(const struct proc *p, char *buf, size_t len);
bool gscore_is_toolchain(const struct proc *p);
/* Remember path as written by a compiler or linker. */
void gscore_remember_made(struct session *s, const char *path);

#endif
