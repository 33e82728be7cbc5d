// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * tpm: TPM2_GetRandom over tpm2-tss SAPI and the device TCTI, bounded in time.
 * The whole exchange (open, the TCTI's probe, the commands, close) runs in a
 * child process (child.h): a TPM that hangs in the kernel driver holds that
 * process, never the caller. TSS2_RC values become -errno in tpm_errno() and
 * tpm_open_tcti(), nowhere else.
 */
#include "tpm.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <tss2/tss2_sys.h>
#include <tss2/tss2_tcti_device.h>

#include "child.h"
#include "fileio.h"

#define TPM_HEADER_SIZE 10
/* tpm2-tss 3.x and 4.x (4.1.3 in the static build): Tss2_Tcti_Device_Init sends a
 * probe command outside our counting TCTI and waits this long for its answer. */
#define TPM_TCTI_PROBE_MS 1000
#define TPM_RETRY_MAX	  10
#define TPM_RETRY_MIN_MS  10
#define TPM_RETRY_CAP_MS  200
/*
 * How long after the deadline the caller waits for the child's own verdict:
 * the child bounds its retries and its ExecuteFinish by the deadline, but the
 * device TCTI's probe waits a fixed 1 s and ExecuteFinish's second poll (the
 * body) the full timeout again. Those, and any wait in the kernel, are ended
 * by the caller, which then reports what the child was waiting for.
 */
#define TPM_GRACE_MS 50

/* Our TCTI in front of the device TCTI: counts commands, checks response sizes. */
struct tpm_tcti {
	/* First: SAPI calls the TCTI through these pointers. */
	TSS2_TCTI_CONTEXT_COMMON_V2 common;
	TSS2_TCTI_CONTEXT *dev;
	struct tpm_session *s;
};

/* Messages from the child to the caller (child_send). */
enum { TPM_MSG_STATE = 1, TPM_MSG_RANDOM };
#define TPM_RUNNING 1

/*
 * What the child tells the caller as it goes: before the device TCTI's probe
 * and after each command it sent. The last one is its verdict (r <= 0), sent
 * before it closes the device, the step that blocks in the kernel when a
 * command is still in flight. If none comes in time, the caller reports the
 * timeout from the last one.
 */
struct tpm_state {
	int32_t r;	      /* TPM_RUNNING, then 0 or -errno */
	char waiting_for[40]; /* while running: the answer it waits for */
	struct tpm_info info;
};

/*
 * One exchange with the TPM, as the child does it: open, then each piece of
 * work in turn in one session, then close. More work (hand-built commands)
 * is more fields here, more steps in tpm_job() and more message types.
 */
struct tpm_job {
	const char *dev_dir;
	uint64_t deadline;
	unsigned timeout_ms;
	uint8_t *random; /* the caller's buffer: the child fills and wipes its copy */
	size_t random_len;
};

/* The child's side of an exchange. */
struct tpm_session {
	struct tpm_state st;
	struct tpm_info *info; /* &st.info */
	int out;	       /* the pipe to the caller */
	uint64_t deadline;
	unsigned timeout_ms;
	struct tpm_tcti tcti;
	TSS2_TCTI_CONTEXT *dev;
	size_t dev_size;
	TSS2_SYS_CONTEXT *sys;
	size_t sys_size;
};

static uint32_t tpm_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static bool tpm_expired(const struct tpm_session *s)
{
	return now_ms() >= s->deadline;
}

static int32_t tpm_remaining_ms(const struct tpm_session *s)
{
	uint64_t now = now_ms();
	return now >= s->deadline ? 0 : (int32_t)(s->deadline - now);
}

static bool tpm_rc_is_retry(TSS2_RC rc)
{
	return rc == TPM2_RC_RETRY || rc == TPM2_RC_YIELDED || rc == TPM2_RC_TESTING;
}

/* Records what failed for the caller's log line; returns @r. */
__attribute__((format(printf, 3, 4))) static int tpm_fail(struct tpm_session *s, int r,
							  const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s->info->error, sizeof(s->info->error), fmt, ap);
	va_end(ap);
	return r;
}

