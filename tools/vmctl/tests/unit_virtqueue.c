// SPDX-License-Identifier: GPL-2.0
/*
 * The split virtqueue (virtio/virtqueue.c) against a fake guest RAM:
 * good chains (direct, indirect, direct then indirect), the used ring and
 * interrupt suppression (VIRTQ_AVAIL_F_NO_INTERRUPT, used_event), the
 * avail_event it publishes, every malformed case the parser refuses,
 * and a bounded fuzz (fixed seed) of random tables and rings: never a
 * crash, an iovec outside guest RAM or an error that leaves the queue
 * usable.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "../virtio/virtqueue.h"
#include "unit.h"

#define RAM_LOW		(256u << 10)
#define RAM_HIGH	(64u << 10)
#define DESC		0x1000u
#define AVAIL		0x2000u
#define USED		0x3000u
#define DATA		0x8000u		/* buffers and indirect tables */
#define QSIZE		8

static uint8_t *ram;
static struct guest_mem mem;
static struct virtq q;

static void put16(uint64_t gpa, uint16_t v)
{
	memcpy(ram + gpa, &v, 2);
}

static uint16_t get16(uint64_t gpa)
{
	uint16_t v;

	memcpy(&v, ram + gpa, 2);
	return v;
}

static uint32_t get32(uint64_t gpa)
{
	uint32_t v;

	memcpy(&v, ram + gpa, 4);
	return v;
}

/* Descriptor @i of the table at @table. */
static void desc(uint64_t table, unsigned int i, uint64_t addr, uint32_t len,
		 uint16_t flags, uint16_t next)
{
	uint8_t *p = ram + table + 16 * i;

	memcpy(p, &addr, 8);
	memcpy(p + 8, &len, 4);
	memcpy(p + 12, &flags, 2);
	memcpy(p + 14, &next, 2);
}

/* Make head @head available (the driver's side, 2.7.13). */
static void offer(uint16_t head)
{
	uint16_t idx = get16(AVAIL + 2);

	put16(AVAIL + 4 + 2 * (idx % q.num), head);
	put16(AVAIL + 2, (uint16_t)(idx + 1));
}

static void fresh(bool indirect, bool event_idx)
{
	memset(ram, 0, RAM_LOW);
	virtq_reset(&q);
	q.num = QSIZE;
	q.desc_gpa = DESC;
	q.avail_gpa = AVAIL;
	q.used_gpa = USED;
	q.indirect = indirect;
	q.event_idx = event_idx;
	virtq_enable(&q);
}

static bool inside(const struct iovec *v)
{
	uint8_t *p = v->iov_base;

	return (p >= ram && p + v->iov_len <= ram + RAM_LOW) ||
	       (p >= ram + RAM_LOW && p + v->iov_len <= ram + RAM_LOW + RAM_HIGH);
}

static enum virtq_result pop_one(struct virtq_elem **e)
{
	return virtq_pop(&q, e);
}

/* One malformed chain at head 0: the error, and the queue broken. */
static void bad(const char *name, enum virtq_result want)
{
	struct virtq_elem *e;
	enum virtq_result r;

	offer(0);
	r = pop_one(&e);
	CHECK(r == want && !e && q.broken && pop_one(&e) == VQ_ERR_NOT_READY,
	      name);
}

