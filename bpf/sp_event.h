/* SPDX-License-Identifier: MIT */
/*
 * ABI between the kernel sensor (bpf/safepip.bpf.c) and its consumer
 * (guard/ksensor.c): the records of the ring buffer and the keys and values
 * of the maps user space reads or writes.  Fixed-width types and explicit
 * sizes only; no logic.  guard/ksensor.c asserts every size, so a change
 * here that is not matched on both sides fails the build.  Bump
 * SP_ABI_VERSION on any change of layout.
 *
 * Every record starts with struct sp_hdr; its kind decides the payload and
 * so the record's size, which is fixed per kind (SP_EVSZ_*).  Strings are
 * bounded and NUL-terminated; a record whose string did not fit carries
 * SP_EF_TRUNC.
 */
#ifndef SAFEPIP_SP_EVENT_H
#define SAFEPIP_SP_EVENT_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define SP_ABI_VERSION 3

#define SP_COMM_LEN 16          /* task comm, as the kernel keeps it */
#define SP_PATH_MAX 256         /* bytes of a path kept in a record */
#define SP_ARGV_MAX 256         /* bytes of the argv head kept in an exec record */
#define SP_NAME_MAX 64          /* bytes of a dentry name kept in a record */
#define SP_STR_MAX 128          /* bytes of a string argument kept in a syscall record */
#define SP_DNS_MAX 256          /* bytes of a DNS datagram kept in a record */
#define SP_PATH_DEPTH 40        /* dentries walked to resolve a path */
#define SP_TRACKED_MAX 65536    /* processes one session can track */
#define SP_INTERP_MAX 8         /* interpreter binaries the session knows */
#define SP_PRELOAD_MAX 128      /* bytes of the shim path the kernel compares */
#define SP_ENV_SCAN 128         /* environment strings scanned at exec */
#define SP_SYSNR_MAX 512        /* syscall numbers the class tables cover */
#define SP_WRITTEN_MAX 65536    /* files remembered as written during the session */
#define SP_SEEN_MAX 16384       /* (process, object) pairs already reported once */
#define SP_SOCKS_MAX 16384      /* TCP sockets of the session followed at once */
#define SP_NET_RULES_MAX 4096   /* address prefixes per family */
#define SP_NET_PORTS 16         /* port ranges per address prefix */
#define SP_NET_DEPTH 8          /* prefixes tried, longest first, per lookup */
#define SP_RINGBUF_BYTES (16u << 20)

/* What a process does for the install; decides what it may do. */
enum sp_role {
	SP_ROLE_NONE = 0,       /* the session's own helper (PID namespace init) */
	SP_ROLE_PIP = 1,        /* pip itself, nested pip for build deps, pip's helpers */
	SP_ROLE_BUILD = 2,      /* a PEP 517 backend / setup.py and all it starts */
	SP_ROLE_MAX = 3,
};

/* Syscall categories, as DySec counts them (RESEARCH.md), plus "other". */
enum sp_cat {
	SP_CAT_IO = 0,
	SP_CAT_FILE = 1,
	SP_CAT_NET = 2,
	SP_CAT_TIME = 3,
	SP_CAT_SECURITY = 4,
	SP_CAT_PROCESS = 5,
	SP_CAT_OTHER = 6,
	SP_CAT_MAX = 7,
};

/*
 * DySec's ten syscall 3-grams, counted per thread over syscall entry order.
 * Tokens fold aliases: open = open/openat/openat2/creat, fork =
 * fork/vfork/clone/clone3, dup2 = dup2/dup3, pipe = pipe/pipe2.
 * SP_NG_OPEN_READ_ENOENT counts open, read, then a call failing ENOENT.
 */
