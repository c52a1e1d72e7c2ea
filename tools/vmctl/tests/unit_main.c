// SPDX-License-Identifier: GPL-2.0
/*
 * Runs every host unit test group and prints TAP (plan at the end) and a
 * final "N passed, N failed" line; exits 1 if anything failed.
 */
#include "unit.h"

unsigned int unit_passed, unit_failed;

int main(void)
{
	printf("TAP version 13\n");
	unit_uart8250();
	unit_options();
	unit_loaders();
	unit_cpu_mode();
	unit_io_bus();
	unit_i8259();
	unit_i8254();
	unit_cmos();
	unit_console_in();
	unit_linux();
	unit_pc_board();
	unit_ioapic();
	unit_acpi();
	unit_hypercall();
	unit_cpu_features();
	unit_cpu_topology();
	unit_pci();
	unit_virtqueue();
	unit_virtio_pci();
	unit_vblk();
	unit_vblk_fuzz();
	unit_net();
	unit_console();
	printf("1..%u\n", unit_passed + unit_failed);
	printf("%u passed, %u failed\n", unit_passed, unit_failed);
	return unit_failed ? 1 : 0;
}
