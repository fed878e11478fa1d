// SPDX-License-Identifier: MIT
#include "guard/ksensor.h"

#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/btf.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>

#include "bpf/safepip.skel.h"
#include "guard/systab.h"
#include "guard/util.h"

/* The layout the kernel side writes; drift fails the build. */
_Static_assert(sizeof(struct sp_hdr) == SP_HDR_SIZE, "sp_hdr layout");
_Static_assert(offsetof(struct sp_event, fork) == SP_HDR_SIZE, "payload offset");
_Static_assert(sizeof(struct sp_stats) == 296, "sp_stats layout");
_Static_assert(sizeof(struct sp_proc) == 320, "sp_proc layout");
_Static_assert(sizeof(struct sp_file_id) == 16, "sp_file_id layout");
_Static_assert(sizeof(struct sp_sysclass) == 8, "sp_sysclass layout");
_Static_assert(sizeof(struct sp_net_port) == 16, "sp_net_port layout");
_Static_assert(sizeof(struct sp_net_prefix) == 8 + 16 * SP_NET_PORTS, "sp_net_prefix layout");
_Static_assert(sizeof(struct sp_lpm4_key) == 8 && sizeof(struct sp_lpm6_key) == 20, "lpm keys");
_Static_assert(SP_HDR_SIZE + sizeof(struct sp_fork) == SP_EVSZ_FORK, "sp_fork layout");
_Static_assert(SP_HDR_SIZE + sizeof(struct sp_exec) == SP_EVSZ_EXEC, "sp_exec layout");
_Static_assert(SP_HDR_SIZE + sizeof(struct sp_exit) == SP_EVSZ_EXIT, "sp_exit layout");
_Static_assert(SP_HDR_SIZE + sizeof(struct sp_connect) == SP_EVSZ_CONNECT, "sp_connect layout");
_Static_assert(SP_HDR_SIZE + sizeof(struct sp_open) == SP_EVSZ_OPEN, "sp_open layout");
_Static_assert(SP_HDR_SIZE + sizeof(struct sp_file) == SP_EVSZ_FILE, "sp_file layout");
_Static_assert(SP_HDR_SIZE + sizeof(struct sp_net) == SP_EVSZ_NET, "sp_net layout");
_Static_assert(SP_HDR_SIZE + sizeof(struct sp_tcp) == SP_EVSZ_TCP, "sp_tcp layout");
_Static_assert(SP_HDR_SIZE + sizeof(struct sp_sys) == SP_EVSZ_SYSCALL, "sp_sys layout");
_Static_assert(SP_HDR_SIZE + sizeof(struct sp_dns) == SP_EVSZ_DNS, "sp_dns layout");
_Static_assert(sizeof(struct sp_event) == SP_EVENT_SIZE, "sp_event size");

static const uint32_t kind_size[SP_EV_KIND_MAX] = {
	[SP_EV_FORK] = SP_EVSZ_FORK, [SP_EV_EXEC] = SP_EVSZ_EXEC, [SP_EV_EXIT] = SP_EVSZ_EXIT,
	[SP_EV_CONNECT] = SP_EVSZ_CONNECT, [SP_EV_OPEN] = SP_EVSZ_OPEN, [SP_EV_FILE] = SP_EVSZ_FILE,
	[SP_EV_NET] = SP_EVSZ_NET, [SP_EV_TCP] = SP_EVSZ_TCP, [SP_EV_SYSCALL] = SP_EVSZ_SYSCALL,
	[SP_EV_DNS] = SP_EVSZ_DNS,
};

#define KS_NLINKS 8

struct ksensor {
	struct safepip_bpf *skel;
	struct ring_buffer *rb;
	struct bpf_link *links[KS_NLINKS];
	struct bpf_link *cg_links[4];
	ks_record_fn fn;
	void *ctx;
	uint64_t bad_records;
	uint32_t next_rule;
	uint64_t attach_ns;
};

/*
 * Records are checked before anyone reads them: version, a known kind and
 * at least the size of that kind.  A record that fails is counted, never
 * interpreted.
 */
