/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared by the parts of the kernel sensor (included by safepip.bpf.c
 * only): configuration, session state, maps, record allocation, syscall
 * arguments, and what the kernel can tell about a file or a path.
 */
#ifndef SAFEPIP_SP_COMMON_BPF_H
#define SAFEPIP_SP_COMMON_BPF_H

#define SIGKILL 9
#define AF_UNIX 1
#define AF_INET 2
#define AF_INET6 10
#define AF_PACKET 17
#define O_WRONLY 01
#define O_RDWR 02
#define O_CREAT 0100
#define O_TRUNC 01000
#define AT_FDCWD -100
#define ENOENT 2
#define S_IFMT 00170000
#define S_IFSOCK 0140000
#define S_IWOTH 00002
#define PROC_SUPER_MAGIC 0x9fa0
#define PIDFS_MAGIC 0x50494446
#define TS_COMPAT 0x0002
#ifdef __NR_fchmodat2
#define SP_NR_FCHMODAT2 __NR_fchmodat2
#else
#define SP_NR_FCHMODAT2 452
#endif

/*
 * Structures of the user ABI (and the x86-64 register frame), declared
 * here without CO-RE: their layout cannot change under a program, and
 * each relocated type costs libbpf a scan of the kernel's whole BTF
 * (about 126,000 types, 0.75 ms) on the way to pip's start.
 */
struct sp_sockaddr_in {
	__u16 family;
	__be16 port;
	__u8 addr[4];
	__u8 zero[8];
};

struct sp_sockaddr_in6 {
	__u16 family;
	__be16 port;
	__u32 flowinfo;
	__u8 addr[16];
	__u32 scope_id;
};

struct sp_msghdr {                      /* struct user_msghdr (64-bit) */
	__u64 name;
	__s32 namelen;
	__u64 iov;
	__u64 iovlen;
	__u64 control;
	__u64 controllen;
	__u32 flags;
};

struct sp_iovec {
	__u64 base;
	__u64 len;
};

struct sp_open_how {
	__u64 flags;
	__u64 mode;
	__u64 resolve;
};

struct sp_sock_addr {                   /* the start of struct bpf_sock_addr */
	__u32 user_family;
	__u32 user_ip4;                 /* network byte order */
	__u32 user_ip6[4];
	__u32 user_port;                /* network byte order, in the low 16 bits */
};

#if defined(__TARGET_ARCH_x86)
struct sp_x86_regs {                    /* struct pt_regs up to orig_ax */
	__u64 r15, r14, r13, r12, bp, bx, r11, r10, r9, r8, ax, cx, dx, si, di;
};
#endif

