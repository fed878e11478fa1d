// SPDX-License-Identifier: MIT
/*
 * The transaction without pip: journaled mode through the API the shim
 * calls (txn_before_modify), the staged commit over a hand-made upper
 * layer (whiteouts, opaque directories, hard links, interrupted and
 * finished later), and a staged transaction whose "pip" is a forked child
 * in the namespace.  The staged parts need root (whiteouts are devices,
 * overlay attributes are trusted.*); elsewhere they skip.
 */
#include "tests/cmocka_all.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "guard/fsutil.h"
#include "guard/txn_int.h"

static char base[64];

static char *pth(const char *rel)
{
	static char buf[4][512];
	static int k;

	k = (k + 1) % 4;
	snprintf(buf[k], sizeof(buf[k]), "%s/%s", base, rel);
	return buf[k];
}

static void put(const char *rel, const char *text)
{
	FILE *f = fopen(pth(rel), "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static char *get(const char *rel)
{
	static char buf[256];
	FILE *f = fopen(pth(rel), "r");
	size_t n;

	if (!f)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static bool exists(const char *rel)
{
	struct stat st;

	return lstat(pth(rel), &st) == 0;
}

static int setup(void **state)
{
	strcpy(base, "/tmp/sp-txn-unit-XXXXXX");
	assert_non_null(mkdtemp(base));
	assert_int_equal(mkdir(pth("t"), 0755), 0);
	assert_int_equal(mkdir(pth("state"), 0700), 0);
	setenv("SAFE_PIP_STATE_DIR", pth("state"), 1);
	setenv("PIP_CONFIG_FILE", "/dev/null", 1);
	setenv("TMPDIR", base, 1);
	return 0;
}

static int teardown(void **state)
{
	(void)fs_remove_at(AT_FDCWD, base, NULL);
	return 0;
}

static int start(struct txn **t, enum txn_want want)
{
	static struct pyinfo py = {
		.python = "/bin/true", .prefix = "/nonexistent", .base_prefix = "/nonexistent",
		.purelib = "/nonexistent", .platlib = "/nonexistent", .scripts = "/nonexistent",
		.data = "/nonexistent", .userbase = "/nonexistent", .real_executable = "/bin/true",
	};
	struct txn_config cfg = { .want = want, .want_source = "the test" };
	char *argv[] = { "install", "--target", pth("t"), "x" };
	char err[512] = "";
	int r = txn_prepare(t, &cfg, &py, argv, 4, NULL, err, sizeof(err));

	if (r < 0 && r != -ENOTSUP)
		fail_msg("txn_prepare: %s", err);
	return r;
}

/* A target: files, a package, a symlink, a symlinked directory (a venv's lib64). */
static void make_target(void)
{
	put("t/a.py", "A\n");
	assert_int_equal(mkdir(pth("t/pkg"), 0755), 0);
	put("t/pkg/b.py", "B\n");
	put("t/pkg/c.py", "C\n");
	assert_int_equal(mkdir(pth("t/lib"), 0755), 0);
	put("t/lib/m.py", "M\n");
	assert_int_equal(symlink("lib", pth("t/lib64")), 0);
	assert_int_equal(symlink("a.py", pth("t/link")), 0);
}

static void overwrite_in_place(const char *rel, const char *text)
{
	int fd = open(pth(rel), O_WRONLY | O_TRUNC);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

static void test_journaled_rollback(void **state)
{
	const struct txn_result *res;
	struct txn *t;
	struct stat st;

	make_target();
	assert_int_equal(stat(pth("t"), &st), 0);
	assert_int_equal(start(&t, TXN_WANT_JOURNALED), 0);
	assert_int_equal(txn_mode(t), TXN_JOURNALED);

	/* the shim's calls, then what the install did */
	assert_int_equal(txn_before_modify(t, pth("t/a.py"), TXN_OP_TRUNCATE), 0);
	overwrite_in_place("t/a.py", "evil\n");
	assert_int_equal(txn_before_modify(t, pth("t/lib64/m.py"), TXN_OP_WRITE), 0);
	overwrite_in_place("t/lib/m.py", "evil too\n");
	assert_int_equal(txn_before_modify(t, pth("t/new.py"), TXN_OP_WRITE), 0);
	put("t/new.py", "new\n");
	assert_int_equal(unlink(pth("t/pkg/b.py")), 0);
	assert_int_equal(chmod(pth("t/pkg/c.py"), 0600), 0);
	assert_int_equal(rename(pth("t/pkg"), pth("t/~kg")), 0);
	assert_int_equal(mkdir(pth("t/newdir"), 0755), 0);
	put("t/newdir/x", "x\n");
	assert_int_equal(unlink(pth("t/link")), 0);
	assert_int_equal(symlink("elsewhere", pth("t/link")), 0);

	assert_int_equal(txn_abort(t), 0);
	res = txn_result(t);
	assert_true(res->aborted);
	assert_int_equal(res->nlost, 0);
	assert_string_equal(get("t/a.py"), "A\n");
	assert_string_equal(get("t/lib/m.py"), "M\n");
	assert_string_equal(get("t/pkg/b.py"), "B\n");
	assert_false(exists("t/new.py"));
	assert_false(exists("t/newdir"));
	assert_false(exists("t/~kg"));
	assert_int_equal(stat(pth("t/pkg/c.py"), &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	assert_int_equal(readlink(pth("t/link"), (char[16]){ 0 }, 16), 4);
	txn_free(t);
	assert_int_equal(rmdir(pth("state/txn")), 0);  /* the session left nothing */
}

static void test_journaled_lost(void **state)
{
	const struct txn_result *res;
	struct txn *t;

	make_target();
	assert_int_equal(start(&t, TXN_WANT_JOURNALED), 0);
	overwrite_in_place("t/pkg/b.py", "changed with no copy saved\n");
	assert_int_equal(txn_abort(t), -EIO);
	res = txn_result(t);
	assert_int_equal(res->nlost, 1);
	assert_string_equal(res->lost[0], pth("t/pkg/b.py"));
	assert_string_equal(get("t/a.py"), "A\n");
	txn_free(t);
}

static void test_journaled_commit(void **state)
{
	struct txn *t;

	make_target();
	assert_int_equal(start(&t, TXN_WANT_JOURNALED), 0);
	put("t/new.py", "new\n");
	assert_int_equal(unlink(pth("t/a.py")), 0);
	assert_int_equal(txn_commit(t), 0);
	assert_true(txn_result(t)->committed);
	assert_string_equal(get("t/new.py"), "new\n");
	assert_false(exists("t/a.py"));
	txn_free(t);
	assert_int_equal(rmdir(pth("state/txn")), 0);
}

/* ------------------------------------------------------------- staged */

static bool can_stage(void)
{
	return geteuid() == 0;
}

static void whiteout(const char *rel)
{
	assert_int_equal(mknod(pth(rel), S_IFCHR, makedev(0, 0)), 0);
}

/*
 * A target and an upper layer as overlayfs leaves them: a modified file
 * (with overlay's origin attribute), whiteouts for a file and a directory,
 * an opaque directory replacing one, new trees, a symlink, a hard-linked
 * pair, a merged directory whose mode and times changed.
 */
static void make_staged(struct journal *j, struct jroot *root)
{
	struct timespec ts[2] = { { 1000, 1 }, { 2000, 2 } };

	put("t/keep.txt", "keep\n");
	put("t/mod.txt", "old\n");
	put("t/del.txt", "del\n");
	assert_int_equal(mkdir(pth("t/deldir"), 0755), 0);
	put("t/deldir/x", "x\n");
	assert_int_equal(mkdir(pth("t/opq"), 0755), 0);
	put("t/opq/old1", "1\n");
	assert_int_equal(mkdir(pth("t/dirmode"), 0755), 0);
	put("t/dirmode/f", "f\n");

	assert_int_equal(fs_mkdir_p(pth("area/upper/opq"), 0755), 0);
	assert_int_equal(fs_mkdir_p(pth("area/upper/newdir/sub"), 0755), 0);
	assert_int_equal(fs_mkdir_p(pth("area/upper/dirmode"), 0700), 0);
	put("area/upper/mod.txt", "new\n");
	assert_int_equal(lsetxattr(pth("area/upper/mod.txt"), "trusted.overlay.origin", "x", 1, 0), 0);
	whiteout("area/upper/del.txt");
	whiteout("area/upper/deldir");
	assert_int_equal(lsetxattr(pth("area/upper/opq"), "trusted.overlay.opaque", "y", 1, 0), 0);
	put("area/upper/opq/new1", "n\n");
	put("area/upper/newdir/sub/f", "f\n");
	assert_int_equal(symlink("keep.txt", pth("area/upper/ln")), 0);
	put("area/upper/h1", "h\n");
	assert_int_equal(link(pth("area/upper/h1"), pth("area/upper/h2")), 0);
	put("area/upper/dirmode/g", "g\n");
	assert_int_equal(chmod(pth("area/upper/dirmode"), 0700), 0);
	assert_int_equal(utimensat(AT_FDCWD, pth("area/upper/dirmode"), ts, 0), 0);

	static char tpath[512], apath[512];

	/* pth() recycles its buffers: the journal gets copies */
	snprintf(tpath, sizeof(tpath), "%s", pth("t"));
	snprintf(apath, sizeof(apath), "%s", pth("area"));
	memset(j, 0, sizeof(*j));
	*root = (struct jroot){ .kind = JROOT_TARGET, .path = tpath, .area = apath };
	j->mode = TXN_STAGED;
	j->state = TXN_COMMITTING;
	j->roots = root;
	j->nroots = 1;
}

static void check_committed(void)
{
	struct stat a, b;
	char buf[8];

	assert_string_equal(get("t/keep.txt"), "keep\n");
	assert_string_equal(get("t/mod.txt"), "new\n");
	assert_int_equal(lgetxattr(pth("t/mod.txt"), "trusted.overlay.origin", buf, sizeof(buf)), -1);
	assert_false(exists("t/del.txt"));
	assert_false(exists("t/deldir"));
	assert_false(exists("t/opq/old1"));
	assert_string_equal(get("t/opq/new1"), "n\n");
	assert_int_equal(lgetxattr(pth("t/opq"), "trusted.overlay.opaque", buf, sizeof(buf)), -1);
	assert_string_equal(get("t/newdir/sub/f"), "f\n");
	assert_int_equal(readlink(pth("t/ln"), buf, sizeof(buf)), 8);
	assert_int_equal(stat(pth("t/h1"), &a), 0);
	assert_int_equal(stat(pth("t/h2"), &b), 0);
	assert_true(a.st_ino == b.st_ino);
	assert_string_equal(get("t/dirmode/f"), "f\n");
	assert_string_equal(get("t/dirmode/g"), "g\n");
	assert_int_equal(stat(pth("t/dirmode"), &a), 0);
	assert_int_equal(a.st_mode & 07777, 0700);
	assert_int_equal(a.st_mtim.tv_sec, 2000);
	assert_int_equal(a.st_mtim.tv_nsec, 2);
}

static void test_staged_merge(void **state)
{
	struct txn_result res = { 0 };
	struct journal j;
	struct jroot root;

	if (!can_stage())
		skip();
	make_staged(&j, &root);
	assert_int_equal(stage_commit(&j, &res), 0);
	check_committed();
	assert_int_equal(res.deletions, 2);
	/* finished already: running it again changes nothing */
	assert_int_equal(stage_commit(&j, &res), 0);
	check_committed();
}

static void test_staged_merge_interrupted(void **state)
{
	for (int point = 1; point <= 6; point++) {
		struct txn_result res = { 0 };
		struct journal j;
		struct jroot root;
		char fault[32];
		int status;
		pid_t pid;

		if (!can_stage())
			skip();
		(void)fs_remove_at(AT_FDCWD, pth("t"), NULL);
		(void)fs_remove_at(AT_FDCWD, pth("area"), NULL);
		assert_int_equal(mkdir(pth("t"), 0755), 0);
		make_staged(&j, &root);
		snprintf(fault, sizeof(fault), "commit:%d", point);
		pid = fork();
		if (pid == 0) {
			setenv("SAFE_PIP_FAULT", fault, 1);
			_exit(stage_commit(&j, &res) == 0 ? 0 : 1);
		}
		assert_int_equal(waitpid(pid, &status, 0), pid);
		assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
		/* what recovery does: the same commit, from the same upper layer */
		assert_int_equal(stage_commit(&j, &res), 0);
		check_committed();
	}
}

/* "pip": a child in the staged namespace writing into the target. */
static void child_installs(struct txn *t)
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		if (txn_child_setup(t) < 0)
			_exit(2);
		put("t/installed.py", "installed\n");
		if (mkdir(pth("t/newpkg"), 0755) < 0 || unlink(pth("t/a.py")) < 0)
			_exit(3);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static void test_staged_cycle(void **state)
{
	struct txn *t;

	if (!can_stage())
		skip();
	make_target();
	assert_int_equal(start(&t, TXN_WANT_STAGED), 0);
	assert_int_equal(txn_mode(t), TXN_STAGED);
	child_installs(t);
	/* the real target was not touched */
	assert_false(exists("t/installed.py"));
	assert_true(exists("t/a.py"));
	assert_int_equal(txn_abort(t), 0);
	txn_free(t);
	assert_false(exists("t/installed.py"));
	assert_string_equal(get("t/a.py"), "A\n");

	assert_int_equal(start(&t, TXN_WANT_STAGED), 0);
	child_installs(t);
	assert_int_equal(txn_commit(t), 0);
	txn_free(t);
	assert_string_equal(get("t/installed.py"), "installed\n");
	assert_true(exists("t/newpkg"));
	assert_false(exists("t/a.py"));
	assert_int_equal(rmdir(pth("state/txn")), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_journaled_rollback, setup, teardown),
		cmocka_unit_test_setup_teardown(test_journaled_lost, setup, teardown),
		cmocka_unit_test_setup_teardown(test_journaled_commit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_staged_merge, setup, teardown),
		cmocka_unit_test_setup_teardown(test_staged_merge_interrupted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_staged_cycle, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
