/* SPDX-License-Identifier: MIT */
/*
 * Correlation of what the kernel saw with what the shim reported.
 *
 * A process "carries the shim" when its current image is a dynamically
 * linked ELF exec'd with the shim first in LD_PRELOAD (the kernel's exec
 * record says so), and the shim of that image said hello.  A fork child
 * inherits its parent's state.  For such a process, every exec, inet
 * connect and file write the kernel sees must be preceded by a shim report
 * of the same action from the same thread; otherwise the shim was bypassed
 * (raw syscall, closed channel, a library that does not go through libc).
 *
 * Ordering.  The shim reports before it makes the call, and reports are
 * queued in the order they are sent: so once the supervisor has read a
 * report newer than the kernel's record (or the channel is empty), every
 * report sent before the action is in, and the one about it, if any, is
 * the latest of its thread's (shimsrv reads the channel that far and no
 * further: the kernel's records set the pace).  Each
 * thread keeps its notes until a kernel record of that thread shows them
 * old (the kernel's records of a thread come in order); at most
 * CORR_RING_MAX per thread and CORR_NOTES_MAX in all.  When a note that
 * mattered had to be dropped, the answer is CORR_UNKNOWN, never a guess.
 *
 * What libc does internally (past the PLT, so never reported) is
 * explained by the record of the call that caused it: a name lookup
 * explains the resolver's connects, posix_spawn/system/popen explain the
 * exec (and file actions) of the child they create, tmpfile/mkstemp/
 * sem_open the files they create; a few device files (/dev/null, ttys)
 * are written by libc on its own and never count.
 *
 * Memory is bounded: at most CORR_THREADS_MAX threads are followed at once
 * (others get CORR_UNKNOWN), and a process's state goes with its exit.
 */
#ifndef SAFEPIP_SHIMCORR_H
#define SAFEPIP_SHIMCORR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "preload/shim_proto.h"

#define CORR_RING_MIN 16
#define CORR_RING_MAX 4096
#define CORR_NOTES_MAX 32768
#define CORR_VIAS 4
#define CORR_THREADS_MAX 1024
#define CORR_KEY_MAX 96
#define CORR_VIA_MAX 192

/* What the correlation keeps of one shim record (small: a ring per thread). */
struct corr_note {
	uint64_t ts;
	uint64_t key_hash;              /* of the key's first SHIM_PATH_MAX - 1 bytes */
	uint32_t key_len;
	uint16_t kind;                  /* enum shim_kind */
	uint16_t call;                  /* enum shim_call */
	uint32_t flags;                 /* SHIM_F_* */
	uint16_t family, port;          /* connect */
	uint8_t addr[16];
	char key[CORR_KEY_MAX];         /* exec: base name; file, dns: the key's last bytes */
};

/* A note that explains a kernel action, with its attribution. */
struct corr_match {
	struct corr_note note;
	char via[CORR_VIA_MAX];         /* "setup.py:12 in run -> socket.connect" or "" */
};

enum corr_verdict {
	CORR_NONE = 0,          /* the process does not carry the shim: nothing expected */
	CORR_MATCHED,           /* the shim reported it */
	CORR_EXPLAINED,         /* done by libc on behalf of a reported call, or harmless */
	CORR_BYPASS,            /* the shim runs here and did not report it */
	CORR_NOSHIM,            /* the shim should run in this image and never started */
	CORR_UNKNOWN,           /* cannot tell: records lost or history overflowed */
};

struct corr_via {
	uint64_t ts;                    /* of the note it belongs to */
	char via[CORR_VIA_MAX];
};

struct corr_thread {
	pid_t tid;
	struct corr_note *ring;         /* the notes, oldest first from head */
	unsigned cap, head, count;
	uint64_t lost_ts;               /* newest note dropped for room, 0 if none */
	unsigned via_next;
	struct corr_via vias[CORR_VIAS]; /* attribution of the last exec/connect notes */
	struct corr_thread *next;
};

struct corr_proc {
	pid_t pid;
	bool expect;                    /* the current image should carry the shim */
	bool noshim_told;               /* CORR_NOSHIM given once for this image */
	bool overflow;                  /* a thread of it could not be followed */
	uint64_t exec_ts;               /* start of the current image (0: not seen) */
	uint64_t hello_ts;              /* last hello from this process */
	uint32_t dropped;               /* highest count of lost records it reported */
	bool has_spawn;                 /* spawn: what its creator said it would run */
	struct corr_match spawn;
	struct corr_thread *threads;
	struct corr_proc *next;
};

struct corr {
	struct corr_proc **buckets;
	size_t nbuckets;
	size_t nprocs;
	size_t nthreads;
	size_t nslots;                  /* note slots allocated, all threads */
	uint64_t untracked_threads;     /* notes of threads beyond CORR_THREADS_MAX */
};

int corr_init(struct corr *c);
void corr_free(struct corr *c);

/* Turn a record into a note. */
void corr_note_from(struct corr_note *n, const struct shim_rec *r);

/*
 * A shim record (as a note) from process pid, thread tid; dropped: the
 * sender's count of records it could not send.  Returns by how much that
 * count grew (records lost since the last one seen).
 */
uint32_t corr_add(struct corr *c, pid_t pid, pid_t tid, const struct corr_note *n,
		  const char *via, uint32_t dropped);

/* Kernel: thread tid of parent created child at ts. */
void corr_fork(struct corr *c, pid_t parent, pid_t tid, pid_t child, uint64_t ts);

/*
 * Kernel: process pid (thread tid) executed filename at ts.  Judges the
 * exec against the image that made it, then starts the new image:
 * expect_shim says whether the new one should carry the shim.  *match gets
 * a copy of the note that explains it (zeroed when none); likewise below.
 */
enum corr_verdict corr_exec(struct corr *c, pid_t pid, pid_t tid, uint64_t ts,
			    const char *filename, bool expect_shim, struct corr_match *match);

/* Kernel: an inet connect. */
enum corr_verdict corr_connect(struct corr *c, pid_t pid, pid_t tid, uint64_t ts,
			       unsigned family, const uint8_t *addr, unsigned port,
			       struct corr_match *match);

/* Kernel: an open for writing of path (as passed). */
enum corr_verdict corr_open(struct corr *c, pid_t pid, pid_t tid, uint64_t ts, const char *path,
			    struct corr_match *match);

/* Kernel: the process exited at ts; forget it (not what a successor said). */
void corr_exit(struct corr *c, pid_t pid, uint64_t ts);

/* Does the current image of pid carry a live shim? */
bool corr_live(struct corr *c, pid_t pid);

/*
 * Does a mkstemp template ("...XXXXXX" + suffix, its tail kept in tmpl)
 * match a created file's path?  The base names are compared, X matching
 * any byte.
 */
bool corr_template_match(const char *tmpl, const char *name);

/* The hash notes keep of a key. */
uint64_t corr_hash(const char *key, size_t *len);

#endif
