// SPDX-License-Identifier: MIT
#include "guard/ksensor.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <signal.h>
#include <stdarg.h>
#include <sys/sysmacros.h>

#include "bpf/safepip.skel.h"
#include "guard/util.h"

/* The layout the kernel side writes; drift fails the build. */
_Static_assert(sizeof(struct sp_hdr) == 56, "sp_hdr layout");
_Static_assert(sizeof(struct sp_exec) == 608, "sp_exec layout");
_Static_assert(sizeof(struct sp_connect) == 136, "sp_connect layout");
_Static_assert(sizeof(struct sp_open) == 272, "sp_open layout");
_Static_assert(sizeof(struct sp_event) == SP_EVENT_SIZE, "sp_event size");
_Static_assert(sizeof(struct sp_proc) == 16, "sp_proc layout");
_Static_assert(sizeof(struct sp_file_id) == 16, "sp_file_id layout");

struct ksensor {
	struct safepip_bpf *skel;
	struct ring_buffer *rb;
	struct bpf_link *cg_links[4];
	ks_record_fn fn;
	void *ctx;
	uint64_t bad_records;
};

static int on_sample(void *ctx, void *data, size_t size)
{
	struct ksensor *ks = ctx;
	const struct sp_event *e = data;

	if (size < sizeof(*e) || e->h.version != SP_ABI_VERSION || e->h.kind == 0 ||
	    e->h.kind >= SP_EV_KIND_MAX) {
		ks->bad_records++;
		return 0;
	}
	return ks->fn(ks->ctx, e);
}

/* libbpf prints through this; keep its warnings for -v. */
static int libbpf_log(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG || sp_verbosity < 2)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

int ks_open(struct ksensor **out, const struct ks_config *cfg, ks_record_fn fn, void *ctx,
	    const char **why)
{
	struct ksensor *ks;
	int r;

	libbpf_set_print(libbpf_log);
	ks = calloc(1, sizeof(*ks));
	if (!ks)
		return -ENOMEM;
	ks->fn = fn;
	ks->ctx = ctx;

	*why = "open";
	ks->skel = safepip_bpf__open();
	if (!ks->skel) {
		r = -errno;
		goto fail;
	}
	ks->skel->rodata->cfg_enforce = cfg->enforce;
	ks->skel->rodata->cfg_deny_inet_roles = cfg->deny_inet_roles;
	if (cfg->preload) {
		size_t n = strlen(cfg->preload);

		if (n >= SP_PRELOAD_MAX) {
			*why = "configure (shim path too long for)";
			r = -ENAMETOOLONG;
			goto fail;
		}
		memcpy((char *)ks->skel->rodata->cfg_preload, cfg->preload, n);
		ks->skel->rodata->cfg_preload_len = (__u32)n;
	}

	*why = "load";
	r = safepip_bpf__load(ks->skel);
	if (r < 0)
		goto fail;
	/*
	 * Attach only the tracepoints here; the cgroup programs are attached to
	 * the session cgroup by ks_attach_cgroup() when there is one.
	 */
	*why = "attach";
	ks->skel->links.sp_fork = bpf_program__attach(ks->skel->progs.sp_fork);
	ks->skel->links.sp_exec = bpf_program__attach(ks->skel->progs.sp_exec);
	ks->skel->links.sp_exit = bpf_program__attach(ks->skel->progs.sp_exit);
	ks->skel->links.sp_sys_enter = bpf_program__attach(ks->skel->progs.sp_sys_enter);
	if (!ks->skel->links.sp_fork || !ks->skel->links.sp_exec || !ks->skel->links.sp_exit ||
	    !ks->skel->links.sp_sys_enter) {
		r = -errno;
		goto fail;
	}
	*why = "ring buffer";
	ks->rb = ring_buffer__new(bpf_map__fd(ks->skel->maps.events), on_sample, ks, NULL);
	if (!ks->rb) {
		r = -errno;
		goto fail;
	}
	*out = ks;
	return 0;
fail:
	ks_close(ks);
	return r < 0 ? r : -EINVAL;
}

