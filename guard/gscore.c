// SPDX-License-Identifier: MIT
/*
 * Scoring in the session: points for every finding, the rules that need
 * the session's context, and the stop when a distribution's score reaches
 * the threshold.  What a string means is guard/signals.c's to say; which
 * paths are whose (build tree, target, temporary) is decided here.
 */
#include "guard/gscore.h"
#include "guard/gscore_int.h"

#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <sys/stat.h>

#include "guard/gpolicy.h"
#include "guard/kevent.h"
#include "guard/kmon.h"
#include "guard/ksensor.h"
#include "guard/session.h"
#include "guard/shimsrv_int.h"
#include "guard/signals.h"
#include "guard/util.h"
#include "policy/policy.h"
#include "policy/reqs.h"


/* A lower limit from the environment; a higher one is ignored. */
static unsigned env_limit(const char *name, unsigned dflt)
{
	const char *v = secure_getenv(name);
	char *end;
	unsigned long n;

	if (!v || !*v)
		return dflt;
	errno = 0;
	n = strtoul(v, &end, 10);
	if (errno || *end || n == 0 || n >= dflt) {
		if (n >= dflt)
			sp_debug("%s=%s ignored: it may only lower the limit (%u)", name, v, dflt);
		return dflt;
	}
	return (unsigned)n;
}

static void count_requests(struct session *s, struct gscore *g)
{
	struct sp_errors *err = calloc(1, sizeof(*err));
	struct sp_pipargs pa;

	if (!err)
		return;
	if (sp_pipargs_parse(&pa, s->opt->pip_argc, s->opt->pip_argv, NULL, err) == 0) {
		for (size_t i = 0; i < pa.nreqs && g->nrequested < GSCORE_REQUESTED_MAX; i++) {
			if (pa.reqs[i].constraint)
				continue;
			g->ndirect++;
			if (pa.reqs[i].name)
				g->requested[g->nrequested++] = strdup(pa.reqs[i].name);
		}
		sp_pipargs_free(&pa);
	}
	free(err);
}

int gscore_init(struct session *s)
{
	struct gscore *g = calloc(1, sizeof(*g));
	const char *tmp = getenv("TMPDIR");

	if (!g)
		return -ENOMEM;
	g->made = calloc(GSCORE_MADE_MAX, sizeof(*g->made));
	if (!g->made) {
		free(g);
		return -ENOMEM;
	}
	scorer_init(&g->sc, s->policy);
	g->block_dist = SCORE_NONE_DIST;
	g->cpu_limit_ns = (uint64_t)env_limit("SAFE_PIP_CPU_LIMIT", GSCORE_CPU_LIMIT_S) * 1000000000ull;
	g->proc_limit = env_limit("SAFE_PIP_PROC_LIMIT", GSCORE_PROC_LIMIT);
	if (tmp && tmp[0] == '/' && strlen(tmp) < sizeof(g->tmpdir))
		snprintf(g->tmpdir, sizeof(g->tmpdir), "%s", tmp);
	{
		struct timespec ts;
		const char *home = getenv("HOME");

		clock_gettime(CLOCK_REALTIME, &ts);
		g->start_real_ns = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
		if (home && home[0] == '/' && strcmp(home, "/") && strlen(home) < sizeof(g->home))
			snprintf(g->home, sizeof(g->home), "%s", home);
	}
	if (s->opt)
		count_requests(s, g);
	s->gsc = g;
	return 0;
}

void gscore_free(struct session *s)
{
	struct gscore *g = s->gsc;

	if (!g)
		return;
	scorer_free(&g->sc);
	for (size_t i = 0; i < g->nframes; i++)
		free(g->frames[i]);
	free(g->frames);
	for (size_t i = 0; i < g->npth; i++)
		free(g->pth[i].path);
	for (size_t i = 0; i < g->nrequested; i++)
		free(g->requested[i]);
	for (size_t i = 0; i < g->ninstalled; i++)
		free(g->installed[i]);
	free(g->made);
	free(g->live);
	free(g);
	s->gsc = NULL;
}

/* ------------------------------------------------------------- verdict */

static bool dist_allowed(const struct session *s, int dist, const struct sp_entry **entry)
{
	const struct dist *d;
	const struct sp_entry *m;

	*entry = NULL;
	if (dist < 0 || (size_t)dist >= s->dists.n || !s->policy)
		return false;
	d = &s->dists.v[dist];
	m = sp_policy_match_package(s->policy, d->name, d->version[0] ? d->version : NULL);
	if (!m || m->action != SP_ACT_ALLOW)
		return false;
	*entry = m;
	return true;
}

static void set_frame(struct gscore *g, size_t idx, const char *via)
{
	if (!via || !via[0])
		return;
	if (idx >= g->nframes) {
		size_t n = g->nframes ? g->nframes : 64;
		char **v;

		while (n <= idx)
			n *= 2;
		v = realloc(g->frames, n * sizeof(*v));
		if (!v)
			return;
		memset(v + g->nframes, 0, (n - g->nframes) * sizeof(*v));
		g->frames = v;
		g->nframes = n;
	}
	free(g->frames[idx]);
	g->frames[idx] = strdup(via);
}

/* The shim's attribution of the kernel record being handled, if it is this one. */
static const char *cur_via(const struct session *s, uint64_t ts)
{
	const struct shimsrv *ss = s->shim;

	if (!ss || !ss->cur_valid || ss->cur_ts != ts)
		return NULL;
	return ss->cur.via;
}

