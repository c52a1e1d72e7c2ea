// SPDX-License-Identifier: GPL-2.0
/*
 * Intel 8254 PIT (82C54 data sheet: control word, modes 0-5, counter
 * latch and read-back commands, read/write sequences) and PC port 0x61.
 *
 * Counters are not stepped: the count and the output are computed from
 * the time elapsed since the count was loaded, which is exact for every
 * mode and costs nothing while nobody looks.  Linux uses channel 0 in
 * mode 2 (periodic tick) or mode 0 (one-shot clockevent), and channel 2
 * in mode 0 with the gate and output on port 0x61 to calibrate the TSC.
 *
 * Not modelled: BCD counting (the BCD bit is kept and reported in the
 * status byte, counts are binary), the gate pausing modes 0 and 4, and
 * the null-count status bit (always 0): no PC operating system relies on
 * them, and QEMU leaves them out for the same reason.
 */
#include <string.h>

#include "dev_i8254.h"

#define RW_LSB		1
#define RW_MSB		2
#define RW_WORD		3	/* LSB then MSB */
#define RW_WORD_MSB	4	/* second half of a RW_WORD access */

void i8254_init(struct i8254 *pit)
{
	unsigned int i;

	memset(pit, 0, sizeof(*pit));
	for (i = 0; i < 3; i++) {
		pit->ch[i].count = 0x10000;
		pit->ch[i].rw_mode = RW_WORD;
		pit->ch[i].read_state = RW_WORD;
		pit->ch[i].write_state = RW_WORD;
		pit->ch[i].next_irq = UINT64_MAX;
	}
	/* Channels 0 and 1 have their gates tied high on a PC. */
	pit->ch[0].gate = true;
	pit->ch[1].gate = true;
}

static uint64_t elapsed(const struct i8254_channel *c, uint64_t now)
{
	return now > c->load_time ? now - c->load_time : 0;
}

static uint16_t current_count(const struct i8254_channel *c, uint64_t now)
{
	uint64_t d = elapsed(c, now);

	if (!c->counting)
		return (uint16_t)c->count;
	switch (c->mode) {
	case 2:
		return (uint16_t)(c->count - d % c->count);
	case 3:
		/* Mode 3 counts down by two, twice per period. */
		return (uint16_t)(c->count - (2 * d) % c->count);
	default:	/* 0, 1, 4, 5: count down once, then wrap */
		return (uint16_t)(c->count - d);
	}
}

static bool channel_out(const struct i8254_channel *c, uint64_t now)
{
	uint64_t d = elapsed(c, now);

	if (!c->counting)
		/* After the control word: low in mode 0, high otherwise. */
		return c->mode != 0;
	switch (c->mode) {
	case 0:
		return d >= c->count;
	case 1:
		return d >= c->count;
	case 2:
		/* Low for the one clock at which the count reaches 1. */
		return d % c->count != c->count - 1;
	case 3:
		return d % c->count < (c->count + 1) / 2;
	default:	/* 4, 5: a one-clock low strobe at terminal count */
		return d != c->count;
	}
}

bool i8254_out(const struct i8254 *pit, unsigned int c, uint64_t now)
{
	return channel_out(&pit->ch[c % 3], now);
}

/* Channel 0's interrupts: the rising edges of OUT. */
static void arm_irq0(struct i8254_channel *c)
{
	switch (c->mode) {
	case 0:		/* OUT rises at terminal count, once */
	case 2:		/* OUT rises after its one-clock low pulse */
	case 3:		/* OUT rises at the start of each period */
		c->next_irq = c->load_time + c->count;
		break;
	case 4:		/* the strobe ends one clock after terminal count */
		c->next_irq = c->load_time + c->count + 1;
		break;
	default:	/* 1, 5 wait for a gate edge; gate 0 is tied high */
		c->next_irq = UINT64_MAX;
		break;
	}
}

static void load_count(struct i8254 *pit, unsigned int i, uint32_t val,
		       uint64_t now)
{
	struct i8254_channel *c = &pit->ch[i];

	c->count = val ? val : 0x10000;	/* 0 stands for 2^16 */
	c->load_time = now;
	c->counting = true;
	if (i == 0)
		arm_irq0(c);
}

static void latch_count(struct i8254_channel *c, uint64_t now)
{
	/* A second latch before the first is read is ignored. */
	if (c->count_latched)
		return;
	c->latched_count = current_count(c, now);
	c->count_latched = c->rw_mode;
}

