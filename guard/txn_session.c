// SPDX-License-Identifier: MIT
/*
 * The install transaction inside a session: when to prepare it, what to
 * do with it after the verdict, and what the user reads about it.
 */
#include "guard/exitcode.h"
#include "guard/session.h"
#include "guard/txn.h"
#include "guard/util.h"

static int status_of_prepare(int r)
{
	if (r == -ENOTSUP)
		return SP_EXIT_SENSOR;          /* a demanded mode is unavailable: fail closed */
	if (r == -EINVAL || r == -EPERM)
		return SP_EXIT_CONFIG;          /* pip's arguments, the state directory */
	return SP_EXIT_INTERNAL;
}

int session_txn_open(struct session *s)
{
	struct txn_config cfg = { .want = TXN_WANT_AUTO };
	char err[512] = "";
	int r;

	if (s->opt->transaction) {
		if (txn_want_parse(s->opt->transaction, &cfg.want) < 0) {
			sp_msg("unknown transaction mode %s (auto, staged, journaled)", s->opt->transaction);
			return SP_EXIT_USAGE;
		}
		cfg.want_source = "--transaction";
	}
	/* the policy's "require" hooks in here: txn_config_require(&cfg, ...) */
	r = txn_prepare(&s->txn, &cfg, &s->py, s->opt->pip_argv, s->opt->pip_argc,
			s->have_cgroup ? s->cg.path : NULL, err, sizeof(err));
	if (r < 0) {
		sp_msg("cannot protect the install: %s", *err ? err : strerror(-r));
		return status_of_prepare(r);
	}
	return 0;
}

static int add_finding(void *ctx, const struct txn_finding *tf)
{
	struct session *s = ctx;
	struct finding f = { .rule = tf->rule, .points = 0, .dist = tf->dist, .pid = tf->pid,
			     .ts_ns = mono_ns() };

	if (tf->by_pip) {
		/* pip's own helpers (rustc --version for its user agent writes ~/.rustup) */
		sp_debug("pip itself: %s", tf->what);
		return 0;
	}
	snprintf(f.what, sizeof(f.what), "%s", tf->what);
	return session_add_finding(s, &f) < 0 ? -ENOMEM : 0;
}

int session_txn_close(struct session *s, bool commit, int status)
{
	const struct txn_result *res;
	int r;

	if (!s->txn)
		return status;
	(void)txn_findings(s->txn, add_finding, s);
	r = commit ? txn_commit(s->txn) : txn_abort(s->txn);
	res = txn_result(s->txn);
	if (commit && r < 0) {
		sp_msg("cannot commit the install: %s; its journal keeps it: run safe-pip recover to finish it",
		       strerror(-r));
		return SP_EXIT_INTERNAL;
	}
	if (!commit && (r < 0 || res->nlost > 0))
		return SP_EXIT_ROLLBACK;
	return status;
}

static double ms(uint64_t ns)
{
	return (double)ns / 1e6;
}

void report_txn(const struct session *s)
{
	const struct txn_result *res = txn_result(s->txn);

	if (!res) {
		if (s->blocked)
			sp_msg("  no transaction: files pip wrote before the stop remain");
		return;
	}
	if (res->committed) {
		sp_debug("transaction committed: %llu files written, %llu removed, in %.2f ms "
			 "(then %.2f ms cleaning up)", (unsigned long long)res->files,
			 (unsigned long long)res->deletions, ms(res->elapsed_ns), ms(res->cleanup_ns));
		return;
	}
	if (!res->aborted)
		return;
	sp_debug("cleaning up after the rollback took %.2f ms", ms(res->cleanup_ns));
	if (txn_mode(s->txn) == TXN_STAGED)
		sp_msg("  rolled back: %llu staged files and %llu deletions discarded; the target was "
		       "never written (%.2f ms)", (unsigned long long)res->files,
		       (unsigned long long)res->deletions, ms(res->elapsed_ns));
	else
		sp_msg("  rolled back: %llu new entries removed, %llu files restored (%.2f ms)%s",
		       (unsigned long long)res->deletions, (unsigned long long)res->files,
		       ms(res->elapsed_ns), res->nlost ? "" : "; the target matches its manifest");
	if (res->removed_elsewhere)
		sp_msg("  removed %llu files and directories the install made outside the target and "
		       "the places the transaction stages", (unsigned long long)res->removed_elsewhere);
	if (res->moved_back)
		sp_msg("  put back %llu files and directories the install had moved",
		       (unsigned long long)res->moved_back);
	if (res->nlost) {
		sp_msg("  ROLLBACK INCOMPLETE: %llu paths differ from before the install:",
		       (unsigned long long)res->nlost);
		for (size_t i = 0; i < res->nlost && i < TXN_LOST_LIST_MAX; i++)
			sp_msg("    %s", res->lost[i]);
		if (res->nlost > TXN_LOST_LIST_MAX)
			sp_msg("    and %llu more", (unsigned long long)(res->nlost - TXN_LOST_LIST_MAX));
	}
	if (res->error && res->error != -EIO)
		sp_msg("  the rollback could not finish: %s; run safe-pip recover", strerror(-res->error));
}

void log_txn(struct session *s)
{
	const struct txn_result *res = txn_result(s->txn);
	struct jw *w = &s->logw;

	jw_key(w, "transaction");
	jw_obj(w);
	jw_kstr(w, "mode", txn_mode_name(txn_mode(s->txn)));
	if (res) {
		jw_kstr(w, "result", res->committed ? "committed" : res->aborted ? "rolled_back" : "none");
		jw_kuint(w, "files", res->files);
		jw_kuint(w, "deletions", res->deletions);
		jw_kdouble(w, "ms", ms(res->elapsed_ns));
		jw_kuint(w, "removed_elsewhere", res->removed_elsewhere);
		jw_kuint(w, "moved_back", res->moved_back);
		jw_kuint(w, "not_restored", res->nlost);
		jw_key(w, "not_restored_paths");
		jw_arr(w);
		for (size_t i = 0; i < res->nlost && i < TXN_LOST_LIST_MAX; i++)
			jw_str(w, res->lost[i]);
		jw_arr_end(w);
	}
	jw_obj_end(w);
}
