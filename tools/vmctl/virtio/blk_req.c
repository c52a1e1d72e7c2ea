// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-blk request execution (virtio 1.2, 5.2.6 "Device Operation"):
 * parse the header, check the request against the driver requirements
 * (5.2.6.1) and the limits offered, do the I/O on the image, write the
 * status byte, complete.  Runs on the worker threads (blk_worker.c).
 *
 * The request is whatever the guest put in its descriptors, so every
 * field may be split across buffers and any length may be wrong: nothing
 * here reads or writes outside req->out / req->in, and every path ends in
 * exactly one req->complete().
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>
#include <sys/uio.h>

#include "blk_int.h"
#include "iov_cursor.h"

#define HDR_SIZE	sizeof(struct virtio_blk_outhdr)	/* 16 */
#define SEG_SIZE	sizeof(struct virtio_blk_discard_write_zeroes)
#define IOV_BATCH	64	/* iovecs per preadv/pwritev */

_Static_assert(HDR_SIZE == 16 && SEG_SIZE == 16,
	       "virtio_blk_req header and discard segment are 16 bytes (5.2.6)");

/*
 * Whether [sector, sector + count) lies within the disk: a driver "MUST
 * NOT submit a request which would cause a read or write beyond
 * capacity" (5.2.6.1), so one that does gets IOERR.
 */
static bool in_range(const struct vblk *vb, uint64_t sector, uint64_t count)
{
	return sector <= vb->capacity && count <= vb->capacity - sector;
}

/* preadv/pwritev of @len bytes of the iovecs from @skip at byte @off. */
static uint8_t do_rw(struct vblk *vb, bool write, const struct iovec *iov,
		     unsigned int n, size_t skip, size_t len, uint64_t off)
{
	struct iovec batch[IOV_BATCH];
	struct iov_cursor c;
	unsigned int k;
	ssize_t r;

	iov_cursor_init(&c, iov, n, skip, len);
	while (c.left) {
		k = iov_cursor_fill(&c, batch, IOV_BATCH);
		if (!k)
			return VIRTIO_BLK_S_IOERR;	/* iovecs too short */
		if (write)
			r = pwritev(vb->fd, batch, (int)k, (off_t)off);
		else
			r = preadv(vb->fd, batch, (int)k, (off_t)off);
		if (r < 0 && errno == EINTR)
			continue;
		/* 0: the image shrank under us (or the device went away). */
		if (r <= 0)
			return VIRTIO_BLK_S_IOERR;
		iov_cursor_advance(&c, (size_t)r);
		off += (uint64_t)r;
	}
	return VIRTIO_BLK_S_OK;
}

/* T_IN / T_OUT: the data is a multiple of 512 bytes (5.2.6.1). */
static uint8_t do_data(struct vblk *vb, bool write, uint64_t sector,
		       const struct iovec *iov, unsigned int n, size_t skip,
		       size_t len)
{
	if (len % VBLK_SECTOR_SIZE ||
	    !in_range(vb, sector, len / VBLK_SECTOR_SIZE))
		return VIRTIO_BLK_S_IOERR;
	return do_rw(vb, write, iov, n, skip, len, sector * VBLK_SECTOR_SIZE);
}

/*
 * T_FLUSH.  A write is stable once a flush sent after its completion has
 * completed (5.2.6.2, case 3).  A write completes here only after its
 * pwritev() returned, i.e. its data is in the page cache of this file, so
 * an fdatasync() that starts after the flush was submitted covers every
 * write completed before that, whichever worker did it; writes still in
 * flight need not be covered.  The syncs are serialized and an error is
 * sticky: the kernel reports a writeback error to one fsync of a file
 * description only, and a concurrent or later flush returning OK would
 * claim data stable that was lost.
 */
static uint8_t do_flush(struct vblk *vb)
{
	int r;

	pthread_mutex_lock(&vb->flush_lock);
	if (!vb->sync_failed) {
		do {
			r = fdatasync(vb->fd);
		} while (r && errno == EINTR);
		if (r)
			vb->sync_failed = true;
	}
	r = vb->sync_failed;
	pthread_mutex_unlock(&vb->flush_lock);
	return r ? VIRTIO_BLK_S_IOERR : VIRTIO_BLK_S_OK;
}

/* Write zeroes the slow way, for files that cannot ZERO_RANGE. */
static uint8_t write_zero_bytes(struct vblk *vb, uint64_t off, uint64_t len)
{
	static const uint8_t zeroes[65536];
	struct iovec iov = { .iov_base = (void *)zeroes };
	ssize_t r;

	while (len) {
		iov.iov_len = len < sizeof(zeroes) ? len : sizeof(zeroes);
		r = pwritev(vb->fd, &iov, 1, (off_t)off);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return VIRTIO_BLK_S_IOERR;
		off += (uint64_t)r;
		len -= (uint64_t)r;
	}
	return VIRTIO_BLK_S_OK;
}

