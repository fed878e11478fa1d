// SPDX-License-Identifier: MIT
/*
 * The scorer's rules that need the session: who wrote where, what a build
 * started, which names it looked up, what it read, how many processes it
 * keeps and how much CPU they burn.  Each handler is called for one
 * kernel record after guard/kmon.c has seen it.
 */
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>

#include "guard/gpolicy.h"
#include "guard/gscore_int.h"
#include "guard/kevent.h"
#include "guard/kmon.h"
#include "guard/session.h"
#include "guard/shimsrv_int.h"
#include "guard/signals.h"
#include "guard/txn.h"
#include "guard/util.h"
#include "policy/policy.h"

#define W_MAX (PROC_CMDLINE_MAX + 64)
#define CPU_CHECK_NS (250 * 1000000ull)
#define PTH_CHECK_NS (20 * 1000000ull)

static bool under(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	while (n > 1 && dir[n - 1] == '/')
		n--;
	return n > 0 && strncmp(path, dir, n) == 0 && (path[n] == '/' || path[n] == '\0');
}

static const char *via_of(const struct session *s, const struct sp_event *e)
{
	const struct shimsrv *ss = s->shim;

	if (!ss || !ss->cur_valid || ss->cur_ts != e->h.ts_ns)
		return "";
	return ss->cur.via;
}

/* ------------------------------------------------------------ processes */

static unsigned *live_slot(struct gscore *g, int dist, unsigned **peak, bool **told)
{
	size_t slot = dist < 0 ? 0 : (size_t)dist + 1;

	if (slot >= SCORE_DISTS_MAX)
		slot = SCORE_DISTS_MAX - 1;
	if (slot >= g->nlive) {
		size_t n = g->nlive ? g->nlive : 8;
		unsigned *l, *p;
		bool *t;

		while (n <= slot)
			n *= 2;
		l = realloc(g->live, n * sizeof(*l));
		if (l)
			g->live = l;
		p = l ? realloc(g->peak, n * sizeof(*p)) : NULL;
		if (p)
			g->peak = p;
		t = p ? realloc(g->proc_told, n * sizeof(*t)) : NULL;
		if (!t)
			return NULL;
		g->proc_told = t;
		memset(g->live + g->nlive, 0, (n - g->nlive) * sizeof(*l));
		memset(g->peak + g->nlive, 0, (n - g->nlive) * sizeof(*p));
		memset(g->proc_told + g->nlive, 0, (n - g->nlive) * sizeof(*t));
		g->nlive = n;
	}
	*peak = &g->peak[slot];
	*told = &g->proc_told[slot];
	return &g->live[slot];
}

static void on_fork(struct session *s, struct proc *parent, const struct sp_event *e)
{
	struct gscore *g = s->gsc;
	struct proc *c = proctab_get(&s->procs, (pid_t)e->fork.child_tgid);
	unsigned *live, *peak;
	bool *told;
	char w[W_MAX];

	if (!c || c->role != SP_ROLE_BUILD)
		return;
	live = live_slot(g, c->dist, &peak, &told);
	if (!live)
		return;
	if (++*live > *peak)
		*peak = *live;
	if (*live > g->proc_limit && !*told) {
		*told = true;
		gscore_add(s, parent, e->h.ts_ns, "", "proc-excess",
			   "%u processes of the build alive at once (limit %u): %s started process %u",
			   *live, g->proc_limit, gscore_who(parent, w, sizeof(w)), e->fork.child_tgid);
	}
}

static bool cpu_told(struct gscore *g, pid_t pid)
{
	for (size_t i = 0; i < g->ncpu_told; i++)
		if (g->cpu_told[i] == pid)
			return true;
	if (g->ncpu_told < GSCORE_CPU_PIDS_MAX)
		g->cpu_told[g->ncpu_told++] = pid;
	return false;
}

