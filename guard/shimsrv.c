// SPDX-License-Identifier: MIT
/*
 * The shim channel: setup, the child's environment, reading records,
 * answering questions.  The correlation with the kernel is in shimkern.c,
 * rendering and logging in shimlog.c.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "guard/gpolicy.h"
#include "guard/gscore.h"
#include "guard/ksensor.h"
#include "guard/session.h"
#include "guard/shimsrv_int.h"
#include "guard/txn.h"
#include "guard/util.h"
#include "preload/shim-path.h"
#include "preload/shim_enc.h"

SHIM_ASSERT_LAYOUT();

/* -------------------------------------------------------------- setup */

char *shimsrv_find(const char **why)
{
	const char *env = secure_getenv("SAFE_PIP_PRELOAD");
	const char *p = env && *env ? env : SAFE_PIP_PRELOAD_PATH;

	if (env && strcmp(env, "off") == 0) {
		*why = "disabled by SAFE_PIP_PRELOAD=off";
		errno = 0;
		return NULL;
	}
	/* LD_PRELOAD splits on ':' and ' '; the kernel compares a bounded prefix. */
	if (p[0] != '/' || strpbrk(p, ": ") || strlen(p) >= SP_PRELOAD_MAX) {
		*why = "its path must be absolute, shorter than 128 bytes, without ':' or ' '";
		errno = EINVAL;
		return NULL;
	}
	if (access(p, R_OK) < 0) {
		*why = strerror(errno);
		return NULL;
	}
	return strdup(p);
}

void shimsrv_print_available(void)
{
	const char *why = "";
	_cleanup_free_ char *p = shimsrv_find(&why);

	if (p)
		printf("LD_PRELOAD shim: available (%s)\n", p);
	else
		printf("LD_PRELOAD shim: unavailable (%s%s%s)\n",
		       secure_getenv("SAFE_PIP_PRELOAD") ? "" : SAFE_PIP_PRELOAD_PATH,
		       secure_getenv("SAFE_PIP_PRELOAD") ? "" : ": ", why);
}

static int make_channel(struct shimsrv *ss)
{
	struct timeval tv = { .tv_sec = SHIM_SEND_TIMEOUT_MS / 1000,
			      .tv_usec = (SHIM_SEND_TIMEOUT_MS % 1000) * 1000 };
	int sv[2], one = 1, buf = 4 << 20;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return -errno;
	ss->fd = sv[0];
	ss->child_fd = sv[1];
	if (fcntl(ss->fd, F_SETFL, O_NONBLOCK) < 0 ||
	    setsockopt(ss->fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)) < 0 ||
	    setsockopt(ss->child_fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) < 0)
		return -errno;
	/* Room for bursts: every process of the tree shares this send buffer. */
	if (setsockopt(ss->child_fd, SOL_SOCKET, SO_SNDBUFFORCE, &buf, sizeof(buf)) < 0)
		(void)setsockopt(ss->child_fd, SOL_SOCKET, SO_SNDBUF, &buf, sizeof(buf));
	return 0;
}

/*
 * Journaled transaction: the shim asks before any write under the target,
 * so that the file is saved before it changes (answer() below).
 */
static void ask_writes_in_place(const struct session *s, struct shim_cfg *cfg)
{
	const char *roots[16];
	size_t n = txn_inplace_roots(s->txn, roots, ARRAY_SIZE(roots));

	if (n == ARRAY_SIZE(roots))
		cfg->flags |= SHIM_CFG_ASK_PATH;
	for (size_t i = 0; i < n; i++) {
		struct shim_cfg_path *p;
		int len;

		if (cfg->npath >= SHIM_CFG_PATH_MAX) {
			cfg->flags |= SHIM_CFG_ASK_PATH;
			return;
		}
		p = &cfg->path[cfg->npath];
		len = snprintf(p->glob, sizeof(p->glob), "%s/*", strcmp(roots[i], "/") ? roots[i] : "");
		if (len < 0 || (size_t)len >= sizeof(p->glob)) {
			memset(p, 0, sizeof(*p));
			cfg->flags |= SHIM_CFG_ASK_PATH;
			continue;
		}
		p->access = SHIM_ACC_WRITE;
		p->prefix = shim_glob_prefix(p->glob);
		cfg->npath++;
	}
}

