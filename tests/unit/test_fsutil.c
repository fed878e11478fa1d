// SPDX-License-Identifier: MIT
/* File system helpers: removal of hostile trees, moves across file systems. */
#include "tests/cmocka_all.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "guard/fsutil.h"
#include "guard/util.h"

static void mk(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	assert_int_equal(chmod(path, mode), 0);
}

static void test_remove_tree(void **state)
{
	char d[] = "/tmp/sp-fs-unit-XXXXXX", p[256];
	uint64_t n = 0;

	assert_non_null(mkdtemp(d));
	snprintf(p, sizeof(p), "%s/a/b/c", d);
	assert_int_equal(fs_mkdir_p(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/a/b/c/f", d);
	mk(p, "x", 0644);
	snprintf(p, sizeof(p), "%s/a/link", d);
	assert_int_equal(symlink("/etc", p), 0);        /* never followed */
	snprintf(p, sizeof(p), "%s/a/b", d);
	assert_int_equal(chmod(p, 0), 0);               /* overlayfs leaves such a work dir */
	assert_int_equal(fs_remove_at(AT_FDCWD, d, &n), 0);
	assert_int_equal(access(d, F_OK), -1);
	assert_int_equal(n, 6);
	assert_int_equal(access("/etc/passwd", F_OK), 0);
	assert_int_equal(fs_remove_at(AT_FDCWD, d, NULL), 0);  /* missing is fine */
}

static void test_move_across(void **state)
{
	char src[] = "/tmp/sp-fs-unit-XXXXXX", dst[] = "/dev/shm/sp-fs-unit-XXXXXX";
	struct timespec ts[2] = { { 100, 5 }, { 200, 6 } };
	char p[256], q[256], buf[16];
	struct stat a, b;
	int sfd, dfd;

	if (!mkdtemp(dst))
		skip();         /* no second file system here */
	assert_non_null(mkdtemp(src));
	snprintf(p, sizeof(p), "%s/tree/sub", src);
	assert_int_equal(fs_mkdir_p(p, 0750), 0);
	snprintf(p, sizeof(p), "%s/tree/sub/x", src);
	mk(p, "hello", 0640);
	assert_int_equal(utimensat(AT_FDCWD, p, ts, 0), 0);
	snprintf(p, sizeof(p), "%s/tree/ln", src);
	assert_int_equal(symlink("sub/x", p), 0);
	sfd = open(src, O_RDONLY | O_DIRECTORY);
	dfd = open(dst, O_RDONLY | O_DIRECTORY);
	assert_true(fstat(sfd, &a) == 0 && fstat(dfd, &b) == 0);
	if (a.st_dev == b.st_dev)
		skip();
	assert_int_equal(fs_move_at(sfd, "tree", dfd, "tree"), 0);
	snprintf(q, sizeof(q), "%s/tree/sub/x", dst);
	assert_int_equal(stat(q, &a), 0);
	assert_int_equal(a.st_mode & 07777, 0640);
	assert_int_equal(a.st_mtim.tv_sec, 200);
	assert_int_equal(a.st_mtim.tv_nsec, 6);
	snprintf(q, sizeof(q), "%s/tree/ln", dst);
	assert_int_equal(readlink(q, buf, sizeof(buf)), 5);
	snprintf(q, sizeof(q), "%s/tree/sub", dst);
	assert_int_equal(stat(q, &a), 0);
	assert_int_equal(a.st_mode & 07777, 0750);
	snprintf(p, sizeof(p), "%s/tree", src);
	assert_int_equal(access(p, F_OK), -1);          /* the source went */
	snprintf(q, sizeof(q), "%s/.safe-pip-move.tmp", dst);
	assert_int_equal(access(q, F_OK), -1);          /* no temporary left */
	close(sfd);
	close(dfd);
	(void)fs_remove_at(AT_FDCWD, src, NULL);
	(void)fs_remove_at(AT_FDCWD, dst, NULL);
}

static void test_write_atomic(void **state)
{
	char d[] = "/tmp/sp-fs-unit-XXXXXX", p[256], *text = NULL;
	int fd;

	assert_non_null(mkdtemp(d));
	fd = open(d, O_RDONLY | O_DIRECTORY);
	assert_int_equal(fs_write_atomic(fd, "j", "one", 3, true), 0);
	assert_int_equal(fs_write_atomic(fd, "j", "two!", 4, false), 0);
	snprintf(p, sizeof(p), "%s/j", d);
	assert_int_equal(read_file_max(AT_FDCWD, p, &text, 100), 4);
	assert_string_equal(text, "two!");
	free(text);
	close(fd);
	(void)fs_remove_at(AT_FDCWD, d, NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_remove_tree),
		cmocka_unit_test(test_move_across),
		cmocka_unit_test(test_write_atomic),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
