/* SPDX-License-Identifier: MIT */
/*
 * Internals of libsafepip-preload.so, shared by its files; nothing here is
 * exported (the library is built with -fvisibility=hidden and a version
 * script listing the hooked symbols only).
 *
 * Rules every hook follows:
 *   - the real functions are resolved once, in the constructor (or at the
 *     first hook that runs before it, at load time, when still single
 *     threaded);
 *   - a hook does its own work between shim_enter() and shim_leave(): a
 *     per-thread flag, so that a hooked call made by the shim itself (or
 *     by a signal handler interrupting it) goes straight to libc;
 *   - errno is saved at entry and restored before the real call;
 *   - no malloc, no lock, no stdio; records live on the stack; every wait
 *     for the supervisor is bounded (native stacks are the exception, said
 *     and bounded in shim_stack.c);
 *   - the shim's own state is per process and reset in the fork child.
 */
#ifndef SAFEPIP_SHIM_INT_H
#define SAFEPIP_SHIM_INT_H

#include <netdb.h>
#include <semaphore.h>
#include <spawn.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "preload/shim_enc.h"
#include "preload/shim_proto.h"

#define SHIM_EXPORT __attribute__((visibility("default")))
#define SHIM_LIKELY(x) __builtin_expect(!!(x), 1)
#define SHIM_UNLIKELY(x) __builtin_expect(!!(x), 0)

/* Python call classes: which libc hooks may take a captured frame. */
#define PYC_EXEC (1u << 0)
#define PYC_NET (1u << 1)
#define PYC_DNS (1u << 2)
#define PYC_FILE (1u << 3)
#define PYC_DLOPEN (1u << 4)
#define PYC_ENV (1u << 5)
#define PYC_MEM (1u << 6)
#define PYC_ANY 0xffffffffu

#define SHIM_ASK_TIMEOUT_MS 5000        /* when the configuration does not say */

struct shim_state {
	volatile int active;            /* a valid channel: report */
	volatile int dead;              /* the channel broke: stop trying */
	int fd;                         /* the channel (SOCK_SEQPACKET) */
	int cfgfd;                      /* the configuration memfd, -1 if none */
	dev_t sock_dev;                 /* identity of the channel, checked before each send */
	ino_t sock_ino;
	uint64_t token;
	const struct shim_cfg *cfg;     /* NULL: ask about everything */
	pid_t pid;                      /* this process (updated in the fork child) */
	int native_ok;                  /* native stacks allowed in this process */
	uint64_t seq;                   /* records sent (atomic) */
	uint32_t dropped;               /* records not sent (atomic) */
	char self[SHIM_PATH_MAX];       /* the shim's path as loaded */
	size_t self_len;
	uint32_t hello_flags;
	uint32_t nmissing;
	char missing[64];
};

extern struct shim_state shim;

/* The real functions, resolved with dlsym(RTLD_NEXT).  Exact prototypes. */
struct shim_real {
	int (*open)(const char *, int, ...);
	int (*open64)(const char *, int, ...);
	int (*openat)(int, const char *, int, ...);
	int (*openat64)(int, const char *, int, ...);
	int (*open_2)(const char *, int);
	int (*open64_2)(const char *, int);
	int (*openat_2)(int, const char *, int);
	int (*openat64_2)(int, const char *, int);
	int (*creat)(const char *, mode_t);
	int (*creat64)(const char *, mode_t);
	FILE *(*fopen)(const char *, const char *);
	FILE *(*fopen64)(const char *, const char *);
	FILE *(*freopen)(const char *, const char *, FILE *);
	FILE *(*freopen64)(const char *, const char *, FILE *);
	int (*mkstemp)(char *);
	int (*mkstemp64)(char *);
	int (*mkostemp)(char *, int);
	int (*mkostemp64)(char *, int);
	int (*mkstemps)(char *, int);
	int (*mkstemps64)(char *, int);
	int (*mkostemps)(char *, int, int);
	int (*mkostemps64)(char *, int, int);
	FILE *(*tmpfile)(void);
	FILE *(*tmpfile64)(void);
	int (*shm_open)(const char *, int, mode_t);
	sem_t *(*sem_open)(const char *, int, ...);
	int (*unlink)(const char *);
	int (*unlinkat)(int, const char *, int);
	int (*rename)(const char *, const char *);
	int (*renameat)(int, const char *, int, const char *);
	int (*renameat2)(int, const char *, int, const char *, unsigned int);
	int (*chmod)(const char *, mode_t);
	int (*fchmodat)(int, const char *, mode_t, int);
	void *(*dlopen)(const char *, int);

