// SPDX-License-Identifier: GPL-2.0
/*
 * The virtio-blk backend (virtio/blk*.c) on temporary images: opening
 * and locking, features and configuration space, reads and writes with
 * fields split across buffers, bounds, read-only refusal, flush, GET_ID,
 * discard and write zeroes, queues, and many requests in flight.
 * Malformed requests and the fuzz test are in unit_vblk_fuzz.c.
 */
#include <endian.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <linux/fs.h>
#include <linux/virtio_blk.h>

#include "../virtio/iov_cursor.h"
#include "unit.h"
#include "vblk_test.h"

#define IMG_SECTORS	256
#define IMG_SIZE	(IMG_SECTORS * 512)
#define OK		VIRTIO_BLK_S_OK
#define IOERR		VIRTIO_BLK_S_IOERR
#define UNSUPP		VIRTIO_BLK_S_UNSUPP
#define BIT(f)		(1ull << (f))

static char err[256];

static bool err_has(const char *s)
{
	return strstr(err, s) != NULL;
}

static uint32_t cfg32(const uint8_t *c, size_t off)
{
	uint32_t v;

	memcpy(&v, c + off, 4);
	return le32toh(v);
}

static uint64_t cfg64(const uint8_t *c, size_t off)
{
	uint64_t v;

	memcpy(&v, c + off, 8);
	return le64toh(v);
}

/* Whether sectors [sector, sector + n) of the file hold pattern @seed. */
static bool file_has_pattern(const char *path, uint64_t sector, size_t n,
			     unsigned int seed)
{
	uint8_t *got = malloc(n * 512), *want = malloc(n * 512);
	bool ok = false;
	int fd = open(path, O_RDONLY);

	if (fd >= 0 && got && want &&
	    pread(fd, got, n * 512, sector * 512) == (ssize_t)(n * 512)) {
		vt_pattern(want, n * 512, sector * 512, seed);
		ok = !memcmp(got, want, n * 512);
	}
	if (fd >= 0)
		close(fd);
	free(got);
	free(want);
	return ok;
}

static bool all_zero(const uint8_t *p, size_t n)
{
	while (n--)
		if (*p++)
			return false;
	return true;
}

static void test_iov_cursor(void)
{
	uint8_t a[3] = { 1, 2, 3 }, b[1] = { 4 }, c[4] = { 5, 6, 7, 8 };
	struct iovec iov[4] = { { a, 3 }, { NULL, 0 }, { b, 1 }, { c, 4 } };
	struct iovec out[4];
	struct iov_cursor cur;
	uint8_t buf[8];

	CHECK(iov_total(iov, 4) == 8, "iov_total_skips_empty");
	CHECK(iov_to_buf(iov, 4, 2, buf, 4) == 4 && !memcmp(buf, "\3\4\5\6", 4),
	      "iov_to_buf_across_iovecs");
	CHECK(iov_to_buf(iov, 4, 6, buf, 8) == 2 && iov_to_buf(iov, 4, 9, buf,
							      1) == 0,
	      "iov_to_buf_stops_at_end");
	iov_cursor_init(&cur, iov, 4, 1, 6);
	CHECK(iov_cursor_fill(&cur, out, 4) == 3 && out[0].iov_base == a + 1 &&
	      out[0].iov_len == 2 && out[2].iov_len == 3,
	      "iov_cursor_window");
	iov_cursor_advance(&cur, 3);
	CHECK(iov_cursor_fill(&cur, out, 1) == 1 && out[0].iov_base == c &&
	      out[0].iov_len == 3 && cur.left == 3, "iov_cursor_advance");
	iov_cursor_advance(&cur, 100);
	CHECK(cur.left == 0 && iov_cursor_fill(&cur, out, 4) == 0,
	      "iov_cursor_advance_past_end");
}