/*
 * One write zeroes segment: afterwards reads MUST return zeroes, and only
 * with unmap MAY the range be deallocated (5.2.6.2).  What the file system
 * cannot do (EOPNOTSUPP) is remembered and not tried again; EINVAL (e.g. a
 * block device with bigger logical blocks) falls back for this segment.
 */
static uint8_t write_zeroes(struct vblk *vb, uint64_t off, uint64_t len,
			    bool unmap)
{
	const int keep = FALLOC_FL_KEEP_SIZE;

	if (unmap && atomic_load(&vb->punch_ok)) {
		if (!fallocate(vb->fd, FALLOC_FL_PUNCH_HOLE | keep, (off_t)off,
			       (off_t)len))
			return VIRTIO_BLK_S_OK;
		if (errno == EOPNOTSUPP)
			atomic_store(&vb->punch_ok, false);
		else if (errno != EINVAL)
			return VIRTIO_BLK_S_IOERR;
	}
	if (atomic_load(&vb->zero_range_ok)) {
		if (!fallocate(vb->fd, FALLOC_FL_ZERO_RANGE | keep, (off_t)off,
			       (off_t)len))
			return VIRTIO_BLK_S_OK;
		if (errno == EOPNOTSUPP)
			atomic_store(&vb->zero_range_ok, false);
		else if (errno != EINVAL)
			return VIRTIO_BLK_S_IOERR;
	}
	return write_zero_bytes(vb, off, len);
}

/*
 * T_DISCARD / T_WRITE_ZEROES: the data is a whole number of 16-byte
 * segments (5.2.6.1), at most max_*_seg of them, each at most
 * max_*_sectors long (the limits offered in 5.2.4).  All segments are
 * checked before any is executed, so a bad request changes nothing.
 */
static uint8_t do_discard_wz(struct vblk *vb, bool wz,
			     const struct virtio_req *req, size_t len)
{
	const unsigned int max_seg = wz ? VBLK_MAX_WRITE_ZEROES_SEG :
					  VBLK_MAX_DISCARD_SEG;
	const uint32_t max_sectors = wz ? VBLK_MAX_WRITE_ZEROES_SECTORS :
					  VBLK_MAX_DISCARD_SECTORS;
	struct virtio_blk_discard_write_zeroes seg[VBLK_MAX_DISCARD_SEG >
		VBLK_MAX_WRITE_ZEROES_SEG ? VBLK_MAX_DISCARD_SEG :
		VBLK_MAX_WRITE_ZEROES_SEG];
	unsigned int i, nseg;
	uint64_t sector;
	uint32_t num, flags;
	uint8_t st;

	if (!len || len % SEG_SIZE || len / SEG_SIZE > max_seg)
		return VIRTIO_BLK_S_IOERR;
	nseg = (unsigned int)(len / SEG_SIZE);
	if (iov_to_buf(req->out, req->nout, HDR_SIZE, seg, len) != len)
		return VIRTIO_BLK_S_IOERR;
	for (i = 0; i < nseg; i++) {
		flags = le32toh(seg[i].flags);
		/* 5.2.6.2: unknown flags, or unmap on a discard: UNSUPP. */
		if (flags & ~(uint32_t)VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP ||
		    (!wz && flags))
			return VIRTIO_BLK_S_UNSUPP;
	}
	for (i = 0; i < nseg; i++) {
		sector = le64toh(seg[i].sector);
		num = le32toh(seg[i].num_sectors);
		if (num > max_sectors || !in_range(vb, sector, num))
			return VIRTIO_BLK_S_IOERR;
	}
	for (i = 0; i < nseg; i++) {
		sector = le64toh(seg[i].sector);
		num = le32toh(seg[i].num_sectors);
		if (!num)
			continue;
		if (wz) {
			st = write_zeroes(vb, sector * VBLK_SECTOR_SIZE,
					  (uint64_t)num * VBLK_SECTOR_SIZE,
					  le32toh(seg[i].flags) &
					  VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP);
			if (st != VIRTIO_BLK_S_OK)
				return st;
			continue;
		}
		/*
		 * The device MAY deallocate (5.2.6.2) and the driver may
		 * assume nothing about what is read back (5.2.6.1), so a
		 * file system that lost hole punching since the probe makes
		 * the discard a no-op, not an error.
		 */
		if (fallocate(vb->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
			      (off_t)(sector * VBLK_SECTOR_SIZE),
			      (off_t)num * VBLK_SECTOR_SIZE) &&
		    errno != EOPNOTSUPP && errno != EINVAL)
			return VIRTIO_BLK_S_IOERR;
	}
	return VIRTIO_BLK_S_OK;
}

