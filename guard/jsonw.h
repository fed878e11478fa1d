/* SPDX-License-Identifier: MIT */
/*
 * A minimal streaming JSON writer.  Keys and strings are escaped as RFC 8259
 * requires; bytes that are not valid UTF-8 are written as \u00XX of the byte
 * so that paths and argv from hostile packages always give valid JSON.
 * Errors of the underlying FILE are sticky and reported by jw_end().
 */
#ifndef SAFEPIP_JSONW_H
#define SAFEPIP_JSONW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define JW_DEPTH_MAX 16

struct jw {
	FILE *f;
	int depth;
	bool first[JW_DEPTH_MAX];
	bool after_key;
	bool overflow;
};

void jw_init(struct jw *w, FILE *f);
void jw_obj(struct jw *w);              /* { */
void jw_obj_end(struct jw *w);          /* } */
void jw_arr(struct jw *w);              /* [ */
void jw_arr_end(struct jw *w);          /* ] */
void jw_key(struct jw *w, const char *k);
void jw_str(struct jw *w, const char *s);               /* NULL writes null */
void jw_strn(struct jw *w, const char *s, size_t n);
void jw_int(struct jw *w, int64_t v);
void jw_uint(struct jw *w, uint64_t v);
void jw_double(struct jw *w, double v);
void jw_bool(struct jw *w, bool v);
void jw_null(struct jw *w);

/* key + value shorthands */
void jw_kstr(struct jw *w, const char *k, const char *s);
void jw_kint(struct jw *w, const char *k, int64_t v);
void jw_kuint(struct jw *w, const char *k, uint64_t v);
void jw_kbool(struct jw *w, const char *k, bool v);
void jw_kdouble(struct jw *w, const char *k, double v);

/* Write a JSON string literal of s (n bytes) to f, escaped. */
void json_escape(FILE *f, const char *s, size_t n);

#endif
