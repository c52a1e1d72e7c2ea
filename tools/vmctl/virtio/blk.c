// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-blk backend: the image (open, lock, size, what it can discard),
 * the feature bits and the configuration space (virtio 1.2, 5.2.3-5.2.5).
 * Requests are executed in blk_req.c on the threads of blk_worker.c.
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <linux/fs.h>
#include <linux/virtio_config.h>

#include "blk_int.h"

/*
 * The virtio 1.2 struct virtio_blk_config (5.2.4) through the zoned
 * characteristics: 96 bytes.  <linux/virtio_blk.h> may be older (Debian
 * 12's ends at the secure erase fields, 72 bytes); its offsets up to there
 * are the spec's, checked below.
 */
#define VBLK_CONFIG_SIZE	96
#define CFG(field)		offsetof(struct virtio_blk_config, field)
_Static_assert(CFG(capacity) == 0 && CFG(seg_max) == 12 &&
	       CFG(blk_size) == 20 && CFG(num_queues) == 34 &&
	       CFG(max_discard_sectors) == 36 &&
	       CFG(discard_sector_alignment) == 44 &&
	       CFG(max_write_zeroes_sectors) == 48 &&
	       CFG(write_zeroes_may_unmap) == 56,
	       "virtio_blk_config offsets differ from virtio 1.2, 5.2.4");

