// SPDX-License-Identifier: MIT
/*
 * Python attribution.  When the process is a CPython interpreter (its
 * symbols are exported: the executable's or libpython's), the constructor
 * installs a PEP 578 audit hook; PySys_AddAuditHook() may be called before
 * Py_Initialize() and the hook survives it.  CPython raises an audit event
 * with the GIL held just before it acts ("socket.connect", "open",
 * "subprocess.Popen" ...), and usually releases the GIL around the libc
 * call itself.  So the hook captures the Python frames into thread-local
 * storage, and the libc hook that follows in the same thread takes them:
 * the libc hooks never call into Python.
 *
 * Nothing is linked against libpython; every function is looked up with
 * dlsym(RTLD_DEFAULT) and only the stable C API is used (3.9 and later).
 */
#include "preload/shim_int.h"

#include <dlfcn.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

typedef struct _object PyObject;
typedef ssize_t Py_ssize_t;
typedef int (*audit_hook_fn)(const char *event, PyObject *args, void *data);

static struct {
	int (*add_audit_hook)(audit_hook_fn, void *);
	PyObject *(*get_frame)(void);                   /* borrowed */
	PyObject *(*frame_get_code)(PyObject *);        /* new reference */
	PyObject *(*frame_get_back)(PyObject *);        /* new reference or NULL */
	int (*frame_get_line)(PyObject *);
	PyObject *(*getattr)(PyObject *, const char *); /* new reference */
	const char *(*as_utf8)(PyObject *, Py_ssize_t *);
	void (*decref)(PyObject *);
	void (*err_fetch)(PyObject **, PyObject **, PyObject **);
	void (*err_restore)(PyObject *, PyObject *, PyObject *);
	PyObject *(*sys_get)(const char *);             /* borrowed */
	const char *(*version)(void);
	PyObject *(*tuple_item)(PyObject *, Py_ssize_t);    /* borrowed */
	PyObject *(*dict_item)(PyObject *, const char *);   /* borrowed */
	long (*as_long)(PyObject *);
	void *unicode_type;
	void *long_type;
} py;

/* The last capture of this thread. */
struct pycap {
	uint32_t classes;       /* PYC_*: which libc hooks may take it; 0 = none */
	uint64_t ts_ns;
	struct shim_py py;
};

static __thread struct pycap cap __attribute__((tls_model("initial-exec")));

/* A capture older than this belongs to something else. */
#define CAPTURE_TTL_NS (1000ull * 1000 * 1000)
/* Frames walked at most to find the package's own frame. */
#define WALK_MAX 48

/* "<base_prefix>/lib/pythonX.Y/": the standard library, set once. */
static char stdlib_dir[SHIM_PATH_MAX];
static size_t stdlib_len;
static int stdlib_done;

