// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fnmatch for the static (musl) build only: libkmod matches module aliases
 * ("pci:v00001AF4d*sv*sd*bc*sc*i*") with fnmatch(pattern, alias, 0). musl's
 * fnmatch handles multibyte text and [[:class:]] through the wide-character
 * tables (towctrans, iswalpha, iswpunct: 13 KiB of the 16 KiB it costs), which
 * module aliases never need: they are ASCII. This one works on bytes, in the C
 * locale: '*', '?', bracket expressions with ranges, '!'/'^' negation and
 * [:class:], backslash escapes; FNM_NOESCAPE, FNM_PATHNAME, FNM_PERIOD and
 * FNM_CASEFOLD. Defined here, it keeps libc.a's fnmatch.o out of the link.
 * tests/component/test_size.sh checks it against glibc's fnmatch.
 */
#include <ctype.h>
#include <fnmatch.h>
#include <stdbool.h>
#include <string.h>

#ifndef FNM_CASEFOLD
#define FNM_CASEFOLD 0x10
#endif

static int fold(int c, int flags)
{
	return (flags & FNM_CASEFOLD) ? tolower(c) : c;
}

static bool class_match(const char *name, size_t len, int c)
{
	static const struct {
		const char *name;
		int (*fn)(int);
	} classes[] = {
		{ "alnum", isalnum }, { "alpha", isalpha }, { "blank", isblank },
		{ "cntrl", iscntrl }, { "digit", isdigit }, { "graph", isgraph },
		{ "lower", islower }, { "print", isprint }, { "punct", ispunct },
		{ "space", isspace }, { "upper", isupper }, { "xdigit", isxdigit },
	};

	for (size_t i = 0; i < sizeof(classes) / sizeof(classes[0]); i++)
		if (strlen(classes[i].name) == len && memcmp(classes[i].name, name, len) == 0)
			return classes[i].fn(c);
	return false;
}

static bool in_range(int lo, int hi, int c, int cfold)
{
	return lo <= hi && ((lo <= c && c <= hi) || (lo <= cfold && cfold <= hi));
}

/*
 * Matches the bracket expression at @p (just after '[') against @c, with
 * musl's reading of odd ones: a range's end is also a character and may start
 * the next range ("[a-c-e]"), a reversed range ("[z-a]") matches only its ends,
 * [.coll.] and [=equiv=] match nothing. Returns the pattern after the closing
 * ']' and sets *ret_match, or NULL when the bracket is not closed (then '[' is
 * an ordinary character, as in POSIX).
 */
static const char *bracket(const char *p, int c, int flags, bool *ret_match)
{
	bool neg = false, match = false;
	int cfold = c, prev;

	if (flags & FNM_CASEFOLD)
		cfold = tolower(c) != c ? tolower(c) : toupper(c);
	if (*p == '!' || *p == '^') {
		neg = true;
		p++;
	}
	if (*p == ']' || *p == '-') { /* first: an ordinary character */
		match = c == *p;
		p++;
	}
	for (prev = (unsigned char)p[-1]; *p != ']'; p++) {
		if (!*p)
			return NULL;
		if (p[0] == '-' && p[1] && p[1] != ']') {
			match |= in_range(prev, (unsigned char)p[1], c, cfold);
			continue; /* the end is read next, as a character */
		}
		if (p[0] == '[' && (p[1] == ':' || p[1] == '.' || p[1] == '=')) {
			const char term[] = { p[1], ']', '\0' }, *end = strstr(p + 2, term);
			size_t len;

			if (!end)
				return NULL;
			len = (size_t)(end - p - 2);
			if (p[1] == ':')
				match |= class_match(p + 2, len, c) || class_match(p + 2, len, cfold);
			p = end + 1;
			continue;
		}
		prev = (unsigned char)*p;
		match |= prev == c || prev == cfold;
	}
	*ret_match = match != neg;
	return p + 1;
}

/* A leading period (FNM_PERIOD) must be matched by a period in the pattern. */
static bool hidden_period(const char *s, const char *start, int flags)
{
	return (flags & FNM_PERIOD) && *s == '.' &&
	       (s == start || ((flags & FNM_PATHNAME) && s[-1] == '/'));
}

/*
 * One pass with backtracking to the last '*' only: a later '*' can absorb
 * whatever an earlier one would have, so trying the last one suffices, and
 * the cost stays O(pattern * string). With FNM_PATHNAME a '*' never crosses
 * '/', so once a '/' is matched the earlier '*' is out of reach.
 */
int fnmatch(const char *pat, const char *str, int flags)
{
	const char *p = pat, *s = str, *star_p = NULL, *star_s = NULL;

	for (;;) {
		int c = (unsigned char)*s;
		bool ok = false;
		const char *next = p + 1;

		if (*p == '*') {
			if (hidden_period(s, str, flags))
				goto mismatch;
			while (*p == '*')
				p++;
			star_p = p;
			star_s = s;
			continue;
		}
		if (!c) {
			if (!*p)
				return 0;
			goto mismatch;
		}
		switch (*p) {
		case '\0':
			break;
		case '?':
			ok = !((flags & FNM_PATHNAME) && c == '/') && !hidden_period(s, str, flags);
			break;
		case '[':
			if ((flags & FNM_PATHNAME) && c == '/')
				break;
			if (hidden_period(s, str, flags))
				break;
			next = bracket(p + 1, c, flags, &ok);
			if (!next) { /* unclosed: a literal '[' */
				next = p + 1;
				ok = c == '[';
			}
			break;
		case '\\':
			if (!(flags & FNM_NOESCAPE) && p[1]) {
				/* Only a plain '.' matches a leading period, not "\\.". */
				if (hidden_period(s, str, flags))
					break;
				next = ++p + 1;
			}
			/* fall through */
		default:
			ok = fold((unsigned char)*p, flags) == fold(c, flags);
			break;
		}
		if (ok) {
			if ((flags & FNM_PATHNAME) && c == '/')
				star_p = NULL;
			p = next;
			s++;
			continue;
		}
mismatch:
		if (!star_p || !*star_s || ((flags & FNM_PATHNAME) && *star_s == '/'))
			return FNM_NOMATCH;
		p = star_p;
		s = ++star_s;
	}
}
