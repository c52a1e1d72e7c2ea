// SPDX-License-Identifier: GPL-2.0
/*
 * The virtio-pci modern transport (virtio/virtio_pci.c) with virtio-rng
 * behind it, driven the way Linux's virtio_pci_modern does, on the fake
 * machine of vpci_fake.c (no device thread: the test calls
 * virtio_pci_process_queue() where the thread would): the vendor
 * capabilities, feature negotiation and FEATURES_OK, vectors, queue
 * registers, a request end to end with INTx (ISR read-to-clear) and with
 * MSI-X, the notify doorbell as ioeventfd and as MMIO, the PCI
 * configuration access capability, a broken chain asking for a reset,
 * and reset itself.
 */
#include <string.h>
#include <unistd.h>

#include "../virtio/rng.h"
#include "unit.h"
#include "vpci_fake.h"

#define DESC	0x10000u
#define AVAIL	0x11000u
#define USED	0x12000u
#define BUF	0x20000u

static struct vpci_fake fk;
static unsigned int msis, intx_calls, ioev_assigned, logs;
static uint64_t msi_addr, ioev_addr;
static uint32_t msi_data;

static int fake_msi(void *o, uint64_t a, uint32_t d)
{
	(void)o;
	msis++;
	msi_addr = a;
	msi_data = d;
	return 1;
}

static int fake_ioeventfd(void *o, uint64_t addr, unsigned int len, int fd,
			  bool assign)
{
	(void)o;
	(void)fd;
	if (len != 2)
		return -1;
	if (assign) {
		ioev_assigned++;
		ioev_addr = addr;
	} else if (ioev_addr == addr) {
		ioev_assigned--;
		ioev_addr = 0;
	}
	return 0;
}

static void fake_intx(void *o)
{
	(void)o;
	intx_calls++;
}

static void fake_log(void *o, const char *t)
{
	(void)o;
	(void)t;
	logs++;
}

/* The vendor capability of @type: its offset, 0 if none. */
static unsigned int find_cap(uint8_t type)
{
	unsigned int at;

	for (at = vpci_cfg_rd(&fk, PCI_CAPABILITY_LIST, 1); at; at = vpci_cfg_rd(&fk, at + 1, 1))
		if (vpci_cfg_rd(&fk, at, 1) == PCI_CAP_ID_VNDR && vpci_cfg_rd(&fk, at + 3, 1) == type)
			return at;
	return 0;
}

static void setup(bool with_ioeventfd)
{
	struct virtio_host host = {
		.signal_msi = fake_msi,
		.intx_changed = fake_intx, .log = fake_log,
		.ioeventfd = with_ioeventfd ? fake_ioeventfd : NULL,
	};
	struct virtio_device dev;

	msis = intx_calls = ioev_assigned = logs = 0;
	virtio_rng_device(&dev);
	CHECK(vpci_fake_plug(&fk, &dev, &host), "vp_init_and_plug");
}

/* Linux's order (3.1.1, 4.1.5.1.3): reset, ACK, DRIVER, features,
 * FEATURES_OK, queue 0 of @n entries, DRIVER_OK. */
static void driver_up(uint16_t n, uint64_t features)
{
	vpci_negotiate(&fk, features);
	vpci_wr(&fk, VPCI_Q_SELECT, 2, 0);
	vpci_wr(&fk, VPCI_Q_SIZE, 2, n);
	vpci_wr(&fk, VPCI_Q_DESC, 4, DESC);
	vpci_wr(&fk, VPCI_Q_DESC + 4, 4, 0);
	vpci_wr(&fk, VPCI_Q_DRIVER, 4, AVAIL);
	vpci_wr(&fk, VPCI_Q_DRIVER + 4, 4, 0);
	vpci_wr(&fk, VPCI_Q_DEVICE, 8, USED);
	vpci_wr(&fk, VPCI_Q_ENABLE, 2, 1);
	vpci_wr(&fk, VPCI_STATUS, 1, 0xf);
}

/* One writable buffer of @len bytes at BUF as descriptor @d, made
 * available. */
static void give(uint16_t d, uint32_t len, uint16_t flags)
{
	uint64_t a = BUF;
	uint16_t idx;

	memcpy(fk.ram + DESC + 16 * d, &a, 8);
	memcpy(fk.ram + DESC + 16 * d + 8, &len, 4);
	memcpy(fk.ram + DESC + 16 * d + 12, &flags, 2);
	memcpy(&idx, fk.ram + AVAIL + 2, 2);
	memcpy(fk.ram + AVAIL + 4 + 2 * (idx % 16), &d, 2);
	idx++;
	memcpy(fk.ram + AVAIL + 2, &idx, 2);
}

