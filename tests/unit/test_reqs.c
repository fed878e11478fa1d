// SPDX-License-Identifier: MIT
/*
 * What pip is asked for: requirement arguments, -r/-c files read
 * recursively with pip's syntax and limits, and the hosts pip will
 * download from given its command line, environment and pip.conf files.
 */
#include "tests/cmocka_all.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "policy/pipconf.h"
#include "policy/reqs.h"

static char dir[64];

/* A fake environment: "NAME=value" pairs. */
static const char *fake_env[16];

static const char *fake_getenv(const char *name)
{
	size_t n = strlen(name);

	for (size_t i = 0; fake_env[i]; i++)
		if (strncmp(fake_env[i], name, n) == 0 && fake_env[i][n] == '=')
			return fake_env[i] + n + 1;
	return NULL;
}

static int setup(void **state)
{
	snprintf(dir, sizeof(dir), "/tmp/sp-reqs-test.XXXXXX");
	assert_non_null(mkdtemp(dir));
	memset(fake_env, 0, sizeof(fake_env));
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
	return 0;
}

static void put(const char *name, const char *text)
{
	char path[256], *slash;
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	/* make the directories on the way */
	for (slash = path + strlen(dir) + 1; (slash = strchr(slash, '/')); slash++) {
		*slash = '\0';
		mkdir(path, 0700);
		*slash = '/';
	}
	fp = fopen(path, "we");
	assert_non_null(fp);
	fputs(text, fp);
	assert_int_equal(fclose(fp), 0);
}

static int parse(struct sp_pipargs *pa, struct sp_errors *err, char **argv)
{
	struct sp_pipargs_env env = { .getenv = fake_getenv, .cwd = dir };
	int argc = 0;

	while (argv[argc])
		argc++;
	memset(err, 0, sizeof(*err));
	return sp_pipargs_parse(pa, argc, argv, &env, err);
}

static const struct sp_req *find(const struct sp_pipargs *pa, const char *name)
{
	for (size_t i = 0; i < pa->nreqs; i++)
		if (pa->reqs[i].name && strcmp(pa->reqs[i].name, name) == 0)
			return &pa->reqs[i];
	return NULL;
}

static void test_command_line(void **state)
{
	char *argv[] = { "--isolated", "install", "-U", "Requests[socks]>=2; python_version>'3'",
			 "--index-url=https://idx.example/simple", "numpy==1.26.0", "-q", "--target", "tgt",
			 "Flask", "--", "--weird-name", NULL };
	struct sp_pipargs pa;
	struct sp_errors err;
	const struct sp_req *r;

	assert_int_equal(parse(&pa, &err, argv), 0);
	assert_string_equal(pa.command, "install");
	assert_true(pa.isolated);
	assert_string_equal(pa.index_url, "https://idx.example/simple");
	assert_int_equal(pa.nreqs, 4);
	r = find(&pa, "requests");
	assert_non_null(r);
	assert_true(r->from_index);
	assert_null(r->version);
	assert_string_equal(r->loc.file, "command line");
	assert_int_equal(r->loc.line, 4);
	assert_string_equal(find(&pa, "numpy")->version, "1.26.0");
	assert_non_null(find(&pa, "flask"));
	/* "tgt" is --target's value, not a requirement */
	assert_null(find(&pa, "tgt"));
	/* after "--" everything is an argument: pip refuses the name, safe-pip keeps it unnamed */
	assert_null(pa.reqs[3].name);
	sp_pipargs_free(&pa);
}

static void test_short_option_bundles(void **state)
{
	char *argv[] = { "install", "-Ur", "a.txt", "-qrb.txt", "-ihttps://i.example/s", "x", NULL };
	struct sp_pipargs pa;
	struct sp_errors err;

	put("a.txt", "alpha\n");
	put("b.txt", "beta\n");
	assert_int_equal(parse(&pa, &err, argv), 0);
	assert_non_null(find(&pa, "alpha"));
	assert_non_null(find(&pa, "beta"));
	assert_non_null(find(&pa, "x"));
	assert_string_equal(pa.index_url, "https://i.example/s");
	sp_pipargs_free(&pa);
}

