// SPDX-License-Identifier: GPL-2.0
/*
 * The 8254 (dev_i8254.c) with time stepped by hand: channel 0 periodic
 * (mode 2) and one-shot (mode 0) interrupts, missed periods collapsing,
 * lobyte/hibyte access, the latch and read-back commands, mode 3 counting
 * by two, and channel 2 with its gate and output on port 0x61 the way
 * Linux calibrates the TSC.
 */
#include "../dev_i8254.h"
#include "unit.h"

static uint16_t read16(struct i8254 *p, unsigned int ch, uint64_t now)
{
	uint8_t lo = i8254_read(p, ch, now);

	return (uint16_t)(lo | i8254_read(p, ch, now) << 8);
}

void unit_i8254(void)
{
	struct i8254 p;
	uint64_t when;

	i8254_init(&p);
	CHECK(!i8254_next_irq0(&p, &when) && !i8254_irq0_due(&p, 1000000),
	      "pit_no_interrupt_before_programmed");

	/* Linux's periodic tick at HZ=250: mode 2, count 4772. */
	i8254_write(&p, 3, 0x34, 100);
	i8254_write(&p, 0, 4772 & 0xff, 100);
	CHECK(!i8254_next_irq0(&p, &when), "pit_lsb_alone_does_not_start_counter");
	i8254_write(&p, 0, 4772 >> 8, 100);
	CHECK(i8254_next_irq0(&p, &when) && when == 100 + 4772,
	      "pit_mode2_first_interrupt_one_period_after_load");
	CHECK(!i8254_irq0_due(&p, 100 + 4771), "pit_mode2_not_due_early");
	CHECK(i8254_irq0_due(&p, 100 + 4772), "pit_mode2_due_at_period");
	CHECK(!i8254_irq0_due(&p, 100 + 4772), "pit_mode2_fires_once_per_period");
	CHECK(i8254_next_irq0(&p, &when) && when == 100 + 2 * 4772,
	      "pit_mode2_rearms_for_next_period");
	CHECK(i8254_irq0_due(&p, 100 + 10 * 4772 + 5) &&
	      i8254_next_irq0(&p, &when) && when == 100 + 11 * 4772,
	      "pit_missed_periods_collapse_into_one_interrupt");
	CHECK(read16(&p, 0, 100 + 11 * 4772 - 10) == 10,
	      "pit_mode2_counter_reads_count_down");

	/* Latch: the value is frozen until both bytes are read. */
	i8254_write(&p, 3, 0x00, 200);	/* latch channel 0 */
	CHECK(i8254_read(&p, 0, 300) == ((4772 - 100) & 0xff) &&
	      i8254_read(&p, 0, 900) == ((4772 - 100) >> 8),
	      "pit_latch_freezes_count_across_reads");
	CHECK(read16(&p, 0, 300) == 4772 - 200, "pit_reads_live_after_latch_read");

	/* One-shot clockevent: mode 0. */
	i8254_write(&p, 3, 0x30, 1000);
	CHECK(!i8254_next_irq0(&p, &when), "pit_new_mode_stops_interrupts");
	i8254_write(&p, 0, 0x10, 1000);
	i8254_write(&p, 0, 0x00, 1000);
	CHECK(i8254_next_irq0(&p, &when) && when == 1016, "pit_mode0_fires_after_count");
	CHECK(!i8254_out(&p, 0, 1015) && i8254_out(&p, 0, 1016),
	      "pit_mode0_out_rises_at_terminal_count");
	CHECK(i8254_irq0_due(&p, 2000) && !i8254_next_irq0(&p, &when),
	      "pit_mode0_fires_only_once");

	/* lobyte-only access mode. */
	i8254_write(&p, 3, 0x14, 0);	/* ch0, LSB only, mode 2 */
	i8254_write(&p, 0, 50, 0);
	CHECK(i8254_next_irq0(&p, &when) && when == 50, "pit_lsb_only_write_loads");
	CHECK(i8254_read(&p, 0, 10) == 40 && i8254_read(&p, 0, 20) == 30,
	      "pit_lsb_only_reads_one_byte_each");
	i8254_write(&p, 3, 0x24, 0);	/* ch0, MSB only */
	i8254_write(&p, 0, 0x01, 0);
	CHECK(i8254_next_irq0(&p, &when) && when == 256, "pit_msb_only_write_loads_count_times_256");
	i8254_write(&p, 3, 0x34, 0);
	i8254_write(&p, 0, 0, 0);
	i8254_write(&p, 0, 0, 0);
	CHECK(i8254_next_irq0(&p, &when) && when == 65536, "pit_count_zero_means_65536");

	/* Mode 3 square wave counts down by two. */
	i8254_write(&p, 3, 0x36, 0);
	i8254_write(&p, 0, 100, 0);
	i8254_write(&p, 0, 0, 0);
	CHECK(read16(&p, 0, 10) == 80, "pit_mode3_counts_by_two");
	CHECK(i8254_out(&p, 0, 49) && !i8254_out(&p, 0, 50),
	      "pit_mode3_output_high_first_half");

	/* Read-back: status of channel 0 and its count. */
	i8254_write(&p, 3, 0xc2, 60);	/* latch count and status, ch0 */
	CHECK(i8254_read(&p, 0, 70) == 0x36, "pit_readback_status_byte");
	CHECK(read16(&p, 0, 99) == 100 - (2 * 60) % 100,
	      "pit_readback_latched_count_after_status");

	/* Channel 2 and port 0x61: Linux's pit_calibrate_tsc(). */
	i8254_init(&p);
	i8254_port61_write(&p, 0x01, 0);	/* gate high, speaker off */
	i8254_write(&p, 3, 0xb0, 0);		/* ch2 mode 0, LSB/MSB */
	i8254_write(&p, 2, 0xe8, 5);
	i8254_write(&p, 2, 0x03, 5);		/* 1000 */
	CHECK(!(i8254_port61_read(&p, 500) & 0x20), "pit_ch2_out_low_while_counting");
	CHECK(i8254_port61_read(&p, 1005) & 0x20, "pit_ch2_out_high_at_terminal_count");
	CHECK(i8254_port61_read(&p, 1005) & 0x01, "port61_reports_gate");
	CHECK((i8254_port61_read(&p, 0) ^ i8254_port61_read(&p, 0)) & 0x10,
	      "port61_refresh_bit_toggles");
	CHECK(!i8254_next_irq0(&p, &when), "pit_ch2_does_not_raise_irq0");
	/* Mode 2 on channel 2 restarts on a rising gate. */
	i8254_port61_write(&p, 0x00, 0);
	i8254_write(&p, 3, 0xb4, 0);
	i8254_write(&p, 2, 100, 0);
	i8254_write(&p, 2, 0, 0);
	i8254_port61_write(&p, 0x01, 1000);
	CHECK(read16(&p, 2, 1010) == 90, "pit_ch2_rising_gate_restarts_mode2");
}
