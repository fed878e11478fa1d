// SPDX-License-Identifier: MIT
/*
 * Routes from pip to safe-pip (see guard/shims.h).
 *
 * PATH wrappers cover `pip`, `pip3` and `pipX.Y` typed in a shell.  A
 * virtual environment also has its own entry points and `python -m pip`,
 * which no PATH entry sees.  For those, the guard of a venv:
 *
 *   - replaces the venv's bin/pip, pip3, pipX.Y with wrappers that exec
 *     safe-pip with the venv's interpreter;
 *   - prepends a few lines to the venv's pip/__main__.py (what
 *     `python -m pip` runs) that exec safe-pip the same way.
 *
 * Why __main__.py: it is the one file every `python -m pip` executes, in
 * the venv's own site-packages, and it runs no code at any other time.
 * The alternatives run code at every interpreter start (a .pth file or
 * sitecustomize.py, which safe-pip itself reports as persistence), or are
 * found only from some directories (a `pip` module shadowing the real one
 * from the working directory).  The cost: an install of pip itself
 * replaces the file; safe-pip re-applies the guard after each guarded
 * session in the venv, and `safe-pip venv-guard status` tells.
 *
 * No loop: safe-pip runs `python -m pip` with SAFE_PIP_ACTIVE set, and the
 * hook and wrappers run the real pip when it is set.  Nothing is weakened:
 * with the variable set pip runs exactly as it would without the guard,
 * and a missing safe-pip makes the hook refuse to run pip (fail closed)
 * rather than fall back to the unguarded pip.
 */
#include "guard/shims.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "guard/cli.h"
#include "guard/exitcode.h"
#include "guard/python.h"
#include "guard/util.h"

#define GUARD_DIR "safe-pip-guard"      /* in the venv: backups and the marker */
#define HOOK_BEGIN "# safe-pip venv-guard: begin"
#define HOOK_END "# safe-pip venv-guard: end"
#define WRAPPER_MARK "# written by safe-pip"
#define MAIN_MAX (256 * 1024)           /* bytes of pip/__main__.py we read */

/* The absolute path of this safe-pip, as wrappers must exec it. */
static int self_path(char *out, size_t len)
{
	ssize_t n = readlink("/proc/self/exe", out, len - 1);

	if (n <= 0)
		return -errno;
	out[n] = '\0';
	return 0;
}

/* Paths put into shell and Python string literals: no quoting needed. */
static bool plain_path(const char *p)
{
	return p[0] == '/' && !strpbrk(p, "'\"\\\n$`");
}

/* Write text to dir/name atomically (a temporary file, then rename). */
static int write_file_at(const char *dir, const char *name, const char *text, mode_t mode)
{
	_cleanup_free_ char *tmp = sp_asprintf("%s/.%s.safe-pip-tmp", dir, name);
	_cleanup_free_ char *dst = sp_asprintf("%s/%s", dir, name);
	int fd, r;

	if (!tmp || !dst)
		return -ENOMEM;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
	if (fd < 0)
		return -errno;
	r = write_all(fd, text, strlen(text));
	if (r == 0 && (fchmod(fd, mode) < 0 || fsync(fd) < 0))
		r = -errno;
	if (close(fd) < 0 && r == 0)
		r = -errno;
	if (r == 0 && rename(tmp, dst) < 0)
		r = -errno;
	if (r < 0)
		(void)unlink(tmp);
	return r;
}

/* Is dir/name absent, or a wrapper we wrote (so that it may be replaced)? */
static bool ours_or_absent(const char *dir, const char *name)
{
	_cleanup_free_ char *text = NULL;
	_cleanup_close_ int d = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ssize_t n;

	if (d < 0)
		return false;
	n = read_file_max(d, name, &text, 64 * 1024);
	if (n == -ENOENT)
		return true;
	return n >= 0 && strstr(text, WRAPPER_MARK) != NULL;
}

/* ------------------------------------------------------------ shims DIR */

