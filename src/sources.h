/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sources: the hardware stage of "load". Loads the RNG drivers, then reads the
 * TPM, the hwrng and the CPU; each sample passes the health tests before any
 * credit, and no device is credited that the kernel already counts.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "mix.h"

/* What the credit decision for one device sample looks at. */
struct device_facts {
	size_t bytes;		  /* sample length */
	unsigned bits_per_byte;	  /* configured credit, 0..8 */
	const char *zero_default; /* why the configured credit is 0, if it is */
	bool health_pass;
	const char *health_why;	  /* the failed test, when !health_pass */
	bool kernel_credits;	  /* the kernel already credits this very device */
	long kernel_quality;
};

/*
 * Returns the bits to credit and writes the reason into @reason when it is
 * less than bytes × 8 (otherwise @reason is ""). Table-tested.
 */
unsigned device_credit_decide(const struct device_facts *f, char *reason, size_t size);

/*
 * Runs modules, TPM, hwrng and CPU (a TPM present from the start before the
 * modules); returns exit bits.
 */
int sources_run(struct mix *m, const struct config *cfg);
