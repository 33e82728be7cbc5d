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
#include "hwrng.h"
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

/* Stages a source runs in; "all" is both. */
enum source_stage {
	SOURCE_EARLY = 1 << 0, /* the devices: before the root is mounted */
	SOURCE_LATE = 1 << 1,  /* the seed file and what needs the root */
};

/* What one load run shares between its sources. */
struct source_ctx {
	struct mix *m;
	const struct config *cfg;
	unsigned stage;		/* SOURCE_EARLY, SOURCE_LATE, or both ("all") */
	char done_earlier[128]; /* devices an earlier stage of this boot read */
	char done_now[128];	/* devices this run read, for the marker */
	bool read_ok;		/* set by a row that read its device */
	/* shared by the device rows */
	struct hwrng_info hw;
	bool tpm_tried, tpm_read, tpm_failed;
	int tpm_error; /* with tpm_failed: the TPM read's -errno */
};

struct source {
	const char *name;
	unsigned stages; /* enum source_stage bits */
	bool device;	 /* read once per boot (devices-done) */
	size_t enabled;	 /* offsetof its bool key in struct config, or (size_t)-1: always */
	int (*run)(struct source_ctx *c); /* returns exit bits */
};

/* Runs the rows of the source table that belong to c->stage; returns exit bits. */
int sources_load(struct source_ctx *c);
