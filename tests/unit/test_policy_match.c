// SPDX-License-Identifier: MIT
/*
 * Matching: path globs with ** and ~ for each home, exec names and paths,
 * hosts and host globs, IPv4/IPv6 addresses and CIDRs, ports and ranges,
 * roles, package versions, and which entry decides when several match.
 */
#include "tests/cmocka_all.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "policy/policy.h"

static struct sp_policy *load(const char *yaml)
{
	static const struct sp_policy_env env = { .homes = { "/home/u", "/tmp/fakehome" } };
	struct sp_policy *p = sp_policy_new(&env);
	struct sp_errors err = { 0 };

	assert_non_null(p);
	if (sp_policy_add_yaml(p, "m.yaml", yaml, strlen(yaml), &err) < 0)
		fail_msg("%u:%u: %s", err.v[0].line, err.v[0].col, err.v[0].msg);
	return p;
}

static int act(const struct sp_entry *e)
{
	return e ? (int)e->action : SP_ACT_NONE;
}

static void test_path_globs(void **state)
{
	struct sp_policy *p = load(
		"files:\n"
		"  deny_read: [\"~/.ssh/**\", /etc/shadow, \"/var/*/secret?.txt\", \"**/.env\", \"/a/**/z\","
		" id_rsa, \"*.pem\", /]\n");

	assert_int_equal(act(sp_policy_match_read(p, "/home/u/.ssh/id_ed25519")), SP_ACT_DENY);
	assert_int_equal(act(sp_policy_match_read(p, "/home/u/.ssh/keys/deep/x")), SP_ACT_DENY);
	/* ~ is each home */
	assert_int_equal(act(sp_policy_match_read(p, "/tmp/fakehome/.ssh/config")), SP_ACT_DENY);
	/* a trailing ** is what is inside the directory, not the directory itself */
	assert_int_equal(act(sp_policy_match_read(p, "/home/u/.ssh")), SP_ACT_NONE);
	assert_int_equal(act(sp_policy_match_read(p, "/home/u/.sshx/a")), SP_ACT_NONE);
	assert_int_equal(act(sp_policy_match_read(p, "/home/v/.ssh/a")), SP_ACT_NONE);
	assert_int_equal(act(sp_policy_match_read(p, "/etc/shadow")), SP_ACT_DENY);
	assert_int_equal(act(sp_policy_match_read(p, "/etc/shadow-")), SP_ACT_NONE);
	/* lexical normalisation: //, ., .. */
	assert_int_equal(act(sp_policy_match_read(p, "/etc//./x/../shadow")), SP_ACT_DENY);
	assert_int_equal(act(sp_policy_match_read(p, "/home/u/src/../.ssh/id_rsa")), SP_ACT_DENY);
	assert_int_equal(act(sp_policy_match_read(p, "/../../etc/shadow")), SP_ACT_DENY);
	assert_int_equal(act(sp_policy_match_read(p, "/var/lib/secret1.txt")), SP_ACT_DENY);
	assert_int_equal(act(sp_policy_match_read(p, "/var/lib/x/secret1.txt")), SP_ACT_NONE);
	assert_int_equal(act(sp_policy_match_read(p, "/var/lib/secret12.txt")), SP_ACT_NONE);
	assert_int_equal(act(sp_policy_match_read(p, "/.env")), SP_ACT_DENY);
	assert_int_equal(act(sp_policy_match_read(p, "/srv/app/deep/.env")), SP_ACT_DENY);
	assert_int_equal(act(sp_policy_match_read(p, "/srv/app/.envrc")), SP_ACT_NONE);
	assert_int_equal(act(sp_policy_match_read(p, "/a/z")), SP_ACT_DENY);
	assert_int_equal(act(sp_policy_match_read(p, "/a/b/c/z")), SP_ACT_DENY);
	assert_int_equal(act(sp_policy_match_read(p, "/a/b/c/zz")), SP_ACT_NONE);
	/* bare names match the last component anywhere */
	assert_int_equal(act(sp_policy_match_read(p, "/x/y/id_rsa")), SP_ACT_DENY);
	assert_int_equal(act(sp_policy_match_read(p, "/x/y/cert.pem")), SP_ACT_DENY);
	assert_int_equal(act(sp_policy_match_read(p, "/x/y/cert.pem.bak")), SP_ACT_NONE);
	/* "/" is the root itself only */
	assert_int_equal(act(sp_policy_match_read(p, "/")), SP_ACT_DENY);
	assert_int_equal(act(sp_policy_match_read(p, "/etc")), SP_ACT_NONE);
	/* relative paths are not judged as paths */
	assert_int_equal(act(sp_policy_match_read(p, "etc/shadow")), SP_ACT_NONE);
	assert_int_equal(act(sp_policy_match_write(p, "/etc/shadow")), SP_ACT_NONE);
	sp_policy_free(p);
}

