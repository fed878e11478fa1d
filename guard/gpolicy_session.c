// SPDX-License-Identifier: MIT
/*
 * What the policy decides during a session: its deny lists applied to the
 * records of the kernel sensor, the kernel's own configuration, required
 * sensors, and what monitor mode reports instead of stopping.
 *
 * Deny findings name the policy entry and the file:line it came from, so
 * that the report says exactly what stopped the install and what would
 * allow it.
 */
#include <fcntl.h>
#include <limits.h>
#include <sys/socket.h>

#include "guard/exitcode.h"
#include "guard/gpolicy.h"
#include "guard/ksensor.h"
#include "guard/session.h"
#include "guard/util.h"
#include "policy/policy.h"

#define O_WRITE_FLAGS (O_WRONLY | O_RDWR | O_CREAT | O_TRUNC)

bool gpolicy_enforcing(const struct session *s)
{
	return !s->policy || sp_policy_mode(s->policy) == SP_MODE_ENFORCE;
}

int gpolicy_require(const struct sp_policy *p, bool have_kernel, bool have_seccomp, bool have_shim)
{
	static const struct {
		unsigned bit;
		const char *name;
	} sensors[] = {
		{ SP_REQUIRE_KERNEL, "kernel (eBPF)" }, { SP_REQUIRE_SHIM, "shim (LD_PRELOAD)" },
		{ SP_REQUIRE_ENFORCING, "enforcing (eBPF or seccomp)" },
	};
	bool have[] = { have_kernel, have_shim, have_kernel || have_seccomp };
	int status = 0;

	for (size_t i = 0; i < ARRAY_SIZE(sensors); i++) {
		const struct sp_loc *l;

		if (!(sp_policy_require(p) & sensors[i].bit) || have[i])
			continue;
		l = sp_policy_require_loc(p, sensors[i].bit);
		sp_msg("the policy requires the %s sensor (%s:%u), which is not available here: pip was not run",
		       sensors[i].name, l && l->file ? l->file : "?", l ? l->line : 0);
		status = SP_EXIT_SENSOR;
	}
	return status;
}

static const char *where(const struct sp_entry *e, char *buf, size_t len)
{
	if (e->loc.line)
		snprintf(buf, len, "%s:%u", e->loc.file, e->loc.line);
	else
		snprintf(buf, len, "%s", e->loc.file ? e->loc.file : "built in");
	return buf;
}

static bool have_finding(const struct session *s, const char *rule, int dist)
{
	for (size_t i = 0; i < s->nfindings; i++)
		if (strcmp(s->findings[i].rule, rule) == 0 && s->findings[i].dist == dist)
			return true;
	return false;
}