static uint16_t used_idx(void)
{
	uint16_t v;

	memcpy(&v, fk.ram + USED + 2, 2);
	return v;
}

static bool random_bytes_at_buf(unsigned int n)
{
	unsigned int i, zero = 0;

	for (i = 0; i < n; i++)
		zero += !fk.ram[BUF + i];
	return zero < n / 8;
}

static const uint64_t v1 = 1ull << VIRTIO_F_VERSION_1;

static void unit_layout(void)
{
	unsigned int c, n;

	setup(false);
	CHECK(vpci_cfg_rd(&fk, 0, 4) == 0x10441af4 && vpci_cfg_rd(&fk, PCI_REVISION_ID, 1) == 1 &&
	      vpci_cfg_rd(&fk, 0x2c, 4) == 0x10441af4 && vpci_cfg_rd(&fk, PCI_INTERRUPT_PIN, 1) == 1,
	      "vp_ids_1af4_1044_revision_1_inta");
	CHECK(fk.bar == PCI_MMIO_BASE && vpci_cfg_rd(&fk, PCI_BAR0, 4) ==
	      (uint32_t)fk.bar + PCI_BAR_MEM_TYPE_64, "vp_bar0_64bit_placed");
	c = find_cap(VIRTIO_PCI_CAP_COMMON_CFG);
	CHECK(c && vpci_cfg_rd(&fk, c + 2, 1) == 16 && vpci_cfg_rd(&fk, c + 4, 1) == 0 &&
	      vpci_cfg_rd(&fk, c + 8, 4) == VIRTIO_PCI_COMMON &&
	      vpci_cfg_rd(&fk, c + 12, 4) == VIRTIO_PCI_COMMON_LEN, "vp_common_cfg_cap");
	c = find_cap(VIRTIO_PCI_CAP_NOTIFY_CFG);
	CHECK(c && vpci_cfg_rd(&fk, c + 2, 1) == 20 && vpci_cfg_rd(&fk, c + 8, 4) == VIRTIO_PCI_NOTIFY &&
	      vpci_cfg_rd(&fk, c + 16, 4) == VIRTIO_PCI_NOTIFY_MULT, "vp_notify_cap_multiplier");
	c = find_cap(VIRTIO_PCI_CAP_ISR_CFG);
	CHECK(c && vpci_cfg_rd(&fk, c + 8, 4) == VIRTIO_PCI_ISR, "vp_isr_cap");
	CHECK(!find_cap(VIRTIO_PCI_CAP_DEVICE_CFG), "vp_rng_has_no_device_cfg_cap");
	CHECK(find_cap(VIRTIO_PCI_CAP_PCI_CFG), "vp_pci_cfg_access_cap");
	n = (unsigned int)vpci_rd(&fk, VPCI_NUM_QUEUES, 2);
	CHECK(n == 1 && vpci_rd(&fk, VPCI_Q_SIZE, 2) == 64 && vpci_rd(&fk, VPCI_Q_NOFF, 2) == 0,
	      "vp_one_queue_of_64");
	vpci_wr(&fk, VPCI_Q_SELECT, 2, 1);
	CHECK(vpci_rd(&fk, VPCI_Q_SIZE, 2) == 0, "vp_missing_queue_size_0");
	vpci_wr(&fk, VPCI_DFSELECT, 4, 1);
	CHECK(vpci_rd(&fk, VPCI_DF, 4) == 1, "vp_offers_version_1");
	vpci_wr(&fk, VPCI_DFSELECT, 4, 0);
	CHECK(vpci_rd(&fk, VPCI_DF, 4) == (1u << VIRTIO_F_INDIRECT_DESC |
				 1u << VIRTIO_F_RING_EVENT_IDX),
	      "vp_offers_indirect_and_event_idx");
	vpci_wr(&fk, VPCI_DFSELECT, 4, 2);
	CHECK(vpci_rd(&fk, VPCI_DF, 4) == 0, "vp_feature_word_2_empty");

	/* 4.1.4.9: the configuration access window onto num_queues. */
	c = find_cap(VIRTIO_PCI_CAP_PCI_CFG);
	vpci_cfg_wr(&fk, c + 4, 1, 0);
	vpci_cfg_wr(&fk, c + 8, 4, VPCI_NUM_QUEUES);
	vpci_cfg_wr(&fk, c + 12, 4, 2);
	CHECK((vpci_cfg_rd(&fk, c + 16, 4) & 0xffff) == 1, "vp_pci_cfg_window_reads_bar");
	vpci_cfg_wr(&fk, c + 8, 4, VPCI_Q_SELECT);
	vpci_cfg_wr(&fk, c + 16, 2, 7);
	CHECK(vpci_rd(&fk, VPCI_Q_SELECT, 2) == 7, "vp_pci_cfg_window_writes_bar");
	virtio_pci_destroy(&fk.vp);
}

