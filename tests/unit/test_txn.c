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
#include "guard/util.h"

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

/* ------------------------------------------- what builds do elsewhere */

/* A kernel record of a build's file operation, as the sensor sends it after the call. */
static void file_op(struct txn *t, uint32_t op, const char *rel, const char *rel2, uint32_t flags)
{
	struct sp_event e = { .h = { .kind = SP_EV_FILE, .role = SP_ROLE_BUILD, .tgid = getpid() } };

	e.file.op = op;
	e.file.fd = AT_FDCWD;
	e.file.flags = flags;
	snprintf(e.file.path, sizeof(e.file.path), "%s", op == SP_FOP_SYMLINK ? rel : pth(rel));
	if (rel2)
		snprintf(e.file.path2, sizeof(e.file.path2), "%s", pth(rel2));
	txn_kernel_file(t, &e);
}

/* A build's open that created rel (the kernel gives the file's device and inode). */
static void created(struct txn *t, const char *rel, const char *text)
{
	struct sp_event e = { .h = { .kind = SP_EV_OPEN, .role = SP_ROLE_BUILD, .tgid = getpid() } };
	struct stat st;

	put(rel, text);
	assert_int_equal(lstat(pth(rel), &st), 0);
	e.open.oflags = SP_OF_WRITE | SP_OF_CREATED | SP_OF_RESOLVED;
	e.open.dev = kernel_dev(st.st_dev);
	e.open.ino = st.st_ino;
	snprintf(e.open.path, sizeof(e.open.path), "%s", pth(rel));
	txn_kernel_open(t, &e, 0);
}

static void do_rename(struct txn *t, const char *a, const char *b, unsigned flags)
{
	assert_int_equal(renameat2(AT_FDCWD, pth(a), AT_FDCWD, pth(b), flags), 0);
	file_op(t, SP_FOP_RENAME, a, b, flags);
}

/*
 * Directories made, links, renames of what the build made and of what was
 * there before (a directory with a file made in it after the move, an
 * exchange, a move into the target): the abort leaves /tmp as it was.
 */
static void test_elsewhere_undone(void **state)
{
	const struct txn_result *res;
	struct txn *t;

	make_target();
	assert_int_equal(mkdir(pth("s"), 0755), 0);
	put("s/old.txt", "OLD\n");
	assert_int_equal(mkdir(pth("s/olddir"), 0755), 0);
	put("s/olddir/keep", "KEEP\n");
	put("s/x", "X\n");
	put("s/y", "Y\n");
	put("s/victim", "VICTIM\n");
	assert_int_equal(start(&t, TXN_WANT_JOURNALED), 0);

	assert_int_equal(mkdir(pth("s/d"), 0755), 0);
	file_op(t, SP_FOP_MKDIR, "s/d", NULL, 0);
	assert_int_equal(mkdir(pth("s/d/sub"), 0755), 0);
	file_op(t, SP_FOP_MKDIR, "s/d/sub", NULL, 0);
	created(t, "s/d/sub/f", "f\n");
	do_rename(t, "s/d", "s/d2", 0);
	created(t, "s/n", "n\n");
	do_rename(t, "s/n", "s/n2", 0);
	assert_int_equal(link(pth("s/old.txt"), pth("s/hard")), 0);
	file_op(t, SP_FOP_LINK, "s/old.txt", "s/hard", 0);
	assert_int_equal(symlink("old.txt", pth("s/sym")), 0);
	file_op(t, SP_FOP_SYMLINK, "old.txt", "s/sym", 0);
	do_rename(t, "s/old.txt", "s/moved.txt", 0);
	do_rename(t, "s/moved.txt", "s/moved-again.txt", 0);
	do_rename(t, "s/olddir", "s/olddir2", 0);
	created(t, "s/olddir2/new", "new\n");
	do_rename(t, "s/x", "s/y", RENAME_EXCHANGE);
	do_rename(t, "s/victim", "t/victim", 0);
	/* pip's own (role pip) renames are pip's business */
	put("s/pips", "P\n");
	assert_int_equal(rename(pth("s/pips"), pth("s/pips2")), 0);
	{
		struct sp_event e = { .h = { .kind = SP_EV_FILE, .role = SP_ROLE_PIP } };

		e.file.op = SP_FOP_RENAME;
		snprintf(e.file.path, sizeof(e.file.path), "%s", pth("s/pips"));
		snprintf(e.file.path2, sizeof(e.file.path2), "%s", pth("s/pips2"));
		txn_kernel_file(t, &e);
	}

	assert_int_equal(txn_abort(t), 0);
	res = txn_result(t);
	for (size_t i = 0; i < res->nlost && i < TXN_LOST_LIST_MAX; i++)
		print_message("not restored: %s\n", res->lost[i]);
	assert_int_equal(res->nlost, 0);
	assert_false(exists("s/d"));
	assert_false(exists("s/d2"));
	assert_false(exists("s/n"));
	assert_false(exists("s/n2"));
	assert_false(exists("s/hard"));
	assert_false(exists("s/sym"));
	assert_false(exists("s/moved.txt"));
	assert_false(exists("s/moved-again.txt"));
	assert_string_equal(get("s/old.txt"), "OLD\n");
	assert_false(exists("s/olddir2"));
	assert_false(exists("s/olddir/new"));
	assert_string_equal(get("s/olddir/keep"), "KEEP\n");
	assert_string_equal(get("s/x"), "X\n");
	assert_string_equal(get("s/y"), "Y\n");
	assert_string_equal(get("s/victim"), "VICTIM\n");
	assert_false(exists("t/victim"));
	assert_string_equal(get("s/pips2"), "P\n");
	/* d, sub, f, n2, hard, sym, olddir2/new */
	assert_int_equal(res->removed_elsewhere, 7);
	/* old.txt, olddir, the exchange, victim */
	assert_int_equal(res->moved_back, 4);
	txn_free(t);
}

/* What cannot be put back is named: the old name taken again, a made directory not empty. */
static void test_elsewhere_lost(void **state)
{
	const struct txn_result *res;
	struct txn *t;
	bool p = false, d = false;

	make_target();
	assert_int_equal(mkdir(pth("s"), 0755), 0);
	put("s/p", "P\n");
	assert_int_equal(start(&t, TXN_WANT_JOURNALED), 0);
	do_rename(t, "s/p", "s/q", 0);
	put("s/p", "someone else's\n");          /* not the build's: no record */
	assert_int_equal(mkdir(pth("s/d"), 0755), 0);
	file_op(t, SP_FOP_MKDIR, "s/d", NULL, 0);
	put("s/d/unseen", "u\n");

	assert_int_equal(txn_abort(t), -EIO);
	res = txn_result(t);
	assert_int_equal(res->nlost, 2);
	for (size_t i = 0; i < res->nlost; i++) {
		p |= strcmp(res->lost[i], pth("s/p")) == 0;
		d |= strcmp(res->lost[i], pth("s/d")) == 0;
	}
	assert_true(p && d);
	assert_string_equal(get("s/q"), "P\n");
	assert_string_equal(get("s/p"), "someone else's\n");
	txn_free(t);
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
		cmocka_unit_test_setup_teardown(test_elsewhere_undone, setup, teardown),
		cmocka_unit_test_setup_teardown(test_elsewhere_lost, setup, teardown),
		cmocka_unit_test_setup_teardown(test_staged_merge, setup, teardown),
		cmocka_unit_test_setup_teardown(test_staged_merge_interrupted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_staged_cycle, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
