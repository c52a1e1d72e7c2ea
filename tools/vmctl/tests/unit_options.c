// SPDX-License-Identifier: GPL-2.0
/*
 * Option value parsing (options.c): sizes with and without K/M/G, 0x-hex
 * and decimal addresses, and every rejected form: empty, garbage, signs,
 * blanks, bad suffixes, 64-bit overflow, zero, unaligned and out-of-range
 * memory sizes.
 */
#include <string.h>

#include "../options.h"
#include "unit.h"

static bool size_is(const char *s, uint64_t want)
{
	uint64_t v = 0;

	return parse_size(s, &v) == OPT_OK && v == want;
}

static bool addr_is(const char *s, uint64_t want)
{
	uint64_t v = 0;

	return parse_addr(s, &v) == OPT_OK && v == want;
}

static enum opt_error size_err(const char *s)
{
	uint64_t v;

	return parse_size(s, &v);
}

static enum opt_error addr_err(const char *s)
{
	uint64_t v;

	return parse_addr(s, &v);
}

static enum opt_error cpus_err(const char *s)
{
	unsigned int v;

	return parse_cpus(s, &v);
}

static bool cpus_is(const char *s, unsigned int want)
{
	unsigned int v = 0;

	return parse_cpus(s, &v) == OPT_OK && v == want;
}

static enum opt_error mem_err(const char *s)
{
	uint64_t v;

	return parse_mem_size(s, &v);
}

static bool disk_is(const char *arg, const char *path, bool ro)
{
	struct disk_opt d = { 0 };
	char buf[64];

	snprintf(buf, sizeof(buf), "%s", arg);
	return parse_disk(buf, &d) == OPT_OK && d.path == buf &&
	       !strcmp(d.path, path) && d.readonly == ro;
}

static enum opt_error disk_err(const char *arg, bool *untouched)
{
	struct disk_opt d = { 0 };
	char buf[64];
	enum opt_error e;

	snprintf(buf, sizeof(buf), "%s", arg);
	e = parse_disk(buf, &d);
	*untouched = !strcmp(buf, arg) && !d.path;
	return e;
}

/* --disk PATH[,ro|,rw] */
static void disk_options(void)
{
	bool same = false;

	CHECK(disk_is("rootfs.ext4", "rootfs.ext4", false), "disk_plain_path_rw");
	CHECK(disk_is("data.img,ro", "data.img", true), "disk_ro_suffix");
	CHECK(disk_is("data.img,rw", "data.img", false), "disk_rw_suffix");
	CHECK(disk_is("/a,b/c.img,ro", "/a,b/c.img", true) &&
	      disk_is("a,b.img,rw", "a,b.img", false),
	      "disk_only_last_comma_is_a_flag");
	CHECK(disk_is("/dev/vg/disk", "/dev/vg/disk", false), "disk_block_device_path");
	CHECK(disk_err("", &same) == OPT_EMPTY, "disk_empty_rejected");
	CHECK(disk_err(",ro", &same) == OPT_EMPTY && same,
	      "disk_flag_without_path_rejected");
	CHECK(disk_err("a.img,RO", &same) == OPT_DISK_FLAG && same,
	      "disk_flag_is_case_sensitive");
	CHECK(disk_err("a.img,", &same) == OPT_DISK_FLAG && same,
	      "disk_empty_flag_rejected");
	CHECK(disk_err("a,b.img", &same) == OPT_DISK_FLAG && same,
	      "disk_unknown_flag_rejected_and_value_kept");
	CHECK(disk_err("a.img,ro,", &same) == OPT_DISK_FLAG,
	      "disk_trailing_comma_rejected");
	CHECK(strstr(opt_strerror(OPT_DISK_FLAG), "ro") != NULL,
	      "disk_flag_error_names_ro");
}

