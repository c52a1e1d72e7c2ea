/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guest's I/O port space: devices claim port ranges, and every access
 * the guest makes (one element of an IN/OUT/INS/OUTS exit) is dispatched
 * here.  Wider accesses are split into byte accesses at consecutive ports,
 * as an ISA bus does for 8-bit devices, unless the device takes wide
 * accesses itself (a PCI host bridge's 32-bit address register must see
 * the whole dword).  Ports nobody claims read as
 * all-ones and swallow writes, unless strict mode turns them into a stop.
 */
#ifndef VMCTL_IO_BUS_H
#define VMCTL_IO_BUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define IO_BUS_MAX_DEVICES	16

/* Why and with which exit status the guest must stop. */
struct vm_stop {
	bool stop;
	bool quiet;		/* the guest chose it: say nothing unless verbose */
	int status;		/* exit_status.h, or the guest's byte */
	char reason[160];
};

struct io_device {
	const char *name;
	uint16_t base;
	uint16_t len;
	void *opaque;
	/* @offset is relative to @base; one byte per call. */
	uint8_t (*read)(void *opaque, uint16_t offset);
	void (*write)(void *opaque, uint16_t offset, uint8_t val,
		      struct vm_stop *stop);
	/*
	 * Optional, both or neither: every access of @size (1, 2 or 4)
	 * bytes that lies wholly inside the device goes here instead of
	 * being split into bytes.
	 */
	uint32_t (*read_wide)(void *opaque, uint16_t offset, unsigned int size);
	void (*write_wide)(void *opaque, uint16_t offset, unsigned int size,
			   uint32_t val, struct vm_stop *stop);
};

struct io_bus {
	struct io_device dev[IO_BUS_MAX_DEVICES];
	unsigned int ndev;
	bool strict;
};

void io_bus_init(struct io_bus *bus, bool strict);
/* Returns -1 if the table is full or the range overlaps another device. */
int io_bus_register(struct io_bus *bus, const struct io_device *dev);

/*
 * Perform @count accesses of @size bytes (1, 2 or 4) at @port, reading
 * from or filling @data (little-endian elements, back to back), as one
 * svmhv I/O exit describes.  Stops early when a device or strict mode
 * sets @stop.
 */
void io_bus_access(struct io_bus *bus, bool is_write, uint16_t port,
		   unsigned int size, uint32_t count, uint8_t *data,
		   struct vm_stop *stop);

#endif /* VMCTL_IO_BUS_H */
