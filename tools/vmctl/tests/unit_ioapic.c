// SPDX-License-Identifier: GPL-2.0
/*
 * The I/O APIC (dev_ioapic.c) through IOREGSEL/IOWIN as a guest drives
 * it, with a mock MSI sink: ID/version/arbitration registers and their
 * read-only bits, redirection entries (reset masked, read-only Delivery
 * Status and Remote IRR, reserved bits), edge delivery and its MSI
 * address/data, masked pins, level-triggered Remote IRR and re-delivery
 * after EOI, and byte-wide MMIO accesses.
 */
#include <string.h>

#include "../dev_ioapic.h"
#include "unit.h"

static struct { uint64_t addr; uint32_t data; } sent[16];
static unsigned int nsent;

static void sink(void *opaque, uint64_t addr, uint32_t data)
{
	(void)opaque;
	if (nsent < 16) {
		sent[nsent].addr = addr;
		sent[nsent].data = data;
	}
	nsent++;
}

static uint32_t rd(struct ioapic *io, uint8_t reg)
{
	ioapic_write32(io, IOAPIC_REGSEL, reg);
	return ioapic_read32(io, IOAPIC_WINDOW);
}

static void wr(struct ioapic *io, uint8_t reg, uint32_t v)
{
	ioapic_write32(io, IOAPIC_REGSEL, reg);
	ioapic_write32(io, IOAPIC_WINDOW, v);
}

static void rte(struct ioapic *io, unsigned int pin, uint64_t e)
{
	wr(io, (uint8_t)(0x10 + 2 * pin + 1), (uint32_t)(e >> 32));
	wr(io, (uint8_t)(0x10 + 2 * pin), (uint32_t)e);
}