/* A build process (not a compiler) that burned more CPU than the limit. */
static void check_cpu(struct session *s, struct proc *p, uint64_t cpu_ns, uint64_t ts)
{
	struct gscore *g = s->gsc;
	char w[W_MAX];

	if (p->role != SP_ROLE_BUILD || cpu_ns < g->cpu_limit_ns || gscore_is_toolchain(p) ||
	    cpu_told(g, p->pid))
		return;
	gscore_add(s, p, ts, "", "cpu-excess", "%s used %.1f s of CPU (limit %.0f s for a program "
		   "that is not a compiler)", gscore_who(p, w, sizeof(w)), (double)cpu_ns / 1e9,
		   (double)g->cpu_limit_ns / 1e9);
}

static void on_exit_(struct session *s, struct proc *p, const struct sp_event *e)
{
	struct gscore *g = s->gsc;
	unsigned *live, *peak;
	bool *told;

	if (p->role == SP_ROLE_BUILD) {
		live = live_slot(g, p->dist, &peak, &told);
		if (live && *live)
			--*live;
	}
	check_cpu(s, p, e->exit.st.cpu_ns, e->h.ts_ns);
}

/* CPU time of a live process from /proc, in ns; 0 when unknown. */
static uint64_t proc_cpu_ns(pid_t pid)
{
	char path[64], buf[1024], *c;
	unsigned long long ut = 0, st = 0;
	_cleanup_close_ int fd = -1;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || (n = read(fd, buf, sizeof(buf) - 1)) <= 0)
		return 0;
	buf[n] = '\0';
	/* the name may hold spaces and parentheses: fields start after the last ')' */
	c = strrchr(buf, ')');
	if (!c || sscanf(c + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st) != 2)
		return 0;
	return (ut + st) * (1000000000ull / (unsigned long long)sysconf(_SC_CLK_TCK));
}

static void cpu_each(struct proc *p, void *ctx)
{
	struct session *s = ctx;

	if (!p->exited && p->role == SP_ROLE_BUILD && !gscore_is_toolchain(p))
		check_cpu(s, p, proc_cpu_ns(p->pid), mono_ns());
}

/* --------------------------------------------------------------- exec */

static void on_exec(struct session *s, struct proc *p, const struct sp_event *e)
{
	const struct sp_exec *x = &e->exec;
	char why[SIG_WHY_MAX], w[W_MAX], file[SP_PATH_MAX + 1];
	bool hit;

	/* pip starting a build (its setup.py shim: exec(compile(...))) is pip's doing */
	if (p->role != SP_ROLE_BUILD || x->old_role != SP_ROLE_BUILD)
		return;
	snprintf(file, sizeof(file), "%.*s", SP_PATH_MAX, x->filename);
	hit = sig_spawn_fetch(file, x->argv, x->argv_len < SP_ARGV_MAX ? x->argv_len : SP_ARGV_MAX,
			      why, sizeof(why));
	if (!hit && x->path[0] && strcmp(x->path, x->filename) != 0 && !(x->xflags & SP_XF_SCRIPT))
		hit = sig_spawn_fetch(x->path, x->argv, x->argv_len < SP_ARGV_MAX ? x->argv_len :
				      SP_ARGV_MAX, why, sizeof(why));
	/* a downloader the policy's exec.allow names may download: the user said so */
	if (hit && sig_downloader(file) && s->policy && p->exe) {
		const struct sp_entry *m = sp_policy_match_exec(s->policy, p->exe);

		if (m && m->action == SP_ACT_ALLOW)
			hit = false;
	}
	if (hit)
		gscore_add(s, p, e->h.ts_ns, via_of(s, e), "spawn-fetch", "%s: %s",
			   gscore_who(p, w, sizeof(w)), why);
}

/* ------------------------------------------------------------ files */

