// SPDX-License-Identifier: GPL-2.0
/*
 * memset, memcpy, memmove and memcmp for guest and host alike, after
 * tools/testing/selftests/kvm/lib/string_override.c.
 *
 * The compiler may turn guest loops and struct copies into calls to these.
 * libc's versions are IFUNCs resolved at host start-up, whose resolved
 * pointers the guest's fresh copy of the binary does not have; these plain
 * ones work anywhere.  This file is built with -fno-builtin and
 * -fno-tree-loop-distribute-patterns so that they do not call themselves.
 */
#include <stddef.h>

void *memset(void *s, int c, size_t n)
{
	unsigned char *p = s;

	while (n--)
		*p++ = (unsigned char)c;
	return s;
}

void *memcpy(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	while (n--)
		*d++ = *s++;
	return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if (d == s || n == 0)
		return dst;
	if (d < s) {
		while (n--)
			*d++ = *s++;
	} else {
		d += n;
		s += n;
		while (n--)
			*--d = *--s;
	}
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *p = a, *q = b;

	for (; n; n--, p++, q++)
		if (*p != *q)
			return *p - *q;
	return 0;
}
