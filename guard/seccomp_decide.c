// SPDX-License-Identifier: MIT
/*
 * What the supervisor answers to each notification of the seccomp sensor.
 *
 * Arguments in registers (socket family and type, signal targets, clone
 * flags) cannot change after the check: decisions on them are exact.
 * Arguments in memory are read once from /proc/<pid>/mem into our memory,
 * the decision is taken on that copy, and SECCOMP_IOCTL_NOTIF_ID_VALID
 * confirms afterwards that the memory read was the caller's.  What the
 * kernel then reads itself may differ when another thread rewrote it in
 * between; where that matters the answer is chosen so that it cannot help:
 *
 *   socket()   a build's AF_INET/AF_INET6 socket is refused (registers):
 *              without an inet socket no address written later can reach
 *              the network, so connect/send on the builds' other sockets
 *              need not be exact.
 *   connect/sendto/sendmsg with an inet address, when the policy gives
 *              builds some network: allowed only when no other thread can
 *              write the address (sn_racy()), refused otherwise.
 *   execve     the program is judged on the copy; a swap after the check
 *              is caught at the process's next notification, when
 *              /proc/<pid>/exe is compared with what was judged.
 *   files      emulated by the supervisor (guard/seccomp_files.c).
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/sched.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>

#include "guard/decide.h"
#include "guard/gpolicy.h"
#include "guard/seccomp_int.h"
#include "guard/session.h"
#include "guard/util.h"
#include "policy/policy.h"

#if defined(__x86_64__)
#define SN_NATIVE_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define SN_NATIVE_ARCH AUDIT_ARCH_AARCH64
#endif

#define SOCK_TYPE_MASK 0xf
#define SN_ARGV_PTRS 64         /* argv pointers read at exec */

/* ------------------------------------------------------------ findings */

const char *sn_who(struct sn *sn, const struct sn_call *c, char *buf, size_t len)
{
	struct proc *p = proctab_get(&sn->s->procs, c->p->tgid);

	snprintf(buf, len, "%s process %d (%s)", role_name(c->p->role), (int)c->p->tgid,
		 p ? (p->cmdline[0] ? p->cmdline : p->comm) : "?");
	return buf;
}

static void block(struct sn *sn, const struct sn_call *c, int idx)
{
	struct session *s = sn->s;

	s->blocked = true;
	s->block_finding = idx;
	sn->doomed = true;
	/* before the answer: the caller never returns to its own code */
	(void)kill(c->p->tgid, SIGKILL);
}

/*
 * The session scores every finding (guard/gscore.c); what is left here is
 * to stop the caller before its call is answered, when this finding is a
 * deny or brought its distribution's score to the threshold.
 */
bool sn_finding(struct sn *sn, const struct sn_call *c, const char *rule, bool deny,
		const char *fmt, ...)
{
	struct session *s = sn->s;
	struct proc *pp = proctab_get(&s->procs, c->p->tgid);
	struct finding f = { .rule = rule, .deny = deny, .dist = pp ? pp->dist : -1,
			     .pid = c->p->tgid, .ts_ns = c->ts_ns };
	bool was_blocked = s->blocked;
	va_list ap;
	int idx;

	va_start(ap, fmt);
	vsnprintf(f.what, sizeof(f.what), fmt, ap);
	va_end(ap);
	idx = session_add_finding(s, &f);
	if (idx < 0 || was_blocked || !sn->enforce)
		return false;
	if (deny || (s->blocked && s->block_finding == idx)) {
		block(sn, c, idx);
		return true;
	}
	return false;
}

/*
 * A call refused in the fallback whatever the score (enforce mode): the
 * finding counts with its rule's points; monitor mode lets it through.
 */
static void refuse(struct sn *sn, const struct sn_call *c, struct sn_verdict *v, const char *rule,
		   int err, const char *what)
{
	char who[PROC_CMDLINE_MAX + 64];

	(void)sn_finding(sn, c, rule, false, "%s: %s, %s", sn_who(sn, c, who, sizeof(who)), what,
			 sn->enforce ? "refused" : "let through (monitor mode)");
	if (sn->enforce) {
		v->answer = SN_ERROR;
		v->err = err;
	}
}

/* ------------------------------------------------------------- records */

