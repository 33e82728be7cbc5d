/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * unit: a very small test harness. Each TEST is a function; a test fails if any
 * CHECK in it fails, and is skipped (visibly) if it calls SKIP. The last line
 * is "N passed, N failed, N skipped"; the exit status is 1 on any failure.
 */
#pragma once

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int unit_passed, unit_failed, unit_skipped;
static int unit_cur_failed, unit_cur_skipped;

#define CHECK(cond)                                                                    \
	do {                                                                           \
		if (!(cond)) {                                                         \
			fprintf(stderr, "  FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond); \
			unit_cur_failed = 1;                                           \
		}                                                                      \
	} while (0)

#define SKIP(why)                                                                      \
	do {                                                                           \
		fprintf(stderr, "  SKIP: %s\n", why);                                  \
		unit_cur_skipped = 1;                                                  \
		return;                                                                \
	} while (0)

#define RUN(fn)                                                                        \
	do {                                                                           \
		unit_cur_failed = unit_cur_skipped = 0;                                \
		fn();                                                                  \
		if (unit_cur_failed)                                                   \
			unit_failed++;                                                 \
		else if (unit_cur_skipped)                                             \
			unit_skipped++;                                                \
		else                                                                   \
			unit_passed++;                                                 \
		printf("%s %s\n",                                                      \
		       unit_cur_failed ? "not ok" : unit_cur_skipped ? "skip  " : "ok    ", \
		       #fn);                                                           \
	} while (0)

static inline int unit_done(void)
{
	printf("%d passed, %d failed, %d skipped\n", unit_passed, unit_failed, unit_skipped);
	return unit_failed ? 1 : 0;
}
