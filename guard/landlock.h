/* SPDX-License-Identifier: MIT */
/*
 * Landlock for the install's process tree, applied by pip's child before
 * it executes pip, so that it holds for every process the install starts
 * and cannot be lifted by them.
 *
 *   signals  (Landlock ABI >= 6) the tree cannot signal processes outside
 *            itself, safe-pip included
 *   writes   (policy files.confine_writes, ABI >= 2) the tree may create,
 *            write, rename and remove files only beneath the write roots:
 *            the target environment, pip's temporary, cache, download,
 *            log and source directories, the files.allow_write entries
 *            (their literal leading directories), and write existing
 *            files under /dev
 *
 * Reads and executions are never restricted.
 */
#ifndef SAFEPIP_LANDLOCK_H
#define SAFEPIP_LANDLOCK_H

#include <stdbool.h>
#include <stddef.h>

struct session;

#define LL_ROOTS_MAX 256        /* write roots of one session */

struct ll_root {
	char *path;             /* resolved absolute path */
	bool dir;               /* a directory: everything beneath it */
	bool create;            /* names may be created and removed beneath it */
};

struct ll_plan {
	int abi;                /* the kernel's Landlock ABI, 0 without Landlock */
	int ruleset_fd;         /* the rules, applied in the child by ll_restrict() */
	bool writes;            /* writes are confined to the roots */
	bool signals;           /* signals are scoped to the tree */
	struct ll_root roots[LL_ROOTS_MAX];
	size_t nroots;
	char *created[LL_ROOTS_MAX];    /* made by safe-pip so that they can be roots */
	size_t ncreated;
};

/* The kernel's Landlock ABI version, 0 when Landlock is unavailable. */
int ll_abi(void);

/*
 * The plan for session s (policy, interpreter, pip's arguments).  Returns
 * 0 and *out (NULL when there is nothing to apply), or -errno with a
 * message in err: -EOPNOTSUPP when the policy confines writes and the
 * kernel cannot.
 */
int ll_plan_make(struct ll_plan **out, struct session *s, char *err, size_t errlen);
void ll_plan_free(struct ll_plan *p);

/*
 * In the child, after PR_SET_NO_NEW_PRIVS: restrict this process and all
 * it will start.  0 or -errno.
 */
int ll_restrict(const struct ll_plan *p);

/*
 * Would the tree be allowed to write path (resolved, absolute)?  creating:
 * a name is created or removed (needs a directory root above it).
 */
bool ll_allows_write(const struct ll_plan *p, const char *path, bool creating);

/* "landlock ABI 7: writes confined to 9 roots, signals scoped" */
void ll_describe(const struct ll_plan *p, int abi, char *buf, size_t len);

/* After a stopped install: remove what safe-pip created that is still empty. */
void ll_undo_created(struct ll_plan *p);

/*
 * The write destinations named by pip's arguments (--target, --prefix,
 * --root, --src, -d/--dest, -w/--wheel-dir, --cache-dir, --log, --report,
 * and local source directories), as fn(ctx, path, is_dir).  Exposed for
 * tests.
 */
void ll_pip_destinations(char *const *argv, int argc, void (*fn)(void *ctx, const char *path, bool dir),
			 void *ctx);

/* The literal leading directory of a path pattern (the components before the first wildcard), or NULL. */
char *ll_pattern_root(const char *pattern, bool *exact);

#endif
