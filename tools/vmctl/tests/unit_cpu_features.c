// SPDX-License-Identifier: GPL-2.0
/*
 * --cpu-features (cpu_features.c): the spellings the parser takes and
 * refuses, every name's CPUID bit (stated here again from the Intel SDM
 * and AMD APM tables, so a slip in either table shows), the dependency
 * closure, and the table edits: what a hidden feature takes with it,
 * including the XSAVE states of leaf 0xd, and that every result obeys
 * the rules svmhv checks a table against (module/svm/cpuid_table.c).
 */
#include <string.h>

#include "../cpu_features.h"
#include "unit.h"

#define L1	0x1u
#define L7	0x7u
#define E1	0x80000001u

enum { EAX, EBX, ECX, EDX };

/* Every name and its bit, from the manuals (see the file comment). */
static const struct {
	const char *name;
	uint32_t leaf;
	int reg, bit;
} positions[] = {
	{ "sse3", L1, ECX, 0 }, { "pclmulqdq", L1, ECX, 1 },
	{ "ssse3", L1, ECX, 9 }, { "fma", L1, ECX, 12 },
	{ "cx16", L1, ECX, 13 }, { "sse4_1", L1, ECX, 19 },
	{ "sse4_2", L1, ECX, 20 }, { "x2apic", L1, ECX, 21 },
	{ "movbe", L1, ECX, 22 }, { "popcnt", L1, ECX, 23 },
	{ "tsc_deadline_timer", L1, ECX, 24 }, { "aes", L1, ECX, 25 },
	{ "xsave", L1, ECX, 26 }, { "avx", L1, ECX, 28 },
	{ "f16c", L1, ECX, 29 }, { "rdrand", L1, ECX, 30 },
	{ "fsgsbase", L7, EBX, 0 }, { "bmi1", L7, EBX, 3 },
	{ "avx2", L7, EBX, 5 }, { "smep", L7, EBX, 7 },
	{ "bmi2", L7, EBX, 8 }, { "erms", L7, EBX, 9 },
	{ "avx512f", L7, EBX, 16 }, { "avx512dq", L7, EBX, 17 },
	{ "rdseed", L7, EBX, 18 }, { "adx", L7, EBX, 19 },
	{ "smap", L7, EBX, 20 }, { "avx512ifma", L7, EBX, 21 },
	{ "clflushopt", L7, EBX, 23 }, { "clwb", L7, EBX, 24 },
	{ "avx512cd", L7, EBX, 28 }, { "sha_ni", L7, EBX, 29 },
	{ "avx512bw", L7, EBX, 30 }, { "avx512vl", L7, EBX, 31 },
	{ "avx512vbmi", L7, ECX, 1 }, { "umip", L7, ECX, 2 },
	{ "pku", L7, ECX, 3 }, { "avx512_vbmi2", L7, ECX, 6 },
	{ "gfni", L7, ECX, 8 }, { "vaes", L7, ECX, 9 },
	{ "vpclmulqdq", L7, ECX, 10 }, { "avx512_vnni", L7, ECX, 11 },
	{ "avx512_bitalg", L7, ECX, 12 }, { "avx512_vpopcntdq", L7, ECX, 14 },
	{ "rdpid", L7, ECX, 22 },
	{ "lahf_lm", E1, ECX, 0 }, { "abm", E1, ECX, 5 },
	{ "sse4a", E1, ECX, 6 }, { "misalignsse", E1, ECX, 7 },
	{ "3dnowprefetch", E1, ECX, 8 },
	{ "nx", E1, EDX, 20 }, { "pdpe1gb", E1, EDX, 26 },
	{ "rdtscp", E1, EDX, 27 },
};

#define NPOS	(sizeof(positions) / sizeof(positions[0]))

static const char *const avx512_names[] = {
	"avx512f", "avx512dq", "avx512ifma", "avx512cd", "avx512bw",
	"avx512vl", "avx512vbmi", "avx512_vbmi2", "avx512_vnni",
	"avx512_bitalg", "avx512_vpopcntdq",
};

/* Table indices of full_table(). */
enum { T_L0, T_L1, T_L7, T_D0, T_D1, T_D2, T_E1, T_E8, T_N };

