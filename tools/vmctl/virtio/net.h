/* SPDX-License-Identifier: GPL-2.0 */
/*
 * virtio-net, the network device (virtio 1.2, 5.1), on a host tap device.
 *
 * Two queues (5.1.2: receiveq1, transmitq1; no control queue, no
 * multiqueue).  Every packet in either direction is preceded by a
 * struct virtio_net_hdr_v1 (5.1.6), 12 bytes once VIRTIO_F_VERSION_1 is
 * negotiated, which the transport insists on; the tap is opened with
 * IFF_VNET_HDR and TUNSETVNETHDRSZ 12, so the kernel reads and writes the
 * same header in front of each frame and the offloads pass straight
 * through (see net.c for which ones and why).
 *
 * Threads:
 *  - transmit: the transport's device thread calls submit() for each
 *    chain of transmitq1; it writes the frame to the tap (non-blocking)
 *    and completes at once.
 *  - receive: submit() for receiveq1 only holds the buffer (held_rx.h).
 *    The device's own thread polls the tap while it holds buffers, reads
 *    each frame into a private buffer, checks and fixes the header for
 *    the negotiated features, copies it into the oldest buffer and
 *    completes that.  With no buffer it stops reading: the tap's own
 *    queue (bounded, tx_queue_len frames) drops what does not fit, so
 *    nothing blocks and no vCPU ever waits for the tap.
 *  - reset: the transport's cancel() hands every held buffer back
 *    (completed with 0 bytes, dropped by the transport) and refuses new
 *    ones until reset().
 */
#ifndef VMCTL_VIRTIO_NET_H
#define VMCTL_VIRTIO_NET_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "held_rx.h"
#include "virtio_pci.h"

/* Feature bits (5.1.3). */
#define VIRTIO_NET_F_CSUM		0
#define VIRTIO_NET_F_GUEST_CSUM		1
#define VIRTIO_NET_F_MAC		5
#define VIRTIO_NET_F_GUEST_TSO4		7
#define VIRTIO_NET_F_GUEST_TSO6		8
#define VIRTIO_NET_F_GUEST_ECN		9
#define VIRTIO_NET_F_HOST_TSO4		11
#define VIRTIO_NET_F_HOST_TSO6		12
#define VIRTIO_NET_F_HOST_ECN		13
#define VIRTIO_NET_F_MRG_RXBUF		15
#define VIRTIO_NET_F_STATUS		16

/* Configuration space (5.1.4): mac[6], then status. */
#define VIRTIO_NET_CONFIG_SIZE		8
#define VIRTIO_NET_S_LINK_UP		1

/* struct virtio_net_hdr (5.1.6). */
#define VIRTIO_NET_HDR_F_NEEDS_CSUM	1
#define VIRTIO_NET_HDR_F_DATA_VALID	2
#define VIRTIO_NET_HDR_F_RSC_INFO	4
#define VIRTIO_NET_HDR_GSO_NONE		0
#define VIRTIO_NET_HDR_GSO_TCPV4	1
#define VIRTIO_NET_HDR_GSO_UDP		3
#define VIRTIO_NET_HDR_GSO_TCPV6	4
#define VIRTIO_NET_HDR_GSO_UDP_L4	5
#define VIRTIO_NET_HDR_GSO_ECN		0x80

struct virtio_net_hdr_v1 {
	uint8_t flags;
	uint8_t gso_type;
	uint16_t hdr_len;
	uint16_t gso_size;
	uint16_t csum_start;
	uint16_t csum_offset;
	uint16_t num_buffers;
};

#define VNET_HDR_LEN		12	/* sizeof(struct virtio_net_hdr_v1) */
#define VNET_RX_QUEUE		0
#define VNET_TX_QUEUE		1
#define VNET_QUEUE_SIZE		256
/* Largest frame a tap gives or takes: a 64 KiB GSO packet, its Ethernet
 * and VLAN headers; the buffer has room to spare so that a longer read
 * shows up as such (and is dropped) instead of being cut. */
#define VNET_FRAME_MAX		(65536 + 14 + 4)
#define VNET_BUF_SIZE		(VNET_HDR_LEN + VNET_FRAME_MAX + 4096)

struct vnet {
	int fd;				/* the tap (or a test's socket) */
	uint8_t mac[6];
	bool offloads;			/* TUNSETOFFLOAD works on @fd */
	bool is_tap;			/* @fd is a tap: ioctls apply */
	uint64_t offered;		/* device feature bits */
	uint64_t features;		/* negotiated; atomic */
	/* Receive buffers waiting for a frame, and the receive thread. */
	struct held_rx held;
	bool held_made;
	uint8_t *rx_buf;		/* VNET_BUF_SIZE, receive thread only */
	uint8_t *tx_buf;		/* VNET_BUF_SIZE, transmit only */
	/* Statistics, atomic. */
	uint64_t rx_packets, rx_dropped, tx_packets, tx_dropped;
};

/*
 * Open @name on the tun/tap clone device @tun_path ("/dev/net/tun"):
 * IFF_TAP | IFF_NO_PI | IFF_VNET_HDR, attaching to a persistent tap of
 * that name or creating a non-persistent one; vnet header size 12,
 * non-blocking.  *@offloads says whether the tap takes the checksum and
 * TSO offloads.  The fd, or -1 with the reason in @err.
 */
int vnet_tap_open(const char *tun_path, const char *name, bool *offloads,
		  char *err, size_t errlen);
/*
 * A locally administered unicast MAC that stays the same for the same
 * @salt and tap @name: FNV-1a of "salt\0name" (vmctl's salt is the
 * host's /etc/machine-id, so two hosts on one bridge differ).
 */
void vnet_mac_from_name(const char *salt, const char *name, uint8_t mac[6]);

/* Set up @n on @fd (taken over: closed by vnet_close()).  @is_tap: @fd
 * is a tap (TUNSETOFFLOAD follows the negotiated features); @offloads:
 * offer the checksum and TSO features.  0, or -1 with errno. */
int vnet_init(struct vnet *n, int fd, bool is_tap, bool offloads,
	      const uint8_t mac[6]);
/* The device for virtio_pci_init(). */
void vnet_device(struct vnet *n, struct virtio_device *dev);
/* Start the receive thread.  0, or -1 with errno. */
int vnet_start(struct vnet *n);
/* Stop the thread, complete the buffers still held, close the fd.  After
 * virtio_pci_stop(), before virtio_pci_destroy(). */
void vnet_close(struct vnet *n);

/* What the thread does when the tap is readable: frames into held
 * buffers until either runs out.  The number delivered (for tests). */
unsigned int vnet_rx_poll(struct vnet *n);

#endif /* VMCTL_VIRTIO_NET_H */
