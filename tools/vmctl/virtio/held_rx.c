// SPDX-License-Identifier: GPL-2.0
/*
 * Held receive buffers and their input thread (see held_rx.h).
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "held_rx.h"

static void wake(struct held_rx *h)
{
	uint64_t one = 1;

	if (h->wake_fd >= 0 && write(h->wake_fd, &one, sizeof(one)) < 0)
		return;	/* counter full: already awake */
}

int held_rx_init(struct held_rx *h, unsigned int size, int fd,
		 void (*drain)(void *opaque), void *opaque)
{
	memset(h, 0, sizeof(*h));
	h->wake_fd = -1;
	pthread_mutex_init(&h->lock, NULL);
	h->size = size;
	h->fd = fd;
	h->drain = drain;
	h->opaque = opaque;
	h->req = calloc(size, sizeof(*h->req));
	h->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (!h->req || h->wake_fd < 0)
		return -1;
	return 0;
}

void held_rx_add(struct held_rx *h, struct virtio_req *req)
{
	bool first;

	pthread_mutex_lock(&h->lock);
	if (h->cancelled || h->count == h->size) {
		pthread_mutex_unlock(&h->lock);
		req->complete(req, 0);
		return;
	}
	h->req[(h->head + h->count) % h->size] = req;
	first = ++h->count == 1;
	pthread_mutex_unlock(&h->lock);
	if (first)
		wake(h);
}

struct virtio_req *held_rx_take(struct held_rx *h)
{
	struct virtio_req *req = NULL;

	pthread_mutex_lock(&h->lock);
	if (h->count && !h->cancelled) {
		req = h->req[h->head];
		h->head = (h->head + 1) % h->size;
		h->count--;
	}
	pthread_mutex_unlock(&h->lock);
	return req;
}

void held_rx_give_back(struct held_rx *h, struct virtio_req *req)
{
	pthread_mutex_lock(&h->lock);
	if (h->cancelled) {
		pthread_mutex_unlock(&h->lock);
		req->complete(req, 0);
		return;
	}
	h->head = (h->head + h->size - 1) % h->size;
	h->req[h->head] = req;
	h->count++;
	pthread_mutex_unlock(&h->lock);
}

unsigned int held_rx_count(struct held_rx *h)
{
	unsigned int n;

	pthread_mutex_lock(&h->lock);
	n = h->count;
	pthread_mutex_unlock(&h->lock);
	return n;
}

void held_rx_cancel(struct held_rx *h)
{
	struct virtio_req *req;

	pthread_mutex_lock(&h->lock);
	h->cancelled = true;
	while (h->count) {
		req = h->req[h->head];
		h->head = (h->head + 1) % h->size;
		h->count--;
		pthread_mutex_unlock(&h->lock);
		req->complete(req, 0);
		pthread_mutex_lock(&h->lock);
	}
	pthread_mutex_unlock(&h->lock);
}

void held_rx_reset(struct held_rx *h)
{
	pthread_mutex_lock(&h->lock);
	h->cancelled = false;
	pthread_mutex_unlock(&h->lock);
}

static void *thread_main(void *arg)
{
	struct held_rx *h = arg;
	struct pollfd p[2];
	uint64_t v;
	bool want;

	while (!__atomic_load_n(&h->stopping, __ATOMIC_ACQUIRE)) {
		pthread_mutex_lock(&h->lock);
		want = h->count && !h->cancelled;
		pthread_mutex_unlock(&h->lock);
		/* No buffer: leave the input in the host's queue. */
		p[0] = (struct pollfd){ .fd = h->wake_fd, .events = POLLIN };
		p[1] = (struct pollfd){ .fd = want ? h->fd : -1,
					.events = POLLIN };
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[0].revents && read(h->wake_fd, &v, sizeof(v)) < 0)
			v = 0;
		if (p[1].revents & POLLIN)
			h->drain(h->opaque);
		else if (p[1].revents)
			usleep(10000);	/* POLLERR/POLLHUP: do not spin */
	}
	return NULL;
}

int held_rx_start(struct held_rx *h)
{
	sigset_t all, old;
	int e;

	/* No signal for this thread (the stop signals are vCPU 0's). */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	e = pthread_create(&h->thread, NULL, thread_main, h);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (e) {
		errno = e;
		return -1;
	}
	h->thread_started = true;
	return 0;
}

void held_rx_destroy(struct held_rx *h)
{
	if (h->thread_started) {
		__atomic_store_n(&h->stopping, true, __ATOMIC_RELEASE);
		wake(h);
		pthread_join(h->thread, NULL);
		h->thread_started = false;
	}
	if (h->req)
		held_rx_cancel(h);
	if (h->wake_fd >= 0)
		close(h->wake_fd);
	h->wake_fd = -1;
	free(h->req);
	h->req = NULL;
	pthread_mutex_destroy(&h->lock);
}
