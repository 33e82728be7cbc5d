// SPDX-License-Identifier: GPL-2.0-or-later
/* config: defaults, the config file and kernel command line parsers. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fileio.h"
#include "log.h"
#include "paths.h"

/* CFG_AUTO: "auto" (true, the default) or a false boolean word. */
enum config_type { CFG_BOOL, CFG_AUTO, CFG_UINT, CFG_PATH, CFG_NAMES, CFG_BIND, CFG_HEX };

struct config_key {
	const char *name;
	enum config_type type;
	size_t offset;
	unsigned long min, max;
};

#define KEY(name, type, min, max) { #name, type, offsetof(struct config, name), min, max }

static const struct config_key config_keys[] = {
	KEY(enable, CFG_BOOL, 0, 0),
	KEY(load_modules, CFG_BOOL, 0, 0),
	KEY(modules, CFG_NAMES, 0, 0),
	KEY(device_wait_ms, CFG_UINT, 0, 5000),
	KEY(tpm, CFG_BOOL, 0, 0),
	KEY(tpm_bytes, CFG_UINT, 32, 512),
	KEY(tpm_credit, CFG_UINT, 0, 8),
	KEY(tpm_timeout_ms, CFG_UINT, 10, 10000),
	KEY(tpm_bind, CFG_BIND, 0, 0),
	KEY(tpm_counter, CFG_BOOL, 0, 0),
	KEY(tpm_nv_index, CFG_HEX, CONFIG_NV_INDEX_MIN, CONFIG_NV_INDEX_MAX),
	KEY(hwrng, CFG_BOOL, 0, 0),
	KEY(hwrng_bytes, CFG_UINT, 32, 512),
	KEY(hwrng_credit, CFG_UINT, 0, 8),
	KEY(hwrng_timeout_ms, CFG_UINT, 10, 10000),
	KEY(cpu, CFG_BOOL, 0, 0),
	KEY(cpu_bytes, CFG_UINT, 32, 512),
	KEY(cpu_credit, CFG_UINT, 0, 8),
	{ "seed_dir", CFG_PATH, offsetof(struct config, seed_dir), 0, 0 },
	{ "seed_credit", CFG_BOOL, offsetof(struct config, seed_credit), 0, 0 },
	{ "seed_foreign", CFG_BOOL, offsetof(struct config, seed_foreign), 0, 0 },
	{ "lock_timeout_ms", CFG_UINT, offsetof(struct config, lock_timeout_ms), 0, 10000 },
	KEY(seed_remount, CFG_AUTO, 0, 0),
	KEY(jitter_timeout_ms, CFG_UINT, 0, 60000),
	KEY(host_seed, CFG_BOOL, 0, 0),
	KEY(host_seed_credit, CFG_BOOL, 0, 0),
	KEY(host_seed_fresh, CFG_BOOL, 0, 0),
	{ "verbose", CFG_BOOL, offsetof(struct config, verbose), 0, 0 },
};

void config_defaults(struct config *c)
{
	memset(c, 0, sizeof(*c));
	c->enable = true;
	c->load_modules = true;
	c->device_wait_ms = 300;
	c->tpm = true;
	c->tpm_bytes = 64;
	c->tpm_credit = 4;
	c->tpm_timeout_ms = 1000;
	c->tpm_bind = BIND_AUTO;
	c->tpm_counter = false;
	c->tpm_nv_index = CONFIG_NV_INDEX_DEFAULT;
	c->hwrng = true;
	c->hwrng_bytes = 64;
	c->hwrng_credit = 4;
	c->hwrng_timeout_ms = 500;
	c->cpu = true;
	c->cpu_bytes = 32;
	c->cpu_credit = 0;
	strcpy(c->seed_dir, BOOTSEED_DEFAULT_SEED_DIR);
	c->seed_credit = true;
	c->seed_foreign = true;
	c->lock_timeout_ms = 1000;
	c->seed_remount = true;
	c->jitter_timeout_ms = 3000;
	c->host_seed = c->host_seed_credit = true;
	c->verbose = false;
}