/* The module boundary: a TSS2_RC from the SAPI or a TCTI becomes -errno here. */
static int tpm_errno(struct tpm_session *s, const char *what, TSS2_RC rc)
{
	s->info->tss2_rc = rc;
	/* TRY_AGAIN is a poll() that ran out (ExecuteFinish gets the time left). */
	if (tpm_rc_is_retry(rc))
		return tpm_fail(s, tpm_expired(s) ? -ETIMEDOUT : -EAGAIN,
				"%s: TPM still busy after %u retries (rc 0x%x)", what,
				s->info->retries, rc);
	if (rc == TSS2_TCTI_RC_TRY_AGAIN || tpm_expired(s))
		return tpm_fail(s, -ETIMEDOUT, "%s: no answer within %u ms", what,
				s->timeout_ms);
	return tpm_fail(s, -EIO, "%s: failed (tss2 rc 0x%x)", what, rc);
}

/* Tells the caller what the child now waits for (its state so far). */
static void tpm_report(struct tpm_session *s, const char *waiting_for)
{
	snprintf(s->st.waiting_for, sizeof(s->st.waiting_for), "%s", waiting_for);
	/* A caller gone has killed us or will: nothing to do about a failure. */
	(void)child_send(s->out, TPM_MSG_STATE, &s->st, sizeof(s->st));
}

/*
 * Opens @path as the TCTI will, to learn why it cannot be used: the TCTI's own
 * failure is a bare TSS2_TCTI_RC_IO_ERROR, and tpm0 admits one user at a time.
 */