static int on_sample(void *ctx, void *data, size_t size)
{
	struct ksensor *ks = ctx;
	const struct sp_event *e = data;

	if (size < SP_HDR_SIZE || e->h.version != SP_ABI_VERSION || e->h.kind == 0 ||
	    e->h.kind >= SP_EV_KIND_MAX || size < kind_size[e->h.kind]) {
		ks->bad_records++;
		return 0;
	}
	return ks->fn(ks->ctx, e);
}

/* libbpf prints through this; keep its warnings for -vv. */
static int libbpf_log(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG || sp_verbosity < 2)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

/* Our PID namespace level: the number of ids on the NSpid line, minus one. */
static uint32_t own_pid_level(void)
{
	_cleanup_free_ char *st = NULL;
	const char *l;
	uint32_t n = 0;

	if (read_file_max(AT_FDCWD, "/proc/self/status", &st, 1 << 16) < 0)
		return 0;
	l = strstr(st, "\nNSpid:");
	if (!l)
		return 0;
	for (l += 7; *l && *l != '\n'; l++)
		if ((l[0] == ' ' || l[0] == '\t') && l[1] >= '0' && l[1] <= '9')
			n++;
	return n > 0 ? n - 1 : 0;
}

static int configure(struct ksensor *ks, const struct ks_config *cfg, const char **why)
{
	struct safepip_bpf__rodata *ro = ks->skel->rodata;

	ks->skel->data->cfg_enforce = cfg->enforce;
	ro->cfg_supervisor = (uint32_t)getpid();
	ro->cfg_supervisor_pgid = (uint32_t)getpgrp();
	ro->cfg_sup_level = own_pid_level();
	if (cfg->preload) {
		size_t n = strlen(cfg->preload);

		if (n >= SP_PRELOAD_MAX) {
			*why = "configure (shim path too long for)";
			return -ENAMETOOLONG;
		}
		memcpy((char *)ro->cfg_preload, cfg->preload, n);
		ro->cfg_preload_len = (__u32)n;
	}
	return 0;
}

/* The class tables and the network defaults, after load. */
static int fill_maps(struct ksensor *ks, const struct ks_config *cfg)
{
	static struct sp_sysclass tab[SP_SYSNR_MAX];
	struct bpf_map *maps[2] = { ks->skel->maps.sysclass, ks->skel->maps.sysclass32 };
	int r;

	for (int compat = 0; compat < 2; compat++) {
		r = systab_build(compat, tab, SP_SYSNR_MAX);
		if (r < 0)
			return r;
		for (__u32 nr = 0; nr < SP_SYSNR_MAX; nr++) {
			if (!tab[nr].valid)
				continue;
			if (bpf_map__update_elem(maps[compat], &nr, sizeof(nr), &tab[nr], sizeof(tab[nr]),
						 BPF_ANY))
				return -errno;
		}
	}
	for (uint32_t role = 0; role < SP_ROLE_MAX; role++) {
		r = ks_net_default(ks, role, (cfg->deny_inet_roles & (1u << role)) ? SP_NET_DENY :
					     SP_NET_ALLOW);
		if (r < 0)
			return r;
	}
	return 0;
}

/*
 * vmlinux's BTF string table, looked at once: each libbpf lookup parses
 * the whole BTF again (about 10 ms in a fresh process), on the way to
 * pip's start.  Mapped where the kernel allows it (0.2 ms), else read
 * (about 5 ms, a page per read).
 */
struct btf_strings {
	const char *s;
	size_t len;
	void *map;
	size_t map_len;
	char *buf;
};

static void btf_strings_free(struct btf_strings *t)
{
	if (t->map)
		(void)munmap(t->map, t->map_len);
	free(t->buf);
	*t = (struct btf_strings){ 0 };
}

