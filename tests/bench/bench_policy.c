// SPDX-License-Identifier: MIT
/*
 * Matching speed: a policy of 1,000 rules (paths, hosts, addresses,
 * packages) and 100,000 mixed lookups, hits and misses.  Prints the time
 * of each phase; `make bench` runs it.  Not a test: nothing is asserted.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "policy/policy.h"
#include "policy/typosquat.h"

#define NRULES 1000
#define NLOOKUPS 100000

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* 1,000 entries: 400 path patterns, 150 hosts, 150 addresses, 300 packages. */
static char *make_policy(void)
{
	size_t cap = 1 << 20, n = 0;
	char *y = malloc(cap);

#define P(...) (n += (size_t)snprintf(y + n, cap - n, __VA_ARGS__))
	P("version: 1\nfiles:\n  deny_read:\n");
	for (int i = 0; i < 100; i++)
		P("    - \"~/.secret%d/**\"\n", i);
	for (int i = 0; i < 100; i++)
		P("    - \"/srv/app%d/*.key\"\n", i);
	P("  deny_write:\n");
	for (int i = 0; i < 100; i++)
		P("    - \"/etc/svc%d/**\"\n", i);
	for (int i = 0; i < 50; i++)
		P("    - \"**/hook%d.sh\"\n", i);
	for (int i = 0; i < 50; i++)
		P("    - \"name%d.rc\"\n", i);
	P("network:\n  allow:\n");
	for (int i = 0; i < 100; i++)
		P("    - \"host%d.example.com:443\"\n", i);
	for (int i = 0; i < 50; i++)
		P("    - \"*.zone%d.example.net\"\n", i);
	P("  deny:\n");
	for (int i = 0; i < 100; i++)
		P("    - \"10.%d.0.0/16\"\n", i);
	for (int i = 0; i < 50; i++)
		P("    - \"[2001:db8:%x::/48]:1-1024\"\n", i);
	P("packages:\n  deny:\n");
	for (int i = 0; i < 200; i++)
		P("    - \"bad-pkg-%d\"\n", i);
	for (int i = 0; i < 100; i++)
		P("    - \"old-lib-%d<2.%d\"\n", i, i);
#undef P
	return y;
}

int main(void)
{
	static const struct sp_policy_env env = { .homes = { "/home/u" } };
	struct sp_policy *p = sp_policy_new(&env);
	struct sp_errors err = { 0 };
	char *y = make_policy(), path[256], host[128], name[64];
	double t0, t_load, t_match;
	unsigned hits = 0;
	uint8_t a4[4], a6[16];

	t0 = now();
	if (sp_policy_add_yaml(p, "bench.yaml", y, strlen(y), &err) < 0) {
		fprintf(stderr, "bench: %u:%u: %s\n", err.v[0].line, err.v[0].col, err.v[0].msg);
		return 1;
	}
	t_load = now() - t0;
	t0 = now();
	for (int i = 0; i < NLOOKUPS; i++) {
		int k = i % 6, j = (i * 7919) % 300;    /* j: hits below ~100-200, misses above */
		const struct sp_entry *e = NULL;
		struct sp_net_query q = { .port = 443, .role = SP_PROLE_BUILD };

		switch (k) {
		case 0:
			snprintf(path, sizeof(path), "/home/u/.secret%d/sub/dir/file.txt", j);
			e = sp_policy_match_read(p, path);
			break;
		case 1:
			snprintf(path, sizeof(path), "/usr/lib/python3/site-packages/x%d/hook%d.sh", j, j % 80);
			e = sp_policy_match_write(p, path);
			break;
		case 2:
			snprintf(host, sizeof(host), j % 2 ? "host%d.example.com" : "a.b.zone%d.example.net", j / 2);
			q.host = host;
			e = sp_policy_match_net(p, &q);
			break;
		case 3:
			snprintf(host, sizeof(host), "10.%d.3.4", j % 256);
			inet_pton(AF_INET, host, a4);
			q.family = AF_INET;
			q.addr = a4;
			e = sp_policy_match_net(p, &q);
			break;
		case 4:
			snprintf(host, sizeof(host), "2001:db8:%x::1", j);
			inet_pton(AF_INET6, host, a6);
			q.family = AF_INET6;
			q.addr = a6;
			q.port = 80;
			e = sp_policy_match_net(p, &q);
			break;
		default:
			snprintf(name, sizeof(name), j % 2 ? "Bad_Pkg.%d" : "old-lib-%d", j);
			e = sp_policy_match_package(p, name, "1.5");
			break;
		}
		hits += e != NULL;
	}
	t_match = now() - t0;
	printf("policy: %d rules loaded in %.2f ms\n", NRULES, t_load * 1e3);
	printf("policy: %d mixed lookups (paths, hosts, addresses, packages) in %.1f ms, %.0f ns each, %u matched\n",
	       NLOOKUPS, t_match * 1e3, t_match * 1e9 / NLOOKUPS, hits);
	{
		struct sp_popular *pl;
		struct sp_typosquat_conf c = { true, 2, 5000 };
		struct sp_squat sq;
		unsigned flagged = 0;
		const int nnames = 10000;

		t0 = now();
		pl = sp_popular_embedded();
		printf("typosquat: popular list of %zu names loaded in %.1f ms\n", sp_popular_count(pl),
		       (now() - t0) * 1e3);
		t0 = now();
		for (int i = 0; i < nnames; i++) {
			snprintf(name, sizeof(name), i % 2 ? "reqeusts%d" : "unknown-name-%d", i);
			flagged += sp_typosquat_check(pl, &c, name, &sq);
		}
		printf("typosquat: %d unlisted names checked in %.1f ms, %.1f us each\n", nnames,
		       (now() - t0) * 1e3, (now() - t0) * 1e6 / nnames);
		(void)flagged;
		sp_popular_free(pl);
	}
	sp_policy_free(p);
	free(y);
	return 0;
}