void ks_close(struct ksensor *ks)
{
	if (!ks)
		return;
	for (size_t i = 0; i < ARRAY_SIZE(ks->cg_links); i++)
		bpf_link__destroy(ks->cg_links[i]);
	ring_buffer__free(ks->rb);
	safepip_bpf__destroy(ks->skel);
	free(ks);
}

int ks_add_interp(struct ksensor *ks, dev_t dev, ino_t ino)
{
	/* The kernel keeps s_dev as MAJOR << 20 | MINOR. */
	struct sp_file_id id = { .ino = ino, .dev = major(dev) << 20 | minor(dev) };
	__u32 one = 1;

	if (bpf_map__update_elem(ks->skel->maps.interp, &id, sizeof(id), &one, sizeof(one), BPF_ANY))
		return -errno;
	return 0;
}

int ks_track(struct ksensor *ks, pid_t tgid, uint32_t role, uint32_t flags)
{
	struct sp_proc p = { .role = role, .flags = flags, .start_ns = mono_ns() };
	__u32 key = (__u32)tgid;

	if (bpf_map__update_elem(ks->skel->maps.tracked, &key, sizeof(key), &p, sizeof(p), BPF_NOEXIST))
		return -errno;
	__atomic_fetch_add(&ks->skel->bss->ntracked, 1, __ATOMIC_SEQ_CST);
	return 0;
}

int ks_attach_cgroup(struct ksensor *ks, int cgroup_fd)
{
	struct bpf_program *progs[] = {
		ks->skel->progs.sp_connect4, ks->skel->progs.sp_connect6,
		ks->skel->progs.sp_sendmsg4, ks->skel->progs.sp_sendmsg6,
	};

	for (size_t i = 0; i < ARRAY_SIZE(progs); i++) {
		ks->cg_links[i] = bpf_program__attach_cgroup(progs[i], cgroup_fd);
		if (!ks->cg_links[i])
			return -errno;
	}
	return 0;
}

int ks_fd(const struct ksensor *ks)
{
	return ring_buffer__epoll_fd(ks->rb);
}

int ks_consume(struct ksensor *ks)
{
	return ring_buffer__consume(ks->rb);
}

void ks_doom(struct ksensor *ks)
{
	if (!ks->skel->bss->doomed) {
		ks->skel->bss->doomed_ns = mono_ns();
		__atomic_store_n(&ks->skel->bss->doomed, 1, __ATOMIC_SEQ_CST);
	}
}

bool ks_is_doomed(const struct ksensor *ks)
{
	return __atomic_load_n(&ks->skel->bss->doomed, __ATOMIC_SEQ_CST) != 0;
}

uint64_t ks_doomed_ns(const struct ksensor *ks)
{
	return ks->skel->bss->doomed_ns;
}

int ks_kill_tracked(struct ksensor *ks, void (*fn)(void *ctx, pid_t tgid), void *ctx)
{
	const struct bpf_map *m = ks->skel->maps.tracked;
	__u32 key, next;
	int n = 0;
	void *prev = NULL;

	/*
	 * Entries vanish while we walk (exits); get_next_key restarts from the
	 * first key then, which at worst signals a process twice.
	 */
	while (bpf_map__get_next_key(m, prev, &next, sizeof(next)) == 0) {
		if (fn)
			fn(ctx, (pid_t)next);
		if (kill((pid_t)next, SIGKILL) == 0)
			n++;
		key = next;
		prev = &key;
		if (n > SP_TRACKED_MAX * 2)
			break;
	}
	return n;
}

long ks_ntracked(const struct ksensor *ks)
{
	return (long)__atomic_load_n(&ks->skel->bss->ntracked, __ATOMIC_SEQ_CST);
}

uint64_t ks_lost(const struct ksensor *ks)
{
	return __atomic_load_n(&ks->skel->bss->lost, __ATOMIC_SEQ_CST);
}

uint64_t ks_overflow(const struct ksensor *ks)
{
	return __atomic_load_n(&ks->skel->bss->overflow, __ATOMIC_SEQ_CST);
}
