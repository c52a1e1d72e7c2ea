// SPDX-License-Identifier: GPL-2.0
/*
 * The PC board (pc_board.c) through its port bus, as a guest sees it:
 * the PIT's tick reaches the CPU as vector 0x30 once the PIC is set up,
 * a received COM1 byte as vector 0x34; the three reset paths stop the
 * guest with status 0; the PCI window reads all-ones and its dword
 * address register is not mistaken for the 0xcf9 reset register.
 * The SMP PC (pc_board_enable_apic): the PIT's tick and COM1 reach both
 * the 8259 and the I/O APIC (IRQ 0 on pin 2), the I/O APIC answers MMIO
 * at 0xfec00000, the ACPI PM block powers off on S5 (word and byte
 * writes) with status 0, the PM timer counts at 3.579545 MHz, the reset
 * register of the FADT (0xcf9 value 6) reboots with status 0.
 */
#include <string.h>

#include "../pc_board.h"
#include "unit.h"

static struct io_bus bus;
static struct vm_stop stop;

static void out8(uint16_t port, uint8_t v)
{
	io_bus_access(&bus, true, port, 1, 1, &v, &stop);
}

static uint8_t in8(uint16_t port)
{
	uint8_t v = 0;

	io_bus_access(&bus, false, port, 1, 1, &v, &stop);
	return v;
}

static void out32(uint16_t port, uint32_t v)
{
	uint8_t d[4];

	memcpy(d, &v, 4);
	io_bus_access(&bus, true, port, 4, 1, d, &stop);
}

static uint32_t in32(uint16_t port)
{
	uint8_t d[4];
	uint32_t v;

	io_bus_access(&bus, false, port, 4, 1, d, &stop);
	memcpy(&v, d, 4);
	return v;
}

static struct { uint64_t addr; uint32_t data; } msis[8];
static unsigned int nmsi;
static uint64_t clock_ns;

static void msi_sink(void *opaque, uint64_t addr, uint32_t data)
{
	(void)opaque;
	if (nmsi < 8) {
		msis[nmsi].addr = addr;
		msis[nmsi].data = data;
	}
	nmsi++;
}

static uint64_t test_clock(void *opaque)
{
	(void)opaque;
	return clock_ns;
}

static void out16(uint16_t port, uint16_t v)
{
	uint8_t d[2] = { (uint8_t)v, (uint8_t)(v >> 8) };

	io_bus_access(&bus, true, port, 2, 1, d, &stop);
}

static void ioapic_w(struct pc_board *b, uint8_t reg, uint32_t v)
{
	uint8_t d[4];

	d[0] = reg; d[1] = d[2] = d[3] = 0;
	CHECK(pc_board_mmio(b, 0xfec00000, true, d, 4), "board_ioapic_regsel_is_mmio");
	memcpy(d, &v, 4);
	pc_board_mmio(b, 0xfec00010, true, d, 4);
}

static void fresh(struct pc_board *b)
{
	memset(&stop, 0, sizeof(stop));
	io_bus_init(&bus, false);
	pc_board_init(b, &bus, NULL, NULL);
	/* Linux's init_8259A(), then everything masked but the cascade. */
	out8(0x21, 0xff); out8(0x20, 0x11); out8(0x21, 0x30);
	out8(0x21, 0x04); out8(0x21, 0x01);
	out8(0xa1, 0xff); out8(0xa0, 0x11); out8(0xa1, 0x38);
	out8(0xa1, 0x02); out8(0xa1, 0x01);
	out8(0x21, 0xfb);
}

static void fresh_smp(struct pc_board *b)
{
	fresh(b);
	nmsi = 0;
	clock_ns = 0;
	CHECK(pc_board_enable_apic(b, &bus, 4, msi_sink, NULL, test_clock,
				   NULL) == 0, "board_smp_enable");
}

