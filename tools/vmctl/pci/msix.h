/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The MSI-X capability of a PCI function (PCI Local Bus Specification
 * 3.0, 6.8.2 "MSI-X Capability and Table Structures"): Message Control
 * (table size, function mask, enable), the table of 16-byte entries
 * (message address, upper address, data, vector control with its mask
 * bit) and the pending bit array, both in a memory BAR.
 *
 * msix_notify() is what the device calls to signal vector N: delivered
 * through @send when MSI-X is enabled and neither the function nor the
 * entry is masked, else the vector's pending bit is set (6.8.3.5 "Per-
 * vector Masking and Function Masking"), and delivered when the mask
 * goes away.  Whoever owns the function serialises calls (virtio_pci.c:
 * its device lock).
 */
#ifndef VMCTL_MSIX_H
#define VMCTL_MSIX_H

#include <stdbool.h>
#include <stdint.h>

#include "pci.h"

#define MSIX_MAX_VECTORS	64
#define MSIX_ENTRY_SIZE		16
#define MSIX_CAP_LEN		12
/* Message Control (6.8.2.3). */
#define MSIX_CTRL_SIZE_MASK	0x07ff		/* table size - 1 */
#define MSIX_CTRL_MASKALL	0x4000
#define MSIX_CTRL_ENABLE	0x8000
/* Vector Control (6.8.2.9). */
#define MSIX_ENTRY_MASKED	0x1

typedef void (*msix_send_fn)(void *opaque, unsigned int vector,
			     uint64_t address, uint32_t data);

struct msix_entry {
	uint32_t addr_lo, addr_hi, data, ctrl;
};

struct msix {
	struct pci_dev *dev;
	unsigned int cap;		/* offset in configuration space */
	unsigned int nvec;
	unsigned int bar;
	uint32_t table_off, pba_off;	/* in the BAR */
	struct msix_entry entry[MSIX_MAX_VECTORS];
	uint64_t pending;		/* PBA, bit per vector */
	msix_send_fn send;
	void *opaque;
};

/* Add the capability to @d: @nvec vectors (1..64), table at @table_off
 * and PBA at @pba_off of BAR @bar (both 8-byte aligned, 6.8.2.4/6.8.2.5).
 * Every entry starts masked (6.8.2.9).  -1 if the capability does not fit. */
int msix_init(struct msix *m, struct pci_dev *d, unsigned int nvec,
	      unsigned int bar, uint32_t table_off, uint32_t pba_off,
	      msix_send_fn send, void *opaque);
/* Reset state: disabled, every entry masked, nothing pending. */
void msix_reset(struct msix *m);
bool msix_enabled(const struct msix *m);
/* Vector @vec exists and would be delivered now. */
bool msix_vector_unmasked(const struct msix *m, unsigned int vec);
/* Signal @vec (see above).  False if MSI-X is disabled or @vec is not a
 * vector of the table: the caller falls back to INTx. */
bool msix_notify(struct msix *m, unsigned int vec);
/* After a configuration write that touched Message Control. */
void msix_control_written(struct msix *m);
/* True if [@off, @off + @len) of BAR @bar is the table or the PBA. */
bool msix_claims(const struct msix *m, unsigned int bar, uint64_t off,
		 unsigned int len);
/* An access to the table or PBA (msix_claims() said yes).  6.8.2: the
 * table takes dword and qword accesses; others read all-ones and are
 * dropped. */
void msix_bar_rw(struct msix *m, uint64_t off, bool is_write, uint8_t *data,
		 unsigned int len);

#endif /* VMCTL_MSIX_H */
