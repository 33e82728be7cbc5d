// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * child.c: a job's messages and result reach the caller in order; a job that
 * never answers (every catchable signal blocked) costs the caller its bound
 * and no more, is killed, and is never the caller's child (no waitpid can
 * block on it); a job that ended stays alive until the caller lets go (so the
 * process group it may kill is never a reused number), then exits; a job
 * holds no descriptor of the caller's; a job that dies is reported as such.
 * And hwrng_read() through it: the exact bytes, a short device, the reader's
 * own errno, a reader that blocks (a FIFO with no writer) cut at the bound.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <stdlib.h>
#include <sys/stat.h>

#include "child.h"
#include "fileio.h"
#include "hwrng.h"
#include "unit.h"

enum { MSG_PID = 1, MSG_TEXT, MSG_FDS };

static void sleep_ms(unsigned ms)
{
	struct timespec ts = {.tv_sec = ms / 1000,
			      .tv_nsec = (long)(ms % 1000) * 1000000};
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static int send_pid(int out)
{
	int32_t pid = getpid();
	return child_send(out, MSG_PID, &pid, sizeof(pid));
}

/* The next message must be MSG_PID: returns the job's pid, or -1. */
static pid_t recv_pid(struct child *c)
{
	int32_t pid = -1;
	size_t n;

	if (child_next(c, &n) != MSG_PID || n != sizeof(pid) ||
	    child_read(c, &pid, n) < 0)
		return -1;
	return pid;
}

/* 'R'/'S'/'D'... from /proc/PID/stat; 0 when the process is gone. */
static char proc_state(pid_t pid)
{
	char path[64], buf[512];

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	ssize_t n = read_small_file(AT_FDCWD, path, buf, sizeof(buf) - 1);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	char *p = strrchr(buf, ')');
	return p && p[1] == ' ' ? p[2] : '?';
}

/* Gone or a zombie (this machine's init may not reap) within 2 s? */
static bool dies(pid_t pid)
{
	for (int i = 0; i < 200; i++) {
		char st = proc_state(pid);
		if (st == 0 || st == 'Z' || st == 'X')
			return true;
		sleep_ms(10);
	}
	return false;
}

/* No child of ours at all: a waitpid(-1) cannot block on an abandoned job. */
static bool no_children(void)
{
	return waitpid(-1, NULL, WNOHANG) < 0 && errno == ECHILD;
}

static int job_two_messages(int out, void *arg)
{
	const char *text = arg;

	if (send_pid(out) < 0 || child_send(out, MSG_TEXT, text, strlen(text)) < 0)
		return -EIO;
	return child_send(out, MSG_TEXT, "", 0) < 0 ? -EIO : -ENOENT;
}

static void test_messages_then_result(void)
{
	struct child c;
	char buf[64] = {0};
	size_t n;

	CHECK(child_start(&c, 5000, job_two_messages, "hello, caller") == 0);
	pid_t pid = recv_pid(&c);
	CHECK(pid > 0 && pid != getpid());
	CHECK(child_next(&c, &n) == MSG_TEXT && n == 13);
	CHECK(child_read(&c, buf, n) == 0 && strcmp(buf, "hello, caller") == 0);
	CHECK(child_next(&c, &n) == MSG_TEXT && n == 0);
	CHECK(child_next(&c, &n) == CHILD_END && c.result == -ENOENT);
	/* It ended, but holds on until we let go: its process group stays ours to kill.
	 */
	sleep_ms(50);
	char st = proc_state(pid);
	CHECK(st != 0 && st != 'Z');
	CHECK(no_children());
	child_stop(&c);
	CHECK(dies(pid));
	child_stop(&c); /* twice is fine */
}

static int job_never_answers(int out, void *arg)
{
	sigset_t all;

	(void)arg;
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, NULL);
	send_pid(out);
	for (;;)
		sleep_ms(1000);
	return 0;
}

static void test_late_job_is_killed_and_abandoned(void)
{
	struct child c;
	size_t n;

	uint64_t t0 = now_ms();
	CHECK(child_start(&c, 300, job_never_answers, NULL) == 0);
	pid_t pid = recv_pid(&c);
	CHECK(pid > 0);
	CHECK(child_next(&c, &n) == -ETIMEDOUT);
	uint64_t dt = now_ms() - t0;
	CHECK(dt >= 300 && dt < 500);
	CHECK(no_children());
	child_stop(&c);
	CHECK(now_ms() - t0 < 500); /* no wait for it */
	CHECK(dies(pid));
	CHECK(no_children());
}

static int job_trickles(int out, void *arg)
{
	(void)arg;
	send_pid(out);
	for (;;) {
		sleep_ms(40);
		if (child_send(out, MSG_TEXT, "x", 1) < 0)
			return -EPIPE;
	}
}

/* One deadline for the whole exchange, not one per message. */
static void test_one_deadline_for_all_messages(void)
{
	struct child c;
	size_t n;
	char x;
	int r, msgs = 0;

	uint64_t t0 = now_ms();
	CHECK(child_start(&c, 250, job_trickles, NULL) == 0);
	pid_t pid = recv_pid(&c);
	while ((r = child_next(&c, &n)) == MSG_TEXT && child_read(&c, &x, n) == 0)
		msgs++;
	uint64_t dt = now_ms() - t0;
	CHECK(r == -ETIMEDOUT && msgs >= 2 && dt >= 250 && dt < 450);
	child_stop(&c);
	CHECK(dies(pid));
}