static uint32_t *reg(struct svmhv_cpuid_entry *e, int r)
{
	uint32_t *regs[4] = { &e->eax, &e->ebx, &e->ecx, &e->edx };

	return regs[r];
}

static int table_index(uint32_t leaf)
{
	return leaf == L1 ? T_L1 : leaf == L7 ? T_L7 : T_E1;
}

/*
 * A host that offers every feature of the list, the XSAVE states x87,
 * SSE, AVX, the three AVX-512 ones and PKRU, and the four XSAVE
 * extensions; @base are bits outside the list that must survive.
 */
static void full_table(struct svmhv_cpuid_entry *t, bool base)
{
	unsigned int i;

	memset(t, 0, T_N * sizeof(*t));
	t[T_L0] = (struct svmhv_cpuid_entry){ .function = 0, .eax = 0xd };
	t[T_L1].function = L1;
	t[T_L7].function = L7;
	t[T_D0] = (struct svmhv_cpuid_entry){ .function = 0xd, .eax = 0x2e7 };
	t[T_D1] = (struct svmhv_cpuid_entry){
		.function = 0xd, .index = 1, .eax = 0xf,
	};
	t[T_D2] = (struct svmhv_cpuid_entry){
		.function = 0xd, .index = 2, .eax = 256, .ebx = 576,
	};
	t[T_E1].function = E1;
	t[T_E8] = (struct svmhv_cpuid_entry){
		.function = 0x80000008, .eax = 0x3030,
	};
	for (i = 0; i < NPOS; i++)
		*reg(&t[table_index(positions[i].leaf)], positions[i].reg) |=
			1u << positions[i].bit;
	if (base) {
		t[T_L1].ecx |= 1u << 31;		/* hypervisor */
		t[T_L1].edx = 0x0783fbff;		/* FPU ... SSE2 */
		t[T_L7].ebx |= 1u << 1;			/* TSC_ADJUST */
		t[T_E1].edx |= 1u << 29;		/* LM */
	}
}

static cpu_feature_set named(const char *const *names, size_t n)
{
	cpu_feature_set s = 0;
	size_t i;

	for (i = 0; i < n; i++)
		s |= cpu_feature_named(names[i]);
	return s;
}

static cpu_feature_set all_features(void)
{
	cpu_feature_set s = 0;
	size_t i;

	for (i = 0; i < NPOS; i++)
		s |= cpu_feature_named(positions[i].name);
	return s;
}

static bool parses(const char *list, cpu_feature_set hide,
		   cpu_feature_set keep)
{
	struct cpu_features_req r;
	char err[200];

	return cpu_features_parse(list, &r, err, sizeof(err)) == 0 &&
	       r.hide == hide && r.keep == keep;
}

/* Refused, with a message that contains @says. */
static bool refused(const char *list, const char *says)
{
	struct cpu_features_req r;
	char err[200] = "";

	return cpu_features_parse(list, &r, err, sizeof(err)) < 0 &&
	       strstr(err, says);
}

/*
 * svmhv's rules for a table (svm_cpuid_consistent() in
 * module/svm/cpuid_table.c), restated: XSAVE with x87 and SSE states;
 * AVX with XSAVE and the AVX state; the AVX family with AVX; any AVX-512
 * feature with AVX-512F; AVX-512F with AVX2 and the three states.
 */
static bool svmhv_would_take(const struct svmhv_cpuid_entry *t)
{
	uint64_t mask = t[T_D0].eax | (uint64_t)t[T_D0].edx << 32;
	uint32_t c1 = t[T_L1].ecx, b7 = t[T_L7].ebx, c7 = t[T_L7].ecx;
	bool xsave = c1 & (1u << 26), avx = c1 & (1u << 28);
	bool avx512f = b7 & (1u << 16);

	if (xsave && (mask & 3) != 3)
		return false;
	if (avx && (!xsave || !(mask & 4)))
		return false;
	if (!avx && ((b7 & (1u << 5)) || (c1 & ((1u << 12) | (1u << 29))) ||
		     (c7 & ((1u << 9) | (1u << 10)))))
		return false;
	if (((b7 & 0xd0220000u) || (c7 & 0x5842u)) && !avx512f)
		return false;
	if (avx512f && (!(b7 & (1u << 5)) || (mask & 0xe0) != 0xe0))
		return false;
	return true;
}

