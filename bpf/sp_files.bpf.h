/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Files: opens are reported at syscall exit with the file the kernel
 * actually opened (its path walked from the dentry, so relative paths,
 * symlinks and directory fds do not hide anything); repeated opens of one
 * file by one program are reported once and counted always.  Renames,
 * unlinks, chmods, links, truncates and mkdirs are reported at exit with
 * their result, relative paths completed with the resolved directory.
 */
#ifndef SAFEPIP_SP_FILES_BPF_H
#define SAFEPIP_SP_FILES_BPF_H

#define AT_REMOVEDIR 0x200
/* FMODE_CREATED: open() created the file (include/linux/fs.h, since Linux 4.19) */
#define SP_FMODE_CREATED (1u << 20)

struct sp_open_key {
	__u32 tgid;
	__u32 gen;
	__u32 dev;
	__u32 write;
	__u64 ino;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, SP_SEEN_MAX);
	__type(key, struct sp_open_key);
	__type(value, __u32);
} seen_open SEC(".maps");

/* At entry: the open variants in one shape, args[0..3] = dfd, path, flags, mode. */
static __always_inline void open_enter(long nr, struct sp_thread *t)
{
	struct sp_open_how how = {};

	switch (nr) {
#ifdef __NR_open
	case __NR_open:
		t->args[3] = t->args[2];
		t->args[2] = t->args[1];
		t->args[1] = t->args[0];
		t->args[0] = (__u64)(long)AT_FDCWD;
		break;
#endif
#ifdef __NR_creat
	case __NR_creat:
		t->args[3] = t->args[1];
		t->args[2] = O_WRONLY | O_CREAT | O_TRUNC;
		t->args[1] = t->args[0];
		t->args[0] = (__u64)(long)AT_FDCWD;
		break;
#endif
	case __NR_openat2:
		bpf_probe_read_user(&how, sizeof(how), (void *)t->args[2]);
		t->args[2] = how.flags;
		t->args[3] = how.mode;
		break;
	default:        /* openat */
		break;
	}
	t->args[0] = (__u64)(long)(int)t->args[0];
}

/* The pid of a /proc/<pid>/... file (the host's procfs), else 0. */
static __always_inline __u32 proc_pid_of(struct file *f, const struct walk_info *wi)
{
	if (BPF_CORE_READ(f, f_inode, i_sb, s_magic) != PROC_SUPER_MAGIC)
		return 0;
	return parse_pid8(wi->below_mnt, wi->below_mnt_len);
}

/*
 * A /proc/<supervisor>/ file opened from the tree for writing, or its mem
 * at all: the caller dies before it returns to user space, so the fd is
 * never used.  (Reading its status or cmdline, as ps does, is no attack.)
 */
static __always_inline void deny_supervisor_proc(struct sp_event *e, __u32 tgid)
{
	e->h.flags |= SP_EF_DENIED;
	note_deny(SP_DENY_SUPERVISOR, tgid, 0, cfg_supervisor);
	if (cfg_enforce) {
		doom();
		bpf_send_signal(SIGKILL);
	}
}

static __always_inline void count_open(struct sp_proc *p, const struct walk_info *wi, bool write)
{
	__u32 b = wi->bucket < SP_BK_MAX ? wi->bucket : SP_BK_OTHER;

	__sync_fetch_and_add(&p->st.opens[b & (SP_BK_MAX - 1)], 1);
	if (wi->hidden)
		__sync_fetch_and_add(&p->st.opens[SP_BK_HIDDEN], 1);
	if (write)
		__sync_fetch_and_add(&p->st.opens_write, 1);
	else
		__sync_fetch_and_add(&p->st.opens_read, 1);
}

