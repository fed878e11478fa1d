// SPDX-License-Identifier: MIT
#include "guard/summary.h"

#include <fcntl.h>

#include "guard/gpolicy.h"
#include "guard/gscore.h"
#include "guard/jsonw.h"
#include "guard/kmon.h"
#include "guard/ksensor.h"
#include "guard/session.h"
#include "guard/shimsrv_int.h"
#include "guard/systab.h"
#include "guard/util.h"

static const char *const dysec_names[SUMMARY_DYSEC_N] = {
	/* filetop */
	"procs_reading", "procs_writing", "bytes_read", "bytes_written", "procs_files",
	/* install */
	"deps_total", "deps_direct", "deps_indirect",
	/* opensnoop */
	"opens_root", "opens_tmp", "opens_home", "opens_usr", "opens_sys", "opens_etc", "opens_other",
	/* TCP */
	"tcp_transitions", "tcp_local_ips", "tcp_remote_ips", "tcp_local_ports", "tcp_remote_ports",
	/* syscall categories */
	"sys_io", "sys_file", "sys_network", "sys_time", "sys_security", "sys_process",
	/* 3-grams */
	"newfstatat-openat-fstat", "read-pread64-lseek", "write-pwrite64-fsync", "socket-bind-listen",
	"fork-execve-wait4", "mmap-mprotect-munmap", "dup-dup2-close", "pipe-write-read",
	"fcntl-lockf-close", "open-read-ENOENT",
};

const char *summary_dysec_name(unsigned i)
{
	return i < SUMMARY_DYSEC_N ? dysec_names[i] : NULL;
}

void summary_dysec(const struct ks_features *f, unsigned total, unsigned direct, unsigned indirect,
		   uint64_t out[SUMMARY_DYSEC_N])
{
	unsigned i = 0;

	out[i++] = f->procs_reading;
	out[i++] = f->procs_writing;
	out[i++] = f->bytes_read;
	out[i++] = f->bytes_written;
	out[i++] = f->procs_files;
	out[i++] = total;
	out[i++] = direct;
	out[i++] = indirect;
	/* "elsewhere" is DySec's last bucket: other places, hidden dirs among them */
	for (unsigned b = SP_BK_ROOT; b <= SP_BK_OTHER; b++)
		out[i++] = f->opens[b];
	out[i++] = f->tcp_transitions;
	out[i++] = f->local_ips;
	out[i++] = f->remote_ips;
	out[i++] = f->local_ports;
	out[i++] = f->remote_ports;
	for (unsigned c = SP_CAT_IO; c <= SP_CAT_PROCESS; c++)
		out[i++] = f->sys[c];
	for (unsigned n = 0; n < SP_NG_MAX; n++)
		out[i++] = f->ngram[n];
}

/* key: { name(i): v[i] for i < n } */
static void named_counts(struct jw *w, const char *key, unsigned n, const char *(*name)(unsigned),
			 const uint64_t *v)
{
	jw_key(w, key);
	jw_obj(w);
	for (unsigned i = 0; i < n; i++)
		jw_kuint(w, name(i), v[i]);
	jw_obj_end(w);
}

void summary_features_json(struct jw *w, const struct ks_features *f)
{
	jw_key(w, "filetop");
	jw_obj(w);
	jw_kuint(w, "procs_reading", f->procs_reading);
	jw_kuint(w, "procs_writing", f->procs_writing);
	jw_kuint(w, "bytes_read", f->bytes_read);
	jw_kuint(w, "bytes_written", f->bytes_written);
	jw_kuint(w, "procs_files", f->procs_files);
	jw_obj_end(w);
	named_counts(w, "opens", SP_BK_MAX, sp_bucket_name, f->opens);
	jw_key(w, "tcp");
	jw_obj(w);
	jw_kuint(w, "transitions", f->tcp_transitions);
	jw_kuint(w, "local_ips", f->local_ips);
	jw_kuint(w, "remote_ips", f->remote_ips);
	jw_kuint(w, "local_ports", f->local_ports);
	jw_kuint(w, "remote_ports", f->remote_ports);
	jw_obj_end(w);
	named_counts(w, "syscalls", SP_CAT_MAX, sp_cat_name, f->sys);
	named_counts(w, "patterns", SP_NG_MAX, sp_ngram_name, f->ngram);
	jw_key(w, "resources");
	jw_obj(w);
	jw_kuint(w, "procs", f->procs);
	jw_kuint(w, "execs", f->execs);
	jw_kuint(w, "forks", f->forks);
	jw_kuint(w, "threads", f->threads);
	jw_kdouble(w, "cpu_s", (double)f->cpu_ns / 1e9);
	jw_kuint(w, "bytes_sent", f->bytes_sent);
	jw_kuint(w, "bytes_received", f->bytes_recv);
	jw_kuint(w, "storage_read", f->storage_read);
	jw_kuint(w, "storage_written", f->storage_written);
	jw_kuint(w, "compat_syscalls", f->compat_sys);
	jw_kuint(w, "dns_queries", f->dns_queries);
	jw_obj_end(w);
}