/* A printable, bounded copy of untrusted text for log messages. */
static const char *config_shown(const char *s, char *buf, size_t size)
{
	size_t i = 0;

	for (; s[i] && i + 4 < size; i++)
		buf[i] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
	if (s[i])
		memcpy(buf + i, "...", 3), i += 3;
	buf[i] = '\0';
	return buf;
}

static int config_parse_bool(const char *v, bool *ret)
{
	static const char *const yes[] = { "1", "yes", "true", "on" };
	static const char *const no[] = { "0", "no", "false", "off" };

	for (size_t i = 0; i < ELEMENTSOF(yes); i++) {
		if (strcmp(v, yes[i]) == 0)
			return *ret = true, 0;
		if (strcmp(v, no[i]) == 0)
			return *ret = false, 0;
	}
	return -EINVAL;
}

/*
 * An absolute path without "." or "..", control characters or blanks, that
 * fits; stored normalised (no repeated or trailing slash: "/var/lib/x/" would
 * make an O_NOFOLLOW open follow a symlink named x).
 */
static int config_parse_path(const char *v, char *out)
{
	char norm[PATH_MAX - 64];

	for (const char *p = v; *p; p++)
		if ((unsigned char)*p <= 0x20 || *p == 0x7f)
			return -EINVAL;
	int r = path_normalize(v, norm, sizeof(norm));
	if (r < 0)
		return r;
	if (strcmp(norm, "/") == 0)
		return -EINVAL; /* the root itself is no seed directory */
	strcpy(out, norm);
	return 0;
}

static bool config_module_char(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
	       ch == '_' || ch == '-';
}

/* Module names separated by blanks or commas, at most CONFIG_MODULES_MAX. */
static int config_parse_names(const char *v, char *out, size_t size)
{
	size_t n = 0, count = 0, wlen = 0;

	for (const char *p = v;; p++) {
		if (*p == ' ' || *p == '\t' || *p == ',' || *p == '\0') {
			if (wlen > 0 && ++count > CONFIG_MODULES_MAX)
				return -E2BIG;
			wlen = 0;
			if (*p == '\0')
				break;
			continue;
		}
		if (!config_module_char(*p) || wlen >= 55)
			return -EINVAL;
		if (wlen == 0 && n > 0)
			out[n++] = ' ';
		if (n + 2 >= size)
			return -E2BIG;
		out[n++] = *p;
		wlen++;
	}
	out[n] = '\0';
	return 0;
}

size_t config_module_names(const struct config *c, char buf[512],
			   const char *names[CONFIG_MODULES_MAX])
{
	size_t n = 0;

	memcpy(buf, c->modules, sizeof(c->modules));
	for (char *save = NULL, *w = strtok_r(buf, " ", &save);
	     w && n < CONFIG_MODULES_MAX; w = strtok_r(NULL, " ", &save))
		names[n++] = w;
	return n;
}

static const char *config_type_hint(const struct config_key *k)
{
	switch (k->type) {
	case CFG_BOOL:
		return "expected yes/no, true/false, on/off or 1/0";
	case CFG_AUTO:
		return "expected auto or no";
	case CFG_UINT:
		return "expected a whole number in range";
	case CFG_PATH:
		return "expected an absolute path without '..' or blanks";
	case CFG_NAMES:
		return "expected at most 16 module names of letters, digits, '_' and '-'";
	case CFG_BIND:
		return "expected auto, require or off";
	case CFG_HEX:
		return "expected an NV index 0x01000000..0x01ffffff";
	}
	return "";
}

