// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-net (virtio/net.c) behind the virtio-pci transport on the fake
 * machine of vpci_fake.c, with a SOCK_SEQPACKET socketpair standing in
 * for the tap (one message per frame, as a tap's read and write): --net
 * option parsing, the configuration space, feature negotiation
 * (FEATURES_OK refused for offloads without their checksum feature),
 * transmit and receive headers for each negotiated set, a frame waiting
 * for a buffer, too big for one, reset with buffers held (the transport's
 * cancel()), the tap's open errors and the generated MAC.
 */
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../net_opt.h"
#include "../virtio/net.h"
#include "unit.h"
#include "vpci_fake.h"

#define BUF	0x40000u

static struct vpci_fake fk;
static struct vnet net;
static int peer = -1;		/* the host side of the fake tap */

static const uint8_t test_mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };

static int fake_msi(void *o, uint64_t a, uint32_t d)
{
	(void)o;
	(void)a;
	(void)d;
	return 1;
}

static void setup(bool offloads)
{
	struct virtio_host host = { .signal_msi = fake_msi };
	struct virtio_device dev;
	int sv[2];

	CHECK(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK, 0, sv) == 0,
	      "net_fake_tap_socketpair");
	peer = sv[1];
	CHECK(vnet_init(&net, sv[0], false, offloads, test_mac) == 0,
	      "net_vnet_init");
	vnet_device(&net, &dev);
	CHECK(vpci_fake_plug(&fk, &dev, &host), "net_vp_init_and_plug");
}

static void teardown(void)
{
	virtio_pci_stop(&fk.vp);
	vnet_close(&net);
	virtio_pci_destroy(&fk.vp);
	close(peer);
	peer = -1;
}

static const uint64_t v1 = 1ull << VIRTIO_F_VERSION_1;

static struct virtio_net_hdr_v1 hdr(uint8_t flags, uint8_t gso)
{
	return (struct virtio_net_hdr_v1){
		.flags = flags, .gso_type = gso, .hdr_len = 54,
		.gso_size = gso ? 1448 : 0, .csum_start = 34,
		.csum_offset = 16, .num_buffers = 0x7777,
	};
}

/* ---- Options, configuration, negotiation ----------------------------- */

static bool opt_ok(const char *s, const char *tap, const uint8_t *mac)
{
	struct net_opt o;
	char why[200];

	if (net_opt_parse(s, &o, why, sizeof(why)) < 0)
		return false;
	return !strcmp(o.tap, tap) && o.mac_set == !!mac &&
	       (!mac || !memcmp(o.mac, mac, 6));
}

static bool opt_bad(const char *s)
{
	struct net_opt o;
	char why[200] = "";

	return net_opt_parse(s, &o, why, sizeof(why)) < 0 && why[0];
}

static void unit_net_options(void)
{
	static const uint8_t m[6] = { 0x52, 0x54, 0x00, 0xab, 0xcd, 0xef };

	CHECK(opt_ok("tap=tap0", "tap0", NULL), "net_opt_tap_only");
	CHECK(opt_ok("tap=tap0,mac=52:54:00:ab:cd:ef", "tap0", m) &&
	      opt_ok("mac=52:54:00:AB:CD:EF,tap=tap0", "tap0", m),
	      "net_opt_tap_and_mac_any_order_and_case");
	CHECK(opt_ok("tap=averyveryverylongname", "averyveryverylongname",
		     NULL), "net_opt_long_name_left_to_the_tap");
	CHECK(opt_bad("") && opt_bad("tap=") && opt_bad("tap") &&
	      opt_bad("mac=52:54:00:ab:cd:ef"), "net_opt_tap_required");
	CHECK(opt_bad("tap=a,tap=b") &&
	      opt_bad("tap=a,mac=52:54:00:ab:cd:ef,mac=52:54:00:ab:cd:ef"),
	      "net_opt_keys_once");
	CHECK(opt_bad("tap=a,foo=1") && opt_bad("tap=a,") &&
	      opt_bad("tap=a/b") && opt_bad(",tap=a"), "net_opt_junk_refused");
	CHECK(opt_bad("tap=a,mac=52:54:00:ab:cd") &&
	      opt_bad("tap=a,mac=52:54:00:ab:cd:eg") &&
	      opt_bad("tap=a,mac=52-54-00-ab-cd-ef") &&
	      opt_bad("tap=a,mac=52:54:00:ab:cd:ef0"),
	      "net_opt_mac_syntax");
	CHECK(opt_bad("tap=a,mac=01:00:5e:00:00:01") &&
	      opt_bad("tap=a,mac=00:00:00:00:00:00"),
	      "net_opt_mac_multicast_or_zero_refused");
}