static void test_open_errors(const char *dir, const char *img)
{
	char path[512];
	struct vblk *vb;
	char *odd;
	int fd, flags = 0;
	bool immutable = false;

	snprintf(path, sizeof(path), "%s/missing.img", dir);
	CHECK(!vblk_open(path, false, err, sizeof(err)) &&
	      err_has("No such file"), "open_missing_file");
	CHECK(!vblk_open(dir, true, err, sizeof(err)) &&
	      err_has("is a directory"), "open_directory");
	CHECK(!vblk_open("/dev/null", true, err, sizeof(err)) &&
	      err_has("not a regular file or block device"),
	      "open_char_device");
	snprintf(path, sizeof(path), "%s/fifo", dir);
	CHECK(mkfifo(path, 0600) == 0 && !vblk_open(path, false, err,
						     sizeof(err)) &&
	      err_has("not a regular file"), "open_fifo_does_not_block");
	odd = vt_image(dir, "odd.img", 1000, 1);
	CHECK(!vblk_open(odd, false, err, sizeof(err)) &&
	      err_has("not a multiple of 512") && err_has("truncate -s %512"),
	      "open_size_not_multiple_of_512");
	free(odd);
	CHECK(!vblk_open("", false, err, sizeof(err)), "open_empty_path");

	/*
	 * Read-write refused: mode bits as a user, the immutable flag as
	 * root (whom mode bits do not stop).
	 */
	if (geteuid() != 0) {
		chmod(img, 0444);
		immutable = true;
	} else {
		fd = open(img, O_RDONLY);
		if (fd >= 0 && !ioctl(fd, FS_IOC_GETFLAGS, &flags)) {
			flags |= FS_IMMUTABLE_FL;
			immutable = !ioctl(fd, FS_IOC_SETFLAGS, &flags);
		}
		if (fd >= 0)
			close(fd);
	}
	if (immutable) {
		vb = vblk_open(img, false, err, sizeof(err));
		CHECK(!vb && err_has("cannot open read-write"),
		      "open_rw_refused_says_so");
		vblk_close(vb);
		vb = vblk_open(img, true, err, sizeof(err));
		CHECK(vb, "open_ro_of_unwritable_file");
		vblk_close(vb);
		if (geteuid() != 0) {
			chmod(img, 0644);
		} else {
			fd = open(img, O_RDONLY);
			flags &= ~FS_IMMUTABLE_FL;
			if (fd >= 0) {
				if (ioctl(fd, FS_IOC_SETFLAGS, &flags))
					fprintf(stderr, "# %s stays immutable\n",
						img);
				close(fd);
			}
		}
	} else {
		printf("ok %u - open_rw_refused_says_so # SKIP root and no "
		       "immutable flag here\n", unit_passed + unit_failed + 1);
		unit_passed++;
	}
}

static void test_locks(const char *img)
{
	struct vblk *a, *b;

	a = vblk_open(img, false, err, sizeof(err));
	b = vblk_open(img, false, err, sizeof(err));
	CHECK(a && !b && err_has("in use"), "lock_rw_excludes_rw");
	vblk_close(b);
	b = vblk_open(img, true, err, sizeof(err));
	CHECK(!b && err_has("in use"), "lock_rw_excludes_ro");
	vblk_close(b);
	vblk_close(a);
	a = vblk_open(img, true, err, sizeof(err));
	b = vblk_open(img, true, err, sizeof(err));
	CHECK(a && b, "lock_ro_shares_with_ro");
	vblk_close(b);
	b = vblk_open(img, false, err, sizeof(err));
	CHECK(!b && err_has("in use"), "lock_ro_excludes_rw");
	vblk_close(b);
	vblk_close(a);
	a = vblk_open(img, false, err, sizeof(err));
	CHECK(a, "lock_released_by_close");
	vblk_close(a);
}