enum sp_ngram {
	SP_NG_STAT_OPEN_FSTAT = 0,      /* newfstatat-openat-fstat */
	SP_NG_READ_PREAD_LSEEK = 1,     /* read-pread64-lseek */
	SP_NG_WRITE_PWRITE_FSYNC = 2,   /* write-pwrite64-fsync */
	SP_NG_SOCKET_BIND_LISTEN = 3,   /* socket-bind-listen */
	SP_NG_FORK_EXEC_WAIT = 4,       /* fork-execve-wait4 */
	SP_NG_MMAP_MPROTECT_MUNMAP = 5, /* mmap-mprotect-munmap */
	SP_NG_DUP_DUP2_CLOSE = 6,       /* dup-dup2-close */
	SP_NG_PIPE_WRITE_READ = 7,      /* pipe-write-read */
	SP_NG_FCNTL_LOCKF_CLOSE = 8,    /* fcntl-lockf-close (lockf is fcntl) */
	SP_NG_OPEN_READ_ENOENT = 9,     /* open-read-ENOENT */
	SP_NG_MAX = 10,
};

/* Directory buckets of successful opens (DySec's opensnoop features). */
enum sp_bucket {
	SP_BK_ROOT = 0,         /* /root */
	SP_BK_TMP = 1,          /* /tmp, /var/tmp, /dev/shm */
	SP_BK_HOME = 2,         /* /home */
	SP_BK_USR = 3,          /* /usr */
	SP_BK_SYS = 4,          /* /sys */
	SP_BK_ETC = 5,          /* /etc */
	SP_BK_OTHER = 6,        /* anything else */
	SP_BK_HIDDEN = 7,       /* also counted: a path component starts with '.' */
	SP_BK_MAX = 8,
};

/*
 * Counters of one process (or, summed, of a session role).  The syscall,
 * pattern and open counters grow while the process runs; the rest is
 * filled from the kernel's own accounting when the process exits.
 */
struct sp_stats {
	__u64 sys[SP_CAT_MAX];          /* syscalls entered, by category */
	__u64 ngram[SP_NG_MAX];         /* pattern occurrences */
	__u64 opens[SP_BK_MAX];         /* successful opens, by bucket */
	__u64 opens_read;               /* successful opens for reading only */
	__u64 opens_write;              /* ... with write, create or truncate */
	__u64 bytes_sent;               /* socket sends (inet), bytes */
	__u64 bytes_recv;               /* socket receives (inet), bytes */
	__u64 cpu_ns;                   /* CPU time of all threads (at exit) */
	__u64 rchar;                    /* bytes read by syscalls (at exit) */
	__u64 wchar;                    /* bytes written by syscalls (at exit) */
	__u64 read_bytes;               /* bytes fetched from storage (at exit) */
	__u64 write_bytes;              /* bytes sent to storage (at exit) */
	__u64 forks;                    /* processes created */
	__u64 threads;                  /* threads created */
	__u64 compat_sys;               /* 32-bit compatibility syscalls */
};

/* sp_proc.flags */
#define SP_PF_ROOT (1u << 0)    /* session root: its first interpreter exec is pip */
#define SP_PF_INIT (1u << 1)    /* the session's PID namespace init: its child is the root */
#define SP_PF_COMPAT (1u << 2)  /* made a compat syscall (reported once) */
#define SP_PF_URING (1u << 3)   /* set up io_uring (its operations are not traced) */

/* Value of the tracked map, keyed by tgid. */
struct sp_proc {
	__u32 role;             /* enum sp_role */
	__u32 flags;            /* SP_PF_* */
	__u32 gen;              /* execs so far: what the process runs now */
	__u32 pad;
	__u64 start_ns;         /* CLOCK_MONOTONIC when tracking began */
	struct sp_stats st;
};

/* A file, by kernel dev_t and inode (keys of the interp and written maps). */
struct sp_file_id {
	__u64 ino;
	__u32 dev;              /* kernel encoding: major << 20 | minor */
	__u32 pad;
};

