// SPDX-License-Identifier: GPL-2.0
/*
 * Split virtqueue, device side (see virtqueue.h).  Section numbers are
 * those of the virtio 1.2 specification.
 */
#include <stdlib.h>
#include <string.h>

#include "virtqueue.h"

/* 2.7.5: struct virtq_desc. */
struct desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

#define DESC_SIZE	16
#define AVAIL_RING	4	/* flags, idx, then ring[num], used_event */
#define USED_RING	4	/* flags, idx, then ring[num], avail_event */
#define USED_ELEM	8	/* id, len */

void virtq_init(struct virtq *q, const struct guest_mem *mem,
		uint16_t num_max)
{
	memset(q, 0, sizeof(*q));
	pthread_mutex_init(&q->lock, NULL);
	q->mem = mem;
	q->num_max = num_max;
	virtq_reset(q);
}

void virtq_destroy(struct virtq *q)
{
	free(q->scratch);
	q->scratch = NULL;
	pthread_mutex_destroy(&q->lock);
}

void virtq_reset(struct virtq *q)
{
	q->num = q->num_max;
	q->desc_gpa = q->avail_gpa = q->used_gpa = 0;
	q->event_idx = q->indirect = false;
	q->ready = q->broken = false;
	q->error = VQ_OK;
	q->desc = NULL;
	q->avail = q->used = NULL;
	q->last_avail = q->used_idx = 0;
	free(q->scratch);
	q->scratch = NULL;
}

static enum virtq_result fail(struct virtq *q, enum virtq_result r)
{
	q->broken = true;
	q->error = r;
	return r;
}

enum virtq_result virtq_enable(struct virtq *q)
{
	uint64_t n = q->num;

	q->ready = true;
	/* 2.7: Queue Size is a power of 2 no larger than what the device
	 * offers (4.1.4.3: the driver may only lower it). */
	if (!n || n & (n - 1) || n > q->num_max)
		return fail(q, VQ_ERR_SIZE);
	/* 2.7, table "Virtqueue Part / Alignment / Size": descriptor table
	 * 16-byte aligned, available ring 2, used ring 4. */
	if (q->desc_gpa % 16 || q->avail_gpa % 2 || q->used_gpa % 4)
		return fail(q, VQ_ERR_ADDR);
	q->desc = guest_mem_ptr(q->mem, q->desc_gpa, DESC_SIZE * n);
	q->avail = guest_mem_ptr(q->mem, q->avail_gpa, 6 + 2 * n);
	q->used = guest_mem_ptr(q->mem, q->used_gpa, 6 + USED_ELEM * n);
	if (!q->desc || !q->avail || !q->used)
		return fail(q, VQ_ERR_ADDR);
	q->scratch = calloc(n + VIRTQ_MAX_INDIRECT, sizeof(*q->scratch));
	if (!q->scratch)
		return fail(q, VQ_ERR_NOMEM);
	/* 2.7.8: the used ring starts empty; the driver set both indices
	 * to 0 (2.7.13, 3.1). */
	q->last_avail = 0;
	q->used_idx = 0;
	return VQ_OK;
}

static uint16_t load16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/*
 * 2.7.13.3.1: the driver writes the ring entry, then (after a barrier)
 * idx; the acquire load orders our ring and descriptor reads after it.
 */
static uint16_t avail_idx(const struct virtq *q)
{
	return __atomic_load_n((const uint16_t *)(q->avail + 2),
			       __ATOMIC_ACQUIRE);
}

/* One descriptor, copied out once: later reads never see a second
 * version the driver wrote meanwhile. */
static void read_desc(const uint8_t *table, unsigned int i, struct desc *d)
{
	memcpy(d, table + (size_t)i * DESC_SIZE, sizeof(*d));
}

/*
 * Walk the chain at @head into q->scratch: device-readable buffers
 * first, then device-writable ones.
 */
