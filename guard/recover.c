// SPDX-License-Identifier: MIT
/*
 * Recovery: finish or undo what dead sessions left behind.  A session
 * directory whose lock nobody holds belongs to a dead session; its journal
 * says what to do:
 *
 *   staged     committing -> finish the commit (roll forward)
 *              otherwise  -> discard the staged changes
 *   journaled  prepared, aborting -> roll the target back
 *              otherwise  -> drop the backups
 *
 * Processes the dead session left running (in its mount namespace or its
 * cgroup) are killed first.  A journal that does not parse, or names
 * directories safe-pip would not have made, is reported and left alone.
 */
#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>

#include "guard/exitcode.h"
#include "guard/fsutil.h"
#include "guard/txn_int.h"
#include "guard/util.h"

#define YOUNG_SESSION_S 60      /* a directory without a lock file may be being made */

/* Are the journal's paths the ones safe-pip makes for this session? */
static bool journal_sane(const struct journal *j, const char *name, const char *sessdir)
{
	if (strcmp(j->id, name) != 0)
		return false;
	for (size_t i = 0; i < j->nroots; i++)
		if (!journal_area_ok(j->roots[i].area, j->roots[i].path, sessdir, j->id, i) ||
		    strcmp(j->roots[i].path, "/") == 0)
			return false;
	if (j->tmpdir) {
		_cleanup_free_ char *want = sp_asprintf("safe-pip-%s", j->id);

		if (!want || strcmp(path_base(j->tmpdir), want) != 0)
			return false;
	}
	return true;
}

static bool is_held(const char *path, char *const *held, size_t n)
{
	for (size_t k = 0; k < n; k++)
		if (strcmp(path, held[k]) == 0)
			return true;
	return false;
}

struct locks {
	const char *state_dir;
	const char *path[JOURNAL_ROOTS_MAX];
	int fd[JOURNAL_ROOTS_MAX];
	size_t n;
};

static void unlock_all(struct locks *l)
{
	for (size_t i = 0; i < l->n; i++)
		journal_unlock_target(l->state_dir, l->path[i], l->fd[i]);
	l->n = 0;
}

/* Lock the journal's targets the caller does not hold already; false if one is busy. */
static bool lock_journal_targets(const char *state_dir, const struct journal *j,
				 char *const *held, size_t n, struct locks *l)
{
	for (size_t i = 0; i < j->nroots; i++) {
		int fd;

		if (j->roots[i].kind != JROOT_TARGET || is_held(j->roots[i].path, held, n))
			continue;
		fd = journal_lock_target(state_dir, j->roots[i].path, false);
		if (fd < 0) {
			unlock_all(l);
			return false;
		}
		l->path[l->n] = j->roots[i].path;
		l->fd[l->n++] = fd;
	}
	return true;
}

static void report(const struct journal *j, const struct txn_result *res, const char *did, int r)
{
	const char *target = "no install target";

	for (size_t i = 0; i < j->nroots; i++)
		if (j->roots[i].kind == JROOT_TARGET) {
			target = j->roots[i].path;
			break;
		}
	sp_msg("recovered an interrupted install (session %s, pid %d, %s, %s): %s %s",
	       j->id, (int)j->pid, txn_mode_name(j->mode), txn_state_name(j->state), did, target);
	if (res->files || res->deletions)
		sp_msg("  %llu files written, %llu entries removed", (unsigned long long)res->files,
		       (unsigned long long)res->deletions);
	for (size_t i = 0; i < res->nlost && i < TXN_LOST_LIST_MAX; i++)
		sp_msg("  not restored: %s", res->lost[i]);
	if (res->nlost > TXN_LOST_LIST_MAX)
		sp_msg("  and %llu more not restored", (unsigned long long)(res->nlost - TXN_LOST_LIST_MAX));
	if (r < 0 && r != -EIO)
		sp_msg("  could not finish: %s; run safe-pip recover again once that is fixed", strerror(-r));
}

