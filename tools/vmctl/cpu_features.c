// SPDX-License-Identifier: GPL-2.0
/*
 * The features --cpu-features can hide, where CPUID shows them, and what
 * each one needs (see cpu_features.h).  Bit positions: Intel SDM vol. 2A,
 * CPUID, tables 3-10 (leaf 1 ECX) and 3-8 (leaf 7.0); AMD APM vol. 3,
 * appendix E.3 (0x80000001 ECX/EDX: E.4.2).  The names are Linux's
 * (arch/x86/include/asm/cpufeatures.h), except that Linux shows SSE3 as
 * "pni": both are accepted.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cpu_features.h"
#include "cpuid_entry.h"

enum { EAX, EBX, ECX, EDX };

/* Indices into cpu_feature_table, for the dependency rules. */
enum cpu_feature_id {
	F_SSE3, F_PCLMULQDQ, F_SSSE3, F_FMA, F_CX16, F_SSE4_1, F_SSE4_2,
	F_X2APIC, F_MOVBE, F_POPCNT, F_TSC_DEADLINE, F_AES, F_XSAVE, F_AVX,
	F_F16C, F_RDRAND,
	F_FSGSBASE, F_BMI1, F_AVX2, F_SMEP, F_BMI2, F_ERMS, F_AVX512F,
	F_AVX512DQ, F_RDSEED, F_ADX, F_SMAP, F_AVX512IFMA, F_CLFLUSHOPT,
	F_CLWB, F_AVX512CD, F_SHA_NI, F_AVX512BW, F_AVX512VL,
	F_AVX512VBMI, F_UMIP, F_PKU, F_AVX512_VBMI2, F_GFNI, F_VAES,
	F_VPCLMULQDQ, F_AVX512_VNNI, F_AVX512_BITALG, F_AVX512_VPOPCNTDQ,
	F_RDPID,
	F_LAHF_LM, F_ABM, F_SSE4A, F_MISALIGNSSE, F_3DNOWPREFETCH,
	F_NX, F_PDPE1GB, F_RDTSCP,
	F_COUNT
};

_Static_assert(F_COUNT <= 64, "cpu_feature_set has 64 bits");

struct cpu_feature {
	const char *name;
	uint32_t leaf;		/* subleaf 0 */
	uint8_t reg;
	uint8_t bit;
};

#define L1	0x1u
#define L7	0x7u
#define E1	0x80000001u

static const struct cpu_feature cpu_feature_table[F_COUNT] = {
	[F_SSE3]		= { "sse3",			L1, ECX, 0 },
	[F_PCLMULQDQ]		= { "pclmulqdq",		L1, ECX, 1 },
	[F_SSSE3]		= { "ssse3",			L1, ECX, 9 },
	[F_FMA]			= { "fma",			L1, ECX, 12 },
	[F_CX16]		= { "cx16",			L1, ECX, 13 },
	[F_SSE4_1]		= { "sse4_1",			L1, ECX, 19 },
	[F_SSE4_2]		= { "sse4_2",			L1, ECX, 20 },
	[F_X2APIC]		= { "x2apic",			L1, ECX, 21 },
	[F_MOVBE]		= { "movbe",			L1, ECX, 22 },
	[F_POPCNT]		= { "popcnt",			L1, ECX, 23 },
	[F_TSC_DEADLINE]	= { "tsc_deadline_timer",	L1, ECX, 24 },
	[F_AES]			= { "aes",			L1, ECX, 25 },
	[F_XSAVE]		= { "xsave",			L1, ECX, 26 },
	[F_AVX]			= { "avx",			L1, ECX, 28 },
	[F_F16C]		= { "f16c",			L1, ECX, 29 },
	[F_RDRAND]		= { "rdrand",			L1, ECX, 30 },
	[F_FSGSBASE]		= { "fsgsbase",			L7, EBX, 0 },
	[F_BMI1]		= { "bmi1",			L7, EBX, 3 },
	[F_AVX2]		= { "avx2",			L7, EBX, 5 },
	[F_SMEP]		= { "smep",			L7, EBX, 7 },
	[F_BMI2]		= { "bmi2",			L7, EBX, 8 },
	[F_ERMS]		= { "erms",			L7, EBX, 9 },
	[F_AVX512F]		= { "avx512f",			L7, EBX, 16 },
	[F_AVX512DQ]		= { "avx512dq",			L7, EBX, 17 },
	[F_RDSEED]		= { "rdseed",			L7, EBX, 18 },
	[F_ADX]			= { "adx",			L7, EBX, 19 },
	[F_SMAP]		= { "smap",			L7, EBX, 20 },
	[F_AVX512IFMA]		= { "avx512ifma",		L7, EBX, 21 },
	[F_CLFLUSHOPT]		= { "clflushopt",		L7, EBX, 23 },
	[F_CLWB]		= { "clwb",			L7, EBX, 24 },
	[F_AVX512CD]		= { "avx512cd",			L7, EBX, 28 },
	[F_SHA_NI]		= { "sha_ni",			L7, EBX, 29 },
	[F_AVX512BW]		= { "avx512bw",			L7, EBX, 30 },
	[F_AVX512VL]		= { "avx512vl",			L7, EBX, 31 },
	[F_AVX512VBMI]		= { "avx512vbmi",		L7, ECX, 1 },
	[F_UMIP]		= { "umip",			L7, ECX, 2 },
	[F_PKU]			= { "pku",			L7, ECX, 3 },
	[F_AVX512_VBMI2]	= { "avx512_vbmi2",		L7, ECX, 6 },
	[F_GFNI]		= { "gfni",			L7, ECX, 8 },
	[F_VAES]		= { "vaes",			L7, ECX, 9 },
	[F_VPCLMULQDQ]		= { "vpclmulqdq",		L7, ECX, 10 },
	[F_AVX512_VNNI]		= { "avx512_vnni",		L7, ECX, 11 },
	[F_AVX512_BITALG]	= { "avx512_bitalg",		L7, ECX, 12 },
	[F_AVX512_VPOPCNTDQ]	= { "avx512_vpopcntdq",		L7, ECX, 14 },
	[F_RDPID]		= { "rdpid",			L7, ECX, 22 },
	[F_LAHF_LM]		= { "lahf_lm",			E1, ECX, 0 },
	[F_ABM]			= { "abm",			E1, ECX, 5 },
	[F_SSE4A]		= { "sse4a",			E1, ECX, 6 },
	[F_MISALIGNSSE]		= { "misalignsse",		E1, ECX, 7 },
	[F_3DNOWPREFETCH]	= { "3dnowprefetch",		E1, ECX, 8 },
	[F_NX]			= { "nx",			E1, EDX, 20 },
	[F_PDPE1GB]		= { "pdpe1gb",			E1, EDX, 26 },
	[F_RDTSCP]		= { "rdtscp",			E1, EDX, 27 },
};

