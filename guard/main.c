// SPDX-License-Identifier: MIT
/*
 * safe-pip: a drop-in front end for pip that runs the commands which
 * execute package code (install, download, wheel) under a supervisor and
 * passes every other command straight to pip.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guard/cli.h"
#include "guard/exitcode.h"
#include "guard/gpolicy.h"
#include "guard/privdrop.h"
#include "guard/python.h"
#include "guard/session.h"
#include "guard/txn.h"
#include "guard/shims.h"
#include "guard/util.h"

static void usage(void)
{
	printf("usage: safe-pip [OPTIONS] COMMAND [PIP ARGUMENTS...]\n"
	       "\n"
	       "Runs pip.  install, download and wheel run under a supervisor that watches\n"
	       "the install from the kernel, stops it when it misbehaves and reports why.\n"
	       "Every other pip command is passed to pip unchanged.\n"
	       "\n"
	       "safe-pip's own commands:\n"
	       "  sensors         say which sensors can run on this machine\n"
	       "  policy check FILE...   validate policy files\n"
	       "  policy show     print the effective policy and where each line comes from\n"
	       "  recover         finish or undo installs a crash or a kill interrupted\n"
	       "  shims DIR       write pip, pip3, pipX.Y wrappers into DIR (put DIR first on PATH)\n"
	       "  venv-guard on|off|status [VENV]\n"
	       "                  route a venv's pip and `python -m pip` through safe-pip\n"
	       "\n"
	       "Options (before COMMAND; everything after COMMAND goes to pip):\n"
	       "  --python PATH   interpreter to run pip with (default: SAFE_PIP_PYTHON,\n"
	       "                  the active virtualenv, python3 on PATH)\n"
	       "  --log FILE      write every event and the verdict as JSON Lines\n"
	       "  --json FILE     write a summary (scores, features, findings) as JSON; - for stdout\n"
	       "  --policy FILE   add a policy layer (repeatable; see safe-pip-policy(5))\n"
	       "  --allow NAME    allow a package the policy would refuse (repeatable)\n"
	       "  --transaction MODE\n"
	       "                  staged (overlay, needs a mount namespace), journaled\n"
	       "                  (in place, with backups) or auto (staged where possible)\n"
	       "  -v, --verbose   say more (repeat for libbpf diagnostics)\n"
	       "  -h, --help      this help (pip's: safe-pip help)\n"
	       "  -V, --version   safe-pip's version (pip's: safe-pip install --version)\n"
	       "\n"
	       "Exit status: pip's own when allowed; %d blocked, %d blocked and the rollback\n"
	       "is incomplete, %d policy or configuration error, %d required sensor or\n"
	       "transaction mode unavailable, %d internal error, %d usage error.\n"
	       "See safe-pip(1).\n",
	       SP_EXIT_BLOCKED, SP_EXIT_ROLLBACK, SP_EXIT_CONFIG, SP_EXIT_SENSOR, SP_EXIT_INTERNAL,
	       SP_EXIT_USAGE);
}

/* Any other pip command: become "python -m pip ARGS" without supervision. */
static int passthrough(const struct options *o)
{
	struct pyinfo pi = { 0 };
	const char *venv = getenv("VIRTUAL_ENV");
	char **argv;
	char *python;

	/* No probe needed: nothing is installed, nothing to watch. */
	if (o->python)
		python = strdup(o->python);
	else if (venv && *venv)
		python = sp_asprintf("%s/bin/python", venv);
	else
		python = find_in_path("python3");
	if (!python) {
		sp_msg("cannot find a python interpreter (python3 not on PATH; use --python)");
		return SP_EXIT_CONFIG;
	}
	argv = calloc((size_t)o->pip_argc + 4, sizeof(char *));
	if (!argv) {
		sp_msg("out of memory");
		return SP_EXIT_INTERNAL;
	}
	argv[0] = python;
	argv[1] = "-m";
	argv[2] = "pip";
	for (int i = 0; i < o->pip_argc; i++)
		argv[3 + i] = o->pip_argv[i];
	sp_debug("passing to pip unguarded: %s -m pip %s", python, o->pip_command ? o->pip_command : "");
	/* a guarded venv's pip, seeing it, runs as is instead of coming back here */
	(void)setenv(SP_ENV_ACTIVE, "1", 1);
	fflush(NULL);
	execvp(python, argv);
	sp_msg("cannot run %s: %s", python, strerror(errno));
	free(argv);
	free(python);
	pyinfo_free(&pi);
	return 127;
}

int main(int argc, char **argv)
{
	struct options o;
	char err[256];
	int r;

	/* an installation with file capabilities: load, then drop them, first of all */
	r = privdrop_early();
	if (r)
		return r;
	r = options_parse(&o, argc, argv, err, sizeof(err));
	if (r < 0) {
		sp_msg("%s", err);
		fprintf(stderr, "Try 'safe-pip --help'.\n");
		options_free(&o);
		return SP_EXIT_USAGE;
	}
	sp_verbosity = o.verbose;
	switch (o.cmd) {
	case CMD_HELP:
		usage();
		r = 0;
		break;
	case CMD_VERSION:
		printf("safe-pip %s\n", PACKAGE_VERSION);
		r = 0;
		break;
	case CMD_GUARDED:
		r = session_run(&o);
		break;
	case CMD_SENSORS:
		r = sensors_check();
		break;
	case CMD_POLICY:
		r = gpolicy_command(&o);
		break;
	case CMD_RECOVER:
		r = txn_recover_command();
		break;
	case CMD_SHIMS:
		r = shims_command(&o);
		break;
	case CMD_VENV_GUARD:
		r = venv_guard_command(&o);
		break;
	case CMD_PASSTHROUGH:
	default:
		r = passthrough(&o);
		break;
	}
	options_free(&o);
	privdrop_release();
	return r;
}
