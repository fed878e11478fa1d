// SPDX-License-Identifier: MIT
#include "guard/kevent.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>

#include "guard/systab.h"

static const char *const kind_names[SP_EV_KIND_MAX] = {
	[SP_EV_FORK] = "fork", [SP_EV_EXEC] = "exec", [SP_EV_EXIT] = "exit",
	[SP_EV_CONNECT] = "connect", [SP_EV_OPEN] = "open", [SP_EV_FILE] = "file",
	[SP_EV_NET] = "net", [SP_EV_TCP] = "tcp", [SP_EV_SYSCALL] = "syscall",
	[SP_EV_DNS] = "dns",
};

static const char *const fileop_names[SP_FOP_MAX] = {
	[SP_FOP_RENAME] = "rename", [SP_FOP_UNLINK] = "unlink", [SP_FOP_RMDIR] = "rmdir",
	[SP_FOP_CHMOD] = "chmod", [SP_FOP_LINK] = "link", [SP_FOP_SYMLINK] = "symlink",
	[SP_FOP_TRUNCATE] = "truncate", [SP_FOP_MKDIR] = "mkdir", [SP_FOP_CHOWN] = "chown",
	[SP_FOP_MKNOD] = "mknod",
};

static const char *const netop_names[SP_NOP_MAX] = {
	[SP_NOP_SOCKET] = "socket", [SP_NOP_BIND] = "bind", [SP_NOP_LISTEN] = "listen",
	[SP_NOP_ACCEPT] = "accept", [SP_NOP_SENDTO] = "sendto",
};

static const char *const tcp_names[] = {
	"?", "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1", "FIN_WAIT2", "TIME_WAIT",
	"CLOSE", "CLOSE_WAIT", "LAST_ACK", "LISTEN", "CLOSING", "NEW_SYN_RECV", "BOUND_INACTIVE",
};

#define NAME_OR_Q(tab, i) ((i) < sizeof(tab) / sizeof((tab)[0]) && (tab)[i] ? (tab)[i] : "?")

const char *kevent_kind_name(unsigned kind) { return NAME_OR_Q(kind_names, kind); }
const char *fileop_name(unsigned op) { return NAME_OR_Q(fileop_names, op); }
const char *netop_name(unsigned op) { return NAME_OR_Q(netop_names, op); }
const char *tcp_state_name(unsigned state) { return NAME_OR_Q(tcp_names, state); }

void format_addr(char *out, size_t len, unsigned family, const uint8_t *addr, unsigned port)
{
	char a[INET6_ADDRSTRLEN] = "?";

	if (family == AF_INET) {
		inet_ntop(AF_INET, addr, a, sizeof(a));
		snprintf(out, len, "%s:%u", a, port);
	} else if (family == AF_INET6) {
		inet_ntop(AF_INET6, addr, a, sizeof(a));
		snprintf(out, len, "[%s]:%u", a, port);
	} else {
		snprintf(out, len, "?");
	}
}

/* ------------------------------------------------------------------ DNS */

/*
 * RFC 1035 4.1: a 12-byte header, then the questions: a name as length-
 * prefixed labels ending in a zero byte, a type and a class.  Queries do
 * not compress names; a pointer in a question is treated as malformed.
 */
int dns_question(const uint8_t *msg, size_t len, char *out, size_t outlen, uint16_t *qtype)
{
	size_t i = 12, o = 0;
	unsigned total = 0;

	if (!msg || !out || outlen == 0)
		return -EINVAL;
	out[0] = '\0';
	if (len < 12)
		return -EINVAL;
	if (((msg[4] << 8) | msg[5]) == 0)
		return -ENOENT;
	for (;;) {
		unsigned l;

		if (i >= len)
			return -EINVAL;
		l = msg[i++];
		if (l == 0)
			break;
		if (l > 63 || i + l > len)
			return -EINVAL;        /* a pointer (0xc0) or a cut label */
		total += l + 1;
		if (total > 255)
			return -EINVAL;
		if (o > 0) {
			if (o + 1 >= outlen)
				return -ENOSPC;
			out[o++] = '.';
		}
		for (unsigned k = 0; k < l; k++) {
			uint8_t c = msg[i + k];
			bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
				     (c >= '0' && c <= '9') || c == '-' || c == '_';

			if (o + (plain ? 1 : 4) >= outlen)
				return -ENOSPC;
			if (plain)
				out[o++] = (char)c;
			else
				o += (size_t)snprintf(out + o, outlen - o, "\\%03u", c);
		}
		i += l;
	}
	out[o] = '\0';
	if (o == 0) {
		if (outlen < 2)
			return -ENOSPC;
		out[0] = '.';
		out[1] = '\0';
	}
	if (i + 4 > len)
		return -EINVAL;
	if (qtype)
		*qtype = (uint16_t)(msg[i] << 8 | msg[i + 1]);
	return 0;
}

