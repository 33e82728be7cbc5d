// SPDX-License-Identifier: GPL-2.0-or-later
/* pool: the kernel random pool interface. */
#include "pool.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/random.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "blake2s.h"
#include "fileio.h"
#include "paths.h"

#ifndef GRND_NONBLOCK
#define GRND_NONBLOCK 0x0001
#endif
#ifndef GRND_INSECURE
#define GRND_INSECURE 0x0004
#endif

static int pool_fd = -1;
#ifdef BOOTSEED_TEST_HOOKS
/* The stand-in's model of the kernel: 256 credited bits make the crng ready. */
static unsigned pool_test_credited;

void pool_test_reset(void)
{
	pool_test_credited = 0;
}
#endif

static long pool_getrandom(void *buf, size_t len, unsigned flags)
{
	/* The raw syscall: no dependence on the libc having a wrapper. */
	return syscall(SYS_getrandom, buf, len, flags);
}

#ifdef BOOTSEED_TEST_HOOKS
static const char *pool_test_env(const char *name)
{
	const char *v = getenv(name);
	return v && *v ? v : NULL;
}

/* Records the feed: length, credit, source and a fingerprint (tests only). */
static int pool_test_feed(const char *file, const void *buf, size_t len, unsigned credit,
			  const char *source)
{
	struct blake2s_state s;
	uint8_t fp[8];
	char line[256];

	blake2s_init(&s, sizeof(fp), NULL, 0);
	blake2s_update(&s, buf, len);
	blake2s_final(&s, fp);
	int fd = open(file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	int n = snprintf(line, sizeof(line),
			 "feed source=%s bytes=%zu credit=%u fp=%02x%02x%02x%02x%02x%02x%02x%02x\n",
			 source, len, credit, fp[0], fp[1], fp[2], fp[3], fp[4], fp[5], fp[6],
			 fp[7]);
	int r = write_full(fd, line, (size_t)n);
	close(fd);
	return r;
}
#endif

static int pool_open(void)
{
	if (pool_fd >= 0)
		return pool_fd;
	/* O_RDONLY is enough for RNDADDENTROPY; it needs CAP_SYS_ADMIN, not write. */
	pool_fd = open(paths.urandom, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	return pool_fd >= 0 ? pool_fd : -errno;
}

int pool_feed(const void *buf, size_t len, unsigned credit_bits, const char *source)
{
	struct {
		struct rand_pool_info info;
		uint8_t data[POOL_FEED_MAX];
	} req;

	if (len > POOL_FEED_MAX || credit_bits > 8 * len)
		return -EINVAL;
	if (len == 0)
		return 0;
#ifdef BOOTSEED_TEST_HOOKS
	if (pool_test_env("BOOTSEED_TEST_POOL")) {
		pool_test_credited += credit_bits;
		return pool_test_feed(getenv("BOOTSEED_TEST_POOL"), buf, len, credit_bits,
				      source);
	}
#else
	(void)source;
#endif
	int fd = pool_open();
	if (fd < 0)
		return fd;
	req.info.entropy_count = (int)credit_bits;
	req.info.buf_size = (int)len;
	memcpy(req.data, buf, len);
	int r = ioctl(fd, RNDADDENTROPY, &req) < 0 ? -errno : 0;
	explicit_bzero(&req, sizeof(req));
	return r;
}

int pool_crng_ready(void)
{
#ifdef BOOTSEED_TEST_HOOKS
	const char *t = pool_test_env("BOOTSEED_TEST_CRNG");
	if (t)
		return strcmp(t, "ready") == 0 || pool_test_credited >= 256;
#endif
	/* A zero-length non-blocking read: 0 when ready, EAGAIN when not. */
	if (pool_getrandom(NULL, 0, GRND_NONBLOCK) == 0)
		return 1;
	return errno == EAGAIN ? 0 : -errno;
}

int pool_entropy_avail(void)
{
	unsigned long v;
	int r = read_uint_file(paths.entropy_avail, &v);
	return r < 0 ? r : (int)(v > 1000000 ? 1000000 : v);
}

int pool_size_bits(void)
{
	unsigned long v;
	int r = read_uint_file(paths.poolsize, &v);
	return r < 0 ? r : (int)(v > 1000000 ? 1000000 : v);
}

static int pool_draw_flags(void *buf, size_t len, unsigned flags)
{
	size_t done = 0;

	while (done < len) {
		long n = pool_getrandom((uint8_t *)buf + done, len - done, flags);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		done += (size_t)n;
	}
	return 0;
}

int pool_draw(void *buf, size_t len, bool *ret_creditable)
{
	int ready = pool_crng_ready();
	int r;

	*ret_creditable = false;
	if (ready == 1) {
		r = pool_draw_flags(buf, len, GRND_NONBLOCK);
		if (r == 0) {
			*ret_creditable = true;
			return 0;
		}
		if (r != -EAGAIN)
			return r;
	}
	/*
	 * Not ready: GRND_INSECURE returns at once (5.6+). Never a blocking read:
	 * on 6.1+ that runs the jitter generator and stalls the boot for a second.
	 */
	r = pool_draw_flags(buf, len, GRND_INSECURE);
	if (r != -EINVAL)
		return r;
	/* Before 5.6 there is no GRND_INSECURE, and /dev/urandom never blocks. */
	int fd = open(paths.urandom, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	ssize_t n = read_full(fd, buf, len);
	close(fd);
	if (n < 0)
		return (int)n;
	return (size_t)n == len ? 0 : -EIO;
}

int pool_reseed(void)
{
#ifdef BOOTSEED_TEST_HOOKS
	if (pool_test_env("BOOTSEED_TEST_POOL"))
		return 0;
#endif
	int fd = pool_open();
	if (fd < 0)
		return fd;
	return ioctl(fd, RNDRESEEDCRNG) < 0 ? -errno : 0;
}

void pool_close(void)
{
	if (pool_fd >= 0)
		close(pool_fd);
	pool_fd = -1;
}
