/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the virtio-blk backend's files share: the device state (blk.c),
 * request execution (blk_req.c) and the worker pool (blk_worker.c).
 */
#ifndef VMCTL_VIRTIO_BLK_INT_H
#define VMCTL_VIRTIO_BLK_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <linux/virtio_blk.h>

#include "blk.h"

struct vblk_job {
	struct vblk_job *next;
	struct virtio_req *req;
};

struct vblk {
	int fd;
	bool readonly;
	bool is_blkdev;
	uint64_t capacity;		/* in 512-byte sectors */
	unsigned int num_queues;
	char serial[VIRTIO_BLK_ID_BYTES];	/* not NUL-terminated */

	/* Discard and write zeroes: what is offered, what works so far. */
	bool offer_discard;
	bool offer_write_zeroes;
	uint32_t discard_align;		/* sectors */
	atomic_bool punch_ok;		/* FALLOC_FL_PUNCH_HOLE */
	atomic_bool zero_range_ok;	/* FALLOC_FL_ZERO_RANGE */

	/* Flushes run one at a time; a failed sync fails all later ones. */
	pthread_mutex_t flush_lock;
	bool sync_failed;

	/* Worker pool: a FIFO of submitted requests. */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct vblk_job *head, **tail;
	bool stopping;
	unsigned int nworkers;
	pthread_t workers[VBLK_WORKERS];
};

/* blk_req.c: execute @req and complete it. */
void vblk_handle(struct vblk *vb, struct virtio_req *req);
/* blk_req.c: complete @req with VIRTIO_BLK_S_IOERR without executing it. */
void vblk_reject(struct virtio_req *req);

/* blk_worker.c */
int vblk_workers_start(struct vblk *vb);
void vblk_workers_stop(struct vblk *vb);

#endif /* VMCTL_VIRTIO_BLK_INT_H */
