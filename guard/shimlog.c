// SPDX-License-Identifier: MIT
/*
 * Shim records as people read them ("setup.py:17 in run -> socket.connect
 * -> connect(127.0.0.1:9)") and as the JSON Lines log keeps them: one
 * "event" line with "source":"shim" per record (questions once answered,
 * with their verdict), and one "shim" summary line at the end.
 */
#include <fcntl.h>
#include <sys/socket.h>

#include "guard/kevent.h"
#include "guard/session.h"
#include "guard/shimsrv_int.h"
#include "guard/util.h"
#include "preload/shim_enc.h"

/* The frame to show: the package's own (first outside the stdlib), else the innermost. */
static const struct shim_pyframe *shown_frame(const struct shim_rec *r)
{
	if (!(r->h.flags & SHIM_F_PY) || r->py.nframes == 0)
		return NULL;
	if (r->py.nframes >= 2 && r->py.f[1].file[0])
		return &r->py.f[1];
	return &r->py.f[0];
}

/* "<string>@setup.py" (code exec'd by setup.py) reads as setup.py */
static const char *frame_file(const struct shim_pyframe *f)
{
	const char *at = f->file[0] == '<' ? strstr(f->file, ">@") : NULL;

	return path_base(at ? at + 2 : f->file);
}

void shim_render_via(const struct shim_rec *r, char *out, size_t len)
{
	const struct shim_pyframe *f = shown_frame(r);
	size_t o = 0;

	out[0] = '\0';
	if (f) {
		o = (size_t)snprintf(out, len, "%s:%u in %s", frame_file(f), f->line,
				     f->func[0] ? f->func : "?");
		if (r->py.event[0] && o < len)
			snprintf(out + o, len - o, " -> %s", r->py.event);
	} else if ((r->h.flags & SHIM_F_NATIVE) && r->native.nframes > 0) {
		snprintf(out, len, "%s", r->native.frame[0]);
	}
}

static const char *access_name(uint32_t access)
{
	return access & SHIM_ACC_WRITE ? "write" : "read";
}

static void render_inet(char *out, size_t len, const struct shim_connect *c)
{
	if (c->family == AF_INET || c->family == AF_INET6)
		format_addr(out, len, c->family, c->addr, c->port);
	else if (c->family == AF_UNIX)
		snprintf(out, len, "unix:%s", c->path);
	else
		snprintf(out, len, "family %u", c->family);
}

void shim_render_action(const struct shimsrv *ss, const struct shim_rec *r, char *out,
			size_t len)
{
	const char *call = shim_call_name(r->h.call), *host;
	char buf[PROC_CMDLINE_MAX], dst[160];

	switch (r->h.kind) {
	case SHIM_EV_EXEC:
		argv_render(r->exec.argv, r->exec.argv_len, false, buf, sizeof(buf));
		snprintf(out, len, "%s(%s%s%s)", call, r->exec.path, buf[0] ? ": " : "", buf);
		break;
	case SHIM_EV_CONNECT:
		render_inet(dst, sizeof(dst), &r->connect);
		host = ss ? shim_name_of(ss, r->connect.family, r->connect.addr) : NULL;
		snprintf(out, len, "%s(%s%s%s%s)", call, dst, host ? " [" : "", host ? host : "",
			 host ? "]" : "");
		break;
	case SHIM_EV_DNS:
		snprintf(out, len, "%s(%s)", call, r->dns.host);
		break;
	case SHIM_EV_FILE:
		if (r->file.path2[0])
			snprintf(out, len, "%s(%s, %s)", call, r->file.path, r->file.path2);
		else
			snprintf(out, len, "%s(%s, %s)", call,
				 r->file.abspath[0] ? r->file.abspath : r->file.path,
				 access_name(r->file.access));
		break;
	case SHIM_EV_MEM:
		if (r->h.call == SHIM_CALL_MEMFD_CREATE)
			snprintf(out, len, "memfd_create(%s)", r->mem.name);
		else
			snprintf(out, len, "mprotect(0x%llx, %llu, PROT_EXEC)",
				 (unsigned long long)r->mem.addr, (unsigned long long)r->mem.len);
		break;
	case SHIM_EV_PTRACE:
		snprintf(out, len, "ptrace(%d, %d)", r->ptrace.request, r->ptrace.target);
		break;
	case SHIM_EV_ENV:
		if (r->h.call == SHIM_CALL_UNSETENV || r->h.call == SHIM_CALL_CLEARENV ||
		    (r->h.call == SHIM_CALL_PUTENV && !r->env.value[0]))
			snprintf(out, len, "%s(%s)", call, r->env.name);
		else
			snprintf(out, len, "%s(%s=%s)", call, r->env.name, r->env.value);
		break;
	case SHIM_EV_FD:
		snprintf(out, len, "%s(%d%s) on the shim's %s%s", call, r->fd.fd,
			 r->h.call == SHIM_CALL_DUP2 || r->h.call == SHIM_CALL_DUP3 ? ", onto it" : "",
			 r->fd.which == SHIM_FDW_CONFIG ? "configuration" : "channel",
			 r->fd.refused ? " (refused: it stays open)" : "");
		break;
	default:
		snprintf(out, len, "%s", call);
		break;
	}
}