void summary_install_json(struct jw *w, const struct gscore_install *in)
{
	jw_key(w, "install");
	jw_obj(w);
	jw_kuint(w, "total", in->total);
	jw_kuint(w, "direct", in->direct);
	jw_kuint(w, "indirect", in->indirect);
	jw_kuint(w, "build_dependencies", in->build_deps);
	jw_obj_end(w);
}

/* features, install and dysec members for dist (-1: the session). */
static void features(struct session *s, struct jw *w, int dist)
{
	struct ks_features f = { 0 };
	struct gscore_install in;
	uint64_t v[SUMMARY_DYSEC_N];

	gscore_install_features(s, &in);
	if (s->kst)
		(void)kstats_features(s->kst->stats, dist, &f);
	jw_key(w, "features");
	jw_obj(w);
	summary_features_json(w, &f);
	summary_install_json(w, &in);
	jw_obj_end(w);
	summary_dysec(&f, in.total, in.direct, in.indirect, v);
	jw_key(w, "dysec");
	jw_arr(w);
	for (unsigned i = 0; i < SUMMARY_DYSEC_N; i++)
		jw_uint(w, v[i]);
	jw_arr_end(w);
}

static void packages(struct session *s, struct jw *w)
{
	jw_key(w, "packages");
	jw_arr(w);
	for (size_t d = 0; d < s->dists.n; d++) {
		jw_obj(w);
		jw_kstr(w, "name", s->dists.v[d].name);
		jw_kstr(w, "version", s->dists.v[d].version);
		gscore_json_dist(s, w, (int)d);
		features(s, w, (int)d);
		jw_obj_end(w);
	}
	jw_arr_end(w);
}

static void findings(struct session *s, struct jw *w)
{
	jw_key(w, "findings");
	jw_arr(w);
	for (size_t i = 0; i < s->nfindings; i++) {
		const struct finding *f = &s->findings[i];
		const struct proc *p = f->pid > 0 ? proctab_get(&s->procs, f->pid) : NULL;

		jw_obj(w);
		jw_kstr(w, "rule", f->rule);
		jw_kbool(w, "deny", f->deny);
		jw_kint(w, "points", f->points);
		if (f->dist >= 0 && (size_t)f->dist < s->dists.n)
			jw_kstr(w, "dist", s->dists.v[f->dist].name);
		else
			jw_kstr(w, "dist", NULL);
		jw_kint(w, "pid", f->pid);
		jw_kstr(w, "role", p ? role_name(p->role) : NULL);
		jw_kdouble(w, "t", f->ts_ns > s->start_ns ? (double)(f->ts_ns - s->start_ns) / 1e9 : 0.0);
		jw_kstr(w, "evidence", f->what);
		jw_kstr(w, "frame", gscore_frame(s, i)[0] ? gscore_frame(s, i) : NULL);
		jw_obj_end(w);
	}
	jw_arr_end(w);
}