/* ---------------------------------------------------------------- flags */

struct flagname {
	uint64_t bit;
	const char *name;
};

static void flags_str(uint64_t v, const struct flagname *t, size_t n, char *out, size_t outlen)
{
	size_t o = 0;

	out[0] = '\0';
	for (size_t i = 0; i < n && o < outlen; i++) {
		if (!(v & t[i].bit))
			continue;
		o += (size_t)snprintf(out + o, outlen - o, "%s%s", o ? "|" : "", t[i].name);
		v &= ~t[i].bit;
	}
	if (v && o < outlen)
		o += (size_t)snprintf(out + o, outlen - o, "%s0x%llx", o ? "|" : "", (unsigned long long)v);
	if (o == 0)
		snprintf(out, outlen, "0");
}

void clone_flags_str(uint64_t flags, char *out, size_t outlen)
{
	static const struct flagname t[] = {
		{ 0x100, "CLONE_VM" }, { 0x200, "CLONE_FS" }, { 0x400, "CLONE_FILES" },
		{ 0x800, "CLONE_SIGHAND" }, { 0x1000, "CLONE_PIDFD" }, { 0x2000, "CLONE_PTRACE" },
		{ 0x4000, "CLONE_VFORK" }, { 0x8000, "CLONE_PARENT" }, { 0x10000, "CLONE_THREAD" },
		{ 0x20000, "CLONE_NEWNS" }, { 0x40000, "CLONE_SYSVSEM" }, { 0x80000, "CLONE_SETTLS" },
		{ 0x100000, "CLONE_PARENT_SETTID" }, { 0x200000, "CLONE_CHILD_CLEARTID" },
		{ 0x400000, "CLONE_DETACHED" }, { 0x800000, "CLONE_UNTRACED" },
		{ 0x1000000, "CLONE_CHILD_SETTID" }, { 0x2000000, "CLONE_NEWCGROUP" },
		{ 0x4000000, "CLONE_NEWUTS" }, { 0x8000000, "CLONE_NEWIPC" },
		{ 0x10000000, "CLONE_NEWUSER" }, { 0x20000000, "CLONE_NEWPID" },
		{ 0x40000000, "CLONE_NEWNET" }, { 0x80000000ull, "CLONE_IO" },
		{ 0x100000000ull, "CLONE_CLEAR_SIGHAND" }, { 0x200000000ull, "CLONE_INTO_CGROUP" },
	};
	char sig[24] = "";

	/* The low byte is the exit signal, not a flag. */
	if (flags & 0xff)
		snprintf(sig, sizeof(sig), "%s%s", (flags & ~0xffull) ? "|" : "",
			 (flags & 0xff) == SIGCHLD ? "SIGCHLD" : "signal");
	flags_str(flags & ~0xffull, t, sizeof(t) / sizeof(t[0]), out, outlen);
	if (sig[0]) {
		if (strcmp(out, "0") == 0)
			snprintf(out, outlen, "%s", sig);
		else
			strncat(out, sig, outlen - strlen(out) - 1);
	}
}

