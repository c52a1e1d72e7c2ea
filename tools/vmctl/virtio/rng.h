/* SPDX-License-Identifier: GPL-2.0 */
/*
 * virtio-rng, the entropy device (virtio 1.2, 5.4): one request queue,
 * no feature bits, no configuration space; each request's device-
 * writable buffers are filled from the host's getrandom().
 */
#ifndef VMCTL_VIRTIO_RNG_H
#define VMCTL_VIRTIO_RNG_H

#include "virtio_pci.h"

/* Bytes given per request at most (5.4.6.1: the device may use less
 * than the whole buffer), so that one huge buffer cannot hold the
 * device thread. */
#define VIRTIO_RNG_MAX_PER_REQ	(64u << 10)

/* The device for virtio_pci_init(). */
void virtio_rng_device(struct virtio_device *dev);
/* Fill @req's in[] (up to VIRTIO_RNG_MAX_PER_REQ bytes) and complete it. */
void virtio_rng_submit(void *opaque, unsigned int queue,
		       struct virtio_req *req);

#endif /* VMCTL_VIRTIO_RNG_H */
