// SPDX-License-Identifier: MIT
/* The shim's record encoder and decoder (preload/shim_enc.c). */
#include "tests/cmocka_all.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "preload/shim_enc.h"

static void test_copy(void **state)
{
	char b[8];

	assert_false(shim_copy(b, sizeof(b), "abc"));
	assert_string_equal(b, "abc");
	assert_false(shim_copy(b, sizeof(b), "1234567"));
	assert_string_equal(b, "1234567");
	assert_true(shim_copy(b, sizeof(b), "12345678"));
	assert_string_equal(b, "1234567");
	assert_false(shim_copy(b, sizeof(b), NULL));
	assert_string_equal(b, "");
	assert_true(shim_copy(b, 0, "x"));
}

static void test_copy_tail(void **state)
{
	char b[16];

	assert_false(shim_copy_tail(b, sizeof(b), "/a/setup.py"));
	assert_string_equal(b, "/a/setup.py");
	assert_true(shim_copy_tail(b, sizeof(b), "/very/long/path/to/setup.py"));
	assert_string_equal(b, ".../to/setup.py");
	assert_int_equal(strlen(b), sizeof(b) - 1);
}

static void test_pack_argv(void **state)
{
	char *argv[] = { "curl", "-s", "http://x", NULL };
	char buf[32];
	uint32_t argc, n;
	bool trunc = false;

	n = shim_pack_argv(buf, sizeof(buf), argv, &argc, &trunc);
	assert_int_equal(argc, 3);
	assert_int_equal(n, 5 + 3 + 9);
	assert_false(trunc);
	assert_memory_equal(buf, "curl\0-s\0http://x\0", n);

	/* too long: the cut argument stays terminated, every argument is counted */
	char small[10];

	n = shim_pack_argv(small, sizeof(small), argv, &argc, &trunc);
	assert_true(trunc);
	assert_int_equal(argc, 3);
	assert_int_equal(n, sizeof(small));
	assert_memory_equal(small, "curl\0-s\0h", 10);

	trunc = false;
	assert_int_equal(shim_pack_argv(buf, sizeof(buf), NULL, &argc, &trunc), 0);
	assert_int_equal(argc, 0);
}

static void test_fopen_flags(void **state)
{
	assert_int_equal(shim_fopen_flags("r"), O_RDONLY);
	assert_int_equal(shim_fopen_flags("rb"), O_RDONLY);
	assert_int_equal(shim_fopen_flags("w"), O_WRONLY | O_CREAT | O_TRUNC);
	assert_int_equal(shim_fopen_flags("a"), O_WRONLY | O_CREAT | O_APPEND);
	assert_int_equal(shim_fopen_flags("r+"), O_RDWR);
	assert_int_equal(shim_fopen_flags("wxe"), O_WRONLY | O_CREAT | O_TRUNC | O_EXCL | O_CLOEXEC);
	assert_int_equal(shim_fopen_flags(NULL), O_RDONLY);
	assert_false(shim_flags_write(shim_fopen_flags("rb")));
	assert_true(shim_flags_write(shim_fopen_flags("r+")));
	assert_true(shim_flags_write(O_RDONLY | O_CREAT));
	assert_true(shim_flags_write(O_RDONLY | O_TRUNC));
	assert_true(shim_flags_write(O_TMPFILE | O_WRONLY));
	assert_false(shim_flags_write(O_RDONLY | O_DIRECTORY | O_CLOEXEC));
}

static void test_normalize(void **state)
{
	char b[64];

	assert_int_equal(shim_normalize(NULL, "/a/b/../c/./d//e/", b, sizeof(b)), 8);
	assert_string_equal(b, "/a/c/d/e");
	assert_true(shim_normalize("/home/u", ".ssh/id_rsa", b, sizeof(b)) > 0);
	assert_string_equal(b, "/home/u/.ssh/id_rsa");
	assert_true(shim_normalize("/home/u/x", "../../../../etc/shadow", b, sizeof(b)) > 0);
	assert_string_equal(b, "/etc/shadow");
	assert_true(shim_normalize(NULL, "/", b, sizeof(b)) > 0);
	assert_string_equal(b, "/");
	assert_true(shim_normalize(NULL, "/..", b, sizeof(b)) > 0);
	assert_string_equal(b, "/");
	/* relative without a base, empty, too long */
	assert_int_equal(shim_normalize(NULL, "x", b, sizeof(b)), 0);
	assert_int_equal(shim_normalize("rel", "x", b, sizeof(b)), 0);
	assert_int_equal(shim_normalize("/", "", b, sizeof(b)), 0);
	assert_int_equal(shim_normalize(NULL, "/aaaa/bbbb", b, 8), 0);
}

