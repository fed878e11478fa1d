// SPDX-License-Identifier: MIT
/*
 * Findings from kernel records.  Which record is a clear enough signal to
 * be a finding on its own is decided here; how much it weighs is the
 * scorer's business (points stay 0).  Deny findings are the ones the
 * kernel already enforced: a destination the network rules deny, and an
 * attempt on the supervisor.
 */
#include "guard/kmon.h"

#include <elf.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "guard/gpolicy.h"
#include "guard/gscore.h"
#include "guard/kevent.h"
#include "guard/ksensor.h"
#include "guard/kstats.h"
#include "guard/session.h"
#include "guard/shimsrv.h"
#include "guard/signals.h"
#include "guard/summary.h"
#include "guard/systab.h"
#include "guard/util.h"
#include "policy/policy.h"

/* Rule ids from the registry: a rule that is not registered does not compile. */
enum {
#define SP_RULE(c, id, desc) RULE_##c,
#include "policy/rules.def"
#undef SP_RULE
	RULE_COUNT_
};

static const char *const rule_ids[RULE_COUNT_] = {
#define SP_RULE(c, id, desc) [RULE_##c] = id,
#include "policy/rules.def"
#undef SP_RULE
};

#define R(c) rule_ids[RULE_##c]

int kmon_init(struct session *s)
{
	struct kstate *k = calloc(1, sizeof(*k));

	if (!k)
		return -ENOMEM;
	k->stats = kstats_new();
	k->written = calloc(KMON_WRITTEN_MAX, sizeof(*k->written));
	if (!k->stats || !k->written) {
		kstats_free(k->stats);
		free(k->written);
		free(k);
		return -ENOMEM;
	}
	k->lost_finding = -1;
	k->run_uid = (uint32_t)getuid();
	k->run_gid = (uint32_t)getgid();
	s->kst = k;
	return 0;
}

void kmon_free(struct session *s)
{
	if (!s->kst)
		return;
	for (size_t i = 0; i < s->kst->npip_dirs; i++)
		free(s->kst->pip_dirs[i]);
	kstats_free(s->kst->stats);
	free(s->kst->written);
	free(s->kst);
	s->kst = NULL;
}

/* ------------------------------------------------------------- helpers */

static uint64_t path_hash(const char *p)
{
	uint64_t h = str_hash(p);

	return h + 1 ? h + 1 : 1;
}

static void remember_written(struct kstate *k, const char *path)
{
	uint64_t h = path_hash(path);
	size_t i;

	if (k->nwritten >= KMON_WRITTEN_MAX / 2) {
		k->written_dropped++;
		return;
	}
	for (i = h & (KMON_WRITTEN_MAX - 1); k->written[i]; i = (i + 1) & (KMON_WRITTEN_MAX - 1))
		if (k->written[i] == h)
			return;
	k->written[i] = h;
	k->nwritten++;
}

bool kmon_was_written(const struct session *s, const char *path)
{
	const struct kstate *k = s->kst;
	uint64_t h = path_hash(path);

	for (size_t i = h & (KMON_WRITTEN_MAX - 1); k->written[i]; i = (i + 1) & (KMON_WRITTEN_MAX - 1))
		if (k->written[i] == h)
			return true;
	return false;
}

static bool under(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	while (n > 1 && dir[n - 1] == '/')
		n--;
	return strncmp(path, dir, n) == 0 && (path[n] == '/' || path[n] == '\0');
}

/*
 * Does path lie in the process's own build tree, or in a directory pip
 * made for this session (build environments, unpack and wheel dirs)?
 * Builds run and chmod what they compile there.
 */
static bool in_build_space(const struct session *s, const struct proc *p, const char *path)
{
	if (p->dist >= 0 && s->dists.v[p->dist].srcdir && under(path, s->dists.v[p->dist].srcdir))
		return true;
	for (size_t i = 0; i < s->kst->npip_dirs; i++)
		if (under(path, s->kst->pip_dirs[i]))
			return true;
	return false;
}

bool kmon_in_build_space(const struct session *s, const struct proc *p, const char *path)
{
	return in_build_space(s, p, path);
}

static const char *who(const struct proc *p, char *buf, size_t len)
{
	snprintf(buf, len, "%s process %d (%s)", role_name(p->role), (int)p->pid,
		 p->cmdline[0] ? p->cmdline : p->comm);
	return buf;
}

