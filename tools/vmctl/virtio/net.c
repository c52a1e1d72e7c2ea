// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-net on a tap device (see net.h).  Section numbers are those of
 * the virtio 1.2 specification.
 *
 * Offloads.  The tap speaks the same struct virtio_net_hdr as the device
 * (IFF_VNET_HDR, header size 12), so an offload is offered only where the
 * kernel's tun driver does exactly what the feature promises:
 *  - VIRTIO_NET_F_CSUM, HOST_TSO4, HOST_TSO6 (driver to device, 5.1.6.2):
 *    a frame written with NEEDS_CSUM, csum_start/csum_offset and a TCPv4
 *    or TCPv6 gso_type becomes a partially checksummed GSO skb on the host
 *    (virtio_net_hdr_to_skb()), which the host stack checksums and
 *    segments as needed.  tun takes these on every tap, whatever
 *    TUNSETOFFLOAD says.
 *  - VIRTIO_NET_F_GUEST_CSUM, GUEST_TSO4, GUEST_TSO6 (device to driver,
 *    5.1.6.4): TUNSETOFFLOAD with TUN_F_CSUM, TUN_F_TSO4, TUN_F_TSO6 lets
 *    the host hand the tap partially checksummed and unsegmented TCP
 *    frames, with the header filled in.  So TUNSETOFFLOAD is set to what
 *    the driver accepted, at FEATURES_OK, and back to 0 at reset; until
 *    then the host checksums and segments everything itself.
 *  - Not offered: HOST_ECN/GUEST_ECN (TUN_F_TSO_ECN would do, but nothing
 *    here tests it), HOST_UFO/GUEST_UFO and USO (UDP GSO through tun
 *    depends on the kernel version), GUEST_RSC_EXT, MTU, MRG_RXBUF (see
 *    rx_frame()), CTRL_VQ and MQ (one queue pair; the tap sees every
 *    frame anyway, so there is no receive filter to program).
 * A tap whose TUNSETOFFLOAD refuses these gets none of the six offered
 * (5.1.3.1: a feature that needs another one is not offered alone).
 * Every header crossing the device is checked against what was
 * negotiated, whatever the tap or the driver sends.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/uio.h>
#include <unistd.h>

#include "iov_cursor.h"
#include "net.h"

/* Segments handed to writev() as they are; more are copied first. */
#define TX_IOV_MAX	64

#define OFFLOAD_FEATURES (1ull << VIRTIO_NET_F_CSUM | \
			  1ull << VIRTIO_NET_F_GUEST_CSUM | \
			  1ull << VIRTIO_NET_F_GUEST_TSO4 | \
			  1ull << VIRTIO_NET_F_GUEST_TSO6 | \
			  1ull << VIRTIO_NET_F_HOST_TSO4 | \
			  1ull << VIRTIO_NET_F_HOST_TSO6)

static bool has(uint64_t f, unsigned int bit)
{
	return f >> bit & 1;
}

/* ---- The tap ---------------------------------------------------------- */

int vnet_tap_open(const char *tun_path, const char *name, bool *offloads,
		  char *err, size_t errlen)
{
	struct ifreq ifr;
	int fd, hdr = VNET_HDR_LEN;
	const char *hint = "";

	*offloads = false;
	if (!*name || strlen(name) >= IFNAMSIZ) {
		snprintf(err, errlen, "tap name '%s' must have 1 to %d"
			 " characters", name, IFNAMSIZ - 1);
		errno = EINVAL;
		return -1;
	}
	fd = open(tun_path, O_RDWR | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		snprintf(err, errlen, "cannot open %s for tap '%s': %s%s",
			 tun_path, name, strerror(errno), errno == ENOENT ?
			 " (no tun driver: modprobe tun)" : "");
		return -1;
	}
	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, name, strlen(name));
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
	/* Attaches to a tap of that name (persistent, e.g. from `ip tuntap
	 * add NAME mode tap`), else creates one that lives as long as the
	 * fd. */
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		if (errno == EPERM)
			hint = " (creating a tap needs CAP_NET_ADMIN; or `ip"
			       " tuntap add NAME mode tap user USER` first)";
		else if (errno == EINVAL)
			hint = " (is NAME a tun, or a multiqueue tap?)";
		else if (errno == EBUSY)
			hint = " (another process has it open)";
		snprintf(err, errlen, "cannot attach to or create tap '%s':"
			 " %s%s", name, strerror(errno), hint);
		goto fail;
	}
	if (ioctl(fd, TUNSETVNETHDRSZ, &hdr) < 0) {
		snprintf(err, errlen, "tap '%s': TUNSETVNETHDRSZ %d: %s", name,
			 hdr, strerror(errno));
		goto fail;
	}
	/* Which receive offloads it can pass through; none until the
	 * driver accepts them (5.1.6.4.1). */
	if (ioctl(fd, TUNSETOFFLOAD, TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6) == 0)
		*offloads = true;
	if (ioctl(fd, TUNSETOFFLOAD, 0) < 0) {
		snprintf(err, errlen, "tap '%s': TUNSETOFFLOAD 0: %s", name,
			 strerror(errno));
		goto fail;
	}
	return fd;