/* sysfs gives at most a page per read */
static bool pread_full(int fd, char *buf, size_t len, off_t off)
{
	while (len > 0) {
		ssize_t n = pread(fd, buf, len, off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		buf += n;
		len -= (size_t)n;
		off += n;
	}
	return true;
}

static bool vmlinux_btf_strings(struct btf_strings *t)
{
	_cleanup_close_ int fd = open("/sys/kernel/btf/vmlinux", O_RDONLY | O_CLOEXEC);
	struct btf_header h;
	struct stat st;
	size_t off;

	*t = (struct btf_strings){ 0 };
	if (fd < 0 || pread(fd, &h, sizeof(h), 0) != (ssize_t)sizeof(h) ||
	    h.magic != BTF_MAGIC || h.hdr_len < sizeof(h) || h.str_len == 0 ||
	    h.str_len > 64u << 20)
		return false;
	off = (size_t)h.hdr_len + h.str_off;
	if (fstat(fd, &st) == 0 && st.st_size > 0 && (size_t)st.st_size >= off + h.str_len) {
		void *m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);

		if (m != MAP_FAILED) {
			t->map = m;
			t->map_len = (size_t)st.st_size;
			t->s = (const char *)m + off;
		}
	}
	if (!t->s) {
		t->buf = malloc(h.str_len);
		if (!t->buf || !pread_full(fd, t->buf, h.str_len, (off_t)off)) {
			btf_strings_free(t);
			return false;
		}
		t->s = t->buf;
	}
	t->len = h.str_len;
	if (t->s[t->len - 1] != '\0') {
		btf_strings_free(t);
		return false;
	}
	return true;
}

/*
 * Does the kernel have raw tracepoint TP?  Its BTF typedef is named
 * btf_trace_TP; without the string table, libbpf looks it up.
 */
static bool has_raw_tracepoint(const struct btf_strings *t, const char *tp)
{
	char name[96];

	if (!t->s)
		return libbpf_find_vmlinux_btf_id(tp, BPF_TRACE_RAW_TP) >= 0;
	snprintf(name, sizeof(name), "btf_trace_%s", tp);
	/* the table is NUL-terminated strings, the last one included */
	for (const char *p = t->s; p < t->s + t->len; p += strlen(p) + 1)
		if (strcmp(p, name) == 0)
			return true;
	return false;
}

/*
 * Byte counters hang on tracepoints of Linux 6.3 (sock_send_length,
 * sock_recv_length): without them the sensor works, bytes sent and
 * received stay 0.
 */
static void optional_programs(struct ksensor *ks)
{
	struct { struct bpf_program *prog; const char *tp; } opt[] = {
		{ ks->skel->progs.sp_send_length, "sock_send_length" },
		{ ks->skel->progs.sp_recv_length, "sock_recv_length" },
	};
	struct btf_strings strs;

	(void)vmlinux_btf_strings(&strs);
	for (size_t i = 0; i < ARRAY_SIZE(opt); i++) {
		if (has_raw_tracepoint(&strs, opt[i].tp))
			continue;
		sp_debug("kernel has no %s tracepoint: no byte counters", opt[i].tp);
		(void)bpf_program__set_autoload(opt[i].prog, false);
	}
	btf_strings_free(&strs);
}

static int attach_tracing(struct ksensor *ks)
{
	struct bpf_program *progs[KS_NLINKS] = {
		ks->skel->progs.sp_fork, ks->skel->progs.sp_exec, ks->skel->progs.sp_exit,
		ks->skel->progs.sp_sys_enter, ks->skel->progs.sp_sys_exit,
		ks->skel->progs.sp_tcp_state, ks->skel->progs.sp_send_length,
		ks->skel->progs.sp_recv_length,
	};

	for (size_t i = 0; i < KS_NLINKS; i++) {
		if (!bpf_program__autoload(progs[i]))
			continue;
		ks->links[i] = bpf_program__attach(progs[i]);
		if (!ks->links[i])
			return -errno;
	}
	return 0;
}

