// SPDX-License-Identifier: MIT
/*
 * The kernel's records against the shim's reports: shim-bypass (an action
 * of a process carrying the shim that the shim did not report, or a shim
 * that never started where it should have) and env-scrub (a dynamic
 * program started without the shim in LD_PRELOAD).  A statically linked
 * program, which the shim cannot enter, is the kernel monitor's static-exec
 * (guard/kmon.c), counted once.  See guard/shimcorr.h for the matching
 * rules.  The policy's weights score these findings; they never deny.
 */
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "guard/kevent.h"
#include "guard/kmon.h"
#include "guard/ksensor.h"
#include "guard/session.h"
#include "guard/shimsrv_int.h"
#include "guard/signals.h"
#include "guard/util.h"
#include "preload/shim_enc.h"

/* A set-id program runs with AT_SECURE: the loader ignores LD_PRELOAD there. */
static bool secure_exec(const struct sp_event *e)
{
	char path[SP_PATH_MAX + 32];
	struct stat st;

	/* as the kernel saw it: relative names are the process's */
	if (e->exec.filename[0] == '/')
		snprintf(path, sizeof(path), "%.*s", SP_PATH_MAX, e->exec.filename);
	else
		snprintf(path, sizeof(path), "/proc/%u/exe", e->h.tgid);
	if (stat(path, &st) < 0 || st.st_ino != e->exec.ino)
		return false;
	return ((st.st_mode & S_ISUID) && st.st_uid != e->h.uid) || (st.st_mode & S_ISGID);
}

static const char *who(const struct proc *p)
{
	if (!p)
		return "?";
	return p->cmdline[0] ? p->cmdline : p->comm;
}

static void bypass(struct session *s, const struct proc *p, const struct sp_event *e,
		   enum corr_verdict v, const char *action)
{
	char what[FINDING_WHAT_MAX];

	if (v == CORR_NOSHIM)
		snprintf(what, sizeof(what),
			 "process %u (%s) should carry the shim (a dynamic program started with it in "
			 "LD_PRELOAD) but it never started there; first unreported action: %s",
			 e->h.tgid, who(p), action);
	else
		snprintf(what, sizeof(what),
			 "process %u (%s) %s with no report from its shim (a raw system call or a "
			 "closed channel)", e->h.tgid, who(p), action);
	shim_finding(s, RS_BYPASS, "shim-bypass", false, (pid_t)e->h.tgid, p ? p->dist : -1,
		     e->h.ts_ns, what);
}

static void count(struct shimsrv *ss, enum corr_verdict v)
{
	/* a drain that stopped at its bound may have left the report unread */
	ss->verdicts[v]++;
}

/*
 * The thread as the shim names it: its id in its own PID namespace (the
 * kernel's global tid when there is none).  Processes are named by their
 * global pid on both sides (the shim's by its credentials).
 */
static pid_t ktid(const struct sp_event *e)
{
	return (pid_t)(e->h.ns_pid ? e->h.ns_pid : e->h.pid);
}

static enum corr_verdict settle(struct session *s, const struct sp_event *e, enum corr_verdict v)
{
	struct shimsrv *ss = s->shim;

	/*
	 * A drain stopped at its bound may have left the report unread; with
	 * kernel records lost (a fork, an exit) the state itself is in doubt.
	 */
	if ((v == CORR_BYPASS || v == CORR_NOSHIM) && (ss->drain_incomplete || (s->ks && ks_lost(s->ks))))
		v = CORR_UNKNOWN;
	count(ss, v);
	if (v == CORR_UNKNOWN && sp_verbosity >= 2)
		sp_debug("shim: cannot tell whether the %s of process %u (thread %u) was reported",
			 e->h.kind == SP_EV_EXEC ? "exec" : e->h.kind == SP_EV_OPEN ? "open" : "connect",
			 e->h.tgid, e->h.pid);
	return v;
}