static void unit_net_config(void)
{
	uint64_t df;
	unsigned int i;
	bool mac_ok = true;

	setup(true);
	CHECK(vpci_cfg_rd(&fk, 0, 4) == 0x10411af4 &&
	      vpci_cfg_rd(&fk, PCI_REVISION_ID, 4) >> 8 == 0x020000,
	      "net_pci_id_1041_class_ethernet");
	for (i = 0; i < 6; i++)
		mac_ok &= vpci_rd(&fk, VIRTIO_PCI_DEVICE + i, 1) == test_mac[i];
	CHECK(mac_ok, "net_config_mac");
	CHECK(vpci_rd(&fk, VIRTIO_PCI_DEVICE + 6, 2) == VIRTIO_NET_S_LINK_UP,
	      "net_config_status_link_up");
	CHECK(vpci_rd(&fk, VPCI_NUM_QUEUES, 2) == 2, "net_two_queues");
	vpci_wr(&fk, VPCI_DFSELECT, 4, 0);
	df = vpci_rd(&fk, VPCI_DF, 4);
	vpci_wr(&fk, VPCI_DFSELECT, 4, 1);
	df |= vpci_rd(&fk, VPCI_DF, 4) << 32;
	CHECK(df == (v1 | 1ull << VIRTIO_F_INDIRECT_DESC |
		     1ull << VIRTIO_F_RING_EVENT_IDX |
		     1ull << VIRTIO_NET_F_MAC | 1ull << VIRTIO_NET_F_STATUS |
		     1ull << VIRTIO_NET_F_CSUM |
		     1ull << VIRTIO_NET_F_GUEST_CSUM |
		     1ull << VIRTIO_NET_F_HOST_TSO4 |
		     1ull << VIRTIO_NET_F_HOST_TSO6 |
		     1ull << VIRTIO_NET_F_GUEST_TSO4 |
		     1ull << VIRTIO_NET_F_GUEST_TSO6), "net_features_offered");
	teardown();

	setup(false);
	vpci_wr(&fk, VPCI_DFSELECT, 4, 0);
	CHECK(vpci_rd(&fk, VPCI_DF, 4) == (1u << VIRTIO_NET_F_MAC |
				 1u << VIRTIO_NET_F_STATUS |
				 1u << VIRTIO_F_INDIRECT_DESC |
				 1u << VIRTIO_F_RING_EVENT_IDX),
	      "net_no_offloads_offered_without_tap_support");
	teardown();
}

