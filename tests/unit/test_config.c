// SPDX-License-Identifier: GPL-2.0-or-later
/* Config file and kernel command line parsing, including hostile input. */
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "unit.h"

static struct config cfg;

static void parse_file(const char *text, size_t len)
{
	config_defaults(&cfg);
	config_parse_file_buffer(&cfg, text, len, "test.conf");
}

static void parse_cmdline(const char *text, size_t len)
{
	config_defaults(&cfg);
	config_parse_cmdline(&cfg, text, len);
}

#define FILE_S(s)    parse_file(s, sizeof(s) - 1)
#define CMDLINE_S(s) parse_cmdline(s, sizeof(s) - 1)

static void test_defaults(void)
{
	config_defaults(&cfg);
	CHECK(cfg.enable);
	CHECK(strcmp(cfg.seed_dir, "/var/lib/bootseed") == 0);
	CHECK(cfg.seed_credit);
	CHECK(cfg.seed_foreign);
	CHECK(cfg.lock_timeout_ms == 1000);
}

static void test_file_basic(void)
{
	unsigned w = log_warnings();
	FILE_S("# comment\n\nseed_dir = /srv/seed\n  seed_credit=no  \nlock_timeout_ms = 250 # why\n"
	       "seed_foreign = off\nverbose=\"yes\"\n");
	CHECK(strcmp(cfg.seed_dir, "/srv/seed") == 0);
	CHECK(!cfg.seed_credit);
	CHECK(cfg.lock_timeout_ms == 250);
	CHECK(!cfg.seed_foreign);
	CHECK(cfg.verbose);
	CHECK(log_warnings() == w);
}

static void test_file_crlf_and_no_final_newline(void)
{
	FILE_S("seed_credit = no\r\nlock_timeout_ms = 7");
	CHECK(!cfg.seed_credit);
	CHECK(cfg.lock_timeout_ms == 7);
}

static void test_file_bad_lines_are_skipped(void)
{
	unsigned w = log_warnings();
	FILE_S("no equals sign here\n= value\nunknown_key = 1\nseed_credit = maybe\n"
	       "lock_timeout_ms = -1\nlock_timeout_ms = 99999999999999999999999\n"
	       "lock_timeout_ms = 10001\nlock_timeout_ms = 12abc\nlock_timeout_ms =\n"
	       "seed_dir = relative/path\nseed_dir = /a/../etc\nseed_dir = /with space\n"
	       "seed_credit = no\n");
	/* every bad line: one warning, value unchanged; the good last line applies */
	CHECK(log_warnings() - w == 12);
	CHECK(cfg.lock_timeout_ms == 1000);
	CHECK(strcmp(cfg.seed_dir, "/var/lib/bootseed") == 0);
	CHECK(!cfg.seed_credit);
}

static void test_file_overlong_line(void)
{
	static char buf[CONFIG_LINE_MAX * 3 + 64];
	unsigned w = log_warnings();
	size_t n = 0;

	n += (size_t)sprintf(buf + n, "seed_dir = /");
	memset(buf + n, 'a', CONFIG_LINE_MAX * 2);
	n += CONFIG_LINE_MAX * 2;
	n += (size_t)sprintf(buf + n, "\nseed_credit = no\n");
	parse_file(buf, n);
	CHECK(log_warnings() - w == 1);
	CHECK(strcmp(cfg.seed_dir, "/var/lib/bootseed") == 0);
	CHECK(!cfg.seed_credit); /* the line after the long one still counts */
}

static void test_file_nul_bytes(void)
{
	unsigned w = log_warnings();
	static const char text[] = "seed_credit = n\0o\nseed_foreign = no\n\0\0\0";
	parse_file(text, sizeof(text) - 1);
	CHECK(cfg.seed_credit); /* the line with a NUL is ignored whole */
	CHECK(!cfg.seed_foreign);
	CHECK(log_warnings() - w == 2);
}

/* A file cut at the size limit: its partial last line is not half a value. */
static void test_file_cut_at_limit(void)
{
	char path[] = "/tmp/bootseed-conf-XXXXXX";
	struct config c;
	int fd = mkstemp(path);
	CHECK(fd >= 0);
	static const char line[] = "# padding padding padding padding padding padding padding\n";
	size_t n = 0;
	while (n + sizeof(line) - 1 <= CONFIG_FILE_MAX - 24) {
		CHECK(write(fd, line, sizeof(line) - 1) == (ssize_t)(sizeof(line) - 1));
		n += sizeof(line) - 1;
	}
	/* "lock_timeout_ms = 10000" with the limit falling after its first "1". */
	char pad[64];
	size_t fill = CONFIG_FILE_MAX - n - strlen("lock_timeout_ms = 1");
	memset(pad, '#', fill - 1);
	pad[fill - 1] = '\n';
	CHECK(write(fd, pad, fill) == (ssize_t)fill);
	CHECK(write(fd, "lock_timeout_ms = 10000\n", 24) == 24);
	close(fd);
	config_defaults(&c);
	config_load_file(&c, path);
	CHECK(c.lock_timeout_ms == 1000); /* not 1 */
	unlink(path);
}

