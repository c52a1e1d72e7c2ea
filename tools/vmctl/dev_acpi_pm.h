/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The ACPI fixed hardware of vmctl's SMP PC (ACPI 6.5, 4.8 "ACPI Hardware
 * Model", fixed hardware registers 4.8.3): in one I/O block at 0x600,
 *   0x600  PM1a_STS (4.8.3.1.1)  0x602 PM1a_EN (4.8.3.1.2)   PM1a_EVT_BLK
 *   0x604  PM1a_CNT (4.8.3.2.1)                               PM1a_CNT_BLK
 *   0x608  PM_TMR   (4.8.3.3), 32 bits at 3.579545 MHz        PM_TMR_BLK
 * the rest of 0x600-0x60f reads 0.  SCI_EN reads 1 (no SMI_CMD: always
 * in ACPI mode); writing SLP_EN with SLP_TYP = ACPI_SLP_TYP_S5 (the value
 * the DSDT's \_S5 package names) is the power-off (4.8.3.2.1, 16.1.7).
 * No event source sets a status bit, so the SCI stays low; it is wired
 * to ISA IRQ 9 all the same, as the FADT and MADT say.
 *
 * The timer reads a clock through a callback, so the unit tests can
 * drive it.
 */
#ifndef VMCTL_DEV_ACPI_PM_H
#define VMCTL_DEV_ACPI_PM_H

#include <stdbool.h>
#include <stdint.h>

#define ACPI_PM_BASE		0x600
#define ACPI_PM_NR_PORTS	0x10
#define ACPI_PM1_STS		0x0
#define ACPI_PM1_EN		0x2
#define ACPI_PM1_CNT		0x4
#define ACPI_PM_TMR		0x8
#define ACPI_PM_TMR_HZ		3579545ull

#define PM1_STS_TMR		(1u << 0)
#define PM1_STS_PWRBTN		(1u << 8)
#define PM1_STS_WAK		(1u << 15)
#define PM1_EN_MASK		0x4721u	/* TMR GBL PWRBTN SLPBTN RTC PCIEXP_WAKE_DIS */
#define PM1_CNT_SCI_EN		(1u << 0)
#define PM1_CNT_BM_RLD		(1u << 1)
#define PM1_CNT_GBL_RLS		(1u << 2)	/* write-only */
#define PM1_CNT_SLP_TYP_SHIFT	10
#define PM1_CNT_SLP_TYP		(7u << PM1_CNT_SLP_TYP_SHIFT)
#define PM1_CNT_SLP_EN		(1u << 13)	/* write-only */

#define ACPI_SLP_TYP_S5		5

typedef uint64_t (*acpi_pm_clock_fn)(void *opaque);	/* nanoseconds */

struct acpi_pm {
	uint16_t sts, en, cnt;
	acpi_pm_clock_fn clock;
	void *clock_opaque;
};

void acpi_pm_init(struct acpi_pm *pm, acpi_pm_clock_fn clock, void *opaque);
/* @offset 0..15 from ACPI_PM_BASE, @size 1, 2 or 4. */
uint32_t acpi_pm_read(struct acpi_pm *pm, unsigned int offset,
		      unsigned int size);
/* Returns true when the write puts the machine into S5 (soft off). */
bool acpi_pm_write(struct acpi_pm *pm, unsigned int offset, unsigned int size,
		   uint32_t val);
/* The SCI line: an enabled status bit is set. */
bool acpi_pm_sci(const struct acpi_pm *pm);
/* The PM timer's count at @ns nanoseconds (wraps at 2^32). */
uint32_t acpi_pm_timer_at(uint64_t ns);

#endif /* VMCTL_DEV_ACPI_PM_H */