	int (*execve)(const char *, char *const[], char *const[]);
	int (*execv)(const char *, char *const[]);
	int (*execvp)(const char *, char *const[]);
	int (*execvpe)(const char *, char *const[], char *const[]);
	int (*fexecve)(int, char *const[], char *const[]);
	int (*execveat)(int, const char *, char *const[], char *const[], int);
	int (*posix_spawn)(pid_t *, const char *, const posix_spawn_file_actions_t *,
			   const posix_spawnattr_t *, char *const[], char *const[]);
	int (*posix_spawnp)(pid_t *, const char *, const posix_spawn_file_actions_t *,
			    const posix_spawnattr_t *, char *const[], char *const[]);
	int (*system)(const char *);
	FILE *(*popen)(const char *, const char *);

	int (*connect)(int, const struct sockaddr *, socklen_t);
	ssize_t (*sendto)(int, const void *, size_t, int, const struct sockaddr *, socklen_t);
	ssize_t (*sendmsg)(int, const struct msghdr *, int);
	int (*getaddrinfo)(const char *, const char *, const struct addrinfo *,
			   struct addrinfo **);
	struct hostent *(*gethostbyname)(const char *);
	struct hostent *(*gethostbyname2)(const char *, int);
	int (*gethostbyname_r)(const char *, struct hostent *, char *, size_t,
			       struct hostent **, int *);
	int (*gethostbyname2_r)(const char *, int, struct hostent *, char *, size_t,
				struct hostent **, int *);
	struct hostent *(*gethostbyaddr)(const void *, socklen_t, int);
	int (*getnameinfo)(const struct sockaddr *, socklen_t, char *, socklen_t, char *,
			   socklen_t, int);

	int (*memfd_create)(const char *, unsigned int);
	int (*mprotect)(void *, size_t, int);
	long (*ptrace)(int, ...);
	int (*setenv)(const char *, const char *, int);
	int (*unsetenv)(const char *);
	int (*putenv)(char *);
	int (*clearenv)(void);
	int (*close)(int);
	int (*close_range)(unsigned int, unsigned int, int);
	void (*closefrom)(int);
	int (*dup2)(int, int);
	int (*dup3)(int, int, int);
};

extern struct shim_real real;

/* Resolve every real function (idempotent).  Safe before the constructor. */
void shim_resolve(void);

/*
 * In a hook: make sure real.fn is resolved (a call before the constructor
 * ran), else fail the call with ENOSYS by returning fail.
 */
#define NEED(fn, fail)                                          \
	do {                                                    \
		if (SHIM_UNLIKELY(!real.fn)) {                  \
			shim_resolve();                         \
			if (!real.fn) {                         \
				errno = ENOSYS;                 \
				return fail;                    \
			}                                       \
		}                                               \
	} while (0)

/*
 * Enter the shim's own work in a hook.  False when the shim is inert or
 * this thread is already inside the shim: then the hook only calls the
 * real function.
 */
bool shim_enter(void);
void shim_leave(void);

/* Zero a record and fill its header, attaching the Python frame of class. */
void shim_rec_init(struct shim_rec *r, uint16_t kind, uint32_t call, uint32_t pyclass);

/* Send a record; never blocks longer than the channel's send timeout. */
void shim_send(struct shim_rec *r);

/*
 * Ask the supervisor about a record and wait (bounded) for its verdict.
 * Returns 0 to go on, or the errno to fail the call with; fails closed
 * (EACCES) when no answer comes.
 */
int shim_ask(struct shim_rec *r);

/* Send when the configuration does not flag the call, ask when it does. */
int shim_report(struct shim_rec *r, bool ask);

/* Is this a child made by vfork/clone that has not exec'd yet? */
bool shim_in_child(void);

/* Is fd one of the shim's own fds?  Returns SHIM_FDW_* or 0. */
int shim_own_fd(int fd);

/* The working directory or a directory fd's path into buf; false if unknown. */
bool shim_dir_path(int dfd, char *buf, size_t size);

/* shim_py.c: install the audit hook when this process is a Python interpreter */
void shim_py_init(void);
/* Move the frame captured for class into r (and forget it). */
void shim_py_take(struct shim_rec *r, uint32_t pyclass);

/* shim_stack.c: native stacks through libunwind, loaded privately */
void shim_stack_init(void);
void shim_stack_fill(struct shim_rec *r);

/* Small formatting without stdio. */
size_t shim_fmt_u64(char *buf, size_t size, uint64_t v, int base);

#endif