/* The shim's configuration in a sealed memfd: read-only for every process. */
static int make_config(const struct session *s, struct shimsrv *ss)
{
	_cleanup_free_ struct shim_cfg *cfg = calloc(1, sizeof(*cfg));
	const int seals = F_SEAL_WRITE | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL;
	int r;

	if (!cfg)
		return -ENOMEM;
	r = decide_prefilter(&ss->decide, cfg, ss->token, SHIM_ASK_TIMEOUT_MS_DEFAULT);
	if (r < 0)
		sp_debug("shim: the deny lists do not fit its configuration: it asks about every call");
	ask_writes_in_place(s, cfg);
	ss->cfg_fd = memfd_create("safe-pip-shim-config", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (ss->cfg_fd < 0)
		return -errno;
	r = write_all(ss->cfg_fd, cfg, sizeof(*cfg));
	if (r < 0)
		return r;
	if (fcntl(ss->cfg_fd, F_ADD_SEALS, seals) < 0)
		return -errno;
	return 0;
}

static void shimsrv_free(struct shimsrv *ss)
{
	if (!ss)
		return;
	for (unsigned i = 0; i < ss->nparked; i++)
		if (ss->parked[i].fd >= 0)
			close(ss->parked[i].fd);
	free(ss->parked);
	free(ss->pending);
	if (ss->fd >= 0)
		close(ss->fd);
	if (ss->child_fd >= 0)
		close(ss->child_fd);
	if (ss->cfg_fd >= 0)
		close(ss->cfg_fd);
	corr_free(&ss->corr);
	free(ss->preload);
	free(ss);
}

int shimsrv_open(struct session *s)
{
	struct shimsrv *ss;
	const char *why = "";
	int r;

	s->shim = NULL;
	ss = calloc(1, sizeof(*ss));
	if (!ss)
		return -ENOMEM;
	ss->fd = ss->child_fd = ss->cfg_fd = -1;
	ss->preload = shimsrv_find(&why);
	if (!ss->preload) {
		r = errno == ENOMEM ? -ENOMEM : 0;
		sp_msg("warning: LD_PRELOAD shim unavailable (%s%s%s): running with the kernel sensor only",
		       secure_getenv("SAFE_PIP_PRELOAD") ? "" : SAFE_PIP_PRELOAD_PATH,
		       secure_getenv("SAFE_PIP_PRELOAD") ? "" : ": ", why);
		shimsrv_free(ss);
		return r;
	}
	if (getrandom(&ss->token, sizeof(ss->token), 0) != sizeof(ss->token)) {
		r = -errno;
		goto fail;
	}
	snprintf(ss->token_hex, sizeof(ss->token_hex), "%016llx", (unsigned long long)ss->token);
	decider_init(&ss->decide, s->policy);
	r = corr_init(&ss->corr);
	if (r == 0)
		r = make_channel(ss);
	if (r == 0)
		r = make_config(s, ss);
	if (r == 0) {
		ss->parked = calloc(SHIM_PARKED_MAX, sizeof(*ss->parked));
		ss->pending = calloc(SHIM_PENDING_MAX, sizeof(*ss->pending));
		if (!ss->parked || !ss->pending)
			r = -ENOMEM;
	}
	if (r < 0)
		goto fail;
	sp_debug("shim: %s", ss->preload);
	s->shim = ss;
	return 0;
fail:
	sp_msg("cannot set up the LD_PRELOAD shim: %s", strerror(-r));
	shimsrv_free(ss);
	return r;
}

void shimsrv_close(struct session *s)
{
	shimsrv_free(s->shim);
	s->shim = NULL;
}

const char *shimsrv_preload(const struct session *s)
{
	return s->shim ? s->shim->preload : NULL;
}

const char *shimsrv_label(const struct session *s)
{
	return s->shim ? ", shim (LD_PRELOAD)" : ", no shim";
}

int shimsrv_fd(const struct session *s)
{
	return s->shim && !s->shim->eof ? s->shim->fd : -1;
}

/* --------------------------------------------------------------- child */

/* The highest free fd below limit (and above 63), or -1. */
static int free_fd_below(int limit)
{
	for (int fd = limit - 1; fd >= 64; fd--)
		if (fcntl(fd, F_GETFD) < 0 && errno == EBADF)
			return fd;
	return -1;
}

static int prepend_preload(const char *shim)
{
	const char *old = getenv("LD_PRELOAD");
	_cleanup_free_ char *v = NULL;

	/* a nested safe-pip already put it first */
	if (old && startswith(old, shim) && (old[strlen(shim)] == '\0' || old[strlen(shim)] == ':'))
		return 0;
	v = old && *old ? sp_asprintf("%s:%s", shim, old) : strdup(shim);
	if (!v)
		return -ENOMEM;
	return setenv("LD_PRELOAD", v, 1) < 0 ? -errno : 0;
}

int shimsrv_child_setup(struct session *s)
{
	struct shimsrv *ss = s->shim;
	struct rlimit rl;
	int limit, sock, cfg;
	char num[16];

	if (!ss)
		return 0;
	/* high numbers, out of the way of programs that expect low fds */
	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return -errno;
	limit = rl.rlim_cur > 1024 ? 1024 : (int)rl.rlim_cur;
	sock = free_fd_below(limit);
	if (sock < 0 || dup2(ss->child_fd, sock) < 0)
		return sock < 0 ? -EMFILE : -errno;
	cfg = free_fd_below(sock);
	if (cfg < 0 || dup2(ss->cfg_fd, cfg) < 0)
		return cfg < 0 ? -EMFILE : -errno;
	snprintf(num, sizeof(num), "%d", sock);
	if (setenv(SHIM_ENV_FD, num, 1) < 0)
		return -errno;
	snprintf(num, sizeof(num), "%d", cfg);
	if (setenv(SHIM_ENV_CFG, num, 1) < 0 || setenv(SHIM_ENV_TOKEN, ss->token_hex, 1) < 0)
		return -errno;
	return prepend_preload(ss->preload);
}

void shimsrv_spawned(struct session *s)
{
	struct shimsrv *ss = s->shim;

	if (!ss)
		return;
	if (ss->child_fd >= 0)
		close(ss->child_fd);
	if (ss->cfg_fd >= 0)
		close(ss->cfg_fd);
	ss->child_fd = ss->cfg_fd = -1;
}

/* --------------------------------------------------------------- names */

static void name_add(struct shimsrv *ss, const char *host, const struct shim_dns_addr *a)
{
	struct shim_name *n = NULL;
	size_t len = a->family == AF_INET ? 4 : 16;
	uint8_t num[16];

	/* "127.0.0.1" looked up as a name tells nothing */
	if (inet_pton(AF_INET, host, num) == 1 || inet_pton(AF_INET6, host, num) == 1)
		return;
	for (unsigned i = 0; i < ss->nnames; i++)
		if (ss->names[i].family == a->family && memcmp(ss->names[i].addr, a->addr, len) == 0)
			n = &ss->names[i];
	if (!n) {
		/* a ring: the oldest name goes first */
		n = &ss->names[ss->names_next];
		ss->names_next = (ss->names_next + 1) % SHIM_NAMES_MAX;
		if (ss->nnames < SHIM_NAMES_MAX)
			ss->nnames++;
	}
	memset(n, 0, sizeof(*n));
	n->family = a->family;
	memcpy(n->addr, a->addr, len);
	shim_copy(n->host, sizeof(n->host), host);
}

const char *shim_name_of(const struct shimsrv *ss, unsigned family, const uint8_t *addr)
{
	size_t len = family == AF_INET ? 4 : 16;

	for (unsigned i = 0; i < ss->nnames; i++)
		if (ss->names[i].family == family && memcmp(ss->names[i].addr, addr, len) == 0)
			return ss->names[i].host;
	return NULL;
}

/* ------------------------------------------------------------ findings */

int shim_finding(struct session *s, enum shim_rule_slot slot, const char *rule, bool deny,
		 pid_t pid, int dist, uint64_t ts, const char *what)
{
	struct shimsrv *ss = s->shim;
	struct finding f = { .rule = rule, .deny = deny, .points = 0, .dist = dist, .pid = pid,
			     .ts_ns = ts };
	int idx;

	/* a flood of one kind of finding must not eat the supervisor's memory */
	if (!deny && ss->rule_count[slot] >= SHIM_FINDINGS_PER_RULE) {
		ss->rule_dropped[slot]++;
		return -1;
	}
	ss->rule_count[slot]++;
	shim_copy(f.what, sizeof(f.what), what);
	idx = session_add_finding(s, &f);
	if (deny && !s->blocked && idx >= 0 && gpolicy_enforcing(s)) {
		s->blocked = true;
		s->block_finding = idx;
	}
	return idx;
}

static const struct proc *proc_of(struct session *s, pid_t pid)
{
	return pid > 0 ? proctab_get(&s->procs, pid) : NULL;
}

/* ------------------------------------------------------------ questions */

static void reply(int fd, const struct shim_rec *r, bool allow, int error)
{
	struct shim_reply rep = {
		.magic = SHIM_REPLY_MAGIC, .version = SHIM_PROTO_VERSION,
		.verdict = allow ? SHIM_ALLOW : SHIM_DENY, .error = error, .seq = r->h.seq,
	};

	/* the asker may be gone: never block, never raise SIGPIPE */
	(void)send(fd, &rep, sizeof(rep), MSG_DONTWAIT | MSG_NOSIGNAL);
}

/* A path of the record for the decision: the shim's absolute one, else ours. */
static bool decision_path(pid_t pid, const char *abspath, const char *path, char *out,
			  size_t len)
{
	char link[64], cwd[PATH_MAX];
	ssize_t n;

	if (abspath[0] == '/')
		return !shim_copy(out, len, abspath);
	if (path[0] == '/')
		return shim_normalize(NULL, path, out, len) > 0;
	snprintf(link, sizeof(link), "/proc/%d/cwd", (int)pid);
	n = readlink(link, cwd, sizeof(cwd) - 1);
	if (n <= 0)
		return false;
	cwd[n] = '\0';
	return shim_normalize(cwd, path, out, len) > 0;
}

/* Does the policy deny what r asks about?  Fills *d when it does. */
static bool decide_record(struct shimsrv *ss, pid_t pid, uint32_t role, const struct shim_rec *r,
			  struct decision *d)
{
	char p[PATH_MAX];

	switch (r->h.kind) {
	case SHIM_EV_EXEC:
		return decide_exec(&ss->decide, role, r->exec.path,
				   r->exec.argv_len ? r->exec.argv : NULL, d);
	case SHIM_EV_DNS:
		return decide_host(&ss->decide, role, r->dns.host, d);
	case SHIM_EV_FILE:
		if (decision_path(pid, r->file.abspath, r->file.path, p, sizeof(p)) &&
		    decide_open(&ss->decide, role, p, r->file.access, d))
			return true;
		if (r->file.path2[0] && decision_path(pid, "", r->file.path2, p, sizeof(p)) &&
		    decide_open(&ss->decide, role, p, r->file.access, d))
			return true;
		if (!r->file.abspath[0] && r->file.path[0] != '/')
			ss->undecidable++;
		return false;
	default:
		return false;
	}
}

/*
 * A write the shim asked about goes ahead: in a journaled transaction the
 * file is saved first.  0, or -errno when it cannot be (then refused).
 */
static int before_modify(struct session *s, const struct shim_parked *q)
{
	const struct shim_file *f = &q->rec.file;
	char p[PATH_MAX], p2[PATH_MAX];
	const char *root;
	enum txn_op op;
	int r;

	if (q->rec.h.kind != SHIM_EV_FILE || !(f->access & SHIM_ACC_WRITE) ||
	    !txn_inplace_roots(s->txn, &root, 1))
		return 0;
	switch (q->rec.h.call) {
	case SHIM_CALL_MKSTEMP: case SHIM_CALL_TMPFILE: case SHIM_CALL_SHM_OPEN:
	case SHIM_CALL_SEM_OPEN:
		return 0;       /* new names only */
	case SHIM_CALL_UNLINK: case SHIM_CALL_UNLINKAT: case SHIM_CALL_RENAME:
	case SHIM_CALL_RENAMEAT:
		op = TXN_OP_DELETE;
		break;
	case SHIM_CALL_CHMOD: case SHIM_CALL_FCHMODAT:
		op = TXN_OP_META;
		break;
	default:
		op = (f->flags & O_TRUNC) || q->rec.h.call == SHIM_CALL_CREAT ? TXN_OP_TRUNCATE :
									      TXN_OP_WRITE;
		break;
	}
	/* a path we cannot make absolute cannot be saved: refuse it */
	if (!decision_path(q->pid, f->abspath, f->path, p, sizeof(p)))
		return -ENOENT;
	r = txn_before_modify(s->txn, p, op);
	if (r == 0 && f->path2[0]) {
		if (!decision_path(q->pid, "", f->path2, p2, sizeof(p2)))
			return -ENOENT;
		r = txn_before_modify(s->txn, p2, TXN_OP_REPLACE);
	}
	return r;
}

static void answer(struct session *s, struct shim_parked *q)
{
	struct shimsrv *ss = s->shim;
	const struct proc *p = proc_of(s, q->pid);
	/* a process the kernel does not know is judged as a build */
	uint32_t role = p ? p->role : SP_ROLE_NONE;
	char ev[SHIM_EVIDENCE_MAX], what[FINDING_WHAT_MAX];
	struct decision d = { 0 };
	bool deny, refuse;
	int r;

	deny = s->blocked || decide_record(ss, q->pid, role, &q->rec, &d);
	/* monitor mode: the call goes ahead; the deny is a finding only */
	refuse = deny && (s->blocked || gpolicy_enforcing(s));
	if (!refuse && (r = before_modify(s, q)) < 0) {
		/* no copy, no change: the rollback must be able to undo it */
		ss->unsaved++;
		sp_msg("cannot save %s before process %d changes it: %s; the change is refused",
		       q->rec.file.abspath[0] ? q->rec.file.abspath : q->rec.file.path, (int)q->pid,
		       strerror(-r));
		refuse = true;
		d.error = -r == ENOSPC ? ENOSPC : EACCES;
	}
	reply(q->fd, &q->rec, !refuse, refuse ? (d.error ? d.error : EACCES) : 0);
	close(q->fd);
	q->fd = -1;
	shim_log_record(s, &q->rec, q->pid, refuse ? "deny" : "allow");
	if (!deny || !d.rule)
		return;         /* allowed, or refused because the session is over */
	ss->denied++;
	shim_render_evidence(ss, &q->rec, ev, sizeof(ev));
	snprintf(what, sizeof(what), "%s, %s (%s; process %d%s%s)", ev,
		 refuse ? "refused" : "let through (monitor mode)", d.why, (int)q->pid,
		 p && p->cmdline[0] ? ": " : "", p ? p->cmdline : "");
	shim_finding(s, RS_OTHER, d.rule, true, q->pid, p ? p->dist : -1, q->rec.h.ts_ns, what);
}

static void interpret(struct session *s, const struct shim_rec *r, pid_t pid);

/* A report, once the kernel's records before it are in: log it, judge it. */
static void report(struct session *s, const struct shim_parked *q)
{
	shim_log_record(s, &q->rec, q->pid, NULL);
	interpret(s, &q->rec, q->pid);
}

void shimsrv_after_events(struct session *s)
{
	struct shimsrv *ss = s->shim;

	if (!ss)
		return;
	for (; ss->npending; ss->npending--) {
		report(s, &ss->pending[ss->pending_head]);
		ss->pending_head = (ss->pending_head + 1) % SHIM_PENDING_MAX;
	}
	for (unsigned i = 0; i < ss->nparked; i++)
		answer(s, &ss->parked[i]);
	ss->nparked = 0;
}

static void park(struct session *s, const struct shim_rec *r, pid_t pid, int fd)
{
	struct shimsrv *ss = s->shim;
	struct shim_parked *q;

	ss->asks++;
	if (ss->nparked >= SHIM_PARKED_MAX) {
		/* more questions than threads can ask at once: fail closed */
		reply(fd, r, false, EACCES);
		close(fd);
		return;
	}
	q = &ss->parked[ss->nparked++];
	q->rec = *r;
	q->pid = pid;
	q->fd = fd;
}

/* ------------------------------------------------------------- records */

/* What a record means beyond the log: names, tamper signs, behaviour. */
static void interpret(struct session *s, const struct shim_rec *r, pid_t pid)
{
	struct shimsrv *ss = s->shim;
	const struct proc *p = proc_of(s, pid);
	uint32_t role = p ? p->role : SP_ROLE_NONE;
	int dist = p ? p->dist : -1;
	char ev[SHIM_EVIDENCE_MAX], what[FINDING_WHAT_MAX];
	struct decision d = { 0 };
	const char *rule = NULL;
	enum shim_rule_slot slot = RS_OTHER;
	const char *why = "";
	bool deny = false;

	switch (r->h.kind) {
	case SHIM_EV_HELLO:
		if (r->hello.nmissing && !ss->warned_missing) {
			ss->warned_missing = true;
			sp_msg("warning: the shim could not resolve %u libc functions (first: %s) in %s",
			       r->hello.nmissing, r->hello.missing, r->hello.exe);
		}
		return;
	case SHIM_EV_DNS:
		if (r->h.flags & SHIM_F_RESULT) {
			for (uint32_t i = 0; i < r->dns.naddr; i++)
				name_add(ss, r->dns.host, &r->dns.addr[i]);
		} else {
			/* the scorer judges the name (guard/gscore.h) */
			shim_render_via(r, ev, sizeof(ev));
			gscore_shim_dns(s, pid, r->dns.host, r->h.ts_ns, ev);
		}
		return;
	case SHIM_EV_CONNECT:
		/* connect is the kernel's to judge; a datagram's destination is ours */
		if (r->h.call != SHIM_CALL_CONNECT &&
		    decide_connect(&ss->decide, role, r->connect.family, r->connect.addr,
				   r->connect.port, &d)) {
			rule = d.rule;
			why = d.why;
			deny = true;
		}
		break;
	case SHIM_EV_MEM:
		if (role != SP_ROLE_PIP)
			rule = r->h.call == SHIM_CALL_MEMFD_CREATE ? "memfd-exec" : "anon-exec-memory";
		break;
	case SHIM_EV_PTRACE:
		if (role != SP_ROLE_PIP)
			rule = "ptrace";
		break;
	case SHIM_EV_ENV:
		rule = "env-scrub";
		slot = RS_SCRUB;
		break;
	case SHIM_EV_FD:
		rule = "shim-bypass";
		slot = RS_BYPASS;
		break;
	default:
		return;
	}
	if (!rule)
		return;
	shim_render_evidence(ss, r, ev, sizeof(ev));
	snprintf(what, sizeof(what), "%s%s%s (process %d%s%s)", ev, deny ? ", refused: " : "", why,
		 (int)pid, p && p->cmdline[0] ? ": " : "", p ? p->cmdline : "");
	shim_finding(s, slot, rule, deny, pid, dist, r->h.ts_ns, what);
}

static void handle(struct session *s, struct shim_rec *r, pid_t pid, int fd)
{
	struct shimsrv *ss = s->shim;
	char via[CORR_VIA_MAX];
	struct shim_parked *q;
	struct corr_note n;

	ss->by_kind[r->h.kind]++;
	ss->by_call[r->h.call]++;
	if (r->h.ts_ns > ss->newest_ts)
		ss->newest_ts = r->h.ts_ns;
	corr_note_from(&n, r);
	via[0] = '\0';
	if (r->h.kind == SHIM_EV_EXEC || r->h.kind == SHIM_EV_CONNECT)
		shim_render_via(r, via, sizeof(via));
	/* lost records: each sender counts its own, we add up the increases */
	ss->lost += corr_add(&ss->corr, pid, (pid_t)r->h.tid, &n, via, r->h.dropped);
	if (r->h.flags & SHIM_F_ASK) {
		if (fd < 0) {
			ss->bad++;
			return;
		}
		park(s, r, pid, fd);
		return;
	}
	/*
	 * Logged and judged after the kernel's records read so far: a record
	 * can overtake the fork or exec record that gives its process a role.
	 */
	if (ss->npending == SHIM_PENDING_MAX) {
		/* full: the oldest goes out with the roles known now */
		report(s, &ss->pending[ss->pending_head]);
		ss->pending_head = (ss->pending_head + 1) % SHIM_PENDING_MAX;
		ss->npending--;
	}
	q = &ss->pending[(ss->pending_head + ss->npending) % SHIM_PENDING_MAX];
	q->rec = *r;
	q->pid = pid;
	q->fd = -1;
	ss->npending++;
}

/*
 * The socket a question came with: the verdict goes there, so it must be
 * what the shim makes (one end of a SOCK_SEQPACKET pair created by the
 * asking process), never a connection the supervisor would send through
 * on a package's behalf.  Also catches credentials forged by a root
 * process: the pair's creator is the kernel's word.
 */
static bool reply_socket_ok(int fd, pid_t pid)
{
	int type = 0, domain = 0;
	socklen_t l1 = sizeof(type), l2 = sizeof(domain), l3;
	struct ucred uc;

	l3 = sizeof(uc);
	return getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &l1) == 0 && type == SOCK_SEQPACKET &&
	       getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &l2) == 0 && domain == AF_UNIX &&
	       getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &uc, &l3) == 0 && uc.pid == pid;
}

