/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Processes: the tracked set is grown in the fork tracepoint (before the
 * child runs), roles are decided at exec, counters are reported and the
 * entry dropped at exit.
 */
#ifndef SAFEPIP_SP_PROC_BPF_H
#define SAFEPIP_SP_PROC_BPF_H

#define CLONE_VM 0x00000100
#define CLONE_VFORK 0x00004000
#define CLONE_NEWNS 0x00020000
#define CLONE_NEWCGROUP 0x02000000
#define CLONE_NEWUTS 0x04000000
#define CLONE_NEWIPC 0x08000000
#define CLONE_NEWUSER 0x10000000
#define CLONE_NEWPID 0x20000000
#define CLONE_NEWNET 0x40000000
#define CLONE_NEW_ANY (CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC | \
		       CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET)

SEC("tp_btf/sched_process_fork")
int BPF_PROG(sp_fork, struct task_struct *parent, struct task_struct *child)
{
	__u32 ptgid = parent->tgid, ctgid = child->tgid;
	struct sp_thread *t;
	struct sp_proc *p, c = {};
	struct sp_event *e;
	__u64 flags = 0;

	p = bpf_map_lookup_elem(&tracked, &ptgid);
	if (!p)
		return 0;
	/* The child's per-thread state marks it tracked at syscall entry. */
	if (!bpf_task_storage_get(&thr, child, 0, BPF_LOCAL_STORAGE_GET_F_CREATE)) {
		__sync_fetch_and_add(&overflow, 1);
		note_deny(SP_DENY_UNTRACKED, ptgid, 0, ctgid);
		doom();
		bpf_send_signal(SIGKILL);
		return 0;
	}
	if (ctgid == ptgid) {
		/* A new thread: the process is already tracked. */
		__sync_fetch_and_add(&p->st.threads, 1);
		return 0;
	}
	c.role = p->role;
	/* The child of the session's PID namespace init is the session root. */
	c.flags = (p->flags & SP_PF_INIT) ? SP_PF_ROOT : (p->flags & SP_PF_ROOT);
	c.start_ns = bpf_ktime_get_ns();
	if (p->flags & SP_PF_INIT)
		c.role = SP_ROLE_PIP;
	if (bpf_map_update_elem(&tracked, &ctgid, &c, BPF_NOEXIST)) {
		/* An untracked child would escape: fail closed. */
		__sync_fetch_and_add(&overflow, 1);
		note_deny(SP_DENY_UNTRACKED, ptgid, 0, ctgid);
		doom();
		bpf_send_signal(SIGKILL);
		return 0;
	}
	__sync_fetch_and_add(&ntracked, 1);
	__sync_fetch_and_add(&p->st.forks, 1);
	if (doomed)
		bpf_send_signal(SIGKILL);

	/* The flags of the fork/clone call that is creating this child. */
	t = bpf_task_storage_get(&thr, parent, 0, 0);
	if (t)
		flags = t->fork_flags;
	e = EV_NEW(SP_EV_FORK, SP_EVSZ_FORK, p);
	if (!e)
		return 0;
	e->fork.child_tgid = ctgid;
	e->fork.fflags = (flags & CLONE_NEW_ANY) ? SP_FF_NEWNS : 0;
	e->fork.clone_flags = flags;
	ev_submit(e);
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
	struct sp_scratch *sc = get_scratch();
	long l0, l1, l2;
	char *b;

	if (!sc)
		return SP_ROLE_BUILD;
	b = sc->argv;
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

/*
 * What kind of file was executed: ELF (dynamic or static, 32 or 64 bit) or
 * a script.  This and the other parts of an exec record that end in flags
 * are global functions: to the caller their result is any number, so their
 * many outcomes do not multiply the paths the verifier walks through
 * sp_exec (the load time).  Kernel pointers are passed as integers.
 */
__noinline __u32 exe_kind(__u64 bprm_addr)
{
	struct linux_binprm *bprm = (struct linux_binprm *)bprm_addr;
	unsigned char hdr[64];
	__u32 flags = 0, off, i, ph, entsz;
	__u16 phnum;

	if (bpf_probe_read_kernel(hdr, sizeof(hdr), bprm->buf))
		return 0;
	if (hdr[0] == '#' && hdr[1] == '!')
		return SP_XF_SCRIPT;
	if (hdr[0] != 0x7f || hdr[1] != 'E' || hdr[2] != 'L' || hdr[3] != 'F')
		return 0;
	if (hdr[4] == 1) {
		/* ELFCLASS32: e_phoff at 28, e_phnum at 44, 32-byte headers */
		flags = SP_XF_ELF | SP_XF_ELF32;
		off = *(__u32 *)&hdr[28];
		phnum = *(__u16 *)&hdr[44];
		entsz = 32;
	} else if (hdr[4] == 2) {
		flags = SP_XF_ELF;
		off = *(__u32 *)&hdr[32];       /* e_phoff, low half */
		phnum = *(__u16 *)&hdr[56];
		entsz = 56;
	} else {
		return 0;
	}
	/* Look for PT_INTERP among the program headers inside bprm->buf. */
	for (i = 0; i < 4; i++) {
		__u32 type;

		if (i >= phnum)
			return flags;
		ph = off + i * entsz;
		if (ph + entsz > sizeof(bprm->buf)) {
			flags |= SP_XF_PHDR_UNSEEN;
			return flags;
		}
		if (bpf_probe_read_kernel(&type, sizeof(type), bprm->buf + (ph & 0xff)))
			return flags | SP_XF_PHDR_UNSEEN;
		if (type == 3)  /* PT_INTERP */
			return flags | SP_XF_INTERP;
	}
	if (phnum > 4)
		flags |= SP_XF_PHDR_UNSEEN;
	return flags;
}

struct env_ctx {
	unsigned long p, end;
	__u32 result;
	bool done;
};

static long env_step(__u32 i, void *data)
{
	struct env_ctx *c = data;
	struct sp_scratch *sc = get_scratch();
	__u32 n, len = cfg_preload_len;
	long r;

	if (!sc)
		return 1;
	if (c->p >= c->end) {
		c->result = 0;
		c->done = true;
		return 1;
	}
	r = bpf_probe_read_user_str(sc->argv, SP_ARGV_MAX, (void *)c->p);
	if (r <= 0)
		return 1;
	n = r;
	c->p += n;
	if (n < 12 || bpf_strncmp(sc->argv, 11, "LD_PRELOAD="))
		return 0;
	c->done = true;
	if (len == 0 || len > SP_PRELOAD_MAX - 1 || n < 12 + len ||
	    bpf_strncmp(&sc->argv[11], len, (const char *)cfg_preload))
		c->result = SP_XF_PRELOAD_OTHER;
	else
		c->result = SP_XF_PRELOAD;
	return 1;
}

#define AT_NULL 0
#define AT_BASE 7
#define AUXV_WORDS 56

/*
 * Is the new program dynamically linked?  The ELF loader has already
 * mapped its interpreter and saved the auxiliary vector: AT_BASE is where
 * the interpreter was loaded, 0 for a static program.  This sees what the
 * program headers in bprm->buf may not (a static binary has more headers
 * than fit there).  Compat programs keep 32-bit words.  Returns 1, 0, or
 * -1 when AT_BASE was not found.
 */
struct auxv_ctx {
	bool elf32;
	int result;
};

static long auxv_step(__u32 i, void *data)
{
	struct auxv_ctx *c = data;
	struct sp_scratch *sc = get_scratch();
	__u64 key, val;
	__u32 j = i & 31;

	if (!sc || j >= AUXV_WORDS / 2)
		return 1;
	if (c->elf32) {
		__u32 *w = (__u32 *)sc->pbuf;

		key = w[2 * j];
		val = w[2 * j + 1];
	} else {
		__u64 *v = (__u64 *)sc->pbuf;

		key = v[2 * j];
		val = v[2 * j + 1];
	}
	if (key == AT_NULL)
		return 1;
	if (key == AT_BASE) {
		c->result = val != 0;
		return 1;
	}
	return 0;
}

static __always_inline int auxv_dynamic(struct task_struct *task, bool elf32)
{
	struct sp_scratch *sc = get_scratch();
	struct mm_struct *mm = BPF_CORE_READ(task, mm);
	struct auxv_ctx c = { .elf32 = elf32, .result = -1 };

	/* The path buffer is free again once the record has its path. */
	if (!sc || bpf_probe_read_kernel(sc->pbuf, AUXV_WORDS * sizeof(__u64), &mm->saved_auxv))
		return -1;
	bpf_loop(AUXV_WORDS / 2, auxv_step, &c, 0);
	return c.result;
}

/*
 * Does the new environment of the current task carry LD_PRELOAD, and does
 * it start with the session's shim?  Scans at most SP_ENV_SCAN strings.
 */
__noinline __u32 env_preload(void)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct env_ctx c = {
		.p = BPF_CORE_READ(task, mm, env_start),
		.end = BPF_CORE_READ(task, mm, env_end),
		.result = SP_XF_ENV_TRUNC,
	};

	bpf_loop(SP_ENV_SCAN, env_step, &c, 0);
	return c.done ? c.result : SP_XF_ENV_TRUNC;
}

