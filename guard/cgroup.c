// SPDX-License-Identifier: MIT
#include "guard/cgroup.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>

#include "guard/util.h"

char *sp_cgroup2_mount(void)
{
	_cleanup_fclose_ FILE *f = fopen("/proc/self/mountinfo", "re");
	char line[4096];

	if (!f)
		return NULL;
	/* "36 25 0:30 / /sys/fs/cgroup rw,... - cgroup2 cgroup2 rw" */
	while (fgets(line, sizeof(line), f)) {
		char *dash = strstr(line, " - ");
		char mnt[4096];

		if (!dash || strncmp(dash + 3, "cgroup2 ", 8) != 0)
			continue;
		if (sscanf(line, "%*s %*s %*s %*s %4095s", mnt) != 1)
			continue;
		return strdup(mnt);
	}
	errno = ENOENT;
	return NULL;
}

/* Our own cgroup v2 path, "/..." from the "0::" line of /proc/self/cgroup. */
static char *own_cgroup(void)
{
	_cleanup_fclose_ FILE *f = fopen("/proc/self/cgroup", "re");
	char line[4096];

	if (!f)
		return NULL;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "0::", 3) == 0) {
			line[strcspn(line, "\n")] = '\0';
			return strdup(line + 3);
		}
	}
	errno = ENOENT;
	return NULL;
}

static int try_create(struct sp_cgroup *cg, const char *mnt, const char *parent)
{
	char *path;

	path = sp_asprintf("%s%s%ssafe-pip-%d-%llx", mnt, parent, endswith(parent, "/") ? "" : "/",
			   (int)getpid(), (unsigned long long)(mono_ns() & 0xffffff));
	if (!path)
		return -ENOMEM;
	if (mkdir(path, 0755) < 0) {
		int r = -errno;

		free(path);
		return r;
	}
	cg->fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cg->fd < 0) {
		int r = -errno;

		(void)rmdir(path);
		free(path);
		return r;
	}
	cg->path = path;
	cg->has_kill = faccessat(cg->fd, "cgroup.kill", W_OK, 0) == 0;
	return 0;
}

int sp_cgroup_create(struct sp_cgroup *cg)
{
	_cleanup_free_ char *mnt = NULL, *own = NULL;
	int r;

	cg->path = NULL;
	cg->fd = -1;
	cg->has_kill = false;
	mnt = sp_cgroup2_mount();
	if (!mnt)
		return -ENOENT;
	own = own_cgroup();
	if (own && strcmp(own, "/") != 0) {
		r = try_create(cg, mnt, own);
		if (r == 0)
			return 0;
	}
	return try_create(cg, mnt, "/");
}

static int write_at(int dirfd, const char *file, const char *s)
{
	_cleanup_close_ int fd = openat(dirfd, file, O_WRONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	return write_all(fd, s, strlen(s));
}

int sp_cgroup_add(struct sp_cgroup *cg, pid_t pid)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%d\n", (int)pid);
	return write_at(cg->fd, "cgroup.procs", buf);
}

int sp_cgroup_kill(struct sp_cgroup *cg)
{
	if (!cg->has_kill)
		return -EOPNOTSUPP;
	return write_at(cg->fd, "cgroup.kill", "1\n");
}

bool sp_cgroup_empty(struct sp_cgroup *cg)
{
	_cleanup_free_ char *ev = NULL;

	if (read_file_max(cg->fd, "cgroup.events", &ev, 4096) < 0)
		return false;
	return strstr(ev, "populated 0") != NULL;
}

int sp_cgroup_destroy(struct sp_cgroup *cg, int timeout_ms)
{
	uint64_t deadline = mono_ns() + (uint64_t)timeout_ms * 1000000ull;
	int r = 0;

	if (!cg->path)
		return 0;
	for (;;) {
		if (rmdir(cg->path) == 0) {
			r = 0;
			break;
		}
		r = -errno;
		if (r != -EBUSY || mono_ns() >= deadline)
			break;
		(void)sp_cgroup_kill(cg);
		(void)nanosleep(&(struct timespec){ .tv_nsec = 2 * 1000 * 1000 }, NULL);
	}
	if (cg->fd >= 0)
		close(cg->fd);
	free(cg->path);
	cg->path = NULL;
	cg->fd = -1;
	return r;
}
