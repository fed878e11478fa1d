/* SPDX-License-Identifier: MIT */
/*
 * The supervisor's side of the LD_PRELOAD shim (preload/):
 *
 *   shimsrv_open()          find the shim, make the channel (a SOCK_SEQPACKET
 *                           pair) and the sealed configuration memfd
 *   shimsrv_child_setup()   in pip's process before exec: LD_PRELOAD, the fds
 *                           and their numbers in the environment
 *   shimsrv_consume()       the channel is readable: records -> process table,
 *                           log, findings; questions are parked ...
 *   shimsrv_after_events()  ... and answered once the kernel's records up to
 *                           now are in (a process's role changes at exec)
 *   shim_on_kernel_record() every kernel record first goes through the
 *                           correlation (guard/shimcorr.h): shim-bypass,
 *                           env-scrub
 *   shimsrv_finish()        the tree is dead: read what is left, summarise
 *
 * The sender of a record is known from SCM_CREDENTIALS, never from the
 * record.  Decisions come from guard/decide.h.
 *
 * The shim is found at SAFE_PIP_PRELOAD (read with secure_getenv; "off"
 * disables it, with a warning), else at its installed path.  Without it
 * the session runs with the kernel sensor only and says so.
 */
#ifndef SAFEPIP_SHIMSRV_H
#define SAFEPIP_SHIMSRV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bpf/sp_event.h"
#include "guard/proctab.h"
#include "preload/shim_proto.h"

struct session;
struct shimsrv;

/* Seconds a shim waits for an answer before failing the call (closed). */
#define SHIM_ASK_TIMEOUT_MS_DEFAULT 5000
/* How long a send may block on a full channel before the record is counted lost. */
#define SHIM_SEND_TIMEOUT_MS 5000

/*
 * Prepare the shim for session s (sets s->shim, NULL when the shim is off
 * or missing: a warning says so).  Returns 0, or -errno on a failure that
 * must stop the session (out of memory, no sockets); the message is
 * printed.
 */
/*
 * The shim's path: SAFE_PIP_PRELOAD, else the installed one.  Newly
 * allocated, or NULL (errno 0: disabled by SAFE_PIP_PRELOAD=off; else
 * unusable) with *why saying why.
 */
char *shimsrv_find(const char **why);

int shimsrv_open(struct session *s);
void shimsrv_close(struct session *s);

/* safe-pip sensors: one line saying whether the shim can be used, and where. */
void shimsrv_print_available(void);

/* The shim's path as put first in LD_PRELOAD, or NULL without a shim. */
const char *shimsrv_preload(const struct session *s);
/* ", shim (LD_PRELOAD)" or ", no shim" for the sensors line. */
const char *shimsrv_label(const struct session *s);
/* The channel to poll, or -1. */
int shimsrv_fd(const struct session *s);

/*
 * In pip's process, between fork and exec: put the channel and the
 * configuration on high fds without FD_CLOEXEC, name them in the
 * environment with the token, and prepend the shim to LD_PRELOAD.
 * Returns 0 or -errno.
 */
int shimsrv_child_setup(struct session *s);
/* In the supervisor after the fork: drop its copies of the child's fds. */
void shimsrv_spawned(struct session *s);

/* The channel is readable.  Returns 0 or -errno (a failure of the channel). */
int shimsrv_consume(struct session *s);
/* After each round of events: answer the questions parked meanwhile. */
void shimsrv_after_events(struct session *s);
/* The tree is dead: read what is left, resolve, log the summary.  Idempotent. */
void shimsrv_finish(struct session *s);

/*
 * monitor.c: called for every kernel record before it is handled (p may
 * be NULL for a fork record).  Reads the channel first, so that every
 * report the shim sent before the action is in.
 */
void shim_on_kernel_record(struct session *s, const struct proc *p, const struct sp_event *e);

/*
 * monitor.c: the shim's side of a kernel connect record: the Python frame
 * and audit event that led to it ("setup.py:12 in <module> -> socket.connect",
 * "" when unknown) into via, and the host name the address was looked up
 * under appended to dst (" [host]") when known.
 */
void shim_connect_context(struct session *s, const struct sp_event *e, char *via, size_t vlen,
			  char *dst, size_t dlen);

#endif
