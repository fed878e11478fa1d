// SPDX-License-Identifier: MIT
/*
 * Run a command the way `RUN` runs it inside `docker build`, without
 * Docker:
 *
 *   usage: dockeremu [--user NAME] [--keep-cgroup] [--no-profile] [--] COMMAND [ARGS...]
 *
 *   - the capabilities of Docker's default set only: CAP_BPF, CAP_PERFMON,
 *     CAP_SYS_ADMIN, CAP_NET_ADMIN, CAP_SYS_PTRACE and the rest are dropped
 *     from the bounding, permitted, effective and inheritable sets
 *   - a seccomp filter like Docker's default profile: namespaces, mounts,
 *     bpf, perf_event_open, kernel modules, keyrings, ptrace-like access
 *     to other processes (kcmp, process_vm_*, pidfd_getfd), io_uring and
 *     the like fail with EPERM, clone3 with ENOSYS; seccomp(2) itself stays
 *     allowed, as Docker allows it
 *   - cgroup filesystems read-only, as Docker mounts them (a private mount
 *     namespace; --keep-cgroup leaves them writable)
 *   - --user NAME: as that user, without any capability (a Dockerfile's
 *     USER)
 *   - --no-profile: no seccomp filter of Docker's (with --user: a plain
 *     unprivileged user of a workstation)
 *
 * Must start as root.  A test helper: it changes nothing outside the
 * process it becomes.
 */
#include <errno.h>
#include <grp.h>
#include <linux/audit.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/sched.h>
#include <linux/seccomp.h>
#include <pwd.h>
#include <sched.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#if defined(__x86_64__)
#define ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define ARCH AUDIT_ARCH_AARCH64
#endif

/* Docker's default capabilities (moby/oci/caps/defaults.go). */
static const int docker_caps[] = {
	CAP_CHOWN, CAP_DAC_OVERRIDE, CAP_FSETID, CAP_FOWNER, CAP_MKNOD, CAP_NET_RAW, CAP_SETGID,
	CAP_SETUID, CAP_SETFCAP, CAP_SETPCAP, CAP_NET_BIND_SERVICE, CAP_SYS_CHROOT, CAP_KILL,
	CAP_AUDIT_WRITE,
};

/* What Docker's default seccomp profile refuses to a container without extra capabilities. */
static const int refused[] = {
	__NR_bpf, __NR_perf_event_open, __NR_unshare, __NR_setns, __NR_mount, __NR_umount2,
	__NR_pivot_root, __NR_open_tree, __NR_move_mount, __NR_fsopen, __NR_fsconfig, __NR_fsmount,
	__NR_fspick, __NR_mount_setattr, __NR_kexec_load, __NR_kexec_file_load, __NR_init_module,
	__NR_finit_module, __NR_delete_module, __NR_userfaultfd, __NR_keyctl, __NR_add_key,
	__NR_request_key, __NR_acct, __NR_swapon, __NR_swapoff, __NR_reboot, __NR_syslog,
	__NR_quotactl, __NR_clock_settime, __NR_settimeofday, __NR_clock_adjtime, __NR_adjtimex,
	__NR_kcmp, __NR_process_vm_readv, __NR_process_vm_writev, __NR_pidfd_getfd,
	__NR_name_to_handle_at, __NR_open_by_handle_at, __NR_io_uring_setup, __NR_io_uring_enter,
	__NR_io_uring_register, __NR_lookup_dcookie, __NR_personality,
#ifdef __NR_iopl
	__NR_iopl, __NR_ioperm,
#endif
};

#define NS_FLAGS (CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | \
		  CLONE_NEWPID | CLONE_NEWNET)

static int die(const char *what)
{
	fprintf(stderr, "dockeremu: %s: %s\n", what, strerror(errno));
	return 125;
}

