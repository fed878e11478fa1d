/* SPDX-License-Identifier: MIT */
/*
 * Distributions being built in a session, and how a build process is
 * attributed to one: by its source directory (the working directory pip
 * gives the build backend), named from the sdist's PKG-INFO, else
 * pyproject.toml [project], setup.cfg [metadata], else pip's unpack
 * directory name.
 */
#ifndef SAFEPIP_DIST_H
#define SAFEPIP_DIST_H

#include <stddef.h>

#define DIST_NAME_MAX 128

struct dist {
	char name[DIST_NAME_MAX];       /* as the package spells it */
	char version[64];               /* "" when unknown */
	char *srcdir;                   /* where it was built, NULL if unknown */
};

struct dists {
	struct dist *v;
	size_t n, cap;
};

/* A build directory that was gone when looked up: this, then its last component. */
#define DIST_GONE_PREFIX "/(gone)/"

/*
 * Index of the distribution built in srcdir, added when new.  Reads the
 * metadata files of srcdir (bounded).  A DIST_GONE_PREFIX path is the
 * distribution whose directory has that last component, seen before or
 * after.  Returns the index or -errno.
 */
int dists_for_srcdir(struct dists *d, const char *srcdir);
void dists_free(struct dists *d);

/* PEP 503 normalisation: lower case, runs of "-_." become one "-". */
void pep503_normalize(const char *in, char *out, size_t outlen);

/*
 * Metadata parsers, exposed for tests.  Each fills name (and version when
 * the format has one) from buf and returns 0, or -ENOENT when buf has no
 * name.  Names are validated against PEP 508's name grammar.
 */
int parse_pkg_info(const char *buf, char *name, size_t nlen, char *ver, size_t vlen);
int parse_pyproject_name(const char *buf, char *name, size_t nlen);
int parse_setup_cfg_name(const char *buf, char *name, size_t nlen);
/* "demo-pkg_0123...cdef" (pip's unpack dir) -> "demo-pkg"; -ENOENT otherwise */
int parse_unpack_dir(const char *base, char *name, size_t nlen);

#endif
