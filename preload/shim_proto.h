/* SPDX-License-Identifier: MIT */
/*
 * ABI between the LD_PRELOAD shim (preload/) and the supervisor
 * (guard/shimsrv.c): the records the shim sends, the verdicts the
 * supervisor returns and the configuration it hands to every process.
 * Fixed-width types and explicit sizes only; no logic.  Both sides assert
 * the sizes below, so a change that is not matched on both sides fails the
 * build.  Bump SHIM_PROTO_VERSION on any change of layout.
 *
 * Transport.  The supervisor makes an AF_UNIX SOCK_SEQPACKET socket pair;
 * every process of the guarded tree inherits one end (fd number in
 * SAFE_PIP_SHIM_FD) and sends one struct shim_rec per message.  The
 * supervisor reads the sender's pid from SCM_CREDENTIALS, never from the
 * record.  A record with SHIM_F_ASK carries one end of a fresh socket pair
 * (SCM_RIGHTS); the supervisor writes one struct shim_reply into it.
 *
 * Configuration.  A sealed memfd (fd number in SAFE_PIP_SHIM_CFG) holds one
 * struct shim_cfg: which calls are candidates for a deny rule, so that the
 * shim asks the supervisor about those only.  The lists are a superset of
 * what the policy denies; the supervisor makes the real decision.
 */
#ifndef SAFEPIP_SHIM_PROTO_H
#define SAFEPIP_SHIM_PROTO_H

#include <stdint.h>

#define SHIM_PROTO_VERSION 2
#define SHIM_MAGIC 0x48535053u          /* "SPSH" */
#define SHIM_CFG_MAGIC 0x43535053u      /* "SPSC" */
#define SHIM_REPLY_MAGIC 0x52535053u    /* "SPSR" */

/* Environment of every guarded process. */
#define SHIM_ENV_FD "SAFE_PIP_SHIM_FD"
#define SHIM_ENV_CFG "SAFE_PIP_SHIM_CFG"
#define SHIM_ENV_TOKEN "SAFE_PIP_SHIM_TOKEN"

#define SHIM_REC_SIZE 2048
#define SHIM_PATH_MAX 256       /* bytes of a path kept in a record */
#define SHIM_ARGV_MAX 640       /* bytes of the argv head kept in an exec record */
#define SHIM_HOST_MAX 256       /* bytes of a host name */
#define SHIM_PYFILE_MAX 128     /* bytes of a Python file name (its tail when longer) */
#define SHIM_PYFUNC_MAX 56
#define SHIM_PYEVENT_MAX 32
#define SHIM_PYFRAMES 3
#define SHIM_NATIVE_FRAMES 4
#define SHIM_NATIVE_MAX 72      /* "module!symbol+0x1f" */
#define SHIM_DNS_ADDRS 8

enum shim_kind {
	SHIM_EV_HELLO = 1,      /* the shim started in a process */
	SHIM_EV_EXEC = 2,       /* exec family, posix_spawn, system, popen */
	SHIM_EV_CONNECT = 3,    /* connect, and sendto/sendmsg with a destination */
	SHIM_EV_DNS = 4,        /* a name lookup (query, then SHIM_F_RESULT) */
	SHIM_EV_FILE = 5,       /* open for write or of a sensitive path, unlink, rename ... */
	SHIM_EV_MEM = 6,        /* memfd_create, mprotect with PROT_EXEC */
	SHIM_EV_PTRACE = 7,
	SHIM_EV_ENV = 8,        /* setenv/unsetenv/putenv/clearenv touching LD_PRELOAD */
	SHIM_EV_FD = 9,         /* an attempt to close or replace the shim's own fds */
	SHIM_EV_KIND_MAX = 10,
};