static void on_cross(struct session *s, size_t idx)
{
	struct gscore *g = s->gsc;
	const struct finding *f = &s->findings[idx];
	const struct sp_entry *allow;

	switch (score_decide(true, f->deny, gpolicy_enforcing(s), dist_allowed(s, f->dist, &allow))) {
	case SCORE_GO_ON:
		return;         /* a deny stops it anyway, under its own name */
	case SCORE_ALLOWED:
		g->allowed_crossed++;
		return;
	case SCORE_MONITOR:
		g->monitor_crossed++;
		return;
	case SCORE_STOP:
		break;
	}
	if (s->blocked)
		return;
	/* every tracked task dies at its next syscall, as for a deny */
	if (s->ks)
		ks_doom(s->ks);
	s->blocked = true;
	s->block_finding = (int)idx;
	g->score_block = true;
	g->block_dist = f->dist;
}

/*
 * A program the policy's exec.allow names earns no points for where it
 * lies or what it is (the user allowed it by name): the finding stays.
 */
static bool exec_allowed(const struct session *s, const struct finding *f, const struct proc *p)
{
	static const char *const rules[] = { "exec-temp", "exec-new-file", "static-exec" };
	const struct sp_entry *m;

	if (!p || !p->exe || !s->policy)
		return false;
	for (size_t i = 0; i < ARRAY_SIZE(rules); i++)
		if (!strcmp(f->rule, rules[i])) {
			m = sp_policy_match_exec(s->policy, p->exe);
			return m && m->action == SP_ACT_ALLOW;
		}
	return false;
}

void gscore_on_finding(struct session *s, size_t idx)
{
	struct gscore *g = s->gsc;
	struct finding *f = &s->findings[idx];
	const struct proc *p = f->pid > 0 ? proctab_get(&s->procs, f->pid) : NULL;
	bool crossed = false;
	int pts;

	if (!g)
		return;
	pts = scorer_add(&g->sc, idx, exec_allowed(s, f, p) ? NULL : f->rule, f->dist,
			 p ? p->role : SP_ROLE_NONE, &crossed);
	f->points = pts > 0 ? pts : 0;
	if (!g->pending_via || !g->pending_via[0])
		set_frame(g, idx, cur_via(s, f->ts_ns));
	else
		set_frame(g, idx, g->pending_via);
	if (crossed)
		on_cross(s, idx);
}

bool gscore_blocked_by_score(const struct session *s)
{
	return s->gsc && s->gsc->score_block;
}

const char *gscore_frame(const struct session *s, size_t idx)
{
	const struct gscore *g = s->gsc;

	return g && idx < g->nframes && g->frames[idx] ? g->frames[idx] : "";
}

unsigned gscore_total(const struct session *s, int dist)
{
	return s->gsc ? scorer_dist_total(&s->gsc->sc, dist) : 0;
}

unsigned gscore_threshold(const struct session *s)
{
	return s->gsc ? s->gsc->sc.threshold : 0;
}

/* ------------------------------------------------------------ findings */

int gscore_add(struct session *s, const struct proc *p, uint64_t ts, const char *via,
	       const char *rule, const char *fmt, ...)
{
	struct finding f = { .rule = rule, .dist = p ? p->dist : -1, .pid = p ? p->pid : 0,
			     .ts_ns = ts };
	va_list ap;
	int idx;

	va_start(ap, fmt);
	vsnprintf(f.what, sizeof(f.what), fmt, ap);
	va_end(ap);
	s->gsc->pending_via = via;
	idx = session_add_finding(s, &f);
	s->gsc->pending_via = NULL;
	return idx;
}

const char *gscore_who(const struct proc *p, char *buf, size_t len)
{
	snprintf(buf, len, "%s process %d (%s)", role_name(p->role), (int)p->pid,
		 p->cmdline[0] ? p->cmdline : p->comm);
	return buf;
}

/* ------------------------------------------------------- toolchain files */

static uint64_t hash_path(const char *p)
{
	uint64_t h = str_hash(p);

	return h ? h : 1;
}

void gscore_remember_made(struct session *s, const char *path)
{
	struct gscore *g = s->gsc;
	uint64_t h = hash_path(path);
	size_t i;

	if (g->nmade >= GSCORE_MADE_MAX / 2)
		return;         /* full: later outputs are judged like any file */
	for (i = h & (GSCORE_MADE_MAX - 1); g->made[i]; i = (i + 1) & (GSCORE_MADE_MAX - 1))
		if (g->made[i] == h)
			return;
	g->made[i] = h;
	g->nmade++;
}

bool gscore_toolchain_output(const struct session *s, const char *path)
{
	const struct gscore *g = s->gsc;
	uint64_t h;

	if (!g || !path)
		return false;
	h = hash_path(path);
	for (size_t i = h & (GSCORE_MADE_MAX - 1); g->made[i]; i = (i + 1) & (GSCORE_MADE_MAX - 1))
		if (g->made[i] == h)
			return true;
	return false;
}

/* Is p running an installed compiler or linker (not one of the install's own files)? */
bool gscore_is_toolchain(const struct proc *p)
{
	return p->exe && sig_toolchain(p->exe) &&
	       (sig_system_path(p->exe) || sig_toolchain_home(p->exe));
}