static char *path_wrapper(const char *safe_pip, const char *python)
{
	return sp_asprintf("#!/bin/sh\n"
			   "%s shims: pip through safe-pip.\n"
			   "# Inside a guarded install (SAFE_PIP_ACTIVE) pip runs as is: that\n"
			   "# install's guard already watches it.\n"
			   "if [ -n \"${SAFE_PIP_ACTIVE:-}\" ]; then\n"
			   "\texec %s -m pip \"$@\"\n"
			   "fi\n"
			   "exec '%s'%s%s%s \"$@\"\n",
			   WRAPPER_MARK, python ? python : "python3", safe_pip,
			   python ? " --python '" : "", python ? python : "", python ? "'" : "");
}

/* The X.Y of every python3.N on PATH (each once), space-separated into out. */
static void python_versions(char *out, size_t len)
{
	_cleanup_free_ char *path = strdup(getenv("PATH") ? getenv("PATH") : "/usr/bin:/bin");
	char *save = NULL;

	out[0] = '\0';
	for (char *dir = path ? strtok_r(path, ":", &save) : NULL; dir; dir = strtok_r(NULL, ":", &save)) {
		DIR *d = opendir(dir);
		struct dirent *de;

		while (d && (de = readdir(d))) {
			char v[32], probe[PATH_MAX];
			unsigned minor;
			char tail;

			if (sscanf(de->d_name, "python3.%u%c", &minor, &tail) != 1 || minor > 99)
				continue;
			snprintf(probe, sizeof(probe), "%s/%s", dir, de->d_name);
			if (access(probe, X_OK) < 0)
				continue;
			snprintf(v, sizeof(v), " 3.%u ", minor);
			if (!strstr(out, v) && strlen(out) + strlen(v) < len)
				strcat(out, v);
		}
		if (d)
			closedir(d);
	}
}

int shims_command(const struct options *o)
{
	const char *dir = o->pip_argc == 2 ? o->pip_argv[1] : NULL;
	char self[PATH_MAX], versions[512], name[32], py[32];
	char *w;
	int r;

	if (!dir || dir[0] == '-') {
		sp_msg("usage: safe-pip shims DIR");
		return SP_EXIT_USAGE;
	}
	if (self_path(self, sizeof(self)) < 0 || !plain_path(self)) {
		sp_msg("cannot name this safe-pip in a wrapper (its path has quotes or backslashes)");
		return SP_EXIT_CONFIG;
	}
	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		sp_msg("cannot make %s: %s", dir, strerror(errno));
		return SP_EXIT_CONFIG;
	}
	python_versions(versions, sizeof(versions));
	/* pip and pip3: safe-pip's own choice (active venv, python3 on PATH) */
	for (const char *const *n = (const char *const[]){ "pip", "pip3", NULL }; *n; n++) {
		if (!ours_or_absent(dir, *n)) {
			sp_msg("%s/%s exists and was not written by safe-pip: left alone", dir, *n);
			return SP_EXIT_CONFIG;
		}
		w = path_wrapper(self, NULL);
		r = w ? write_file_at(dir, *n, w, 0755) : -ENOMEM;
		free(w);
		if (r < 0) {
			sp_msg("cannot write %s/%s: %s", dir, *n, strerror(-r));
			return SP_EXIT_CONFIG;
		}
		printf("%s/%s\n", dir, *n);
	}
	for (char *v = strtok(versions, " "); v; v = strtok(NULL, " ")) {
		snprintf(name, sizeof(name), "pip%s", v);
		snprintf(py, sizeof(py), "python%s", v);
		if (!ours_or_absent(dir, name)) {
			sp_msg("%s/%s exists and was not written by safe-pip: left alone", dir, name);
			continue;
		}
		w = path_wrapper(self, py);
		r = w ? write_file_at(dir, name, w, 0755) : -ENOMEM;
		free(w);
		if (r < 0) {
			sp_msg("cannot write %s/%s: %s", dir, name, strerror(-r));
			return SP_EXIT_CONFIG;
		}
		printf("%s/%s\n", dir, name);
	}
	sp_msg("put %s first on PATH (export PATH=\"%s:$PATH\") so that pip goes through safe-pip; "
	       "an activated venv's own bin comes before it: guard venvs with safe-pip venv-guard on",
	       dir, dir);
	return 0;
}

