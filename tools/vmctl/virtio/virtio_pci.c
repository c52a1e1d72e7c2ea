// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-pci modern transport (see virtio_pci.h).  Section numbers are
 * those of the virtio 1.2 specification unless they name PCI.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "virtio_pci.h"

#define VIRTIO_PCI_VENDOR	0x1af4
#define VIRTIO_PCI_DEVICE_BASE	0x1040
/* struct virtio_pci_cap (4.1.4) and its extensions. */
#define CAP_LEN			16
#define CAP_NOTIFY_LEN		20
#define CAP_PCI_CFG_LEN		20
#define CAP_OFF_LEN		2
#define CAP_OFF_TYPE		3
#define CAP_OFF_BAR		4
#define CAP_OFF_ID		5
#define CAP_OFF_OFFSET		8
#define CAP_OFF_LENGTH		12
#define CAP_OFF_EXTRA		16	/* multiplier, or pci_cfg_data */

#define ISR_QUEUE		0x1	/* 4.1.4.5 */
#define ISR_CONFIG		0x2

static struct virtio_pci *of_pci(struct pci_dev *d)
{
	return (struct virtio_pci *)((char *)d - offsetof(struct virtio_pci,
							   pci));
}

static bool overlaps(unsigned int off, unsigned int len, unsigned int at,
		     unsigned int n)
{
	return off < at + n && at < off + len;
}

static void say(struct virtio_pci *vp, const char *fmt, const char *what,
		unsigned int n)
{
	char text[200];

	if (!vp->host.log)
		return;
	snprintf(text, sizeof(text), fmt, vp->dev.name, what, n);
	vp->host.log(vp->host.opaque, text);
}

static void wake(struct virtio_pci *vp)
{
	uint64_t one = 1;

	if (vp->wake_fd >= 0 && write(vp->wake_fd, &one, sizeof(one)) < 0)
		return;	/* the counter is at its limit: already awake */
}

static void kick(struct virtio_pci_queue *q)
{
	uint64_t one = 1;

	if (write(q->kick_fd, &one, sizeof(one)) < 0)
		return;
}

/* ---- Interrupts (@lock held) --------------------------------------- */

/*
 * 4.1.4.5: without MSI-X, INTx# is asserted while any ISR bit is set,
 * unless the command register disables it (PCI 3.0, 6.2.2 bit 10).
 * The line itself belongs to the machine: the device thread tells it.
 */
static void update_intx(struct virtio_pci *vp)
{
	bool level = vp->isr && !msix_enabled(&vp->msix) &&
		     !(pci_get16(vp->pci.cfg + PCI_COMMAND) &
		       PCI_COMMAND_INTX_DISABLE);

	if (__atomic_load_n(&vp->pci.intx, __ATOMIC_RELAXED) == level)
		return;
	__atomic_store_n(&vp->pci.intx, level, __ATOMIC_RELEASE);
	__atomic_store_n(&vp->intx_dirty, true, __ATOMIC_RELEASE);
	wake(vp);
}

/* MSI-X's output: an irqfd for the vector when the kernel has them,
 * registered for the message the table holds now, else SIGNAL_MSI. */
static void msix_send(void *opaque, unsigned int vec, uint64_t address,
		      uint32_t data)
{
	struct virtio_pci *vp = opaque;
	struct virtio_pci_irq *irq = &vp->irq[vec];
	uint64_t one = 1;

	__atomic_add_fetch(&vp->interrupts, 1, __ATOMIC_RELAXED);
	if (vp->host.irqfd) {
		if (irq->assigned &&
		    (irq->address != address || irq->data != data)) {
			vp->host.irqfd(vp->host.opaque, irq->fd, irq->address,
				       irq->data, false);
			irq->assigned = false;
		}
		if (!irq->assigned && irq->fd < 0)
			irq->fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (!irq->assigned && irq->fd >= 0 &&
		    vp->host.irqfd(vp->host.opaque, irq->fd, address, data,
				   true) == 0) {
			irq->assigned = true;
			irq->address = address;
			irq->data = data;
		}
		if (irq->assigned &&
		    write(irq->fd, &one, sizeof(one)) == sizeof(one))
			return;
	}
	vp->host.signal_msi(vp->host.opaque, address, data);
}