/* Finish one dead session.  0, -EIO (something lost) or -errno. */
static int recover_one(struct journal *j, int sess_fd, const char *sessdir)
{
	struct txn_result res = { 0 };
	const char *did;
	int r = 0;

	txn_kill_leftovers(j);
	if (j->mode == TXN_STAGED && j->state == TXN_COMMITTING) {
		did = "finished committing into";
		r = stage_commit(j, &res);
	} else if (j->mode == TXN_STAGED) {
		did = "discarded what it staged for";
		r = stage_discard(j, &res);
	} else if (j->state == TXN_PREPARED || j->state == TXN_ABORTING) {
		did = "rolled back";
		r = journaled_rollback(j, sess_fd, NULL, &res);
	} else {
		did = "dropped the backups of";
	}
	if (r == 0 || r == -EIO) {
		enum txn_state was = j->state;
		int q;

		j->state = TXN_DONE;
		q = journal_save(sess_fd, j);
		if (q == 0)
			q = txn_cleanup(j, sessdir);
		j->state = was;
		if (q < 0 && r == 0)
			r = q;
	}
	report(j, &res, did, r);
	for (size_t i = 0; i < res.nlost && i < TXN_LOST_LIST_MAX; i++)
		free(res.lost[i]);
	return r;
}

/* A session directory with no lock file: died before it took one, or is being made. */
static void remove_if_stale(int txn_fd, const char *name)
{
	struct stat st;

	if (fstatat(txn_fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    time(NULL) - st.st_mtime > YOUNG_SESSION_S)
		(void)fs_remove_at(txn_fd, name, NULL);
}

/* One entry of STATE/txn: 1 recovered, 0 nothing to do, -EIO or -errno. */
static int visit(const char *state_dir, int txn_fd, const char *name, char *const *held, size_t n)
{
	_cleanup_free_ char *sessdir = sp_asprintf("%s/txn/%s", state_dir, name);
	_cleanup_close_ int sfd = -1, lfd = -1;
	struct locks l = { .state_dir = state_dir };
	struct journal j;
	char err[256];
	int r;

	if (!sessdir)
		return -ENOMEM;
	sfd = openat(txn_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (sfd < 0)
		return 0;
	lfd = openat(sfd, "lock", O_RDWR | O_CLOEXEC | O_NOFOLLOW);
	if (lfd < 0) {
		remove_if_stale(txn_fd, name);
		return 0;
	}
	if (flock(lfd, LOCK_EX | LOCK_NB) < 0)
		return 0;       /* alive */
	r = journal_load(sfd, &j, err, sizeof(err));
	if (r == -ENOENT) {
		/* died before its first journal: nothing else was made */
		(void)fs_remove_at(txn_fd, name, NULL);
		return 0;
	}
	if (r < 0 || !journal_sane(&j, name, sessdir)) {
		sp_msg("warning: cannot recover session %s: %s; left for inspection", sessdir,
		       r < 0 ? err : "its journal names directories safe-pip does not make");
		if (r == 0)
			journal_free(&j);
		return 0;
	}
	if (!lock_journal_targets(state_dir, &j, held, n, &l)) {
		journal_free(&j);
		return 0;
	}
	r = recover_one(&j, sfd, sessdir);
	unlock_all(&l);
	journal_free(&j);
	return r < 0 ? r : 1;
}

int txn_recover(const char *state_dir, char *const *held_targets, size_t n)
{
	_cleanup_free_ char *txndir = sp_asprintf("%s/txn", state_dir);
	struct dirent *de;
	int count = 0, worst = 0;
	DIR *d;

	if (!txndir)
		return -ENOMEM;
	d = opendir(txndir);
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d))) {
		int r;

		if (strlen(de->d_name) != JOURNAL_ID_LEN || de->d_name[0] == '.')
			continue;
		r = visit(state_dir, dirfd(d), de->d_name, held_targets, n);
		if (r > 0)
			count++;
		else if (r < 0 && worst != -EIO)
			worst = r;
	}
	closedir(d);
	return worst < 0 ? worst : count;
}

int txn_recover_command(void)
{
	_cleanup_free_ char *state_dir = journal_state_dir();
	char err[512];
	int r;

	if (!state_dir) {
		sp_msg("no state directory: %s (set SAFE_PIP_STATE_DIR)", strerror(errno));
		return SP_EXIT_CONFIG;
	}
	if (access(state_dir, F_OK) < 0 && errno == ENOENT) {
		sp_msg("nothing to recover in %s", state_dir);
		return 0;
	}
	if (journal_check_state_dir(state_dir, err, sizeof(err)) < 0) {
		sp_msg("%s", err);
		return SP_EXIT_CONFIG;
	}
	r = txn_recover(state_dir, NULL, 0);
	if (r == 0)
		sp_msg("nothing to recover in %s/txn", state_dir);
	if (r == -EIO)
		return SP_EXIT_ROLLBACK;
	if (r < 0) {
		sp_msg("recovery failed: %s", strerror(-r));
		return SP_EXIT_INTERNAL;
	}
	return 0;
}
