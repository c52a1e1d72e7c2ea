// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-console (virtio/console.c) behind the virtio-pci transport on
 * the fake machine of vpci_fake.c, a SOCK_STREAM socketpair standing in
 * for the pseudo-terminal: --vconsole parsing, the PCI identity and
 * configuration space, output in order and dropped (not waited for)
 * when the host side is full, input into held buffers, a buffer with no
 * room, reset with buffers held; then a real pseudo-terminal and a log.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../virtio/console.h"
#include "unit.h"
#include "vpci_fake.h"

#define BUF	0x40000u

static struct vpci_fake fk;
static struct vcons cons;
static int peer = -1;		/* the host side of the fake pty */
static const uint64_t v1 = 1ull << VIRTIO_F_VERSION_1;

static int fake_msi(void *o, uint64_t a, uint32_t d)
{
	(void)o;
	(void)a;
	(void)d;
	return 1;
}

static void setup(void)
{
	struct virtio_host host = { .signal_msi = fake_msi };
	struct virtio_device dev;
	int sv[2];

	CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv) == 0,
	      "cons_fake_pty_socketpair");
	peer = sv[1];
	CHECK(vcons_init(&cons, sv[0], -1, true) == 0, "cons_init");
	vcons_device(&cons, &dev);
	CHECK(vpci_fake_plug(&fk, &dev, &host), "cons_vp_init_and_plug");
}

static void teardown(void)
{
	virtio_pci_stop(&fk.vp);
	vcons_close(&cons);
	virtio_pci_destroy(&fk.vp);
	close(peer);
	peer = -1;
}

static void unit_cons_options(void)
{
	struct vcons_opt o;
	char why[128];

	CHECK(vcons_opt_parse("pty", &o, why, sizeof(why)) == 0 &&
	      o.kind == VCONS_PTY, "cons_opt_pty");
	CHECK(vcons_opt_parse("log=/tmp/x", &o, why, sizeof(why)) == 0 &&
	      o.kind == VCONS_LOG && !strcmp(o.path, "/tmp/x"),
	      "cons_opt_log_path");
	CHECK(vcons_opt_parse("log=", &o, why, sizeof(why)) < 0 &&
	      strstr(why, "file name"), "cons_opt_log_without_path_refused");
	CHECK(vcons_opt_parse("tty", &o, why, sizeof(why)) < 0 &&
	      vcons_opt_parse("", &o, why, sizeof(why)) < 0 &&
	      vcons_opt_parse("pty,x", &o, why, sizeof(why)) < 0,
	      "cons_opt_others_refused");
}

static void unit_cons_identity(void)
{
	setup();
	/* 4.1.2.1: 0x1040 + device ID 3; 5.3.3: none of its own features
	 * (SIZE, MULTIPORT, EMERG_WRITE: bits 0-2), only the transport's. */
	CHECK(vpci_cfg_rd(&fk, PCI_VENDOR_ID, 2) == 0x1af4 &&
	      vpci_cfg_rd(&fk, PCI_DEVICE_ID, 2) == 0x1043,
	      "cons_pci_id_1af4_1043");
	vpci_wr(&fk, VPCI_DFSELECT, 4, 0);
	CHECK((vpci_rd(&fk, VPCI_DF, 4) & 7) == 0, "cons_no_device_features");
	vpci_wr(&fk, VPCI_DFSELECT, 4, 1);
	CHECK(vpci_rd(&fk, VPCI_DF, 4) == 1, "cons_only_version_1");
	CHECK(vpci_negotiate(&fk, v1) & VIRTIO_STATUS_FEATURES_OK,
	      "cons_features_ok");
	CHECK(!(vpci_negotiate(&fk, v1 | 1ull << 1) &
		VIRTIO_STATUS_FEATURES_OK), "cons_multiport_not_offered_refused");
	CHECK(vpci_rd(&fk, VIRTIO_PCI_DEVICE + 4, 4) == 1,
	      "cons_config_max_nr_ports_1");
	teardown();
}

static void unit_cons_output(void)
{
	char got[64] = "";
	ssize_t n;
	int big, sndbuf = 4096;
	char *junk;

	setup();
	vpci_driver_up(&fk, v1, 2);
	memcpy(fk.ram + BUF, "hello, ", 7);
	memcpy(fk.ram + BUF + 0x100, "host\n", 5);
	{
		struct vpci_seg s[] = { { BUF, 7, false },
					{ BUF + 0x100, 5, false } };
		vpci_post(&fk, VCONS_TX_QUEUE, s, 2);
	}
	n = recv(peer, got, sizeof(got) - 1, 0);
	CHECK(n == 12 && !memcmp(got, "hello, host\n", 12),
	      "cons_output_in_order_across_buffers");
	CHECK(vpci_used_idx(&fk, VCONS_TX_QUEUE) == 1 &&
	      vpci_used_len(&fk, VCONS_TX_QUEUE, 0) == 0 &&
	      cons.tx_bytes == 12, "cons_output_completed");

	/* Nobody reads the host side: the chain completes, bytes dropped. */
	setsockopt(peer, SOL_SOCKET, SO_RCVBUF, &sndbuf, sizeof(sndbuf));
	big = 60000;
	junk = calloc(1, big);
	memset(fk.ram + BUF, 'x', big);
	{
		struct vpci_seg s[] = { { BUF, (uint32_t)big, false } };
		unsigned int i;

		for (i = 0; i < 8; i++)
			vpci_post(&fk, VCONS_TX_QUEUE, s, 1);
	}
	CHECK(vpci_used_idx(&fk, VCONS_TX_QUEUE) == 9 && cons.tx_dropped > 0,
	      "cons_output_dropped_not_waited_for");
	while (recv(peer, junk, big, 0) > 0)
		;
	free(junk);
	teardown();
}