/* The libc entry point a record comes from (shim_hdr.call). */
enum shim_call {
	SHIM_CALL_NONE = 0,
	SHIM_CALL_EXECVE, SHIM_CALL_EXECV, SHIM_CALL_EXECVP, SHIM_CALL_EXECVPE,
	SHIM_CALL_EXECL, SHIM_CALL_EXECLP, SHIM_CALL_EXECLE, SHIM_CALL_FEXECVE,
	SHIM_CALL_EXECVEAT, SHIM_CALL_POSIX_SPAWN, SHIM_CALL_POSIX_SPAWNP,
	SHIM_CALL_SYSTEM, SHIM_CALL_POPEN,
	SHIM_CALL_CONNECT, SHIM_CALL_SENDTO, SHIM_CALL_SENDMSG,
	SHIM_CALL_GETADDRINFO, SHIM_CALL_GETHOSTBYNAME, SHIM_CALL_GETHOSTBYNAME2,
	SHIM_CALL_GETHOSTBYNAME_R, SHIM_CALL_GETHOSTBYNAME2_R, SHIM_CALL_GETHOSTBYADDR,
	SHIM_CALL_GETNAMEINFO,
	SHIM_CALL_OPEN, SHIM_CALL_OPENAT, SHIM_CALL_CREAT, SHIM_CALL_FOPEN,
	SHIM_CALL_FREOPEN, SHIM_CALL_MKSTEMP, SHIM_CALL_TMPFILE, SHIM_CALL_SHM_OPEN,
	SHIM_CALL_SEM_OPEN, SHIM_CALL_UNLINK, SHIM_CALL_UNLINKAT, SHIM_CALL_RENAME,
	SHIM_CALL_RENAMEAT, SHIM_CALL_CHMOD, SHIM_CALL_FCHMODAT, SHIM_CALL_DLOPEN,
	SHIM_CALL_MEMFD_CREATE, SHIM_CALL_MPROTECT, SHIM_CALL_PTRACE,
	SHIM_CALL_SETENV, SHIM_CALL_UNSETENV, SHIM_CALL_PUTENV, SHIM_CALL_CLEARENV,
	SHIM_CALL_CLOSE, SHIM_CALL_CLOSE_RANGE, SHIM_CALL_CLOSEFROM, SHIM_CALL_DUP2,
	SHIM_CALL_DUP3,
	SHIM_CALL_CTOR,         /* the shim's constructor (hello) */
	SHIM_CALL_MAX,
};

/* shim_hdr.flags */
#define SHIM_F_ASK (1u << 0)        /* a question: a reply socket is attached */
#define SHIM_F_PY (1u << 1)         /* shim_rec.py is valid */
#define SHIM_F_NATIVE (1u << 2)     /* shim_rec.native is valid */
#define SHIM_F_TRUNC (1u << 3)      /* a string of this record was truncated */
#define SHIM_F_NOCFG (1u << 4)      /* no valid configuration: the shim asks about everything */
#define SHIM_F_RESULT (1u << 5)     /* sent after the call: carries its result */
#define SHIM_F_CHILD (1u << 6)      /* sent from a vfork/clone child before its exec */

struct shim_hdr {
	uint32_t magic;         /* SHIM_MAGIC */
	uint16_t version;       /* SHIM_PROTO_VERSION */
	uint16_t kind;          /* enum shim_kind */
	uint32_t flags;         /* SHIM_F_* */
	uint32_t call;          /* enum shim_call */
	uint64_t token;         /* the session token (SAFE_PIP_SHIM_TOKEN) */
	uint64_t ts_ns;         /* CLOCK_MONOTONIC when the call was made */
	uint64_t seq;           /* records this process sent before this one */
	uint32_t pid;           /* getpid() as the shim saw it: informative only */
	uint32_t tid;           /* gettid(): matches the kernel's thread id */
	uint32_t dropped;       /* records this process could not send so far */
	int32_t result;         /* SHIM_F_RESULT: return value of the call */
	int32_t error;          /* SHIM_F_RESULT: errno of the call, 0 on success */
	uint32_t pad;
};

/* One Python frame: where the call came from. */
struct shim_pyframe {
	char file[SHIM_PYFILE_MAX];     /* co_filename; its tail when too long */
	char func[SHIM_PYFUNC_MAX];     /* co_name */
	uint32_t line;
};

/*
 * What the interpreter was doing: the audit event raised just before the
 * call and up to three frames: [0] the innermost Python frame, [1] the
 * innermost frame outside the standard library (the package's code), [2]
 * the frame that called [1].  nframes counts the valid ones.
 */
struct shim_py {
	char event[SHIM_PYEVENT_MAX];   /* e.g. "socket.connect" */
	uint32_t nframes;
	uint32_t pad;
	struct shim_pyframe f[SHIM_PYFRAMES];
	uint32_t pad2;
};

