// SPDX-License-Identifier: GPL-2.0
/*
 * The CMOS RTC (dev_cmos.c) at a fixed time: BCD and binary formats per
 * register B, 12- and 24-hour modes, century, registers A/C/D, setting
 * the clock through register B's SET bit, NVRAM bytes, NMI mask bit.
 */
#include "../dev_cmos.h"
#include "unit.h"

/* 2026-11-23 21:48:42 UTC, a Monday. */
#define T0 1795470522

static uint8_t rd(struct cmos *c, uint8_t reg, int64_t now)
{
	cmos_write(c, 0, reg, now);
	return cmos_read(c, 1, now);
}

static void wr(struct cmos *c, uint8_t reg, uint8_t val, int64_t now)
{
	cmos_write(c, 0, reg, now);
	cmos_write(c, 1, val, now);
}

void unit_cmos(void)
{
	struct cmos c;

	cmos_init(&c);
	CHECK(rd(&c, CMOS_SECONDS, T0) == 0x42 && rd(&c, CMOS_MINUTES, T0) == 0x48 &&
	      rd(&c, CMOS_HOURS, T0) == 0x21, "rtc_time_in_bcd_24h_by_default");
	CHECK(rd(&c, CMOS_DAY, T0) == 0x23 && rd(&c, CMOS_MONTH, T0) == 0x11 &&
	      rd(&c, CMOS_YEAR, T0) == 0x26 && rd(&c, CMOS_CENTURY, T0) == 0x20,
	      "rtc_date_and_century_in_bcd");
	CHECK(rd(&c, CMOS_WEEKDAY, T0) == 2, "rtc_weekday_sunday_is_one");
	CHECK(rd(&c, CMOS_SECONDS, T0 + 5) == 0x47, "rtc_clock_runs_with_host_time");
	CHECK(!(rd(&c, CMOS_REG_A, T0) & 0x80), "rtc_uip_never_set");
	CHECK(rd(&c, CMOS_REG_D, T0) == CMOS_D_VRT, "rtc_reg_d_reports_valid_time");
	CHECK(rd(&c, CMOS_REG_C, T0) == 0, "rtc_reg_c_no_interrupt_flags");

	wr(&c, CMOS_REG_B, CMOS_B_24H | CMOS_B_DM, T0);
	CHECK(rd(&c, CMOS_SECONDS, T0) == 42 && rd(&c, CMOS_HOURS, T0) == 21 &&
	      rd(&c, CMOS_YEAR, T0) == 26, "rtc_binary_mode_per_register_b");
	wr(&c, CMOS_REG_B, CMOS_B_DM, T0);
	CHECK(rd(&c, CMOS_HOURS, T0) == (0x80 | 9), "rtc_12h_binary_pm_flag");
	wr(&c, CMOS_REG_B, 0, T0);
	CHECK(rd(&c, CMOS_HOURS, T0) == 0x89, "rtc_12h_bcd_pm_flag");
	CHECK(rd(&c, CMOS_HOURS, T0 - 21 * 3600) == 0x12,
	      "rtc_12h_midnight_reads_12_am");

	/* Set 2030-01-02 03:04:05 the way mc146818_set_time does. */
	cmos_init(&c);
	wr(&c, CMOS_REG_B, CMOS_B_24H | CMOS_B_SET, T0);
	wr(&c, CMOS_YEAR, 0x30, T0);
	wr(&c, CMOS_MONTH, 0x01, T0);
	wr(&c, CMOS_DAY, 0x02, T0);
	wr(&c, CMOS_HOURS, 0x03, T0);
	wr(&c, CMOS_MINUTES, 0x04, T0);
	wr(&c, CMOS_SECONDS, 0x05, T0);
	CHECK(rd(&c, CMOS_SECONDS, T0 + 100) == 0x05,
	      "rtc_time_frozen_while_set_bit_is_on");
	wr(&c, CMOS_REG_B, CMOS_B_24H, T0 + 100);
	CHECK(rd(&c, CMOS_YEAR, T0 + 100) == 0x30 && rd(&c, CMOS_MONTH, T0 + 100) == 0x01 &&
	      rd(&c, CMOS_DAY, T0 + 100) == 0x02 && rd(&c, CMOS_HOURS, T0 + 100) == 0x03 &&
	      rd(&c, CMOS_MINUTES, T0 + 100) == 0x04 &&
	      rd(&c, CMOS_SECONDS, T0 + 100) == 0x05,
	      "rtc_set_time_reads_back_after_set_cleared");
	CHECK(rd(&c, CMOS_SECONDS, T0 + 110) == 0x15, "rtc_set_clock_runs_on");
	wr(&c, CMOS_MINUTES, 0x59, T0 + 110);
	CHECK(rd(&c, CMOS_MINUTES, T0 + 110) == 0x59 && rd(&c, CMOS_HOURS, T0 + 110) == 0x03,
	      "rtc_write_without_set_takes_effect_at_once");

	wr(&c, 0x40, 0xa5, T0);
	CHECK(rd(&c, 0x40, T0) == 0xa5, "rtc_nvram_byte_holds_value");
	cmos_write(&c, 0, 0x80 | 0x40, T0);
	CHECK(c.nmi_masked && cmos_read(&c, 1, T0) == 0xa5,
	      "rtc_index_bit7_is_nmi_mask_not_address");
	CHECK(cmos_read(&c, 0, T0) == 0xff, "rtc_index_port_is_write_only");
}
