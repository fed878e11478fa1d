/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Syscalls: one program per direction.  Entry looks the caller up in the
 * tracked set first (the only cost for the rest of the system), signals
 * it to die if the session is doomed (the call still runs and is recorded
 * as usual), counts the call by category and 3-gram, and
 * dispatches the few calls that matter on their native number (compat
 * calls are translated).  Exit finishes what entry left pending: results,
 * resolved files, new fds.
 */
#ifndef SAFEPIP_SP_SYS_BPF_H
#define SAFEPIP_SP_SYS_BPF_H

#define PROT_EXEC 0x4
#define MAP_ANONYMOUS 0x20
#define PTRACE_TRACEME 0
#define PIDTYPE_PGID 2
#define SIGCHLD 17
#define PR_SET_NAME 15

/* The ten patterns: tokens a, b, c in order (see enum sp_ngram). */
static const __u8 pat_a[SP_NG_MAX] = {
	SP_TOK_NEWFSTATAT, SP_TOK_READ, SP_TOK_WRITE, SP_TOK_SOCKET, SP_TOK_FORK,
	SP_TOK_MMAP, SP_TOK_DUP, SP_TOK_PIPE, SP_TOK_FCNTL, SP_TOK_OPEN,
};
static const __u8 pat_b[SP_NG_MAX] = {
	SP_TOK_OPEN, SP_TOK_PREAD, SP_TOK_PWRITE, SP_TOK_BIND, SP_TOK_EXECVE,
	SP_TOK_MPROTECT, SP_TOK_DUP2, SP_TOK_WRITE, SP_TOK_FCNTL, SP_TOK_READ,
};
static const __u8 pat_c[SP_NG_MAX] = {
	SP_TOK_FSTAT, SP_TOK_LSEEK, SP_TOK_FSYNC, SP_TOK_LISTEN, SP_TOK_WAIT4,
	SP_TOK_MUNMAP, SP_TOK_CLOSE, SP_TOK_READ, SP_TOK_CLOSE, SP_TOK_NONE,
};

/*
 * Current glibc implements fstat() as newfstatat(fd, "", AT_EMPTY_PATH): a
 * newfstatat completes "newfstatat-openat-fstat" as the fstat it stands for.
 */
static __always_inline void ngram_step(struct sp_proc *p, struct sp_thread *t, __u8 tok)
{
	__u8 alt = tok == SP_TOK_NEWFSTATAT ? SP_TOK_FSTAT : tok;
	int i;

	if (tok != SP_TOK_NONE) {
		for (i = 0; i < SP_NG_MAX; i++)
			if ((pat_c[i] == tok || pat_c[i] == alt) && pat_b[i] == t->tok[2] &&
			    pat_a[i] == t->tok[1])
				__sync_fetch_and_add(&p->st.ngram[i], 1);
	}
	t->tok[0] = t->tok[1];
	t->tok[1] = t->tok[2];
	t->tok[2] = tok;
}

/* --------------------------------------------------- process targets */

static __always_inline __u32 pid_nr0(struct pid *pid)
{
	struct upid up = {};

	bpf_probe_read_kernel(&up, sizeof(up), &pid->numbers[0]);
	return up.nr;
}

/* The process a pidfd (pidfs) or a /proc/<pid> directory fd refers to. */
static __always_inline __u32 pidfd_target(struct task_struct *task, long fd)
{
	struct file *f = fd_file(task, fd);
	unsigned long magic;
	const unsigned char *name;
	__u32 len;

	if (!f)
		return 0;
	magic = BPF_CORE_READ(f, f_inode, i_sb, s_magic);
	if (magic == PIDFS_MAGIC)
		return pid_nr0((struct pid *)BPF_CORE_READ(f, private_data));
	if (magic != PROC_SUPER_MAGIC)
		return 0;
	name = BPF_CORE_READ(f, f_path.dentry, d_name.name);
	len = BPF_CORE_READ(f, f_path.dentry, d_name.len);
	return parse_pid8(name8((const char *)name, len), len);
}

