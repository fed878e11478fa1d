/* SPDX-License-Identifier: MIT */
/*
 * Inside the install transaction: shared by guard/txn.c (lifecycle),
 * guard/stage.c (staged mode), guard/manifest.c (journaled mode) and
 * guard/recover.c.  The finishing functions (commit, discard, rollback)
 * work from the journal alone, so that recovery runs the very same code
 * as a live session.
 */
#ifndef SAFEPIP_TXN_INT_H
#define SAFEPIP_TXN_INT_H

#include "guard/journal.h"
#include "guard/txn.h"
#include "guard/txn_plan.h"

#define TXN_OUTSIDE_MAX 1024            /* outside writes remembered from kernel records */
#define TXN_MADE_MAX 65536              /* what builds made where nothing stages it (txn_made.c) */
#define TXN_FINDINGS_MAX 32             /* write-outside-target findings listed one by one */

struct manifest;

/* Run-time state of journal root i. */
struct txn_root_rt {
	dev_t dev;                      /* file system of the root */
	bool area_same_fs;              /* the work area can take renames and links from it */
	struct manifest *man;           /* journaled: the manifest, while the session lives */
};

struct outside_write {
	char *path;
	pid_t pid;
	int dist;
	uint32_t role;          /* enum sp_role of the writer */
};

enum made_kind {
	MADE_FILE,              /* a file or link the build created: removed */
	MADE_DIR,               /* a directory it made: removed when empty */
	MADE_TREE,              /* a tree it moved out of its build tree: removed whole */
	MADE_MOVED,             /* something there before, moved from `from`: put back */
	MADE_SWAPPED,           /* two names exchanged (RENAME_EXCHANGE): exchanged back */
};

/* What a build did where no transaction keeps it (/tmp, /srv...): txn_made.c. */
struct made_file {
	char *path;             /* where the object is now */
	char *from;             /* MOVED, SWAPPED: where it was */
	uint32_t kdev;          /* as the kernel keeps it (kernel_dev()) */
	ino_t ino;              /* the object at path */
	ino_t ino2;             /* SWAPPED: the object at from */
	uint32_t next;          /* hash chain: index + 1, 0 ends it */
	uint8_t kind;           /* enum made_kind */
	bool undone;
};

struct txn {
	struct journal j;               /* what the disk says */
	struct txn_plan plan;
	struct txn_config cfg;
	char *state_dir;
	char *sessdir;                  /* STATE/txn/ID */
	int sess_fd;                    /* its O_DIRECTORY fd */
	int lock_fd;                    /* STATE/txn/ID/lock, flock()ed */
	int *tlocks;                    /* target locks held */
	size_t ntlocks;
	struct txn_root_rt *rt;         /* parallel to j.roots */
	int ns_fd;                      /* staged: the mount namespace, -1 if none */
	char *interp;                   /* the interpreter binary, bound read-only inside */
	char *stdlib;                   /* its standard library (real path), or NULL */
	char **outside;                 /* where writes are findings (home, /etc, /usr, /opt) */
	size_t noutside;
	struct outside_write *ow;
	size_t now;
	uint64_t now_dropped;
	struct made_file *made;         /* undone by an abort, newest first */
	size_t nmade, made_cap;
	uint32_t *made_buckets;         /* made[] by path */
	uint64_t made_scanned;          /* entries visited following renamed directories */
	uint64_t made_dropped;          /* not remembered (TXN_MADE_MAX, memory) */
	uint64_t made_unfollowed;       /* renamed directories whose entries did not follow */
	struct txn_result res;
	bool finished;
};

/* ---- txn.c */

/* Kill ourselves with SIGKILL at the n-th pass through point (SAFE_PIP_FAULT=point[:n]). */
void txn_fault(const char *point);

/* Note a path left different from before. */
void txn_lost(struct txn_result *res, const char *path);

/* Save the journal with a new state. */
int txn_set_state(struct txn *t, enum txn_state st);

/*
 * Remove every directory the session made (work areas, TMPDIR, created
 * mount points left empty) and finally the session directory.
 */
int txn_cleanup(const struct journal *j, const char *sessdir);
int txn_cleanup_dirs(const struct journal *j);

/* A created root is gone again: its parent gets back the times it had. */
void txn_restore_parent_times(const struct jroot *root);

/* Add a root for a canonical path (its topmost missing ancestor, created, if absent). */
int txn_add_root(struct txn *t, enum jroot_kind kind, const char *path);

/* Forget all roots (after a mode's prepare failed and cleaned up). */
void txn_drop_roots(struct txn *t);

/* pip's own outputs and its private TMPDIR: the session's, not a build's drop. */
bool txn_session_place(const struct txn *t, const char *abs);

/* Is a write to abs a finding: in home, /etc, /usr, /opt; not pip's outputs or TMPDIR. */
bool txn_is_outside(const struct txn *t, const char *abs);

/* The kernel's record of a write to abs outside the target, or NULL. */
const struct outside_write *txn_outside_record(const struct txn *t, const char *abs);

/* ---- txn_made.c */

/* A file a build's open created where nothing stages it (kernel device and inode). */
void txn_made_created(struct txn *t, const char *abs, uint32_t kdev, ino_t ino);

/* Abort, before the roots roll back: moves into a root are undone first. */
void txn_made_undo_into_roots(struct txn *t);

/* Abort, after the roots: the rest, newest first. */
void txn_made_undo(struct txn *t);

void txn_made_free(struct txn *t);

/* ---- stage.c */

/* Set up staged mode for the plan: roots, areas, journal, namespace. */
int stage_prepare(struct txn *t, char *err, size_t errlen);

/* Commit root by root, then the pass paths of covers.  Journal state must be committing. */
int stage_commit(const struct journal *j, struct txn_result *res);

/* Throw the staged changes away (counts them). */
int stage_discard(const struct journal *j, struct txn_result *res);

/* Report what the covers caught. */
int stage_findings(struct txn *t, txn_finding_fn fn, void *ctx);

/* ---- manifest.c */

/* Set up journaled mode: roots, areas, journal, manifests and snapshots. */
int journaled_prepare(struct txn *t, char *err, size_t errlen);

/* Roll every root back to its manifest (loaded from sess_fd when not live). */
int journaled_rollback(const struct journal *j, int sess_fd, struct txn_root_rt *rt,
		       struct txn_result *res);

int manifest_before_modify(struct manifest *m, const char *root, const char *area,
			   const char *rel, enum txn_op what);
void manifest_kernel_write(struct manifest *m, const char *rel, const char *abs);
void manifest_free(struct manifest *m);

/* ---- shared helpers (txn.c) */

/* Which journal root holds abs (targets only when targets_only); -1 if none. */
int txn_root_of(const struct journal *j, const char *abs, bool targets_only);

/* Pick and make the work area of root i: beside it, or in the session dir. */
int txn_make_area(struct txn *t, size_t i, bool prefer_same_fs);

/* Kill whatever a dead session left running (its mount namespace, its cgroup). */
void txn_kill_leftovers(const struct journal *j);

#endif
