// SPDX-License-Identifier: GPL-2.0
/*
 * safe-pip kernel sensor.
 *
 * Tracks the process tree of one guarded install in the kernel (the
 * tracked map is filled in the fork tracepoint, before a child runs),
 * classifies processes into roles at exec, reports what they do through a
 * ring buffer and enforces the decisions that must not wait for user space:
 * a doomed session SIGKILLs every tracked task entering a syscall, and a
 * denied connect is refused by the cgroup hook and kills the caller.
 *
 * One program per tracepoint direction; syscalls are dispatched on their
 * number after the tracked-set lookup, so untracked tasks pay one hash
 * lookup per syscall and nothing else.
 */
#include "vmlinux.h"
#include <asm/unistd.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include "sp_event.h"

char LICENSE[] SEC("license") = "GPL";

#define SIGKILL 9
#define AF_UNIX 1
#define AF_INET 2
#define AF_INET6 10
#define O_WRONLY 01
#define O_RDWR 02
#define O_CREAT 0100
#define O_TRUNC 01000

/* Set by user space before load. */
const volatile __u32 cfg_abi = SP_ABI_VERSION;
const volatile __u32 cfg_enforce = 1;          /* kill on deny; 0 = monitor */
const volatile __u32 cfg_deny_inet_roles = 0;  /* bitmask of 1 << role */
const volatile char cfg_preload[SP_PRELOAD_MAX] = {};  /* the shim's path, "" if none */
const volatile __u32 cfg_preload_len = 0;

/* Session state shared with user space through the mmaped .bss. */
__u32 doomed;           /* every tracked task dies at its next syscall */
__u64 doomed_ns;        /* when the session was doomed */
__s64 ntracked;         /* entries in the tracked map */
__u64 lost;             /* records that did not fit the ring buffer */
__u64 overflow;         /* forks that could not be tracked (session doomed) */

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SP_TRACKED_MAX);
	__type(key, __u32);
	__type(value, struct sp_proc);
} tracked SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SP_INTERP_MAX);
	__type(key, struct sp_file_id);
	__type(value, __u32);
} interp SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, SP_RINGBUF_BYTES);
} events SEC(".maps");

/* Per-CPU scratch for strings too large for the BPF stack. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, char[SP_ARGV_MAX]);
} scratch SEC(".maps");

static __always_inline void doom(void)
{
	if (!doomed) {
		doomed_ns = bpf_ktime_get_ns();
		doomed = 1;
	}
}

static __always_inline struct sp_event *ev_new(__u32 kind, struct task_struct *task,
					       const struct sp_proc *p)
{
	struct sp_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);

	if (!e) {
		__sync_fetch_and_add(&lost, 1);
		return NULL;
	}
	e->h.version = SP_ABI_VERSION;
	e->h.kind = kind;
	e->h.flags = doomed ? SP_EF_DOOMED : 0;
	e->h.ts_ns = bpf_ktime_get_ns();
	e->h.pid = BPF_CORE_READ(task, pid);
	e->h.tgid = BPF_CORE_READ(task, tgid);
	e->h.ppid = BPF_CORE_READ(task, real_parent, tgid);
	e->h.role = p ? p->role : SP_ROLE_NONE;
	e->h.uid = BPF_CORE_READ(task, cred, uid.val);
	e->h.pad = 0;
	bpf_probe_read_kernel_str(e->h.comm, sizeof(e->h.comm), task->comm);
	return e;
}

/* ------------------------------------------------------------ processes */

SEC("tp_btf/sched_process_fork")
int BPF_PROG(sp_fork, struct task_struct *parent, struct task_struct *child)
{
	__u32 ptgid = parent->tgid, ctgid = child->tgid;
	struct sp_proc *p, c;
	struct sp_event *e;

	if (ctgid == ptgid)
		return 0;       /* a new thread: the process is already tracked */
	p = bpf_map_lookup_elem(&tracked, &ptgid);
	if (!p)
		return 0;
	c = *p;
	c.start_ns = bpf_ktime_get_ns();
	if (bpf_map_update_elem(&tracked, &ctgid, &c, BPF_NOEXIST)) {
		/* An untracked child would escape: fail closed. */
		__sync_fetch_and_add(&overflow, 1);
		doom();
		bpf_send_signal(SIGKILL);
		return 0;
	}
	__sync_fetch_and_add(&ntracked, 1);
	if (doomed)
		bpf_send_signal(SIGKILL);

	e = ev_new(SP_EV_FORK, parent, p);
	if (!e)
		return 0;
	e->fork.child_tgid = ctgid;
	e->fork.pad = 0;
	bpf_ringbuf_submit(e, 0);
	return 0;
}

#define IDX(i) ((i) & (SP_ARGV_MAX - 1))

