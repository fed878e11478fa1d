/* SPDX-License-Identifier: MIT */
/*
 * Encoding and decoding of shim records (preload/shim_proto.h), shared by
 * the shim and the supervisor.  Everything here is async-signal-safe: no
 * allocation, no locks, no stdio, no locale; it only reads and writes the
 * buffers it is given, within the sizes it is given.
 */
#ifndef SAFEPIP_SHIM_ENC_H
#define SAFEPIP_SHIM_ENC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "preload/shim_proto.h"

/*
 * Copy src into dst (size bytes, always NUL-terminated when size > 0).
 * Returns true when src did not fit.  src NULL copies "".
 */
bool shim_copy(char *dst, size_t size, const char *src);

/* Same, keeping the end of src when it does not fit ("...tail"). */
bool shim_copy_tail(char *dst, size_t size, const char *src);

/*
 * Pack argv (NULL-terminated) as NUL-separated strings into buf.  Sets
 * *argc to the number of arguments, *trunc when not all fitted (a cut
 * argument is kept NUL-terminated).  Returns the bytes used.  argv NULL
 * packs nothing.
 */
uint32_t shim_pack_argv(char *buf, size_t size, char *const argv[], uint32_t *argc,
			bool *trunc);

/* open(2) flags equivalent to an fopen() mode ("r", "wb", "a+e", ...). */
int shim_fopen_flags(const char *mode);

/* Do open(2) flags ask for write access (or creation, truncation)? */
bool shim_flags_write(int flags);

/*
 * Make path absolute against base (the working directory or a directory
 * fd's path; ignored when path is absolute) and normalise it lexically:
 * no "//", "/./" or "/../" (".." at the root stays at the root), no
 * trailing '/'.  Symlinks are not resolved.  Returns the length written to
 * out, or 0 when the result does not fit in size bytes or an argument is
 * empty.
 */
size_t shim_normalize(const char *base, const char *path, char *out, size_t size);

/*
 * Glob match: '*' matches any run of bytes, '/' included; every other
 * byte matches itself (ASCII case folded when icase).  No recursion, and
 * at most O(len(pat) * len(s)) steps.
 */
bool shim_glob(const char *pat, const char *s, bool icase);

/* Number of leading bytes of pat before its first '*'. */
uint32_t shim_glob_prefix(const char *pat);

/* Is the program path (its base name) one the configuration asks about? */
bool shim_cfg_wants_exec(const struct shim_cfg *cfg, const char *path);

/* Is the host name (case-insensitive, trailing dot ignored) asked about? */
bool shim_cfg_wants_host(const struct shim_cfg *cfg, const char *host);

/* Does an access (SHIM_ACC_*) to abspath need a question? */
bool shim_cfg_wants_path(const struct shim_cfg *cfg, const char *abspath, uint32_t access);

/* Does the configuration have path rules for this access at all? */
bool shim_cfg_has_paths(const struct shim_cfg *cfg, uint32_t access);

/*
 * Check a configuration read from the memfd: magic, version, size, token
 * and every count and string within bounds.  Returns 0 or -EINVAL.
 */
int shim_cfg_check(const struct shim_cfg *cfg, size_t size, uint64_t token);

/*
 * LD_PRELOAD in an environment (NULL-terminated "NAME=value" strings):
 * does it start with the shim path self (self_len bytes, followed by the
 * end or a separator)?
 */
enum shim_env_state shim_env_preload(char *const envp[], const char *self, size_t self_len);

/* Parse a decimal fd ("17") or a 16-digit hex token; -1 / false on junk. */
int shim_parse_fd(const char *s);
bool shim_parse_token(const char *s, uint64_t *out);

/*
 * Check a record received by the supervisor: size, magic, version, token,
 * kind and call within range.  Returns 0 or -EPROTO / -EBADMSG / -EACCES
 * (wrong token).  On success, every string of the record is forced to be
 * NUL-terminated (the record is modified), and counts are clamped.
 */
int shim_rec_check(struct shim_rec *r, size_t len, uint64_t token);

/* Names for logs: "execve", "connect" ...; "?" when out of range. */
const char *shim_call_name(uint32_t call);
const char *shim_kind_name(uint32_t kind);

#endif
