/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Network: the address rules user space loads (longest prefix first, then
 * port range and role), their enforcement at connect/sendto entry and in
 * the cgroup sock_addr hooks (which refuse before the packet leaves),
 * socket/bind/listen/accept records, UDP and DNS destinations, TCP state
 * changes of the session's sockets and bytes sent and received.
 */
#ifndef SAFEPIP_SP_NET_BPF_H
#define SAFEPIP_SP_NET_BPF_H

#define SOCK_STREAM 1
#define SOCK_RAW 3
#define SOCK_TYPE_MASK 0xf
#define IPPROTO_TCP 6
#define TCP_CLOSE 7
#define DNS_PORT 53

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, SP_NET_RULES_MAX);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct sp_lpm4_key);
	__type(value, struct sp_net_prefix);
} net4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, SP_NET_RULES_MAX);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct sp_lpm6_key);
	__type(value, struct sp_net_prefix);
} net6 SEC(".maps");

/* Action per role when no rule matches (enum sp_net_action). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SP_ROLE_MAX);
	__type(key, __u32);
	__type(value, __u32);
} net_default SEC(".maps");

/*
 * TCP sockets created or accepted by the tree, and who owns them: the
 * header of their state records, made when the owner had the socket
 * (state changes happen in softirq too, where the current task is any).
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, SP_SOCKS_MAX);
	__type(key, __u64);
	__type(value, struct sp_hdr);
} socks SEC(".maps");

struct addr6 {
	__u8 a[16];
};

/* The state of a longest-prefix lookup between its bpf_loop() steps. */
struct verdict_ctx {
	struct sp_lpm6_key k;   /* an IPv4 key is the head of it */
	bool v6;
	__u16 port;
	__u32 role;
	__u32 action, rule;
};

struct ports_ctx {
	const struct sp_net_prefix *r;
	__u32 role, port;
	__u32 action, rule;
};

/* One port rule of a prefix per step. */
static long port_step(__u32 j, void *data)
{
	struct ports_ctx *pc = data;
	const struct sp_net_prefix *r = pc->r;
	const struct sp_net_port *pe;

	if (j >= SP_NET_PORTS || j >= r->n)
		return 1;
	pe = &r->ports[j];
	if ((pe->roles & (1u << (pc->role & 31))) && pc->port >= pe->lo && pc->port <= pe->hi) {
		pc->rule = pe->id;
		pc->action = pe->action;
		return 1;
	}
	return 0;
}

/*
 * The action of the first port rule of prefix r that covers port for role,
 * SP_NET_NONE if none; *rule gets its id.  A global function: verified once,
 * not again in each step of the prefix loop (the load time).
 */
__noinline __u32 port_match(const struct sp_net_prefix *r, __u32 role, __u32 port, __u32 *rule)
{
	struct ports_ctx pc = { .r = r, .role = role, .port = port, .action = SP_NET_NONE };

	if (!r || !rule)
		return SP_NET_NONE;
	bpf_loop(SP_NET_PORTS, port_step, &pc, 0);
	if (pc.action != SP_NET_NONE)
		*rule = pc.rule;
	return pc.action;
}

/* One longest-prefix lookup per bpf_loop() step, shorter prefixes next. */
static long verdict_step(__u32 i, void *data)
{
	struct verdict_ctx *c = data;
	struct sp_net_prefix *r;
	__u32 plen;

	r = bpf_map_lookup_elem(c->v6 ? (void *)&net6 : (void *)&net4, &c->k);
	if (!r)
		return 1;
	c->action = port_match(r, c->role, c->port, &c->rule);
	if (c->action != SP_NET_NONE)
		return 1;
	plen = r->plen;
	if (plen == 0 || plen > 128)
		return 1;
	c->k.prefixlen = plen - 1;
	return 0;
}