int ks_open(struct ksensor **out, const struct ks_config *cfg, ks_record_fn fn, void *ctx,
	    const char **why)
{
	uint64_t t0 = mono_ns();
	struct ksensor *ks;
	int r;

	libbpf_set_print(libbpf_log);
	ks = calloc(1, sizeof(*ks));
	if (!ks)
		return -ENOMEM;
	ks->fn = fn;
	ks->ctx = ctx;

	*why = "open";
	ks->skel = safepip_bpf__open();
	if (!ks->skel) {
		r = -errno;
		goto fail;
	}
	r = configure(ks, cfg, why);
	if (r < 0)
		goto fail;
	optional_programs(ks);
	*why = "load";
	r = safepip_bpf__load(ks->skel);
	if (r < 0)
		goto fail;
	*why = "fill the maps of";
	r = fill_maps(ks, cfg);
	if (r < 0)
		goto fail;
	/*
	 * Attach only the tracepoints here; the cgroup programs are attached to
	 * the session cgroup by ks_attach_cgroup() when there is one.
	 */
	*why = "attach";
	r = attach_tracing(ks);
	if (r < 0)
		goto fail;
	*why = "ring buffer";
	ks->rb = ring_buffer__new(bpf_map__fd(ks->skel->maps.events), on_sample, ks, NULL);
	if (!ks->rb) {
		r = -errno;
		goto fail;
	}
	ks->attach_ns = mono_ns() - t0;
	*out = ks;
	return 0;
fail:
	ks_close(ks);
	return r < 0 ? r : -EINVAL;
}

struct ks_opening {
	pthread_t thread;
	bool started;
	struct ks_config cfg;
	char preload[SP_PRELOAD_MAX];
	ks_record_fn fn;
	void *ctx;
	struct ksensor *ks;
	const char *why;
	int r;
};

static void *opening_thread(void *arg)
{
	struct ks_opening *o = arg;

	o->r = ks_open(&o->ks, &o->cfg, o->fn, o->ctx, &o->why);
	return NULL;
}

struct ks_opening *ks_open_start(const struct ks_config *cfg, ks_record_fn fn, void *ctx)
{
	struct ks_opening *o = calloc(1, sizeof(*o));

	if (!o)
		return NULL;
	o->cfg = *cfg;
	if (cfg->preload) {
		snprintf(o->preload, sizeof(o->preload), "%s", cfg->preload);
		o->cfg.preload = o->preload;
	}
	o->fn = fn;
	o->ctx = ctx;
	o->why = "";
	o->started = pthread_create(&o->thread, NULL, opening_thread, o) == 0;
	return o;
}

int ks_open_wait(struct ks_opening *o, struct ksensor **out, const char **why)
{
	int r;

	if (!o)
		return -ENOMEM;
	if (o->started)
		(void)pthread_join(o->thread, NULL);
	else
		opening_thread(o);
	*out = o->ks;
	*why = o->why;
	r = o->r;
	free(o);
	return r;
}

void ks_close(struct ksensor *ks)
{
	if (!ks)
		return;
	for (size_t i = 0; i < ARRAY_SIZE(ks->cg_links); i++)
		bpf_link__destroy(ks->cg_links[i]);
	for (size_t i = 0; i < ARRAY_SIZE(ks->links); i++)
		bpf_link__destroy(ks->links[i]);
	ring_buffer__free(ks->rb);
	safepip_bpf__destroy(ks->skel);
	free(ks);
}

int ks_add_interp(struct ksensor *ks, dev_t dev, ino_t ino)
{
	struct sp_file_id id = { .ino = ino, .dev = kernel_dev(dev) };
	__u32 one = 1;

	if (bpf_map__update_elem(ks->skel->maps.interp, &id, sizeof(id), &one, sizeof(one), BPF_ANY))
		return -errno;
	return 0;
}

/*
 * The kernel looks a thread's per-thread state up first at every syscall:
 * a thread without it is not tracked.  Its children get theirs in the fork
 * tracepoint; the first process gets it here, through a pidfd.
 */
static int mark_thread(struct ksensor *ks, pid_t tgid)
{
	const struct bpf_map *m = ks->skel->maps.thr;
	_cleanup_free_ void *zero = calloc(1, bpf_map__value_size(m));
	_cleanup_close_ int pidfd = (int)syscall(SYS_pidfd_open, tgid, 0);

	if (pidfd < 0)
		return -errno;
	if (!zero)
		return -ENOMEM;
	if (bpf_map__update_elem(m, &pidfd, sizeof(pidfd), zero, bpf_map__value_size(m), BPF_NOEXIST))
		return -errno;
	return 0;
}