/* 4.1.5.3: a used buffer notification, through the queue's vector or
 * (MSI-X off) the ISR's queue bit and INTx. */
static void notify_queue(struct virtio_pci *vp, unsigned int qi)
{
	if (msix_enabled(&vp->msix)) {
		/* 4.1.5.1.2: no vector, no interrupt. */
		if (vp->q[qi].msix_vector != VIRTIO_MSI_NO_VECTOR)
			msix_notify(&vp->msix, vp->q[qi].msix_vector);
		return;
	}
	vp->isr |= ISR_QUEUE;
	__atomic_add_fetch(&vp->interrupts, 1, __ATOMIC_RELAXED);
	update_intx(vp);
}

/* 4.1.5.4: the ISR's configuration bit is set in either case. */
static void notify_config(struct virtio_pci *vp)
{
	vp->isr |= ISR_CONFIG;
	if (msix_enabled(&vp->msix)) {
		if (vp->msix_config != VIRTIO_MSI_NO_VECTOR)
			msix_notify(&vp->msix, vp->msix_config);
		return;
	}
	update_intx(vp);
}

/* 2.1.2: a device that hits an error it cannot recover from sets
 * DEVICE_NEEDS_RESET and, once the driver is running, sends a
 * configuration change notification. */
static void broken(struct virtio_pci *vp, unsigned int qi,
		   enum virtq_result r)
{
	say(vp, "%s: queue broken, the driver must reset the device: %s"
	    " (queue %u)", virtq_strerror(r), qi);
	vp->status |= VIRTIO_STATUS_NEEDS_RESET;
	if (vp->status & VIRTIO_STATUS_DRIVER_OK)
		notify_config(vp);
}

/* ---- Doorbells ------------------------------------------------------ */

/*
 * Each enabled queue's notify address, while the BAR decodes, signals
 * the queue's eventfd in the kernel (SVMHV_IOEVENTFD): the driver's
 * 16-bit write (4.1.5.2) never stops its vCPU.  Without the capability,
 * or for other widths, the MMIO exit writes the eventfd instead.
 */
static void sync_ioeventfds(struct virtio_pci *vp)
{
	bool dec;
	uint64_t base = 0;
	unsigned int i;

	dec = pci_dev_bar_decodes(&vp->pci, VIRTIO_PCI_BAR, &base);
	for (i = 0; i < vp->dev.num_queues; i++) {
		struct virtio_pci_queue *q = &vp->q[i];
		uint64_t want = 0;

		if (dec && q->vq.ready && !q->vq.broken)
			want = base + VIRTIO_PCI_NOTIFY +
			       i * VIRTIO_PCI_NOTIFY_MULT;
		if (want == q->ioeventfd_addr)
			continue;
		if (q->ioeventfd_addr)
			vp->host.ioeventfd(vp->host.opaque, q->ioeventfd_addr,
					   2, q->kick_fd, false);
		q->ioeventfd_addr = 0;
		if (want && vp->host.ioeventfd &&
		    vp->host.ioeventfd(vp->host.opaque, want, 2, q->kick_fd,
				       true) == 0)
			q->ioeventfd_addr = want;
	}
}

/* ---- Device status and reset (@lock held) -------------------------- */

/*
 * 2.4 / 4.1.4.3.1: writing 0 resets the device.  Requests out with the
 * device finish first (their completions are dropped: the rings may be
 * gone), then the queues, features and vectors go back to their reset
 * values.  The MSI-X table is PCI state and stays.
 */
static void reset(struct virtio_pci *vp)
{
	unsigned int i;

	vp->resetting = true;
	for (i = 0; i < vp->dev.num_queues; i++) {
		pthread_mutex_lock(&vp->q[i].vq.lock);
		vp->q[i].vq.ready = false;
		pthread_mutex_unlock(&vp->q[i].vq.lock);
	}
	/* A device holding requests gives them back; their completions
	 * take @lock, so it is released meanwhile, as in the wait. */
	if (vp->dev.cancel) {
		pthread_mutex_unlock(&vp->lock);
		vp->dev.cancel(vp->dev.opaque);
		pthread_mutex_lock(&vp->lock);
	}
	while (vp->inflight)
		pthread_cond_wait(&vp->idle, &vp->lock);
	if (vp->dev.reset)
		vp->dev.reset(vp->dev.opaque);
	for (i = 0; i < vp->dev.num_queues; i++) {
		pthread_mutex_lock(&vp->q[i].vq.lock);
		virtq_reset(&vp->q[i].vq);
		pthread_mutex_unlock(&vp->q[i].vq.lock);
		vp->q[i].msix_vector = VIRTIO_MSI_NO_VECTOR;
	}
	sync_ioeventfds(vp);
	vp->status = 0;
	vp->driver_features = 0;
	vp->dfselect = vp->gfselect = 0;
	vp->queue_select = 0;
	vp->msix_config = VIRTIO_MSI_NO_VECTOR;
	vp->isr = 0;
	update_intx(vp);
	vp->resetting = false;
}

