/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A fake machine for the unit tests of the virtio-pci transport and the
 * devices behind it (unit_virtio_pci.c, unit_net.c): 1 MiB of guest RAM,
 * a PCI bus holding one virtio-pci function, and that function's BAR and
 * configuration space accessed as a driver does (little-endian, through
 * pci_bus_mmio() and configuration mechanism #1 at device 1).  No device
 * thread: the tests call virtio_pci_process_queue() where it would.
 */
#ifndef VMCTL_TESTS_VPCI_FAKE_H
#define VMCTL_TESTS_VPCI_FAKE_H

#include <stdbool.h>
#include <stdint.h>

#include "../pci/pci_bus.h"
#include "../virtio/virtio_pci.h"

#define VPCI_FAKE_RAM	(1u << 20)

/* Queue q's split rings (2.7) in the fake RAM, VPCI_QSIZE entries:
 * descriptors at VPCI_DESC(q), then the available and used rings. */
#define VPCI_QSIZE	16
#define VPCI_QUEUES	4
#define VPCI_DESC(q)	(0x10000u + (q) * 0x4000u)
#define VPCI_AVAIL(q)	(VPCI_DESC(q) + 0x1000u)
#define VPCI_USED(q)	(VPCI_DESC(q) + 0x2000u)

struct vpci_fake {
	uint8_t *ram;			/* guest physical 0 */
	struct guest_mem mem;
	struct pci_bus bus;
	struct virtio_pci vp;
	uint64_t bar;			/* where the BAR landed */
	uint16_t next_desc[VPCI_QUEUES];	/* vpci_post()'s */
};

/* One buffer of a chain: guest-physical address, length, and whether
 * the device writes it (VIRTQ_DESC_F_WRITE). */
struct vpci_seg {
	uint32_t gpa, len;
	bool write;
};

/* The RAM (false if it cannot be mapped), and its release. */
bool vpci_fake_ram(struct vpci_fake *f);
void vpci_fake_ram_free(struct vpci_fake *f);
/* Zero the RAM, build a bus with @dev behind the transport (@host->mem
 * is set to the fake's RAM) and enable its memory decoding and bus
 * mastering.  False if the transport or the bus refused. */
bool vpci_fake_plug(struct vpci_fake *f, struct virtio_device *dev,
		    struct virtio_host *host);

uint64_t vpci_rd(struct vpci_fake *f, uint64_t off, unsigned int len);
void vpci_wr(struct vpci_fake *f, uint64_t off, unsigned int len, uint64_t v);
uint32_t vpci_cfg_rd(struct vpci_fake *f, unsigned int reg, unsigned int len);
void vpci_cfg_wr(struct vpci_fake *f, unsigned int reg, unsigned int len,
		 uint32_t v);

/* A driver's start (virtio 1.2, 3.1.1): reset, ACKNOWLEDGE, DRIVER,
 * @features, FEATURES_OK; returns the status read back. */
uint8_t vpci_negotiate(struct vpci_fake *f, uint64_t features);
/* vpci_negotiate(), then queues 0..@nq-1 on fresh rings at VPCI_DESC(q)
 * with VPCI_QSIZE entries, enabled, and DRIVER_OK (3.1.1 steps 7-8). */
void vpci_driver_up(struct vpci_fake *f, uint64_t features, unsigned int nq);
/* A chain of @n segments made available on queue @q (descriptors taken
 * in order, wrapping at VPCI_QSIZE), and the queue processed as the
 * device thread would after a notification. */
void vpci_post(struct vpci_fake *f, unsigned int q, const struct vpci_seg *s,
	       unsigned int n);
/* Queue @q's used ring: its index, and entry @i's length. */
uint16_t vpci_used_idx(struct vpci_fake *f, unsigned int q);
uint32_t vpci_used_len(struct vpci_fake *f, unsigned int q, unsigned int i);

#endif /* VMCTL_TESTS_VPCI_FAKE_H */