static uint64_t now_ns(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

struct event_class {
	const char *name;
	uint32_t classes;
};

static const struct event_class events[] = {
	{ "open", PYC_FILE },
	{ "os.remove", PYC_FILE }, { "os.rename", PYC_FILE }, { "os.chmod", PYC_FILE },
	{ "shutil.copyfile", PYC_FILE }, { "os.truncate", PYC_FILE },
	{ "socket.connect", PYC_NET }, { "socket.sendto", PYC_NET },
	{ "socket.sendmsg", PYC_NET },
	{ "socket.getaddrinfo", PYC_DNS }, { "socket.gethostbyname", PYC_DNS },
	{ "socket.gethostbyaddr", PYC_DNS }, { "socket.getnameinfo", PYC_DNS },
	{ "subprocess.Popen", PYC_EXEC }, { "os.system", PYC_EXEC }, { "os.exec", PYC_EXEC },
	{ "os.posix_spawn", PYC_EXEC }, { "os.spawn", PYC_EXEC }, { "pty.spawn", PYC_EXEC },
	{ "ctypes.dlopen", PYC_DLOPEN },
	{ "os.putenv", PYC_ENV }, { "os.unsetenv", PYC_ENV },
	{ "mmap.__new__", PYC_MEM },
	/*
	 * A foreign call: whatever libc function it reaches.  CPython raises
	 * "ctypes.dlsym" when a function is first looked up (usually on the
	 * line that calls it) and "ctypes.call_function" only for some calls.
	 */
	{ "ctypes.call_function", PYC_ANY }, { "ctypes.dlsym", PYC_ANY },
};

/* Cheap rejection first: almost every event is none of ours. */
static uint32_t event_classes(const char *ev)
{
	switch (ev[0]) {
	case 'o': case 's': case 'c': case 'p': case 'm':
		break;
	default:
		return 0;
	}
	for (size_t i = 0; i < sizeof(events) / sizeof(events[0]); i++)
		if (strcmp(ev, events[i].name) == 0)
			return events[i].classes;
	return 0;
}

static inline void *type_of(PyObject *o)
{
	/* PyObject_HEAD: ob_refcnt, then ob_type (stable ABI) */
	return ((void **)o)[1];
}

static void find_stdlib(void)
{
	PyObject *base = py.sys_get("base_prefix");
	const char *b, *v = py.version();
	Py_ssize_t n = 0;
	size_t vl = 0, o;

	/* not set yet while the interpreter computes its paths: try again later */
	if (!base || type_of(base) != py.unicode_type || !(b = py.as_utf8(base, &n)) || !v)
		return;
	stdlib_done = 1;
	/* "3.11.7 (main, ...)" -> "3.11" */
	while (v[vl] && v[vl] != ' ' && vl < 8)
		vl++;
	if (vl > 2 && memchr(v + 2, '.', vl - 2))
		vl = (size_t)((const char *)memchr(v + 2, '.', vl - 2) - v);
	if ((size_t)n + 12 + vl + 2 > sizeof(stdlib_dir))
		return;
	memcpy(stdlib_dir, b, (size_t)n);
	o = (size_t)n;
	memcpy(stdlib_dir + o, "/lib/python", 11);
	o += 11;
	memcpy(stdlib_dir + o, v, vl);
	o += vl;
	stdlib_dir[o++] = '/';
	stdlib_dir[o] = '\0';
	stdlib_len = o;
}

static bool in_stdlib(const char *file)
{
	if (strncmp(file, "<frozen ", 8) == 0)
		return true;
	if (!stdlib_len || strncmp(file, stdlib_dir, stdlib_len) != 0)
		return false;
	return !strstr(file + stdlib_len, "site-packages/") &&
	       !strstr(file + stdlib_len, "dist-packages/");
}

static void utf8_into(PyObject *s, char *dst, size_t size, bool tail)
{
	const char *u;

	if (!s || type_of(s) != py.unicode_type || !(u = py.as_utf8(s, NULL)))
		return;
	if (tail)
		shim_copy_tail(dst, size, u);
	else
		shim_copy(dst, size, u);
}

/*
 * Code compiled from a string ("<string>": exec() in setup.py, setuptools
 * running setup.py) is named after the module that ran it:
 * "<string>@/path/setup.py".
 */
static void exec_origin(PyObject *frame, struct shim_pyframe *out)
{
	PyObject *g = py.getattr(frame, "f_globals"), *file;
	const char *u;
	char buf[SHIM_PYFILE_MAX + SHIM_PATH_MAX];
	size_t o;

	if (!g)
		return;
	file = py.dict_item(g, "__file__");
	if (file && type_of(file) == py.unicode_type && (u = py.as_utf8(file, NULL))) {
		o = strnlen(out->file, SHIM_PYFILE_MAX - 1);
		memcpy(buf, out->file, o);
		buf[o++] = '@';
		shim_copy(buf + o, sizeof(buf) - o, u);
		shim_copy_tail(out->file, sizeof(out->file), buf);
	}
	py.decref(g);
}

static bool read_frame(PyObject *frame, struct shim_pyframe *out)
{
	PyObject *code = py.frame_get_code(frame), *f, *n;

	memset(out, 0, sizeof(*out));
	if (!code)
		return false;
	f = py.getattr(code, "co_filename");
	n = py.getattr(code, "co_name");
	utf8_into(f, out->file, sizeof(out->file), true);
	if (out->file[0] == '<' && strncmp(out->file, "<frozen ", 8) != 0)
		exec_origin(frame, out);
	utf8_into(n, out->func, sizeof(out->func), false);
	if (f)
		py.decref(f);
	if (n)
		py.decref(n);
	py.decref(code);
	out->line = (uint32_t)py.frame_get_line(frame);
	return true;
}

/*
 * Walk outwards from the innermost frame: keep it, the first frame outside
 * the standard library, and that frame's caller.  Called with the GIL.
 */
static void capture(const char *event, uint32_t classes)
{
	PyObject *et, *ev, *tb, *top, *cur;
	struct shim_pyframe fr;
	uint32_t n = 0;
	bool origin = false;

	py.err_fetch(&et, &ev, &tb);
	if (!stdlib_done)
		find_stdlib();
	cap.classes = 0;
	top = py.get_frame();
	cur = top;
	for (int depth = 0; cur && depth < WALK_MAX; depth++) {
		PyObject *back;

		if (!read_frame(cur, &fr))
			break;
		if (n == 0)
			cap.py.f[n++] = fr;
		if (origin) {
			cap.py.f[2] = fr;
			n = 3;
			break;
		}
		if (!in_stdlib(fr.file)) {
			cap.py.f[1] = fr;
			n = 2;
			origin = true;
		}
		back = py.frame_get_back(cur);
		if (cur != top)
			py.decref(cur);
		cur = back;
	}
	if (cur && cur != top)
		py.decref(cur);
	if (n > 0) {
		cap.py.nframes = n;
		shim_copy(cap.py.event, sizeof(cap.py.event), event);
		cap.ts_ns = now_ns();
		cap.classes = classes;
	}
	py.err_restore(et, ev, tb);
}

/* "open": only writes and reads the configuration asks about are reported. */
static bool open_interesting(PyObject *args)
{
	PyObject *path = py.tuple_item(args, 0), *mode = py.tuple_item(args, 1);
	PyObject *flags = py.tuple_item(args, 2);
	char buf[1024], base[1024];
	const char *p, *m;

	if (mode && type_of(mode) == py.unicode_type && (m = py.as_utf8(mode, NULL))) {
		if (strpbrk(m, "wax+"))
			return true;
	} else if (flags && type_of(flags) == py.long_type &&
		   shim_flags_write((int)py.as_long(flags))) {
		return true;
	}
	if (!shim_cfg_has_paths(shim.cfg, SHIM_ACC_READ))
		return false;
	if (!path || type_of(path) != py.unicode_type || !(p = py.as_utf8(path, NULL)))
		return true;    /* bytes, fds, path-likes: keep the frame */
	if (p[0] != '/' && !shim_dir_path(-100, base, sizeof(base)))
		return true;
	if (!shim_normalize(base, p, buf, sizeof(buf)))
		return true;
	return shim_cfg_wants_path(shim.cfg, buf, SHIM_ACC_READ);
}

static int audit_hook(const char *event, PyObject *args, void *data)
{
	uint32_t classes;

	if (!shim.active || !event)
		return 0;
	classes = event_classes(event);
	if (!classes)
		return 0;
	if (classes == PYC_FILE && strcmp(event, "open") == 0 && args) {
		PyObject *et, *ev, *tb;
		bool keep;

		py.err_fetch(&et, &ev, &tb);
		keep = open_interesting(args);
		py.err_restore(et, ev, tb);
		if (!keep) {
			cap.classes = 0;
			return 0;
		}
	}
	capture(event, classes);
	return 0;
}

void shim_py_take(struct shim_rec *r, uint32_t pyclass)
{
	if (!(cap.classes & pyclass))
		return;
	cap.classes = 0;
	if (r->h.ts_ns - cap.ts_ns > CAPTURE_TTL_NS)
		return;
	r->py = cap.py;
	r->h.flags |= SHIM_F_PY;
}

#define PYSYM(field, name) (*(void **)&py.field = dlsym(RTLD_DEFAULT, name))

void shim_py_init(void)
{
	if (!PYSYM(add_audit_hook, "PySys_AddAuditHook"))
		return;         /* not a Python interpreter */
	PYSYM(get_frame, "PyEval_GetFrame");
	PYSYM(frame_get_code, "PyFrame_GetCode");
	PYSYM(frame_get_back, "PyFrame_GetBack");
	PYSYM(frame_get_line, "PyFrame_GetLineNumber");
	PYSYM(getattr, "PyObject_GetAttrString");
	PYSYM(as_utf8, "PyUnicode_AsUTF8AndSize");
	PYSYM(decref, "Py_DecRef");
	PYSYM(err_fetch, "PyErr_Fetch");
	PYSYM(err_restore, "PyErr_Restore");
	PYSYM(sys_get, "PySys_GetObject");
	PYSYM(version, "Py_GetVersion");
	PYSYM(tuple_item, "PyTuple_GetItem");
	PYSYM(dict_item, "PyDict_GetItemString");
	PYSYM(as_long, "PyLong_AsLong");
	py.unicode_type = dlsym(RTLD_DEFAULT, "PyUnicode_Type");
	py.long_type = dlsym(RTLD_DEFAULT, "PyLong_Type");
	if (!py.get_frame || !py.frame_get_code || !py.frame_get_back || !py.frame_get_line ||
	    !py.getattr || !py.as_utf8 || !py.decref || !py.err_fetch || !py.err_restore ||
	    !py.sys_get || !py.version || !py.tuple_item || !py.dict_item || !py.as_long ||
	    !py.unicode_type ||
	    !py.long_type)
		return;
	if (py.add_audit_hook(audit_hook, NULL) == 0)
		shim.hello_flags |= SHIM_HELLO_PYTHON;
}
