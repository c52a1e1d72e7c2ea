// SPDX-License-Identifier: GPL-2.0
/*
 * A small vsnprintf for guest code (GUEST_PRINTF, GUEST_ASSERT messages),
 * where libc is unavailable.  Supports the flags '-', '0', '#', a field
 * width (also '*'), the length modifiers hh, h, l, ll, z and t, and the
 * conversions d i u x X o c s p %.  Like snprintf it always terminates the
 * buffer (if n > 0) and returns the length the full output would have.
 */
#include <stdbool.h>
#include <stdint.h>

#include "ucall.h"

struct out {
	char *buf;
	int n;
	int len;
};

static void put(struct out *o, char c)
{
	if (o->len < o->n - 1)
		o->buf[o->len] = c;
	o->len++;
}

static void put_padded(struct out *o, const char *s, int slen, int width,
		       bool left, char pad, const char *prefix)
{
	int plen = 0, fill;

	while (prefix[plen])
		plen++;
	fill = width - slen - plen;
	if (!left && pad == ' ')
		for (; fill > 0; fill--)
			put(o, ' ');
	for (int i = 0; i < plen; i++)
		put(o, prefix[i]);
	if (!left && pad == '0')
		for (; fill > 0; fill--)
			put(o, '0');
	for (int i = 0; i < slen; i++)
		put(o, s[i]);
	for (; fill > 0; fill--)
		put(o, ' ');
}

int guest_vsnprintf(char *buf, int n, const char *fmt, va_list ap)
{
	struct out o = { .buf = buf, .n = n, .len = 0 };

	for (; *fmt; fmt++) {
		bool left = false, alt = false, neg = false;
		char pad = ' ', digits[24];
		const char *prefix = "";
		int width = 0, lng = 0, base = 10, nd = 0;
		bool upper = false, is_signed = false;
		unsigned long long v;

		if (*fmt != '%') {
			put(&o, *fmt);
			continue;
		}
		for (fmt++; ; fmt++) {
			if (*fmt == '-')
				left = true;
			else if (*fmt == '0')
				pad = '0';
			else if (*fmt == '#')
				alt = true;
			else
				break;
		}
		if (*fmt == '*') {
			width = va_arg(ap, int);
			fmt++;
		}
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt++ - '0');
		for (; ; fmt++) {
			if (*fmt == 'l' || *fmt == 'z' || *fmt == 't')
				lng = *fmt == 'l' ? lng + 1 : 2;
			else if (*fmt == 'h')
				lng--;
			else
				break;
		}

		switch (*fmt) {
		case '\0':
			fmt--;
			continue;
		case '%':
			put(&o, '%');
			continue;
		case 'c':
			digits[0] = (char)va_arg(ap, int);
			put_padded(&o, digits, 1, width, left, ' ', "");
			continue;
		case 's': {
			const char *s = va_arg(ap, const char *);
			int len = 0;

			if (!s)
				s = "(null)";
			while (s[len])
				len++;
			put_padded(&o, s, len, width, left, ' ', "");
			continue;
		}
		case 'p':
			v = (uintptr_t)va_arg(ap, void *);
			base = 16;
			prefix = "0x";
			goto format;
		case 'd':
		case 'i':
			is_signed = true;
			break;
		case 'u':
			break;
		case 'X':
			upper = true;
			/* fall through */
		case 'x':
			base = 16;
			break;
		case 'o':
			base = 8;
			break;
		default:
			/* Unknown conversion: print it as it stands. */
			put(&o, '%');
			put(&o, *fmt);
			continue;
		}

		if (is_signed) {
			long long s;

			if (lng >= 2)
				s = va_arg(ap, long long);
			else if (lng == 1)
				s = va_arg(ap, long);
			else
				s = va_arg(ap, int);
			if (lng == -1)
				s = (short)s;
			else if (lng <= -2)
				s = (signed char)s;
			neg = s < 0;
			v = neg ? 0ULL - (unsigned long long)s : (unsigned long long)s;
		} else {
			if (lng >= 2)
				v = va_arg(ap, unsigned long long);
			else if (lng == 1)
				v = va_arg(ap, unsigned long);
			else
				v = va_arg(ap, unsigned int);
			if (lng == -1)
				v = (unsigned short)v;
			else if (lng <= -2)
				v = (unsigned char)v;
		}
		if (neg)
			prefix = "-";
		else if (alt && base == 16 && v)
			prefix = upper ? "0X" : "0x";
		else if (alt && base == 8 && v)
			prefix = "0";
format:
		do {
			int d = v % base;

			digits[nd++] = d < 10 ? '0' + d : (upper ? 'A' : 'a') + d - 10;
			v /= base;
		} while (v);
		/* digits[] is reversed: emit it back to front. */
		for (int i = 0; i < nd / 2; i++) {
			char t = digits[i];

			digits[i] = digits[nd - 1 - i];
			digits[nd - 1 - i] = t;
		}
		put_padded(&o, digits, nd, width, left, left ? ' ' : pad, prefix);
	}
	if (n > 0)
		buf[o.len < n ? o.len : n - 1] = '\0';
	return o.len;
}

int guest_snprintf(char *buf, int n, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = guest_vsnprintf(buf, n, fmt, ap);
	va_end(ap);
	return ret;
}
