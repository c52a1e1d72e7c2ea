// SPDX-License-Identifier: GPL-2.0
/*
 * Port dispatch (io_bus.c) with the real devices: COM1 output through the
 * bus, string I/O element by element, wide accesses split into bytes,
 * all-ones for unclaimed ports, --strict-io stops, and the exit port.
 */
#include <string.h>

#include "../dev_exit_port.h"
#include "../dev_uart8250.h"
#include "../exit_status.h"
#include "../io_bus.h"
#include "unit.h"

static char out[64];
static unsigned int nout;

static void capture(void *opaque, uint8_t byte)
{
	(void)opaque;
	if (nout < sizeof(out))
		out[nout++] = (char)byte;
}

static uint8_t com1_read(void *opaque, uint16_t off)
{
	return uart8250_read(opaque, off);
}

static void com1_write(void *opaque, uint16_t off, uint8_t val, struct vm_stop *stop)
{
	(void)stop;
	uart8250_write(opaque, off, val);
}

static void setup(struct io_bus *bus, struct uart8250 *u, bool strict)
{
	struct io_device d = { .name = "com1", .base = 0x3f8, .len = 8,
			       .opaque = u, .read = com1_read, .write = com1_write };

	nout = 0;
	uart8250_init(u, capture, NULL);
	io_bus_init(bus, strict);
	io_bus_register(bus, &d);
	exit_port_device(&d);
	io_bus_register(bus, &d);
}

void unit_io_bus(void)
{
	struct io_bus bus;
	struct uart8250 u;
	struct vm_stop stop;
	uint8_t data[16];
	struct io_device d = { .name = "x", .base = 0x3fa, .len = 2 };

	setup(&bus, &u, false);
	CHECK(io_bus_register(&bus, &d) < 0, "io_overlapping_device_rejected");

	memset(&stop, 0, sizeof(stop));
	memcpy(data, "rep!", 4);
	io_bus_access(&bus, true, 0x3f8, 1, 4, data, &stop);
	CHECK(!stop.stop && nout == 4 && memcmp(out, "rep!", 4) == 0,
	      "io_string_out_sends_every_element_to_com1");

	memset(data, 0, sizeof(data));
	io_bus_access(&bus, false, 0x3fd, 1, 3, data, &stop);
	CHECK(data[0] == 0x60 && data[1] == 0x60 && data[2] == 0x60,
	      "io_string_in_reads_lsr_per_element");

	memset(data, 0, sizeof(data));
	io_bus_access(&bus, false, 0x60, 4, 2, data, &stop);
	CHECK(!stop.stop && memcmp(data, "\xff\xff\xff\xff\xff\xff\xff\xff", 8) == 0,
	      "io_unclaimed_port_reads_all_ones");
	data[0] = 0x42;
	io_bus_access(&bus, true, 0x80, 1, 1, data, &stop);
	CHECK(!stop.stop, "io_unclaimed_port_write_ignored");

	/* outw to 0x3fe: MSR (read-only) then SCR. */
	data[0] = 0x11;
	data[1] = 0x22;
	io_bus_access(&bus, true, 0x3fe, 2, 1, data, &stop);
	CHECK(uart8250_read(&u, UART_SCR) == 0x22, "io_word_access_split_into_bytes");

	memset(&stop, 0, sizeof(stop));
	data[0] = 7;
	io_bus_access(&bus, true, 0xf4, 1, 1, data, &stop);
	CHECK(stop.stop && stop.status == 7 && stop.quiet, "io_exit_port_stops_with_byte");
	memset(&stop, 0, sizeof(stop));
	data[0] = 0xff;
	io_bus_access(&bus, false, 0xf4, 1, 1, data, &stop);
	CHECK(!stop.stop && data[0] == 0xff, "io_exit_port_read_is_all_ones");
	memset(&stop, 0, sizeof(stop));
	nout = 0;
	memcpy(data, "a\x05" "b", 3);
	io_bus_access(&bus, true, 0xf4, 1, 3, data, &stop);
	CHECK(stop.stop && stop.status == 'a' && nout == 0,
	      "io_exit_port_string_stops_at_first_element");

	setup(&bus, &u, true);
	memset(&stop, 0, sizeof(stop));
	data[0] = 0x42;
	io_bus_access(&bus, true, 0x80, 1, 1, data, &stop);
	CHECK(stop.stop && stop.status == VMCTL_EXIT_STRICT_IO && !stop.quiet &&
	      strstr(stop.reason, "0x80"), "io_strict_write_to_unclaimed_port_stops");
	memset(&stop, 0, sizeof(stop));
	io_bus_access(&bus, false, 0x60, 1, 1, data, &stop);
	CHECK(stop.stop && stop.status == VMCTL_EXIT_STRICT_IO &&
	      strstr(stop.reason, "0x60"), "io_strict_read_from_unclaimed_port_stops");
	memset(&stop, 0, sizeof(stop));
	memcpy(data, "ok", 2);
	io_bus_access(&bus, true, 0x3f8, 1, 2, data, &stop);
	CHECK(!stop.stop && nout == 2, "io_strict_allows_claimed_ports");
}