static void set_status(struct virtio_pci *vp, uint8_t v)
{
	uint8_t old = vp->status;
	unsigned int i;

	if (v == 0) {
		reset(vp);
		return;
	}
	/* DEVICE_NEEDS_RESET is the device's to set (2.1). */
	v = (uint8_t)((v & ~VIRTIO_STATUS_NEEDS_RESET) |
		      (old & VIRTIO_STATUS_NEEDS_RESET));
	/*
	 * 3.1.1 steps 5-6: FEATURES_OK sticks only if the device accepts
	 * the driver's features: nothing it did not offer (2.2), and
	 * VIRTIO_F_VERSION_1, without which this non-transitional device
	 * has no interface to offer (6.1).
	 */
	if ((v & VIRTIO_STATUS_FEATURES_OK) &&
	    !(old & VIRTIO_STATUS_FEATURES_OK) &&
	    ((vp->driver_features & ~vp->offered) ||
	     !(vp->driver_features >> VIRTIO_F_VERSION_1 & 1) ||
	     (vp->dev.features_ok &&
	      vp->dev.features_ok(vp->dev.opaque, vp->driver_features))))
		v &= (uint8_t)~VIRTIO_STATUS_FEATURES_OK;
	vp->status = v;
	/* 3.1.1 step 8: buffers made available before DRIVER_OK are
	 * served now (the device consumes none before it). */
	if ((v & VIRTIO_STATUS_DRIVER_OK) && !(old & VIRTIO_STATUS_DRIVER_OK))
		for (i = 0; i < vp->dev.num_queues; i++)
			if (vp->q[i].vq.ready)
				kick(&vp->q[i]);
}

/* ---- Common configuration (4.1.4.3, @lock held) -------------------- */

static struct virtio_pci_queue *selected(struct virtio_pci *vp)
{
	return vp->queue_select < vp->dev.num_queues ?
	       &vp->q[vp->queue_select] : NULL;
}

static void common_image(struct virtio_pci *vp, uint8_t *c)
{
	struct virtio_pci_queue *q = selected(vp);
	uint32_t df = 0;

	memset(c, 0, VIRTIO_PCI_COMMON_LEN);
	if (vp->dfselect < 2)
		df = (uint32_t)(vp->offered >> (32 * vp->dfselect));
	pci_put32(c + VPCI_DFSELECT, vp->dfselect);
	pci_put32(c + VPCI_DF, df);
	pci_put32(c + VPCI_GFSELECT, vp->gfselect);
	if (vp->gfselect < 2)
		pci_put32(c + VPCI_GF, (uint32_t)(vp->driver_features >>
						  (32 * vp->gfselect)));
	pci_put16(c + VPCI_MSIX_CONFIG, vp->msix_config);
	pci_put16(c + VPCI_NUM_QUEUES, (uint16_t)vp->dev.num_queues);
	c[VPCI_STATUS] = vp->status;
	c[VPCI_CFG_GENERATION] = vp->config_generation;
	pci_put16(c + VPCI_Q_SELECT, vp->queue_select);
	/* 4.1.4.3.1: a queue that does not exist reads size 0. */
	if (!q)
		return;
	pci_put16(c + VPCI_Q_SIZE, q->vq.num);
	pci_put16(c + VPCI_Q_MSIX, q->msix_vector);
	pci_put16(c + VPCI_Q_ENABLE, q->vq.ready);
	pci_put16(c + VPCI_Q_NOFF, (uint16_t)(q - vp->q));
	pci_put32(c + VPCI_Q_DESC, (uint32_t)q->vq.desc_gpa);
	pci_put32(c + VPCI_Q_DESC + 4, (uint32_t)(q->vq.desc_gpa >> 32));
	pci_put32(c + VPCI_Q_DRIVER, (uint32_t)q->vq.avail_gpa);
	pci_put32(c + VPCI_Q_DRIVER + 4, (uint32_t)(q->vq.avail_gpa >> 32));
	pci_put32(c + VPCI_Q_DEVICE, (uint32_t)q->vq.used_gpa);
	pci_put32(c + VPCI_Q_DEVICE + 4, (uint32_t)(q->vq.used_gpa >> 32));
}

