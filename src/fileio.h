/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fileio: full-read/full-write helpers that retry on EINTR and short counts,
 * small-file readers, and clocks. Nothing here logs; all return -errno.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define ELEMENTSOF(a) (sizeof(a) / sizeof((a)[0]))

/* Reads until @len bytes or end of file; returns the count or -errno. */
ssize_t read_full(int fd, void *buf, size_t len);
/* Writes all @len bytes; returns 0 or -errno (-EIO for a zero-length write). */
int write_full(int fd, const void *buf, size_t len);

/*
 * Reads at most @max bytes of a file that must not block: opened with
 * O_NONBLOCK|O_NOCTTY, so a FIFO or a tty planted under that name cannot hang
 * us. Returns the count or -errno.
 */
ssize_t read_small_file(int dirfd, const char *path, void *buf, size_t max);
/* Reads a text file into @buf (NUL-terminated, trailing newline stripped). */
int read_line_file(const char *path, char *buf, size_t size);
/* Reads a non-negative decimal integer from a sysfs/procfs file. */
int read_uint_file(const char *path, unsigned long *ret);

/* Parses a whole string as an unsigned decimal in [min, max]. */
int parse_uint(const char *s, unsigned long min, unsigned long max, unsigned long *ret);

/* Milliseconds on CLOCK_MONOTONIC (CLOCK_BOOTTIME includes suspend; not needed). */
uint64_t now_ms(void);
/* Nanoseconds on the given clock, 0 if unavailable. */
uint64_t clock_ns(int clockid);

/*
 * Normalises an absolute path of the installed system: repeated and trailing
 * slashes go, "." and ".." components are refused (-EINVAL). A trailing slash
 * would make open(O_NOFOLLOW) follow a symlink in the last component.
 */
int path_normalize(const char *in, char *out, size_t size);

/*
 * The length (1..4) of the valid UTF-8 sequence that starts @s, or 0 for an
 * invalid byte or the terminating NUL. Reads no further than a mismatch.
 */
size_t utf8_valid_len(const char *s);

/*
 * One unit of a JSON string for the text at @s (not at its NUL): an escaped
 * quote, backslash or control byte, a whole UTF-8 sequence, or "\ufffd" for a
 * byte that is not UTF-8. Writes it to @out; returns the bytes of @s used.
 */
size_t json_escape_next(const char *s, char out[8]);

/* Does the path exist (no follow of the last component)? */
bool path_exists(const char *path);
