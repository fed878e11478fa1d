// SPDX-License-Identifier: MIT
/*
 * The seccomp filter pip and everything it starts run under.
 *
 * A classic BPF program: check the architecture, then compare the syscall
 * number with the list below.  Three answers:
 *   notify  the supervisor decides (guard/seccomp_decide.c)
 *   errno   refused in the kernel, without asking (calls that would hide
 *           what follows from the filter: io_uring submissions, clone3
 *           whose flags live in memory, userfaultfd, open_by_handle_at)
 *   allow   everything else, at full speed
 * Calls through a non-native entry point (32-bit int 0x80, x32) are all
 * notified, whatever their number: the supervisor refuses them.
 */
#include <linux/audit.h>
#include <linux/sched.h>
#include <stddef.h>
#include <stdlib.h>
#include <errno.h>
#include <sys/syscall.h>

#include "guard/seccomp_int.h"
#include "guard/util.h"

#if defined(__x86_64__)
#define SN_NATIVE_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define SN_NATIVE_ARCH AUDIT_ARCH_AARCH64
#else
#error "the seccomp sensor knows x86_64 and aarch64"
#endif

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define ARG_LO(i) (offsetof(struct seccomp_data, args) + 8 * (i))
#define ARG_HI(i) (offsetof(struct seccomp_data, args) + 8 * (i) + 4)
#else
#define ARG_LO(i) (offsetof(struct seccomp_data, args) + 8 * (i) + 4)
#define ARG_HI(i) (offsetof(struct seccomp_data, args) + 8 * (i))
#endif

/* clone() flags that make namespaces: a clone with any of them is notified */
#define SN_CLONE_NS (CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC | \
		     CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET)

enum sn_rule_kind {
	R_NOTIFY,               /* always notified */
	R_ERRNO,                /* refused with arg */
	R_NOTIFY_IF_ARG,        /* notified when args[arg] != 0 */
	R_NOTIFY_IF_FLAGS,      /* notified when args[0] & SN_CLONE_NS */
};

struct sn_rule {
	int nr;
	enum sn_rule_kind kind;
	unsigned arg;
};

#define NOTIFY(n) { __NR_##n, R_NOTIFY, 0 }
#define REFUSE(n, e) { __NR_##n, R_ERRNO, e }

static const struct sn_rule rules[] = {
	/* programs */
	NOTIFY(execve), NOTIFY(execveat), NOTIFY(memfd_create),
	/* network: the socket's family is decided at socket(), destinations at connect/send */
	NOTIFY(socket), NOTIFY(connect), NOTIFY(sendmsg), NOTIFY(sendmmsg), NOTIFY(listen),
	{ __NR_sendto, R_NOTIFY_IF_ARG, 4 },
	/* files */
#ifdef __NR_open
	NOTIFY(open),
#endif
#ifdef __NR_creat
	NOTIFY(creat),
#endif
	NOTIFY(openat), NOTIFY(openat2),
#ifdef __NR_unlink
	NOTIFY(unlink),
#endif
#ifdef __NR_rename
	NOTIFY(rename),
#endif
#ifdef __NR_link
	NOTIFY(link),
#endif
#ifdef __NR_symlink
	NOTIFY(symlink),
#endif
#ifdef __NR_mknod
	NOTIFY(mknod),
#endif
#ifdef __NR_renameat
	NOTIFY(renameat),
#endif
	NOTIFY(unlinkat), NOTIFY(renameat2), NOTIFY(linkat), NOTIFY(symlinkat),
	NOTIFY(truncate), NOTIFY(mknodat),
	/* other processes */
	NOTIFY(ptrace), NOTIFY(process_vm_readv), NOTIFY(process_vm_writev), NOTIFY(pidfd_getfd),
	NOTIFY(kill), NOTIFY(tkill), NOTIFY(tgkill), NOTIFY(rt_sigqueueinfo),
	NOTIFY(rt_tgsigqueueinfo), NOTIFY(pidfd_open), NOTIFY(pidfd_send_signal),
	/* the kernel */
	NOTIFY(bpf), NOTIFY(perf_event_open), NOTIFY(io_uring_setup),
	NOTIFY(init_module), NOTIFY(finit_module), NOTIFY(delete_module),
	NOTIFY(kexec_load), NOTIFY(kexec_file_load),
	/* namespaces and mounts */
	NOTIFY(unshare), NOTIFY(setns), NOTIFY(mount), NOTIFY(umount2), NOTIFY(pivot_root),
	NOTIFY(chroot), NOTIFY(fsopen), NOTIFY(fsmount), NOTIFY(fspick), NOTIFY(move_mount),
	NOTIFY(open_tree), NOTIFY(mount_setattr),
	{ __NR_clone, R_NOTIFY_IF_FLAGS, 0 },
	/* credentials: after a change the supervisor no longer acts for the process */
	NOTIFY(setuid), NOTIFY(setgid), NOTIFY(setreuid), NOTIFY(setregid), NOTIFY(setresuid),
	NOTIFY(setresgid), NOTIFY(setfsuid), NOTIFY(setfsgid), NOTIFY(setgroups), NOTIFY(capset),
	/* refused outright: they would hide what follows from the filter */
	REFUSE(clone3, ENOSYS),         /* libc falls back to clone(), whose flags we see */
	REFUSE(io_uring_enter, EPERM), REFUSE(io_uring_register, EPERM),
	REFUSE(userfaultfd, EPERM), REFUSE(open_by_handle_at, EPERM),
};

