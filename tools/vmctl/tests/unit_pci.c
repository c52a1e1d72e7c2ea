// SPDX-License-Identifier: GPL-2.0
/*
 * PCI configuration space and MSI-X (pci/): header fields through
 * mechanism #1 at every access size, read-only bits, BAR sizing with
 * all-ones (32- and 64-bit halves), memory decoding gated by the command
 * register, the capability walk, the host bridge, BAR placement inside
 * the window, and MSI-X's table, masks and pending bits.
 */
#include <string.h>

#include "../pci/msix.h"
#include "../pci/pci_bus.h"
#include "unit.h"

static struct pci_bus bus;
static struct pci_dev dev;
static struct msix mx;
static unsigned int bar_hits, sent, sent_vec;
static uint64_t bar_off, sent_addr;
static uint32_t sent_data;

static void bar_rw(struct pci_dev *d, unsigned int bar, uint64_t off,
		   bool is_write, uint8_t *data, unsigned int len)
{
	(void)d;
	(void)bar;
	(void)is_write;
	bar_hits++;
	bar_off = off;
	if (msix_claims(&mx, 0, off, len))
		msix_bar_rw(&mx, off, is_write, data, len);
	else if (!is_write)
		memset(data, 0x5a, len);
}

static void send(void *opaque, unsigned int vec, uint64_t addr, uint32_t data)
{
	(void)opaque;
	sent++;
	sent_vec = vec;
	sent_addr = addr;
	sent_data = data;
}

/* Mechanism #1 address of slot @s, register @reg. */
static uint32_t addr(unsigned int s, unsigned int reg)
{
	return 0x80000000u | s << 11 | (reg & 0xfc);
}

static uint32_t rd(unsigned int s, unsigned int reg, unsigned int len)
{
	return pci_bus_cfg_read(&bus, addr(s, reg), reg & 3, len);
}

static void wr(unsigned int s, unsigned int reg, unsigned int len, uint32_t v)
{
	pci_bus_cfg_write(&bus, addr(s, reg), reg & 3, len, v);
}

static void mmio32(uint64_t gpa, bool w, uint32_t *v)
{
	uint8_t b[4];

	if (w)
		pci_put32(b, *v);
	if (!pci_bus_mmio(&bus, gpa, w, b, 4))
		memset(b, 0xee, 4);
	if (!w)
		*v = pci_get32(b);
}

static void setup(void)
{
	pci_bus_init(&bus);
	pci_dev_init(&dev, 0x1af4, 0x1044, 1, 0xff0000, 0x1af4, 0x1044);
	pci_dev_set_intx_pin(&dev);
	pci_dev_set_bar(&dev, 0, 0x8000, true, bar_rw);
	msix_init(&mx, &dev, 3, 0, 0x4000, 0x5000, send, NULL);
	pci_dev_add_cap(&dev, PCI_CAP_ID_VNDR, 16);
	pci_dev_add_cap(&dev, PCI_CAP_ID_VNDR, 20);
	bar_hits = sent = 0;
}