void unit_ioapic(void)
{
	static struct ioapic io;
	uint8_t b[8];
	unsigned int pin;
	bool all_masked = true;

	ioapic_init(&io, 4, sink, NULL);
	CHECK(rd(&io, IOAPIC_REG_VER) == 0x00170011,
	      "ioapic_version_0x11_with_24_entries");
	CHECK(rd(&io, IOAPIC_REG_ID) == 4u << 24, "ioapic_id_in_bits_31_24");
	wr(&io, IOAPIC_REG_ID, 0x0affffffu);
	CHECK(rd(&io, IOAPIC_REG_ID) == 0x0a000000u, "ioapic_id_low_bits_read_only");
	CHECK(rd(&io, IOAPIC_REG_ARB) == 0x0a000000u,
	      "ioapic_arbitration_id_follows_id");
	wr(&io, IOAPIC_REG_VER, 0);
	wr(&io, IOAPIC_REG_ARB, 0);
	CHECK(rd(&io, IOAPIC_REG_VER) == 0x00170011 &&
	      rd(&io, IOAPIC_REG_ARB) == 0x0a000000u,
	      "ioapic_version_and_arbitration_read_only");
	ioapic_write32(&io, IOAPIC_REGSEL, 0xffffff12);
	CHECK(ioapic_read32(&io, IOAPIC_REGSEL) == 0x12, "ioapic_regsel_8_bits");
	CHECK(rd(&io, 0x10 + 2 * 24) == 0 && rd(&io, 0x03) == 0,
	      "ioapic_unimplemented_registers_read_0");
	for (pin = 0; pin < IOAPIC_NR_PINS; pin++)
		all_masked &= rd(&io, (uint8_t)(0x10 + 2 * pin)) == 0x10000 &&
			      rd(&io, (uint8_t)(0x11 + 2 * pin)) == 0;
	CHECK(all_masked, "ioapic_reset_entries_masked");

	/* Writable bits only: Delivery Status, Remote IRR and 55:17 stay 0. */
	rte(&io, 5, 0xffffffffffffffffull);
	CHECK(rd(&io, 0x10 + 10) == 0x1afff && rd(&io, 0x11 + 10) == 0xff000000u,
	      "ioapic_rte_read_only_and_reserved_bits");

	/* Edge, fixed, physical destination 3, vector 0x31. */
	ioapic_init(&io, 4, sink, NULL);
	nsent = 0;
	rte(&io, 2, 0x0300000000000031ull);
	ioapic_set_irq(&io, 2, true);
	CHECK(nsent == 1 && sent[0].addr == 0xfee03000ull &&
	      sent[0].data == 0x4031, "ioapic_edge_msi_address_and_data");
	ioapic_set_irq(&io, 2, true);
	CHECK(nsent == 1, "ioapic_edge_no_second_message_while_high");
	ioapic_set_irq(&io, 2, false);
	ioapic_set_irq(&io, 2, true);
	CHECK(nsent == 2, "ioapic_edge_each_rising_edge");
	ioapic_set_irq(&io, 2, false);

	/* Logical destination 0x0f, lowest priority. */
	rte(&io, 3, 0x0f00000000000941ull);
	ioapic_set_irq(&io, 3, true);
	CHECK(nsent == 3 && sent[2].addr == 0xfee0f004ull &&
	      sent[2].data == 0x4141, "ioapic_logical_lowest_priority_msi");

	/* Masked edge: lost, not held. */
	rte(&io, 4, 0x0000000000010033ull);
	ioapic_set_irq(&io, 4, true);
	CHECK(nsent == 3, "ioapic_masked_pin_sends_nothing");
	rte(&io, 4, 0x0000000000000033ull);
	CHECK(nsent == 3, "ioapic_masked_edge_is_lost_on_unmask");
	ioapic_set_irq(&io, 4, false);

	/* ExtINT is the 8259's path, not an MSI. */
	rte(&io, 6, 0x0000000000000700ull);
	ioapic_set_irq(&io, 6, true);
	CHECK(nsent == 3, "ioapic_extint_not_sent");

	/* Level, fixed, vector 0x41 to APIC 1. */
	nsent = 0;
	rte(&io, 9, 0x0100000000008041ull);
	ioapic_set_irq(&io, 9, true);
	CHECK(nsent == 1 && sent[0].addr == 0xfee01000ull &&
	      sent[0].data == 0xc041, "ioapic_level_msi_has_trigger_bit");
	CHECK(rd(&io, 0x10 + 18) & IOAPIC_RTE_REMOTE_IRR,
	      "ioapic_level_sets_remote_irr");
	ioapic_set_irq(&io, 9, false);
	ioapic_set_irq(&io, 9, true);
	CHECK(nsent == 1, "ioapic_level_waits_for_eoi");
	rte(&io, 9, 0x0100000000008041ull);
	CHECK((rd(&io, 0x10 + 18) & IOAPIC_RTE_REMOTE_IRR) && nsent == 1,
	      "ioapic_remote_irr_not_writable");
	ioapic_eoi(&io, 0x42);
	CHECK(nsent == 1, "ioapic_eoi_of_other_vector_ignored");
	ioapic_eoi(&io, 0x41);
	CHECK(nsent == 2 && (rd(&io, 0x10 + 18) & IOAPIC_RTE_REMOTE_IRR),
	      "ioapic_eoi_redelivers_while_line_high");
	ioapic_set_irq(&io, 9, false);
	ioapic_eoi(&io, 0x41);
	CHECK(nsent == 2 && !(rd(&io, 0x10 + 18) & IOAPIC_RTE_REMOTE_IRR),
	      "ioapic_eoi_clears_remote_irr_line_low");

	/* A masked level line is delivered when unmasked. */
	rte(&io, 10, 0x0000000000018050ull);
	ioapic_set_irq(&io, 10, true);
	CHECK(nsent == 2, "ioapic_masked_level_held");
	rte(&io, 10, 0x0000000000008050ull);
	CHECK(nsent == 3 && sent[2].data == 0xc050,
	      "ioapic_unmasking_high_level_line_delivers");
	rte(&io, 10, 0x0000000000000050ull);
	CHECK(!(rd(&io, 0x10 + 20) & IOAPIC_RTE_REMOTE_IRR),
	      "ioapic_switch_to_edge_clears_remote_irr");

	/* Byte-wide MMIO: select the version register, read its bytes. */
	b[0] = IOAPIC_REG_VER;
	ioapic_mmio(&io, IOAPIC_REGSEL, true, b, 1);
	memset(b, 0, sizeof(b));
	ioapic_mmio(&io, IOAPIC_WINDOW + 2, false, b, 1);
	CHECK(b[0] == 0x17, "ioapic_byte_read_of_window");
	ioapic_mmio(&io, 0x20, false, b, 4);
	CHECK(b[0] == 0 && b[1] == 0 && b[2] == 0 && b[3] == 0,
	      "ioapic_other_offsets_read_0");
}
