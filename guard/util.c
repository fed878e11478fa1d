// SPDX-License-Identifier: MIT
#include "guard/util.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>

int sp_verbosity;

void sp_vmsg(const char *fmt, va_list ap)
{
	char line[4096];
	int n;

	/* One write per line so that our lines never interleave with pip's. */
	n = snprintf(line, sizeof(line), "safe-pip: ");
	n += vsnprintf(line + n, sizeof(line) - n - 1, fmt, ap);
	if (n > (int)sizeof(line) - 2)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	(void)write_all(STDERR_FILENO, line, n);
}

void sp_msg(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sp_vmsg(fmt, ap);
	va_end(ap);
}

void sp_debug(const char *fmt, ...)
{
	va_list ap;

	if (sp_verbosity < 1)
		return;
	va_start(ap, fmt);
	sp_vmsg(fmt, ap);
	va_end(ap);
}

uint64_t mono_ns(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

ssize_t read_file_max(int dirfd, const char *path, char **out, size_t max)
{
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *buf = NULL;
	size_t len = 0;
	ssize_t n;

	fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	buf = malloc(max + 1);
	if (!buf)
		return -ENOMEM;
	/* Read one byte past max to tell "exactly max" from "larger". */
	for (;;) {
		n = read(fd, buf + len, max + 1 - len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			break;
		len += n;
		if (len > max)
			return -EFBIG;
	}
	buf[len] = '\0';
	*out = TAKE_PTR(buf);
	return (ssize_t)len;
}

int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= n;
	}
	return 0;
}

char *sp_asprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (r < 0) {
		errno = ENOMEM;
		return NULL;
	}
	return s;
}

bool startswith(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

bool endswith(const char *s, const char *suffix)
{
	size_t ls = strlen(s), lf = strlen(suffix);

	return ls >= lf && memcmp(s + ls - lf, suffix, lf) == 0;
}

const char *path_base(const char *p)
{
	const char *slash = strrchr(p, '/');

	return slash ? slash + 1 : p;
}

char *find_in_path(const char *name)
{
	const char *path = getenv("PATH");
	const char *p, *end;

	if (strchr(name, '/')) {
		if (access(name, X_OK) == 0)
			return strdup(name);
		return NULL;
	}
	if (!path || !*path)
		path = "/usr/local/bin:/usr/bin:/bin";
	for (p = path; *p; p = *end ? end + 1 : end) {
		struct stat st;
		char *cand;

		end = strchrnul(p, ':');
		if (end == p)   /* an empty entry means the working directory */
			cand = sp_asprintf("./%s", name);
		else
			cand = sp_asprintf("%.*s/%s", (int)(end - p), p, name);
		if (!cand)
			return NULL;
		if (stat(cand, &st) == 0 && S_ISREG(st.st_mode) && access(cand, X_OK) == 0)
			return cand;
		free(cand);
	}
	errno = ENOENT;
	return NULL;
}

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>

static struct sigaction sigpipe_found;
static bool sigpipe_saved;

void sigpipe_ignore(void)
{
	struct sigaction ign = { .sa_handler = SIG_IGN };

	if (!sigpipe_saved && sigaction(SIGPIPE, &ign, &sigpipe_found) == 0)
		sigpipe_saved = true;
}

void sigpipe_restore(void)
{
	if (sigpipe_saved)
		(void)sigaction(SIGPIPE, &sigpipe_found, NULL);
}

int run_capture(char *const argv[], char **out, size_t max, int timeout_ms)
{
	_cleanup_free_ char *buf = NULL;
	int pfd[2], status = 0, r = 0;
	uint64_t deadline = mono_ns() + (uint64_t)timeout_ms * 1000000ull;
	size_t len = 0;
	pid_t pid;

	buf = malloc(max + 1);
	if (!buf)
		return -ENOMEM;
	if (pipe2(pfd, O_CLOEXEC) < 0)
		return -errno;
	pid = fork();
	if (pid < 0) {
		r = -errno;
		close(pfd[0]);
		close(pfd[1]);
		return r;
	}
	if (pid == 0) {
		int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
		sigset_t none;

		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		sigpipe_restore();
		if (devnull < 0 || dup2(devnull, STDIN_FILENO) < 0 ||
		    dup2(pfd[1], STDOUT_FILENO) < 0)
			_exit(127);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(pfd[1]);
	for (;;) {
		struct pollfd pl = { .fd = pfd[0], .events = POLLIN };
		int64_t left = (int64_t)(deadline - mono_ns()) / 1000000;
		ssize_t n;

		if (left <= 0) {
			r = -ETIMEDOUT;
			break;
		}
		n = poll(&pl, 1, (int)left);
		if (n < 0 && errno != EINTR) {
			r = -errno;
			break;
		}
		if (n <= 0)
			continue;
		n = read(pfd[0], buf + len, max + 1 - len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			break;
		}
		if (n == 0)
			break;
		len += n;
		if (len > max) {
			r = -EFBIG;
			break;
		}
	}
	close(pfd[0]);
	if (r < 0)
		(void)kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return r < 0 ? r : -errno;
	if (r < 0)
		return r;
	buf[len] = '\0';
	*out = TAKE_PTR(buf);
	return status;
}
