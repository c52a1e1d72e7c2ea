// SPDX-License-Identifier: GPL-2.0
/*
 * The exit port device.  It is write-only: reads return all-ones like an
 * empty ISA port, but are not a --strict-io violation because the port
 * is claimed.  A wider OUT hands its low byte first (io_bus splits it),
 * so "out %ax, $0xf4" exits with AL.
 */
#include <stdio.h>

#include "dev_exit_port.h"

static uint8_t exit_port_read(void *opaque, uint16_t offset)
{
	(void)opaque;
	(void)offset;
	return 0xff;
}

static void exit_port_write(void *opaque, uint16_t offset, uint8_t val,
			    struct vm_stop *stop)
{
	(void)opaque;
	(void)offset;
	stop->stop = true;
	stop->quiet = true;
	stop->status = val;
	snprintf(stop->reason, sizeof(stop->reason),
		 "guest wrote %u to the exit port 0x%x", val, EXIT_PORT);
}

void exit_port_device(struct io_device *dev)
{
	*dev = (struct io_device){
		.name = "exit-port",
		.base = EXIT_PORT,
		.len = 1,
		.read = exit_port_read,
		.write = exit_port_write,
	};
}