static void unit_negotiation(void)
{
	setup(false);
	driver_up(16, 0);
	CHECK(!(vpci_rd(&fk, VPCI_STATUS, 1) & VIRTIO_STATUS_FEATURES_OK),
	      "vp_features_ok_refused_without_version_1");
	driver_up(16, v1 | 1ull << 40);
	CHECK(!(vpci_rd(&fk, VPCI_STATUS, 1) & VIRTIO_STATUS_FEATURES_OK),
	      "vp_features_ok_refused_for_unoffered_bit");
	driver_up(16, v1 | 1ull << VIRTIO_F_RING_EVENT_IDX);
	CHECK(vpci_rd(&fk, VPCI_STATUS, 1) == 0xf && fk.vp.q[0].vq.event_idx &&
	      !fk.vp.q[0].vq.indirect, "vp_features_ok_and_driver_ok");
	vpci_wr(&fk, VPCI_GFSELECT, 4, 0);
	vpci_wr(&fk, VPCI_GF, 4, 0);
	CHECK(fk.vp.driver_features == (v1 | 1ull << VIRTIO_F_RING_EVENT_IDX),
	      "vp_features_frozen_after_features_ok");
	CHECK(vpci_rd(&fk, VPCI_Q_ENABLE, 2) == 1 && vpci_rd(&fk, VPCI_Q_DESC, 8) == DESC &&
	      vpci_rd(&fk, VPCI_Q_DRIVER, 4) == AVAIL && vpci_rd(&fk, VPCI_Q_DEVICE, 8) == USED &&
	      vpci_rd(&fk, VPCI_Q_SIZE, 2) == 16, "vp_queue_registers_read_back");
	vpci_wr(&fk, VPCI_Q_SIZE, 2, 32);
	vpci_wr(&fk, VPCI_Q_DESC, 8, 0x5000);
	CHECK(vpci_rd(&fk, VPCI_Q_SIZE, 2) == 16 && vpci_rd(&fk, VPCI_Q_DESC, 8) == DESC,
	      "vp_enabled_queue_registers_frozen");
	vpci_wr(&fk, VPCI_MSIX_CONFIG, 2, 5);
	vpci_wr(&fk, VPCI_Q_MSIX, 2, 1);
	CHECK(vpci_rd(&fk, VPCI_MSIX_CONFIG, 2) == VIRTIO_MSI_NO_VECTOR &&
	      vpci_rd(&fk, VPCI_Q_MSIX, 2) == 1, "vp_invalid_vector_reads_no_vector");
	/* 2.4: reset. */
	vpci_wr(&fk, VPCI_STATUS, 1, 0);
	CHECK(vpci_rd(&fk, VPCI_STATUS, 1) == 0 && vpci_rd(&fk, VPCI_Q_ENABLE, 2) == 0 &&
	      vpci_rd(&fk, VPCI_Q_SIZE, 2) == 64 && vpci_rd(&fk, VPCI_Q_DESC, 8) == 0 &&
	      vpci_rd(&fk, VPCI_Q_MSIX, 2) == VIRTIO_MSI_NO_VECTOR && fk.vp.driver_features == 0,
	      "vp_reset_clears_status_features_queues");
	virtio_pci_destroy(&fk.vp);
}