static void watch_pth(struct session *s, const struct proc *p, const struct sp_event *e,
		      const char *path)
{
	struct gscore *g = s->gsc;
	struct gscore_pth *t;

	for (size_t i = 0; i < g->npth; i++)
		if (strcmp(g->pth[i].path, path) == 0)
			return;
	if (g->npth >= GSCORE_PTH_MAX) {
		g->pth_dropped++;
		return;
	}
	t = &g->pth[g->npth];
	t->path = strdup(path);
	if (!t->path)
		return;
	t->dist = p->dist;
	t->pid = p->pid;
	t->role = p->role;
	t->ts = e->h.ts_ns;
	snprintf(t->via, sizeof(t->via), "%s", via_of(s, e));
	g->npth++;
}

/* Where a build may write without it counting: devices, its trees, $TMPDIR. */
static bool build_space(const struct session *s, const struct proc *p, const char *path)
{
	static const char *const devices[] = { "/dev", "/proc", "/sys" };

	for (size_t i = 0; i < ARRAY_SIZE(devices); i++)
		if (under(path, devices[i]))
			return true;
	return kmon_in_build_space(s, p, path) || (s->gsc->tmpdir[0] && under(path, s->gsc->tmpdir));
}

/* Is path a temporary file (not in the home, wherever the home lies)? */
static bool temporary(const struct session *s, const char *path)
{
	static const char *const temps[] = { "/tmp", "/var/tmp", "/run/user" };

	if (s->gsc->home[0] && under(path, s->gsc->home))
		return false;
	for (size_t i = 0; i < ARRAY_SIZE(temps); i++)
		if (under(path, temps[i]))
			return true;
	return false;
}

/*
 * Does the policy's allow_write entry m cover path?  In the home only an
 * entry written for the home (~/.cache/...) does: the /tmp entry is about
 * temporary files, not a home that happens to lie there.
 */
static bool allowed_write(const struct session *s, const struct sp_entry *m, const char *path)
{
	const char *home = s->gsc->home;

	if (!m || m->action != SP_ACT_ALLOW)
		return false;
	if (!home[0] || !under(path, home))
		return true;
	return m->text[0] == '~' || strncmp(m->text, home, strlen(home)) == 0;
}

/* Did the file exist before this session (another package's file)? */
static bool existed_before(const struct session *s, const char *path)
{
	struct statx stx;

	if (statx(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW, STATX_BTIME, &stx) < 0 ||
	    !(stx.stx_mask & STATX_BTIME))
		return false;   /* no birth time here: cannot tell, no finding */
	return (int64_t)stx.stx_btime.tv_sec * 1000000000 + stx.stx_btime.tv_nsec <
	       (int64_t)s->gsc->start_real_ns;
}

/*
 * A build changing path: verb is what it did ("wrote", "deleted",
 * "truncated", "moved away").  The install target takes new files; what
 * was there before, and anything outside it and the build's own places,
 * is another's.
 */
static void check_write(struct session *s, struct proc *p, const struct sp_event *e,
			const char *path, const char *verb)
{
	const char *prefix = s->py.prefix;
	const struct sp_entry *m;
	char w[W_MAX];

	if (build_space(s, p, path))
		return;
	m = s->policy ? sp_policy_match_write(s->policy, path) : NULL;
	if (m && m->action == SP_ACT_DENY)
		return;         /* the policy's own finding (denied-write) names it */
	if (prefix && under(path, prefix)) {
		/* installing into the target is fine; rewriting what was there is not */
		if ((strstr(path, "/site-packages/") || strstr(path, "/dist-packages/")) &&
		    existed_before(s, path))
			gscore_add(s, p, e->h.ts_ns, via_of(s, e), "write-outside-target",
				   "%s %s %s, a file installed before this install",
				   gscore_who(p, w, sizeof(w)),
				   strcmp(verb, "wrote") == 0 ? "rewrote" : verb, path);
		return;
	}
	if (allowed_write(s, m, path) || temporary(s, path))
		return;
	gscore_add(s, p, e->h.ts_ns, via_of(s, e), "write-outside-target",
		   "%s %s %s, outside the install target and its build tree",
		   gscore_who(p, w, sizeof(w)), verb, path);
}