static void unit_parse(void)
{
	cpu_feature_set avx = cpu_feature_named("avx");
	cpu_feature_set avx2 = cpu_feature_named("avx2");
	cpu_feature_set f512 = cpu_feature_named("avx512f");

	CHECK(avx && avx2 && f512 && avx != avx2, "names_known");
	CHECK(parses("-avx512f,-avx2", f512 | avx2, 0), "parse_two_hidden");
	CHECK(parses("-avx2", avx2, 0), "parse_one_hidden");
	CHECK(parses("+avx,-avx512f", f512, avx), "parse_keep_and_hide");
	CHECK(parses("-avx2,-avx2", avx2, 0), "parse_repeat_is_harmless");
	CHECK(parses("-pni", cpu_feature_named("sse3"), 0) &&
	      cpu_feature_named("pni") == cpu_feature_named("sse3"),
	      "parse_pni_is_sse3_as_in_proc_cpuinfo");
	CHECK(parses("-3dnowprefetch,-tsc_deadline_timer,-avx512_vpopcntdq",
		     cpu_feature_named("3dnowprefetch") |
		     cpu_feature_named("tsc_deadline_timer") |
		     cpu_feature_named("avx512_vpopcntdq"), 0),
	      "parse_longest_and_digit_names");

	CHECK(refused("", "empty list"), "parse_empty_list_refused");
	CHECK(refused(",", "empty item"), "parse_lone_comma_refused");
	CHECK(refused("-avx,", "empty item"), "parse_trailing_comma_refused");
	CHECK(refused(",-avx", "empty item"), "parse_leading_comma_refused");
	CHECK(refused("-avx,,-fma", "empty item"), "parse_double_comma_refused");
	CHECK(refused("avx2", "'avx2' needs a sign"), "parse_unsigned_item_refused");
	CHECK(refused("-", "without a feature name") &&
	      refused("-avx,+", "without a feature name"), "parse_bare_sign_refused");
	CHECK(refused("-avx3", "unknown CPU feature 'avx3'"),
	      "parse_unknown_name_refused_and_named");
	CHECK(refused("-avx2,-bogus,-fma", "unknown CPU feature 'bogus'"),
	      "parse_unknown_name_in_the_middle_named");
	CHECK(refused("-AVX2", "unknown CPU feature 'AVX2'"),
	      "parse_names_are_lower_case");
	CHECK(refused("- avx2", "unknown CPU feature ' avx2'") &&
	      refused("-avx2 ", "unknown CPU feature 'avx2 '"),
	      "parse_blanks_are_not_skipped");
	CHECK(refused("-avx2_", "unknown") && refused("-av", "unknown") &&
	      parses("-avx", avx, 0), "parse_no_prefix_matching");
	CHECK(refused("-avx2,+avx2", "'avx2' is both hidden and kept"),
	      "parse_hide_and_keep_same_refused");
	CHECK(refused("-avx,+avx2", "'+avx2' contradicts '-avx': avx2 needs avx"),
	      "parse_keep_of_a_dependent_refused");
	CHECK(refused("-sse4_2,-xsave,+avx512vl", "contradicts '-xsave'"),
	      "parse_contradiction_names_the_cause");
}