/* tpm_bind, tpm_counter, tpm_nv_index: words, hex, the NV index range. */
static void test_tpm_binding_keys(void)
{
	struct config c;

	config_defaults(&c);
	CHECK(c.tpm_bind == BIND_AUTO && !c.tpm_counter && c.tpm_nv_index == 0x01b5eed0);
	CHECK(config_set(&c, "tpm_bind", "require", "t") == 0 && c.tpm_bind == BIND_REQUIRE);
	CHECK(config_set(&c, "tpm_bind", "off", "t") == 0 && c.tpm_bind == BIND_OFF);
	CHECK(config_set(&c, "tpm_bind", "yes", "t") < 0 && c.tpm_bind == BIND_OFF);
	CHECK(config_set(&c, "tpm_bind", "auto", "t") == 0 && c.tpm_bind == BIND_AUTO);
	CHECK(config_set(&c, "tpm_counter", "yes", "t") == 0 && c.tpm_counter);
	CHECK(config_set(&c, "tpm_nv_index", "0x01800123", "t") == 0 &&
	      c.tpm_nv_index == 0x01800123);
	static const char *const bad[] = { "25166032", "0x", "0x1c", "0x02000000", "0x01zz",
					   "0x-1", "0x 1b5eed0", "0x+1b5eed0", "0x0100000000000001", "" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(config_set(&c, "tpm_nv_index", bad[i], "t") < 0 &&
		      c.tpm_nv_index == 0x01800123);
}

static void test_cmdline(void)
{
	CMDLINE_S("BOOT_IMAGE=/vmlinuz root=/dev/sda1 bootseed.seed_credit=0 quiet "
		  "bootseed.seed_dir=/x/y\n");
	CHECK(!cfg.seed_credit);
	CHECK(strcmp(cfg.seed_dir, "/x/y") == 0);
	CHECK(cfg.enable);
}

static void test_cmdline_disable(void)
{
	CMDLINE_S("ro bootseed=0");
	CHECK(!cfg.enable);
	CMDLINE_S("bootseed=0 bootseed=1");
	CHECK(cfg.enable);
	CMDLINE_S("bootseed.enable=no");
	CHECK(!cfg.enable);
}

static void test_cmdline_hostile(void)
{
	unsigned w = log_warnings();
	CMDLINE_S("bootseed.seed_credit bootseed.=1 bootseed.nokey=1 bootseed=maybe "
		  "bootseed.lock_timeout_ms=1e3 \"bootseed.seed_dir=/a b\" bootseedX=1");
	CHECK(log_warnings() - w == 6);
	CHECK(cfg.enable);
	CHECK(cfg.seed_credit);
	CHECK(cfg.lock_timeout_ms == 1000);
	CHECK(strcmp(cfg.seed_dir, "/var/lib/bootseed") == 0);
}

static void test_cmdline_quotes_nul_and_init_args(void)
{
	static const char text[] = "a=\"x y\" bootseed.seed_credit=no\0bootseed.seed_foreign=no"
				   " -- bootseed.lock_timeout_ms=5";
	parse_cmdline(text, sizeof(text) - 1);
	CHECK(!cfg.seed_credit);
	CHECK(!cfg.seed_foreign);
	CHECK(cfg.lock_timeout_ms == 1000); /* after "--": init's arguments */
}

static void test_cmdline_overlong_word(void)
{
	static char buf[CONFIG_LINE_MAX * 4];
	unsigned w = log_warnings();
	int n = sprintf(buf, "bootseed.seed_dir=/");
	memset(buf + n, 'b', sizeof(buf) - (size_t)n - 40);
	strcpy(buf + sizeof(buf) - 40, " bootseed.seed_credit=no");
	parse_cmdline(buf, strlen(buf));
	CHECK(log_warnings() - w == 1);
	CHECK(strcmp(cfg.seed_dir, "/var/lib/bootseed") == 0);
	CHECK(!cfg.seed_credit);
}

int main(void)
{
	log_init("", false);
	RUN(test_defaults);
	RUN(test_file_basic);
	RUN(test_file_crlf_and_no_final_newline);
	RUN(test_file_bad_lines_are_skipped);
	RUN(test_file_overlong_line);
	RUN(test_file_nul_bytes);
	RUN(test_file_cut_at_limit);
	RUN(test_tpm_binding_keys);
	RUN(test_cmdline);
	RUN(test_cmdline_disable);
	RUN(test_cmdline_hostile);
	RUN(test_cmdline_quotes_nul_and_init_args);
	RUN(test_cmdline_overlong_word);
	return unit_done();
}
