// SPDX-License-Identifier: GPL-2.0
/*
 * The PC board (pc_board.c) through its port bus, as a guest sees it:
 * the PIT's tick reaches the CPU as vector 0x30 once the PIC is set up,
 * a received COM1 byte as vector 0x34; the three reset paths stop the
 * guest with status 0; the PCI window reads all-ones and its dword
 * address register is not mistaken for the 0xcf9 reset register.
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
}
