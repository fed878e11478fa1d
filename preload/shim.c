// SPDX-License-Identifier: MIT
/*
 * libsafepip-preload.so: the constructor, the channel to the supervisor and
 * the per-process state.  See shim_int.h for the rules every hook follows
 * and shim_proto.h for what goes over the channel.
 *
 * The shim is inert (every hook only calls libc) unless the environment
 * names a channel that really is an AF_UNIX SOCK_SEQPACKET socket and
 * carries a well-formed session token: a program started outside safe-pip
 * with LD_PRELOAD set behaves exactly as without it.
 */
#include "preload/shim_int.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

SHIM_ASSERT_LAYOUT();

struct shim_state shim = { .fd = -1, .cfgfd = -1 };
struct shim_real real;

/*
 * Set while this thread runs the shim's own code.  initial-exec: reading it
 * never calls into the dynamic loader, so it is safe in signal handlers.
 */
static __thread int busy __attribute__((tls_model("initial-exec")));

/* ------------------------------------------------------------ resolving */

static void resolve_one(void **slot, const char *name)
{
	if (*slot)
		return;
	*slot = dlsym(RTLD_NEXT, name);
	if (!*slot) {
		if (shim.nmissing++ == 0)
			shim_copy(shim.missing, sizeof(shim.missing), name);
	}
}

#define R(field, name) resolve_one((void **)&real.field, name)

void shim_resolve(void)
{
	static int done;

	if (done)
		return;
	R(open, "open"); R(open64, "open64"); R(openat, "openat"); R(openat64, "openat64");
	R(open_2, "__open_2"); R(open64_2, "__open64_2");
	R(openat_2, "__openat_2"); R(openat64_2, "__openat64_2");
	R(creat, "creat"); R(creat64, "creat64");
	R(fopen, "fopen"); R(fopen64, "fopen64"); R(freopen, "freopen"); R(freopen64, "freopen64");
	R(mkstemp, "mkstemp"); R(mkstemp64, "mkstemp64"); R(mkostemp, "mkostemp");
	R(mkostemp64, "mkostemp64"); R(mkstemps, "mkstemps"); R(mkstemps64, "mkstemps64");
	R(mkostemps, "mkostemps"); R(mkostemps64, "mkostemps64");
	R(tmpfile, "tmpfile"); R(tmpfile64, "tmpfile64");
	R(shm_open, "shm_open"); R(sem_open, "sem_open");
	R(unlink, "unlink"); R(unlinkat, "unlinkat"); R(rename, "rename"); R(renameat, "renameat");
	R(renameat2, "renameat2"); R(chmod, "chmod"); R(fchmodat, "fchmodat");
	R(dlopen, "dlopen");
	R(execve, "execve"); R(execv, "execv"); R(execvp, "execvp"); R(execvpe, "execvpe");
	R(fexecve, "fexecve"); R(execveat, "execveat");
	R(posix_spawn, "posix_spawn"); R(posix_spawnp, "posix_spawnp");
	R(system, "system"); R(popen, "popen");
	R(connect, "connect"); R(sendto, "sendto"); R(sendmsg, "sendmsg");
	R(getaddrinfo, "getaddrinfo"); R(gethostbyname, "gethostbyname");
	R(gethostbyname2, "gethostbyname2"); R(gethostbyname_r, "gethostbyname_r");
	R(gethostbyname2_r, "gethostbyname2_r"); R(gethostbyaddr, "gethostbyaddr");
	R(getnameinfo, "getnameinfo");
	R(memfd_create, "memfd_create"); R(mprotect, "mprotect"); R(ptrace, "ptrace");
	R(setenv, "setenv"); R(unsetenv, "unsetenv"); R(putenv, "putenv"); R(clearenv, "clearenv");
	R(close, "close"); R(close_range, "close_range"); R(closefrom, "closefrom");
	R(dup2, "dup2"); R(dup3, "dup3");
	done = 1;
}

/* ------------------------------------------------------------ the state */

bool shim_enter(void)
{
	if (SHIM_UNLIKELY(!real.open))
		shim_resolve();
	/*
	 * A dead channel still enters: reports are counted lost, and the calls
	 * the configuration lists fail closed.
	 */
	if (!shim.active || busy)
		return false;
	busy = 1;
	return true;
}

void shim_leave(void)
{
	busy = 0;
}

bool shim_in_child(void)
{
	return getpid() != shim.pid;
}

int shim_own_fd(int fd)
{
	if (!shim.active || fd < 0)
		return 0;
	if (fd == shim.fd)
		return SHIM_FDW_CHANNEL;
	if (fd == shim.cfgfd)
		return SHIM_FDW_CONFIG;
	return 0;
}

