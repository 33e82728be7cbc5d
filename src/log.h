/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * log: one line per event, to /dev/kmsg (so it lands in the kernel log and the
 * journal even in an initramfs) and to stderr. Every line starts "bootseed: ".
 * Never pass random or seed bytes to these functions.
 */
#pragma once

#include <stdbool.h>
#include <syslog.h>

void log_init(const char *kmsg_path, bool verbose);
void log_set_verbose(bool verbose);
/* How many warnings or errors were logged so far (tests and summaries). */
unsigned log_warnings(void);
void log_msg(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_err(...)   log_msg(LOG_ERR, __VA_ARGS__)
#define log_warn(...)  log_msg(LOG_WARNING, __VA_ARGS__)
#define log_info(...)  log_msg(LOG_NOTICE, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)