static void unit_cons_input(void)
{
	setup();
	vpci_driver_up(&fk, v1, 2);
	{
		struct vpci_seg s[] = { { BUF, 64, true } };
		vpci_post(&fk, VCONS_RX_QUEUE, s, 1);
	}
	CHECK(vcons_rx_poll(&cons) == 0 && held_rx_count(&cons.held) == 1 &&
	      vpci_used_idx(&fk, VCONS_RX_QUEUE) == 0,
	      "cons_input_buffer_held_until_bytes_come");
	CHECK(send(peer, "ls -l\r", 6, 0) == 6, "cons_input_sent");
	CHECK(vcons_rx_poll(&cons) == 1 &&
	      vpci_used_idx(&fk, VCONS_RX_QUEUE) == 1 &&
	      vpci_used_len(&fk, VCONS_RX_QUEUE, 0) == 6 &&
	      !memcmp(fk.ram + BUF, "ls -l\r", 6) && cons.rx_bytes == 6,
	      "cons_input_into_the_guest_buffer");
	/* A chain with no device-writable room (5.3.6.1 says there is
	 * none such): completed empty, not held forever. */
	{
		struct vpci_seg s[] = { { BUF, 16, false } };
		vpci_post(&fk, VCONS_RX_QUEUE, s, 1);
	}
	CHECK(send(peer, "z", 1, 0) == 1 && vcons_rx_poll(&cons) == 0 &&
	      vpci_used_idx(&fk, VCONS_RX_QUEUE) == 2 &&
	      vpci_used_len(&fk, VCONS_RX_QUEUE, 1) == 0,
	      "cons_input_no_room_completed_empty");
	/* Reset with a buffer held: given back, none held after. */
	{
		struct vpci_seg s[] = { { BUF + 0x100, 64, true } };
		vpci_post(&fk, VCONS_RX_QUEUE, s, 1);
	}
	CHECK(vcons_rx_poll(&cons) == 1 && !memcmp(fk.ram + BUF + 0x100, "z", 1),
	      "cons_input_waiting_byte_delivered");
	{
		struct vpci_seg s[] = { { BUF + 0x200, 64, true } };
		vpci_post(&fk, VCONS_RX_QUEUE, s, 1);
	}
	vpci_wr(&fk, VPCI_STATUS, 1, 0);
	CHECK(held_rx_count(&cons.held) == 0 && fk.vp.inflight == 0 &&
	      vpci_rd(&fk, VPCI_STATUS, 1) == 0, "cons_reset_gives_back_held");
	teardown();
}

/* The real host sides: a pseudo-terminal (raw, its slave held) and a
 * log file (appended, no input). */
static void unit_cons_host_sides(void)
{
	struct vcons_opt o = { .kind = VCONS_PTY };
	char name[256], err[300], path[] = "/tmp/vmctl-cons-XXXXXX", buf[16];
	int fd, hold, slave, lfd;

	fd = vcons_open(&o, name, sizeof(name), &hold, err, sizeof(err));
	if (fd < 0) {
		printf("# no pseudo-terminal here: %s\n", err);
	} else {
		slave = open(name, O_RDWR | O_NOCTTY);
		CHECK(slave >= 0 && hold >= 0 && !strncmp(name, "/dev/pts/", 9),
		      "cons_pty_slave_opens");
		/* Raw: "\n" stays "\n" (no ONLCR), no echo. */
		CHECK(write(fd, "a\nb", 3) == 3 &&
		      read(slave, buf, sizeof(buf)) == 3 &&
		      !memcmp(buf, "a\nb", 3), "cons_pty_raw_output");
		CHECK(write(slave, "q", 1) == 1 && usleep(10000) == 0 &&
		      read(fd, buf, sizeof(buf)) == 1 && buf[0] == 'q',
		      "cons_pty_input_no_echo");
		close(slave);
		close(fd);
		close(hold);
	}
	lfd = mkstemp(path);
	CHECK(lfd >= 0 && write(lfd, "old\n", 4) == 4, "cons_log_made");
	close(lfd);
	o = (struct vcons_opt){ .kind = VCONS_LOG, .path = path };
	fd = vcons_open(&o, name, sizeof(name), &hold, err, sizeof(err));
	CHECK(fd >= 0 && hold == -1 && write(fd, "new\n", 4) == 4,
	      "cons_log_opened_for_appending");
	close(fd);
	lfd = open(path, O_RDONLY);
	CHECK(lfd >= 0 && read(lfd, buf, sizeof(buf)) == 8 &&
	      !memcmp(buf, "old\nnew\n", 8), "cons_log_appended");
	close(lfd);
	unlink(path);
	o.path = "/nonexistent-dir/log";
	CHECK(vcons_open(&o, name, sizeof(name), &hold, err, sizeof(err)) < 0 &&
	      strstr(err, "No such file"), "cons_log_bad_path_refused");
}

void unit_console(void)
{
	if (!vpci_fake_ram(&fk)) {
		CHECK(false, "cons_ram");
		return;
	}
	unit_cons_options();
	unit_cons_identity();
	unit_cons_output();
	unit_cons_input();
	unit_cons_host_sides();
	vpci_fake_ram_free(&fk);
}
