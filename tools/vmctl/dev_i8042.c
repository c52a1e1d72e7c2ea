// SPDX-License-Identifier: GPL-2.0
/*
 * i8042 reset paths (IBM PC/AT Technical Reference, keyboard controller
 * commands).  Linux's emergency restart writes command 0xfe (pulse the
 * reset line) after waiting for the input buffer to drain (status bit 1),
 * so the status register must read "input buffer empty" or the wait
 * takes 65536 port reads.  Writing the output port (command 0xd1) with
 * bit 0 clear resets too.
 *
 * Status: bit 2 (system flag: self-test passed) and bit 4 (keyboard not
 * inhibited) set, output and input buffers empty.  The data port reads 0
 * and takes no keyboard commands: with no PNP/ACPI entry for the
 * controller Linux's i8042 driver does not probe it.
 */
#include <string.h>

#include "dev_i8042.h"

#define I8042_STR_SYSFLAG	0x04
#define I8042_STR_CMDDAT	0x08
#define I8042_STR_KEYLOCK	0x10

void i8042_init(struct i8042 *k)
{
	memset(k, 0, sizeof(*k));
}

uint8_t i8042_read(struct i8042 *k, bool is_cmd)
{
	if (!is_cmd)
		return 0;
	return I8042_STR_SYSFLAG | I8042_STR_KEYLOCK |
	       (k->last_was_cmd ? I8042_STR_CMDDAT : 0);
}

bool i8042_write(struct i8042 *k, bool is_cmd, uint8_t val)
{
	k->last_was_cmd = is_cmd;
	if (is_cmd) {
		k->expect_output = val == I8042_CMD_WRITE_OUTPUT;
		/* 0xf0-0xff pulse output bits 3:0 for 6 us where the
		 * command's bit is 0; bit 0 is the CPU reset line. */
		return (val & 0xf0) == 0xf0 && !(val & 0x01);
	}
	if (k->expect_output) {
		k->expect_output = false;
		return !(val & 0x01);
	}
	return false;
}
