/* SPDX-License-Identifier: MIT */
/*
 * Syscall classes for the kernel sensor: DySec category and 3-gram token
 * per syscall number, native and (on x86-64) 32-bit compat; names of
 * categories, patterns and directory buckets for reports and logs.
 */
#ifndef SAFEPIP_SYSTAB_H
#define SAFEPIP_SYSTAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bpf/sp_event.h"

struct systab_entry {
	const char *name;
	int nr;                 /* native number, -1 if none on this architecture */
	int nr32;               /* i386 number, -1 if none */
	int twin;               /* i386-only calls: the native number they stand for */
	uint8_t cat;            /* enum sp_cat */
	uint8_t tok;            /* enum sp_tok */
};

extern const struct systab_entry systab[];
extern const size_t systab_len;

/*
 * Fill tab (n >= SP_SYSNR_MAX entries) for the native or the compat
 * syscall numbers.  Compat entries name the native number they stand for
 * (SP_NR_SOCKETCALL for socketcall).  Returns the entries set, or -EINVAL.
 */
int systab_build(bool compat, struct sp_sysclass *tab, size_t n);

/* Name of a native (or compat) syscall number, NULL if unknown. */
const char *systab_name(int nr, bool compat);

const char *sp_cat_name(unsigned cat);          /* "io", "file", ... */
const char *sp_ngram_name(unsigned i);          /* "newfstatat-openat-fstat", ... */
const char *sp_bucket_name(unsigned b);         /* "root", "tmp", ... */

#endif