static void unit_header(void)
{
	unsigned int at, n, ids[8];
	uint32_t v;

	setup();
	CHECK(pci_bus_add(&bus, &dev) == 1 && dev.gsi == 17,
	      "pci_first_device_slot1_gsi17");
	CHECK(rd(0, 0, 4) == 0x00081b36 && rd(0, PCI_REVISION_ID, 4) >> 8 ==
	      0x060000, "pci_host_bridge_at_00_00_0_class_0600");
	CHECK(rd(1, 0, 4) == 0x10441af4 && rd(1, 0, 2) == 0x1af4 &&
	      rd(1, 2, 2) == 0x1044 && rd(1, 1, 1) == 0x1a && rd(1, 3, 1) == 0x10,
	      "pci_ids_at_every_size_and_offset");
	CHECK(rd(1, PCI_REVISION_ID, 1) == 1 && rd(1, 0x2c, 4) == 0x10441af4 &&
	      rd(1, PCI_CLASS_DEVICE, 2) == 0xff00, "pci_revision_subsystem_class");
	CHECK(rd(2, 0, 4) == 0xffffffffu && rd(2, 0, 2) == 0xffff &&
	      rd(2, 0, 1) == 0xff, "pci_empty_slot_reads_all_ones");
	CHECK(pci_bus_cfg_read(&bus, addr(1, 0) | 1 << 8, 0, 4) == 0xffffffffu &&
	      pci_bus_cfg_read(&bus, addr(1, 0) | 1 << 16, 0, 4) == 0xffffffffu &&
	      pci_bus_cfg_read(&bus, addr(1, 0) & ~0x80000000u, 0, 4) ==
	      0xffffffffu, "pci_function1_bus1_and_disabled_cycles_no_device");
	wr(1, 0, 4, 0);
	wr(1, PCI_REVISION_ID, 4, 0);
	CHECK(rd(1, 0, 4) == 0x10441af4 && rd(1, PCI_REVISION_ID, 4) ==
	      0xff000001u, "pci_ids_and_class_are_read_only");
	wr(1, PCI_COMMAND, 2, 0xffff);
	CHECK(rd(1, PCI_COMMAND, 2) == 0x0407, "pci_command_writable_bits_only");
	wr(1, PCI_COMMAND, 2, 0);
	CHECK(rd(1, PCI_INTERRUPT_PIN, 1) == 1 && rd(1, PCI_INTERRUPT_LINE, 1) == 17,
	      "pci_interrupt_pin_inta_line_is_gsi");
	wr(1, PCI_INTERRUPT_LINE, 1, 0x0b);
	wr(1, PCI_INTERRUPT_PIN, 1, 3);
	CHECK(rd(1, PCI_INTERRUPT_LINE, 1) == 0x0b && rd(1, PCI_INTERRUPT_PIN, 1) == 1,
	      "pci_interrupt_line_rw_pin_ro");
	dev.intx = true;
	v = rd(1, PCI_STATUS, 2);
	dev.intx = false;
	CHECK((v & (PCI_STATUS_CAP_LIST | PCI_STATUS_INTERRUPT)) ==
	      (PCI_STATUS_CAP_LIST | PCI_STATUS_INTERRUPT) &&
	      !(rd(1, PCI_STATUS, 2) & PCI_STATUS_INTERRUPT),
	      "pci_status_cap_list_and_interrupt_bit");

	/* The capability walk: MSI-X, then two vendor capabilities. */
	n = 0;
	for (at = rd(1, PCI_CAPABILITY_LIST, 1); at && n < 8;
	     at = rd(1, at + 1, 1)) {
		CHECK(at >= 0x40 && at % 4 == 0, "pci_cap_aligned_after_header");
		ids[n++] = rd(1, at, 1);
	}
	CHECK(n == 3 && ids[0] == PCI_CAP_ID_MSIX && ids[1] == PCI_CAP_ID_VNDR &&
	      ids[2] == PCI_CAP_ID_VNDR, "pci_capability_walk_msix_vndr_vndr");
	CHECK(pci_dev_add_cap(&dev, 0x09, 250) == 0, "pci_cap_too_long_refused");
}