static void test_features(const char *img)
{
	struct vblk *vb = vblk_open(img, false, err, sizeof(err));
	uint8_t c[128];
	uint64_t f;

	if (!CHECK(vb, "features_open"))
		return;
	f = vblk_features(vb);
	CHECK((f & BIT(VIRTIO_BLK_F_SEG_MAX)) && (f & BIT(VIRTIO_BLK_F_BLK_SIZE)) &&
	      (f & BIT(VIRTIO_BLK_F_FLUSH)) &&
	      (f & BIT(VIRTIO_BLK_F_WRITE_ZEROES)) && !(f & BIT(VIRTIO_BLK_F_RO)) &&
	      !(f & BIT(VIRTIO_BLK_F_MQ)) && !(f & BIT(32)),
	      "features_rw_single_queue");
	CHECK(!(f & (BIT(VIRTIO_BLK_F_SIZE_MAX) | BIT(VIRTIO_BLK_F_GEOMETRY) |
		     BIT(VIRTIO_BLK_F_TOPOLOGY) | BIT(VIRTIO_BLK_F_CONFIG_WCE) |
		     BIT(15) | BIT(16) | BIT(17))),
	      "features_nothing_unimplemented");
	CHECK(vblk_config_size() == 96, "config_size_is_virtio_1_2_layout");
	memset(c, 0xff, sizeof(c));
	vblk_config(vb, c, sizeof(c));
	CHECK(cfg64(c, 0) == IMG_SECTORS && cfg32(c, 12) == VBLK_SEG_MAX &&
	      cfg32(c, 20) == 512 && c[34] == 1 && c[35] == 0,
	      "config_capacity_seg_max_blk_size_queues");
	CHECK(cfg32(c, 48) == VBLK_MAX_WRITE_ZEROES_SECTORS &&
	      cfg32(c, 52) == VBLK_MAX_WRITE_ZEROES_SEG && c[56] <= 1,
	      "config_write_zeroes_limits");
	CHECK((f & BIT(VIRTIO_BLK_F_DISCARD)) ?
	      cfg32(c, 36) == VBLK_MAX_DISCARD_SECTORS &&
	      cfg32(c, 40) == VBLK_MAX_DISCARD_SEG && cfg32(c, 44) >= 1 :
	      cfg32(c, 36) == 0, "config_discard_limits_iff_offered");
	CHECK(c[32] == 0 && c[33] == 0 && all_zero(c + 57, 3) &&
	      all_zero(c + 60, sizeof(c) - 60),
	      "config_padding_and_rest_zero");
	memset(c, 0xff, sizeof(c));
	vblk_config(vb, c, 9);
	CHECK(cfg64(c, 0) == IMG_SECTORS && c[8] == 0 && c[9] == 0xff,
	      "config_partial_read");

	CHECK(vblk_set_num_queues(vb, 0) && vblk_set_num_queues(vb, 65) &&
	      vblk_num_queues(vb) == 1, "queues_out_of_range_refused");
	CHECK(!vblk_set_num_queues(vb, 4) && vblk_num_queues(vb) == 4 &&
	      (vblk_features(vb) & BIT(VIRTIO_BLK_F_MQ)), "queues_4_offers_mq");
	vblk_config(vb, c, sizeof(c));
	CHECK(c[34] == 4 && c[35] == 0, "config_num_queues_4");
	vblk_close(vb);

	vb = vblk_open(img, true, err, sizeof(err));
	if (!CHECK(vb, "features_open_ro"))
		return;
	f = vblk_features(vb);
	CHECK((f & BIT(VIRTIO_BLK_F_RO)) && (f & BIT(VIRTIO_BLK_F_FLUSH)) &&
	      !(f & BIT(VIRTIO_BLK_F_DISCARD)) &&
	      !(f & BIT(VIRTIO_BLK_F_WRITE_ZEROES)),
	      "features_ro_no_discard_or_write_zeroes");
	vblk_close(vb);
}