/* Does b (n bytes) end in s (slen bytes), preceded by '/' or nothing? */
static __always_inline bool ends_with(const char *b, long n, const char *s, long slen)
{
	long off = n - slen, i;

	if (off < 0 || off > SP_ARGV_MAX - slen)
		return false;
	if (off > 0 && b[IDX(off - 1)] != '/')
		return false;
	for (i = 0; i < slen && i < 32; i++)
		if (b[IDX(off + i)] != s[i])
			return false;
	return true;
}

/*
 * The role a process of role pip takes when it executes an interpreter:
 * pip's own runner (nested pip installing build requirements) stays pip,
 * anything else pip asks an interpreter to run is a build backend.  The
 * string helpers find the argument boundaries, so there is no data
 * dependent loop for the verifier to walk.
 */
static __always_inline __u32 classify_interp_exec(const char *argv, __u32 len)
{
	__u32 zero = 0;
	long l0, l1, l2;
	char *b;

	b = bpf_map_lookup_elem(&scratch, &zero);
	if (!b)
		return SP_ROLE_BUILD;
	l0 = bpf_probe_read_kernel_str(b, SP_ARGV_MAX, argv);
	if (l0 <= 0 || l0 >= len)
		return SP_ROLE_BUILD;
	l1 = bpf_probe_read_kernel_str(b, SP_ARGV_MAX, argv + IDX(l0));
	if (l1 <= 1 || l0 + l1 > len)
		return SP_ROLE_BUILD;
	/* python .../pip/__pip-runner__.py install ... (pip >= 22.2) */
	if (ends_with(b, l1 - 1, "__pip-runner__.py", 17))
		return SP_ROLE_PIP;
	/* python .../site-packages/pip install ... (older pip) */
	if (l1 - 1 > 3 && ends_with(b, l1 - 1, "pip", 3))
		return SP_ROLE_PIP;
	/* python -m pip install ... */
	if (l1 == 3 && b[0] == '-' && b[1] == 'm' && l0 + l1 < len) {
		l2 = bpf_probe_read_kernel_str(b, 8, argv + IDX(l0 + l1));
		if (l2 == 4 && b[0] == 'p' && b[1] == 'i' && b[2] == 'p')
			return SP_ROLE_PIP;
	}
	return SP_ROLE_BUILD;
}

/* What kind of file was executed: ELF (dynamic or static) or a script. */
static __always_inline __u32 exe_kind(struct linux_binprm *bprm)
{
	unsigned char hdr[64];
	__u32 flags = 0, off, i;
	__u16 phnum;

	if (bpf_probe_read_kernel(hdr, sizeof(hdr), bprm->buf))
		return 0;
	if (hdr[0] == '#' && hdr[1] == '!')
		return SP_XF_SCRIPT;
	if (hdr[0] != 0x7f || hdr[1] != 'E' || hdr[2] != 'L' || hdr[3] != 'F' || hdr[4] != 2)
		return 0;       /* not ELF, or not ELFCLASS64 */
	flags = SP_XF_ELF;
	off = *(__u32 *)&hdr[32];       /* e_phoff, low half */
	phnum = *(__u16 *)&hdr[56];
	/* Look for PT_INTERP among the program headers inside bprm->buf. */
	for (i = 0; i < 4; i++) {
		__u32 type;

		if (i >= phnum)
			return flags;
		if (off + (i + 1) * 56 > sizeof(bprm->buf)) {
			flags |= SP_XF_PHDR_UNSEEN;
			return flags;
		}
		if (bpf_probe_read_kernel(&type, sizeof(type), bprm->buf + ((off + i * 56) & 0xff)))
			return flags | SP_XF_PHDR_UNSEEN;
		if (type == 3)  /* PT_INTERP */
			return flags | SP_XF_INTERP;
	}
	if (phnum > 4)
		flags |= SP_XF_PHDR_UNSEEN;
	return flags;
}

/*
 * Does the new environment carry LD_PRELOAD, and does it start with the
 * session's shim?  Scans at most SP_ENV_SCAN strings.
 */
