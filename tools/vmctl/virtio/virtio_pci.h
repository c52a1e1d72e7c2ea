/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The virtio-pci modern transport (virtio 1.2, 4.1): a PCI function with
 * the virtio vendor capabilities, one 64-bit memory BAR holding the
 * common configuration, ISR status, device configuration, notification
 * and MSI-X structures, split virtqueues (virtqueue.h), and a device
 * thread that serves the queues.
 *
 * A device model plugs in with a struct virtio_device: its virtio device
 * ID (chapter 5), its feature bits (the transport adds VIRTIO_F_VERSION_1,
 * VIRTIO_F_INDIRECT_DESC and VIRTIO_F_RING_EVENT_IDX), its queues, its
 * configuration space, and submit(), which receives every chain the
 * driver makes available as a struct virtio_req (virtio_req.h) and must
 * call req->complete() exactly once, from any thread, now or later.
 * The machine plugs in with a struct virtio_host: how to reach guest RAM
 * and the interrupt controllers.
 *
 * Threads and locks (docs/virtio.md):
 *  - vCPU threads reach the BAR and configuration space through MMIO and
 *    port exits, holding the machine's lock; the transport then takes
 *    @lock.  Order: machine lock, @lock, a queue's lock.
 *  - The device thread waits in poll() on each queue's notify eventfd
 *    (registered as an ioeventfd, or written by the MMIO exit when the
 *    kernel cannot) and on @wake_fd; it pops chains and submits them with
 *    no lock held, and it is the one that tells the machine an INTx line
 *    changed (host->intx_changed() takes the machine's lock).
 *  - complete() pushes to the used ring under the queue's lock, then
 *    raises the interrupt under @lock (MSI-X through an irqfd or
 *    SVMHV_SIGNAL_MSI; INTx through the device thread).  It never takes
 *    the machine's lock, so a reset -- which waits, under the machine's
 *    lock, for every request out with the device -- cannot deadlock.
 */
#ifndef VMCTL_VIRTIO_PCI_H
#define VMCTL_VIRTIO_PCI_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../pci/msix.h"
#include "../pci/pci.h"
#include "guest_mem.h"
#include "virtio_req.h"
#include "virtqueue.h"

/* Device IDs (5, table "Device Types"). */
#define VIRTIO_ID_NET		1
#define VIRTIO_ID_BLOCK		2
#define VIRTIO_ID_CONSOLE	3
#define VIRTIO_ID_ENTROPY	4

/* Reserved feature bits (6). */
#define VIRTIO_F_INDIRECT_DESC	28
#define VIRTIO_F_RING_EVENT_IDX	29
#define VIRTIO_F_VERSION_1	32

/* Device status bits (2.1). */
#define VIRTIO_STATUS_ACKNOWLEDGE	1
#define VIRTIO_STATUS_DRIVER		2
#define VIRTIO_STATUS_DRIVER_OK		4
#define VIRTIO_STATUS_FEATURES_OK	8
#define VIRTIO_STATUS_NEEDS_RESET	0x40
#define VIRTIO_STATUS_FAILED		0x80

/* 4.1.4.3 / 4.1.5.1.2: "no vector". */
#define VIRTIO_MSI_NO_VECTOR	0xffff

#define VIRTIO_PCI_MAX_QUEUES	(MSIX_MAX_VECTORS - 1)
#define VIRTIO_PCI_MAX_CONFIG	0x1000

/* The BAR (BAR 0, 64-bit): one 4 KiB page per structure. */
#define VIRTIO_PCI_BAR		0
#define VIRTIO_PCI_BAR_SIZE	0x8000
#define VIRTIO_PCI_COMMON	0x0000
#define VIRTIO_PCI_COMMON_LEN	0x38	/* 4.1.4.3, up to queue_device */
#define VIRTIO_PCI_ISR		0x1000
#define VIRTIO_PCI_DEVICE	0x2000
#define VIRTIO_PCI_NOTIFY	0x3000
#define VIRTIO_PCI_NOTIFY_MULT	4	/* notify_off_multiplier */
#define VIRTIO_PCI_MSIX_TABLE	0x4000
#define VIRTIO_PCI_MSIX_PBA	0x5000

/* Common configuration registers (4.1.4.3). */
#define VPCI_DFSELECT		0x00
#define VPCI_DF			0x04
#define VPCI_GFSELECT		0x08
#define VPCI_GF			0x0c
#define VPCI_MSIX_CONFIG	0x10
#define VPCI_NUM_QUEUES		0x12
#define VPCI_STATUS		0x14
#define VPCI_CFG_GENERATION	0x15
#define VPCI_Q_SELECT		0x16
#define VPCI_Q_SIZE		0x18
#define VPCI_Q_MSIX		0x1a
#define VPCI_Q_ENABLE		0x1c
#define VPCI_Q_NOFF		0x1e
#define VPCI_Q_DESC		0x20
#define VPCI_Q_DRIVER		0x28
#define VPCI_Q_DEVICE		0x30

/* Vendor capability types (4.1.4). */
#define VIRTIO_PCI_CAP_COMMON_CFG	1
#define VIRTIO_PCI_CAP_NOTIFY_CFG	2
#define VIRTIO_PCI_CAP_ISR_CFG		3
#define VIRTIO_PCI_CAP_DEVICE_CFG	4
#define VIRTIO_PCI_CAP_PCI_CFG		5

/* What a device model gives the transport. */
struct virtio_device {
	const char *name;
	uint16_t device_id;		/* chapter 5 */
	uint64_t features;		/* device-specific bits offered */
	unsigned int num_queues;	/* 1..VIRTIO_PCI_MAX_QUEUES */
	uint16_t queue_size;		/* per queue, power of 2 */
	size_t config_size;		/* bytes, <= VIRTIO_PCI_MAX_CONFIG */
	void *opaque;
	/* Fill @len bytes of device configuration space (may be NULL when
	 * config_size is 0).  Called under the transport's lock. */
	void (*get_config)(void *opaque, uint8_t *cfg, size_t len);
	/* A chain from queue @queue; see the top of this file. */
	void (*submit)(void *opaque, unsigned int queue,
		       struct virtio_req *req);
	/* Optional: the driver reset the device (2.4), after every
	 * submitted request completed. */
	void (*reset)(void *opaque);
	/* Optional: the driver sets FEATURES_OK with @features, a subset
	 * of what was offered (3.1.1 step 5).  0 accepts them; anything
	 * else leaves FEATURES_OK clear (step 6: "the device does not
	 * support our subset").  Called under the transport's lock. */
	int (*features_ok)(void *opaque, uint64_t features);
	/* Optional, for a device that holds requests until an outside
	 * event (virtio-net's receive buffers wait for a packet): a reset
	 * began.  The device completes every request it holds, now or
	 * soon from its own thread, and every one submitted until reset()
	 * (a pop may race with the reset); the transport waits for them.
	 * Called with no transport lock held, so it may complete here. */
	void (*cancel)(void *opaque);
};

/* What the machine gives the transport. */
struct virtio_host {
	void *opaque;
	const struct guest_mem *mem;
	/* SVMHV_SIGNAL_MSI; any thread. */
	int (*signal_msi)(void *opaque, uint64_t address, uint32_t data);
	/* SVMHV_IOEVENTFD (MMIO, len bytes, any value) / SVMHV_IRQFD; NULL
	 * when the kernel lacks them.  0 or -1. */
	int (*ioeventfd)(void *opaque, uint64_t addr, unsigned int len,
			 int fd, bool assign);
	int (*irqfd)(void *opaque, int fd, uint64_t address, uint32_t data,
		     bool assign);
	/* An INTx line (pci_dev.intx) changed: called by the device thread
	 * with no transport lock held; takes the machine's lock. */
	void (*intx_changed)(void *opaque);
	/* Optional: one line for the user (queue broken and the like). */
	void (*log)(void *opaque, const char *text);
};

struct virtio_pci_queue {
	struct virtq vq;
	uint16_t msix_vector;
	int kick_fd;			/* eventfd: the driver notified */
	uint64_t ioeventfd_addr;	/* registered there, 0: not */
};

struct virtio_pci_irq {
	int fd;				/* eventfd, -1 until needed */
	bool assigned;
	uint64_t address;
	uint32_t data;
};

struct virtio_pci {
	struct pci_dev pci;		/* machine lock */
	struct msix msix;		/* @lock */
	struct virtio_device dev;
	struct virtio_host host;
	pthread_mutex_t lock;
	pthread_cond_t idle;		/* @inflight reached 0 */
	/* Common configuration, @lock. */
	uint32_t dfselect, gfselect;
	uint64_t offered, driver_features;
	uint8_t status;
	uint8_t config_generation;
	uint16_t queue_select;
	uint16_t msix_config;
	uint8_t isr;			/* 4.1.4.5 */
	bool resetting;
	unsigned int inflight;		/* requests out with the device */
	unsigned int cfg_cap;		/* VIRTIO_PCI_CAP_PCI_CFG offset */
	struct virtio_pci_queue q[VIRTIO_PCI_MAX_QUEUES];
	struct virtio_pci_irq irq[MSIX_MAX_VECTORS];
	/* Device thread. */
	int wake_fd;
	bool intx_dirty;		/* atomic */
	bool stopping;			/* atomic */
	bool thread_started;
	pthread_t thread;
	/* Statistics, atomic. */
	uint64_t notifies, requests, interrupts;
};

/* Set up the function for @dev on @host (no thread yet).  -1 if @dev
 * asks for more than the transport offers or eventfds cannot be made. */
int virtio_pci_init(struct virtio_pci *vp, const struct virtio_device *dev,
		    const struct virtio_host *host);
/* Start the device thread.  0, or -1 with errno. */
int virtio_pci_start(struct virtio_pci *vp);
/* Stop the device thread (idempotent).  A device whose requests complete
 * on threads of its own is closed after this and before destroy. */
void virtio_pci_stop(struct virtio_pci *vp);
/* Stop the thread, drop the kernel registrations, free everything. */
void virtio_pci_destroy(struct virtio_pci *vp);
/* The device's configuration changed: new generation, interrupt
 * (4.1.5.4).  Any thread. */
void virtio_pci_config_changed(struct virtio_pci *vp);
/* Serve every queue that has work, as the device thread does after a
 * notification (for tests, which run no thread). */
void virtio_pci_process_queue(struct virtio_pci *vp, unsigned int queue);

#endif /* VMCTL_VIRTIO_PCI_H */