static void check_read(struct session *s, struct proc *p, const struct sp_event *e,
		       const char *path)
{
	const char *kind = sig_secret_kind(path);
	const struct sp_entry *m;
	char w[W_MAX];

	if (!kind || kmon_in_build_space(s, p, path))
		return;
	m = s->policy ? sp_policy_match_read(s->policy, path) : NULL;
	if (m && m->action == SP_ACT_DENY)
		return;         /* the policy's own deny finding names it */
	gscore_add(s, p, e->h.ts_ns, via_of(s, e), "read-secret", "%s read %s (%s)",
		   gscore_who(p, w, sizeof(w)), path, kind);
}

static void note_dist_info(struct session *s, const char *path)
{
	struct gscore *g = s->gsc;
	const char *di = strstr(path, ".dist-info/"), *start;
	char name[DIST_NAME_MAX + 64];
	bool target;

	if (!di)
		return;
	start = di;
	while (start > path && start[-1] != '/')
		start--;
	if ((size_t)(di - start) >= sizeof(name))
		return;
	/* pip moves what it replaces aside to "~"-prefixed names first */
	if (*start == '~')
		return;
	snprintf(name, sizeof(name), "%.*s", (int)(di - start), start);
	for (size_t i = 0; i < g->ninstalled; i++)
		if (strcmp(g->installed[i], name) == 0)
			return;
	target = s->py.prefix && under(path, s->py.prefix);
	if (!target) {
		g->build_deps++;
		return;
	}
	if (g->ninstalled < GSCORE_INSTALLED_MAX && (g->installed[g->ninstalled] = strdup(name)))
		g->ninstalled++;
}

static void on_open(struct session *s, struct proc *p, const struct sp_event *e)
{
	const struct sp_open *o = &e->open;
	char path[SP_PATH_MAX + 1];

	if (o->ret < 0 || !(o->oflags & SP_OF_RESOLVED) || (e->h.flags & SP_EF_TRUNC))
		return;
	snprintf(path, sizeof(path), "%.*s", SP_PATH_MAX, o->path);
	if (path[0] != '/')
		return;
	if (!(o->oflags & SP_OF_WRITE)) {
		if (p->role == SP_ROLE_BUILD)
			check_read(s, p, e, path);
		return;
	}
	if (gscore_is_toolchain(p))
		gscore_remember_made(s, path);
	if (sig_pth_path(path))
		watch_pth(s, p, e, path);
	if (p->role == SP_ROLE_PIP)
		note_dist_info(s, path);
	if (p->role == SP_ROLE_BUILD && !(o->oflags & SP_OF_MEMFD))
		check_write(s, p, e, path, "wrote");
}

static void on_file(struct session *s, struct proc *p, const struct sp_event *e)
{
	const struct sp_file *f = &e->file;
	char path[SP_PATH_MAX + 1], path2[SP_PATH_MAX + 1];
	bool build = p->role == SP_ROLE_BUILD;

	if (f->ret != 0 || f->path[0] != '/')
		return;
	snprintf(path, sizeof(path), "%.*s", SP_PATH_MAX, f->path);
	switch (f->op) {
	case SP_FOP_UNLINK:
	case SP_FOP_RMDIR:
		/* a wiper: what the install did not make is not the build's to delete */
		if (build)
			check_write(s, p, e, path, "deleted");
		return;
	case SP_FOP_TRUNCATE:
		if (build)
			check_write(s, p, e, path, "truncated");
		return;
	case SP_FOP_RENAME:
		break;
	default:
		return;
	}
	if (f->path2[0] != '/')
		return;
	snprintf(path2, sizeof(path2), "%.*s", SP_PATH_MAX, f->path2);
	if (sig_pth_path(path2))
		watch_pth(s, p, e, path2);
	if (gscore_toolchain_output(s, path))
		gscore_remember_made(s, path2);
	if (build) {
		check_write(s, p, e, path, "moved away");
		check_write(s, p, e, path2, "wrote");
	}
}

