/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * child: runs a job that may block in a device driver (an hwrng read, a TPM
 * exchange) in a process of its own, so that a driver stuck in the kernel
 * holds that process and never the boot. The job sends framed messages over a
 * pipe; the caller reads them against one deadline and, if the job is late,
 * kills it and leaves it: a process in uninterruptible sleep dies only when
 * the kernel lets go of it, and nobody waits for that.
 *
 * The job runs in a grandchild (a double fork) in a process group of its own:
 * it is never the caller's child, so no waitpid() in this process, for any
 * pid, can block on it, and the caller's init (or subreaper) reaps it whenever
 * it exits. It keeps no file descriptor of the caller's but its pipe (no seed
 * directory lock, no pipe a shell waits on: 0-2 are /dev/null), so a stuck job
 * holds nothing else.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* The type child_next() returns when the job has returned (never a job's own). */
#define CHILD_END 0
/* The largest message a job may send, in bytes. */
#define CHILD_MSG_MAX 65536

struct child {
	pid_t pgid;	   /* the job's process group; the job is never our child */
	int fd;		   /* the read end of its output; -1 once stopped */
	uint64_t deadline; /* now_ms() at the start + the bound */
	bool ended;	   /* its end arrived (it exits on its own) or it is gone */
	int result;	   /* the job's return value, once ended */
};

/*
 * A job: runs in the child with @out, the write end of its output, as fd 3. It
 * sends what it produces with child_send() and returns 0 or -errno, which
 * reaches the caller as child->result. Before it returns it must wipe every
 * buffer that held secret bytes (its copy of the caller's memory included).
 */
typedef int child_job_fn(int out, void *arg);

/*
 * Starts @job(@arg) in a new process, to be done within @timeout_ms from now.
 * Returns 0, or -errno (pipe or fork failed; nothing is left running).
 */
int child_start(struct child *c, unsigned timeout_ms, child_job_fn *job, void *arg);

/* In the job: sends one message of @type (1..65535) with @len bytes. 0 or -errno. */
int child_send(int out, unsigned type, const void *buf, size_t len);

/*
 * In the caller: waits (until the deadline) for the next message's header.
 * Returns its type and sets *@ret_len, whose bytes the caller then reads with
 * child_read(); or CHILD_END (c->result holds the job's return value); or
 * -ETIMEDOUT at the deadline, -EPIPE when the job died without ending,
 * -EPROTO for a malformed stream.
 */
int child_next(struct child *c, size_t *ret_len);
/* Reads exactly @len bytes of the current message (until the deadline). */
int child_read(struct child *c, void *buf, size_t len);

/*
 * Ends the exchange without waiting: a job that has not ended is killed
 * (SIGKILL) and abandoned. Safe to call twice.
 */
void child_stop(struct child *c);
