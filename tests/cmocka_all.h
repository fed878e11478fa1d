/* SPDX-License-Identifier: MIT */
/* cmocka needs these, in this order, before its own header. */
#ifndef SAFEPIP_CMOCKA_ALL_H
#define SAFEPIP_CMOCKA_ALL_H
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#endif