int config_set(struct config *c, const char *key, const char *value, const char *origin)
{
	char shown_k[48], shown_v[80];
	const struct config_key *k = NULL;
	int r = -EINVAL;

	for (size_t i = 0; i < ELEMENTSOF(config_keys); i++)
		if (strcmp(config_keys[i].name, key) == 0)
			k = &config_keys[i];
	if (!k) {
		log_warn("%s: unknown key '%s', ignoring", origin,
			 config_shown(key, shown_k, sizeof(shown_k)));
		return -ENOENT;
	}

	char *field = (char *)c + k->offset;
	unsigned long u;
	switch (k->type) {
	case CFG_BOOL:
		r = config_parse_bool(value, (bool *)field);
		break;
	case CFG_AUTO: {
		bool b = true;
		if (strcmp(value, "auto") == 0 || (config_parse_bool(value, &b) == 0 && !b))
			*(bool *)field = b, r = 0;
		break;
	}
	case CFG_UINT:
		r = parse_uint(value, k->min, k->max, &u);
		if (r >= 0)
			*(unsigned long *)field = u;
		break;
	case CFG_PATH:
		r = config_parse_path(value, field);
		break;
	case CFG_BIND: {
		static const char *const words[] = { [BIND_AUTO] = "auto",
						     [BIND_REQUIRE] = "require",
						     [BIND_OFF] = "off" };
		for (size_t i = 0; i < ELEMENTSOF(words); i++)
			if (strcmp(value, words[i]) == 0)
				*(int *)field = (int)i, r = 0;
		break;
	}
	case CFG_HEX: {
		char *end = (char *)value;
		errno = 0;
		u = strncmp(value, "0x", 2) == 0 ? strtoul(value + 2, &end, 16) : 0;
		if (u >= k->min && u <= k->max && errno == 0 && *end == '\0' &&
		    isxdigit((unsigned char)value[2]))
			*(unsigned long *)field = u, r = 0;
		break;
	}
	case CFG_NAMES: {
		char tmp[sizeof(c->modules)];
		r = config_parse_names(value, tmp, sizeof(tmp));
		if (r >= 0)
			memcpy(field, tmp, sizeof(tmp));
		break;
	}
	}
	if (r < 0) {
		if (k->type == CFG_UINT)
			log_warn("%s: bad value '%s' for %s (expected %lu..%lu), ignoring",
				 origin, config_shown(value, shown_v, sizeof(shown_v)),
				 k->name, k->min, k->max);
		else
			log_warn("%s: bad value '%s' for %s (%s), ignoring", origin,
				 config_shown(value, shown_v, sizeof(shown_v)), k->name,
				 config_type_hint(k));
		return r;
	}
	return 0;
}

static char *config_strip(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		s[--n] = '\0';
	return s;
}

/* One line of the config file, already checked for length and NULs. */
static void config_parse_line(struct config *c, char *line, const char *where)
{
	/* '#' starts a comment at the start of a line or after a blank. */
	for (char *p = line; *p; p++)
		if (*p == '#' && (p == line || p[-1] == ' ' || p[-1] == '\t')) {
			*p = '\0';
			break;
		}
	line = config_strip(line);
	if (*line == '\0')
		return;
	char *eq = strchr(line, '=');
	if (!eq) {
		log_warn("%s: missing '=' (expected key = value), ignoring", where);
		return;
	}
	*eq = '\0';
	char *key = config_strip(line), *value = config_strip(eq + 1);
	size_t vlen = strlen(value);
	if (vlen >= 2 && value[0] == '"' && value[vlen - 1] == '"') {
		value[vlen - 1] = '\0';
		value++;
	}
	if (*key == '\0') {
		log_warn("%s: empty key, ignoring", where);
		return;
	}
	config_set(c, key, value, where);
}

void config_parse_file_buffer(struct config *c, const char *buf, size_t len,
			      const char *origin)
{
	char line[CONFIG_LINE_MAX + 1], where[PATH_MAX + 32];
	size_t lineno = 0;

	for (size_t pos = 0; pos < len;) {
		const char *start = buf + pos;
		const char *nl = memchr(start, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - start) : len - pos;
		pos += n + (nl ? 1 : 0);
		lineno++;
		snprintf(where, sizeof(where), "%s:%zu", origin, lineno);
		if (n > CONFIG_LINE_MAX) {
			log_warn("%s: line too long (%zu bytes, at most %d), ignoring", where,
				 n, CONFIG_LINE_MAX);
			continue;
		}
		if (memchr(start, '\0', n)) {
			log_warn("%s: line contains a NUL byte, ignoring", where);
			continue;
		}
		memcpy(line, start, n);
		line[n] = '\0';
		config_parse_line(c, line, where);
	}
}