size_t shim_fmt_u64(char *buf, size_t size, uint64_t v, int base)
{
	char tmp[24];
	size_t n = 0, i;

	do {
		tmp[n++] = "0123456789abcdef"[v % (unsigned)base];
		v /= (unsigned)base;
	} while (v && n < sizeof(tmp));
	if (n + 1 > size)
		return 0;
	for (i = 0; i < n; i++)
		buf[i] = tmp[n - 1 - i];
	buf[n] = '\0';
	return n;
}

bool shim_dir_path(int dfd, char *buf, size_t size)
{
	char link[32] = "/proc/self/fd/";
	ssize_t n;

	if (dfd == AT_FDCWD)
		return getcwd(buf, size) != NULL && buf[0] == '/';
	if (dfd < 0 || !shim_fmt_u64(link + 14, sizeof(link) - 14, (uint64_t)dfd, 10))
		return false;
	n = readlink(link, buf, size - 1);
	if (n <= 0 || buf[0] != '/')
		return false;
	buf[n] = '\0';
	return true;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void shim_rec_init(struct shim_rec *r, uint16_t kind, uint32_t call, uint32_t pyclass)
{
	memset(r, 0, sizeof(*r));
	r->h.magic = SHIM_MAGIC;
	r->h.version = SHIM_PROTO_VERSION;
	r->h.kind = kind;
	r->h.call = call;
	r->h.ts_ns = now_ns();
	r->h.tid = (uint32_t)gettid();
	if (!shim.cfg)
		r->h.flags |= SHIM_F_NOCFG;
	if (pyclass)
		shim_py_take(r, pyclass);
}

/* --------------------------------------------------------- the channel */

/*
 * Is the channel still the socket the constructor checked?  A program may
 * have closed it with a raw syscall and reused the number: never write
 * records into someone else's file or connection.
 */
static bool channel_ok(void)
{
	struct stat st;

	if (shim.dead)
		return false;
	if (fstat(shim.fd, &st) == 0 && st.st_ino == shim.sock_ino && st.st_dev == shim.sock_dev)
		return true;
	/* A vfork child shares our memory: it must not kill the parent's channel. */
	if (!shim_in_child())
		shim.dead = 1;
	return false;
}

static void fill_header(struct shim_rec *r)
{
	r->h.token = shim.token;
	r->h.pid = (uint32_t)getpid();
	if (r->h.pid != (uint32_t)shim.pid)
		r->h.flags |= SHIM_F_CHILD;
	r->h.seq = __atomic_fetch_add(&shim.seq, 1, __ATOMIC_RELAXED);
	r->h.dropped = __atomic_load_n(&shim.dropped, __ATOMIC_RELAXED);
}

static void dropped(void)
{
	__atomic_fetch_add(&shim.dropped, 1, __ATOMIC_RELAXED);
}

/*
 * One sendmsg, retried on EINTR.  The supervisor set SO_SNDTIMEO on the
 * channel, so a full channel fails with EAGAIN instead of blocking forever.
 */
static bool send_msg(struct msghdr *mh)
{
	for (;;) {
		ssize_t n = real.sendmsg(shim.fd, mh, MSG_NOSIGNAL);

		if (n == (ssize_t)sizeof(struct shim_rec))
			return true;
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EPIPE || errno == ECONNREFUSED || errno == ENOTCONN) &&
		    !shim_in_child())
			shim.dead = 1;
		return false;
	}
}

void shim_send(struct shim_rec *r)
{
	struct iovec iov = { .iov_base = r, .iov_len = sizeof(*r) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };

	fill_header(r);
	if (!channel_ok() || !send_msg(&mh))
		dropped();
}

/* Wait for the verdict on sv (bounded); 0 allow, else the errno to fail with. */
static int wait_verdict(int sv, uint64_t seq)
{
	uint32_t ms = shim.cfg && shim.cfg->ask_timeout_ms ? shim.cfg->ask_timeout_ms
							   : SHIM_ASK_TIMEOUT_MS;
	uint64_t deadline = now_ns() + (uint64_t)ms * 1000000ull;
	struct shim_reply rep;

	for (;;) {
		struct pollfd p = { .fd = sv, .events = POLLIN };
		uint64_t now = now_ns();
		int n;

		if (now >= deadline)
			return EACCES;          /* no answer: fail closed */
		n = poll(&p, 1, (int)((deadline - now) / 1000000ull) + 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return EACCES;
		break;
	}
	if (recv(sv, &rep, sizeof(rep), MSG_DONTWAIT) != (ssize_t)sizeof(rep) ||
	    rep.magic != SHIM_REPLY_MAGIC || rep.version != SHIM_PROTO_VERSION || rep.seq != seq)
		return EACCES;
	if (rep.verdict == SHIM_ALLOW)
		return 0;
	return rep.error > 0 && rep.error < 4096 ? rep.error : EACCES;
}

int shim_ask(struct shim_rec *r)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = { .iov_base = r, .iov_len = sizeof(*r) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = ctl.buf, .msg_controllen = sizeof(ctl.buf) };
	struct cmsghdr *c;
	int sv[2], err;

	r->h.flags |= SHIM_F_ASK;
	fill_header(r);
	if (!channel_ok() || socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		dropped();
		return EACCES;
	}
	memset(ctl.buf, 0, sizeof(ctl.buf));
	c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &sv[1], sizeof(int));
	if (!send_msg(&mh)) {
		dropped();
		(void)real.close(sv[0]);
		(void)real.close(sv[1]);
		return EACCES;
	}
	(void)real.close(sv[1]);
	err = wait_verdict(sv[0], r->h.seq);
	(void)real.close(sv[0]);
	return err;
}

