/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * testhook: named points where the test build (-DBOOTSEED_TEST_HOOKS) can be
 * made to crash, pause or fail an operation, for the fault suite. In the
 * shipped binary both are empty inlines and vanish.
 *   BOOTSEED_TEST_CRASH_AT=STEP      raise(SIGKILL) at STEP (a crash there)
 *   BOOTSEED_TEST_PAUSE_AT=STEP[:MS] say "bootseed-test: paused at STEP" on
 *                                    stderr and sleep MS (default 60000) ms
 *   BOOTSEED_TEST_FAIL_AT=OP:ERRNO   the operation OP fails with ERRNO (EIO,
 *                                    ENOSPC, EROFS, EDQUOT or a number)
 * STEPs (seedfile.c), in order: locked, remounted, tmp-open, tmp-partial,
 * tmp-written, tmp-synced, renamed, unlinked, dir-synced, credited. OPs:
 * write, fsync-tmp, rename, unlink, fsync-dir (seedfile.c), remount
 * (remount.c).
 */
#pragma once

#ifdef BOOTSEED_TEST_HOOKS
void test_point(const char *step);
/* 0, or the -errno that OP is to fail with. */
int test_fault(const char *op);
#else
static inline void test_point(const char *step)
{
	(void)step;
}

static inline int test_fault(const char *op)
{
	(void)op;
	return 0;
}
#endif
