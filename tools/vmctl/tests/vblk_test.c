// SPDX-License-Identifier: GPL-2.0
/*
 * Harness for the virtio-blk unit tests (vblk_test.h).
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "vblk_test.h"

#define CANARY		0xa5
#define GAP		16

static pthread_mutex_t done_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t done_cond = PTHREAD_COND_INITIALIZER;

void vt_arena_init(struct vt_arena *a, size_t size)
{
	a->mem = malloc(size);
	if (!a->mem)
		abort();
	a->size = size;
	a->used = GAP;
	a->nbufs = 0;
	memset(a->mem, CANARY, size);
}

/*
 * The arena's bytes outside the buffers keep the canary; a buffer's own
 * bytes start as 0.
 */
void *vt_alloc(struct vt_arena *a, size_t len)
{
	uint8_t *p;

	if (a->nbufs == VT_MAX_BUFS || len > a->size ||
	    a->used > a->size - len - GAP)
		abort();
	p = a->mem + a->used;
	memset(p, 0, len);
	a->buf_off[a->nbufs] = a->used;
	a->buf_len[a->nbufs++] = len;
	a->used += len + GAP;
	return p;
}

/* Every byte outside the buffers still holds the canary. */
bool vt_arena_guard_ok(const struct vt_arena *a)
{
	size_t at = 0, i;
	unsigned int b;

	for (b = 0; b <= a->nbufs; b++) {
		size_t end = b < a->nbufs ? a->buf_off[b] : a->size;

		for (i = at; i < end; i++)
			if (a->mem[i] != CANARY)
				return false;
		if (b < a->nbufs)
			at = a->buf_off[b] + a->buf_len[b];
	}
	return true;
}

void vt_arena_free(struct vt_arena *a)
{
	free(a->mem);
	a->mem = NULL;
}

static void vt_complete(struct virtio_req *req, uint32_t written)
{
	struct vt_req *t = req->opaque;

	pthread_mutex_lock(&done_lock);
	t->written = written;
	atomic_fetch_add(&t->completions, 1);
	pthread_cond_broadcast(&done_cond);
	pthread_mutex_unlock(&done_lock);
}

void vt_req_init(struct vt_req *t)
{
	memset(&t->r, 0, sizeof(t->r));
	t->r.out = t->out;
	t->r.in = t->in;
	t->r.complete = vt_complete;
	t->r.opaque = t;
	atomic_init(&t->completions, 0);
	t->written = 0;
}

void vt_add_out(struct vt_req *t, void *p, size_t len)
{
	if (t->r.nout == VT_MAX_IOV)
		abort();
	t->out[t->r.nout].iov_base = p;
	t->out[t->r.nout++].iov_len = len;
}

void vt_add_in(struct vt_req *t, void *p, size_t len)
{
	if (t->r.nin == VT_MAX_IOV)
		abort();
	t->in[t->r.nin].iov_base = p;
	t->in[t->r.nin++].iov_len = len;
}

void vt_submit(struct vblk *vb, unsigned int queue, struct vt_req *t)
{
	vblk_submit(vb, queue, &t->r);
}

bool vt_wait(struct vt_req *t)
{
	struct timespec until;
	int r = 0;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 5;
	pthread_mutex_lock(&done_lock);
	while (!atomic_load(&t->completions) && r != ETIMEDOUT)
		r = pthread_cond_timedwait(&done_cond, &done_lock, &until);
	pthread_mutex_unlock(&done_lock);
	return atomic_load(&t->completions) == 1;
}

/* The last byte of the writable buffers. */
static int last_in_byte(const struct vt_req *t)
{
	unsigned int i = t->r.nin;

	while (i--)
		if (t->in[i].iov_len)
			return ((uint8_t *)t->in[i].iov_base)
				[t->in[i].iov_len - 1];
	return VT_NO_STATUS;
}

int vt_run(struct vblk *vb, struct vt_req *t)
{
	vt_submit(vb, 0, t);
	if (!vt_wait(t))
		return VT_NO_STATUS;
	return last_in_byte(t);
}

void vt_hdr(void *p, uint32_t type, uint64_t sector)
{
	uint32_t t32 = htole32(type), zero = 0;
	uint64_t s64 = htole64(sector);

	memcpy(p, &t32, 4);
	memcpy((uint8_t *)p + 4, &zero, 4);
	memcpy((uint8_t *)p + 8, &s64, 8);
}

int vt_simple(struct vblk *vb, uint32_t type, uint64_t sector,
	      const void *odata, size_t olen, void *idata, size_t ilen)
{
	uint8_t hdr[16], status = 0xee;
	struct vt_req t;

	vt_req_init(&t);
	vt_hdr(hdr, type, sector);
	vt_add_out(&t, hdr, sizeof(hdr));
	if (olen)
		vt_add_out(&t, (void *)odata, olen);
	if (ilen)
		vt_add_in(&t, idata, ilen);
	vt_add_in(&t, &status, 1);
	return vt_run(vb, &t);
}

char *vt_tmpdir(void)
{
	const char *base = getenv("TMPDIR");
	char *dir;

	if (!base || !*base)
		base = "/tmp";
	if (asprintf(&dir, "%s/vmctl-vblk.XXXXXX", base) < 0)
		abort();
	if (!mkdtemp(dir)) {
		free(dir);
		return NULL;
	}
	return dir;
}

/* Byte @off of an image with pattern @seed: never a run of zeroes. */
void vt_pattern(void *buf, size_t len, uint64_t off, unsigned int seed)
{
	uint8_t *p = buf;
	size_t i;

	for (i = 0; i < len; i++, off++)
		p[i] = (uint8_t)((off * 131 + (off >> 9) * 7 + seed) % 251 + 1);
}

char *vt_image(const char *dir, const char *name, size_t size,
	       unsigned int seed)
{
	uint8_t buf[4096];
	size_t done, n;
	char *path;
	int fd;

	if (asprintf(&path, "%s/%s", dir, name) < 0)
		abort();
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		abort();
	for (done = 0; done < size; done += n) {
		n = size - done < sizeof(buf) ? size - done : sizeof(buf);
		vt_pattern(buf, n, done, seed);
		if (write(fd, buf, n) != (ssize_t)n)
			abort();
	}
	close(fd);
	return path;
}

/* FNV-1a over the file's bytes and length. */
uint64_t vt_file_sum(const char *path)
{
	uint64_t h = 0xcbf29ce484222325ull, len = 0;
	uint8_t buf[4096];
	ssize_t n, i;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return 0;
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		for (i = 0; i < n; i++)
			h = (h ^ buf[i]) * 0x100000001b3ull;
		len += (uint64_t)n;
	}
	close(fd);
	return h ^ len;
}

void vt_rmdir(char *dir)
{
	char *cmd;

	if (!dir)
		return;
	if (asprintf(&cmd, "rm -rf '%s'", dir) >= 0) {
		if (system(cmd) != 0)
			fprintf(stderr, "# could not remove %s\n", dir);
		free(cmd);
	}
	free(dir);
}