static int add(struct session *s, const struct proc *p, const struct sp_event *e, const char *rule,
	       bool deny, const char *fmt, ...) __attribute__((format(printf, 6, 7)));

static int add(struct session *s, const struct proc *p, const struct sp_event *e, const char *rule,
	       bool deny, const char *fmt, ...)
{
	struct finding f = { .rule = rule, .deny = deny, .dist = p ? p->dist : -1,
			     .pid = p ? p->pid : 0, .ts_ns = e ? e->h.ts_ns : mono_ns() };
	va_list ap;
	int idx;

	va_start(ap, fmt);
	vsnprintf(f.what, sizeof(f.what), fmt, ap);
	va_end(ap);
	idx = session_add_finding(s, &f);
	if (deny && !s->blocked && idx >= 0 && gpolicy_enforcing(s)) {
		s->blocked = true;
		s->block_finding = idx;
	}
	return idx;
}

/* ---------------------------------------------------------- per kind */

static void on_fork(struct session *s, struct proc *p, const struct sp_event *e)
{
	char w[PROC_CMDLINE_MAX + 64], fl[256];

	if (!(e->fork.fflags & SP_FF_NEWNS) || p->role == SP_ROLE_NONE)
		return;
	clone_flags_str(e->fork.clone_flags, fl, sizeof(fl));
	add(s, p, e, R(MOUNT), false, "%s created process %u in new namespaces (%s)",
	    who(p, w, sizeof(w)), e->fork.child_tgid, fl);
}

/*
 * A script's own file is gone from the record (the kernel replaced it
 * with its interpreter): judge the script by the name it was run by.
 */
static uint32_t script_flags(const struct session *s, const struct proc *p, const char *name,
			     char *path, size_t len)
{
	char link[64], cwd[PATH_MAX];
	uint32_t fl = 0;
	ssize_t n;

	if (name[0] == '/') {
		snprintf(path, len, "%s", name);
	} else {
		snprintf(link, sizeof(link), "/proc/%d/cwd", (int)p->pid);
		n = readlink(link, cwd, sizeof(cwd) - 1);
		if (n <= 0)
			return 0;
		cwd[n] = '\0';
		snprintf(path, len, "%s/%s", cwd, name);
	}
	if (kmon_was_written(s, path))
		fl |= SP_XF_WRITTEN;
	if (under(path, "/tmp") || under(path, "/var/tmp") || under(path, "/dev/shm"))
		fl |= SP_XF_TMPDIR;
	if (strstr(path, "/."))
		fl |= SP_XF_HIDDEN;
	return fl;
}

static void on_exec(struct session *s, struct proc *p, const struct sp_event *e)
{
	const struct sp_exec *x = &e->exec;
	const char *path = x->path[0] ? x->path : x->filename;
	char w[PROC_CMDLINE_MAX + 64], script[PATH_MAX];
	uint32_t xflags = x->xflags;
	/* The session's own interpreter may live anywhere (~/.pyenv ...). */
	bool own = in_build_space(s, p, path) || (x->ino == s->py.ino &&
		   x->dev == kernel_dev(s->py.dev));

	(void)kstats_exec(s->kst->stats, p->dist);
	if (p->role != SP_ROLE_BUILD)
		return;
	if (xflags & SP_XF_SCRIPT) {
		xflags = (xflags & ~(SP_XF_WRITTEN | SP_XF_TMPDIR | SP_XF_HIDDEN | SP_XF_WWDIR)) |
			 script_flags(s, p, x->filename, script, sizeof(script));
		path = script;
		own = in_build_space(s, p, path);
	}
	/*
	 * What a compiler or linker of this session produced (configure's and
	 * setup.py's test programs) is the build's own; so is a program under
	 * a toolchain's hidden home (~/.cargo/bin) that this install did not
	 * write, and a system program like the static /sbin/ldconfig.
	 */
	if (gscore_toolchain_output(s, path))
		own = true;
	if (!(xflags & (SP_XF_WRITTEN | SP_XF_TMPDIR | SP_XF_WWDIR)) && sig_toolchain_home(path))
		xflags &= ~SP_XF_HIDDEN;
	who(p, w, sizeof(w));
	if (xflags & (SP_XF_MEMFD))
		add(s, p, e, R(MEMFD_EXEC), false, "%s executed an in-memory file %s%s", w, path,
		    xflags & SP_XF_EXECVEAT ? " by execveat" : "");
	if ((xflags & SP_XF_WRITTEN) && !own && !(xflags & SP_XF_MEMFD))
		add(s, p, e, R(EXEC_NEW_FILE), false, "%s executed %s, written during this install",
		    w, path);
	if ((xflags & (SP_XF_TMPDIR | SP_XF_HIDDEN | SP_XF_WWDIR)) && !own &&
	    !(xflags & SP_XF_MEMFD))
		add(s, p, e, R(EXEC_TEMP), false, "%s executed %s (%s)", w, path,
		    xflags & SP_XF_TMPDIR ? "temporary directory" :
		    xflags & SP_XF_HIDDEN ? "hidden directory" : "world-writable directory");
	if ((xflags & SP_XF_ELF) && !(xflags & SP_XF_INTERP) &&
	    (!(xflags & SP_XF_PHDR_UNSEEN) || kmon_exec_dynamic(e) == 0) &&
	    ((xflags & SP_XF_WRITTEN) || !sig_system_path(path)))
		add(s, p, e, R(STATIC_EXEC), false, "%s executed the statically linked %s%s", w, path,
		    xflags & SP_XF_ELF32 ? " (32-bit)" : "");
	if (xflags & SP_XF_SETID)
		add(s, p, e, R(PRIV_CHANGE), false, "%s executed the set-id program %s", w, path);
}

