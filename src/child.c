// SPDX-License-Identifier: GPL-2.0-or-later
/* child: a blocking job in a grandchild process, bounded in time, abandoned if late. */
#include "child.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fileio.h"

/* A message: this header, then len bytes. Type CHILD_END carries an int32_t. */
struct child_hdr {
	uint32_t type;
	uint32_t len;
};

#define CHILD_TYPE_MAX 65535

/*
 * The job's descriptors: its output as fd 3, /dev/null as 0-2, nothing else
 * (close_range needs Linux 5.9; before that, the first 1024).
 */
static void child_fds(int out)
{
	if (dup2(out, 3) < 0)
		_exit(1);
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	for (int fd = 0; fd < 3; fd++)
		if (fd != null && (null < 0 || dup2(null, fd) < 0))
			close(fd);
#ifdef SYS_close_range
	if (syscall(SYS_close_range, 4U, ~0U, 0) == 0)
		return;
#endif
	for (int fd = 4; fd < 1024; fd++)
		close(fd);
}

static int child_send_raw(int out, uint32_t type, const void *buf, size_t len)
{
	struct child_hdr h = {.type = type, .len = (uint32_t)len};

	int r = write_full(out, &h, sizeof(h));
	return r < 0 || len == 0 ? r : write_full(out, buf, len);
}

int child_send(int out, unsigned type, const void *buf, size_t len)
{
	if (type == CHILD_END || type > CHILD_TYPE_MAX || len > CHILD_MSG_MAX)
		return -EINVAL;
	return child_send_raw(out, type, buf, len);
}

/*
 * The job's process. It exits only once the caller has closed its end of the
 * pipe (POLLERR for a writer): until then its process group, which the caller
 * may kill, cannot have been emptied and its number reused.
 */
static _Noreturn void child_run(int out, child_job_fn *job, void *arg)
{
	struct sigaction ign = {.sa_handler = SIG_IGN};
	struct pollfd p = {.fd = 3};

	child_fds(out);
	sigaction(SIGPIPE, &ign, NULL); /* a caller gone means EPIPE, then the wipe */
	int32_t r = job(3, arg);
	child_send_raw(3, CHILD_END, &r, sizeof(r));
	while (poll(&p, 1, -1) < 0 || !(p.revents & (POLLERR | POLLHUP | POLLNVAL)))
		;
	_exit(0);
}

int child_start(struct child *c, unsigned timeout_ms, child_job_fn *job, void *arg)
{
	int d[2], status = 0;

	*c = (struct child){.fd = -1, .deadline = now_ms() + timeout_ms};
	if (pipe2(d, O_CLOEXEC) < 0)
		return -errno;
	pid_t mid = fork();
	if (mid == 0) {
		/*
		 * The middle process: leads a new process group, forks the job's
		 * process into it and leaves that to init.
		 */
		pid_t pid = setpgid(0, 0) < 0 ? -1 : fork();
		if (pid == 0)
			child_run(d[1], job, arg);
		_exit(pid > 0 ? 0 : 1);
	}
	int r = mid < 0 ? -errno : 0;
	close(d[1]);
	c->fd = d[0];
	c->pgid = mid;
	/*
	 * Not a wait on the job: the middle process exits at once. (With SIGCHLD
	 * ignored it is reaped unseen and status stays 0.)
	 */
	while (mid > 0 && waitpid(mid, &status, 0) < 0 && errno == EINTR)
		;
	if (r == 0 && (!WIFEXITED(status) || WEXITSTATUS(status) != 0))
		r = -EAGAIN;
	if (r < 0) {
		c->ended = true;
		child_stop(c);
	}
	return r;
}

int child_read(struct child *c, void *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		uint64_t now = now_ms();
		if (now >= c->deadline)
			return -ETIMEDOUT;
		uint64_t left = c->deadline - now;
		struct pollfd p = {.fd = c->fd, .events = POLLIN};
		int n = poll(&p, 1, left > INT_MAX ? INT_MAX : (int)left);
		if (n <= 0) {
			if (n < 0 && errno != EINTR)
				return -errno;
			continue;
		}
		ssize_t got = read(c->fd, (char *)buf + done, len - done);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0) {
			/* No writer is left: the job's process is gone. */
			c->ended = got == 0;
			return got == 0 ? -EPIPE : -errno;
		}
		done += (size_t)got;
	}
	return 0;
}

int child_next(struct child *c, size_t *ret_len)
{
	struct child_hdr h;
	int32_t result;

	*ret_len = 0;
	int r = child_read(c, &h, sizeof(h));
	if (r < 0)
		return r;
	if (h.type == CHILD_END) {
		if (h.len != sizeof(result))
			return -EPROTO;
		r = child_read(c, &result, sizeof(result));
		if (r < 0)
			return r;
		c->ended = true;
		c->result = result;
		return CHILD_END;
	}
	if (h.type > CHILD_TYPE_MAX || h.len > CHILD_MSG_MAX)
		return -EPROTO;
	*ret_len = h.len;
	return (int)h.type;
}

void child_stop(struct child *c)
{
	if (c->fd < 0)
		return;
	/* It may be in uninterruptible sleep: it dies when the kernel lets it go. */
	if (!c->ended)
		kill(-c->pgid, SIGKILL);
	close(c->fd);
	c->fd = -1;
}