static __always_inline __u32 env_preload(struct task_struct *task)
{
	unsigned long p = BPF_CORE_READ(task, mm, env_start);
	unsigned long end = BPF_CORE_READ(task, mm, env_end);
	__u32 zero = 0, i, k;
	char *b;

	b = bpf_map_lookup_elem(&scratch, &zero);
	if (!b)
		return SP_XF_ENV_TRUNC;
	for (i = 0; i < SP_ENV_SCAN; i++) {
		long n;

		if (p >= end)
			return 0;
		n = bpf_probe_read_user_str(b, SP_ARGV_MAX, (void *)p);
		if (n <= 0)
			return SP_XF_ENV_TRUNC;
		p += n;
		if (n < 12 || b[0] != 'L' || b[1] != 'D' || b[2] != '_' || b[3] != 'P' ||
		    b[4] != 'R' || b[5] != 'E' || b[6] != 'L' || b[7] != 'O' || b[8] != 'A' ||
		    b[9] != 'D' || b[10] != '=')
			continue;
		if (cfg_preload_len == 0 || cfg_preload_len > SP_PRELOAD_MAX - 1)
			return SP_XF_PRELOAD_OTHER;
		for (k = 0; k < SP_PRELOAD_MAX - 12; k++) {
			if (k >= cfg_preload_len)
				return SP_XF_PRELOAD;
			if (b[(11 + k) & (SP_ARGV_MAX - 1)] != cfg_preload[k])
				return SP_XF_PRELOAD_OTHER;
		}
		return SP_XF_PRELOAD;
	}
	return SP_XF_ENV_TRUNC;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(sp_exec, struct task_struct *task, pid_t old_pid, struct linux_binprm *bprm)
{
	__u32 tgid = task->tgid;
	struct sp_file_id id = {};
	struct sp_proc *p;
	struct sp_event *e;
	unsigned long as, ae, n;
	const char *fname;
	bool is_interp;
	__u32 len;

	p = bpf_map_lookup_elem(&tracked, &tgid);
	if (!p)
		return 0;
	if (doomed)
		bpf_send_signal(SIGKILL);

	id.ino = BPF_CORE_READ(bprm, file, f_inode, i_ino);
	id.dev = BPF_CORE_READ(bprm, file, f_inode, i_sb, s_dev);
	is_interp = bpf_map_lookup_elem(&interp, &id) != NULL;

	e = ev_new(SP_EV_EXEC, task, p);
	if (!e)
		return 0;
	e->exec.ino = id.ino;
	e->exec.dev = id.dev;
	e->exec.old_role = p->role;
	e->exec.xflags = exe_kind(bprm) | env_preload(task);
	e->exec.pad = 0;
	fname = BPF_CORE_READ(bprm, filename);
	if (bpf_probe_read_kernel_str(e->exec.filename, sizeof(e->exec.filename), fname) ==
	    sizeof(e->exec.filename))
		e->h.flags |= SP_EF_TRUNC;

	as = BPF_CORE_READ(task, mm, arg_start);
	ae = BPF_CORE_READ(task, mm, arg_end);
	n = ae > as ? ae - as : 0;
	e->exec.argc_trunc = n > SP_ARGV_MAX;
	if (n > SP_ARGV_MAX) {
		n = SP_ARGV_MAX;
		e->h.flags |= SP_EF_TRUNC;
	}
	barrier_var(n);
	if (n > SP_ARGV_MAX || bpf_probe_read_user(e->exec.argv, n, (void *)as))
		n = 0;
	len = n;
	e->exec.argv_len = len;
	bpf_probe_read_kernel_str(e->exec.cwd, sizeof(e->exec.cwd),
				  BPF_CORE_READ(task, fs, pwd.dentry, d_name.name));

	if (p->role == SP_ROLE_PIP && is_interp) {
		if (p->flags & SP_PF_ROOT)
			p->flags &= ~SP_PF_ROOT;        /* pip itself starts */
		else
			p->role = classify_interp_exec(e->exec.argv, len);
	}
	e->h.role = p->role;
	bpf_ringbuf_submit(e, 0);
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(sp_exit, struct task_struct *task)
{
	__u32 tgid = task->tgid;
	struct sp_proc *p;
	struct sp_event *e;

	/* Only the last thread of a process ends the process. */
	if (BPF_CORE_READ(task, signal, live.counter) != 0)
		return 0;
	p = bpf_map_lookup_elem(&tracked, &tgid);
	if (!p)
		return 0;
	e = ev_new(SP_EV_EXIT, task, p);
	if (e) {
		e->exit.exit_code = BPF_CORE_READ(task, exit_code);
		e->exit.pad = 0;
		bpf_ringbuf_submit(e, 0);
	}
	if (bpf_map_delete_elem(&tracked, &tgid) == 0)
		__sync_fetch_and_sub(&ntracked, 1);
	return 0;
}

/* ------------------------------------------------------------- syscalls */

static __always_inline bool inet_denied(const struct sp_proc *p)
{
	return p->role < SP_ROLE_MAX && (cfg_deny_inet_roles & (1u << p->role));
}

static __noinline int on_connect(struct sp_proc *p, int fd, const void *uaddr, __u32 alen)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task_btf();
	struct sp_event *e;
	__u16 family = 0;

	if (bpf_probe_read_user(&family, sizeof(family), uaddr))
		return 0;
	e = ev_new(SP_EV_CONNECT, task, p);
	if (!e) {
		/* Without a record user space cannot judge: a denied class still dies. */
		if ((family == AF_INET || family == AF_INET6) && inet_denied(p) && cfg_enforce) {
			doom();
			bpf_send_signal(SIGKILL);
		}
		return 0;
	}
	e->connect.family = family;
	e->connect.fd = fd;
	if (family == AF_INET) {
		struct sockaddr_in sin = {};

		bpf_probe_read_user(&sin, sizeof(sin), uaddr);
		e->connect.port = bpf_ntohs(sin.sin_port);
		__builtin_memcpy(e->connect.addr, &sin.sin_addr, 4);
	} else if (family == AF_INET6) {
		struct sockaddr_in6 sin6 = {};

		bpf_probe_read_user(&sin6, sizeof(sin6), uaddr);
		e->connect.port = bpf_ntohs(sin6.sin6_port);
		__builtin_memcpy(e->connect.addr, &sin6.sin6_addr, 16);
	} else if (family == AF_UNIX) {
		if (bpf_probe_read_user(e->connect.path, sizeof(e->connect.path),
					(const char *)uaddr + 2) == 0 && e->connect.path[0] == '\0')
			e->connect.path[0] = '@';
	}
	if ((family == AF_INET || family == AF_INET6) && inet_denied(p)) {
		e->h.flags |= SP_EF_DENIED;
		if (cfg_enforce) {
			doom();
			bpf_send_signal(SIGKILL);
		}
	}
	bpf_ringbuf_submit(e, 0);
	return 0;
}

static __noinline int on_open(struct sp_proc *p, int dfd, const char *upath, __u32 flags, __u32 mode)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task_btf();
	struct sp_event *e;

	if (!(flags & (O_WRONLY | O_RDWR | O_CREAT | O_TRUNC)))
		return 0;
	e = ev_new(SP_EV_OPEN, task, p);
	if (!e)
		return 0;
	e->open.dfd = dfd;
	e->open.flags = flags;
	e->open.mode = mode;
	if (bpf_probe_read_user_str(e->open.path, sizeof(e->open.path), upath) ==
	    sizeof(e->open.path))
		e->h.flags |= SP_EF_TRUNC;
	bpf_ringbuf_submit(e, 0);
	return 0;
}

