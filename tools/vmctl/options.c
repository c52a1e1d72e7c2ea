// SPDX-License-Identifier: GPL-2.0
/*
 * Option value parsing for vmctl.  strtoull() is not used on purpose: it
 * accepts leading blanks, a sign ("-1" becomes 2^64-1) and base prefixes
 * we do not want, and it reports overflow through errno.  A hand-written
 * digit loop rejects all of those with a precise reason.
 */
#include <string.h>

#include "options.h"

static int digit_value(char c, unsigned int base)
{
	unsigned int v;

	if (c >= '0' && c <= '9')
		v = (unsigned int)(c - '0');
	else if (c >= 'a' && c <= 'f')
		v = (unsigned int)(c - 'a') + 10;
	else if (c >= 'A' && c <= 'F')
		v = (unsigned int)(c - 'A') + 10;
	else
		return -1;
	return v < base ? (int)v : -1;
}

/*
 * Parse digits of @base from @s; stop at the first non-digit and report
 * where through @end.  At least one digit is required.
 */
static enum opt_error parse_digits(const char *s, unsigned int base,
				   uint64_t *out, const char **end)
{
	uint64_t v = 0;
	const char *p = s;
	int d;

	while ((d = digit_value(*p, base)) >= 0) {
		if (v > (UINT64_MAX - (uint64_t)d) / base)
			return OPT_OVERFLOW;
		v = v * base + (uint64_t)d;
		p++;
	}
	if (p == s)
		return OPT_GARBAGE;
	*out = v;
	*end = p;
	return OPT_OK;
}

enum opt_error parse_size(const char *s, uint64_t *out)
{
	const char *end;
	unsigned int shift = 0;
	enum opt_error err;
	uint64_t v;

	if (!s || !*s)
		return OPT_EMPTY;
	err = parse_digits(s, 10, &v, &end);
	if (err)
		return err;
	switch (*end) {
	case '\0':
		break;
	case 'k': case 'K':
		shift = 10;
		end++;
		break;
	case 'm': case 'M':
		shift = 20;
		end++;
		break;
	case 'g': case 'G':
		shift = 30;
		end++;
		break;
	default:
		return OPT_GARBAGE;
	}
	if (*end)
		return OPT_GARBAGE;
	if (shift && v > (UINT64_MAX >> shift))
		return OPT_OVERFLOW;
	*out = v << shift;
	return OPT_OK;
}

enum opt_error parse_addr(const char *s, uint64_t *out)
{
	const char *end;
	enum opt_error err;
	uint64_t v;

	if (!s || !*s)
		return OPT_EMPTY;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		err = parse_digits(s + 2, 16, &v, &end);
	else
		err = parse_digits(s, 10, &v, &end);
	if (err)
		return err;
	if (*end)
		return OPT_GARBAGE;
	*out = v;
	return OPT_OK;
}

enum opt_error parse_mem_size(const char *s, uint64_t *out)
{
	enum opt_error err;
	uint64_t v;

	err = parse_size(s, &v);
	if (err)
		return err;
	if (v == 0)
		return OPT_ZERO;
	if (v & 0xfff)
		return OPT_UNALIGNED;
	if (v < VMCTL_MEM_MIN)
		return OPT_TOO_SMALL;
	if (v > VMCTL_MEM_MAX)
		return OPT_TOO_LARGE;
	*out = v;
	return OPT_OK;
}

enum opt_error parse_cpus(const char *s, unsigned int *out)
{
	const char *end;
	enum opt_error err;
	uint64_t v;

	if (!s || !*s)
		return OPT_EMPTY;
	err = parse_digits(s, 10, &v, &end);
	if (err)
		return err;
	if (*end)
		return OPT_GARBAGE;
	if (v == 0)
		return OPT_NO_CPUS;
	if (v > VMCTL_MAX_CPUS)
		return OPT_TOO_MANY_CPUS;
	*out = (unsigned int)v;
	return OPT_OK;
}

enum opt_error parse_disk(char *s, struct disk_opt *out)
{
	char *comma;
	bool ro = false;

	if (!s || !*s)
		return OPT_EMPTY;
	comma = strrchr(s, ',');
	if (comma) {
		if (!strcmp(comma + 1, "ro"))
			ro = true;
		else if (strcmp(comma + 1, "rw"))
			return OPT_DISK_FLAG;
		if (comma == s)
			return OPT_EMPTY;
		*comma = '\0';
	}
	*out = (struct disk_opt){ .path = s, .readonly = ro };
	return OPT_OK;
}

static const char *const mode_names[] = {
	[CPU_MODE_REAL]		= "real",
	[CPU_MODE_PROTECTED]	= "protected",
	[CPU_MODE_LONG]		= "long",
};

int parse_cpu_mode(const char *s, enum cpu_mode *out)
{
	unsigned int i;

	for (i = 0; i < sizeof(mode_names) / sizeof(mode_names[0]); i++) {
		if (s && strcmp(s, mode_names[i]) == 0) {
			*out = (enum cpu_mode)i;
			return 0;
		}
	}
	return -1;
}

const char *cpu_mode_name(enum cpu_mode mode)
{
	return mode_names[mode];
}

const char *opt_strerror(enum opt_error err)
{
	switch (err) {
	case OPT_OK:		return "ok";
	case OPT_EMPTY:		return "empty value";
	case OPT_GARBAGE:	return "not a number";
	case OPT_OVERFLOW:	return "number too large (overflows 64 bits)";
	case OPT_ZERO:		return "memory size must not be zero";
	case OPT_UNALIGNED:	return "memory size must be a multiple of 4K";
	case OPT_TOO_SMALL:	return "memory size must be at least 1M";
	case OPT_TOO_LARGE:	return "memory size must be at most 512G";
	case OPT_NO_CPUS:	return "a guest needs at least 1 vCPU";
	case OPT_TOO_MANY_CPUS:	return "at most 64 vCPUs";
	case OPT_DISK_FLAG:	return "PATH[,ro] expected: after the last"
				       " comma only 'ro' or 'rw' (write a path"
				       " holding commas as PATH,rw)";
	}
	return "unknown error";
}
