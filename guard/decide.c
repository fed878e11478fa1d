// SPDX-License-Identifier: MIT
#include "guard/decide.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "bpf/sp_event.h"
#include "guard/util.h"
#include "preload/shim_enc.h"

/* ------------------------------------------------------------------------
 * Built-in default.  Replaced by the policy (network.deny, files.deny_read,
 * files.deny_write, exec.deny) once the policy library is connected; kept
 * deliberately small.  Applies to builds only.
 * ---------------------------------------------------------------------- */

/* Paste, webhook, tunnel and request-catcher services: where stolen data goes. */
static const char *const default_hosts[] = {
	"webhook.site", "pastebin.com", "paste.ee", "hastebin.com", "transfer.sh",
	"*.ngrok.io", "*.ngrok-free.app", "*.ngrok.app", "*.trycloudflare.com",
	"*.requestcatcher.com", "*.requestbin.net", "*.pipedream.net",
	"*.burpcollaborator.net", "*.oastify.com", "*.oast.*", "*.interact.sh",
	"*.serveo.net", "*.loca.lt",
	/* Discord webhooks and the Telegram bot API: exfiltration channels */
	"discord.com", "discordapp.com", "api.telegram.org",
};

/* Credentials under the invoking user's home, and the system's. */
static const char *const default_read[] = {
	"~/.ssh/id_*", "~/.ssh/*_key", "~/.aws/credentials", "~/.netrc", "~/.pypirc",
	"~/.git-credentials", "~/.docker/config.json", "~/.kube/config",
	"~/.config/gcloud/credentials.db", "~/.config/gcloud/application_default_credentials.json",
	"~/.config/gh/hosts.yml", "~/.gnupg/private-keys-v1.d/*",
	"/etc/shadow", "/etc/gshadow",
};

/* Shell start-up files and persistence places. */
static const char *const default_write[] = {
	"~/.bashrc", "~/.bash_profile", "~/.bash_login", "~/.profile", "~/.zshrc",
	"~/.zprofile", "~/.zshenv", "~/.config/fish/config.fish", "~/.ssh/authorized_keys",
	"~/.config/autostart/*", "~/.config/systemd/user/*",
	"/etc/profile", "/etc/profile.d/*", "/etc/bash.bashrc", "/etc/environment",
	"/etc/ld.so.preload", "/etc/cron*", "/var/spool/cron/*", "/etc/systemd/system/*",
	"/etc/sudoers", "/etc/sudoers.d/*",
};

/* Downloaders and raw network tools. */
static const char *const default_exec[] = {
	"curl", "wget", "nc", "ncat", "netcat", "socat", "ftp", "tftp", "telnet", "aria2c",
};

/* -------------------------------------------------------------------- */

static bool restricted(uint32_t role)
{
	return role != SP_ROLE_PIP;
}

/* "~/x" -> "<home>/x"; other patterns as they are.  NULL when not usable. */
static char *expand(const struct decider *d, const char *pattern)
{
	if (strncmp(pattern, "~/", 2) != 0)
		return strdup(pattern);
	if (d->home[0] != '/')
		return NULL;
	return sp_asprintf("%s%s%s", d->home, strcmp(d->home, "/") == 0 ? "" : "/", pattern + 2);
}

static int expand_list(struct decider *d, const char *const *in, size_t n, char **out,
		       unsigned *nout)
{
	*nout = 0;
	for (size_t i = 0; i < n && *nout < DECIDE_PATTERNS_MAX; i++) {
		char *p = expand(d, in[i]);

		if (!p) {
			if (errno == ENOMEM)
				return -ENOMEM;
			continue;       /* "~/" without a home */
		}
		out[(*nout)++] = p;
	}
	return 0;
}

int decider_init(struct decider *d, const char *home)
{
	int r;

	memset(d, 0, sizeof(*d));
	if (home && home[0] == '/' && strlen(home) < sizeof(d->home)) {
		size_t n;

		strcpy(d->home, home);
		n = strlen(d->home);
		while (n > 1 && d->home[n - 1] == '/')
			d->home[--n] = '\0';
	}
	errno = 0;
	r = expand_list(d, default_read, ARRAY_SIZE(default_read), d->read_deny, &d->nread_deny);
	if (r == 0)
		r = expand_list(d, default_write, ARRAY_SIZE(default_write), d->write_deny,
				&d->nwrite_deny);
	if (r < 0)
		decider_free(d);
	return r;
}

void decider_free(struct decider *d)
{
	for (unsigned i = 0; i < d->nread_deny; i++)
		free(d->read_deny[i]);
	for (unsigned i = 0; i < d->nwrite_deny; i++)
		free(d->write_deny[i]);
	d->nread_deny = d->nwrite_deny = 0;
}

