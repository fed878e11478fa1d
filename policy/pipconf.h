/* SPDX-License-Identifier: MIT */
/*
 * Which hosts will pip download from?  What SP_NET_INDEX_TOKEN stands for,
 * worked out the way pip 23 configures itself:
 *
 *   pip.conf files (lowest first): $XDG_CONFIG_DIRS/pip/pip.conf
 *   (default /etc/xdg/pip/pip.conf), /etc/pip.conf, ~/.pip/pip.conf,
 *   $XDG_CONFIG_HOME/pip/pip.conf (default ~/.config/pip/pip.conf), the
 *   environment's pip.conf (sys.prefix), then $PIP_CONFIG_FILE; user files
 *   are skipped under --isolated or when PIP_CONFIG_FILE names a file, and
 *   every file when PIP_CONFIG_FILE is /dev/null.  In each, [global] then
 *   the command's section.
 *   PIP_INDEX_URL, PIP_EXTRA_INDEX_URL, PIP_FIND_LINKS, PIP_TRUSTED_HOST,
 *   PIP_NO_INDEX (ignored under --isolated) override the files.
 *   The command line and requirement files: -i replaces, the others add.
 *
 * The hosts: the index URL's (https://pypi.org/simple unless configured;
 * pypi.org's files are on files.pythonhosted.org), the extra index URLs',
 * the find-links URLs', the trusted hosts, and the hosts of direct URL
 * requirements.  --no-index drops the index URLs.
 */
#ifndef SAFEPIP_PIPCONF_H
#define SAFEPIP_PIPCONF_H

#include <stddef.h>

#include "policy/policy.h"
#include "policy/reqs.h"

#define SP_PIPCONF_FILE_MAX (256u * 1024)
#define SP_INDEX_HOSTS_MAX 256

struct sp_pipconf_env {
	const char *(*getenv)(const char *name);        /* default getenv() */
	const char *home;               /* the user's home (NULL: no user files) */
	const char *prefix;             /* sys.prefix of pip's interpreter, or NULL */
	const char *etc;                /* what stands for /etc (tests); NULL: /etc */
};

struct sp_hosts {
	char *v[SP_INDEX_HOSTS_MAX];
	size_t n;
};

/*
 * Work out the hosts for the command in pa.  Returns 0 and fills *out
 * (free with sp_hosts_free()), or -EINVAL after appending to err (a
 * pip.conf that cannot be read), -ENOMEM.  Unreadable or missing optional
 * files are skipped, as pip skips them.
 */
int sp_pip_index_hosts(const struct sp_pipargs *pa, const struct sp_pipconf_env *env,
		       struct sp_hosts *out, struct sp_errors *err);
void sp_hosts_free(struct sp_hosts *h);

#endif