static void test_rw(const char *img)
{
	struct vblk *vb = vblk_open(img, false, err, sizeof(err));
	struct vt_arena a;
	struct vt_req t;
	uint8_t *h, *d, *s, *back, data[1536], got[1536];
	int st;

	if (!CHECK(vb, "rw_open"))
		return;
	vt_pattern(data, sizeof(data), 0, 99);

	/*
	 * Write sectors 5-7: header split 3 + 13, data as 100 + 924 + 512,
	 * status alone.
	 */
	vt_arena_init(&a, 16384);
	vt_req_init(&t);
	h = vt_alloc(&a, 3);
	vt_add_out(&t, h, 3);
	d = vt_alloc(&a, 13);
	vt_add_out(&t, d, 13);
	{
		uint8_t hdr[16];

		vt_hdr(hdr, VIRTIO_BLK_T_OUT, 5);
		memcpy(h, hdr, 3);
		memcpy(d, hdr + 3, 13);
	}
	d = vt_alloc(&a, 100);
	memcpy(d, data, 100);
	vt_add_out(&t, d, 100);
	d = vt_alloc(&a, 924);
	memcpy(d, data + 100, 924);
	vt_add_out(&t, d, 924);
	d = vt_alloc(&a, 512);
	memcpy(d, data + 1024, 512);
	vt_add_out(&t, d, 512);
	s = vt_alloc(&a, 1);
	*s = 0xee;
	vt_add_in(&t, s, 1);
	st = vt_run(vb, &t);
	CHECK(st == OK && t.written == 1 && vt_arena_guard_ok(&a),
	      "write_split_header_and_data");
	vt_arena_free(&a);

	/*
	 * Read them back: header in 16 one-byte buffers, data and status
	 * in one 1537-byte buffer split 700 + 837.
	 */
	vt_arena_init(&a, 16384);
	vt_req_init(&t);
	{
		uint8_t hdr[16];
		int i;

		vt_hdr(hdr, VIRTIO_BLK_T_IN, 5);
		for (i = 0; i < 16; i++) {
			h = vt_alloc(&a, 1);
			*h = hdr[i];
			vt_add_out(&t, h, 1);
		}
	}
	back = vt_alloc(&a, 700);
	vt_add_in(&t, back, 700);
	d = vt_alloc(&a, 837);
	memset(d, 0xee, 837);
	vt_add_in(&t, d, 837);
	st = vt_run(vb, &t);
	memcpy(got, back, 700);
	memcpy(got + 700, d, 836);
	CHECK(st == OK && t.written == 1537 && !memcmp(got, data, 1536) &&
	      vt_arena_guard_ok(&a), "read_one_byte_header_status_in_data_buffer");
	vt_arena_free(&a);

	memset(got, 0, sizeof(got));
	CHECK(vt_simple(vb, VIRTIO_BLK_T_IN, 4, NULL, 0, got, 512) == OK &&
	      file_has_pattern(img, 4, 1, 7) && file_has_pattern(img, 8, 1, 7),
	      "write_leaves_neighbours");
	{
		uint8_t want[512];

		vt_pattern(want, 512, 4 * 512, 7);
		CHECK(!memcmp(got, want, 512), "read_unwritten_sector");
	}

	/* Bounds (5.2.6.1): the last sector is fine, one past is not. */
	CHECK(vt_simple(vb, VIRTIO_BLK_T_IN, IMG_SECTORS - 1, NULL, 0, got,
			512) == OK, "read_last_sector");
	CHECK(vt_simple(vb, VIRTIO_BLK_T_IN, IMG_SECTORS, NULL, 0, got, 512) ==
	      IOERR, "read_past_end_ioerr");
	CHECK(vt_simple(vb, VIRTIO_BLK_T_IN, IMG_SECTORS - 1, NULL, 0, got,
			1024) == IOERR, "read_across_end_ioerr");
	CHECK(vt_simple(vb, VIRTIO_BLK_T_IN, UINT64_MAX, NULL, 0, got, 512) ==
	      IOERR, "read_sector_u64_max_ioerr");
	CHECK(vt_simple(vb, VIRTIO_BLK_T_IN, UINT64_MAX / 512 + 1, NULL, 0,
			got, 512) == IOERR, "read_offset_overflow_ioerr");
	{
		uint64_t sum = vt_file_sum(img);

		CHECK(vt_simple(vb, VIRTIO_BLK_T_OUT, IMG_SECTORS - 1, data,
				1024, NULL, 0) == IOERR &&
		      vt_file_sum(img) == sum, "write_across_end_changes_nothing");
	}
	vblk_close(vb);
	{
		int fd = open(img, O_RDONLY);

		CHECK(fd >= 0 && pread(fd, got, 1536, 5 * 512) == 1536 &&
		      !memcmp(got, data, 1536), "write_reaches_the_file");
		if (fd >= 0)
			close(fd);
	}
}