/* ------------------------------------------------------------- names */

static bool name_seen(struct gscore *g, int dist, const char *host)
{
	uint64_t h = 0xcbf29ce484222325ull ^ (uint64_t)(dist + 2);

	for (const char *c = host; *c; c++)
		h = (h ^ (uint8_t)(*c | 0x20)) * 0x100000001b3ull;
	for (size_t i = 0; i < g->nnames; i++)
		if (g->names[i] == h)
			return true;
	if (g->nnames < GSCORE_NAMES_MAX)
		g->names[g->nnames++] = h;
	return false;
}

static void judge_name(struct session *s, const struct proc *p, const char *host, uint64_t ts,
		       const char *via, const char *seen_by)
{
	char why[SIG_WHY_MAX], w[W_MAX];
	const char *svc;

	if (!host[0] || name_seen(s->gsc, p->dist, host))
		return;
	svc = sig_suspicious_host(host);
	if (svc)
		gscore_add(s, p, ts, via, "dns-suspicious-host", "%s looked up %s (%s service %s; %s)",
			   gscore_who(p, w, sizeof(w)), host, "a paste, webhook or tunnel", svc, seen_by);
	else if (sig_encoded_label(host, why, sizeof(why)))
		gscore_add(s, p, ts, via, "dns-encoded-label", "%s looked up %s: %s (%s)",
			   gscore_who(p, w, sizeof(w)), host, why, seen_by);
}

static void on_dns(struct session *s, struct proc *p, const struct sp_event *e)
{
	char host[256];
	uint16_t qtype;
	size_t len = e->dns.len < SP_DNS_MAX ? e->dns.len : SP_DNS_MAX;

	if (p->role != SP_ROLE_BUILD || dns_question(e->dns.payload, len, host, sizeof(host), &qtype) < 0)
		return;
	judge_name(s, p, host, e->h.ts_ns, "", "a DNS query the kernel saw");
}

void gscore_shim_dns(struct session *s, pid_t pid, const char *host, uint64_t ts, const char *via)
{
	struct proc *p = pid > 0 ? proctab_get(&s->procs, pid) : NULL;

	/* a process the kernel does not know yet is judged as a build */
	if (!s->gsc || (p && p->role == SP_ROLE_PIP))
		return;
	if (!p) {
		static struct proc unknown = { .role = SP_ROLE_BUILD, .dist = -1 };

		unknown.pid = pid;
		p = &unknown;
	}
	judge_name(s, p, host, ts, via, "reported by the shim");
}

/* ---------------------------------------------------------- dispatch */

void gscore_record(struct session *s, struct proc *p, const struct sp_event *e)
{
	if (!s->gsc)
		return;
	switch (e->h.kind) {
	case SP_EV_FORK:
		on_fork(s, p, e);
		break;
	case SP_EV_EXEC:
		on_exec(s, p, e);
		break;
	case SP_EV_EXIT:
		on_exit_(s, p, e);
		break;
	case SP_EV_OPEN:
		on_open(s, p, e);
		break;
	case SP_EV_FILE:
		on_file(s, p, e);
		break;
	case SP_EV_DNS:
		on_dns(s, p, e);
		break;
	default:
		break;
	}
}

/* --------------------------------------------------------------- .pth */

#define PTH_IMPORTS_MAX 8
#define PTH_MODULE_MAX (256 * 1024)     /* bytes of an imported module read */

/*
 * Read at most len - 1 bytes of path, as the install sees it (staged: in
 * the transaction's staging directory); -1 when it cannot be read.
 */
