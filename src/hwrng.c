// SPDX-License-Identifier: GPL-2.0-or-later
/* hwrng: rng_current/rng_quality, and a bounded read of /dev/hwrng. */
#include "hwrng.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

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

/* The child: a plain blocking read, which is what a driver expects. */
static void hwrng_child(const char *path, int out, size_t len)
{
	unsigned char buf[512];
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);

	if (fd < 0)
		_exit(1);
	while (len > 0) {
		size_t n = len < sizeof(buf) ? len : sizeof(buf);
		ssize_t got = read_full(fd, buf, n);
		if (got <= 0 || write_full(out, buf, (size_t)got) < 0)
			_exit(1);
		len -= (size_t)got;
		if ((size_t)got < n)
			break;
	}
	explicit_bzero(buf, sizeof(buf));
	_exit(0);
}

int hwrng_read(const char *path, void *buf, size_t len, unsigned timeout_ms)
{
	uint64_t deadline = now_ms() + timeout_ms;
	size_t done = 0;
	int p[2], status, r = 0;

	if (access(path, R_OK) < 0)
		return -errno;
	if (pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	pid_t pid = fork();
	if (pid < 0) {
		r = -errno;
		close(p[0]);
		close(p[1]);
		return r;
	}
	if (pid == 0) {
		close(p[0]);
		hwrng_child(path, p[1], len);
	}
	close(p[1]);
	while (done < len) {
		uint64_t now = now_ms();
		struct pollfd pfd = { .fd = p[0], .events = POLLIN };
		if (now >= deadline) {
			r = -ETIMEDOUT;
			break;
		}
		int n = poll(&pfd, 1, (int)(deadline - now));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			r = n < 0 ? -errno : -ETIMEDOUT;
			break;
		}
		ssize_t got = read(p[0], (char *)buf + done, len - done);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0) {
			r = got < 0 ? -errno : -EIO;
			break;
		}
		done += (size_t)got;
	}
	close(p[0]);
	if (r == -ETIMEDOUT) {
		/* A reader stuck in the driver cannot be waited for: leave it. */
		kill(pid, SIGKILL);
		(void)waitpid(pid, &status, WNOHANG);
	} else {
		(void)waitpid(pid, &status, 0);
	}
	if (r < 0)
		explicit_bzero(buf, len);
	return r;
}