/* The layouts above, checked against the kernel's types at build time. */
#define SP_SAME_AT(ours, f, theirs, g) \
	_Static_assert(__builtin_offsetof(struct ours, f) == __builtin_offsetof(struct theirs, g), \
		       #ours "." #f " is not where " #theirs "." #g " is")
SP_SAME_AT(sp_sockaddr_in, port, sockaddr_in, sin_port);
SP_SAME_AT(sp_sockaddr_in, addr, sockaddr_in, sin_addr);
SP_SAME_AT(sp_sockaddr_in6, port, sockaddr_in6, sin6_port);
SP_SAME_AT(sp_sockaddr_in6, flowinfo, sockaddr_in6, sin6_flowinfo);
SP_SAME_AT(sp_sockaddr_in6, addr, sockaddr_in6, sin6_addr);
SP_SAME_AT(sp_sockaddr_in6, scope_id, sockaddr_in6, sin6_scope_id);
SP_SAME_AT(sp_msghdr, name, user_msghdr, msg_name);
SP_SAME_AT(sp_msghdr, namelen, user_msghdr, msg_namelen);
SP_SAME_AT(sp_msghdr, iov, user_msghdr, msg_iov);
SP_SAME_AT(sp_msghdr, iovlen, user_msghdr, msg_iovlen);
SP_SAME_AT(sp_msghdr, flags, user_msghdr, msg_flags);
SP_SAME_AT(sp_iovec, base, iovec, iov_base);
SP_SAME_AT(sp_iovec, len, iovec, iov_len);
SP_SAME_AT(sp_open_how, flags, open_how, flags);
SP_SAME_AT(sp_open_how, mode, open_how, mode);
SP_SAME_AT(sp_open_how, resolve, open_how, resolve);
SP_SAME_AT(sp_sock_addr, user_family, bpf_sock_addr, user_family);
SP_SAME_AT(sp_sock_addr, user_ip4, bpf_sock_addr, user_ip4);
SP_SAME_AT(sp_sock_addr, user_ip6, bpf_sock_addr, user_ip6);
SP_SAME_AT(sp_sock_addr, user_port, bpf_sock_addr, user_port);
_Static_assert(sizeof(struct sp_sockaddr_in) == sizeof(struct sockaddr_in), "sockaddr_in");
_Static_assert(sizeof(struct sp_sockaddr_in6) == sizeof(struct sockaddr_in6), "sockaddr_in6");
_Static_assert(sizeof(struct sp_msghdr) == sizeof(struct user_msghdr), "user_msghdr");
_Static_assert(sizeof(struct sp_open_how) == sizeof(struct open_how), "open_how");
#if defined(__TARGET_ARCH_x86)
SP_SAME_AT(sp_x86_regs, bx, pt_regs, bx);
SP_SAME_AT(sp_x86_regs, r10, pt_regs, r10);
SP_SAME_AT(sp_x86_regs, r9, pt_regs, r9);
SP_SAME_AT(sp_x86_regs, r8, pt_regs, r8);
SP_SAME_AT(sp_x86_regs, di, pt_regs, di);
_Static_assert(sizeof(struct sp_x86_regs) == __builtin_offsetof(struct pt_regs, orig_ax),
	       "pt_regs up to orig_ax");
#endif
#undef SP_SAME_AT

/* Set by user space before load. */
const volatile __u32 cfg_abi = SP_ABI_VERSION;
__u32 cfg_enforce = 1;                         /* kill on deny; 0 = monitor (set after load) */
const volatile char cfg_preload[SP_PRELOAD_MAX] = {};  /* the shim's path, "" if none */
const volatile __u32 cfg_preload_len = 0;
const volatile __u32 cfg_supervisor = 0;       /* the supervisor's tgid (global) */
const volatile __u32 cfg_supervisor_pgid = 0;  /* its process group */
const volatile __u32 cfg_sup_level = 0;        /* PID namespace level of the supervisor */

/* Session state shared with user space through the mmaped .bss. */
__u32 doomed;           /* every tracked task dies at its next syscall */
__u64 doomed_ns;        /* when the session was doomed */
__s64 ntracked;         /* entries in the tracked map */
__u64 lost;             /* records that did not fit the ring buffer */
__u64 lost_kind[SP_EV_KIND_MAX];
__u64 emitted;          /* records submitted */
__u64 overflow;         /* forks that could not be tracked (session doomed) */
__u32 deny_reason;      /* enum sp_deny of the first in-kernel deny */
__u32 deny_tgid;        /* ... the process that caused it */
__u64 deny_ns;          /* ... and when */
__u32 deny_rule;        /* SP_DENY_NET: the rule id (~0: the role default) */
__u32 deny_target;      /* SP_DENY_SUPERVISOR: what was aimed at */

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, SP_TRACKED_MAX);
	__uint(map_flags, BPF_F_NO_PREALLOC);
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

/* Syscall number -> category and 3-gram token; filled by user space. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SP_SYSNR_MAX);
	__type(key, __u32);
	__type(value, struct sp_sysclass);
} sysclass SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SP_SYSNR_MAX);
	__type(key, __u32);
	__type(value, struct sp_sysclass);
} sysclass32 SEC(".maps");

/* Files written during the session (exec of a new file, chmod +x of one). */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, SP_WRITTEN_MAX);
	__type(key, struct sp_file_id);
	__type(value, __u32);
} written SEC(".maps");

/* (process, object) pairs already reported: repeated reads, datagrams. */
struct sp_seen_key {
	__u32 tgid;
	__u32 what;             /* kind and device / family */
	__u64 obj;              /* inode, or address and port */
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, SP_SEEN_MAX);
	__type(key, struct sp_seen_key);
	__type(value, __u32);
} seen SEC(".maps");

/* Totals per role, added when a process exits. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SP_ROLE_MAX);
	__type(key, __u32);
	__type(value, struct sp_stats);
} role_stats SEC(".maps");

/*
 * Per thread: the syscall in progress (for the exit handler) and the last
 * tokens for the 3-gram patterns.
 */