static ssize_t read_small(const struct session *s, const char *path, char *buf, size_t len)
{
	char seen[PATH_MAX];
	_cleanup_close_ int fd = -1;
	ssize_t n;

	txn_visible_path(s->txn, path, seen, sizeof(seen));
	fd = open(seen, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);

	if (fd < 0)
		return -1;
	n = read(fd, buf, len - 1);
	if (n >= 0)
		buf[n] = '\0';
	return n;
}

/*
 * The modules a .pth imports, from its own directory: a line that only
 * imports is judged by what it imports (one level, bounded).
 */
static bool imported_suspicious(const struct session *s, const struct gscore_pth *t,
				const char *text, size_t len, char *why, size_t wlen)
{
	char names[PTH_IMPORTS_MAX][SIG_MODNAME_MAX], dir[PATH_MAX], path[PATH_MAX + 96];
	size_t n = sig_pth_imports(text, len, names, PTH_IMPORTS_MAX);
	const char *slash = strrchr(t->path, '/');
	char *src;
	bool hit = false;

	if (!n || !slash || (size_t)(slash - t->path) >= sizeof(dir))
		return false;
	snprintf(dir, sizeof(dir), "%.*s", (int)(slash - t->path), t->path);
	src = malloc(PTH_MODULE_MAX);
	if (!src)
		return false;
	for (size_t i = 0; i < n && !hit; i++) {
		static const char *const forms[] = { ".py", "/__init__.py" };

		for (size_t f = 0; f < ARRAY_SIZE(forms) && !hit; f++) {
			ssize_t l;

			snprintf(path, sizeof(path), "%s/%s%s", dir, names[i], forms[f]);
			l = read_small(s, path, src, PTH_MODULE_MAX);
			if (l > 0 && sig_module_suspicious(src, (size_t)l, why, wlen)) {
				size_t o = strlen(why);

				snprintf(why + o, wlen - o, " (%s)", path_base(path));
				hit = true;
			}
		}
	}
	free(src);
	return hit;
}

/* Judge a watched .pth once it has code; true when it was judged. */
static bool judge_pth(struct session *s, struct gscore_pth *t)
{
	char buf[SIG_PTH_MAX], why[SIG_WHY_MAX + 64], w[W_MAX];
	struct proc *p = proctab_get(&s->procs, t->pid);
	struct proc stub = { .pid = t->pid, .dist = t->dist, .role = t->role };
	ssize_t n = read_small(s, t->path, buf, sizeof(buf));

	if (n <= 0 || !sig_pth_has_code(buf, (size_t)n))
		return false;   /* not written yet, or paths only (so far) */
	/* an honest shim line: a later write, or the module it loads, may still change that */
	if (!sig_pth_exec(buf, (size_t)n, why, sizeof(why)) &&
	    !imported_suspicious(s, t, buf, (size_t)n, why, sizeof(why)))
		return false;
	if (!p)
		p = &stub;
	gscore_add(s, p, t->ts, t->via, "pth-exec", "%s created %s: %s", gscore_who(p, w, sizeof(w)),
		   t->path, why);
	return true;
}

static void check_pths(struct session *s)
{
	struct gscore *g = s->gsc;

	for (size_t i = 0; i < g->npth; i++)
		if (!g->pth[i].judged)
			g->pth[i].judged = judge_pth(s, &g->pth[i]);
}

void gscore_tick(struct session *s)
{
	struct gscore *g = s->gsc;
	uint64_t now;

	if (!g)
		return;
	now = mono_ns();
	if (g->npth && now - g->pth_checked_ns >= PTH_CHECK_NS) {
		g->pth_checked_ns = now;
		check_pths(s);
	}
	if (now - g->cpu_checked_ns >= CPU_CHECK_NS) {
		g->cpu_checked_ns = now;
		proctab_each(&s->procs, cpu_each, s);
	}
}

bool gscore_settle(struct session *s)
{
	if (s->gsc)
		check_pths(s);
	/* the survivors (outlived-pip) were scored while the tree was finished */
	return s->blocked;
}
