/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Byte ranges of an iovec array: a device backend sees a request as the
 * driver laid it out in descriptors, which may split any field or data
 * block at any byte (virtio 1.2, 2.7.4 "Message Framing": the device must
 * not assume a particular arrangement).  These helpers copy, fill and walk
 * such ranges without touching a byte outside the given iovecs.
 */
#ifndef VMCTL_VIRTIO_IOV_CURSOR_H
#define VMCTL_VIRTIO_IOV_CURSOR_H

#include <stddef.h>
#include <sys/uio.h>

/* Sum of the lengths (saturates at SIZE_MAX instead of wrapping). */
size_t iov_total(const struct iovec *iov, unsigned int n);

/*
 * Copy up to @len bytes starting @skip bytes into the iovecs; returns the
 * number of bytes copied (less than @len where the iovecs end).
 */
size_t iov_to_buf(const struct iovec *iov, unsigned int n, size_t skip,
		  void *buf, size_t len);
size_t iov_from_buf(const struct iovec *iov, unsigned int n, size_t skip,
		    const void *buf, size_t len);
size_t iov_fill(const struct iovec *iov, unsigned int n, size_t skip,
		int byte, size_t len);

/*
 * A window of @len bytes starting @skip bytes into an iovec array, walked
 * in pieces: iov_cursor_fill() describes the next bytes as at most @max
 * iovecs (for preadv/pwritev), iov_cursor_advance() consumes what the
 * system call did, however short.
 */
struct iov_cursor {
	const struct iovec *iov;
	unsigned int n;
	unsigned int i;		/* current iovec */
	size_t off;		/* offset into iov[i] */
	size_t left;		/* bytes left in the window */
};

void iov_cursor_init(struct iov_cursor *c, const struct iovec *iov,
		     unsigned int n, size_t skip, size_t len);
unsigned int iov_cursor_fill(const struct iov_cursor *c, struct iovec *out,
			     unsigned int max);
void iov_cursor_advance(struct iov_cursor *c, size_t bytes);

#endif /* VMCTL_VIRTIO_IOV_CURSOR_H */
