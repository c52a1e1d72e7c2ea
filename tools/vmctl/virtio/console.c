// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-console (see console.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <termios.h>
#include <unistd.h>

#include "console.h"
#include "iov_cursor.h"

int vcons_opt_parse(const char *s, struct vcons_opt *o, char *why,
		    size_t whylen)
{
	*o = (struct vcons_opt){ .kind = VCONS_NONE };
	if (!strcmp(s, "pty")) {
		o->kind = VCONS_PTY;
		return 0;
	}
	if (!strncmp(s, "log=", 4)) {
		if (!s[4]) {
			snprintf(why, whylen, "log= needs a file name");
			return -1;
		}
		o->kind = VCONS_LOG;
		o->path = s + 4;
		return 0;
	}
	snprintf(why, whylen, "must be 'pty' or 'log=PATH'");
	return -1;
}

static int open_pty(char *name, size_t namelen, int *hold, char *err,
		    size_t errlen)
{
	struct termios t;
	int fd, slave;

	fd = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "cannot allocate a pseudo-terminal: %s",
			 strerror(errno));
		return -1;
	}
	if (grantpt(fd) || unlockpt(fd) || ptsname_r(fd, name, namelen)) {
		snprintf(err, errlen, "cannot set up the pseudo-terminal: %s",
			 strerror(errno));
		close(fd);
		return -1;
	}
	slave = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (slave < 0) {
		snprintf(err, errlen, "%s: %s", name, strerror(errno));
		close(fd);
		return -1;
	}
	/* Raw: bytes pass both ways as they are (no echo back into the
	 * guest, no CR/LF translation, no line editing). */
	if (tcgetattr(slave, &t) == 0) {
		cfmakeraw(&t);
		tcsetattr(slave, TCSANOW, &t);
	}
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) < 0) {
		snprintf(err, errlen, "pseudo-terminal: %s", strerror(errno));
		close(slave);
		close(fd);
		return -1;
	}
	*hold = slave;
	return fd;
}

int vcons_open(const struct vcons_opt *o, char *name, size_t namelen,
	       int *hold, char *err, size_t errlen)
{
	int fd;

	*hold = -1;
	if (o->kind == VCONS_PTY)
		return open_pty(name, namelen, hold, err, errlen);
	fd = open(o->path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC |
		  O_NONBLOCK, 0644);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", o->path, strerror(errno));
		return -1;
	}
	snprintf(name, namelen, "%s", o->path);
	return fd;
}

/* ---- Transmit (the transport's device thread) ------------------------ */

/* 5.3.6: the driver's characters in the chain's readable buffers.  All
 * of them go out in order or, where the fd cannot take more now, are
 * dropped. */
static void tx(struct vcons *c, struct virtio_req *req)
{
	unsigned int i;
	size_t off;
	ssize_t n;

	for (i = 0; i < req->nout; i++) {
		const uint8_t *p = req->out[i].iov_base;

		for (off = 0; off < req->out[i].iov_len; off += (size_t)n) {
			n = write(c->fd, p + off, req->out[i].iov_len - off);
			if (n < 0 && errno == EINTR) {
				n = 0;
				continue;
			}
			if (n <= 0) {
				__atomic_add_fetch(&c->tx_dropped,
						   req->out[i].iov_len - off,
						   __ATOMIC_RELAXED);
				break;
			}
			__atomic_add_fetch(&c->tx_bytes, (uint64_t)n,
					   __ATOMIC_RELAXED);
		}
	}
	req->complete(req, 0);
}

/* ---- Receive (the input thread) --------------------------------------- */

unsigned int vcons_rx_poll(struct vcons *c)
{
	unsigned int done = 0;
	struct virtio_req *req;
	ssize_t n;

	while ((req = held_rx_take(&c->held))) {
		/* 5.3.6.1: receiveq holds device-writable buffers only; a
		 * chain with no room is given back empty, not kept. */
		if (!iov_total(req->in, req->nin)) {
			req->complete(req, 0);
			continue;
		}
		/* Straight into the guest's buffer. */
		n = readv(c->fd, req->in, (int)req->nin);
		if (n <= 0) {
			held_rx_give_back(&c->held, req);
			break;		/* EAGAIN: nothing more now */
		}
		__atomic_add_fetch(&c->rx_bytes, (uint64_t)n, __ATOMIC_RELAXED);
		req->complete(req, (uint32_t)n);
		done++;
	}
	return done;
}

static void drain(void *opaque)
{
	vcons_rx_poll(opaque);
}

/* ---- The device -------------------------------------------------------- */

/* 5.3.4: cols, rows, max_nr_ports, emerg_wr; without SIZE and MULTIPORT
 * the driver reads none of it. */
static void get_config(void *opaque, uint8_t *cfg, size_t len)
{
	uint8_t c[VCONS_CONFIG_SIZE] = { [4] = 1 };	/* max_nr_ports 1 */

	(void)opaque;
	memset(cfg, 0, len);
	memcpy(cfg, c, len < sizeof(c) ? len : sizeof(c));
}

static void submit(void *opaque, unsigned int queue, struct virtio_req *req)
{
	struct vcons *c = opaque;

	if (queue == VCONS_TX_QUEUE)
		tx(c, req);
	else		/* without input (a log) held until a reset */
		held_rx_add(&c->held, req);
}

static void cancel(void *opaque)
{
	struct vcons *c = opaque;

	held_rx_cancel(&c->held);
}

static void reset(void *opaque)
{
	struct vcons *c = opaque;

	held_rx_reset(&c->held);
}

int vcons_init(struct vcons *c, int fd, int hold, bool input)
{
	memset(c, 0, sizeof(*c));
	c->fd = fd;
	c->hold = hold;
	c->input = input;
	c->held_made = true;
	/* No input (a log): the thread polls nothing, buffers wait. */
	return held_rx_init(&c->held, VCONS_QUEUE_SIZE, input ? fd : -1,
			    drain, c);
}

void vcons_device(struct vcons *c, struct virtio_device *dev)
{
	*dev = (struct virtio_device){
		.name = "virtio-console",
		.device_id = VIRTIO_ID_CONSOLE,
		.features = 0,			/* 5.3.3: none offered */
		.num_queues = 2,		/* 5.3.2, port 0 only */
		.queue_size = VCONS_QUEUE_SIZE,
		.config_size = VCONS_CONFIG_SIZE,
		.opaque = c,
		.get_config = get_config,
		.submit = submit,
		.reset = reset,
		.cancel = cancel,
	};
}

int vcons_start(struct vcons *c)
{
	return held_rx_start(&c->held);
}

void vcons_close(struct vcons *c)
{
	if (c->held_made)
		held_rx_destroy(&c->held);
	c->held_made = false;
	if (c->fd >= 0)
		close(c->fd);
	if (c->hold >= 0)
		close(c->hold);
	c->fd = c->hold = -1;
}
