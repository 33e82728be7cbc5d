// SPDX-License-Identifier: GPL-2.0-or-later
/* testhook: crash, pause and fault points of the test build (tests/fault/). */
#include "testhook.h"

#ifdef BOOTSEED_TEST_HOOKS
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fileio.h"

static bool test_env_is(const char *var, const char *step, const char **ret_arg)
{
	const char *v = getenv(var);
	size_t n = strlen(step);

	if (!v || strncmp(v, step, n) != 0 || (v[n] != '\0' && v[n] != ':'))
		return false;
	*ret_arg = v[n] == ':' ? v + n + 1 : NULL;
	return true;
}

void test_point(const char *step)
{
	const char *arg;

	if (test_env_is("BOOTSEED_TEST_CRASH_AT", step, &arg))
		raise(SIGKILL);
	static bool paused; /* once: the redraw passes the same steps again */
	if (!paused && test_env_is("BOOTSEED_TEST_PAUSE_AT", step, &arg)) {
		paused = true;
		unsigned long ms = arg ? strtoul(arg, NULL, 10) : 60000;
		struct timespec ts = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000L };
		fprintf(stderr, "bootseed-test: paused at %s\n", step);
		while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
			;
		fprintf(stderr, "bootseed-test: resumed at %s\n", step);
	}
}

int test_fault(const char *op)
{
	static const struct {
		const char *name;
		int error;
	} names[] = {
		{ "EIO", EIO }, { "ENOSPC", ENOSPC }, { "EROFS", EROFS }, { "EDQUOT", EDQUOT },
	};
	const char *arg;

	if (!test_env_is("BOOTSEED_TEST_FAIL_AT", op, &arg))
		return 0;
	for (size_t i = 0; arg && i < ELEMENTSOF(names); i++)
		if (strcmp(arg, names[i].name) == 0)
			return -names[i].error;
	return arg && atoi(arg) > 0 ? -atoi(arg) : -EIO;
}
#endif