static void test_requirement_files(void **state)
{
	char *argv[] = { "install", "-r", "top.txt", "-c", "cons.txt", NULL };
	struct sp_pipargs pa;
	struct sp_errors err;
	const struct sp_req *r;

	put("top.txt",
	    "# a comment\n"
	    "alpha==1.0  # trailing comment\n"
	    "beta \\\n"
	    "  >=2 \\\n"
	    "  ,<3\n"
	    "# continued comment \\\n"
	    "gamma ; python_version < '3.8'\n"
	    "delta @ https://files.example/delta-1.0.tar.gz\n"
	    "  -r sub/inner.txt\n"
	    "epsilon --hash=sha256:0123\n"
	    "--extra-index-url https://extra.example/simple\n"
	    "-e git+https://git.example/repo.git#egg=zeta\n"
	    "-e ./localproj\n"
	    "./pkgs/eta-2.0.tar.gz\n"
	    "https://dl.example/theta-3.1-py3-none-any.whl\n"
	    "${PKG_NAME}\n"
	    "--find-links ${LINKS}\n"
	    "\r\n"
	    "iota\r\n");
	put("sub/inner.txt", "kappa\n-r ../more.txt\n");
	put("more.txt", "lambda\n");
	put("cons.txt", "iota==4.0\nunrequested==1\n");
	fake_env[0] = "PKG_NAME=mu";
	fake_env[1] = "LINKS=https://links.example/";
	assert_int_equal(parse(&pa, &err, argv), 0);
	assert_int_equal(pa.nfiles, 4);
	r = find(&pa, "alpha");
	assert_string_equal(r->version, "1.0");
	assert_int_equal(r->loc.line, 2);
	assert_non_null(strstr(r->loc.file, "/top.txt"));
	r = find(&pa, "beta");
	assert_non_null(r);
	assert_int_equal(r->loc.line, 3);
	assert_null(find(&pa, "continued"));
	assert_non_null(find(&pa, "gamma"));
	r = find(&pa, "delta");
	assert_false(r->from_index);
	assert_string_equal(r->url, "https://files.example/delta-1.0.tar.gz");
	assert_non_null(find(&pa, "epsilon"));
	assert_int_equal(pa.extra_index_urls.n, 1);
	r = find(&pa, "zeta");
	assert_true(r->editable);
	assert_false(r->from_index);
	r = find(&pa, "eta");
	assert_string_equal(r->version, "2.0");
	assert_false(r->from_index);
	r = find(&pa, "theta");
	assert_string_equal(r->version, "3.1");
	assert_non_null(find(&pa, "mu"));
	assert_string_equal(pa.find_links.v[0], "https://links.example/");
	assert_non_null(find(&pa, "kappa"));
	assert_non_null(find(&pa, "lambda"));
	/* constraints pin versions without requesting anything */
	assert_true(find(&pa, "unrequested")->constraint);
	assert_string_equal(sp_pipargs_constraint_pin(&pa, "iota"), "4.0");
	assert_null(sp_pipargs_constraint_pin(&pa, "alpha"));
	sp_pipargs_free(&pa);
}

static void test_requirement_file_errors(void **state)
{
	char *missing[] = { "install", "-r", "nope.txt", NULL };
	char *url[] = { "install", "-r", "https://example.com/r.txt", NULL };
	char *cyc[] = { "install", "-r", "cycle.txt", NULL };
	char *dirarg[] = { "install", "-r", ".", NULL };
	struct sp_pipargs pa;
	struct sp_errors err;

	assert_int_equal(parse(&pa, &err, missing), -EINVAL);
	assert_non_null(strstr(err.v[0].msg, "cannot open requirements file"));
	assert_string_equal(err.v[0].file, "command line");
	sp_pipargs_free(&pa);
	assert_int_equal(parse(&pa, &err, url), -EINVAL);
	assert_non_null(strstr(err.v[0].msg, "download it and pass the local file"));
	sp_pipargs_free(&pa);
	put("cycle.txt", "a\n-r cycle.txt\n");
	assert_int_equal(parse(&pa, &err, cyc), -EINVAL);
	assert_non_null(strstr(err.v[0].msg, "nested more than 10 deep"));
	assert_int_equal(err.v[0].line, 2);
	sp_pipargs_free(&pa);
	assert_int_equal(parse(&pa, &err, dirarg), -EINVAL);
	assert_non_null(strstr(err.v[0].msg, "not a regular file"));
	sp_pipargs_free(&pa);
}

