/* SPDX-License-Identifier: MIT */
/*
 * What a pip command asks for, read the way pip reads it: the requirement
 * arguments of install/download/wheel and the requirement (-r) and
 * constraint (-c) files they name, recursively, with pip's comments, line
 * continuations, ${VAR} expansion and per-file options; plus the index
 * options (-i, --extra-index-url, -f, --trusted-host, --no-index) found on
 * the command line and in those files.
 *
 * Used before pip starts, to check the requested names against the policy
 * and to learn which hosts pip will download from.
 */
#ifndef SAFEPIP_REQS_H
#define SAFEPIP_REQS_H

#include <stdbool.h>
#include <stddef.h>

#include "policy/policy.h"

#define SP_REQ_DEPTH_MAX 10             /* nesting of -r / -c files */
#define SP_REQ_FILES_MAX 64             /* requirement files read */
#define SP_REQ_FILE_MAX (1u << 20)      /* bytes of one requirement file */
#define SP_REQS_MAX 10000               /* requirements in all */
#define SP_REQ_LINE_MAX 65536           /* bytes of one (joined) line */

struct sp_req {
	const char *text;               /* as written */
	const char *name;               /* PEP 503-normalised; NULL when unknown */
	const char *version;            /* the exact version it pins, or NULL */
	const char *url;                /* direct URL, archive or path; NULL for a name */
	bool from_index;                /* a name pip looks up in an index */
	bool constraint;                /* from a -c file: installs nothing itself */
	bool editable;                  /* -e */
	struct sp_loc loc;              /* file and line; "command line" and argument number */
};

struct sp_strv {
	const char **v;
	size_t n, cap;
};

struct sp_pipargs_arena;

struct sp_pipargs {
	struct sp_pipargs_arena *ar;
	const char *cwd;                /* base of relative paths on the command line */
	const char *command;            /* install, download, wheel, ... (NULL if none) */
	struct sp_req *reqs;
	size_t nreqs, capreqs;
	/* index options of the command line and the requirement files, in order */
	const char *index_url;          /* the last -i, NULL if none */
	struct sp_strv extra_index_urls, find_links, trusted_hosts;
	bool no_index;
	bool isolated;                  /* --isolated */
	unsigned nfiles;                /* requirement files read */
};

/* Where to find what the parser reads; NULL members mean the defaults. */
struct sp_pipargs_env {
	const char *(*getenv)(const char *name);        /* default getenv() */
	const char *cwd;                /* base of relative paths; default the process's */
};

/*
 * Parse pip's argv (without "python -m pip": general options, command,
 * arguments).  Requirement files are read and parsed.  Returns 0, or
 * -EINVAL (bad or unreadable requirement file, a limit exceeded, a
 * requirement file given by http(s) URL, which cannot be checked offline)
 * after appending to err, or -ENOMEM.  A requirement safe-pip cannot read
 * as a name (pip will refuse it, or it is a path) is kept with name NULL.
 * Free with sp_pipargs_free() in any case.
 */
int sp_pipargs_parse(struct sp_pipargs *pa, int argc, char *const *argv,
		     const struct sp_pipargs_env *env, struct sp_errors *err);
void sp_pipargs_free(struct sp_pipargs *pa);

/*
 * Parse one requirement as pip would (PEP 508, a URL, or a path to an
 * archive or a project).  Exposed for tests; fills name/version/url/
 * from_index of r (strings from the pipargs arena).  Returns 0 or -ENOMEM.
 */
int sp_req_parse(struct sp_pipargs *pa, const char *text, struct sp_req *r);

/* The pinned version of name in the constraints, or NULL. */
const char *sp_pipargs_constraint_pin(const struct sp_pipargs *pa, const char *name);

/*
 * The host of a URL ("https://user:pw@Host:8080/x" -> "host"), lower case,
 * into out.  false when s is not a URL with a host.
 */
bool sp_url_host(const char *s, char *out, size_t outlen);

#endif
