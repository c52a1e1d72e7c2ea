/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Receive buffers a device holds until its host side has input for them,
 * and the thread that waits for that input: what virtio-net (frames from
 * a tap) and virtio-console (bytes from a pty) share.
 *
 * The driver makes device-writable buffers available ahead of time
 * (virtio-net's receiveq, 5.1.6.3; virtio-console's receiveq, 5.3.6.1);
 * the transport's device thread hands each to the device's submit(),
 * which only appends it here (held_rx_add(), FIFO, up to @size).  The
 * thread polls the host fd only while buffers are held -- with none, the
 * input stays in the host's own queue (the tap's, the pty's) instead of
 * being read and dropped -- and calls the device's drain() when the fd
 * is readable; drain() takes the oldest buffer (held_rx_take()), fills
 * and completes it, or puts it back (held_rx_give_back()).
 *
 * Reset: the transport's cancel() is held_rx_cancel() -- every held
 * buffer completed with 0 bytes (the transport drops those), new ones
 * refused -- until the device's reset() calls held_rx_reset().
 */
#ifndef VMCTL_VIRTIO_HELD_RX_H
#define VMCTL_VIRTIO_HELD_RX_H

#include <pthread.h>
#include <stdbool.h>

#include "virtio_req.h"

struct held_rx {
	pthread_mutex_t lock;
	struct virtio_req **req;	/* ring of @size, oldest at @head */
	unsigned int size, head, count;	/* @lock */
	bool cancelled;			/* @lock: between cancel and reset */
	int fd;				/* host input to poll */
	void (*drain)(void *opaque);	/* @fd readable, buffers held */
	void *opaque;
	int wake_fd;			/* eventfd: a first buffer, or stop */
	bool stopping;			/* atomic */
	bool thread_started;
	pthread_t thread;
};

/* 0, or -1 with errno.  @fd is polled once the thread runs. */
int held_rx_init(struct held_rx *h, unsigned int size, int fd,
		 void (*drain)(void *opaque), void *opaque);
/* Hold @req (submit()); a full ring or a reset under way completes it
 * with 0 bytes instead. */
void held_rx_add(struct held_rx *h, struct virtio_req *req);
/* The oldest held buffer, NULL if none (or cancelled). */
struct virtio_req *held_rx_take(struct held_rx *h);
/* A taken buffer that was not used: back to the front (completed with 0
 * bytes if a reset came meanwhile). */
void held_rx_give_back(struct held_rx *h, struct virtio_req *req);
/* Buffers held now (tests, statistics). */
unsigned int held_rx_count(struct held_rx *h);
void held_rx_cancel(struct held_rx *h);
void held_rx_reset(struct held_rx *h);
/* Start the thread, all signals blocked in it.  0, or -1 with errno. */
int held_rx_start(struct held_rx *h);
/* Stop and join the thread, complete what is held, free; @fd is the
 * caller's to close. */
void held_rx_destroy(struct held_rx *h);

#endif /* VMCTL_VIRTIO_HELD_RX_H */