static void test_requirement_limits(void **state)
{
	char *many[] = { "install", "-r", "many.txt", NULL };
	char *wide[] = { "install", "-r", "wide.txt", NULL };
	char *big[] = { "install", "-r", "big.txt", NULL };
	struct sp_pipargs pa;
	struct sp_errors err;
	char *text = malloc(SP_REQ_FILE_MAX + 2), name[64];
	size_t o = 0;

	assert_non_null(text);
	for (int i = 0; i <= SP_REQS_MAX; i++)
		o += (size_t)sprintf(text + o, "p%d\n", i);
	put("many.txt", text);
	assert_int_equal(parse(&pa, &err, many), -EINVAL);
	assert_non_null(strstr(err.v[0].msg, "too many requirements"));
	sp_pipargs_free(&pa);
	/* one file including SP_REQ_FILES_MAX others */
	o = 0;
	for (int i = 0; i < SP_REQ_FILES_MAX; i++) {
		snprintf(name, sizeof(name), "w%d.txt", i);
		put(name, "x\n");
		o += (size_t)sprintf(text + o, "-r w%d.txt\n", i);
	}
	put("wide.txt", text);
	assert_int_equal(parse(&pa, &err, wide), -EINVAL);
	assert_non_null(strstr(err.v[0].msg, "more than 64 requirement files"));
	sp_pipargs_free(&pa);
	memset(text, 'a', SP_REQ_FILE_MAX + 1);
	text[SP_REQ_FILE_MAX + 1] = '\0';
	put("big.txt", text);
	assert_int_equal(parse(&pa, &err, big), -EINVAL);
	assert_non_null(strstr(err.v[0].msg, "at most"));
	sp_pipargs_free(&pa);
	free(text);
}

static void test_long_line(void **state)
{
	char *argv[] = { "install", "-r", "long.txt", NULL };
	struct sp_pipargs pa;
	struct sp_errors err;
	char *text = malloc(SP_REQ_LINE_MAX * 2);

	/* a continued line longer than the line limit */
	for (size_t i = 0; i < SP_REQ_LINE_MAX * 2 - 3; i += 2)
		memcpy(text + i, "\\\n", 2);
	text[SP_REQ_LINE_MAX * 2 - 3] = '\0';
	memset(text, 'a', SP_REQ_LINE_MAX + 10);
	put("long.txt", text);
	assert_int_equal(parse(&pa, &err, argv), -EINVAL);
	assert_non_null(strstr(err.v[0].msg, "line too long"));
	sp_pipargs_free(&pa);
	free(text);
}

