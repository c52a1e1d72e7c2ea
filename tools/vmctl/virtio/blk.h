/* SPDX-License-Identifier: GPL-2.0 */
/*
 * virtio-blk device backend (virtio 1.2, 5.2 "Block Device") on a raw
 * image file or a block device, independent of the transport: the
 * transport offers vblk_features() (plus VIRTIO_F_VERSION_1, its own),
 * exposes vblk_config() as the device configuration space, creates
 * vblk_num_queues() request queues and hands every request it pops to
 * vblk_submit(), which returns at once; host worker threads execute the
 * request and call its complete().
 */
#ifndef VMCTL_VIRTIO_BLK_H
#define VMCTL_VIRTIO_BLK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "virtio_req.h"

#define VBLK_SECTOR_SIZE	512	/* protocol unit, 5.2.4 */
#define VBLK_MAX_QUEUES		64
/*
 * seg_max offered (5.2.3): data buffers per request.  A driver without
 * indirect descriptors puts header, data and status in one chain, so the
 * transport's queues must have at least VBLK_SEG_MAX + 2 descriptors.
 */
#define VBLK_SEG_MAX		126
#define VBLK_WORKERS		4	/* requests executed at once */
/* Per-segment and per-request limits offered for discard and write zeroes. */
#define VBLK_MAX_DISCARD_SECTORS	(1u << 22)	/* 2 GiB */
#define VBLK_MAX_DISCARD_SEG		16
#define VBLK_MAX_WRITE_ZEROES_SECTORS	(1u << 22)
#define VBLK_MAX_WRITE_ZEROES_SEG	16

struct vblk;

/*
 * Open a raw image (a regular file whose size is a multiple of 512, or a
 * block device) and take its advisory lock: shared for @readonly, else
 * exclusive, so that two vmctl processes never write one image.  NULL
 * with a one-line reason in @err on failure.
 */
struct vblk *vblk_open(const char *path, bool readonly, char *err,
		       size_t errlen);

/*
 * Number of request queues (5.2.2), 1 by default; more (one per vCPU)
 * offers VIRTIO_BLK_F_MQ.  Call before the driver sees features or config.
 * Returns 0, or -1 if @n is 0 or above VBLK_MAX_QUEUES.
 */
int vblk_set_num_queues(struct vblk *vb, unsigned int n);
unsigned int vblk_num_queues(const struct vblk *vb);

/* Device feature bits offered (5.2.3), without VIRTIO_F_VERSION_1. */
uint64_t vblk_features(const struct vblk *vb);

/*
 * struct virtio_blk_config (5.2.4), little-endian: vblk_config() writes
 * @len bytes (zeroes past the end of the structure).
 */
size_t vblk_config_size(void);
void vblk_config(const struct vblk *vb, uint8_t *cfg, size_t len);

/*
 * Queue @req, popped from request queue @queue, for execution.  Never
 * blocks on I/O; req->complete() runs exactly once, on a worker thread
 * (or, when the request cannot even be queued, on the caller's).
 */
void vblk_submit(struct vblk *vb, unsigned int queue, struct virtio_req *req);

/* Wait for every submitted request to complete, then free everything. */
void vblk_close(struct vblk *vb);

#endif /* VMCTL_VIRTIO_BLK_H */
