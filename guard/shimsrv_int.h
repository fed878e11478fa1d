/* SPDX-License-Identifier: MIT */
/* Internals of the supervisor's shim side: shimsrv.c, shimkern.c, shimlog.c. */
#ifndef SAFEPIP_SHIMSRV_INT_H
#define SAFEPIP_SHIMSRV_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "guard/decide.h"
#include "guard/shimcorr.h"
#include "guard/shimsrv.h"
#include "preload/shim_proto.h"

#define SHIM_PARKED_MAX 1024            /* questions waiting for the kernel's records */
#define SHIM_PENDING_MAX 1024           /* reports waiting for them */
#define SHIM_NAMES_MAX 256              /* addresses remembered with their host name */
#define SHIM_DRAIN_MAX 4096             /* records read per drain */
#define SHIM_BATCH 64                   /* records read per wake-up of the event loop */
#define SHIM_FINDINGS_PER_RULE 256      /* shim findings kept per rule, the rest counted */
#define SHIM_EVIDENCE_MAX 320

struct shim_parked {
	struct shim_rec rec;
	pid_t pid;
	int fd;                         /* where the verdict goes */
};

struct shim_name {
	uint16_t family;
	uint8_t addr[16];
	char host[SHIM_HOST_MAX];
};

enum shim_rule_slot { RS_BYPASS, RS_SCRUB, RS_OTHER, RS_N };

struct shimsrv {
	char *preload;                  /* the shim, as put in LD_PRELOAD */
	int fd;                         /* our end: non-blocking, SO_PASSCRED */
	int child_fd;                   /* the tree's end, until spawned */
	int cfg_fd;                     /* sealed configuration memfd, until spawned */
	bool eof;                       /* every writer is gone */
	unsigned long long unsaved;     /* writes refused: the transaction could not save the file */
	uint64_t token;
	char token_hex[17];
	struct decider decide;
	struct corr corr;

	struct shim_parked *parked;
	unsigned nparked;
	struct shim_parked *pending;    /* ring of reports read, not yet logged (fd -1) */
	unsigned pending_head, npending;

	struct shim_name names[SHIM_NAMES_MAX];
	unsigned nnames, names_next;

	/* the correlation of the kernel record being handled */
	bool cur_valid;
	uint64_t cur_ts;
	uint32_t cur_tid;
	struct corr_match cur;
	bool drain_incomplete;          /* the last drain stopped at its bound */
	uint64_t newest_ts;             /* of the reports read so far */

	uint64_t received, bad, lost, asks, denied, undecidable;
	uint64_t by_kind[SHIM_EV_KIND_MAX];
	uint64_t by_call[SHIM_CALL_MAX];
	uint64_t verdicts[CORR_UNKNOWN + 1];
	unsigned rule_count[RS_N];
	uint64_t rule_dropped[RS_N];
	bool warned_missing;
	bool finished;
};

/*
 * shimsrv.c: read what is queued (at most max records; then
 * drain_incomplete is set).  Questions are parked, never answered here:
 * this also runs inside the ring buffer callback.  0 or -errno.
 */
int shim_drain(struct session *s, unsigned max);
/*
 * Read until a report newer than ts is in, or the channel is empty
 * (drain_incomplete when the bound stopped it).  Reports are queued in
 * the order they are sent and each is sent before the call it reports:
 * once one newer than ts is read, so is every report sent before ts.
 */
int shim_drain_until(struct session *s, uint64_t ts);
/* Add a finding of a shim rule, within the per-rule cap; -1 when dropped. */
int shim_finding(struct session *s, enum shim_rule_slot slot, const char *rule, bool deny,
		 pid_t pid, int dist, uint64_t ts, const char *what);
/* The host an address was looked up under, or NULL. */
const char *shim_name_of(const struct shimsrv *ss, unsigned family, const uint8_t *addr);

/* shimlog.c: rendering and the JSON log */
void shim_render_via(const struct shim_rec *r, char *out, size_t len);
void shim_render_action(const struct shimsrv *ss, const struct shim_rec *r, char *out,
			size_t len);
/* "<via> -> <action>", or the action alone */
void shim_render_evidence(const struct shimsrv *ss, const struct shim_rec *r, char *out,
			  size_t len);
void shim_log_record(struct session *s, const struct shim_rec *r, pid_t pid,
		     const char *verdict);
void shim_log_summary(struct session *s);

#endif
