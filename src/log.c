// SPDX-License-Identifier: GPL-2.0-or-later
/* log: lines to /dev/kmsg and stderr. */
#include "log.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
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
static void log_to_kmsg(int prio, const char *line)
{
	char buf[1100];
	if (!*log_kmsg_path)
		return;
	int fd = open(log_kmsg_path, O_WRONLY | O_APPEND | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return;
	int n = snprintf(buf, sizeof(buf), "<%d>bootseed: %s\n", prio, line);
	if (n > 0)
		(void)write_full(fd, buf, strnlen(buf, sizeof(buf)));
	close(fd);
}

void log_msg(int prio, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	if (prio <= LOG_WARNING)
		log_n_warnings++;
	if (prio == LOG_DEBUG && !log_verbose)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	/* A line is one record: never let a value break it into two. */
	for (char *p = line; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	log_to_kmsg(prio, line);
	fprintf(stderr, "bootseed: %s\n", line);
}

unsigned log_warnings(void)
{
	return log_n_warnings;
}