static void unit_good(void)
{
	struct virtq_elem *e;
	bool irq;

	fresh(true, false);
	CHECK(q.ready && !q.broken && pop_one(&e) == VQ_EMPTY,
	      "vq_enable_and_empty");
	/* out 16 bytes -> in 64 bytes in high RAM -> in 0-length. */
	desc(DESC, 0, DATA, 16, VIRTQ_DESC_F_NEXT, 3);
	desc(DESC, 3, (4ull << 30) + 0x100, 64,
	     VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 5);
	desc(DESC, 5, DATA + 0x100, 0, VIRTQ_DESC_F_WRITE, 0);
	offer(0);
	CHECK(pop_one(&e) == VQ_OK && e && e->req.nout == 1 &&
	      e->req.nin == 1 && e->req.out[0].iov_base == ram + DATA &&
	      e->req.out[0].iov_len == 16 &&
	      e->req.in[0].iov_base == ram + RAM_LOW + 0x100 &&
	      e->req.in[0].iov_len == 64 && e->head == 0,
	      "vq_pop_readable_then_writable_high_ram");
	irq = virtq_push(&q, e, 1000);
	CHECK(irq && get16(USED + 2) == 1 && get32(USED + 4) == 0 &&
	      get32(USED + 8) == 64, "vq_push_used_elem_len_clamped");
	CHECK(pop_one(&e) == VQ_EMPTY, "vq_empty_after_one");

	/* Indirect: a table of 3 after one direct descriptor. */
	desc(DATA + 0x1000, 0, DATA, 8, VIRTQ_DESC_F_NEXT, 1);
	desc(DATA + 0x1000, 1, DATA + 8, 8, VIRTQ_DESC_F_NEXT, 2);
	desc(DATA + 0x1000, 2, DATA + 16, 32, VIRTQ_DESC_F_WRITE, 0);
	desc(DESC, 1, DATA + 0x400, 4, VIRTQ_DESC_F_NEXT, 2);
	desc(DESC, 2, DATA + 0x1000, 48, VIRTQ_DESC_F_INDIRECT |
	     VIRTQ_DESC_F_WRITE, 0);
	offer(1);
	CHECK(pop_one(&e) == VQ_OK && e->req.nout == 3 && e->req.nin == 1 &&
	      e->req.out[0].iov_base == ram + DATA + 0x400 &&
	      e->req.in[0].iov_len == 32 && e->head == 1,
	      "vq_direct_then_indirect_table");
	/* 2.7.7.2: NO_INTERRUPT suppresses the interrupt. */
	put16(AVAIL, VIRTQ_AVAIL_F_NO_INTERRUPT);
	CHECK(!virtq_push(&q, e, 32) && get16(USED + 2) == 2 &&
	      get32(USED + 12) == 1, "vq_no_interrupt_flag_respected");

	/* EVENT_IDX: used_event decides, avail_event is published. */
	fresh(false, true);
	desc(DESC, 0, DATA, 4, VIRTQ_DESC_F_WRITE, 0);
	put16(AVAIL + 4 + 2 * QSIZE, 1);	/* used_event: after 2 */
	offer(0);
	offer(0);
	CHECK(pop_one(&e) == VQ_OK && !virtq_push(&q, e, 4),
	      "vq_event_idx_no_interrupt_before_used_event");
	CHECK(pop_one(&e) == VQ_OK && virtq_push(&q, e, 4),
	      "vq_event_idx_interrupt_crossing_used_event");
	CHECK(!virtq_arm(&q) && get16(USED + 4 + 8 * QSIZE) == 2,
	      "vq_arm_publishes_avail_event");
	offer(0);
	CHECK(virtq_arm(&q), "vq_arm_sees_new_buffer");
	CHECK(pop_one(&e) == VQ_OK, "vq_pop_after_arm");
	virtq_push(&q, e, 0);

	/* Wrap of the 16-bit indices over many rounds. */
	{
		unsigned int i, ok = 1;

		fresh(false, false);
		desc(DESC, 0, DATA, 4, VIRTQ_DESC_F_WRITE, 0);
		for (i = 0; i < 70000 && ok; i++) {
			offer(0);
			ok = pop_one(&e) == VQ_OK && (virtq_push(&q, e, 1), 1);
		}
		CHECK(ok && get16(USED + 2) == (uint16_t)70000,
		      "vq_indices_wrap_at_65536");
	}
}

