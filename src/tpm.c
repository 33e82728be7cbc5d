// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * tpm: TPM2_GetRandom over tpm2-tss SAPI and the device TCTI, bounded in time.
 * TSS2_RC values become -errno in tpm_errno() and tpm_open_tcti(), nowhere else.
 */
#include "tpm.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <tss2/tss2_sys.h>
#include <tss2/tss2_tcti_device.h>

#include "fileio.h"

#define TPM_HEADER_SIZE 10
/* tpm2-tss 3.x and 4.x (4.1.3 in the static build): Tss2_Tcti_Device_Init sends a
 * probe command outside our counting TCTI and waits this long for its answer. */
#define TPM_TCTI_PROBE_MS 1000
#define TPM_RETRY_MAX	  10
#define TPM_RETRY_MIN_MS  10
#define TPM_RETRY_CAP_MS  200
/* After the deadline, SIGALRM repeats this often until disarmed. */
#define TPM_ALARM_TICK_US 10000

/* Our TCTI in front of the device TCTI: counts commands, checks response sizes. */
struct tpm_tcti {
	/* First: SAPI calls the TCTI through these pointers. */
	TSS2_TCTI_CONTEXT_COMMON_V2 common;
	TSS2_TCTI_CONTEXT *dev;
	unsigned *commands;
};

struct tpm_session {
	struct tpm_info *info;
	uint64_t deadline;
	unsigned timeout_ms;
	struct tpm_tcti tcti;
	TSS2_TCTI_CONTEXT *dev;
	size_t dev_size;
	TSS2_SYS_CONTEXT *sys;
	size_t sys_size;
};

struct tpm_alarm {
	struct sigaction old_sa;
	struct itimerval old_it;
	sigset_t old_mask;
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
	/*
	 * TRY_AGAIN is a poll() that ran out; an I/O error after the deadline is
	 * our SIGALRM breaking a poll() we could give no timeout.
	 */
	if (tpm_rc_is_retry(rc))
		return tpm_fail(s, tpm_expired(s) ? -ETIMEDOUT : -EAGAIN,
				"%s: TPM still busy after %u retries (rc 0x%x)", what,
				s->info->retries, rc);
	if (rc == TSS2_TCTI_RC_TRY_AGAIN || tpm_expired(s))
		return tpm_fail(s, -ETIMEDOUT, "%s: no answer within %u ms", what,
				s->timeout_ms);
	return tpm_fail(s, -EIO, "%s: failed (tss2 rc 0x%x)", what, rc);
}

static void tpm_alarm_tick(int sig)
{
	(void)sig;
}

/*
 * The device TCTI's open waits for its probe's answer with a fixed 1 s poll(),
 * and ExecuteFinish polls twice (header, then body), each time with the full
 * timeout we pass: no timeout we can pass bounds the whole call. SIGALRM at
 * the deadline makes a waiting poll() return EINTR, which tss2 reports as an
 * I/O error; it repeats every 10 ms in case one tick lands between two polls.
 */
static int tpm_alarm_arm(struct tpm_alarm *a, unsigned ms)
{
	struct sigaction sa = {.sa_handler = tpm_alarm_tick}; /* no SA_RESTART */
	struct itimerval it = {
	    .it_value = {.tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000},
	    .it_interval = {.tv_sec = 0, .tv_usec = TPM_ALARM_TICK_US},
	};
	sigset_t alrm;

	sigemptyset(&sa.sa_mask);
	sigemptyset(&alrm);
	sigaddset(&alrm, SIGALRM);
	if (sigaction(SIGALRM, &sa, &a->old_sa) < 0)
		return -errno;
	sigprocmask(SIG_UNBLOCK, &alrm, &a->old_mask);
	if (setitimer(ITIMER_REAL, &it, &a->old_it) < 0) {
		int r = -errno;
		sigprocmask(SIG_SETMASK, &a->old_mask, NULL);
		sigaction(SIGALRM, &a->old_sa, NULL);
		return r;
	}
	return 0;
}