struct sp_thread {
	__u32 pending;          /* native number + 1 of the syscall in progress, 0: none */
	__u32 cnr;              /* the number as called (compat calls differ) */
	__u8 tok[3];            /* tok[2]: the current syscall's token */
	__u8 compat;
	__u32 pad;
	__u64 args[6];
	__u64 fork_flags;       /* clone flags of a pending fork */
	__u64 enter_ns;         /* when the pending call entered (its records carry it) */
	__u32 sflags;           /* SP_SF_* worked out at entry */
	__u32 target;           /* target tgid worked out at entry */
	__u32 action, rule;     /* connect/sendto verdict at entry */
	__u16 family, port;
	__u8 addr[16];
	char path[108];         /* AF_UNIX path of a connect */
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct sp_thread);
} thr SEC(".maps");

/*
 * The state of a path walk (walk_path()) between its bpf_loop() steps.  It
 * lives in the scratch map, not in the loop's context on the stack: the
 * verifier does not track what a map holds, so every step starts from the
 * same state and the step is checked once or twice, instead of once per
 * combination of what the steps before it found (the load time).
 */
struct walk_state {
	__u64 d, mnt;                   /* the dentry and mount of the next step */
	__u64 top, second;              /* first 8 bytes of the top two components so far */
	__u64 below_mnt;                /* the same, of the component below the mount root */
	__u32 top_len, second_len, below_mnt_len;
	__u32 pos;                      /* where the path walked so far starts in pbuf */
	__u8 crossed, hidden, trunc, complete;
};

/* Per-CPU scratch for strings too large for the BPF stack. */
struct sp_scratch {
	char argv[SP_ARGV_MAX];
	char pbuf[SP_PATH_MAX * 2];     /* paths are built backwards, ending at SP_PATH_MAX - 1 */
	struct walk_state ws;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sp_scratch);
} scratch SEC(".maps");

static __always_inline struct sp_scratch *get_scratch(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&scratch, &zero);
}

static __always_inline void doom(void)
{
	if (!doomed) {
		doomed_ns = bpf_ktime_get_ns();
		doomed = 1;
	}
}

/* Record the first in-kernel deny, so the verdict survives a lost record. */
static __always_inline void note_deny(__u32 reason, __u32 tgid, __u32 rule, __u32 target)
{
	if (__sync_val_compare_and_swap(&deny_reason, SP_DENY_NONE, reason) == SP_DENY_NONE) {
		deny_tgid = tgid;
		deny_ns = bpf_ktime_get_ns();
		deny_rule = rule;
		deny_target = target;
	}
}

/* Process id of task inside its own PID namespace, and that namespace's level. */
static __always_inline __u32 pid_level(struct task_struct *task)
{
	return BPF_CORE_READ(task, group_leader, thread_pid, level);
}

/* A pid's number in the namespace it was made in (its deepest). */
static __always_inline __u32 ns_nr(struct pid *pid)
{
	__u32 level = BPF_CORE_READ(pid, level);
	struct upid up = {};

	if (level > 31)
		return 0;
	bpf_probe_read_kernel(&up, sizeof(up), &pid->numbers[level]);
	return up.nr;
}

static __always_inline __u32 ns_tgid_of(struct task_struct *task)
{
	return ns_nr(BPF_CORE_READ(task, group_leader, thread_pid));
}

static __always_inline __u32 ns_pid_of(struct task_struct *task)
{
	return ns_nr(BPF_CORE_READ(task, thread_pid));
}

/* Does the current task run in a PID namespace below the supervisor's? */
static __always_inline bool in_child_pidns(struct task_struct *task)
{
	return pid_level(task) > cfg_sup_level;
}

/*
 * The header of a new record, about the current task (every record is
 * made in the context of the task it is about).  A global function, so the
 * verifier checks it once per program rather than on each of the many
 * paths that reach a reserve: that keeps the load time of the sensor short.
 */