/* -------------------------------------------------------- venv-guard */

struct venv {
	char prefix[PATH_MAX];
	char python[PATH_MAX];
	char bin[PATH_MAX];
	char pipdir[PATH_MAX];          /* site-packages/pip */
	char guard[PATH_MAX];           /* prefix/safe-pip-guard */
};

static int venv_find(struct venv *v, const char *arg)
{
	struct pyinfo pi;
	char err[512], real[PATH_MAX];
	int r;

	if (!arg)
		arg = getenv("VIRTUAL_ENV");
	if (!arg || !*arg) {
		sp_msg("which virtual environment? (give its directory, or activate it)");
		return -EINVAL;
	}
	if (!realpath(arg, real)) {
		sp_msg("cannot find %s: %s", arg, strerror(errno));
		return -errno;
	}
	snprintf(v->prefix, sizeof(v->prefix), "%s", real);
	snprintf(v->python, sizeof(v->python), "%s/bin/python", real);
	snprintf(v->bin, sizeof(v->bin), "%s/bin", real);
	snprintf(v->guard, sizeof(v->guard), "%s/%s", real, GUARD_DIR);
	r = pyinfo_probe(&pi, v->python, "the venv", err, sizeof(err));
	if (r < 0) {
		sp_msg("%s", err);
		return r;
	}
	if (!pi.in_venv) {
		sp_msg("%s is not a virtual environment", real);
		pyinfo_free(&pi);
		return -EINVAL;
	}
	snprintf(v->pipdir, sizeof(v->pipdir), "%s/pip", pi.purelib);
	pyinfo_free(&pi);
	if (!plain_path(v->prefix) || !plain_path(v->pipdir)) {
		sp_msg("cannot guard %s: its path has quotes or backslashes", v->prefix);
		return -EINVAL;
	}
	return 0;
}

static char *hook_text(const char *safe_pip)
{
	return sp_asprintf(HOOK_BEGIN " (safe-pip venv-guard off undoes it)\n"
			   "# `python -m pip` of this environment goes through safe-pip, which runs\n"
			   "# this pip with SAFE_PIP_ACTIVE set.\n"
			   "if __name__ == \"__main__\":\n"
			   "    import os as _sp_os, sys as _sp_sys\n"
			   "    if not _sp_os.environ.get(\"SAFE_PIP_ACTIVE\"):\n"
			   "        _sp = \"%s\"\n"
			   "        if not _sp_os.access(_sp, _sp_os.X_OK):\n"
			   "            _sp_sys.exit(\"safe-pip: this environment's pip is guarded by %%s, which \"\n"
			   "                         \"is missing: pip was not run\" %% _sp)\n"
			   "        _sp_os.execv(_sp, [_sp, \"--python\", _sp_sys.executable] + _sp_sys.argv[1:])\n"
			   HOOK_END "\n", safe_pip);
}

static char *venv_wrapper(const char *safe_pip, const char *python)
{
	return sp_asprintf("#!/bin/sh\n"
			   "%s venv-guard: this environment's pip goes through safe-pip\n"
			   "# (safe-pip venv-guard off restores the original).\n"
			   "if [ -n \"${SAFE_PIP_ACTIVE:-}\" ]; then\n"
			   "\texec '%s' -m pip \"$@\"\n"
			   "fi\n"
			   "exec '%s' --python '%s' \"$@\"\n",
			   WRAPPER_MARK, python, safe_pip, python);
}