static void test_readonly(const char *img)
{
	uint64_t sum = vt_file_sum(img);
	struct vblk *vb = vblk_open(img, true, err, sizeof(err));
	uint8_t data[512], seg[16];

	if (!CHECK(vb, "ro_open"))
		return;
	memset(data, 0x5a, sizeof(data));
	CHECK(vt_simple(vb, VIRTIO_BLK_T_OUT, 0, data, 512, NULL, 0) == IOERR,
	      "ro_write_ioerr");
	memset(seg, 0, sizeof(seg));
	seg[8] = 1;
	CHECK(vt_simple(vb, VIRTIO_BLK_T_WRITE_ZEROES, 0, seg, 16, NULL, 0) ==
	      UNSUPP && vt_simple(vb, VIRTIO_BLK_T_DISCARD, 0, seg, 16, NULL,
				  0) == UNSUPP, "ro_discard_write_zeroes_unsupp");
	CHECK(vt_simple(vb, VIRTIO_BLK_T_IN, 0, NULL, 0, data, 512) == OK &&
	      vt_simple(vb, VIRTIO_BLK_T_FLUSH, 0, NULL, 0, NULL, 0) == OK,
	      "ro_read_and_flush_work");
	vblk_close(vb);
	CHECK(vt_file_sum(img) == sum, "ro_file_unchanged");
}

static void test_flush_and_id(const char *dir, const char *img)
{
	struct vblk *vb = vblk_open(img, false, err, sizeof(err)), *vb2;
	char id[20], id2[20], small[8];
	struct vt_req t;
	uint8_t hdr[16], st;
	char *other;

	if (!CHECK(vb, "flush_open"))
		return;
	vt_req_init(&t);
	vt_hdr(hdr, VIRTIO_BLK_T_FLUSH, 0);
	vt_add_out(&t, hdr, 16);
	vt_add_in(&t, &st, 1);
	CHECK(vt_run(vb, &t) == OK && t.written == 1, "flush_ok");

	memset(id, 0, sizeof(id));
	CHECK(vt_simple(vb, VIRTIO_BLK_T_GET_ID, 0, NULL, 0, id, 20) == OK &&
	      !memcmp(id, "vmctl-", 6) && memchr(id, 0, 20) == NULL,
	      "get_id_20_bytes_no_nul");
	CHECK(vt_simple(vb, VIRTIO_BLK_T_GET_ID, 0, NULL, 0, small, 8) == OK &&
	      !memcmp(small, id, 8), "get_id_short_buffer_gets_prefix");
	vblk_close(vb);
	vb = vblk_open(img, true, err, sizeof(err));
	memset(id2, 0, sizeof(id2));
	CHECK(vb && vt_simple(vb, VIRTIO_BLK_T_GET_ID, 0, NULL, 0, id2, 20) ==
	      OK && !memcmp(id, id2, 20), "get_id_stable_across_opens");
	vblk_close(vb);
	other = vt_image(dir, "other.img", 4096, 3);
	vb2 = vblk_open(other, false, err, sizeof(err));
	CHECK(vb2 && vt_simple(vb2, VIRTIO_BLK_T_GET_ID, 0, NULL, 0, id2, 20) ==
	      OK && memcmp(id, id2, 20), "get_id_differs_between_images");
	vblk_close(vb2);
	free(other);
}

static uint8_t *seg16(uint8_t *p, uint64_t sector, uint32_t num, uint32_t flags)
{
	struct virtio_blk_discard_write_zeroes s = {
		.sector = htole64(sector),
		.num_sectors = htole32(num),
		.flags = htole32(flags),
	};

	memcpy(p, &s, 16);
	return p + 16;
}

