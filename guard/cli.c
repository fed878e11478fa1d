// SPDX-License-Identifier: MIT
#include "guard/cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guard/util.h"

/* pip's general options (pip 23) that take a value. */
static const char *const pip_valued[] = {
	"--proxy", "--retries", "--timeout", "--exists-action", "--trusted-host",
	"--cert", "--client-cert", "--cache-dir", "--use-feature", "--use-deprecated",
	"--keyring-provider", "--log-file", "--local-log",
};

/* pip's general options that are flags. */
static const char *const pip_flags[] = {
	"--debug", "--isolated", "--require-virtualenv", "-q", "--quiet", "--no-input",
	"--no-cache-dir", "--disable-pip-version-check", "--no-color",
	"--no-python-version-warning",
};

/* pip commands that build or prepare distributions, i.e. run package code. */
static const char *const guarded_cmds[] = { "install", "download", "wheel" };

bool pip_command_is_guarded(const char *cmd)
{
	for (size_t i = 0; i < ARRAY_SIZE(guarded_cmds); i++)
		if (strcmp(cmd, guarded_cmds[i]) == 0)
			return true;
	return false;
}

static bool in_list(const char *const *list, size_t n, const char *arg, size_t len)
{
	for (size_t i = 0; i < n; i++)
		if (strlen(list[i]) == len && strncmp(list[i], arg, len) == 0)
			return true;
	return false;
}

struct parser {
	struct options *o;
	int argc;
	char **argv;
	int i;                  /* index of the argument being parsed */
	const char *value;      /* value of --opt=value, else NULL */
	char *err;
	size_t errlen;
};

/* The value of the current option: "--opt=value" or the next argument. */
static int take_value(struct parser *p, const char **out)
{
	if (p->value) {
		*out = p->value;
		return 0;
	}
	if (p->i + 1 >= p->argc) {
		snprintf(p->err, p->errlen, "option %s needs a value", p->argv[p->i]);
		return -EINVAL;
	}
	*out = p->argv[++p->i];
	return 0;
}

static int opt_help(struct parser *p)
{
	p->o->cmd = CMD_HELP;
	return 0;
}

static int opt_version(struct parser *p)
{
	p->o->cmd = CMD_VERSION;
	return 0;
}

static int opt_verbose(struct parser *p)
{
	p->o->verbose++;
	return 0;
}

static int opt_python(struct parser *p)
{
	p->o->python_source = "--python";
	return take_value(p, &p->o->python);
}

static int opt_log(struct parser *p)
{
	return take_value(p, &p->o->log_path);
}

static int opt_json(struct parser *p)
{
	return take_value(p, &p->o->json_path);
}

static int opt_policy(struct parser *p)
{
	return take_value(p, &p->o->policies[p->o->npolicies++]);
}

static int opt_allow(struct parser *p)
{
	return take_value(p, &p->o->allows[p->o->nallows++]);
}

static int opt_transaction(struct parser *p)
{
	static const char *const modes[] = { "auto", "staged", "journaled" };
	int r = take_value(p, &p->o->transaction);

	if (r < 0)
		return r;
	for (size_t i = 0; i < ARRAY_SIZE(modes); i++)
		if (strcmp(p->o->transaction, modes[i]) == 0)
			return 0;
	snprintf(p->err, p->errlen, "unknown transaction mode %s (auto, staged, journaled)",
		 p->o->transaction);
	return -EINVAL;
}

struct sp_option {
	const char *lng;
	const char *shrt;
	bool valued;
	int (*handle)(struct parser *p);
};

static const struct sp_option sp_options[] = {
	{ "--help", "-h", false, opt_help },
	{ "--version", "-V", false, opt_version },
	{ "--verbose", "-v", false, opt_verbose },
	{ "--python", NULL, true, opt_python },
	{ "--log", NULL, true, opt_log },
	{ "--json", NULL, true, opt_json },
	{ "--policy", NULL, true, opt_policy },
	{ "--allow", NULL, true, opt_allow },
	{ "--transaction", NULL, true, opt_transaction },
};

static const struct sp_option *find_option(const char *arg, size_t len)
{
	for (size_t i = 0; i < ARRAY_SIZE(sp_options); i++) {
		const struct sp_option *so = &sp_options[i];

		if ((strlen(so->lng) == len && strncmp(so->lng, arg, len) == 0) ||
		    (so->shrt && strlen(so->shrt) == len && strncmp(so->shrt, arg, len) == 0))
			return so;
	}
	return NULL;
}

