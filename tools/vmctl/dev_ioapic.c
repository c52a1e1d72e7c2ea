// SPDX-License-Identifier: GPL-2.0
/*
 * I/O APIC model (Intel 82093AA datasheet, section 3): see dev_ioapic.h
 * for what is and is not modelled.  Delivery is synchronous, so the
 * Delivery Status bit (3.2.4 bit 12) always reads 0.
 */
#include <string.h>

#include "dev_ioapic.h"

void ioapic_init(struct ioapic *io, uint8_t id, ioapic_msi_fn msi,
		 void *opaque)
{
	unsigned int i;

	memset(io, 0, sizeof(*io));
	io->id = id;
	io->msi = msi;
	io->opaque = opaque;
	for (i = 0; i < IOAPIC_NR_PINS; i++)
		io->rte[i] = IOAPIC_RTE_MASKED;
}

bool ioapic_pin_masked(const struct ioapic *io, unsigned int pin)
{
	return pin >= IOAPIC_NR_PINS || (io->rte[pin] & IOAPIC_RTE_MASKED);
}

static void deliver(struct ioapic *io, unsigned int pin)
{
	uint64_t e = io->rte[pin];
	unsigned int mode = (unsigned int)(e >> IOAPIC_RTE_DELMODE_SHIFT) & 7;
	uint64_t addr;
	uint32_t data;

	switch (mode) {
	case IOAPIC_DM_FIXED:
	case IOAPIC_DM_LOWEST:
	case IOAPIC_DM_SMI:
	case IOAPIC_DM_NMI:
	case IOAPIC_DM_INIT:
		break;
	default:	/* ExtINT, reserved 3 and 6: not sent */
		return;
	}
	addr = MSI_ADDR_BASE | ((e >> IOAPIC_RTE_DEST_SHIFT) & 0xff) << 12 |
	       (e & IOAPIC_RTE_DESTMODE ? 1u << 2 : 0);
	data = (uint32_t)(e & IOAPIC_RTE_VECTOR) | mode << 8 |
	       MSI_DATA_LEVEL_ASSERT;
	if (e & IOAPIC_RTE_LEVEL) {
		data |= MSI_DATA_TRIGGER_LEVEL;
		/* Remote IRR waits for the EOI only where one comes: the
		 * vectored modes. */
		if (mode == IOAPIC_DM_FIXED || mode == IOAPIC_DM_LOWEST)
			io->rte[pin] |= IOAPIC_RTE_REMOTE_IRR;
	}
	io->sent++;
	if (io->msi)
		io->msi(io->opaque, addr, data);
}

/* A level-triggered pin that is high, unmasked and not in service. */
static void service_level(struct ioapic *io, unsigned int pin)
{
	uint64_t e = io->rte[pin];

	if ((e & IOAPIC_RTE_LEVEL) && !(e & IOAPIC_RTE_MASKED) &&
	    !(e & IOAPIC_RTE_REMOTE_IRR) && (io->input & (1u << pin)))
		deliver(io, pin);
}

void ioapic_set_irq(struct ioapic *io, unsigned int pin, bool level)
{
	uint32_t bit = 1u << pin;
	bool was;

	if (pin >= IOAPIC_NR_PINS)
		return;
	was = io->input & bit;
	if (level)
		io->input |= bit;
	else
		io->input &= ~bit;
	if (io->rte[pin] & IOAPIC_RTE_LEVEL)
		service_level(io, pin);
	else if (level && !was && !(io->rte[pin] & IOAPIC_RTE_MASKED))
		deliver(io, pin);
}

void ioapic_eoi(struct ioapic *io, uint8_t vector)
{
	unsigned int pin;

	for (pin = 0; pin < IOAPIC_NR_PINS; pin++) {
		uint64_t e = io->rte[pin];

		if (!(e & IOAPIC_RTE_REMOTE_IRR) ||
		    (e & IOAPIC_RTE_VECTOR) != vector)
			continue;
		io->rte[pin] &= ~IOAPIC_RTE_REMOTE_IRR;
		service_level(io, pin);
	}
}

