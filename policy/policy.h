/* SPDX-License-Identifier: MIT */
/*
 * The YAML policy library: loading, validating and layering policy files,
 * and answering questions against the merged ("effective") policy.
 *
 * A library: it never prints and never exits.  Functions returning int
 * return 0 (or a count) on success and -errno on failure; failures caused
 * by the input (a bad policy, a weakening of a locked layer) are -EINVAL
 * and are described in a struct sp_errors, each with file, line and column.
 * Pointer functions return NULL and set errno.
 *
 * Typical use (the guard):
 *
 *   struct sp_policy *p = sp_policy_new(&env);
 *   sp_policy_add_default(p, &err);                 embedded default
 *   sp_policy_add_standard(p, etc_dir, user, &err); /etc, policy.d, ~/.config
 *   sp_policy_add_file(p, path, &err);              each --policy FILE
 *   sp_policy_allow_cli(p, name, &err);             each --allow NAME
 *   sp_policy_set_index_hosts(p, hosts, n);         pip's configured index hosts
 *   ... sp_policy_match_*(), sp_policy_check_name() ...
 *   sp_policy_free(p);
 *
 * Schema version 1 is documented in safe-pip-policy(5).
 */
#ifndef SAFEPIP_POLICY_H
#define SAFEPIP_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SP_POLICY_VERSION 1

/* Limits on what a policy file may contain; each is enforced and tested. */
#define SP_POLICY_FILE_MAX (1u << 20)   /* bytes in one policy file */
#define SP_POLICY_DEPTH_MAX 16          /* nesting of YAML collections */
#define SP_POLICY_NODES_MAX 100000      /* YAML nodes in one file */
#define SP_POLICY_LIST_MAX 10000        /* items in one list */
#define SP_POLICY_STRING_MAX 4096       /* bytes in one scalar */
#define SP_POLICY_LAYERS_MAX 64         /* files merged into one policy */
#define SP_POLICY_ENTRIES_MAX 200000    /* list entries of all layers together */
#define SP_POLICY_THRESHOLD_MAX 1000000
#define SP_POLICY_WEIGHT_MAX 1000000

/* The name of the layer compiled into safe-pip, as errors and show name it. */
#define SP_POLICY_DEFAULT_NAME "(embedded default)"
/* The network token standing for pip's configured index hosts. */
#define SP_NET_INDEX_TOKEN "$pip-index"

/* ------------------------------------------------------------- errors */

#define SP_ERR_FILE_MAX 512
#define SP_ERR_MSG_MAX 768
#define SP_ERRORS_MAX 32

struct sp_error {
	char file[SP_ERR_FILE_MAX];     /* "" when not about a file */
	unsigned line, col;             /* 1-based; 0 when unknown */
	char msg[SP_ERR_MSG_MAX];       /* lower case, no full stop */
};

/*
 * The errors of one operation, in the order found.  Up to SP_ERRORS_MAX are
 * kept; dropped counts the rest.  Zero-initialise before use; the
 * functions append and never clear.
 */
struct sp_errors {
	struct sp_error v[SP_ERRORS_MAX];
	unsigned n;
	unsigned dropped;
};

/* "file:line:col: msg" (parts that are unknown left out), into buf. */
void sp_error_format(const struct sp_error *e, char *buf, size_t len);

/* ------------------------------------------------------------- policy */

enum sp_action { SP_ACT_NONE = 0, SP_ACT_ALLOW = 1, SP_ACT_DENY = 2 };
enum sp_mode { SP_MODE_ENFORCE = 0, SP_MODE_MONITOR = 1 };

/* The roles of network entries (bit 1 << role, as enum sp_role of bpf/sp_event.h). */
#define SP_PROLE_PIP 1
#define SP_PROLE_BUILD 2
#define SP_PROLES_ALL ((1u << SP_PROLE_PIP) | (1u << SP_PROLE_BUILD))

/* require: sensors that must be active */
#define SP_REQUIRE_KERNEL (1u << 0)
#define SP_REQUIRE_SHIM (1u << 1)
#define SP_REQUIRE_ENFORCING (1u << 2)  /* the kernel sensor or the seccomp fallback */
#define SP_REQUIRE_N 3

/* Where a setting or an entry was written.  file is owned by the policy. */
struct sp_loc {
	const char *file;
	unsigned line, col;
};

/* A list entry as matched: its text as written and where it came from. */
struct sp_entry {
	const char *text;
	struct sp_loc loc;
	unsigned layer;                 /* 0 = first layer added */
	enum sp_action action;
};

#define SP_HOMES_MAX 3

/*
 * What "~" means.  A "~/..." pattern stands for the same path under each
 * home given (the account's home from the password database, $HOME when it
 * differs, ...), so that a changed $HOME cannot move a deny away.
 * No home: "~" is an error.
 */
struct sp_policy_env {
	const char *homes[SP_HOMES_MAX];        /* NULL-terminated when fewer */
};

struct sp_policy;

/* An empty policy (no layers).  NULL with errno ENOMEM. */
struct sp_policy *sp_policy_new(const struct sp_policy_env *env);
void sp_policy_free(struct sp_policy *p);