static void test_req_parse(void **state)
{
	struct sp_pipargs pa;
	struct sp_errors err;
	char *argv[] = { "install", NULL };
	static const struct {
		const char *text, *name, *version;
		bool from_index;
	} cases[] = {
		{ "Django", "django", NULL, true },
		{ "zope.interface>=5", "zope-interface", NULL, true },
		{ "foo (==1.2)", "foo", "1.2", true },
		{ "foo[a,b] == 1.2 ; os_name=='posix'", "foo", "1.2", true },
		{ "foo===weird-1", "foo", "weird-1", true },
		{ "foo==1.*", "foo", NULL, true },
		{ "foo@file:///tmp/foo.zip", "foo", NULL, false },
		{ "git+ssh://git@host/r.git@v1#egg=Bar_Baz", "bar-baz", NULL, false },
		{ "/abs/pkg-1.0-cp311-cp311-linux_x86_64.whl", "pkg", "1.0", false },
		{ "./my_project", NULL, NULL, false },
		{ "!!invalid", NULL, NULL, false },
	};

	assert_int_equal(parse(&pa, &err, argv), 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sp_req r = { 0 };

		assert_int_equal(sp_req_parse(&pa, cases[i].text, &r), 0);
		if (cases[i].name && (!r.name || strcmp(r.name, cases[i].name)))
			fail_msg("%s: name %s", cases[i].text, r.name ? r.name : "(none)");
		if (!cases[i].name && r.name)
			fail_msg("%s: unexpected name %s", cases[i].text, r.name);
		if ((cases[i].version == NULL) != (r.version == NULL) ||
		    (r.version && strcmp(r.version, cases[i].version)))
			fail_msg("%s: version %s", cases[i].text, r.version ? r.version : "(none)");
		assert_int_equal(r.from_index, cases[i].from_index);
	}
	sp_pipargs_free(&pa);
}

static void test_url_host(void **state)
{
	char h[64];

	assert_true(sp_url_host("https://user:pw@Host.Example:8443/simple", h, sizeof(h)));
	assert_string_equal(h, "host.example");
	assert_true(sp_url_host("http://[::1]:3141/root/pypi", h, sizeof(h)));
	assert_string_equal(h, "::1");
	assert_true(sp_url_host("https://pypi.org", h, sizeof(h)));
	assert_string_equal(h, "pypi.org");
	assert_false(sp_url_host("/local/dir", h, sizeof(h)));
	assert_false(sp_url_host("file:///x", h, sizeof(h)));
}

/* ------------------------------------------------------------- pipconf */

static void hosts(char **argv, const char *prefix, const char *expect)
{
	struct sp_pipargs pa;
	struct sp_errors err;
	struct sp_pipconf_env env = { .getenv = fake_getenv, .home = NULL, .prefix = prefix };
	struct sp_hosts h;
	char home[128], etc[128], got[1024] = "";

	snprintf(home, sizeof(home), "%s/home", dir);
	snprintf(etc, sizeof(etc), "%s/etc", dir);
	env.home = home;
	env.etc = etc;
	assert_int_equal(parse(&pa, &err, argv), 0);
	assert_int_equal(sp_pip_index_hosts(&pa, &env, &h, &err), 0);
	for (size_t i = 0; i < h.n; i++)
		snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%s", i ? " " : "", h.v[i]);
	if (strcmp(got, expect) != 0)
		fail_msg("hosts: '%s', expected '%s'", got, expect);
	sp_hosts_free(&h);
	sp_pipargs_free(&pa);
}

static void test_index_hosts_default(void **state)
{
	char *plain[] = { "install", "x", NULL };
	char *noidx[] = { "install", "--no-index", "--find-links", "/wheels", "x", NULL };
	char *idx[] = { "install", "-i", "https://mirror.example/simple", "--extra-index-url",
			"https://extra.example/simple", "--trusted-host", "insecure.example:8080",
			"-f", "https://links.example/x/", "y @ https://direct.example/y.whl",
			"git+https://git.example/r.git#egg=z", NULL };

	fake_env[0] = "PIP_CONFIG_FILE=/dev/null";
	fake_env[1] = "XDG_CONFIG_DIRS=/nonexistent";
	hosts(plain, NULL, "pypi.org files.pythonhosted.org");
	hosts(noidx, NULL, "");
	hosts(idx, NULL, "mirror.example extra.example links.example insecure.example direct.example git.example");
}

