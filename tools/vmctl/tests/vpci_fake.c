// SPDX-License-Identifier: GPL-2.0
/*
 * The fake machine of vpci_fake.h.
 */
#include <string.h>
#include <sys/mman.h>

#include "../virtio/virtqueue.h"
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

void vpci_driver_up(struct vpci_fake *f, uint64_t features, unsigned int nq)
{
	unsigned int q;

	vpci_negotiate(f, features);
	for (q = 0; q < nq; q++) {
		memset(f->ram + VPCI_DESC(q), 0, 0x4000);
		vpci_wr(f, VPCI_Q_SELECT, 2, q);
		vpci_wr(f, VPCI_Q_SIZE, 2, VPCI_QSIZE);
		vpci_wr(f, VPCI_Q_DESC, 8, VPCI_DESC(q));
		vpci_wr(f, VPCI_Q_DRIVER, 8, VPCI_AVAIL(q));
		vpci_wr(f, VPCI_Q_DEVICE, 8, VPCI_USED(q));
		vpci_wr(f, VPCI_Q_ENABLE, 2, 1);
		f->next_desc[q] = 0;
	}
	vpci_wr(f, VPCI_STATUS, 1, VIRTIO_STATUS_ACKNOWLEDGE |
		VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK |
		VIRTIO_STATUS_DRIVER_OK);
}

void vpci_post(struct vpci_fake *f, unsigned int q, const struct vpci_seg *s,
	       unsigned int n)
{
	uint16_t head = f->next_desc[q], idx, d, next, flags;
	unsigned int i;

	for (i = 0; i < n; i++) {
		uint64_t a = s[i].gpa;

		d = (uint16_t)((head + i) % VPCI_QSIZE);
		next = (uint16_t)((head + i + 1) % VPCI_QSIZE);
		flags = (uint16_t)((s[i].write ? VIRTQ_DESC_F_WRITE : 0) |
				   (i + 1 < n ? VIRTQ_DESC_F_NEXT : 0));
		memcpy(f->ram + VPCI_DESC(q) + 16 * d, &a, 8);
		memcpy(f->ram + VPCI_DESC(q) + 16 * d + 8, &s[i].len, 4);
		memcpy(f->ram + VPCI_DESC(q) + 16 * d + 12, &flags, 2);
		memcpy(f->ram + VPCI_DESC(q) + 16 * d + 14, &next, 2);
	}
	f->next_desc[q] = (uint16_t)((head + n) % VPCI_QSIZE);
	memcpy(&idx, f->ram + VPCI_AVAIL(q) + 2, 2);
	memcpy(f->ram + VPCI_AVAIL(q) + 4 + 2 * (idx % VPCI_QSIZE), &head, 2);
	idx++;
	memcpy(f->ram + VPCI_AVAIL(q) + 2, &idx, 2);
	virtio_pci_process_queue(&f->vp, q);
}

uint16_t vpci_used_idx(struct vpci_fake *f, unsigned int q)
{
	uint16_t v;

	memcpy(&v, f->ram + VPCI_USED(q) + 2, 2);
	return v;
}

uint32_t vpci_used_len(struct vpci_fake *f, unsigned int q, unsigned int i)
{
	uint32_t v;

	memcpy(&v, f->ram + VPCI_USED(q) + 4 + 8 * (i % VPCI_QSIZE) + 4, 4);
	return v;
}
