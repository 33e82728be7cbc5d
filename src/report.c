// SPDX-License-Identifier: GPL-2.0-or-later
/* report: JSON record of each run, appended to /run/bootseed/report.json. */
#include "report.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fileio.h"
#include "paths.h"

#define REPORT_RUN_MAX	(32 * 1024)
#define REPORT_FILE_MAX (512 * 1024)

static const char report_head[] = "{\"runs\":[\n";
static const char report_tail[] = "\n]}\n";

struct report_source *report_add(struct report_run *run, const char *name, size_t bytes,
				 unsigned credited_bits, const char *health,
				 const char *reason)
{
	if (run->n_sources >= REPORT_MAX_SOURCES)
		return NULL;
	struct report_source *s = &run->sources[run->n_sources++];
	snprintf(s->name, sizeof(s->name), "%s", name);
	s->bytes = bytes;
	s->credited_bits = credited_bits;
	s->health = health;
	snprintf(s->reason, sizeof(s->reason), "%s", reason ? reason : "");
	return s;
}

struct jbuf {
	char *p;
	size_t size, len;
	bool overflow;
};

static void jb_raw(struct jbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void jb_raw(struct jbuf *b, const char *fmt, ...)
{
	va_list ap;

	if (b->overflow)
		return;
	va_start(ap, fmt);
	int n = vsnprintf(b->p + b->len, b->size - b->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= b->size - b->len)
		b->overflow = true;
	else
		b->len += (size_t)n;
}

static void jb_str(struct jbuf *b, const char *s)
{
	char piece[8];

	jb_raw(b, "\"");
	while (s && *s) {
		s += json_escape_next(s, piece);
		jb_raw(b, "%s", piece);
	}
	jb_raw(b, "\"");
}

static void jb_key_str(struct jbuf *b, const char *key, const char *val)
{
	jb_raw(b, "\"%s\":", key);
	jb_str(b, val);
	jb_raw(b, ",");
}

static void jb_tristate(struct jbuf *b, const char *key, int v)
{
	jb_raw(b, "\"%s\":%s,", key, v < 0 ? "null" : v ? "true" : "false");
}

static void jb_int_or_null(struct jbuf *b, const char *key, int v)
{
	if (v < 0)
		jb_raw(b, "\"%s\":null,", key);
	else
		jb_raw(b, "\"%s\":%d,", key, v);
}

int report_format_run(const struct report_run *run, char *buf, size_t size)
{
	struct jbuf b = { .p = buf, .size = size };

	jb_raw(&b, "{");
	jb_key_str(&b, "command", run->command);
	if (run->stage)
		jb_key_str(&b, "stage", run->stage);
	jb_key_str(&b, "root", run->root);
	jb_key_str(&b, "seed_dir", run->seed_dir);
	jb_raw(&b, "\"boottime_ms\":%llu,\"elapsed_ms\":%llu,",
	       (unsigned long long)run->boottime_ms, (unsigned long long)run->elapsed_ms);
	jb_raw(&b, "\"cpu_us\":%llu,\"maxrss_kb\":%ld,", (unsigned long long)run->cpu_us,
	       run->maxrss_kb);
	jb_int_or_null(&b, "entropy_avail_before", run->entropy_before);
	jb_int_or_null(&b, "entropy_avail_after", run->entropy_after);
	jb_tristate(&b, "crng_ready_before", run->crng_before);
	jb_tristate(&b, "crng_ready_after", run->crng_after);
	if (run->crng_ready_ms >= 0)
		jb_raw(&b, "\"crng_ready_ms\":%lld,", (long long)run->crng_ready_ms);
	else
		jb_raw(&b, "\"crng_ready_ms\":null,");
	jb_raw(&b, "\"credited_bits\":%u,\"sources\":[", run->credited_bits);
	for (size_t i = 0; i < run->n_sources; i++) {
		const struct report_source *s = &run->sources[i];
		jb_raw(&b, "%s\n {", i ? "," : "");
		jb_key_str(&b, "name", s->name);
		jb_raw(&b, "\"bytes\":%zu,\"credited_bits\":%u,", s->bytes, s->credited_bits);
		jb_key_str(&b, "health", s->health);
		if (s->detail[0])
			jb_key_str(&b, "detail", s->detail);
		jb_raw(&b, "\"reason\":");
		jb_str(&b, s->reason);
		jb_raw(&b, "}");
	}
	jb_raw(&b, "],");
	if (run->remount[0])
		jb_key_str(&b, "remount", run->remount);
	jb_raw(&b, "\"new_seed\":");
	if (run->new_seed[0]) {
		jb_raw(&b, "{\"name\":");
		jb_str(&b, run->new_seed);
		jb_raw(&b, ",\"bytes\":%zu}", run->new_seed_bytes);
	} else {
		jb_raw(&b, "null");
	}
	jb_raw(&b, ",\"exit_status\":%d}", run->exit_status);
	return b.overflow ? -ENOBUFS : (int)b.len;
}

/* The existing report's runs, without head and tail, or "" if none/unusable. */
static size_t report_existing_body(char *buf, size_t size)
{
	ssize_t n = read_small_file(AT_FDCWD, paths.report, buf, size);
	size_t hl = sizeof(report_head) - 1, tl = sizeof(report_tail) - 1;

	if (n <= 0)
		return 0;
	if ((size_t)n < hl + tl || (size_t)n == size || memcmp(buf, report_head, hl) != 0 ||
	    memcmp(buf + n - tl, report_tail, tl) != 0) {
		/* Not ours or cut short: keep it aside rather than lose it. */
		char old[PATH_MAX + 8];
		snprintf(old, sizeof(old), "%s.old", paths.report);
		(void)rename(paths.report, old);
		return 0;
	}
	size_t body = (size_t)n - hl - tl;
	memmove(buf, buf + hl, body);
	return body;
}

static int report_write(const char *data, size_t len)
{
	char tmp[PATH_MAX + 8];
	snprintf(tmp, sizeof(tmp), "%s.tmp", paths.report);
	int fd = paths_run_open(tmp, O_TRUNC);
	if (fd < 0)
		return fd;
	int r = write_full(fd, data, len);
	if (close(fd) < 0 && r == 0)
		r = -errno;
	if (r == 0 && rename(tmp, paths.report) < 0)
		r = -errno;
	if (r < 0)
		(void)unlink(tmp);
	return r;
}

int report_append(const struct report_run *run)
{
	char *file = malloc(REPORT_FILE_MAX + REPORT_RUN_MAX + 32);
	if (!file)
		return -ENOMEM;

	size_t hl = sizeof(report_head) - 1;
	size_t body = report_existing_body(file + hl, REPORT_FILE_MAX);
	memcpy(file, report_head, hl);
	size_t len = hl + body;
	if (body > 0) {
		memcpy(file + len, ",\n", 2);
		len += 2;
	}
	int n = report_format_run(run, file + len, REPORT_RUN_MAX);
	int r = n;
	if (n >= 0) {
		len += (size_t)n;
		memcpy(file + len, report_tail, sizeof(report_tail) - 1);
		len += sizeof(report_tail) - 1;
		r = report_write(file, len);
	}
	free(file);
	return r;
}
