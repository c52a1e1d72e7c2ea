// SPDX-License-Identifier: GPL-2.0
/*
 * The virtio-blk backend against requests a driver must not send: a table
 * of malformed layouts (no status byte, short header, buffers of the
 * wrong direction, odd lengths, unknown types), then a bounded fuzz test
 * of random headers and iovec layouts from a fixed seed.  Every request
 * must complete exactly once, report the whole writable length (or 0
 * without a writable byte), touch no byte outside its buffers, never
 * write a device-readable buffer, and leave the image alone when refused.
 */
#include <endian.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <linux/virtio_blk.h>

#include "unit.h"
#include "vblk_test.h"

#define IMG_SECTORS	64
#define MAXB		8	/* buffers per direction in the table */
#define FUZZ_ITERS	5000
#define FUZZ_BATCH	8

/*
 * A request laid out as buffers of the given sizes: the readable stream
 * is the header's first @hdr_len bytes, then data; writable buffers start
 * as 0x77 so that what the device zeroed or wrote shows.
 */
struct layout {
	uint32_t type;
	uint64_t sector;
	size_t hdr_len;
	unsigned int nout, nin;
	size_t out[VT_MAX_IOV], in[VT_MAX_IOV];
	uint8_t *odata;		/* bytes after the header, or NULL: pattern */
};

struct built {
	struct vt_arena a;
	struct vt_req t;
	uint8_t *ocopy;		/* the readable stream as submitted */
	size_t olen, ilen;
};

static void build(struct built *b, const struct layout *l)
{
	uint8_t hdr[16];
	size_t pos = 0, i, k;
	uint8_t *p;

	vt_hdr(hdr, l->type, l->sector);
	b->olen = b->ilen = 0;
	for (k = 0; k < l->nout; k++)
		b->olen += l->out[k];
	for (k = 0; k < l->nin; k++)
		b->ilen += l->in[k];
	vt_arena_init(&b->a, b->olen + b->ilen + 16 * (l->nout + l->nin) +
		      64);
	b->ocopy = malloc(b->olen + 1);
	vt_req_init(&b->t);
	for (k = 0; k < l->nout; k++) {
		p = vt_alloc(&b->a, l->out[k]);
		for (i = 0; i < l->out[k]; i++, pos++) {
			if (pos < l->hdr_len)
				p[i] = hdr[pos];
			else if (l->odata)
				p[i] = l->odata[pos - l->hdr_len];
			else
				p[i] = (uint8_t)(pos * 13 + 1);
			b->ocopy[pos] = p[i];
		}
		vt_add_out(&b->t, p, l->out[k]);
	}
	for (k = 0; k < l->nin; k++) {
		p = vt_alloc(&b->a, l->in[k]);
		memset(p, 0x77, l->in[k]);
		vt_add_in(&b->t, p, l->in[k]);
	}
}

/* The last writable byte, or VT_NO_STATUS. */
static int status_of(const struct built *b)
{
	unsigned int i = b->t.r.nin;

	while (i--)
		if (b->t.in[i].iov_len)
			return ((uint8_t *)b->t.in[i].iov_base)
				[b->t.in[i].iov_len - 1];
	return VT_NO_STATUS;
}

/* What every completed request must satisfy. */
static bool sane(const struct built *b)
{
	size_t pos = 0, i;
	unsigned int k;
	int st = status_of(b);

	if (atomic_load(&b->t.completions) != 1)
		return false;
	if (b->t.written != (b->ilen ? b->ilen : 0))
		return false;
	if (b->ilen && (st < 0 || st > VIRTIO_BLK_S_UNSUPP))
		return false;
	if (!vt_arena_guard_ok(&b->a))
		return false;
	/* A failed request leaves zeroes before its status (blk_req.c). */
	if (b->ilen && st != VIRTIO_BLK_S_OK)
		for (k = 0, pos = 0; k < b->t.r.nin; k++)
			for (i = 0; i < b->t.in[k].iov_len; i++, pos++)
				if (pos + 1 < b->ilen &&
				    ((uint8_t *)b->t.in[k].iov_base)[i])
					return false;
	pos = 0;
	for (k = 0; k < b->t.r.nout; k++)
		for (i = 0; i < b->t.out[k].iov_len; i++, pos++)
			if (((uint8_t *)b->t.out[k].iov_base)[i] != b->ocopy[pos])
				return false;
	return true;
}

