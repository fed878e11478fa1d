// SPDX-License-Identifier: MIT
/*
 * Hooks: connect, sendto/sendmsg with a destination, and name lookups.
 *
 * Built without _GNU_SOURCE on purpose: glibc then declares connect() and
 * friends with plain struct sockaddr pointers instead of the transparent
 * unions, and the definitions below match the declarations exactly.
 *
 * The kernel sees addresses but never names: a lookup is reported before
 * it runs (and asked about when the configuration names the host), then
 * again with the addresses it returned, so that the supervisor can name
 * the destinations of later connects.
 */
#undef _GNU_SOURCE
#define _DEFAULT_SOURCE 1

#include "preload/shim_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

/* ------------------------------------------------------------- addresses */

static void fill_addr(struct shim_connect *c, const struct sockaddr *sa, socklen_t len)
{
	struct sockaddr_storage ss;

	memset(&ss, 0, sizeof(ss));
	memcpy(&ss, sa, len < sizeof(ss) ? len : sizeof(ss));
	c->family = ss.ss_family;
	if (ss.ss_family == AF_INET && len >= sizeof(struct sockaddr_in)) {
		const struct sockaddr_in *in = (const void *)&ss;

		c->port = ntohs(in->sin_port);
		memcpy(c->addr, &in->sin_addr, 4);
	} else if (ss.ss_family == AF_INET6 && len >= sizeof(struct sockaddr_in6)) {
		const struct sockaddr_in6 *in6 = (const void *)&ss;

		c->port = ntohs(in6->sin6_port);
		memcpy(c->addr, &in6->sin6_addr, 16);
	} else if (ss.ss_family == AF_UNIX && len > offsetof(struct sockaddr_un, sun_path)) {
		const struct sockaddr_un *un = (const void *)&ss;
		size_t n = len - offsetof(struct sockaddr_un, sun_path);

		if (n > sizeof(un->sun_path))
			n = sizeof(un->sun_path);
		if (n > sizeof(c->path) - 1)
			n = sizeof(c->path) - 1;
		memcpy(c->path, un->sun_path, n);
		if (c->path[0] == '\0' && n > 1) {
			/* abstract: "@name", stops at the first NUL */
			c->path[0] = '@';
			for (size_t i = 1; i < n; i++)
				if (c->path[i] == '\0')
					c->path[i] = '@';
		}
		c->path[n] = '\0';
	}
}

static bool reported_family(const struct sockaddr *sa, socklen_t len)
{
	if (!sa || len < sizeof(sa_family_t))
		return false;
	return sa->sa_family == AF_INET || sa->sa_family == AF_INET6 ||
	       sa->sa_family == AF_UNIX;
}

static void net_report(uint32_t call, int fd, const struct sockaddr *sa, socklen_t len)
{
	struct shim_rec r;
	socklen_t tl = sizeof(int);
	int saved, type = 0;

	if (!reported_family(sa, len) || !shim_enter())
		return;
	saved = errno;
	shim_rec_init(&r, SHIM_EV_CONNECT, call, PYC_NET);
	r.connect.fd = fd;
	fill_addr(&r.connect, sa, len);
	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tl) == 0)
		r.connect.socktype = (uint32_t)type;
	if (call == SHIM_CALL_CONNECT)
		shim_stack_fill(&r);
	shim_send(&r);
	shim_leave();
	errno = saved;
}

SHIM_EXPORT int connect(int fd, const struct sockaddr *addr, socklen_t len)
{
	net_report(SHIM_CALL_CONNECT, fd, addr, len);
	if (SHIM_UNLIKELY(!real.connect)) {
		shim_resolve();
		if (!real.connect) {
			errno = ENOSYS;
			return -1;
		}
	}
	return real.connect(fd, addr, len);
}

SHIM_EXPORT ssize_t sendto(int fd, const void *buf, size_t n, int flags,
			   const struct sockaddr *addr, socklen_t len)
{
	if (addr)
		net_report(SHIM_CALL_SENDTO, fd, addr, len);
	if (SHIM_UNLIKELY(!real.sendto)) {
		shim_resolve();
		if (!real.sendto) {
			errno = ENOSYS;
			return -1;
		}
	}
	return real.sendto(fd, buf, n, flags, addr, len);
}