static void errf(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void errf(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/*
 * GET_ID's answer (5.2.6: up to 20 ASCII bytes, no NUL when 20 long):
 * "vmctl-" and 14 hex digits of a FNV-1a hash of the image's canonical
 * path.  The same image path gives the same serial on every run, so the
 * guest's /dev/disk/by-id/virtio-<serial> stays put; rewriting the image
 * in place (a new inode) does not change it.
 */
static void make_serial(struct vblk *vb, const char *path)
{
	char *real = realpath(path, NULL);
	const char *p = real ? real : path;
	uint64_t h = 0xcbf29ce484222325ull;
	char buf[VIRTIO_BLK_ID_BYTES + 1];

	for (; *p; p++) {
		h ^= (uint8_t)*p;
		h *= 0x100000001b3ull;
	}
	free(real);
	snprintf(buf, sizeof(buf), "vmctl-%014llx",
		 (unsigned long long)(h & 0xffffffffffffffull));
	memcpy(vb->serial, buf, VIRTIO_BLK_ID_BYTES);
}

/*
 * Whether FALLOC_FL_PUNCH_HOLE works on this regular file, without
 * changing a byte of it: a hole punched past the end with KEEP_SIZE
 * covers no data (ext4, xfs, btrfs, tmpfs return 0 without work there).
 * A file system without it answers EOPNOTSUPP.
 */
static bool probe_punch(int fd, off_t size)
{
	off_t at = (size + 4095) & ~(off_t)4095;

	return fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
			 at, 4096) == 0;
}

/* Lock, size and discard capabilities of the opened image. */
static int vblk_setup(struct vblk *vb, const char *path, const struct stat *st,
		      char *err, size_t errlen)
{
	uint64_t bytes;

	/*
	 * flock(): the lock belongs to the open file description, so a second
	 * vblk_open of the same image conflicts even in this process, and
	 * closing some other descriptor of the file (as POSIX fcntl locks
	 * would) does not drop it.  OFD fcntl locks would do the same, with
	 * byte ranges that a whole-image lock does not need.  Advisory only:
	 * it keeps vmctls (and flock-aware tools) apart, not everyone.
	 */
	if (flock(vb->fd, (vb->readonly ? LOCK_SH : LOCK_EX) | LOCK_NB)) {
		if (errno == EWOULDBLOCK)
			errf(err, errlen, "%s: in use: locked by another vmctl%s",
			     path, vb->readonly ? " (read-write)" : "");
		else
			errf(err, errlen, "%s: cannot lock: %s", path,
			     strerror(errno));
		return -1;
	}

	if (vb->is_blkdev) {
		if (ioctl(vb->fd, BLKGETSIZE64, &bytes)) {
			errf(err, errlen, "%s: cannot read the device size: %s",
			     path, strerror(errno));
			return -1;
		}
	} else {
		bytes = (uint64_t)st->st_size;
	}
	/*
	 * capacity counts 512-byte sectors (5.2.4); a partial one would be
	 * unreachable, and dropping it silently would hide data.
	 */
	if (bytes % VBLK_SECTOR_SIZE) {
		errf(err, errlen, "%s: size %llu is not a multiple of 512 bytes; "
		     "pad it with 'truncate -s %%512 %s'", path,
		     (unsigned long long)bytes, path);
		return -1;
	}
	vb->capacity = bytes / VBLK_SECTOR_SIZE;

	vb->discard_align = 1;
	if (st->st_blksize >= VBLK_SECTOR_SIZE && st->st_blksize <= 1 << 20)
		vb->discard_align = st->st_blksize / VBLK_SECTOR_SIZE;
	if (vb->readonly)
		return 0;
	/*
	 * Write zeroes is always offered read-write: ZERO_RANGE, else a hole
	 * (with unmap), else written zeroes (blk_req.c).  Discard is only
	 * offered on a file that can punch holes; on a block device punching
	 * is a zeroing command that may fail, and BLKDISCARD is not done.
	 */
	vb->offer_write_zeroes = true;
	atomic_store(&vb->zero_range_ok, true);
	if (vb->is_blkdev) {
		atomic_store(&vb->punch_ok, true);
	} else {
		atomic_store(&vb->punch_ok, probe_punch(vb->fd, st->st_size));
		vb->offer_discard = atomic_load(&vb->punch_ok);
	}
	return 0;
}

struct vblk *vblk_open(const char *path, bool readonly, char *err,
		       size_t errlen)
{
	struct vblk *vb;
	struct stat st;
	int flags;

	if (stat(path, &st)) {
		errf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (S_ISDIR(st.st_mode)) {
		errf(err, errlen, "%s: is a directory, not a disk image", path);
		return NULL;
	}
	if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode)) {
		errf(err, errlen, "%s: not a regular file or block device",
		     path);
		return NULL;
	}
	vb = calloc(1, sizeof(*vb));
	if (!vb) {
		errf(err, errlen, "%s: out of memory", path);
		return NULL;
	}
	vb->readonly = readonly;
	vb->num_queues = 1;
	/*
	 * O_NONBLOCK: should the path have become a FIFO since stat(), open
	 * must not wait for a writer; fstat() below rejects it.  O_EXCL on a
	 * block device fails while the host has it mounted.
	 */
	flags = (readonly ? O_RDONLY : O_RDWR) | O_CLOEXEC | O_NOCTTY |
		O_NONBLOCK;
	if (!readonly && S_ISBLK(st.st_mode))
		flags |= O_EXCL;
	vb->fd = open(path, flags);
	if (vb->fd < 0) {
		if (!readonly && (errno == EACCES || errno == EROFS ||
				  errno == EPERM))
			errf(err, errlen, "%s: cannot open read-write: %s (read-only is possible)",
			     path, strerror(errno));
		else if (errno == EBUSY)
			errf(err, errlen, "%s: busy (mounted on the host?)",
			     path);
		else
			errf(err, errlen, "%s: %s", path, strerror(errno));
		free(vb);
		return NULL;
	}
	if (fstat(vb->fd, &st) ||
	    (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode))) {
		errf(err, errlen, "%s: not a regular file or block device",
		     path);
		goto fail;
	}
	vb->is_blkdev = S_ISBLK(st.st_mode);
	if (fcntl(vb->fd, F_SETFL, 0)) {
		errf(err, errlen, "%s: %s", path, strerror(errno));
		goto fail;
	}
	if (vblk_setup(vb, path, &st, err, errlen))
		goto fail;
	make_serial(vb, path);
	if (pthread_mutex_init(&vb->flush_lock, NULL))
		goto fail_nomem;
	if (vblk_workers_start(vb)) {
		pthread_mutex_destroy(&vb->flush_lock);
		goto fail_nomem;
	}
	return vb;