static void unit_net_negotiation(void)
{
	const uint64_t fok = VIRTIO_STATUS_FEATURES_OK;

	setup(true);
	CHECK(vpci_negotiate(&fk, v1 | 1ull << VIRTIO_NET_F_MAC) & fok,
	      "net_features_ok_minimal");
	CHECK(vpci_negotiate(&fk, v1 | 1ull << VIRTIO_NET_F_GUEST_CSUM |
			1ull << VIRTIO_NET_F_GUEST_TSO4 |
			1ull << VIRTIO_NET_F_CSUM |
			1ull << VIRTIO_NET_F_HOST_TSO6) & fok &&
	      net.features == (v1 | 1ull << VIRTIO_NET_F_GUEST_CSUM |
			       1ull << VIRTIO_NET_F_GUEST_TSO4 |
			       1ull << VIRTIO_NET_F_CSUM |
			       1ull << VIRTIO_NET_F_HOST_TSO6),
	      "net_features_ok_offloads_recorded");
	CHECK(!(vpci_negotiate(&fk, v1 | 1ull << VIRTIO_NET_F_GUEST_TSO4) & fok),
	      "net_guest_tso_without_guest_csum_refused");
	CHECK(!(vpci_negotiate(&fk, v1 | 1ull << VIRTIO_NET_F_HOST_TSO6) & fok),
	      "net_host_tso_without_csum_refused");
	CHECK(!(vpci_negotiate(&fk, v1 | 1ull << VIRTIO_NET_F_MRG_RXBUF) & fok),
	      "net_mrg_rxbuf_not_offered_refused");
	vpci_wr(&fk, VPCI_STATUS, 1, 0);
	CHECK(net.features == 0, "net_reset_clears_features");
	teardown();
}

/* ---- Transmit ----------------------------------------------------------- */