/*
 * Value of the syscall class tables (native and compat), indexed by number.
 * An entry of all zeroes is "other, no token".  Compat entries name the
 * native number the kernel sensor dispatches on (SP_NR_* for calls that
 * have no native twin).
 */
#define SP_NR_NONE 0xffff
#define SP_NR_SOCKETCALL 0xfff0 /* i386 socketcall(2) */
struct sp_sysclass {
	__u8 cat;               /* enum sp_cat */
	__u8 tok;               /* 3-gram token, enum sp_tok (0: none) */
	__u8 valid;             /* 1 for a known syscall */
	__u8 pad;
	__u16 native;           /* the native syscall number (compat table) */
	__u16 pad2;
};

/* 3-gram tokens */
enum sp_tok {
	SP_TOK_NONE = 0, SP_TOK_NEWFSTATAT, SP_TOK_OPEN, SP_TOK_FSTAT, SP_TOK_READ,
	SP_TOK_PREAD, SP_TOK_LSEEK, SP_TOK_WRITE, SP_TOK_PWRITE, SP_TOK_FSYNC,
	SP_TOK_SOCKET, SP_TOK_BIND, SP_TOK_LISTEN, SP_TOK_FORK, SP_TOK_EXECVE,
	SP_TOK_WAIT4, SP_TOK_MMAP, SP_TOK_MPROTECT, SP_TOK_MUNMAP, SP_TOK_DUP,
	SP_TOK_DUP2, SP_TOK_CLOSE, SP_TOK_PIPE, SP_TOK_FCNTL, SP_TOK_MAX,
};

/* Network policy in the kernel: LPM keys, per-prefix port rules. */
enum sp_net_action {
	SP_NET_NONE = 0,        /* no rule: the role's default applies */
	SP_NET_ALLOW = 1,
	SP_NET_DENY = 2,
};

struct sp_lpm4_key {
	__u32 prefixlen;
	__u8 addr[4];
};

struct sp_lpm6_key {
	__u32 prefixlen;
	__u8 addr[16];
};

struct sp_net_port {
	__u16 lo, hi;           /* port range, host order, inclusive */
	__u32 roles;            /* bitmask of 1 << enum sp_role */
	__u32 action;           /* enum sp_net_action */
	__u32 id;               /* rule id, reported in records */
};

struct sp_net_prefix {
	__u32 plen;             /* this entry's prefix length (to try shorter ones) */
	__u32 n;                /* valid entries of ports */
	struct sp_net_port ports[SP_NET_PORTS];
};

enum sp_kind {
	SP_EV_FORK = 1,
	SP_EV_EXEC = 2,
	SP_EV_EXIT = 3,
	SP_EV_CONNECT = 4,
	SP_EV_OPEN = 5,
	SP_EV_FILE = 6,         /* rename, unlink, chmod, link, symlink, truncate, mkdir */
	SP_EV_NET = 7,          /* socket, bind, listen, accept, sendto/sendmsg destinations */
	SP_EV_TCP = 8,          /* TCP state change of a session socket */
	SP_EV_SYSCALL = 9,      /* a notable syscall: arguments and result */
	SP_EV_DNS = 10,         /* a datagram to port 53: its head */
	SP_EV_KIND_MAX = 11,
};

/* sp_hdr.flags */
#define SP_EF_DENIED (1u << 0)     /* the kernel refused the action and doomed the tree */
#define SP_EF_TRUNC (1u << 1)      /* a string of this record was truncated */
#define SP_EF_DOOMED (1u << 2)     /* emitted after the session was doomed */
#define SP_EF_COMPAT (1u << 3)     /* from a 32-bit compat syscall */
#define SP_EF_CGROUP (1u << 4)     /* decided by the cgroup hook (no syscall record saw it) */

