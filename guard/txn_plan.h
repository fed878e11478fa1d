/* SPDX-License-Identifier: MIT */
/*
 * Where a pip command will write, worked out before it runs: the install
 * target (what the transaction commits) and the paths outside it that the
 * command writes on purpose (download and wheel directories, --report and
 * --log files, local projects built in place, pip's cache).
 *
 * Sources, in pip's order of precedence (pip 23): configuration files
 * ([global] < [COMMAND] sections; global < user < site < PIP_CONFIG_FILE),
 * PIP_* environment variables, then the command line.  Long options may be
 * abbreviated as optparse allows.
 */
#ifndef SAFEPIP_TXN_PLAN_H
#define SAFEPIP_TXN_PLAN_H

#include <stdbool.h>
#include <stddef.h>

#include "guard/python.h"

#define PLAN_PATHS_MAX 64               /* targets and pass-through paths, each */
#define PLAN_CONFIG_MAX (1024 * 1024)   /* bytes of one pip configuration file */

/* The settings of pip that decide where it writes; NULL/-1 when unset. */
struct pip_settings {
	char *target, *prefix, *root;
	int user;                       /* -1 unset, 0, 1 */
	bool no_cache;
	char *cache_dir, *src, *log, *report, *dest, *wheel_dir;
	bool isolated;
	bool other_python;              /* pip's own --python: another environment */
	char **locals;                  /* requirement arguments naming local paths */
	size_t nlocals;
};

struct txn_plan {
	const char *command;            /* install, download, wheel */
	char **targets;                 /* canonical absolute directories, outermost only */
	size_t ntargets;
	char **pass;                    /* canonical paths written on purpose outside targets */
	size_t npass;
	char *cwd;
	bool user_scheme;               /* the target is the user scheme (--user) */
};

/*
 * Work out the plan for "python -m pip ARGV" (argv[0..argc-1] are pip's
 * arguments: general options, the command, its arguments), for the
 * interpreter py, in the current environment and working directory.
 * Returns 0 or -errno with a message in err.
 */
int txn_plan_make(struct txn_plan *plan, const struct pyinfo *py, char *const *argv, int argc,
		  char *err, size_t errlen);
void txn_plan_free(struct txn_plan *plan);

/*
 * The parts, exposed for unit tests.  pip_args_parse() fills s from pip's
 * argument vector (command: set to the command word found, may be NULL);
 * pip_config_apply() applies one configuration file's text for command to s.
 */
int pip_args_parse(struct pip_settings *s, char *const *argv, int argc, const char **command,
		   char *err, size_t errlen);
int pip_config_apply(struct pip_settings *s, const char *text, const char *command, int pass);
void pip_settings_free(struct pip_settings *s);

#endif
