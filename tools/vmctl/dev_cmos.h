/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The CMOS RTC and NVRAM of a PC (Motorola MC146818A) at ports 0x70
 * (index; bit 7 is the NMI mask) and 0x71 (data), as a plain state
 * machine.  The clock shows the host's UTC time plus whatever offset the
 * guest set by writing the time registers; the time is an argument
 * (@now, seconds since the epoch) so tests/unit_cmos.c can fix it.
 */
#ifndef VMCTL_DEV_CMOS_H
#define VMCTL_DEV_CMOS_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#define CMOS_BASE	0x70
#define CMOS_NR_PORTS	2

#define CMOS_SECONDS	0x00
#define CMOS_MINUTES	0x02
#define CMOS_HOURS	0x04
#define CMOS_WEEKDAY	0x06
#define CMOS_DAY	0x07
#define CMOS_MONTH	0x08
#define CMOS_YEAR	0x09
#define CMOS_REG_A	0x0a
#define CMOS_REG_B	0x0b
#define CMOS_REG_C	0x0c
#define CMOS_REG_D	0x0d
#define CMOS_CENTURY	0x32
#define CMOS_NR_REGS	128

#define CMOS_B_SET	0x80	/* updates inhibited while the guest sets */
#define CMOS_B_DM	0x04	/* 1: binary, 0: BCD */
#define CMOS_B_24H	0x02	/* 1: 24-hour, 0: 12-hour with bit 7 = PM */
#define CMOS_D_VRT	0x80	/* valid RAM and time (battery good) */

struct cmos {
	uint8_t index;
	bool nmi_masked;	/* port 0x70 bit 7 */
	uint8_t ram[CMOS_NR_REGS];	/* registers that are plain storage */
	int64_t offset;		/* guest time minus host time, seconds */
	struct tm set_tm;	/* the time being set while REG_B.SET is 1 */
};

void cmos_init(struct cmos *c);
/* @offset 0 is port 0x70, 1 is port 0x71. */
uint8_t cmos_read(struct cmos *c, unsigned int offset, int64_t now);
void cmos_write(struct cmos *c, unsigned int offset, uint8_t val,
		int64_t now);

#endif /* VMCTL_DEV_CMOS_H */