static void test_glob(void **state)
{
	assert_true(shim_glob("*.ngrok.io", "abc.ngrok.io", true));
	assert_true(shim_glob("*.ngrok.io", "A.B.NGROK.IO", true));
	assert_false(shim_glob("*.ngrok.io", "ngrok.io", true));
	assert_false(shim_glob("*.ngrok.io", "abc.ngrok.io.evil", true));
	assert_true(shim_glob("*.oast.*", "x.oast.fun", true));
	assert_true(shim_glob("/home/u/.ssh/id_*", "/home/u/.ssh/id_ed25519", false));
	assert_false(shim_glob("/home/u/.ssh/id_*", "/home/U/.ssh/id_ed25519", false));
	assert_true(shim_glob("/etc/cron*", "/etc/cron.d/evil", false));
	assert_true(shim_glob("a*b*c", "aXXbYYbZZc", false));
	assert_false(shim_glob("a*b*c", "aXXbYYbZZ", false));
	assert_true(shim_glob("*", "", false));
	assert_false(shim_glob("", "x", false));
	assert_int_equal(shim_glob_prefix("/home/u/.ssh/id_*"), 16);
	assert_int_equal(shim_glob_prefix("*.x"), 0);
	assert_int_equal(shim_glob_prefix("plain"), 5);
}

static struct shim_cfg *make_cfg(void)
{
	struct shim_cfg *c = calloc(1, sizeof(*c));

	assert_non_null(c);
	c->magic = SHIM_CFG_MAGIC;
	c->version = SHIM_PROTO_VERSION;
	c->token = 42;
	c->size = sizeof(*c);
	strcpy(c->exec[c->nexec++], "curl");
	strcpy(c->host[c->nhost++], "*.ngrok.io");
	strcpy(c->host[c->nhost++], "webhook.site");
	strcpy(c->path[0].glob, "/home/u/.ssh/id_*");
	c->path[0].access = SHIM_ACC_READ;
	c->path[0].prefix = shim_glob_prefix(c->path[0].glob);
	strcpy(c->path[1].glob, "/home/u/.bashrc");
	c->path[1].access = SHIM_ACC_WRITE;
	c->path[1].prefix = shim_glob_prefix(c->path[1].glob);
	c->npath = 2;
	return c;
}

static void test_cfg_wants(void **state)
{
	struct shim_cfg *c = make_cfg();

	assert_true(shim_cfg_wants_exec(c, "/usr/bin/curl"));
	assert_true(shim_cfg_wants_exec(c, "curl"));
	assert_false(shim_cfg_wants_exec(c, "/usr/bin/curly"));
	assert_false(shim_cfg_wants_exec(c, "/usr/bin/gcc"));
	assert_true(shim_cfg_wants_host(c, "x.ngrok.io"));
	assert_true(shim_cfg_wants_host(c, "ngrok.io"));       /* "*.d" covers d */
	assert_true(shim_cfg_wants_host(c, "WEBHOOK.SITE."));
	assert_false(shim_cfg_wants_host(c, "pypi.org"));
	assert_true(shim_cfg_wants_path(c, "/home/u/.ssh/id_rsa", SHIM_ACC_READ));
	assert_false(shim_cfg_wants_path(c, "/home/u/.ssh/id_rsa", SHIM_ACC_WRITE));
	assert_true(shim_cfg_wants_path(c, "/home/u/.bashrc", SHIM_ACC_WRITE));
	assert_false(shim_cfg_wants_path(c, "/home/u/.bashrc.bak", SHIM_ACC_WRITE));
	assert_false(shim_cfg_wants_path(c, "/usr/lib/python3.11/os.py", SHIM_ACC_READ));
	assert_true(shim_cfg_has_paths(c, SHIM_ACC_READ));
	c->npath = 1;
	assert_false(shim_cfg_has_paths(c, SHIM_ACC_WRITE));
	/* no configuration, or ask-all: every call is a question */
	assert_true(shim_cfg_wants_exec(NULL, "/bin/true"));
	assert_true(shim_cfg_wants_host(NULL, "pypi.org"));
	assert_true(shim_cfg_wants_path(NULL, "/x", SHIM_ACC_READ));
	c->flags = SHIM_CFG_ASK_ALL;
	assert_true(shim_cfg_wants_exec(c, "/bin/true"));
	free(c);
}