/* The native caller: the top frames below the hook, "module!symbol+0xoff". */
struct shim_native {
	uint32_t nframes;
	uint32_t pad;
	char frame[SHIM_NATIVE_FRAMES][SHIM_NATIVE_MAX];
};

/* shim_exec.preload: LD_PRELOAD in the environment given to the new program */
enum shim_env_state {
	SHIM_ENV_OK = 0,        /* starts with the shim */
	SHIM_ENV_MISSING = 1,   /* LD_PRELOAD absent */
	SHIM_ENV_OTHER = 2,     /* set to something else */
	SHIM_ENV_UNKNOWN = 3,   /* not known (system, popen: the caller's own environment) */
};

struct shim_exec {
	char path[SHIM_PATH_MAX];       /* as passed (execvp: the name searched in PATH) */
	char argv[SHIM_ARGV_MAX];       /* NUL-separated head of argv */
	uint32_t argv_len;              /* bytes valid in argv */
	uint32_t argc;                  /* arguments in total */
	uint32_t preload;               /* enum shim_env_state */
	int32_t fd;                     /* fexecve/execveat: the fd, else -1 */
};

struct shim_connect {
	uint16_t family;        /* AF_INET, AF_INET6, AF_UNIX ... */
	uint16_t port;          /* host byte order */
	int32_t fd;
	uint8_t addr[16];       /* IPv4 in the first 4 bytes */
	char path[108];         /* AF_UNIX path (abstract: leading '@') */
	uint32_t socktype;      /* SOCK_STREAM, SOCK_DGRAM ... (0 if unknown) */
};

struct shim_dns_addr {
	uint16_t family;
	uint16_t pad;
	uint8_t addr[16];
};

struct shim_dns {
	char host[SHIM_HOST_MAX];       /* the name asked for (reverse: the address) */
	uint32_t naddr;                 /* SHIM_F_RESULT: addresses in addr */
	int32_t status;                 /* SHIM_F_RESULT: EAI_* / h_errno, 0 on success */
	struct shim_dns_addr addr[SHIM_DNS_ADDRS];
};

/* shim_file.access */
#define SHIM_ACC_READ (1u << 0)
#define SHIM_ACC_WRITE (1u << 1)

struct shim_file {
	char path[SHIM_PATH_MAX];       /* as passed */
	char abspath[SHIM_PATH_MAX];    /* made absolute and normalised (no symlinks resolved) */
	char path2[SHIM_PATH_MAX];      /* rename: the new name, else "" */
	int32_t dfd;                    /* openat & co: the directory fd, else -100 */
	uint32_t flags;                 /* open(2) flags (fopen: the equivalent) */
	uint32_t mode;                  /* creation or chmod mode */
	uint32_t access;                /* SHIM_ACC_* */
};

struct shim_mem {
	uint64_t addr;
	uint64_t len;
	uint32_t prot;          /* mprotect */
	uint32_t flags;         /* memfd_create flags */
	char name[64];          /* memfd_create name */
};

struct shim_ptrace {
	int32_t request;
	int32_t target;
	uint64_t addr;
};

struct shim_env {
	char name[64];
	char value[SHIM_PATH_MAX];      /* the new value; "" when removed */
};

#define SHIM_FDW_CHANNEL 1
#define SHIM_FDW_CONFIG 2

struct shim_fd {
	int32_t fd;             /* the fd the call named (close_range: first) */
	int32_t fd2;            /* close_range: last; dup2: the new fd */
	uint32_t which;         /* SHIM_FDW_* */
	uint32_t refused;       /* 1 when the shim kept its fd open */
};

struct shim_hello {
	char exe[SHIM_PATH_MAX];        /* /proc/self/exe */
	uint32_t ppid;
	uint32_t flags;                 /* SHIM_HELLO_* */
	uint32_t nmissing;              /* real symbols that could not be resolved */
	uint32_t pad;
	char missing[64];               /* the first of them */
};

/* shim_hello.flags */
#define SHIM_HELLO_PYTHON (1u << 0)     /* a Python audit hook is installed */
#define SHIM_HELLO_UNWIND (1u << 1)     /* native stacks on (libunwind loaded at the first) */
#define SHIM_HELLO_SECURE (1u << 2)     /* AT_SECURE */