/* 4.1.5.1.2.1: a vector the table does not have is refused, and the
 * field then reads VIRTIO_MSI_NO_VECTOR. */
static uint16_t vector(struct virtio_pci *vp, uint64_t v)
{
	return v < vp->msix.nvec ? (uint16_t)v : VIRTIO_MSI_NO_VECTOR;
}

/* A 64-bit queue address written whole or as two dwords (Linux writes
 * the low half first, vp_iowrite64_twopart()). */
static void set_addr(uint64_t *a, unsigned int off, unsigned int len,
		     uint64_t val)
{
	if (len == 8 && off == 0)
		*a = val;
	else if (len == 4 && off == 0)
		*a = (*a & ~0xffffffffull) | (uint32_t)val;
	else if (len == 4 && off == 4)
		*a = (*a & 0xffffffffull) | val << 32;
}

static void enable_queue(struct virtio_pci *vp, struct virtio_pci_queue *q)
{
	uint64_t f = vp->driver_features;
	enum virtq_result r;

	pthread_mutex_lock(&q->vq.lock);
	q->vq.event_idx = f >> VIRTIO_F_RING_EVENT_IDX & 1;
	q->vq.indirect = f >> VIRTIO_F_INDIRECT_DESC & 1;
	r = virtq_enable(&q->vq);
	pthread_mutex_unlock(&q->vq.lock);
	if (r != VQ_OK)
		broken(vp, (unsigned int)(q - vp->q), r);
	sync_ioeventfds(vp);
}

static void common_write(struct virtio_pci *vp, unsigned int off,
			 unsigned int len, uint64_t val)
{
	struct virtio_pci_queue *q = selected(vp);
	bool q_open = q && !q->vq.ready;
	unsigned int half;

	switch (off) {
	case VPCI_DFSELECT:
		if (len == 4)
			vp->dfselect = (uint32_t)val;
		return;
	case VPCI_GFSELECT:
		if (len == 4)
			vp->gfselect = (uint32_t)val;
		return;
	case VPCI_GF:
		/* 3.1.1: features are fixed once FEATURES_OK is set. */
		if (len != 4 || vp->gfselect > 1 ||
		    (vp->status & VIRTIO_STATUS_FEATURES_OK))
			return;
		half = 32 * vp->gfselect;
		vp->driver_features = (vp->driver_features &
				       ~(0xffffffffull << half)) |
				      (val & 0xffffffffull) << half;
		return;
	case VPCI_MSIX_CONFIG:
		if (len == 2)
			vp->msix_config = vector(vp, val);
		return;
	case VPCI_STATUS:
		if (len == 1)
			set_status(vp, (uint8_t)val);
		return;
	case VPCI_Q_SELECT:
		if (len == 2)
			vp->queue_select = (uint16_t)val;
		return;
	case VPCI_Q_SIZE:
		/* 4.1.4.3.2: the driver may lower the size before it
		 * enables the queue; virtq_enable() checks it. */
		if (len == 2 && q_open)
			q->vq.num = (uint16_t)val;
		return;
	case VPCI_Q_MSIX:
		if (len == 2 && q)
			q->msix_vector = vector(vp, val);
		return;
	case VPCI_Q_ENABLE:
		/* 4.1.4.3.2: the driver writes 1 only, and never 0. */
		if (len == 2 && q_open && val == 1)
			enable_queue(vp, q);
		return;
	}
	if (!q_open)
		return;
	if (off >= VPCI_Q_DESC && off < VPCI_Q_DESC + 8)
		set_addr(&q->vq.desc_gpa, off - VPCI_Q_DESC, len, val);
	else if (off >= VPCI_Q_DRIVER && off < VPCI_Q_DRIVER + 8)
		set_addr(&q->vq.avail_gpa, off - VPCI_Q_DRIVER, len, val);
	else if (off >= VPCI_Q_DEVICE && off < VPCI_Q_DEVICE + 8)
		set_addr(&q->vq.used_gpa, off - VPCI_Q_DEVICE, len, val);
}

