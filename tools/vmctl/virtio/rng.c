// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-rng (see rng.h).  getrandom() without flags blocks only until
 * the host's pool is initialised once, which it long is when a VM runs.
 */
#include <errno.h>
#include <sys/random.h>

#include "rng.h"

/* 5.4.2: one queue, "requestq". */
#define RNG_QUEUE_SIZE	64

void virtio_rng_submit(void *opaque, unsigned int queue,
		       struct virtio_req *req)
{
	uint32_t written = 0;
	unsigned int i;

	(void)opaque;
	(void)queue;
	/* 5.4.6.1: random bytes go into the device-writable buffers; the
	 * driver's readable ones (5.4.6.2: it offers none) are ignored. */
	for (i = 0; i < req->nin; i++) {
		uint8_t *p = req->in[i].iov_base;
		size_t left = req->in[i].iov_len;

		while (left && written < VIRTIO_RNG_MAX_PER_REQ) {
			size_t want = left;
			ssize_t n;

			if (want > VIRTIO_RNG_MAX_PER_REQ - written)
				want = VIRTIO_RNG_MAX_PER_REQ - written;
			n = getrandom(p, want, 0);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				goto out;
			p += n;
			left -= (size_t)n;
			written += (uint32_t)n;
		}
	}
out:
	req->complete(req, written);
}

void virtio_rng_device(struct virtio_device *dev)
{
	*dev = (struct virtio_device){
		.name = "virtio-rng",
		.device_id = VIRTIO_ID_ENTROPY,
		.features = 0,			/* 5.4.3: none */
		.num_queues = 1,
		.queue_size = RNG_QUEUE_SIZE,
		.config_size = 0,		/* 5.4.4: none */
		.submit = virtio_rng_submit,
	};
}
