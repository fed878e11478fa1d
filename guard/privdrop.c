// SPDX-License-Identifier: MIT
#include "guard/privdrop.h"

#include <fcntl.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#include "bpf/sp_event.h"
#include "guard/cgroup.h"
#include "guard/exitcode.h"
#include "guard/ksensor.h"
#include "guard/session.h"
#include "guard/util.h"
#include "preload/shim-path.h"

extern char **environ;

/* The configuration loaded before any policy is read: the strict default. */
/* The installed shim, when present: env is hidden, so no SAFE_PIP_PRELOAD. */
static struct ks_config loaded_cfg = { .enforce = true, .deny_inet_roles = 1u << SP_ROLE_BUILD };

static bool started_with_caps;
static struct ksensor *loaded;
static int load_error;
static const char *load_why = "";
static bool hooked;                     /* network hooks on the user's cgroup */
static struct session *consumer;        /* who gets the records once taken */

static int forward(void *ctx, const struct sp_event *e)
{
	return consumer ? monitor_kernel_record(consumer, e) : 0;
}

static int capget_(struct __user_cap_data_struct d[2])
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };

	return (int)syscall(SYS_capget, &h, d);
}

static int capset_(struct __user_cap_data_struct d[2])
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };

	return (int)syscall(SYS_capset, &h, d);
}

/* Make the permitted capabilities effective (they are not, with "+p"). */
static int raise_permitted(void)
{
	struct __user_cap_data_struct d[2];

	if (capget_(d) < 0)
		return -errno;
	d[0].effective = d[0].permitted;
	d[1].effective = d[1].permitted;
	return capset_(d) < 0 ? -errno : 0;
}

/* Are the three Cap lines of /proc/self/status all zero? */
static bool verified_none(void)
{
	static const char *const keys[] = { "\nCapEff:\t", "\nCapPrm:\t", "\nCapAmb:\t" };
	_cleanup_free_ char *status = NULL;

	if (read_file_max(AT_FDCWD, "/proc/self/status", &status, 64 * 1024) < 0)
		return false;
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
		const char *p = strstr(status, keys[i]);

		if (!p || strtoull(p + strlen(keys[i]), NULL, 16) != 0)
			return false;
	}
	return true;
}

static int drop_all(void)
{
	struct __user_cap_data_struct d[2] = { { 0 } };

	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
		return -errno;
	if (capset_(d) < 0)
		return -errno;
	return verified_none() ? 0 : -EPERM;
}

/* The cgroup v2 we run in: where the network hooks go (no cgroup of our own). */
static void attach_own_cgroup(struct ksensor *ks)
{
	_cleanup_free_ char *mnt = sp_cgroup2_mount(), *own = NULL, *path = NULL;
	_cleanup_fclose_ FILE *f = fopen("/proc/self/cgroup", "re");
	char line[4096];
	int fd;

	while (f && fgets(line, sizeof(line), f))
		if (strncmp(line, "0::", 3) == 0) {
			line[strcspn(line, "\n")] = '\0';
			own = strdup(line + 3);
		}
	if (!mnt || !own)
		return;
	path = sp_asprintf("%s%s", mnt, own);
	fd = path ? open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
	if (fd < 0)
		return;
	hooked = ks_attach_cgroup(ks, fd) == 0;
	close(fd);
}

static bool has_permitted_bpf(void)
{
	struct __user_cap_data_struct d[2];

	return capget_(d) == 0 && (d[CAP_BPF / 32].permitted & (1u << (CAP_BPF % 32)));
}

int privdrop_early(void)
{
	char **saved = environ;
	char *empty[] = { NULL };
	int r;

	if (getuid() == 0 || !has_permitted_bpf())
		return 0;
	started_with_caps = true;
	/* nothing the user controls is read while privileged: not even the environment */
	environ = empty;
	r = raise_permitted();
	if (access(SAFE_PIP_PRELOAD_PATH, R_OK) == 0)
		loaded_cfg.preload = SAFE_PIP_PRELOAD_PATH;
	if (r == 0) {
		r = ks_open(&loaded, &loaded_cfg, forward, NULL, &load_why);
		if (r == 0)
			attach_own_cgroup(loaded);
	}
	load_error = r;
	environ = saved;
	r = drop_all();
	if (r < 0) {
		fprintf(stderr, "safe-pip: cannot drop the capabilities of this installation (%s): stopping\n",
			strerror(-r));
		return SP_EXIT_INTERNAL;
	}
	return 0;
}

bool privdrop_active(void)
{
	return started_with_caps;
}

int privdrop_take_kernel(struct session *s, const struct ks_config *cfg, char *why, size_t len)
{
	if (!loaded) {
		snprintf(why, len, "cannot %s eBPF programs with the capabilities of this installation: %s",
			 load_why, strerror(-load_error));
		return -ENOENT;
	}
	/* mode and network rules are set after the load; the shim's path is not */
	if (!!cfg->preload != !!loaded_cfg.preload ||
	    (cfg->preload && strcmp(cfg->preload, loaded_cfg.preload) != 0)) {
		snprintf(why, len, "this installation loads the kernel sensor for the shim at %s; "
			 "this session %s%s", loaded_cfg.preload ? loaded_cfg.preload : "(none)",
			 cfg->preload ? "uses " : "has no shim", cfg->preload ? cfg->preload : "");
		return -EINVAL;
	}
	consumer = s;
	s->ks = loaded;
	/* the session keeps it; main() must not close it a second time */
	loaded = NULL;
	return 0;
}

bool privdrop_loaded(const char **why, int *err)
{
	*why = load_why;
	*err = load_error;
	return load_error == 0;
}

bool privdrop_hooked(void)
{
	return hooked;
}

void privdrop_release(void)
{
	ks_close(loaded);
	loaded = NULL;
}