/* ---- The BAR ---------------------------------------------------------- */

static uint64_t get_le(const uint8_t *p, unsigned int len)
{
	uint64_t v = 0;

	while (len--)
		v = v << 8 | p[len];
	return v;
}

/* One access inside the BAR, @lock held. */
static void bar_access(struct virtio_pci *vp, uint64_t off, bool is_write,
		       uint8_t *data, unsigned int len)
{
	uint8_t img[VIRTIO_PCI_MAX_CONFIG];

	if (!is_write)
		memset(data, 0, len);
	if (off + len <= VIRTIO_PCI_COMMON + VIRTIO_PCI_COMMON_LEN) {
		if (is_write) {
			common_write(vp, (unsigned int)off, len,
				     get_le(data, len));
		} else {
			common_image(vp, img);
			memcpy(data, img + off, len);
		}
	} else if (off >= VIRTIO_PCI_ISR && off < VIRTIO_PCI_ISR + 4) {
		/* 4.1.4.5.1: a read returns the bits and clears them. */
		if (!is_write && off == VIRTIO_PCI_ISR) {
			data[0] = vp->isr;
			vp->isr = 0;
			update_intx(vp);
		}
	} else if (off >= VIRTIO_PCI_DEVICE &&
		   off + len <= VIRTIO_PCI_DEVICE + vp->dev.config_size) {
		/* 4.1.4.6: device configuration; the models here have no
		 * writable fields, writes are dropped. */
		if (!is_write && vp->dev.get_config) {
			vp->dev.get_config(vp->dev.opaque, img,
					   vp->dev.config_size);
			memcpy(data, img + (off - VIRTIO_PCI_DEVICE), len);
		}
	} else if (off >= VIRTIO_PCI_NOTIFY &&
		   off < VIRTIO_PCI_NOTIFY + (uint64_t)vp->dev.num_queues *
						 VIRTIO_PCI_NOTIFY_MULT) {
		/* 4.1.4.4: queue_notify_off * multiplier picks the queue
		 * whatever the value written. */
		if (is_write) {
			__atomic_add_fetch(&vp->notifies, 1, __ATOMIC_RELAXED);
			kick(&vp->q[(off - VIRTIO_PCI_NOTIFY) /
				    VIRTIO_PCI_NOTIFY_MULT]);
		}
	} else if (msix_claims(&vp->msix, VIRTIO_PCI_BAR, off, len)) {
		msix_bar_rw(&vp->msix, off, is_write, data, len);
		update_intx(vp);
	}
}

static void bar_rw(struct pci_dev *d, unsigned int bar, uint64_t off,
		   bool is_write, uint8_t *data, unsigned int len)
{
	struct virtio_pci *vp = of_pci(d);

	(void)bar;
	pthread_mutex_lock(&vp->lock);
	bar_access(vp, off, is_write, data, len);
	pthread_mutex_unlock(&vp->lock);
}

/* ---- Configuration space hooks (@lock held, pci_dev.lock) ----------- */

/*
 * 4.1.4.9: VIRTIO_PCI_CAP_PCI_CFG.  pci_cfg_data is a window of
 * cap.length (1, 2, 4) bytes at cap.offset of BAR cap.bar; the driver
 * keeps it aligned and inside a structure (else nothing happens here).
 */
static void cfg_window(struct virtio_pci *vp, bool is_write)
{
	uint8_t *cap = vp->pci.cfg + vp->cfg_cap;
	uint32_t off = pci_get32(cap + CAP_OFF_OFFSET);
	uint32_t len = pci_get32(cap + CAP_OFF_LENGTH);

	if (cap[CAP_OFF_BAR] != VIRTIO_PCI_BAR ||
	    (len != 1 && len != 2 && len != 4) || off % len ||
	    off + len > VIRTIO_PCI_BAR_SIZE)
		return;
	bar_access(vp, off, is_write, cap + CAP_OFF_EXTRA, len);
}

