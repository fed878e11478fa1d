// SPDX-License-Identifier: MIT
/*
 * The syscall class tables the kernel sensor counts with, built from
 * guard/systab.def, and the names the log gives to syscall numbers.
 */
#include "guard/systab.h"

#include <asm/unistd.h>
#include <errno.h>
#include <string.h>

/* Newer than some C libraries' headers; the number is the same on every architecture. */
#ifndef __NR_fchmodat2
#define __NR_fchmodat2 452
#endif

/* Native calls some architectures do not have (arm64 has only the *at forms). */
#ifndef __NR_open
#define __NR_open -1
#endif
#ifndef __NR_stat
#define __NR_stat -1
#endif
#ifndef __NR_fstat
#define __NR_fstat -1
#endif
#ifndef __NR_lstat
#define __NR_lstat -1
#endif
#ifndef __NR_poll
#define __NR_poll -1
#endif
#ifndef __NR_lseek
#define __NR_lseek -1
#endif
#ifndef __NR_mmap
#define __NR_mmap -1
#endif
#ifndef __NR_access
#define __NR_access -1
#endif
#ifndef __NR_pipe
#define __NR_pipe -1
#endif
#ifndef __NR_select
#define __NR_select -1
#endif
#ifndef __NR_dup2
#define __NR_dup2 -1
#endif
#ifndef __NR_alarm
#define __NR_alarm -1
#endif
#ifndef __NR_sendfile
#define __NR_sendfile -1
#endif
#ifndef __NR_fork
#define __NR_fork -1
#endif
#ifndef __NR_vfork
#define __NR_vfork -1
#endif
#ifndef __NR_fcntl
#define __NR_fcntl -1
#endif
#ifndef __NR_truncate
#define __NR_truncate -1
#endif
#ifndef __NR_ftruncate
#define __NR_ftruncate -1
#endif
#ifndef __NR_getdents
#define __NR_getdents -1
#endif
#ifndef __NR_rename
#define __NR_rename -1
#endif
#ifndef __NR_mkdir
#define __NR_mkdir -1
#endif
#ifndef __NR_rmdir
#define __NR_rmdir -1
#endif
#ifndef __NR_creat
#define __NR_creat -1
#endif
#ifndef __NR_link
#define __NR_link -1
#endif
#ifndef __NR_unlink
#define __NR_unlink -1
#endif
#ifndef __NR_symlink
#define __NR_symlink -1
#endif
#ifndef __NR_readlink
#define __NR_readlink -1
#endif
#ifndef __NR_chmod
#define __NR_chmod -1
#endif
#ifndef __NR_chown
#define __NR_chown -1
#endif
#ifndef __NR_lchown
#define __NR_lchown -1
#endif
#ifndef __NR_getpgrp
#define __NR_getpgrp -1
#endif
#ifndef __NR_utime
#define __NR_utime -1
#endif
#ifndef __NR_mknod
#define __NR_mknod -1
#endif
#ifndef __NR_statfs
#define __NR_statfs -1
#endif
#ifndef __NR_fstatfs
#define __NR_fstatfs -1
#endif
#ifndef __NR_arch_prctl
#define __NR_arch_prctl -1
#endif
#ifndef __NR_time
#define __NR_time -1
#endif
#ifndef __NR_epoll_create
#define __NR_epoll_create -1
#endif
#ifndef __NR_fadvise64
#define __NR_fadvise64 -1
#endif
#ifndef __NR_epoll_wait
#define __NR_epoll_wait -1
#endif
#ifndef __NR_utimes
#define __NR_utimes -1
#endif
#ifndef __NR_inotify_init
#define __NR_inotify_init -1
#endif
#ifndef __NR_futimesat
#define __NR_futimesat -1
#endif
#ifndef __NR_newfstatat
#define __NR_newfstatat -1
#endif
#ifndef __NR_signalfd
#define __NR_signalfd -1
#endif
#ifndef __NR_eventfd
#define __NR_eventfd -1
#endif