static void read_comm(struct sn *sn, struct sn_task *t, char *out)
{
	int fd = sn_task_open(sn, t, "comm", O_RDONLY);
	ssize_t n = fd >= 0 ? read(fd, out, SP_COMM_LEN - 1) : -1;

	if (fd >= 0)
		close(fd);
	if (n < 0)
		n = 0;
	out[n] = '\0';
	out[strcspn(out, "\n")] = '\0';
}

void sn_record(struct sn *sn, const struct sn_call *c, struct sp_event *e)
{
	struct proc *known = proctab_get(&sn->s->procs, c->p->tgid);

	e->h.version = SP_ABI_VERSION;
	e->h.ts_ns = c->ts_ns;
	e->h.pid = (uint32_t)c->t->tid;
	e->h.tgid = (uint32_t)c->p->tgid;
	e->h.ppid = known ? (uint32_t)known->ppid : 0;
	e->h.role = c->p->role;
	e->h.uid = (uint32_t)getuid();
	read_comm(sn, c->t, e->h.comm);
	(void)monitor_kernel_record(sn->s, e);
}

/* -------------------------------------------------------------- exec */

static bool ends_with_word(const char *s, size_t n, const char *w)
{
	size_t wl = strlen(w);

	if (n < wl || memcmp(s + n - wl, w, wl) != 0)
		return false;
	return n == wl || s[n - wl - 1] == '/';
}

uint32_t sn_classify_interp_argv(const char *argv, size_t len)
{
	const char *a1, *a2;
	size_t l0, l1;

	l0 = strnlen(argv, len);
	if (l0 + 1 >= len)
		return SP_ROLE_BUILD;
	a1 = argv + l0 + 1;
	l1 = strnlen(a1, len - l0 - 1);
	/* python .../pip/__pip-runner__.py install ... (pip >= 22.2) */
	if (ends_with_word(a1, l1, "__pip-runner__.py"))
		return SP_ROLE_PIP;
	/* python .../site-packages/pip install ... (older pip) */
	if (l1 > 3 && ends_with_word(a1, l1, "pip"))
		return SP_ROLE_PIP;
	/* python -m pip install ... */
	if (l1 == 2 && strcmp(a1, "-m") == 0 && l0 + l1 + 2 < len) {
		a2 = a1 + l1 + 1;
		if (strncmp(a2, "pip", len - (size_t)(a2 - argv)) == 0)
			return SP_ROLE_PIP;
	}
	return SP_ROLE_BUILD;
}

/* The head of argv, NUL-separated, as the kernel sensor reports it. */
static int read_argv(struct sn *sn, struct sn_task *t, uint64_t uargv, char *out, uint32_t *len,
		     uint32_t *trunc)
{
	uint64_t ptrs[SN_ARGV_PTRS];
	size_t used = 0;

	*len = 0;
	*trunc = 0;
	if (!uargv)
		return 0;
	if (sn_read_mem(sn, t, uargv, ptrs, sizeof(ptrs)) < 0 &&
	    sn_read_mem(sn, t, uargv, ptrs, sizeof(ptrs[0]) * 4) < 0)
		return -EFAULT;
	for (size_t i = 0; i < SN_ARGV_PTRS && ptrs[i]; i++) {
		char arg[SP_ARGV_MAX];
		ssize_t n = sn_read_str(sn, t, ptrs[i], arg, sizeof(arg));

		if (n == -ENAMETOOLONG)
			n = sizeof(arg) - 1;
		else if (n < 0)
			return (int)n;
		if (used + (size_t)n + 1 > SP_ARGV_MAX) {
			memcpy(out + used, arg, SP_ARGV_MAX - used);
			used = SP_ARGV_MAX;
			*trunc = 1;
			break;
		}
		memcpy(out + used, arg, (size_t)n);
		out[used + (size_t)n] = '\0';
		used += (size_t)n + 1;
	}
	*len = (uint32_t)used;
	return 0;
}

/* What kind of program: ELF static or dynamic, or a script (SP_XF_*). */
static uint32_t exe_kind(int fd)
{
	unsigned char h[64];
	uint64_t phoff;
	uint16_t phnum;

	if (pread(fd, h, sizeof(h), 0) != (ssize_t)sizeof(h))
		return h[0] == '#' && h[1] == '!' ? SP_XF_SCRIPT : 0;
	if (h[0] == '#' && h[1] == '!')
		return SP_XF_SCRIPT;
	if (memcmp(h, "\177ELF", 4) != 0 || h[4] != 2)
		return 0;
	memcpy(&phoff, h + 32, 8);
	memcpy(&phnum, h + 56, 2);
	for (unsigned i = 0; i < phnum && i < 64; i++) {
		uint32_t type;

		if (pread(fd, &type, 4, (off_t)(phoff + i * 56)) != 4)
			return SP_XF_ELF | SP_XF_PHDR_UNSEEN;
		if (type == 3)  /* PT_INTERP */
			return SP_XF_ELF | SP_XF_INTERP;
	}
	return SP_XF_ELF;
}