void unit_options(void)
{
	enum cpu_mode m;
	uint64_t v = 0;

	disk_options();

	CHECK(size_is("4096", 4096), "size_plain_bytes");
	CHECK(size_is("64K", 64ull << 10) && size_is("64k", 64ull << 10),
	      "size_k_suffix_either_case");
	CHECK(size_is("64M", 64ull << 20), "size_m_suffix");
	CHECK(size_is("2G", 2ull << 30) && size_is("2g", 2ull << 30), "size_g_suffix");
	CHECK(size_is("0", 0), "size_zero_parses");
	CHECK(size_is("17179869183G", 17179869183ull << 30), "size_largest_g_fits");
	CHECK(size_err("") == OPT_EMPTY, "size_empty_rejected");
	CHECK(size_err("M") == OPT_GARBAGE, "size_suffix_without_digits_rejected");
	CHECK(size_err("64X") == OPT_GARBAGE, "size_unknown_suffix_rejected");
	CHECK(size_err("64MB") == OPT_GARBAGE, "size_trailing_junk_rejected");
	CHECK(size_err("-1") == OPT_GARBAGE, "size_negative_rejected");
	CHECK(size_err("+1") == OPT_GARBAGE, "size_plus_sign_rejected");
	CHECK(size_err(" 1") == OPT_GARBAGE, "size_leading_blank_rejected");
	CHECK(size_err("0x1000") == OPT_GARBAGE, "size_hex_rejected");
	CHECK(size_err("1.5G") == OPT_GARBAGE, "size_fraction_rejected");
	CHECK(size_err("18446744073709551616") == OPT_OVERFLOW,
	      "size_above_2_64_overflows");
	CHECK(size_is("18446744073709551615", UINT64_MAX), "size_2_64_minus_1_fits");
	CHECK(size_err("17179869184G") == OPT_OVERFLOW, "size_suffix_overflow_detected");
	CHECK(size_err("18014398509481984K") == OPT_OVERFLOW, "size_k_overflow_detected");

	CHECK(addr_is("0x1000", 0x1000) && addr_is("0X1000", 0x1000), "addr_hex");
	CHECK(addr_is("0xFFffFFffFFffFFff", UINT64_MAX), "addr_hex_max_mixed_case");
	CHECK(addr_is("4096", 4096), "addr_decimal");
	CHECK(addr_is("0", 0), "addr_zero");
	CHECK(addr_is("010", 10), "addr_leading_zero_is_decimal_not_octal");
	CHECK(addr_err("") == OPT_EMPTY, "addr_empty_rejected");
	CHECK(addr_err("0x") == OPT_GARBAGE, "addr_bare_0x_rejected");
	CHECK(addr_err("0x10g") == OPT_GARBAGE, "addr_bad_hex_digit_rejected");
	CHECK(addr_err("12ab") == OPT_GARBAGE, "addr_hex_without_prefix_rejected");
	CHECK(addr_err("4K") == OPT_GARBAGE, "addr_suffix_rejected");
	CHECK(addr_err("-4096") == OPT_GARBAGE, "addr_negative_rejected");
	CHECK(addr_err("0x10000000000000000") == OPT_OVERFLOW, "addr_hex_overflow");
	CHECK(addr_err("99999999999999999999") == OPT_OVERFLOW, "addr_decimal_overflow");

	CHECK(parse_mem_size("64M", &v) == OPT_OK && v == 64ull << 20, "mem_64m_accepted");
	CHECK(parse_mem_size("1M", &v) == OPT_OK && v == 1ull << 20, "mem_minimum_1m_accepted");
	CHECK(parse_mem_size("512G", &v) == OPT_OK && v == 512ull << 30,
	      "mem_maximum_512g_accepted");
	CHECK(mem_err("0") == OPT_ZERO && mem_err("0M") == OPT_ZERO, "mem_zero_rejected");
	CHECK(mem_err("1048577") == OPT_UNALIGNED, "mem_unaligned_bytes_rejected");
	CHECK(mem_err("1025K") == OPT_UNALIGNED, "mem_unaligned_k_rejected");
	CHECK(mem_err("1020K") == OPT_TOO_SMALL, "mem_below_1m_rejected");
	CHECK(mem_err("513G") == OPT_TOO_LARGE, "mem_above_512g_rejected");
	CHECK(mem_err("64Q") == OPT_GARBAGE, "mem_garbage_rejected");
	CHECK(mem_err("99999999999G") == OPT_OVERFLOW, "mem_overflow_rejected");

	CHECK(cpus_is("1", 1) && cpus_is("4", 4) && cpus_is("64", 64),
	      "cpus_1_to_64_accepted");
	CHECK(cpus_is("08", 8), "cpus_leading_zero_is_decimal");
	CHECK(cpus_err("0") == OPT_NO_CPUS, "cpus_zero_rejected");
	CHECK(cpus_err("65") == OPT_TOO_MANY_CPUS &&
	      cpus_err("4294967297") == OPT_TOO_MANY_CPUS,
	      "cpus_above_64_rejected_without_wrapping");
	CHECK(cpus_err("") == OPT_EMPTY, "cpus_empty_rejected");
	CHECK(cpus_err("four") == OPT_GARBAGE && cpus_err("4x") == OPT_GARBAGE &&
	      cpus_err("-1") == OPT_GARBAGE && cpus_err(" 4") == OPT_GARBAGE &&
	      cpus_err("0x4") == OPT_GARBAGE, "cpus_garbage_rejected");
	CHECK(cpus_err("99999999999999999999") == OPT_OVERFLOW,
	      "cpus_overflow_rejected");

	CHECK(parse_cpu_mode("real", &m) == 0 && m == CPU_MODE_REAL, "mode_real");
	CHECK(parse_cpu_mode("protected", &m) == 0 && m == CPU_MODE_PROTECTED,
	      "mode_protected");
	CHECK(parse_cpu_mode("long", &m) == 0 && m == CPU_MODE_LONG, "mode_long");
	CHECK(parse_cpu_mode("Long", &m) < 0 && parse_cpu_mode("", &m) < 0 &&
	      parse_cpu_mode("prot", &m) < 0, "mode_other_spellings_rejected");
}
