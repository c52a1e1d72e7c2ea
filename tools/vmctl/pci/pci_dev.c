// SPDX-License-Identifier: GPL-2.0
/*
 * One PCI function's configuration space (see pci.h).  References are to
 * the PCI Local Bus Specification 3.0.
 */
#include <string.h>

#include "pci.h"

void pci_dev_init(struct pci_dev *d, uint16_t vendor, uint16_t device,
		  uint8_t revision, uint32_t class_code, uint16_t sub_vendor,
		  uint16_t sub_id)
{
	memset(d->cfg, 0, sizeof(d->cfg));
	memset(d->wmask, 0, sizeof(d->wmask));
	memset(d->w1c, 0, sizeof(d->w1c));
	memset(d->bar, 0, sizeof(d->bar));
	d->cap_tail = 0;
	d->cap_end = PCI_STD_HEADER_END;
	d->intx = false;
	d->lock = NULL;
	d->after_write = NULL;
	d->before_read = NULL;
	pci_put16(d->cfg + PCI_VENDOR_ID, vendor);
	pci_put16(d->cfg + PCI_DEVICE_ID, device);
	d->cfg[PCI_REVISION_ID] = revision;
	d->cfg[PCI_CLASS_PROG] = (uint8_t)class_code;
	pci_put16(d->cfg + PCI_CLASS_DEVICE, (uint16_t)(class_code >> 8));
	/* 6.2.1: header type 0, single function (bit 7 clear). */
	d->cfg[PCI_HEADER_TYPE] = 0;
	pci_put16(d->cfg + PCI_SUBSYSTEM_VENDOR_ID, sub_vendor);
	pci_put16(d->cfg + PCI_SUBSYSTEM_ID, sub_id);
	/*
	 * 6.2.2: the command register resets to 0 (no decoding, no bus
	 * mastering); what this function implements is writable.  Fast
	 * back-to-back, SERR#, parity and the rest are hardwired to 0.
	 */
	pci_put16(d->wmask + PCI_COMMAND, PCI_COMMAND_IO | PCI_COMMAND_MEMORY |
		  PCI_COMMAND_MASTER | PCI_COMMAND_INTX_DISABLE);
	/* 6.2.4: the interrupt line is a scratch register for software. */
	d->wmask[PCI_INTERRUPT_LINE] = 0xff;
}

void pci_dev_set_intx_pin(struct pci_dev *d)
{
	d->cfg[PCI_INTERRUPT_PIN] = 1;		/* 6.2.4: INTA# */
}

void pci_dev_set_bar(struct pci_dev *d, unsigned int bar, uint64_t size,
		     bool mem64, pci_bar_rw_fn rw)
{
	uint8_t *reg = d->cfg + PCI_BAR0 + 4 * bar;
	uint8_t *mask = d->wmask + PCI_BAR0 + 4 * bar;
	uint64_t m = ~(size - 1);

	d->bar[bar] = (struct pci_bar){ .size = size, .mem64 = mem64,
					.rw = rw };
	/*
	 * 6.2.5.1: bits 3:0 are read-only type bits (memory space, 64-bit
	 * locatable, not prefetchable: virtio's registers have side
	 * effects), and the address bits below the size are hardwired to
	 * zero, which is how software learns the size.
	 */
	pci_put32(reg, mem64 ? PCI_BAR_MEM_TYPE_64 : 0);
	pci_put32(mask, (uint32_t)m & ~0xfu);
	if (mem64) {
		pci_put32(reg + 4, 0);
		pci_put32(mask + 4, (uint32_t)(m >> 32));
	}
}

uint64_t pci_dev_bar_addr(const struct pci_dev *d, unsigned int bar)
{
	const uint8_t *reg = d->cfg + PCI_BAR0 + 4 * bar;
	uint64_t a = pci_get32(reg) & ~0xfull;

	if (d->bar[bar].mem64)
		a |= (uint64_t)pci_get32(reg + 4) << 32;
	return a;
}

