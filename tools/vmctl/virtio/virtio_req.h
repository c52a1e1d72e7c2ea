/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The contract between a virtio transport (which pops requests off its
 * virtqueues) and a device backend (which executes them).
 */
#ifndef VMCTL_VIRTIO_REQ_H
#define VMCTL_VIRTIO_REQ_H

#include <stdint.h>
#include <sys/uio.h>

/* One request popped from a virtqueue: the driver-readable buffers first,
 * then the device-writable ones (virtio 1.2, 2.7.4 / 2.7.13).  The device
 * calls complete() exactly once, from any thread, with the number of bytes
 * it wrote into in[]. */
struct virtio_req {
	struct iovec *out; unsigned int nout;	/* device reads these */
	struct iovec *in;  unsigned int nin;	/* device writes these */
	void (*complete)(struct virtio_req *req, uint32_t written);
	void *opaque;				/* transport's */
};

#endif /* VMCTL_VIRTIO_REQ_H */