fail:
	close(fd);
	return -1;
}

void vnet_mac_from_name(const char *salt, const char *name, uint8_t mac[6])
{
	const char *part[2] = { salt ? salt : "", name };
	uint64_t h = 0xcbf29ce484222325ull;	/* FNV-1a, 64 bits */
	unsigned int i;
	const char *p;

	for (i = 0; i < 2; i++) {
		p = part[i];
		do {
			h ^= (uint8_t)*p;
			h *= 0x100000001b3ull;
		} while (*p++);
	}
	for (i = 0; i < 6; i++)
		mac[i] = (uint8_t)(h >> (8 * i));
	/* IEEE 802: bit 0 of the first octet clear (unicast), bit 1 set
	 * (locally administered). */
	mac[0] = (uint8_t)((mac[0] & 0xfc) | 0x02);
}

/* ---- Headers ---------------------------------------------------------- */

/*
 * A frame from the driver (5.1.6.2).  The device ignores flag bits it
 * does not know, and DATA_VALID and RSC_INFO are the device's to set
 * (5.1.6.2.1, 5.1.6.2.2); csum_start and csum_offset mean nothing
 * without NEEDS_CSUM (5.1.6.2.2).  A frame asking for an offload that was
 * not negotiated (5.1.6.2.1: the driver must not) is dropped rather than
 * passed to a tap that would perform it anyway.  num_buffers is the
 * driver's 0 (5.1.6.2); the tap does not read it.
 */
static bool tx_header(struct virtio_net_hdr_v1 *h, uint64_t f)
{
	h->flags &= VIRTIO_NET_HDR_F_NEEDS_CSUM;
	if (h->flags && !has(f, VIRTIO_NET_F_CSUM))
		return false;
	if (!h->flags)
		h->csum_start = h->csum_offset = 0;
	switch (h->gso_type) {
	case VIRTIO_NET_HDR_GSO_NONE:
		break;
	case VIRTIO_NET_HDR_GSO_TCPV4:
		if (!has(f, VIRTIO_NET_F_HOST_TSO4))
			return false;
		break;
	case VIRTIO_NET_HDR_GSO_TCPV6:
		if (!has(f, VIRTIO_NET_F_HOST_TSO6))
			return false;
		break;
	default:	/* ECN, UDP, UDP_L4: not offered */
		return false;
	}
	h->num_buffers = 0;
	return true;
}

/*
 * A frame for the driver (5.1.6.4.1): without GUEST_CSUM, flags 0 and a
 * fully checksummed frame (one still needing its checksum is dropped;
 * DATA_VALID is only a hint and goes); never RSC_INFO (GUEST_RSC_EXT is
 * not offered); a gso_type only if its GUEST_TSO feature was negotiated,
 * and no ECN (GUEST_ECN is not offered: the device "SHOULD NOT" send
 * those); num_buffers 1 without MRG_RXBUF.  The tap was told the same by
 * TUNSETOFFLOAD, so a drop here means a frame queued before that changed.
 */
static bool rx_header(struct virtio_net_hdr_v1 *h, uint64_t f)
{
	if (!has(f, VIRTIO_NET_F_GUEST_CSUM)) {
		if (h->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM)
			return false;
		h->flags = 0;
	} else {
		h->flags &= VIRTIO_NET_HDR_F_NEEDS_CSUM |
			    VIRTIO_NET_HDR_F_DATA_VALID;
	}
	switch (h->gso_type) {
	case VIRTIO_NET_HDR_GSO_NONE:
		break;
	case VIRTIO_NET_HDR_GSO_TCPV4:
		if (!has(f, VIRTIO_NET_F_GUEST_TSO4))
			return false;
		break;
	case VIRTIO_NET_HDR_GSO_TCPV6:
		if (!has(f, VIRTIO_NET_F_GUEST_TSO6))
			return false;
		break;
	default:
		return false;
	}
	h->num_buffers = 1;
	return true;
}

/* ---- Transmit (the transport's device thread) ----------------------- */