__noinline int ev_head(struct sp_hdr *h, __u32 kind, __u32 role)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();

	if (!h)
		return 0;
	h->version = SP_ABI_VERSION;
	h->kind = kind;
	h->flags = doomed ? SP_EF_DOOMED : 0;
	h->ts_ns = bpf_ktime_get_ns();
	h->pid = BPF_CORE_READ(task, pid);
	h->tgid = BPF_CORE_READ(task, tgid);
	h->ppid = BPF_CORE_READ(task, real_parent, tgid);
	h->role = role;
	h->uid = BPF_CORE_READ(task, cred, uid.val);
	h->ns_tgid = ns_tgid_of(task);
	h->ns_pid = ns_pid_of(task);
	h->pad = 0;
	bpf_probe_read_kernel_str(h->comm, sizeof(h->comm), &task->comm);
	return 0;
}

/*
 * A new record of kind about the current task, size bytes (a constant per
 * kind).  Counts it as lost when the ring buffer is full.
 */
static __always_inline void *ev_reserve(__u32 kind, __u64 size, __u32 role)
{
	struct sp_event *e = bpf_ringbuf_reserve(&events, size, 0);

	if (!e) {
		__sync_fetch_and_add(&lost, 1);
		if (kind < SP_EV_KIND_MAX)
			__sync_fetch_and_add(&lost_kind[kind], 1);
		return NULL;
	}
	ev_head(&e->h, kind, role);
	return e;
}

#define EV_NEW(kind, SZ, p) \
	((struct sp_event *)ev_reserve(kind, SZ, (p) ? (p)->role : SP_ROLE_NONE))

/*
 * Wake the supervisor for what it must act on now (denies, attacks, new
 * programs to attribute, and what the caller marks urgent: a build's
 * writes and file operations, which the scorer judges at once) or when
 * records pile up; the rest waits for the next wakeup or the supervisor's
 * own drain tick.  One wakeup per record would cost a context switch
 * each, taken from the install.
 */
#define SP_WAKEUP_BYTES (256u << 10)

static __always_inline void ev_submit_urgent(struct sp_event *e, bool urgent)
{
	__u64 fl = BPF_RB_NO_WAKEUP;

	if (urgent || (e->h.flags & SP_EF_DENIED) || e->h.kind == SP_EV_EXEC ||
	    bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) >= SP_WAKEUP_BYTES)
		fl = BPF_RB_FORCE_WAKEUP;
	__sync_fetch_and_add(&emitted, 1);
	bpf_ringbuf_submit(e, fl);
}

static __always_inline void ev_submit(struct sp_event *e)
{
	ev_submit_urgent(e, false);
}

static __always_inline struct task_struct *current_task(void)
{
	return (struct task_struct *)bpf_get_current_task_btf();
}

/* ------------------------------------------------------------ syscalls */

/*
 * A kernel pointer as a plain number, for an argument of a global function:
 * the verifier refuses a pointer it knows the type of there (without the
 * argument tags of Linux 6.8).  The function reads through it with
 * BPF_CORE_READ and bpf_probe_read_kernel, which check every access.
 */
static __always_inline __u64 ptr_value(const void *p)
{
	__u64 v = 0;

	bpf_probe_read_kernel(&v, sizeof(v), &p);
	return v;
}

/* Is the current syscall a 32-bit compat one (int 0x80, or an i386 binary)? */
static __always_inline bool is_compat(struct task_struct *task)
{
#if defined(__TARGET_ARCH_x86)
	return (BPF_CORE_READ(task, thread_info.status) & TS_COMPAT) != 0;
#else
	return false;
#endif
}

/* The six syscall arguments; compat calls pass them in other registers. */
static __always_inline void get_args(struct pt_regs *regs, bool compat, __u64 *a)
{
#if defined(__TARGET_ARCH_x86)
	struct sp_x86_regs r = {};

	bpf_probe_read_kernel(&r, sizeof(r), regs);
	if (compat) {
		a[0] = (__u32)r.bx;
		a[1] = (__u32)r.cx;
		a[2] = (__u32)r.dx;
		a[3] = (__u32)r.si;
		a[4] = (__u32)r.di;
		a[5] = (__u32)r.bp;
		return;
	}
	a[0] = r.di;
	a[1] = r.si;
	a[2] = r.dx;
	a[3] = r.r10;
	a[4] = r.r8;
	a[5] = r.r9;
#else
	a[0] = PT_REGS_PARM1_CORE_SYSCALL(regs);
	a[1] = PT_REGS_PARM2_CORE_SYSCALL(regs);
	a[2] = PT_REGS_PARM3_CORE_SYSCALL(regs);
	a[3] = PT_REGS_PARM4_CORE_SYSCALL(regs);
	a[4] = PT_REGS_PARM5_CORE_SYSCALL(regs);
#if defined(__TARGET_ARCH_arm64)
	a[5] = BPF_CORE_READ(regs, regs[5]);
#else
	a[5] = 0;
#endif
#endif
}