/*
 * Whom a kill, ptrace or process_vm call aims at.  In the session's PID
 * namespace a process can only name processes of the tree (the supervisor
 * has no pid there), so only the supervisor's own namespace needs
 * resolving.  Aiming at the supervisor is a deny: the call itself cannot
 * be stopped from here, which is why the tree runs in its own PID
 * namespace where that is allowed.
 */
__noinline int target_enter(struct sp_thread *t, long nr)
{
	struct task_struct *task = current_task();
	bool in_ns = in_child_pidns(task), attack = true;
	__u32 fl = in_ns ? SP_SF_IN_PIDNS : 0, target = 0;
	long pid;

	if (!t)
		return 0;
	pid = (int)t->args[0];

	if (nr == __NR_ptrace) {
		if (t->args[0] == PTRACE_TRACEME)
			goto out;
		pid = (int)t->args[1];
	} else if (nr == __NR_pidfd_send_signal || nr == __NR_pidfd_getfd) {
		target = pidfd_target(task, pid);
		if (!target)
			goto out;
		fl |= SP_SF_TARGET_KNOWN;
		goto judge;
	} else if (nr == __NR_kill && pid <= 0) {
		if (pid == -1) {
			/* In the namespace that is the tree; outside, everything. */
			fl |= SP_SF_TARGET_ALL;
			fl |= in_ns ? SP_SF_TARGET_TRACKED : SP_SF_TARGET_SUPERVISOR;
		} else {
			__u32 pg = pid == 0 ? BPF_CORE_READ(task, signal, pids[PIDTYPE_PGID], numbers[0].nr) :
				   (__u32)-pid;

			fl |= SP_SF_TARGET_GROUP;
			if (in_ns)
				fl |= SP_SF_TARGET_TRACKED;
			else if (pg == cfg_supervisor_pgid && cfg_supervisor_pgid)
				fl |= SP_SF_TARGET_SUPERVISOR;
			else if (bpf_map_lookup_elem(&tracked, &pg))
				fl |= SP_SF_TARGET_TRACKED;
			target = pg;
		}
		goto decide;
	}
	if (pid <= 0)
		goto out;
	if (in_ns) {
		/*
		 * A pid of the tree's own namespace: only the tree lives there, and
		 * what does not exist there (ESRCH) was aimed outside.
		 */
		goto out;
	}
	target = pid;
	fl |= SP_SF_TARGET_KNOWN;
judge:
	if (target == cfg_supervisor && cfg_supervisor)
		fl |= SP_SF_TARGET_SUPERVISOR;
	else if (bpf_map_lookup_elem(&tracked, &target))
		fl |= SP_SF_TARGET_TRACKED;
decide:
	/* Signal 0 only probes; opening a pidfd is not yet an attack. */
	if ((nr == __NR_kill || nr == __NR_tkill) && t->args[1] == 0)
		attack = false;
	if (nr == __NR_tgkill && t->args[2] == 0)
		attack = false;
	if (nr == __NR_pidfd_open)
		attack = false;
	if ((fl & SP_SF_TARGET_SUPERVISOR) && attack) {
		note_deny(SP_DENY_SUPERVISOR, BPF_CORE_READ(task, tgid), 0, target);
		if (cfg_enforce) {
			doom();
			bpf_send_signal(SIGKILL);
		}
	}
out:
	t->sflags |= fl;
	t->target = target;
	return 0;
}

/* ------------------------------------------------- code and privilege */

struct vma_ctx {
	bool anon, memfd;
};

static long vma_cb(struct task_struct *task, struct vm_area_struct *vma, void *data)
{
	struct vma_ctx *c = data;
	struct file *f = BPF_CORE_READ(vma, vm_file);

	c->anon = f == NULL;
	c->memfd = f && file_is_memfd(f);
	return 0;
}

