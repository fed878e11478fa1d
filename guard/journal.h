/* SPDX-License-Identifier: MIT */
/*
 * The intent journal of an install transaction: one directory per session
 * under the state directory,
 *
 *   STATE/txn/ID/lock         flock()ed by the session while it lives
 *   STATE/txn/ID/journal      what the session is doing (below), replaced atomically
 *   STATE/txn/ID/manifest.N   journaled mode: the manifest of root N
 *   STATE/txn/ID/N/           root N's work area, when it can live here
 *   STATE/locks/HASH.lock     flock()ed while a session or a recovery owns that target
 *
 * The journal names the mode, the state (prepared -> committing | aborting
 * -> done) and every directory the session made, so that the next run
 * can finish or undo a session that died (SIGKILL, crash, power loss of
 * the supervisor) without knowing anything else.  Its text format, one
 * record per line, fields separated by one space, strings escaped with
 * str_escape():
 *
 *   safe-pip-txn 1
 *   id ID
 *   pid PID
 *   mode staged|journaled
 *   state prepared|committing|aborting|done
 *   cgroup PATH|-
 *   mntns INO
 *   tmpdir PATH|-
 *   root N target|cover created|existing PATH AREA
 *   ptimes N ASEC ANSEC MSEC MNSEC          (created roots: the parent's times)
 *   pass PATH
 *
 * A journal is input from the disk: it is parsed with limits and every
 * path in it is checked (absolute, normalised; work areas where safe-pip
 * makes them) before recovery acts on it.
 */
#ifndef SAFEPIP_JOURNAL_H
#define SAFEPIP_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#define JOURNAL_MAX_BYTES (1024 * 1024)
#define JOURNAL_ROOTS_MAX 64
#define JOURNAL_PASS_MAX 64
#define JOURNAL_ID_LEN 24

enum txn_mode {
	TXN_NONE = 0,
	TXN_STAGED,             /* an overlay over each root; commit walks the upper layer */
	TXN_JOURNALED,          /* in place, with a manifest and backups; abort rolls back */
};

enum txn_state {
	TXN_PREPARED = 0,       /* pip may run; a dead session in this state is undone */
	TXN_COMMITTING,         /* the verdict was "allowed": finish the commit */
	TXN_ABORTING,           /* the verdict was "stopped": finish the undo */
	TXN_DONE,               /* only cleaning up is left */
};

enum jroot_kind {
	JROOT_TARGET,           /* the install target: committed when allowed */
	JROOT_COVER,            /* outside the target, staged: never committed (but pass paths) */
};

struct jroot {
	enum jroot_kind kind;
	bool created;           /* the directory did not exist; safe-pip made it */
	char *path;             /* the real directory */
	char *area;             /* its work area: upper/ and work/, or snap/ and backup/ */
	struct timespec ptimes[2];      /* created: the parent's atime, mtime before */
};

struct journal {
	char id[JOURNAL_ID_LEN + 1];
	pid_t pid;
	enum txn_mode mode;
	enum txn_state state;
	char *cgroup;           /* the session cgroup, or NULL */
	uint64_t mntns;         /* inode of the staged mount namespace, 0 if none */
	char *tmpdir;           /* pip's private TMPDIR, or NULL */
	struct jroot *roots;
	size_t nroots;
	char **pass;            /* paths under covers that are committed with the target */
	size_t npass;
};

const char *txn_mode_name(enum txn_mode m);
const char *txn_state_name(enum txn_state s);

/*
 * The state directory: SAFE_PIP_STATE_DIR if set (absolute), else
 * /var/lib/safe-pip for root, else $XDG_STATE_HOME/safe-pip or
 * ~/.local/state/safe-pip, or /var/tmp/safe-pip-UID when the home is not
 * writable.  Newly allocated; NULL with errno.
 */
char *journal_state_dir(void);

/*
 * Refuse a state directory (and its txn/) that another user could write:
 * recovery acts on what the journals there say.  -EPERM with a message.
 */
int journal_check_state_dir(const char *state_dir, char *err, size_t errlen);

/* Render j to text / parse text into j (err gets a message).  0 or -errno. */
int journal_format(const struct journal *j, char **out, size_t *len);
int journal_parse(struct journal *j, const char *text, char *err, size_t errlen);
void journal_free(struct journal *j);

/*
 * Write j as dirfd/journal, atomically.  Durable (fsync) for the states
 * whose loss would change what recovery does: prepared (the directories
 * it names) and committing (the verdict).  A lost "aborting" or "done"
 * leads recovery to the same undo or cleanup all the same.
 */
int journal_save(int dirfd, const struct journal *j);

/* Read dirfd/journal. */
int journal_load(int dirfd, struct journal *j, char *err, size_t errlen);

/*
 * Is area a work area safe-pip would make for root n of session id:
 * sessdir/N, or a ".safe-pip-ID.N" directory beside root (its parent)?
 */
bool journal_area_ok(const char *area, const char *root, const char *sessdir, const char *id,
		     size_t n);

/* A new random session id (hex). */
int journal_new_id(char id[JOURNAL_ID_LEN + 1]);

/*
 * Lock the target path for this process: flock(LOCK_EX) on
 * STATE/locks/HASH.lock.  With wait false, -EWOULDBLOCK when another
 * holds it.  Returns the lock fd (close it to unlock) or -errno.
 */
int journal_lock_target(const char *state_dir, const char *path, bool wait);

/* Unlock (and remove the lock file of) a target locked with journal_lock_target(). */
void journal_unlock_target(const char *state_dir, const char *path, int fd);

#endif