#define ELF_PHDRS_MAX 128

/*
 * The kernel looks at the first program headers only: when PT_INTERP was
 * not among them, read the file's headers here.  1 dynamic, 0 static,
 * -1 unknown (not the file that was executed, not a 64-bit ELF, gone).
 */
int kmon_exec_dynamic(const struct sp_event *e)
{
	char path[SP_PATH_MAX + 32];
	_cleanup_close_ int fd = -1;
	Elf64_Ehdr eh;
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%u/exe", e->h.tgid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 && e->exec.filename[0] == '/') {
		snprintf(path, sizeof(path), "%.*s", SP_PATH_MAX, e->exec.filename);
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	}
	if (fd < 0 || fstat(fd, &st) < 0 || st.st_ino != e->exec.ino ||
	    pread(fd, &eh, sizeof(eh), 0) != (ssize_t)sizeof(eh) ||
	    memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 || eh.e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh.e_phentsize != sizeof(Elf64_Phdr) || eh.e_phnum > ELF_PHDRS_MAX)
		return -1;
	for (unsigned i = 0; i < eh.e_phnum; i++) {
		Elf64_Phdr ph;

		if (pread(fd, &ph, sizeof(ph), (off_t)(eh.e_phoff + i * sizeof(ph))) !=
		    (ssize_t)sizeof(ph))
			return -1;
		if (ph.p_type == PT_INTERP)
			return 1;
	}
	return 0;
}

/* Why the policy denies a destination: its entry, or the role's default. */
static const char *net_why(const struct session *s, const struct proc *p, uint32_t rule,
			   char *buf, size_t len)
{
	const struct sp_entry *m = rule != ~0u ? gpolicy_net_entry(s, rule) : NULL;

	if (m && m->loc.line)
		snprintf(buf, len, "denied by the network.deny entry '%s' (%s:%u)", m->text,
			 m->loc.file, m->loc.line);
	else if (m)
		snprintf(buf, len, "denied by the network.deny entry '%s' (%s)", m->text,
			 m->loc.file ? m->loc.file : "built in");
	else
		snprintf(buf, len, "no network.allow entry lets %s processes reach it",
			 role_name(p->role));
	return buf;
}

