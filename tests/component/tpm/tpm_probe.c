// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * tpm_probe: calls tpm_get_random once and prints one line of key=value pairs
 * for tests/component/test_tpm.sh. Test-only: it prints the bytes in hex so
 * the test can compare them with what the fake TPM sent. It also checks the
 * promises that are not visible in the result: a failed call wipes the
 * buffer, and our SIGALRM handler and timer are left as they were.
 *
 *   tpm_probe DEV_DIR LEN TIMEOUT_MS [WANT]
 *
 * WANT asks tpm_read() for the binding too: "bind", "counter:INDEX" or
 * "bind,counter:INDEX"; the line then also has key_ok, key (hex), id,
 * counter_ok, counter, defined, key_why and counter_why.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "fileio.h"
#include "tpm.h"

static void probe_alarm(int sig)
{
	(void)sig;
}

static const char *probe_errname(int e)
{
	static const struct {
		int e;
		const char *name;
	} names[] = {
	    {0, "0"},		{ENODEV, "ENODEV"},
	    {EBUSY, "EBUSY"},	{ETIMEDOUT, "ETIMEDOUT"},
	    {EAGAIN, "EAGAIN"}, {EIO, "EIO"},
	    {EACCES, "EACCES"}, {ENOMEM, "ENOMEM"},
	    {EINVAL, "EINVAL"}, {ENOTTY, "ENOTTY"},
	};
	for (size_t i = 0; i < ELEMENTSOF(names); i++)
		if (names[i].e == e)
			return names[i].name;
	return "other";
}

int main(int argc, char **argv)
{
	struct sigaction mine = {.sa_handler = probe_alarm}, after;
	struct itimerval it;
	struct tpm_info info;
	unsigned long len, timeout;
	static unsigned char buf[4096];

	struct tpm_want want = { 0 };
	struct tpm_bind b;

	if (argc == 5) {
		const char *c = strstr(argv[4], "counter:");
		want.bind = strstr(argv[4], "bind") != NULL;
		want.counter = c != NULL;
		want.nv_index = c ? (uint32_t)strtoul(c + 8, NULL, 16) : 0;
	}
	if (argc < 4 || argc > 5 || parse_uint(argv[2], 0, sizeof(buf), &len) < 0 ||
	    parse_uint(argv[3], 0, 600000, &timeout) < 0) {
		fprintf(stderr, "usage: tpm_probe DEV_DIR LEN TIMEOUT_MS\n");
		return 2;
	}
	sigemptyset(&mine.sa_mask);
	sigaction(SIGALRM, &mine, NULL);
	memset(buf, 0xa5, sizeof(buf));

	uint64_t start = now_ms();
	int r = argc == 5 ? tpm_read(argv[1], &want, buf, len, (unsigned)timeout, &info, &b)
			  : tpm_get_random(argv[1], buf, len, (unsigned)timeout, &info);
	uint64_t elapsed = now_ms() - start;

	sigaction(SIGALRM, NULL, &after);
	getitimer(ITIMER_REAL, &it);
	int restored = after.sa_handler == probe_alarm && !it.it_value.tv_sec &&
		       !it.it_value.tv_usec;
	int wiped = 1;
	for (size_t i = 0; i < len; i++)
		wiped &= buf[i] == 0;

	printf(
	    "rc=%s elapsed_ms=%llu device=%s commands=%u retries=%u max_digest=%u "
	    "tss2_rc=0x%x alarm_restored=%s wiped=%s fallback=\"%s\" error=\"%s\" hex=",
	    probe_errname(-r), (unsigned long long)elapsed,
	    info.device[0] ? info.device : "-", info.commands, info.retries,
	    info.max_digest, info.tss2_rc, restored ? "yes" : "no",
	    r < 0 ? (wiped ? "yes" : "no") : "n/a", info.fallback_reason, info.error);
	for (size_t i = 0; r == 0 && i < len; i++)
		printf("%02x", buf[i]);
	if (argc == 5 && r == 0) {
		printf(" key_ok=%d counter_ok=%d counter=%llu defined=%d key=", b.key_ok,
		       b.counter_ok, (unsigned long long)b.counter, b.counter_defined);
		for (size_t i = 0; i < sizeof(b.key); i++)
			printf("%02x", b.key[i]);
		printf(" id=");
		for (size_t i = 0; i < sizeof(b.id); i++)
			printf("%02x", b.id[i]);
		printf(" key_why=\"%s\" counter_why=\"%s\"", b.key_why, b.counter_why);
	}
	printf("\n");
	return r < 0 ? 1 : 0;
}