static bool deny(struct decision *out, const char *rule, int error, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static bool deny(struct decision *out, const char *rule, int error, const char *fmt, ...)
{
	va_list ap;

	out->rule = rule;
	out->error = error;
	va_start(ap, fmt);
	vsnprintf(out->why, sizeof(out->why), fmt, ap);
	va_end(ap);
	return true;
}

bool decide_host_match(const char *pattern, const char *host)
{
	char h[SHIM_HOST_MAX];
	size_t n;

	if (shim_copy(h, sizeof(h), host))
		return false;
	n = strlen(h);
	while (n > 0 && h[n - 1] == '.')
		h[--n] = '\0';
	if (n == 0)
		return false;
	if (shim_glob(pattern, h, true))
		return true;
	return pattern[0] == '*' && pattern[1] == '.' && shim_glob(pattern + 2, h, true);
}

bool decide_host(const struct decider *d, uint32_t role, const char *host, struct decision *out)
{
	if (!restricted(role) || !host)
		return false;
	for (size_t i = 0; i < ARRAY_SIZE(default_hosts); i++)
		if (decide_host_match(default_hosts[i], host))
			return deny(out, "dns-suspicious-host", EACCES, "host %s matches %s", host,
				    default_hosts[i]);
	return false;
}

bool decide_connect(const struct decider *d, uint32_t role, unsigned family, const uint8_t *addr,
		    unsigned port, struct decision *out)
{
	/* The session's default: a build may not reach the network at all. */
	if (!restricted(role) || (family != AF_INET && family != AF_INET6))
		return false;
	return deny(out, "build-connect", EACCES, "builds may not reach the network");
}

static const char *match_any(char *const *list, unsigned n, const char *path)
{
	for (unsigned i = 0; i < n; i++)
		if (shim_glob(list[i], path, false))
			return list[i];
	return NULL;
}

bool decide_open(const struct decider *d, uint32_t role, const char *abspath, uint32_t access,
		 struct decision *out)
{
	const char *m;

	if (!restricted(role) || !abspath || abspath[0] != '/')
		return false;
	if ((access & SHIM_ACC_WRITE) &&
	    (m = match_any(d->write_deny, d->nwrite_deny, abspath)))
		return deny(out, "write-outside-target", EACCES, "%s matches %s", abspath, m);
	if ((access & SHIM_ACC_READ) && (m = match_any(d->read_deny, d->nread_deny, abspath)) &&
	    !endswith(abspath, ".pub"))
		return deny(out, "read-secret", EACCES, "%s matches %s", abspath, m);
	return false;
}

bool decide_exec(const struct decider *d, uint32_t role, const char *path, const char *argv0,
		 struct decision *out)
{
	const char *names[2] = { path, argv0 };

	if (!restricted(role))
		return false;
	for (size_t k = 0; k < 2; k++) {
		const char *b;

		if (!names[k] || !*names[k])
			continue;
		b = path_base(names[k]);
		for (size_t i = 0; i < ARRAY_SIZE(default_exec); i++)
			if (strcmp(b, default_exec[i]) == 0)
				return deny(out, "spawn-fetch", EACCES, "%s is a downloader (%s)",
					    names[k], default_exec[i]);
	}
	return false;
}

static int add_path(struct shim_cfg *cfg, const char *glob, uint32_t access)
{
	struct shim_cfg_path *p;

	if (cfg->npath >= SHIM_CFG_PATH_MAX || strlen(glob) >= SHIM_CFG_PATH_LEN)
		return -E2BIG;
	p = &cfg->path[cfg->npath++];
	p->access = access;
	strcpy(p->glob, glob);
	p->prefix = shim_glob_prefix(glob);
	return 0;
}

int decide_prefilter(const struct decider *d, struct shim_cfg *cfg, uint64_t token,
		     uint32_t ask_timeout_ms)
{
	int r = 0;

	memset(cfg, 0, sizeof(*cfg));
	cfg->magic = SHIM_CFG_MAGIC;
	cfg->version = SHIM_PROTO_VERSION;
	cfg->token = token;
	cfg->size = sizeof(*cfg);
	cfg->ask_timeout_ms = ask_timeout_ms;
	for (size_t i = 0; i < ARRAY_SIZE(default_exec) && r == 0; i++) {
		if (cfg->nexec >= SHIM_CFG_EXEC_MAX || strlen(default_exec[i]) >= SHIM_CFG_EXEC_LEN)
			r = -E2BIG;
		else
			strcpy(cfg->exec[cfg->nexec++], default_exec[i]);
	}
	for (size_t i = 0; i < ARRAY_SIZE(default_hosts) && r == 0; i++) {
		if (cfg->nhost >= SHIM_CFG_HOST_MAX || strlen(default_hosts[i]) >= SHIM_CFG_HOST_LEN)
			r = -E2BIG;
		else
			strcpy(cfg->host[cfg->nhost++], default_hosts[i]);
	}
	for (unsigned i = 0; i < d->nread_deny && r == 0; i++)
		r = add_path(cfg, d->read_deny[i], SHIM_ACC_READ);
	for (unsigned i = 0; i < d->nwrite_deny && r == 0; i++)
		r = add_path(cfg, d->write_deny[i], SHIM_ACC_WRITE);
	if (r < 0) {
		/* too much to list: the shim asks about everything instead */
		cfg->nexec = cfg->nhost = cfg->npath = 0;
		cfg->flags |= SHIM_CFG_ASK_ALL;
	}
	return r;
}
