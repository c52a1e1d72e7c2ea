// SPDX-License-Identifier: GPL-2.0
/*
 * PCI host bridge config window (PCI Local Bus Specification 3.0,
 * 3.2.2.3.2 "Configuration Mechanism #1"), and the Intel reset control
 * register (PIIX4/ICH "RST_CNT", port 0xcf9).
 *
 * Only a dword access at 0xcf8 is the address register; byte and word
 * accesses there go to the ISA bus (mechanism #2 probing, and 0xcf9).
 * The data window 0xcfc-0xcff takes byte, word and dword accesses at
 * the matching offset of the addressed register (3.2.2.3.2), passed to
 * the attached bus.  Without a bus every configuration read returns
 * all-ones: vendor ID 0xffff means "no device" to every PCI enumerator,
 * and writes go nowhere.
 *
 * Reset: writing RST_CPU (bit 2) resets the machine, whatever SYS_RST
 * (bit 1, hard vs soft) says; Linux's "reboot=pci" writes 0x02 then 0x06,
 * others write 0x0e.
 */
#include "dev_pci_host.h"

void pci_host_init(struct pci_host *p)
{
	p->config_address = 0;
	p->rcr = 0;
	p->bus = NULL;
}

void pci_host_attach(struct pci_host *p, struct pci_bus *bus)
{
	p->bus = bus;
}

uint32_t pci_host_read(struct pci_host *p, unsigned int offset,
		       unsigned int size)
{
	if (offset == 0 && size == 4)
		return p->config_address;
	if (offset == PCI_RCR_OFFSET && size == 1)
		return p->rcr;
	if (offset >= 4 && p->bus)
		return pci_bus_cfg_read(p->bus, p->config_address, offset - 4,
					size);
	/* Data window (and anything else): no device answers. */
	return size == 4 ? 0xffffffffu : (1u << (8 * size)) - 1;
}

bool pci_host_write(struct pci_host *p, unsigned int offset, unsigned int size,
		    uint32_t val)
{
	if (offset == 0 && size == 4) {
		/* Bits 1:0 are reserved and read as zero. */
		p->config_address = val & 0x80fffffcu;
		return false;
	}
	if (offset == PCI_RCR_OFFSET && size == 1) {
		p->rcr = (uint8_t)(val & (PCI_RCR_SYS_RST | PCI_RCR_RST_CPU));
		return val & PCI_RCR_RST_CPU;
	}
	if (offset >= 4 && p->bus)
		pci_bus_cfg_write(p->bus, p->config_address, offset - 4, size,
				  val);
	return false;
}