/* What each feature is built on: hiding @needs hides @feature. */
static const struct {
	uint8_t feature, needs;
} cpu_feature_deps[] = {
	{ F_AVX, F_XSAVE },
	{ F_PKU, F_XSAVE },
	{ F_AVX2, F_AVX },
	{ F_FMA, F_AVX },
	{ F_F16C, F_AVX },
	{ F_VAES, F_AVX },
	{ F_VPCLMULQDQ, F_AVX },
	{ F_AVX512F, F_AVX2 },
	{ F_AVX512DQ, F_AVX512F },
	{ F_AVX512IFMA, F_AVX512F },
	{ F_AVX512CD, F_AVX512F },
	{ F_AVX512BW, F_AVX512F },
	{ F_AVX512VL, F_AVX512F },
	{ F_AVX512VBMI, F_AVX512F },
	{ F_AVX512_VBMI2, F_AVX512F },
	{ F_AVX512_VNNI, F_AVX512F },
	{ F_AVX512_BITALG, F_AVX512F },
	{ F_AVX512_VPOPCNTDQ, F_AVX512F },
};

#define BIT(n)		((cpu_feature_set)1 << (n))
/* XSAVE state components (Intel SDM vol. 1, 13.1) in leaf 0xd.0 EDX:EAX. */
#define XSTATE_X87_SSE	0x3ull
#define XSTATE_AVX	(1ull << 2)
#define XSTATE_AVX512	(7ull << 5)	/* opmask, ZMM_Hi256, Hi16_ZMM */
#define XSTATE_PKRU	(1ull << 9)

static int lookup(const char *name, size_t len)
{
	int i;

	if (len == 3 && !memcmp(name, "pni", 3))
		return F_SSE3;
	for (i = 0; i < F_COUNT; i++)
		if (strlen(cpu_feature_table[i].name) == len &&
		    !memcmp(cpu_feature_table[i].name, name, len))
			return i;
	return -1;
}

cpu_feature_set cpu_feature_named(const char *name)
{
	int i = lookup(name, strlen(name));

	return i < 0 ? 0 : BIT(i);
}

cpu_feature_set cpu_features_closure(cpu_feature_set hide)
{
	cpu_feature_set before;
	size_t i;

	do {
		before = hide;
		for (i = 0; i < sizeof(cpu_feature_deps) /
				sizeof(cpu_feature_deps[0]); i++)
			if (hide & BIT(cpu_feature_deps[i].needs))
				hide |= BIT(cpu_feature_deps[i].feature);
	} while (hide != before);
	return hide;
}

/* The lowest feature of @set, which must not be empty. */
static int first(cpu_feature_set set)
{
	return __builtin_ctzll(set);
}

/*
 * A kept feature that the hidden ones take with them: name the hidden
 * one it needs (the first in table order that does).
 */
