// SPDX-License-Identifier: MIT
/*
 * What the user reads about scores: on a stop, the package, its score
 * against the threshold, the top reasons with the frame that did each,
 * and the exact policy line or --allow that would permit it; at the end of
 * an install that went through, one line (every finding with -v, and in
 * monitor mode, where findings are all there is).
 */
#include "guard/gpolicy.h"
#include "guard/gscore_int.h"
#include "guard/jsonw.h"
#include "guard/kmon.h"
#include "guard/kstats.h"
#include "guard/summary.h"
#include "guard/session.h"
#include "guard/util.h"
#include "policy/policy.h"

static const char *label(const struct session *s, int dist, char *buf, size_t len)
{
	if (dist < 0 || (size_t)dist >= s->dists.n)
		return "(no distribution)";
	snprintf(buf, len, "%s%s%s", s->dists.v[dist].name, s->dists.v[dist].version[0] ? " " : "",
		 s->dists.v[dist].version);
	return buf;
}

/* One reason: points, rule, evidence, and the frame when the evidence lacks it. */
static void print_reason(const struct session *s, size_t idx, const char *indent)
{
	const struct finding *f = &s->findings[idx];
	const char *frame = gscore_frame(s, idx);

	sp_msg("%s%+4d %s%s: %s", indent, f->points, f->rule, f->deny ? " (deny)" : "", f->what);
	if (frame[0] && !strstr(f->what, frame))
		sp_msg("%s       at %s", indent, frame);
}

static void print_top(const struct session *s, int dist, int skip)
{
	size_t top[GSCORE_TOP + 1], n;

	n = scorer_top(&s->gsc->sc, dist, top, GSCORE_TOP + 1);
	if (n <= (skip >= 0 ? 1u : 0u))
		return;
	sp_msg("  top reasons (points, rule, what, where):");
	for (size_t i = 0, shown = 0; i < n && shown < GSCORE_TOP; i++) {
		if ((int)top[i] == skip)
			continue;
		print_reason(s, top[i], "    ");
		shown++;
	}
}

void gscore_report_block(struct session *s)
{
	const struct finding *f;
	char l[256];

	if (s->block_finding < 0 || !s->gsc) {
		sp_msg("BLOCKED: the session was stopped (out of memory while recording why)");
		return;
	}
	f = &s->findings[s->block_finding];
	if (s->gsc->score_block) {
		sp_msg("BLOCKED %s: score %u reached the threshold %u", label(s, f->dist, l, sizeof(l)),
		       gscore_total(s, f->dist), gscore_threshold(s));
		print_top(s, f->dist, -1);
		return;
	}
	sp_msg("BLOCKED %s: rule %s (deny)", label(s, f->dist, l, sizeof(l)), f->rule);
	sp_msg("  %s", f->what);
	if (gscore_frame(s, (size_t)s->block_finding)[0] &&
	    !strstr(f->what, gscore_frame(s, (size_t)s->block_finding)))
		sp_msg("  at %s", gscore_frame(s, (size_t)s->block_finding));
	sp_msg("  score %u of threshold %u; a deny rule stops the install whatever the score",
	       gscore_total(s, f->dist), gscore_threshold(s));
	print_top(s, f->dist, s->block_finding);
}

/* The text between the first "open" and the next "close" of what, or "". */
static void between(const char *what, const char *open, const char *close, char *out, size_t len)
{
	const char *a = strstr(what, open), *b;

	out[0] = '\0';
	if (!a)
		return;
	a += strlen(open);
	b = strstr(a, close);
	if (b && (size_t)(b - a) < len)
		snprintf(out, len, "%.*s", (int)(b - a), a);
}