/* A deny finding: it stops the install at once in enforce mode. */
static void deny(struct session *s, const struct proc *p, const struct sp_event *e, const char *rule,
		 const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void deny(struct session *s, const struct proc *p, const struct sp_event *e, const char *rule,
		 const char *fmt, ...)
{
	struct finding f = { .rule = rule, .deny = true, .dist = p->dist, .pid = p->pid,
			     .ts_ns = e->h.ts_ns };
	va_list ap;
	int idx;

	va_start(ap, fmt);
	vsnprintf(f.what, sizeof(f.what), fmt, ap);
	va_end(ap);
	idx = session_add_finding(s, &f);
	if (idx < 0 || s->blocked || !gpolicy_enforcing(s))
		return;
	/* every tracked task dies at its next syscall, before the batch is done */
	if (s->ks)
		ks_doom(s->ks);
	s->blocked = true;
	s->block_finding = idx;
}

/* The build of a denied distribution is stopped when it starts. */
static void check_build(struct session *s, struct proc *p, const struct sp_event *e)
{
	const struct dist *d = &s->dists.v[p->dist];
	const struct sp_entry *m;
	char w[SP_ERR_FILE_MAX + 16];

	if (have_finding(s, "denied-package", p->dist))
		return;
	m = sp_policy_match_package(s->policy, d->name, d->version[0] ? d->version : NULL);
	if (m && m->action == SP_ACT_DENY)
		deny(s, p, e, "denied-package", "build of %s %s denied by the packages.deny entry "
		     "'%s' (%s): stopped as it started (process %d)", d->name, d->version, m->text,
		     where(m, w, sizeof(w)), (int)p->pid);
}

void gpolicy_on_exec(struct session *s, struct proc *p, const struct sp_event *e)
{
	const struct sp_entry *m;
	char w[SP_ERR_FILE_MAX + 16];

	if (!s->policy || p->role != SP_ROLE_BUILD)
		return;
	if (e->exec.old_role == SP_ROLE_PIP && p->dist >= 0)
		check_build(s, p, e);
	/* exec rules judge what builds start; pip's own helpers (git ...) are pip's */
	m = p->exe ? sp_policy_match_exec(s->policy, p->exe) : NULL;
	if (m && m->action == SP_ACT_DENY)
		deny(s, p, e, "denied-exec", "exec of %s denied by the exec.deny entry '%s' (%s): "
		     "build process %d: %s", p->exe, m->text, where(m, w, sizeof(w)), (int)p->pid,
		     p->cmdline[0] ? p->cmdline : p->comm);
}

/*
 * The path of an open record as an absolute path: relative ones are
 * resolved against the process's working directory or dfd, read from
 * /proc while the process lives.  false when that is not possible.
 */
static bool open_path(const struct proc *p, const struct sp_event *e, char *out, size_t len)
{
	char link[64], base[PATH_MAX];
	ssize_t n;

	if (e->open.path[0] == '/') {
		snprintf(out, len, "%.*s", (int)sizeof(e->open.path), e->open.path);
		return true;
	}
	if (e->open.dfd == AT_FDCWD)
		snprintf(link, sizeof(link), "/proc/%d/cwd", (int)p->pid);
	else
		snprintf(link, sizeof(link), "/proc/%d/fd/%d", (int)p->pid, e->open.dfd);
	n = readlink(link, base, sizeof(base) - 1);
	if (n <= 0 || base[0] != '/')
		return false;
	base[n] = '\0';
	return snprintf(out, len, "%s/%.*s", base, (int)sizeof(e->open.path), e->open.path) < (int)len;
}

/*
 * pip writing NAME-VERSION.dist-info/...: a wheel being installed, which
 * runs no build and so is judged here.  Its files may already be written
 * when this is seen (the .dist-info comes last in a wheel).
 */
static void check_dist_info(struct session *s, struct proc *p, const struct sp_event *e,
			    const char *path)
{
	const char *di = strstr(path, ".dist-info/"), *start, *dash;
	char name[SP_PKGNAME_MAX], version[64], w[SP_ERR_FILE_MAX + 16];
	const struct sp_entry *m;

	if (!di)
		return;
	start = di;
	while (start > path && start[-1] != '/')
		start--;
	dash = memchr(start, '-', (size_t)(di - start));
	if (!dash || (size_t)(dash - start) >= sizeof(name) || (size_t)(di - dash - 1) >= sizeof(version))
		return;
	snprintf(name, sizeof(name), "%.*s", (int)(dash - start), start);
	snprintf(version, sizeof(version), "%.*s", (int)(di - dash - 1), dash + 1);
	m = sp_policy_match_package(s->policy, name, version);
	if (m && m->action == SP_ACT_DENY && !have_finding(s, "denied-package", -1))
		deny(s, p, e, "denied-package", "wheel of %s %s denied by the packages.deny entry "
		     "'%s' (%s): pip was installing it (%s)", name, version, m->text,
		     where(m, w, sizeof(w)), path);
}

void gpolicy_on_open(struct session *s, struct proc *p, const struct sp_event *e)
{
	char path[PATH_MAX], w[SP_ERR_FILE_MAX + 16];
	const struct sp_entry *m;
	bool write = e->open.flags & O_WRITE_FLAGS;

	if (!s->policy || !open_path(p, e, path, sizeof(path)))
		return;
	if (write) {
		if (p->role == SP_ROLE_PIP)
			check_dist_info(s, p, e, path);
		m = sp_policy_match_write(s->policy, path);
		if (m && m->action == SP_ACT_DENY)
			deny(s, p, e, "denied-write", "write to %s denied by the files.deny_write entry "
			     "'%s' (%s): %s process %d", path, m->text, where(m, w, sizeof(w)),
			     role_name(p->role), (int)p->pid);
		return;
	}
	/* pip itself may read ~/.netrc and keyrings for index credentials */
	if (p->role != SP_ROLE_BUILD)
		return;
	m = sp_policy_match_read(s->policy, path);
	if (m && m->action == SP_ACT_DENY)
		deny(s, p, e, "denied-read", "read of %s denied by the files.deny_read entry '%s' "
		     "(%s): build process %d", path, m->text, where(m, w, sizeof(w)), (int)p->pid);
}

void gpolicy_report_end(struct session *s)
{
	size_t ndeny = 0, first = 0;

	if (!s->policy || gpolicy_enforcing(s))
		return;
	for (size_t i = 0; i < s->nfindings; i++)
		if (s->findings[i].deny && ndeny++ == 0)
			first = i;
	if (ndeny)
		sp_msg("monitor mode: nothing was stopped; in enforce mode rule %s would have blocked "
		       "this install (%zu deny finding%s)", s->findings[first].rule, ndeny,
		       ndeny > 1 ? "s" : "");
	else
		sp_msg("monitor mode: no deny finding");
}