#define STMT(code, k) ((struct sock_filter)BPF_STMT(code, k))
#define JUMP(code, k, jt, jf) ((struct sock_filter)BPF_JUMP(code, k, jt, jf))

static size_t rule_len(const struct sn_rule *r)
{
	switch (r->kind) {
	case R_NOTIFY_IF_ARG:
		return 7;
	case R_NOTIFY_IF_FLAGS:
		return 5;
	default:
		return 2;
	}
}

static size_t emit_rule(struct sock_filter *f, const struct sn_rule *r)
{
	size_t i = 0;

	f[i++] = JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned)r->nr, 0, (unsigned char)(rule_len(r) - 1));
	switch (r->kind) {
	case R_NOTIFY:
		f[i++] = STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF);
		break;
	case R_ERRNO:
		f[i++] = STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (r->arg & SECCOMP_RET_DATA));
		break;
	case R_NOTIFY_IF_ARG:
		f[i++] = STMT(BPF_LD | BPF_W | BPF_ABS, ARG_LO(r->arg));
		f[i++] = JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 2);
		f[i++] = STMT(BPF_LD | BPF_W | BPF_ABS, ARG_HI(r->arg));
		f[i++] = JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 1, 0);
		f[i++] = STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF);
		f[i++] = STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
		break;
	case R_NOTIFY_IF_FLAGS:
		f[i++] = STMT(BPF_LD | BPF_W | BPF_ABS, ARG_LO(0));
		f[i++] = JUMP(BPF_JMP | BPF_JSET | BPF_K, SN_CLONE_NS, 0, 1);
		f[i++] = STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF);
		f[i++] = STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
		break;
	}
	return i;
}

int sn_filter_build(struct sock_fprog *prog)
{
	size_t n = 7, i = 0;      /* arch (3), x32 (1 + 2), final allow (1) */
	struct sock_filter *f;

	for (size_t k = 0; k < ARRAY_SIZE(rules); k++)
		n += rule_len(&rules[k]);
	f = calloc(n, sizeof(*f));
	if (!f)
		return -ENOMEM;
	/* another architecture's entry points: the supervisor refuses them */
	f[i++] = STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch));
	f[i++] = JUMP(BPF_JMP | BPF_JEQ | BPF_K, SN_NATIVE_ARCH, 1, 0);
	f[i++] = STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF);
	f[i++] = STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr));
#ifdef __x86_64__
	/* the x32 ABI shares the architecture, with bit 30 set in the number */
	f[i++] = JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x40000000u, 0, 1);
	f[i++] = STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF);
#endif
	for (size_t k = 0; k < ARRAY_SIZE(rules); k++)
		i += emit_rule(f + i, &rules[k]);
	f[i++] = STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	prog->filter = f;
	prog->len = (unsigned short)i;
	return i <= n ? 0 : -EOVERFLOW;
}