/* What would permit the action a deny finding stopped. */
static void allow_deny(const struct finding *f)
{
	char x[320];

	if (!strcmp(f->rule, "denied-write")) {
		between(f->what, "write to ", " denied", x, sizeof(x));
		sp_msg("  to allow it: a later policy layer with   files: { allow_write: [\"%s\"] }", x);
	} else if (!strcmp(f->rule, "denied-exec")) {
		between(f->what, "exec of ", " denied", x, sizeof(x));
		sp_msg("  to allow it: a later policy layer with   exec: { allow: [\"%s\"] }", path_base(x));
	} else if (!strcmp(f->rule, "build-connect") || !strcmp(f->rule, "net-deny") ||
		   !strcmp(f->rule, "denied-connect") || !strcmp(f->rule, "denied-host")) {
		between(f->what, "connect(", ")", x, sizeof(x));
		if (!x[0])
			between(f->what, "sendto(", ")", x, sizeof(x));
		if (!x[0])
			between(f->what, "getaddrinfo(", ")", x, sizeof(x));
		if (!x[0])
			between(f->what, "gethostbyname(", ")", x, sizeof(x));
		if (strchr(x, ' '))
			*strchr(x, ' ') = '\0';
		sp_msg("  to allow it: a later policy layer with   network: { allow: [ { to: \"%s\", "
		       "roles: [%s] } ] }", x[0] ? x : "DESTINATION",
		       strcmp(f->rule, "net-deny") ? "build" : "pip");
	} else if (!strcmp(f->rule, "denied-read")) {
		sp_msg("  to allow it: remove the files.deny_read entry named above from its policy file "
		       "(--allow does not lift deny rules)");
	} else if (!strcmp(f->rule, "denied-package")) {
		sp_msg("  to allow it: remove the packages.deny entry named above from its policy file");
	} else {
		sp_msg("  rule %s is not a policy entry: no setting allows it", f->rule);
	}
}

void gscore_report_allow(struct session *s)
{
	const struct finding *f;
	const struct dist *d;
	const char *rule;
	char spec[DIST_NAME_MAX + 80];

	if (!s->gsc || s->block_finding < 0)
		return;
	f = &s->findings[s->block_finding];
	if (!s->gsc->score_block) {
		allow_deny(f);
		return;
	}
	rule = f->rule;
	if (f->dist < 0 || (size_t)f->dist >= s->dists.n) {
		sp_msg("  to allow it: lower the weight of rule %s in a later policy layer:   "
		       "rules: { %s: { weight: 0 } }", rule, rule);
		return;
	}
	d = &s->dists.v[f->dist];
	snprintf(spec, sizeof(spec), "%s%s%s", d->name, d->version[0] ? "==" : "", d->version);
	sp_msg("  to allow it: safe-pip --allow '%s' %s ...   or in a policy file:   "
	       "packages: { allow: [\"%s\"] }", spec, s->opt->pip_command ? s->opt->pip_command : "install",
	       spec);
	sp_msg("  (an allowed package is still watched and still stopped by deny rules; or lower "
	       "one rule for everyone:   rules: { %s: { weight: 0 } })", rule);
}

static void one_line(struct session *s)
{
	char line[1024], l[256];
	size_t o = 0;
	int worst = scorer_worst(&s->gsc->sc);
	size_t top[3], n = scorer_top(&s->gsc->sc, worst, top, 3);

	o += (size_t)snprintf(line + o, sizeof(line) - o, "%zu finding%s below the threshold; "
			      "highest score %s %u/%u (", s->nfindings, s->nfindings > 1 ? "s" : "",
			      label(s, worst, l, sizeof(l)), gscore_total(s, worst), gscore_threshold(s));
	for (size_t i = 0; i < n && o < sizeof(line); i++)
		o += (size_t)snprintf(line + o, sizeof(line) - o, "%s%s %+d", i ? ", " : "",
				      s->findings[top[i]].rule, s->findings[top[i]].points);
	if (o < sizeof(line))
		snprintf(line + o, sizeof(line) - o, ")%s", sp_verbosity > 0 ? "" : "; -v lists them");
	sp_msg("%s", line);
}

void gscore_report_end(struct session *s)
{
	struct gscore *g = s->gsc;
	bool list = sp_verbosity > 0 || !gpolicy_enforcing(s);

	if (s->blocked || !s->nfindings)
		return;
	if (!g) {
		for (size_t i = 0; i < s->nfindings; i++)
			sp_msg("finding %s: %s", s->findings[i].rule, s->findings[i].what);
		return;
	}
	one_line(s);
	for (size_t i = 0; list && i < s->nfindings; i++) {
		const char *frame = gscore_frame(s, i);

		sp_msg("finding %s: %s (%+d)%s%s", s->findings[i].rule, s->findings[i].what,
		       s->findings[i].points, frame[0] && !strstr(s->findings[i].what, frame) ? " at " : "",
		       frame[0] && !strstr(s->findings[i].what, frame) ? frame : "");
	}
	if (g->monitor_crossed)
		sp_msg("monitor mode: %u distribution%s reached the threshold %u and would have been "
		       "stopped in enforce mode", g->monitor_crossed, g->monitor_crossed > 1 ? "s" : "",
		       g->sc.threshold);
	if (g->allowed_crossed)
		sp_msg("%u distribution%s allowed by packages.allow reached the threshold %u: not stopped",
		       g->allowed_crossed, g->allowed_crossed > 1 ? "s" : "", g->sc.threshold);
}