/*
 * Parse buf (len bytes) as a policy named name and merge it as the next
 * layer.  On error (-EINVAL) the errors are appended to err and the policy
 * is left as it was before the call.  -E2BIG when the policy already has
 * SP_POLICY_LAYERS_MAX layers or entries.  After -ENOMEM from any
 * function the policy may only be freed.
 */
int sp_policy_add_yaml(struct sp_policy *p, const char *name, const char *buf, size_t len,
		       struct sp_errors *err);

/*
 * Read a policy file and merge it.  The file must be a regular file of at
 * most SP_POLICY_FILE_MAX bytes.  Errors as sp_policy_add_yaml(); an
 * unreadable file is -errno with an error naming it.
 */
int sp_policy_add_file(struct sp_policy *p, const char *path, struct sp_errors *err);

/* Merge the embedded default policy (policy/default.yaml). */
int sp_policy_add_default(struct sp_policy *p, struct sp_errors *err);

/* The embedded default policy's text (NUL-terminated, static). */
const char *sp_policy_default_yaml(size_t *len);

/*
 * Merge the standard layers that exist, in order: ETC/policy.yaml,
 * ETC/policy.d/\*.yaml (sorted by name, byte order), then user_file.  A
 * missing file or directory is skipped; anything else that cannot be read
 * is an error.  Either argument may be NULL.
 */
int sp_policy_add_standard(struct sp_policy *p, const char *etc_dir, const char *user_file,
			   struct sp_errors *err);

/*
 * --allow NAME: a layer of its own allowing one package entry (the syntax of
 * packages.allow).  An error after a locked layer, like any new allow.
 */
int sp_policy_allow_cli(struct sp_policy *p, const char *spec, struct sp_errors *err);

/*
 * The hosts SP_NET_INDEX_TOKEN stands for (lower case, no port).  Replaces
 * what was set before; the strings are copied.
 */
int sp_policy_set_index_hosts(struct sp_policy *p, char *const *hosts, size_t n);

/* ----------------------------------------------------------- settings */

struct sp_layer_info {
	const char *name;               /* file name, SP_POLICY_DEFAULT_NAME or "--allow" */
	bool locked;
	struct sp_loc lock_loc;         /* where locked: true was written */
};

unsigned sp_policy_nlayers(const struct sp_policy *p);
const struct sp_layer_info *sp_policy_layer(const struct sp_policy *p, unsigned i);

enum sp_mode sp_policy_mode(const struct sp_policy *p);
unsigned sp_policy_threshold(const struct sp_policy *p);
unsigned sp_policy_require(const struct sp_policy *p);          /* SP_REQUIRE_* */
/* Where a required sensor (one SP_REQUIRE_* bit) was first required, or NULL. */
const struct sp_loc *sp_policy_require_loc(const struct sp_policy *p, unsigned sensor);

/*
 * files.confine_writes: confine the writes of the install's processes to
 * the target environment, pip's temporary and cache directories and the
 * files.allow_write entries (Landlock).  *loc (may be NULL) gets where it
 * was set (file NULL: never set).
 */
bool sp_policy_confine_writes(const struct sp_policy *p, struct sp_loc *loc);

/*
 * The files.allow_write entries, in layer order: each entry's expanded
 * pattern (absolute, "**\/..." or a bare file name).  fn returns 0 to go
 * on, else its value is returned.
 */
int sp_policy_write_allows(const struct sp_policy *p,
			   int (*fn)(void *ctx, const char *pattern, const struct sp_entry *e),
			   void *ctx);

/* A scorer rule's settings.  id is one of policy/rules.def. */
struct sp_rule_conf {
	unsigned weight;
	unsigned cap;
	bool enabled;
	struct sp_loc weight_loc, cap_loc, enabled_loc;   /* file NULL: never set */
};

/* Settings of rule id; NULL (errno ENOENT) for an unknown id. */
const struct sp_rule_conf *sp_policy_rule(const struct sp_policy *p, const char *id);

struct sp_typosquat_conf {
	bool enabled;
	unsigned max_distance;
	unsigned popular_top_n;
};

const struct sp_typosquat_conf *sp_policy_typosquat(const struct sp_policy *p);

/* -------------------------------------------------------------- match */

/*
 * Each match function returns the deciding entry, or NULL when no entry
 * matches.  Among the matching entries the one of the latest layer
 * decides; within one layer a deny beats an allow.
 */

/*
 * packages: norm_name PEP 503-normalised or not (it is normalised here);
 * version NULL when unknown, in which case entries with a version
 * specifier do not match.
 */
const struct sp_entry *sp_policy_match_package(const struct sp_policy *p, const char *name,
					       const char *version);

/* files: path absolute; it is normalised lexically ("//", ".", ".."). */
const struct sp_entry *sp_policy_match_read(const struct sp_policy *p, const char *path);
const struct sp_entry *sp_policy_match_write(const struct sp_policy *p, const char *path);

