/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The exit port: a byte N written to port 0xf4 ends vmctl with exit
 * status N (the convention of QEMU's isa-debug-exit, without its 2N+1).
 */
#ifndef VMCTL_DEV_EXIT_PORT_H
#define VMCTL_DEV_EXIT_PORT_H

#include "io_bus.h"

#define EXIT_PORT	0xf4

/* Fill @dev so that io_bus_register() claims port 0xf4 for the exit port. */
void exit_port_device(struct io_device *dev);

#endif /* VMCTL_DEV_EXIT_PORT_H */
