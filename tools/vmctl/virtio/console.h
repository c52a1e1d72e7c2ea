/* SPDX-License-Identifier: GPL-2.0 */
/*
 * virtio-console, the console device (virtio 1.2, 5.3), with one port on
 * a host file descriptor: vmctl's --vconsole.  Linux's virtio_console
 * makes it /dev/hvc0, a second console next to COM1.
 *
 *   --vconsole pty       a pseudo-terminal vmctl allocates (raw mode) and
 *                        names on stderr: what the guest writes to hvc0
 *                        can be read from it, what is written to it the
 *                        guest reads (screen /dev/pts/N, or cat and echo)
 *   --vconsole log=PATH  the guest's output appended to PATH; no input
 *
 * Two queues (5.3.2: receiveq(port0), transmitq(port0)); no feature
 * offered (5.3.3: SIZE, MULTIPORT and EMERG_WRITE stay off), so the
 * driver never reads the configuration space (5.3.4), which reads as
 * max_nr_ports 1 and zeroes.
 *
 * Threads: transmit runs on the transport's device thread -- the
 * device-readable buffers of each chain go to the host fd, which is
 * non-blocking: what a pty nobody reads cannot take is dropped and
 * counted, never waited for (a serial line without a listener loses
 * its characters too).  Receive buffers are held (held_rx.h) and the
 * input thread reads the host fd straight into the oldest one.
 */
#ifndef VMCTL_VIRTIO_CONSOLE_H
#define VMCTL_VIRTIO_CONSOLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "held_rx.h"
#include "virtio_pci.h"

#define VCONS_RX_QUEUE		0
#define VCONS_TX_QUEUE		1
#define VCONS_QUEUE_SIZE	128
#define VCONS_CONFIG_SIZE	12	/* cols, rows, max_nr_ports, emerg_wr */

enum vcons_kind { VCONS_NONE, VCONS_PTY, VCONS_LOG };

struct vcons_opt {
	enum vcons_kind kind;
	const char *path;		/* VCONS_LOG */
};

/* --vconsole VALUE: "pty" or "log=PATH".  0, or -1 with the reason. */
int vcons_opt_parse(const char *s, struct vcons_opt *o, char *why,
		    size_t whylen);

/*
 * The host side of @o: for a pty, the master (non-blocking), its slave's
 * name in @name and the slave itself, in raw mode, in *@hold -- kept
 * open so that the master reads no hangup while nobody else has the
 * slave; for a log, PATH opened for appending (*@hold = -1).  The fd, or
 * -1 with the reason in @err.
 */
int vcons_open(const struct vcons_opt *o, char *name, size_t namelen,
	       int *hold, char *err, size_t errlen);

struct vcons {
	int fd;				/* output, and input if @input */
	int hold;			/* a pty's slave, or -1 */
	bool input;
	struct held_rx held;
	bool held_made;
	/* Statistics, atomic. */
	uint64_t rx_bytes, tx_bytes, tx_dropped;
};

/* Set up @c on @fd and @hold (taken over: closed by vcons_close()).
 * @input: @fd gives input (a pty).  0, or -1 with errno. */
int vcons_init(struct vcons *c, int fd, int hold, bool input);
void vcons_device(struct vcons *c, struct virtio_device *dev);
/* Start the input thread.  0, or -1 with errno. */
int vcons_start(struct vcons *c);
/* After virtio_pci_stop(), before virtio_pci_destroy(). */
void vcons_close(struct vcons *c);
/* What the input thread does when @fd is readable (for tests): bytes
 * into held buffers.  The number of buffers completed. */
unsigned int vcons_rx_poll(struct vcons *c);

#endif /* VMCTL_VIRTIO_CONSOLE_H */
