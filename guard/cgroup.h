/* SPDX-License-Identifier: MIT */
/*
 * The session's own cgroup v2, when one can be made: on a pure v2 host, or
 * on the "unified" mount of a v1/v2 hybrid.  It gives an atomic kill of the
 * whole tree (cgroup.kill) and a place to attach network hooks.  Without
 * it, everything still works through the kernel sensor's tracked map.
 */
#ifndef SAFEPIP_CGROUP_H
#define SAFEPIP_CGROUP_H

#include <stdbool.h>
#include <sys/types.h>

struct sp_cgroup {
	char *path;     /* absolute path of the session cgroup */
	int fd;         /* O_DIRECTORY fd of it */
	bool has_kill;  /* cgroup.kill is available (Linux >= 5.14) */
};

/*
 * Make a new cgroup for this session under our own cgroup, else under the
 * v2 root.  Returns 0 or -errno (-ENOENT: no cgroup v2 mounted; -EACCES,
 * -EROFS, -EBUSY: not writable here).
 */
int sp_cgroup_create(struct sp_cgroup *cg);

/* Move pid into the cgroup. */
int sp_cgroup_add(struct sp_cgroup *cg, pid_t pid);

/* Kill every process in the cgroup (cgroup.kill).  -EOPNOTSUPP without it. */
int sp_cgroup_kill(struct sp_cgroup *cg);

/* Is the cgroup empty (cgroup.events populated 0)? */
bool sp_cgroup_empty(struct sp_cgroup *cg);

/*
 * Remove the cgroup, waiting up to timeout_ms for it to empty.  Always
 * releases the fd and path.  Returns 0 or -errno.
 */
int sp_cgroup_destroy(struct sp_cgroup *cg, int timeout_ms);

/* Find the cgroup2 mount point; newly allocated, or NULL (errno). */
char *sp_cgroup2_mount(void);

#endif