static void unbuild(struct built *b)
{
	vt_arena_free(&b->a);
	free(b->ocopy);
}

static const struct mcase {
	const char *name;
	struct layout l;
	int want;	/* status, or VT_NO_STATUS */
} cases[] = {
	{ "no_buffers_at_all", { VIRTIO_BLK_T_IN, 0, 16, 0, 0, { 0 }, { 0 },
				 NULL }, VT_NO_STATUS },
	{ "write_without_writable_buffer",
	  { VIRTIO_BLK_T_OUT, 0, 16, 2, 0, { 16, 512 }, { 0 }, NULL },
	  VT_NO_STATUS },
	{ "only_empty_writable_buffers",
	  { VIRTIO_BLK_T_IN, 0, 16, 1, 2, { 16 }, { 0, 0 }, NULL },
	  VT_NO_STATUS },
	{ "no_header", { VIRTIO_BLK_T_IN, 0, 0, 0, 1, { 0 }, { 1 }, NULL },
	  VIRTIO_BLK_S_IOERR },
	{ "header_15_bytes", { VIRTIO_BLK_T_IN, 0, 15, 1, 1, { 15 }, { 1 },
			       NULL }, VIRTIO_BLK_S_IOERR },
	{ "header_15_bytes_split",
	  { VIRTIO_BLK_T_FLUSH, 0, 15, 3, 1, { 7, 0, 8 }, { 1 }, NULL },
	  VIRTIO_BLK_S_IOERR },
	{ "read_into_readable_buffer",
	  { VIRTIO_BLK_T_IN, 0, 16, 2, 1, { 16, 512 }, { 1 }, NULL },
	  VIRTIO_BLK_S_IOERR },
	{ "read_511_bytes", { VIRTIO_BLK_T_IN, 0, 16, 1, 2, { 16 },
			      { 511, 1 }, NULL }, VIRTIO_BLK_S_IOERR },
	{ "read_513_bytes", { VIRTIO_BLK_T_IN, 0, 16, 1, 2, { 16 },
			      { 513, 1 }, NULL }, VIRTIO_BLK_S_IOERR },
	{ "write_from_writable_buffer",
	  { VIRTIO_BLK_T_OUT, 0, 16, 1, 2, { 16 }, { 512, 1 }, NULL },
	  VIRTIO_BLK_S_IOERR },
	{ "write_100_bytes", { VIRTIO_BLK_T_OUT, 0, 16, 2, 1, { 16, 100 },
			       { 1 }, NULL }, VIRTIO_BLK_S_IOERR },
	{ "write_past_end", { VIRTIO_BLK_T_OUT, IMG_SECTORS, 16, 2, 1,
			      { 16, 512 }, { 1 }, NULL }, VIRTIO_BLK_S_IOERR },
	{ "unknown_type_99", { 99, 0, 16, 1, 1, { 16 }, { 1 }, NULL },
	  VIRTIO_BLK_S_UNSUPP },
	{ "legacy_scsi_cmd", { 2, 0, 16, 1, 1, { 16 }, { 1 }, NULL },
	  VIRTIO_BLK_S_UNSUPP },
	{ "legacy_barrier_write", { 0x80000001u, 0, 16, 2, 1, { 16, 512 },
				    { 1 }, NULL }, VIRTIO_BLK_S_UNSUPP },
	{ "get_lifetime", { 10, 0, 16, 1, 2, { 16 }, { 6, 1 }, NULL },
	  VIRTIO_BLK_S_UNSUPP },
	{ "secure_erase", { 14, 0, 16, 2, 1, { 16, 16 }, { 1 }, NULL },
	  VIRTIO_BLK_S_UNSUPP },
	{ "zone_append", { 15, 0, 16, 2, 2, { 16, 512 }, { 8, 1 }, NULL },
	  VIRTIO_BLK_S_UNSUPP },
	{ "zone_report", { 16, 0, 16, 1, 2, { 16 }, { 512, 1 }, NULL },
	  VIRTIO_BLK_S_UNSUPP },
	{ "get_id_without_data", { VIRTIO_BLK_T_GET_ID, 0, 16, 1, 1, { 16 },
				   { 1 }, NULL }, VIRTIO_BLK_S_IOERR },
	{ "get_id_into_readable_buffer",
	  { VIRTIO_BLK_T_GET_ID, 0, 16, 2, 1, { 16, 20 }, { 1 }, NULL },
	  VIRTIO_BLK_S_IOERR },
	{ "write_zeroes_writable_segment",
	  { VIRTIO_BLK_T_WRITE_ZEROES, 0, 16, 1, 2, { 16 }, { 16, 1 }, NULL },
	  VIRTIO_BLK_S_IOERR },
	{ "write_zeroes_17_byte_segment",
	  { VIRTIO_BLK_T_WRITE_ZEROES, 0, 16, 2, 1, { 16, 17 }, { 1 }, NULL },
	  VIRTIO_BLK_S_IOERR },
	{ "read_nothing_past_end",
	  { VIRTIO_BLK_T_IN, IMG_SECTORS + 1, 16, 1, 1, { 16 }, { 1 }, NULL },
	  VIRTIO_BLK_S_IOERR },
	/*
	 * Tolerated: a flush with data (SHOULD NOT, 5.2.6.1), empty
	 * buffers anywhere, the status after empty buffers.
	 */
	{ "flush_with_readable_data",
	  { VIRTIO_BLK_T_FLUSH, 0, 16, 2, 1, { 16, 512 }, { 1 }, NULL },
	  VIRTIO_BLK_S_OK },
	{ "flush_with_writable_data",
	  { VIRTIO_BLK_T_FLUSH, 0, 16, 1, 2, { 16 }, { 7, 1 }, NULL },
	  VIRTIO_BLK_S_OK },
	{ "empty_buffers_everywhere",
	  { VIRTIO_BLK_T_IN, 3, 16, 5, 7, { 0, 8, 0, 8, 0 },
	    { 0, 256, 0, 256, 0, 1, 0 }, NULL }, VIRTIO_BLK_S_OK },
	{ "read_of_nothing", { VIRTIO_BLK_T_IN, IMG_SECTORS, 16, 1, 1, { 16 },
			       { 1 }, NULL }, VIRTIO_BLK_S_OK },
};

