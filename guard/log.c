// SPDX-License-Identifier: MIT
/*
 * The JSON Lines audit log (--log FILE): one object per line, one line per
 * kernel record, per finding, and a final verdict.  Schema "safe-pip.log/1",
 * documented in safe-pip(1).
 */
#include <fcntl.h>
#include <sys/socket.h>

#include "guard/kevent.h"
#include "guard/ksensor.h"
#include "guard/session.h"
#include "guard/util.h"

static const char *const role_names[SP_ROLE_MAX] = {
	[SP_ROLE_NONE] = "none", [SP_ROLE_PIP] = "pip", [SP_ROLE_BUILD] = "build",
};

const char *role_name(uint32_t role)
{
	return role < SP_ROLE_MAX && role_names[role] ? role_names[role] : "?";
}

const char *exec_kind_name(uint32_t xflags)
{
	if (xflags & SP_XF_SCRIPT)
		return "script";
	if (!(xflags & SP_XF_ELF))
		return "other";
	if (xflags & SP_XF_INTERP)
		return "elf-dynamic";
	return xflags & SP_XF_PHDR_UNSEEN ? "elf-unknown" : "elf-static";
}

int log_open(struct session *s, const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOCTTY, 0600);

	if (fd < 0 || !(s->log = fdopen(fd, "w"))) {
		sp_msg("cannot open log %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -errno;
	}
	jw_init(&s->logw, s->log);
	jw_obj(&s->logw);
	jw_kstr(&s->logw, "type", "session");
	jw_kstr(&s->logw, "schema", "safe-pip.log/1");
	jw_kstr(&s->logw, "version", PACKAGE_VERSION);
	jw_kint(&s->logw, "supervisor_pid", getpid());
	jw_obj_end(&s->logw);
	fputc('\n', s->log);
	return 0;
}

static void begin(struct session *s, const char *type, uint64_t ts_ns)
{
	jw_init(&s->logw, s->log);
	jw_obj(&s->logw);
	jw_kstr(&s->logw, "type", type);
	jw_kdouble(&s->logw, "t", ts_ns > s->start_ns ? (double)(ts_ns - s->start_ns) / 1e9 : 0.0);
}

static void end(struct session *s)
{
	jw_obj_end(&s->logw);
	fputc('\n', s->log);
}

void log_record(struct session *s, const struct sp_event *e, const struct proc *p)
{
	struct jw *w = &s->logw;

	if (!s->log)
		return;
	begin(s, "event", e->h.ts_ns);
	jw_kstr(w, "kind", kevent_kind_name(e->h.kind));
	jw_kstr(w, "source", s->sn ? "seccomp" : "kernel");
	jw_kint(w, "pid", e->h.tgid);
	jw_kint(w, "tid", e->h.pid);
	jw_kint(w, "ppid", e->h.ppid);
	jw_kstr(w, "role", role_name(e->h.role));
	if (p && p->dist >= 0)
		jw_kstr(w, "dist", s->dists.v[p->dist].name);
	jw_key(w, "comm");
	jw_strn(w, e->h.comm, strnlen(e->h.comm, sizeof(e->h.comm)));
	if (e->h.flags & SP_EF_DENIED)
		jw_kbool(w, "denied", true);
	if (e->h.flags & SP_EF_TRUNC)
		jw_kbool(w, "truncated", true);
	/* The kernel sensor's records: guard/kevent.c. */
	if (e->h.ns_tgid && e->h.ns_tgid != e->h.tgid)
		jw_kint(w, "ns_pid", e->h.ns_tgid);
	if (e->h.flags & SP_EF_COMPAT)
		jw_kbool(w, "compat", true);
	if (e->h.flags & SP_EF_CGROUP)
		jw_kbool(w, "cgroup_hook", true);
	kevent_json(w, e);
	end(s);
}

void log_finding(struct session *s, const struct finding *f)
{
	struct jw *w = &s->logw;

	if (!s->log)
		return;
	begin(s, "finding", f->ts_ns);
	jw_kstr(w, "rule", f->rule);
	jw_kbool(w, "deny", f->deny);
	jw_kint(w, "points", f->points);
	jw_kint(w, "pid", f->pid);
	if (f->dist >= 0)
		jw_kstr(w, "dist", s->dists.v[f->dist].name);
	jw_kstr(w, "evidence", f->what);
	end(s);
}

void log_verdict(struct session *s, int exit_status)
{
	struct jw *w = &s->logw;

	if (!s->log)
		return;
	begin(s, "verdict", mono_ns());
	jw_kstr(w, "verdict", s->blocked ? "blocked" : s->interrupted ? "interrupted" : "allowed");
	jw_kint(w, "exit_status", exit_status);
	if (s->blocked && s->block_finding >= 0) {
		const struct finding *f = &s->findings[s->block_finding];

		jw_kstr(w, "rule", f->rule);
		if (f->dist >= 0)
			jw_kstr(w, "dist", s->dists.v[f->dist].name);
		if (s->dead_ns > f->ts_ns)
			jw_kdouble(w, "time_to_dead_ms", (double)(s->dead_ns - f->ts_ns) / 1e6);
	}
	log_txn(s);
	jw_kuint(w, "killed", s->nkilled);
	jw_kuint(w, "outlived", s->noutlived);
	jw_kuint(w, "records", s->records);
	if (s->ks) {
		jw_kuint(w, "lost_records", ks_lost(s->ks));
		jw_kuint(w, "untracked_forks", ks_overflow(s->ks));
	}
	end(s);
	fflush(s->log);
}

struct jw *log_line_begin(struct session *s, const char *type, uint64_t ts_ns)
{
	if (!s->log)
		return NULL;
	begin(s, type, ts_ns);
	return &s->logw;
}

void log_line_end(struct session *s)
{
	if (s->log)
		end(s);
}

void log_close(struct session *s)
{
	if (s->log && fclose(s->log) != 0)
		sp_msg("warning: the log may be incomplete: %s", strerror(errno));
	s->log = NULL;
}
