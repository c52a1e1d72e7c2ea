// SPDX-License-Identifier: GPL-2.0
/*
 * MC146818A real-time clock (data sheet: address map, registers A-D, the
 * binary/BCD and 12/24-hour formats) plus the PC's century byte at 0x32.
 *
 * The time registers are computed on every read from @now + offset, so
 * the clock runs without a timer.  Setting the clock follows the data
 * sheet: while register B's SET bit is 1 the time registers are a frozen
 * copy that writes change field by field, and clearing SET starts the
 * clock from that copy (the offset moves).  A write with SET clear takes
 * effect at once.  Linux's mc146818_set_time and hwclock -w use SET.  UIP in register A always reads 0: an update never
 * appears to be in progress, so readers never wait.
 *
 * Not modelled: the periodic, alarm and update-ended interrupts on IRQ 8
 * (register C reads 0, no flag is ever raised).  Linux reads the clock at
 * boot without them; only /dev/rtc alarm users would notice.
 */
#include <string.h>
#include <time.h>

#include "dev_cmos.h"

void cmos_init(struct cmos *c)
{
	memset(c, 0, sizeof(*c));
	/* 32.768 kHz time base, 1024 Hz rate: the BIOS default. */
	c->ram[CMOS_REG_A] = 0x26;
	/* BCD, 24-hour: what PC firmware leaves. */
	c->ram[CMOS_REG_B] = CMOS_B_24H;
}

static bool binary(const struct cmos *c)
{
	return c->ram[CMOS_REG_B] & CMOS_B_DM;
}

static uint8_t to_reg(const struct cmos *c, unsigned int v)
{
	return binary(c) ? (uint8_t)v : (uint8_t)(((v / 10) << 4) | (v % 10));
}

static unsigned int from_reg(const struct cmos *c, uint8_t v)
{
	return binary(c) ? v : (unsigned int)((v >> 4) * 10 + (v & 0x0f));
}

static bool setting(const struct cmos *c)
{
	return c->ram[CMOS_REG_B] & CMOS_B_SET;
}

static void guest_tm(const struct cmos *c, int64_t now, struct tm *tm)
{
	time_t t = (time_t)(now + c->offset);

	if (setting(c)) {
		*tm = c->set_tm;
		return;
	}
	gmtime_r(&t, tm);
}

static uint8_t hours_reg(const struct cmos *c, int hour)
{
	unsigned int h12;

	if (c->ram[CMOS_REG_B] & CMOS_B_24H)
		return to_reg(c, (unsigned int)hour);
	h12 = hour % 12 ? (unsigned int)(hour % 12) : 12;
	return (uint8_t)(to_reg(c, h12) | (hour >= 12 ? 0x80 : 0));
}

static int hours_from_reg(const struct cmos *c, uint8_t v)
{
	int h;

	if (c->ram[CMOS_REG_B] & CMOS_B_24H)
		return (int)from_reg(c, v);
	h = (int)from_reg(c, v & 0x7f) % 12;
	return (v & 0x80) ? h + 12 : h;
}

static uint8_t read_reg(struct cmos *c, uint8_t reg, int64_t now)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	switch (reg) {
	case CMOS_SECONDS: case CMOS_MINUTES: case CMOS_HOURS:
	case CMOS_WEEKDAY: case CMOS_DAY: case CMOS_MONTH: case CMOS_YEAR:
	case CMOS_CENTURY:
		guest_tm(c, now, &tm);
		break;
	}
	switch (reg) {
	case CMOS_SECONDS:
		return to_reg(c, (unsigned int)tm.tm_sec);
	case CMOS_MINUTES:
		return to_reg(c, (unsigned int)tm.tm_min);
	case CMOS_HOURS:
		return hours_reg(c, tm.tm_hour);
	case CMOS_WEEKDAY:
		return to_reg(c, (unsigned int)tm.tm_wday + 1); /* Sunday = 1 */
	case CMOS_DAY:
		return to_reg(c, (unsigned int)tm.tm_mday);
	case CMOS_MONTH:
		return to_reg(c, (unsigned int)tm.tm_mon + 1);
	case CMOS_YEAR:
		return to_reg(c, (unsigned int)(tm.tm_year % 100));
	case CMOS_CENTURY:
		return to_reg(c, (unsigned int)((tm.tm_year + 1900) / 100));
	case CMOS_REG_A:
		return c->ram[CMOS_REG_A] & 0x7f;	/* UIP = 0 */
	case CMOS_REG_C:
		/* Interrupt flags: none raised; reading clears them. */
		return 0;
	case CMOS_REG_D:
		return CMOS_D_VRT;
	default:
		return c->ram[reg];
	}
}

/* Set one field of the guest's time: in the frozen copy while SET is 1,
 * else by moving the offset at once. */
static void write_time(struct cmos *c, uint8_t reg, uint8_t val, int64_t now)
{
	struct tm tm;
	unsigned int v = from_reg(c, val);

	guest_tm(c, now, &tm);
	switch (reg) {
	case CMOS_SECONDS:
		tm.tm_sec = (int)v;
		break;
	case CMOS_MINUTES:
		tm.tm_min = (int)v;
		break;
	case CMOS_HOURS:
		tm.tm_hour = hours_from_reg(c, val);
		break;
	case CMOS_DAY:
		tm.tm_mday = (int)v;
		break;
	case CMOS_MONTH:
		tm.tm_mon = (int)v - 1;
		break;
	case CMOS_YEAR:
		/* Keep the century; the year register holds two digits. */
		tm.tm_year = tm.tm_year - tm.tm_year % 100 + (int)v;
		break;
	case CMOS_CENTURY:
		tm.tm_year = (int)v * 100 + (tm.tm_year + 1900) % 100 - 1900;
		break;
	default:	/* the weekday follows from the date */
		return;
	}
	if (setting(c))
		c->set_tm = tm;
	else
		c->offset = (int64_t)timegm(&tm) - now;
}

static void write_reg_b(struct cmos *c, uint8_t val, int64_t now)
{
	struct tm tm;

	if ((val & CMOS_B_SET) && !setting(c)) {
		guest_tm(c, now, &c->set_tm);	/* freeze */
	} else if (!(val & CMOS_B_SET) && setting(c)) {
		tm = c->set_tm;			/* run from the set time */
		c->offset = (int64_t)timegm(&tm) - now;
	}
	c->ram[CMOS_REG_B] = val;
}

uint8_t cmos_read(struct cmos *c, unsigned int offset, int64_t now)
{
	if (offset == 0)
		/* The index register is write-only on a PC; the ISA bus
		 * floats. */
		return 0xff;
	return read_reg(c, c->index, now);
}

void cmos_write(struct cmos *c, unsigned int offset, uint8_t val, int64_t now)
{
	uint8_t reg = c->index;

	if (offset == 0) {
		c->index = val & 0x7f;
		c->nmi_masked = val & 0x80;
		return;
	}
	switch (reg) {
	case CMOS_SECONDS: case CMOS_MINUTES: case CMOS_HOURS:
	case CMOS_WEEKDAY: case CMOS_DAY: case CMOS_MONTH: case CMOS_YEAR:
	case CMOS_CENTURY:
		write_time(c, reg, val, now);
		break;
	case CMOS_REG_A:
		c->ram[reg] = val & 0x7f;	/* UIP is read-only */
		break;
	case CMOS_REG_B:
		write_reg_b(c, val, now);
		break;
	case CMOS_REG_C:
	case CMOS_REG_D:
		break;				/* read-only */
	default:
		c->ram[reg] = val;
		break;
	}
}
