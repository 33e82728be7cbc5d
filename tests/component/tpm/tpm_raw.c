// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * tpm_raw: sends raw TPM 2.0 commands (hex) to a TPM device (a pty in front
 * of swtpm) and prints each response code, for the tests that need a TPM in a
 * given state: TPM2_Clear, an owner password set (HierarchyChangeAuth).
 * Test-only.
 *
 *   tpm_raw DEVICE HEX...     prints "rc=0x..." per command; exit 1 on no answer
 */
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	uint8_t cmd[1024], rsp[4096];

	if (argc < 3) {
		fprintf(stderr, "usage: tpm_raw DEVICE HEX...\n");
		return 2;
	}
	int fd = open(argv[1], O_RDWR | O_NOCTTY);
	if (fd < 0) {
		perror(argv[1]);
		return 1;
	}
	for (int a = 2; a < argc; a++) {
		size_t n = 0;
		for (const char *p = argv[a]; p[0] && p[1] && n < sizeof(cmd); p += 2) {
			if (*p == ' ')
				p--;
			else
				cmd[n++] = (uint8_t)strtoul((char[]){ p[0], p[1], 0 }, NULL, 16);
		}
		if (write(fd, cmd, n) != (ssize_t)n) {
			perror("write");
			return 1;
		}
		size_t got = 0;
		struct pollfd pf = { .fd = fd, .events = POLLIN };
		while ((got < 10 || got < (size_t)(rsp[2] << 24 | rsp[3] << 16 | rsp[4] << 8 | rsp[5])) &&
		       poll(&pf, 1, 3000) == 1) {
			ssize_t r = read(fd, rsp + got, sizeof(rsp) - got);
			if (r <= 0)
				break;
			got += (size_t)r;
		}
		if (got < 10) {
			fprintf(stderr, "tpm_raw: no answer\n");
			return 1;
		}
		printf("rc=0x%x\n", (unsigned)(rsp[6] << 24 | rsp[7] << 16 | rsp[8] << 8 | rsp[9]));
	}
	return 0;
}
