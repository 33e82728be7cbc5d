// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * tpm: TPM2_GetRandom and the binding commands, marshalled and parsed here,
 * over tpm2-tss's device TCTI, bounded in time. The whole exchange (open, the
 * TCTI's probe, the commands, close) runs in a child process (child.h): a TPM
 * that hangs in the kernel driver holds that process, never the caller.
 * TSS2_RC and TPM response codes become -errno in tpm_errno(), tpm_rc_errno()
 * and tpm_open_tcti(), nowhere else.
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

#include <tss2/tss2_tcti_device.h>

#include "child.h"
#include "fileio.h"

#define TPM_HEADER_SIZE 10
/* tpm2-tss 3.x and 4.x (4.1.3 in the static build): Tss2_Tcti_Device_Init sends a
 * probe command outside our counting and waits this long for its answer. */
#define TPM_TCTI_PROBE_MS 1000
#define TPM_RETRY_MAX	  10
#define TPM_RETRY_MIN_MS  10
#define TPM_RETRY_CAP_MS  200
/*
 * How long after the deadline the caller waits for the child's own verdict:
 * the child bounds its retries and its receives by the deadline, but the
 * device TCTI's probe waits a fixed 1 s. That, and any wait in the kernel, is
 * ended by the caller, which then reports what the child was waiting for.
 */
#define TPM_GRACE_MS 50
/*
 * Command and response buffers: a CreatePrimary reply carries the public area,
 * the creation data, its hash and ticket and the name (about 300 bytes for our
 * key); every TPM's input and output buffers are at least 1 KiB.
 */
#define TPM_BUF_MAX 1024

/* TPM 2.0 constants (Part 2), only those used. */
#define TPM_ST_NO_SESSIONS 0x8001
#define TPM_ST_SESSIONS	   0x8002
#define TPM_CC_NV_DEFINE   0x12a
#define TPM_CC_PRIMARY	   0x131
#define TPM_CC_NV_INC	   0x134
#define TPM_CC_NV_READ	   0x14e
#define TPM_CC_HMAC	   0x155
#define TPM_CC_FLUSH	   0x165
#define TPM_CC_GET_RANDOM  0x17b
#define TPM_RH_OWNER	   0x40000001u
#define TPM_RS_PW	   0x40000009u
#define TPM_ALG_KEYEDHASH  0x0008
#define TPM_ALG_SHA256	   0x000b
#define TPM_ALG_HMAC	   0x0005
#define TPM_RC_FAILURE	   0x101
#define TPM_RC_ATTRIBUTES  0x082
#define TPM_RC_HANDLE	   0x08b
#define TPM_RC_AUTH_FAIL   0x08e
#define TPM_RC_BAD_AUTH	   0x0a2
#define TPM_RC_OBJ_MEMORY  0x902
#define TPM_RC_YIELDED	   0x908
#define TPM_RC_TESTING	   0x90a
#define TPM_RC_NV_RATE	   0x920
#define TPM_RC_LOCKOUT	   0x921
#define TPM_RC_RETRY	   0x922
#define TPM_RC_NV_UNAVAIL  0x923
/* fixedTPM | fixedParent | sensitiveDataOrigin | userWithAuth | noDA | sign */
#define TPM_KEY_ATTRS 0x00040472u
/* TPM_NT_COUNTER | AUTHWRITE | OWNERWRITE | AUTHREAD | OWNERREAD | NO_DA; not ORDERLY */
#define TPM_NV_ATTRS	    0x02060016u
#define TPM_HANDLE_TRANSIENT 0x80

/* The label in the key's unique field: the same template, the same key. */
static const char tpm_key_label[] = "bootseed tpm binding key v1";
static const char tpm_bind_label[] = "bootseed bind v1";

/* Messages from the child to the caller (child_send). */
enum { TPM_MSG_STATE = 1, TPM_MSG_RANDOM, TPM_MSG_BIND };
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

/* One exchange with the TPM, as the child does it: open, the work, close. */
struct tpm_job {
	const char *dev_dir;
	uint64_t deadline;
	unsigned timeout_ms;
	uint8_t *random; /* the caller's buffer: the child fills and wipes its copy */
	size_t random_len;
	struct tpm_want want;
};

