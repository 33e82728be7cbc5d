// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fake_tpm: a TPM 2.0 stand-in behind a pty, for tests/component/test_tpm.sh.
 * It speaks the TPM2 wire format: TPM2_GetRandom, and the binding commands
 * (CreatePrimary, HMAC, FlushContext, NV_DefineSpace, NV_Increment, NV_Read,
 * NV_ReadPublic) as a /dev/tpm0 without resource manager would: transient
 * objects stay loaded across clients until flushed, in --slots N slots (3, as
 * swtpm and many TPMs have), TPM_RC_OBJECT_MEMORY when full. Each command is
 * answered by one action from a script; other commands get
 * TPM_RC_COMMAND_CODE. Each command read is logged with the objects loaded
 * after it (live=N). The bytes GetRandom hands out count up from 00 across all
 * answers, so the test knows exactly what the caller must end up with; the
 * "HMAC" is a keyed hash of the --tpm-seed and the input (not HMAC-SHA256:
 * the same input and seed give the same bytes, another seed others).
 *
 *   fake_tpm LINK LOG [--max-digest N] [--exclusive] [--script A,B,...]
 *            [--slots N] [--tpm-seed N] [--counter V] [--nv-ordinary]
 *
 * LINK appears (a symlink to the pty slave) once the fake is ready. Actions,
 * one per command in order (the device TCTI's open probe is the first), then
 * "ok" for all later commands:
 *   ok         answer min(asked, max digest) bytes
 *   short:N    answer N bytes
 *   rc:X       answer with response code X (rc:0x922 is TPM_RC_RETRY)
 *   split:N    write the first N bytes of the answer, wait 100 ms, the rest
 *   lie        a TPM2B claiming 64 bytes in a response that holds 8
 *   hang       never answer this or any later command
 *   die        exit at once (the pty closes under the client)
 * and hostile forms of the answer "ok" would give, for any command:
 *   tag        the tag of a TPM 1.2 reply (0x00c4)
 *   sizefield  a size field 4 more than the bytes sent
 *   trunc:N    the last N bytes dropped, the size field made to match
 *   pad:N      N zero bytes appended, the size field made to match
 *   b2b        the first TPM2B of the parameters claims 256 bytes more
 * --counter V: the counter index exists (any index asked for) at value V;
 * --nv-ordinary: it exists as an ordinary index (NV_Increment: attributes).
 * --exclusive sets TIOCEXCL, so a second open by a process without
 * CAP_SYS_ADMIN fails with EBUSY, as /dev/tpm0 does for a second user.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define CC_GET_RANDOM	0x17b
#define CC_PRIMARY	0x131
#define CC_HMAC		0x155
#define CC_FLUSH	0x165
#define CC_NV_DEFINE	0x12a
#define CC_NV_INC	0x134
#define CC_NV_READ	0x14e
#define CC_NV_PUBLIC	0x169
#define RC_COMMAND_CODE 0x143
#define RC_HANDLE_1	0x18b
#define RC_ATTRS_1	0x182
#define RC_NV_DEFINED	0x14c
#define RC_NV_UNINIT	0x14a
#define RC_OBJ_MEMORY	0x902
#define SLOTS_MAX	16

static uint8_t fake_next;
static unsigned slots = 3, tpm_seed = 1;
static int live[SLOTS_MAX];
static int nv_defined, nv_written, nv_ordinary;
static uint64_t nv_value;

static void put16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v & 0xffff);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static int read_exact(int fd, uint8_t *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = read(fd, buf + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		done += (size_t)n;
	}
	return 0;
}

static void write_all(int fd, const uint8_t *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			die("write");
		buf += n;
		len -= (size_t)n;
	}
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* A response header, then @n bytes of a TPM2B_DIGEST whose size field says @claim. */
static size_t build_random(uint8_t *rsp, unsigned n, unsigned claim)
{
	put16(rsp, 0x8001);
	put32(rsp + 2, 12 + n);
	put32(rsp + 6, 0);
	put16(rsp + 10, claim);
	for (unsigned i = 0; i < n; i++)
		rsp[12 + i] = fake_next++;
	return 12 + n;
}