/* LD_PRELOAD in the new environment: the shim's (SP_XF_PRELOAD) or another. */
static uint32_t env_preload(struct sn *sn, struct sn_task *t, uint64_t uenvp)
{
	uint64_t ptrs[SP_ENV_SCAN];
	size_t plen = sn->preload ? strlen(sn->preload) : 0;

	if (!uenvp)
		return 0;
	/* the array may be shorter than the scan: read what is readable */
	memset(ptrs, 0, sizeof(ptrs));
	if (sn_read_mem(sn, t, uenvp, ptrs, sizeof(ptrs)) < 0 &&
	    sn_read_mem(sn, t, uenvp, ptrs, sizeof(ptrs[0]) * 8) < 0)
		return SP_XF_ENV_TRUNC;
	for (size_t i = 0; i < SP_ENV_SCAN; i++) {
		char var[SP_PRELOAD_MAX + 16];

		if (!ptrs[i])
			return 0;
		if (sn_read_mem(sn, t, ptrs[i], var, 11) < 0 || memcmp(var, "LD_PRELOAD=", 11) != 0)
			continue;
		/* the kernel sensor's test: LD_PRELOAD starts with the shim's path */
		if (plen && plen < SP_PRELOAD_MAX && sn_read_mem(sn, t, ptrs[i], var, 11 + plen) == 0 &&
		    memcmp(var + 11, sn->preload, plen) == 0)
			return SP_XF_PRELOAD;
		return SP_XF_PRELOAD_OTHER;
	}
	return SP_XF_ENV_TRUNC;
}

/* Open the file an exec names, relative to the caller's cwd or dirfd. */
static int open_exec_target(struct sn *sn, struct sn_task *t, int dirfd, const char *path, int flags)
{
	char tr[SN_PATH_MAX + 64], name[32];
	_cleanup_close_ int base = -1;
	int fd;

	if (sn_translate_self(path, t->tgid, t->tid, tr, sizeof(tr)))
		path = tr;
	if (path[0] != '/' || (path[0] == '\0' && (flags & AT_EMPTY_PATH))) {
		if (dirfd == AT_FDCWD)
			snprintf(name, sizeof(name), "cwd");
		else
			snprintf(name, sizeof(name), "fd/%d", dirfd);
		base = sn_task_open(sn, t, name, O_PATH);
		if (base < 0)
			return base;
	}
	if (path[0] == '\0')
		return TAKE_FD(base);
	fd = openat(path[0] == '/' ? AT_FDCWD : base, path,
		    O_PATH | O_CLOEXEC | ((flags & AT_SYMLINK_NOFOLLOW) ? O_NOFOLLOW : 0));
	return fd < 0 ? -errno : fd;
}

static bool is_memfd(int fd)
{
	char link[64], target[128];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, target, sizeof(target) - 1);
	if (n <= 0)
		return false;
	target[n] = '\0';
	return startswith(target, "/memfd:");
}

/* The last component of the caller's working directory. */
static void cwd_name(struct sn *sn, struct sn_task *t, char *out, size_t len)
{
	char link[64], cwd[SN_PATH_MAX];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/%d/cwd", (int)t->tid);
	n = readlink(link, cwd, sizeof(cwd) - 1);
	out[0] = '\0';
	if (n > 0) {
		cwd[n] = '\0';
		snprintf(out, len, "%s", path_base(cwd));
	}
}

/*
 * The program a process runs now is not the one judged at its exec (the
 * path was rewritten after the check): judge the real one.
 */