static void unit_bad(void)
{
	unsigned int i;

	fresh(true, false);
	offer(QSIZE);
	{
		struct virtq_elem *e;

		CHECK(pop_one(&e) == VQ_ERR_HEAD && q.broken,
		      "vq_head_out_of_range_breaks_queue");
	}
	fresh(true, false);
	desc(DESC, 0, DATA, 4, VIRTQ_DESC_F_NEXT, QSIZE);
	bad("vq_next_out_of_range", VQ_ERR_NEXT);
	fresh(true, false);
	desc(DESC, 0, DATA, 4, VIRTQ_DESC_F_NEXT, 1);
	desc(DESC, 1, DATA, 4, VIRTQ_DESC_F_NEXT, 0);
	bad("vq_loop_detected", VQ_ERR_CHAIN_LONG);
	fresh(true, false);
	for (i = 0; i < QSIZE; i++)
		desc(DESC, i, DATA, 4, VIRTQ_DESC_F_NEXT, (uint16_t)(i + 1) % QSIZE);
	bad("vq_chain_longer_than_queue", VQ_ERR_CHAIN_LONG);
	fresh(true, false);
	desc(DESC, 0, DATA + 0x1000, 24, VIRTQ_DESC_F_INDIRECT, 0);
	bad("vq_indirect_len_not_multiple_of_16", VQ_ERR_INDIRECT_LEN);
	fresh(true, false);
	desc(DESC, 0, DATA + 0x1000, 0, VIRTQ_DESC_F_INDIRECT, 0);
	bad("vq_indirect_len_zero", VQ_ERR_INDIRECT_LEN);
	fresh(true, false);
	desc(DESC, 0, DATA + 0x1000, 16 * (VIRTQ_MAX_INDIRECT + 1),
	     VIRTQ_DESC_F_INDIRECT, 0);
	bad("vq_indirect_table_too_long", VQ_ERR_INDIRECT_LEN);
	fresh(true, false);
	desc(DATA + 0x1000, 0, DATA + 0x2000, 16, VIRTQ_DESC_F_INDIRECT, 0);
	desc(DESC, 0, DATA + 0x1000, 16, VIRTQ_DESC_F_INDIRECT, 0);
	bad("vq_nested_indirect", VQ_ERR_INDIRECT_NESTED);
	fresh(true, false);
	desc(DESC, 0, DATA + 0x1000, 16, VIRTQ_DESC_F_INDIRECT |
	     VIRTQ_DESC_F_NEXT, 1);
	bad("vq_indirect_with_next", VQ_ERR_INDIRECT_NEXT);
	fresh(false, false);
	desc(DESC, 0, DATA + 0x1000, 16, VIRTQ_DESC_F_INDIRECT, 0);
	bad("vq_indirect_not_negotiated", VQ_ERR_INDIRECT_FEATURE);
	fresh(true, false);
	desc(DATA + 0x1000, 0, DATA, 4, VIRTQ_DESC_F_NEXT, 1);
	desc(DATA + 0x1000, 1, DATA, 4, VIRTQ_DESC_F_NEXT, 0);
	desc(DESC, 0, DATA + 0x1000, 32, VIRTQ_DESC_F_INDIRECT, 0);
	bad("vq_loop_inside_indirect_table", VQ_ERR_CHAIN_LONG);
	fresh(true, false);
	desc(DATA + 0x1000, 0, DATA, 4, VIRTQ_DESC_F_NEXT, 2);
	desc(DESC, 0, DATA + 0x1000, 32, VIRTQ_DESC_F_INDIRECT, 0);
	bad("vq_next_beyond_indirect_table", VQ_ERR_NEXT);
	fresh(true, false);
	desc(DESC, 0, DATA, 4, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 1);
	desc(DESC, 1, DATA, 4, 0, 0);
	bad("vq_readable_after_writable", VQ_ERR_WRITE_ORDER);
	fresh(true, false);
	desc(DESC, 0, RAM_LOW - 8, 16, 0, 0);
	bad("vq_buffer_past_low_ram", VQ_ERR_ADDR);
	fresh(true, false);
	desc(DESC, 0, 0xc0000000u, 16, 0, 0);
	bad("vq_buffer_in_the_hole", VQ_ERR_ADDR);
	fresh(true, false);
	desc(DESC, 0, (4ull << 30) + RAM_HIGH - 4, 8, VIRTQ_DESC_F_WRITE, 0);
	bad("vq_buffer_past_high_ram", VQ_ERR_ADDR);
	fresh(true, false);
	desc(DESC, 0, ~0ull - 4, 16, 0, 0);
	bad("vq_buffer_address_wraps", VQ_ERR_ADDR);
	fresh(true, false);
	desc(DESC, 0, RAM_LOW - 16, 32, VIRTQ_DESC_F_INDIRECT, 0);
	bad("vq_indirect_table_outside_ram", VQ_ERR_ADDR);
	fresh(true, false);
	put16(AVAIL + 2, QSIZE + 1);
	{
		struct virtq_elem *e;

		CHECK(pop_one(&e) == VQ_ERR_AVAIL_IDX && q.broken,
		      "vq_avail_idx_too_far_ahead");
	}

	/* Enabling: size and ring placement (2.7). */
	virtq_reset(&q);
	q.num = 6;
	q.desc_gpa = DESC, q.avail_gpa = AVAIL, q.used_gpa = USED;
	CHECK(virtq_enable(&q) == VQ_ERR_SIZE && q.broken,
	      "vq_size_not_power_of_2_refused");
	virtq_reset(&q);
	q.num = 32;
	q.desc_gpa = DESC, q.avail_gpa = AVAIL, q.used_gpa = USED;
	CHECK(virtq_enable(&q) == VQ_ERR_SIZE, "vq_size_above_max_refused");
	virtq_reset(&q);
	q.num = QSIZE;
	q.desc_gpa = DESC + 8, q.avail_gpa = AVAIL, q.used_gpa = USED;
	CHECK(virtq_enable(&q) == VQ_ERR_ADDR, "vq_desc_misaligned_refused");
	virtq_reset(&q);
	q.num = QSIZE;
	q.desc_gpa = DESC, q.avail_gpa = AVAIL, q.used_gpa = RAM_LOW - 16;
	CHECK(virtq_enable(&q) == VQ_ERR_ADDR, "vq_used_ring_outside_ram_refused");
}

