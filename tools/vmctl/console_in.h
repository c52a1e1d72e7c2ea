/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guest console's input side: vmctl's stdin.  When stdin is a
 * terminal it is put in raw mode (every key goes to the guest, Ctrl-C
 * included) and restored on every way out; "Ctrl-A x" quits and
 * "Ctrl-A Ctrl-A" sends one Ctrl-A, as in QEMU.  Otherwise stdin is read
 * as a byte stream and passed on unchanged until end of file.
 *
 * Bytes read wait in a buffer until the guest's UART has room, so stdin
 * is only read while there is space (a pipe then pushes back on the
 * writer) and the escape is seen even while the guest reads nothing.
 */
#ifndef VMCTL_CONSOLE_IN_H
#define VMCTL_CONSOLE_IN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CONSOLE_IN_BUF		4096
#define CONSOLE_ESCAPE		0x01	/* Ctrl-A */

struct console_in {
	int fd;			/* -1 once closed (EOF or error) */
	bool tty;		/* escapes are recognised on a terminal only */
	bool escape;		/* the previous byte was Ctrl-A */
	bool quit;		/* Ctrl-A x seen */
	uint8_t buf[CONSOLE_IN_BUF];
	size_t head, len;
};

/* Take @fd as the input; raw mode if it is a terminal.  -1 with errno
 * if the terminal cannot be switched. */
int console_in_open(struct console_in *ci, int fd);
/* Restore the terminal; safe to call twice and from any exit path. */
void console_in_restore(void);
/* Read what @fd has without blocking (the caller polled it). */
void console_in_read(struct console_in *ci);
/* Filter @n raw bytes through the escape logic into the buffer; used by
 * console_in_read() and by the unit tests. */
void console_in_feed(struct console_in *ci, const uint8_t *in, size_t n);
/* True while stdin should be polled: open and with buffer space. */
bool console_in_wants_read(const struct console_in *ci);
bool console_in_pending(const struct console_in *ci);
uint8_t console_in_peek(const struct console_in *ci);
void console_in_pop(struct console_in *ci);

#endif /* VMCTL_CONSOLE_IN_H */