static void tx(struct vnet *n, struct virtio_req *req)
{
	uint64_t f = __atomic_load_n(&n->features, __ATOMIC_ACQUIRE);
	size_t total = iov_total(req->out, req->nout), len, got = 0;
	struct iovec iov[1 + TX_IOV_MAX];
	struct virtio_net_hdr_v1 h;
	struct iov_cursor c;
	unsigned int k, i;

	/* 5.1.6.2: the header, then the frame, in the readable buffers. */
	if (total < VNET_HDR_LEN || total - VNET_HDR_LEN > VNET_FRAME_MAX)
		goto drop;
	len = total - VNET_HDR_LEN;
	iov_to_buf(req->out, req->nout, 0, &h, VNET_HDR_LEN);
	if (!tx_header(&h, f))
		goto drop;
	iov[0] = (struct iovec){ .iov_base = &h, .iov_len = VNET_HDR_LEN };
	iov_cursor_init(&c, req->out, req->nout, VNET_HDR_LEN, len);
	k = iov_cursor_fill(&c, iov + 1, TX_IOV_MAX);
	for (i = 1; i <= k; i++)
		got += iov[i].iov_len;
	if (got < len) {
		iov_to_buf(req->out, req->nout, VNET_HDR_LEN, n->tx_buf, len);
		iov[1] = (struct iovec){ .iov_base = n->tx_buf, .iov_len = len };
		k = 1;
	}
	/* One write is one frame; the fd is non-blocking, and a tap that
	 * is down or full drops it (EIO, EAGAIN) like a cable would. */
	if (writev(n->fd, iov, (int)(1 + k)) < 0)
		goto drop;
	__atomic_add_fetch(&n->tx_packets, 1, __ATOMIC_RELAXED);
	req->complete(req, 0);
	return;
drop:
	__atomic_add_fetch(&n->tx_dropped, 1, __ATOMIC_RELAXED);
	req->complete(req, 0);
}

/* ---- Receive ---------------------------------------------------------- */

/*
 * One frame of @len bytes (header included) in rx_buf into @req.  Without
 * VIRTIO_NET_F_MRG_RXBUF the whole frame goes into one buffer (5.1.6.3.1:
 * the driver makes each big enough for what it negotiated; 5.1.6.4).
 * MRG_RXBUF is not offered: spreading a frame over several buffers needs
 * their used entries published together, which complete() does one by
 * one.  False: the frame is dropped, the buffer kept.
 */
static bool rx_frame(struct vnet *n, struct virtio_req *req, size_t len)
{
	uint64_t f = __atomic_load_n(&n->features, __ATOMIC_ACQUIRE);
	struct virtio_net_hdr_v1 h;

	if (len < VNET_HDR_LEN || len > VNET_HDR_LEN + VNET_FRAME_MAX)
		return false;
	memcpy(&h, n->rx_buf, VNET_HDR_LEN);
	if (!rx_header(&h, f))
		return false;
	if (iov_total(req->in, req->nin) < len)
		return false;
	memcpy(n->rx_buf, &h, VNET_HDR_LEN);
	iov_from_buf(req->in, req->nin, 0, n->rx_buf, len);
	req->complete(req, (uint32_t)len);
	return true;
}

unsigned int vnet_rx_poll(struct vnet *n)
{
	unsigned int done = 0;
	struct virtio_req *req;
	ssize_t len;

	while ((req = held_rx_take(&n->held))) {
		len = read(n->fd, n->rx_buf, VNET_BUF_SIZE);
		if (len < 0) {
			held_rx_give_back(&n->held, req);
			break;		/* EAGAIN: nothing more now */
		}
		if (rx_frame(n, req, (size_t)len)) {
			__atomic_add_fetch(&n->rx_packets, 1, __ATOMIC_RELAXED);
			done++;
		} else {
			__atomic_add_fetch(&n->rx_dropped, 1, __ATOMIC_RELAXED);
			held_rx_give_back(&n->held, req);
		}
	}
	return done;
}

static void drain(void *opaque)
{
	vnet_rx_poll(opaque);
}

/* ---- The device -------------------------------------------------------- */

/* 5.1.4: mac, then status (VIRTIO_NET_F_STATUS): the link is up. */
static void get_config(void *opaque, uint8_t *cfg, size_t len)
{
	struct vnet *n = opaque;
	uint8_t c[VIRTIO_NET_CONFIG_SIZE];

	memcpy(c, n->mac, 6);
	c[6] = VIRTIO_NET_S_LINK_UP;
	c[7] = 0;
	memset(cfg, 0, len);
	memcpy(cfg, c, len < sizeof(c) ? len : sizeof(c));
}