/* A destination the rules deny: the kernel refused it and doomed the tree. */
static void on_denied_dest(struct session *s, struct proc *p, const struct sp_event *e,
			   const char *call, unsigned family, const uint8_t *addr, unsigned port,
			   uint32_t rule)
{
	char dst[192], via[192], w[PROC_CMDLINE_MAX + 64], why[320];
	const char *outcome = gpolicy_enforcing(s) ? "refused" : "let through (monitor mode)";

	format_addr(dst, sizeof(dst), family, addr, port);
	net_why(s, p, rule, why, sizeof(why));
	/* the shim's view: the Python frame that connected, the host name */
	via[0] = '\0';
	if (e->h.kind == SP_EV_CONNECT)
		shim_connect_context(s, e, via, sizeof(via), dst, sizeof(dst));
	/* what and why first: a long command line must not push the entry out */
	add(s, p, e, p->role == SP_ROLE_BUILD ? R(BUILD_CONNECT) : R(NET_DENY), true,
	    "%s%s%s(%s), %s%s: %s: %s", via, via[0] ? " -> " : "", call, dst, outcome,
	    e->h.flags & SP_EF_CGROUP ? " in the kernel before any packet left" : "", why,
	    who(p, w, sizeof(w)));
}

static void on_connect(struct session *s, struct proc *p, const struct sp_event *e)
{
	if (e->h.flags & SP_EF_DENIED)
		on_denied_dest(s, p, e, "connect", e->connect.family, e->connect.addr, e->connect.port,
			       e->connect.rule);
}

static void on_net(struct session *s, struct proc *p, const struct sp_event *e)
{
	const struct sp_net *n = &e->net;
	char w[PROC_CMDLINE_MAX + 64], a[80];

	if (n->op == SP_NOP_SENDTO && (e->h.flags & SP_EF_DENIED)) {
		on_denied_dest(s, p, e, "sendto", n->family, n->addr, n->port, n->rule);
		return;
	}
	if (p->role != SP_ROLE_BUILD || n->ret < 0)
		return;
	if (n->op == SP_NOP_SOCKET && (n->nflags & SP_NF_RAW))
		add(s, p, e, R(RAW_SOCKET), false, "%s opened a %s socket", who(p, w, sizeof(w)),
		    n->nflags & SP_NF_PACKET ? "packet" : "raw");
	if (n->op == SP_NOP_LISTEN) {
		format_addr(a, sizeof(a), n->family, n->addr, n->port);
		add(s, p, e, R(LISTEN), false, "%s listens on %s", who(p, w, sizeof(w)), a);
	}
}

static void on_open(struct session *s, struct proc *p, const struct sp_event *e)
{
	const struct sp_open *o = &e->open;
	char w[PROC_CMDLINE_MAX + 64];

	if ((o->oflags & SP_OF_WRITE) && o->ret >= 0 && (o->oflags & SP_OF_RESOLVED))
		remember_written(s->kst, o->path);
	if ((o->oflags & SP_OF_SUPERVISOR) && (e->h.flags & SP_EF_DENIED)) {
		add(s, p, e, R(SUPERVISOR_ATTACK), true, "%s opened %s, a file of the supervisor",
		    who(p, w, sizeof(w)), o->path);
		return;
	}
	if ((o->oflags & SP_OF_PROC_PID) && p->role != SP_ROLE_PIP && endswith(o->path, "/environ"))
		add(s, p, e, R(ENV_HARVEST), false, "%s read %s", who(p, w, sizeof(w)), o->path);
}

static void on_file(struct session *s, struct proc *p, const struct sp_event *e)
{
	const struct sp_file *f = &e->file;
	char w[PROC_CMDLINE_MAX + 64];

	if (f->ret != 0)
		return;
	if (f->op == SP_FOP_MKDIR && p->role == SP_ROLE_PIP && f->path[0] == '/' &&
	    s->kst->npip_dirs < KMON_PIP_DIRS_MAX && !(e->h.flags & SP_EF_TRUNC)) {
		char *d = strdup(f->path);

		if (d)
			s->kst->pip_dirs[s->kst->npip_dirs++] = d;
		return;
	}
	if (f->op == SP_FOP_RENAME && f->path2[0] == '/' && kmon_was_written(s, f->path))
		remember_written(s->kst, f->path2);
	/* a linker making its output executable is what linkers do */
	if (f->op == SP_FOP_CHMOD && (f->mode & 0111) && p->role == SP_ROLE_BUILD &&
	    !gscore_toolchain_output(s, f->path) &&
	    ((f->fflags & SP_FL_WRITTEN) || kmon_was_written(s, f->path)) &&
	    !in_build_space(s, p, f->path))
		add(s, p, e, R(CHMOD_EXEC_NEW), false, "%s made %s executable (mode %04o)",
		    who(p, w, sizeof(w)), f->path, f->mode & 07777);
}