static void test_malformed(struct vblk *vb, const char *img)
{
	uint64_t sum = vt_file_sum(img);
	char name[96];
	struct built b;
	unsigned int i;
	size_t k;
	bool zeroed;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		build(&b, &cases[i].l);
		vt_submit(vb, 0, &b.t);
		vt_wait(&b.t);
		/* Writable bytes before the status: zeroed unless read into. */
		zeroed = true;
		if (cases[i].want != VIRTIO_BLK_S_OK ||
		    cases[i].l.type != VIRTIO_BLK_T_IN)
			for (k = 0; k + 1 < b.t.r.nin; k++)
				if (b.t.in[k].iov_len &&
				    *(uint8_t *)b.t.in[k].iov_base != 0)
					zeroed = false;
		snprintf(name, sizeof(name), "malformed_%s", cases[i].name);
		CHECK(sane(&b) && status_of(&b) == cases[i].want && zeroed &&
		      vt_file_sum(img) == sum, name);
		unbuild(&b);
	}
}

/* xorshift64*: a fixed sequence on every host. */
static uint64_t rng_state = 0x5eed5eed12345678ull;

static uint64_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

static size_t rnd_below(size_t n)
{
	return n ? (size_t)(rnd() % n) : 0;
}

/* Cut @len bytes into 1..@max buffers at random points, some empty. */
static unsigned int split(size_t len, size_t *out, unsigned int max)
{
	unsigned int n = 1 + (unsigned int)rnd_below(max), i;
	size_t left = len, piece;

	for (i = 0; i + 1 < n; i++) {
		piece = rnd_below(4) == 0 ? 0 : rnd_below(left + 1);
		if (rnd_below(3) == 0 && left)
			piece = rnd_below(left < 20 ? left + 1 : 20);
		out[i] = piece;
		left -= piece;
	}
	out[i] = left;
	return n;
}