void open_flags_str(uint32_t flags, char *out, size_t outlen)
{
	static const struct flagname t[] = {
		{ O_CREAT, "create" }, { O_EXCL, "excl" }, { O_TRUNC, "truncate" },
		{ O_APPEND, "append" }, { O_DIRECTORY, "directory" }, { O_NOFOLLOW, "nofollow" },
		{ O_TMPFILE & ~O_DIRECTORY, "tmpfile" }, { O_PATH, "path" },
	};
	const char *acc = (flags & O_ACCMODE) == O_WRONLY ? "write" :
			  (flags & O_ACCMODE) == O_RDWR ? "read-write" : "read";
	char rest[128];

	flags_str(flags & (O_CREAT | O_EXCL | O_TRUNC | O_APPEND | O_DIRECTORY | O_NOFOLLOW |
			   (O_TMPFILE & ~O_DIRECTORY) | O_PATH),
		  t, sizeof(t) / sizeof(t[0]), rest, sizeof(rest));
	snprintf(out, outlen, "%s%s%s", acc, strcmp(rest, "0") ? "|" : "",
		 strcmp(rest, "0") ? rest : "");
}

/* ------------------------------------------------------------- syscalls */

static const char *signame(uint64_t sig)
{
	static const char *const n[] = {
		[0] = "0", [SIGHUP] = "SIGHUP", [SIGINT] = "SIGINT", [SIGQUIT] = "SIGQUIT",
		[SIGKILL] = "SIGKILL", [SIGUSR1] = "SIGUSR1", [SIGUSR2] = "SIGUSR2",
		[SIGTERM] = "SIGTERM", [SIGSTOP] = "SIGSTOP", [SIGCONT] = "SIGCONT",
		[SIGCHLD] = "SIGCHLD", [SIGTSTP] = "SIGTSTP", [SIGSEGV] = "SIGSEGV",
		[SIGABRT] = "SIGABRT", [SIGALRM] = "SIGALRM", [SIGPIPE] = "SIGPIPE",
	};

	return sig < sizeof(n) / sizeof(n[0]) && n[sig] ? n[sig] : NULL;
}

static size_t put_ret(char *out, size_t outlen, int64_t ret)
{
	if (ret < 0 && ret > -4096)
		return (size_t)snprintf(out, outlen, " = -1 %s", strerrorname_np((int)-ret) ?
					strerrorname_np((int)-ret) : "E?");
	return (size_t)snprintf(out, outlen, " = %lld", (long long)ret);
}

/* A string argument, bounded and quoted; control bytes escaped. */
static void quote(const char *s, size_t n, char *out, size_t outlen)
{
	size_t o = 0;

	if (outlen < 3) {
		if (outlen)
			out[0] = '\0';
		return;
	}
	out[o++] = '"';
	for (size_t i = 0; i < n && s[i] && o + 5 < outlen; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c == '"' || c == '\\' || c >= 0x7f)
			o += (size_t)snprintf(out + o, outlen - o, "\\x%02x", c);
		else
			out[o++] = (char)c;
	}
	out[o++] = '"';
	out[o] = '\0';
}