static void test_discard_wz(const char *img)
{
	struct vblk *vb = vblk_open(img, false, err, sizeof(err));
	uint8_t segs[17 * 16], buf[16 * 512];
	const uint32_t unmap = VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP;
	struct stat st0, st1;
	bool discard;
	uint64_t sum;

	if (!CHECK(vb, "discard_open"))
		return;
	discard = vblk_features(vb) & BIT(VIRTIO_BLK_F_DISCARD);
	stat(img, &st0);

	seg16(segs, 16, 16, 0);
	CHECK(vt_simple(vb, VIRTIO_BLK_T_WRITE_ZEROES, 0, segs, 16, NULL, 0) ==
	      OK && vt_simple(vb, VIRTIO_BLK_T_IN, 16, NULL, 0, buf, 8192) ==
	      OK && all_zero(buf, 8192) && file_has_pattern(img, 15, 1, 7) &&
	      file_has_pattern(img, 32, 1, 7), "write_zeroes_reads_zero");
	seg16(seg16(segs, 40, 3, unmap), 50, 2, 0);
	CHECK(vt_simple(vb, VIRTIO_BLK_T_WRITE_ZEROES, 0, segs, 32, NULL, 0) ==
	      OK && vt_simple(vb, VIRTIO_BLK_T_IN, 40, NULL, 0, buf, 12 * 512) ==
	      OK && all_zero(buf, 3 * 512) && all_zero(buf + 10 * 512, 1024) &&
	      file_has_pattern(img, 43, 7, 7) && file_has_pattern(img, 52, 1, 7),
	      "write_zeroes_two_segments_with_unmap");

	sum = vt_file_sum(img);
	seg16(seg16(segs, 60, 1, 0), IMG_SECTORS, 1, 0);
	CHECK(vt_simple(vb, VIRTIO_BLK_T_WRITE_ZEROES, 0, segs, 32, NULL, 0) ==
	      IOERR && vt_file_sum(img) == sum,
	      "write_zeroes_bad_segment_changes_nothing");
	seg16(segs, 60, 1, 2);
	CHECK(vt_simple(vb, VIRTIO_BLK_T_WRITE_ZEROES, 0, segs, 16, NULL, 0) ==
	      UNSUPP, "write_zeroes_unknown_flag_unsupp");
	seg16(segs, 0, VBLK_MAX_WRITE_ZEROES_SECTORS + 1, 0);
	CHECK(vt_simple(vb, VIRTIO_BLK_T_WRITE_ZEROES, 0, segs, 16, NULL, 0) ==
	      IOERR, "write_zeroes_over_max_sectors_ioerr");
	memset(segs, 0, sizeof(segs));
	CHECK(vt_simple(vb, VIRTIO_BLK_T_WRITE_ZEROES, 0, segs, 17 * 16, NULL,
			0) == IOERR, "write_zeroes_over_max_seg_ioerr");
	CHECK(vt_simple(vb, VIRTIO_BLK_T_WRITE_ZEROES, 0, segs, 24, NULL, 0) ==
	      IOERR && vt_simple(vb, VIRTIO_BLK_T_WRITE_ZEROES, 0, NULL, 0,
				 NULL, 0) == IOERR,
	      "write_zeroes_partial_or_no_segment_ioerr");
	CHECK(vt_simple(vb, VIRTIO_BLK_T_WRITE_ZEROES, 0, segs, 16, NULL, 0) ==
	      OK && vt_file_sum(img) == sum, "write_zeroes_zero_sectors_noop");
	CHECK(vt_file_sum(img) == sum, "failed_write_zeroes_changed_nothing");

	if (discard) {
		seg16(segs, 64, 32, 0);
		CHECK(vt_simple(vb, VIRTIO_BLK_T_DISCARD, 0, segs, 16, NULL, 0) ==
		      OK && file_has_pattern(img, 63, 1, 7) &&
		      file_has_pattern(img, 96, 1, 7), "discard_ok_neighbours_kept");
		seg16(segs, 64, 1, unmap);
		CHECK(vt_simple(vb, VIRTIO_BLK_T_DISCARD, 0, segs, 16, NULL, 0) ==
		      UNSUPP, "discard_with_unmap_unsupp");
		seg16(segs, IMG_SECTORS - 1, 2, 0);
		CHECK(vt_simple(vb, VIRTIO_BLK_T_DISCARD, 0, segs, 16, NULL, 0) ==
		      IOERR, "discard_past_end_ioerr");
		seg16(segs, 0, VBLK_MAX_DISCARD_SECTORS + 1, 0);
		CHECK(vt_simple(vb, VIRTIO_BLK_T_DISCARD, 0, segs, 16, NULL, 0) ==
		      IOERR, "discard_over_max_sectors_ioerr");
	} else {
		seg16(segs, 64, 32, 0);
		CHECK(vt_simple(vb, VIRTIO_BLK_T_DISCARD, 0, segs, 16, NULL, 0) ==
		      UNSUPP, "discard_not_offered_unsupp");
	}
	vblk_close(vb);
	stat(img, &st1);
	CHECK(st0.st_size == st1.st_size, "discard_write_zeroes_keep_size");
}