static int install_filter(void)
{
	struct sock_filter f[128];
	size_t n = 0;

	/*
	 * Docker's profile also admits the 32-bit and x32 entry points (with
	 * those architectures' numbers); this emulation lets them through
	 * unfiltered, which is only more permissive.
	 */
	f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch));
	f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ARCH, 1, 0);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr));
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned)refused[i], 0, 1);
		f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM);
	}
	f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_clone3, 0, 1);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS);
	/* clone() into new namespaces */
	f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_clone, 0, 3);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args));
	f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, NS_FLAGS, 0, 1);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	struct sock_fprog prog = { .len = (unsigned short)n, .filter = f };

	return (int)syscall(__NR_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog);
}

static int drop_caps(void)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2] = { { 0 } };

	for (int c = 0; c <= CAP_LAST_CAP; c++) {
		int keep = 0;

		for (size_t i = 0; i < sizeof(docker_caps) / sizeof(docker_caps[0]); i++)
			keep |= docker_caps[i] == c;
		if (keep) {
			d[c / 32].effective |= 1u << (c % 32);
			d[c / 32].permitted |= 1u << (c % 32);
		} else if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0 && errno != EINVAL) {
			return -1;
		}
	}
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0)
		return -1;
	return (int)syscall(__NR_capset, &h, d);
}

/* Docker mounts the cgroup filesystems read-only. */
static int readonly_cgroups(void)
{
	static const char *const mounts[] = { "/sys/fs/cgroup/unified", "/sys/fs/cgroup" };
	FILE *f;
	char line[4096];

	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return -1;
	for (size_t i = 0; i < sizeof(mounts) / sizeof(mounts[0]); i++)
		(void)mount(NULL, mounts[i], NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL);
	/* and every cgroup v1 hierarchy below */
	f = fopen("/proc/self/mounts", "re");
	while (f && fgets(line, sizeof(line), f)) {
		char dev[256], dir[1024], type[64];

		if (sscanf(line, "%255s %1023s %63s", dev, dir, type) == 3 &&
		    (strcmp(type, "cgroup") == 0 || strcmp(type, "cgroup2") == 0))
			(void)mount(NULL, dir, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL);
	}
	if (f)
		fclose(f);
	return 0;
}

static int become(const char *name)
{
	struct passwd *pw = getpwnam(name);

	if (!pw) {
		errno = ENOENT;
		return -1;
	}
	/* a USER in a Dockerfile: setuid() away from root clears every capability */
	if (setgroups(0, NULL) < 0 || setgid(pw->pw_gid) < 0 || setuid(pw->pw_uid) < 0)
		return -1;
	return 0;
}

int main(int argc, char **argv)
{
	const char *user = NULL;
	int keep_cgroup = 0, profile = 1, i = 1;

	for (; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		} else if (strcmp(argv[i], "--user") == 0 && i + 1 < argc) {
			user = argv[++i];
		} else if (strcmp(argv[i], "--keep-cgroup") == 0) {
			keep_cgroup = 1;
		} else if (strcmp(argv[i], "--no-profile") == 0) {
			profile = 0;
		} else {
			fprintf(stderr, "usage: dockeremu [--user NAME] [--keep-cgroup] [--no-profile] [--] "
				"COMMAND [ARGS...]\n");
			return 125;
		}
	}
	if (i >= argc) {
		fprintf(stderr, "dockeremu: no command\n");
		return 125;
	}
	if (geteuid() != 0) {
		errno = EPERM;
		return die("must start as root");
	}
	if (!keep_cgroup && readonly_cgroups() < 0)
		return die("cannot make the cgroup filesystems read-only");
	/*
	 * As runc does without no_new_privs (Docker's default): the filter
	 * first, while CAP_SYS_ADMIN allows it, then the capabilities.
	 */
	if (profile && install_filter() < 0)
		return die("cannot install the seccomp filter");
	if (drop_caps() < 0)
		return die("cannot drop capabilities");
	if (user && become(user) < 0)
		return die("cannot become the user");
	execvp(argv[i], argv + i);
	return die(argv[i]);
}