/* The child's side of an exchange. */
struct tpm_session {
	struct tpm_state st;
	struct tpm_info *info; /* &st.info */
	int out;	       /* the pipe to the caller */
	uint64_t deadline;
	unsigned timeout_ms;
	TSS2_TCTI_CONTEXT *dev;
	size_t dev_size;
	uint8_t cmd[TPM_BUF_MAX];
	uint8_t rsp[TPM_BUF_MAX];
	size_t cmd_len, rsp_len;
	uint32_t rc;	/* the last command's response code */
	char what[32];	/* the last command's name, for messages */
};

/* A reader over a reply; any read past the end marks it bad and reads zeros. */
struct tpm_rd {
	const uint8_t *p;
	size_t left;
	bool bad;
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

/* The code without the handle, session or parameter number of format-one codes. */
static uint32_t tpm_rc_base(uint32_t rc)
{
	return rc & 0x80 ? 0x80 | (rc & 0x3f) : rc;
}

static bool tpm_rc_is_retry(uint32_t rc)
{
	return rc == TPM_RC_RETRY || rc == TPM_RC_YIELDED || rc == TPM_RC_TESTING;
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

/* The module boundary for the TCTI: a TSS2_RC becomes -errno here. */
static int tpm_errno(struct tpm_session *s, const char *what, TSS2_RC rc)
{
	s->info->tss2_rc = rc;
	if (rc == TSS2_TCTI_RC_TRY_AGAIN || tpm_expired(s))
		return tpm_fail(s, -ETIMEDOUT, "%s: no answer within %u ms", what,
				s->timeout_ms);
	return tpm_fail(s, -EIO, "%s: failed (tss2 rc 0x%x)", what, rc);
}

/* What a TPM response code means to the user, for the one log line. */
static const char *tpm_rc_str(uint32_t rc)
{
	static const struct {
		uint16_t rc;
		char what[22];
	} names[] = {
		{ TPM_RC_BAD_AUTH, "a password is set" }, { TPM_RC_AUTH_FAIL, "a password is set" },
		{ TPM_RC_LOCKOUT, "lockout" },		  { TPM_RC_FAILURE, "failure mode" },
		{ TPM_RC_NV_RATE, "NV rate-limited" },	  { TPM_RC_NV_UNAVAIL, "NV unavailable" },
		{ TPM_RC_OBJ_MEMORY, "no object slot" },  { TPM_RC_ATTRIBUTES, "not a counter" },
	};
	for (size_t i = 0; i < ELEMENTSOF(names); i++)
		if (names[i].rc == tpm_rc_base(rc))
			return names[i].what;
	return "TPM error";
}

/* The module boundary for TPM response codes: 0x... becomes -errno here. */
static int tpm_rc_errno(struct tpm_session *s, uint32_t rc)
{
	s->info->tss2_rc = rc;
	if (tpm_rc_is_retry(rc))
		return tpm_fail(s, tpm_expired(s) ? -ETIMEDOUT : -EAGAIN,
				"%s: TPM still busy after %u retries (rc 0x%x)", s->what,
				s->info->retries, rc);
	return tpm_fail(s, tpm_rc_base(rc) == TPM_RC_HANDLE ? -ENOENT : -EIO, "%s: %s (rc 0x%x)",
			s->what, tpm_rc_str(rc), rc);
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
	return 0;
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

/* --- marshalling ------------------------------------------------------------ */

static void tpm_put(struct tpm_session *s, uint64_t v, unsigned bytes)
{
	for (unsigned i = bytes; i-- > 0;)
		s->cmd[s->cmd_len++] = (uint8_t)(v >> (8 * i));
}

static void tpm_put_bytes(struct tpm_session *s, const void *p, size_t n)
{
	memcpy(s->cmd + s->cmd_len, p, n);
	s->cmd_len += n;
}

/* A command header (its size is filled in by tpm_send) and its handles. */
static void tpm_begin(struct tpm_session *s, uint16_t tag, uint32_t cc, uint32_t h1, uint32_t h2)
{
	s->cmd_len = 0;
	tpm_put(s, tag, 2);
	tpm_put(s, 0, 4);
	tpm_put(s, cc, 4);
	if (h1)
		tpm_put(s, h1, 4);
	if (h2)
		tpm_put(s, h2, 4);
	/* One password session with the empty password. */
	if (tag == TPM_ST_SESSIONS) {
		tpm_put(s, 9, 4);
		tpm_put(s, TPM_RS_PW, 4);
		tpm_put(s, 0, 2); /* nonce */
		tpm_put(s, 0, 1); /* attributes */
		tpm_put(s, 0, 2); /* password */
	}
}

static uint64_t tpm_get(struct tpm_rd *rd, unsigned bytes)
{
	uint64_t v = 0;

	if (rd->left < bytes) {
		rd->bad = true;
		rd->left = 0;
		return 0;
	}
	for (unsigned i = 0; i < bytes; i++)
		v = v << 8 | rd->p[i];
	rd->p += bytes;
	rd->left -= bytes;
	return v;
}

/* A TPM2B: its size, checked against what is left; *ret points at its bytes. */
static size_t tpm_get_2b(struct tpm_rd *rd, const uint8_t **ret)
{
	size_t n = (size_t)tpm_get(rd, 2);

	if (n > rd->left) {
		rd->bad = true;
		rd->left = 0;
		n = 0;
	}
	if (ret)
		*ret = rd->p;
	rd->p += n;
	rd->left -= n;
	return n;
}

/*
 * Sends s->cmd and receives the reply into s->rsp. Checks the frame: at least
 * a header, the size field equal to the bytes received, the tag of the command
 * (an error reply: TPM_ST_NO_SESSIONS and nothing after the header). Answers
 * "not now" (TPM_RC_RETRY and kin) are asked again within the deadline.
 * Returns 0 with s->rsp a successful reply, or -errno.
 */
static int tpm_send(struct tpm_session *s, const char *what)
{
	unsigned delay = TPM_RETRY_MIN_MS;

	snprintf(s->what, sizeof(s->what), "%s", what);
	s->rsp_len = 0;
	s->cmd[2] = (uint8_t)(s->cmd_len >> 24);
	s->cmd[3] = (uint8_t)(s->cmd_len >> 16);
	s->cmd[4] = (uint8_t)(s->cmd_len >> 8);
	s->cmd[5] = (uint8_t)s->cmd_len;
	for (unsigned tries = 0;; tries++) {
		TSS2_RC trc = Tss2_Tcti_Transmit(s->dev, s->cmd_len, s->cmd);
		if (trc != TSS2_RC_SUCCESS)
			return tpm_errno(s, what, trc);
		s->info->commands++;
		tpm_report(s, what);
		size_t n = sizeof(s->rsp);
		trc = Tss2_Tcti_Receive(s->dev, &n, s->rsp, tpm_remaining_ms(s));
		if (trc != TSS2_RC_SUCCESS)
			return tpm_errno(s, what, trc);
		s->rsp_len = n;
		unsigned tag = (unsigned)s->rsp[0] << 8 | s->rsp[1];
		/*
		 * The device TCTI reads a reply with one read() and only warns when
		 * fewer bytes came than the header announced: old bytes in the
		 * buffer must never pass for a reply.
		 */
		if (n < TPM_HEADER_SIZE || n > sizeof(s->rsp) || tpm_be32(s->rsp + 2) != n) {
			s->info->tss2_rc = TSS2_TCTI_RC_MALFORMED_RESPONSE;
			return tpm_fail(s, -EIO, "%s: malformed reply", what);
		}
		s->rc = tpm_be32(s->rsp + 6);
		bool ok_tag = s->rc == 0 ? tag == ((unsigned)s->cmd[0] << 8 | s->cmd[1])
					 : tag == TPM_ST_NO_SESSIONS && n == TPM_HEADER_SIZE;
		if (!ok_tag)
			return tpm_fail(s, -EIO, "%s: malformed reply", what);
		if (s->rc == 0)
			return 0;
		if (!tpm_rc_is_retry(s->rc) || tries == TPM_RETRY_MAX || tpm_expired(s))
			return tpm_rc_errno(s, s->rc);
		s->info->tss2_rc = s->rc;
		s->info->retries++;
		int32_t left = tpm_remaining_ms(s);
		/* A plain sleep, never past the deadline. */
		poll(NULL, 0, (int32_t)delay < left ? (int)delay : (int)left);
		if (tpm_expired(s))
			return tpm_rc_errno(s, s->rc);
		delay = delay * 2 > TPM_RETRY_CAP_MS ? TPM_RETRY_CAP_MS : delay * 2;
	}
}

/*
 * The parameters of a successful reply with @handles handles: a reader over
 * them. With sessions, the parameter size must fit and the one password
 * session's reply (empty nonce and HMAC) must end the reply exactly.
 */
static struct tpm_rd tpm_params(struct tpm_session *s, unsigned handles, uint32_t *ret_handle)
{
	struct tpm_rd rd = {.p = s->rsp + TPM_HEADER_SIZE, .left = s->rsp_len - TPM_HEADER_SIZE};

	for (unsigned i = 0; i < handles; i++)
		*ret_handle = (uint32_t)tpm_get(&rd, 4);
	if (s->cmd[1] != (TPM_ST_SESSIONS & 0xff))
		return rd;
	size_t psize = (size_t)tpm_get(&rd, 4);
	if (psize > rd.left) {
		rd.bad = true;
		return rd;
	}
	struct tpm_rd auth = {.p = rd.p + psize, .left = rd.left - psize};
	rd.left = psize;
	size_t nonce = tpm_get_2b(&auth, NULL);
	tpm_get(&auth, 1);
	size_t hmac = tpm_get_2b(&auth, NULL);
	rd.bad |= auth.bad || auth.left != 0 || nonce != 0 || hmac != 0;
	return rd;
}

/* The end of a parse: nothing bad, nothing left over. */
static int tpm_parsed(struct tpm_session *s, const struct tpm_rd *rd)
{
	if (rd->bad || rd->left != 0)
		return tpm_fail(s, -EIO, "%s: malformed reply", s->what);
	return 0;
}

/* --- the commands ---------------------------------------------------------------- */

/* One GetRandom of @want bytes: *ret_n bytes to @out, exactly as the reply holds. */
static int tpm_get_random_once(struct tpm_session *s, uint16_t want, uint8_t *out,
			       size_t *ret_n)
{
	const uint8_t *p;

	tpm_begin(s, TPM_ST_NO_SESSIONS, TPM_CC_GET_RANDOM, 0, 0);
	tpm_put(s, want, 2);
	int r = tpm_send(s, "GetRandom");
	if (r < 0)
		return r;
	struct tpm_rd rd = tpm_params(s, 0, NULL);
	size_t n = tpm_get_2b(&rd, &p);
	r = tpm_parsed(s, &rd);
	if (r < 0 || n > want)
		return tpm_fail(s, -EIO, "%s: malformed reply", s->what);
	memcpy(out, p, n);
	explicit_bzero(s->rsp, s->rsp_len);
	*ret_n = n;
	return 0;
}

/*
 * Asks for min(len, 64) first. A shorter first answer of a digest size (32 or
 * 48) is the TPM's limit (TPM2_GetRandom returns at most its largest digest),
 * which saves a GetCapability round trip. Any other short answer is an error.
 */
static int tpm_read_all(struct tpm_session *s, uint8_t *out, size_t len)
{
	struct tpm_info *info = s->info;
	size_t done = 0, n = 0;
	bool learned = false;

	info->max_digest = TPM_DIGEST_MAX;
	while (done < len) {
		size_t rest = len - done;
		uint16_t want =
		    (uint16_t)(rest < info->max_digest ? rest : info->max_digest);

		int r = tpm_get_random_once(s, want, out + done, &n);
		if (r < 0)
			return r;
		if (!learned && n < want && (n == 32 || n == 48))
			info->max_digest = (unsigned)n;
		else if (n != want)
			return tpm_fail(s, -EIO,
					"GetRandom: short reply, %zu bytes for %u asked", n,
					want);
		learned = true;
		done += n;
	}
	return 0;
}

/* NV_Increment or NV_Read of the counter, authorized by the index itself. */
static int tpm_nv(struct tpm_session *s, uint32_t cc, uint32_t index, uint64_t *ret_value)
{
	const uint8_t *p;

	tpm_begin(s, TPM_ST_SESSIONS, cc, index, index);
	if (cc == TPM_CC_NV_READ) {
		tpm_put(s, 8, 2); /* size */
		tpm_put(s, 0, 2); /* offset */
	}
	int r = tpm_send(s, cc == TPM_CC_NV_READ ? "NV_Read" : "NV_Increment");
	if (r < 0)
		return r;
	struct tpm_rd rd = tpm_params(s, 0, NULL);
	if (cc == TPM_CC_NV_READ) {
		struct tpm_rd v = {.p = rd.p};
		v.left = tpm_get_2b(&rd, &p);
		v.p = p;
		*ret_value = tpm_get(&v, 8);
		rd.bad |= v.bad || v.left != 0;
	}
	return tpm_parsed(s, &rd);
}

static int tpm_nv_define(struct tpm_session *s, uint32_t index)
{
	tpm_begin(s, TPM_ST_SESSIONS, TPM_CC_NV_DEFINE, TPM_RH_OWNER, 0);
	tpm_put(s, 0, 2);	       /* auth: empty */
	tpm_put(s, 14, 2);	       /* TPM2B_NV_PUBLIC */
	tpm_put(s, index, 4);
	tpm_put(s, TPM_ALG_SHA256, 2); /* nameAlg */
	tpm_put(s, TPM_NV_ATTRS, 4);
	tpm_put(s, 0, 2); /* authPolicy */
	tpm_put(s, 8, 2); /* dataSize */
	int r = tpm_send(s, "NV_DefineSpace");
	if (r < 0)
		return r;
	struct tpm_rd rd = tpm_params(s, 0, NULL);
	return tpm_parsed(s, &rd);
}

/* Increments and reads the counter, defining it on first use. */
static int tpm_counter(struct tpm_session *s, uint32_t index, struct tpm_bind *b)
{
	int r = tpm_nv(s, TPM_CC_NV_INC, index, NULL);
	if (r == -ENOENT && tpm_rc_base(s->rc) == TPM_RC_HANDLE) {
		r = tpm_nv_define(s, index);
		b->counter_defined = r == 0;
		if (r == 0)
			r = tpm_nv(s, TPM_CC_NV_INC, index, NULL);
	}
	if (r == 0)
		r = tpm_nv(s, TPM_CC_NV_READ, index, &b->counter);
	b->counter_ok = r == 0;
	/* A wrong-typed index: NV_Increment says TPM_RC_ATTRIBUTES ("not a counter"). */
	if (r < 0)
		snprintf(b->counter_why, sizeof(b->counter_why), "%s", s->info->error);
	return r;
}

/*
 * CreatePrimary in the owner hierarchy: a KEYEDHASH HMAC-SHA256 key whose
 * secret the TPM derives from its owner seed and the template (sensitive data
 * empty, sensitiveDataOrigin set), so the same TPM makes the same key at every
 * boot, and no other TPM can. Its handle goes to *ret_handle as soon as the
 * reply names one, so that it is flushed even if the rest is malformed.
 */
static int tpm_create_key(struct tpm_session *s, uint32_t *ret_handle, uint8_t *id)
{
	const uint8_t *p;
	uint32_t h = 0;

	tpm_begin(s, TPM_ST_SESSIONS, TPM_CC_PRIMARY, TPM_RH_OWNER, 0);
	tpm_put(s, 4, 2); /* inSensitive: empty userAuth and data */
	tpm_put(s, 0, 4);
	tpm_put(s, 16 + sizeof(tpm_key_label) - 1, 2); /* inPublic */
	tpm_put(s, TPM_ALG_KEYEDHASH, 2);
	tpm_put(s, TPM_ALG_SHA256, 2);
	tpm_put(s, TPM_KEY_ATTRS, 4);
	tpm_put(s, 0, 2); /* authPolicy */
	tpm_put(s, TPM_ALG_HMAC, 2);
	tpm_put(s, TPM_ALG_SHA256, 2);
	tpm_put(s, sizeof(tpm_key_label) - 1, 2); /* unique */
	tpm_put_bytes(s, tpm_key_label, sizeof(tpm_key_label) - 1);
	tpm_put(s, 0, 2); /* outsideInfo */
	tpm_put(s, 0, 4); /* creationPCR: none */
	int r = tpm_send(s, "CreatePrimary");
	/* A reply that says success and names a transient object: flushed, whatever else. */
	h = s->rsp_len >= 14 && tpm_be32(s->rsp + 6) == 0 ? tpm_be32(s->rsp + 10) : 0;
	if ((h >> 24) == TPM_HANDLE_TRANSIENT)
		*ret_handle = h;
	if (r < 0)
		return r;
	struct tpm_rd rd = tpm_params(s, 1, &h);
	tpm_get_2b(&rd, NULL); /* outPublic */
	tpm_get_2b(&rd, NULL); /* creationData */
	tpm_get_2b(&rd, NULL); /* creationHash */
	tpm_get(&rd, 6);       /* creationTicket: tag, hierarchy */
	tpm_get_2b(&rd, NULL); /* its digest */
	size_t n = tpm_get_2b(&rd, &p); /* name: nameAlg, then the digest */
	r = tpm_parsed(s, &rd);
	if (r == 0 && (*ret_handle != h || n != 34))
		r = tpm_fail(s, -EIO, "%s: malformed reply", s->what);
	if (r == 0)
		memcpy(id, p + 2, TPM_BIND_ID_LEN);
	return r;
}

/* TPM2_HMAC(key, "bootseed bind v1" || counter): the boot's binding key. */
static int tpm_hmac(struct tpm_session *s, uint32_t key, uint64_t counter, uint8_t *out)
{
	const uint8_t *p;

	tpm_begin(s, TPM_ST_SESSIONS, TPM_CC_HMAC, key, 0);
	tpm_put(s, sizeof(tpm_bind_label) - 1 + 8, 2);
	tpm_put_bytes(s, tpm_bind_label, sizeof(tpm_bind_label) - 1);
	tpm_put(s, counter, 8);
	tpm_put(s, TPM_ALG_SHA256, 2);
	int r = tpm_send(s, "HMAC");
	if (r < 0)
		return r;
	struct tpm_rd rd = tpm_params(s, 0, NULL);
	size_t n = tpm_get_2b(&rd, &p);
	r = tpm_parsed(s, &rd);
	if (r == 0 && n != TPM_BIND_KEY_LEN)
		r = tpm_fail(s, -EIO, "%s: malformed reply", s->what);
	if (r == 0)
		memcpy(out, p, TPM_BIND_KEY_LEN);
	explicit_bzero(s->rsp, sizeof(s->rsp));
	return r;
}

/*
 * FlushContext: on /dev/tpm0 (no resource manager) a transient object outlives
 * the process and takes one of the TPM's few slots until the next reset. The
 * flush gets at least 20 ms even after the deadline (the caller waits 50 more).
 */
static int tpm_flush(struct tpm_session *s, uint32_t handle)
{
	if (tpm_remaining_ms(s) < 20)
		s->deadline = now_ms() + 20;
	tpm_begin(s, TPM_ST_NO_SESSIONS, TPM_CC_FLUSH, 0, 0);
	tpm_put(s, handle, 4);
	int r = tpm_send(s, "FlushContext");
	if (r < 0)
		return r;
	struct tpm_rd rd = tpm_params(s, 0, NULL);
	return tpm_parsed(s, &rd);
}

/* The binding key: create, HMAC, flush whatever became of the HMAC. */
static void tpm_bind_key(struct tpm_session *s, uint64_t counter, struct tpm_bind *b)
{
	uint32_t handle = 0;

	int r = tpm_create_key(s, &handle, b->id);
	if (r == 0)
		r = tpm_hmac(s, handle, counter, b->key);
	if (r < 0)
		snprintf(b->key_why, sizeof(b->key_why), "%s", s->info->error);
	if (handle) {
		char why[sizeof(s->info->error)];
		memcpy(why, s->info->error, sizeof(why));
		int f = tpm_flush(s, handle);
		if (f < 0 && r == 0)
			snprintf(b->key_why, sizeof(b->key_why), "%s", s->info->error);
		memcpy(s->info->error, why, sizeof(why));
		r = r < 0 ? r : f;
	}
	b->key_ok = r == 0;
	if (r < 0)
		explicit_bzero(b->key, sizeof(b->key));
}

/*
 * The child: the whole exchange. The random bytes reach the caller as soon as
 * they are read, the binding when it is done, the verdict before the device
 * is closed; everything that held secret bytes is wiped first, since the close
 * may never come back.
 */
static int tpm_job(int out, void *arg)
{
	struct tpm_job *j = arg;
	struct tpm_session *s = calloc(1, sizeof(*s));
	struct tpm_bind b = {0};

	if (!s)
		return -ENOMEM;
	s->out = out;
	s->deadline = j->deadline;
	s->timeout_ms = j->timeout_ms;
	s->info = &s->st.info;
	s->st.r = TPM_RUNNING;
	/*
	 * tss2 logs its own errors to stderr ("WARNING:tcti:..."), a second and
	 * unexplained message on the boot console: the caller reports instead.
	 * TSS2_LOG set by the user still wins.
	 */
	setenv("TSS2_LOG", "all+none", 0);
	int r = tpm_pick_device(s, j->dev_dir);
	if (r == 0)
		r = tpm_open_tcti(s);
	if (r == 0)
		r = tpm_read_all(s, j->random, j->random_len);
	if (r == 0)
		r = child_send(out, TPM_MSG_RANDOM, j->random, j->random_len);
	explicit_bzero(j->random, j->random_len);
	if (r == 0 && (j->want.counter || j->want.bind)) {
		/* What went wrong with the binding is no failure of the random read. */
		char saved[sizeof(s->info->error)];
		memcpy(saved, s->info->error, sizeof(saved));
		if (j->want.counter && tpm_counter(s, j->want.nv_index, &b) < 0)
			snprintf(b.key_why, sizeof(b.key_why), "no counter (%.96s)",
				 b.counter_why);
		else if (j->want.bind)
			tpm_bind_key(s, b.counter, &b);
		memcpy(s->info->error, saved, sizeof(saved));
		r = child_send(out, TPM_MSG_BIND, &b, sizeof(b));
		explicit_bzero(&b, sizeof(b));
	}
	s->st.r = r;
	tpm_report(s, "");
	explicit_bzero(s->rsp, sizeof(s->rsp));
	tpm_close_dev(s);
	free(s);
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

/*
 * The child missed its bound after the random bytes came: they stand, and the
 * binding failed with what the child was waiting for.
 */
static void tpm_bind_lost(struct tpm_bind *b, const struct tpm_state *st, int r,
			  unsigned timeout_ms)
{
	struct tpm_info info;

	tpm_lost(&info, st, r, timeout_ms);
	memset(b, 0, sizeof(*b));
	snprintf(b->key_why, sizeof(b->key_why), "%s", info.error);
	snprintf(b->counter_why, sizeof(b->counter_why), "%s", info.error);
}

int tpm_read(const char *dev_dir, const struct tpm_want *want, void *buf, size_t len,
	     unsigned timeout_ms, struct tpm_info *ret_info, struct tpm_bind *ret_bind)
{
	struct tpm_state st = {.r = TPM_RUNNING}, next;
	struct tpm_job job = {.dev_dir = dev_dir, .random = buf, .random_len = len};
	bool binding = want && (want->bind || want->counter);
	struct child c;
	bool got = false, bound = false;
	size_t n;

	memset(ret_info, 0, sizeof(*ret_info));
	if (ret_bind)
		memset(ret_bind, 0, sizeof(*ret_bind));
	if (len == 0)
		return 0;
	if (!buf)
		return -EINVAL;
	if (!dev_dir || timeout_ms == 0 || timeout_ms > INT32_MAX - TPM_GRACE_MS ||
	    len > CHILD_MSG_MAX || (binding && !ret_bind)) {
		explicit_bzero(buf, len);
		return -EINVAL;
	}
	if (binding)
		job.want = *want;
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
		} else if (r == TPM_MSG_BIND && n == sizeof(*ret_bind) && got && binding &&
			   !bound) {
			r = child_read(&c, ret_bind, n);
			bound = r == 0;
		} else if (r >= 0) {
			r = -EPROTO;
		}
	}
	child_stop(&c);
	*ret_info = st.info;
	if (r < 0 && got && binding && !bound) {
		/* Only the binding was cut short. */
		tpm_bind_lost(ret_bind, &st, r, timeout_ms);
		ret_info->error[0] = '\0';
		return 0;
	}
	if (r < 0)
		r = tpm_lost(ret_info, &st, r, timeout_ms);
	else if ((r = st.r) == 0 && (!got || (binding && !bound)))
		r = tpm_lost(ret_info, &st, -EPROTO, timeout_ms);
	if (r < 0) {
		explicit_bzero(buf, len);
		if (ret_bind)
			explicit_bzero(ret_bind, sizeof(*ret_bind));
	}
	return r;
}

int tpm_get_random(const char *dev_dir, void *buf, size_t len, unsigned timeout_ms,
		   struct tpm_info *ret_info)
{
	return tpm_read(dev_dir, NULL, buf, len, timeout_ms, ret_info, NULL);
}