static void unit_bars(void)
{
	uint32_t v = 0;

	setup();
	pci_bus_add(&bus, &dev);
	CHECK(pci_dev_bar_addr(&dev, 0) == PCI_MMIO_BASE &&
	      rd(1, PCI_BAR0, 4) == (uint32_t)PCI_MMIO_BASE + PCI_BAR_MEM_TYPE_64 &&
	      rd(1, PCI_BAR0 + 4, 4) == 0, "pci_bar0_placed_at_window_base_64bit");
	/* PCI 3.0 6.2.5.1: write all-ones, read the size mask back. */
	wr(1, PCI_BAR0, 4, 0xffffffffu);
	wr(1, PCI_BAR0 + 4, 4, 0xffffffffu);
	CHECK(rd(1, PCI_BAR0, 4) == (0xffff8000u | PCI_BAR_MEM_TYPE_64) &&
	      rd(1, PCI_BAR0 + 4, 4) == 0xffffffffu, "pci_bar_sizing_32k_64bit");
	CHECK(rd(1, PCI_BAR0 + 8, 4) == 0 && (wr(1, PCI_BAR0 + 8, 4, ~0u),
	      rd(1, PCI_BAR0 + 8, 4) == 0), "pci_unused_bar_reads_zero");
	wr(1, PCI_BAR0, 4, 0xd0001234u);
	wr(1, PCI_BAR0 + 4, 4, 0);
	CHECK(pci_dev_bar_addr(&dev, 0) == 0xd0000000u &&
	      rd(1, PCI_BAR0, 2) == (0x0000 | PCI_BAR_MEM_TYPE_64),
	      "pci_bar_low_bits_hardwired");
	mmio32(0xd0000010u, false, &v);
	CHECK(v == 0xeeeeeeeeu && bar_hits == 0,
	      "pci_bar_does_not_decode_without_memory_enable");
	wr(1, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	mmio32(0xd0000010u, false, &v);
	CHECK(v == 0x5a5a5a5au && bar_hits == 1 && bar_off == 0x10,
	      "pci_bar_decodes_with_memory_enable");
	mmio32(0xd0008000u, false, &v);
	CHECK(v == 0xeeeeeeeeu, "pci_bar_ends_at_its_size");
	wr(1, PCI_BAR0, 4, 0xffffffffu);
	mmio32(0xd0000010u, false, &v);
	CHECK(v == 0xeeeeeeeeu, "pci_bar_moved_away_by_sizing");

	/* The allocator: natural alignment, the window's end. */
	{
		static struct pci_dev big[2];

		pci_dev_init(&big[0], 1, 2, 0, 0, 0, 0);
		pci_dev_set_bar(&big[0], 0, 0x10000000, true, bar_rw);
		CHECK(pci_bus_add(&bus, &big[0]) == 2 &&
		      pci_dev_bar_addr(&big[0], 0) == 0xd0000000u,
		      "pci_bar_naturally_aligned");
		pci_dev_init(&big[1], 1, 2, 0, 0, 0, 0);
		pci_dev_set_bar(&big[1], 0, 0x20000000, true, bar_rw);
		CHECK(pci_bus_add(&bus, &big[1]) == -1,
		      "pci_bar_beyond_window_refused");
	}
}

static void tbl(unsigned int vec, unsigned int field, bool w, uint32_t *v)
{
	uint8_t b[4];

	if (w)
		pci_put32(b, *v);
	msix_bar_rw(&mx, 0x4000 + vec * 16 + field, w, b, 4);
	if (!w)
		*v = pci_get32(b);
}

static void unit_msix(void)
{
	unsigned int cap;
	uint32_t v;
	uint8_t b[8];

	setup();
	pci_bus_add(&bus, &dev);
	cap = mx.cap;
	CHECK(rd(1, cap, 1) == PCI_CAP_ID_MSIX && rd(1, cap + 2, 2) == 2 &&
	      rd(1, cap + 4, 4) == 0x4000 && rd(1, cap + 8, 4) == 0x5000,
	      "msix_cap_size_table_pba_bir0");
	wr(1, cap + 2, 2, 0xffff);
	CHECK(rd(1, cap + 2, 2) == (MSIX_CTRL_ENABLE | MSIX_CTRL_MASKALL | 2),
	      "msix_control_only_enable_and_mask_writable");
	wr(1, cap + 2, 2, 0);
	tbl(1, 12, false, &v);
	CHECK(v == MSIX_ENTRY_MASKED, "msix_entries_start_masked");
	CHECK(!msix_notify(&mx, 1), "msix_disabled_notify_falls_back");
	wr(1, cap + 2, 2, MSIX_CTRL_ENABLE);
	CHECK(msix_enabled(&mx), "msix_enable_bit");
	v = 0xfee01003u;
	tbl(1, 0, true, &v);
	tbl(1, 0, false, &v);
	CHECK(v == 0xfee01000u, "msix_address_low_bits_read_zero");
	v = 0x4041;
	tbl(1, 8, true, &v);
	CHECK(msix_notify(&mx, 1) && sent == 0 && (mx.pending & 2),
	      "msix_masked_vector_sets_pending");
	msix_bar_rw(&mx, 0x5000, false, b, 8);
	CHECK(b[0] == 2, "msix_pba_shows_pending");
	v = 0;
	tbl(1, 12, true, &v);
	CHECK(sent == 1 && sent_vec == 1 && sent_addr == 0xfee01000u &&
	      sent_data == 0x4041 && !(mx.pending & 2),
	      "msix_unmask_delivers_pending");
	CHECK(msix_notify(&mx, 1) && sent == 2, "msix_unmasked_delivers_now");
	wr(1, cap + 3, 1, (MSIX_CTRL_ENABLE | MSIX_CTRL_MASKALL) >> 8);
	CHECK(msix_notify(&mx, 1) && sent == 2 && (mx.pending & 2),
	      "msix_function_mask_holds_message");
	wr(1, cap + 3, 1, MSIX_CTRL_ENABLE >> 8);
	msix_control_written(&mx);
	CHECK(sent == 3, "msix_function_unmask_delivers");
	CHECK(!msix_notify(&mx, 3), "msix_vector_beyond_table_refused");
	v = 0xffffffffu;
	tbl(0, 12, true, &v);
	tbl(0, 12, false, &v);
	CHECK(v == 1, "msix_vector_control_reserved_bits_zero");
	b[0] = 0x77;
	msix_bar_rw(&mx, 0x4001, false, b, 2);
	CHECK(b[0] == 0xff, "msix_narrow_access_reads_all_ones");
	v = 0x12345678;
	msix_bar_rw(&mx, 0x5000, true, (uint8_t *)&v, 4);
	CHECK(!(mx.pending & 1), "msix_pba_read_only");
	CHECK(msix_claims(&mx, 0, 0x4000 + 2 * 16 + 12, 4) &&
	      !msix_claims(&mx, 0, 0x4000 + 3 * 16, 4) &&
	      !msix_claims(&mx, 1, 0x4000, 4), "msix_claims_table_and_pba_only");
}

void unit_pci(void)
{
	unit_header();
	unit_bars();
	unit_msix();
}