/*
 * Syscalls that are a finding by themselves, for a build: name -> rule.
 * "tried" rules count a failed call too (a refused module load is still an
 * attempt); the others only what took effect.
 */
static const char *sys_rule(const char *name, bool failed)
{
	static const struct { const char *name, *rule; bool tried; } t[] = {
		{ "setsid", R(DAEMONIZE), false }, { "ptrace", R(PTRACE), true },
		{ "process_vm_readv", R(PTRACE), true }, { "process_vm_writev", R(PTRACE), true },
		{ "memfd_create", R(MEMFD_EXEC), false }, { "mmap", R(ANON_EXEC_MEMORY), false },
		{ "mprotect", R(ANON_EXEC_MEMORY), false }, { "io_uring_setup", R(IO_URING), false },
		{ "bpf", R(BPF_SYSCALL), true }, { "init_module", R(KERNEL_MODULE), true },
		{ "finit_module", R(KERNEL_MODULE), true }, { "delete_module", R(KERNEL_MODULE), true },
		{ "mount", R(MOUNT), true }, { "umount2", R(MOUNT), true }, { "unshare", R(MOUNT), false },
		{ "setns", R(MOUNT), true }, { "pivot_root", R(MOUNT), true }, { "chroot", R(MOUNT), true },
		{ "fsopen", R(MOUNT), true }, { "fsmount", R(MOUNT), true },
		{ "move_mount", R(MOUNT), true }, { "open_tree", R(MOUNT), true },
		{ "setuid", R(PRIV_CHANGE), false }, { "setgid", R(PRIV_CHANGE), false },
		{ "setreuid", R(PRIV_CHANGE), false }, { "setregid", R(PRIV_CHANGE), false },
		{ "setresuid", R(PRIV_CHANGE), false }, { "setresgid", R(PRIV_CHANGE), false },
		{ "setfsuid", R(PRIV_CHANGE), false }, { "setfsgid", R(PRIV_CHANGE), false },
		{ "setgroups", R(PRIV_CHANGE), false }, { "capset", R(PRIV_CHANGE), false },
	};

	for (size_t i = 0; i < ARRAY_SIZE(t); i++)
		if (strcmp(name, t[i].name) == 0)
			return failed && !t[i].tried ? NULL : t[i].rule;
	return NULL;
}

/*
 * Does a set*id call ask for an id other than the one the process runs
 * as?  make and other tools "change" to the ids they already have (e.g.
 * setresuid(-1, 0, -1) as root): no change, no finding.  For setgroups
 * and capset there is no such test.  uid is the caller's real uid; the
 * group calls are compared with it too, which for root (gid 0) holds.
 */
/*
 * Does a set*id call move away from the ids the install runs with?  Setting
 * an id to what it already is (setuid(getuid()) as root) changes nothing.
 */
static bool changes_ids(const struct kstate *k, const char *name, const struct sp_sys *y)
{
	uint32_t cur = strstr(name, "gid") ? k->run_gid : k->run_uid;
	unsigned n = 0;

	if (!strcmp(name, "setuid") || !strcmp(name, "setgid") || !strcmp(name, "setfsuid") ||
	    !strcmp(name, "setfsgid"))
		n = 1;
	else if (!strcmp(name, "setreuid") || !strcmp(name, "setregid"))
		n = 2;
	else if (!strcmp(name, "setresuid") || !strcmp(name, "setresgid"))
		n = 3;
	else
		return true;
	for (unsigned i = 0; i < n; i++) {
		uint32_t id = (uint32_t)y->args[i];

		if (id != 0xffffffffu && id != cur)
			return true;
	}
	return false;
}

static bool is_signal_call(const char *name)
{
	return !strcmp(name, "kill") || !strcmp(name, "tkill") || !strcmp(name, "tgkill") ||
	       !strcmp(name, "rt_sigqueueinfo") || !strcmp(name, "rt_tgsigqueueinfo") ||
	       !strcmp(name, "pidfd_send_signal");
}