static void tpm_alarm_disarm(struct tpm_alarm *a)
{
	static const struct itimerval off;

	/* SIGALRM is unblocked, so a tick raised before this has been handled. */
	setitimer(ITIMER_REAL, &off, NULL);
	sigprocmask(SIG_SETMASK, &a->old_mask, NULL);
	sigaction(SIGALRM, &a->old_sa, NULL);
	setitimer(ITIMER_REAL, &a->old_it, NULL);
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

static TSS2_RC tpm_tcti_transmit(TSS2_TCTI_CONTEXT *ctx, size_t size, const uint8_t *cmd)
{
	struct tpm_tcti *t = (struct tpm_tcti *)ctx;
	TSS2_RC rc = Tss2_Tcti_Transmit(t->dev, size, cmd);

	if (rc == TSS2_RC_SUCCESS)
		(*t->commands)++;
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

static void tpm_tcti_wrap(struct tpm_tcti *t, TSS2_TCTI_CONTEXT *dev, unsigned *commands)
{
	memset(t, 0, sizeof(*t));
	t->common.v1.magic = 0x626f6f7473656564ULL; /* "bootseed" */
	t->common.v1.version = 2;
	t->common.v1.transmit = tpm_tcti_transmit;
	t->common.v1.receive = tpm_tcti_receive;
	t->dev = dev;
	t->commands = commands;
}

static int tpm_open_tcti(struct tpm_session *s)
{
	TSS2_RC rc = Tss2_Tcti_Device_Init(NULL, &s->dev_size, NULL);
	if (rc != TSS2_RC_SUCCESS)
		return tpm_errno(s, "device TCTI", rc);
	s->dev = calloc(1, s->dev_size);
	if (!s->dev)
		return tpm_fail(s, -ENOMEM, "out of memory");
	uint64_t start = now_ms();
	rc = Tss2_Tcti_Device_Init(s->dev, &s->dev_size, s->info->device);
	/* It opened the device we just opened: its probe (a GetRandom) went out. */
	s->info->commands++;
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
	tpm_tcti_wrap(&s->tcti, s->dev, &s->info->commands);
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

static void tpm_close(struct tpm_session *s)
{
	if (s->sys) {
		Tss2_Sys_Finalize(s->sys);
		/* Its command buffer still holds the last response: random bytes. */
		explicit_bzero(s->sys, s->sys_size);
		free(s->sys);
		s->sys = NULL;
	}
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
		/* A plain sleep; SIGALRM at the deadline cuts it short. */
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

static int tpm_run(struct tpm_session *s, const char *dev_dir, uint8_t *buf, size_t len)
{
	int r = tpm_pick_device(s, dev_dir);
	if (r == 0)
		r = tpm_open_tcti(s);
	if (r == 0)
		r = tpm_open_sys(s);
	if (r == 0)
		r = tpm_read_all(s, buf, len);
	tpm_close(s);
	return r;
}

int tpm_get_random(const char *dev_dir, void *buf, size_t len, unsigned timeout_ms,
		   struct tpm_info *ret_info)
{
	struct tpm_session s = {.info = ret_info, .timeout_ms = timeout_ms};
	struct tpm_alarm alarm;

	memset(ret_info, 0, sizeof(*ret_info));
	if (len == 0)
		return 0;
	if (!buf)
		return -EINVAL;
	if (!dev_dir || timeout_ms == 0 || timeout_ms > INT32_MAX) {
		explicit_bzero(buf, len);
		return -EINVAL;
	}
	s.deadline = now_ms() + timeout_ms;
	/*
	 * tss2 logs its own errors to stderr ("WARNING:tcti:..."), a second and
	 * unexplained message on the boot console: the caller reports instead.
	 * TSS2_LOG set by the user still wins.
	 */
	setenv("TSS2_LOG", "all+none", 0);
	int r = tpm_alarm_arm(&alarm, timeout_ms);
	if (r < 0)
		return r;
	r = tpm_run(&s, dev_dir, buf, len);
	tpm_alarm_disarm(&alarm);
	if (r < 0)
		explicit_bzero(buf, len);
	return r;
}