SEC("tp_btf/sys_enter")
int BPF_PROG(sp_sys_enter, struct pt_regs *regs, long id)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	struct sp_proc *p = bpf_map_lookup_elem(&tracked, &tgid);

	if (!p)
		return 0;
	if (doomed) {
		bpf_send_signal(SIGKILL);
		return 0;
	}
	switch (id) {
	case __NR_connect:
		return on_connect(p, (int)PT_REGS_PARM1_CORE_SYSCALL(regs),
				  (const void *)PT_REGS_PARM2_CORE_SYSCALL(regs),
				  (__u32)PT_REGS_PARM3_CORE_SYSCALL(regs));
#ifdef __NR_open
	case __NR_open:
		return on_open(p, -100, (const char *)PT_REGS_PARM1_CORE_SYSCALL(regs),
			       (__u32)PT_REGS_PARM2_CORE_SYSCALL(regs),
			       (__u32)PT_REGS_PARM3_CORE_SYSCALL(regs));
#endif
#ifdef __NR_creat
	case __NR_creat:
		return on_open(p, -100, (const char *)PT_REGS_PARM1_CORE_SYSCALL(regs),
			       O_WRONLY | O_CREAT | O_TRUNC,
			       (__u32)PT_REGS_PARM2_CORE_SYSCALL(regs));
#endif
	case __NR_openat:
		return on_open(p, (int)PT_REGS_PARM1_CORE_SYSCALL(regs),
			       (const char *)PT_REGS_PARM2_CORE_SYSCALL(regs),
			       (__u32)PT_REGS_PARM3_CORE_SYSCALL(regs),
			       (__u32)PT_REGS_PARM4_CORE_SYSCALL(regs));
	}
	return 0;
}

/* ---------------------------------------------------- cgroup sock_addr */

/*
 * Deny before the packet leaves.  Attached to the session cgroup when one
 * can be made; the sys_enter path above kills the caller either way.
 * Returning 0 refuses the call with EPERM.
 */
static __always_inline int sock_verdict(void)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	struct sp_proc *p = bpf_map_lookup_elem(&tracked, &tgid);

	if (!p)
		return 1;
	if (doomed)
		return 0;
	if (inet_denied(p) && cfg_enforce)
		return 0;
	return 1;
}

SEC("cgroup/connect4")
int sp_connect4(struct bpf_sock_addr *ctx)
{
	return sock_verdict();
}

SEC("cgroup/connect6")
int sp_connect6(struct bpf_sock_addr *ctx)
{
	return sock_verdict();
}

SEC("cgroup/sendmsg4")
int sp_sendmsg4(struct bpf_sock_addr *ctx)
{
	return sock_verdict();
}

SEC("cgroup/sendmsg6")
int sp_sendmsg6(struct bpf_sock_addr *ctx)
{
	return sock_verdict();
}
