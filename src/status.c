// SPDX-License-Identifier: GPL-2.0-or-later
/* status: the state of the pool, the devices and the seed files. */
#include "status.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bootseed.h"
#include "fileio.h"
#include "paths.h"
#include "pool.h"
#include "seedfile.h"

#define STATUS_REPORT_MAX (512 * 1024)

struct status_seed {
	const char *name;
	int error; /* 0 when inspected */
	struct stat st;
	struct seed_facts f;
	unsigned credit;
	enum seed_reason reason;
};

struct status {
	int entropy, poolsize, ready;
	char hwrng_current[64], hwrng_available[256];
	long hwrng_quality; /* -1: no hwrng or no quality file */
	bool tpmrm0, tpm0;
	char seed_dir[PATH_MAX];
	int dir_error;
	bool dir_private;
	struct status_seed seeds[2];
	char *report;
};

static void status_hwrng(struct status *s)
{
	char path[PATH_MAX + 32];
	unsigned long q;

	snprintf(path, sizeof(path), "%s/rng_current", paths.hwrng_dir);
	if (read_line_file(path, s->hwrng_current, sizeof(s->hwrng_current)) < 0)
		s->hwrng_current[0] = '\0';
	snprintf(path, sizeof(path), "%s/rng_available", paths.hwrng_dir);
	if (read_line_file(path, s->hwrng_available, sizeof(s->hwrng_available)) < 0)
		s->hwrng_available[0] = '\0';
	snprintf(path, sizeof(path), "%s/rng_quality", paths.hwrng_dir);
	s->hwrng_quality = read_uint_file(path, &q) < 0 ? -1 : (long)(q > 1024 ? 1024 : q);
}

static void status_seeds(struct status *s, const struct config *cfg)
{
	bool first = seed_first_boot(false);

	s->seeds[0].name = SEED_NAME_CREDIT;
	s->seeds[1].name = SEED_NAME_NO_CREDIT;
	if (path_under_root(s->seed_dir, sizeof(s->seed_dir), cfg->seed_dir) < 0) {
		s->dir_error = -ENAMETOOLONG;
		return;
	}
	int dfd = seed_dir_open(cfg->seed_dir, false, &s->dir_private);
	if (dfd < 0) {
		s->dir_error = dfd;
		return;
	}
	bool written = seed_written_this_boot(dfd);
	for (size_t i = 0; i < ELEMENTSOF(s->seeds); i++) {
		struct status_seed *x = &s->seeds[i];
		x->error = seed_inspect(dfd, x->name, &x->f, &x->st);
		x->f.creditable_name = i == 0;
		x->f.credit_enabled = cfg->seed_credit;
		x->f.first_boot = first;
		x->f.dir_private = s->dir_private;
		x->f.written_this_boot = written;
		x->f.consumed = SEED_CONSUMED; /* "if it can be consumed" */
		if (x->error == 0)
			x->credit = seed_credit_decide(&x->f, &x->reason);
	}
	close(dfd);
}

static void status_gather(struct status *s, const struct config *cfg)
{
	char path[PATH_MAX + 16];

	s->entropy = pool_entropy_avail();
	s->poolsize = pool_size_bits();
	s->ready = pool_crng_ready();
	status_hwrng(s);
	snprintf(path, sizeof(path), "%s/tpmrm0", paths.dev_dir);
	s->tpmrm0 = path_exists(path);
	snprintf(path, sizeof(path), "%s/tpm0", paths.dev_dir);
	s->tpm0 = path_exists(path);
	status_seeds(s, cfg);
	s->report = malloc(STATUS_REPORT_MAX + 1);
	if (s->report) {
		ssize_t n = read_small_file(AT_FDCWD, paths.report, s->report, STATUS_REPORT_MAX);
		if (n >= 0)
			s->report[n] = '\0';
		/* Only embed what has the shape we write; anything else is "null". */
		if (n <= 0 || strncmp(s->report, "{\"runs\":[", 9) != 0 ||
		    (size_t)n < 12 || strcmp(s->report + n - 4, "\n]}\n") != 0) {
			free(s->report);
			s->report = NULL;
		}
	}
}

static const char *yesno(int v)
{
	return v < 0 ? "unknown" : v ? "yes" : "no";
}