static void on_syscall(struct session *s, struct proc *p, const struct sp_event *e)
{
	const struct sp_sys *y = &e->sys;
	const char *name = systab_name((int)y->nr, false), *rule;
	char w[PROC_CMDLINE_MAX + 64], call[400];

	sys_describe(y, e->h.flags & SP_EF_COMPAT, call, sizeof(call));
	who(p, w, sizeof(w));
	if (y->sflags & SP_SF_FIRST_COMPAT) {
		if (p->role != SP_ROLE_PIP)
			add(s, p, e, R(COMPAT_SYSCALL), false, "%s: %s", w, call);
		return;
	}
	if (!name)
		return;
	if (y->sflags & SP_SF_TARGET_SUPERVISOR) {
		add(s, p, e, R(SUPERVISOR_ATTACK), true, "%s aimed at the supervisor: %s", w, call);
		return;
	}
	if (is_signal_call(name) && p->role != SP_ROLE_PIP) {
		/* In the tree's PID namespace, a pid that is not there is outside. */
		if ((y->sflags & SP_SF_IN_PIDNS) && y->ret == -ESRCH && !(y->sflags & SP_SF_TARGET_ALL)) {
			add(s, p, e, R(KILL_OUTSIDE), false, "%s tried to signal a process outside the "
			    "install's PID namespace: %s", w, call);
			return;
		}
		if (!(y->sflags & (SP_SF_TARGET_TRACKED | SP_SF_IN_PIDNS)) &&
		    (y->sflags & (SP_SF_TARGET_KNOWN | SP_SF_TARGET_GROUP))) {
			add(s, p, e, R(KILL_OUTSIDE), false, "%s signalled a process outside the install: %s",
			    w, call);
			return;
		}
	}
	if (p->role != SP_ROLE_BUILD)
		return;
	rule = sys_rule(name, y->ret < 0);
	if (rule == R(PRIV_CHANGE) && !changes_ids(s->kst, name, y))
		return;
	if (rule)
		add(s, p, e, rule, false, "%s: %s", w, call);
}

static void on_exit_stats(struct session *s, struct proc *p, const struct sp_event *e)
{
	(void)kstats_proc_exit(s->kst->stats, p->dist, &e->exit.st);
}

void kmon_record(struct session *s, struct proc *p, const struct sp_event *e)
{
	if (!s->kst)
		return;
	switch (e->h.kind) {
	case SP_EV_FORK:
		on_fork(s, p, e);
		break;
	case SP_EV_EXEC:
		on_exec(s, p, e);
		break;
	case SP_EV_EXIT:
		on_exit_stats(s, p, e);
		break;
	case SP_EV_CONNECT:
		on_connect(s, p, e);
		break;
	case SP_EV_OPEN:
		on_open(s, p, e);
		break;
	case SP_EV_FILE:
		on_file(s, p, e);
		break;
	case SP_EV_NET:
		on_net(s, p, e);
		break;
	case SP_EV_TCP:
		(void)kstats_tcp(s->kst->stats, p->dist, &e->tcp);
		break;
	case SP_EV_SYSCALL:
		on_syscall(s, p, e);
		break;
	case SP_EV_DNS:
		(void)kstats_dns(s->kst->stats, p->dist);
		break;
	}
}

/* ------------------------------------------------- session level */

static void lost_what(const struct session *s, char *out, size_t len)
{
	size_t o = 0;

	for (unsigned k = 1; k < SP_EV_KIND_MAX && o < len; k++) {
		uint64_t n = ks_lost_kind(s->ks, k);

		if (n)
			o += (size_t)snprintf(out + o, len - o, "%s%s %llu", o ? ", " : "",
					      kevent_kind_name(k), (unsigned long long)n);
	}
}

void kmon_check_lost(struct session *s)
{
	struct kstate *k = s->kst;
	uint64_t lost = ks_lost(s->ks);
	char kinds[200] = "";
	struct finding *f;

	if (!k || lost == k->lost_reported)
		return;
	lost_what(s, kinds, sizeof(kinds));
	if (k->lost_finding < 0) {
		k->lost_finding = add(s, NULL, NULL, R(LOST_RECORDS), false,
				      "%llu kernel records were lost (ring buffer full: %s): the view "
				      "of the install is incomplete", (unsigned long long)lost, kinds);
	} else {
		/* Keep one finding; its count grows with the loss. */
		f = &s->findings[k->lost_finding];
		snprintf(f->what, sizeof(f->what),
			 "%llu kernel records were lost (ring buffer full: %s): the view of the "
			 "install is incomplete", (unsigned long long)lost, kinds);
	}
	k->lost_reported = lost;
}