/* One message on the channel.  Every record has this size. */
struct shim_rec {
	struct shim_hdr h;
	struct shim_py py;
	struct shim_native native;
	union {
		struct shim_exec exec;
		struct shim_connect connect;
		struct shim_dns dns;
		struct shim_file file;
		struct shim_mem mem;
		struct shim_ptrace ptrace;
		struct shim_env env;
		struct shim_fd fd;
		struct shim_hello hello;
		char payload[SHIM_REC_SIZE - sizeof(struct shim_hdr) - sizeof(struct shim_py) -
			     sizeof(struct shim_native)];
	};
};

/* The supervisor's answer to SHIM_F_ASK. */
enum shim_verdict {
	SHIM_ALLOW = 1,
	SHIM_DENY = 2,
};

struct shim_reply {
	uint32_t magic;         /* SHIM_REPLY_MAGIC */
	uint16_t version;
	uint16_t verdict;       /* enum shim_verdict */
	int32_t error;          /* SHIM_DENY: the errno to fail the call with */
	uint32_t pad;
	uint64_t seq;           /* shim_hdr.seq of the question */
};

/* ---------------------------------------------------------- configuration */

#define SHIM_CFG_EXEC_MAX 128
#define SHIM_CFG_EXEC_LEN 32
#define SHIM_CFG_HOST_MAX 128
#define SHIM_CFG_HOST_LEN 128
#define SHIM_CFG_PATH_MAX 256
#define SHIM_CFG_PATH_LEN 248

/* shim_cfg.flags */
#define SHIM_CFG_ASK_ALL (1u << 0)  /* ask about every exec, lookup and file access */
#define SHIM_CFG_ASK_EXEC (1u << 1) /* ask about every exec */
#define SHIM_CFG_ASK_HOST (1u << 2) /* ask about every name lookup */
#define SHIM_CFG_ASK_PATH (1u << 3) /* ask about every file access */

/*
 * A path pattern: '*' matches any run of bytes (also '/'): a superset of
 * the policy's globs.  prefix is the number of leading bytes without '*',
 * compared first.
 */
struct shim_cfg_path {
	uint32_t access;                /* SHIM_ACC_*: which accesses are asked about */
	uint32_t prefix;
	char glob[SHIM_CFG_PATH_LEN];
};

struct shim_cfg {
	uint32_t magic;                 /* SHIM_CFG_MAGIC */
	uint16_t version;
	uint16_t pad;
	uint64_t token;
	uint32_t size;                  /* sizeof(struct shim_cfg) */
	uint32_t flags;                 /* SHIM_CFG_* */
	uint32_t ask_timeout_ms;        /* then the call fails closed */
	uint32_t nexec, nhost, npath;
	uint32_t pad2;
	char exec[SHIM_CFG_EXEC_MAX][SHIM_CFG_EXEC_LEN];    /* program base names */
	char host[SHIM_CFG_HOST_MAX][SHIM_CFG_HOST_LEN];    /* host globs, lower case */
	struct shim_cfg_path path[SHIM_CFG_PATH_MAX];
};

#define SHIM_CFG_SIZE 86064

#define SHIM_ASSERT_LAYOUT()                                                            \
	_Static_assert(sizeof(struct shim_hdr) == 64, "shim_hdr layout");               \
	_Static_assert(sizeof(struct shim_py) == 608, "shim_py layout");                \
	_Static_assert(sizeof(struct shim_native) == 296, "shim_native layout");        \
	_Static_assert(sizeof(struct shim_exec) == 912, "shim_exec layout");            \
	_Static_assert(sizeof(struct shim_file) == 784, "shim_file layout");            \
	_Static_assert(sizeof(struct shim_dns) == 424, "shim_dns layout");              \
	_Static_assert(sizeof(struct shim_connect) == 136, "shim_connect layout");      \
	_Static_assert(sizeof(struct shim_rec) == SHIM_REC_SIZE, "shim_rec size");      \
	_Static_assert(sizeof(struct shim_reply) == 24, "shim_reply layout");           \
	_Static_assert(sizeof(struct shim_cfg) == SHIM_CFG_SIZE, "shim_cfg size")

#endif