/* ---------------------------------------------------------------- files */

/* The open file of fd in the current task, or NULL. */
static __always_inline struct file *fd_file(struct task_struct *task, long fd)
{
	struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
	struct file **fda, *f = NULL;
	unsigned int max = BPF_CORE_READ(fdt, max_fds);

	if (fd < 0 || fd >= max)
		return NULL;
	fda = BPF_CORE_READ(fdt, fd);
	if (bpf_probe_read_kernel(&f, sizeof(f), &fda[fd]))
		return NULL;
	return f;
}

static __always_inline bool file_is_socket(struct file *f)
{
	return (BPF_CORE_READ(f, f_inode, i_mode) & S_IFMT) == S_IFSOCK;
}

static __always_inline struct sock *file_sock(struct file *f)
{
	struct socket *so;

	if (!f || !file_is_socket(f))
		return NULL;
	so = BPF_CORE_READ(f, private_data);
	return BPF_CORE_READ(so, sk);
}

static __always_inline bool file_is_memfd(struct file *f)
{
	const unsigned char *name = BPF_CORE_READ(f, f_path.dentry, d_name.name);
	char b[6] = {};

	bpf_probe_read_kernel(b, sizeof(b), name);
	return b[0] == 'm' && b[1] == 'e' && b[2] == 'm' && b[3] == 'f' && b[4] == 'd' && b[5] == ':';
}

static __always_inline void file_id(struct file *f, struct sp_file_id *id)
{
	id->ino = BPF_CORE_READ(f, f_inode, i_ino);
	id->dev = BPF_CORE_READ(f, f_inode, i_sb, s_dev);
	id->pad = 0;
}

/* What a path walk learnt besides the string. */
struct walk_info {
	__u32 start;            /* offset of the string in scratch pbuf */
	__u32 len;              /* its length, without the NUL */
	__u32 bucket;           /* enum sp_bucket */
	bool hidden;
	bool trunc;             /* components were left out (the head) */
	bool complete;          /* the walk reached the root */
	__u64 below_mnt;        /* first 8 bytes of the name just below the file's mount root */
	__u32 below_mnt_len;
};

#define PB(i) ((i) & (SP_PATH_MAX - 1))
#define NAME8(s) ((__u64)(s)[0] | (__u64)(s)[1] << 8 | (__u64)(s)[2] << 16 | (__u64)(s)[3] << 24 | \
		  (__u64)(s)[4] << 32 | (__u64)(s)[5] << 40 | (__u64)(s)[6] << 48 | (__u64)(s)[7] << 56)

static __always_inline __u64 name8(const char *s, __u32 len)
{
	__u64 v = 0;

	bpf_probe_read_kernel(&v, len < 8 ? (len & 7) : 8, s);
	return v;
}

/* The DySec bucket of a path from its first two components. */
static __always_inline __u32 bucket_of(__u64 top, __u32 top_len, __u64 second, __u32 second_len)
{
	if (top_len == 3) {
		if (top == ('t' | 'm' << 8 | 'p' << 16))
			return SP_BK_TMP;
		if (top == ('u' | 's' << 8 | 'r' << 16))
			return SP_BK_USR;
		if (top == ('s' | 'y' << 8 | 's' << 16))
			return SP_BK_SYS;
		if (top == ('e' | 't' << 8 | 'c' << 16))
			return SP_BK_ETC;
		if (top == ('v' | 'a' << 8 | 'r' << 16) && second_len == 3 &&
		    second == ('t' | 'm' << 8 | 'p' << 16))
			return SP_BK_TMP;
		if (top == ('d' | 'e' << 8 | 'v' << 16) && second_len == 3 &&
		    second == ('s' | 'h' << 8 | 'm' << 16))
			return SP_BK_TMP;
	} else if (top_len == 4) {
		if (top == ('h' | 'o' << 8 | 'm' << 16 | 'e' << 24))
			return SP_BK_HOME;
		if (top == ('r' | 'o' << 8 | 'o' << 16 | 't' << 24))
			return SP_BK_ROOT;
	}
	return SP_BK_OTHER;
}