void shim_render_evidence(const struct shimsrv *ss, const struct shim_rec *r, char *out,
			  size_t len)
{
	char via[CORR_VIA_MAX], action[SHIM_EVIDENCE_MAX];

	shim_render_via(r, via, sizeof(via));
	shim_render_action(ss, r, action, sizeof(action));
	snprintf(out, len, "%s%s%s", via, via[0] ? " -> " : "", action);
}

/* ---------------------------------------------------------------- log */

static void begin(struct session *s, const char *type, uint64_t ts)
{
	jw_init(&s->logw, s->log);
	jw_obj(&s->logw);
	jw_kstr(&s->logw, "type", type);
	jw_kdouble(&s->logw, "t", ts > s->start_ns ? (double)(ts - s->start_ns) / 1e9 : 0.0);
}

static void end(struct session *s)
{
	jw_obj_end(&s->logw);
	fputc('\n', s->log);
}

static void log_python(struct jw *w, const struct shim_rec *r)
{
	if (!(r->h.flags & SHIM_F_PY))
		return;
	jw_key(w, "python");
	jw_obj(w);
	jw_kstr(w, "event", r->py.event);
	jw_key(w, "frames");
	jw_arr(w);
	for (uint32_t i = 0; i < r->py.nframes && i < SHIM_PYFRAMES; i++) {
		if (!r->py.f[i].file[0])
			continue;
		jw_obj(w);
		jw_kstr(w, "file", r->py.f[i].file);
		jw_kuint(w, "line", r->py.f[i].line);
		jw_kstr(w, "func", r->py.f[i].func);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	jw_obj_end(w);
}

static void log_native(struct jw *w, const struct shim_rec *r)
{
	if (!(r->h.flags & SHIM_F_NATIVE))
		return;
	jw_key(w, "native");
	jw_arr(w);
	for (uint32_t i = 0; i < r->native.nframes && i < SHIM_NATIVE_FRAMES; i++)
		jw_str(w, r->native.frame[i]);
	jw_arr_end(w);
}

static void log_body(struct session *s, const struct shim_rec *r)
{
	struct jw *w = &s->logw;
	char buf[160];
	const char *host;

	switch (r->h.kind) {
	case SHIM_EV_HELLO:
		jw_kstr(w, "exe", r->hello.exe);
		jw_kbool(w, "python_hook", r->hello.flags & SHIM_HELLO_PYTHON);
		jw_kbool(w, "native_stacks", r->hello.flags & SHIM_HELLO_UNWIND);
		if (r->hello.nmissing)
			jw_kuint(w, "missing_symbols", r->hello.nmissing);
		break;
	case SHIM_EV_EXEC:
		jw_kstr(w, "filename", r->exec.path);
		jw_key(w, "argv");
		jw_arr(w);
		for (uint32_t i = 0; i < r->exec.argv_len && i < SHIM_ARGV_MAX;) {
			size_t l = strnlen(r->exec.argv + i, r->exec.argv_len - i);

			jw_strn(w, r->exec.argv + i, l);
			i += (uint32_t)l + 1;
		}
		jw_arr_end(w);
		jw_kuint(w, "argc", r->exec.argc);
		jw_kstr(w, "ld_preload", r->exec.preload == SHIM_ENV_OK ? "shim" :
				      r->exec.preload == SHIM_ENV_MISSING ? "none" :
				      r->exec.preload == SHIM_ENV_OTHER ? "other" : "unknown");
		break;
	case SHIM_EV_CONNECT:
		render_inet(buf, sizeof(buf), &r->connect);
		jw_kint(w, "family", r->connect.family);
		jw_kstr(w, "dest", buf);
		host = shim_name_of(s->shim, r->connect.family, r->connect.addr);
		if (host)
			jw_kstr(w, "host", host);
		break;
	case SHIM_EV_DNS:
		jw_kstr(w, "host", r->dns.host);
		if (r->h.flags & SHIM_F_RESULT) {
			jw_kint(w, "status", r->dns.status);
			jw_key(w, "addrs");
			jw_arr(w);
			for (uint32_t i = 0; i < r->dns.naddr; i++) {
				size_t n;

				format_addr(buf, sizeof(buf), r->dns.addr[i].family,
					    r->dns.addr[i].addr, 0);
				/* drop the ":0" port */
				n = strlen(buf);
				if (n > 2 && strcmp(buf + n - 2, ":0") == 0)
					buf[n - 2] = '\0';
				jw_str(w, buf);
			}
			jw_arr_end(w);
		}
		break;
	case SHIM_EV_FILE:
		jw_kstr(w, "path", r->file.path);
		if (r->file.abspath[0])
			jw_kstr(w, "abspath", r->file.abspath);
		if (r->file.path2[0])
			jw_kstr(w, "path2", r->file.path2);
		jw_kuint(w, "flags", r->file.flags);
		jw_kstr(w, "access", access_name(r->file.access));
		break;
	case SHIM_EV_MEM:
		if (r->h.call == SHIM_CALL_MEMFD_CREATE)
			jw_kstr(w, "name", r->mem.name);
		else
			jw_kuint(w, "len", r->mem.len);
		break;
	case SHIM_EV_PTRACE:
		jw_kint(w, "request", r->ptrace.request);
		jw_kint(w, "target", r->ptrace.target);
		break;
	case SHIM_EV_ENV:
		jw_kstr(w, "name", r->env.name);
		jw_kstr(w, "value", r->env.value);
		break;
	case SHIM_EV_FD:
		jw_kint(w, "fd", r->fd.fd);
		jw_kbool(w, "refused", r->fd.refused);
		break;
	}
}

void shim_log_record(struct session *s, const struct shim_rec *r, pid_t pid, const char *verdict)
{
	const struct proc *p = pid > 0 ? proctab_get(&s->procs, pid) : NULL;
	struct jw *w = &s->logw;

	if (!s->log)
		return;
	begin(s, "event", r->h.ts_ns);
	jw_kstr(w, "kind", shim_kind_name(r->h.kind));
	jw_kstr(w, "source", "shim");
	jw_kstr(w, "call", shim_call_name(r->h.call));
	jw_kint(w, "pid", pid);
	jw_kint(w, "tid", r->h.tid);
	jw_kstr(w, "role", role_name(p ? p->role : SP_ROLE_NONE));
	if (p && p->dist >= 0)
		jw_kstr(w, "dist", s->dists.v[p->dist].name);
	if (r->h.flags & SHIM_F_CHILD)
		jw_kbool(w, "before_exec", true);
	if (r->h.flags & SHIM_F_TRUNC)
		jw_kbool(w, "truncated", true);
	if (r->h.flags & SHIM_F_RESULT)
		jw_kbool(w, "result", true);
	if (verdict) {
		jw_kbool(w, "asked", true);
		jw_kstr(w, "verdict", verdict);
	}
	log_body(s, r);
	log_python(w, r);
	log_native(w, r);
	end(s);
}

void shim_log_summary(struct session *s)
{
	struct shimsrv *ss = s->shim;
	struct jw *w = &s->logw;

	if (!s->log || !ss)
		return;
	begin(s, "shim", mono_ns());
	jw_kuint(w, "records", ss->received);
	jw_kuint(w, "bad_records", ss->bad);
	jw_kuint(w, "lost_records", ss->lost);
	jw_kuint(w, "asked", ss->asks);
	jw_kuint(w, "denied", ss->denied);
	jw_key(w, "by_kind");
	jw_obj(w);
	for (unsigned k = 1; k < SHIM_EV_KIND_MAX; k++)
		jw_kuint(w, shim_kind_name(k), ss->by_kind[k]);
	jw_obj_end(w);
	jw_key(w, "by_call");
	jw_obj(w);
	for (unsigned k = 1; k < SHIM_CALL_MAX; k++)
		if (ss->by_call[k])
			jw_kuint(w, shim_call_name(k), ss->by_call[k]);
	jw_obj_end(w);
	jw_key(w, "kernel_actions");
	jw_obj(w);
	jw_kuint(w, "reported", ss->verdicts[CORR_MATCHED]);
	jw_kuint(w, "explained", ss->verdicts[CORR_EXPLAINED]);
	jw_kuint(w, "unreported", ss->verdicts[CORR_BYPASS]);
	jw_kuint(w, "shim_absent", ss->verdicts[CORR_NOSHIM]);
	jw_kuint(w, "undetermined", ss->verdicts[CORR_UNKNOWN]);
	jw_obj_end(w);
	end(s);
}
