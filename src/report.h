/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * report: the machine-readable record of a run, /run/bootseed/report.json.
 * The file is {"runs":[...]}; each run of the same boot (initramfs, real root,
 * shutdown) appends one object, so no stage's record is lost.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define REPORT_MAX_SOURCES 24
#define REPORT_REASON_MAX  200

struct report_source {
	char name[40];
	size_t bytes;
	unsigned credited_bits;
	const char *health; /* "pass", "fail", "n/a" */
	char reason[REPORT_REASON_MAX];
	char detail[96]; /* e.g. "device=/dev/tpmrm0 commands=2"; "" if none */
};

struct report_run {
	const char *command;
	const char *stage; /* load: "early", "late" or "all"; NULL otherwise */
	const char *root;
	const char *seed_dir;
	uint64_t boottime_ms; /* when the run started, since boot */
	uint64_t start_ms;    /* when the run started, now_ms() */
	uint64_t elapsed_ms;
	/*
	 * ms from the start until this run's credit made the crng ready, in the
	 * same clock as elapsed_ms; -1 if it did not (ready before, or never).
	 */
	int64_t crng_ready_ms;
	uint64_t cpu_us;    /* user + system CPU time of the process (getrusage) */
	long maxrss_kb;	    /* peak resident set size (VmHWM: its own, not the parent's) */
	int entropy_before, entropy_after; /* -1: unknown */
	int crng_before, crng_after;	   /* 1, 0, or -1: unknown */
	unsigned credited_bits;
	struct report_source sources[REPORT_MAX_SOURCES];
	size_t n_sources;
	char remount[200]; /* the late stage's read-write window, or why none; "" n/a */
	char new_seed[32]; /* "" when none was written */
	size_t new_seed_bytes;
	int exit_status;
};

/* Adds a source record; returns NULL (and drops it) when the table is full. */
struct report_source *report_add(struct report_run *run, const char *name, size_t bytes,
				 unsigned credited_bits, const char *health,
				 const char *reason);
/* Serializes one run as a JSON object into @buf; returns its length or -errno. */
int report_format_run(const struct report_run *run, char *buf, size_t size);
/* Appends the run to the report file; returns 0 or -errno. */
int report_append(const struct report_run *run);