/* ------------------------------------------------------------------ JSON */

static void json_acc(struct jw *w, const struct score_acc *a)
{
	jw_kuint(w, "score", a ? a->total : 0);
	jw_key(w, "rules");
	jw_obj(w);
	for (int r = 0; a && r < SCORE_RULES; r++) {
		if (!a->hits[r])
			continue;
		jw_key(w, score_rule_id(r));
		jw_obj(w);
		jw_kuint(w, "hits", a->hits[r]);
		jw_kuint(w, "points", a->points[r]);
		jw_obj_end(w);
	}
	jw_obj_end(w);
}

void gscore_json(struct session *s, struct jw *w)
{
	struct gscore *g = s->gsc;

	if (!g)
		return;
	jw_kuint(w, "threshold", g->sc.threshold);
	jw_kstr(w, "mode", gpolicy_enforcing(s) ? "enforce" : "monitor");
	jw_kbool(w, "blocked_by_score", g->score_block);
	jw_key(w, "roles");
	jw_obj(w);
	for (uint32_t r = SP_ROLE_PIP; r < SP_ROLE_MAX; r++) {
		jw_key(w, role_name(r));
		jw_obj(w);
		json_acc(w, &g->sc.roles[r]);
		jw_obj_end(w);
	}
	jw_obj_end(w);
	jw_key(w, "unattributed");
	jw_obj(w);
	json_acc(w, scorer_dist(&g->sc, SCORE_NONE_DIST));
	jw_obj_end(w);
}

/* The scores of one distribution (summary.c). */
void gscore_json_dist(struct session *s, struct jw *w, int dist)
{
	const struct sp_entry *m = NULL;
	const struct dist *d = &s->dists.v[dist];

	json_acc(w, s->gsc ? scorer_dist(&s->gsc->sc, dist) : NULL);
	if (s->policy)
		m = sp_policy_match_package(s->policy, d->name, d->version[0] ? d->version : NULL);
	jw_kbool(w, "allowed_by_policy", m && m->action == SP_ACT_ALLOW);
	jw_kbool(w, "crossed", s->gsc && scorer_dist(&s->gsc->sc, dist) &&
				       scorer_dist(&s->gsc->sc, dist)->crossed);
	jw_kbool(w, "direct", gscore_direct(s, d->name));
}

bool gscore_direct(const struct session *s, const char *name)
{
	char a[DIST_NAME_MAX], b[DIST_NAME_MAX];

	if (!s->gsc)
		return false;
	pep503_normalize(name, a, sizeof(a));
	for (size_t i = 0; i < s->gsc->nrequested; i++) {
		if (!s->gsc->requested[i])
			continue;
		pep503_normalize(s->gsc->requested[i], b, sizeof(b));
		if (!strcmp(a, b))
			return true;
	}
	return false;
}

void gscore_install_features(const struct session *s, struct gscore_install *out)
{
	const struct gscore *g = s->gsc;

	memset(out, 0, sizeof(*out));
	if (!g)
		return;
	out->total = (unsigned)g->ninstalled;
	out->direct = g->ndirect;
	out->indirect = out->total > out->direct ? out->total - out->direct : 0;
	out->build_deps = g->build_deps;
}

/* One "features" log line: DySec's vector of dist (-1: the session). */
static void log_dysec(struct session *s, int dist)
{
	struct ks_features f = { 0 };
	struct gscore_install in;
	uint64_t v[SUMMARY_DYSEC_N];
	struct jw *w;

	if (s->kst && kstats_features(s->kst->stats, dist, &f) < 0 && dist >= 0)
		return;         /* nothing counted for it */
	w = log_line_begin(s, "features", mono_ns());
	if (!w)
		return;
	gscore_install_features(s, &in);
	jw_kstr(w, "scope", dist < 0 ? "session" : "dist");
	if (dist >= 0)
		jw_kstr(w, "dist", s->dists.v[dist].name);
	jw_kuint(w, "score", gscore_total(s, dist));
	summary_dysec(&f, in.total, in.direct, in.indirect, v);
	jw_key(w, "dysec");
	jw_obj(w);
	for (unsigned i = 0; i < SUMMARY_DYSEC_N; i++)
		jw_kuint(w, summary_dysec_name(i), v[i]);
	jw_obj_end(w);
	summary_install_json(w, &in);
	log_line_end(s);
}

void gscore_finish(struct session *s)
{
	if (!s->gsc || !s->log)
		return;
	log_dysec(s, -1);
	for (size_t d = 0; d < s->dists.n; d++)
		log_dysec(s, (int)d);
}
