// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: one SMBIOS type 11 entry as /sys/firmware/dmi/entries/11-N/raw
 * hands it (hostseed_parse_smbios), any bytes; and the same bytes as a base64
 * string. The parser must keep what it promises: a found seed fits, an
 * oversized one keeps nothing, and the decoder is strict: whatever it accepts
 * encodes back to exactly the same string.
 */
#include <errno.h>
#include <stdint.h>

#include "fuzz.h"
#include "hostseed.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct hostseed_buf b;
	static uint8_t out[HOSTSEED_MAX];
	static char back[HOSTSEED_MAX / 3 * 4 + 8];

	memset(&b, 0, sizeof(b));
	enum hostseed_parse p = hostseed_parse_smbios(data, size, &b);
	FUZZ_REQUIRE(p >= HOSTSEED_FOUND && p <= HOSTSEED_P_IO);
	FUZZ_REQUIRE(b.len <= HOSTSEED_MAX);
	if (p == HOSTSEED_FOUND && b.oversized)
		FUZZ_REQUIRE(b.len == 0);
	if (p != HOSTSEED_FOUND)
		FUZZ_REQUIRE(b.len == 0);

	int n = hostseed_base64_decode((const char *)data, size, out, sizeof(out));
	FUZZ_REQUIRE(n >= 0 || n == -EINVAL || n == -E2BIG);
	if (n >= 0) {
		FUZZ_REQUIRE((size_t)n == size / 4 * 3 - (size && data[size - 1] == '=') -
					      (size > 1 && data[size - 2] == '='));
		hostseed_base64_encode(out, (size_t)n, back);
		FUZZ_REQUIRE(strlen(back) == size && memcmp(back, data, size) == 0);
	}
	return 0;
}
