/* SPDX-License-Identifier: MIT */
/*
 * Kernel records in words: names of kinds and operations, decoders for
 * what the records carry raw (DNS questions, clone and open flags,
 * syscall arguments), and the JSON body of each record in the audit log.
 * Everything here is pure: no session state, no I/O but the JSON writer.
 */
#ifndef SAFEPIP_KEVENT_H
#define SAFEPIP_KEVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bpf/sp_event.h"
#include "guard/jsonw.h"

#define DNS_NAME_MAX 256        /* a DNS name in dotted form, with its NUL */

const char *kevent_kind_name(unsigned kind);    /* "fork", "exec", ... ; "?" */
const char *fileop_name(unsigned op);           /* "rename", "unlink", ... */
const char *netop_name(unsigned op);            /* "socket", "bind", ... */
const char *tcp_state_name(unsigned state);     /* "ESTABLISHED", ... */

/*
 * The first question of a DNS message (len bytes): its name in dotted
 * form into out (outlen >= DNS_NAME_MAX is always enough) and its type.
 * Labels are escaped: bytes outside [A-Za-z0-9_-] become \DDD.  Returns 0,
 * -EINVAL for a malformed or truncated message, -ENOENT when it has no
 * question, -ENOSPC when out is too small.
 */
int dns_question(const uint8_t *msg, size_t len, char *out, size_t outlen, uint16_t *qtype);

/* "CLONE_VM|CLONE_NEWPID|..." of clone flags, "0" for none. */
void clone_flags_str(uint64_t flags, char *out, size_t outlen);

/* "read", "write", "read-write", plus "|create|truncate|append|..." */
void open_flags_str(uint32_t flags, char *out, size_t outlen);

/*
 * One line for a syscall record: its name and decoded arguments, e.g.
 * "kill(4242, SIGKILL) = 0", "prctl(PR_SET_NAME, \"x\") = 0".
 */
void sys_describe(const struct sp_sys *s, bool compat, char *out, size_t outlen);

/* Counters as JSON members: syscalls, patterns, opens by bucket, bytes, CPU. */
void kevent_stats_json(struct jw *w, const struct sp_stats *st);

/* The kind-specific members of the record's log line. */
void kevent_json(struct jw *w, const struct sp_event *e);

/* Render an address; "?" for a family without one. */
void format_addr(char *out, size_t len, unsigned family, const uint8_t *addr, unsigned port);

#endif