__noinline int open_exit(struct sp_proc *p, struct sp_thread *t, long ret)
{
	struct task_struct *task = current_task();
	__u32 flags, tgid = BPF_CORE_READ(task, tgid);
	struct sp_open_key k = {};
	struct walk_info wi = {};
	struct sp_file_id id = {};
	struct sp_event *e;
	struct file *f = NULL;
	__u32 one = 1, ppid = 0;
	bool write, created = false;

	if (!p || !t)
		return 0;
	flags = t->args[2];
	write = flags & (O_WRONLY | O_RDWR | O_CREAT | O_TRUNC);
	if (ret >= 0) {
		f = fd_file(task, ret);
		if (!f || walk_path((__u64)BPF_CORE_READ(f, f_path.dentry), (__u64)BPF_CORE_READ(f, f_path.mnt), &wi))
			return 0;
		file_id(f, &id);
		created = BPF_CORE_READ(f, f_mode) & SP_FMODE_CREATED;
		count_open(p, &wi, write);
		if (write)
			bpf_map_update_elem(&written, &id, &one, BPF_ANY);
		ppid = proc_pid_of(f, &wi);
		if ((ppid != cfg_supervisor || !cfg_supervisor) && !created) {
			/*
			 * Report each file once per program and access kind; every
			 * creation (a stopped install's new files are removed).
			 */
			k.tgid = tgid;
			k.gen = p->gen;
			k.dev = id.dev;
			k.write = write;
			k.ino = id.ino;
			if (bpf_map_update_elem(&seen_open, &k, &one, BPF_NOEXIST))
				return 0;
		}
	} else if (!write) {
		return 0;       /* a failed read: counted in the patterns only */
	}
	e = EV_NEW(SP_EV_OPEN, SP_EVSZ_OPEN, p);
	if (!e)
		return 0;
	/* the call's entry: an in-process report of it comes before that */
	if (t->enter_ns)
		e->h.ts_ns = t->enter_ns;
	e->open.dfd = t->args[0];
	e->open.flags = flags;
	e->open.mode = t->args[3];
	e->open.ret = ret;
	e->open.ino = id.ino;
	e->open.dev = id.dev;
	e->open.proc_pid = ppid;
	e->open.oflags = (write ? SP_OF_WRITE : 0) | (created ? SP_OF_CREATED : 0);
	if (t->compat)
		e->h.flags |= SP_EF_COMPAT;
	if (f) {
		walk_copy(e->open.path, &wi);
		e->open.bucket = wi.bucket;
		e->open.oflags |= SP_OF_RESOLVED;
		if (wi.hidden)
			e->open.oflags |= SP_OF_HIDDEN;
		if (wi.trunc)
			e->h.flags |= SP_EF_TRUNC;
		if (file_is_memfd(f))
			e->open.oflags |= SP_OF_MEMFD;
		if (ppid && ppid != tgid)
			e->open.oflags |= SP_OF_PROC_PID;
		if (ppid && ppid == cfg_supervisor) {
			const unsigned char *leaf = BPF_CORE_READ(f, f_path.dentry, d_name.name);
			char n[4] = {};

			bpf_probe_read_kernel(n, sizeof(n), leaf);
			e->open.oflags |= SP_OF_SUPERVISOR;
			if (write || (n[0] == 'm' && n[1] == 'e' && n[2] == 'm' && n[3] == '\0'))
				deny_supervisor_proc(e, tgid);
		}
	} else {
		if (user_path_at(t->args[0], (const char *)t->args[1], e->open.path) & UP_TRUNC)
			e->h.flags |= SP_EF_TRUNC;
		e->open.bucket = SP_BK_OTHER;
	}
	ev_submit_urgent(e, write && p->role == SP_ROLE_BUILD);
	return 0;
}

/*
 * File operations at exit.  Paths are as passed, completed with the
 * resolved directory when relative; by-fd calls give the fd's file.
 */
static __always_inline void file_path(struct sp_event *e, struct task_struct *task, long dfd,
				      __u64 upath, bool second)
{
	int r = user_path_at(dfd, (const char *)upath, second ? e->file.path2 : e->file.path);

	if (r & UP_DIR)
		e->file.fflags |= second ? SP_FL_P2_DIR : SP_FL_P1_DIR;
	if (r & UP_TRUNC)
		e->h.flags |= SP_EF_TRUNC;
}