static size_t build_rc(uint8_t *rsp, uint32_t rc)
{
	put16(rsp, 0x8001);
	put32(rsp + 2, 10);
	put32(rsp + 6, rc);
	return 10;
}

static unsigned live_count(void)
{
	unsigned n = 0;
	for (unsigned i = 0; i < slots; i++)
		n += live[i];
	return n;
}

/* A stand-in for a keyed hash: 32 bytes from the TPM seed and @len bytes. */
static void fake_mac(const uint8_t *p, size_t len, unsigned salt, uint8_t *out)
{
	uint64_t h = 1469598103934665603ULL ^ tpm_seed ^ ((uint64_t)salt << 32);
	for (size_t i = 0; i < len; i++)
		h = (h ^ p[i]) * 1099511628211ULL;
	for (int i = 0; i < 32; i++) {
		h = (h ^ (uint64_t)i) * 1099511628211ULL;
		out[i] = (uint8_t)(h >> 29);
	}
}

/* The reply of a command with a password session: parameters, then its auth. */
static size_t build_sess(uint8_t *rsp, const uint8_t *handle, const uint8_t *par, size_t n)
{
	size_t o = 10;
	put16(rsp, 0x8002);
	put32(rsp + 6, 0);
	if (handle) {
		memcpy(rsp + o, handle, 4);
		o += 4;
	}
	put32(rsp + o, (uint32_t)n);
	memcpy(rsp + o + 4, par, n);
	o += 4 + n;
	static const uint8_t auth[] = {0, 0, 1, 0, 0};
	memcpy(rsp + o, auth, sizeof(auth));
	o += sizeof(auth);
	put32(rsp + 2, (uint32_t)o);
	return o;
}

/* The parameters of a command with one auth session after @handles handles. */
static const uint8_t *cmd_params(const uint8_t *cmd, unsigned handles)
{
	const uint8_t *p = cmd + 10 + 4 * handles;
	return p + 4 + get32(p);
}

static size_t answer_primary(const uint8_t *cmd, uint8_t *rsp)
{
	uint8_t par[512], h[4];
	size_t n = 0;
	unsigned i;

	for (i = 0; i < slots && live[i]; i++)
		;
	if (i == slots)
		return build_rc(rsp, RC_OBJ_MEMORY);
	live[i] = 1;
	put32(h, 0x80000000u + i);
	const uint8_t *p = cmd_params(cmd, 1);
	p += 2 + (p[0] << 8 | p[1]);		/* inSensitive */
	size_t pub = 2 + (p[0] << 8 | p[1]);	/* inPublic */
	memcpy(par, p, pub);
	n = pub;
	put16(par + n, 10), memset(par + n + 2, 0, 10), n += 12;	/* creationData */
	put16(par + n, 32), memset(par + n + 2, 0x11, 32), n += 34;	/* creationHash */
	put16(par + n, 0x8021), put32(par + n + 2, 0x40000001), n += 6; /* ticket */
	put16(par + n, 32), memset(par + n + 2, 0x22, 32), n += 34;
	put16(par + n, 34), put16(par + n + 2, 0x000b);			/* name */
	fake_mac(p, pub, 7, par + n + 4);
	n += 36;
	return build_sess(rsp, h, par, n);
}

static size_t answer_hmac(const uint8_t *cmd, uint8_t *rsp)
{
	uint8_t par[34];
	uint32_t h = get32(cmd + 10);

	if ((h >> 24) != 0x80 || (h & 0xffffff) >= slots || !live[h & 0xffffff])
		return build_rc(rsp, RC_HANDLE_1);
	const uint8_t *p = cmd_params(cmd, 1);
	put16(par, 32);
	fake_mac(p + 2, (size_t)(p[0] << 8 | p[1]), 9, par + 2);
	return build_sess(rsp, NULL, par, sizeof(par));
}

static size_t answer_flush(const uint8_t *cmd, uint8_t *rsp)
{
	uint32_t h = get32(cmd + 10);

	if ((h >> 24) != 0x80 || (h & 0xffffff) >= slots || !live[h & 0xffffff])
		return build_rc(rsp, RC_HANDLE_1);
	live[h & 0xffffff] = 0;
	return build_rc(rsp, 0);
}

