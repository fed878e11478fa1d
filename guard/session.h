/* SPDX-License-Identifier: MIT */
/*
 * One guarded pip run: sensors, the process tree, findings and the verdict.
 *
 *   session_run()
 *     probe the interpreter, open the kernel sensor, make the session cgroup
 *     spawn pip held on a pipe; track it; release it
 *     event loop: ring buffer + signalfd; records -> monitor -> findings
 *     deny finding            => kill the tree, report, exit SP_EXIT_BLOCKED
 *     pip exits               => kill what is left (a finding), report, pip's status
 */
#ifndef SAFEPIP_SESSION_H
#define SAFEPIP_SESSION_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "bpf/sp_event.h"
#include "guard/cgroup.h"
#include "guard/cli.h"
#include "guard/dist.h"
#include "guard/jsonw.h"
#include "guard/proctab.h"
#include "guard/python.h"
#include "guard/spawn.h"

struct ksensor;
struct sp_policy;
struct shimsrv;
struct kstate;
struct gnet;
struct txn;
#include "guard/sensors.h"

struct ksensor;
struct sp_policy;
struct sn;
struct ll_plan;
struct gscore;

#define FINDING_WHAT_MAX 512

/* One piece of evidence against a distribution. */
struct finding {
	const char *rule;               /* stable rule id, e.g. "build-connect" */
	bool deny;                      /* a deny rule: stops the install at once */
	int points;                     /* score contribution */
	int dist;                       /* index in session.dists, -1 if none */
	pid_t pid;
	uint64_t ts_ns;                 /* when the kernel saw it */
	char what[FINDING_WHAT_MAX];    /* one line of evidence */
};

struct session {
	const struct options *opt;
	struct sp_policy *policy;       /* the effective policy (guard/gpolicy.c) */
	struct pyinfo py;
	struct ksensor *ks;
	struct shimsrv *shim;           /* the LD_PRELOAD shim's channel, NULL without */
	struct ks_opening *opening;     /* the sensor, loading while we start up */
	struct sp_cgroup cg;
	bool have_cgroup;
	struct txn *txn;                /* the install transaction (guard/txn.h) */
	/* without the kernel sensor: guard/sensors.h, guard/seccomp.h, guard/landlock.h */
	struct sensors sens;            /* what watches this session */
	struct sn *sn;                  /* the seccomp fallback, or NULL */
	struct ll_plan *ll;             /* Landlock for the tree, or NULL */

	struct proctab procs;
	struct dists dists;
	struct finding *findings;
	size_t nfindings, capfindings;

	struct spawn sp;                /* how the tree was started (guard/spawn.h) */
	pid_t root;                     /* our child: pip, or the init of pip's PID namespace */
	int root_status;
	bool root_done;
	bool root_reaped;               /* our child was waited for */
	int tty;                        /* terminal handed to pip's group, or -1 */
	pid_t tty_pgrp;                 /* our foreground group to restore */

	int epfd, sigfd;
	FILE *log;
	struct jw logw;

	struct kstate *kst;             /* kernel findings and counters (guard/kmon.h) */
	struct gnet *gnet;              /* kernel network rule ids -> policy entries */
	struct gscore *gsc;             /* live scores (guard/gscore.h) */

	bool blocked;                   /* a deny rule fired */
	int block_finding;              /* index of the finding that blocked */
	int interrupted;                /* signal that asked us to stop, 0 if none */
	uint64_t start_ns;
	uint64_t dead_ns;               /* when the tree was seen dead after a kill */
	unsigned nkilled;
	unsigned noutlived;
	uint64_t records;
};

/* Run the guarded pip command of opt.  Returns the exit status for safe-pip. */
int session_run(const struct options *opt);

/* Report which sensors can run here; 0 when the kernel sensor loads. */
int sensors_check(void);

/* monitor.c: one kernel record, in ring buffer order. */
int monitor_kernel_record(void *ctx, const struct sp_event *e);

/* Reap what has exited (we are the tree's subreaper); notes pip's status. */
void session_reap(struct session *s);

/* Give the terminal's foreground to pip's process group, as a shell would. */
void session_hand_terminal(struct session *s);

/*
 * Add a finding; returns its index or -ENOMEM.  The scorer gives it its
 * points, and stops the tree when its distribution reaches the threshold.
 */
int session_add_finding(struct session *s, const struct finding *f);

/* Process pid (command line cmd) was still running after pip exited: an outlived-pip finding. */
void session_add_outlived(struct session *s, pid_t pid, const char *cmd);


/* "elf-dynamic", "elf-static", "elf-unknown", "script" or "other" */
const char *exec_kind_name(uint32_t xflags);
const char *role_name(uint32_t role);

/* log.c: JSON Lines audit log (--log); all are no-ops when no log is open */
int log_open(struct session *s, const char *path);
void log_record(struct session *s, const struct sp_event *e, const struct proc *p);
void log_finding(struct session *s, const struct finding *f);
void log_verdict(struct session *s, int exit_status);
void log_close(struct session *s);
/*
 * A log line of another part of the guard: log_line_begin() opens an
 * object with "type" and "t" and returns the writer (NULL when there is no
 * log); log_line_end() closes the line.
 */
struct jw *log_line_begin(struct session *s, const char *type, uint64_t ts_ns);
void log_line_end(struct session *s);

/*
 * txn_session.c: the install transaction of the session.  open: recover,
 * prepare (0 or an exit status).  close: findings, then commit or abort;
 * returns the exit status to use.  report_txn: what was rolled back.
 */
int session_txn_open(struct session *s);
int session_txn_close(struct session *s, bool commit, int status);
void report_txn(const struct session *s);
void log_txn(struct session *s);        /* "transaction" member of the log's verdict */

/* report.c: what the user reads on stderr */
void report_sensors(const struct session *s);
void report_block(struct session *s);
void report_end(struct session *s, int exit_status);

#endif
