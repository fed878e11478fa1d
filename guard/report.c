// SPDX-License-Identifier: MIT
/*
 * What the user reads: safe-pip's own lines on stderr, "safe-pip: "
 * prefixed.  pip's output is never touched.
 */
#include <limits.h>
#include <sys/resource.h>

#include "guard/exitcode.h"
#include "guard/gpolicy.h"
#include "guard/gscore.h"
#include "guard/ksensor.h"
#include "guard/seccomp.h"
#include "guard/session.h"
#include "guard/shimsrv.h"
#include "guard/txn.h"
#include "guard/util.h"


void report_sensors(const struct session *s)
{
	char sensors[768], txn[PATH_MAX + 64];

	sensors_describe(s, sensors, sizeof(sensors));
	txn_describe(s->txn, txn, sizeof(txn));
	sp_msg("guarding pip %s: sensors: %s; transaction: %s", s->opt->pip_command, sensors, txn);
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
	       s->ks && ks_ntracked(s->ks) > 0 ? " (some did not die: see above)" : "");
	if (s->dead_ns > f->ts_ns)
		sp_msg("  tree dead %.2f ms after the offending call", (double)(s->dead_ns - f->ts_ns) / 1e6);
	report_txn(s);
	/* the policy line or --allow that would permit it */
	gscore_report_allow(s);
}

void report_end(struct session *s, int exit_status)
{
	uint64_t lost = s->ks ? ks_lost(s->ks) : 0, overflow = s->ks ? ks_overflow(s->ks) : 0;

	/* one line below the threshold; -v and monitor mode list the findings */
	gscore_report_end(s);
	if (!s->blocked)
		report_txn(s);
	if (lost)
		sp_msg("warning: %llu kernel records were lost (ring buffer full); the view is incomplete",
		       (unsigned long long)lost);
	if (overflow)
		sp_msg("warning: %llu processes could not be tracked; the session was stopped",
		       (unsigned long long)overflow);
	gpolicy_report_end(s);
	sp_debug("%llu kernel records, %zu processes seen, exit status %d",
		 (unsigned long long)s->records, s->procs.count, exit_status);
	if (s->sn) {
		struct rusage ru = { 0 };

		(void)getrusage(RUSAGE_SELF, &ru);
		sp_debug("seccomp: %lu notifications answered, %lu of them with an error (refused, or "
			 "failing as the kernel would fail them); supervisor CPU %.1f ms", sn_count(s->sn),
			 sn_refused(s->sn), (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
			 (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3);
	}
}