/*
 * Execute a request whose 16-byte header was read: @out_data bytes of
 * device-readable data follow the header, @in_data device-writable bytes
 * precede the status byte; *@filled says how many of the latter were
 * written.  A buffer of the wrong direction for the type (e.g. readable
 * data on a read) makes the request malformed: IOERR.
 */
static uint8_t dispatch(struct vblk *vb, const struct virtio_req *req,
			const struct virtio_blk_outhdr *hdr, size_t out_data,
			size_t in_data, size_t *filled)
{
	uint64_t sector = le64toh(hdr->sector);
	size_t n;
	uint8_t st;

	switch (le32toh(hdr->type)) {
	case VIRTIO_BLK_T_IN:
		if (out_data)
			return VIRTIO_BLK_S_IOERR;
		st = do_data(vb, false, sector, req->in, req->nin, 0, in_data);
		if (st == VIRTIO_BLK_S_OK)
			*filled = in_data;
		return st;
	case VIRTIO_BLK_T_OUT:
		/* 5.2.6.2: IOERR on a read-only device, and no data written. */
		if (in_data || vb->readonly)
			return VIRTIO_BLK_S_IOERR;
		return do_data(vb, true, sector, req->out, req->nout, HDR_SIZE,
			       out_data);
	case VIRTIO_BLK_T_FLUSH:
		/*
		 * sector is 0 and there is no data (5.2.6.1); neither is
		 * needed to flush, so neither is checked.
		 */
		return do_flush(vb);
	case VIRTIO_BLK_T_GET_ID:
		/* 20 bytes (5.2.6.1); fewer get what fits. */
		if (!in_data)
			return VIRTIO_BLK_S_IOERR;
		n = in_data < VIRTIO_BLK_ID_BYTES ? in_data :
			VIRTIO_BLK_ID_BYTES;
		*filled = iov_from_buf(req->in, req->nin, 0, vb->serial, n);
		return VIRTIO_BLK_S_OK;
	case VIRTIO_BLK_T_DISCARD:
	case VIRTIO_BLK_T_WRITE_ZEROES:
		/* Not offered (so never on a read-only device): UNSUPP. */
		if (le32toh(hdr->type) == VIRTIO_BLK_T_DISCARD ?
		    !vb->offer_discard : !vb->offer_write_zeroes)
			return VIRTIO_BLK_S_UNSUPP;
		if (in_data)
			return VIRTIO_BLK_S_IOERR;
		return do_discard_wz(vb, le32toh(hdr->type) ==
				     VIRTIO_BLK_T_WRITE_ZEROES, req, out_data);
	default:
		/*
		 * Unknown types, the legacy SCSI and barrier bits, GET_LIFETIME,
		 * SECURE_ERASE and the zone types (which 5.2.6.2 requires to
		 * be UNSUPP without VIRTIO_BLK_F_ZONED).
		 */
		return VIRTIO_BLK_S_UNSUPP;
	}
}

/*
 * Write the status into the last device-writable byte (5.2.6: status
 * follows the data) and complete.  The used length is "at least" what the
 * device wrote "beginning at the first device-writable buffer" (2.7.8.2),
 * so the writable bytes the request did not fill are zeroed and the
 * whole writable length is reported.
 */
static void finish(struct virtio_req *req, size_t in_len, size_t filled,
		   uint8_t status)
{
	if (filled < in_len - 1)
		iov_fill(req->in, req->nin, filled, 0, in_len - 1 - filled);
	iov_from_buf(req->in, req->nin, in_len - 1, &status, 1);
	req->complete(req, in_len > UINT32_MAX ? UINT32_MAX : (uint32_t)in_len);
}

void vblk_handle(struct vblk *vb, struct virtio_req *req)
{
	size_t out_len = iov_total(req->out, req->nout);
	size_t in_len = iov_total(req->in, req->nin);
	struct virtio_blk_outhdr hdr;
	size_t filled = 0;
	uint8_t st;

	/* No writable byte, so nowhere to put a status: nothing is done. */
	if (!in_len) {
		req->complete(req, 0);
		return;
	}
	if (out_len < HDR_SIZE ||
	    iov_to_buf(req->out, req->nout, 0, &hdr, HDR_SIZE) != HDR_SIZE)
		st = VIRTIO_BLK_S_IOERR;
	else
		st = dispatch(vb, req, &hdr, out_len - HDR_SIZE, in_len - 1,
			      &filled);
	finish(req, in_len, filled, st);
}

void vblk_reject(struct virtio_req *req)
{
	size_t in_len = iov_total(req->in, req->nin);

	if (!in_len)
		req->complete(req, 0);
	else
		finish(req, in_len, 0, VIRTIO_BLK_S_IOERR);
}
