/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The I/O APIC of vmctl's SMP PC, after the Intel 82093AA datasheet
 * (section 3, "Register Description"): 24 input pins, memory-mapped
 * IOREGSEL (offset 0x00) and IOWIN (0x10) at 0xfec00000, the ID (0x00),
 * version (0x01, reads 0x00170011: version 0x11, 24 entries) and
 * arbitration (0x02) registers and one 64-bit redirection entry per pin
 * (0x10 + 2 * pin, low dword first).
 *
 * An interrupt leaves it as a message-signalled interrupt, the format the
 * Intel MP spec's APIC bus carries and AMD APM vol. 2 16.5 describes:
 * address 0xfee00000 | destination << 12 | destination mode << 2, data
 * vector | delivery mode << 8 | assert << 14 | trigger mode << 15.  vmctl
 * hands it to the in-kernel local APICs through SVMHV_SIGNAL_MSI (KVM's
 * "split irqchip"); here it goes to a callback, so tests can catch it.
 *
 * Edge-triggered pins deliver on a rising edge of the input while
 * unmasked (a masked edge is lost, 82093AA 3.2.4 bit 16).  Level-
 * triggered pins deliver while the input is high, unmasked and Remote
 * IRR clear, and set Remote IRR; the guest's EOI of that vector
 * (ioapic_eoi(), from SVMHV_EXIT_IOAPIC_EOI) clears it and delivers
 * again if the input is still high.  Inputs are logical levels: the
 * polarity bit is stored, not applied (as in KVM and QEMU), because the
 * board's lines are "asserted" or not.  ExtINT and the reserved delivery
 * modes are not sent: the 8259's output reaches vCPU 0 through
 * SVMHV_INJECT_EVENT instead (the virtual-wire LINT0 path).
 */
#ifndef VMCTL_DEV_IOAPIC_H
#define VMCTL_DEV_IOAPIC_H

#include <stdbool.h>
#include <stdint.h>

#define IOAPIC_BASE		0xfec00000ull
#define IOAPIC_MMIO_SIZE	0x1000ull
#define IOAPIC_NR_PINS		24
#define IOAPIC_VERSION		0x11

/* Memory-mapped registers (82093AA 3.1). */
#define IOAPIC_REGSEL		0x00
#define IOAPIC_WINDOW		0x10

/* Indirect registers (82093AA 3.2). */
#define IOAPIC_REG_ID		0x00
#define IOAPIC_REG_VER		0x01
#define IOAPIC_REG_ARB		0x02
#define IOAPIC_REG_REDTBL	0x10

/* Redirection entry bits (82093AA 3.2.4). */
#define IOAPIC_RTE_VECTOR	0xffull
#define IOAPIC_RTE_DELMODE_SHIFT 8
#define IOAPIC_RTE_DESTMODE	(1ull << 11)	/* 1: logical */
#define IOAPIC_RTE_DELIVS	(1ull << 12)	/* RO: send pending */
#define IOAPIC_RTE_POLARITY	(1ull << 13)	/* 1: active low */
#define IOAPIC_RTE_REMOTE_IRR	(1ull << 14)	/* RO */
#define IOAPIC_RTE_LEVEL	(1ull << 15)	/* trigger mode: 1 level */
#define IOAPIC_RTE_MASKED	(1ull << 16)
#define IOAPIC_RTE_DEST_SHIFT	56
/* What the guest can write: vector, delivery/destination mode,
 * polarity, trigger mode, mask, destination. */
#define IOAPIC_RTE_WRITABLE	(0xff000000000000ffull | 0x700ull | \
				 IOAPIC_RTE_DESTMODE | IOAPIC_RTE_POLARITY | \
				 IOAPIC_RTE_LEVEL | IOAPIC_RTE_MASKED)

#define IOAPIC_DM_FIXED		0
#define IOAPIC_DM_LOWEST	1
#define IOAPIC_DM_SMI		2
#define IOAPIC_DM_NMI		4
#define IOAPIC_DM_INIT		5
#define IOAPIC_DM_EXTINT	7

#define MSI_ADDR_BASE		0xfee00000ull
#define MSI_DATA_LEVEL_ASSERT	(1u << 14)
#define MSI_DATA_TRIGGER_LEVEL	(1u << 15)

typedef void (*ioapic_msi_fn)(void *opaque, uint64_t address, uint32_t data);

struct ioapic {
	uint8_t regsel;
	uint8_t id;
	uint32_t input;			/* pin levels, bit per pin */
	uint64_t rte[IOAPIC_NR_PINS];
	ioapic_msi_fn msi;
	void *opaque;
	uint64_t sent;			/* MSIs sent, for the stop report */
};

/* Reset: every entry masked, ID @id. */
void ioapic_init(struct ioapic *io, uint8_t id, ioapic_msi_fn msi,
		 void *opaque);
/* A guest access of @len (1, 2, 4 or 8) bytes at @offset in the MMIO
 * window; narrower or unaligned ones act on the dwords they touch. */
void ioapic_mmio(struct ioapic *io, uint64_t offset, bool is_write,
		 uint8_t *data, unsigned int len);
/* The 32-bit registers themselves (IOREGSEL at 0x00, IOWIN at 0x10). */
uint32_t ioapic_read32(struct ioapic *io, uint64_t offset);
void ioapic_write32(struct ioapic *io, uint64_t offset, uint32_t val);
/* Drive input @pin to @level. */
void ioapic_set_irq(struct ioapic *io, unsigned int pin, bool level);
/* The local APICs EOIed level-triggered @vector. */
void ioapic_eoi(struct ioapic *io, uint8_t vector);
bool ioapic_pin_masked(const struct ioapic *io, unsigned int pin);

#endif /* VMCTL_DEV_IOAPIC_H */
