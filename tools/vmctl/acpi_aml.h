/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A tiny AML encoder for the DSDT vmctl builds (ACPI 6.5, chapter 20,
 * "ACPI Machine Language (AML) Specification"): name segments, Name(),
 * Package(), Scope(), Method() with Return(), integers with the shortest
 * encoding (20.2.3 ZeroOp/OneOp/BytePrefix/WordPrefix/DWordPrefix/
 * QWordPrefix) and strings.  Objects that hold a PkgLength (20.2.4) are
 * opened with aml_*_begin() and closed with aml_end(), which encodes the
 * length in front of the contents once it is known.  Writes past the end
 * of the buffer are dropped and remembered in @overflow.
 */
#ifndef VMCTL_ACPI_AML_H
#define VMCTL_ACPI_AML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define AML_ZERO_OP		0x00
#define AML_ONE_OP		0x01
#define AML_NAME_OP		0x08
#define AML_BUFFER_OP		0x11
#define AML_EXT_OP_PREFIX	0x5b
#define AML_DEVICE_OP		0x82	/* after AML_EXT_OP_PREFIX */
#define AML_BYTE_PREFIX		0x0a
#define AML_WORD_PREFIX		0x0b
#define AML_DWORD_PREFIX	0x0c
#define AML_STRING_PREFIX	0x0d
#define AML_QWORD_PREFIX	0x0e
#define AML_SCOPE_OP		0x10
#define AML_PACKAGE_OP		0x12
#define AML_METHOD_OP		0x14
#define AML_ROOT_CHAR		0x5c	/* '\' */
#define AML_RETURN_OP		0xa4
#define AML_ONES_OP		0xff

#define AML_MAX_DEPTH		8

struct aml {
	uint8_t *buf;
	size_t cap, len;
	size_t open[AML_MAX_DEPTH];	/* where each open PkgLength goes */
	unsigned int depth;
	bool overflow;
};

void aml_init(struct aml *a, uint8_t *buf, size_t cap);
void aml_byte(struct aml *a, uint8_t b);
/* An integer in its shortest encoding (Zero, One, Ones never: 0xff.. is a
 * QWord, so that a 32-bit-integer DSDT reads the same value). */
void aml_integer(struct aml *a, uint64_t v);
/* A NameString: optional leading '\', then 4-character segments separated
 * by '.', each padded with '_' ("_S5" -> "_S5_"). */
void aml_name_string(struct aml *a, const char *path);
void aml_string(struct aml *a, const char *s);
/* Name (NAME, <object follows>) */
void aml_name(struct aml *a, const char *name);
/* Package (@count) { ... } */
void aml_package_begin(struct aml *a, uint8_t count);
/* Scope (PATH) { ... } */
void aml_scope_begin(struct aml *a, const char *path);
/* Method (NAME, @nargs, NotSerialized) { ... } */
void aml_method_begin(struct aml *a, const char *name, unsigned int nargs);
/* Device (PATH) { ... } (19.6.31; 20.2.5.2 DefDevice) */
void aml_device_begin(struct aml *a, const char *path);
/* EISAID ("PNP0A03"): the 32-bit compressed EISA ID (19.3.4, 6.1.5). */
void aml_eisaid(struct aml *a, const char *id);
/* Buffer () { @len bytes } (20.2.5.4 DefBuffer), e.g. a resource
 * template (6.4). */
void aml_buffer(struct aml *a, const uint8_t *bytes, size_t len);
/* Return (<object follows>) */
void aml_return(struct aml *a);
/* Close the innermost *_begin(). */
void aml_end(struct aml *a);

#endif /* VMCTL_ACPI_AML_H */