static void test_cfg_check(void **state)
{
	struct shim_cfg *c = make_cfg();

	assert_int_equal(shim_cfg_check(c, sizeof(*c), 42), 0);
	assert_int_equal(shim_cfg_check(c, sizeof(*c), 43), -EINVAL);
	assert_int_equal(shim_cfg_check(c, sizeof(*c) - 1, 42), -EINVAL);
	c->npath = SHIM_CFG_PATH_MAX + 1;
	assert_int_equal(shim_cfg_check(c, sizeof(*c), 42), -EINVAL);
	c->npath = 2;
	c->path[1].prefix = 3;          /* does not match the glob */
	assert_int_equal(shim_cfg_check(c, sizeof(*c), 42), -EINVAL);
	c->path[1].prefix = shim_glob_prefix(c->path[1].glob);
	memset(c->host[0], 'x', SHIM_CFG_HOST_LEN);     /* unterminated */
	assert_int_equal(shim_cfg_check(c, sizeof(*c), 42), -EINVAL);
	free(c);
}

static void test_env_preload(void **state)
{
	const char *self = "/lib/shim.so";
	char *ok[] = { "A=1", "LD_PRELOAD=/lib/shim.so:/other.so", NULL };
	char *exact[] = { "LD_PRELOAD=/lib/shim.so", NULL };
	char *other[] = { "LD_PRELOAD=/lib/shim.so2", NULL };
	char *later[] = { "LD_PRELOAD=/other.so /lib/shim.so", NULL };
	char *none[] = { "PATH=/bin", NULL };

	assert_int_equal(shim_env_preload(ok, self, strlen(self)), SHIM_ENV_OK);
	assert_int_equal(shim_env_preload(exact, self, strlen(self)), SHIM_ENV_OK);
	assert_int_equal(shim_env_preload(other, self, strlen(self)), SHIM_ENV_OTHER);
	assert_int_equal(shim_env_preload(later, self, strlen(self)), SHIM_ENV_OTHER);
	assert_int_equal(shim_env_preload(none, self, strlen(self)), SHIM_ENV_MISSING);
	assert_int_equal(shim_env_preload(NULL, self, strlen(self)), SHIM_ENV_UNKNOWN);
}

static void test_parse(void **state)
{
	uint64_t t;

	assert_int_equal(shim_parse_fd("1023"), 1023);
	assert_int_equal(shim_parse_fd("0"), 0);
	assert_int_equal(shim_parse_fd(""), -1);
	assert_int_equal(shim_parse_fd("-1"), -1);
	assert_int_equal(shim_parse_fd("12x"), -1);
	assert_int_equal(shim_parse_fd("99999999999"), -1);
	assert_int_equal(shim_parse_fd(NULL), -1);
	assert_true(shim_parse_token("00000000000000ff", &t));
	assert_int_equal(t, 255);
	assert_false(shim_parse_token("ff", &t));
	assert_false(shim_parse_token("00000000000000FF", &t));
	assert_false(shim_parse_token("00000000000000ff0", &t));
	assert_false(shim_parse_token(NULL, &t));
}

static void fill(struct shim_rec *r, uint16_t kind, uint32_t call)
{
	memset(r, 0, sizeof(*r));
	r->h.magic = SHIM_MAGIC;
	r->h.version = SHIM_PROTO_VERSION;
	r->h.kind = kind;
	r->h.call = call;
	r->h.token = 7;
}