static void verdict(struct session *s, struct jw *w, int exit_status)
{
	const struct finding *b = s->blocked && s->block_finding >= 0 ?
				  &s->findings[s->block_finding] : NULL;

	jw_kstr(w, "verdict", s->blocked ? "blocked" : s->interrupted ? "interrupted" : "allowed");
	jw_kint(w, "exit_status", exit_status);
	jw_key(w, "block");
	if (!b) {
		jw_null(w);
		return;
	}
	jw_obj(w);
	jw_kstr(w, "by", gscore_blocked_by_score(s) ? "score" : "deny");
	jw_kstr(w, "rule", b->rule);
	jw_kstr(w, "dist", b->dist >= 0 && (size_t)b->dist < s->dists.n ? s->dists.v[b->dist].name : NULL);
	jw_kuint(w, "score", gscore_total(s, b->dist));
	jw_kint(w, "finding", s->block_finding);
	if (s->dead_ns > b->ts_ns)
		jw_kdouble(w, "time_to_dead_ms", (double)(s->dead_ns - b->ts_ns) / 1e6);
	jw_kuint(w, "killed", s->nkilled);
	jw_obj_end(w);
}

static void sensors(struct session *s, struct jw *w)
{
	jw_key(w, "sensors");
	jw_obj(w);
	jw_kbool(w, "kernel", s->ks != NULL);
	jw_kbool(w, "shim", s->shim != NULL);
	jw_kbool(w, "cgroup", s->have_cgroup);
	jw_kbool(w, "pid_namespace", s->sp.pidns);
	jw_obj_end(w);
	jw_key(w, "records");
	jw_obj(w);
	jw_kuint(w, "kernel", s->records);
	jw_kuint(w, "kernel_lost", s->ks ? ks_lost(s->ks) : 0);
	jw_kuint(w, "untracked_forks", s->ks ? ks_overflow(s->ks) : 0);
	jw_kuint(w, "shim", s->shim ? s->shim->received : 0);
	jw_kuint(w, "shim_lost", s->shim ? s->shim->lost : 0);
	jw_obj_end(w);
	jw_key(w, "timings");
	jw_obj(w);
	jw_kdouble(w, "duration_ms", (double)(mono_ns() - s->start_ns) / 1e6);
	jw_kdouble(w, "sensor_attach_ms", s->ks ? (double)ks_attach_ns(s->ks) / 1e6 : 0.0);
	if (s->blocked && s->block_finding >= 0 && s->dead_ns > s->findings[s->block_finding].ts_ns)
		jw_kdouble(w, "time_to_dead_ms",
			   (double)(s->dead_ns - s->findings[s->block_finding].ts_ns) / 1e6);
	jw_obj_end(w);
}

static void body(struct session *s, struct jw *w, int exit_status)
{
	struct gscore_install in;

	jw_obj(w);
	jw_kstr(w, "schema", SUMMARY_SCHEMA);
	jw_kstr(w, "version", PACKAGE_VERSION);
	jw_kstr(w, "command", s->opt->pip_command);
	verdict(s, w, exit_status);
	gscore_json(s, w);
	sensors(s, w);
	gscore_install_features(s, &in);
	packages(s, w);
	jw_key(w, "session");
	jw_obj(w);
	features(s, w, -1);
	jw_obj_end(w);
	jw_key(w, "dysec_names");
	jw_arr(w);
	for (unsigned i = 0; i < SUMMARY_DYSEC_N; i++)
		jw_str(w, dysec_names[i]);
	jw_arr_end(w);
	findings(s, w);
	jw_kuint(w, "killed", s->nkilled);
	jw_kuint(w, "outlived", s->noutlived);
	jw_obj_end(w);
}

int summary_write(struct session *s, const char *path, int exit_status)
{
	bool out = strcmp(path, "-") == 0;
	FILE *f;
	struct jw w;
	int r = 0;

	if (out) {
		f = stdout;
	} else {
		int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOCTTY, 0644);

		if (fd < 0 || !(f = fdopen(fd, "w"))) {
			r = -errno;
			sp_msg("cannot write the summary %s: %s", path, strerror(-r));
			if (fd >= 0)
				close(fd);
			return r;
		}
	}
	jw_init(&w, f);
	body(s, &w, exit_status);
	fputc('\n', f);
	if ((out ? fflush(f) : fclose(f)) != 0 || w.overflow) {
		r = w.overflow ? -E2BIG : -errno;
		sp_msg("cannot write the summary %s: %s", path, strerror(-r));
	}
	return r;
}
