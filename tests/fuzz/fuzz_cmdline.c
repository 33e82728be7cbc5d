// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: the kernel command line (config_parse_cmdline), any bytes:
 * quotes, "--", NULs, overlong words, bootseed=, bootseed.KEY=VALUE words.
 * Applied over a configuration a config file already changed, as in main.c.
 */
#include <stdint.h>

#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char file[] = "modules = tpm_tis virtio_rng\nseed_dir = /srv/seed\n"
				   "tpm_bytes = 512\n";
	struct config c;

	if (size > CONFIG_FILE_MAX)
		size = CONFIG_FILE_MAX; /* config_load_cmdline reads no more */
	config_defaults(&c);
	config_parse_file_buffer(&c, file, sizeof(file) - 1, "/etc/bootseed.conf");
	config_parse_cmdline(&c, (const char *)data, size);
	fuzz_check_config(&c);
	return 0;
}