/* xorshift64: the same sequence on every run. */
static uint64_t rnd_state = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return rnd_state;
}

/* An address: mostly inside RAM, sometimes near or beyond its edges. */
static uint64_t rnd_addr(void)
{
	switch (rnd() % 8) {
	case 0:	return rnd();
	case 1:	return RAM_LOW - rnd() % 64;
	case 2:	return (4ull << 30) + rnd() % (RAM_HIGH + 64);
	case 3: return 0xc0000000u + rnd() % 4096;
	default: return DATA + rnd() % (RAM_LOW - DATA);
	}
}

static void rnd_table(uint64_t at, unsigned int n, unsigned int next_max)
{
	/* Half the tables without INDIRECT, so that longer good chains
	 * come out too. */
	bool plain = rnd() & 1;
	unsigned int i;

	for (i = 0; i < n; i++) {
		uint16_t flags = (uint16_t)(rnd() % (plain ? 4 : 8));
		uint32_t len = rnd() % 4 ? (uint32_t)(rnd() % 512) :
			       (uint32_t)rnd();

		if (flags & VIRTQ_DESC_F_INDIRECT && rnd() % 2)
			len = 16 * (uint32_t)(1 + rnd() % 16);
		desc(at, i, rnd_addr(), len, flags,
		     (uint16_t)(rnd() % (next_max + 2)));
	}
}

static void unit_fuzz(void)
{
	unsigned long iters = 0, popped = 0, errors = 0, outside = 0;
	unsigned int round, k;
	struct timespec t0, t1;
	double secs;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (round = 0; round < 40000; round++) {
		struct virtq_elem *e;
		unsigned int num = 1u << (rnd() % 5);	/* 1..16 */
		enum virtq_result r;

		virtq_reset(&q);
		q.num = num;
		q.desc_gpa = DESC, q.avail_gpa = AVAIL, q.used_gpa = USED;
		q.indirect = rnd() % 4 != 0;
		q.event_idx = rnd() % 2;
		if (virtq_enable(&q) != VQ_OK)
			continue;
		rnd_table(DESC, num, num);
		/* A few indirect tables where random addresses point. */
		for (k = 0; k < 4; k++)
			rnd_table(DATA + (rnd() % 64) * 16 * 16, 16, 16);
		for (k = 0; k < num + 4; k++)
			put16(AVAIL + 4 + 2 * (k % num), (uint16_t)(rnd() % (num + 2)));
		put16(AVAIL + 2, (uint16_t)(rnd() % (2 * num + 2)));
		for (k = 0; k < 2 * num + 2; k++) {
			iters++;
			r = virtq_pop(&q, &e);
			if (r == VQ_OK) {
				unsigned int i;

				popped++;
				for (i = 0; i < e->req.nout + e->req.nin; i++)
					if (!inside(&e->iov[i]))
						outside++;
				virtq_push(&q, e, (uint32_t)rnd());
			} else {
				if (r != VQ_EMPTY)
					errors++;
				if (r != VQ_EMPTY && !q.broken)
					outside++;	/* an error must break */
				break;
			}
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) +
	       (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("# vq fuzz: %lu pops tried, %lu chains good, %lu refused,"
	       " %.2f s\n", iters, popped, errors, secs);
	CHECK(outside == 0 && popped > 100 && errors > 100,
	      "vq_fuzz_no_iovec_outside_ram_errors_break");
#ifdef __SANITIZE_ADDRESS__
	(void)secs;	/* instrumented: slower by design, not timed */
#else
	CHECK(secs < 2.0, "vq_fuzz_under_2s");
#endif
}

void unit_virtqueue(void)
{
	ram = mmap(NULL, RAM_LOW + RAM_HIGH, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (ram == MAP_FAILED) {
		CHECK(0, "vq_fake_ram");
		return;
	}
	mem = (struct guest_mem){ .host = ram, .low = RAM_LOW,
				  .high = RAM_HIGH };
	virtq_init(&q, &mem, 16);
	unit_good();
	unit_bad();
	unit_fuzz();
	virtq_destroy(&q);
	munmap(ram, RAM_LOW + RAM_HIGH);
}