static void test_write_allow_and_deny(void **state)
{
	struct sp_policy *p = load("files: {deny_write: [\"/etc/**\"], allow_write: [\"/etc/app/**\", \"/tmp/**\"]}\n");
	struct sp_policy_env env = { .homes = { "/home/u" } };
	struct sp_errors err = { 0 };
	const char *later = "files: {allow_write: [\"/etc/app/**\"]}\n";

	/* within one layer a deny beats an allow */
	assert_int_equal(act(sp_policy_match_write(p, "/etc/app/conf")), SP_ACT_DENY);
	assert_int_equal(act(sp_policy_match_write(p, "/tmp/x")), SP_ACT_ALLOW);
	/* a later layer's allow beats it */
	assert_int_equal(sp_policy_add_yaml(p, "later.yaml", later, strlen(later), &err), 0);
	assert_int_equal(act(sp_policy_match_write(p, "/etc/app/conf")), SP_ACT_ALLOW);
	assert_string_equal(sp_policy_match_write(p, "/etc/app/conf")->loc.file, "later.yaml");
	assert_int_equal(act(sp_policy_match_write(p, "/etc/passwd")), SP_ACT_DENY);
	sp_policy_free(p);
	(void)env;
}

static void test_exec(void **state)
{
	struct sp_policy *p = load("exec: {deny: [curl, \"nc*\", \"/tmp/**\", \"~/.local/bin/*\"],"
				   " allow: [\"/opt/ok/curl\"]}\n");

	assert_int_equal(act(sp_policy_match_exec(p, "/usr/bin/curl")), SP_ACT_DENY);
	assert_int_equal(act(sp_policy_match_exec(p, "curl")), SP_ACT_DENY);
	assert_int_equal(act(sp_policy_match_exec(p, "./bin/curl")), SP_ACT_DENY);
	assert_int_equal(act(sp_policy_match_exec(p, "/bin/ncat")), SP_ACT_DENY);
	assert_int_equal(act(sp_policy_match_exec(p, "/bin/gcc")), SP_ACT_NONE);
	assert_int_equal(act(sp_policy_match_exec(p, "/usr/bin/curl-config")), SP_ACT_NONE);
	assert_int_equal(act(sp_policy_match_exec(p, "/tmp/x/payload")), SP_ACT_DENY);
	assert_int_equal(act(sp_policy_match_exec(p, "/home/u/.local/bin/tool")), SP_ACT_DENY);
	/* same layer: deny wins even over a more specific allow */
	assert_int_equal(act(sp_policy_match_exec(p, "/opt/ok/curl")), SP_ACT_DENY);
	sp_policy_free(p);
}

static const struct sp_entry *net(struct sp_policy *p, const char *host, const char *addr,
				  unsigned port, unsigned role)
{
	uint8_t a[16];
	struct sp_net_query q = { .host = host, .port = port, .role = role };

	if (addr) {
		q.family = strchr(addr, ':') ? AF_INET6 : AF_INET;
		assert_int_equal(inet_pton(q.family, addr, a), 1);
		q.addr = a;
	}
	return sp_policy_match_net(p, &q);
}

#define B SP_PROLE_BUILD
#define P SP_PROLE_PIP