static void unit_pc_board_smp(void)
{
	static struct pc_board b;
	uint8_t d[4] = { 0 };
	uint32_t t;

	fresh_smp(&b);
	CHECK(pc_board_gsi(0) == 2 && pc_board_gsi(4) == 4 && pc_board_gsi(9) == 9,
	      "board_isa_irq0_is_gsi2_others_identity");
	CHECK(!pc_board_mmio(&b, 0xfed00000, false, d, 4) &&
	      !pc_board_mmio(&b, 0xfebffffc, false, d, 4),
	      "board_mmio_outside_ioapic_not_claimed");
	/* PIT rate generator, pin 2 unmasked (edge, vector 0x30, APIC 0),
	 * 8259 left masked: the tick arrives as an MSI only. */
	out8(0x43, 0x34);
	out8(0x40, 100);
	out8(0x40, 0);
	out8(0x21, 0xff);
	CHECK(!pc_board_timer_can_interrupt(&b), "board_smp_masked_everywhere");
	ioapic_w(&b, 0x15, 0);
	ioapic_w(&b, 0x14, 0x30);
	CHECK(pc_board_timer_can_interrupt(&b), "board_smp_timer_through_ioapic_pin2");
	pc_board_tick(&b, 100, 0);
	CHECK(nmsi == 1 && msis[0].addr == 0xfee00000ull && msis[0].data == 0x4030 &&
	      !pc_board_has_interrupt(&b), "board_pit_tick_is_msi_on_pin2");
	pc_board_tick(&b, 200, 0);
	CHECK(nmsi == 2, "board_pit_second_tick_second_msi");
	/* Both paths at once: the 8259 gets it too when unmasked. */
	out8(0x21, 0xfa);
	pc_board_tick(&b, 300, 0);
	CHECK(nmsi == 3 && pc_board_has_interrupt(&b) && pc_board_ack(&b) == 0x30,
	      "board_pit_tick_reaches_8259_and_ioapic");
	out8(0x20, 0x20);

	/* COM1's line on pin 4 (edge, vector 0x34, APIC 2). */
	ioapic_w(&b, 0x19, 2u << 24);
	ioapic_w(&b, 0x18, 0x34);
	out8(0x3f9, 0x02);		/* IER: THRE */
	out8(0x3fc, 0x08);		/* MCR: OUT2 */
	pc_board_sync_irqs(&b);
	CHECK(nmsi == 4 && msis[3].addr == 0xfee02000ull && msis[3].data == 0x4034,
	      "board_com1_thre_is_msi_on_pin4");

	/* ACPI PM: SCI_EN reads 1, timer counts, S5 powers off. */
	CHECK(in8(0x604) == 0x01, "pm1_cnt_sci_en_reads_1");
	clock_ns = 1000000000ull;
	t = (uint32_t)in32(0x608);
	CHECK(t == 3579545, "pm_timer_3579545_per_second");
	clock_ns = 1200 * 1000000000ull;	/* 4295454000 counts */
	CHECK(in32(0x608) == 4295454000u - 0x100000000ull,
	      "pm_timer_wraps_at_32_bits");
	out16(0x602, 0xffff);
	CHECK(in8(0x602) == 0x21 && in8(0x603) == 0x47, "pm1_en_writable_bits");
	CHECK(!stop.stop, "pm_no_stop_yet");
	out16(0x604, 5 << 10);
	CHECK(!stop.stop && in8(0x605) == 0x14, "pm1_slp_typ_without_slp_en_no_stop");
	out16(0x604, 3 << 10 | 1 << 13);
	CHECK(!stop.stop && !(in8(0x605) & 0x20), "pm1_slp_en_other_type_ignored");
	out16(0x604, 5 << 10 | 1 << 13 | 1);
	CHECK(stop.stop && stop.status == 0 && strstr(stop.reason, "S5"),
	      "pm1_s5_word_write_powers_off_status_0");
	fresh_smp(&b);
	out8(0x605, (5 << 2) | 0x20);
	CHECK(stop.stop && stop.status == 0, "pm1_s5_byte_write_powers_off");

	/* The FADT's RESET_REG: byte 6 at 0xcf9. */
	fresh_smp(&b);
	out8(0xcf9, PC_RESET_VALUE);
	CHECK(stop.stop && stop.status == 0 && strstr(stop.reason, "rebooted"),
	      "fadt_reset_register_reboots_status_0");

	/* Level-triggered SCI on pin 9 is wired but idle. */
	fresh_smp(&b);
	ioapic_w(&b, 0x22, 0x8051);
	CHECK(nmsi == 0, "board_sci_idle");
}