static __always_inline void file_by_fd(struct sp_event *e, struct task_struct *task, long fd)
{
	struct walk_info wi = {};
	struct sp_file_id id = {};
	struct file *f = fd_file(task, fd);

	e->file.fflags |= SP_FL_BY_FD;
	if (!f || walk_path((__u64)BPF_CORE_READ(f, f_path.dentry), (__u64)BPF_CORE_READ(f, f_path.mnt), &wi)) {
		e->file.path[0] = '\0';
		return;
	}
	walk_copy(e->file.path, &wi);
	if (wi.trunc)
		e->h.flags |= SP_EF_TRUNC;
	file_id(f, &id);
	if (bpf_map_lookup_elem(&written, &id))
		e->file.fflags |= SP_FL_WRITTEN;
}

/* rename, unlink, rmdir, chmod, link, symlink: the op, 0 for another call */
static __always_inline __u32 fileop_names(struct sp_event *e, struct task_struct *task, long nr,
					 const __u64 *a)
{
	__u32 op = 0;

	switch (nr) {
#ifdef __NR_rename
	case __NR_rename:
		op = SP_FOP_RENAME;
		file_path(e, task, AT_FDCWD, a[0], false);
		file_path(e, task, AT_FDCWD, a[1], true);
		break;
#endif
	case __NR_renameat:
	case __NR_renameat2:
		op = SP_FOP_RENAME;
		e->file.fd = a[0];
		if (nr == __NR_renameat2)
			e->file.flags = a[4];
		file_path(e, task, (int)a[0], a[1], false);
		file_path(e, task, (int)a[2], a[3], true);
		break;
#ifdef __NR_unlink
	case __NR_unlink:
		op = SP_FOP_UNLINK;
		file_path(e, task, AT_FDCWD, a[0], false);
		break;
#endif
#ifdef __NR_rmdir
	case __NR_rmdir:
		op = SP_FOP_RMDIR;
		file_path(e, task, AT_FDCWD, a[0], false);
		break;
#endif
	case __NR_unlinkat:
		op = (a[2] & AT_REMOVEDIR) ? SP_FOP_RMDIR : SP_FOP_UNLINK;
		e->file.fd = a[0];
		e->file.flags = a[2];
		file_path(e, task, (int)a[0], a[1], false);
		break;
#ifdef __NR_chmod
	case __NR_chmod:
		op = SP_FOP_CHMOD;
		e->file.mode = a[1];
		file_path(e, task, AT_FDCWD, a[0], false);
		break;
#endif
	case __NR_fchmod:
		op = SP_FOP_CHMOD;
		e->file.mode = a[1];
		e->file.fd = a[0];
		file_by_fd(e, task, (int)a[0]);
		break;
	case __NR_fchmodat:
	case SP_NR_FCHMODAT2:
		op = SP_FOP_CHMOD;
		e->file.fd = a[0];
		e->file.mode = a[2];
		e->file.flags = nr == SP_NR_FCHMODAT2 ? a[3] : 0;
		file_path(e, task, (int)a[0], a[1], false);
		break;
#ifdef __NR_link
	case __NR_link:
		op = SP_FOP_LINK;
		file_path(e, task, AT_FDCWD, a[0], false);
		file_path(e, task, AT_FDCWD, a[1], true);
		break;
#endif
	case __NR_linkat:
		op = SP_FOP_LINK;
		e->file.fd = a[0];
		e->file.flags = a[4];
		file_path(e, task, (int)a[0], a[1], false);
		file_path(e, task, (int)a[2], a[3], true);
		break;
#ifdef __NR_symlink
	case __NR_symlink:
		op = SP_FOP_SYMLINK;
		/* The target is the link's content: kept as written. */
		if (bpf_probe_read_user_str(e->file.path, SP_PATH_MAX, (void *)a[0]) == SP_PATH_MAX)
			e->h.flags |= SP_EF_TRUNC;
		file_path(e, task, AT_FDCWD, a[1], true);
		break;
#endif
	case __NR_symlinkat:
		op = SP_FOP_SYMLINK;
		e->file.fd = a[1];
		if (bpf_probe_read_user_str(e->file.path, SP_PATH_MAX, (void *)a[0]) == SP_PATH_MAX)
			e->h.flags |= SP_EF_TRUNC;
		file_path(e, task, (int)a[1], a[2], true);
		break;
	}
	return op;
}