/*
 * Where the executed file lives and whether this session wrote it; fills
 * the path of the exec record x and may add SP_EF_TRUNC to *hflags.
 */
__noinline __u32 exe_origin(struct sp_exec *x, __u32 *hflags, __u64 bprm_addr)
{
	struct linux_binprm *bprm = (struct linux_binprm *)bprm_addr;
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct file *f = BPF_CORE_READ(bprm, file);
	struct dentry *dir = BPF_CORE_READ(f, f_path.dentry, d_parent);
	struct sp_file_id id = {};
	struct walk_info wi = {};
	__u32 flags = 0, uid, mode;

	if (!x || !hflags)
		return 0;
	id.ino = x->ino;
	id.dev = x->dev;
	if (bpf_map_lookup_elem(&written, &id))
		flags |= SP_XF_WRITTEN;
	if (file_is_memfd(f)) {
		flags |= SP_XF_MEMFD;
	} else {
		mode = BPF_CORE_READ(dir, d_inode, i_mode);
		if (mode & S_IWOTH)
			flags |= SP_XF_WWDIR;
		uid = BPF_CORE_READ(task, cred, fsuid.val);
		if (uid != 0 && BPF_CORE_READ(dir, d_inode, i_uid.val) == uid)
			flags |= SP_XF_OWNDIR;
	}
	if (BPF_CORE_READ_BITFIELD_PROBED(bprm, secureexec))
		flags |= SP_XF_SETID;
	x->bucket = SP_BK_OTHER;
	if (walk_path((__u64)BPF_CORE_READ(f, f_path.dentry), (__u64)BPF_CORE_READ(f, f_path.mnt), &wi) == 0) {
		walk_copy(x->path, &wi);
		x->bucket = wi.bucket;
		if (wi.trunc)
			*hflags |= SP_EF_TRUNC;
		if (wi.hidden)
			flags |= SP_XF_HIDDEN;
		if (wi.bucket == SP_BK_TMP)
			flags |= SP_XF_TMPDIR;
	} else {
		x->path[0] = '\0';
	}
	return flags;
}