int shim_report(struct shim_rec *r, bool ask)
{
	if (ask)
		return shim_ask(r);
	shim_send(r);
	return 0;
}

/* ------------------------------------------------------------- startup */

static bool channel_open(void)
{
	int fd = shim_parse_fd(secure_getenv(SHIM_ENV_FD));
	int type = 0, domain = 0;
	socklen_t l1 = sizeof(type), l2 = sizeof(domain);
	struct stat st;

	if (fd < 0 || !shim_parse_token(secure_getenv(SHIM_ENV_TOKEN), &shim.token))
		return false;
	if (fstat(fd, &st) < 0 || !S_ISSOCK(st.st_mode) ||
	    getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &l1) < 0 ||
	    getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &l2) < 0 ||
	    type != SOCK_SEQPACKET || domain != AF_UNIX)
		return false;
	shim.fd = fd;
	shim.sock_dev = st.st_dev;
	shim.sock_ino = st.st_ino;
	return true;
}

/* The sealed configuration memfd; without it, the shim asks about everything. */
static void config_open(void)
{
	const int seals = F_SEAL_WRITE | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL;
	int fd = shim_parse_fd(secure_getenv(SHIM_ENV_CFG)), have;
	struct stat st;
	void *p;

	if (fd < 0 || fd == shim.fd || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    st.st_size != (off_t)sizeof(struct shim_cfg))
		return;
	/* sealed: nobody, not even a process of the tree, can change it */
	have = fcntl(fd, F_GET_SEALS);
	if (have < 0 || (have & seals) != seals)
		return;
	p = mmap(NULL, sizeof(struct shim_cfg), PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return;
	if (shim_cfg_check(p, sizeof(struct shim_cfg), shim.token) < 0) {
		(void)munmap(p, sizeof(struct shim_cfg));
		return;
	}
	shim.cfg = p;
	shim.cfgfd = fd;
}

static void self_path(void)
{
	Dl_info di;

	if (dladdr((void *)self_path, &di) && di.dli_fname &&
	    !shim_copy(shim.self, sizeof(shim.self), di.dli_fname))
		shim.self_len = strlen(shim.self);
}

/* The fork child is a new process: its own counters; no native stacks. */
static void atfork_child(void)
{
	shim.pid = getpid();
	shim.seq = 0;
	shim.dropped = 0;
	/*
	 * Another thread of the parent may have held a lock of the unwinder
	 * or of the loader's object list when we forked: do not unwind here.
	 */
	shim.native_ok = 0;
}

static void send_hello(void)
{
	struct shim_rec r;
	ssize_t n;

	shim_rec_init(&r, SHIM_EV_HELLO, SHIM_CALL_CTOR, 0);
	n = readlink("/proc/self/exe", r.hello.exe, sizeof(r.hello.exe) - 1);
	if (n > 0)
		r.hello.exe[n] = '\0';
	r.hello.ppid = (uint32_t)getppid();
	r.hello.flags = shim.hello_flags;
	if (getauxval(AT_SECURE))
		r.hello.flags |= SHIM_HELLO_SECURE;
	r.hello.nmissing = shim.nmissing;
	shim_copy(r.hello.missing, sizeof(r.hello.missing), shim.missing);
	shim_send(&r);
}

__attribute__((constructor)) static void shim_ctor(void)
{
	int saved = errno;

	shim_resolve();
	shim.pid = getpid();
	if (!channel_open())
		goto out;
	config_open();
	self_path();
	if (pthread_atfork(NULL, NULL, atfork_child) != 0)
		goto out;
	shim_stack_init();
	shim_py_init();
	shim.active = 1;
	send_hello();
out:
	errno = saved;
}
