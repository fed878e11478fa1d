// SPDX-License-Identifier: MIT
#include "guard/decide.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "bpf/sp_event.h"
#include "guard/util.h"
#include "policy/policy.h"
#include "preload/shim_enc.h"

void decider_init(struct decider *d, const struct sp_policy *policy)
{
	d->policy = policy;
}

static bool is_build(uint32_t role)
{
	return role != SP_ROLE_PIP;
}

static bool deny(struct decision *out, const char *rule, const struct sp_entry *m,
		 const char *list, const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Fill *out for a deny by entry m of list; fmt says what was asked. */
static bool deny(struct decision *out, const char *rule, const struct sp_entry *m,
		 const char *list, const char *fmt, ...)
{
	char what[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	out->rule = rule;
	out->error = EACCES;
	out->entry = m;
	if (!m)
		snprintf(out->why, sizeof(out->why), "%s: %s", what, list);
	else if (m->loc.line)
		snprintf(out->why, sizeof(out->why), "%s denied by the %s entry '%s' (%s:%u)", what,
			 list, m->text, m->loc.file, m->loc.line);
	else
		snprintf(out->why, sizeof(out->why), "%s denied by the %s entry '%s' (%s)", what,
			 list, m->text, m->loc.file ? m->loc.file : "built in");
	return true;
}

static bool denied(const struct sp_entry *m)
{
	return m && m->action == SP_ACT_DENY;
}

bool decide_host(const struct decider *d, uint32_t role, const char *host, struct decision *out)
{
	struct sp_net_query q = { .host = host, .role = SP_ROLE_BUILD };
	const struct sp_entry *m;

	if (!d->policy || !is_build(role) || !host || !*host)
		return false;
	m = sp_policy_match_net(d->policy, &q);
	if (!denied(m))
		return false;
	return deny(out, "denied-host", m, "network.deny", "lookup of %s", host);
}

bool decide_connect(const struct decider *d, uint32_t role, unsigned family, const uint8_t *addr,
		    unsigned port, struct decision *out)
{
	struct sp_net_query q = { .family = (int)family, .addr = addr, .port = port,
				  .role = is_build(role) ? SP_ROLE_BUILD : SP_ROLE_PIP };
	const struct sp_entry *m;

	if (!d->policy || (family != AF_INET && family != AF_INET6))
		return false;
	m = sp_policy_match_net(d->policy, &q);
	if (denied(m))
		return deny(out, is_build(role) ? "build-connect" : "denied-connect", m,
			    "network.deny", "destination port %u", port);
	if (!m && is_build(role))
		return deny(out, "build-connect", NULL, "no network.allow entry allows it",
			    "destination port %u", port);
	return false;
}

bool decide_open(const struct decider *d, uint32_t role, const char *abspath, uint32_t access,
		 struct decision *out)
{
	const struct sp_entry *m;

	if (!d->policy || !abspath || abspath[0] != '/')
		return false;
	if (access & SHIM_ACC_WRITE) {
		m = sp_policy_match_write(d->policy, abspath);
		if (denied(m))
			return deny(out, "denied-write", m, "files.deny_write", "write to %s", abspath);
	}
	if ((access & SHIM_ACC_READ) && is_build(role)) {
		m = sp_policy_match_read(d->policy, abspath);
		if (denied(m))
			return deny(out, "denied-read", m, "files.deny_read", "read of %s", abspath);
	}
	return false;
}

bool decide_exec(const struct decider *d, uint32_t role, const char *path, const char *argv0,
		 struct decision *out)
{
	const char *names[2] = { path, argv0 };

	if (!d->policy || !is_build(role))
		return false;
	/* a renamed copy is still caught by its argv[0] when that says what it is */
	for (size_t k = 0; k < ARRAY_SIZE(names); k++) {
		const struct sp_entry *m;

		if (!names[k] || !*names[k])
			continue;
		m = sp_policy_match_exec(d->policy, names[k]);
		if (denied(m))
			return deny(out, "denied-exec", m, "exec.deny", "exec of %s", names[k]);
	}
	return false;
}

/* ---------------------------------------------------------- pre-filter */

struct prefilter {
	struct shim_cfg *cfg;
	uint32_t access;                /* for paths */
};

static bool has_glob(const char *s)
{
	return strpbrk(s, "*?[") != NULL;
}

static int add_exec(void *ctx, const char *pattern, const struct sp_entry *e)
{
	struct prefilter *pf = ctx;
	struct shim_cfg *cfg = pf->cfg;
	const char *b = path_base(pattern);

	/* the shim compares base names: a glob in one needs every exec asked */
	if (has_glob(b) || !*b || cfg->nexec >= SHIM_CFG_EXEC_MAX || strlen(b) >= SHIM_CFG_EXEC_LEN) {
		cfg->flags |= SHIM_CFG_ASK_EXEC;
		return 0;
	}
	strcpy(cfg->exec[cfg->nexec++], b);
	return 0;
}

static int add_host(void *ctx, const char *pattern, const struct sp_entry *e)
{
	struct shim_cfg *cfg = ((struct prefilter *)ctx)->cfg;

	if (strcmp(pattern, "*") == 0 || cfg->nhost >= SHIM_CFG_HOST_MAX ||
	    strlen(pattern) >= SHIM_CFG_HOST_LEN) {
		cfg->flags |= SHIM_CFG_ASK_HOST;
		return 0;
	}
	strcpy(cfg->host[cfg->nhost++], pattern);
	return 0;
}

static int add_path(void *ctx, const char *pattern, const struct sp_entry *e)
{
	struct prefilter *pf = ctx;
	struct shim_cfg *cfg = pf->cfg;
	struct shim_cfg_path *p;

	if (cfg->npath >= SHIM_CFG_PATH_MAX || strlen(pattern) >= SHIM_CFG_PATH_LEN) {
		cfg->flags |= SHIM_CFG_ASK_PATH;
		return 0;
	}
	p = &cfg->path[cfg->npath++];
	p->access = pf->access;
	strcpy(p->glob, pattern);
	p->prefix = shim_glob_prefix(pattern);
	return 0;
}

int decide_prefilter(const struct decider *d, struct shim_cfg *cfg, uint64_t token,
		     uint32_t ask_timeout_ms)
{
	struct prefilter pf = { .cfg = cfg };

	memset(cfg, 0, sizeof(*cfg));
	cfg->magic = SHIM_CFG_MAGIC;
	cfg->version = SHIM_PROTO_VERSION;
	cfg->token = token;
	cfg->size = sizeof(*cfg);
	cfg->ask_timeout_ms = ask_timeout_ms;
	if (!d->policy) {
		cfg->flags |= SHIM_CFG_ASK_ALL;
		return 0;
	}
	(void)sp_policy_deny_patterns(d->policy, SP_LIST_EXEC, SP_ROLE_BUILD, add_exec, &pf);
	(void)sp_policy_deny_patterns(d->policy, SP_LIST_HOST, SP_ROLE_BUILD, add_host, &pf);
	pf.access = SHIM_ACC_READ;
	(void)sp_policy_deny_patterns(d->policy, SP_LIST_READ, SP_ROLE_BUILD, add_path, &pf);
	pf.access = SHIM_ACC_WRITE;
	(void)sp_policy_deny_patterns(d->policy, SP_LIST_WRITE, SP_ROLE_BUILD, add_path, &pf);
	return 0;
}
