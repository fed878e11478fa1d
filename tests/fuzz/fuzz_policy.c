// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: the policy loader, on any bytes.  Each input is loaded
 * twice as two layers (so a "locked: true" input also runs the lock
 * checks against itself); an input that loads is shown and matched
 * against.  Built with -fsanitize=fuzzer,address,undefined: a crash, a
 * leak or undefined behaviour fails the run.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "policy/policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void exercise(struct sp_policy *p)
{
	static const uint8_t v4[4] = { 10, 1, 2, 3 };
	static const uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb8 };
	struct sp_net_query q = { .host = "a.b.example.com", .port = 443, .role = SP_PROLE_BUILD };
	char *text = sp_policy_show(p);

	free(text);
	(void)sp_policy_match_read(p, "/home/f/.ssh/id_rsa");
	(void)sp_policy_match_write(p, "/etc/cron.d/x");
	(void)sp_policy_match_exec(p, "/usr/bin/curl");
	(void)sp_policy_match_exec(p, "wget");
	(void)sp_policy_match_package(p, "Some_Pkg", "1.0rc1");
	(void)sp_policy_match_package(p, "some-pkg", NULL);
	(void)sp_policy_match_net(p, &q);
	q.host = NULL;
	q.family = AF_INET;
	q.addr = v4;
	(void)sp_policy_match_net(p, &q);
	q.family = AF_INET6;
	q.addr = v6;
	q.role = SP_PROLE_PIP;
	(void)sp_policy_match_net(p, &q);
	(void)sp_policy_net_allows_role(p, SP_PROLE_BUILD);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct sp_policy_env env = { .homes = { "/home/f" } };
	struct sp_errors *err = calloc(1, sizeof(*err));
	struct sp_policy *p = sp_policy_new(&env);
	char line[SP_ERR_FILE_MAX + SP_ERR_MSG_MAX + 32];

	if (!p || !err)
		abort();
	if (sp_policy_add_yaml(p, "a.yaml", (const char *)data, size, err) == 0) {
		(void)sp_policy_add_yaml(p, "b.yaml", (const char *)data, size, err);
		exercise(p);
	}
	for (unsigned i = 0; i < err->n; i++)
		sp_error_format(&err->v[i], line, sizeof(line));
	sp_policy_free(p);
	free(err);
	return 0;
}