/* One step of a path walk: one dentry, or a move up to the parent mount. */
static long walk_step(__u32 i, void *data)
{
	struct sp_scratch *sc = get_scratch();
	struct walk_state *w;
	struct dentry *d, *parent;
	struct mount *mnt;
	const unsigned char *name;
	__u32 len, pos;

	if (!sc)
		return 1;
	w = &sc->ws;
	d = (struct dentry *)w->d;
	mnt = (struct mount *)w->mnt;
	parent = BPF_CORE_READ(d, d_parent);
	if (d == BPF_CORE_READ(mnt, mnt.mnt_root)) {
		struct mount *up = BPF_CORE_READ(mnt, mnt_parent);

		if (!w->crossed) {
			w->crossed = 1;
			w->below_mnt = w->top;
			w->below_mnt_len = w->top_len;
		}
		if (up == mnt) {
			w->complete = 1;
			return 1;
		}
		w->d = (__u64)BPF_CORE_READ(mnt, mnt_mountpoint);
		w->mnt = (__u64)up;
		return 0;
	}
	/* A dentry that is its own parent is on no mount (memfd, pipe): the end. */
	if (d == parent)
		w->complete = 1;
	name = BPF_CORE_READ(d, d_name.name);
	len = BPF_CORE_READ(d, d_name.len);
	w->second = w->top;
	w->second_len = w->top_len;
	w->top = name8((const char *)name, len);
	w->top_len = len;
	if ((w->top & 0xff) == '.')
		w->hidden = 1;
	if (!w->trunc) {
		pos = w->pos;
		if (len >= SP_PATH_MAX || len + 1 > pos) {
			w->trunc = 1;
		} else {
			pos -= len;
			bpf_probe_read_kernel(&sc->pbuf[PB(pos)], len & (SP_PATH_MAX - 1), name);
			pos -= 1;
			sc->pbuf[PB(pos)] = '/';
			w->pos = pos;
		}
	}
	w->d = (__u64)parent;
	/* The verifier wants 0 or 1 and does not know a bool is. */
	len = w->complete;
	barrier_var(len);
	return len & 1;
}

/*
 * Resolve a dentry on a mount to an absolute path, as the kernel sees it
 * (relative paths, symlinks and directory fds already resolved), into the
 * scratch buffer, walking at most SP_PATH_DEPTH components.  When the path
 * does not fit, its tail is kept and wi->trunc is set; the bucket is still
 * worked out from the top of the walk.  Returns 0 or -1 (no scratch).
 *
 * Global functions (this one and the handlers) are verified once, not at
 * every call site: that keeps the load time of the sensor short.  Kernel
 * pointers are passed as integers for that reason.
 */
__noinline int walk_path(__u64 dentry, __u64 vmnt, struct walk_info *wi)
{
	struct sp_scratch *sc = get_scratch();
	struct walk_state *w;
	__u32 pos;

	if (!wi)
		return -1;
	wi->hidden = wi->trunc = wi->complete = false;
	wi->below_mnt = 0;
	wi->below_mnt_len = 0;
	if (!sc)
		return -1;
	w = &sc->ws;
	__builtin_memset(w, 0, sizeof(*w));
	w->d = dentry;
	w->mnt = (__u64)container_of((struct vfsmount *)vmnt, struct mount, mnt);
	w->pos = SP_PATH_MAX - 1;
	sc->pbuf[SP_PATH_MAX - 1] = '\0';
	bpf_loop(SP_PATH_DEPTH, walk_step, NULL, 0);
	pos = w->pos < SP_PATH_MAX ? w->pos : SP_PATH_MAX - 1;
	wi->complete = w->complete;
	wi->hidden = w->hidden;
	wi->trunc = w->trunc || !w->complete;
	if (pos == SP_PATH_MAX - 1) {
		pos -= 1;
		sc->pbuf[PB(pos)] = '/';
	}
	wi->start = pos;
	wi->len = SP_PATH_MAX - 1 - pos;
	wi->bucket = w->complete ? bucket_of(w->top, w->top_len, w->second, w->second_len) : SP_BK_OTHER;
	if (w->crossed) {
		wi->below_mnt = w->below_mnt;
		wi->below_mnt_len = w->below_mnt_len;
	} else {
		wi->below_mnt = w->top;
		wi->below_mnt_len = w->top_len;
	}
	return 0;
}