/* exec: the executed file's path (absolute) or a bare name. */
const struct sp_entry *sp_policy_match_exec(const struct sp_policy *p, const char *path);

/*
 * network: a destination as a hostname (NULL if unknown) and/or an address
 * (family AF_INET/AF_INET6, addr in network byte order, NULL if unknown),
 * a port (0 if unknown: entries with ports then do not match) and the role
 * of the process (SP_PROLE_*).
 */
struct sp_net_query {
	const char *host;
	int family;
	const void *addr;
	unsigned port;
	unsigned role;
};

const struct sp_entry *sp_policy_match_net(const struct sp_policy *p, const struct sp_net_query *q);

/*
 * The address rules of the network section, for loading into the kernel:
 * entries that are addresses, CIDRs or "*" (any address, family 0), in
 * layer order.  fn returns 0 to go on, else its value is returned.
 */
struct sp_net_rule {
	int family;                     /* AF_INET, AF_INET6, or 0 for any address */
	uint8_t addr[16];               /* network byte order, host bits zero */
	unsigned prefixlen;
	unsigned port_lo, port_hi;      /* 0-65535 when the entry has no port */
	unsigned roles;                 /* bits 1 << SP_PROLE_* */
	enum sp_action action;
	const struct sp_entry *entry;
};

int sp_policy_net_rules(const struct sp_policy *p,
			int (*fn)(void *ctx, const struct sp_net_rule *r), void *ctx);

/*
 * The deny patterns of one list, for a fast pre-filter outside the policy
 * (the shim asks the supervisor only about calls that may match): every
 * deny entry of every layer, later allows notwithstanding, so the set is a
 * superset of what the policy denies.  Patterns are given as a consumer
 * without the policy's own matcher can use them:
 *   SP_LIST_READ, SP_LIST_WRITE: absolute path globs, ~ expanded, "**" kept
 *     ("*" matching "/" too over-approximates it); a bare file name "n" as
 *     "*\/n"; a "**\/..." pattern as "*\/...".
 *   SP_LIST_EXEC: as written (a bare name or a path glob).
 *   SP_LIST_HOST: host names and globs of network deny entries that apply
 *     to role; "*" when an entry denies every host.
 * fn returns 0 to go on, else its value is returned.
 */
enum sp_list { SP_LIST_READ, SP_LIST_WRITE, SP_LIST_EXEC, SP_LIST_HOST };

int sp_policy_deny_patterns(const struct sp_policy *p, enum sp_list list, unsigned role,
			    int (*fn)(void *ctx, const char *pattern, const struct sp_entry *e),
			    void *ctx);

/* Does any network allow entry apply to role (SP_PROLE_*)? */
bool sp_policy_net_allows_role(const struct sp_policy *p, unsigned role);

/* --------------------------------------------------------- name checks */

enum sp_name_verdict {
	SP_NAME_OK = 0,
	SP_NAME_ALLOWED,                /* an allow entry (or --allow) */
	SP_NAME_DENIED,                 /* a deny entry */
	SP_NAME_TYPOSQUAT,              /* looks like a much more popular name */
};

#define SP_PKGNAME_MAX 128

struct sp_name_check {
	enum sp_name_verdict verdict;
	const struct sp_entry *entry;   /* the deciding allow/deny entry, or NULL */
	char intended[SP_PKGNAME_MAX];     /* TYPOSQUAT: the popular name it resembles */
	unsigned intended_rank;         /* its rank in the popular list (1 = most popular) */
	unsigned rank;                  /* the checked name's rank, 0 if not listed */
	const char *why;                /* TYPOSQUAT: "edit distance 1", "prefix python-" ... */
};

/* What sp_policy_check_name() looks at besides the packages lists. */
enum sp_check_flags {
	SP_CHECK_TYPOSQUAT = 1 << 0,    /* a name typed for an index: the popular list too */
};

/*
 * Check a requested distribution name (and version when known) against the
 * packages lists and, when no entry decides, typosquat.enabled and flags
 * has SP_CHECK_TYPOSQUAT, against the popular-package list (loaded on
 * first use, hence the non-const policy; out->rank is filled only then).
 * Returns 0 and fills *out, -EINVAL for a name that is not a valid
 * distribution name, -ENOMEM, -EIO when the embedded popular list cannot
 * be read.
 */
int sp_policy_check_name(struct sp_policy *p, const char *name, const char *version,
			 unsigned flags, struct sp_name_check *out);

/*
 * Free the popular-package list once the names are checked (about 3 MB
 * while loaded); a later check loads it again.
 */
void sp_policy_unload_popular(struct sp_policy *p);

/* -------------------------------------------------------------- show */

/*
 * The effective policy as YAML, each setting and entry followed by a
 * comment naming the file and line it came from.  The text is valid
 * policy YAML.  Returns a malloc'd string (free it) or NULL (ENOMEM).
 */
char *sp_policy_show(const struct sp_policy *p);

/* ------------------------------------------------------------ helpers */

/* PEP 503 normalisation into out; false when in is not a valid name or too long. */
bool sp_name_normalize(const char *in, size_t len, char *out, size_t outlen);

#endif