/* A string argument worth keeping, by syscall. */
static __always_inline const void *str_arg(long nr, const __u64 *a)
{
	switch (nr) {
	case __NR_memfd_create:
	case __NR_umount2:
	case __NR_chroot:
	case __NR_pivot_root:
	case __NR_fsopen:
		return (const void *)a[0];
	case __NR_mount:
	case __NR_finit_module:
	case __NR_open_tree:
		return (const void *)a[1];
	case __NR_init_module:
		return (const void *)a[2];
	case __NR_move_mount:
		return (const void *)a[3];
	case __NR_prctl:
		return a[0] == PR_SET_NAME ? (const void *)a[1] : NULL;
	}
	return NULL;
}

__noinline int sys_record(struct sp_proc *p, struct sp_thread *t, long nr, long ret)
{
	struct task_struct *task = current_task();
	const void *s;
	struct sp_event *e;
	int i;

	if (!p || !t)
		return 0;
	if (nr == __NR_mprotect) {
		struct vma_ctx c = {};

		if (ret != 0)
			return 0;
		bpf_find_vma(task, t->args[0], vma_cb, &c, 0);
		if (!c.anon && !c.memfd)
			return 0;
		t->sflags |= c.anon ? SP_SF_ANON : SP_SF_MEMFD;
	}
	if (nr == __NR_io_uring_setup && ret >= 0)
		__sync_fetch_and_or(&p->flags, SP_PF_URING);
	if (nr == __NR_memfd_create && ret >= 0) {
		struct file *f = fd_file(task, ret);
		struct sp_file_id id = {};
		__u32 one = 1;

		if (f) {
			file_id(f, &id);
			bpf_map_update_elem(&written, &id, &one, BPF_ANY);
		}
	}
	e = EV_NEW(SP_EV_SYSCALL, SP_EVSZ_SYSCALL, p);
	if (!e)
		return 0;
	e->sys.nr = nr;
	e->sys.cnr = t->compat ? t->cnr : nr;
	for (i = 0; i < 6; i++)
		e->sys.args[i] = t->args[i];
	e->sys.ret = ret;
	e->sys.sflags = t->sflags;
	e->sys.target_tgid = t->target;
	e->sys.str[0] = '\0';
	s = str_arg(nr, t->args);
	if (s && bpf_probe_read_user_str(e->sys.str, sizeof(e->sys.str), s) == sizeof(e->sys.str))
		e->h.flags |= SP_EF_TRUNC;
	if (t->sflags & SP_SF_TARGET_SUPERVISOR)
		e->h.flags |= SP_EF_DENIED;
	if (t->compat)
		e->h.flags |= SP_EF_COMPAT;
	ev_submit(e);
	return 0;
}

/* The first compat syscall of a process is worth a record of its own. */
__noinline int compat_first(struct sp_proc *p, long cnr, long nr)
{
	struct sp_event *e;

	if (!p || (p->flags & SP_PF_COMPAT))
		return 0;
	__sync_fetch_and_or(&p->flags, SP_PF_COMPAT);
	e = EV_NEW(SP_EV_SYSCALL, SP_EVSZ_SYSCALL, p);
	if (!e)
		return 0;
	e->sys.nr = nr;
	e->sys.cnr = cnr;
	__builtin_memset(e->sys.args, 0, sizeof(e->sys.args));
	e->sys.ret = 0;
	e->sys.sflags = SP_SF_FIRST_COMPAT;
	e->sys.target_tgid = 0;
	e->sys.str[0] = '\0';
	e->h.flags |= SP_EF_COMPAT;
	ev_submit(e);
	return 0;
}

/* ------------------------------------------------------------ entry */

/* i386 socketcall(call, args): the call as the native syscall it stands for. */
static __always_inline long socketcall_native(struct sp_thread *t)
{
	__u32 a[6] = {};
	long nr;
	int i;

	switch (t->args[0]) {
	case 1: nr = __NR_socket; break;
	case 2: nr = __NR_bind; break;
	case 3: nr = __NR_connect; break;
	case 4: nr = __NR_listen; break;
	case 5: nr = __NR_accept; break;
	case 11: nr = __NR_sendto; break;
	case 16: nr = __NR_sendmsg; break;
	case 18: nr = __NR_accept4; break;
	default: return -1;
	}
	if (bpf_probe_read_user(a, sizeof(a), (void *)t->args[1]))
		return -1;
	for (i = 0; i < 6; i++)
		t->args[i] = a[i];
	return nr;
}