/* Append argv[i] (and its value) to pip's general options. */
static int pass_general(struct parser *p, bool valued)
{
	struct options *o = p->o;

	o->pip_argv[o->pip_argc++] = p->argv[p->i];
	if (valued && !p->value) {
		if (p->i + 1 >= p->argc) {
			snprintf(p->err, p->errlen, "pip option %s needs a value", p->argv[p->i]);
			return -EINVAL;
		}
		o->pip_argv[o->pip_argc++] = p->argv[++p->i];
	}
	return 0;
}

/* "-vv" is two -v; other bundled short options are pip's. */
static int parse_short_bundle(struct parser *p, const char *arg)
{
	for (const char *c = arg + 1; *c; c++)
		if (*c != 'v')
			return 1;
	p->o->verbose += (int)strlen(arg + 1);
	return 0;
}

static int parse_option(struct parser *p)
{
	const char *arg = p->argv[p->i];
	const char *eq = startswith(arg, "--") ? strchr(arg, '=') : NULL;
	size_t len = eq ? (size_t)(eq - arg) : strlen(arg);
	const struct sp_option *so;

	p->value = eq ? eq + 1 : NULL;
	so = find_option(arg, len);
	if (so) {
		if (p->value && !so->valued) {
			snprintf(p->err, p->errlen, "option %.*s takes no value", (int)len, arg);
			return -EINVAL;
		}
		return so->handle(p);
	}
	if (in_list(pip_valued, ARRAY_SIZE(pip_valued), arg, len))
		return pass_general(p, true);
	if (in_list(pip_flags, ARRAY_SIZE(pip_flags), arg, len) && !p->value)
		return pass_general(p, false);
	if (arg[1] != '-' && parse_short_bundle(p, arg) == 0)
		return 0;
	snprintf(p->err, p->errlen,
		 "unknown option %s before the pip command (options after the command go to pip)", arg);
	return -EINVAL;
}

int options_parse(struct options *o, int argc, char **argv, char *err, size_t errlen)
{
	struct parser p = { .o = o, .argc = argc, .argv = argv, .err = err, .errlen = errlen };
	int r;

	memset(o, 0, sizeof(*o));
	o->cmd = CMD_PASSTHROUGH;
	o->python = getenv("SAFE_PIP_PYTHON");
	if (o->python && !*o->python)
		o->python = NULL;
	o->python_source = "SAFE_PIP_PYTHON";
	o->pip_argv = calloc((size_t)argc + 1, sizeof(char *));
	o->policies = calloc((size_t)argc + 1, sizeof(char *));
	o->allows = calloc((size_t)argc + 1, sizeof(char *));
	if (!o->pip_argv || !o->policies || !o->allows) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}

	for (p.i = 1; p.i < argc; p.i++) {
		const char *arg = argv[p.i];

		if (strcmp(arg, "--") == 0 || arg[0] != '-' || arg[1] == '\0')
			break;
		r = parse_option(&p);
		if (r < 0)
			return r;
		if (o->cmd == CMD_HELP || o->cmd == CMD_VERSION)
			return 0;
	}
	if (p.i < argc && strcmp(argv[p.i], "--") == 0)
		p.i++;
	if (p.i < argc) {
		o->pip_command = argv[p.i];
		if (pip_command_is_guarded(o->pip_command))
			o->cmd = CMD_GUARDED;
		else if (strcmp(o->pip_command, "sensors") == 0)
			o->cmd = CMD_SENSORS;
		else if (strcmp(o->pip_command, "policy") == 0)
			o->cmd = CMD_POLICY;
		else if (strcmp(o->pip_command, "recover") == 0)
			o->cmd = CMD_RECOVER;
		else if (strcmp(o->pip_command, "shims") == 0)
			o->cmd = CMD_SHIMS;
		else if (strcmp(o->pip_command, "venv-guard") == 0)
			o->cmd = CMD_VENV_GUARD;
	}
	for (; p.i < argc; p.i++)
		o->pip_argv[o->pip_argc++] = argv[p.i];
	o->pip_argv[o->pip_argc] = NULL;
	return 0;
}

void options_free(struct options *o)
{
	free(o->pip_argv);
	free(o->policies);
	free(o->allows);
	o->pip_argv = NULL;
	o->policies = o->allows = NULL;
}