int ks_track(struct ksensor *ks, pid_t tgid, uint32_t role, uint32_t flags)
{
	struct sp_proc p = { .role = role, .flags = flags, .start_ns = mono_ns() };
	__u32 key = (__u32)tgid;
	int r = mark_thread(ks, tgid);

	if (r < 0)
		return r;
	if (bpf_map__update_elem(ks->skel->maps.tracked, &key, sizeof(key), &p, sizeof(p), BPF_NOEXIST))
		return -errno;
	__atomic_fetch_add(&ks->skel->bss->ntracked, 1, __ATOMIC_SEQ_CST);
	return 0;
}

int ks_attach_cgroup(struct ksensor *ks, int cgroup_fd)
{
	struct bpf_program *progs[] = {
		ks->skel->progs.sp_connect4, ks->skel->progs.sp_connect6,
		ks->skel->progs.sp_sendmsg4, ks->skel->progs.sp_sendmsg6,
	};

	for (size_t i = 0; i < ARRAY_SIZE(progs); i++) {
		ks->cg_links[i] = bpf_program__attach_cgroup(progs[i], cgroup_fd);
		if (!ks->cg_links[i])
			return -errno;
	}
	return 0;
}

/* ------------------------------------------------------- network rules */

static void mask_addr(uint8_t *a, unsigned len, unsigned prefixlen)
{
	for (unsigned i = 0; i < len; i++) {
		unsigned bits = prefixlen > i * 8 ? prefixlen - i * 8 : 0;

		if (bits < 8)
			a[i] &= (uint8_t)(0xff00u >> bits);
	}
}

int ks_net_rule_add(struct ksensor *ks, int family, const void *addr, unsigned prefixlen,
		    uint16_t port_lo, uint16_t port_hi, uint32_t roles_mask, int action)
{
	struct sp_lpm6_key key = { 0 };         /* large enough for both families */
	struct sp_net_prefix rule;
	struct bpf_map *map;
	unsigned alen, maxlen;
	size_t ksize;
	int r;

	if (family == AF_INET) {
		map = ks->skel->maps.net4;
		alen = 4;
		ksize = sizeof(struct sp_lpm4_key);
	} else if (family == AF_INET6) {
		map = ks->skel->maps.net6;
		alen = 16;
		ksize = sizeof(struct sp_lpm6_key);
	} else {
		return -EAFNOSUPPORT;
	}
	maxlen = alen * 8;
	if (!addr || prefixlen > maxlen || port_lo > port_hi || roles_mask == 0 ||
	    (roles_mask >> SP_ROLE_MAX) != 0 || (action != SP_NET_ALLOW && action != SP_NET_DENY))
		return -EINVAL;
	key.prefixlen = prefixlen;
	memcpy(key.addr, addr, alen);
	mask_addr(key.addr, alen, prefixlen);

	/* The exact prefix may exist already: add to its rules. */
	memset(&rule, 0, sizeof(rule));
	r = bpf_map__lookup_elem(map, &key, ksize, &rule, sizeof(rule), 0);
	if (r < 0 || rule.plen != prefixlen) {
		memset(&rule, 0, sizeof(rule));
		rule.plen = prefixlen;
	}
	if (rule.n >= SP_NET_PORTS)
		return -ENOSPC;
	rule.ports[rule.n] = (struct sp_net_port){
		.lo = port_lo, .hi = port_hi, .roles = roles_mask, .action = (uint32_t)action,
		.id = ks->next_rule,
	};
	rule.n++;
	if (bpf_map__update_elem(map, &key, ksize, &rule, sizeof(rule), BPF_ANY))
		return errno == E2BIG ? -ENOSPC : -errno;
	return (int)ks->next_rule++;
}

void ks_set_enforce(struct ksensor *ks, bool enforce)
{
	__atomic_store_n(&ks->skel->data->cfg_enforce, enforce ? 1u : 0u, __ATOMIC_SEQ_CST);
}

int ks_net_default(struct ksensor *ks, uint32_t role, int action)
{
	__u32 a = (uint32_t)action;

	if (role >= SP_ROLE_MAX || (action != SP_NET_ALLOW && action != SP_NET_DENY))
		return -EINVAL;
	if (bpf_map__update_elem(ks->skel->maps.net_default, &role, sizeof(role), &a, sizeof(a),
				 BPF_ANY))
		return -errno;
	return 0;
}

