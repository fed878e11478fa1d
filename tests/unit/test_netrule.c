// SPDX-License-Identifier: MIT
/* --net-rule specs: what is accepted, what is refused and why. */
#include "tests/cmocka_all.h"

#include <arpa/inet.h>
#include <string.h>
#include <sys/socket.h>

#include "bpf/sp_event.h"
#include "guard/netrule.h"

static void test_ipv4(void **state)
{
	struct netrule r;
	char err[160];
	uint8_t a[4];

	assert_int_equal(netrule_parse("allow:build:127.0.0.1/8:8000-8099", &r, err, sizeof(err)), 0);
	assert_int_equal(r.action, SP_NET_ALLOW);
	assert_int_equal(r.roles, 1u << SP_ROLE_BUILD);
	assert_int_equal(r.family, AF_INET);
	inet_pton(AF_INET, "127.0.0.1", a);
	assert_memory_equal(r.addr, a, 4);
	assert_int_equal(r.prefixlen, 8);
	assert_int_equal(r.port_lo, 8000);
	assert_int_equal(r.port_hi, 8099);

	assert_int_equal(netrule_parse("deny:pip,build:10.0.0.0/8", &r, err, sizeof(err)), 0);
	assert_int_equal(r.action, SP_NET_DENY);
	assert_int_equal(r.roles, (1u << SP_ROLE_PIP) | (1u << SP_ROLE_BUILD));
	assert_int_equal(r.port_lo, 0);
	assert_int_equal(r.port_hi, 65535);

	assert_int_equal(netrule_parse("deny:any:1.2.3.4:53", &r, err, sizeof(err)), 0);
	assert_int_equal(r.roles, (1u << SP_ROLE_MAX) - 1);
	assert_int_equal(r.prefixlen, 32);
	assert_int_equal(r.port_lo, 53);
	assert_int_equal(r.port_hi, 53);
}

static void test_ipv6(void **state)
{
	struct netrule r;
	char err[160];
	uint8_t a[16];

	assert_int_equal(netrule_parse("deny:pip:[::1]:53", &r, err, sizeof(err)), 0);
	assert_int_equal(r.family, AF_INET6);
	inet_pton(AF_INET6, "::1", a);
	assert_memory_equal(r.addr, a, 16);
	assert_int_equal(r.prefixlen, 128);
	assert_int_equal(r.port_lo, 53);

	assert_int_equal(netrule_parse("allow:build:[fd00::]/8:1-1024", &r, err, sizeof(err)), 0);
	assert_int_equal(r.prefixlen, 8);
	assert_int_equal(r.port_hi, 1024);
	assert_int_equal(netrule_parse("allow:build:[2001:db8::]/32", &r, err, sizeof(err)), 0);
	assert_int_equal(r.prefixlen, 32);
}

static void test_refused(void **state)
{
	static const char *const bad[] = {
		"", "allow", "allow:build", "permit:build:1.2.3.4", "allow::1.2.3.4",
		"allow:root:1.2.3.4", "allow:build,:1.2.3.4", "allow:build:1.2.3", "allow:build:1.2.3.4/33",
		"allow:build:1.2.3.4/-1", "allow:build:1.2.3.4/", "allow:build:1.2.3.4:",
		"allow:build:1.2.3.4:70000", "allow:build:1.2.3.4:9-8", "allow:build:1.2.3.4:1-",
		"allow:build:1.2.3.4:x", "allow:build:::1", "allow:build:[::1", "allow:build:[::1]x",
		"allow:build:[::1]/129", "allow:build:[1.2.3.4]", "allow:build:1.2.3.4:1:2",
		"allow:build:1.2.3.4 ", NULL,
	};
	struct netrule r;
	char err[160], longspec[300];

	for (size_t i = 0; bad[i]; i++) {
		err[0] = '\0';
		assert_int_equal(netrule_parse(bad[i], &r, err, sizeof(err)), -EINVAL);
		assert_true(err[0] != '\0');
	}
	memset(longspec, 'a', sizeof(longspec) - 1);
	longspec[sizeof(longspec) - 1] = '\0';
	assert_int_equal(netrule_parse(longspec, &r, err, sizeof(err)), -EINVAL);
	assert_int_equal(netrule_parse(NULL, &r, err, sizeof(err)), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ipv4),
		cmocka_unit_test(test_ipv6),
		cmocka_unit_test(test_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