/* compat sendmsg: 32-bit msghdr and iovec */
__noinline int sendmsg_enter_compat(struct sp_proc *p, long fd, __u64 umsg)
{
	__u32 m[7] = {}, iov[2] = {};
	struct send_args sa = { .fd = fd, .compat = true };

	if (!p || bpf_probe_read_user(m, sizeof(m), (const void *)umsg))
		return 0;
	if (m[3] > 0)
		bpf_probe_read_user(iov, sizeof(iov), (void *)(unsigned long)m[2]);
	sa.uaddr = (void *)(unsigned long)m[0];
	sa.alen = m[1];
	sa.buf = (void *)(unsigned long)iov[0];
	sa.len = iov[1];
	return send_enter(p, &sa);
}

/* Returns true when the call stays pending for the exit handler. */
static __noinline bool dispatch_enter(struct sp_proc *p, struct sp_thread *t, long nr,
				      struct task_struct *task)
{
	__u32 tgid = BPF_CORE_READ(task, tgid);
	__u64 *a = t->args;

	switch (nr) {
#ifdef __NR_open
	case __NR_open:
#endif
#ifdef __NR_creat
	case __NR_creat:
#endif
	case __NR_openat:
	case __NR_openat2:
		open_enter(nr, t);
		return true;
	case __NR_connect:
		connect_enter(p, t, tgid);
		return true;
	case __NR_bind:
		read_sockaddr((const void *)a[1], a[2], &t->family, &t->port, t->addr, NULL);
		return true;
	case __NR_socket:
	case __NR_listen:
	case __NR_accept:
	case __NR_accept4:
		return true;
	case __NR_sendto: {
		struct send_args sa = {
			.fd = (int)a[0], .uaddr = (const void *)a[4], .alen = a[5],
			.buf = (const void *)a[1], .len = a[2], .compat = t->compat,
		};

		send_enter(p, &sa);
		return false;
	}
	case __NR_sendmsg:
	case __NR_sendmmsg:
		/* A struct mmsghdr starts with its struct msghdr. */
		if (t->compat)
			sendmsg_enter_compat(p, (int)a[0], a[1]);
		else
			sendmsg_enter(p, (int)a[0], a[1]);
		return false;
	case __NR_clone:
		t->fork_flags = a[0];
		return false;
	case __NR_clone3: {
		__u64 fl = 0;

		bpf_probe_read_user(&fl, sizeof(fl), (void *)a[0]);
		t->fork_flags = fl;
		return false;
	}
#ifdef __NR_fork
	case __NR_fork:
		t->fork_flags = SIGCHLD;
		return false;
#endif
#ifdef __NR_vfork
	case __NR_vfork:
		t->fork_flags = CLONE_VM | CLONE_VFORK | SIGCHLD;
		return false;
#endif
	case __NR_execveat:
		return true;
	case __NR_kill:
	case __NR_tkill:
	case __NR_tgkill:
	case __NR_rt_sigqueueinfo:
	case __NR_rt_tgsigqueueinfo:
	case __NR_pidfd_send_signal:
	case __NR_pidfd_open:
	case __NR_pidfd_getfd:
	case __NR_ptrace:
	case __NR_process_vm_readv:
	case __NR_process_vm_writev:
		target_enter(t, nr);
		return true;
	case __NR_mmap:
		if (!(a[2] & PROT_EXEC))
			return false;
		if (a[3] & MAP_ANONYMOUS) {
			t->sflags |= SP_SF_ANON;
			return true;
		}
		if (file_is_memfd(fd_file(task, (int)a[4]))) {
			t->sflags |= SP_SF_MEMFD;
			return true;
		}
		return false;
	case __NR_mprotect:
		return (a[2] & PROT_EXEC) != 0;
	default:
		return false;
	}
}