static void test_hosts(void **state)
{
	struct sp_policy *p = load(
		"network:\n"
		"  allow: [pypi.org, \"*.corp.example\", \"mirror-*.example.net:8000-8099\", \"Git.Example.com.\"]\n"
		"  deny: [\"*:4444\", \"evil.corp.example\"]\n");

	assert_int_equal(act(net(p, "pypi.org", NULL, 443, B)), SP_ACT_ALLOW);
	assert_int_equal(act(net(p, "PyPI.org.", NULL, 443, P)), SP_ACT_ALLOW);
	assert_int_equal(act(net(p, "xpypi.org", NULL, 443, B)), SP_ACT_NONE);
	assert_int_equal(act(net(p, "a.b.corp.example", NULL, 22, B)), SP_ACT_ALLOW);
	assert_int_equal(act(net(p, "corp.example", NULL, 22, B)), SP_ACT_NONE);
	assert_int_equal(act(net(p, "evil.corp.example", NULL, 443, B)), SP_ACT_DENY);
	assert_int_equal(act(net(p, "mirror-3.example.net", NULL, 8050, B)), SP_ACT_ALLOW);
	assert_int_equal(act(net(p, "mirror-3.example.net", NULL, 8100, B)), SP_ACT_NONE);
	/* an entry with ports does not match an unknown port */
	assert_int_equal(act(net(p, "mirror-3.example.net", NULL, 0, B)), SP_ACT_NONE);
	assert_int_equal(act(net(p, "git.example.com", NULL, 9418, B)), SP_ACT_ALLOW);
	/* "*:4444" is any host and any address on that port; deny beats allow */
	assert_int_equal(act(net(p, "pypi.org", NULL, 4444, B)), SP_ACT_DENY);
	assert_int_equal(act(net(p, NULL, "192.0.2.1", 4444, B)), SP_ACT_DENY);
	assert_int_equal(act(net(p, NULL, "192.0.2.1", 4445, B)), SP_ACT_NONE);
	sp_policy_free(p);
}

static void test_addresses(void **state)
{
	struct sp_policy *p = load(
		"network:\n"
		"  allow: [10.1.2.3, \"10.9.0.0/16:22\", \"2001:db8::/32\", \"[::1]:8080\", \"0.0.0.0/0:53\","
		" \"[2001:db9:1::]/48:443\"]\n"
		"  deny: [\"10.0.0.0/8\", \"fe80::/10\"]\n");

	assert_int_equal(act(net(p, NULL, "10.1.2.3", 80, B)), SP_ACT_DENY);        /* same layer */
	assert_int_equal(act(net(p, NULL, "10.200.0.1", 80, B)), SP_ACT_DENY);
	assert_int_equal(act(net(p, NULL, "11.0.0.1", 80, B)), SP_ACT_NONE);
	assert_int_equal(act(net(p, NULL, "2001:db8:1::5", 443, B)), SP_ACT_ALLOW);
	assert_int_equal(act(net(p, NULL, "2001:db9::5", 443, B)), SP_ACT_NONE);
	/* "[addr]/plen:port" is the same as "[addr/plen]:port" */
	assert_int_equal(act(net(p, NULL, "2001:db9:1:ff::5", 443, B)), SP_ACT_ALLOW);
	assert_int_equal(act(net(p, NULL, "2001:db9:1:ff::5", 80, B)), SP_ACT_NONE);
	assert_int_equal(act(net(p, NULL, "::1", 8080, B)), SP_ACT_ALLOW);
	assert_int_equal(act(net(p, NULL, "::1", 8081, B)), SP_ACT_NONE);
	assert_int_equal(act(net(p, NULL, "fe80::1", 1, B)), SP_ACT_DENY);
	assert_int_equal(act(net(p, NULL, "8.8.8.8", 53, B)), SP_ACT_ALLOW);
	/* an IPv4 peer of an IPv6 socket is its IPv4 address */
	assert_int_equal(act(net(p, NULL, "::ffff:10.5.5.5", 80, B)), SP_ACT_DENY);
	/* a literal address as a host name is the address */
	assert_int_equal(act(net(p, "10.5.5.5", NULL, 80, B)), SP_ACT_DENY);
	assert_int_equal(act(net(p, "2001:db8::1", NULL, 80, B)), SP_ACT_ALLOW);
	sp_policy_free(p);
}