const struct systab_entry systab[] = {
#define SYS(name, cat, tok, nr32) { #name, __NR_##name, nr32, -1, SP_CAT_##cat, SP_TOK_##tok },
#define SYS32(name, cat, tok, nr32, twin) { #name, -1, nr32, __NR_##twin, SP_CAT_##cat, SP_TOK_##tok },
#define SYS32X(name, cat, tok, nr32) { #name, -1, nr32, -1, SP_CAT_##cat, SP_TOK_##tok },
#include "guard/systab.def"
#undef SYS
#undef SYS32
#undef SYS32X
};
const size_t systab_len = sizeof(systab) / sizeof(systab[0]);

static const char *const cat_names[SP_CAT_MAX] = {
	[SP_CAT_IO] = "io", [SP_CAT_FILE] = "file", [SP_CAT_NET] = "network",
	[SP_CAT_TIME] = "time", [SP_CAT_SECURITY] = "security", [SP_CAT_PROCESS] = "process",
	[SP_CAT_OTHER] = "other",
};

static const char *const ngram_names[SP_NG_MAX] = {
	[SP_NG_STAT_OPEN_FSTAT] = "newfstatat-openat-fstat",
	[SP_NG_READ_PREAD_LSEEK] = "read-pread64-lseek",
	[SP_NG_WRITE_PWRITE_FSYNC] = "write-pwrite64-fsync",
	[SP_NG_SOCKET_BIND_LISTEN] = "socket-bind-listen",
	[SP_NG_FORK_EXEC_WAIT] = "fork-execve-wait4",
	[SP_NG_MMAP_MPROTECT_MUNMAP] = "mmap-mprotect-munmap",
	[SP_NG_DUP_DUP2_CLOSE] = "dup-dup2-close",
	[SP_NG_PIPE_WRITE_READ] = "pipe-write-read",
	[SP_NG_FCNTL_LOCKF_CLOSE] = "fcntl-lockf-close",
	[SP_NG_OPEN_READ_ENOENT] = "open-read-ENOENT",
};

static const char *const bucket_names[SP_BK_MAX] = {
	[SP_BK_ROOT] = "root", [SP_BK_TMP] = "tmp", [SP_BK_HOME] = "home", [SP_BK_USR] = "usr",
	[SP_BK_SYS] = "sys", [SP_BK_ETC] = "etc", [SP_BK_OTHER] = "other", [SP_BK_HIDDEN] = "hidden",
};

const char *sp_cat_name(unsigned cat)
{
	return cat < SP_CAT_MAX ? cat_names[cat] : "?";
}

const char *sp_ngram_name(unsigned i)
{
	return i < SP_NG_MAX ? ngram_names[i] : "?";
}

const char *sp_bucket_name(unsigned b)
{
	return b < SP_BK_MAX ? bucket_names[b] : "?";
}

static void set_class(struct sp_sysclass *v, const struct systab_entry *s, int native)
{
	v->cat = s->cat;
	v->tok = s->tok;
	v->valid = 1;
	v->native = native >= 0 && native < SP_NR_SOCKETCALL ? (uint16_t)native : SP_NR_NONE;
}

int systab_build(bool compat, struct sp_sysclass *tab, size_t n)
{
	int count = 0;

	if (n < SP_SYSNR_MAX)
		return -EINVAL;
	memset(tab, 0, n * sizeof(*tab));
	for (size_t i = 0; i < systab_len; i++) {
		const struct systab_entry *s = &systab[i];
		int nr = compat ? s->nr32 : s->nr;
		int native = s->nr >= 0 ? s->nr : s->twin;

		if (nr < 0 || nr >= SP_SYSNR_MAX)
			continue;
		if (compat && strcmp(s->name, "socketcall") == 0) {
			set_class(&tab[nr], s, -1);
			tab[nr].native = SP_NR_SOCKETCALL;
		} else {
			set_class(&tab[nr], s, native);
		}
		count++;
	}
	return count;
}

const char *systab_name(int nr, bool compat)
{
	for (size_t i = 0; i < systab_len; i++)
		if ((compat ? systab[i].nr32 : systab[i].nr) == nr && nr >= 0)
			return systab[i].name;
	return NULL;
}
