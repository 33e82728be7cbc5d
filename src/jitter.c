// SPDX-License-Identifier: GPL-2.0-or-later
/* jitter: a bounded blocking getrandom() when nothing else made the crng ready. */
#include "jitter.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "fileio.h"
#include "log.h"
#include "paths.h"
#include "pool.h"

static void jitter_tick(int sig)
{
	(void)sig;
}

#ifdef BOOTSEED_TEST_HOOKS
/*
 * The stand-in kernel (BOOTSEED_TEST_CRNG set): BOOTSEED_TEST_JITTER_MS=N makes
 * its jitter ready after N ms; unset, it has none (a pre-5.18 kernel) and the
 * wait runs to its bound. Returns 1 ready, 0 not, -1 when the real kernel is used.
 */
static int jitter_test_wait(unsigned long timeout_ms)
{
	const char *crng = getenv("BOOTSEED_TEST_CRNG");
	if (!crng || !*crng)
		return -1;
	const char *v = getenv("BOOTSEED_TEST_JITTER_MS");
	unsigned long ms = v && *v ? strtoul(v, NULL, 10) : timeout_ms;
	bool ready = v && *v && ms <= timeout_ms;
	struct timespec ts = { (time_t)((ready ? ms : timeout_ms) / 1000),
			       (long)((ready ? ms : timeout_ms) % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
	if (ready)
		setenv("BOOTSEED_TEST_CRNG", "ready", 1);
	return ready;
}
#else
static int jitter_test_wait(unsigned long timeout_ms)
{
	(void)timeout_ms;
	return -1;
}
#endif

/*
 * One byte with a blocking getrandom(): the kernel (5.18+) runs its jitter
 * generator in this task until the crng is ready or a signal is pending.
 * SIGALRM without SA_RESTART at the bound ends it with EINTR. The byte is
 * thrown away; it was drawn only to wait.
 */
static void jitter_block(unsigned long timeout_ms)
{
	struct sigaction sa = { .sa_handler = jitter_tick }, old_sa;
	struct itimerval it = {
		.it_value = { .tv_sec = (time_t)(timeout_ms / 1000),
			      .tv_usec = (suseconds_t)(timeout_ms % 1000) * 1000 },
		/* Again every 10 ms, should one tick land before the call blocks. */
		.it_interval = { .tv_sec = 0, .tv_usec = 10000 },
	}, off = { 0 };
	sigset_t alrm, old_mask;
	unsigned char byte;

	if (jitter_test_wait(timeout_ms) >= 0)
		return;
	sigemptyset(&sa.sa_mask);
	sigemptyset(&alrm);
	sigaddset(&alrm, SIGALRM);
	if (sigaction(SIGALRM, &sa, &old_sa) < 0)
		return;
	sigprocmask(SIG_UNBLOCK, &alrm, &old_mask);
	if (setitimer(ITIMER_REAL, &it, NULL) == 0) {
		uint64_t deadline = now_ms() + timeout_ms;
		/* A kernel before 5.18 just waits; either way the bound ends it. */
		while (syscall(SYS_getrandom, &byte, 1, 0) < 0 && errno == EINTR &&
		       now_ms() < deadline)
			;
		setitimer(ITIMER_REAL, &off, NULL);
	}
	sigprocmask(SIG_SETMASK, &old_mask, NULL);
	sigaction(SIGALRM, &old_sa, NULL);
	explicit_bzero(&byte, sizeof(byte));
}

int jitter_run(struct mix *m, const struct config *cfg, bool late)
{
	char reason[REPORT_REASON_MAX];

	if (pool_crng_ready() != 0)
		return 0; /* ready (or unknown): nothing to wait for */
	if (cfg->jitter_timeout_ms == 0) {
		log_info("kernel-jitter: crng not ready, but jitter_timeout_ms = 0: not waiting");
		return 0;
	}
	if (!late && access(paths.jitter_done_marker, F_OK) == 0) {
		log_info("kernel-jitter: crng not ready; an earlier stage of this boot waited "
			 "for the kernel already: not waiting again");
		return 0;
	}
	int fd = paths_run_open(paths.jitter_done_marker, 0);
	if (fd >= 0)
		close(fd);
	log_info("kernel-jitter: crng not ready after every source: waiting at most %lu ms "
		 "for the kernel's own jitter entropy", cfg->jitter_timeout_ms);
	uint64_t t0 = now_ms();
	jitter_block(cfg->jitter_timeout_ms);
	uint64_t waited = now_ms() - t0;
	bool ready = pool_crng_ready() == 1;
	if (ready) {
		snprintf(reason, sizeof(reason),
			 "waited %llu ms: the kernel's jitter entropy made the crng ready; the "
			 "kernel credited it, bootseed credits nothing for it",
			 (unsigned long long)waited);
		if (m->run && m->run->crng_before == 0 && m->run->crng_ready_ms < 0)
			m->run->crng_ready_ms = (int64_t)(now_ms() - m->run->start_ms);
	} else {
		snprintf(reason, sizeof(reason),
			 "waited %llu ms (jitter_timeout_ms %lu): the crng is still not ready "
			 "(no jitter in this kernel's getrandom?); the boot goes on",
			 (unsigned long long)waited, cfg->jitter_timeout_ms);
	}
	log_info("kernel-jitter: %s", reason);
	if (m->run && !report_add(m->run, "kernel-jitter", 0, 0, "n/a", reason))
		log_warn("report: too many sources, kernel-jitter not recorded, ignoring");
	return 0;
}
