/* SPDX-License-Identifier: MIT */
/*
 * ABI between the kernel sensor (bpf/safepip.bpf.c) and its consumer
 * (guard/ksensor.c): the records of the ring buffer and the values of the
 * maps user space writes.  Fixed-width types and explicit sizes only; no
 * logic.  guard/ksensor.c asserts every size, so a change here that is not
 * matched on both sides fails the build.  Bump SP_ABI_VERSION on any change
 * of layout.
 */
#ifndef SAFEPIP_SP_EVENT_H
#define SAFEPIP_SP_EVENT_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define SP_ABI_VERSION 1

#define SP_COMM_LEN 16          /* task comm, as the kernel keeps it */
#define SP_PATH_MAX 256         /* bytes of a path kept in a record */
#define SP_ARGV_MAX 256         /* bytes of the argv head kept in an exec record */
#define SP_NAME_MAX 64          /* bytes of a dentry name kept in a record */
#define SP_TRACKED_MAX 65536    /* processes one session can track */
#define SP_INTERP_MAX 8         /* interpreter binaries the session knows */
#define SP_PRELOAD_MAX 128      /* bytes of the shim path the kernel compares */
#define SP_ENV_SCAN 128         /* environment strings scanned at exec */
#define SP_RINGBUF_BYTES (16u << 20)

/* What a process does for the install; decides what it may do. */
enum sp_role {
	SP_ROLE_NONE = 0,
	SP_ROLE_PIP = 1,        /* pip itself, nested pip for build deps, pip's helpers */
	SP_ROLE_BUILD = 2,      /* a PEP 517 backend / setup.py and all it starts */
	SP_ROLE_MAX = 3,
};

/* sp_proc.flags */
#define SP_PF_ROOT (1u << 0)    /* session root: its first interpreter exec is pip */

/* Value of the tracked map, keyed by tgid. */
struct sp_proc {
	__u32 role;             /* enum sp_role */
	__u32 flags;            /* SP_PF_* */
	__u64 start_ns;         /* CLOCK_MONOTONIC when tracking began */
};

/* Key of the interp map: an interpreter binary, by kernel dev_t and inode. */
struct sp_file_id {
	__u64 ino;
	__u32 dev;              /* kernel encoding: major << 20 | minor */
	__u32 pad;
};

enum sp_kind {
	SP_EV_FORK = 1,
	SP_EV_EXEC = 2,
	SP_EV_EXIT = 3,
	SP_EV_CONNECT = 4,
	SP_EV_OPEN = 5,
	SP_EV_KIND_MAX = 6,
};

/* sp_hdr.flags */
#define SP_EF_DENIED (1u << 0)     /* the kernel refused the action and doomed the tree */
#define SP_EF_TRUNC (1u << 1)      /* a string of this record was truncated */
#define SP_EF_DOOMED (1u << 2)     /* emitted after the session was doomed */

struct sp_hdr {
	__u16 version;          /* SP_ABI_VERSION */
	__u16 kind;             /* enum sp_kind */
	__u32 flags;            /* SP_EF_* */
	__u64 ts_ns;            /* bpf_ktime_get_ns(): CLOCK_MONOTONIC */
	__u32 pid;              /* thread id */
	__u32 tgid;             /* process id */
	__u32 ppid;             /* tgid of the real parent */
	__u32 role;             /* enum sp_role of the process at the time */
	__u32 uid;
	__u32 pad;
	char comm[SP_COMM_LEN];
};

struct sp_fork {
	__u32 child_tgid;
	__u32 pad;
};

/* sp_exec.xflags: what the kernel saw of the new program and its environment */
#define SP_XF_ELF (1u << 0)         /* the file is ELF */
#define SP_XF_INTERP (1u << 1)      /* ELF with PT_INTERP (dynamically linked) */
#define SP_XF_PHDR_UNSEEN (1u << 2) /* ELF whose program headers lie past bprm->buf */
#define SP_XF_SCRIPT (1u << 3)      /* starts with "#!" */
#define SP_XF_PRELOAD (1u << 4)     /* LD_PRELOAD starts with the session's shim */
#define SP_XF_PRELOAD_OTHER (1u << 5) /* LD_PRELOAD set, not to the shim */
#define SP_XF_ENV_TRUNC (1u << 6)   /* the environment was not scanned to its end */

struct sp_exec {
	__u64 ino;              /* the executed file */
	__u32 dev;
	__u32 argv_len;         /* bytes valid in argv, NUL-separated */
	__u32 argc_trunc;       /* 1 when argv did not fit */
	__u32 old_role;         /* role before this exec reclassified it */
	__u32 xflags;           /* SP_XF_* */
	__u32 pad;
	char filename[SP_PATH_MAX];   /* as passed to execve */
	char argv[SP_ARGV_MAX];       /* NUL-separated head of argv */
	char cwd[SP_NAME_MAX];        /* last component of the working directory */
};

struct sp_exit {
	__s32 exit_code;        /* wait(2) status word */
	__u32 pad;
};

struct sp_connect {
	__u16 family;           /* AF_INET, AF_INET6, AF_UNIX ... */
	__u16 port;             /* host byte order */
	__u32 fd;
	__u8 addr[16];          /* IPv4 in the first 4 bytes */
	char path[108];         /* AF_UNIX path (abstract: leading '@') */
	__u32 pad;
};

struct sp_open {
	__s32 dfd;
	__u32 flags;            /* open(2) flags */
	__u32 mode;
	__u32 pad;
	char path[SP_PATH_MAX]; /* as passed; relative paths are relative to dfd/cwd */
};

/* One ring buffer record.  Every record has this size. */
struct sp_event {
	struct sp_hdr h;
	union {
		struct sp_fork fork;
		struct sp_exec exec;
		struct sp_exit exit;
		struct sp_connect connect;
		struct sp_open open;
	};
};

#define SP_EVENT_SIZE 664

#endif
