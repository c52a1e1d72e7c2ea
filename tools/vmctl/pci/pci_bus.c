// SPDX-License-Identifier: GPL-2.0
/*
 * PCI bus 0 (see pci_bus.h).  References are to the PCI Local Bus
 * Specification 3.0.
 */
#include <string.h>

#include "pci_bus.h"

/* Red Hat's ID for a generic host bridge (QEMU's "gpex" uses it too):
 * Linux has no quirks for it, unlike Intel's chipset IDs. */
#define HOST_VENDOR	0x1b36
#define HOST_DEVICE	0x0008
#define CLASS_HOST_BRIDGE 0x060000

void pci_bus_init(struct pci_bus *bus)
{
	memset(bus, 0, sizeof(*bus));
	/*
	 * Linux's check of configuration mechanism #1 without DMI data
	 * (arch/x86/pci/direct.c, pci_sanity_check) looks for a host
	 * bridge or VGA device on bus 0; a PC has its host bridge at
	 * 00:00.0 (class 06/00, D.1 of the spec's class codes).
	 */
	pci_dev_init(&bus->host, HOST_VENDOR, HOST_DEVICE, 0,
		     CLASS_HOST_BRIDGE, HOST_VENDOR, 0x1100);
	bus->host.slot = 0;
	bus->dev[0] = &bus->host;
	bus->next_mmio = PCI_MMIO_BASE;
}

unsigned int pci_bus_gsi(unsigned int slot)
{
	return PCI_GSI_BASE + slot % PCI_GSI_COUNT;
}

int pci_bus_add(struct pci_bus *bus, struct pci_dev *d)
{
	uint64_t next = bus->next_mmio;
	unsigned int slot, i;

	for (slot = 1; slot < PCI_SLOTS && bus->dev[slot]; slot++)
		;
	if (slot == PCI_SLOTS)
		return -1;
	/* 6.2.5.1: a BAR is naturally aligned to its size. */
	for (i = 0; i < PCI_NUM_BARS; i++) {
		uint64_t size = d->bar[i].size;

		if (!size)
			continue;
		next = (next + size - 1) & ~(size - 1);
		if (next + size - 1 > PCI_MMIO_END)
			return -1;
		pci_dev_place_bar(d, i, next);
		next += size;
	}
	bus->next_mmio = next;
	d->slot = slot;
	d->gsi = pci_bus_gsi(slot);
	/* 6.2.4: the interrupt line holds the routing, for software
	 * without ACPI; Linux takes the _PRT's GSI. */
	if (d->cfg[PCI_INTERRUPT_PIN])
		d->cfg[PCI_INTERRUPT_LINE] = (uint8_t)d->gsi;
	bus->dev[slot] = d;
	return (int)slot;
}

/*
 * 3.2.2.3.2, figure 3-2: enable bit 31, bus 23:16, device 15:11,
 * function 10:8, register 7:2.  Only bus 0 exists, and only function 0
 * of each device; everything else reads as all-ones (no device answers
 * the cycle, which ends in a master abort).
 */
static struct pci_dev *target(struct pci_bus *bus, uint32_t address)
{
	if (!(address & 0x80000000u) || (address >> 16 & 0xff) ||
	    (address >> 8 & 7))
		return NULL;
	return bus->dev[address >> 11 & 0x1f];
}

uint32_t pci_bus_cfg_read(struct pci_bus *bus, uint32_t address,
			  unsigned int off, unsigned int len)
{
	struct pci_dev *d = target(bus, address);

	if (!d || off + len > 4)
		return len == 4 ? 0xffffffffu : (1u << (8 * len)) - 1;
	return pci_dev_cfg_read(d, (address & 0xfc) + off, len);
}

void pci_bus_cfg_write(struct pci_bus *bus, uint32_t address,
		       unsigned int off, unsigned int len, uint32_t val)
{
	struct pci_dev *d = target(bus, address);

	if (d && off + len <= 4)
		pci_dev_cfg_write(d, (address & 0xfc) + off, len, val);
}

bool pci_bus_mmio(struct pci_bus *bus, uint64_t gpa, bool is_write,
		  uint8_t *data, unsigned int len)
{
	unsigned int slot, i;
	uint64_t base;

	for (slot = 1; slot < PCI_SLOTS; slot++) {
		struct pci_dev *d = bus->dev[slot];

		if (!d)
			continue;
		for (i = 0; i < PCI_NUM_BARS; i++) {
			if (!d->bar[i].rw || !pci_dev_bar_decodes(d, i, &base))
				continue;
			if (gpa < base || gpa - base >= d->bar[i].size)
				continue;
			/* An access running past the BAR's end is
			 * dropped (reads give all-ones). */
			if (len > d->bar[i].size - (gpa - base)) {
				if (!is_write)
					memset(data, 0xff, len);
				return true;
			}
			d->bar[i].rw(d, i, gpa - base, is_write, data, len);
			return true;
		}
	}
	return false;
}