static void random_layout(struct layout *l, uint8_t *odata)
{
	static const uint32_t types[] = {
		VIRTIO_BLK_T_IN, VIRTIO_BLK_T_OUT, VIRTIO_BLK_T_GET_ID,
		VIRTIO_BLK_T_DISCARD, VIRTIO_BLK_T_WRITE_ZEROES,
	};
	size_t odlen, ilen, i;
	unsigned int r = (unsigned int)rnd_below(100);

	/* Flushes are rare: each is an fdatasync. */
	if (r < 2)
		l->type = VIRTIO_BLK_T_FLUSH;
	else if (r < 10)
		l->type = (uint32_t)rnd();
	else
		l->type = types[rnd_below(5)];
	r = (unsigned int)rnd_below(10);
	l->sector = r < 7 ? rnd_below(IMG_SECTORS) :
		r < 9 ? IMG_SECTORS - rnd_below(4) : rnd();
	l->hdr_len = rnd_below(10) ? 16 : rnd_below(16);
	odlen = ilen = 0;
	switch (rnd_below(4)) {
	case 0:		/* sectors */
		odlen = 512 * rnd_below(4);
		break;
	case 1:		/* discard / write zeroes segments */
		odlen = 16 * (1 + rnd_below(3));
		for (i = 0; i < odlen; i += 16) {
			/* One rnd() per statement: a fixed order of draws. */
			struct virtio_blk_discard_write_zeroes s;
			uint64_t sector = rnd();
			uint32_t num = (uint32_t)rnd();

			if (rnd_below(10))
				sector %= IMG_SECTORS;
			if (rnd_below(10))
				num %= 8;
			s.sector = htole64(sector);
			s.num_sectors = htole32(num);
			s.flags = htole32((uint32_t)rnd_below(3));
			memcpy(odata + i, &s, 16);
		}
		break;
	case 2:
		odlen = rnd_below(1100);
		break;
	default:
		break;
	}
	if (l->hdr_len < 16)
		odlen = 0;
	if (odlen && rnd_below(2) == 0 && l->type != VIRTIO_BLK_T_OUT)
		odlen = 0;
	switch (rnd_below(4)) {
	case 0:
		ilen = 512 * rnd_below(4) + 1;
		break;
	case 1:
		ilen = 21;
		break;
	case 2:
		ilen = rnd_below(1100);
		break;
	default:
		ilen = 1;
		break;
	}
	if (l->hdr_len == 16)
		for (i = 0; odlen && i < odlen && l->type != VIRTIO_BLK_T_DISCARD &&
		     l->type != VIRTIO_BLK_T_WRITE_ZEROES; i++)
			odata[i] = (uint8_t)rnd();
	l->odata = odata;
	l->nout = split(l->hdr_len + odlen, l->out, 12);
	l->nin = rnd_below(20) ? split(ilen, l->in, 12) : 0;
}

static void test_fuzz(struct vblk *vb, const char *img)
{
	static struct layout l[FUZZ_BATCH];
	static uint8_t odata[FUZZ_BATCH][2048];
	static struct built b[FUZZ_BATCH];
	unsigned int it, k, bad = 0, first_bad = 0, seen[4] = { 0 };
	struct stat st0, st1;
	struct timespec t0, t1;

	stat(img, &st0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (it = 0; it < FUZZ_ITERS; it += FUZZ_BATCH) {
		for (k = 0; k < FUZZ_BATCH; k++) {
			random_layout(&l[k], odata[k]);
			build(&b[k], &l[k]);
			vt_submit(vb, 0, &b[k].t);
		}
		for (k = 0; k < FUZZ_BATCH; k++) {
			vt_wait(&b[k].t);
			if (!sane(&b[k]) && !bad++)
				first_bad = it + k;
			seen[status_of(&b[k]) == VT_NO_STATUS ? 3 :
			     status_of(&b[k]) & 3]++;
			unbuild(&b[k]);
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	stat(img, &st1);
	if (bad)
		printf("# fuzz: %u bad requests, the first is #%u\n", bad,
		       first_bad);
	printf("# fuzz: %u requests (%u ok, %u ioerr, %u unsupp, %u without "
	       "status) in %.2f s\n", FUZZ_ITERS, seen[0], seen[1], seen[2],
	       seen[3], (double)(t1.tv_sec - t0.tv_sec) +
	       (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	CHECK(!bad, "fuzz_every_request_completes_once_within_its_buffers");
	CHECK(st0.st_size == st1.st_size, "fuzz_image_size_unchanged");
}

void unit_vblk_fuzz(void)
{
	char *dir = vt_tmpdir(), *img;
	struct vblk *vb;
	char err[256];

	if (!CHECK(dir, "vblk_fuzz_tmpdir"))
		return;
	img = vt_image(dir, "fuzz.img", IMG_SECTORS * 512, 5);
	vb = vblk_open(img, false, err, sizeof(err));
	if (CHECK(vb, "vblk_fuzz_open")) {
		test_malformed(vb, img);
		test_fuzz(vb, img);
		vblk_close(vb);
	}
	free(img);
	vt_rmdir(dir);
}