/* How many arguments a call shown without a decoder of its own has. */
static int nargs(const char *name)
{
	static const struct { const char *name; int n; } t[] = {
		{ "setsid", 0 }, { "setuid", 1 }, { "setgid", 1 }, { "setfsuid", 1 },
		{ "setfsgid", 1 }, { "setreuid", 2 }, { "setregid", 2 }, { "setresuid", 3 },
		{ "setresgid", 3 }, { "setgroups", 1 }, { "capset", 0 }, { "io_uring_setup", 1 },
		{ "bpf", 1 }, { "setns", 2 }, { "personality", 1 }, { "seccomp", 2 },
		{ "rt_sigqueueinfo", 2 }, { "rt_tgsigqueueinfo", 3 }, { "pidfd_open", 2 },
		{ "pidfd_getfd", 2 }, { "process_vm_readv", 1 }, { "process_vm_writev", 1 },
		{ "fsmount", 1 }, { "delete_module", 0 },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (!strcmp(name, t[i].name))
			return t[i].n;
	return 3;
}

/* Small values in decimal, the rest (pointers, masks) in hex. */
static void generic_args(const char *name, const __u64 *a, char *out, size_t outlen)
{
	int n = nargs(name);
	size_t o = (size_t)snprintf(out, outlen, "%s(", name);

	for (int i = 0; i < n && o < outlen; i++) {
		int64_t v = (int64_t)a[i];

		if (v >= -4096 && v < (1 << 20))
			o += (size_t)snprintf(out + o, outlen - o, "%s%lld", i ? ", " : "", (long long)v);
		else
			o += (size_t)snprintf(out + o, outlen - o, "%s0x%llx", i ? ", " : "",
					      (unsigned long long)a[i]);
	}
	if (o < outlen)
		snprintf(out + o, outlen - o, ")");
}

static void describe_args(const struct sp_sys *s, const char *name, char *out, size_t outlen)
{
	const __u64 *a = s->args;
	char q[SP_STR_MAX * 4 + 3];
	const char *sig;

	quote(s->str, sizeof(s->str), q, sizeof(q));
	if (!strcmp(name, "kill") || !strcmp(name, "tkill")) {
		sig = signame(a[1]);
		snprintf(out, outlen, "%s(%d, %s%s)", name, (int)a[0], sig ? sig : "",
			 sig ? "" : "?");
	} else if (!strcmp(name, "tgkill")) {
		sig = signame(a[2]);
		snprintf(out, outlen, "tgkill(%d, %d, %s)", (int)a[0], (int)a[1], sig ? sig : "?");
	} else if (!strcmp(name, "pidfd_send_signal")) {
		sig = signame(a[1]);
		snprintf(out, outlen, "pidfd_send_signal(%d, %s)", (int)a[0], sig ? sig : "?");
	} else if (!strcmp(name, "ptrace")) {
		snprintf(out, outlen, "ptrace(%llu, %d)", (unsigned long long)a[0], (int)a[1]);
	} else if (!strcmp(name, "prctl")) {
		if (a[0] == PR_SET_NAME)
			snprintf(out, outlen, "prctl(PR_SET_NAME, %s)", q);
		else
			snprintf(out, outlen, "prctl(%llu, %llu)", (unsigned long long)a[0],
				 (unsigned long long)a[1]);
	} else if (!strcmp(name, "memfd_create") || !strcmp(name, "chroot") ||
		   !strcmp(name, "pivot_root") || !strcmp(name, "umount2") || !strcmp(name, "fsopen")) {
		snprintf(out, outlen, "%s(%s)", name, q);
	} else if (!strcmp(name, "mount") || !strcmp(name, "open_tree") ||
		   !strcmp(name, "move_mount") || !strcmp(name, "finit_module") ||
		   !strcmp(name, "init_module")) {
		snprintf(out, outlen, "%s(..., %s, ...)", name, q);
	} else if (!strcmp(name, "mmap") || !strcmp(name, "mprotect")) {
		snprintf(out, outlen, "%s(%s, len %llu, prot 0x%llx)", name,
			 s->sflags & SP_SF_ANON ? "anonymous" : s->sflags & SP_SF_MEMFD ? "memfd" : "file",
			 (unsigned long long)a[1], (unsigned long long)a[2]);
	} else if (!strcmp(name, "unshare")) {
		clone_flags_str(a[0], q, sizeof(q));
		snprintf(out, outlen, "unshare(%s)", q);
	} else {
		generic_args(name, a, out, outlen);
	}
}

void sys_describe(const struct sp_sys *s, bool compat, char *out, size_t outlen)
{
	const char *name = systab_name((int)s->nr, false);
	char nbuf[32];
	size_t o;

	if (outlen == 0)
		return;
	if (s->sflags & SP_SF_FIRST_COMPAT) {
		const char *cn = systab_name((int)s->cnr, true);

		snprintf(out, outlen, "first 32-bit syscall: %s (i386 #%u)", cn ? cn : "?", s->cnr);
		return;
	}
	if (!name) {
		snprintf(nbuf, sizeof(nbuf), "syscall_%u", s->nr);
		name = nbuf;
	}
	describe_args(s, name, out, outlen);
	o = strlen(out);
	if (o < outlen)
		o += put_ret(out + o, outlen - o, s->ret);
	if (compat && o < outlen)
		snprintf(out + o, outlen - o, " [32-bit #%u]", s->cnr);
}

/* ---------------------------------------------------------------- JSON */

static void jw_kstrn(struct jw *w, const char *k, const char *s, size_t n)
{
	jw_key(w, k);
	jw_strn(w, s, strnlen(s, n));
}

void kevent_stats_json(struct jw *w, const struct sp_stats *st)
{
	jw_key(w, "syscalls");
	jw_obj(w);
	for (unsigned i = 0; i < SP_CAT_MAX; i++)
		jw_kuint(w, sp_cat_name(i), st->sys[i]);
	jw_obj_end(w);
	jw_key(w, "patterns");
	jw_obj(w);
	for (unsigned i = 0; i < SP_NG_MAX; i++)
		jw_kuint(w, sp_ngram_name(i), st->ngram[i]);
	jw_obj_end(w);
	jw_key(w, "opens");
	jw_obj(w);
	for (unsigned i = 0; i < SP_BK_MAX; i++)
		jw_kuint(w, sp_bucket_name(i), st->opens[i]);
	jw_obj_end(w);
	jw_kuint(w, "opens_read", st->opens_read);
	jw_kuint(w, "opens_write", st->opens_write);
	jw_kuint(w, "bytes_sent", st->bytes_sent);
	jw_kuint(w, "bytes_received", st->bytes_recv);
	jw_kdouble(w, "cpu_s", (double)st->cpu_ns / 1e9);
	jw_kuint(w, "rchar", st->rchar);
	jw_kuint(w, "wchar", st->wchar);
	jw_kuint(w, "read_bytes", st->read_bytes);
	jw_kuint(w, "write_bytes", st->write_bytes);
	jw_kuint(w, "forks", st->forks);
	jw_kuint(w, "threads", st->threads);
	jw_kuint(w, "compat_syscalls", st->compat_sys);
}

static void json_exec(struct jw *w, const struct sp_exec *x)
{
	static const struct { uint32_t bit; const char *name; } xf[] = {
		{ SP_XF_WRITTEN, "written_this_session" }, { SP_XF_TMPDIR, "temp_dir" },
		{ SP_XF_WWDIR, "world_writable_dir" }, { SP_XF_OWNDIR, "own_dir" },
		{ SP_XF_HIDDEN, "hidden_path" }, { SP_XF_MEMFD, "memfd" },
		{ SP_XF_EXECVEAT, "execveat" }, { SP_XF_SETID, "setid" }, { SP_XF_ELF32, "elf32" },
	};

	jw_kstrn(w, "filename", x->filename, sizeof(x->filename));
	jw_kstrn(w, "path", x->path, sizeof(x->path));
	jw_key(w, "argv");
	jw_arr(w);
	for (uint32_t i = 0; i < x->argv_len && i < SP_ARGV_MAX;) {
		size_t l = strnlen(x->argv + i, x->argv_len - i);

		jw_strn(w, x->argv + i, l);
		i += (uint32_t)l + 1;
	}
	jw_arr_end(w);
	jw_kbool(w, "argv_truncated", x->argc_trunc);
	jw_kstr(w, "exe_kind", (x->xflags & SP_XF_SCRIPT) ? "script" :
			       !(x->xflags & SP_XF_ELF) ? "other" :
			       (x->xflags & SP_XF_INTERP) ? "elf-dynamic" :
			       (x->xflags & SP_XF_PHDR_UNSEEN) ? "elf-unknown" : "elf-static");
	jw_kstr(w, "ld_preload", x->xflags & SP_XF_PRELOAD ? "shim" :
			       x->xflags & SP_XF_PRELOAD_OTHER ? "other" :
			       x->xflags & SP_XF_ENV_TRUNC ? "unknown" : "none");
	jw_kstr(w, "bucket", sp_bucket_name(x->bucket));
	for (size_t i = 0; i < sizeof(xf) / sizeof(xf[0]); i++)
		if (x->xflags & xf[i].bit)
			jw_kbool(w, xf[i].name, true);
	jw_kuint(w, "ino", x->ino);
	jw_kstrn(w, "cwd_name", x->cwd, sizeof(x->cwd));
}

static void json_net(struct jw *w, const struct sp_net *n)
{
	char buf[80];

	jw_kstr(w, "op", netop_name(n->op));
	jw_kint(w, "fd", n->fd);
	jw_kint(w, "ret", n->ret);
	jw_kuint(w, "family", n->family);
	if (n->op == SP_NOP_SOCKET) {
		jw_kuint(w, "sock_type", n->type);
		jw_kuint(w, "protocol", n->proto);
	}
	if ((n->family == AF_INET || n->family == AF_INET6) && n->op != SP_NOP_SOCKET) {
		format_addr(buf, sizeof(buf), n->family, n->addr, n->port);
		jw_kstr(w, n->op == SP_NOP_BIND || n->op == SP_NOP_LISTEN ? "local" :
			   n->op == SP_NOP_ACCEPT ? "peer" : "dest", buf);
	}
	if (n->nflags & SP_NF_RAW)
		jw_kbool(w, "raw", true);
	if (n->nflags & SP_NF_PACKET)
		jw_kbool(w, "packet", true);
	if (n->op == SP_NOP_LISTEN)
		jw_kuint(w, "backlog", n->arg);
	if (n->op == SP_NOP_SENDTO) {
		jw_kuint(w, "length", n->arg);
		jw_kstr(w, "action", n->action == SP_NET_DENY ? "deny" : "allow");
		if (n->rule != ~0u)
			jw_kuint(w, "net_rule", n->rule);
	}
}

static void json_dns(struct jw *w, const struct sp_dns *d)
{
	char name[DNS_NAME_MAX], buf[80];
	uint16_t qtype = 0;
	size_t n = d->len < SP_DNS_MAX ? d->len : SP_DNS_MAX;
	int r;

	format_addr(buf, sizeof(buf), d->family, d->addr, d->port);
	jw_kstr(w, "server", buf);
	jw_kuint(w, "length", d->len);
	r = dns_question(d->payload, n, name, sizeof(name), &qtype);
	if (r == 0) {
		jw_kstr(w, "qname", name);
		jw_kuint(w, "qtype", qtype);
	} else {
		jw_kstr(w, "qname_error", r == -ENOENT ? "no question" : "malformed or truncated");
	}
}

static void json_sys(struct jw *w, const struct sp_event *e)
{
	const struct sp_sys *s = &e->sys;
	const char *name = systab_name((int)s->nr, false);
	char line[512];

	jw_kstr(w, "syscall", name ? name : "?");
	jw_kuint(w, "nr", s->nr);
	if (e->h.flags & SP_EF_COMPAT)
		jw_kuint(w, "compat_nr", s->cnr);
	sys_describe(s, e->h.flags & SP_EF_COMPAT, line, sizeof(line));
	jw_kstr(w, "call", line);
	jw_kint(w, "ret", s->ret);
	if (s->sflags & (SP_SF_TARGET_KNOWN | SP_SF_TARGET_GROUP))
		jw_kuint(w, "target", s->target_tgid);
	if (s->sflags & SP_SF_TARGET_SUPERVISOR)
		jw_kstr(w, "target_is", "supervisor");
	else if (s->sflags & SP_SF_TARGET_TRACKED)
		jw_kstr(w, "target_is", "tree");
	else if (s->sflags & SP_SF_IN_PIDNS)
		jw_kstr(w, "target_is", s->ret == -ESRCH ? "outside-namespace" : "namespace");
	else if (s->sflags & (SP_SF_TARGET_KNOWN | SP_SF_TARGET_GROUP))
		jw_kstr(w, "target_is", "outside");
	if (s->sflags & SP_SF_TARGET_ALL)
		jw_kbool(w, "target_all", true);
	if (s->str[0])
		jw_kstrn(w, "str", s->str, sizeof(s->str));
}

void kevent_json(struct jw *w, const struct sp_event *e)
{
	char buf[160];

	switch (e->h.kind) {
	case SP_EV_FORK:
		jw_kint(w, "child", e->fork.child_tgid);
		clone_flags_str(e->fork.clone_flags, buf, sizeof(buf));
		jw_kstr(w, "clone_flags", buf);
		if (e->fork.fflags & SP_FF_NEWNS)
			jw_kbool(w, "new_namespaces", true);
		break;
	case SP_EV_EXEC:
		json_exec(w, &e->exec);
		break;
	case SP_EV_EXIT:
		jw_kint(w, "status", e->exit.exit_code);
		jw_key(w, "stats");
		jw_obj(w);
		kevent_stats_json(w, &e->exit.st);
		jw_obj_end(w);
		break;
	case SP_EV_CONNECT:
		jw_kint(w, "family", e->connect.family);
		if (e->connect.family == AF_INET || e->connect.family == AF_INET6) {
			format_addr(buf, sizeof(buf), e->connect.family, e->connect.addr, e->connect.port);
			jw_kstr(w, "dest", buf);
			jw_kstr(w, "action", e->connect.action == SP_NET_DENY ? "deny" : "allow");
			if (e->connect.rule != ~0u)
				jw_kuint(w, "net_rule", e->connect.rule);
		} else if (e->connect.family == AF_UNIX) {
			jw_kstrn(w, "path", e->connect.path, sizeof(e->connect.path));
		}
		jw_kint(w, "ret", e->connect.ret);
		break;
	case SP_EV_OPEN:
		jw_kstrn(w, "path", e->open.path, sizeof(e->open.path));
		jw_kbool(w, "resolved", e->open.oflags & SP_OF_RESOLVED);
		open_flags_str(e->open.flags, buf, sizeof(buf));
		jw_kstr(w, "access", buf);
		jw_kuint(w, "flags", e->open.flags);
		jw_kint(w, "dfd", e->open.dfd);
		jw_kint(w, "ret", e->open.ret);
		jw_kstr(w, "bucket", sp_bucket_name(e->open.bucket));
		if (e->open.oflags & SP_OF_HIDDEN)
			jw_kbool(w, "hidden_path", true);
		if (e->open.oflags & SP_OF_CREATED)
			jw_kbool(w, "created", true);
		if (e->open.proc_pid)
			jw_kuint(w, "proc_pid", e->open.proc_pid);
		if (e->open.oflags & SP_OF_SUPERVISOR)
			jw_kstr(w, "target_is", "supervisor");
		if (e->open.ino)
			jw_kuint(w, "ino", e->open.ino);
		break;
	case SP_EV_FILE:
		jw_kstr(w, "op", fileop_name(e->file.op));
		jw_kstrn(w, "path", e->file.path, sizeof(e->file.path));
		if (e->file.op == SP_FOP_RENAME || e->file.op == SP_FOP_LINK ||
		    e->file.op == SP_FOP_SYMLINK)
			jw_kstrn(w, "path2", e->file.path2, sizeof(e->file.path2));
		if (e->file.op == SP_FOP_CHMOD || e->file.op == SP_FOP_MKDIR ||
		    e->file.op == SP_FOP_MKNOD) {
			snprintf(buf, sizeof(buf), "%04o", e->file.mode & 07777);
			jw_kstr(w, "mode", buf);
		}
		if (e->file.op == SP_FOP_TRUNCATE)
			jw_kuint(w, "size", e->file.size);
		if (e->file.fflags & SP_FL_WRITTEN)
			jw_kbool(w, "written_this_session", true);
		jw_kint(w, "ret", e->file.ret);
		break;
	case SP_EV_NET:
		json_net(w, &e->net);
		break;
	case SP_EV_TCP:
		jw_kstr(w, "from", tcp_state_name(e->tcp.oldstate));
		jw_kstr(w, "to", tcp_state_name(e->tcp.newstate));
		format_addr(buf, sizeof(buf), e->tcp.family, e->tcp.saddr, e->tcp.sport);
		jw_kstr(w, "local", buf);
		format_addr(buf, sizeof(buf), e->tcp.family, e->tcp.daddr, e->tcp.dport);
		jw_kstr(w, "remote", buf);
		break;
	case SP_EV_SYSCALL:
		json_sys(w, e);
		break;
	case SP_EV_DNS:
		json_dns(w, &e->dns);
		break;
	}
}
