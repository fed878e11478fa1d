/* SPDX-License-Identifier: MIT */
/*
 * The install transaction: a guarded pip command either commits all it
 * did to its target environment or leaves it exactly as it was.
 *
 *   txn_prepare()        work out the target (guard/txn_plan.c), recover what
 *                        dead sessions left on it, choose the mode, make the
 *                        journal (guard/journal.c) and:
 *     staged             a private mount namespace with an overlay over the
 *                        target (and over home, /etc, /usr, /opt, whose
 *                        changes are never committed), guard/stage.c
 *     journaled          a manifest of the target and a hard-link snapshot of
 *                        its files, guard/manifest.c
 *   txn_child_setup()    in pip's process, before exec: enter the namespace
 *   txn_before_modify()  journaled: save a file before it changes in place
 *   txn_commit()         the verdict allows: make the target what pip made it
 *   txn_abort()          stopped, interrupted, failed: the target as before
 *
 * Every directory the transaction makes is named in the journal before it
 * is made, so a session that dies at any point is finished (committing) or
 * undone (any other state) by the next safe-pip run, or by safe-pip recover.
 */
#ifndef SAFEPIP_TXN_H
#define SAFEPIP_TXN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "bpf/sp_event.h"
#include "guard/journal.h"
#include "guard/python.h"

enum txn_want {
	TXN_WANT_AUTO = 0,      /* staged where a mount namespace can be made, else journaled */
	TXN_WANT_STAGED,        /* staged or refuse to run */
	TXN_WANT_JOURNALED,     /* journaled even where staged is possible */
};

struct txn_config {
	enum txn_want want;
	const char *want_source;        /* who asked for it: "--transaction", "policy" */
};

/* "auto", "staged", "journaled" -> *out; -EINVAL otherwise. */
int txn_want_parse(const char *s, enum txn_want *out);

/*
 * Demand a mode on behalf of source (the policy's "require"): a stricter
 * demand replaces a weaker one (staged > journaled > auto); two demands
 * that cannot both hold (staged and journaled) are an error, -EINVAL with
 * a message naming both sources.
 */
int txn_config_require(struct txn_config *c, enum txn_want want, const char *source, char *err,
		       size_t errlen);

/* What txn_before_modify() is told a process is about to do to a path. */
enum txn_op {
	TXN_OP_WRITE,           /* open for writing without truncation, or mmap for writing */
	TXN_OP_TRUNCATE,        /* open with O_TRUNC, truncate() */
	TXN_OP_REPLACE,         /* the path is the target of a rename() */
	TXN_OP_DELETE,          /* unlink(), rmdir(), the source of a rename() */
	TXN_OP_META,            /* chmod, chown, utimes, setxattr */
};

#define TXN_LOST_LIST_MAX 32

struct txn_result {
	bool committed, aborted;
	uint64_t files;                 /* staged: files written; journaled: files restored */
	uint64_t deletions;             /* staged: files deleted; journaled: new entries removed */
	uint64_t elapsed_ns;            /* of the commit or the abort proper */
	uint64_t cleanup_ns;            /* removing the work areas and pip's TMPDIR after it */
	char *lost[TXN_LOST_LIST_MAX];  /* paths left different from before, first ones */
	uint64_t nlost;                 /* how many in all */
	uint64_t removed_elsewhere;     /* abort: files, links, directories builds made where nothing
					   staged them */
	uint64_t moved_back;            /* abort: names builds moved there, put back */
	int error;                      /* -errno of a commit or abort that could not finish */
};

struct txn_finding {
	const char *rule;               /* "write-outside-target" */
	int dist;                       /* -1 when unknown */
	pid_t pid;                      /* 0 when unknown */
	bool by_pip;                    /* the kernel saw pip itself (role pip) do it */
	char what[320];
};

/* Receives each finding; return 0 to go on. */
typedef int (*txn_finding_fn)(void *ctx, const struct txn_finding *f);

struct txn;

/*
 * Prepare the transaction for "python -m pip ARGV" run by py.  cgroup is
 * the session cgroup's path (NULL if none): recovery kills what is left in
 * it if this session dies.  May wait for another session holding the same
 * target.  Returns 0 or -errno with a message in err; -ENOTSUP when the
 * demanded mode cannot be had here.
 */