static void status_print_text(const struct status *s)
{
	printf("pool: entropy_avail %d of %d bits, crng ready: %s\n", s->entropy, s->poolsize,
	       yesno(s->ready));
	if (s->hwrng_current[0] && strcmp(s->hwrng_current, "none") != 0)
		printf("hwrng: %s, kernel quality %ld (%s); available: %s\n", s->hwrng_current,
		       s->hwrng_quality,
		       s->hwrng_quality > 0 ? "credited by the kernel" : "not credited by the kernel",
		       s->hwrng_available);
	else
		printf("hwrng: none\n");
	printf("tpm: /dev/tpmrm0 %s, /dev/tpm0 %s\n", s->tpmrm0 ? "present" : "absent",
	       s->tpm0 ? "present" : "absent");
	if (s->dir_error) {
		printf("seed directory: %s: %s\n", s->seed_dir, strerror(-s->dir_error));
	} else {
		printf("seed directory: %s (%s)\n", s->seed_dir,
		       s->dir_private ? "private" : "NOT private: no seed will be credited");
		for (size_t i = 0; i < ELEMENTSOF(s->seeds); i++) {
			const struct status_seed *x = &s->seeds[i];
			if (x->error == -ENOENT)
				printf("  %s: absent\n", x->name);
			else if (x->error)
				printf("  %s: unusable: %s\n", x->name, strerror(-x->error));
			else if (x->credit)
				printf("  %s: %lld bytes, mode %04o, uid %u: would be credited "
				       "%u bits\n",
				       x->name, (long long)x->f.len, x->st.st_mode & 07777,
				       (unsigned)x->st.st_uid, x->credit);
			else
				printf("  %s: %lld bytes, mode %04o, uid %u: would not be "
				       "credited: %s\n",
				       x->name, (long long)x->f.len, x->st.st_mode & 07777,
				       (unsigned)x->st.st_uid, seed_reason_str(x->reason));
		}
	}
	if (s->report)
		printf("last report (%s):\n%s", paths.report, s->report);
	else
		printf("last report: none (%s)\n", paths.report);
}

static void json_str(const char *v)
{
	char piece[8];

	putchar('"');
	while (*v) {
		v += json_escape_next(v, piece);
		fputs(piece, stdout);
	}
	putchar('"');
}

static void status_print_json(const struct status *s)
{
	printf("{\"entropy_avail\":%d,\"poolsize\":%d,\"crng_ready\":%s,", s->entropy,
	       s->poolsize, s->ready < 0 ? "null" : s->ready ? "true" : "false");
	printf("\"hwrng\":{\"current\":");
	json_str(s->hwrng_current);
	printf(",\"available\":");
	json_str(s->hwrng_available);
	if (s->hwrng_quality < 0)
		printf(",\"quality\":null},");
	else
		printf(",\"quality\":%ld},", s->hwrng_quality);
	printf("\"tpm\":{\"tpmrm0\":%s,\"tpm0\":%s},", s->tpmrm0 ? "true" : "false",
	       s->tpm0 ? "true" : "false");
	printf("\"seed_dir\":");
	json_str(s->seed_dir);
	printf(",\"seed_dir_error\":");
	json_str(s->dir_error ? strerror(-s->dir_error) : "");
	printf(",\"seeds\":[");
	for (size_t i = 0; i < ELEMENTSOF(s->seeds); i++) {
		const struct status_seed *x = &s->seeds[i];
		printf("%s{\"name\":\"%s\",\"present\":%s", i ? "," : "", x->name,
		       !s->dir_error && x->error != -ENOENT ? "true" : "false");
		if (!s->dir_error && x->error == 0)
			printf(",\"bytes\":%lld,\"mode\":\"%04o\",\"uid\":%u,\"credit_bits\":%u",
			       (long long)x->f.len, x->st.st_mode & 07777,
			       (unsigned)x->st.st_uid, x->credit);
		printf(",\"reason\":");
		json_str(s->dir_error ? ""
			 : x->error ? (x->error == -ENOENT ? "" : strerror(-x->error))
				    : seed_reason_str(x->reason));
		printf("}");
	}
	/* The report is our own JSON; embed it whole. */
	printf("],\"report\":%s}\n", s->report ? s->report : "null");
}

int status_show(const struct config *cfg, bool json)
{
	struct status s = { 0 };

	status_gather(&s, cfg);
	if (json)
		status_print_json(&s);
	else
		status_print_text(&s);
	free(s.report);
	return 0;
}