static size_t answer_nv(uint32_t cc, uint8_t *rsp)
{
	uint8_t par[10];

	if (cc == CC_NV_DEFINE) {
		if (nv_defined)
			return build_rc(rsp, RC_NV_DEFINED);
		nv_defined = 1;
		return build_sess(rsp, NULL, NULL, 0);
	}
	if (!nv_defined)
		return build_rc(rsp, RC_HANDLE_1);
	if (cc == CC_NV_PUBLIC) {
		uint8_t pub[30];
		put16(pub, 14), put32(pub + 2, 0x01b5eed0), put16(pub + 6, 0x000b);
		put32(pub + 8, nv_ordinary ? 0x00060006 : 0x02060016);
		put16(pub + 12, 0), put16(pub + 14, 8);
		put16(pub + 16, 0); /* no name: short, but well-formed */
		put16(rsp, 0x8001), put32(rsp + 6, 0);
		memcpy(rsp + 10, pub, 18);
		put32(rsp + 2, 28);
		return 28;
	}
	if (cc == CC_NV_INC) {
		if (nv_ordinary)
			return build_rc(rsp, RC_ATTRS_1);
		nv_value++;
		nv_written = 1;
		return build_sess(rsp, NULL, NULL, 0);
	}
	if (!nv_written)
		return build_rc(rsp, RC_NV_UNINIT);
	put16(par, 8);
	for (int i = 0; i < 8; i++)
		par[2 + i] = (uint8_t)(nv_value >> (56 - 8 * i));
	return build_sess(rsp, NULL, par, sizeof(par));
}

/* The hostile forms of a well-formed answer (see the header). */
static size_t mutate(const char *act, uint32_t cc, uint8_t *rsp, size_t len)
{
	if (!strcmp(act, "tag")) {
		put16(rsp, 0x00c4);
	} else if (!strcmp(act, "sizefield")) {
		put32(rsp + 2, (uint32_t)len + 4);
	} else if (!strncmp(act, "trunc:", 6)) {
		size_t n = strtoul(act + 6, NULL, 0);
		len = n < len - 10 ? len - n : 10;
		put32(rsp + 2, (uint32_t)len);
	} else if (!strncmp(act, "pad:", 4)) {
		size_t n = strtoul(act + 4, NULL, 0);
		memset(rsp + len, 0, n);
		len += n;
		put32(rsp + 2, (uint32_t)len);
	} else if (!strcmp(act, "b2b") && len > 12) {
		/* after the handle (CreatePrimary) and the parameter size (sessions) */
		size_t o = 10 + (cc == CC_PRIMARY ? 4 : 0) + (rsp[1] == 2 ? 4 : 0);
		put16(rsp + o, (unsigned)(rsp[o] << 8 | rsp[o + 1]) + 256);
	}
	return len;
}

static int open_pty(const char *link, int exclusive)
{
	struct termios t;
	char tmp[4096];
	int master = posix_openpt(O_RDWR | O_NOCTTY);

	if (master < 0 || grantpt(master) < 0 || unlockpt(master) < 0)
		die("posix_openpt");
	const char *slave_name = ptsname(master);
	/* Held open for good: the client's close must not hang up the pty. */
	int slave = open(slave_name, O_RDWR | O_NOCTTY);
	if (slave < 0 || tcgetattr(slave, &t) < 0)
		die("pty slave");
	cfmakeraw(&t);
	if (tcsetattr(slave, TCSANOW, &t) < 0)
		die("tcsetattr");
	if (exclusive && ioctl(slave, TIOCEXCL) < 0)
		die("TIOCEXCL");
	if (chmod(slave_name, 0666) < 0)
		die("chmod");
	snprintf(tmp, sizeof(tmp), "%s.tmp", link);
	unlink(tmp);
	if (symlink(slave_name, tmp) < 0 || rename(tmp, link) < 0)
		die("link");
	return master;
}

