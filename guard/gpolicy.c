// SPDX-License-Identifier: MIT
/*
 * Loading the policy layers, the `safe-pip policy` commands and the name
 * checks that run before pip starts.
 */
#include "guard/gpolicy.h"

#include <limits.h>
#include <pwd.h>

#include "guard/cli.h"
#include "guard/exitcode.h"
#include "guard/session.h"
#include "guard/util.h"
#include "policy/pipconf.h"
#include "policy/policy.h"
#include "policy/reqs.h"

#define ETC_DIR "/etc/safe-pip"

static void print_errors(const struct sp_errors *err)
{
	char line[SP_ERR_FILE_MAX + SP_ERR_MSG_MAX + 32];

	for (unsigned i = 0; i < err->n; i++) {
		sp_error_format(&err->v[i], line, sizeof(line));
		sp_msg("%s", line);
	}
	if (err->dropped)
		sp_msg("... and %u more errors", err->dropped);
}

/* The account's home from the password database; $HOME when it differs. */
static void fill_env(struct sp_policy_env *env, char *pwhome, size_t len)
{
	struct passwd *pw = getpwuid(getuid());
	const char *home = getenv("HOME");
	unsigned n = 0;

	memset(env, 0, sizeof(*env));
	if (pw && pw->pw_dir && pw->pw_dir[0] == '/') {
		snprintf(pwhome, len, "%s", pw->pw_dir);
		env->homes[n++] = pwhome;
	}
	if (home && home[0] == '/')
		env->homes[n++] = home;
}

/* $XDG_CONFIG_HOME/safe-pip/policy.yaml, else ~/.config/safe-pip/policy.yaml */
static char *user_policy_path(const struct sp_policy_env *env)
{
	const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");

	if (xdg && xdg[0] == '/')
		return sp_asprintf("%s/safe-pip/policy.yaml", xdg);
	if (!home || home[0] != '/')
		home = env->homes[0];
	return home ? sp_asprintf("%s/.config/safe-pip/policy.yaml", home) : NULL;
}

static int load_layers(struct sp_policy *p, const struct options *o, const struct sp_policy_env *env,
		       struct sp_errors *err)
{
	const char *etc = getenv("SAFE_PIP_POLICY_DIR");
	_cleanup_free_ char *user = user_policy_path(env);
	int r, first = 0;

	if (!etc || !*etc)
		etc = ETC_DIR;
	r = sp_policy_add_default(p, err);
	if (r == 0)
		r = sp_policy_add_standard(p, etc, user, err);
	/* every --policy file is checked, so that one run reports all errors */
	for (int i = 0; i < o->npolicies; i++) {
		int ri = r == 0 || r == -EINVAL ? sp_policy_add_file(p, o->policies[i], err) : 0;

		if (ri < 0 && first == 0)
			first = ri;
	}
	for (int i = 0; i < o->nallows && r == 0 && first == 0; i++)
		first = sp_policy_allow_cli(p, o->allows[i], err);
	return r < 0 ? r : first;
}

int gpolicy_load(const struct options *o, struct sp_policy **out)
{
	struct sp_errors *err = calloc(1, sizeof(*err));
	struct sp_policy_env env;
	char pwhome[PATH_MAX];
	struct sp_policy *p;
	int r;

	fill_env(&env, pwhome, sizeof(pwhome));
	p = sp_policy_new(&env);
	if (!p || !err) {
		sp_msg("out of memory");
		free(err);
		sp_policy_free(p);
		return SP_EXIT_INTERNAL;
	}
	r = load_layers(p, o, &env, err);
	if (r < 0) {
		print_errors(err);
		if (r == -ENOMEM)
			sp_msg("out of memory loading the policy");
		else
			sp_msg("policy error: pip was not run");
		free(err);
		sp_policy_free(p);
		return r == -ENOMEM ? SP_EXIT_INTERNAL : SP_EXIT_CONFIG;
	}
	free(err);
	sp_debug("policy: %u layers, mode %s, threshold %u", sp_policy_nlayers(p),
		 sp_policy_mode(p) == SP_MODE_MONITOR ? "monitor" : "enforce", sp_policy_threshold(p));
	*out = p;
	return 0;
}

