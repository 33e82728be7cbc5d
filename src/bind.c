// SPDX-License-Identifier: GPL-2.0-or-later
/* bind: this boot's TPM binding across stages, and a seed's bound value. */
#include "bind.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "blake2s.h"
#include "fileio.h"
#include "paths.h"

#define BIND_MAGIC "bsbind01"

static struct bind_state bind_now;
static bool bind_loaded;

/*
 * The file: the magic, then struct tpm_bind as this build lays it out. Only
 * the same bootseed reads it (the initramfs holds a copy of the installed
 * binary); another build's file has another size and is not read.
 */
struct bind_file {
	char magic[8];
	uint32_t size;
	struct tpm_bind t;
};

/* Temp file 0600 → write → rename: a later stage reads the old or the new one whole. */
static int bind_write(const void *f, size_t n)
{
	char tmp[PATH_MAX + 8];

	if (mkdir(paths.run_dir, 0755) < 0 && errno != EEXIST)
		return -errno;
	snprintf(tmp, sizeof(tmp), "%s.new", paths.tpm_bind_file);
	(void)unlink(tmp);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	int r = write_full(fd, f, n);
	if (close(fd) < 0 && r == 0)
		r = -errno;
	if (r == 0 && rename(tmp, paths.tpm_bind_file) < 0)
		r = -errno;
	if (r < 0)
		(void)unlink(tmp);
	return r;
}

int bind_set(const struct tpm_bind *t, const char *why)
{
	struct bind_file f = {.magic = BIND_MAGIC, .size = sizeof(f)};

	bind_now.recorded = true;
	bind_now.t = *t;
	if (why) {
		snprintf(bind_now.t.key_why, sizeof(bind_now.t.key_why), "%s", why);
		snprintf(bind_now.t.counter_why, sizeof(bind_now.t.counter_why), "%s",
			 why);
	}
	bind_loaded = true;
	f.t = bind_now.t;
	int r = bind_write(&f, sizeof(f));
	explicit_bzero(&f, sizeof(f));
	return r;
}

const struct bind_state *bind_get(void)
{
	struct bind_file f;
	struct stat st;

	if (bind_loaded)
		return &bind_now;
	bind_loaded = true;
	int fd = open(paths.tpm_bind_file, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return &bind_now;
	/* Only root's own file: anyone else could plant a key and a counter value. */
	ssize_t n = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == 0 &&
			    !(st.st_mode & 077)
			? read_full(fd, &f, sizeof(f))
			: -EPERM;
	close(fd);
	if (n == sizeof(f) && memcmp(f.magic, BIND_MAGIC, 8) == 0 &&
	    f.size == sizeof(f)) {
		bind_now.t = f.t;
		bind_now.t.key_why[sizeof(f.t.key_why) - 1] = '\0';
		bind_now.t.counter_why[sizeof(f.t.counter_why) - 1] = '\0';
		bind_now.recorded = true;
	}
	explicit_bzero(&f, sizeof(f));
	return &bind_now;
}

void bind_seed_value(const struct bind_state *b, const void *seed, size_t len,
		     uint8_t out[32])
{
	static const char label[] = "bootseed bound seed v1";
	struct blake2s_state h;
	uint8_t digest[BLAKE2S_HASH_SIZE], counter[8];

	blake2s_init(&h, BLAKE2S_HASH_SIZE, NULL, 0);
	blake2s_update(&h, seed, len);
	blake2s_final(&h, digest);
	uint64_t c = b->t.counter_ok ? b->t.counter : 0;
	for (int i = 7; i >= 0; i--, c >>= 8)
		counter[i] = (uint8_t)c;
	blake2s_init(&h, BLAKE2S_HASH_SIZE, b->t.key, TPM_BIND_KEY_LEN);
	blake2s_update(&h, label, sizeof(label) - 1);
	blake2s_update(&h, counter, sizeof(counter));
	blake2s_update(&h, digest, sizeof(digest));
	blake2s_final(&h, out);
	explicit_bzero(digest, sizeof(digest));
	explicit_bzero(&h, sizeof(h));
}

bool bind_counter_used(uint64_t counter)
{
	char buf[32];

	int r = read_line_file(paths.counter_used_marker, buf, sizeof(buf));
	return r >= 0 && strtoull(buf, NULL, 10) == counter;
}

int bind_mark_counter_used(uint64_t counter)
{
	char line[32];

	int fd = paths_run_open(paths.counter_used_marker, O_TRUNC);
	if (fd < 0)
		return fd;
	int n = snprintf(line, sizeof(line), "%" PRIu64 "\n", counter);
	int r = write_full(fd, line, (size_t)n);
	if (close(fd) < 0 && r == 0)
		r = -errno;
	return r;
}

void bind_forget(void)
{
	explicit_bzero(&bind_now, sizeof(bind_now));
	bind_loaded = false;
}