static enum virtq_result walk(struct virtq *q, uint16_t head,
			      unsigned int *nout, unsigned int *nin,
			      uint32_t *in_len)
{
	const uint8_t *table = q->desc;
	unsigned int size = q->num, i = head, seen = 0, n = 0;
	bool indirect = false, writing = false;
	uint64_t total = 0, writable = 0;
	struct desc d;

	*nout = *nin = 0;
	if (i >= size)
		return VQ_ERR_HEAD;
	for (;;) {
		/* 2.7.5.3.1: no chain is longer than the Queue Size (or,
		 * in an indirect table, than the table): more is a loop. */
		if (++seen > size)
			return VQ_ERR_CHAIN_LONG;
		read_desc(table, i, &d);
		if (d.flags & VIRTQ_DESC_F_INDIRECT) {
			/* 2.7.5.3.1: only with VIRTIO_F_INDIRECT_DESC, never
			 * inside an indirect table, never with NEXT. */
			if (!q->indirect)
				return VQ_ERR_INDIRECT_FEATURE;
			if (indirect)
				return VQ_ERR_INDIRECT_NESTED;
			if (d.flags & VIRTQ_DESC_F_NEXT)
				return VQ_ERR_INDIRECT_NEXT;
			/* 2.7.5.3: a table of len / 16 descriptors. */
			if (!d.len || d.len % DESC_SIZE ||
			    d.len / DESC_SIZE > VIRTQ_MAX_INDIRECT)
				return VQ_ERR_INDIRECT_LEN;
			table = guest_mem_ptr(q->mem, d.addr, d.len);
			if (!table)
				return VQ_ERR_ADDR;
			indirect = true;
			size = d.len / DESC_SIZE;
			i = 0;
			seen = 0;
			continue;
		}
		/* 2.7.4.2: device-writable buffers come after the
		 * device-readable ones. */
		if (d.flags & VIRTQ_DESC_F_WRITE)
			writing = true;
		else if (writing)
			return VQ_ERR_WRITE_ORDER;
		if (d.len) {
			void *p = guest_mem_ptr(q->mem, d.addr, d.len);

			if (!p)
				return VQ_ERR_ADDR;
			/* 2.7.5.2: at most 2^32 bytes in a chain. */
			total += d.len;
			if (total > UINT32_MAX)
				return VQ_ERR_TOO_BIG;
			q->scratch[n].iov_base = p;
			q->scratch[n].iov_len = d.len;
			n++;
			if (writing) {
				(*nin)++;
				writable += d.len;
			} else {
				(*nout)++;
			}
		}
		if (!(d.flags & VIRTQ_DESC_F_NEXT))
			break;
		i = d.next;
		if (i >= size)
			return VQ_ERR_NEXT;
	}
	*in_len = (uint32_t)writable;
	return VQ_OK;
}

enum virtq_result virtq_pop(struct virtq *q, struct virtq_elem **out)
{
	unsigned int nout, nin;
	struct virtq_elem *e;
	enum virtq_result r;
	uint16_t idx, head;
	uint32_t in_len;

	*out = NULL;
	if (!q->ready || q->broken)
		return VQ_ERR_NOT_READY;
	idx = avail_idx(q);
	if (idx == q->last_avail)
		return VQ_EMPTY;
	/* 2.7.6.1: the driver never moves idx back or more than Queue
	 * Size entries ahead of what the device used. */
	if ((uint16_t)(idx - q->last_avail) > q->num)
		return fail(q, VQ_ERR_AVAIL_IDX);
	head = load16(q->avail + AVAIL_RING + 2 * (q->last_avail % q->num));
	r = walk(q, head, &nout, &nin, &in_len);
	if (r != VQ_OK)
		return fail(q, r);
	e = malloc(sizeof(*e) + (nout + nin) * sizeof(e->iov[0]));
	if (!e)
		return fail(q, VQ_ERR_NOMEM);
	memcpy(e->iov, q->scratch, (nout + nin) * sizeof(e->iov[0]));
	e->req = (struct virtio_req){
		.out = e->iov, .nout = nout, .in = e->iov + nout, .nin = nin,
	};
	e->q = q;
	e->head = head;
	e->in_len = in_len;
	q->last_avail++;
	q->popped++;
	*out = e;
	return VQ_OK;
}