struct sp_hdr {
	__u16 version;          /* SP_ABI_VERSION */
	__u16 kind;             /* enum sp_kind */
	__u32 flags;            /* SP_EF_* */
	__u64 ts_ns;            /* bpf_ktime_get_ns(): CLOCK_MONOTONIC; connect, open: the call's entry */
	__u32 pid;              /* thread id (global) */
	__u32 tgid;             /* process id (global, as the supervisor sees it) */
	__u32 ppid;             /* tgid of the real parent */
	__u32 role;             /* enum sp_role of the process at the time */
	__u32 uid;
	__u32 ns_tgid;          /* process id inside its own PID namespace */
	__u32 ns_pid;           /* thread id inside its own PID namespace */
	__u32 pad;
	char comm[SP_COMM_LEN];
};

/* sp_fork.fflags */
#define SP_FF_NEWNS (1u << 0)      /* created with CLONE_NEW* flags */

struct sp_fork {
	__u32 child_tgid;
	__u32 fflags;           /* SP_FF_* */
	__u64 clone_flags;      /* of the fork/vfork/clone/clone3 call, 0 if unknown */
};

/* sp_exec.xflags: what the kernel saw of the new program and its environment */
#define SP_XF_ELF (1u << 0)         /* the file is ELF */
#define SP_XF_INTERP (1u << 1)      /* ELF with PT_INTERP (dynamically linked) */
#define SP_XF_PHDR_UNSEEN (1u << 2) /* ELF whose program headers lie past bprm->buf */
#define SP_XF_SCRIPT (1u << 3)      /* a "#!" script: filename is the script, path its interpreter */
#define SP_XF_PRELOAD (1u << 4)     /* LD_PRELOAD starts with the session's shim */
#define SP_XF_PRELOAD_OTHER (1u << 5) /* LD_PRELOAD set, not to the shim */
#define SP_XF_ENV_TRUNC (1u << 6)   /* the environment was not scanned to its end */
#define SP_XF_ELF32 (1u << 7)       /* 32-bit ELF (i386 and the like) */
#define SP_XF_WRITTEN (1u << 8)     /* the file was written during this session */
#define SP_XF_TMPDIR (1u << 9)      /* it lives under /tmp, /var/tmp or /dev/shm */
#define SP_XF_WWDIR (1u << 10)      /* its directory is world-writable */
#define SP_XF_HIDDEN (1u << 11)     /* a component of its path starts with '.' */
#define SP_XF_MEMFD (1u << 12)      /* it is a memfd (no file on any filesystem) */
#define SP_XF_EXECVEAT (1u << 13)   /* started by execveat (of an fd) */
#define SP_XF_SETID (1u << 14)      /* secure exec: set-id bits or capabilities */
#define SP_XF_OWNDIR (1u << 15)     /* its directory is owned by the (non-root) caller */

struct sp_exec {
	__u64 ino;              /* the executed file */
	__u32 dev;
	__u32 argv_len;         /* bytes valid in argv, NUL-separated */
	__u32 argc_trunc;       /* 1 when argv did not fit */
	__u32 old_role;         /* role before this exec reclassified it */
	__u32 xflags;           /* SP_XF_* */
	__u32 bucket;           /* enum sp_bucket of path */
	char filename[SP_PATH_MAX];   /* as passed to execve */
	char path[SP_PATH_MAX];       /* the file the kernel runs, resolved */
	char argv[SP_ARGV_MAX];       /* NUL-separated head of argv */
	char cwd[SP_NAME_MAX];        /* last component of the working directory */
};

struct sp_exit {
	__s32 exit_code;        /* wait(2) status word */
	__u32 pad;
	struct sp_stats st;     /* the process's counters */
};

struct sp_connect {
	__u16 family;           /* AF_INET, AF_INET6, AF_UNIX ... */
	__u16 port;             /* host byte order */
	__u32 fd;
	__u8 addr[16];          /* IPv4 in the first 4 bytes */
	char path[108];         /* AF_UNIX path (abstract: leading '@') */
	__s32 ret;              /* 0 or -errno; -EINPROGRESS for non-blocking */
	__u32 action;           /* enum sp_net_action the kernel applied */
	__u32 rule;             /* id of the matching rule, ~0 for the role default */
	__u32 pad;
};