static void unit_closure(void)
{
	static const char *const avx_family[] = {
		"avx", "avx2", "fma", "f16c", "vaes", "vpclmulqdq",
	};
	cpu_feature_set avx512 = named(avx512_names, 11);
	cpu_feature_set avx = named(avx_family, 6) | avx512;
	cpu_feature_set c;
	char buf[1024];

	CHECK(__builtin_popcountll(avx512) == 11, "closure_eleven_avx512_names");
	c = cpu_features_closure(cpu_feature_named("avx"));
	CHECK(c == avx, "closure_avx_takes_its_family_and_avx512");
	c = cpu_features_closure(cpu_feature_named("avx2"));
	CHECK(c == (cpu_feature_named("avx2") | avx512),
	      "closure_avx2_takes_avx512_only");
	c = cpu_features_closure(cpu_feature_named("avx512f"));
	CHECK(c == avx512, "closure_avx512f_takes_the_other_avx512");
	c = cpu_features_closure(cpu_feature_named("avx512vl"));
	CHECK(c == cpu_feature_named("avx512vl"), "closure_avx512vl_alone");
	c = cpu_features_closure(cpu_feature_named("xsave"));
	CHECK(c == (cpu_feature_named("xsave") | cpu_feature_named("pku") | avx),
	      "closure_xsave_takes_avx_and_pku");
	c = cpu_features_closure(cpu_feature_named("fma") |
				 cpu_feature_named("nx"));
	CHECK(c == (cpu_feature_named("fma") | cpu_feature_named("nx")),
	      "closure_leaves_take_nothing");
	CHECK(cpu_features_closure(0) == 0, "closure_of_nothing");
	c = cpu_features_closure(cpu_feature_named("gfni") |
				 cpu_feature_named("sse4_2") |
				 cpu_feature_named("aes"));
	CHECK(!(c & avx), "closure_sse_features_do_not_take_avx");

	cpu_features_names(cpu_features_closure(cpu_feature_named("avx2")),
			   buf, sizeof(buf));
	CHECK(!strcmp(buf, "avx2, avx512f, avx512dq, avx512ifma, avx512cd,"
		      " avx512bw, avx512vl, avx512vbmi, avx512_vbmi2,"
		      " avx512_vnni, avx512_bitalg, avx512_vpopcntdq"),
	      "names_in_table_order");
	cpu_features_names(0, buf, sizeof(buf));
	CHECK(buf[0] == '\0', "names_of_nothing_empty");
	cpu_features_names(avx, buf, 10);
	CHECK(strlen(buf) == 9, "names_truncated_safely");
}

static void unit_positions(void)
{
	struct svmhv_cpuid_entry t[T_N];
	unsigned int i, wrong = 0;

	for (i = 0; i < NPOS; i++) {
		memset(t, 0, sizeof(t));
		t[T_L1].function = L1;
		t[T_L7].function = L7;
		t[T_E1].function = E1;
		*reg(&t[table_index(positions[i].leaf)], positions[i].reg) =
			1u << positions[i].bit;
		if (!cpu_feature_named(positions[i].name) ||
		    cpu_features_shown(t, T_N) !=
		    cpu_feature_named(positions[i].name))
			wrong++;
	}
	CHECK(wrong == 0, "every_name_at_its_sdm_apm_bit");
	CHECK((size_t)__builtin_popcountll(all_features()) == NPOS,
	      "names_distinct_and_53");
	full_table(t, true);
	CHECK(cpu_features_shown(t, T_N) == all_features(),
	      "full_table_shows_everything");
	CHECK(cpu_features_shown(t, 0) == 0, "empty_table_shows_nothing");
	/* Bits of the CPU's state are no feature: OSXSAVE, OSPKE. */
	memset(t, 0, sizeof(t));
	t[T_L1] = (struct svmhv_cpuid_entry){ .function = 1, .ecx = 1u << 27 };
	t[T_L7] = (struct svmhv_cpuid_entry){ .function = 7, .ecx = 1u << 4 };
	CHECK(cpu_features_shown(t, T_N) == 0, "osxsave_ospke_are_no_features");
}