/* truncate, mkdir, chown, mknod: the op, 0 for another call */
static __always_inline __u32 fileop_attrs(struct sp_event *e, struct task_struct *task, long nr,
					 const __u64 *a)
{
	__u32 op = 0;

	switch (nr) {
	case __NR_truncate:
		op = SP_FOP_TRUNCATE;
		e->file.size = a[1];
		file_path(e, task, AT_FDCWD, a[0], false);
		break;
	case __NR_ftruncate:
		op = SP_FOP_TRUNCATE;
		e->file.size = a[1];
		e->file.fd = a[0];
		file_by_fd(e, task, (int)a[0]);
		break;
#ifdef __NR_mkdir
	case __NR_mkdir:
		op = SP_FOP_MKDIR;
		e->file.mode = a[1];
		file_path(e, task, AT_FDCWD, a[0], false);
		break;
#endif
	case __NR_mkdirat:
		op = SP_FOP_MKDIR;
		e->file.fd = a[0];
		e->file.mode = a[2];
		file_path(e, task, (int)a[0], a[1], false);
		break;
#ifdef __NR_chown
	case __NR_chown:
	case __NR_lchown:
		op = SP_FOP_CHOWN;
		e->file.mode = a[1];
		e->file.flags = a[2];
		file_path(e, task, AT_FDCWD, a[0], false);
		break;
#endif
	case __NR_fchown:
		op = SP_FOP_CHOWN;
		e->file.fd = a[0];
		e->file.mode = a[1];
		e->file.flags = a[2];
		file_by_fd(e, task, (int)a[0]);
		break;
	case __NR_fchownat:
		op = SP_FOP_CHOWN;
		e->file.fd = a[0];
		e->file.mode = a[2];
		e->file.flags = a[3];
		file_path(e, task, (int)a[0], a[1], false);
		break;
#ifdef __NR_mknod
	case __NR_mknod:
		op = SP_FOP_MKNOD;
		e->file.mode = a[1];
		file_path(e, task, AT_FDCWD, a[0], false);
		break;
#endif
	case __NR_mknodat:
		op = SP_FOP_MKNOD;
		e->file.fd = a[0];
		e->file.mode = a[2];
		file_path(e, task, (int)a[0], a[1], false);
		break;
	}
	return op;
}

__noinline int fileop_exit(struct sp_proc *p, struct sp_thread *t, long nr, long ret)
{
	struct task_struct *task = current_task();
	struct sp_event *e;
	__u32 op = 0;
	__u64 *a;

	if (!p || !t)
		return 0;
	a = t->args;
	e = EV_NEW(SP_EV_FILE, SP_EVSZ_FILE, p);
	if (!e)
		return 0;
	e->file.ret = ret;
	e->file.mode = 0;
	e->file.flags = 0;
	e->file.fd = AT_FDCWD;
	e->file.fflags = 0;
	e->file.size = 0;
	e->file.path[0] = '\0';
	e->file.path2[0] = '\0';
	op = fileop_names(e, task, nr, a);
	if (!op)
		op = fileop_attrs(e, task, nr, a);
	e->file.op = op;
	if (t->compat)
		e->h.flags |= SP_EF_COMPAT;
	ev_submit_urgent(e, p->role == SP_ROLE_BUILD);
	return 0;
}

#endif
