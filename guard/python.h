/* SPDX-License-Identifier: MIT */
/*
 * Which interpreter runs pip, and where it installs.
 */
#ifndef SAFEPIP_PYTHON_H
#define SAFEPIP_PYTHON_H

#include <stdbool.h>
#include <sys/types.h>

struct pyinfo {
	char *python;           /* what safe-pip executes: as chosen */
	const char *source;     /* why: "--python", "SAFE_PIP_PYTHON", "VIRTUAL_ENV", "PATH" */
	char *executable;       /* sys.executable */
	char *real_executable;  /* realpath of sys.executable: the interpreter binary */
	char *prefix;           /* sys.prefix */
	char *base_prefix;      /* sys.base_prefix */
	char *purelib, *platlib, *scripts, *data;   /* sysconfig paths */
	char *version;          /* "3.11.7" */
	char *userbase;         /* sysconfig userbase: the prefix of --user installs */
	char *stdlib;           /* sysconfig stdlib: the interpreter's own modules */
	bool in_venv;
	dev_t dev;              /* of real_executable */
	ino_t ino;
};

/*
 * Choose the interpreter (opt_python, chosen by opt_source; else the active virtual
 * environment, python3 on PATH) and ask it, without site (-S, so no .pth
 * file or site-packages code runs outside the guard), for its paths.
 * Returns 0 or -errno with a message in err.
 */
int pyinfo_probe(struct pyinfo *pi, const char *opt_python, const char *opt_source,
		 char *err, size_t errlen);
void pyinfo_free(struct pyinfo *pi);

#endif