/* ------------------------------------------------------ records, state */

int ks_fd(const struct ksensor *ks)
{
	return ring_buffer__epoll_fd(ks->rb);
}

int ks_consume(struct ksensor *ks)
{
	return ring_buffer__consume(ks->rb);
}

void ks_doom(struct ksensor *ks)
{
	if (!ks->skel->bss->doomed) {
		ks->skel->bss->doomed_ns = mono_ns();
		__atomic_store_n(&ks->skel->bss->doomed, 1, __ATOMIC_SEQ_CST);
	}
}

bool ks_is_doomed(const struct ksensor *ks)
{
	return __atomic_load_n(&ks->skel->bss->doomed, __ATOMIC_SEQ_CST) != 0;
}

uint64_t ks_doomed_ns(const struct ksensor *ks)
{
	return ks->skel->bss->doomed_ns;
}

int ks_kill_tracked(struct ksensor *ks, void (*fn)(void *ctx, pid_t tgid), void *ctx)
{
	const struct bpf_map *m = ks->skel->maps.tracked;
	__u32 key, next;
	int n = 0;
	void *prev = NULL;

	/*
	 * Entries vanish while we walk (exits); get_next_key restarts from the
	 * first key then, which at worst signals a process twice.
	 */
	while (bpf_map__get_next_key(m, prev, &next, sizeof(next)) == 0) {
		if (fn)
			fn(ctx, (pid_t)next);
		if (kill((pid_t)next, SIGKILL) == 0)
			n++;
		key = next;
		prev = &key;
		if (n > SP_TRACKED_MAX * 2)
			break;
	}
	return n;
}

long ks_ntracked(const struct ksensor *ks)
{
	return (long)__atomic_load_n(&ks->skel->bss->ntracked, __ATOMIC_SEQ_CST);
}

uint64_t ks_lost(const struct ksensor *ks)
{
	return ks ? __atomic_load_n(&ks->skel->bss->lost, __ATOMIC_SEQ_CST) : 0;
}

uint64_t ks_lost_kind(const struct ksensor *ks, unsigned kind)
{
	if (!ks || kind >= SP_EV_KIND_MAX)
		return 0;
	return __atomic_load_n(&ks->skel->bss->lost_kind[kind], __ATOMIC_SEQ_CST);
}

uint64_t ks_emitted(const struct ksensor *ks)
{
	return ks ? __atomic_load_n(&ks->skel->bss->emitted, __ATOMIC_SEQ_CST) : 0;
}

uint64_t ks_overflow(const struct ksensor *ks)
{
	return ks ? __atomic_load_n(&ks->skel->bss->overflow, __ATOMIC_SEQ_CST) : 0;
}

uint64_t ks_bad_records(const struct ksensor *ks)
{
	return ks ? ks->bad_records : 0;
}

void ks_deny_info(const struct ksensor *ks, struct ks_deny *out)
{
	const struct safepip_bpf__bss *b = ks->skel->bss;

	out->reason = __atomic_load_n(&b->deny_reason, __ATOMIC_SEQ_CST);
	out->tgid = b->deny_tgid;
	out->rule = b->deny_rule;
	out->target = b->deny_target;
	out->ts_ns = b->deny_ns;
}

int ks_role_stats(const struct ksensor *ks, uint32_t role, struct sp_stats *out)
{
	if (role >= SP_ROLE_MAX)
		return -EINVAL;
	if (bpf_map__lookup_elem(ks->skel->maps.role_stats, &role, sizeof(role), out, sizeof(*out), 0))
		return -errno;
	return 0;
}

uint64_t ks_attach_ns(const struct ksensor *ks)
{
	return ks->attach_ns;
}

uint64_t ks_verified_insns(const struct ksensor *ks)
{
	struct bpf_program *prog;
	uint64_t n = 0;

	bpf_object__for_each_program(prog, ks->skel->obj) {
		struct bpf_prog_info info = { 0 };
		__u32 len = sizeof(info);
		int fd = bpf_program__fd(prog);

		if (fd >= 0 && bpf_obj_get_info_by_fd(fd, &info, &len) == 0)
			n += info.verified_insns;
	}
	return n;
}