static int contradiction(const struct cpu_features_req *req, char *err,
			 size_t errlen)
{
	cpu_feature_set both = req->hide & req->keep, lost, h;
	int k;

	if (both) {
		k = first(both);
		snprintf(err, errlen, "'%s' is both hidden and kept",
			 cpu_feature_table[k].name);
		return -1;
	}
	lost = cpu_features_closure(req->hide) & req->keep;
	if (!lost)
		return 0;
	k = first(lost);
	for (h = req->hide; h; h &= h - 1)
		if (cpu_features_closure(BIT(first(h))) & BIT(k))
			break;
	if (!h)		/* cannot be: the closure is the union of these */
		h = req->hide;
	snprintf(err, errlen, "'+%s' contradicts '-%s': %s needs %s",
		 cpu_feature_table[k].name, cpu_feature_table[first(h)].name,
		 cpu_feature_table[k].name, cpu_feature_table[first(h)].name);
	return -1;
}

int cpu_features_parse(const char *list, struct cpu_features_req *req,
		       char *err, size_t errlen)
{
	const char *p = list;
	int shown_len;

	*req = (struct cpu_features_req){ 0 };
	if (!*p) {
		snprintf(err, errlen, "empty list: give -name items to hide"
			 " features, separated by commas");
		return -1;
	}
	for (;;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		int f;

		/* Keep messages short whatever the user typed. */
		shown_len = len > 40 ? 40 : (int)len;
		if (len == 0) {
			snprintf(err, errlen, "empty item (a comma too many)");
			return -1;
		}
		if (*p != '-' && *p != '+') {
			snprintf(err, errlen, "'%.*s' needs a sign: -name"
				 " hides a feature, +name keeps it", shown_len,
				 p);
			return -1;
		}
		if (len == 1) {
			snprintf(err, errlen, "'%c' without a feature name",
				 *p);
			return -1;
		}
		f = lookup(p + 1, len - 1);
		if (f < 0) {
			snprintf(err, errlen, "unknown CPU feature '%.*s'"
				 " (names as in /proc/cpuinfo)", shown_len - 1,
				 p + 1);
			return -1;
		}
		if (*p == '-')
			req->hide |= BIT(f);
		else
			req->keep |= BIT(f);
		if (!comma)
			break;
		p = comma + 1;
	}
	return contradiction(req, err, errlen);
}

static uint32_t reg_get(const struct svmhv_cpuid_entry *e, uint8_t reg)
{
	const uint32_t r[4] = { e->eax, e->ebx, e->ecx, e->edx };

	return r[reg];
}

static void reg_clear(struct svmhv_cpuid_entry *e, uint8_t reg,
		      uint32_t bits)
{
	switch (reg) {
	case EAX:
		e->eax &= ~bits;
		break;
	case EBX:
		e->ebx &= ~bits;
		break;
	case ECX:
		e->ecx &= ~bits;
		break;
	default:
		e->edx &= ~bits;
		break;
	}
}

cpu_feature_set cpu_features_shown(const struct svmhv_cpuid_entry *e,
				   unsigned int n)
{
	cpu_feature_set shown = 0;
	int i, x;

	for (i = 0; i < F_COUNT; i++) {
		const struct cpu_feature *f = &cpu_feature_table[i];

		x = cpuid_entry_index(e, n, f->leaf, 0);
		if (x >= 0 && (reg_get(&e[x], f->reg) & (1u << f->bit)))
			shown |= BIT(i);
	}
	return shown;
}

/* Clear @states from the XSAVE state mask, leaf 0xd.0 EDX:EAX. */
static void clear_xstates(struct svmhv_cpuid_entry *e, unsigned int n,
			  uint64_t states)
{
	int x = cpuid_entry_index(e, n, 0xd, 0);

	if (x < 0)
		return;
	e[x].eax &= ~(uint32_t)states;
	e[x].edx &= ~(uint32_t)(states >> 32);
}

void cpu_features_hide(struct svmhv_cpuid_entry *e, unsigned int n,
		       cpu_feature_set hide)
{
	int i, x;

	hide = cpu_features_closure(hide);
	for (i = 0; i < F_COUNT; i++) {
		const struct cpu_feature *f = &cpu_feature_table[i];

		x = cpuid_entry_index(e, n, f->leaf, 0);
		if ((hide & BIT(i)) && x >= 0)
			reg_clear(&e[x], f->reg, 1u << f->bit);
	}
	if (hide & BIT(F_AVX))
		clear_xstates(e, n, XSTATE_AVX);
	if (hide & BIT(F_AVX512F))
		clear_xstates(e, n, XSTATE_AVX512);
	if (hide & BIT(F_PKU))
		clear_xstates(e, n, XSTATE_PKRU);
	if (hide & BIT(F_XSAVE)) {
		clear_xstates(e, n, ~XSTATE_X87_SSE);
		x = cpuid_entry_index(e, n, 0xd, 1);
		if (x >= 0)
			e[x].eax = 0;
	}
}

void cpu_features_names(cpu_feature_set set, char *buf, size_t len)
{
	size_t used = 0;
	int i;

	if (len)
		buf[0] = '\0';
	for (i = 0; i < F_COUNT && used < len; i++) {
		if (!(set & BIT(i)))
			continue;
		used += (size_t)snprintf(buf + used, len - used, "%s%s",
					 used ? ", " : "",
					 cpu_feature_table[i].name);
	}
}
