// SPDX-License-Identifier: GPL-2.0-or-later
/* hwrng: rng_current/rng_quality, and a bounded read of /dev/hwrng. */
#include "hwrng.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "child.h"
#include "fileio.h"
#include "paths.h"

int hwrng_info_read(struct hwrng_info *ret)
{
	char path[PATH_MAX + 32];
	unsigned long q;

	memset(ret, 0, sizeof(*ret));
	ret->quality = -1;
	snprintf(path, sizeof(path), "%s/rng_current", paths.hwrng_dir);
	int r = read_line_file(path, ret->current, sizeof(ret->current));
	if (r < 0)
		return r;
	if (strcmp(ret->current, "none") == 0)
		ret->current[0] = '\0';
	snprintf(path, sizeof(path), "%s/rng_available", paths.hwrng_dir);
	if (read_line_file(path, ret->available, sizeof(ret->available)) < 0)
		ret->available[0] = '\0';
	/* rng_quality exists since about 5.18; older kernels credit per driver. */
	snprintf(path, sizeof(path), "%s/rng_quality", paths.hwrng_dir);
	if (read_uint_file(path, &q) == 0)
		ret->quality = q > 1024 ? 1024 : (long)q;
	return 0;
}

bool hwrng_is_tpm(const struct hwrng_info *info)
{
	return strncmp(info->current, "tpm-rng", 7) == 0;
}

bool hwrng_kernel_credits(const struct hwrng_info *info)
{
	/*
	 * Unknown quality (old kernel without rng_quality) counts as credited:
	 * when in doubt, do not count the device a second time.
	 */
	return info->current[0] && info->quality != 0;
}

bool hwrng_kernel_credits_tpm(const struct hwrng_info *info)
{
	/*
	 * On 6.1 the TPM registers with quality 0 and a virtio-rng at 1000; if both
	 * are present this says "yes" although the kernel credits only the virtio
	 * one. That errs towards not crediting the TPM, and the virtio-rng has
	 * filled the pool anyway.
	 */
	return (hwrng_is_tpm(info) || strstr(info->available, "tpm-rng")) &&
	       hwrng_kernel_credits(info);
}

size_t hwrng_available_count(void)
{
	struct hwrng_info hw;
	size_t n = 0;

	if (hwrng_info_read(&hw) < 0)
		return 0;
	for (const char *p = hw.available; *p;) {
		p += strspn(p, " \t");
		if (!*p)
			break;
		n++;
		p += strcspn(p, " \t");
	}
	return n;
}

size_t hwrng_wait_available(size_t want, unsigned timeout_ms)
{
	const struct timespec poll = { 0, 10 * 1000000L };
	uint64_t deadline = now_ms() + timeout_ms;
	size_t n;

	while ((n = hwrng_available_count()) < want && now_ms() < deadline)
		nanosleep(&poll, NULL);
	return n;
}

enum { HWRNG_MSG_DATA = 1 };

struct hwrng_job {
	const char *path;
	size_t len;
};

/* In the child: a plain blocking read, which is what a driver expects. */
static int hwrng_job(int out, void *arg)
{
	const struct hwrng_job *j = arg;
	unsigned char buf[512];
	int r = 0;

	int fd = open(j->path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	for (size_t left = j->len; left > 0 && r == 0;) {
		size_t n = left < sizeof(buf) ? left : sizeof(buf);
		ssize_t got = read_full(fd, buf, n);
		if (got < 0)
			r = (int)got;
		else if ((size_t)got < n)
			r = -EIO; /* a short read */
		else
			r = child_send(out, HWRNG_MSG_DATA, buf, n);
		left -= n;
	}
	explicit_bzero(buf, sizeof(buf));
	close(fd);
	return r;
}

int hwrng_read(const char *path, void *buf, size_t len, unsigned timeout_ms)
{
	struct hwrng_job job = {.path = path, .len = len};
	struct child c;
	size_t done = 0, n;

	if (access(path, R_OK) < 0)
		return -errno;
	int r = child_start(&c, timeout_ms, hwrng_job, &job);
	while (r == 0) {
		r = child_next(&c, &n);
		if (r == HWRNG_MSG_DATA && n <= len - done) {
			r = child_read(&c, (char *)buf + done, n);
			done += n;
		} else if (r == CHILD_END) {
			r = c.result < 0 ? c.result : done == len ? 1 : -EIO;
		} else if (r >= 0) {
			r = -EPROTO;
		}
	}
	child_stop(&c);
	/* A reader that died or said nonsense: an I/O error of the device's. */
	if (r == -EPIPE || r == -EPROTO)
		r = -EIO;
	if (r < 0)
		explicit_bzero(buf, len);
	return r < 0 ? r : 0;
}