void pci_dev_place_bar(struct pci_dev *d, unsigned int bar, uint64_t addr)
{
	uint8_t *reg = d->cfg + PCI_BAR0 + 4 * bar;

	pci_put32(reg, (uint32_t)(addr & ~(d->bar[bar].size - 1)) |
		  (pci_get32(reg) & 0xf));
	if (d->bar[bar].mem64)
		pci_put32(reg + 4, (uint32_t)(addr >> 32));
}

bool pci_dev_bar_decodes(const struct pci_dev *d, unsigned int bar,
			 uint64_t *base)
{
	uint64_t a = pci_dev_bar_addr(d, bar);
	uint64_t top = d->bar[bar].mem64 ? ~0ull : 0xffffffffull;

	if (!d->bar[bar].size ||
	    !(pci_get16(d->cfg + PCI_COMMAND) & PCI_COMMAND_MEMORY))
		return false;
	/* Not placed yet, or being sized (6.2.5.1): decodes nothing. */
	if (a == 0 || a > top - d->bar[bar].size + 1)
		return false;
	*base = a;
	return true;
}

unsigned int pci_dev_add_cap(struct pci_dev *d, uint8_t id, unsigned int len)
{
	unsigned int at = (d->cap_end + 3u) & ~3u;	/* 6.7: dword aligned */

	if (len < 2 || at + len > PCI_CFG_SIZE)
		return 0;
	d->cfg[at] = id;
	d->cfg[at + 1] = 0;			/* end of the list */
	if (d->cap_tail)
		d->cfg[d->cap_tail + 1] = (uint8_t)at;
	else
		d->cfg[PCI_CAPABILITY_LIST] = (uint8_t)at;
	/* 6.2.3: the status register says a list exists. */
	pci_put16(d->cfg + PCI_STATUS, pci_get16(d->cfg + PCI_STATUS) |
		  PCI_STATUS_CAP_LIST);
	d->cap_tail = (uint8_t)at;
	d->cap_end = (uint8_t)(at + len > 0xff ? 0xff : at + len);
	return at;
}

/* PCI_STATUS_INTERRUPT follows the line the device drives (6.2.3). */
static void refresh_status(struct pci_dev *d)
{
	uint16_t st = pci_get16(d->cfg + PCI_STATUS) & ~PCI_STATUS_INTERRUPT;

	if (__atomic_load_n(&d->intx, __ATOMIC_ACQUIRE))
		st |= PCI_STATUS_INTERRUPT;
	pci_put16(d->cfg + PCI_STATUS, st);
}

uint32_t pci_dev_cfg_read(struct pci_dev *d, unsigned int off,
			  unsigned int len)
{
	uint32_t v = 0;
	unsigned int i;

	if (off >= PCI_CFG_SIZE || len > PCI_CFG_SIZE - off)
		return 0xffffffffu;
	if (d->lock)
		pthread_mutex_lock(d->lock);
	refresh_status(d);
	if (d->before_read)
		d->before_read(d, off, len);
	for (i = 0; i < len; i++)
		v |= (uint32_t)d->cfg[off + i] << (8 * i);
	if (d->lock)
		pthread_mutex_unlock(d->lock);
	return v;
}

void pci_dev_cfg_write(struct pci_dev *d, unsigned int off, unsigned int len,
		       uint32_t val)
{
	unsigned int i;

	if (off >= PCI_CFG_SIZE || len > PCI_CFG_SIZE - off)
		return;
	if (d->lock)
		pthread_mutex_lock(d->lock);
	for (i = 0; i < len; i++) {
		uint8_t b = (uint8_t)(val >> (8 * i));
		uint8_t m = d->wmask[off + i], c = d->w1c[off + i];
		uint8_t *p = &d->cfg[off + i];

		*p = (uint8_t)((*p & ~m) | (b & m));
		*p &= (uint8_t)~(b & c);
	}
	if (d->after_write)
		d->after_write(d, off, len);
	if (d->lock)
		pthread_mutex_unlock(d->lock);
}