static void verify_exe(struct sn *sn, struct sn_call *c)
{
	struct sn_task *p = c->p;
	char link[64], exe[SN_PATH_MAX];
	const struct sp_entry *m;
	struct stat st;
	ssize_t n;
	int fd;

	if (!p->verify_exe)
		return;
	p->verify_exe = false;
	fd = sn_task_open(sn, p, "exe", O_PATH);
	if (fd < 0)
		return;
	n = fstat(fd, &st) == 0 ? 0 : -1;
	close(fd);
	if (n < 0 || (st.st_dev == p->exe_dev && st.st_ino == p->exe_ino))
		return;
	snprintf(link, sizeof(link), "/proc/%d/exe", (int)p->tgid);
	n = readlink(link, exe, sizeof(exe) - 1);
	if (n <= 0)
		return;
	exe[n] = '\0';
	m = sp_policy_match_exec(sn->s->policy, exe);
	if (m && m->action == SP_ACT_DENY)
		(void)sn_finding(sn, c, "denied-exec", true, "exec of %s denied by the exec.deny entry "
				 "'%s': process %d changed the program's name after it was checked",
				 exe, m->text, (int)p->tgid);
}

static void sn_decide_exec(struct sn *sn, struct sn_call *c, struct sn_verdict *v)
{
	const struct seccomp_data *d = &c->req->data;
	bool at = d->nr == __NR_execveat;
	int dirfd = at ? (int)d->args[0] : AT_FDCWD, flags = at ? (int)d->args[4] : 0;
	char path[SN_PATH_MAX];
	struct sp_event e = { 0 };
	struct session *s = sn->s;
	struct sn_task *p = c->p;
	struct stat st;
	ssize_t n;
	int fd;

	n = sn_read_str(sn, c->t, d->args[at ? 1 : 0], path, sizeof(path));
	if (n < 0 || read_argv(sn, c->t, d->args[at ? 2 : 1], e.exec.argv, &e.exec.argv_len,
			       &e.exec.argc_trunc) < 0 || !sn_still_valid(sn, c->req->id)) {
		v->answer = SN_ERROR;           /* what the kernel would say, without the race */
		v->err = n == -ENAMETOOLONG ? ENAMETOOLONG : EFAULT;
		return;
	}
	fd = open_exec_target(sn, c->t, dirfd, path, flags);
	if (fd < 0 || fstat(fd, &st) < 0) {
		if (fd >= 0)
			close(fd);
		return;         /* the exec fails by itself (ENOENT along PATH ...) */
	}
	if (p->role == SP_ROLE_BUILD && is_memfd(fd)) {
		close(fd);
		refuse(sn, c, v, "memfd-exec", EACCES, "exec of an in-memory file (memfd)");
		return;
	}
	e.h.kind = SP_EV_EXEC;
	e.exec.ino = st.st_ino;
	e.exec.dev = (uint32_t)st.st_dev;
	e.exec.old_role = p->role;
	if (S_ISREG(st.st_mode)) {
		char self[64];
		int rfd;

		snprintf(self, sizeof(self), "/proc/self/fd/%d", fd);
		rfd = open(self, O_RDONLY | O_CLOEXEC);
		if (rfd >= 0) {
			e.exec.xflags = exe_kind(rfd);
			close(rfd);
		}
	}
	close(fd);
	e.exec.xflags |= env_preload(sn, c->t, d->args[at ? 3 : 2]);
	if ((size_t)n >= sizeof(e.exec.filename))
		e.h.flags |= SP_EF_TRUNC;
	snprintf(e.exec.filename, sizeof(e.exec.filename), "%s", path);
	cwd_name(sn, c->t, e.exec.cwd, sizeof(e.exec.cwd));
	if (p->role == SP_ROLE_PIP && st.st_dev == s->py.dev && st.st_ino == s->py.ino) {
		if (p->flags & SNP_ROOT)
			p->flags &= ~SNP_ROOT;  /* pip itself starts */
		else
			p->role = sn_classify_interp_argv(e.exec.argv, e.exec.argv_len);
	}
	sn_record(sn, c, &e);
	if (s->blocked) {
		if (sn->doomed)
			(void)kill(p->tgid, SIGKILL);
		v->answer = SN_ERROR;
		v->err = EPERM;
		return;
	}
	sn_task_execed(sn, p);
	/* another thread may rewrite the path before the kernel reads it */
	if (p->role == SP_ROLE_BUILD && sn_racy(sn, c->t)) {
		p->verify_exe = true;
		p->exe_dev = st.st_dev;
		p->exe_ino = st.st_ino;
	}
}

/* ------------------------------------------------------------ network */

static const char *family_name(int f)
{
	switch (f) {
	case AF_INET:
		return "AF_INET";
	case AF_INET6:
		return "AF_INET6";
	case AF_UNIX:
		return "AF_UNIX";
	case AF_PACKET:
		return "AF_PACKET";
	case AF_NETLINK:
		return "AF_NETLINK";
	default:
		return "another family";
	}
}