/*
 * 3.1.1 step 5.  The driver must not accept GUEST_TSO4/6 without
 * GUEST_CSUM, nor HOST_TSO4/6 without CSUM (5.1.3.1); such a set is
 * refused (the tap could not do it either: TUNSETOFFLOAD rejects TSO
 * without checksum offload).  Then the tap delivers what the driver
 * takes (5.1.6.4.1: nothing it did not negotiate).
 */
static int features_ok(void *opaque, uint64_t f)
{
	struct vnet *n = opaque;
	unsigned int off = 0;

	if ((has(f, VIRTIO_NET_F_GUEST_TSO4) ||
	     has(f, VIRTIO_NET_F_GUEST_TSO6)) &&
	    !has(f, VIRTIO_NET_F_GUEST_CSUM))
		return -1;
	if ((has(f, VIRTIO_NET_F_HOST_TSO4) ||
	     has(f, VIRTIO_NET_F_HOST_TSO6)) && !has(f, VIRTIO_NET_F_CSUM))
		return -1;
	if (has(f, VIRTIO_NET_F_GUEST_CSUM))
		off |= TUN_F_CSUM;
	if (has(f, VIRTIO_NET_F_GUEST_TSO4))
		off |= TUN_F_TSO4;
	if (has(f, VIRTIO_NET_F_GUEST_TSO6))
		off |= TUN_F_TSO6;
	if (n->is_tap && ioctl(n->fd, TUNSETOFFLOAD, off) < 0)
		return -1;
	__atomic_store_n(&n->features, f, __ATOMIC_RELEASE);
	return 0;
}

static void submit(void *opaque, unsigned int queue, struct virtio_req *req)
{
	struct vnet *n = opaque;

	if (queue == VNET_TX_QUEUE) {
		tx(n, req);
		return;
	}
	/* 5.1.6.3: a receive buffer, kept until a frame arrives. */
	held_rx_add(&n->held, req);
}

/* The transport's reset began: every held buffer back. */
static void cancel(void *opaque)
{
	struct vnet *n = opaque;

	held_rx_cancel(&n->held);
}

/* 2.4: back to no features; the tap to no offloads. */
static void reset(void *opaque)
{
	struct vnet *n = opaque;

	__atomic_store_n(&n->features, 0, __ATOMIC_RELEASE);
	/* Should this fail, rx_header() still drops what the next driver
	 * does not negotiate. */
	if (n->is_tap)
		ioctl(n->fd, TUNSETOFFLOAD, 0);
	held_rx_reset(&n->held);
}

int vnet_init(struct vnet *n, int fd, bool is_tap, bool offloads,
	      const uint8_t mac[6])
{
	memset(n, 0, sizeof(*n));
	n->fd = fd;
	n->is_tap = is_tap;
	n->offloads = offloads;
	memcpy(n->mac, mac, 6);
	/* 5.1.3: MAC and STATUS always (5.1.5: the driver then takes the
	 * address from the configuration space and sees the link state). */
	n->offered = 1ull << VIRTIO_NET_F_MAC | 1ull << VIRTIO_NET_F_STATUS;
	if (offloads)
		n->offered |= OFFLOAD_FEATURES;
	n->rx_buf = malloc(VNET_BUF_SIZE);
	n->tx_buf = malloc(VNET_BUF_SIZE);
	n->held_made = true;
	if (held_rx_init(&n->held, VNET_QUEUE_SIZE, fd, drain, n) < 0 ||
	    !n->rx_buf || !n->tx_buf)
		return -1;
	return 0;
}

void vnet_device(struct vnet *n, struct virtio_device *dev)
{
	*dev = (struct virtio_device){
		.name = "virtio-net",
		.device_id = VIRTIO_ID_NET,
		.features = n->offered,
		.num_queues = 2,		/* 5.1.2 */
		.queue_size = VNET_QUEUE_SIZE,
		.config_size = VIRTIO_NET_CONFIG_SIZE,
		.opaque = n,
		.get_config = get_config,
		.submit = submit,
		.reset = reset,
		.features_ok = features_ok,
		.cancel = cancel,
	};
}

int vnet_start(struct vnet *n)
{
	return held_rx_start(&n->held);
}

void vnet_close(struct vnet *n)
{
	if (n->held_made)
		held_rx_destroy(&n->held);
	n->held_made = false;
	if (n->fd >= 0)
		close(n->fd);
	n->fd = -1;
	free(n->rx_buf);
	free(n->tx_buf);
	n->rx_buf = n->tx_buf = NULL;
}
