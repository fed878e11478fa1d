// SPDX-License-Identifier: MIT
#include "guard/journal.h"

#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>

#include "guard/fsutil.h"
#include "guard/util.h"

#define JOURNAL_MAGIC "safe-pip-txn 1"
#define JOURNAL_FIELDS_MAX 8

static const char *const mode_names[] = {
	[TXN_NONE] = "none", [TXN_STAGED] = "staged", [TXN_JOURNALED] = "journaled",
};
static const char *const state_names[] = {
	[TXN_PREPARED] = "prepared", [TXN_COMMITTING] = "committing",
	[TXN_ABORTING] = "aborting", [TXN_DONE] = "done",
};

const char *txn_mode_name(enum txn_mode m)
{
	return (size_t)m < ARRAY_SIZE(mode_names) ? mode_names[m] : "?";
}

const char *txn_state_name(enum txn_state s)
{
	return (size_t)s < ARRAY_SIZE(state_names) ? state_names[s] : "?";
}

char *journal_state_dir(void)
{
	const char *env = getenv("SAFE_PIP_STATE_DIR");
	const char *xdg = getenv("XDG_STATE_HOME");
	const char *home = getenv("HOME");

	if (env && *env) {
		if (env[0] != '/') {
			errno = EINVAL;
			return NULL;
		}
		return path_normalize(env);
	}
	if (geteuid() == 0)
		return strdup("/var/lib/safe-pip");
	if (xdg && xdg[0] == '/')
		return sp_asprintf("%s/safe-pip", xdg);
	if (home && home[0] == '/' && access(home, W_OK) == 0)
		return sp_asprintf("%s/.local/state/safe-pip", home);
	/*
	 * A user without a home of their own (nobody, a CI user): a directory
	 * of theirs in /var/tmp, which outlives a reboot for recovery.  One
	 * made by someone else is refused by journal_check_state_dir().
	 */
	return sp_asprintf("/var/tmp/safe-pip-%u", (unsigned)geteuid());
}

int journal_check_state_dir(const char *state_dir, char *err, size_t errlen)
{
	_cleanup_free_ char *txndir = sp_asprintf("%s/txn", state_dir);
	const char *dirs[] = { state_dir, txndir };
	struct stat st;

	if (!txndir)
		return -ENOMEM;
	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
		if (lstat(dirs[i], &st) < 0) {
			if (errno == ENOENT && i > 0)
				continue;
			snprintf(err, errlen, "cannot use the state directory %s: %s", dirs[i],
				 strerror(errno));
			return -errno;
		}
		if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 022)) {
			snprintf(err, errlen, "the state directory %s must be a directory of yours that "
				 "nobody else can write", dirs[i]);
			return -EPERM;
		}
	}
	return 0;
}

int journal_new_id(char id[JOURNAL_ID_LEN + 1])
{
	unsigned char raw[JOURNAL_ID_LEN / 2];
	ssize_t n = getrandom(raw, sizeof(raw), 0);

	if (n != (ssize_t)sizeof(raw))
		return n < 0 ? -errno : -EIO;
	for (size_t i = 0; i < sizeof(raw); i++)
		sprintf(id + 2 * i, "%02x", raw[i]);
	return 0;
}

static bool id_ok(const char *id)
{
	size_t n = strlen(id);

	if (n != JOURNAL_ID_LEN)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((id[i] >= '0' && id[i] <= '9') || (id[i] >= 'a' && id[i] <= 'f')))
			return false;
	return true;
}

/* --------------------------------------------------------------- format */

static void put_str(FILE *f, const char *s)
{
	_cleanup_free_ char *e = NULL;

	if (!s) {
		fputs(" -", f);
		return;
	}
	e = str_escape(s);
	fprintf(f, " %s", e ? e : "?");
}

