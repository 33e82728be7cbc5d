// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * hostparse: the host seed's parsers (strict base64, SMBIOS type 11 entries,
 * fw_cfg size and raw): pure functions over untrusted bytes, no I/O, fuzzed
 * on their own (tests/fuzz/fuzz_smbios.c, fuzz_fwcfg.c).
 */
#include <errno.h>
#include <string.h>

#include "fileio.h"
#include "hostseed.h"

/* Branch-free: the decoder's timing does not depend on the seed's characters. */
static int b64_val(int c)
{
	int r = -1;

	r += ((('A' - 1 - c) & (c - 'Z' - 1)) >> 8) & (c - 'A' + 1);
	r += ((('a' - 1 - c) & (c - 'z' - 1)) >> 8) & (c - 'a' + 27);
	r += ((('0' - 1 - c) & (c - '9' - 1)) >> 8) & (c - '0' + 53);
	r += ((('+' - 1 - c) & (c - '+' - 1)) >> 8) & 63;
	r += ((('/' - 1 - c) & (c - '/' - 1)) >> 8) & 64;
	return r;
}

int hostseed_base64_decode(const char *in, size_t len, uint8_t *out, size_t max)
{
	size_t n = 0;

	if (len % 4)
		return -EINVAL;
	for (size_t i = 0; i < len; i += 4) {
		uint32_t acc = 0;
		int pad = 0, bad = 0;
		for (int j = 0; j < 4; j++) {
			int v = 0;
			if (in[i + j] == '=' && i + 4 == len && j >= 2)
				pad++;
			else
				v = b64_val((unsigned char)in[i + j]), bad |= v < 0 || pad;
			acc = acc << 6 | (uint32_t)(v & 63);
		}
		/* Strict: the bits under the padding must be zero, as an encoder leaves them. */
		if (bad || (acc & (pad == 2 ? 0xffff : pad == 1 ? 0xff : 0)))
			return -EINVAL;
		size_t k = 3 - (size_t)pad;
		if (n + k > max)
			return -E2BIG;
		for (size_t j = 0; j < k; j++)
			out[n++] = (uint8_t)(acc >> (16 - 8 * j));
	}
	return (int)n;
}

void hostseed_base64_encode(const uint8_t *in, size_t len, char *out)
{
	static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

	for (size_t i = 0; i < len; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16;
		if (i + 1 < len)
			v |= (uint32_t)in[i + 1] << 8;
		if (i + 2 < len)
			v |= in[i + 2];
		for (size_t j = 0; j < 4; j++)
			*out++ = i + j <= len ? a[(v >> (18 - 6 * j)) & 63] : '=';
	}
	*out = '\0';
}

static const char *const hostseed_parse_strs[] = {
	[HOSTSEED_P_TRUNCATED] = "truncated SMBIOS entry",
	[HOSTSEED_P_BASE64] = "bad base64",
	[HOSTSEED_P_NO_EQ] = "no '=' after " HOSTSEED_CRED,
	[HOSTSEED_P_SIZE] = "fw_cfg size and raw disagree",
	[HOSTSEED_P_IO] = "unreadable",
};

const char *hostseed_parse_str(enum hostseed_parse p)
{
	return (size_t)p < ELEMENTSOF(hostseed_parse_strs) && hostseed_parse_strs[p]
		       ? hostseed_parse_strs[p]
		       : "";
}

/* Does @s (@n bytes) start with @prefix (without its '=') followed by '=' or the end? */
static size_t oem_prefix(const uint8_t *s, size_t n, const char *prefix)
{
	size_t k = strlen(prefix) - 1;
	return n >= k && memcmp(s, prefix, k) == 0 && (n == k || s[k] == '=') ? k : 0;
}

/* One OEM string; the first bootseed.seed credential decides, later ones are counted. */
static enum hostseed_parse oem_string(const uint8_t *s, size_t n, struct hostseed_buf *b,
				      enum hostseed_parse prev)
{
	size_t k = oem_prefix(s, n, HOSTSEED_OEM_BIN);
	bool text = k == 0;

	if (text)
		k = oem_prefix(s, n, HOSTSEED_OEM_TEXT);
	if (k == 0)
		return prev;
	if (prev != HOSTSEED_NONE) {
		b->more++;
		return prev;
	}
	if (k == n)
		return HOSTSEED_P_NO_EQ;
	s += k + 1, n -= k + 1;
	b->text = text;
	b->oversized = n > (text ? HOSTSEED_MAX : HOSTSEED_MAX / 3 * 4 + 4);
	if (b->oversized)
		return HOSTSEED_FOUND;
	if (text) {
		memcpy(b->data, s, n);
		b->len = n;
		return HOSTSEED_FOUND;
	}
	int r = hostseed_base64_decode((const char *)s, n, b->data, HOSTSEED_MAX);
	if (r == -E2BIG)
		b->oversized = true;
	else if (r < 0)
		return HOSTSEED_P_BASE64;
	else
		b->len = (size_t)r;
	return HOSTSEED_FOUND;
}

enum hostseed_parse hostseed_parse_smbios(const uint8_t *raw, size_t len, struct hostseed_buf *b)
{
	enum hostseed_parse r = HOSTSEED_NONE;

	if (len < 5 || raw[1] < 5 || raw[1] >= len)
		return HOSTSEED_P_TRUNCATED;
	if (raw[0] != 11)
		return HOSTSEED_NONE;
	for (size_t pos = raw[1]; pos < len;) {
		const uint8_t *s = raw + pos, *nul = memchr(s, 0, len - pos);
		if (!nul)
			break;
		if (nul == s)
			return r; /* the strings' closing NUL (or no strings: "\0\0") */
		r = oem_string(s, (size_t)(nul - s), b, r);
		pos += (size_t)(nul - s) + 1;
	}
	explicit_bzero(b, sizeof(*b)); /* nothing of a cut entry is used */
	return HOSTSEED_P_TRUNCATED;
}

enum hostseed_parse hostseed_parse_fw_cfg(const char *size_text, const uint8_t *raw, size_t len,
					  struct hostseed_buf *b)
{
	unsigned long size;

	if (parse_uint(size_text, 0, ~0UL, &size) < 0)
		return HOSTSEED_P_SIZE;
	b->oversized = size > HOSTSEED_MAX;
	if (b->oversized)
		return HOSTSEED_FOUND;
	if (len != size)
		return HOSTSEED_P_SIZE;
	memcpy(b->data, raw, len);
	b->len = len;
	return HOSTSEED_FOUND;
}
