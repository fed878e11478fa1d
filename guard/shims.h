/* SPDX-License-Identifier: MIT */
/*
 * Routing pip to safe-pip:
 *
 *   safe-pip shims DIR          pip, pip3, pipX.Y wrappers in DIR (put DIR
 *                               first on PATH)
 *   safe-pip venv-guard on|off|status [VENV]
 *                               make a virtual environment's pip, pip3,
 *                               pipX.Y and `python -m pip` go through
 *                               safe-pip
 *
 * safe-pip runs pip with SP_ENV_ACTIVE set: a wrapper or guarded venv
 * that sees it runs the real pip, so nothing loops, and a pip started
 * inside a guarded install stays inside that install's guard.
 */
#ifndef SAFEPIP_SHIMS_H
#define SAFEPIP_SHIMS_H

struct options;

#define SP_ENV_ACTIVE "SAFE_PIP_ACTIVE"

/* safe-pip shims DIR: returns the exit status. */
int shims_command(const struct options *o);

/* safe-pip venv-guard on|off|status [VENV]: returns the exit status. */
int venv_guard_command(const struct options *o);

/*
 * After a session that ended with pip's success: re-apply the guard of a
 * guarded virtual environment when an install replaced pip's files.
 */
void venv_guard_refresh(const char *prefix, const char *purelib);

#endif
