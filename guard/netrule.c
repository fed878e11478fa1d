// SPDX-License-Identifier: MIT
#include "guard/netrule.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "bpf/sp_event.h"
#include "guard/ksensor.h"
#include "guard/util.h"

static int fail(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* A decimal number in [0, max] that is all of s. */
static int number(const char *s, unsigned long max, unsigned long *out)
{
	char *end;

	if (!*s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	*out = strtoul(s, &end, 10);
	if (errno || *end || *out > max)
		return -EINVAL;
	return 0;
}

/* "pip,build": every element must be a role; empty ones are an error. */
static int parse_roles(char *s, uint32_t *roles)
{
	*roles = 0;
	for (char *tok = s, *next; tok; tok = next) {
		next = strchr(tok, ',');
		if (next)
			*next++ = '\0';
		if (!strcmp(tok, "pip"))
			*roles |= 1u << SP_ROLE_PIP;
		else if (!strcmp(tok, "build"))
			*roles |= 1u << SP_ROLE_BUILD;
		else if (!strcmp(tok, "any"))
			*roles |= (1u << SP_ROLE_MAX) - 1;
		else
			return -EINVAL;
	}
	return *roles ? 0 : -EINVAL;
}

static int parse_ports(const char *s, struct netrule *r)
{
	char buf[16];
	const char *dash = strchr(s, '-');
	unsigned long lo, hi;

	if (strlen(s) >= sizeof(buf))
		return -EINVAL;
	if (!dash) {
		if (number(s, 65535, &lo) < 0)
			return -EINVAL;
		hi = lo;
	} else {
		memcpy(buf, s, (size_t)(dash - s));
		buf[dash - s] = '\0';
		if (number(buf, 65535, &lo) < 0 || number(dash + 1, 65535, &hi) < 0 || lo > hi)
			return -EINVAL;
	}
	r->port_lo = (uint16_t)lo;
	r->port_hi = (uint16_t)hi;
	return 0;
}

/* ADDRESS[/PREFIX] from s (an IPv6 address without its brackets). */
static int parse_addr(char *s, bool v6, struct netrule *r)
{
	char *slash = strchr(s, '/');
	unsigned long len;

	if (slash)
		*slash = '\0';
	r->family = v6 ? AF_INET6 : AF_INET;
	if (inet_pton(r->family, s, r->addr) != 1)
		return -EINVAL;
	r->prefixlen = v6 ? 128 : 32;
	if (slash) {
		if (number(slash + 1, r->prefixlen, &len) < 0)
			return -EINVAL;
		r->prefixlen = (unsigned)len;
	}
	return 0;
}

int netrule_parse(const char *spec, struct netrule *r, char *err, size_t errlen)
{
	char buf[NETRULE_SPEC_MAX], *roles, *addr, *ports = NULL, *c;

	memset(r, 0, sizeof(*r));
	r->port_hi = 65535;
	if (!spec || strlen(spec) >= sizeof(buf))
		return fail(err, errlen, "%s", "a rule is at most 127 bytes");
	strcpy(buf, spec);
	c = strchr(buf, ':');
	if (!c)
		return fail(err, errlen, "%s", "expected ACTION:ROLES:ADDRESS[/PREFIX][:PORTS]");
	*c = '\0';
	roles = c + 1;
	if (!strcmp(buf, "allow"))
		r->action = SP_NET_ALLOW;
	else if (!strcmp(buf, "deny"))
		r->action = SP_NET_DENY;
	else
		return fail(err, errlen, "unknown action '%s' (allow or deny)", buf);
	c = strchr(roles, ':');
	if (!c)
		return fail(err, errlen, "%s", "expected ACTION:ROLES:ADDRESS[/PREFIX][:PORTS]");
	*c = '\0';
	addr = c + 1;
	if (parse_roles(roles, &r->roles) < 0)
		return fail(err, errlen, "%s", "roles are pip, build or any, comma-separated");
	if (addr[0] == '[') {
		c = strchr(addr, ']');
		if (!c)
			return fail(err, errlen, "%s", "an IPv6 address ends with ']'");
		*c = '\0';
		if (c[1] == ':')
			ports = c + 2;
		else if (c[1] == '/') {
			/* [addr]/len[:ports] */
			char *p = strchr(c + 2, ':');

			if (p) {
				*p = '\0';
				ports = p + 1;
			}
			memmove(c, c + 1, strlen(c + 1) + 1);
		} else if (c[1])
			return fail(err, errlen, "%s", "unexpected text after the IPv6 address");
		if (parse_addr(addr + 1, true, r) < 0)
			return fail(err, errlen, "bad IPv6 address or prefix '%s'", addr + 1);
	} else {
		c = strchr(addr, ':');
		if (c) {
			*c = '\0';
			ports = c + 1;
		}
		if (parse_addr(addr, false, r) < 0)
			return fail(err, errlen, "bad IPv4 address or prefix '%s' (IPv6 goes in brackets)",
				    addr);
	}
	if (ports && parse_ports(ports, r) < 0)
		return fail(err, errlen, "bad port or port range '%s'", ports);
	return 0;
}

int netrules_load(struct ksensor *ks, const char *const *specs, int n)
{
	char err[160];
	struct netrule r;
	int id;

	for (int i = 0; i < n; i++) {
		if (netrule_parse(specs[i], &r, err, sizeof(err)) < 0) {
			sp_msg("bad --net-rule '%s': %s", specs[i], err);
			return -EINVAL;
		}
		id = ks_net_rule_add(ks, r.family, r.addr, r.prefixlen, r.port_lo, r.port_hi, r.roles,
				     r.action);
		if (id < 0) {
			sp_msg("cannot load --net-rule '%s': %s", specs[i], strerror(-id));
			return id;
		}
		sp_debug("network rule %d: %s", id, specs[i]);
	}
	return 0;
}