int journal_format(const struct journal *j, char **out, size_t *len)
{
	FILE *f = open_memstream(out, len);

	if (!f)
		return -errno;
	fprintf(f, "%s\nid %s\npid %d\nmode %s\nstate %s\ncgroup", JOURNAL_MAGIC, j->id,
		(int)j->pid, txn_mode_name(j->mode), txn_state_name(j->state));
	put_str(f, j->cgroup);
	fprintf(f, "\nmntns %" PRIu64 "\ntmpdir", j->mntns);
	put_str(f, j->tmpdir);
	fputc('\n', f);
	for (size_t i = 0; i < j->nroots; i++) {
		fprintf(f, "root %zu %s %s", i, j->roots[i].kind == JROOT_TARGET ? "target" : "cover",
			j->roots[i].created ? "created" : "existing");
		put_str(f, j->roots[i].path);
		put_str(f, j->roots[i].area);
		fputc('\n', f);
		if (j->roots[i].created)
			fprintf(f, "ptimes %zu %lld %ld %lld %ld\n", i,
				(long long)j->roots[i].ptimes[0].tv_sec, j->roots[i].ptimes[0].tv_nsec,
				(long long)j->roots[i].ptimes[1].tv_sec, j->roots[i].ptimes[1].tv_nsec);
	}
	for (size_t i = 0; i < j->npass; i++) {
		fputs("pass", f);
		put_str(f, j->pass[i]);
		fputc('\n', f);
	}
	if (fclose(f) != 0)
		return -ENOMEM;
	return 0;
}

/* ---------------------------------------------------------------- parse */

struct line {
	char *f[JOURNAL_FIELDS_MAX];
	int n;
};