static void unit_net_tx(void)
{
	const uint64_t csum = v1 | 1ull << VIRTIO_NET_F_CSUM |
			      1ull << VIRTIO_NET_F_HOST_TSO4;
	struct virtio_net_hdr_v1 h = hdr(VIRTIO_NET_HDR_F_NEEDS_CSUM |
					 VIRTIO_NET_HDR_F_DATA_VALID, 0), g;
	uint8_t got[2048];
	ssize_t n;
	unsigned int i;
	bool same = true;

	setup(true);
	vpci_driver_up(&fk, v1, 2);
	/* Header split 5 + 7 bytes, 1000-byte frame in two pieces. */
	h.flags = 0;
	memcpy(fk.ram + BUF, &h, VNET_HDR_LEN);
	for (i = 0; i < 1000; i++)
		fk.ram[BUF + 0x100 + i] = (uint8_t)(i * 7);
	{
		struct vpci_seg s[] = { { BUF, 5, false }, { BUF + 5, 7, false },
				   { BUF + 0x100, 300, false },
				   { BUF + 0x100 + 300, 700, false } };
		vpci_post(&fk, VNET_TX_QUEUE, s, 4);
	}
	n = recv(peer, got, sizeof(got), 0);
	CHECK(n == VNET_HDR_LEN + 1000, "net_tx_one_frame_header_and_data");
	for (i = 0; i < 1000 && n == VNET_HDR_LEN + 1000; i++)
		same &= got[VNET_HDR_LEN + i] == (uint8_t)(i * 7);
	CHECK(same, "net_tx_frame_bytes_intact_across_segments");
	memcpy(&g, got, sizeof(g));
	CHECK(g.flags == 0 && g.csum_start == 0 && g.csum_offset == 0 &&
	      g.num_buffers == 0, "net_tx_no_csum_fields_cleared");
	CHECK(vpci_used_idx(&fk, VNET_TX_QUEUE) == 1 && vpci_used_len(&fk, VNET_TX_QUEUE, 0) == 0,
	      "net_tx_completed_with_0_written");

	/* NEEDS_CSUM without VIRTIO_NET_F_CSUM: dropped, still completed. */
	h = hdr(VIRTIO_NET_HDR_F_NEEDS_CSUM, 0);
	memcpy(fk.ram + BUF, &h, VNET_HDR_LEN);
	{
		struct vpci_seg s[] = { { BUF, VNET_HDR_LEN + 60, false } };
		vpci_post(&fk, VNET_TX_QUEUE, s, 1);
	}
	CHECK(recv(peer, got, sizeof(got), 0) < 0 &&
	      vpci_used_idx(&fk, VNET_TX_QUEUE) == 2 && net.tx_dropped == 1,
	      "net_tx_needs_csum_not_negotiated_dropped");
	/* Shorter than a header: dropped. */
	{
		struct vpci_seg s[] = { { BUF, 8, false } };
		vpci_post(&fk, VNET_TX_QUEUE, s, 1);
	}
	CHECK(recv(peer, got, sizeof(got), 0) < 0 &&
	      vpci_used_idx(&fk, VNET_TX_QUEUE) == 3 && net.tx_dropped == 2,
	      "net_tx_short_chain_dropped");

	/* With CSUM and HOST_TSO4: partial checksum and TCPv4 GSO pass
	 * through unchanged; DATA_VALID (receive only) is dropped. */
	vpci_driver_up(&fk, csum, 2);
	h = hdr(VIRTIO_NET_HDR_F_NEEDS_CSUM | VIRTIO_NET_HDR_F_DATA_VALID,
		VIRTIO_NET_HDR_GSO_TCPV4);
	memcpy(fk.ram + BUF, &h, VNET_HDR_LEN);
	{
		struct vpci_seg s[] = { { BUF, VNET_HDR_LEN + 1500, false } };
		vpci_post(&fk, VNET_TX_QUEUE, s, 1);
	}
	n = recv(peer, got, sizeof(got), 0);
	memcpy(&g, got, sizeof(g));
	CHECK(n == VNET_HDR_LEN + 1500 &&
	      g.flags == VIRTIO_NET_HDR_F_NEEDS_CSUM &&
	      g.gso_type == VIRTIO_NET_HDR_GSO_TCPV4 && g.gso_size == 1448 &&
	      g.hdr_len == 54 && g.csum_start == 34 && g.csum_offset == 16,
	      "net_tx_csum_and_tso4_passed_through");
	/* TCPv6 GSO without HOST_TSO6, and ECN: dropped. */
	h = hdr(VIRTIO_NET_HDR_F_NEEDS_CSUM, VIRTIO_NET_HDR_GSO_TCPV6);
	memcpy(fk.ram + BUF, &h, VNET_HDR_LEN);
	{
		struct vpci_seg s[] = { { BUF, VNET_HDR_LEN + 100, false } };
		vpci_post(&fk, VNET_TX_QUEUE, s, 1);
	}
	h = hdr(VIRTIO_NET_HDR_F_NEEDS_CSUM,
		VIRTIO_NET_HDR_GSO_TCPV4 | VIRTIO_NET_HDR_GSO_ECN);
	memcpy(fk.ram + BUF, &h, VNET_HDR_LEN);
	{
		struct vpci_seg s[] = { { BUF, VNET_HDR_LEN + 100, false } };
		vpci_post(&fk, VNET_TX_QUEUE, s, 1);
	}
	CHECK(recv(peer, got, sizeof(got), 0) < 0 &&
	      vpci_used_idx(&fk, VNET_TX_QUEUE) == 3,
	      "net_tx_gso_not_negotiated_dropped");
	/* 100 one-byte segments: more than writev is given, copied. */
	h = hdr(0, 0);
	memcpy(fk.ram + BUF, &h, VNET_HDR_LEN);
	{
		struct vpci_seg s[1 + 100];

		s[0] = (struct vpci_seg){ BUF, VNET_HDR_LEN, false };
		for (i = 0; i < 100; i++) {
			s[1 + i] = (struct vpci_seg){ BUF + 0x100 + i, 1, false };
			fk.ram[BUF + 0x100 + i] = (uint8_t)(i + 1);
		}
		vpci_wr(&fk, VPCI_STATUS, 1, 0);
		/* A longer queue for this chain. */
		vpci_negotiate(&fk, v1);
		vpci_wr(&fk, VPCI_Q_SELECT, 2, 0);
		vpci_wr(&fk, VPCI_Q_SIZE, 2, VPCI_QSIZE);
		vpci_wr(&fk, VPCI_Q_DESC, 8, VPCI_DESC(0));
		vpci_wr(&fk, VPCI_Q_DRIVER, 8, VPCI_AVAIL(0));
		vpci_wr(&fk, VPCI_Q_DEVICE, 8, VPCI_USED(0));
		vpci_wr(&fk, VPCI_Q_ENABLE, 2, 1);
		vpci_wr(&fk, VPCI_Q_SELECT, 2, 1);
		vpci_wr(&fk, VPCI_Q_SIZE, 2, 128);
		vpci_wr(&fk, VPCI_Q_DESC, 8, VPCI_DESC(1));
		vpci_wr(&fk, VPCI_Q_DRIVER, 8, VPCI_AVAIL(1));
		vpci_wr(&fk, VPCI_Q_DEVICE, 8, VPCI_USED(1));
		vpci_wr(&fk, VPCI_Q_ENABLE, 2, 1);
		vpci_wr(&fk, VPCI_STATUS, 1, 0xf);
		/* vpci_post(&fk, ) assumes VPCI_QSIZE entries; 101 fit in 128 from 0. */
		for (i = 0; i < 101; i++) {
			uint64_t a = s[i].gpa;
			uint16_t fl = i < 100 ? VIRTQ_DESC_F_NEXT : 0;
			uint16_t nx = (uint16_t)(i + 1), idx = 1, head = 0;

			memcpy(fk.ram + VPCI_DESC(1) + 16 * i, &a, 8);
			memcpy(fk.ram + VPCI_DESC(1) + 16 * i + 8, &s[i].len, 4);
			memcpy(fk.ram + VPCI_DESC(1) + 16 * i + 12, &fl, 2);
			memcpy(fk.ram + VPCI_DESC(1) + 16 * i + 14, &nx, 2);
			memcpy(fk.ram + VPCI_AVAIL(1) + 4, &head, 2);
			memcpy(fk.ram + VPCI_AVAIL(1) + 2, &idx, 2);
		}
		virtio_pci_process_queue(&fk.vp, 1);
	}
	n = recv(peer, got, sizeof(got), 0);
	same = n == VNET_HDR_LEN + 100;
	for (i = 0; i < 100 && same; i++)
		same &= got[VNET_HDR_LEN + i] == (uint8_t)(i + 1);
	CHECK(same, "net_tx_many_segments_linearised");
	teardown();
}