/* The action of the longest prefix with a rule for role and port, SP_NET_NONE if none. */
__noinline __u32 verdict_lookup(__u32 role, __u32 v6, const struct addr6 *addr, __u16 port,
				__u32 *rule)
{
	struct verdict_ctx c = { .v6 = v6, .port = port, .role = role, .action = SP_NET_NONE };

	if (!addr || !rule)
		return SP_NET_NONE;
	c.k.prefixlen = v6 ? 128 : 32;
	__builtin_memcpy(c.k.addr, addr->a, 16);
	bpf_loop(SP_NET_DEPTH, verdict_step, &c, 0);
	if (c.action != SP_NET_NONE)
		*rule = c.rule;
	return c.action;
}

static __always_inline bool v4_mapped(const __u8 *a)
{
	return *(__u64 *)a == 0 && a[8] == 0 && a[9] == 0 && a[10] == 0xff && a[11] == 0xff;
}

/*
 * What the rules say about role reaching addr:port: the longest matching
 * prefix whose port ranges cover port for the role, else the role's
 * default.  IPv4-mapped IPv6 addresses are judged by the IPv4 rules.
 * *rule gets the matching rule's id, ~0 for the default.
 */
static __always_inline __u32 net_verdict(__u32 role, __u16 family, const __u8 *addr, __u16 port,
					 __u32 *rule)
{
	struct addr6 a6 = {};
	__u32 a, *d;

	*rule = ~0u;
	if (family == AF_INET) {
		__builtin_memcpy(a6.a, addr, 4);
		a = verdict_lookup(role, 0, &a6, port, rule);
	} else if (family == AF_INET6) {
		if (v4_mapped(addr)) {
			__builtin_memcpy(a6.a, addr + 12, 4);
			a = verdict_lookup(role, 0, &a6, port, rule);
		} else {
			__builtin_memcpy(a6.a, addr, 16);
			a = verdict_lookup(role, 1, &a6, port, rule);
		}
	} else {
		return SP_NET_ALLOW;
	}
	if (a != SP_NET_NONE)
		return a;
	*rule = ~0u;
	d = bpf_map_lookup_elem(&net_default, &role);
	return d && *d == SP_NET_DENY ? SP_NET_DENY : SP_NET_ALLOW;
}

/* Read a user sockaddr into family/port/addr (and the AF_UNIX path). */
static __always_inline int read_sockaddr(const void *uaddr, __u32 alen, __u16 *family, __u16 *port,
					 __u8 *addr, char *path)
{
	*family = 0;
	*port = 0;
	if (!uaddr || bpf_probe_read_user(family, sizeof(*family), uaddr))
		return -1;
	if (*family == AF_INET) {
		struct sp_sockaddr_in sin = {};

		bpf_probe_read_user(&sin, sizeof(sin), uaddr);
		*port = bpf_ntohs(sin.port);
		__builtin_memcpy(addr, sin.addr, 4);
	} else if (*family == AF_INET6) {
		struct sp_sockaddr_in6 sin6 = {};

		bpf_probe_read_user(&sin6, sizeof(sin6), uaddr);
		*port = bpf_ntohs(sin6.port);
		__builtin_memcpy(addr, sin6.addr, 16);
	} else if (*family == AF_UNIX && path) {
		if (bpf_probe_read_user(path, 108, (const char *)uaddr + 2) == 0 && path[0] == '\0')
			path[0] = '@';
	}
	return 0;
}

/* The peer (or, for local, the bound address) of a socket. */
static __always_inline void sock_addr_of(struct sock *sk, bool local, __u16 *family, __u16 *port,
					 __u8 *addr)
{
	*family = BPF_CORE_READ(sk, __sk_common.skc_family);
	if (local)
		*port = BPF_CORE_READ(sk, __sk_common.skc_num);
	else
		*port = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
	if (*family == AF_INET) {
		__u32 a = local ? BPF_CORE_READ(sk, __sk_common.skc_rcv_saddr) :
				  BPF_CORE_READ(sk, __sk_common.skc_daddr);

		__builtin_memcpy(addr, &a, 4);
	} else if (*family == AF_INET6) {
		if (local)
			BPF_CORE_READ_INTO(addr, sk, __sk_common.skc_v6_rcv_saddr);
		else
			BPF_CORE_READ_INTO(addr, sk, __sk_common.skc_v6_daddr);
	}
}