static void test_index_hosts_env(void **state)
{
	char *plain[] = { "install", "x", NULL };
	char *iso[] = { "--isolated", "install", "x", NULL };
	char *cli[] = { "install", "-i", "https://cli.example/", "x", NULL };

	fake_env[0] = "PIP_CONFIG_FILE=/dev/null";
	fake_env[1] = "PIP_INDEX_URL=https://env.example/simple";
	fake_env[2] = "PIP_EXTRA_INDEX_URL=https://e1.example/ https://e2.example/";
	fake_env[3] = "PIP_TRUSTED_HOST=t.example";
	hosts(plain, NULL, "env.example e1.example e2.example t.example");
	/* --isolated ignores PIP_* variables */
	hosts(iso, NULL, "pypi.org files.pythonhosted.org");
	/* the command line's -i replaces, the rest adds */
	hosts(cli, NULL, "cli.example e1.example e2.example t.example");
	fake_env[4] = "PIP_NO_INDEX=yes";
	hosts(plain, NULL, "t.example");
}

static void test_index_hosts_files(void **state)
{
	char *plain[] = { "install", "x", NULL };
	char *dl[] = { "download", "x", NULL };
	char *iso[] = { "--isolated", "install", "x", NULL };
	char xdg[128], venv[128], pcf[160], pcf_env[200], xdg_env[200];

	snprintf(xdg, sizeof(xdg), "%s/xdg", dir);
	snprintf(venv, sizeof(venv), "%s/venv", dir);
	snprintf(xdg_env, sizeof(xdg_env), "XDG_CONFIG_DIRS=%s", xdg);
	fake_env[0] = xdg_env;
	put("xdg/pip/pip.conf", "[global]\nindex-url = https://global.example/simple\n"
				"[install]\nextra-index-url =\n    https://ins1.example/\n    https://ins2.example/\n");
	hosts(plain, NULL, "global.example ins1.example ins2.example");
	hosts(dl, NULL, "global.example");
	/* /etc/pip.conf comes after $XDG_CONFIG_DIRS */
	put("etc/pip.conf", "[global]\nindex-url = https://etc.example/simple\n");
	hosts(dl, NULL, "etc.example");
	/* the user's file overrides the global ones */
	put("home/.config/pip/pip.conf", "[global]\nindex_url=https://user.example/simple\n");
	hosts(dl, NULL, "user.example");
	/* [install] of a lower file still beats [global] of a higher one, as in pip */
	hosts(plain, NULL, "user.example ins1.example ins2.example");
	/* --isolated skips the user's files */
	hosts(iso, NULL, "etc.example ins1.example ins2.example");
	/* the environment's pip.conf overrides the user's */
	put("venv/pip.conf", "[global]\nindex-url = https://site.example/\ntrusted-host = a.example b.example:99\n");
	hosts(dl, venv, "site.example a.example b.example");
	/* PIP_CONFIG_FILE comes last, and user files are skipped when it exists */
	snprintf(pcf, sizeof(pcf), "%s/pcf.conf", dir);
	snprintf(pcf_env, sizeof(pcf_env), "PIP_CONFIG_FILE=%s", pcf);
	fake_env[1] = pcf_env;
	put("pcf.conf", "[download]\nno-index = true\nfind-links = https://fl.example/\n");
	hosts(dl, venv, "fl.example a.example b.example");
	/* PIP_CONFIG_FILE=/dev/null: no file at all */
	fake_env[1] = "PIP_CONFIG_FILE=/dev/null";
	hosts(dl, venv, "pypi.org files.pythonhosted.org");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_command_line, setup, teardown),
		cmocka_unit_test_setup_teardown(test_short_option_bundles, setup, teardown),
		cmocka_unit_test_setup_teardown(test_requirement_files, setup, teardown),
		cmocka_unit_test_setup_teardown(test_requirement_file_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_requirement_limits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_long_line, setup, teardown),
		cmocka_unit_test_setup_teardown(test_req_parse, setup, teardown),
		cmocka_unit_test(test_url_host),
		cmocka_unit_test_setup_teardown(test_index_hosts_default, setup, teardown),
		cmocka_unit_test_setup_teardown(test_index_hosts_env, setup, teardown),
		cmocka_unit_test_setup_teardown(test_index_hosts_files, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
