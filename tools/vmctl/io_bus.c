// SPDX-License-Identifier: GPL-2.0
/*
 * Port dispatch for vmctl.  A linear search over a handful of devices is
 * both fast enough and obviously correct; the guest's console output is
 * the hot path and it is one compare away.
 */
#include <stdio.h>

#include "exit_status.h"
#include "io_bus.h"

void io_bus_init(struct io_bus *bus, bool strict)
{
	bus->ndev = 0;
	bus->strict = strict;
}

int io_bus_register(struct io_bus *bus, const struct io_device *dev)
{
	unsigned int i;
	uint32_t lo = dev->base, hi = (uint32_t)dev->base + dev->len;

	if (bus->ndev == IO_BUS_MAX_DEVICES || dev->len == 0 || hi > 0x10000)
		return -1;
	for (i = 0; i < bus->ndev; i++) {
		uint32_t olo = bus->dev[i].base;
		uint32_t ohi = olo + bus->dev[i].len;

		if (lo < ohi && olo < hi)
			return -1;
	}
	bus->dev[bus->ndev++] = *dev;
	return 0;
}

static struct io_device *find(struct io_bus *bus, uint16_t port)
{
	unsigned int i;

	for (i = 0; i < bus->ndev; i++) {
		struct io_device *d = &bus->dev[i];

		if (port >= d->base && port - d->base < d->len)
			return d;
	}
	return NULL;
}

static void unclaimed(struct io_bus *bus, bool is_write, uint16_t port,
		      uint8_t val, struct vm_stop *stop)
{
	if (!bus->strict)
		return;
	stop->stop = true;
	stop->quiet = false;
	stop->status = VMCTL_EXIT_STRICT_IO;
	if (is_write)
		snprintf(stop->reason, sizeof(stop->reason),
			 "--strict-io: guest wrote 0x%02x to unknown port 0x%x",
			 val, port);
	else
		snprintf(stop->reason, sizeof(stop->reason),
			 "--strict-io: guest read from unknown port 0x%x", port);
}

static void access_byte(struct io_bus *bus, bool is_write, uint16_t port,
			uint8_t *byte, struct vm_stop *stop)
{
	struct io_device *d = find(bus, port);

	if (!d) {
		if (!is_write)
			*byte = 0xff;
		unclaimed(bus, is_write, port, *byte, stop);
		return;
	}
	if (is_write) {
		if (d->write)
			d->write(d->opaque, (uint16_t)(port - d->base), *byte,
				 stop);
	} else {
		*byte = d->read ? d->read(d->opaque, (uint16_t)(port - d->base))
				: 0xff;
	}
}

/* A device that takes the whole element, or NULL. */
static struct io_device *find_wide(struct io_bus *bus, uint16_t port,
				   unsigned int size)
{
	struct io_device *d = find(bus, port);

	if (!d || !d->read_wide || port - d->base + size > d->len)
		return NULL;
	return d;
}

void io_bus_access(struct io_bus *bus, bool is_write, uint16_t port,
		   unsigned int size, uint32_t count, uint8_t *data,
		   struct vm_stop *stop)
{
	struct io_device *wide = find_wide(bus, port, size);
	uint32_t i, val;
	unsigned int b;

	for (i = 0; wide && i < count; i++) {
		uint16_t off = (uint16_t)(port - wide->base);

		if (is_write) {
			val = 0;
			for (b = 0; b < size; b++)
				val |= (uint32_t)data[i * size + b] << (8 * b);
			wide->write_wide(wide->opaque, off, size, val, stop);
			if (stop->stop)
				return;
		} else {
			val = wide->read_wide(wide->opaque, off, size);
			for (b = 0; b < size; b++)
				data[i * size + b] = (uint8_t)(val >> (8 * b));
		}
	}
	if (wide)
		return;
	for (i = 0; i < count; i++) {
		for (b = 0; b < size; b++) {
			/* Port numbers wrap at 64 Ki like the CPU's do. */
			access_byte(bus, is_write, (uint16_t)(port + b),
				    &data[i * size + b], stop);
			if (stop->stop)
				return;
		}
	}
}