static void on_exec(struct session *s, const struct proc *p, const struct sp_event *e)
{
	struct shimsrv *ss = s->shim;
	uint32_t xf = e->exec.xflags;
	int kind = !(xf & SP_XF_ELF) ? -1 : (xf & SP_XF_INTERP) ? 1 :
		   (xf & SP_XF_PHDR_UNSEEN) ? kmon_exec_dynamic(e) : 0;
	bool expect = kind == 1 && (xf & SP_XF_PRELOAD) && !secure_exec(e);
	char what[FINDING_WHAT_MAX], action[SP_PATH_MAX + 32], file[SP_PATH_MAX + 1];
	enum corr_verdict v;

	snprintf(file, sizeof(file), "%.*s", SP_PATH_MAX, e->exec.filename);
	v = settle(s, e, corr_exec(&ss->corr, (pid_t)e->h.tgid, ktid(e), e->h.ts_ns, file,
				 expect, &ss->cur));
	ss->cur_valid = true;
	snprintf(action, sizeof(action), "executed %s", file);
	if (v == CORR_BYPASS || v == CORR_NOSHIM)
		bypass(s, p, e, v, action);
	/*
	 * A statically linked program never loads the shim, whatever its
	 * environment: a caller that passes it a clean one (ctypes.util runs
	 * /sbin/ldconfig with only LC_ALL and LANG) hides nothing from us.
	 */
	if (!(xf & (SP_XF_PRELOAD | SP_XF_ENV_TRUNC)) && kind != 0) {
		snprintf(what, sizeof(what), "%s%sexec of %s with LD_PRELOAD %s (process %u: %s)",
			 ss->cur.via, ss->cur.via[0] ? " -> " : "", file,
			 xf & SP_XF_PRELOAD_OTHER ? "replaced" : "removed", e->h.tgid, who(p));
		shim_finding(s, RS_SCRUB, "env-scrub", false, (pid_t)e->h.tgid, p ? p->dist : -1,
			     e->h.ts_ns, what);
	}
}

static void on_connect(struct session *s, const struct proc *p, const struct sp_event *e)
{
	struct shimsrv *ss = s->shim;
	char dst[128], action[160];
	enum corr_verdict v;

	if (e->connect.family != AF_INET && e->connect.family != AF_INET6)
		return;
	v = settle(s, e, corr_connect(&ss->corr, (pid_t)e->h.tgid, ktid(e), e->h.ts_ns,
				    e->connect.family, e->connect.addr, e->connect.port, &ss->cur));
	ss->cur_valid = true;
	if (v == CORR_BYPASS || v == CORR_NOSHIM) {
		format_addr(dst, sizeof(dst), e->connect.family, e->connect.addr, e->connect.port);
		snprintf(action, sizeof(action), "connect(%s)", dst);
		bypass(s, p, e, v, action);
	}
}

static void on_open(struct session *s, const struct proc *p, const struct sp_event *e)
{
	struct shimsrv *ss = s->shim;
	char path[SP_PATH_MAX + 1], action[SP_PATH_MAX + 32];
	enum corr_verdict v;

	/* the shim reports writes; reads only of listed paths, which it asks about */
	if (!(e->open.oflags & SP_OF_WRITE) || e->open.ret < 0)
		return;
	snprintf(path, sizeof(path), "%.*s", SP_PATH_MAX, e->open.path);
	v = settle(s, e, corr_open(&ss->corr, (pid_t)e->h.tgid, ktid(e), e->h.ts_ns, path,
				 &ss->cur));
	ss->cur_valid = true;
	if (v == CORR_BYPASS || v == CORR_NOSHIM) {
		snprintf(action, sizeof(action), "opened %s for writing", path);
		bypass(s, p, e, v, action);
	}
}

void shim_on_kernel_record(struct session *s, const struct proc *p, const struct sp_event *e)
{
	struct shimsrv *ss = s->shim;

	if (!ss)
		return;
	/* every report sent before this action is queued: read that far */
	if (e->h.kind != SP_EV_EXIT)
		(void)shim_drain_until(s, e->h.ts_ns);
	ss->cur_valid = false;
	memset(&ss->cur, 0, sizeof(ss->cur));
	ss->cur_ts = e->h.ts_ns;
	ss->cur_tid = (uint32_t)ktid(e);
	switch (e->h.kind) {
	case SP_EV_FORK:
		corr_fork(&ss->corr, (pid_t)e->h.tgid, ktid(e), (pid_t)e->fork.child_tgid,
			  e->h.ts_ns);
		break;
	case SP_EV_EXEC:
		on_exec(s, p, e);
		break;
	case SP_EV_CONNECT:
		on_connect(s, p, e);
		break;
	case SP_EV_OPEN:
		on_open(s, p, e);
		break;
	case SP_EV_EXIT:
		corr_exit(&ss->corr, (pid_t)e->h.tgid, e->h.ts_ns);
		break;
	default:
		break;
	}
}

void shim_connect_context(struct session *s, const struct sp_event *e, char *via, size_t vlen,
			  char *dst, size_t dlen)
{
	struct shimsrv *ss = s->shim;
	const char *host;
	size_t n;

	via[0] = '\0';
	if (!ss)
		return;
	if (ss->cur_valid && ss->cur_ts == e->h.ts_ns && (pid_t)ss->cur_tid == ktid(e) &&
	    ss->cur.note.kind == SHIM_EV_CONNECT)
		shim_copy(via, vlen, ss->cur.via);
	host = shim_name_of(ss, e->connect.family, e->connect.addr);
	n = strlen(dst);
	if (host && n + 4 < dlen)
		snprintf(dst + n, dlen - n, " [%s]", host);
}