/* Calls reported at exit with their result (and no other handling). */
static __always_inline bool is_notable(long nr)
{
	switch (nr) {
	case __NR_setsid:
	case __NR_prctl:
	case __NR_setuid:
	case __NR_setgid:
	case __NR_setreuid:
	case __NR_setregid:
	case __NR_setresuid:
	case __NR_setresgid:
	case __NR_setfsuid:
	case __NR_setfsgid:
	case __NR_setgroups:
	case __NR_capset:
	case __NR_memfd_create:
	case __NR_io_uring_setup:
	case __NR_bpf:
	case __NR_init_module:
	case __NR_finit_module:
	case __NR_delete_module:
	case __NR_mount:
	case __NR_umount2:
	case __NR_unshare:
	case __NR_setns:
	case __NR_pivot_root:
	case __NR_chroot:
	case __NR_fsopen:
	case __NR_fsmount:
	case __NR_move_mount:
	case __NR_open_tree:
	case __NR_personality:
	case __NR_seccomp:
		return true;
	}
	return false;
}

static __always_inline bool is_fileop(long nr)
{
	switch (nr) {
#ifdef __NR_rename
	case __NR_rename:
	case __NR_unlink:
	case __NR_rmdir:
	case __NR_chmod:
	case __NR_link:
	case __NR_symlink:
	case __NR_mkdir:
	case __NR_chown:
	case __NR_lchown:
	case __NR_mknod:
#endif
	case __NR_renameat:
	case __NR_renameat2:
	case __NR_unlinkat:
	case __NR_fchmod:
	case __NR_fchmodat:
	case SP_NR_FCHMODAT2:
	case __NR_linkat:
	case __NR_symlinkat:
	case __NR_truncate:
	case __NR_ftruncate:
	case __NR_mkdirat:
	case __NR_fchown:
	case __NR_fchownat:
	case __NR_mknodat:
		return true;
	}
	return false;
}

/* Calls dispatch_enter() looks at. */
static __always_inline bool is_dispatched(long nr)
{
	switch (nr) {
#ifdef __NR_open
	case __NR_open:
	case __NR_creat:
	case __NR_fork:
	case __NR_vfork:
#endif
	case __NR_openat:
	case __NR_openat2:
	case __NR_connect:
	case __NR_bind:
	case __NR_socket:
	case __NR_listen:
	case __NR_accept:
	case __NR_accept4:
	case __NR_sendto:
	case __NR_sendmsg:
	case __NR_sendmmsg:
	case __NR_clone:
	case __NR_clone3:
	case __NR_execveat:
	case __NR_kill:
	case __NR_tkill:
	case __NR_tgkill:
	case __NR_rt_sigqueueinfo:
	case __NR_rt_tgsigqueueinfo:
	case __NR_pidfd_send_signal:
	case __NR_pidfd_open:
	case __NR_pidfd_getfd:
	case __NR_ptrace:
	case __NR_process_vm_readv:
	case __NR_process_vm_writev:
	case __NR_mmap:
	case __NR_mprotect:
	case SP_NR_SOCKETCALL:
		return true;
	}
	return false;
}