/* Many requests in flight on 4 queues, from 2 submitting threads. */
#define NREQ	256

struct flight {
	struct vblk *vb;
	struct vt_req t[NREQ / 2];
	uint8_t hdr[NREQ / 2][16], st[NREQ / 2];
	uint8_t data[NREQ / 2][512];
	unsigned int base;
};

static void *submitter(void *arg)
{
	struct flight *f = arg;
	unsigned int i, n;

	for (i = 0; i < NREQ / 2; i++) {
		struct vt_req *t = &f->t[i];

		n = f->base + i;
		vt_req_init(t);
		/*
		 * Even: write sector n with byte n; odd: read; every 16th
		 * a flush.
		 */
		vt_hdr(f->hdr[i], n % 16 == 15 ? VIRTIO_BLK_T_FLUSH :
		       n % 2 ? VIRTIO_BLK_T_IN : VIRTIO_BLK_T_OUT, n);
		vt_add_out(t, f->hdr[i], 16);
		memset(f->data[i], (uint8_t)n, 512);
		if (n % 16 == 15)
			;
		else if (n % 2)
			vt_add_in(t, f->data[i], 512);
		else
			vt_add_out(t, f->data[i], 512);
		f->st[i] = 0xee;
		vt_add_in(t, &f->st[i], 1);
		vt_submit(f->vb, n % 4, t);
	}
	return NULL;
}

static void test_concurrency(const char *img)
{
	static struct flight f[2];
	struct vblk *vb = vblk_open(img, false, err, sizeof(err));
	unsigned int i, j, once = 0, ok = 0, bad_q = 0;
	pthread_t th[2];
	uint8_t buf[512], hdr[16], st;
	struct vt_req t;
	bool data_ok = true;

	if (!CHECK(vb, "concurrency_open"))
		return;
	vblk_set_num_queues(vb, 4);
	for (i = 0; i < 2; i++) {
		f[i].vb = vb;
		f[i].base = i * NREQ / 2;
		pthread_create(&th[i], NULL, submitter, &f[i]);
	}
	for (i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	for (i = 0; i < 2; i++) {
		for (j = 0; j < NREQ / 2; j++) {
			once += vt_wait(&f[i].t[j]);
			ok += f[i].st[j] == OK;
		}
	}
	CHECK(once == NREQ && ok == NREQ, "many_in_flight_complete_once_ok");
	for (i = 0; i < NREQ && data_ok; i += 2) {
		data_ok = vt_simple(vb, VIRTIO_BLK_T_IN, i, NULL, 0, buf, 512) ==
			OK && buf[0] == (uint8_t)i && buf[511] == (uint8_t)i;
	}
	CHECK(data_ok, "many_in_flight_writes_landed");

	vt_req_init(&t);
	vt_hdr(hdr, VIRTIO_BLK_T_FLUSH, 0);
	vt_add_out(&t, hdr, 16);
	st = 0xee;
	vt_add_in(&t, &st, 1);
	vt_submit(vb, 4, &t);
	bad_q = vt_wait(&t) && st == IOERR;
	CHECK(bad_q, "queue_out_of_range_ioerr");

	/* vblk_close() waits for everything still queued. */
	for (i = 0; i < 2; i++)
		for (j = 0; j < NREQ / 2; j++)
			atomic_store(&f[i].t[j].completions, 0);
	for (i = 0; i < 2; i++) {
		f[i].vb = vb;
		submitter(&f[i]);
	}
	vblk_close(vb);
	once = 0;
	for (i = 0; i < 2; i++)
		for (j = 0; j < NREQ / 2; j++)
			once += atomic_load(&f[i].t[j].completions) == 1;
	CHECK(once == NREQ, "close_completes_all_in_flight");
}

void unit_vblk(void)
{
	char *dir = vt_tmpdir(), *img;

	if (!CHECK(dir, "vblk_tmpdir"))
		return;
	test_iov_cursor();
	img = vt_image(dir, "disk.img", IMG_SIZE, 7);
	test_open_errors(dir, img);
	test_locks(img);
	test_features(img);
	test_rw(img);
	test_readonly(img);
	test_flush_and_id(dir, img);
	test_discard_wz(img);
	test_concurrency(img);
	free(img);
	vt_rmdir(dir);
}