/* Apply a deny at syscall entry: refuse (cgroup hook) and kill the caller. */
static __always_inline void net_deny(__u32 tgid, __u32 rule)
{
	note_deny(SP_DENY_NET, tgid, rule, 0);
	if (cfg_enforce) {
		doom();
		bpf_send_signal(SIGKILL);
	}
}

__noinline int connect_enter(struct sp_proc *p, struct sp_thread *t, __u32 tgid)
{
	__u32 rule = ~0u;

	if (!p || !t)
		return 0;
	t->action = SP_NET_NONE;
	t->rule = ~0u;
	t->path[0] = '\0';
	__builtin_memset(t->addr, 0, sizeof(t->addr));
	if (read_sockaddr((const void *)t->args[1], t->args[2], &t->family, &t->port, t->addr,
			  t->path))
		return 0;
	if (t->family != AF_INET && t->family != AF_INET6)
		return 0;
	t->action = net_verdict(p->role, t->family, t->addr, t->port, &rule);
	t->rule = rule;
	if (t->action == SP_NET_DENY)
		net_deny(tgid, rule);
	return 0;
}

__noinline int connect_exit(struct sp_proc *p, struct sp_thread *t, long ret)
{
	struct sp_event *e;

	if (!p || !t)
		return 0;
	e = EV_NEW(SP_EV_CONNECT, SP_EVSZ_CONNECT, p);
	if (!e)
		return 0;
	/* The attempt is what counts: detection latency is measured from it. */
	if (t->enter_ns)
		e->h.ts_ns = t->enter_ns;
	e->connect.family = t->family;
	e->connect.port = t->port;
	e->connect.fd = t->args[0];
	__builtin_memcpy(e->connect.addr, t->addr, 16);
	__builtin_memcpy(e->connect.path, t->path, sizeof(e->connect.path));
	e->connect.ret = ret;
	e->connect.action = t->action;
	e->connect.rule = t->rule;
	e->connect.pad = 0;
	if (t->action == SP_NET_DENY)
		e->h.flags |= SP_EF_DENIED;
	if (t->compat)
		e->h.flags |= SP_EF_COMPAT;
	ev_submit(e);
	return 0;
}

/* Follow a TCP socket of the current task's (its state changes happen in softirq too). */
static __always_inline void follow_sock(struct sock *sk, __u32 role)
{
	struct sp_hdr o = {};
	__u64 key = (__u64)sk;

	if (!sk || BPF_CORE_READ(sk, sk_protocol) != IPPROTO_TCP)
		return;
	ev_head(&o, SP_EV_TCP, role);
	bpf_map_update_elem(&socks, &key, &o, BPF_ANY);
}