/* ------------------------------------------------------------ commands */

/* Each file as a layer over the embedded default, in the order given. */
static int policy_check(const struct options *o, int first)
{
	struct sp_errors *err = calloc(1, sizeof(*err));
	struct sp_policy_env env;
	char pwhome[PATH_MAX];
	struct sp_policy *p;
	int bad = 0;

	if (first >= o->pip_argc) {
		sp_msg("usage: safe-pip policy check FILE...");
		free(err);
		return SP_EXIT_USAGE;
	}
	fill_env(&env, pwhome, sizeof(pwhome));
	p = sp_policy_new(&env);
	if (!p || !err || sp_policy_add_default(p, err) < 0) {
		print_errors(err);
		sp_msg("cannot load the embedded default policy");
		sp_policy_free(p);
		free(err);
		return SP_EXIT_INTERNAL;
	}
	for (int i = first; i < o->pip_argc; i++) {
		memset(err, 0, sizeof(*err));
		if (sp_policy_add_file(p, o->pip_argv[i], err) < 0) {
			print_errors(err);
			bad++;
		} else {
			printf("%s: ok\n", o->pip_argv[i]);
		}
	}
	sp_policy_free(p);
	free(err);
	return bad ? SP_EXIT_CONFIG : 0;
}

static const char *sys_getenv(const char *name)
{
	return getenv(name);
}

/* Resolve "$pip-index" from pip's configuration alone (no command line). */
static void show_index_hosts(struct sp_policy *p)
{
	struct sp_pipargs pa;
	struct sp_errors err = { 0 };
	struct sp_pipconf_env env = { .getenv = sys_getenv, .home = getenv("HOME"),
				      .prefix = getenv("VIRTUAL_ENV") };
	struct sp_hosts h;
	char *argv[] = { "install", NULL };

	if (sp_pipargs_parse(&pa, 1, argv, NULL, &err) == 0 &&
	    sp_pip_index_hosts(&pa, &env, &h, &err) == 0) {
		(void)sp_policy_set_index_hosts(p, h.v, h.n);
		sp_hosts_free(&h);
	}
	sp_pipargs_free(&pa);
}

static int policy_show(const struct options *o)
{
	struct sp_policy *p = NULL;
	char *text;
	int r;

	if (o->pip_argc > 2) {
		sp_msg("usage: safe-pip [--policy FILE]... [--allow NAME]... policy show");
		return SP_EXIT_USAGE;
	}
	r = gpolicy_load(o, &p);
	if (r)
		return r;
	show_index_hosts(p);
	text = sp_policy_show(p);
	sp_policy_free(p);
	if (!text) {
		sp_msg("out of memory");
		return SP_EXIT_INTERNAL;
	}
	fputs(text, stdout);
	free(text);
	return fflush(stdout) == 0 ? 0 : SP_EXIT_INTERNAL;
}

int gpolicy_command(const struct options *o)
{
	const char *sub = o->pip_argc > 1 ? o->pip_argv[1] : "";

	if (strcmp(sub, "check") == 0)
		return policy_check(o, 2);
	if (strcmp(sub, "show") == 0)
		return policy_show(o);
	sp_msg("usage: safe-pip policy check FILE... | safe-pip policy show");
	return SP_EXIT_USAGE;
}

/* ----------------------------------------------------------- preflight */

static const char *loc_text(const struct sp_loc *l, char *buf, size_t len)
{
	if (l->line)
		snprintf(buf, len, "%s:%u", l->file, l->line);
	else
		snprintf(buf, len, "%s", l->file ? l->file : "built in");
	return buf;
}