/* One bootseed word of the command line: "bootseed=V" or "bootseed.KEY=V". */
static void config_parse_word(struct config *c, char *word)
{
	static const char origin[] = "kernel command line";
	char shown[80];

	if (strncmp(word, "bootseed=", 9) == 0) {
		bool on;
		if (config_parse_bool(word + 9, &on) < 0)
			log_warn("%s: bad value in '%s' (expected bootseed=0 or 1), ignoring",
				 origin, config_shown(word, shown, sizeof(shown)));
		else
			c->enable = on;
		return;
	}
	if (strncmp(word, "bootseed.", 9) != 0)
		return;
	char *eq = strchr(word, '=');
	if (!eq) {
		log_warn("%s: missing '=' in '%s', ignoring", origin,
			 config_shown(word, shown, sizeof(shown)));
		return;
	}
	*eq = '\0';
	config_set(c, word + 9, eq + 1, origin);
}

void config_parse_cmdline(struct config *c, const char *buf, size_t len)
{
	char word[CONFIG_LINE_MAX + 1];
	size_t n = 0;
	bool quoted = false, overlong = false;

	for (size_t i = 0; i <= len; i++) {
		char ch = i < len ? buf[i] : '\0';
		bool sep = ch == '\0' || ((ch == ' ' || ch == '\t' || ch == '\n') && !quoted);

		if (!sep) {
			if (ch == '"') {
				quoted = !quoted;
				continue;
			}
			if (n < CONFIG_LINE_MAX)
				word[n++] = ch;
			else
				overlong = true;
			continue;
		}
		quoted = false;
		word[n] = '\0';
		if (overlong && strncmp(word, "bootseed", 8) == 0)
			log_warn("kernel command line: word too long (over %d bytes), ignoring",
				 CONFIG_LINE_MAX);
		else if (strcmp(word, "--") == 0)
			return; /* the rest belongs to init */
		else if (n > 0 && !overlong)
			config_parse_word(c, word);
		n = 0;
		overlong = false;
	}
}

static ssize_t config_read_bounded(const char *path, char **ret)
{
	char *buf = malloc(CONFIG_FILE_MAX);
	if (!buf)
		return -ENOMEM;
	ssize_t n = read_small_file(AT_FDCWD, path, buf, CONFIG_FILE_MAX);
	if (n < 0) {
		free(buf);
		return n;
	}
	*ret = buf;
	return n;
}

int config_load_file(struct config *c, const char *path)
{
	char *buf = NULL;
	ssize_t n = config_read_bounded(path, &buf);
	if (n == -ENOENT)
		return 0;
	if (n < 0) {
		log_warn("%s: cannot read config: %s, using defaults", path, strerror((int)-n));
		return (int)n;
	}
	if (n == CONFIG_FILE_MAX) {
		/* The last line is cut somewhere: half a value is worse than none. */
		const char *nl = memrchr(buf, '\n', (size_t)n);
		n = nl ? nl - buf + 1 : 0;
		log_warn("%s: larger than %d bytes, reading only its first %zd bytes of "
			 "whole lines", path, CONFIG_FILE_MAX, n);
	}
	config_parse_file_buffer(c, buf, (size_t)n, path);
	free(buf);
	return 0;
}

int config_load_cmdline(struct config *c, const char *path)
{
	char *buf = NULL;
	ssize_t n = config_read_bounded(path, &buf);
	if (n < 0) {
		log_warn("%s: cannot read kernel command line: %s, ignoring", path,
			 strerror((int)-n));
		return (int)n;
	}
	config_parse_cmdline(c, buf, (size_t)n);
	free(buf);
	return 0;
}
