/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The device side of a split virtqueue (virtio 1.2, 2.7): descriptor
 * table, available ring and used ring in guest RAM, mapped once when the
 * driver enables the queue.  virtq_pop() takes the next available chain,
 * checks it completely and hands it out as a struct virtio_req whose
 * iovecs point into guest RAM; virtq_push() returns it through the used
 * ring and says whether the driver wants an interrupt for it.
 *
 * Every descriptor is copied out of guest RAM once before it is used, so
 * a driver rewriting the table under our feet can only make a chain
 * malformed, never make us read or write outside guest RAM.  A malformed
 * chain leaves the queue broken (VQ_ERR_*; the transport then asks for a
 * reset, virtio 1.2, 2.1.2) and nothing more is popped from it.
 *
 * Locking: @lock protects everything here; virtq_pop(), virtq_push() and
 * virtq_arm() expect it held.  Requests are handed to the device with it
 * released, so a device may complete from the submitting thread.
 * x86 only: the rings are little-endian, as the host.
 */
#ifndef VMCTL_VIRTQUEUE_H
#define VMCTL_VIRTQUEUE_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "guest_mem.h"
#include "virtio_req.h"

/* 2.7.5 descriptor flags. */
#define VIRTQ_DESC_F_NEXT	1
#define VIRTQ_DESC_F_WRITE	2
#define VIRTQ_DESC_F_INDIRECT	4
/* 2.7.6 / 2.7.8 ring flags. */
#define VIRTQ_AVAIL_F_NO_INTERRUPT 1
#define VIRTQ_USED_F_NO_NOTIFY	1
/* 2.7: "The maximum Queue Size value is 32768". */
#define VIRTQ_MAX_SIZE		32768
/* Longest indirect table accepted (vmctl's limit; Linux uses at most
 * one entry per scatterlist element). */
#define VIRTQ_MAX_INDIRECT	1024

enum virtq_result {
	VQ_OK = 0,
	VQ_EMPTY,		/* nothing available */
	VQ_ERR_NOT_READY,	/* queue not enabled, or broken */
	VQ_ERR_SIZE,		/* Queue Size 0, not a power of 2, too big */
	VQ_ERR_AVAIL_IDX,	/* avail->idx more than Queue Size ahead */
	VQ_ERR_HEAD,		/* head index out of range */
	VQ_ERR_NEXT,		/* next index out of range */
	VQ_ERR_CHAIN_LONG,	/* longer than its table: a loop */
	VQ_ERR_INDIRECT_FEATURE, /* INDIRECT without the feature */
	VQ_ERR_INDIRECT_NEXT,	/* INDIRECT with NEXT */
	VQ_ERR_INDIRECT_NESTED,	/* INDIRECT inside an indirect table */
	VQ_ERR_INDIRECT_LEN,	/* 0, not a multiple of 16, or too long */
	VQ_ERR_WRITE_ORDER,	/* device-readable after device-writable */
	VQ_ERR_ADDR,		/* buffer or table not inside guest RAM */
	VQ_ERR_TOO_BIG,		/* more than 2^32 bytes in all */
	VQ_ERR_NOMEM,		/* host out of memory */
};

struct virtq;

/* One popped chain: what the device gets, and what the transport needs
 * to return it. */
struct virtq_elem {
	struct virtio_req req;
	struct virtq *q;
	uint16_t head;
	uint32_t in_len;	/* bytes the device may write */
	struct iovec iov[];	/* out[] then in[] */
};

struct virtq {
	pthread_mutex_t lock;
	const struct guest_mem *mem;
	uint16_t num_max;	/* what the device offers */
	/* Set by the transport while the queue is disabled. */
	uint16_t num;
	uint64_t desc_gpa, avail_gpa, used_gpa;
	bool event_idx;		/* VIRTIO_F_RING_EVENT_IDX negotiated */
	bool indirect;		/* VIRTIO_F_INDIRECT_DESC negotiated */
	/* State while enabled. */
	bool ready;
	bool broken;
	enum virtq_result error;	/* why it broke */
	const uint8_t *desc;
	uint8_t *avail, *used;
	uint16_t last_avail;	/* next avail ring entry to pop */
	uint16_t used_idx;	/* our copy of used->idx */
	struct iovec *scratch;	/* num + VIRTQ_MAX_INDIRECT */
	unsigned int popped;	/* chains out with the device */
};

void virtq_init(struct virtq *q, const struct guest_mem *mem,
		uint16_t num_max);
void virtq_destroy(struct virtq *q);
/* Back to the reset state (2.4): disabled, size num_max, addresses 0. */
void virtq_reset(struct virtq *q);
/* Enable with the size and addresses set: VQ_OK, or why not (the queue
 * is then broken). */
enum virtq_result virtq_enable(struct virtq *q);
/* Take the next available chain.  VQ_OK with *@out set (to be given back
 * with virtq_push()), VQ_EMPTY, or an error that broke the queue. */
enum virtq_result virtq_pop(struct virtq *q, struct virtq_elem **out);
/* Return @e with @written bytes written (clamped to what it allowed) to
 * the used ring and free it.  True if the driver wants an interrupt
 * (2.7.7: VIRTQ_AVAIL_F_NO_INTERRUPT or used_event).  A queue no longer
 * enabled only frees @e. */
bool virtq_push(struct virtq *q, struct virtq_elem *e, uint32_t written);
/* Drop @e without using it (the queue was reset meanwhile). */
void virtq_discard(struct virtq *q, struct virtq_elem *e);
/* Before the device waits for the next notification: with EVENT_IDX,
 * publish avail_event (2.7.10).  True if more chains arrived meanwhile,
 * so the caller pops again instead of sleeping. */
bool virtq_arm(struct virtq *q);
/* A readable name for @r. */
const char *virtq_strerror(enum virtq_result r);

#endif /* VMCTL_VIRTQUEUE_H */