/* 2.7.7.2: with EVENT_IDX, an interrupt when used->idx passes
 * used_event, as Linux's vring_need_event(). */
static bool need_event(uint16_t event, uint16_t new, uint16_t old)
{
	return (uint16_t)(new - event - 1) < (uint16_t)(new - old);
}

bool virtq_push(struct virtq *q, struct virtq_elem *e, uint32_t written)
{
	uint16_t old = q->used_idx;
	uint8_t *elem;
	uint32_t id = e->head;

	q->popped--;
	if (!q->ready || q->broken) {
		free(e);
		return false;
	}
	if (written > e->in_len)
		written = e->in_len;
	free(e);
	elem = q->used + USED_RING + USED_ELEM * (size_t)(old % q->num);
	memcpy(elem, &id, 4);
	memcpy(elem + 4, &written, 4);
	q->used_idx = (uint16_t)(old + 1);
	/* 2.7.8.2: len is set before idx; 2.7.14: the driver reads the
	 * entry after it sees idx, so idx is published with release. */
	__atomic_store_n((uint16_t *)(q->used + 2), q->used_idx,
			 __ATOMIC_RELEASE);
	/* The suppression fields are read after idx is visible (2.7.7.2;
	 * the driver's side is 2.7.14): a store-load fence. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (q->event_idx)
		return need_event(load16(q->avail + AVAIL_RING + 2 * q->num),
				  q->used_idx, old);
	return !(load16(q->avail) & VIRTQ_AVAIL_F_NO_INTERRUPT);
}

void virtq_discard(struct virtq *q, struct virtq_elem *e)
{
	q->popped--;
	free(e);
}

bool virtq_arm(struct virtq *q)
{
	if (!q->ready || q->broken)
		return false;
	if (q->event_idx) {
		/* 2.7.10: notify me when avail->idx passes last_avail. */
		__atomic_store_n((uint16_t *)(q->used + USED_RING +
					      USED_ELEM * q->num),
				 q->last_avail, __ATOMIC_RELAXED);
	}
	/* The driver checks avail_event after publishing idx (2.7.13.4);
	 * we check idx after publishing avail_event: one of us sees the
	 * other. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return avail_idx(q) != q->last_avail;
}

const char *virtq_strerror(enum virtq_result r)
{
	switch (r) {
	case VQ_OK:			return "ok";
	case VQ_EMPTY:			return "empty";
	case VQ_ERR_NOT_READY:		return "queue not enabled";
	case VQ_ERR_AVAIL_IDX:		return "avail idx more than Queue Size ahead";
	case VQ_ERR_SIZE:		return "bad Queue Size";
	case VQ_ERR_HEAD:		return "head index out of range";
	case VQ_ERR_NEXT:		return "next index out of range";
	case VQ_ERR_CHAIN_LONG:		return "descriptor chain loops";
	case VQ_ERR_INDIRECT_FEATURE:	return "indirect descriptor not negotiated";
	case VQ_ERR_INDIRECT_NEXT:	return "indirect descriptor with NEXT";
	case VQ_ERR_INDIRECT_NESTED:	return "nested indirect table";
	case VQ_ERR_INDIRECT_LEN:	return "bad indirect table length";
	case VQ_ERR_WRITE_ORDER:	return "device-readable after device-writable";
	case VQ_ERR_ADDR:		return "address outside guest RAM";
	case VQ_ERR_TOO_BIG:		return "chain longer than 4 GiB";
	case VQ_ERR_NOMEM:		return "out of memory";
	}
	return "unknown";
}