/* ---- Receive ------------------------------------------------------------ */

static void send_frame(struct virtio_net_hdr_v1 h, unsigned int len,
		       uint8_t seed)
{
	uint8_t f[VNET_HDR_LEN + 9000];
	unsigned int i;

	memcpy(f, &h, VNET_HDR_LEN);
	for (i = 0; i < len; i++)
		f[VNET_HDR_LEN + i] = (uint8_t)(seed + i);
	CHECK(send(peer, f, VNET_HDR_LEN + len, 0) ==
	      (ssize_t)(VNET_HDR_LEN + len), "net_fake_tap_send");
}

static bool frame_at(uint32_t gpa, unsigned int len, uint8_t seed)
{
	unsigned int i;

	for (i = 0; i < len; i++)
		if (fk.ram[gpa + VNET_HDR_LEN + i] != (uint8_t)(seed + i))
			return false;
	return true;
}

static void unit_net_rx(void)
{
	const uint64_t gcsum = v1 | 1ull << VIRTIO_NET_F_GUEST_CSUM |
			       1ull << VIRTIO_NET_F_GUEST_TSO4;
	struct virtio_net_hdr_v1 g;
	uint8_t junk[64];

	setup(true);
	vpci_driver_up(&fk, v1, 2);
	/* A frame before any buffer: stays in the tap. */
	send_frame(hdr(VIRTIO_NET_HDR_F_DATA_VALID, 0), 60, 1);
	CHECK(vnet_rx_poll(&net) == 0 && vpci_used_idx(&fk, VNET_RX_QUEUE) == 0,
	      "net_rx_no_buffer_frame_waits_in_tap");
	/* Two buffers, header and data split 4 + 8 + rest. */
	{
		struct vpci_seg s[] = { { BUF, 4, true }, { BUF + 4, 8, true },
				   { BUF + 12, 1514, true } };
		vpci_post(&fk, VNET_RX_QUEUE, s, 3);
	}
	{
		struct vpci_seg s[] = { { BUF + 0x1000, 1526, true } };
		vpci_post(&fk, VNET_RX_QUEUE, s, 1);
	}
	CHECK(vpci_used_idx(&fk, VNET_RX_QUEUE) == 0 && held_rx_count(&net.held) == 2,
	      "net_rx_buffers_held_until_a_frame");
	CHECK(vnet_rx_poll(&net) == 1 && vpci_used_idx(&fk, VNET_RX_QUEUE) == 1 &&
	      vpci_used_len(&fk, VNET_RX_QUEUE, 0) == VNET_HDR_LEN + 60 &&
	      frame_at(BUF, 60, 1), "net_rx_frame_into_oldest_buffer");
	memcpy(&g, fk.ram + BUF, sizeof(g));
	CHECK(g.flags == 0 && g.gso_type == 0 && g.num_buffers == 1,
	      "net_rx_no_guest_csum_flags_0_num_buffers_1");
	/* Too big for the buffer: dropped, the buffer kept. */
	send_frame(hdr(0, 0), 3000, 2);
	send_frame(hdr(0, 0), 100, 3);
	CHECK(vnet_rx_poll(&net) == 1 && vpci_used_idx(&fk, VNET_RX_QUEUE) == 2 &&
	      vpci_used_len(&fk, VNET_RX_QUEUE, 1) == VNET_HDR_LEN + 100 &&
	      frame_at(BUF + 0x1000, 100, 3) && net.rx_dropped == 1,
	      "net_rx_frame_larger_than_buffer_dropped_buffer_kept");
	/* A partial checksum or GSO frame the driver did not negotiate. */
	{
		struct vpci_seg s[] = { { BUF, 1526, true } };
		vpci_post(&fk, VNET_RX_QUEUE, s, 1);
	}
	send_frame(hdr(VIRTIO_NET_HDR_F_NEEDS_CSUM, 0), 100, 4);
	send_frame(hdr(0, VIRTIO_NET_HDR_GSO_TCPV4), 100, 5);
	CHECK(vnet_rx_poll(&net) == 0 && vpci_used_idx(&fk, VNET_RX_QUEUE) == 2 &&
	      net.rx_dropped == 3 && held_rx_count(&net.held) == 1,
	      "net_rx_offloads_not_negotiated_dropped");
	CHECK(recv(peer, junk, sizeof(junk), 0) < 0, "net_rx_nothing_echoed");

	/* Reset with a buffer held: cancel() gives it back (the transport
	 * waits for it, so this returning at all is the test). */
	vpci_wr(&fk, VPCI_STATUS, 1, 0);
	CHECK(vpci_rd(&fk, VPCI_STATUS, 1) == 0 && held_rx_count(&net.held) == 0 &&
	      fk.vp.inflight == 0 && !net.held.cancelled,
	      "net_reset_returns_held_buffers");

	/* GUEST_CSUM and GUEST_TSO4: both kinds pass, RSC_INFO does not. */
	vpci_driver_up(&fk, gcsum, 2);
	{
		struct vpci_seg s[] = { { BUF, 0x3000, true } };
		vpci_post(&fk, VNET_RX_QUEUE, s, 1);
	}
	send_frame(hdr(VIRTIO_NET_HDR_F_NEEDS_CSUM | VIRTIO_NET_HDR_F_RSC_INFO,
		       VIRTIO_NET_HDR_GSO_TCPV4), 8000, 6);
	CHECK(vnet_rx_poll(&net) == 1 && vpci_used_len(&fk, VNET_RX_QUEUE, 0) ==
	      VNET_HDR_LEN + 8000 && frame_at(BUF, 8000, 6),
	      "net_rx_gso_frame_with_guest_tso4");
	memcpy(&g, fk.ram + BUF, sizeof(g));
	CHECK(g.flags == VIRTIO_NET_HDR_F_NEEDS_CSUM &&
	      g.gso_type == VIRTIO_NET_HDR_GSO_TCPV4 && g.gso_size == 1448 &&
	      g.csum_start == 34 && g.csum_offset == 16 && g.num_buffers == 1,
	      "net_rx_partial_csum_header_passed");
	{
		struct vpci_seg s[] = { { BUF, 0x3000, true } };
		vpci_post(&fk, VNET_RX_QUEUE, s, 1);
	}
	send_frame(hdr(0, VIRTIO_NET_HDR_GSO_TCPV6), 100, 7);
	send_frame(hdr(0, VIRTIO_NET_HDR_GSO_TCPV4 | VIRTIO_NET_HDR_GSO_ECN),
		   100, 8);
	send_frame(hdr(0, VIRTIO_NET_HDR_GSO_UDP), 100, 9);
	CHECK(vnet_rx_poll(&net) == 0 && net.rx_dropped == 6,
	      "net_rx_tso6_ecn_udp_not_negotiated_dropped");
	teardown();

	/* With the receive thread: a frame arrives by itself. */
	setup(false);
	vpci_driver_up(&fk, v1, 2);
	CHECK(vnet_start(&net) == 0, "net_rx_thread_starts");
	{
		struct vpci_seg s[] = { { BUF, 1526, true } };
		vpci_post(&fk, VNET_RX_QUEUE, s, 1);
	}
	send_frame(hdr(0, 0), 200, 10);
	{
		unsigned int i;

		for (i = 0; i < 500 && __atomic_load_n(fk.ram + VPCI_USED(0) + 2,
						       __ATOMIC_ACQUIRE) != 1; i++)
			usleep(2000);
	}
	CHECK(vpci_used_idx(&fk, VNET_RX_QUEUE) == 1 && frame_at(BUF, 200, 10),
	      "net_rx_thread_delivers");
	{
		struct vpci_seg s[] = { { BUF, 1526, true } };
		vpci_post(&fk, VNET_RX_QUEUE, s, 1);
	}
	vpci_wr(&fk, VPCI_STATUS, 1, 0);
	CHECK(held_rx_count(&net.held) == 0 && fk.vp.inflight == 0,
	      "net_reset_with_thread_running");
	teardown();
}

