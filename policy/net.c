// SPDX-License-Identifier: MIT
/*
 * Network destinations of policy entries:
 *
 *   host            pypi.org, *.corp.example, *         (any port)
 *   host:port       example.com:443, *:4444
 *   host:lo-hi      example.com:8000-8099
 *   address         10.1.2.3, 10.0.0.0/8, ::1, 2001:db8::/32
 *   [v6]:port       [::1]:80, [2001:db8::/32]:443-444
 *   $pip-index      the hosts pip is configured to download from
 *
 * Hostnames are matched without case and without a trailing dot; '*'
 * matches any run of characters, dots included.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "policy/internal.h"

#define HOST_MAX 253

static int why_(char *why, size_t len, const char *msg)
{
	snprintf(why, len, "%s", msg);
	return -EINVAL;
}

/* "N" or "N-M", 0-65535. */
static int parse_ports(const char *s, unsigned *lo, unsigned *hi)
{
	char *end;
	unsigned long a, b;

	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	a = strtoul(s, &end, 10);
	b = a;
	if (*end == '-') {
		if (!isdigit((unsigned char)end[1]))
			return -EINVAL;
		b = strtoul(end + 1, &end, 10);
	}
	if (*end || a > 65535 || b > 65535 || b < a)
		return -EINVAL;
	*lo = (unsigned)a;
	*hi = (unsigned)b;
	return 0;
}

/* Zero the host bits of addr beyond plen. */
static void mask_addr(uint8_t *addr, unsigned bytes, unsigned plen)
{
	for (unsigned i = 0; i < bytes; i++) {
		unsigned keep = plen >= 8 * (i + 1) ? 8 : plen > 8 * i ? plen - 8 * i : 0;

		addr[i] &= (uint8_t)(0xff00u >> keep);
	}
}

/* "addr" or "addr/plen" of either family; false when it is not an address. */
static int parse_addr(const char *s, struct pentry *pe, char *why, size_t wl)
{
	char buf[64];
	const char *slash = strchr(s, '/');
	size_t n = slash ? (size_t)(slash - s) : strlen(s);
	unsigned max;

	if (n >= sizeof(buf))
		return -ENOENT;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (inet_pton(AF_INET, buf, pe->u.net.addr) == 1) {
		pe->u.net.family = AF_INET;
		max = 32;
	} else if (inet_pton(AF_INET6, buf, pe->u.net.addr) == 1) {
		pe->u.net.family = AF_INET6;
		max = 128;
	} else {
		return -ENOENT;
	}
	pe->u.net.prefixlen = max;
	if (slash) {
		char *end;
		unsigned long pl;

		if (!isdigit((unsigned char)slash[1]))
			return why_(why, wl, "expected a prefix length after '/'");
		pl = strtoul(slash + 1, &end, 10);
		if (*end || pl > max)
			return why_(why, wl, max == 32 ? "an IPv4 prefix length is 0-32"
					     : "an IPv6 prefix length is 0-128");
		pe->u.net.prefixlen = (unsigned)pl;
	}
	mask_addr(pe->u.net.addr, max / 8, pe->u.net.prefixlen);
	pe->u.net.nk = NK_ADDR;
	return 0;
}

static int parse_host(struct arena *a, const char *s, size_t n, struct pentry *pe, char *why,
		      size_t wl)
{
	char *h;
	bool glob = false;

	if (n > 1 && s[n - 1] == '.')
		n--;
	if (n == 0 || n > HOST_MAX)
		return why_(why, wl, "expected a hostname of 1-253 characters");
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '*')
			glob = true;
		else if (!isalnum(c) && c != '-' && c != '.' && c != '_')
			return why_(why, wl, "a hostname has letters, digits, '-', '.', '_' and '*' globs");
	}
	h = ar_strndup(a, s, n);
	if (!h)
		return -ENOMEM;
	for (char *c = h; *c; c++)
		*c = (char)tolower((unsigned char)*c);
	pe->u.net.host = h;
	if (strcmp(h, "*") == 0)
		pe->u.net.nk = NK_ANY;
	else
		pe->u.net.nk = glob ? NK_HOST_GLOB : NK_HOST;
	return 0;
}

/* "[v6]", "[v6/plen]" or "[v6]/plen", with an optional ":ports" after it. */
static int parse_bracketed(const char *s, struct pentry *pe, char *why, size_t wl)
{
	const char *close = strchr(s, ']');
	char inner[80];
	size_t n;
	int r;

	if (!close)
		return why_(why, wl, "expected ']' after an IPv6 address");
	n = (size_t)(close - s - 1);
	if (n >= 64)
		return why_(why, wl, "not an IPv6 address");
	memcpy(inner, s + 1, n);
	inner[n] = '\0';
	if (close[1] == '/' && !strchr(inner, '/')) {
		size_t pl = strspn(close + 2, "0123456789");

		if (pl == 0 || pl > 3)
			return why_(why, wl, "expected a prefix length after '/'");
		snprintf(inner + n, sizeof(inner) - n, "/%.*s", (int)pl, close + 2);
		close += 1 + pl;
	}
	r = parse_addr(inner, pe, why, wl);
	if (r == -ENOENT || (r == 0 && pe->u.net.family != AF_INET6))
		return why_(why, wl, "expected an IPv6 address between '[' and ']'");
	if (r < 0)
		return r;
	if (close[1] == '\0')
		return 0;
	if (close[1] != ':' || parse_ports(close + 2, &pe->u.net.port_lo, &pe->u.net.port_hi) < 0)
		return why_(why, wl, "expected ':PORT' or ':LOW-HIGH' (0-65535) after ']'");
	return 0;
}

int net_parse(struct arena *a, const char *s, struct pentry *pe, char *why, size_t whylen)
{
	const char *colon;
	size_t hl;
	int r;

	pe->u.net.port_lo = 0;
	pe->u.net.port_hi = 65535;
	if (strcmp(s, SP_NET_INDEX_TOKEN) == 0) {
		pe->u.net.nk = NK_INDEX;
		return 0;
	}
	if (s[0] == '[')
		return parse_bracketed(s, pe, why, whylen);
	colon = strchr(s, ':');
	if (colon && strchr(colon + 1, ':')) {
		/* several colons: a bare IPv6 address, no port */
		r = parse_addr(s, pe, why, whylen);
		if (r == -ENOENT)
			return why_(why, whylen, "not an IPv6 address (write [ADDRESS]:PORT for a port)");
		return r;
	}
	hl = colon ? (size_t)(colon - s) : strlen(s);
	if (colon && parse_ports(colon + 1, &pe->u.net.port_lo, &pe->u.net.port_hi) < 0)
		return why_(why, whylen, "expected ':PORT' or ':LOW-HIGH' (0-65535) after the host");
	{
		char host[HOST_MAX + 2];

		if (hl < sizeof(host)) {
			memcpy(host, s, hl);
			host[hl] = '\0';
			r = parse_addr(host, pe, why, whylen);
			if (r != -ENOENT)
				return r;
			if (strchr(host, '/'))
				return why_(why, whylen, "not an address/prefix (CIDR)");
		}
	}
	return parse_host(a, s, hl, pe, why, whylen);
}
