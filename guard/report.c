// SPDX-License-Identifier: MIT
/*
 * What the user reads: safe-pip's own lines on stderr, "safe-pip: "
 * prefixed.  pip's output is never touched.
 */
#include "guard/exitcode.h"
#include "guard/gpolicy.h"
#include "guard/gscore.h"
#include "guard/ksensor.h"
#include "guard/session.h"
#include "guard/shimsrv.h"
#include "guard/util.h"


void report_sensors(const struct session *s)
{
	sp_msg("guarding pip %s: sensors: kernel (eBPF%s)%s; transaction: none",
	       s->opt->pip_command, s->have_cgroup ? ", session cgroup" : ", no cgroup",
	       shimsrv_label(s));
}

void report_block(struct session *s)
{
	const struct finding *f;

	/* the package, its score, the top reasons (guard/gscore_report.c) */
	gscore_report_block(s);
	if (s->block_finding < 0)
		return;
	f = &s->findings[s->block_finding];
	for (size_t i = 0; i < s->nfindings; i++)
		if ((int)i != s->block_finding && sp_verbosity > 0)
			sp_msg("  also: %s %+d: %s", s->findings[i].rule, s->findings[i].points,
			       s->findings[i].what);
	sp_msg("  killed the install's process tree: %u processes%s", s->nkilled,
	       ks_ntracked(s->ks) > 0 ? " (some did not die: see above)" : "");
	if (s->dead_ns > f->ts_ns)
		sp_msg("  tree dead %.2f ms after the offending call", (double)(s->dead_ns - f->ts_ns) / 1e6);
	sp_msg("  nothing of this install was committed by safe-pip; files pip wrote before the stop may remain");
	/* the policy line or --allow that would permit it */
	gscore_report_allow(s);
}

void report_end(struct session *s, int exit_status)
{
	uint64_t lost = ks_lost(s->ks), overflow = ks_overflow(s->ks);

	/* one line below the threshold; -v and monitor mode list the findings */
	gscore_report_end(s);
	if (lost)
		sp_msg("warning: %llu kernel records were lost (ring buffer full); the view is incomplete",
		       (unsigned long long)lost);
	if (overflow)
		sp_msg("warning: %llu processes could not be tracked; the session was stopped",
		       (unsigned long long)overflow);
	gpolicy_report_end(s);
	sp_debug("%llu kernel records, %zu processes seen, exit status %d",
		 (unsigned long long)s->records, s->procs.count, exit_status);
}