static uint32_t read_reg(const struct ioapic *io, uint8_t reg)
{
	unsigned int pin;

	switch (reg) {
	case IOAPIC_REG_ID:
		return (uint32_t)io->id << 24;
	case IOAPIC_REG_VER:
		/* Maximum redirection entry (23) in bits 23:16. */
		return (uint32_t)(IOAPIC_NR_PINS - 1) << 16 | IOAPIC_VERSION;
	case IOAPIC_REG_ARB:
		/* The arbitration ID is loaded from the ID (3.2.3). */
		return (uint32_t)(io->id & 0xf) << 24;
	}
	if (reg < IOAPIC_REG_REDTBL || reg >= IOAPIC_REG_REDTBL + 2 * IOAPIC_NR_PINS)
		return 0;
	pin = (reg - IOAPIC_REG_REDTBL) / 2;
	return (uint32_t)(reg & 1 ? io->rte[pin] >> 32 : io->rte[pin]);
}

static void write_reg(struct ioapic *io, uint8_t reg, uint32_t val)
{
	unsigned int pin;
	uint64_t e, old;

	if (reg == IOAPIC_REG_ID) {
		io->id = (uint8_t)(val >> 24);
		return;
	}
	if (reg < IOAPIC_REG_REDTBL || reg >= IOAPIC_REG_REDTBL + 2 * IOAPIC_NR_PINS)
		return;		/* version, arbitration: read-only */
	pin = (reg - IOAPIC_REG_REDTBL) / 2;
	old = io->rte[pin];
	if (reg & 1)
		e = (old & 0xffffffffull) | (uint64_t)val << 32;
	else
		e = (old & ~0xffffffffull) | val;
	e = (e & IOAPIC_RTE_WRITABLE) | (old & IOAPIC_RTE_REMOTE_IRR);
	/* An edge-triggered entry has nothing in service. */
	if (!(e & IOAPIC_RTE_LEVEL))
		e &= ~IOAPIC_RTE_REMOTE_IRR;
	io->rte[pin] = e;
	/* Unmasking (or switching to level) with the input high. */
	service_level(io, pin);
}

uint32_t ioapic_read32(struct ioapic *io, uint64_t offset)
{
	switch (offset) {
	case IOAPIC_REGSEL:
		return io->regsel;
	case IOAPIC_WINDOW:
		return read_reg(io, io->regsel);
	}
	return 0;
}

void ioapic_write32(struct ioapic *io, uint64_t offset, uint32_t val)
{
	switch (offset) {
	case IOAPIC_REGSEL:
		io->regsel = (uint8_t)val;	/* bits 31:8 reserved */
		break;
	case IOAPIC_WINDOW:
		write_reg(io, io->regsel, val);
		break;
	}
}

void ioapic_mmio(struct ioapic *io, uint64_t offset, bool is_write,
		 uint8_t *data, unsigned int len)
{
	unsigned int i = 0;

	while (i < len) {
		uint64_t at = offset + i, dw = at & ~3ull;
		unsigned int shift = (unsigned int)(at & 3) * 8;
		unsigned int n = 4 - (unsigned int)(at & 3), k;
		uint32_t v;

		if (n > len - i)
			n = len - i;
		if (!is_write) {
			v = ioapic_read32(io, dw) >> shift;
			for (k = 0; k < n; k++)
				data[i + k] = (uint8_t)(v >> 8 * k);
		} else {
			uint32_t mask = 0, bits = 0;

			for (k = 0; k < n; k++) {
				mask |= 0xffu << (shift + 8 * k);
				bits |= (uint32_t)data[i + k] << (shift + 8 * k);
			}
			v = n == 4 ? bits : (ioapic_read32(io, dw) & ~mask) | bits;
			ioapic_write32(io, dw, v);
		}
		i += n;
	}
}