static void unit_hide(void)
{
	struct svmhv_cpuid_entry t[T_N], full[T_N];
	unsigned int i, bad = 0;

	full_table(full, true);
	CHECK(svmhv_would_take(full), "full_table_is_consistent");

	memcpy(t, full, sizeof(t));
	cpu_features_hide(t, T_N, cpu_feature_named("avx"));
	CHECK(t[T_L1].ecx == (full[T_L1].ecx & ~((1u << 28) | (1u << 12) |
						 (1u << 29))),
	      "hide_avx_clears_avx_fma_f16c_keeps_xsave");
	CHECK(t[T_L7].ebx == (full[T_L7].ebx & ~0xd0230020u),
	      "hide_avx_clears_avx2_and_avx512_ebx");
	CHECK(t[T_L7].ecx == (full[T_L7].ecx & ~0x5e42u),
	      "hide_avx_clears_vaes_vpclmulqdq_and_avx512_ecx");
	CHECK(t[T_D0].eax == 0x203 && t[T_D0].edx == 0,
	      "hide_avx_clears_avx_and_avx512_states_keeps_pkru");
	CHECK(t[T_D1].eax == 0xf && !memcmp(&t[T_D2], &full[T_D2], sizeof(t[0])),
	      "hide_avx_keeps_xsave_extensions_and_state_layout");
	CHECK(!memcmp(&t[T_E1], &full[T_E1], sizeof(t[0])) &&
	      t[T_L1].edx == full[T_L1].edx, "hide_avx_leaves_other_leaves");
	CHECK(svmhv_would_take(t), "hide_avx_result_consistent");

	memcpy(t, full, sizeof(t));
	cpu_features_hide(t, T_N, cpu_feature_named("avx512f"));
	CHECK(t[T_D0].eax == 0x207 && (t[T_L7].ebx & (1u << 5)) &&
	      !(t[T_L7].ebx & 0xd0230000u) && !(t[T_L7].ecx & 0x5842u) &&
	      (t[T_L7].ecx & 0x700u) == 0x700u,
	      "hide_avx512f_clears_avx512_and_its_states_keeps_avx2_vaes_gfni");

	memcpy(t, full, sizeof(t));
	cpu_features_hide(t, T_N, cpu_feature_named("avx2"));
	CHECK(t[T_D0].eax == 0x207 && !(t[T_L7].ebx & (1u << 5)) &&
	      (t[T_L1].ecx & (1u << 12)) && svmhv_would_take(t),
	      "hide_avx2_takes_avx512_keeps_fma");

	memcpy(t, full, sizeof(t));
	cpu_features_hide(t, T_N, cpu_feature_named("xsave"));
	CHECK(!(t[T_L1].ecx & ((1u << 26) | (1u << 28))) &&
	      !(t[T_L7].ecx & (1u << 3)) && t[T_D0].eax == 0x3 &&
	      t[T_D1].eax == 0 && svmhv_would_take(t),
	      "hide_xsave_takes_avx_pku_states_and_extensions");

	memcpy(t, full, sizeof(t));
	cpu_features_hide(t, T_N, cpu_feature_named("pku"));
	CHECK(t[T_D0].eax == 0xe7 && !(t[T_L7].ecx & (1u << 3)) &&
	      (t[T_L1].ecx & (1u << 26)), "hide_pku_takes_the_pkru_state");

	memcpy(t, full, sizeof(t));
	cpu_features_hide(t, T_N, cpu_feature_named("nx") |
			  cpu_feature_named("rdtscp"));
	CHECK(t[T_E1].edx == (full[T_E1].edx & ~((1u << 20) | (1u << 27))) &&
	      !memcmp(t, full, T_E1 * sizeof(t[0])),
	      "hide_nx_rdtscp_touch_only_their_bits");

	memcpy(t, full, sizeof(t));
	cpu_features_hide(t, T_N, 0);
	CHECK(!memcmp(t, full, sizeof(t)), "hide_nothing_changes_nothing");

	/* Whatever one hides, svmhv's rules hold and only that closure goes. */
	for (i = 0; i < NPOS; i++) {
		cpu_feature_set f = cpu_feature_named(positions[i].name);

		memcpy(t, full, sizeof(t));
		cpu_features_hide(t, T_N, f);
		if (!svmhv_would_take(t) ||
		    cpu_features_shown(t, T_N) !=
		    (all_features() & ~cpu_features_closure(f)) ||
		    t[T_L1].edx != full[T_L1].edx ||
		    !(t[T_L1].ecx & (1u << 31)) || !(t[T_L7].ebx & 2) ||
		    !(t[T_E1].edx & (1u << 29)))
			bad++;
	}
	CHECK(bad == 0, "hide_any_one_feature_consistent_and_exact");

	/* A table without leaf 0xd (or 7): what is there is still edited. */
	memcpy(t, full, sizeof(t));
	cpu_features_hide(t, T_L7, cpu_feature_named("avx"));
	CHECK(!(t[T_L1].ecx & (1u << 28)) && t[T_L7].ebx == full[T_L7].ebx,
	      "hide_in_partial_table");
}

void unit_cpu_features(void)
{
	unit_parse();
	unit_closure();
	unit_positions();
	unit_hide();
}
