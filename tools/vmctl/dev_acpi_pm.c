// SPDX-License-Identifier: GPL-2.0
/*
 * ACPI PM1 event/control registers and the PM timer (ACPI 6.5, 4.8.3).
 * Accesses of any width are taken apart into bytes of the register file,
 * so a byte write of PM1a_CNT's high half (SLP_TYP and SLP_EN) powers off
 * just as a word write does; a dword read of the timer samples the clock
 * once.
 */
#include "dev_acpi_pm.h"

#define NS_PER_S	1000000000ull

void acpi_pm_init(struct acpi_pm *pm, acpi_pm_clock_fn clock, void *opaque)
{
	pm->sts = 0;
	pm->en = 0;
	pm->cnt = PM1_CNT_SCI_EN;
	pm->clock = clock;
	pm->clock_opaque = opaque;
}

uint32_t acpi_pm_timer_at(uint64_t ns)
{
	return (uint32_t)(ns / NS_PER_S * ACPI_PM_TMR_HZ +
			  ns % NS_PER_S * ACPI_PM_TMR_HZ / NS_PER_S);
}

uint32_t acpi_pm_read(struct acpi_pm *pm, unsigned int offset,
		      unsigned int size)
{
	uint32_t tmr = 0, v = 0;
	unsigned int i;

	if (offset < ACPI_PM_TMR + 4 && offset + size > ACPI_PM_TMR)
		tmr = acpi_pm_timer_at(pm->clock ? pm->clock(pm->clock_opaque)
						 : 0);
	for (i = 0; i < size; i++) {
		unsigned int o = offset + i;
		uint32_t b = 0;

		if (o < ACPI_PM1_EN)
			b = pm->sts >> (8 * (o - ACPI_PM1_STS));
		else if (o < ACPI_PM1_CNT)
			b = pm->en >> (8 * (o - ACPI_PM1_EN));
		else if (o < ACPI_PM1_CNT + 2)
			b = pm->cnt >> (8 * (o - ACPI_PM1_CNT));
		else if (o >= ACPI_PM_TMR && o < ACPI_PM_TMR + 4)
			b = tmr >> (8 * (o - ACPI_PM_TMR));
		v |= (b & 0xff) << (8 * i);
	}
	return v;
}

bool acpi_pm_write(struct acpi_pm *pm, unsigned int offset, unsigned int size,
		   uint32_t val)
{
	bool off = false;
	unsigned int i;

	for (i = 0; i < size; i++) {
		unsigned int o = offset + i, sh;
		uint16_t b = (uint16_t)((val >> (8 * i)) & 0xff);

		if (o < ACPI_PM1_EN) {
			/* Status bits are cleared by writing 1. */
			pm->sts &= (uint16_t)~(b << (8 * (o - ACPI_PM1_STS)));
		} else if (o < ACPI_PM1_CNT) {
			sh = 8 * (o - ACPI_PM1_EN);
			pm->en = (uint16_t)((pm->en & ~(0xff << sh)) | b << sh) &
				 PM1_EN_MASK;
		} else if (o < ACPI_PM1_CNT + 2) {
			uint16_t c;

			sh = 8 * (o - ACPI_PM1_CNT);
			c = (uint16_t)((pm->cnt & ~(0xff << sh)) | b << sh);
			if ((c & PM1_CNT_SLP_EN) &&
			    (c & PM1_CNT_SLP_TYP) >> PM1_CNT_SLP_TYP_SHIFT ==
			    ACPI_SLP_TYP_S5)
				off = true;
			/* SLP_EN and GBL_RLS read 0; SCI_EN stays 1. */
			pm->cnt = (uint16_t)((c & (PM1_CNT_BM_RLD |
						   PM1_CNT_SLP_TYP)) |
					     PM1_CNT_SCI_EN);
		}
		/* The timer is read-only; the rest of the block is empty. */
	}
	return off;
}

bool acpi_pm_sci(const struct acpi_pm *pm)
{
	return (pm->sts & pm->en) != 0;
}