static void test_rec_check(void **state)
{
	struct shim_rec *r = malloc(sizeof(*r));

	assert_non_null(r);
	fill(r, SHIM_EV_EXEC, SHIM_CALL_EXECVE);
	assert_int_equal(shim_rec_check(r, sizeof(*r), 7), 0);
	assert_int_equal(shim_rec_check(r, sizeof(*r) - 1, 7), -EBADMSG);
	assert_int_equal(shim_rec_check(r, sizeof(*r), 8), -EACCES);
	r->h.magic = 0;
	assert_int_equal(shim_rec_check(r, sizeof(*r), 7), -EPROTO);
	fill(r, SHIM_EV_KIND_MAX, SHIM_CALL_EXECVE);
	assert_int_equal(shim_rec_check(r, sizeof(*r), 7), -EPROTO);
	fill(r, SHIM_EV_EXEC, SHIM_CALL_MAX);
	assert_int_equal(shim_rec_check(r, sizeof(*r), 7), -EPROTO);
	r->h.version = SHIM_PROTO_VERSION + 1;
	r->h.call = SHIM_CALL_EXECVE;
	assert_int_equal(shim_rec_check(r, sizeof(*r), 7), -EPROTO);

	/* hostile strings and counts come out terminated and clamped */
	fill(r, SHIM_EV_EXEC, SHIM_CALL_EXECVE);
	memset(r->exec.path, 'A', sizeof(r->exec.path));
	memset(r->exec.argv, 'B', sizeof(r->exec.argv));
	r->exec.argv_len = 100000;
	memset(r->py.event, 'C', sizeof(r->py.event));
	r->py.nframes = 99;
	memset(r->py.f[2].file, 'D', sizeof(r->py.f[2].file));
	r->native.nframes = 99;
	assert_int_equal(shim_rec_check(r, sizeof(*r), 7), 0);
	assert_int_equal(strlen(r->exec.path), sizeof(r->exec.path) - 1);
	assert_int_equal(r->exec.argv_len, SHIM_ARGV_MAX);
	assert_int_equal(r->exec.argv[SHIM_ARGV_MAX - 1], '\0');
	assert_int_equal(strlen(r->py.event), sizeof(r->py.event) - 1);
	assert_int_equal(r->py.nframes, SHIM_PYFRAMES);
	assert_int_equal(strlen(r->py.f[2].file), sizeof(r->py.f[2].file) - 1);
	assert_int_equal(r->native.nframes, SHIM_NATIVE_FRAMES);

	fill(r, SHIM_EV_DNS, SHIM_CALL_GETADDRINFO);
	r->dns.naddr = 1000;
	memset(r->dns.host, 'h', sizeof(r->dns.host));
	assert_int_equal(shim_rec_check(r, sizeof(*r), 7), 0);
	assert_int_equal(r->dns.naddr, SHIM_DNS_ADDRS);
	assert_int_equal(strlen(r->dns.host), sizeof(r->dns.host) - 1);
	free(r);
}

static void test_names(void **state)
{
	assert_string_equal(shim_call_name(SHIM_CALL_EXECLE), "execle");
	assert_string_equal(shim_call_name(SHIM_CALL_GETADDRINFO), "getaddrinfo");
	assert_string_equal(shim_call_name(SHIM_CALL_MAX), "?");
	assert_string_equal(shim_kind_name(SHIM_EV_FD), "fd");
	assert_string_equal(shim_kind_name(0), "?");
	/* every call has a name */
	for (uint32_t c = 1; c < SHIM_CALL_MAX; c++)
		assert_string_not_equal(shim_call_name(c), "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_copy),
		cmocka_unit_test(test_copy_tail),
		cmocka_unit_test(test_pack_argv),
		cmocka_unit_test(test_fopen_flags),
		cmocka_unit_test(test_normalize),
		cmocka_unit_test(test_glob),
		cmocka_unit_test(test_cfg_wants),
		cmocka_unit_test(test_cfg_check),
		cmocka_unit_test(test_env_preload),
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_rec_check),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
