// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fake_tpm: a TPM 2.0 stand-in behind a pty, for tests/component/test_tpm.sh.
 * It speaks the TPM2 wire format: TPM2_GetRandom is answered by one action per
 * command from a script; any other command gets TPM_RC_COMMAND_CODE. Each
 * command read is logged. The bytes it hands out count up from 00 across all
 * answers, so the test knows exactly what the caller must end up with.
 *
 *   fake_tpm LINK LOG [--max-digest N] [--exclusive] [--script A,B,...]
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
#define RC_COMMAND_CODE 0x143

static uint8_t fake_next;

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
		fprintf(log, "n=%u cc=0x%x asked=%u action=%s\n", ++n_cmd, cc, asked,
			act);
		if (action)
			action = strtok_r(NULL, ",", &save);

		if (!strcmp(act, "hang")) {
			hung = 1;
			continue;
		}
		if (!strcmp(act, "die"))
			_exit(0);
		if (cc != CC_GET_RANDOM) {
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
