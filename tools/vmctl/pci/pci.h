/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A PCI function's type-0 configuration header (PCI Local Bus
 * Specification 3.0, 6.1 "Configuration Space Organization", figure 6-1)
 * and its memory BARs, as a plain buffer with per-bit write masks, so that
 * tests/unit_pci.c can size BARs and walk capability lists on the host.
 *
 * The 256 bytes are stored as the guest reads them.  A write keeps the
 * old value of every bit not in @wmask (read-only bits) and clears the
 * bits of @w1c that are written with 1 (the status register's error
 * bits, 6.2.3).  BARs need no special case: their low address bits and
 * type bits are read-only, so writing all-ones leaves the size mask the
 * guest reads back (6.2.5.1 "Address Maps").
 *
 * Locking: the machine's lock serialises configuration cycles.  A
 * device whose threads read its configuration registers too (virtio_pci.c:
 * the MSI-X enable bit, the command register) sets @lock, which is then
 * held around every configuration access, hooks included.
 */
#ifndef VMCTL_PCI_H
#define VMCTL_PCI_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#define PCI_CFG_SIZE		256
#define PCI_NUM_BARS		6
#define PCI_SLOTS		32

/* Header offsets (PCI 3.0, 6.1, figure 6-1). */
#define PCI_VENDOR_ID		0x00
#define PCI_DEVICE_ID		0x02
#define PCI_COMMAND		0x04
#define PCI_STATUS		0x06
#define PCI_REVISION_ID		0x08
#define PCI_CLASS_PROG		0x09
#define PCI_CLASS_DEVICE	0x0a	/* sub-class, base class */
#define PCI_HEADER_TYPE		0x0e
#define PCI_BAR0		0x10
#define PCI_SUBSYSTEM_VENDOR_ID	0x2c
#define PCI_SUBSYSTEM_ID	0x2e
#define PCI_CAPABILITY_LIST	0x34
#define PCI_INTERRUPT_LINE	0x3c
#define PCI_INTERRUPT_PIN	0x3d
#define PCI_STD_HEADER_END	0x40	/* capabilities start here */

/* Command register bits (6.2.2). */
#define PCI_COMMAND_IO		0x0001
#define PCI_COMMAND_MEMORY	0x0002
#define PCI_COMMAND_MASTER	0x0004
#define PCI_COMMAND_INTX_DISABLE 0x0400
/* Status register bits (6.2.3). */
#define PCI_STATUS_INTERRUPT	0x0008	/* RO: INTx asserted */
#define PCI_STATUS_CAP_LIST	0x0010	/* RO: capability list at 0x34 */
/* Memory BAR type bits (6.2.5.1). */
#define PCI_BAR_MEM_TYPE_64	0x4
#define PCI_BAR_MEM_PREFETCH	0x8

/* Capability IDs (PCI 3.0 appendix H). */
#define PCI_CAP_ID_MSIX		0x11
#define PCI_CAP_ID_VNDR		0x09

struct pci_dev;

/*
 * A memory BAR's registers: an access of @len bytes (1, 2, 4 or 8) at
 * @offset inside the BAR, which lies wholly inside it.  Reads fill @data
 * (little-endian); unused bytes are all-ones.
 */
typedef void (*pci_bar_rw_fn)(struct pci_dev *d, unsigned int bar,
			      uint64_t offset, bool is_write, uint8_t *data,
			      unsigned int len);

struct pci_bar {
	uint64_t size;		/* power of two, at least 16; 0: unused */
	bool mem64;		/* a 64-bit BAR: this slot and the next */
	pci_bar_rw_fn rw;
};

struct pci_dev {
	uint8_t cfg[PCI_CFG_SIZE];
	uint8_t wmask[PCI_CFG_SIZE];	/* guest-writable bits */
	uint8_t w1c[PCI_CFG_SIZE];	/* write-1-to-clear bits */
	struct pci_bar bar[PCI_NUM_BARS];
	uint8_t cap_tail;		/* last capability added, 0: none */
	uint8_t cap_end;		/* first free byte after the caps */
	unsigned int slot;		/* device number on bus 0 */
	unsigned int gsi;		/* I/O APIC input of INTA# */
	bool intx;			/* INTx# level: atomic */
	pthread_mutex_t *lock;		/* optional, see above */
	void *opaque;
	/*
	 * Optional: after a configuration write has been stored (the
	 * register bytes already hold the new value), and before a read
	 * (to refresh what the guest is about to see); @lock held.
	 */
	void (*after_write)(struct pci_dev *d, unsigned int off,
			    unsigned int len);
	void (*before_read)(struct pci_dev *d, unsigned int off,
			    unsigned int len);
};

/* A type-0 header: IDs, revision, class code (base << 16 | sub << 8 |
 * prog-if); everything else zero and read-only except the command
 * register's I/O, memory, bus-master and INTx-disable bits and the
 * interrupt line. */
void pci_dev_init(struct pci_dev *d, uint16_t vendor, uint16_t device,
		  uint8_t revision, uint32_t class_code, uint16_t sub_vendor,
		  uint16_t sub_id);
/* INTA# on this function (interrupt pin register 1). */
void pci_dev_set_intx_pin(struct pci_dev *d);
/* Declare memory BAR @bar of @size bytes (a power of two >= 16). */
void pci_dev_set_bar(struct pci_dev *d, unsigned int bar, uint64_t size,
		     bool mem64, pci_bar_rw_fn rw);
/* Put @addr in BAR @bar (vmctl plays firmware: 6.2.5.1's assignment). */
void pci_dev_place_bar(struct pci_dev *d, unsigned int bar, uint64_t addr);
/* The BAR's current base address, whatever the command register says. */
uint64_t pci_dev_bar_addr(const struct pci_dev *d, unsigned int bar);
/* True with @base set when memory decoding is on and BAR @bar is
 * placed (not zero, not all-ones being sized). */
bool pci_dev_bar_decodes(const struct pci_dev *d, unsigned int bar,
			 uint64_t *base);
/*
 * Append a capability of @len bytes (ID, next pointer, then @len - 2
 * bytes, read-only unless the caller sets wmask) to the list (6.7);
 * returns its offset, or 0 if it does not fit.
 */
unsigned int pci_dev_add_cap(struct pci_dev *d, uint8_t id, unsigned int len);

/* Configuration cycles of @len (1, 2, 4) bytes at @off, not crossing a
 * dword (mechanism #1 cannot express one). */
uint32_t pci_dev_cfg_read(struct pci_dev *d, unsigned int off,
			  unsigned int len);
void pci_dev_cfg_write(struct pci_dev *d, unsigned int off, unsigned int len,
		       uint32_t val);

/* Little-endian helpers on the configuration bytes. */
static inline uint16_t pci_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t pci_get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static inline void pci_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static inline void pci_put32(uint8_t *p, uint32_t v)
{
	pci_put16(p, (uint16_t)v);
	pci_put16(p + 2, (uint16_t)(v >> 16));
}

#endif /* VMCTL_PCI_H */