static void decide_socket(struct sn *sn, struct sn_call *c, struct sn_verdict *v)
{
	int domain = (int)c->req->data.args[0], type = (int)c->req->data.args[1] & SOCK_TYPE_MASK;
	char who[PROC_CMDLINE_MAX + 64], what[96];

	if (domain == AF_PACKET || type == SOCK_RAW) {
		snprintf(what, sizeof(what), "socket(%s, raw)", family_name(domain));
		refuse(sn, c, v, "raw-socket", EPERM, what);
		return;
	}
	if ((domain != AF_INET && domain != AF_INET6) || c->p->role != SP_ROLE_BUILD ||
	    sn->builds_net || !sn->enforce)
		return;         /* in monitor mode the connect itself is reported */
	(void)sn_finding(sn, c, "build-connect", true, "%s socket(%s, %s): builds get no network "
			 "(no network.allow entry for builds), refused", sn_who(sn, c, who, sizeof(who)),
			 family_name(domain), type == SOCK_DGRAM ? "SOCK_DGRAM" : "SOCK_STREAM");
	v->answer = SN_ERROR;
	v->err = EACCES;
}

/* Judge one destination (copied into sa, len bytes). */
static void judge_address(struct sn *sn, struct sn_call *c, struct sn_verdict *v,
			  const struct sockaddr_storage *sa, size_t len, bool racy_matters)
{
	struct sp_event e = { 0 };
	int family = sa->ss_family;
	struct decision d = { 0 };
	bool denied_class, denied_dest = false;

	if (family != AF_INET && family != AF_INET6 && family != AF_UNIX)
		return;
	e.h.kind = SP_EV_CONNECT;
	e.connect.family = (uint16_t)family;
	e.connect.fd = (uint32_t)c->req->data.args[0];
	if (family == AF_INET && len >= sizeof(struct sockaddr_in)) {
		const struct sockaddr_in *in = (const void *)sa;

		e.connect.port = ntohs(in->sin_port);
		memcpy(e.connect.addr, &in->sin_addr, 4);
	} else if (family == AF_INET6 && len >= sizeof(struct sockaddr_in6)) {
		const struct sockaddr_in6 *in6 = (const void *)sa;

		e.connect.port = ntohs(in6->sin6_port);
		memcpy(e.connect.addr, &in6->sin6_addr, 16);
	} else if (family == AF_UNIX) {
		const struct sockaddr_un *un = (const void *)sa;
		size_t pl = len > offsetof(struct sockaddr_un, sun_path) ?
			    len - offsetof(struct sockaddr_un, sun_path) : 0;

		if (pl > sizeof(e.connect.path) - 1)
			pl = sizeof(e.connect.path) - 1;
		memcpy(e.connect.path, un->sun_path, pl);
		if (pl && e.connect.path[0] == '\0')
			e.connect.path[0] = '@';
	}
	denied_class = family != AF_UNIX && c->p->role == SP_ROLE_BUILD && !sn->builds_net;
	/* builds have some network: the address against the policy's entries */
	if (!denied_class && family != AF_UNIX) {
		struct decider dc;

		decider_init(&dc, sn->s->policy);
		denied_dest = decide_connect(&dc, c->p->role, (unsigned)family, e.connect.addr,
					     e.connect.port, &d);
	}
	if (denied_class || denied_dest)
		e.h.flags |= SP_EF_DENIED;
	/* the entry that decided, for the finding's reason (guard/kmon.c) */
	e.connect.rule = denied_dest ? gpolicy_net_id(sn->s, d.entry) : ~0u;
	sn_record(sn, c, &e);
	if (denied_dest) {
		/* the record is the finding (guard/kmon.c), as a kernel deny would be */
		if (sn->enforce) {
			v->answer = SN_ERROR;
			v->err = EPERM;
		}
		return;
	}
	if (sn->s->blocked) {
		v->answer = SN_ERROR;
		v->err = EPERM;
		return;
	}
	if (family == AF_UNIX || !racy_matters || c->p->role != SP_ROLE_BUILD || denied_class)
		return;
	/* allowed on our copy: only if nobody else can rewrite it before the kernel reads it */
	if (sn_racy(sn, c->t)) {
		char who[PROC_CMDLINE_MAX + 64];

		(void)sn_finding(sn, c, "build-connect", false,
				 "%s: a network call refused because the process has several "
				 "threads, so the address could change after the check",
				 sn_who(sn, c, who, sizeof(who)));
		v->answer = SN_ERROR;
		v->err = EPERM;
	}
}