SHIM_EXPORT ssize_t sendmsg(int fd, const struct msghdr *msg, int flags)
{
	if (msg && msg->msg_name)
		net_report(SHIM_CALL_SENDMSG, fd, msg->msg_name, msg->msg_namelen);
	if (SHIM_UNLIKELY(!real.sendmsg)) {
		shim_resolve();
		if (!real.sendmsg) {
			errno = ENOSYS;
			return -1;
		}
	}
	return real.sendmsg(fd, msg, flags);
}

/* --------------------------------------------------------------- lookups */

/* The lookup, before it runs; 0 to go on, else the errno to fail with. */
static int dns_query(uint32_t call, const char *host, bool may_ask)
{
	struct shim_rec r;
	int saved, err;
	bool ask;

	if (!host || !shim_enter())
		return 0;
	saved = errno;
	shim_rec_init(&r, SHIM_EV_DNS, call, PYC_DNS);
	if (shim_copy(r.dns.host, sizeof(r.dns.host), host))
		r.h.flags |= SHIM_F_TRUNC;
	ask = may_ask && shim_cfg_wants_host(shim.cfg, host);
	err = shim_report(&r, ask);
	shim_leave();
	errno = saved;
	return err;
}

static void add_addr(struct shim_dns *d, int family, const void *addr)
{
	size_t n = family == AF_INET ? 4 : 16;

	if (d->naddr >= SHIM_DNS_ADDRS || (family != AF_INET && family != AF_INET6))
		return;
	for (uint32_t i = 0; i < d->naddr; i++)
		if (d->addr[i].family == family && memcmp(d->addr[i].addr, addr, n) == 0)
			return;
	d->addr[d->naddr].family = (uint16_t)family;
	memcpy(d->addr[d->naddr].addr, addr, n);
	d->naddr++;
}

/* The lookup's outcome, after it ran: its addresses, for naming connects. */
static void dns_result(uint32_t call, const char *host, int status, const struct addrinfo *ai,
		       const struct hostent *he)
{
	struct shim_rec r;
	int saved;

	if (!host || !shim_enter())
		return;
	saved = errno;
	shim_rec_init(&r, SHIM_EV_DNS, call, 0);
	r.h.flags |= SHIM_F_RESULT;
	r.h.result = status;
	r.dns.status = status;
	shim_copy(r.dns.host, sizeof(r.dns.host), host);
	for (; ai; ai = ai->ai_next) {
		if (!ai->ai_addr)
			continue;
		if (ai->ai_family == AF_INET && ai->ai_addrlen >= sizeof(struct sockaddr_in))
			add_addr(&r.dns, AF_INET, &((const struct sockaddr_in *)ai->ai_addr)->sin_addr);
		else if (ai->ai_family == AF_INET6 && ai->ai_addrlen >= sizeof(struct sockaddr_in6))
			add_addr(&r.dns, AF_INET6,
				 &((const struct sockaddr_in6 *)ai->ai_addr)->sin6_addr);
	}
	if (he && he->h_addr_list && (he->h_addrtype == AF_INET || he->h_addrtype == AF_INET6))
		for (int i = 0; he->h_addr_list[i]; i++)
			add_addr(&r.dns, he->h_addrtype, he->h_addr_list[i]);
	shim_send(&r);
	shim_leave();
	errno = saved;
}

SHIM_EXPORT int getaddrinfo(const char *node, const char *service, const struct addrinfo *hints,
			    struct addrinfo **res)
{
	int err = dns_query(SHIM_CALL_GETADDRINFO, node, true), r;

	if (err) {
		errno = err;
		return EAI_SYSTEM;
	}
	NEED(getaddrinfo, EAI_SYSTEM);
	r = real.getaddrinfo(node, service, hints, res);
	dns_result(SHIM_CALL_GETADDRINFO, node, r, r == 0 && res ? *res : NULL, NULL);
	return r;
}

SHIM_EXPORT struct hostent *gethostbyname(const char *name)
{
	struct hostent *he;
	int err = dns_query(SHIM_CALL_GETHOSTBYNAME, name, true);

	if (err) {
		h_errno = NETDB_INTERNAL;
		errno = err;
		return NULL;
	}
	NEED(gethostbyname, NULL);
	he = real.gethostbyname(name);
	dns_result(SHIM_CALL_GETHOSTBYNAME, name, he ? 0 : h_errno, NULL, he);
	return he;
}

