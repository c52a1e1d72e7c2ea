/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The Intel 8254 programmable interval timer at ports 0x40-0x43 and the
 * PC's port 0x61 (channel 2 gate, speaker data, channel 2 output), as a
 * plain state machine.  Time is an argument: every call takes @now, a
 * count of PIT input clock ticks (1193182 Hz) from any fixed origin, so
 * tests/unit_i8254.c can step time exactly.  The run loop derives @now
 * from CLOCK_MONOTONIC.
 *
 * Channel 0 drives IRQ 0: i8254_irq0_due() says whether its output made
 * an interrupt since the last call, i8254_next_irq0() when it will next.
 */
#ifndef VMCTL_DEV_I8254_H
#define VMCTL_DEV_I8254_H

#include <stdbool.h>
#include <stdint.h>

#define I8254_BASE	0x40
#define I8254_NR_PORTS	4
#define I8254_PORT61	0x61
#define I8254_HZ	1193182ull

struct i8254_channel {
	uint32_t count;		/* reload value, 1..0x10000 */
	uint64_t load_time;	/* @now when counting started */
	uint64_t next_irq;	/* channel 0: tick of the next interrupt */
	uint16_t latched_count;
	uint8_t mode;		/* 0..5 */
	uint8_t rw_mode;	/* 1 LSB, 2 MSB, 3 LSB then MSB */
	uint8_t read_state;	/* which byte the next read returns */
	uint8_t write_state;	/* which byte the next write sets */
	uint8_t write_lsb;	/* first byte of a 16-bit write */
	uint8_t count_latched;	/* latch command pending: read state */
	uint8_t status;
	bool status_latched;
	bool bcd;		/* reported in the status byte only */
	bool counting;		/* a count was written after the mode */
	bool gate;
};

struct i8254 {
	struct i8254_channel ch[3];
	bool speaker_data;	/* port 0x61 bit 1 */
	bool refresh;		/* port 0x61 bit 4, toggles on every read */
};

void i8254_init(struct i8254 *pit);
/* @offset 0..2 counters, 3 the control word (write only). */
uint8_t i8254_read(struct i8254 *pit, unsigned int offset, uint64_t now);
void i8254_write(struct i8254 *pit, unsigned int offset, uint8_t val,
		 uint64_t now);
uint8_t i8254_port61_read(struct i8254 *pit, uint64_t now);
void i8254_port61_write(struct i8254 *pit, uint8_t val, uint64_t now);

/* True if channel 0 raised IRQ 0 at or before @now since the last call.
 * Periods missed while vmctl was not looking collapse into one interrupt:
 * a guest with a TSC clocksource loses nothing, and a flood of catch-up
 * ticks would only slow it down further. */
bool i8254_irq0_due(struct i8254 *pit, uint64_t now);
/* The tick at which channel 0 will next raise IRQ 0; false if never. */
bool i8254_next_irq0(const struct i8254 *pit, uint64_t *when);
/* Channel @c's output pin at @now. */
bool i8254_out(const struct i8254 *pit, unsigned int c, uint64_t now);

#endif /* VMCTL_DEV_I8254_H */