/* One message: 1 handled, 0 nothing queued, -errno. */
static int recv_one(struct session *s)
{
	struct shimsrv *ss = s->shim;
	struct shim_rec r;
	union {
		char buf[CMSG_SPACE(sizeof(struct ucred)) + CMSG_SPACE(4 * sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = { .iov_base = &r, .iov_len = sizeof(r) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = ctl.buf, .msg_controllen = sizeof(ctl.buf) };
	pid_t pid = 0;
	int fd = -1;
	ssize_t n;

	n = recvmsg(ss->fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -errno;
	if (n == 0) {
		ss->eof = true;
		(void)epoll_ctl(s->epfd, EPOLL_CTL_DEL, ss->fd, NULL);
		return 0;
	}
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
		if (c->cmsg_level != SOL_SOCKET)
			continue;
		if (c->cmsg_type == SCM_CREDENTIALS && c->cmsg_len >= CMSG_LEN(sizeof(struct ucred))) {
			struct ucred uc;

			memcpy(&uc, CMSG_DATA(c), sizeof(uc));
			pid = uc.pid;
		} else if (c->cmsg_type == SCM_RIGHTS) {
			size_t k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);

			/* keep the first fd of a question; close anything else */
			for (size_t i = 0; i < k; i++) {
				int x;

				memcpy(&x, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
				if (fd < 0)
					fd = x;
				else
					close(x);
			}
		}
	}
	ss->received++;
	if ((mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) || pid <= 0 ||
	    shim_rec_check(&r, (size_t)n, ss->token) < 0 ||
	    (fd >= 0 && (!(r.h.flags & SHIM_F_ASK) || !reply_socket_ok(fd, pid)))) {
		ss->bad++;
		if (fd >= 0)
			close(fd);
		return 1;
	}
	handle(s, &r, pid, fd);
	return 1;
}

int shim_drain(struct session *s, unsigned max)
{
	struct shimsrv *ss = s->shim;
	int r = 0;

	if (!ss || ss->eof)
		return 0;
	ss->drain_incomplete = false;
	for (unsigned i = 0; i < max; i++) {
		r = recv_one(s);
		if (r <= 0)
			return r;
	}
	ss->drain_incomplete = true;
	return 0;
}

int shim_drain_until(struct session *s, uint64_t ts)
{
	struct shimsrv *ss = s->shim;
	int r = 0;

	if (!ss || ss->eof)
		return 0;
	ss->drain_incomplete = false;
	for (unsigned i = 0; i < SHIM_DRAIN_MAX; i++) {
		if (ss->newest_ts > ts)
			return 0;
		r = recv_one(s);
		if (r <= 0)
			return r;
	}
	ss->drain_incomplete = true;
	return 0;
}

int shimsrv_consume(struct session *s)
{
	int r;

	if (!s->shim)
		return 0;
	/*
	 * The kernel's records first: they read the channel as far as they
	 * need, no further, which keeps a fast writer waiting on a full
	 * channel instead of running ahead of the ring buffer.  Only when the
	 * kernel has nothing is a batch read for its own sake (questions,
	 * reports of actions the kernel does not record).  Reports are then
	 * logged and questions answered with the roles as of now (a process
	 * that asks has exec'd before asking).
	 */
	if (!s->ks || ks_consume(s->ks) <= 0) {
		r = shim_drain(s, SHIM_BATCH);
		if (r < 0)
			return r;
	}
	if (s->ks && (s->shim->nparked || s->shim->npending))
		(void)ks_consume(s->ks);
	shimsrv_after_events(s);
	return 0;
}

void shimsrv_finish(struct session *s)
{
	struct shimsrv *ss = s->shim;

	if (!ss || ss->finished)
		return;
	ss->finished = true;
	/* the tree is dead: whatever it sent is queued (bounded, should it not be) */
	for (int i = 0; i < 64 && shim_drain(s, SHIM_DRAIN_MAX) == 0 && ss->drain_incomplete; i++)
		;
	shimsrv_after_events(s);
	shim_log_summary(s);
	if (ss->lost)
		sp_msg("warning: %llu shim records were lost (channel full); the view is incomplete",
		       (unsigned long long)ss->lost);
	for (unsigned i = 0; i < RS_N; i++)
		if (ss->rule_dropped[i])
			sp_msg("%llu more shim findings of the same kind were not listed",
			       (unsigned long long)ss->rule_dropped[i]);
	sp_debug("shim: %llu records (%llu malformed, %llu lost), %llu questions, %llu refused; "
		 "kernel actions: %llu reported, %llu explained, %llu unreported, %llu undetermined",
		 (unsigned long long)ss->received, (unsigned long long)ss->bad,
		 (unsigned long long)ss->lost, (unsigned long long)ss->asks,
		 (unsigned long long)ss->denied, (unsigned long long)ss->verdicts[CORR_MATCHED],
		 (unsigned long long)ss->verdicts[CORR_EXPLAINED],
		 (unsigned long long)(ss->verdicts[CORR_BYPASS] + ss->verdicts[CORR_NOSHIM]),
		 (unsigned long long)ss->verdicts[CORR_UNKNOWN]);
	if (sp_verbosity >= 2) {
		char line[2048];
		size_t o = 0;

		line[0] = '\0';
		for (unsigned k = 1; k < SHIM_CALL_MAX && o < sizeof(line); k++)
			if (ss->by_call[k])
				o += (size_t)snprintf(line + o, sizeof(line) - o, " %s=%llu",
						      shim_call_name(k),
						      (unsigned long long)ss->by_call[k]);
		sp_debug("shim: calls:%s", line);
	}
}