void unit_pc_board(void)
{
	static struct pc_board b;
	uint64_t when;

	fresh(&b);
	out8(0x43, 0x34);
	out8(0x40, 100);
	out8(0x40, 0);
	CHECK(pc_board_next_timer(&b, &when) && when == 100,
	      "board_pit_programmed_through_ports");
	CHECK(!pc_board_timer_can_interrupt(&b), "board_masked_timer_cannot_interrupt");
	out8(0x21, 0xfa);
	CHECK(pc_board_timer_can_interrupt(&b), "board_unmasked_timer_can_interrupt");
	pc_board_tick(&b, 99, 0);
	CHECK(!pc_board_has_interrupt(&b), "board_no_tick_before_period");
	pc_board_tick(&b, 100, 0);
	CHECK(pc_board_has_interrupt(&b) && pc_board_ack(&b) == 0x30,
	      "board_pit_tick_is_vector_0x30");
	out8(0x20, 0x60);
	pc_board_tick(&b, 150, 0);
	CHECK(!pc_board_has_interrupt(&b), "board_one_interrupt_per_period");

	/* COM1 receive interrupt on IRQ 4. */
	out8(0x21, 0xeb);		/* unmask IRQ4 (and the cascade) */
	out8(0x3f9, UART_IER_RDI);
	CHECK(!pc_board_input_can_interrupt(&b), "board_input_needs_out2");
	out8(0x3fc, UART_MCR_OUT2);
	CHECK(pc_board_input_can_interrupt(&b), "board_input_can_interrupt_when_armed");
	uart8250_receive(&b.com1, 'k');
	pc_board_sync_irqs(&b);
	CHECK(pc_board_has_interrupt(&b) && pc_board_ack(&b) == 0x34,
	      "board_received_byte_is_vector_0x34");
	CHECK(in8(0x3fa) == UART_IIR_RDI && in8(0x3f8) == 'k',
	      "board_guest_reads_byte_after_interrupt");
	out8(0x20, 0x64);
	CHECK(!pc_board_has_interrupt(&b), "board_uart_line_low_after_read");

	/* CMOS through ports 0x70/0x71 (the board's wall clock). */
	pc_board_tick(&b, 200, 1795470522);
	out8(0x70, 0x00);
	CHECK(in8(0x71) == 0x42, "board_cmos_reads_wall_clock_seconds");

	/* PCI window. */
	out32(0xcf8, 0x80000400);	/* byte at 0xcf9 would be 0x04 */
	CHECK(!stop.stop, "board_pci_address_dword_is_not_a_reset");
	CHECK(in32(0xcf8) == 0x80000400, "board_pci_address_reads_back");
	CHECK(in32(0xcfc) == 0xffffffffu, "board_pci_empty_bus_reads_all_ones");
	out8(0xcf9, 0x02);
	CHECK(!stop.stop && in8(0xcf9) == 0x02, "board_cf9_sys_rst_alone_is_no_reset");
	out8(0xcf9, 0x06);
	CHECK(stop.stop && stop.status == 0 && strstr(stop.reason, "rebooted"),
	      "board_cf9_rst_cpu_reboots_with_status_0");

	/* i8042. */
	fresh(&b);
	CHECK(!(in8(0x64) & 0x03), "board_i8042_status_buffers_empty");
	out8(0x64, 0xfe);
	CHECK(stop.stop && stop.status == 0 && strstr(stop.reason, "i8042"),
	      "board_i8042_command_fe_reboots");
	fresh(&b);
	out8(0x64, 0xd1);
	out8(0x60, 0x03);
	CHECK(!stop.stop, "board_i8042_output_port_with_reset_high_is_no_reset");
	out8(0x64, 0xd1);
	out8(0x60, 0x02);
	CHECK(stop.stop && stop.status == 0, "board_i8042_output_port_reset_low_reboots");

	/* Ports the board does not claim still read all-ones. */
	fresh(&b);
	CHECK(in8(0x80) == 0xff && in8(0x2f8) == 0xff, "board_unclaimed_ports_all_ones");

	unit_pc_board_smp();
}