/* sp_open.oflags */
#define SP_OF_RESOLVED (1u << 0)   /* path is the opened file as the kernel resolved it */
#define SP_OF_WRITE (1u << 1)      /* opened for writing, creating or truncating */
#define SP_OF_HIDDEN (1u << 2)     /* a component of path starts with '.' */
#define SP_OF_PROC_PID (1u << 3)   /* a /proc/<pid>/ file of another process */
#define SP_OF_SUPERVISOR (1u << 4) /* a /proc/<pid>/ file of the supervisor */
#define SP_OF_MEMFD (1u << 5)
#define SP_OF_CREATED (1u << 6)    /* this open created the file */

struct sp_open {
	__s32 dfd;
	__u32 flags;            /* open(2) flags */
	__u32 mode;
	__s32 ret;              /* fd or -errno */
	__u64 ino;              /* the opened file (0 on failure) */
	__u32 dev;
	__u32 bucket;           /* enum sp_bucket */
	__u32 oflags;           /* SP_OF_* */
	__u32 proc_pid;         /* the pid of a /proc/<pid>/ path, else 0 */
	char path[SP_PATH_MAX]; /* resolved (SP_OF_RESOLVED), else as passed */
};

enum sp_fileop {
	SP_FOP_RENAME = 1, SP_FOP_UNLINK, SP_FOP_RMDIR, SP_FOP_CHMOD, SP_FOP_LINK,
	SP_FOP_SYMLINK, SP_FOP_TRUNCATE, SP_FOP_MKDIR, SP_FOP_CHOWN, SP_FOP_MKNOD,
	SP_FOP_MAX,
};

/* sp_file.fflags */
#define SP_FL_P1_DIR (1u << 0)     /* path starts with the dfd's/cwd's resolved directory */
#define SP_FL_P2_DIR (1u << 1)     /* same for path2 */
#define SP_FL_BY_FD (1u << 2)      /* fchmod/ftruncate/fchown: path is the fd's file */
#define SP_FL_WRITTEN (1u << 3)    /* the file (by fd) was written during the session */

struct sp_file {
	__u32 op;               /* enum sp_fileop */
	__s32 ret;              /* 0 or -errno */
	__u32 mode;             /* chmod/mkdir/mknod mode; chown: uid */
	__u32 flags;            /* renameat2/unlinkat/linkat flags; chown: gid */
	__s32 fd;               /* by-fd calls, else the dfd */
	__u32 fflags;           /* SP_FL_* */
	__u64 size;             /* truncate length */
	char path[SP_PATH_MAX];         /* the object (rename: old name; link: target) */
	char path2[SP_PATH_MAX];        /* rename: new name; link/symlink: the new link */
};

enum sp_netop {
	SP_NOP_SOCKET = 1, SP_NOP_BIND, SP_NOP_LISTEN, SP_NOP_ACCEPT, SP_NOP_SENDTO,
	SP_NOP_MAX,
};

/* sp_net.nflags */
#define SP_NF_RAW (1u << 0)        /* SOCK_RAW, or an AF_PACKET socket */
#define SP_NF_PACKET (1u << 1)     /* AF_PACKET */
#define SP_NF_PEER (1u << 2)       /* addr/port is the connected peer, read from the socket */

struct sp_net {
	__u32 op;               /* enum sp_netop */
	__s32 fd;
	__s32 ret;              /* fd / 0 / bytes, or -errno */
	__u16 family;
	__u16 port;             /* host order: local (bind), peer (accept, sendto) */
	__u32 type;             /* socket type (SOCK_*), with flags masked off */
	__u32 proto;
	__u32 nflags;           /* SP_NF_* */
	__u32 arg;              /* listen backlog; sendto length */
	__u8 addr[16];
	__u32 action;           /* sendto: enum sp_net_action applied */
	__u32 rule;
};

