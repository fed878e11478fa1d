/* SPDX-License-Identifier: MIT */
/*
 * File system helpers of the install transaction.  Everything works
 * relative to directory fds and never follows a symlink it did not create:
 * the trees they walk are written by packages.  Recursion is bounded by
 * FS_DEPTH_MAX.  int functions return 0 (or a count) or -errno.
 */
#ifndef SAFEPIP_FSUTIL_H
#define SAFEPIP_FSUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

/* Deepest directory nesting the helpers descend into (-ELOOP beyond). */
#define FS_DEPTH_MAX 256

/*
 * Remove name in dirfd, whatever it is: a file, a symlink, a device, or a
 * directory tree.  A missing name is not an error.  Directories without
 * search or write permission are made accessible first (overlayfs leaves
 * such a directory in its work dir).  *count (may be NULL) is increased by
 * the number of entries removed.
 */
int fs_remove_at(int dirfd, const char *name, uint64_t *count);

/*
 * Set owner, mode (not for symlinks), and access/modification times of
 * dirfd/name from st.  Owner first: chown clears set-id bits.
 */
int fs_set_meta_at(int dirfd, const char *name, const struct stat *st);

/*
 * Copy the regular file sdir/sname to ddir/dname, which must not exist:
 * contents (reflink when the file system can), extended attributes, owner,
 * mode and times.  On failure nothing is left at dname.
 */
int fs_copy_file_at(int sdir, const char *sname, int ddir, const char *dname);

/*
 * Copy a file, symlink or directory tree sdir/sname to ddir/dname (which
 * must not exist), with metadata.  FIFOs, sockets and devices are
 * recreated with mknod.  On failure a partial copy may remain at dname.
 */
int fs_copy_tree_at(int sdir, const char *sname, int ddir, const char *dname);

/*
 * Move sdir/sname to ddir/dname, replacing a non-directory at dname.
 * rename(2) where it can; across file systems, a copy to a temporary name
 * in ddir renamed into place, then the source is removed.
 */
int fs_move_at(int sdir, const char *sname, int ddir, const char *dname);

/*
 * Remove the extended attributes whose names start with prefix from
 * dirfd/name (not following a symlink), and with recursive from the whole
 * tree below it.
 */
int fs_strip_xattrs_at(int dirfd, const char *name, const char *prefix, bool recursive);

/* Copy every extended attribute of fd src to fd dst (best effort for security.*). */
int fs_copy_xattrs(int src, int dst);

/* mkdir -p with mode for the directories it creates. */
int fs_mkdir_p(const char *path, mode_t mode);

/*
 * Replace dirfd/name atomically with buf: a temporary file renamed into
 * place, so that a reader (or a process killed half way) sees the old or
 * the new contents.  durable: fsync the file before and the directory
 * after the rename, so that it also survives a power loss.
 */
int fs_write_atomic(int dirfd, const char *name, const void *buf, size_t len, bool durable);

/* Is this a whiteout of overlayfs (a character device 0/0)? */
bool fs_is_whiteout(const struct stat *st);

/* ------------------------------------------------------------- paths */

/*
 * Lexically normalise an absolute path: no "//", "/./", "/../" or
 * trailing slash.  Returns a new string, or NULL (errno EINVAL when p is
 * not absolute, ENAMETOOLONG, ENOMEM).
 */
char *path_normalize(const char *p);

/* Is path root itself or below it?  Both normalised. */
bool path_under(const char *path, const char *root);

/* The part of path below root ("" for root itself); path_under() must hold. */
const char *path_rel(const char *path, const char *root);

/* a + "/" + b, b may be "" (then a copy of a).  NULL with errno. */
char *path_join(const char *a, const char *b);

/*
 * The canonical form of an absolute path that may not exist yet: realpath
 * of its longest existing ancestor, the rest appended lexically.
 */
char *path_canonical(const char *p);

/*
 * Escape a string for one field of a line-based file: bytes below 0x21,
 * 0x7f and backslash become \xHH.  path_unescape() reverses it and refuses
 * malformed input (NULL, errno EINVAL).
 */
char *str_escape(const char *s);
char *str_unescape(const char *s);

#endif
