/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A minimal TAP producer for vmctl's host unit tests: each CHECK prints
 * "ok N - name" or "not ok N - name" with the failing expression, and
 * unit_main.c prints the plan and the "N passed, N failed" summary.
 */
#ifndef VMCTL_UNIT_H
#define VMCTL_UNIT_H

#include <stdbool.h>
#include <stdio.h>

extern unsigned int unit_passed, unit_failed;

static inline bool unit_check(bool ok, const char *name, const char *expr,
			      const char *file, int line)
{
	unsigned int n = unit_passed + unit_failed + 1;

	if (ok) {
		unit_passed++;
		printf("ok %u - %s\n", n, name);
	} else {
		unit_failed++;
		printf("not ok %u - %s\n#   %s:%d: %s\n", n, name, file, line,
		       expr);
	}
	return ok;
}

#define CHECK(cond, name) unit_check(!!(cond), (name), #cond, __FILE__, __LINE__)

void unit_uart8250(void);
void unit_options(void);
void unit_loaders(void);
void unit_cpu_mode(void);
void unit_io_bus(void);
void unit_i8259(void);
void unit_i8254(void);
void unit_cmos(void);
void unit_console_in(void);
void unit_linux(void);
void unit_pc_board(void);
void unit_ioapic(void);
void unit_acpi(void);
void unit_hypercall(void);
void unit_cpu_features(void);
void unit_cpu_topology(void);
void unit_pci(void);
void unit_virtqueue(void);
void unit_virtio_pci(void);
void unit_vblk(void);
void unit_vblk_fuzz(void);
void unit_net(void);
void unit_console(void);

#endif /* VMCTL_UNIT_H */
