/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The PCI configuration mechanism #1 window of a host bridge at
 * 0xcf8-0xcff, and the reset control register at 0xcf9 that shares the
 * window on Intel chipsets.  Configuration cycles go to @bus
 * (pci/pci_bus.h) once pci_host_attach() gave one (the SMP PC); without
 * one the bus is empty.
 */
#ifndef VMCTL_DEV_PCI_HOST_H
#define VMCTL_DEV_PCI_HOST_H

#include <stdbool.h>
#include <stdint.h>

#include "pci/pci_bus.h"

#define PCI_HOST_BASE		0xcf8
#define PCI_HOST_NR_PORTS	8
#define PCI_RCR_OFFSET		1	/* 0xcf9 */
#define PCI_RCR_SYS_RST		0x02
#define PCI_RCR_RST_CPU		0x04

struct pci_host {
	uint32_t config_address;	/* 0xcf8, dword access only */
	uint8_t rcr;			/* 0xcf9 */
	struct pci_bus *bus;		/* NULL: nothing behind the bridge */
};

void pci_host_init(struct pci_host *p);
/* Route configuration cycles to @bus. */
void pci_host_attach(struct pci_host *p, struct pci_bus *bus);
/* @offset 0..7 from 0xcf8, @size 1, 2 or 4. */
uint32_t pci_host_read(struct pci_host *p, unsigned int offset,
		       unsigned int size);
/* Returns true when the write resets the machine. */
bool pci_host_write(struct pci_host *p, unsigned int offset, unsigned int size,
		    uint32_t val);

#endif /* VMCTL_DEV_PCI_HOST_H */