int kmon_kernel_deny(struct session *s)
{
	struct ks_deny d;
	struct proc *p;
	int idx;

	ks_deny_info(s->ks, &d);
	p = d.tgid ? proctab_get(&s->procs, (pid_t)d.tgid) : NULL;
	switch (d.reason) {
	case SP_DENY_NET: {
		char why[320] = "denied by the network rules";

		if (p)
			net_why(s, p, d.rule, why, sizeof(why));
		idx = add(s, p, NULL, p && p->role == SP_ROLE_BUILD ? R(BUILD_CONNECT) : R(NET_DENY), true,
			  "process %u reached for a destination, refused in the kernel: %s (its record "
			  "was lost)", d.tgid, why);
		break;
	}
	case SP_DENY_SUPERVISOR:
		idx = add(s, p, NULL, R(SUPERVISOR_ATTACK), true,
			  "process %u aimed a signal, ptrace or /proc access at the supervisor (target %u)",
			  d.tgid, d.target);
		break;
	default:
		idx = add(s, p, NULL, R(UNTRACKED_PROCESS), true,
			  "%llu processes could not be tracked (more than %d at once): the session was "
			  "stopped", (unsigned long long)ks_overflow(s->ks), SP_TRACKED_MAX);
		break;
	}
	if (idx >= 0)
		s->findings[idx].ts_ns = d.ts_ns ? d.ts_ns : ks_doomed_ns(s->ks);
	return idx;
}

static void log_features(struct session *s, const char *scope, const char *name,
			 const struct ks_features *f)
{
	struct jw *w = log_line_begin(s, "stats", mono_ns());

	if (!w)
		return;
	jw_kstr(w, "scope", scope);
	if (name)
		jw_kstr(w, scope[0] == 'r' ? "role" : "dist", name);
	summary_features_json(w, f);
	log_line_end(s);
}

static void log_role_stats(struct session *s)
{
	for (uint32_t r = 0; r < SP_ROLE_MAX; r++) {
		struct sp_stats st;
		struct jw *w;

		if (ks_role_stats(s->ks, r, &st) < 0)
			continue;
		w = log_line_begin(s, "stats", mono_ns());
		if (!w)
			return;
		jw_kstr(w, "scope", "role");
		jw_kstr(w, "role", role_name(r));
		jw_kstr(w, "source", "kernel");
		kevent_stats_json(w, &st);
		log_line_end(s);
	}
}

static void log_records(struct session *s)
{
	struct jw *w = log_line_begin(s, "records", mono_ns());
	struct rusage ru;

	if (!w)
		return;
	jw_kuint(w, "emitted", ks_emitted(s->ks));
	jw_kuint(w, "received", s->records);
	jw_kuint(w, "lost", ks_lost(s->ks));
	jw_key(w, "lost_by_kind");
	jw_obj(w);
	for (unsigned k = 1; k < SP_EV_KIND_MAX; k++)
		jw_kuint(w, kevent_kind_name(k), ks_lost_kind(s->ks, k));
	jw_obj_end(w);
	jw_kuint(w, "rejected", ks_bad_records(s->ks));
	jw_kdouble(w, "sensor_attach_ms", (double)ks_attach_ns(s->ks) / 1e6);
	if (getrusage(RUSAGE_SELF, &ru) == 0)
		jw_kdouble(w, "supervisor_cpu_ms",
			   (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
			   (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3);
	log_line_end(s);
}

void kmon_finish(struct session *s)
{
	struct ks_features f;

	if (!s->kst || !s->ks)
		return;
	(void)ks_consume(s->ks);
	kmon_check_lost(s);
	if (!s->log)
		return;
	log_records(s);
	kstats_features(s->kst->stats, -1, &f);
	log_features(s, "session", NULL, &f);
	for (size_t d = 0; d < kstats_ndists(s->kst->stats) && d < s->dists.n; d++)
		if (kstats_features(s->kst->stats, (int)d, &f) == 0)
			log_features(s, "dist", s->dists.v[d].name, &f);
	log_role_stats(s);
}
