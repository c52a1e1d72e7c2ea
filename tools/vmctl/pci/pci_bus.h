/* SPDX-License-Identifier: GPL-2.0 */
/*
 * PCI bus 0 of vmctl's SMP PC: a host bridge at 00:00.0 and up to 31
 * single-function devices, reached through configuration mechanism #1
 * (dev_pci_host.c) and, for their memory BARs, through guest MMIO exits.
 *
 * There is no firmware, so vmctl assigns every BAR itself when a device
 * is added, inside the host bridge's MMIO window that the DSDT's _CRS
 * describes (acpi.c); Linux keeps assignments it finds inside a window of
 * its root bus.  INTA# of the device in slot S goes to I/O APIC input
 * PCI_GSI_BASE + S % PCI_GSI_COUNT, as the DSDT's _PRT says.
 */
#ifndef VMCTL_PCI_BUS_H
#define VMCTL_PCI_BUS_H

#include <stdbool.h>
#include <stdint.h>

#include "pci.h"

/*
 * The MMIO window: from the top of the low RAM limit (3 GiB, main.c) up
 * to the I/O APIC at 0xfec00000, which with the local APIC at 0xfee00000
 * is all vmctl places in the hole below 4 GiB.
 */
#define PCI_MMIO_BASE		0xc0000000ull
#define PCI_MMIO_END		0xfebfffffull	/* inclusive */
/* GSIs 16..23 of the 24-pin I/O APIC: above the ISA IRQs (MADT). */
#define PCI_GSI_BASE		16
#define PCI_GSI_COUNT		8

struct pci_bus {
	struct pci_dev *dev[PCI_SLOTS];
	struct pci_dev host;		/* slot 0 */
	uint64_t next_mmio;		/* BAR allocator */
};

void pci_bus_init(struct pci_bus *bus);
/* Put @d in the first free slot, assign its BARs and its GSI.  The slot,
 * or -1 when the bus or the window is full. */
int pci_bus_add(struct pci_bus *bus, struct pci_dev *d);
/* The GSI INTA# of @slot is routed to. */
unsigned int pci_bus_gsi(unsigned int slot);
/* Configuration mechanism #1 (PCI 3.0, 3.2.2.3.2): @address as written
 * to 0xcf8, @off the byte in the data window (0..3). */
uint32_t pci_bus_cfg_read(struct pci_bus *bus, uint32_t address,
			  unsigned int off, unsigned int len);
void pci_bus_cfg_write(struct pci_bus *bus, uint32_t address,
		       unsigned int off, unsigned int len, uint32_t val);
/* A guest MMIO access: true if a decoding BAR took it. */
bool pci_bus_mmio(struct pci_bus *bus, uint64_t gpa, bool is_write,
		  uint8_t *data, unsigned int len);

#endif /* VMCTL_PCI_BUS_H */
