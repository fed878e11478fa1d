// SPDX-License-Identifier: MIT
/*
 * Short native stacks for exec and connect, through libunwind.
 *
 * libunwind is loaded with dlopen(RTLD_LOCAL) rather than linked:
 * libunwind.so exports _Unwind_* and backtrace(), which would otherwise
 * interpose on libgcc_s and glibc in every process of the tree and change
 * how C++ exceptions unwind.  Loaded locally, it is visible to the shim
 * only.  It is loaded at the first native stack a process takes, not in
 * the constructor: most processes of a build never take one (a fork or
 * vfork child does not, see below), and loading libunwind with liblzma
 * and initialising it cost about 0.3 ms in each of them.
 *
 * What is called in a hook, and why it keeps the hook rules:
 *   - the first time only, dlopen() and libunwind's initialisation, which
 *     allocate and take the loader's lock; one thread does it while the
 *     others go without a native stack, never waiting;
 *   - unw_backtrace() with UNW_CACHE_PER_THREAD: its caches are per thread
 *     (mmap'ed, no malloc) and take no lock once initialised.  Its DWARF
 *     lookup goes through dl_iterate_phdr(), which takes the loader's
 *     object-list lock;
 *   - dladdr() for "module!symbol": takes the loader's recursive lock.
 * A fork child of a multi-threaded process may inherit either lock held
 * by another thread, so native stacks are off in fork children (until
 * they exec) and in vfork children; there the Python frame remains.
 * The trade-offs: dladdr() names only exported symbols, so a frame in a
 * stripped binary shows the nearest exported symbol or module+offset; and
 * libunwind's per-thread cache lives in the TLS of a dlopen'ed library,
 * which glibc allocates (malloc) the first time each thread unwinds.  So
 * the first exec or connect of a process, and of each new thread,
 * allocates once; a signal handler interrupting malloc in that very
 * thread and calling exec or connect is the case this does not cover.
 */
#include "preload/shim_int.h"

#include <dlfcn.h>
#include <string.h>
#include <unistd.h>

#define UNW_LOCAL_ONLY
#include <libunwind.h>

#include "preload/shim-config.h"

#define XSTR(x) STR(x)
#define STR(x) #x
#define IPS_MAX 24

enum { UW_UNTRIED, UW_LOADING, UW_READY, UW_NONE };

static int (*p_backtrace)(void **, int);
static void *self_base, *unwind_base;
static char exe_base[64];
static int uw_state = UW_UNTRIED;

/* Native stacks are on in this process; libunwind comes with the first. */
void shim_stack_init(void)
{
	if (!real.dlopen)
		return;
	shim.native_ok = 1;
	shim.hello_flags |= SHIM_HELLO_UNWIND;
}

static bool load_unwind(void)
{
	int (*set_policy)(unw_addr_space_t, unw_caching_policy_t);
	unw_addr_space_t *las;
	void *h, *warm[4];
	Dl_info di;
	char exe[SHIM_PATH_MAX];
	ssize_t n;

	h = real.dlopen(SHIM_LIBUNWIND_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (!h)
		return false;
	*(void **)&set_policy = dlsym(h, XSTR(unw_set_caching_policy));
	las = dlsym(h, XSTR(unw_local_addr_space));
	*(void **)&p_backtrace = dlsym(h, "unw_backtrace");
	if (!set_policy || !las || !p_backtrace)
		return false;
	(void)set_policy(*las, UNW_CACHE_PER_THREAD);
	if (dladdr((void *)shim_stack_init, &di))
		self_base = di.dli_fbase;
	if (dladdr((void *)p_backtrace, &di))
		unwind_base = di.dli_fbase;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		const char *b;

		exe[n] = '\0';
		b = strrchr(exe, '/');
		shim_copy(exe_base, sizeof(exe_base), b ? b + 1 : exe);
	}
	/* the first unwind initialises libunwind's globals */
	(void)p_backtrace(warm, 4);
	return true;
}

/*
 * libunwind, loaded by the first thread that needs it; a thread that
 * comes while another loads goes without.
 */
static bool unwind_ready(void)
{
	int st = __atomic_load_n(&uw_state, __ATOMIC_ACQUIRE);

	if (st == UW_READY)
		return true;
	if (st != UW_UNTRIED || !real.dlopen ||
	    !__atomic_compare_exchange_n(&uw_state, &st, UW_LOADING, false, __ATOMIC_ACQ_REL,
					 __ATOMIC_ACQUIRE))
		return false;
	st = load_unwind() ? UW_READY : UW_NONE;
	__atomic_store_n(&uw_state, st, __ATOMIC_RELEASE);
	return st == UW_READY;
}

static size_t put(char *dst, size_t o, size_t size, const char *s)
{
	while (*s && o + 1 < size)
		dst[o++] = *s++;
	dst[o] = '\0';
	return o;
}

static void format_frame(char *out, size_t size, void *pc)
{
	char num[24];
	const char *mod, *slash;
	uintptr_t off;
	Dl_info di;
	size_t o = 0;

	out[0] = '\0';
	if (!dladdr(pc, &di) || !di.dli_fbase) {
		o = put(out, o, size, "0x");
		shim_fmt_u64(num, sizeof(num), (uintptr_t)pc, 16);
		put(out, o, size, num);
		return;
	}
	mod = di.dli_fname && *di.dli_fname ? di.dli_fname : exe_base;
	slash = strrchr(mod, '/');
	o = put(out, o, size, slash ? slash + 1 : mod);
	if (di.dli_sname && di.dli_saddr) {
		o = put(out, o, size, "!");
		o = put(out, o, size, di.dli_sname);
		off = (uintptr_t)pc - (uintptr_t)di.dli_saddr;
	} else {
		off = (uintptr_t)pc - (uintptr_t)di.dli_fbase;
	}
	o = put(out, o, size, "+0x");
	shim_fmt_u64(num, sizeof(num), off, 16);
	put(out, o, size, num);
}

void shim_stack_fill(struct shim_rec *r)
{
	void *ips[IPS_MAX];
	uint32_t k = 0;
	int n;

	if (!shim.native_ok || shim_in_child() || !unwind_ready())
		return;
	n = p_backtrace(ips, IPS_MAX);
	for (int i = 0; i < n && k < SHIM_NATIVE_FRAMES; i++) {
		/* a return address: look up the call instruction before it */
		void *pc = (char *)ips[i] - 1;
		Dl_info di;

		if (dladdr(pc, &di) && (di.dli_fbase == self_base || di.dli_fbase == unwind_base))
			continue;
		format_frame(r->native.frame[k++], SHIM_NATIVE_MAX, pc);
	}
	r->native.nframes = k;
	if (k)
		r->h.flags |= SHIM_F_NATIVE;
}