SEC("tp_btf/sys_enter")
int BPF_PROG(sp_sys_enter, struct pt_regs *regs, long id)
{
	struct task_struct *task = current_task();
	struct sp_thread *t = bpf_task_storage_get(&thr, task, 0, 0);
	struct sp_sysclass *c = NULL;
	__u32 tgid, key, cat;
	struct sp_proc *p;
	bool compat, pend;
	long nr = id;

	/*
	 * Every tracked thread has its per-thread state (made with it in the
	 * fork tracepoint): without it the task is not tracked, and the rest
	 * of the system pays this one check.
	 */
	if (!t)
		return 0;
	tgid = bpf_get_current_pid_tgid() >> 32;
	p = bpf_map_lookup_elem(&tracked, &tgid);
	if (!p)
		return 0;
	/*
	 * The signal is taken when the call returns: the call itself still
	 * runs (it may create a file), so it is recorded like any other.
	 */
	if (doomed)
		bpf_send_signal(SIGKILL);
	compat = is_compat(task);
	key = id;
	if (id >= 0 && id < SP_SYSNR_MAX)
		c = bpf_map_lookup_elem(compat ? (void *)&sysclass32 : (void *)&sysclass, &key);
	if (compat) {
		nr = c && c->valid ? c->native : SP_NR_NONE;
		__sync_fetch_and_add(&p->st.compat_sys, 1);
		compat_first(p, id, nr);
	}
	cat = c && c->valid ? c->cat : SP_CAT_OTHER;
	if (cat >= SP_CAT_MAX)
		cat = SP_CAT_OTHER;
	__sync_fetch_and_add(&p->st.sys[cat], 1);
	ngram_step(p, t, c ? c->tok : SP_TOK_NONE);
	t->pending = 0;
	if (!is_dispatched(nr) && !is_notable(nr) && !is_fileop(nr))
		return 0;
	get_args(regs, compat, t->args);
	t->compat = compat;
	t->cnr = id;
	t->sflags = 0;
	t->target = 0;
	t->enter_ns = bpf_ktime_get_ns();
	if (nr == SP_NR_SOCKETCALL) {
		nr = socketcall_native(t);
		if (nr < 0)
			return 0;
	}
	pend = is_notable(nr) || is_fileop(nr);
	if (is_dispatched(nr))
		pend = dispatch_enter(p, t, nr, task);
	if (pend)
		t->pending = nr + 1;
	return 0;
}

/* ------------------------------------------------------------- exit */

static __noinline int dispatch_exit(struct sp_proc *p, struct sp_thread *t, long nr, long ret)
{
	switch (nr) {
#ifdef __NR_open
	case __NR_open:
#endif
#ifdef __NR_creat
	case __NR_creat:
#endif
	case __NR_openat:
	case __NR_openat2:
		return open_exit(p, t, ret);
	case __NR_connect:
		return connect_exit(p, t, ret);
	case __NR_socket:
		return sockop_exit(p, t, SP_NOP_SOCKET, ret);
	case __NR_bind:
		return sockop_exit(p, t, SP_NOP_BIND, ret);
	case __NR_listen:
		return sockop_exit(p, t, SP_NOP_LISTEN, ret);
	case __NR_accept:
	case __NR_accept4:
		return sockop_exit(p, t, SP_NOP_ACCEPT, ret);
	case __NR_execveat:
		return 0;
	}
	if (is_fileop(nr))
		return fileop_exit(p, t, nr, ret);
	return sys_record(p, t, nr, ret);
}

SEC("tp_btf/sys_exit")
int BPF_PROG(sp_sys_exit, struct pt_regs *regs, long ret)
{
	struct task_struct *task = current_task();
	struct sp_thread *t = bpf_task_storage_get(&thr, task, 0, 0);
	struct sp_proc *p;
	__u32 tgid;
	long nr;

	/* Untracked tasks have no per-thread state; most calls have nothing pending. */
	if (!t || (!t->pending && ret != -ENOENT))
		return 0;
	tgid = bpf_get_current_pid_tgid() >> 32;
	p = bpf_map_lookup_elem(&tracked, &tgid);
	if (!p)
		return 0;
	/* open, read, then a call failing with ENOENT */
	if (ret == -ENOENT && t->tok[0] == SP_TOK_OPEN && t->tok[1] == SP_TOK_READ)
		__sync_fetch_and_add(&p->st.ngram[SP_NG_OPEN_READ_ENOENT], 1);
	if (!t->pending)
		return 0;
	nr = (long)t->pending - 1;
	t->pending = 0;
	dispatch_exit(p, t, nr, ret);
	return 0;
}

#endif