static void sn_decide_connect(struct sn *sn, struct sn_call *c, struct sn_verdict *v)
{
	const struct seccomp_data *d = &c->req->data;
	struct sockaddr_storage sa = { 0 };
	size_t len = (size_t)d->args[2];

	if (len > sizeof(sa))
		len = sizeof(sa);
	if (len < sizeof(sa.ss_family) || !d->args[1])
		return;
	if (sn_read_mem(sn, c->t, d->args[1], &sa, len) < 0 || !sn_still_valid(sn, c->req->id)) {
		v->answer = SN_ERROR;
		v->err = EFAULT;
		return;
	}
	judge_address(sn, c, v, &sa, len, true);
}

/* The destination of one msghdr at addr, judged. */
static void judge_msghdr(struct sn *sn, struct sn_call *c, struct sn_verdict *v, uint64_t addr)
{
	struct msghdr mh;
	struct sockaddr_storage sa = { 0 };
	size_t len;

	if (sn_read_mem(sn, c->t, addr, &mh, sizeof(mh)) < 0) {
		v->answer = SN_ERROR;
		v->err = EFAULT;
		return;
	}
	if (!mh.msg_name || mh.msg_namelen < sizeof(sa.ss_family))
		return;
	len = mh.msg_namelen > sizeof(sa) ? sizeof(sa) : mh.msg_namelen;
	if (sn_read_mem(sn, c->t, (uint64_t)(uintptr_t)mh.msg_name, &sa, len) < 0) {
		v->answer = SN_ERROR;
		v->err = EFAULT;
		return;
	}
	judge_address(sn, c, v, &sa, len, true);
}

static void decide_send(struct sn *sn, struct sn_call *c, struct sn_verdict *v)
{
	const struct seccomp_data *d = &c->req->data;

	if (d->nr == __NR_sendto) {
		struct sockaddr_storage sa = { 0 };
		size_t len = (size_t)d->args[5] > sizeof(sa) ? sizeof(sa) : (size_t)d->args[5];

		if (len < sizeof(sa.ss_family))
			return;
		if (sn_read_mem(sn, c->t, d->args[4], &sa, len) < 0) {
			v->answer = SN_ERROR;
			v->err = EFAULT;
			return;
		}
		judge_address(sn, c, v, &sa, len, true);
	} else if (d->nr == __NR_sendmsg) {
		judge_msghdr(sn, c, v, d->args[1]);
	} else {
		/* sendmmsg: the kernel sends at most UIO_MAXIOV messages */
		unsigned n = d->args[2] > 1024 ? 1024 : (unsigned)d->args[2];

		for (unsigned i = 0; i < n && v->answer == SN_CONTINUE && !sn->s->blocked; i++)
			judge_msghdr(sn, c, v, d->args[1] + (uint64_t)i * sizeof(struct mmsghdr));
	}
	if (v->answer == SN_CONTINUE && !sn_still_valid(sn, c->req->id)) {
		v->answer = SN_ERROR;
		v->err = EFAULT;
	}
}

static void decide_listen(struct sn *sn, struct sn_call *c, struct sn_verdict *v)
{
	/* builds without network hold no inet socket: theirs are local */
	if (c->p->role == SP_ROLE_BUILD && sn->builds_net)
		refuse(sn, c, v, "listen", EPERM, "listen() on a socket");
}

/* -------------------------------------------------------- processes */

/* Is the target of a signal (pid as kill(2) takes it) inside the tree? */
static bool signal_inside(struct sn *sn, const struct sn_call *c, long pid)
{
	if (pid == 0)
		return true;                    /* its own process group */
	if (pid == -1)
		return false;                   /* every process it may signal */
	if (pid < 0) {
		pid = -pid;                     /* a process group: the tree's own groups */
		return pid == sn->s->root || sn_in_tree(sn, (pid_t)pid);
	}
	return pid == c->p->tgid || sn_in_tree(sn, (pid_t)pid);
}