struct sp_tcp {
	__u32 oldstate, newstate;       /* TCP_* */
	__u16 family;
	__u16 sport, dport;             /* host order */
	__u16 pad;
	__u8 saddr[16];
	__u8 daddr[16];
};

/* sp_sys.sflags */
#define SP_SF_TARGET_TRACKED (1u << 0)    /* the target process is in the tree */
#define SP_SF_TARGET_SUPERVISOR (1u << 1) /* the target is the supervisor */
#define SP_SF_TARGET_GROUP (1u << 2)      /* the target is a process group */
#define SP_SF_TARGET_ALL (1u << 3)        /* kill(-1): every process the caller may signal */
#define SP_SF_TARGET_KNOWN (1u << 4)      /* target_tgid was resolved */
#define SP_SF_IN_PIDNS (1u << 5)          /* the caller runs in the session's PID namespace */
#define SP_SF_ANON (1u << 6)              /* mmap/mprotect: anonymous memory */
#define SP_SF_MEMFD (1u << 7)             /* mmap/mprotect of a memfd */
#define SP_SF_FIRST_COMPAT (1u << 8)      /* the first compat syscall of this process */

struct sp_sys {
	__u32 nr;               /* native syscall number (compat calls are translated) */
	__u32 cnr;              /* the number as called (differs for compat) */
	__u64 args[6];
	__s64 ret;
	__u32 sflags;           /* SP_SF_* */
	__u32 target_tgid;      /* kill/ptrace...: the target, as the supervisor sees it */
	char str[SP_STR_MAX];   /* memfd name, mount point, module params, prctl name ... */
};

struct sp_dns {
	__s32 fd;
	__u16 family;
	__u16 port;             /* host order */
	__u8 addr[16];          /* the server */
	__u32 len;              /* datagram length (payload holds at most SP_DNS_MAX) */
	__u32 pad;
	__u8 payload[SP_DNS_MAX];
};

/* One ring buffer record: a header and the payload of its kind. */
struct sp_event {
	struct sp_hdr h;
	union {
		struct sp_fork fork;
		struct sp_exec exec;
		struct sp_exit exit;
		struct sp_connect connect;
		struct sp_open open;
		struct sp_file file;
		struct sp_net net;
		struct sp_tcp tcp;
		struct sp_sys sys;
		struct sp_dns dns;
	};
};

/* Size of a record of each kind (a record never exceeds sizeof(sp_event)). */
#define SP_HDR_SIZE 64
#define SP_EVSZ_FORK (SP_HDR_SIZE + 16)
#define SP_EVSZ_EXEC (SP_HDR_SIZE + 864)
#define SP_EVSZ_EXIT (SP_HDR_SIZE + 304)
#define SP_EVSZ_CONNECT (SP_HDR_SIZE + 148)
#define SP_EVSZ_OPEN (SP_HDR_SIZE + 296)
#define SP_EVSZ_FILE (SP_HDR_SIZE + 544)
#define SP_EVSZ_NET (SP_HDR_SIZE + 56)
#define SP_EVSZ_TCP (SP_HDR_SIZE + 48)
#define SP_EVSZ_SYSCALL (SP_HDR_SIZE + 200)
#define SP_EVSZ_DNS (SP_HDR_SIZE + 288)
#define SP_EVENT_SIZE (SP_HDR_SIZE + 864)

/*
 * Deny reasons the kernel keeps in .bss (the first one wins), so a verdict
 * can be given even when the record that carried it was lost.
 */
enum sp_deny {
	SP_DENY_NONE = 0,
	SP_DENY_NET = 1,        /* a destination the network rules deny */
	SP_DENY_UNTRACKED = 2,  /* a fork the tracked map could not hold */
	SP_DENY_SUPERVISOR = 3, /* a signal, ptrace or /proc access aimed at the supervisor */
};

#endif
