/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The reset line of the PC's i8042 keyboard controller (ports 0x60 data,
 * 0x64 status/command).  There is no keyboard or mouse behind it: the
 * controller only answers the status reads reset code polls and performs
 * the two resets PC software uses through it.
 */
#ifndef VMCTL_DEV_I8042_H
#define VMCTL_DEV_I8042_H

#include <stdbool.h>
#include <stdint.h>

#define I8042_DATA_PORT		0x60
#define I8042_CMD_PORT		0x64

#define I8042_CMD_WRITE_OUTPUT	0xd1	/* next data byte is the output port */
#define I8042_CMD_PULSE_RESET	0xfe	/* pulse output bit 0: CPU reset */

struct i8042 {
	bool expect_output;	/* 0xd1 seen: the next data byte is for it */
	bool last_was_cmd;	/* status bit 3: last write went to 0x64 */
};

void i8042_init(struct i8042 *k);
/* @is_cmd: port 0x64, else 0x60. */
uint8_t i8042_read(struct i8042 *k, bool is_cmd);
/* Returns true when the write resets the machine. */
bool i8042_write(struct i8042 *k, bool is_cmd, uint8_t val);

#endif /* VMCTL_DEV_I8042_H */
