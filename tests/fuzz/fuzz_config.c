// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: /etc/bootseed.conf contents (config_parse_file_buffer), any
 * bytes including NULs, CRs and overlong lines; then the same input as a second
 * file over the first (later lines win, earlier state must not leak through).
 */
#include <stdint.h>

#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config c;

	if (size > CONFIG_FILE_MAX)
		size = CONFIG_FILE_MAX; /* config_load_file reads no more */
	config_defaults(&c);
	config_parse_file_buffer(&c, (const char *)data, size, "/etc/bootseed.conf");
	fuzz_check_config(&c);
	config_parse_file_buffer(&c, (const char *)data, size, "/etc/bootseed.conf");
	fuzz_check_config(&c);
	return 0;
}