int main(int argc, char **argv)
{
	unsigned max_digest = 64, n_cmd = 0;
	int exclusive = 0, hung = 0;
	char *script = NULL, *save = NULL;

	if (argc < 3) {
		fprintf(stderr, "usage: fake_tpm LINK LOG [--max-digest N] [--exclusive] "
				"[--script A,B,...]\n");
		return 2;
	}
	for (int i = 3; i < argc; i++) {
		if (!strcmp(argv[i], "--max-digest") && i + 1 < argc)
			max_digest = (unsigned)strtoul(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--exclusive"))
			exclusive = 1;
		else if (!strcmp(argv[i], "--script") && i + 1 < argc)
			script = argv[++i];
		else if (!strcmp(argv[i], "--slots") && i + 1 < argc)
			slots = (unsigned)strtoul(argv[++i], NULL, 0) % SLOTS_MAX;
		else if (!strcmp(argv[i], "--tpm-seed") && i + 1 < argc)
			tpm_seed = (unsigned)strtoul(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--counter") && i + 1 < argc)
			nv_value = strtoull(argv[++i], NULL, 0), nv_defined = nv_written = 1;
		else if (!strcmp(argv[i], "--nv-ordinary"))
			nv_ordinary = nv_defined = 1;
		else
			return 2;
	}
	FILE *log = fopen(argv[2], "a");
	if (!log)
		die(argv[2]);
	setvbuf(log, NULL, _IOLBF, 0);
	int fd = open_pty(argv[1], exclusive);
	char *action = script ? strtok_r(script, ",", &save) : NULL;

	for (;;) {
		uint8_t cmd[4096], rsp[4096];
		size_t len;

		if (read_exact(fd, cmd, 10) < 0)
			return 0;
		uint32_t size = get32(cmd + 2);
		if (size < 10 || size > sizeof(cmd) ||
		    read_exact(fd, cmd + 10, size - 10) < 0)
			die("bad command");
		uint32_t cc = get32(cmd + 6);
		unsigned asked = size >= 12 ? (unsigned)cmd[10] << 8 | cmd[11] : 0;
		const char *act = hung ? "hang" : action ? action : "ok";
		n_cmd++;
		if (action)
			action = strtok_r(NULL, ",", &save);

		if (!strcmp(act, "hang") || !strcmp(act, "die")) {
			fprintf(log, "n=%u cc=0x%x asked=%u action=%s live=%u\n", n_cmd, cc,
				asked, act, live_count());
			if (!strcmp(act, "die"))
				_exit(0);
			hung = 1;
			continue;
		}
		if (!strncmp(act, "rc:", 3)) {
			len = build_rc(rsp, (uint32_t)strtoul(act + 3, NULL, 0));
		} else if (cc == CC_PRIMARY) {
			len = answer_primary(cmd, rsp);
		} else if (cc == CC_HMAC) {
			len = answer_hmac(cmd, rsp);
		} else if (cc == CC_FLUSH) {
			len = answer_flush(cmd, rsp);
		} else if (cc == CC_NV_DEFINE || cc == CC_NV_INC || cc == CC_NV_READ ||
			   cc == CC_NV_PUBLIC) {
			len = answer_nv(cc, rsp);
		} else if (cc != CC_GET_RANDOM) {
			len = build_rc(rsp, RC_COMMAND_CODE);
		} else if (!strncmp(act, "rc:", 3)) {
			len = build_rc(rsp, (uint32_t)strtoul(act + 3, NULL, 0));
		} else if (!strncmp(act, "short:", 6)) {
			unsigned n = (unsigned)strtoul(act + 6, NULL, 0);
			len = build_random(rsp, n, n);
		} else if (!strcmp(act, "lie")) {
			len = build_random(rsp, 8, 64);
		} else {
			unsigned n = asked < max_digest ? asked : max_digest;
			len = build_random(rsp, n, n);
		}
		len = mutate(act, cc, rsp, len);
		fprintf(log, "n=%u cc=0x%x asked=%u action=%s live=%u\n", n_cmd, cc, asked,
			act, live_count());
		if (!strncmp(act, "split:", 6)) {
			size_t first = strtoul(act + 6, NULL, 0);
			first = first < len ? first : len;
			write_all(fd, rsp, first);
			sleep_ms(100);
			write_all(fd, rsp + first, len - first);
		} else {
			write_all(fd, rsp, len);
		}
	}
}