fail_nomem:
	errf(err, errlen, "%s: cannot start the I/O threads", path);
fail:
	close(vb->fd);		/* drops the lock with the last descriptor */
	free(vb);
	return NULL;
}

int vblk_set_num_queues(struct vblk *vb, unsigned int n)
{
	if (n == 0 || n > VBLK_MAX_QUEUES)
		return -1;
	vb->num_queues = n;
	return 0;
}

unsigned int vblk_num_queues(const struct vblk *vb)
{
	return vb->num_queues;
}

uint64_t vblk_features(const struct vblk *vb)
{
	/*
	 * 5.2.3.  FLUSH: "Devices SHOULD always offer" it (5.2.5.2); writes
	 * go to the host page cache, so without it nothing would be stable.
	 * BLK_SIZE: 512, the logical block the guest must use.  No SIZE_MAX
	 * (any segment size works), GEOMETRY, TOPOLOGY, CONFIG_WCE,
	 * LIFETIME, SECURE_ERASE or ZONED.
	 */
	uint64_t f = 1ull << VIRTIO_BLK_F_SEG_MAX | 1ull << VIRTIO_BLK_F_BLK_SIZE |
		     1ull << VIRTIO_BLK_F_FLUSH;

	if (vb->readonly)
		f |= 1ull << VIRTIO_BLK_F_RO;
	if (vb->num_queues > 1)
		f |= 1ull << VIRTIO_BLK_F_MQ;
	if (vb->offer_discard)
		f |= 1ull << VIRTIO_BLK_F_DISCARD;
	if (vb->offer_write_zeroes)
		f |= 1ull << VIRTIO_BLK_F_WRITE_ZEROES;
	return f;
}

size_t vblk_config_size(void)
{
	return VBLK_CONFIG_SIZE;
}

static void put16(uint8_t *p, uint16_t v)
{
	v = htole16(v);
	memcpy(p, &v, sizeof(v));
}

static void put32(uint8_t *p, uint32_t v)
{
	v = htole32(v);
	memcpy(p, &v, sizeof(v));
}

static void put64(uint8_t *p, uint64_t v)
{
	v = htole64(v);
	memcpy(p, &v, sizeof(v));
}

void vblk_config(const struct vblk *vb, uint8_t *cfg, size_t len)
{
	/*
	 * Little-endian (5.2.4, 1.x devices); padding, writeback and
	 * the fields of features not offered stay 0 (5.2.5.2).
	 */
	uint8_t c[VBLK_CONFIG_SIZE] = { 0 };

	put64(c + CFG(capacity), vb->capacity);
	put32(c + CFG(seg_max), VBLK_SEG_MAX);
	put32(c + CFG(blk_size), VBLK_SECTOR_SIZE);
	put16(c + CFG(num_queues), (uint16_t)vb->num_queues);
	if (vb->offer_discard) {
		put32(c + CFG(max_discard_sectors), VBLK_MAX_DISCARD_SECTORS);
		put32(c + CFG(max_discard_seg), VBLK_MAX_DISCARD_SEG);
		put32(c + CFG(discard_sector_alignment), vb->discard_align);
	}
	if (vb->offer_write_zeroes) {
		put32(c + CFG(max_write_zeroes_sectors),
		      VBLK_MAX_WRITE_ZEROES_SECTORS);
		put32(c + CFG(max_write_zeroes_seg), VBLK_MAX_WRITE_ZEROES_SEG);
		/* 5.2.6.2: set iff a write zeroes may deallocate. */
		c[CFG(write_zeroes_may_unmap)] = atomic_load(&vb->punch_ok);
	}
	if (len <= sizeof(c)) {
		memcpy(cfg, c, len);
	} else {
		memcpy(cfg, c, sizeof(c));
		memset(cfg + sizeof(c), 0, len - sizeof(c));
	}
}

void vblk_close(struct vblk *vb)
{
	if (!vb)
		return;
	vblk_workers_stop(vb);
	pthread_mutex_destroy(&vb->flush_lock);
	close(vb->fd);		/* releases the flock */
	free(vb);
}