__noinline int sockop_exit(struct sp_proc *p, struct sp_thread *t, __u32 op, long ret)
{
	struct task_struct *task = current_task();
	struct sp_event *e;
	struct sock *sk = NULL;
	__u16 family = 0, port = 0;

	if (!p || !t)
		return 0;
	e = EV_NEW(SP_EV_NET, SP_EVSZ_NET, p);
	if (!e)
		return 0;
	e->net.op = op;
	e->net.ret = ret;
	e->net.type = 0;
	e->net.proto = 0;
	e->net.nflags = 0;
	e->net.arg = 0;
	e->net.action = 0;
	e->net.rule = 0;
	__builtin_memset(e->net.addr, 0, sizeof(e->net.addr));
	e->net.fd = op == SP_NOP_SOCKET ? ret : (int)t->args[0];
	switch (op) {
	case SP_NOP_SOCKET:
		family = t->args[0];
		e->net.type = t->args[1] & SOCK_TYPE_MASK;
		e->net.proto = t->args[2];
		if (e->net.type == SOCK_RAW)
			e->net.nflags |= SP_NF_RAW;
		if (family == AF_PACKET)
			e->net.nflags |= SP_NF_RAW | SP_NF_PACKET;
		if (ret >= 0 && (family == AF_INET || family == AF_INET6) &&
		    e->net.type == SOCK_STREAM)
			follow_sock(file_sock(fd_file(task, ret)), p->role);
		break;
	case SP_NOP_BIND:
		family = t->family;
		port = t->port;
		__builtin_memcpy(e->net.addr, t->addr, 16);
		break;
	case SP_NOP_LISTEN:
		e->net.arg = t->args[1];
		sk = file_sock(fd_file(task, (int)t->args[0]));
		if (sk)
			sock_addr_of(sk, true, &family, &port, e->net.addr);
		break;
	case SP_NOP_ACCEPT:
		if (ret >= 0) {
			sk = file_sock(fd_file(task, ret));
			if (sk) {
				sock_addr_of(sk, false, &family, &port, e->net.addr);
				e->net.nflags |= SP_NF_PEER;
				follow_sock(sk, p->role);
			}
		}
		break;
	}
	e->net.family = family;
	e->net.port = port;
	if (t->compat)
		e->h.flags |= SP_EF_COMPAT;
	ev_submit(e);
	return 0;
}

/* The head of a datagram to port 53. */
static __always_inline void emit_dns(struct sp_proc *p, struct task_struct *task, long fd,
				     __u16 family, __u16 port, const __u8 *addr, const void *buf,
				     __u64 len)
{
	struct sp_event *e = EV_NEW(SP_EV_DNS, SP_EVSZ_DNS, p);
	__u32 n = len > SP_DNS_MAX ? SP_DNS_MAX : len;

	if (!e)
		return;
	e->dns.fd = fd;
	e->dns.family = family;
	e->dns.port = port;
	__builtin_memcpy(e->dns.addr, addr, 16);
	e->dns.len = len > 0xffffffffull ? 0xffffffffu : len;
	e->dns.pad = 0;
	barrier_var(n);
	if (n == 0 || n > SP_DNS_MAX || !buf || bpf_probe_read_user(e->dns.payload, n, buf))
		e->dns.len = 0;
	ev_submit(e);
}

/*
 * A send with a destination (sendto, sendmsg, sendmmsg): judged like a
 * connect, reported once per process and destination; a datagram to port
 * 53, with or without a destination (a connected socket), is reported
 * with its head so that the queried name can be read.
 */
struct send_args {
	long fd;
	const void *uaddr;
	__u32 alen;
	bool compat;
	const void *buf;
	__u64 len;
};