SHIM_EXPORT struct hostent *gethostbyname2(const char *name, int af)
{
	struct hostent *he;
	int err = dns_query(SHIM_CALL_GETHOSTBYNAME2, name, true);

	if (err) {
		h_errno = NETDB_INTERNAL;
		errno = err;
		return NULL;
	}
	NEED(gethostbyname2, NULL);
	he = real.gethostbyname2(name, af);
	dns_result(SHIM_CALL_GETHOSTBYNAME2, name, he ? 0 : h_errno, NULL, he);
	return he;
}

SHIM_EXPORT int gethostbyname_r(const char *name, struct hostent *ret, char *buf, size_t buflen,
				struct hostent **result, int *h_errnop)
{
	int err = dns_query(SHIM_CALL_GETHOSTBYNAME_R, name, true), r;

	if (err) {
		if (result)
			*result = NULL;
		if (h_errnop)
			*h_errnop = NETDB_INTERNAL;
		errno = err;
		return err;
	}
	NEED(gethostbyname_r, ENOSYS);
	r = real.gethostbyname_r(name, ret, buf, buflen, result, h_errnop);
	dns_result(SHIM_CALL_GETHOSTBYNAME_R, name, r ? r : (result && *result ? 0 : -1), NULL,
		   result ? *result : NULL);
	return r;
}

SHIM_EXPORT int gethostbyname2_r(const char *name, int af, struct hostent *ret, char *buf,
				 size_t buflen, struct hostent **result, int *h_errnop)
{
	int err = dns_query(SHIM_CALL_GETHOSTBYNAME2_R, name, true), r;

	if (err) {
		if (result)
			*result = NULL;
		if (h_errnop)
			*h_errnop = NETDB_INTERNAL;
		errno = err;
		return err;
	}
	NEED(gethostbyname2_r, ENOSYS);
	r = real.gethostbyname2_r(name, af, ret, buf, buflen, result, h_errnop);
	dns_result(SHIM_CALL_GETHOSTBYNAME2_R, name, r ? r : (result && *result ? 0 : -1), NULL,
		   result ? *result : NULL);
	return r;
}

/* Reverse lookups: reported (the resolver talks to the network), never asked. */
static void addr_text(char *out, size_t size, int af, const void *addr)
{
	out[0] = '\0';
	if (af == AF_INET || af == AF_INET6)
		(void)inet_ntop(af, addr, out, (socklen_t)size);
}

SHIM_EXPORT struct hostent *gethostbyaddr(const void *addr, socklen_t len, int type)
{
	char text[INET6_ADDRSTRLEN];

	if (addr && ((type == AF_INET && len >= 4) || (type == AF_INET6 && len >= 16))) {
		addr_text(text, sizeof(text), type, addr);
		(void)dns_query(SHIM_CALL_GETHOSTBYADDR, text, false);
	}
	NEED(gethostbyaddr, NULL);
	return real.gethostbyaddr(addr, len, type);
}

SHIM_EXPORT int getnameinfo(const struct sockaddr *sa, socklen_t salen, char *host,
			    socklen_t hostlen, char *serv, socklen_t servlen, int flags)
{
	char text[INET6_ADDRSTRLEN];

	if (host && !(flags & NI_NUMERICHOST) && sa && salen >= sizeof(struct sockaddr_in)) {
		if (sa->sa_family == AF_INET)
			addr_text(text, sizeof(text), AF_INET,
				  &((const struct sockaddr_in *)(const void *)sa)->sin_addr);
		else if (sa->sa_family == AF_INET6 && salen >= sizeof(struct sockaddr_in6))
			addr_text(text, sizeof(text), AF_INET6,
				  &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr);
		else
			text[0] = '\0';
		if (text[0])
			(void)dns_query(SHIM_CALL_GETNAMEINFO, text, false);
	}
	NEED(getnameinfo, EAI_SYSTEM);
	return real.getnameinfo(sa, salen, host, hostlen, serv, servlen, flags);
}