/* pip's __main__.py without our hook (malloc'd), and whether it had one. */
static char *main_without_hook(const struct venv *v, bool *had)
{
	_cleanup_close_ int d = open(v->pipdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	char *text = NULL, *b, *e;

	*had = false;
	if (d < 0 || read_file_max(d, "__main__.py", &text, MAIN_MAX) < 0)
		return NULL;
	b = strstr(text, HOOK_BEGIN);
	e = b ? strstr(b, HOOK_END "\n") : NULL;
	if (b && e) {
		*had = true;
		memmove(b, e + strlen(HOOK_END "\n"), strlen(e + strlen(HOOK_END "\n")) + 1);
	}
	return text;
}

/* The venv's pip entry points: pip, pip3, pipX.Y that are pip's scripts or ours. */
static bool is_pip_script(const char *name)
{
	unsigned a, b;
	char tail;

	return strcmp(name, "pip") == 0 || strcmp(name, "pip3") == 0 ||
	       sscanf(name, "pip%u.%u%c", &a, &b, &tail) == 2;
}

static int backup_once(const char *dir, const char *name, const char *guard)
{
	_cleanup_free_ char *text = NULL;
	_cleanup_close_ int d = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	_cleanup_close_ int g = open(guard, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct stat st;
	ssize_t n;

	if (d < 0 || g < 0)
		return -errno;
	n = read_file_max(d, name, &text, 64 * 1024);

	if (n < 0)
		return (int)n;
	if (strstr(text, WRAPPER_MARK) || strstr(text, HOOK_BEGIN))
		return 0;       /* already ours: the backup is older */
	if (fstatat(g, name, &st, 0) == 0)
		(void)unlinkat(g, name, 0);
	return write_file_at(guard, name, text, 0755);
}

static int guard_apply(const struct venv *v, const char *safe_pip, bool quiet)
{
	_cleanup_free_ char *hook = hook_text(safe_pip), *wrapper = venv_wrapper(safe_pip, v->python);
	_cleanup_free_ char *main_text = NULL, *patched = NULL;
	DIR *d;
	struct dirent *de;
	bool had;
	int r = 0;

	if (!hook || !wrapper)
		return -ENOMEM;
	if (mkdir(v->guard, 0755) < 0 && errno != EEXIST)
		return -errno;
	main_text = main_without_hook(v, &had);
	if (!main_text)
		return -ENOENT;
	if (strstr(main_text, "from __future__"))
		return -EPROTO;         /* the hook must come first; it cannot there */
	if (!had && (r = write_file_at(v->guard, "__main__.py", main_text, 0644)) < 0)
		return r;
	patched = sp_asprintf("%s%s", hook, main_text);
	if (!patched)
		return -ENOMEM;
	r = write_file_at(v->pipdir, "__main__.py", patched, 0644);
	d = opendir(v->bin);
	while (r == 0 && d && (de = readdir(d))) {
		if (!is_pip_script(de->d_name))
			continue;
		r = backup_once(v->bin, de->d_name, v->guard);
		if (r == 0)
			r = write_file_at(v->bin, de->d_name, wrapper, 0755);
	}
	if (d)
		closedir(d);
	if (r == 0)
		r = write_file_at(v->guard, "safe-pip", safe_pip, 0644);
	if (r == 0 && !quiet)
		printf("%s: pip, pip3, pipX.Y and `python -m pip` go through %s\n", v->prefix, safe_pip);
	return r;
}

#define SCRIPTS_MAX 16

/* The names of the backed-up scripts (read first: removing while reading a directory may skip). */
static size_t backed_up(const struct venv *v, char names[][NAME_MAX + 1])
{
	DIR *d = opendir(v->guard);
	struct dirent *de;
	size_t n = 0;

	while (d && (de = readdir(d)) && n < SCRIPTS_MAX)
		if (is_pip_script(de->d_name))
			snprintf(names[n++], NAME_MAX + 1, "%s", de->d_name);
	if (d)
		closedir(d);
	return n;
}

static int guard_remove(const struct venv *v)
{
	_cleanup_free_ char *main_text = NULL;
	_cleanup_close_ int g = open(v->guard, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	char names[SCRIPTS_MAX][NAME_MAX + 1];
	size_t n = backed_up(v, names);
	bool had;
	int r = 0;

	main_text = main_without_hook(v, &had);
	if (main_text && had)
		r = write_file_at(v->pipdir, "__main__.py", main_text, 0644);
	for (size_t i = 0; r == 0 && g >= 0 && i < n; i++) {
		_cleanup_free_ char *text = NULL;

		if (read_file_max(g, names[i], &text, 64 * 1024) < 0)
			continue;
		if (ours_or_absent(v->bin, names[i]))
			r = write_file_at(v->bin, names[i], text, 0755);
		(void)unlinkat(g, names[i], 0);
	}
	if (g >= 0) {
		(void)unlinkat(g, "__main__.py", 0);
		(void)unlinkat(g, "safe-pip", 0);
	}
	if (r == 0 && rmdir(v->guard) < 0 && errno != ENOENT)
		r = -errno;
	if (r == 0)
		printf("%s: pip is no longer routed through safe-pip\n", v->prefix);
	return r;
}

static int guard_status(const struct venv *v)
{
	_cleanup_free_ char *main_text = NULL;
	struct stat st;
	bool had = false, marker = stat(v->guard, &st) == 0;

	main_text = main_without_hook(v, &had);
	if (marker && had) {
		printf("%s: guarded (pip, pip3, pipX.Y and python -m pip go through safe-pip)\n", v->prefix);
		return 0;
	}
	if (marker)
		printf("%s: guarded, but pip's __main__.py was replaced (an install of pip?): "
		       "safe-pip venv-guard on restores it\n", v->prefix);
	else
		printf("%s: not guarded\n", v->prefix);
	return 1;
}

int venv_guard_command(const struct options *o)
{
	const char *sub = o->pip_argc > 1 ? o->pip_argv[1] : "";
	const char *arg = o->pip_argc > 2 ? o->pip_argv[2] : NULL;
	char self[PATH_MAX];
	struct venv v;
	int r;

	if (o->pip_argc > 3 || (strcmp(sub, "on") != 0 && strcmp(sub, "off") != 0 &&
				strcmp(sub, "status") != 0)) {
		sp_msg("usage: safe-pip venv-guard on|off|status [VENV]");
		return SP_EXIT_USAGE;
	}
	if (venv_find(&v, arg) < 0)
		return SP_EXIT_CONFIG;
	if (strcmp(sub, "status") == 0)
		return guard_status(&v);
	if (strcmp(sub, "off") == 0)
		r = guard_remove(&v);
	else if (self_path(self, sizeof(self)) < 0 || !plain_path(self))
		r = -EINVAL;
	else
		r = guard_apply(&v, self, false);
	if (r < 0) {
		sp_msg("cannot %s the guard of %s: %s", sub, v.prefix,
		       r == -EPROTO ? "its pip/__main__.py is not pip's usual one" : strerror(-r));
		return SP_EXIT_CONFIG;
	}
	return 0;
}

void venv_guard_refresh(const char *prefix, const char *purelib)
{
	_cleanup_free_ char *safe_pip = NULL;
	_cleanup_close_ int g = -1;
	struct venv v = { 0 };
	bool had = false;
	char *main_text;
	struct stat st;

	if (!prefix || !purelib)
		return;
	snprintf(v.guard, sizeof(v.guard), "%s/%s", prefix, GUARD_DIR);
	g = open(v.guard, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (g < 0 || read_file_max(g, "safe-pip", &safe_pip, PATH_MAX) < 0 || stat(safe_pip, &st) < 0)
		return;
	snprintf(v.prefix, sizeof(v.prefix), "%s", prefix);
	snprintf(v.python, sizeof(v.python), "%s/bin/python", prefix);
	snprintf(v.bin, sizeof(v.bin), "%s/bin", prefix);
	snprintf(v.pipdir, sizeof(v.pipdir), "%s/pip", purelib);
	main_text = main_without_hook(&v, &had);
	free(main_text);
	if (had && ours_or_absent(v.bin, "pip"))
		return;
	if (guard_apply(&v, safe_pip, true) == 0)
		sp_msg("the install replaced pip's entry points in %s: its guard is applied again", prefix);
	else
		sp_msg("warning: the install replaced pip's entry points in %s, and its guard could not be "
		       "applied again: safe-pip venv-guard on %s", prefix, prefix);
}
