// SPDX-License-Identifier: MIT
#include "guard/python.h"

#include <limits.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "guard/util.h"

/*
 * Fields are NUL-separated so that any byte of a path survives.  Without
 * site, sys.prefix is the base interpreter's even in a virtual environment:
 * find pyvenv.cfg the way site.py does and ask for that prefix's paths.
 */
static const char probe_code[] =
	"import os, sys, sysconfig\n"
	"prefix = sys.prefix\n"
	"d = os.path.dirname(sys.executable)\n"
	"for c in (d, os.path.dirname(d)):\n"
	"    if os.path.isfile(os.path.join(c, 'pyvenv.cfg')):\n"
	"        prefix = c\n"
	"        break\n"
	"venv = prefix != sys.base_prefix\n"
	"names = sysconfig.get_scheme_names()\n"
	"scheme = 'venv' if venv and 'venv' in names else sysconfig.get_default_scheme()\n"
	"if venv and scheme != 'venv':\n"
	"    scheme = 'posix_prefix'\n"
	"p = sysconfig.get_paths(scheme, vars={'base': prefix, 'platbase': prefix})\n"
	"v = '%d.%d.%d' % sys.version_info[:3]\n"
	"f = [sys.executable, prefix, sys.base_prefix, p['purelib'], p['platlib'],"
	" p['scripts'], p['data'], v, sysconfig.get_config_var('userbase') or '',"
	" p['stdlib']]\n"
	"sys.stdout.write('\\0'.join(f) + '\\0')\n";

enum { F_EXE, F_PREFIX, F_BASE, F_PURE, F_PLAT, F_SCRIPTS, F_DATA, F_VERSION, F_USERBASE, F_STDLIB,
       F_N };

static int choose(struct pyinfo *pi, const char *opt_python, const char *opt_source)
{
	const char *venv = getenv("VIRTUAL_ENV");

	if (opt_python) {
		pi->source = opt_source;
		pi->python = strdup(opt_python);
	} else if (venv && *venv) {
		pi->source = "VIRTUAL_ENV";
		pi->python = sp_asprintf("%s/bin/python", venv);
	} else {
		pi->source = "PATH";
		pi->python = find_in_path("python3");
		if (!pi->python)
			return -ENOENT;
	}
	return pi->python ? 0 : -ENOMEM;
}

int pyinfo_probe(struct pyinfo *pi, const char *opt_python, const char *opt_source,
		 char *err, size_t errlen)
{
	_cleanup_free_ char *out = NULL;
	char *fields[F_N] = { 0 };
	char *argv[] = { NULL, "-S", "-c", (char *)probe_code, NULL };
	char real[PATH_MAX];
	struct stat st;
	char *p;
	int r, n;

	memset(pi, 0, sizeof(*pi));
	r = choose(pi, opt_python, opt_source);
	if (r < 0) {
		snprintf(err, errlen, "cannot find a python interpreter (python3 not on PATH; use --python)");
		return r;
	}
	argv[0] = pi->python;
	r = run_capture(argv, &out, 64 * 1024, 30000);
	if (r < 0 || !WIFEXITED(r) || WEXITSTATUS(r) != 0) {
		snprintf(err, errlen, "cannot run python %s (chosen by %s): %s", pi->python,
			 pi->source, r < 0 ? strerror(-r) : "it failed");
		return r < 0 ? r : -ENOEXEC;
	}
	for (n = 0, p = out; n < F_N && (*p || n == F_USERBASE); n++) {
		fields[n] = p;
		p += strlen(p) + 1;
	}
	if (n != F_N) {
		snprintf(err, errlen, "unexpected answer from python %s", pi->python);
		return -EPROTO;
	}
	pi->executable = strdup(fields[F_EXE]);
	pi->prefix = strdup(fields[F_PREFIX]);
	pi->base_prefix = strdup(fields[F_BASE]);
	pi->purelib = strdup(fields[F_PURE]);
	pi->platlib = strdup(fields[F_PLAT]);
	pi->scripts = strdup(fields[F_SCRIPTS]);
	pi->data = strdup(fields[F_DATA]);
	pi->version = strdup(fields[F_VERSION]);
	pi->userbase = strdup(fields[F_USERBASE]);
	pi->stdlib = strdup(fields[F_STDLIB]);
	if (!pi->executable || !pi->prefix || !pi->base_prefix || !pi->purelib || !pi->platlib ||
	    !pi->scripts || !pi->data || !pi->version || !pi->userbase || !pi->stdlib)
		return -ENOMEM;
	pi->in_venv = strcmp(pi->prefix, pi->base_prefix) != 0;
	if (!realpath(pi->executable, real) || stat(real, &st) < 0) {
		r = -errno;
		snprintf(err, errlen, "cannot resolve interpreter %s: %s", pi->executable, strerror(errno));
		return r;
	}
	pi->real_executable = strdup(real);
	if (!pi->real_executable)
		return -ENOMEM;
	pi->dev = st.st_dev;
	pi->ino = st.st_ino;
	return 0;
}

void pyinfo_free(struct pyinfo *pi)
{
	free(pi->python);
	free(pi->executable);
	free(pi->real_executable);
	free(pi->prefix);
	free(pi->base_prefix);
	free(pi->purelib);
	free(pi->platlib);
	free(pi->scripts);
	free(pi->data);
	free(pi->version);
	free(pi->userbase);
	free(pi->stdlib);
	memset(pi, 0, sizeof(*pi));
}