int txn_prepare(struct txn **out, const struct txn_config *cfg, const struct pyinfo *py,
		char *const *pip_argv, int pip_argc, const char *cgroup, char *err, size_t errlen);

enum txn_mode txn_mode(const struct txn *t);

/* One phrase for the first line: "staged (overlay over /v)", ... */
void txn_describe(const struct txn *t, char *buf, size_t len);

/*
 * In the forked child that becomes pip (single-threaded, before exec):
 * enter the staged mount namespace, return to the working directory
 * through it, point TMPDIR at the session's private directory.  NULL t
 * is a no-op.  Returns 0 or -errno.
 */
int txn_child_setup(const struct txn *t);

/*
 * Journaled mode, called synchronously (by the shim's request handler)
 * before a process of the install does what to abs_path: keeps a copy of
 * a file that existed before the install, once.  Fast (no I/O) for files
 * that are new, already saved, or covered by the snapshot for this kind
 * of change.  Returns 0 when the change may go ahead; on -errno the caller
 * must refuse the change (fail closed).  In staged mode, and for paths
 * outside the target, a no-op.
 */
int txn_before_modify(struct txn *t, const char *abs_path, enum txn_op what);

/*
 * Journaled mode: the directories whose files txn_before_modify() must
 * hear about before they change, up to max into roots (not owned).
 * Returns their number; 0 in staged mode or without a transaction.
 */
size_t txn_inplace_roots(const struct txn *t, const char **roots, size_t max);

/*
 * Where the supervisor can read abs_path (normalised) as the install sees
 * it: in staged mode, a file the install wrote under the target is in the
 * staging directory until the commit.  Writes the path to read into out.
 */
void txn_visible_path(const struct txn *t, const char *abs_path, char *out, size_t len);

/*
 * A kernel record (open for writing) of a process of the install working
 * for distribution dist.  Journaled: a file of the target written in
 * place without a saved copy is marked as not restorable.  Both modes:
 * writes outside the target are remembered for txn_findings(), and files
 * a build created where no transaction keeps them (/tmp, /srv..., and in
 * journaled mode the home) for txn_abort() to remove.
 */
void txn_kernel_open(struct txn *t, const struct sp_event *e, int dist);

/*
 * A kernel record of a file operation (mkdir, link, symlink, rename) of a
 * process of the install.  Where no transaction keeps the change, txn_abort()
 * undoes it: directories, links and files a build made go, names it moved
 * (a directory with what lies below it) go back where they were.
 */
void txn_kernel_file(struct txn *t, const struct sp_event *e);

/*
 * Once the install's processes are gone: report writes outside the
 * target (staged: what the overlays over home, /etc... caught; journaled:
 * what the kernel saw), pip's intended outputs excepted.
 */
int txn_findings(struct txn *t, txn_finding_fn fn, void *ctx);

/*
 * Finish the transaction.  Only once the install's processes are gone.
 * commit: staged, the changes go into the target; journaled, the backups
 * go.  abort: staged, the changes go; journaled, the target is rolled
 * back and checked against its manifest; then what builds did elsewhere
 * is undone (txn_kernel_open(), txn_kernel_file(); only where a path
 * still holds the same object, anything else is reported as not
 * restored).  Both clean up every directory
 * the session made.  Return 0 or -errno; txn_result() says what happened
 * and what could not be restored (then -EIO).
 */
int txn_commit(struct txn *t);
int txn_abort(struct txn *t);
const struct txn_result *txn_result(const struct txn *t);

/* Abort if neither commit nor abort ran, then free.  NULL is a no-op. */
void txn_free(struct txn *t);

/*
 * Finish or undo what dead sessions left behind in state_dir: every dead
 * session whose targets are free (held_targets, n of them, may be NULL,
 * are the targets the caller holds the locks of: those count as free).
 * Reports through sp_msg().  Returns the number of sessions recovered,
 * -EIO when something could not be restored, or -errno.
 */
int txn_recover(const char *state_dir, char *const *held_targets, size_t n);

/* safe-pip recover: recover everything, say what was done; an exit status. */
int txn_recover_command(void);

#endif
