/* SPDX-License-Identifier: MIT */
/*
 * --json FILE|-: one JSON object summarising a guarded session, schema
 * "safe-pip.summary/1" (documented in safe-pip(1), JSON SUMMARY): the
 * verdict, packages with their scores and DySec feature vectors, findings
 * with their evidence and points, sensors, lost records, timings.
 *
 * The schema only grows within a version: new members may appear, none
 * is renamed, removed or changes type without a new version number.
 */
#ifndef SAFEPIP_SUMMARY_H
#define SAFEPIP_SUMMARY_H

#include "guard/kstats.h"

struct gscore_install;
struct session;
struct jw;

#define SUMMARY_SCHEMA "safe-pip.summary/1"
#define SUMMARY_DYSEC_N 36              /* DySec's 36 features, in their order */

/*
 * Write the summary to path ("-": standard output, after pip's own
 * output).  Returns 0, or -errno after saying what failed.
 */
int summary_write(struct session *s, const char *path, int exit_status);

/*
 * DySec's 36 features of one feature set, in DySec's order (filetop 5,
 * install 3, opensnoop 7, TCP 5, syscall categories 6, 3-grams 10); the
 * install features are the session's.  names (may be NULL) gets each
 * feature's name.
 */
void summary_dysec(const struct ks_features *f, unsigned total, unsigned direct, unsigned indirect,
		   uint64_t out[SUMMARY_DYSEC_N]);
const char *summary_dysec_name(unsigned i);

/* The feature groups of f as members of the current JSON object. */
void summary_features_json(struct jw *w, const struct ks_features *f);

/* The install features (guard/gscore.h) as the member "install". */
void summary_install_json(struct jw *w, const struct gscore_install *in);

#endif
