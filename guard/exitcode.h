/* SPDX-License-Identifier: MIT */
/*
 * safe-pip's own exit statuses.  When an install is allowed safe-pip exits
 * with pip's status (0-4, 23 are pip's); these never collide with them.
 * Documented in safe-pip(1).
 */
#ifndef SAFEPIP_EXITCODE_H
#define SAFEPIP_EXITCODE_H

enum sp_exit_status {
	SP_EXIT_USAGE = 64,             /* bad safe-pip arguments */
	SP_EXIT_SENSOR = 69,            /* a sensor the policy requires is unavailable */
	SP_EXIT_INTERNAL = 70,          /* the supervisor failed; the tree was killed */
	SP_EXIT_BLOCKED = 77,           /* the install was stopped and rolled back */
	SP_EXIT_CONFIG = 78,            /* policy or configuration error */
	SP_EXIT_ROLLBACK = 79,          /* stopped, and the rollback is incomplete */
};

#endif
