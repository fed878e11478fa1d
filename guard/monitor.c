// SPDX-License-Identifier: MIT
/*
 * From kernel records to the process table and findings.  Records arrive
 * in ring buffer order: a fork record precedes anything its child does,
 * and an exec record precedes anything the new program does.
 */
#include <fcntl.h>
#include <limits.h>
#include <sys/socket.h>

#include "guard/gpolicy.h"
#include "guard/gscore.h"
#include "guard/kmon.h"
#include "guard/ksensor.h"
#include "guard/session.h"
#include "guard/shimsrv.h"
#include "guard/txn.h"
#include "guard/util.h"

int session_add_finding(struct session *s, const struct finding *f)
{
	if (s->nfindings == s->capfindings) {
		size_t cap = s->capfindings ? s->capfindings * 2 : 16;
		struct finding *v = realloc(s->findings, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		s->findings = v;
		s->capfindings = cap;
	}
	s->findings[s->nfindings] = *f;
	/* points first, so that the log has them (guard/gscore.c) */
	gscore_on_finding(s, s->nfindings);
	log_finding(s, &s->findings[s->nfindings]);
	return (int)s->nfindings++;
}

/* The source directory of a new build process: its working directory. */
static int attribute_build(struct session *s, struct proc *p, const struct sp_event *e)
{
	char link[64], cwd[PATH_MAX];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/%d/cwd", (int)p->pid);
	n = readlink(link, cwd, sizeof(cwd) - 1);
	if (n <= 0) {
		/*
		 * Gone already: all we have is the last component the kernel saw,
		 * which still names pip's unpack directory.
		 */
		snprintf(cwd, sizeof(cwd), DIST_GONE_PREFIX "%s", e->exec.cwd);
		n = (ssize_t)strlen(cwd);
	}
	cwd[n] = '\0';
	return dists_for_srcdir(&s->dists, cwd);
}

static void on_fork(struct session *s, const struct sp_event *e)
{
	struct proc *parent = proctab_get(&s->procs, e->h.tgid);
	struct proc *c = proctab_add(&s->procs, e->fork.child_tgid);

	if (!c)
		return;
	c->ppid = e->h.tgid;
	c->role = e->h.role;
	c->start_ns = e->h.ts_ns;
	if (parent) {
		c->dist = parent->dist;
		if (parent->exe)
			c->exe = strdup(parent->exe);
		memcpy(c->cmdline, parent->cmdline, sizeof(c->cmdline));
	}
	memcpy(c->comm, e->h.comm, sizeof(c->comm));
}

static void on_exec(struct session *s, struct proc *p, const struct sp_event *e)
{
	free(p->exe);
	p->exe = strndup(e->exec.filename, sizeof(e->exec.filename));
	argv_render(e->exec.argv, e->exec.argv_len, e->exec.argc_trunc, p->cmdline,
		    sizeof(p->cmdline));
	memcpy(p->comm, e->h.comm, sizeof(p->comm));
	p->role = e->h.role;
	if (e->exec.old_role == SP_ROLE_PIP && e->h.role == SP_ROLE_BUILD) {
		int d = attribute_build(s, p, e);

		if (d >= 0)
			p->dist = d;
		sp_debug("build process %d for %s: %s", (int)p->pid,
			 p->dist >= 0 ? s->dists.v[p->dist].name : "?", p->cmdline);
	}
	gpolicy_on_exec(s, p, e);
}

static void on_exit_(struct session *s, struct proc *p, const struct sp_event *e)
{
	p->exited = true;
	p->exit_ns = e->h.ts_ns;
	p->exit_status = e->exit.exit_code;
}

int monitor_kernel_record(void *ctx, const struct sp_event *e)
{
	struct session *s = ctx;
	struct proc *p;

	s->records++;
	/* the shim's reports of this action are read and matched first */
	shim_on_kernel_record(s, proctab_get(&s->procs, e->h.tgid), e);
	if (e->h.kind == SP_EV_FORK) {
		on_fork(s, e);
		p = proctab_get(&s->procs, e->h.tgid);
		log_record(s, e, p);
		if (p) {
			kmon_record(s, p, e);
			gscore_record(s, p, e);
		}
		return 0;
	}
	p = proctab_get(&s->procs, e->h.tgid);
	if (!p) {
		/* The root, or a record that raced its fork record: keep going. */
		p = proctab_add(&s->procs, e->h.tgid);
		if (!p)
			return 0;
		p->ppid = e->h.ppid;
		p->role = e->h.role;
		memcpy(p->comm, e->h.comm, sizeof(p->comm));
	}
	switch (e->h.kind) {
	case SP_EV_EXEC:
		on_exec(s, p, e);
		break;
	case SP_EV_EXIT:
		on_exit_(s, p, e);
		break;
	case SP_EV_OPEN:
		gpolicy_on_open(s, p, e);
		txn_kernel_open(s->txn, e, p->dist);
		break;
	case SP_EV_FILE:
		txn_kernel_file(s->txn, e);
		break;
	default:
		break;
	}
	log_record(s, e, p);
	/* Findings and counters of every kind: guard/kmon.c; scorer rules: guard/gscore_rules.c. */
	kmon_record(s, p, e);
	gscore_record(s, p, e);
	return 0;
}