/*
 * DySec's fork-execve-wait4 reads an interleaved trace: a parent's clone,
 * the child's execve, the parent's wait4.  Give the parent's history the
 * child's execve when the parent's last call was the fork.
 */
static __always_inline void ngram_exec_in_parent(struct task_struct *task)
{
	struct task_struct *parent = task->real_parent;
	struct sp_thread *t = bpf_task_storage_get(&thr, parent, 0, 0);

	if (t && t->tok[2] == SP_TOK_FORK) {
		t->tok[0] = t->tok[1];
		t->tok[1] = t->tok[2];
		t->tok[2] = SP_TOK_EXECVE;
	}
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(sp_exec, struct task_struct *task, pid_t old_pid, struct linux_binprm *bprm)
{
	__u32 tgid = task->tgid;
	struct sp_file_id id = {};
	struct sp_thread *t;
	struct sp_proc *p;
	struct sp_event *e;
	unsigned long as, ae, n;
	const char *fname;
	__u64 bprm_addr;
	bool is_interp;
	__u32 len;

	p = bpf_map_lookup_elem(&tracked, &tgid);
	if (!p)
		return 0;
	if (doomed)
		bpf_send_signal(SIGKILL);
	p->gen++;
	ngram_exec_in_parent(task);

	id.ino = BPF_CORE_READ(bprm, file, f_inode, i_ino);
	id.dev = BPF_CORE_READ(bprm, file, f_inode, i_sb, s_dev);
	is_interp = bpf_map_lookup_elem(&interp, &id) != NULL;

	e = EV_NEW(SP_EV_EXEC, SP_EVSZ_EXEC, p);
	if (!e)
		return 0;
	e->exec.ino = id.ino;
	e->exec.dev = id.dev;
	e->exec.old_role = p->role;
	bprm_addr = ptr_value(bprm);
	e->exec.xflags = exe_kind(bprm_addr) | env_preload() |
			 exe_origin(&e->exec, &e->h.flags, bprm_addr);
	if (e->exec.xflags & SP_XF_ELF) {
		int dyn = auxv_dynamic(task, e->exec.xflags & SP_XF_ELF32);

		if (dyn >= 0)
			e->exec.xflags = (e->exec.xflags & ~(SP_XF_INTERP | SP_XF_PHDR_UNSEEN)) |
					 (dyn ? SP_XF_INTERP : 0);
	}
	t = bpf_task_storage_get(&thr, task, 0, 0);
	if (t && t->pending == __NR_execveat + 1)
		e->exec.xflags |= SP_XF_EXECVEAT;
	/* binfmt_script points interp at the interpreter: bprm->file is that now. */
	if (BPF_CORE_READ(bprm, interp) != BPF_CORE_READ(bprm, filename))
		e->exec.xflags |= SP_XF_SCRIPT;
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
	ev_submit(e);
	return 0;
}

/* Add src to dst, counter by counter (dst is shared: atomically). */
static __always_inline void stats_add(struct sp_stats *dst, const struct sp_stats *src)
{
	const __u64 *s = (const __u64 *)src;
	__u64 *d = (__u64 *)dst;
	int i;

	for (i = 0; i < (int)(sizeof(*src) / sizeof(__u64)); i++)
		if (s[i])
			__sync_fetch_and_add(&d[i], s[i]);
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(sp_exit, struct task_struct *task)
{
	__u32 tgid = task->tgid, role;
	struct signal_struct *sig;
	struct sp_stats *rs;
	struct sp_proc *p;
	struct sp_event *e;

	/* Only the last thread of a process ends the process. */
	if (BPF_CORE_READ(task, signal, live.counter) != 0)
		return 0;
	p = bpf_map_lookup_elem(&tracked, &tgid);
	if (!p)
		return 0;
	/* The exiting thread's share is not yet in the signal struct. */
	sig = BPF_CORE_READ(task, signal);
	p->st.cpu_ns = BPF_CORE_READ(sig, sum_sched_runtime) + BPF_CORE_READ(task, se.sum_exec_runtime);
	p->st.rchar = BPF_CORE_READ(sig, ioac.rchar) + BPF_CORE_READ(task, ioac.rchar);
	p->st.wchar = BPF_CORE_READ(sig, ioac.wchar) + BPF_CORE_READ(task, ioac.wchar);
	p->st.read_bytes = BPF_CORE_READ(sig, ioac.read_bytes) + BPF_CORE_READ(task, ioac.read_bytes);
	p->st.write_bytes = BPF_CORE_READ(sig, ioac.write_bytes) +
			    BPF_CORE_READ(task, ioac.write_bytes);
	role = p->role;
	rs = bpf_map_lookup_elem(&role_stats, &role);
	if (rs)
		stats_add(rs, &p->st);
	e = EV_NEW(SP_EV_EXIT, SP_EVSZ_EXIT, p);
	if (e) {
		e->exit.exit_code = BPF_CORE_READ(task, exit_code);
		e->exit.pad = 0;
		__builtin_memcpy(&e->exit.st, &p->st, sizeof(p->st));
		ev_submit(e);
	}
	if (bpf_map_delete_elem(&tracked, &tgid) == 0)
		__sync_fetch_and_sub(&ntracked, 1);
	return 0;
}

#endif