/* The pid a pidfd of the caller refers to, or -1. */
static long pidfd_target(struct sn *sn, struct sn_task *t, int fd)
{
	char name[48], buf[1024];
	const char *p;
	ssize_t n;
	int f;

	snprintf(name, sizeof(name), "fdinfo/%d", fd);
	f = sn_task_open(sn, t, name, O_RDONLY);
	if (f < 0)
		return -1;
	n = read(f, buf, sizeof(buf) - 1);
	close(f);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	p = strstr(buf, "\nPid:");
	return p ? strtol(p + 5, NULL, 10) : -1;
}

static void decide_signal(struct sn *sn, struct sn_call *c, struct sn_verdict *v)
{
	const struct seccomp_data *d = &c->req->data;
	long pid;
	long sig = -1;
	char what[96];

	switch (d->nr) {
	case __NR_kill:
		pid = (int)d->args[0];
		sig = (int)d->args[1];
		break;
	case __NR_tkill:
		pid = (int)d->args[0];
		sig = (int)d->args[1];
		break;
	case __NR_tgkill:
		pid = (int)d->args[0];
		sig = (int)d->args[2];
		break;
	case __NR_pidfd_send_signal:
		pid = pidfd_target(sn, c->t, (int)d->args[0]);
		sig = (int)d->args[1];
		break;
	default:        /* rt_sigqueueinfo, rt_tgsigqueueinfo, pidfd_open */
		pid = (int)d->args[0];
		break;
	}
	if (sig == 0 || signal_inside(sn, c, pid))
		return;
	if (d->nr == __NR_pidfd_open)
		snprintf(what, sizeof(what), "pidfd_open() of process %ld outside the install%s", pid,
			 pid == sn->self ? " (safe-pip itself)" : "");
	else
		snprintf(what, sizeof(what), "signal %ld to process %ld outside the install%s", sig, pid,
			 pid == sn->self ? " (safe-pip itself)" : "");
	refuse(sn, c, v, "kill-outside", EPERM, what);
}

static void decide_ptrace(struct sn *sn, struct sn_call *c, struct sn_verdict *v)
{
	static const struct {
		int nr;
		const char *name;
	} calls[] = {
		{ __NR_ptrace, "ptrace()" }, { __NR_process_vm_readv, "process_vm_readv()" },
		{ __NR_process_vm_writev, "process_vm_writev()" }, { __NR_pidfd_getfd, "pidfd_getfd()" },
	};
	const char *name = "ptrace()";

	for (size_t i = 0; i < ARRAY_SIZE(calls); i++)
		if ((int)c->req->data.nr == calls[i].nr)
			name = calls[i].name;
	refuse(sn, c, v, "ptrace", EPERM, name);
}

static void decide_memfd(struct sn *sn, struct sn_call *c, struct sn_verdict *v)
{
	char name[64] = "?", who[PROC_CMDLINE_MAX + 64];

	if (c->p->role != SP_ROLE_BUILD)
		return;
	if (sn_read_str(sn, c->t, c->req->data.args[0], name, sizeof(name)) < 0)
		snprintf(name, sizeof(name), "?");
	(void)sn_finding(sn, c, "memfd-exec", false, "%s: memfd_create(\"%s\")",
			 sn_who(sn, c, who, sizeof(who)), name);
	if (sn->s->blocked) {
		v->answer = SN_ERROR;
		v->err = EPERM;
	}
}

static void decide_creds(struct sn *sn, struct sn_call *c, struct sn_verdict *v)
{
	char who[PROC_CMDLINE_MAX + 64];

	/* from now on the supervisor never opens files for it (guard/seccomp_files.c) */
	c->p->flags |= SNP_CREDS;
	if (c->p->role != SP_ROLE_BUILD)
		return;
	(void)sn_finding(sn, c, "priv-change", false, "%s changed its credentials (syscall %d)",
			 sn_who(sn, c, who, sizeof(who)), (int)c->req->data.nr);
	if (sn->s->blocked) {
		v->answer = SN_ERROR;
		v->err = EPERM;
	}
}

/* ------------------------------------------------------------ dispatch */

static bool is_nr(int nr, const int *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (list[i] == nr)
			return true;
	return false;
}