static void control_word(struct i8254 *pit, uint8_t val, uint64_t now)
{
	unsigned int sel = val >> 6, i, access = (val >> 4) & 3;
	struct i8254_channel *c;

	if (sel == 3) {
		/* Read-back: bit 5 clear latches counts, bit 4 clear
		 * latches status, bits 3:1 select the channels. */
		for (i = 0; i < 3; i++) {
			c = &pit->ch[i];
			if (!(val & (2u << i)))
				continue;
			if (!(val & 0x20))
				latch_count(c, now);
			if (!(val & 0x10) && !c->status_latched) {
				c->status = (uint8_t)(
					(channel_out(c, now) ? 0x80 : 0) |
					(c->rw_mode << 4) | (c->mode << 1) |
					(c->bcd ? 1 : 0));
				c->status_latched = true;
			}
		}
		return;
	}
	c = &pit->ch[sel];
	if (access == 0) {
		latch_count(c, now);
		return;
	}
	c->rw_mode = (uint8_t)access;
	c->read_state = (uint8_t)access;
	c->write_state = (uint8_t)access;
	c->mode = (val >> 1) & 7;
	if (c->mode > 5)
		c->mode -= 4;	/* 6 and 7 are aliases of 2 and 3 */
	c->bcd = val & 1;
	/* A new mode stops the counter until its count is written. */
	c->counting = false;
	c->count_latched = 0;
	if (sel == 0)
		c->next_irq = UINT64_MAX;
}

void i8254_write(struct i8254 *pit, unsigned int offset, uint8_t val,
		 uint64_t now)
{
	struct i8254_channel *c;

	if (offset >= 3) {
		control_word(pit, val, now);
		return;
	}
	c = &pit->ch[offset];
	switch (c->write_state) {
	case RW_LSB:
		load_count(pit, offset, val, now);
		break;
	case RW_MSB:
		load_count(pit, offset, (uint32_t)val << 8, now);
		break;
	case RW_WORD:
		c->write_lsb = val;
		c->write_state = RW_WORD_MSB;
		break;
	case RW_WORD_MSB:
		load_count(pit, offset, c->write_lsb | (uint32_t)val << 8, now);
		c->write_state = RW_WORD;
		break;
	}
}

uint8_t i8254_read(struct i8254 *pit, unsigned int offset, uint64_t now)
{
	struct i8254_channel *c;
	uint16_t count;
	uint8_t ret;

	if (offset >= 3)
		return 0xff;	/* the control register is write-only */
	c = &pit->ch[offset];
	if (c->status_latched) {
		c->status_latched = false;
		return c->status;
	}
	if (c->count_latched) {
		switch (c->count_latched) {
		case RW_MSB:
			ret = (uint8_t)(c->latched_count >> 8);
			c->count_latched = 0;
			break;
		case RW_WORD:
			ret = (uint8_t)c->latched_count;
			c->count_latched = RW_MSB;
			break;
		default:	/* RW_LSB */
			ret = (uint8_t)c->latched_count;
			c->count_latched = 0;
			break;
		}
		return ret;
	}
	count = current_count(c, now);
	switch (c->read_state) {
	case RW_MSB:
		return (uint8_t)(count >> 8);
	case RW_WORD:
		c->read_state = RW_WORD_MSB;
		return (uint8_t)count;
	case RW_WORD_MSB:
		c->read_state = RW_WORD;
		return (uint8_t)(count >> 8);
	default:	/* RW_LSB */
		return (uint8_t)count;
	}
}

uint8_t i8254_port61_read(struct i8254 *pit, uint64_t now)
{
	/* Bit 4 is the DRAM refresh toggle; flipping it on every read
	 * lets loops that wait for it make progress. */
	pit->refresh = !pit->refresh;
	return (uint8_t)((pit->ch[2].gate ? 0x01 : 0) |
			 (pit->speaker_data ? 0x02 : 0) |
			 (pit->refresh ? 0x10 : 0) |
			 (channel_out(&pit->ch[2], now) ? 0x20 : 0));
}

void i8254_port61_write(struct i8254 *pit, uint8_t val, uint64_t now)
{
	struct i8254_channel *c = &pit->ch[2];
	bool gate = val & 0x01;

	/* A rising gate (re)starts modes 1, 2, 3 and 5. */
	if (gate && !c->gate && c->counting &&
	    (c->mode == 1 || c->mode == 2 || c->mode == 3 || c->mode == 5))
		c->load_time = now;
	c->gate = gate;
	pit->speaker_data = val & 0x02;
}

bool i8254_irq0_due(struct i8254 *pit, uint64_t now)
{
	struct i8254_channel *c = &pit->ch[0];
	uint64_t missed;

	if (c->next_irq > now)
		return false;
	if (c->mode == 2 || c->mode == 3) {
		missed = (now - c->next_irq) / c->count;
		c->next_irq += (missed + 1) * c->count;
	} else {
		c->next_irq = UINT64_MAX;
	}
	return true;
}

bool i8254_next_irq0(const struct i8254 *pit, uint64_t *when)
{
	if (pit->ch[0].next_irq == UINT64_MAX)
		return false;
	*when = pit->ch[0].next_irq;
	return true;
}