static int tpm_try_open(const char *path)
{
	struct stat st;
	int fd = open(path, O_RDWR | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT || errno == ENXIO ? -ENODEV : -errno;
	int r = fstat(fd, &st) < 0 ? -errno : S_ISCHR(st.st_mode) ? 0 : -ENOTTY;
	close(fd);
	return r;
}

static const char *tpm_open_error(int r)
{
	if (r == -ENODEV)
		return "absent";
	if (r == -ENOTTY)
		return "not a character device";
	if (r == -EBUSY)
		return "busy (tpm0 admits one user at a time)";
	return strerror(-r);
}

/* Picks tpmrm0, else tpm0, into info->device; says why tpmrm0 was not taken. */
static int tpm_pick_device(struct tpm_session *s, const char *dev_dir)
{
	static const char *const names[] = {"tpmrm0", "tpm0"};
	struct tpm_info *info = s->info;
	int err[ELEMENTSOF(names)];

	for (size_t i = 0; i < ELEMENTSOF(names); i++) {
		int n = snprintf(info->device, sizeof(info->device), "%s/%s", dev_dir,
				 names[i]);
		if (n < 0 || (size_t)n >= sizeof(info->device)) {
			info->device[0] = '\0';
			return tpm_fail(s, -ENAMETOOLONG, "device path too long");
		}
		err[i] = tpm_try_open(info->device);
		if (err[i] == 0)
			return 0;
		if (i == 0)
			snprintf(info->fallback_reason, sizeof(info->fallback_reason),
				 "%s: %s", names[0], tpm_open_error(err[0]));
	}
	info->device[0] = '\0';
	/* tpm0's error wins (it was the last hope) unless it is simply absent. */
	int r = err[1] != -ENODEV ? err[1] : err[0];
	return tpm_fail(s, r, "no usable TPM device (%s; tpm0: %s)",
			info->fallback_reason, tpm_open_error(err[1]));
}

/* The command's name in messages: "GetRandom", else its code. */
static void tpm_cc_name(uint32_t cc, char *buf, size_t size)
{
	if (cc == TPM2_CC_GetRandom)
		snprintf(buf, size, "GetRandom");
	else
		snprintf(buf, size, "TPM command 0x%x", cc);
}

static TSS2_RC tpm_tcti_transmit(TSS2_TCTI_CONTEXT *ctx, size_t size, const uint8_t *cmd)
{
	struct tpm_tcti *t = (struct tpm_tcti *)ctx;
	TSS2_RC rc = Tss2_Tcti_Transmit(t->dev, size, cmd);
	char name[32];

	if (rc == TSS2_RC_SUCCESS && size >= TPM_HEADER_SIZE) {
		t->s->info->commands++;
		tpm_cc_name(tpm_be32(cmd + 6), name, sizeof(name));
		tpm_report(t->s, name);
	}
	return rc;
}

/*
 * The device TCTI reads a response body with one read() and only warns when
 * fewer bytes came than the header announced; SAPI then unmarshals the
 * announced size from its buffer, which still holds the previous response.
 * A kernel TPM device returns whole responses; anything else (a pty, a driver
 * bug) must be an error, never old bytes passed off as fresh random ones.
 */
static TSS2_RC tpm_tcti_receive(TSS2_TCTI_CONTEXT *ctx, size_t *size, uint8_t *rsp,
				int32_t timeout)
{
	struct tpm_tcti *t = (struct tpm_tcti *)ctx;
	TSS2_RC rc = Tss2_Tcti_Receive(t->dev, size, rsp, timeout);

	if (rc != TSS2_RC_SUCCESS || !rsp)
		return rc;
	if (*size < TPM_HEADER_SIZE || tpm_be32(rsp + 2) != *size)
		return TSS2_TCTI_RC_MALFORMED_RESPONSE;
	return TSS2_RC_SUCCESS;
}

static void tpm_tcti_wrap(struct tpm_session *s)
{
	struct tpm_tcti *t = &s->tcti;

	memset(t, 0, sizeof(*t));
	t->common.v1.magic = 0x626f6f7473656564ULL; /* "bootseed" */
	t->common.v1.version = 2;
	t->common.v1.transmit = tpm_tcti_transmit;
	t->common.v1.receive = tpm_tcti_receive;
	t->dev = s->dev;
	t->s = s;
}

static int tpm_open_tcti(struct tpm_session *s)
{
	TSS2_RC rc = Tss2_Tcti_Device_Init(NULL, &s->dev_size, NULL);
	if (rc != TSS2_RC_SUCCESS)
		return tpm_errno(s, "device TCTI", rc);
	s->dev = calloc(1, s->dev_size);
	if (!s->dev)
		return tpm_fail(s, -ENOMEM, "out of memory");
	/* It opens the device we just opened and sends its probe (a GetRandom). */
	s->info->commands++;
	tpm_report(s, "the device TCTI's probe");
	uint64_t start = now_ms();
	rc = Tss2_Tcti_Device_Init(s->dev, &s->dev_size, s->info->device);
	if (rc != TSS2_RC_SUCCESS) {
		free(s->dev);
		s->dev = NULL;
		/* After its full wait for the probe's answer it says only "I/O error". */
		if (now_ms() - start >= TPM_TCTI_PROBE_MS) {
			s->info->tss2_rc = rc;
			return tpm_fail(
			    s, -ETIMEDOUT,
			    "device TCTI: no answer to its probe within %u ms",
			    TPM_TCTI_PROBE_MS);
		}
		return tpm_errno(s, "device TCTI", rc);
	}
	tpm_tcti_wrap(s);
	return 0;
}

static int tpm_open_sys(struct tpm_session *s)
{
	TSS2_ABI_VERSION abi = TSS2_ABI_VERSION_CURRENT;

	s->sys_size = Tss2_Sys_GetContextSize(TPM2_MAX_COMMAND_SIZE);
	s->sys = calloc(1, s->sys_size);
	if (!s->sys)
		return tpm_fail(s, -ENOMEM, "out of memory");
	TSS2_RC rc =
	    Tss2_Sys_Initialize(s->sys, s->sys_size, (TSS2_TCTI_CONTEXT *)&s->tcti, &abi);
	return rc == TSS2_RC_SUCCESS ? 0 : tpm_errno(s, "SAPI", rc);
}

static void tpm_close_sys(struct tpm_session *s)
{
	if (s->sys) {
		Tss2_Sys_Finalize(s->sys);
		/* Its command buffer still holds the last response: random bytes. */
		explicit_bzero(s->sys, s->sys_size);
		free(s->sys);
		s->sys = NULL;
	}
}

/* Closing a kernel TPM device with a command in flight waits for its driver. */
static void tpm_close_dev(struct tpm_session *s)
{
	if (s->dev) {
		Tss2_Tcti_Finalize(s->dev);
		free(s->dev);
		s->dev = NULL;
	}
}

/* One GetRandom exchange; the answer must fill exactly the response it came in. */
static TSS2_RC tpm_exchange(struct tpm_session *s, uint16_t want, TPM2B_DIGEST *ret)
{
	const uint8_t *rp;
	size_t rp_size;

	TSS2_RC rc = Tss2_Sys_GetRandom_Prepare(s->sys, want);
	if (rc == TSS2_RC_SUCCESS)
		rc = Tss2_Sys_ExecuteAsync(s->sys);
	if (rc == TSS2_RC_SUCCESS)
		rc = Tss2_Sys_ExecuteFinish(s->sys, tpm_remaining_ms(s));
	if (rc == TSS2_RC_SUCCESS)
		rc = Tss2_Sys_GetRandom_Complete(s->sys, ret);
	if (rc == TSS2_RC_SUCCESS)
		rc = Tss2_Sys_GetRpBuffer(s->sys, &rp_size, &rp);
	/*
	 * SAPI unmarshals within its whole buffer, not within the response: a
	 * TPM2B claiming more than the response holds would hand us old bytes.
	 */
	if (rc == TSS2_RC_SUCCESS && rp_size != sizeof(ret->size) + ret->size)
		rc = TSS2_SYS_RC_MALFORMED_RESPONSE;
	return rc;
}

/* One GetRandom, asked again while the TPM says "not now", within the deadline. */
static int tpm_get_random_once(struct tpm_session *s, uint16_t want, TPM2B_DIGEST *ret)
{
	unsigned delay = TPM_RETRY_MIN_MS;

	for (unsigned tries = 0;; tries++) {
		TSS2_RC rc = tpm_exchange(s, want, ret);
		if (rc == TSS2_RC_SUCCESS)
			return 0;
		if (!tpm_rc_is_retry(rc) || tries == TPM_RETRY_MAX || tpm_expired(s))
			return tpm_errno(s, "GetRandom", rc);
		s->info->tss2_rc = rc;
		s->info->retries++;
		int32_t left = tpm_remaining_ms(s);
		/* A plain sleep, never past the deadline. */
		poll(NULL, 0, (int32_t)delay < left ? (int)delay : (int)left);
		if (tpm_expired(s))
			return tpm_errno(s, "GetRandom", rc);
		delay = delay * 2 > TPM_RETRY_CAP_MS ? TPM_RETRY_CAP_MS : delay * 2;
	}
}

/*
 * Asks for min(len, 64) first. A shorter first answer of a digest size (32 or
 * 48) is the TPM's limit (TPM2_GetRandom returns at most its largest digest),
 * which saves a GetCapability round trip. Any other short answer is an error.
 */
static int tpm_read_all(struct tpm_session *s, uint8_t *out, size_t len)
{
	struct tpm_info *info = s->info;
	size_t done = 0;
	bool learned = false;
	TPM2B_DIGEST d;
	int r = 0;

	info->max_digest = TPM_DIGEST_MAX;
	while (done < len) {
		size_t rest = len - done;
		uint16_t want =
		    (uint16_t)(rest < info->max_digest ? rest : info->max_digest);

		r = tpm_get_random_once(s, want, &d);
		if (r < 0)
			break;
		if (!learned && d.size < want && (d.size == 32 || d.size == 48)) {
			info->max_digest = d.size;
		} else if (d.size != want) {
			r = tpm_fail(s, -EIO,
				     "GetRandom: short reply, %u bytes for %u asked",
				     d.size, want);
			break;
		}
		learned = true;
		memcpy(out + done, d.buffer, d.size);
		done += d.size;
	}
	explicit_bzero(&d, sizeof(d));
	return r;
}

/*
 * The child: the whole exchange. Its verdict (and the bytes) reach the caller
 * before the device is closed; everything that held random bytes is wiped
 * first, since the close may never come back.
 */
static int tpm_job(int out, void *arg)
{
	struct tpm_job *j = arg;
	struct tpm_session s = {
	    .out = out, .deadline = j->deadline, .timeout_ms = j->timeout_ms};

	s.info = &s.st.info;
	s.st.r = TPM_RUNNING;
	/*
	 * tss2 logs its own errors to stderr ("WARNING:tcti:..."), a second and
	 * unexplained message on the boot console: the caller reports instead.
	 * TSS2_LOG set by the user still wins.
	 */
	setenv("TSS2_LOG", "all+none", 0);
	int r = tpm_pick_device(&s, j->dev_dir);
	if (r == 0)
		r = tpm_open_tcti(&s);
	if (r == 0)
		r = tpm_open_sys(&s);
	if (r == 0)
		r = tpm_read_all(&s, j->random, j->random_len);
	if (r == 0)
		r = child_send(out, TPM_MSG_RANDOM, j->random, j->random_len);
	explicit_bzero(j->random, j->random_len);
	tpm_close_sys(&s);
	s.st.r = r;
	tpm_report(&s, "");
	tpm_close_dev(&s);
	return r;
}

/* The caller's side when the child missed its bound or died: says which. */
static int tpm_lost(struct tpm_info *info, const struct tpm_state *st, int r,
		    unsigned timeout_ms)
{
	const char *what = st->waiting_for[0] ? st->waiting_for : "the TPM device";

	if (r == -ETIMEDOUT) {
		snprintf(info->error, sizeof(info->error), "%s: no answer within %u ms",
			 what, timeout_ms);
		return r;
	}
	snprintf(info->error, sizeof(info->error), "the TPM exchange ended early (%s)",
		 strerror(-r));
	return -EIO;
}

int tpm_get_random(const char *dev_dir, void *buf, size_t len, unsigned timeout_ms,
		   struct tpm_info *ret_info)
{
	struct tpm_state st = {.r = TPM_RUNNING}, next;
	struct tpm_job job = {.dev_dir = dev_dir, .random = buf, .random_len = len};
	struct child c;
	bool got = false;
	size_t n;

	memset(ret_info, 0, sizeof(*ret_info));
	if (len == 0)
		return 0;
	if (!buf)
		return -EINVAL;
	if (!dev_dir || timeout_ms == 0 || timeout_ms > INT32_MAX - TPM_GRACE_MS ||
	    len > CHILD_MSG_MAX) {
		explicit_bzero(buf, len);
		return -EINVAL;
	}
	job.timeout_ms = timeout_ms;
	job.deadline = now_ms() + timeout_ms;
	int r = child_start(&c, timeout_ms + TPM_GRACE_MS, tpm_job, &job);
	if (r < 0) {
		snprintf(ret_info->error, sizeof(ret_info->error),
			 "cannot start a process for the TPM: %s", strerror(-r));
		explicit_bzero(buf, len);
		return r;
	}
	while (r == 0 && st.r == TPM_RUNNING) {
		r = child_next(&c, &n);
		if (r == TPM_MSG_STATE && n == sizeof(next)) {
			r = child_read(&c, &next, n);
			if (r == 0)
				st = next;
		} else if (r == TPM_MSG_RANDOM && n == len && !got) {
			r = child_read(&c, buf, n);
			got = r == 0;
		} else if (r >= 0) {
			r = -EPROTO;
		}
	}
	child_stop(&c);
	*ret_info = st.info;
	if (r < 0)
		r = tpm_lost(ret_info, &st, r, timeout_ms);
	else if ((r = st.r) == 0 && !got)
		r = tpm_lost(ret_info, &st, -EPROTO, timeout_ms);
	if (r < 0)
		explicit_bzero(buf, len);
	return r;
}