/*
 * Copy the walked path into dst (SP_PATH_MAX bytes).  The copy has a
 * constant size so that the verifier can check it; what follows the NUL is
 * junk.
 */
static __always_inline void walk_copy(char *dst, const struct walk_info *wi)
{
	struct sp_scratch *sc = get_scratch();

	if (!sc) {
		dst[0] = '\0';
		return;
	}
	bpf_probe_read_kernel(dst, SP_PATH_MAX, &sc->pbuf[PB(wi->start)]);
	dst[SP_PATH_MAX - 1] = '\0';
}

/*
 * Parse up to 8 decimal digits (a pid directory name); 0 if not a number.
 * A global function: to its callers the result is any number, so its
 * branches do not multiply theirs in the verifier.
 */
__noinline __u32 parse_pid8(__u64 name, __u32 len)
{
	__u32 v = 0, i;

	if (len == 0 || len > 8)
		return 0;
	for (i = 0; i < 8; i++) {
		__u8 c = (name >> (i * 8)) & 0xff;

		if (i >= len)
			break;
		if (c < '0' || c > '9')
			return 0;
		v = v * 10 + (c - '0');
	}
	return v;
}

#define UP_DIR 1        /* user_path_at(): a directory was prepended */
#define UP_TRUNC 2      /* ... the result did not fit (its head is kept) */

/*
 * A user path of the current task as the kernel will resolve it: an
 * absolute path is copied as is; a relative one is appended to the
 * resolved directory of dfd (or of the working directory for AT_FDCWD).
 * The result is left in the scratch buffer at out->start.  Returns UP_*
 * flags, or -1 when there is nothing.
 */
__noinline int user_path_scratch(long dfd, __u64 upath_addr, struct walk_info *out)
{
	const char *upath = (const char *)upath_addr;
	struct task_struct *task = current_task();
	struct sp_scratch *sc = get_scratch();
	struct walk_info wi = {};
	struct dentry *d;
	struct vfsmount *m;
	__u32 start;
	char first = 0;
	long n;
	int r = 0;

	if (!out || !sc)
		return -1;
	out->start = 0;
	sc->pbuf[0] = '\0';
	if (!upath || bpf_probe_read_user(&first, 1, upath))
		return 0;
	if (first == '/')
		goto plain;
	if (dfd == AT_FDCWD) {
		d = BPF_CORE_READ(task, fs, pwd.dentry);
		m = BPF_CORE_READ(task, fs, pwd.mnt);
	} else {
		struct file *f = fd_file(task, dfd);

		if (!f)
			goto plain;
		d = BPF_CORE_READ(f, f_path.dentry);
		m = BPF_CORE_READ(f, f_path.mnt);
	}
	if (walk_path((__u64)d, (__u64)m, &wi) < 0)
		goto plain;
	/* The directory ends at SP_PATH_MAX - 2; the name goes after a '/'. */
	start = wi.len == 1 ? SP_PATH_MAX - 1 : wi.start;
	sc->pbuf[SP_PATH_MAX - 1] = '/';
	n = bpf_probe_read_user_str(&sc->pbuf[SP_PATH_MAX], SP_PATH_MAX, upath);
	if (n <= 0) {
		sc->pbuf[SP_PATH_MAX] = '\0';
		n = 1;
	}
	if (wi.trunc || n == SP_PATH_MAX || (SP_PATH_MAX - start) + n - 1 > SP_PATH_MAX - 1)
		r |= UP_TRUNC;
	out->start = start;
	return r | UP_DIR;
plain:
	n = bpf_probe_read_user_str(sc->pbuf, SP_PATH_MAX, upath);
	return n == SP_PATH_MAX ? UP_TRUNC : 0;
}

/* user_path_scratch() into dst (SP_PATH_MAX bytes). */
static __always_inline int user_path_at(long dfd, const char *upath, char *dst)
{
	struct walk_info wi = {};
	int r = user_path_scratch(dfd, (__u64)upath, &wi);

	if (r < 0) {
		dst[0] = '\0';
		return 0;
	}
	walk_copy(dst, &wi);
	return r;
}

#endif
