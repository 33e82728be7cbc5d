// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: a fw_cfg entry (hostseed_parse_fw_cfg): the input's first
 * line is what its "size" file says, the rest what "raw" gave. A seed is
 * taken only when both agree, and never beyond HOSTSEED_MAX.
 */
#include <stdint.h>

#include "fileio.h"
#include "fuzz.h"
#include "hostseed.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct hostseed_buf b;
	char num[24];
	unsigned long v;

	const uint8_t *nl = memchr(data, '\n', size < 23 ? size : 23);
	size_t k = nl ? (size_t)(nl - data) : 0;
	memcpy(num, data, k);
	num[k] = '\0';
	const uint8_t *raw = nl ? nl + 1 : data;
	size_t len = size - (size_t)(raw - data);
	if (len > HOSTSEED_MAX)
		len = HOSTSEED_MAX; /* what hostseed.c reads at most */
	memset(&b, 0, sizeof(b));
	enum hostseed_parse p = hostseed_parse_fw_cfg(num, raw, len, &b);
	FUZZ_REQUIRE(p == HOSTSEED_FOUND || p == HOSTSEED_P_SIZE);
	if (p == HOSTSEED_FOUND) {
		FUZZ_REQUIRE(parse_uint(num, 0, ~0UL, &v) == 0);
		FUZZ_REQUIRE(b.oversized ? v > HOSTSEED_MAX && b.len == 0
					 : v == len && b.len == len &&
					       memcmp(b.data, raw, len) == 0);
	}
	return 0;
}