/* ---- The tap and the MAC ------------------------------------------------ */

static void unit_net_tap(void)
{
	uint8_t a[6], b[6], c[6];
	char err[300] = "";
	bool off;

	CHECK(vnet_tap_open("/nonexistent/tun", "tap0", &off, err,
			    sizeof(err)) < 0 && strstr(err, "/nonexistent/tun"),
	      "net_tap_open_missing_clone_device_says_so");
	err[0] = 0;
	CHECK(vnet_tap_open("/dev/null", "averyveryverylongname", &off, err,
			    sizeof(err)) < 0 && strstr(err, "15 characters"),
	      "net_tap_open_name_too_long");
	err[0] = 0;
	CHECK(vnet_tap_open("/dev/null", "tap0", &off, err, sizeof(err)) < 0 &&
	      strstr(err, "tap0"), "net_tap_open_not_a_tun_device");
	vnet_mac_from_name("host-a", "tap0", a);
	vnet_mac_from_name("host-a", "tap0", b);
	vnet_mac_from_name("host-a", "tap1", c);
	CHECK(!memcmp(a, b, 6) && memcmp(a, c, 6), "net_mac_stable_per_tap");
	vnet_mac_from_name("host-b", "tap0", b);
	CHECK(memcmp(a, b, 6), "net_mac_differs_per_host");
	CHECK((a[0] & 3) == 2 && (c[0] & 3) == 2,
	      "net_mac_unicast_locally_administered");
}

void unit_net(void)
{
	if (!vpci_fake_ram(&fk)) {
		CHECK(false, "net_ram");
		return;
	}
	unit_net_options();
	unit_net_config();
	unit_net_negotiation();
	unit_net_tx();
	unit_net_rx();
	unit_net_tap();
	vpci_fake_ram_free(&fk);
}