/* Which of the descriptors 0..63 are open, and what 0-2 are. */
static int job_fds(int out, void *arg)
{
	char report[64 + 3 * 32] = {0};

	(void)arg;
	for (int fd = 0; fd < 64; fd++)
		report[fd] = fcntl(fd, F_GETFD) < 0 ? '-' : 'o';
	for (int fd = 0; fd < 3; fd++) {
		char path[32];
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		if (readlink(path, report + 64 + 32 * fd, 31) < 0)
			snprintf(report + 64 + 32 * fd, 32, "?");
	}
	return child_send(out, MSG_FDS, report, sizeof(report));
}

static void test_job_holds_no_descriptor_of_ours(void)
{
	char report[64 + 3 * 32];
	struct child c;
	int p[2];
	size_t n;

	/* A pipe and a file of ours, as a seed directory lock or a shell's pipe would be.
	 */
	CHECK(pipe(p) == 0);
	int f = open("/dev/null", O_RDONLY);
	CHECK(f >= 0);
	CHECK(child_start(&c, 5000, job_fds, NULL) == 0);
	CHECK(child_next(&c, &n) == MSG_FDS && n == sizeof(report));
	CHECK(child_read(&c, report, n) == 0);
	CHECK(memcmp(report, "oooo-", 5) == 0); /* 0-2 and its pipe, as 3 */
	CHECK(memchr(report + 4, 'o', 60) == NULL);
	for (int fd = 0; fd < 3; fd++)
		CHECK(strcmp(report + 64 + 32 * fd, "/dev/null") == 0);
	CHECK(child_next(&c, &n) == CHILD_END && c.result == 0);
	child_stop(&c);
	close(p[0]);
	close(p[1]);
	close(f);
}

static int job_dies(int out, void *arg)
{
	(void)arg;
	send_pid(out);
	child_send(out, MSG_TEXT, "ab", 2);
	_exit(3);
}

static void test_job_that_dies(void)
{
	struct child c;
	char buf[4];
	size_t n;

	uint64_t t0 = now_ms();
	CHECK(child_start(&c, 5000, job_dies, NULL) == 0);
	CHECK(recv_pid(&c) > 0);
	CHECK(child_next(&c, &n) == MSG_TEXT && n == 2 && child_read(&c, buf, 2) == 0);
	CHECK(child_next(&c, &n) == -EPIPE);
	CHECK(now_ms() - t0 < 1000);
	child_stop(&c);
}

static int job_bad_sends(int out, void *arg)
{
	static char big[CHILD_MSG_MAX + 1];

	(void)arg;
	if (child_send(out, CHILD_END, "", 0) != -EINVAL ||
	    child_send(out, 65536, "", 0) != -EINVAL ||
	    child_send(out, MSG_TEXT, big, sizeof(big)) != -EINVAL)
		return -EPROTO;
	return child_send(out, MSG_TEXT, big, CHILD_MSG_MAX);
}

static void test_message_limits(void)
{
	static char big[CHILD_MSG_MAX];
	struct child c;
	size_t n;

	CHECK(child_start(&c, 5000, job_bad_sends, NULL) == 0);
	CHECK(child_next(&c, &n) == MSG_TEXT && n == CHILD_MSG_MAX);
	CHECK(child_read(&c, big, n) == 0);
	CHECK(child_next(&c, &n) == CHILD_END && c.result == 0);
	child_stop(&c);
}

static void test_hwrng_read(void)
{
	char dir[] = "/tmp/bootseed-child-XXXXXX", path[64];
	unsigned char want[64], buf[64];

	if (!mkdtemp(dir))
		SKIP("mkdtemp failed");
	for (size_t i = 0; i < sizeof(want); i++)
		want[i] = (unsigned char)(i * 7 + 1);
	snprintf(path, sizeof(path), "%s/rng", dir);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	CHECK(fd >= 0 && write_full(fd, want, sizeof(want)) == 0);
	close(fd);
	CHECK(hwrng_read(path, buf, sizeof(buf), 2000) == 0 &&
	      memcmp(buf, want, 64) == 0);
	/* Fewer bytes than asked: -EIO, nothing partial left. */
	memset(buf, 0xa5, sizeof(buf));
	CHECK(truncate(path, 10) == 0);
	CHECK(hwrng_read(path, buf, sizeof(buf), 2000) == -EIO);
	CHECK(buf[0] == 0 && buf[9] == 0 && buf[63] == 0);
	/* The reader's own error, not a generic -EIO: read() of a directory. */
	CHECK(hwrng_read(dir, buf, sizeof(buf), 2000) == -EISDIR);
	/* A reader that blocks (open of a FIFO without a writer): cut at the bound. */
	snprintf(path, sizeof(path), "%s/fifo", dir);
	CHECK(mkfifo(path, 0600) == 0);
	uint64_t t0 = now_ms();
	CHECK(hwrng_read(path, buf, sizeof(buf), 200) == -ETIMEDOUT);
	uint64_t dt = now_ms() - t0;
	CHECK(dt >= 200 && dt < 400);
	CHECK(no_children());
	unlink(path);
	snprintf(path, sizeof(path), "%s/rng", dir);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	RUN(test_messages_then_result);
	RUN(test_late_job_is_killed_and_abandoned);
	RUN(test_one_deadline_for_all_messages);
	RUN(test_job_holds_no_descriptor_of_ours);
	RUN(test_job_that_dies);
	RUN(test_message_limits);
	RUN(test_hwrng_read);
	return unit_done();
}