__noinline int send_enter(struct sp_proc *p, const struct send_args *sa)
{
	struct task_struct *task = current_task();
	__u32 tgid = BPF_CORE_READ(task, tgid), one = 1, action, rule = ~0u, alen;
	const void *uaddr, *buf;
	struct sp_seen_key k = {};
	__u16 family = 0, port = 0;
	__u8 addr[16] = {};
	struct sp_event *e;
	bool compat;
	__u64 len;
	long fd;

	if (!p || !sa)
		return 0;
	fd = sa->fd;
	uaddr = sa->uaddr;
	buf = sa->buf;
	alen = sa->alen;
	len = sa->len;
	compat = sa->compat;
	if (!uaddr) {
		struct sock *sk = file_sock(fd_file(task, fd));

		if (!sk)
			return 0;
		sock_addr_of(sk, false, &family, &port, addr);
		if (port == DNS_PORT && (family == AF_INET || family == AF_INET6))
			emit_dns(p, task, fd, family, port, addr, buf, len);
		return 0;
	}
	if (read_sockaddr(uaddr, alen, &family, &port, addr, NULL))
		return 0;
	if (family != AF_INET && family != AF_INET6)
		return 0;
	action = net_verdict(p->role, family, addr, port, &rule);
	if (action == SP_NET_DENY)
		net_deny(tgid, rule);
	if (port == DNS_PORT)
		emit_dns(p, task, fd, family, port, addr, buf, len);
	k.tgid = tgid;
	k.what = 2u << 24 | family;
	k.obj = (*(__u64 *)addr ^ *(__u64 *)(addr + 8)) * 31 + port;
	if (action != SP_NET_DENY && bpf_map_update_elem(&seen, &k, &one, BPF_NOEXIST))
		return 0;
	e = EV_NEW(SP_EV_NET, SP_EVSZ_NET, p);
	if (!e)
		return 0;
	e->net.op = SP_NOP_SENDTO;
	e->net.fd = fd;
	e->net.ret = 0;
	e->net.family = family;
	e->net.port = port;
	e->net.type = 0;
	e->net.proto = 0;
	e->net.nflags = 0;
	e->net.arg = len > 0xffffffffull ? 0xffffffffu : len;
	__builtin_memcpy(e->net.addr, addr, 16);
	e->net.action = action;
	e->net.rule = rule;
	if (action == SP_NET_DENY)
		e->h.flags |= SP_EF_DENIED;
	if (compat)
		e->h.flags |= SP_EF_COMPAT;
	ev_submit(e);
	return 0;
}

/* sendmsg/sendmmsg: the destination and first buffer of the (first) message. */
__noinline int sendmsg_enter(struct sp_proc *p, long fd, __u64 umsg)
{
	struct sp_msghdr m = {};
	struct sp_iovec iov = {};
	struct send_args sa = { .fd = fd };

	if (!p || bpf_probe_read_user(&m, sizeof(m), (const void *)umsg))
		return 0;
	if (m.iovlen > 0)
		bpf_probe_read_user(&iov, sizeof(iov), (const void *)m.iov);
	sa.uaddr = (const void *)m.name;
	sa.alen = m.namelen;
	sa.buf = (const void *)iov.base;
	sa.len = iov.len;
	return send_enter(p, &sa);
}

/* ------------------------------------------------- socket tracepoints */

SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(sp_tcp_state, const struct sock *sk, const int oldstate, const int newstate)
{
	__u64 key = (__u64)sk;
	struct sp_hdr *o = bpf_map_lookup_elem(&socks, &key);
	struct sp_event *e;
	__u16 family;

	if (!o)
		return 0;
	e = bpf_ringbuf_reserve(&events, SP_EVSZ_TCP, 0);
	if (!e) {
		__sync_fetch_and_add(&lost, 1);
		__sync_fetch_and_add(&lost_kind[SP_EV_TCP], 1);
		goto out;
	}
	e->h = *o;
	e->h.flags = doomed ? SP_EF_DOOMED : 0;
	e->h.ts_ns = bpf_ktime_get_ns();
	family = BPF_CORE_READ(sk, __sk_common.skc_family);
	e->tcp.oldstate = oldstate;
	e->tcp.newstate = newstate;
	e->tcp.family = family;
	e->tcp.sport = BPF_CORE_READ(sk, __sk_common.skc_num);
	e->tcp.dport = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
	e->tcp.pad = 0;
	__builtin_memset(e->tcp.saddr, 0, 16);
	__builtin_memset(e->tcp.daddr, 0, 16);
	if (family == AF_INET) {
		__u32 s = BPF_CORE_READ(sk, __sk_common.skc_rcv_saddr);
		__u32 d = BPF_CORE_READ(sk, __sk_common.skc_daddr);

		__builtin_memcpy(e->tcp.saddr, &s, 4);
		__builtin_memcpy(e->tcp.daddr, &d, 4);
	} else {
		BPF_CORE_READ_INTO(&e->tcp.saddr, sk, __sk_common.skc_v6_rcv_saddr);
		BPF_CORE_READ_INTO(&e->tcp.daddr, sk, __sk_common.skc_v6_daddr);
	}
	ev_submit(e);
out:
	if (newstate == TCP_CLOSE)
		bpf_map_delete_elem(&socks, &key);
	return 0;
}