static int split(char *s, struct line *l)
{
	char *save = NULL;

	l->n = 0;
	for (char *t = strtok_r(s, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
		if (l->n == JOURNAL_FIELDS_MAX)
			return -EINVAL;
		l->f[l->n++] = t;
	}
	return 0;
}

/* An escaped absolute normalised path, or "-" for none when may_be_none. */
static int take_path(const char *field, bool may_be_none, char **out)
{
	_cleanup_free_ char *p = NULL, *norm = NULL;

	*out = NULL;
	if (may_be_none && strcmp(field, "-") == 0)
		return 0;
	p = str_unescape(field);
	if (!p)
		return -EINVAL;
	norm = path_normalize(p);
	if (!norm || strcmp(norm, p) != 0)
		return -EINVAL;
	*out = TAKE_PTR(p);
	return 0;
}

static int name_index(const char *const *names, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (names[i] && strcmp(names[i], s) == 0)
			return (int)i;
	return -1;
}

static int parse_root(struct journal *j, struct line *l)
{
	struct jroot r = { 0 };
	struct jroot *v;
	char *end;
	unsigned long idx;

	if (l->n != 6 || j->nroots >= JOURNAL_ROOTS_MAX)
		return -EINVAL;
	idx = strtoul(l->f[1], &end, 10);
	if (*end || idx != j->nroots)
		return -EINVAL;
	if (strcmp(l->f[2], "target") == 0)
		r.kind = JROOT_TARGET;
	else if (strcmp(l->f[2], "cover") == 0)
		r.kind = JROOT_COVER;
	else
		return -EINVAL;
	if (strcmp(l->f[3], "created") != 0 && strcmp(l->f[3], "existing") != 0)
		return -EINVAL;
	r.created = strcmp(l->f[3], "created") == 0;
	if (take_path(l->f[4], false, &r.path) < 0 || take_path(l->f[5], false, &r.area) < 0) {
		free(r.path);
		return -EINVAL;
	}
	v = realloc(j->roots, (j->nroots + 1) * sizeof(*v));
	if (!v) {
		free(r.path);
		free(r.area);
		return -ENOMEM;
	}
	j->roots = v;
	j->roots[j->nroots++] = r;
	return 0;
}

static int parse_ptimes(struct journal *j, struct line *l)
{
	long long v[5];
	char *end;

	if (l->n != 6)
		return -EINVAL;
	for (int k = 0; k < 5; k++) {
		errno = 0;
		v[k] = strtoll(l->f[k + 1], &end, 10);
		if (*end || errno || v[k] < 0)
			return -EINVAL;
	}
	if ((uint64_t)v[0] >= j->nroots || !j->roots[v[0]].created || v[2] > 999999999 ||
	    v[4] > 999999999)
		return -EINVAL;
	j->roots[v[0]].ptimes[0] = (struct timespec){ .tv_sec = (time_t)v[1], .tv_nsec = (long)v[2] };
	j->roots[v[0]].ptimes[1] = (struct timespec){ .tv_sec = (time_t)v[3], .tv_nsec = (long)v[4] };
	return 0;
}

static int parse_pass(struct journal *j, struct line *l)
{
	char **v, *p;

	if (l->n != 2 || j->npass >= JOURNAL_PASS_MAX || take_path(l->f[1], false, &p) < 0)
		return -EINVAL;
	v = realloc(j->pass, (j->npass + 1) * sizeof(*v));
	if (!v) {
		free(p);
		return -ENOMEM;
	}
	j->pass = v;
	j->pass[j->npass++] = p;
	return 0;
}

static int parse_line(struct journal *j, struct line *l, unsigned *seen)
{
	const char *k = l->f[0];
	char *end;
	int i;

	if (l->n == 2 && strcmp(k, "id") == 0 && id_ok(l->f[1])) {
		strcpy(j->id, l->f[1]);
		*seen |= 1;
	} else if (l->n == 2 && strcmp(k, "pid") == 0) {
		long pid = strtol(l->f[1], &end, 10);

		if (*end || pid <= 0 || pid > INT_MAX)
			return -EINVAL;
		j->pid = (pid_t)pid;
		*seen |= 2;
	} else if (l->n == 2 && strcmp(k, "mode") == 0) {
		i = name_index(mode_names, ARRAY_SIZE(mode_names), l->f[1]);
		if (i <= TXN_NONE)
			return -EINVAL;
		j->mode = (enum txn_mode)i;
		*seen |= 4;
	} else if (l->n == 2 && strcmp(k, "state") == 0) {
		i = name_index(state_names, ARRAY_SIZE(state_names), l->f[1]);
		if (i < 0)
			return -EINVAL;
		j->state = (enum txn_state)i;
		*seen |= 8;
	} else if (l->n == 2 && strcmp(k, "cgroup") == 0 && !j->cgroup) {
		return take_path(l->f[1], true, &j->cgroup);
	} else if (l->n == 2 && strcmp(k, "tmpdir") == 0 && !j->tmpdir) {
		return take_path(l->f[1], true, &j->tmpdir);
	} else if (l->n == 2 && strcmp(k, "mntns") == 0) {
		errno = 0;
		j->mntns = strtoull(l->f[1], &end, 10);
		if (*end || errno)
			return -EINVAL;
	} else if (strcmp(k, "root") == 0) {
		return parse_root(j, l);
	} else if (strcmp(k, "ptimes") == 0) {
		return parse_ptimes(j, l);
	} else if (strcmp(k, "pass") == 0) {
		return parse_pass(j, l);
	} else {
		return -EINVAL;
	}
	return 0;
}

int journal_parse(struct journal *j, const char *text, char *err, size_t errlen)
{
	_cleanup_free_ char *copy = strdup(text);
	char *save = NULL, *line;
	unsigned seen = 0, lineno = 1;
	int r = 0;

	memset(j, 0, sizeof(*j));
	if (!copy)
		return -ENOMEM;
	line = strtok_r(copy, "\n", &save);
	if (!line || strcmp(line, JOURNAL_MAGIC) != 0) {
		snprintf(err, errlen, "not a safe-pip journal (first line)");
		return -EINVAL;
	}
	while ((line = strtok_r(NULL, "\n", &save))) {
		struct line l;

		lineno++;
		r = split(line, &l);
		if (r == 0 && l.n > 0)
			r = parse_line(j, &l, &seen);
		if (r < 0) {
			snprintf(err, errlen, "journal line %u is malformed", lineno);
			journal_free(j);
			return r;
		}
	}
	if (seen != 15) {
		snprintf(err, errlen, "journal is incomplete (id, pid, mode and state are required)");
		journal_free(j);
		return -EINVAL;
	}
	return 0;
}

void journal_free(struct journal *j)
{
	for (size_t i = 0; i < j->nroots; i++) {
		free(j->roots[i].path);
		free(j->roots[i].area);
	}
	for (size_t i = 0; i < j->npass; i++)
		free(j->pass[i]);
	free(j->roots);
	free(j->pass);
	free(j->cgroup);
	free(j->tmpdir);
	memset(j, 0, sizeof(*j));
}

int journal_save(int dirfd, const struct journal *j)
{
	_cleanup_free_ char *text = NULL;
	size_t len = 0;
	int r = journal_format(j, &text, &len);

	return r < 0 ? r : fs_write_atomic(dirfd, "journal", text, len,
					    j->state == TXN_PREPARED || j->state == TXN_COMMITTING);
}

int journal_load(int dirfd, struct journal *j, char *err, size_t errlen)
{
	_cleanup_free_ char *text = NULL;
	ssize_t n = read_file_max(dirfd, "journal", &text, JOURNAL_MAX_BYTES);

	if (n < 0) {
		snprintf(err, errlen, "cannot read the journal: %s", strerror((int)-n));
		return (int)n;
	}
	if (memchr(text, '\0', (size_t)n)) {
		snprintf(err, errlen, "journal contains NUL bytes");
		return -EINVAL;
	}
	return journal_parse(j, text, err, errlen);
}

bool journal_area_ok(const char *area, const char *root, const char *sessdir, const char *id,
		     size_t n)
{
	_cleanup_free_ char *in_sess = sp_asprintf("%s/%zu", sessdir, n);
	_cleanup_free_ char *parent = strdup(root);
	_cleanup_free_ char *beside = NULL;
	char *slash;

	if (!in_sess || !parent)
		return false;
	if (strcmp(area, in_sess) == 0)
		return true;
	slash = strrchr(parent, '/');
	if (!slash || slash == parent)
		return false;   /* never beside a top-level directory */
	*slash = '\0';
	beside = sp_asprintf("%s/.safe-pip-%s.%zu", parent, id, n);
	return beside && strcmp(area, beside) == 0;
}

/* --------------------------------------------------------------- locks */

/* STATE/locks/HASH.lock; a collision of two paths only serialises two unrelated sessions. */
static char *lock_file(const char *state_dir, const char *path)
{
	return sp_asprintf("%s/locks/%016" PRIx64 ".lock", state_dir, str_hash(path));
}

int journal_lock_target(const char *state_dir, const char *path, bool wait)
{
	_cleanup_free_ char *dir = sp_asprintf("%s/locks", state_dir);
	_cleanup_free_ char *file = lock_file(state_dir, path);
	struct stat a, b;
	int fd, r;

	if (!dir || !file)
		return -ENOMEM;
	r = fs_mkdir_p(dir, 0700);
	if (r < 0)
		return r;
	for (;;) {
		fd = open(file, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
		if (fd < 0)
			return -errno;
		while (flock(fd, LOCK_EX | (wait ? 0 : LOCK_NB)) < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			close(fd);
			return r;
		}
		/* the holder before us may have removed the file: lock the one that is there */
		if (fstat(fd, &a) == 0 && stat(file, &b) == 0 && a.st_ino == b.st_ino &&
		    a.st_dev == b.st_dev)
			return fd;
		close(fd);
	}
}

void journal_unlock_target(const char *state_dir, const char *path, int fd)
{
	_cleanup_free_ char *file = lock_file(state_dir, path);

	/* removed while still held: lock files do not pile up */
	if (file)
		(void)unlink(file);
	close(fd);
}