static const int mount_calls[] = {
	__NR_unshare, __NR_setns, __NR_mount, __NR_umount2, __NR_pivot_root, __NR_chroot,
	__NR_fsopen, __NR_fsmount, __NR_fspick, __NR_move_mount, __NR_open_tree, __NR_mount_setattr,
	__NR_clone,
};
static const int module_calls[] = {
	__NR_init_module, __NR_finit_module, __NR_delete_module, __NR_kexec_load, __NR_kexec_file_load,
};
static const int cred_calls[] = {
	__NR_setuid, __NR_setgid, __NR_setreuid, __NR_setregid, __NR_setresuid, __NR_setresgid,
	__NR_setfsuid, __NR_setfsgid, __NR_setgroups, __NR_capset,
};
static const int signal_calls[] = {
	__NR_kill, __NR_tkill, __NR_tgkill, __NR_rt_sigqueueinfo, __NR_rt_tgsigqueueinfo,
	__NR_pidfd_open, __NR_pidfd_send_signal,
};
static const int ptrace_calls[] = {
	__NR_ptrace, __NR_process_vm_readv, __NR_process_vm_writev, __NR_pidfd_getfd,
};
static const int open_calls[] = {
#ifdef __NR_open
	__NR_open,
#endif
#ifdef __NR_creat
	__NR_creat,
#endif
	__NR_openat, __NR_openat2,
};

static void decide_kernel(struct sn *sn, struct sn_call *c, struct sn_verdict *v, int nr)
{
	char what[64];

	if (nr == __NR_bpf || nr == __NR_perf_event_open) {
		refuse(sn, c, v, "bpf-syscall", EPERM, nr == __NR_bpf ? "bpf()" : "perf_event_open()");
	} else if (nr == __NR_io_uring_setup) {
		/* ENOSYS: libraries that probe io_uring fall back to plain syscalls */
		refuse(sn, c, v, "io-uring", ENOSYS, "io_uring_setup()");
	} else if (is_nr(nr, module_calls, ARRAY_SIZE(module_calls))) {
		snprintf(what, sizeof(what), "a kernel module or kexec call (syscall %d)", nr);
		refuse(sn, c, v, "kernel-module", EPERM, what);
	} else {
		snprintf(what, sizeof(what), "%s (syscall %d)", nr == __NR_clone ?
			 "clone() into new namespaces" : "a mount or namespace call", nr);
		refuse(sn, c, v, "mount", EPERM, what);
	}
}

void sn_decide(struct sn *sn, struct sn_call *c, struct sn_verdict *v)
{
	const struct seccomp_data *d = &c->req->data;
	int nr = d->nr;

	v->answer = SN_CONTINUE;
	if (d->arch != SN_NATIVE_ARCH
#ifdef __x86_64__
	    || (d->nr & 0x40000000)
#endif
	) {
		char what[96];

		snprintf(what, sizeof(what), "system call %d through a non-native entry point "
			 "(arch 0x%x)", nr & ~0x40000000, d->arch);
		refuse(sn, c, v, "compat-syscall", ENOSYS, what);
		return;
	}
	verify_exe(sn, c);
	if (sn->s->blocked) {
		v->answer = SN_ERROR;
		v->err = EPERM;
		return;
	}
	if (nr == __NR_execve || nr == __NR_execveat)
		sn_decide_exec(sn, c, v);
	else if (is_nr(nr, open_calls, ARRAY_SIZE(open_calls)))
		sn_decide_open(sn, c, v);
	else if (nr == __NR_socket)
		decide_socket(sn, c, v);
	else if (nr == __NR_connect)
		sn_decide_connect(sn, c, v);
	else if (nr == __NR_sendto || nr == __NR_sendmsg || nr == __NR_sendmmsg)
		decide_send(sn, c, v);
	else if (nr == __NR_listen)
		decide_listen(sn, c, v);
	else if (nr == __NR_memfd_create)
		decide_memfd(sn, c, v);
	else if (is_nr(nr, signal_calls, ARRAY_SIZE(signal_calls)))
		decide_signal(sn, c, v);
	else if (is_nr(nr, ptrace_calls, ARRAY_SIZE(ptrace_calls)))
		decide_ptrace(sn, c, v);
	else if (is_nr(nr, cred_calls, ARRAY_SIZE(cred_calls)))
		decide_creds(sn, c, v);
	else if (nr == __NR_bpf || nr == __NR_perf_event_open || nr == __NR_io_uring_setup ||
		 is_nr(nr, module_calls, ARRAY_SIZE(module_calls)) ||
		 is_nr(nr, mount_calls, ARRAY_SIZE(mount_calls)))
		decide_kernel(sn, c, v, nr);
	else
		sn_decide_path_op(sn, c, v);
}
