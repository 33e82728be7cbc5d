/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * bootseed: exit status bits (one per stage that failed; see bootseed(8)) and
 * the sizes shared by several modules.
 */
#pragma once

#define BOOTSEED_VERSION "0.1"

enum {
	EXIT_POOL = 1 << 0,	    /* feeding the kernel failed */
	EXIT_SEED_READ = 1 << 1,    /* seed directory or a seed unreadable/unsafe */
	EXIT_SEED_CONSUME = 1 << 2, /* a seed could not be durably removed */
	EXIT_SEED_WRITE = 1 << 3,   /* the next seed could not be written */
	EXIT_REPORT = 1 << 4,	    /* /run/bootseed/report.json not written */
	EXIT_MODULES = 1 << 5,	    /* an RNG driver module failed to load */
	EXIT_DEVICES = 1 << 6,	    /* a TPM, hwrng or CPU source failed */
	EXIT_USAGE = 1 << 7,	    /* bad command line */
};
