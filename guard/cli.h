/* SPDX-License-Identifier: MIT */
/*
 * Command line of safe-pip:
 *
 *   safe-pip [SAFE-PIP OPTIONS] [PIP GENERAL OPTIONS] COMMAND [ARGS...]
 *
 * safe-pip's options are recognised only before COMMAND; everything after
 * COMMAND belongs to pip and is passed on byte for byte.  pip's general
 * options written before COMMAND are passed on too, except those safe-pip
 * owns (-h, -V, -v, --python, --log, --json): write those after COMMAND to give them
 * to pip.
 */
#ifndef SAFEPIP_CLI_H
#define SAFEPIP_CLI_H

#include <stdbool.h>
#include <stddef.h>


enum sp_cmd {
	CMD_HELP,               /* safe-pip --help */
	CMD_VERSION,            /* safe-pip --version */
	CMD_GUARDED,            /* install, download, wheel: pip runs under guard */
	CMD_PASSTHROUGH,        /* any other pip command: pip runs as is */
	CMD_SENSORS,            /* safe-pip sensors: which sensors work here */
	CMD_POLICY,             /* safe-pip policy check FILE... | policy show */
	CMD_RECOVER,            /* safe-pip recover: finish or undo interrupted installs */
	CMD_SHIMS,              /* safe-pip shims DIR */
	CMD_VENV_GUARD,         /* safe-pip venv-guard on|off|status [VENV] */
};

struct options {
	enum sp_cmd cmd;
	int verbose;
	const char *python;             /* --python, else SAFE_PIP_PYTHON */
	const char *python_source;      /* "--python" or "SAFE_PIP_PYTHON" */
	const char *log_path;           /* --log FILE: JSON Lines of every event */
	const char *json_path;          /* --json FILE|-: the session's summary (guard/summary.h) */
	const char **policies;          /* --policy FILE, in order (npolicies) */
	int npolicies;
	const char **allows;            /* --allow NAME, in order (nallows) */
	int nallows;
	const char *transaction;        /* --transaction MODE: auto, staged, journaled; NULL auto */

	/* pip's argv after "python -m pip": general options, command, args */
	char **pip_argv;
	int pip_argc;
	const char *pip_command;        /* the command word, NULL if none */
};

/*
 * Parse argv into *o.  Returns 0, or -EINVAL after writing what is wrong
 * into err (size errlen).  o->pip_argv, o->policies and o->allows point
 * into new arrays owning no strings (the strings are argv's); free them
 * with options_free().
 */
int options_parse(struct options *o, int argc, char **argv, char *err, size_t errlen);
void options_free(struct options *o);

/* Is cmd one of pip's commands that run package code (guarded)? */
bool pip_command_is_guarded(const char *cmd);

#endif