static void test_roles_and_index(void **state)
{
	struct sp_policy *p = load(
		"network:\n"
		"  allow: [{to: \"$pip-index\", roles: [pip]}, {to: build.example, roles: [build]}]\n");
	char *hosts[] = { "pypi.org", "files.pythonhosted.org" };

	assert_int_equal(act(net(p, "pypi.org", NULL, 443, P)), SP_ACT_NONE);     /* not resolved yet */
	assert_int_equal(sp_policy_set_index_hosts(p, hosts, 2), 0);
	assert_int_equal(act(net(p, "pypi.org", NULL, 443, P)), SP_ACT_ALLOW);
	assert_int_equal(act(net(p, "files.pythonhosted.org", NULL, 443, P)), SP_ACT_ALLOW);
	assert_int_equal(act(net(p, "pypi.org", NULL, 443, B)), SP_ACT_NONE);     /* pip only */
	assert_int_equal(act(net(p, "build.example", NULL, 443, B)), SP_ACT_ALLOW);
	assert_int_equal(act(net(p, "build.example", NULL, 443, P)), SP_ACT_NONE);
	assert_int_equal(act(net(p, "pypi.org", NULL, 443, 7)), SP_ACT_NONE);      /* no such role */
	assert_true(sp_policy_net_allows_role(p, B));
	assert_true(sp_policy_net_allows_role(p, P));
	sp_policy_free(p);
}

/* An index configured by address matches by address, and as a literal host. */
static void test_index_by_address(void **state)
{
	struct sp_policy *p = load("network: {allow: [{to: \"$pip-index\", roles: [pip]}]}\n");
	char *hosts[] = { "10.0.0.5", "::1" };

	assert_int_equal(sp_policy_set_index_hosts(p, hosts, 2), 0);
	assert_int_equal(act(net(p, NULL, "10.0.0.5", 3141, P)), SP_ACT_ALLOW);
	assert_int_equal(act(net(p, "10.0.0.5", NULL, 3141, P)), SP_ACT_ALLOW);
	assert_int_equal(act(net(p, NULL, "::ffff:10.0.0.5", 3141, P)), SP_ACT_ALLOW);
	assert_int_equal(act(net(p, NULL, "::1", 80, P)), SP_ACT_ALLOW);
	assert_int_equal(act(net(p, NULL, "10.0.0.6", 3141, P)), SP_ACT_NONE);
	sp_policy_free(p);
}

struct collect {
	struct sp_net_rule r[8];
	int n;
};

static int collect_rule(void *ctx, const struct sp_net_rule *r)
{
	struct collect *c = ctx;

	c->r[c->n++] = *r;
	return 0;
}

static void test_net_rules_enumeration(void **state)
{
	struct sp_policy *p = load(
		"network:\n"
		"  allow: [pypi.org, \"10.0.0.1/8:22-23\", {to: \"[fe80::1/64]:80\", roles: [pip]}]\n"
		"  deny: [\"*\"]\n");
	struct collect c = { .n = 0 };
	uint8_t ten[4] = { 10, 0, 0, 0 }, fe80[16] = { 0xfe, 0x80 };

	assert_int_equal(sp_policy_net_rules(p, collect_rule, &c), 0);
	assert_int_equal(c.n, 3);
	assert_int_equal(c.r[0].family, AF_INET);
	assert_memory_equal(c.r[0].addr, ten, 4);          /* host bits cleared */
	assert_int_equal(c.r[0].prefixlen, 8);
	assert_int_equal(c.r[0].port_lo, 22);
	assert_int_equal(c.r[0].port_hi, 23);
	assert_int_equal(c.r[0].roles, SP_PROLES_ALL);
	assert_int_equal(c.r[0].action, SP_ACT_ALLOW);
	assert_int_equal(c.r[0].entry->loc.line, 2);
	assert_int_equal(c.r[1].family, AF_INET6);
	assert_memory_equal(c.r[1].addr, fe80, 16);
	assert_int_equal(c.r[1].prefixlen, 64);
	assert_int_equal(c.r[1].roles, 1u << SP_PROLE_PIP);
	assert_int_equal(c.r[2].family, 0);
	assert_int_equal(c.r[2].action, SP_ACT_DENY);
	assert_int_equal(c.r[2].port_lo, 0);
	assert_int_equal(c.r[2].port_hi, 65535);
	sp_policy_free(p);
}

