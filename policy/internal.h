/* SPDX-License-Identifier: MIT */
/*
 * Inside the policy library: the arena every policy allocates from, the
 * YAML node tree the loader builds, the layer and entry structures and the
 * lookup indexes.  Not installed, not for the guard.
 *
 * Resource idiom of policy/: one exit path per function ("goto out") with
 * NULL-safe destructors; memory of a policy comes from its arena and is
 * released at once by sp_policy_free().
 */
#ifndef SAFEPIP_POLICY_INTERNAL_H
#define SAFEPIP_POLICY_INTERNAL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "policy/pep440.h"
#include "policy/policy.h"
#include "policy/typosquat.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* ------------------------------------------------------------- arena */

struct arena_blk;

struct arena {
	struct arena_blk *head;
};

/* Zeroed memory, 16-byte aligned; NULL (errno ENOMEM). */
void *ar_alloc(struct arena *a, size_t size);
char *ar_strndup(struct arena *a, const char *s, size_t n);
char *ar_strdup(struct arena *a, const char *s);
char *ar_printf(struct arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void ar_free(struct arena *a);

/* A growable array of pointers, malloc-backed.  Destructor accepts zero. */
struct ptrvec {
	void **v;
	size_t n, cap;
};

int ptrvec_push(struct ptrvec *pv, void *x);
void ptrvec_free(struct ptrvec *pv);

/* ------------------------------------------------------------ errors */

/* Append an error; file may be NULL.  Returns -EINVAL for convenience. */
int perr(struct sp_errors *e, const char *file, unsigned line, unsigned col, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
int vperr(struct sp_errors *e, const char *file, unsigned line, unsigned col, const char *fmt,
	  va_list ap) __attribute__((format(printf, 5, 0)));

/*
 * Damerau-Levenshtein distance (optimal string alignment: insertions,
 * deletions, substitutions and adjacent transpositions) of a and b, or
 * max + 1 as soon as it is known to exceed max.  Strings up to 255 bytes;
 * longer ones return max + 1.
 */
unsigned osa_distance(const char *a, size_t al, const char *b, size_t bl, unsigned max);

/* The closest of names[0..n) to s when it is close enough for a hint, else NULL. */
const char *did_you_mean(const char *s, const char *const *names, size_t n);

/* ------------------------------------------------------------- YAML */

enum ynode_kind { Y_SCALAR, Y_SEQ, Y_MAP };

/*
 * One node of a loaded YAML document.  A map's items alternate key and
 * value (n counts both).  Scalars are NUL-terminated; plain tells an
 * unquoted scalar (the only kind that can be a number, bool or null).
 */
struct ynode {
	enum ynode_kind kind;
	bool plain;
	unsigned line, col;             /* 1-based, of the node's start */
	const char *str;                /* scalars */
	size_t len;
	struct ynode **items;           /* sequences and maps */
	size_t n;
};

/*
 * Parse buf as one YAML document of at most the SP_POLICY_* limits into a
 * tree allocated from a.  Refuses aliases, anchors, tags, several
 * documents, duplicate keys, non-scalar keys, invalid UTF-8 and empty
 * input.  Returns the root, or NULL after appending to err (errno EINVAL,
 * ENOMEM).
 */
struct ynode *yaml_load(struct arena *a, const char *file, const char *buf, size_t len,
			struct sp_errors *err);

/* ----------------------------------------------------- entries, layers */

enum entry_kind {
	EK_PACKAGE,
	EK_NET,
	EK_READ,                        /* files.deny_read */
	EK_WRITE,                       /* files.deny_write / allow_write */
	EK_EXEC,
	EK_MAX,
};

enum net_kind {
	NK_ANY,                         /* "*": any host and any address */
	NK_HOST,                        /* exact hostname */
	NK_HOST_GLOB,                   /* hostname with '*' */
	NK_ADDR,                        /* address or CIDR */
	NK_INDEX,                       /* SP_NET_INDEX_TOKEN */
};

struct pentry {
	struct sp_entry e;              /* public part, first */
	enum entry_kind kind;
	union {
		struct {
			const char *name;       /* PEP 503-normalised */
			struct pep440_specset spec;     /* n == 0: any version */
		} pkg;
		struct {
			enum net_kind nk;
			const char *host;       /* NK_HOST, NK_HOST_GLOB: lower case */
			int family;
			uint8_t addr[16];
			unsigned prefixlen;
			unsigned port_lo, port_hi;
			unsigned roles;
		} net;
		struct {
			const char *glob;       /* expanded: absolute, or a bare file name */
			bool name_only;         /* no '/': matches the last component */
		} path;
	} u;
};

struct layer {
	struct arena ar;                /* everything of this layer, its YAML tree too */
	struct sp_layer_info info;
	/* Settings this layer sets (has_*), with their location. */
	bool has_mode, has_threshold, has_version;
	enum sp_mode mode;
	unsigned threshold;
	struct sp_loc mode_loc, threshold_loc;
	unsigned require;
	struct sp_loc require_loc[SP_REQUIRE_N];
	bool has_confine, confine;      /* files.confine_writes */
	struct sp_loc confine_loc;
	struct ptrvec entries;          /* struct pentry *, in file order */
	struct layer_rule *rules;       /* per rule, what this layer sets */
	bool has_ts_enabled, has_ts_dist, has_ts_topn;
	struct sp_typosquat_conf ts;
	struct sp_loc ts_enabled_loc, ts_dist_loc, ts_topn_loc;
};

struct layer_rule {
	bool has_weight, has_cap, has_enabled;
	unsigned weight, cap;
	bool enabled;
	struct sp_loc weight_loc, cap_loc, enabled_loc;
};

/*
 * Convert a loaded document into a layer (allocated from a).  home
 * expansion from env.  Returns 0, or -EINVAL after appending to err
 * (every schema error found, up to the error limit).
 */
int schema_layer(struct arena *a, const struct sp_policy_env *env, const char *file,
		 const struct ynode *root, struct layer *out, struct sp_errors *err);

/* Parse one packages entry ("name", "name>=1,<2") into pe (kind, u.pkg). */
int schema_package_entry(struct arena *a, const char *s, struct pentry *pe, char *why,
			 size_t whylen);

/* ------------------------------------------------------------- rules */

struct rule_def {
	const char *id;
	const char *desc;
};

extern const struct rule_def sp_rule_defs[];
extern const size_t sp_nrules;

/* Index of rule id, or -1. */
int rule_index(const char *id);

/* ------------------------------------------------------------ glob, net */

/* Path glob: '*' and '?' within a component, "**" a whole component. */
bool glob_path_match(const char *pat, const char *path);
/* Flat glob ('*' matches any run, '?' one byte), for hosts and names. */
bool glob_flat_match(const char *pat, const char *s);

/*
 * Parse a network entry's destination ("host", "*.example.com:443",
 * "10.0.0.0/8", "[::1]:80-90", "*:4444", SP_NET_INDEX_TOKEN) into pe->u.net
 * (roles untouched).  Returns 0 or -EINVAL with why filled in.
 */
int net_parse(struct arena *a, const char *s, struct pentry *pe, char *why, size_t whylen);

/* Lexically normalise an absolute path into out; false if too long or relative. */
bool sp_path_normalize(const char *in, char *out, size_t outlen);

/* ---------------------------------------------------------- the policy */

struct hmap;

struct sp_policy {
	struct arena ar;
	struct sp_policy_env env;
	struct layer *layers[SP_POLICY_LAYERS_MAX];
	unsigned nlayers;
	size_t nentries;

	/* effective settings */
	enum sp_mode mode;
	struct sp_loc mode_loc;
	unsigned threshold;
	struct sp_loc threshold_loc;
	unsigned require;
	bool confine;                   /* files.confine_writes */
	struct sp_loc confine_loc;
	struct sp_rule_conf *rules;     /* sp_nrules */
	struct sp_typosquat_conf ts;
	struct sp_loc ts_enabled_loc, ts_dist_loc, ts_topn_loc;

	/* indexes over the entries of all layers */
	struct hmap *pkg_by_name;       /* name -> entries */
	struct hmap *host_exact;        /* host -> entries */
	struct hmap *host_suffix;       /* ".example.com" -> "*.example.com" entries */
	struct ptrvec host_globs;       /* other host globs */
	struct ptrvec net_any;          /* "*": any host, any address */
	struct ptrvec index_entries;    /* NK_INDEX */
	uint8_t addr_plens4[33], addr_plens6[129];      /* prefix lengths in use */
	struct hmap *addr_by_prefix;    /* "family/plen/masked addr" -> entries */
	struct hmap *path_by_dir[EK_MAX];       /* literal dir prefix -> entries */
	struct hmap *name_exact[EK_MAX];        /* bare file names -> entries */
	struct ptrvec name_globs[EK_MAX];       /* bare file-name globs */
	char **index_hosts;
	size_t nindex_hosts;
	struct sp_popular *popular;     /* loaded on first use */
};

/* Put the entries of a newly merged layer into the indexes. */
int index_layer(struct sp_policy *p, const struct layer *l);
int index_entry(struct sp_policy *p, struct pentry *pe);
void index_free(struct sp_policy *p);

/* A string -> ptrvec hash map (keys copied into the arena). */
struct hmap *hmap_new(void);
void hmap_free(struct hmap *m);
int hmap_add(struct hmap *m, struct arena *a, const char *key, size_t klen, void *val);
const struct ptrvec *hmap_get(const struct hmap *m, const char *key, size_t klen);

/* The entry deciding among candidates: latest layer, deny before allow. */
static inline bool entry_beats(const struct sp_entry *a, const struct sp_entry *b)
{
	if (!b)
		return true;
	if (a->layer != b->layer)
		return a->layer > b->layer;
	return a->action == SP_ACT_DENY && b->action != SP_ACT_DENY;
}

#endif