static void cfg_after_write(struct pci_dev *d, unsigned int off,
			    unsigned int len)
{
	struct virtio_pci *vp = of_pci(d);

	if (overlaps(off, len, PCI_COMMAND, 2) ||
	    overlaps(off, len, PCI_BAR0 + 4 * VIRTIO_PCI_BAR, 8))
		sync_ioeventfds(vp);
	if (overlaps(off, len, vp->msix.cap + 2, 2))
		msix_control_written(&vp->msix);
	if (overlaps(off, len, vp->cfg_cap + CAP_OFF_EXTRA, 4))
		cfg_window(vp, true);
	update_intx(vp);
}

static void cfg_before_read(struct pci_dev *d, unsigned int off,
			    unsigned int len)
{
	struct virtio_pci *vp = of_pci(d);

	if (overlaps(off, len, vp->cfg_cap + CAP_OFF_EXTRA, 4))
		cfg_window(vp, false);
}

/* ---- Requests --------------------------------------------------------- */

static void put_inflight(struct virtio_pci *vp)
{
	if (--vp->inflight == 0)
		pthread_cond_broadcast(&vp->idle);
}

/* struct virtio_req's complete(): any thread, once per request. */
static void complete(struct virtio_req *req, uint32_t written)
{
	struct virtq_elem *e = (struct virtq_elem *)req;
	struct virtio_pci *vp = req->opaque;
	struct virtq *q = e->q;
	unsigned int qi = (unsigned int)((struct virtio_pci_queue *)q - vp->q);
	bool irq;

	pthread_mutex_lock(&q->lock);
	irq = virtq_push(q, e, written);
	pthread_mutex_unlock(&q->lock);
	pthread_mutex_lock(&vp->lock);
	if (irq && !vp->resetting)
		notify_queue(vp, qi);
	put_inflight(vp);
	pthread_mutex_unlock(&vp->lock);
}

void virtio_pci_process_queue(struct virtio_pci *vp, unsigned int qi)
{
	struct virtio_pci_queue *pq = &vp->q[qi];
	struct virtq_elem *e;
	enum virtq_result r;

	for (;;) {
		pthread_mutex_lock(&vp->lock);
		/* 3.1.1: nothing is consumed before DRIVER_OK. */
		if (vp->resetting || !(vp->status & VIRTIO_STATUS_DRIVER_OK)) {
			pthread_mutex_unlock(&vp->lock);
			return;
		}
		vp->inflight++;
		pthread_mutex_unlock(&vp->lock);

		pthread_mutex_lock(&pq->vq.lock);
		r = virtq_pop(&pq->vq, &e);
		if (r == VQ_EMPTY && virtq_arm(&pq->vq))
			r = virtq_pop(&pq->vq, &e);
		pthread_mutex_unlock(&pq->vq.lock);

		if (r != VQ_OK) {
			pthread_mutex_lock(&vp->lock);
			put_inflight(vp);
			if (r != VQ_EMPTY && r != VQ_ERR_NOT_READY) {
				broken(vp, qi, r);
				sync_ioeventfds(vp);
			}
			pthread_mutex_unlock(&vp->lock);
			return;
		}
		e->req.complete = complete;
		e->req.opaque = vp;
		__atomic_add_fetch(&vp->requests, 1, __ATOMIC_RELAXED);
		vp->dev.submit(vp->dev.opaque, qi, &e->req);
	}
}

/* ---- The device thread ---------------------------------------------- */

static void drain(int fd)
{
	uint64_t v;

	if (read(fd, &v, sizeof(v)) < 0)
		return;	/* EAGAIN: another reader took it */
}