static void test_packages(void **state)
{
	struct sp_policy *p = load(
		"packages:\n"
		"  deny: [\"Evil_Pkg\", \"old-lib<2.0\", \"pinned==1.4.*,!=1.4.3\"]\n"
		"  allow: [good]\n");

	assert_int_equal(act(sp_policy_match_package(p, "evil-pkg", NULL)), SP_ACT_DENY);
	assert_int_equal(act(sp_policy_match_package(p, "EVIL.pkg", "9")), SP_ACT_DENY);
	assert_int_equal(act(sp_policy_match_package(p, "old-lib", NULL)), SP_ACT_NONE);
	assert_int_equal(act(sp_policy_match_package(p, "old_lib", "1.9")), SP_ACT_DENY);
	assert_int_equal(act(sp_policy_match_package(p, "old_lib", "2.0rc1")), SP_ACT_NONE);
	assert_int_equal(act(sp_policy_match_package(p, "old_lib", "2.0.dev1")), SP_ACT_NONE);
	assert_int_equal(act(sp_policy_match_package(p, "old_lib", "2.0")), SP_ACT_NONE);
	assert_int_equal(act(sp_policy_match_package(p, "pinned", "1.4.2")), SP_ACT_DENY);
	assert_int_equal(act(sp_policy_match_package(p, "pinned", "1.4.3")), SP_ACT_NONE);
	assert_int_equal(act(sp_policy_match_package(p, "pinned", "1.5")), SP_ACT_NONE);
	assert_int_equal(act(sp_policy_match_package(p, "good", NULL)), SP_ACT_ALLOW);
	assert_int_equal(act(sp_policy_match_package(p, "-bad-", NULL)), SP_ACT_NONE);
	sp_policy_free(p);
}

static void test_check_name(void **state)
{
	struct sp_policy *p = load("packages: {deny: [evil], allow: [reqeusts]}\n"
				   "typosquat: {enabled: true, max_distance: 2, popular_top_n: 5000}\n");
	struct sp_name_check c;

	assert_int_equal(sp_policy_check_name(p, "evil", NULL, SP_CHECK_TYPOSQUAT, &c), 0);
	assert_int_equal(c.verdict, SP_NAME_DENIED);
	assert_int_equal(c.entry->loc.line, 1);
	assert_int_equal(sp_policy_check_name(p, "requets", NULL, SP_CHECK_TYPOSQUAT, &c), 0);
	assert_int_equal(c.verdict, SP_NAME_TYPOSQUAT);
	assert_string_equal(c.intended, "requests");
	/* an allow entry overrides the check */
	assert_int_equal(sp_policy_check_name(p, "reqeusts", NULL, SP_CHECK_TYPOSQUAT, &c), 0);
	assert_int_equal(c.verdict, SP_NAME_ALLOWED);
	assert_int_equal(sp_policy_check_name(p, "requests", NULL, SP_CHECK_TYPOSQUAT, &c), 0);
	assert_int_equal(c.verdict, SP_NAME_OK);
	assert_int_equal(sp_policy_check_name(p, "not a name", NULL, SP_CHECK_TYPOSQUAT, &c), -EINVAL);
	/* a name not typed for an index (a file, a URL): the lists only */
	assert_int_equal(sp_policy_check_name(p, "requets", NULL, 0, &c), 0);
	assert_int_equal(c.verdict, SP_NAME_OK);
	assert_int_equal(sp_policy_check_name(p, "evil", NULL, 0, &c), 0);
	assert_int_equal(c.verdict, SP_NAME_DENIED);
	/* unloaded, the list comes back on the next check that needs it */
	sp_policy_unload_popular(p);
	sp_policy_unload_popular(p);
	assert_int_equal(sp_policy_check_name(p, "requets", NULL, SP_CHECK_TYPOSQUAT, &c), 0);
	assert_int_equal(c.verdict, SP_NAME_TYPOSQUAT);
	assert_true(c.rank == 0);
	assert_int_equal(sp_policy_check_name(p, "requests", NULL, SP_CHECK_TYPOSQUAT, &c), 0);
	assert_true(c.rank > 0);
	sp_policy_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_path_globs),
		cmocka_unit_test(test_write_allow_and_deny),
		cmocka_unit_test(test_exec),
		cmocka_unit_test(test_hosts),
		cmocka_unit_test(test_addresses),
		cmocka_unit_test(test_roles_and_index),
		cmocka_unit_test(test_index_by_address),
		cmocka_unit_test(test_net_rules_enumeration),
		cmocka_unit_test(test_packages),
		cmocka_unit_test(test_check_name),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