static __always_inline void count_bytes(struct sock *sk, int ret, bool sent)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	struct sp_proc *p;
	__u16 family;

	if (ret <= 0)
		return;
	p = bpf_map_lookup_elem(&tracked, &tgid);
	if (!p)
		return;
	family = BPF_CORE_READ(sk, __sk_common.skc_family);
	if (family != AF_INET && family != AF_INET6)
		return;
	if (sent)
		__sync_fetch_and_add(&p->st.bytes_sent, ret);
	else
		__sync_fetch_and_add(&p->st.bytes_recv, ret);
}

SEC("tp_btf/sock_send_length")
int BPF_PROG(sp_send_length, struct sock *sk, int ret, int flags)
{
	count_bytes(sk, ret, true);
	return 0;
}

SEC("tp_btf/sock_recv_length")
int BPF_PROG(sp_recv_length, struct sock *sk, int ret, int flags)
{
	count_bytes(sk, ret, false);
	return 0;
}

/* ---------------------------------------------------- cgroup sock_addr */

/*
 * Deny before the packet leaves.  Attached to the session cgroup when one
 * can be made; the syscall path kills the caller either way.  This hook
 * also sees what no syscall record does (io_uring connects), so a deny
 * decided here first dooms the session and reports itself.  Returning 0
 * refuses the call with EPERM.
 */
static __always_inline int sock_hook(struct bpf_sock_addr *sa, __u16 family)
{
	const struct sp_sock_addr *ctx = (const void *)sa;
	__u32 tgid = bpf_get_current_pid_tgid() >> 32, rule = ~0u, a;
	struct sp_proc *p = bpf_map_lookup_elem(&tracked, &tgid);
	struct sp_event *e;
	__u8 addr[16] = {};
	__u16 port;

	if (!p)
		return 1;
	if (doomed)
		return 0;
	if (family == AF_INET) {
		__u32 a4 = ctx->user_ip4;

		__builtin_memcpy(addr, &a4, 4);
	} else {
		__u32 a6[4];

		a6[0] = ctx->user_ip6[0];
		a6[1] = ctx->user_ip6[1];
		a6[2] = ctx->user_ip6[2];
		a6[3] = ctx->user_ip6[3];
		__builtin_memcpy(addr, a6, 16);
	}
	port = bpf_ntohs((__u16)ctx->user_port);
	a = net_verdict(p->role, family, addr, port, &rule);
	if (a != SP_NET_DENY || !cfg_enforce)
		return 1;
	note_deny(SP_DENY_NET, tgid, rule, 0);
	doom();
	e = EV_NEW(SP_EV_CONNECT, SP_EVSZ_CONNECT, p);
	if (e) {
		e->h.flags |= SP_EF_DENIED | SP_EF_CGROUP;
		e->connect.family = family;
		e->connect.port = port;
		e->connect.fd = ~0u;
		__builtin_memcpy(e->connect.addr, addr, 16);
		e->connect.path[0] = '\0';
		e->connect.ret = -1;    /* EPERM */
		e->connect.action = SP_NET_DENY;
		e->connect.rule = rule;
		e->connect.pad = 0;
		ev_submit(e);
	}
	return 0;
}

SEC("cgroup/connect4")
int sp_connect4(struct bpf_sock_addr *ctx)
{
	return sock_hook(ctx, AF_INET);
}

SEC("cgroup/connect6")
int sp_connect6(struct bpf_sock_addr *ctx)
{
	return sock_hook(ctx, AF_INET6);
}

SEC("cgroup/sendmsg4")
int sp_sendmsg4(struct bpf_sock_addr *ctx)
{
	return sock_hook(ctx, AF_INET);
}

SEC("cgroup/sendmsg6")
int sp_sendmsg6(struct bpf_sock_addr *ctx)
{
	return sock_hook(ctx, AF_INET6);
}

#endif
