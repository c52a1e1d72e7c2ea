/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guest's console on vmctl's stdout.  Bytes are collected while one
 * exit is handled and written with write(2) before the guest runs again,
 * so output is never held back while the guest executes, even on a pipe.
 */
#ifndef VMCTL_CONSOLE_H
#define VMCTL_CONSOLE_H

#include <stdint.h>

/* uart8250_tx_fn-compatible: @opaque is unused. */
void console_put(void *opaque, uint8_t byte);
/* Returns 0, or -1 with errno set when stdout cannot take the bytes. */
int console_flush(void);

#endif /* VMCTL_CONSOLE_H */
