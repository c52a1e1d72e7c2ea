// SPDX-License-Identifier: GPL-2.0
/*
 * The fake machine of vpci_fake.h.
 */
#include <string.h>
#include <sys/mman.h>

#include "vpci_fake.h"

/* Configuration mechanism #1: enable bit, bus 0, device 1, function 0. */
#define CFG_ADDR(reg)	(0x80000800u | ((reg) & 0xfc))

bool vpci_fake_ram(struct vpci_fake *f)
{
	f->ram = mmap(NULL, VPCI_FAKE_RAM, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (f->ram == MAP_FAILED) {
		f->ram = NULL;
		return false;
	}
	f->mem = (struct guest_mem){ .host = f->ram, .low = VPCI_FAKE_RAM };
	return true;
}

void vpci_fake_ram_free(struct vpci_fake *f)
{
	if (f->ram)
		munmap(f->ram, VPCI_FAKE_RAM);
	f->ram = NULL;
}

bool vpci_fake_plug(struct vpci_fake *f, struct virtio_device *dev,
		    struct virtio_host *host)
{
	memset(f->ram, 0, VPCI_FAKE_RAM);
	host->mem = &f->mem;
	pci_bus_init(&f->bus);
	if (virtio_pci_init(&f->vp, dev, host) ||
	    pci_bus_add(&f->bus, &f->vp.pci) != 1)
		return false;
	f->bar = pci_dev_bar_addr(&f->vp.pci, VIRTIO_PCI_BAR);
	vpci_cfg_wr(f, PCI_COMMAND, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	return true;
}

uint64_t vpci_rd(struct vpci_fake *f, uint64_t off, unsigned int len)
{
	uint8_t b[8] = { 0 };
	uint64_t v = 0;

	pci_bus_mmio(&f->bus, f->bar + off, false, b, len);
	while (len--)
		v = v << 8 | b[len];
	return v;
}

void vpci_wr(struct vpci_fake *f, uint64_t off, unsigned int len, uint64_t v)
{
	uint8_t b[8];
	unsigned int i;

	for (i = 0; i < len; i++)
		b[i] = (uint8_t)(v >> (8 * i));
	pci_bus_mmio(&f->bus, f->bar + off, true, b, len);
}

uint32_t vpci_cfg_rd(struct vpci_fake *f, unsigned int reg, unsigned int len)
{
	return pci_bus_cfg_read(&f->bus, CFG_ADDR(reg), reg & 3, len);
}

void vpci_cfg_wr(struct vpci_fake *f, unsigned int reg, unsigned int len,
		 uint32_t v)
{
	pci_bus_cfg_write(&f->bus, CFG_ADDR(reg), reg & 3, len, v);
}

uint8_t vpci_negotiate(struct vpci_fake *f, uint64_t features)
{
	vpci_wr(f, VPCI_STATUS, 1, 0);
	vpci_wr(f, VPCI_STATUS, 1, VIRTIO_STATUS_ACKNOWLEDGE);
	vpci_wr(f, VPCI_STATUS, 1,
		VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	vpci_wr(f, VPCI_GFSELECT, 4, 0);
	vpci_wr(f, VPCI_GF, 4, (uint32_t)features);
	vpci_wr(f, VPCI_GFSELECT, 4, 1);
	vpci_wr(f, VPCI_GF, 4, (uint32_t)(features >> 32));
	vpci_wr(f, VPCI_STATUS, 1, VIRTIO_STATUS_ACKNOWLEDGE |
		VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK);
	return (uint8_t)vpci_rd(f, VPCI_STATUS, 1);
}
