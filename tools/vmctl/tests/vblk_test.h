/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Harness for the virtio-blk backend's unit tests: requests built from
 * buffers in a guarded arena (bytes around every buffer must survive),
 * submitted and waited for with a timeout, and temporary images.
 */
#ifndef VMCTL_VBLK_TEST_H
#define VMCTL_VBLK_TEST_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../virtio/blk.h"

#define VT_MAX_IOV	40
#define VT_NO_STATUS	(-1)	/* no writable byte, or no completion */

struct vt_req {
	struct virtio_req r;
	struct iovec out[VT_MAX_IOV], in[VT_MAX_IOV];
	atomic_uint completions;
	uint32_t written;
};

/* Buffers with canary bytes between them. */
#define VT_MAX_BUFS	256

struct vt_arena {
	uint8_t *mem;
	size_t size, used;
	unsigned int nbufs;
	size_t buf_off[VT_MAX_BUFS], buf_len[VT_MAX_BUFS];
};

void vt_arena_init(struct vt_arena *a, size_t size);
void *vt_alloc(struct vt_arena *a, size_t len);
bool vt_arena_guard_ok(const struct vt_arena *a);
void vt_arena_free(struct vt_arena *a);

void vt_req_init(struct vt_req *t);
void vt_add_out(struct vt_req *t, void *p, size_t len);
void vt_add_in(struct vt_req *t, void *p, size_t len);
/* Submit on @queue without waiting. */
void vt_submit(struct vblk *vb, unsigned int queue, struct vt_req *t);
/* Wait (5 s at most) for the completion; true if it came exactly once. */
bool vt_wait(struct vt_req *t);
/* Submit on queue 0, wait, return the status byte (the last in byte). */
int vt_run(struct vblk *vb, struct vt_req *t);

/* A little-endian struct virtio_blk_outhdr in @p (16 bytes). */
void vt_hdr(void *p, uint32_t type, uint64_t sector);
/*
 * One request with the header, readable @odata, writable @idata and the
 * status each in a buffer of its own: the status, or VT_NO_STATUS.
 */
int vt_simple(struct vblk *vb, uint32_t type, uint64_t sector,
	      const void *odata, size_t olen, void *idata, size_t ilen);

/* A temporary directory, and an image of @size bytes of pattern @seed. */
char *vt_tmpdir(void);
char *vt_image(const char *dir, const char *name, size_t size,
	       unsigned int seed);
void vt_pattern(void *buf, size_t len, uint64_t off, unsigned int seed);
uint64_t vt_file_sum(const char *path);
void vt_rmdir(char *dir);

#endif /* VMCTL_VBLK_TEST_H */
