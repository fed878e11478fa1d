/* SPDX-License-Identifier: MIT */
/*
 * What the kernel counted, summed per distribution and per session, in the
 * shape of DySec's install-time feature vector (RESEARCH.md) plus the
 * resources a live guard can also see.  Fed from exit records (each
 * process's counters), TCP state records and DNS records; read by the
 * scorer through kstats_features().
 *
 * Install features (dependency counts) are not the kernel's to know and
 * are not here.
 */
#ifndef SAFEPIP_KSTATS_H
#define SAFEPIP_KSTATS_H

#include <stddef.h>
#include <stdint.h>

#include "bpf/sp_event.h"

#define KSTATS_DISTS_MAX 4096   /* distributions counted separately */
#define KSTATS_SET_MAX 1024     /* distinct addresses or ports counted per set */

struct kstats;

struct ks_features {
	/* DySec filetop */
	uint64_t procs_reading;         /* processes that opened a file for reading */
	uint64_t procs_writing;         /* ... for writing */
	uint64_t bytes_read;            /* bytes read by syscalls (rchar) */
	uint64_t bytes_written;         /* bytes written by syscalls (wchar) */
	uint64_t procs_files;           /* processes that opened any file */
	/* DySec opensnoop: successful opens by directory bucket */
	uint64_t opens[SP_BK_MAX];
	/* DySec TCP */
	uint64_t tcp_transitions;
	uint64_t local_ips, remote_ips, local_ports, remote_ports;      /* distinct, capped */
	/* DySec syscall categories and patterns */
	uint64_t sys[SP_CAT_MAX];
	uint64_t ngram[SP_NG_MAX];
	/* resources and more */
	uint64_t procs;                 /* processes that exited */
	uint64_t execs;
	uint64_t forks, threads;
	uint64_t cpu_ns;
	uint64_t bytes_sent, bytes_recv;        /* inet sockets */
	uint64_t storage_read, storage_written; /* bytes to and from storage */
	uint64_t compat_sys;
	uint64_t dns_queries;
};

/* NULL with errno ENOMEM. */
struct kstats *kstats_new(void);
void kstats_free(struct kstats *ks);

/*
 * Account a process's counters (from its exit record) to dist (-1: none)
 * and the session.  Returns 0 or -ENOMEM / -E2BIG (dist beyond
 * KSTATS_DISTS_MAX: counted for the session only).
 */
int kstats_proc_exit(struct kstats *ks, int dist, const struct sp_stats *st);
int kstats_exec(struct kstats *ks, int dist);
int kstats_tcp(struct kstats *ks, int dist, const struct sp_tcp *t);
int kstats_dns(struct kstats *ks, int dist);

/*
 * The features of dist, or of the whole session for dist -1.  Returns 0,
 * or -ENOENT for a distribution with nothing counted (out is zeroed).
 */
int kstats_features(const struct kstats *ks, int dist, struct ks_features *out);

/* Number of distribution slots (indices 0 .. n-1 may have features). */
size_t kstats_ndists(const struct kstats *ks);

#endif