static void *device_thread(void *arg)
{
	struct virtio_pci *vp = arg;
	struct pollfd p[1 + VIRTIO_PCI_MAX_QUEUES];
	unsigned int i, n = vp->dev.num_queues;

	p[0] = (struct pollfd){ .fd = vp->wake_fd, .events = POLLIN };
	for (i = 0; i < n; i++)
		p[1 + i] = (struct pollfd){ .fd = vp->q[i].kick_fd,
					    .events = POLLIN };
	while (!__atomic_load_n(&vp->stopping, __ATOMIC_ACQUIRE)) {
		if (poll(p, 1 + n, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[0].revents)
			drain(vp->wake_fd);
		if (__atomic_exchange_n(&vp->intx_dirty, false,
					__ATOMIC_ACQ_REL) &&
		    vp->host.intx_changed)
			vp->host.intx_changed(vp->host.opaque);
		for (i = 0; i < n; i++) {
			if (!p[1 + i].revents)
				continue;
			drain(vp->q[i].kick_fd);
			virtio_pci_process_queue(vp, i);
		}
	}
	return NULL;
}

/* ---- Set-up ----------------------------------------------------------- */

static unsigned int add_vendor_cap(struct pci_dev *d, uint8_t type,
				   unsigned int len, uint32_t offset,
				   uint32_t length)
{
	unsigned int at = pci_dev_add_cap(d, PCI_CAP_ID_VNDR, len);

	if (!at)
		return 0;
	/* 4.1.4: cap_len, cfg_type, bar, id, padding, offset, length. */
	d->cfg[at + CAP_OFF_LEN] = (uint8_t)len;
	d->cfg[at + CAP_OFF_TYPE] = type;
	d->cfg[at + CAP_OFF_BAR] = VIRTIO_PCI_BAR;
	d->cfg[at + CAP_OFF_ID] = 0;
	pci_put32(d->cfg + at + CAP_OFF_OFFSET, offset);
	pci_put32(d->cfg + at + CAP_OFF_LENGTH, length);
	return at;
}

/* PCI class code (PCI 3.0 appendix D) by device type: 4.1.2 leaves it
 * to the device; these are QEMU's, which guests have seen for years. */
static uint32_t class_code(uint16_t device_id)
{
	switch (device_id) {
	case VIRTIO_ID_NET:
		return 0x020000;	/* network, Ethernet */
	case VIRTIO_ID_BLOCK:
		return 0x010000;	/* mass storage, SCSI */
	default:
		return 0xff0000;	/* unassigned class */
	}
}

int virtio_pci_init(struct virtio_pci *vp, const struct virtio_device *dev,
		    const struct virtio_host *host)
{
	struct pci_dev *d = &vp->pci;
	unsigned int i, at;

	memset(vp, 0, sizeof(*vp));
	vp->wake_fd = -1;
	for (i = 0; i < VIRTIO_PCI_MAX_QUEUES; i++)
		vp->q[i].kick_fd = -1;
	for (i = 0; i < MSIX_MAX_VECTORS; i++)
		vp->irq[i].fd = -1;
	if (!dev->num_queues || dev->num_queues > VIRTIO_PCI_MAX_QUEUES ||
	    !dev->queue_size || dev->queue_size & (dev->queue_size - 1) ||
	    dev->queue_size > VIRTQ_MAX_SIZE ||
	    dev->config_size > VIRTIO_PCI_MAX_CONFIG || !dev->submit ||
	    !host->signal_msi)
		return -1;
	vp->dev = *dev;
	vp->host = *host;
	pthread_mutex_init(&vp->lock, NULL);
	pthread_cond_init(&vp->idle, NULL);
	/*
	 * 4.1.2.1: vendor 0x1af4, device 0x1040 + virtio ID (a non-
	 * transitional device), revision 1 or higher; the subsystem IDs
	 * may be the environment's (here: the same vendor and ID).
	 */
	pci_dev_init(d, VIRTIO_PCI_VENDOR,
		     (uint16_t)(VIRTIO_PCI_DEVICE_BASE + dev->device_id), 1,
		     class_code(dev->device_id), VIRTIO_PCI_VENDOR,
		     (uint16_t)(VIRTIO_PCI_DEVICE_BASE + dev->device_id));
	pci_dev_set_intx_pin(d);
	pci_dev_set_bar(d, VIRTIO_PCI_BAR, VIRTIO_PCI_BAR_SIZE, true, bar_rw);
	d->lock = &vp->lock;
	d->after_write = cfg_after_write;
	d->before_read = cfg_before_read;
	d->opaque = vp;
	/* One vector per queue and one for configuration changes. */
	if (msix_init(&vp->msix, d, dev->num_queues + 1, VIRTIO_PCI_BAR,
		      VIRTIO_PCI_MSIX_TABLE, VIRTIO_PCI_MSIX_PBA, msix_send,
		      vp) < 0)
		return -1;
	/* 4.1.4: one capability per structure (4.1.4.2: the device may
	 * offer them in any order; drivers take the first of a type). */
	if (!add_vendor_cap(d, VIRTIO_PCI_CAP_COMMON_CFG, CAP_LEN,
			    VIRTIO_PCI_COMMON, VIRTIO_PCI_COMMON_LEN))
		return -1;
	at = add_vendor_cap(d, VIRTIO_PCI_CAP_NOTIFY_CFG, CAP_NOTIFY_LEN,
			    VIRTIO_PCI_NOTIFY,
			    dev->num_queues * VIRTIO_PCI_NOTIFY_MULT);
	if (!at)
		return -1;
	pci_put32(d->cfg + at + CAP_OFF_EXTRA, VIRTIO_PCI_NOTIFY_MULT);
	if (!add_vendor_cap(d, VIRTIO_PCI_CAP_ISR_CFG, CAP_LEN,
			    VIRTIO_PCI_ISR, 1))
		return -1;
	/* 4.1.4.6: only for devices that have configuration space. */
	if (dev->config_size &&
	    !add_vendor_cap(d, VIRTIO_PCI_CAP_DEVICE_CFG, CAP_LEN,
			    VIRTIO_PCI_DEVICE, (uint32_t)dev->config_size))
		return -1;
	/* 4.1.4.9: bar, offset, length and pci_cfg_data are RW. */
	vp->cfg_cap = add_vendor_cap(d, VIRTIO_PCI_CAP_PCI_CFG,
				     CAP_PCI_CFG_LEN, 0, 0);
	if (!vp->cfg_cap)
		return -1;
	d->wmask[vp->cfg_cap + CAP_OFF_BAR] = 0xff;
	memset(d->wmask + vp->cfg_cap + CAP_OFF_OFFSET, 0xff, 12);

	vp->offered = dev->features | 1ull << VIRTIO_F_VERSION_1 |
		      1ull << VIRTIO_F_INDIRECT_DESC |
		      1ull << VIRTIO_F_RING_EVENT_IDX;
	vp->msix_config = VIRTIO_MSI_NO_VECTOR;
	for (i = 0; i < dev->num_queues; i++) {
		virtq_init(&vp->q[i].vq, host->mem, dev->queue_size);
		vp->q[i].msix_vector = VIRTIO_MSI_NO_VECTOR;
		vp->q[i].kick_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (vp->q[i].kick_fd < 0)
			return -1;
	}
	vp->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	return vp->wake_fd < 0 ? -1 : 0;
}

int virtio_pci_start(struct virtio_pci *vp)
{
	sigset_t all, old;
	int e;

	/* The thread takes no signal: SIGALRM and the stop signals are
	 * vCPU 0's (machine.h).  Blocked before it exists, so none lands
	 * on it in between. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	e = pthread_create(&vp->thread, NULL, device_thread, vp);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (e) {
		errno = e;
		return -1;
	}
	vp->thread_started = true;
	return 0;
}

void virtio_pci_stop(struct virtio_pci *vp)
{
	if (!vp->thread_started)
		return;
	__atomic_store_n(&vp->stopping, true, __ATOMIC_RELEASE);
	wake(vp);
	pthread_join(vp->thread, NULL);
	vp->thread_started = false;
}

void virtio_pci_destroy(struct virtio_pci *vp)
{
	unsigned int i;

	virtio_pci_stop(vp);
	for (i = 0; i < vp->dev.num_queues; i++) {
		struct virtio_pci_queue *q = &vp->q[i];

		if (q->ioeventfd_addr)
			vp->host.ioeventfd(vp->host.opaque, q->ioeventfd_addr,
					   2, q->kick_fd, false);
		if (q->kick_fd >= 0)
			close(q->kick_fd);
		virtq_destroy(&q->vq);
	}
	for (i = 0; i < MSIX_MAX_VECTORS; i++) {
		if (vp->irq[i].assigned)
			vp->host.irqfd(vp->host.opaque, vp->irq[i].fd,
				       vp->irq[i].address, vp->irq[i].data,
				       false);
		if (vp->irq[i].fd >= 0)
			close(vp->irq[i].fd);
	}
	if (vp->wake_fd >= 0)
		close(vp->wake_fd);
	pthread_cond_destroy(&vp->idle);
	pthread_mutex_destroy(&vp->lock);
}

void virtio_pci_config_changed(struct virtio_pci *vp)
{
	pthread_mutex_lock(&vp->lock);
	vp->config_generation++;
	notify_config(vp);
	pthread_mutex_unlock(&vp->lock);
}
