// SPDX-License-Identifier: MIT
/* Built with --disable-bpf: the kernel sensor is never available. */
#include "guard/ksensor.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>

int ks_open(struct ksensor **out, const struct ks_config *cfg, ks_record_fn fn, void *ctx,
	    const char **why)
{
	*out = NULL;
	*why = "build (safe-pip was configured with --disable-bpf) the";
	return -ENOSYS;
}

void ks_close(struct ksensor *ks) { }
struct ks_opening *ks_open_start(const struct ks_config *cfg, ks_record_fn fn, void *ctx)
{
	return NULL;
}
int ks_open_wait(struct ks_opening *o, struct ksensor **out, const char **why)
{
	return ks_open(out, NULL, NULL, NULL, why);
}
int ks_add_interp(struct ksensor *ks, dev_t dev, ino_t ino) { return -ENOSYS; }
int ks_track(struct ksensor *ks, pid_t tgid, uint32_t role, uint32_t flags) { return -ENOSYS; }
int ks_attach_cgroup(struct ksensor *ks, int cgroup_fd) { return -ENOSYS; }
int ks_net_rule_add(struct ksensor *ks, int family, const void *addr, unsigned prefixlen,
		    uint16_t port_lo, uint16_t port_hi, uint32_t roles_mask, int action)
{
	return -ENOSYS;
}
int ks_net_default(struct ksensor *ks, uint32_t role, int action) { return -ENOSYS; }
int ks_fd(const struct ksensor *ks) { return -1; }
int ks_consume(struct ksensor *ks) { return 0; }
void ks_doom(struct ksensor *ks) { }
bool ks_is_doomed(const struct ksensor *ks) { return false; }
uint64_t ks_doomed_ns(const struct ksensor *ks) { return 0; }
int ks_kill_tracked(struct ksensor *ks, void (*fn)(void *ctx, pid_t tgid), void *ctx) { return 0; }
long ks_ntracked(const struct ksensor *ks) { return 0; }
uint64_t ks_lost(const struct ksensor *ks) { return 0; }
uint64_t ks_lost_kind(const struct ksensor *ks, unsigned kind) { return 0; }
uint64_t ks_emitted(const struct ksensor *ks) { return 0; }
uint64_t ks_overflow(const struct ksensor *ks) { return 0; }
uint64_t ks_bad_records(const struct ksensor *ks) { return 0; }
void ks_deny_info(const struct ksensor *ks, struct ks_deny *out) { memset(out, 0, sizeof(*out)); }
int ks_role_stats(const struct ksensor *ks, uint32_t role, struct sp_stats *out) { return -ENOSYS; }
uint64_t ks_attach_ns(const struct ksensor *ks) { return 0; }
uint64_t ks_verified_insns(const struct ksensor *ks) { return 0; }
