// SPDX-License-Identifier: MIT
#include "guard/sensors.h"

#include "guard/exitcode.h"
#include "guard/gpolicy.h"
#include "guard/landlock.h"
#include "guard/privdrop.h"
#include "guard/seccomp.h"
#include "guard/session.h"
#include "guard/util.h"
#include "policy/policy.h"

static void start_fallback(struct session *s)
{
	struct sensors *z = &s->sens;
	const char *why = "";
	int r = sn_probe(&why);

	if (r < 0) {
		snprintf(z->seccomp_why, sizeof(z->seccomp_why), "%s", why);
		return;
	}
	r = sn_new(&s->sn, s);
	if (r < 0) {
		snprintf(z->seccomp_why, sizeof(z->seccomp_why), "cannot set up: %s", strerror(-r));
		return;
	}
	z->seccomp = true;
}

int sensors_choose(struct session *s, int kernel_r)
{
	struct sensors *z = &s->sens;
	char err[512];
	int r;

	z->kernel = kernel_r == 0;
	z->landlock_abi = ll_abi();
	if (!z->kernel) {
		sp_debug("kernel sensor unavailable (%s): trying the seccomp fallback", z->kernel_why);
		start_fallback(s);
	}
	/*
	 * Landlock: under the fallback always (signal scoping, when the kernel
	 * has it); with the kernel sensor only when the policy confines writes,
	 * so that an eBPF session is otherwise unchanged (no no_new_privs).
	 */
	if (z->seccomp || sp_policy_confine_writes(s->policy, NULL)) {
		r = ll_plan_make(&s->ll, s, err, sizeof(err));
		if (r < 0) {
			sp_msg("%s: pip was not run", err);
			return r == -EOPNOTSUPP ? SP_EXIT_SENSOR : SP_EXIT_INTERNAL;
		}
	}
	return 0;
}

void sensors_close(struct session *s)
{
	/* pip never ran (a refusal): nothing may stay of what was made for it */
	if (!s->root)
		ll_undo_created(s->ll);
	sn_free(s->sn);
	s->sn = NULL;
	ll_plan_free(s->ll);
	s->ll = NULL;
}

int sensors_require(struct session *s)
{
	const struct sensors *z = &s->sens;

	if (!z->kernel && !z->seccomp && !z->shim) {
		sp_msg("no sensor can watch pip here: kernel sensor: %s; seccomp fallback: %s: pip was not run",
		       z->kernel_why, z->seccomp_why);
		return SP_EXIT_SENSOR;
	}
	return gpolicy_require(s->policy, z->kernel, z->seccomp, z->shim);
}

static const char *kill_mode(const struct session *s)
{
	if (s->have_cgroup)
		return "session cgroup";
	if (s->sens.kernel && privdrop_hooked())
		return "network hooks on the invoking cgroup, tracked-set kill";
	return s->sens.kernel ? "no cgroup" : "process-scan kill";
}

void sensors_describe(const struct session *s, char *buf, size_t len)
{
	const struct sensors *z = &s->sens;
	char ll[128] = "";
	size_t n;

	if (z->kernel)
		n = (size_t)snprintf(buf, len, "kernel (eBPF, %s)", kill_mode(s));
	else if (z->seccomp)
		n = (size_t)snprintf(buf, len, "seccomp (user notification, %s; kernel sensor unavailable: %s)",
				     kill_mode(s), z->kernel_why);
	else
		n = (size_t)snprintf(buf, len, "none (kernel sensor unavailable: %s; seccomp fallback "
				     "unavailable: %s)", z->kernel_why, z->seccomp_why);
	if (n >= len)
		return;
	if (z->shim)
		n += (size_t)snprintf(buf + n, len - n, ", shim (LD_PRELOAD)");
	if (n >= len)
		return;
	if (s->ll)
		ll_describe(s->ll, z->landlock_abi, ll, sizeof(ll));
	else if (z->landlock_abi)
		snprintf(ll, sizeof(ll), "landlock ABI %d: not used", z->landlock_abi);
	if (ll[0])
		snprintf(buf + n, len - n, ", %s", ll);
}

void sensors_log(struct session *s)
{
	const struct sensors *z = &s->sens;
	struct jw *w = &s->logw;

	if (!s->log)
		return;
	jw_init(w, s->log);
	jw_obj(w);
	jw_kstr(w, "type", "sensors");
	jw_kbool(w, "kernel", z->kernel);
	jw_kbool(w, "seccomp", z->seccomp);
	jw_kbool(w, "shim", z->shim);
	jw_kint(w, "landlock_abi", z->landlock_abi);
	jw_kbool(w, "writes_confined", s->ll && s->ll->writes);
	jw_kbool(w, "signals_scoped", s->ll && s->ll->signals);
	jw_kstr(w, "kill", s->have_cgroup ? "cgroup" : z->kernel ? "tracked" : "scan");
	if (!z->kernel)
		jw_kstr(w, "kernel_unavailable", z->kernel_why);
	jw_obj_end(w);
	fputc('\n', s->log);
}

void sensors_check_fallback(void)
{
	const char *why = "";
	int abi = ll_abi();

	if (sn_probe(&why) == 0)
		printf("seccomp fallback: available (user notification)\n");
	else
		printf("seccomp fallback: unavailable (%s)\n", why);
	if (abi)
		printf("landlock: ABI %d%s\n", abi, abi >= 6 ? " (write confinement, signal scoping)" :
		       abi >= 2 ? " (write confinement)" : " (too old to confine writes)");
	else
		printf("landlock: unavailable\n");
}
