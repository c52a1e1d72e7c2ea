// SPDX-License-Identifier: GPL-2.0
/*
 * AML byte encoding (ACPI 6.5, 20.2 "AML Grammar Definition").  The one
 * subtle part is the package length (20.2.4): it counts its own bytes
 * and everything up to the end of the object, and takes 1 byte below 63,
 * else a lead byte (bits 7:6 the number of bytes that follow, bits 3:0 the
 * low nibble) and up to three more bytes of length.  It is written when
 * the object closes: the contents move up to make room.
 */
#include <string.h>

#include "acpi_aml.h"

void aml_init(struct aml *a, uint8_t *buf, size_t cap)
{
	memset(a, 0, sizeof(*a));
	a->buf = buf;
	a->cap = cap;
}

void aml_byte(struct aml *a, uint8_t b)
{
	if (a->len >= a->cap) {
		a->overflow = true;
		return;
	}
	a->buf[a->len++] = b;
}

static void aml_le(struct aml *a, uint64_t v, unsigned int bytes)
{
	while (bytes--) {
		aml_byte(a, (uint8_t)v);
		v >>= 8;
	}
}

void aml_integer(struct aml *a, uint64_t v)
{
	if (v == 0) {
		aml_byte(a, AML_ZERO_OP);
	} else if (v == 1) {
		aml_byte(a, AML_ONE_OP);
	} else if (v <= 0xff) {
		aml_byte(a, AML_BYTE_PREFIX);
		aml_le(a, v, 1);
	} else if (v <= 0xffff) {
		aml_byte(a, AML_WORD_PREFIX);
		aml_le(a, v, 2);
	} else if (v <= 0xffffffff) {
		aml_byte(a, AML_DWORD_PREFIX);
		aml_le(a, v, 4);
	} else {
		aml_byte(a, AML_QWORD_PREFIX);
		aml_le(a, v, 8);
	}
}

/* NameSeg (20.2.2): lead character A-Z or '_', then A-Z, 0-9, '_'. */
static void aml_nameseg(struct aml *a, const char *seg, size_t n)
{
	size_t i;

	for (i = 0; i < 4; i++)
		aml_byte(a, i < n ? (uint8_t)seg[i] : '_');
}

void aml_name_string(struct aml *a, const char *path)
{
	const char *seg[8];
	size_t len[8];
	unsigned int nseg = 0, i;

	if (*path == '\\') {
		aml_byte(a, AML_ROOT_CHAR);
		path++;
	}
	while (*path && nseg < 8) {
		const char *dot = strchr(path, '.');
		size_t n = dot ? (size_t)(dot - path) : strlen(path);

		seg[nseg] = path;
		len[nseg++] = n > 4 ? 4 : n;
		path += n;
		if (*path == '.')
			path++;
	}
	if (nseg == 0) {
		aml_byte(a, 0x00);		/* NullName */
		return;
	}
	if (nseg == 2)
		aml_byte(a, 0x2e);		/* DualNamePrefix */
	else if (nseg > 2) {
		aml_byte(a, 0x2f);		/* MultiNamePrefix */
		aml_byte(a, (uint8_t)nseg);
	}
	for (i = 0; i < nseg; i++)
		aml_nameseg(a, seg[i], len[i]);
}

void aml_string(struct aml *a, const char *s)
{
	aml_byte(a, AML_STRING_PREFIX);
	while (*s)
		aml_byte(a, (uint8_t)*s++);
	aml_byte(a, 0x00);
}

void aml_name(struct aml *a, const char *name)
{
	aml_byte(a, AML_NAME_OP);
	aml_name_string(a, name);
}

static void aml_open(struct aml *a)
{
	if (a->depth == AML_MAX_DEPTH) {
		a->overflow = true;
		return;
	}
	a->open[a->depth++] = a->len;
}

void aml_package_begin(struct aml *a, uint8_t count)
{
	aml_byte(a, AML_PACKAGE_OP);
	aml_open(a);
	aml_byte(a, count);		/* NumElements */
}

void aml_scope_begin(struct aml *a, const char *path)
{
	aml_byte(a, AML_SCOPE_OP);
	aml_open(a);
	aml_name_string(a, path);
}

void aml_method_begin(struct aml *a, const char *name, unsigned int nargs)
{
	aml_byte(a, AML_METHOD_OP);
	aml_open(a);
	aml_name_string(a, name);
	aml_byte(a, (uint8_t)(nargs & 7));	/* MethodFlags: not serialized */
}

void aml_return(struct aml *a)
{
	aml_byte(a, AML_RETURN_OP);
}

void aml_end(struct aml *a)
{
	size_t at, body, total;
	unsigned int n, i;
	uint8_t enc[4];

	if (a->depth == 0 || a->overflow) {
		a->overflow = true;
		return;
	}
	at = a->open[--a->depth];
	body = a->len - at;
	/* PkgLength counts its own bytes: 1 byte up to 63, else 2..4. */
	if (body + 1 <= 0x3f)
		n = 1;
	else if (body + 2 <= 0xfff)
		n = 2;
	else if (body + 3 <= 0xfffff)
		n = 3;
	else
		n = 4;
	total = body + n;
	if (n == 1) {
		enc[0] = (uint8_t)total;
	} else {
		enc[0] = (uint8_t)(((n - 1) << 6) | (total & 0x0f));
		for (i = 1; i < n; i++)
			enc[i] = (uint8_t)(total >> (4 + 8 * (i - 1)));
	}
	if (a->len + n > a->cap) {
		a->overflow = true;
		return;
	}
	memmove(a->buf + at + n, a->buf + at, body);
	memcpy(a->buf + at, enc, n);
	a->len += n;
}

void aml_device_begin(struct aml *a, const char *path)
{
	aml_byte(a, AML_EXT_OP_PREFIX);
	aml_byte(a, AML_DEVICE_OP);
	aml_open(a);
	aml_name_string(a, path);
}

void aml_eisaid(struct aml *a, const char *id)
{
	uint32_t v = 0;
	unsigned int i;

	/* Bit 31 zero, three letters in 5 bits each ('A' = 1), then four
	 * hex digits; the 32 bits are stored big-endian in the DWord. */
	for (i = 0; i < 3; i++)
		v = v << 5 | ((unsigned int)(id[i] - 0x40) & 0x1f);
	for (i = 3; i < 7; i++) {
		char c = id[i];

		v = v << 4 | (unsigned int)(c <= '9' ? c - '0' : (c | 0x20) -
					    'a' + 10);
	}
	aml_byte(a, AML_DWORD_PREFIX);
	aml_byte(a, (uint8_t)(v >> 24));
	aml_byte(a, (uint8_t)(v >> 16));
	aml_byte(a, (uint8_t)(v >> 8));
	aml_byte(a, (uint8_t)v);
}

void aml_buffer(struct aml *a, const uint8_t *bytes, size_t len)
{
	size_t i;

	aml_byte(a, AML_BUFFER_OP);
	aml_open(a);
	aml_integer(a, len);		/* BufferSize */
	for (i = 0; i < len; i++)
		aml_byte(a, bytes[i]);
	aml_end(a);
}