/* One requested name: 0 fine, 1 refused (and said why). */
static int check_request(struct session *s, const struct sp_pipargs *pa, const struct sp_req *r)
{
	const char *version = r->version ? r->version : sp_pipargs_constraint_pin(pa, r->name);
	char at[SP_ERR_FILE_MAX + 16], from[SP_ERR_FILE_MAX + 16];
	struct sp_name_check c;
	int rc;

	if (r->loc.line && strcmp(r->loc.file, "command line") == 0)
		snprintf(at, sizeof(at), "argument %u", r->loc.line);
	else
		loc_text(&r->loc, at, sizeof(at));
	/* typosquatting is about names typed for an index, not files or URLs */
	rc = sp_policy_check_name(s->policy, r->name, version,
				  r->from_index ? SP_CHECK_TYPOSQUAT : 0, &c);
	if (rc == -EINVAL)
		return 0;       /* not a name pip accepts either */
	if (rc < 0) {
		sp_msg("REFUSED %s (%s): cannot check the name against the popular-package list (%s)",
		       r->text, at, strerror(-rc));
		return 1;
	}
	if (c.verdict == SP_NAME_DENIED) {
		sp_msg("REFUSED %s (%s): denied by the packages.deny entry '%s' (%s)", r->text, at,
		       c.entry->text, loc_text(&c.entry->loc, from, sizeof(from)));
		return 1;
	}
	if (c.verdict == SP_NAME_TYPOSQUAT) {
		sp_msg("REFUSED %s (%s): the name looks like '%s', a far more popular package (rank %u; %s)",
		       r->text, at, c.intended, c.intended_rank, c.why);
		sp_msg("  if you meant %s, check its name; if %s is what you want: safe-pip --allow %s ...",
		       c.intended, r->name, r->name);
		return 1;
	}
	if (c.verdict == SP_NAME_ALLOWED)
		sp_debug("%s is allowed by '%s' (%s)", r->name, c.entry->text,
			 loc_text(&c.entry->loc, from, sizeof(from)));
	return 0;
}

static int set_index_hosts(struct session *s, const struct sp_pipargs *pa, struct sp_errors *err)
{
	struct sp_pipconf_env env = { .getenv = sys_getenv, .home = getenv("HOME"),
				      .prefix = s->py.prefix };
	struct sp_hosts h;
	int r;

	r = sp_pip_index_hosts(pa, &env, &h, err);
	if (r < 0)
		return r;
	r = sp_policy_set_index_hosts(s->policy, h.v, h.n);
	if (sp_verbosity > 0) {
		char list[1024] = "";

		for (size_t i = 0; i < h.n; i++)
			snprintf(list + strlen(list), sizeof(list) - strlen(list), " %s", h.v[i]);
		sp_debug("pip's index hosts:%s", h.n ? list : " none");
	}
	sp_hosts_free(&h);
	return r;
}

int gpolicy_preflight(struct session *s)
{
	struct sp_errors *err = calloc(1, sizeof(*err));
	struct sp_pipargs pa;
	unsigned refused = 0;
	int r;

	if (!err)
		return SP_EXIT_INTERNAL;
	r = sp_pipargs_parse(&pa, s->opt->pip_argc, s->opt->pip_argv, NULL, err);
	if (r == 0)
		r = set_index_hosts(s, &pa, err);
	if (r < 0) {
		print_errors(err);
		sp_msg("%s: pip was not run", r == -ENOMEM ? "out of memory" : "cannot check what is requested");
		sp_pipargs_free(&pa);
		free(err);
		return r == -ENOMEM ? SP_EXIT_INTERNAL : SP_EXIT_CONFIG;
	}
	for (size_t i = 0; i < pa.nreqs; i++)
		if (!pa.reqs[i].constraint && pa.reqs[i].name)
			refused += (unsigned)check_request(s, &pa, &pa.reqs[i]);
	sp_policy_unload_popular(s->policy);     /* no name is checked after this */
	sp_debug("checked %zu requirements from %u requirement files", pa.nreqs, pa.nfiles);
	sp_pipargs_free(&pa);
	free(err);
	if (refused) {
		sp_msg("%u requested name%s refused by the policy: pip was not run", refused,
		       refused > 1 ? "s" : "");
		return SP_EXIT_BLOCKED;
	}
	return 0;
}
