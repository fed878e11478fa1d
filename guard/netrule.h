/* SPDX-License-Identifier: MIT */
/*
 * Network rules given on the command line (--net-rule SPEC), loaded into
 * the kernel sensor next to what policies load:
 *
 *   ACTION:ROLES:ADDRESS[/PREFIX][:PORT[-PORT]]
 *
 *   ACTION   allow | deny
 *   ROLES    pip, build or any, comma-separated
 *   ADDRESS  IPv4 (127.0.0.1) or IPv6 in brackets ([::1])
 *   PREFIX   prefix length (default: the whole address)
 *   PORT     a port or a range (default: all ports)
 *
 * e.g. allow:build:127.0.0.1:8000-8099, deny:any:10.0.0.0/8, deny:pip:[::1]:53
 */
#ifndef SAFEPIP_NETRULE_H
#define SAFEPIP_NETRULE_H

#include <stddef.h>
#include <stdint.h>

struct ksensor;

#define NETRULE_SPEC_MAX 128    /* bytes of one SPEC */

struct netrule {
	int action;             /* SP_NET_ALLOW or SP_NET_DENY */
	uint32_t roles;         /* 1 << enum sp_role */
	int family;             /* AF_INET or AF_INET6 */
	uint8_t addr[16];
	unsigned prefixlen;
	uint16_t port_lo, port_hi;
};

/* Parse spec into *r.  Returns 0, or -EINVAL with what is wrong in err. */
int netrule_parse(const char *spec, struct netrule *r, char *err, size_t errlen);

/*
 * Parse and load n specs into the kernel sensor.  Returns 0, or -errno
 * after saying which rule failed and why.
 */
int netrules_load(struct ksensor *ks, const char *const *specs, int n);

#endif
