// SPDX-License-Identifier: GPL-2.0-or-later
/* log: lines to /dev/kmsg and stderr. */
#include "log.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"

static const char *log_kmsg_path = "/dev/kmsg";
static bool log_verbose;
static unsigned log_n_warnings;

/* An empty @kmsg_path logs to stderr only (used by "status"). */
void log_init(const char *kmsg_path, bool verbose)
{
	if (kmsg_path)
		log_kmsg_path = kmsg_path;
	log_verbose = verbose;
}

void log_set_verbose(bool verbose)
{
	log_verbose = verbose;
}

/*
 * The kernel rate-limits writes to /dev/kmsg per open file (10 lines per 5 s
 * unless printk.devkmsg=on), and a load writes more than ten lines. Opening the
 * device for each line gives each line a fresh budget; it costs one open.
 */
static bool log_to_kmsg(int prio, const char *line)
{
	char buf[1100];
	bool ok = false;
	if (!*log_kmsg_path)
		return false;
	int fd = open(log_kmsg_path, O_WRONLY | O_APPEND | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return false;
	int n = snprintf(buf, sizeof(buf), "<%d>bootseed: %s\n", prio, line);
	if (n > 0)
		ok = write_full(fd, buf, strnlen(buf, sizeof(buf))) == 0;
	close(fd);
	return ok;
}

/*
 * Under systemd, stderr goes to the journal, which also reads the kernel log:
 * every line would be there twice. systemd names the stream it connected in
 * $JOURNAL_STREAM ("dev:ino"); when stderr is that stream, a line that reached
 * the kernel log is not written again.
 */
static bool log_stderr_is_journal(void)
{
	static int cached = -1;
	if (cached < 0) {
		const char *e = getenv("JOURNAL_STREAM");
		char *end;
		struct stat st;
		cached = 0;
		if (e && fstat(2, &st) == 0) {
			unsigned long long dev = strtoull(e, &end, 10);
			cached = *end == ':' && dev == (unsigned long long)st.st_dev &&
				 strtoull(end + 1, &end, 10) == (unsigned long long)st.st_ino &&
				 *end == '\0';
		}
	}
	return cached;
}

/*
 * A line is one record, and what a console shows: a value (a modalias from
 * firmware, a path) must neither break it in two nor send control sequences
 * to the terminal. Control bytes become \xNN.
 */
static void log_escape(const char *in, char *out, size_t size)
{
	size_t n = 0;

	for (; *in && n + 5 < size; in++) {
		unsigned char c = (unsigned char)*in;
		if (c < 0x20 || c == 0x7f)
			n += (size_t)snprintf(out + n, size - n, "\\x%02x", c);
		else
			out[n++] = (char)c;
	}
	out[n] = '\0';
}

void log_msg(int prio, const char *fmt, ...)
{
	char raw[1024], line[1024];
	va_list ap;

	if (prio <= LOG_WARNING)
		log_n_warnings++;
	if (prio == LOG_DEBUG && !log_verbose)
		return;
	va_start(ap, fmt);
	vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	log_escape(raw, line, sizeof(line));
	if (!log_to_kmsg(prio, line) || !log_stderr_is_journal())
		fprintf(stderr, "bootseed: %s\n", line);
}

unsigned log_warnings(void)
{
	return log_n_warnings;
}