static void unit_requests(void)
{
	unsigned int msix_cap;
	uint64_t kicks;
	uint8_t b[4];

	/* INTx: ISR bit, line up, read clears, line down. */
	setup(true);
	driver_up(16, v1);
	CHECK(ioev_assigned == 1 && ioev_addr == fk.bar + VIRTIO_PCI_NOTIFY,
	      "vp_notify_registered_as_ioeventfd_on_enable");
	give(0, 256, VIRTQ_DESC_F_WRITE);
	virtio_pci_process_queue(&fk.vp, 0);
	CHECK(used_idx() == 1 && random_bytes_at_buf(256),
	      "vp_rng_fills_buffer_and_uses_it");
	CHECK(fk.vp.isr == 1 && fk.vp.pci.intx && intx_calls == 0 &&
	      (vpci_cfg_rd(&fk, PCI_STATUS, 2) & PCI_STATUS_INTERRUPT),
	      "vp_intx_raised_with_isr_queue_bit");
	CHECK(vpci_rd(&fk, VIRTIO_PCI_ISR, 1) == 1 && fk.vp.isr == 0 && !fk.vp.pci.intx &&
	      vpci_rd(&fk, VIRTIO_PCI_ISR, 1) == 0, "vp_isr_read_clears_and_lowers_intx");
	vpci_cfg_wr(&fk, PCI_COMMAND, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_INTX_DISABLE);
	give(0, 16, VIRTQ_DESC_F_WRITE);
	virtio_pci_process_queue(&fk.vp, 0);
	CHECK(fk.vp.isr == 1 && !fk.vp.pci.intx, "vp_intx_disable_bit_respected");
	vpci_rd(&fk, VIRTIO_PCI_ISR, 1);
	vpci_cfg_wr(&fk, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);

	/* The doorbell as an MMIO exit: the queue's eventfd is kicked
	 * (drained first: DRIVER_OK kicked it once, 3.1.1). */
	CHECK(read(fk.vp.q[0].kick_fd, &kicks, 8) == 8 && kicks == 1,
	      "vp_driver_ok_kicks_enabled_queues");
	vpci_wr(&fk, VIRTIO_PCI_NOTIFY, 2, 0);
	CHECK(read(fk.vp.q[0].kick_fd, &kicks, 8) == 8 && kicks == 1,
	      "vp_notify_mmio_kicks_eventfd");
	/* Memory decoding off: the ioeventfd goes away. */
	vpci_cfg_wr(&fk, PCI_COMMAND, 2, 0);
	CHECK(ioev_assigned == 0, "vp_ioeventfd_dropped_when_bar_off");
	vpci_cfg_wr(&fk, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	CHECK(ioev_assigned == 1, "vp_ioeventfd_back_when_bar_on");

	/* MSI-X: vector 1 for the queue, masked first (pending), then
	 * delivered with its message. */
	msix_cap = fk.vp.msix.cap;
	vpci_cfg_wr(&fk, msix_cap + 2, 2, MSIX_CTRL_ENABLE);
	vpci_wr(&fk, VPCI_Q_MSIX, 2, 1);
	vpci_wr(&fk, VIRTIO_PCI_MSIX_TABLE + 16, 4, 0xfee00000u);
	vpci_wr(&fk, VIRTIO_PCI_MSIX_TABLE + 16 + 4, 4, 0);
	vpci_wr(&fk, VIRTIO_PCI_MSIX_TABLE + 16 + 8, 4, 0x41);
	give(0, 32, VIRTQ_DESC_F_WRITE);
	virtio_pci_process_queue(&fk.vp, 0);
	pci_bus_mmio(&fk.bus, fk.bar + VIRTIO_PCI_MSIX_PBA, false, b, 4);
	CHECK(msis == 0 && b[0] == 2 && fk.vp.isr == 0 && !fk.vp.pci.intx,
	      "vp_msix_masked_vector_pending_no_intx");
	vpci_wr(&fk, VIRTIO_PCI_MSIX_TABLE + 16 + 12, 4, 0);
	CHECK(msis == 1 && msi_addr == 0xfee00000u && msi_data == 0x41,
	      "vp_msix_unmask_delivers_completion");
	give(0, 32, VIRTQ_DESC_F_WRITE);
	virtio_pci_process_queue(&fk.vp, 0);
	CHECK(msis == 2 && used_idx() == 4, "vp_msix_completion_signalled");

	/* A malformed chain: DEVICE_NEEDS_RESET and a config interrupt. */
	vpci_wr(&fk, VPCI_MSIX_CONFIG, 2, 0);
	vpci_wr(&fk, VIRTIO_PCI_MSIX_TABLE + 8, 4, 0x42);
	vpci_wr(&fk, VIRTIO_PCI_MSIX_TABLE + 12, 4, 0);
	give(0, 32, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT);
	memcpy(fk.ram + DESC + 14, "\x40\x00", 2);		/* next 64 >= 16 */
	virtio_pci_process_queue(&fk.vp, 0);
	CHECK((vpci_rd(&fk, VPCI_STATUS, 1) & VIRTIO_STATUS_NEEDS_RESET) &&
	      msis == 3 && msi_data == 0x42 && logs == 1 && ioev_assigned == 0,
	      "vp_broken_chain_needs_reset_config_irq");
	vpci_wr(&fk, VPCI_STATUS, 1, 0);
	CHECK(vpci_rd(&fk, VPCI_STATUS, 1) == 0 && !fk.vp.q[0].vq.broken,
	      "vp_reset_clears_needs_reset");
	memset(fk.ram + DESC, 0, USED + 0x1000 - DESC);	/* fresh rings */
	driver_up(16, v1);
	give(0, 8, VIRTQ_DESC_F_WRITE);
	virtio_pci_process_queue(&fk.vp, 0);
	CHECK(used_idx() == 1, "vp_works_again_after_reset");
	virtio_pci_destroy(&fk.vp);
}

void unit_virtio_pci(void)
{
	if (!vpci_fake_ram(&fk)) {
		CHECK(0, "vp_fake_ram");
		return;
	}
	unit_layout();
	unit_negotiation();
	unit_requests();
	vpci_fake_ram_free(&fk);
}
