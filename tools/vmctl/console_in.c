// SPDX-License-Identifier: GPL-2.0
/*
 * stdin for the guest console.  The saved terminal state is global so
 * that an atexit() handler and the stop-signal path can both restore it:
 * a shell left in raw mode is the worst way for vmctl to end.  Raw mode is
 * cfmakeraw() minus output post-processing changes on a shared tty: the
 * guest's own tty layer already sends "\r\n".
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "console_in.h"

static struct termios saved_termios;
static int saved_fd = -1;

void console_in_restore(void)
{
	if (saved_fd < 0)
		return;
	tcsetattr(saved_fd, TCSAFLUSH, &saved_termios);
	saved_fd = -1;
}

int console_in_open(struct console_in *ci, int fd)
{
	struct termios raw;

	memset(ci, 0, sizeof(*ci));
	ci->fd = fd;
	ci->tty = isatty(fd);
	if (!ci->tty)
		return 0;
	if (tcgetattr(fd, &saved_termios) < 0)
		return -1;
	raw = saved_termios;
	cfmakeraw(&raw);
	/* Keep the terminal's output processing as it was: the guest's
	 * bytes go to stdout, which may be this same terminal. */
	raw.c_oflag = saved_termios.c_oflag;
	raw.c_cc[VMIN] = 1;
	raw.c_cc[VTIME] = 0;
	if (tcsetattr(fd, TCSAFLUSH, &raw) < 0)
		return -1;
	saved_fd = fd;
	atexit(console_in_restore);
	return 0;
}

static void push(struct console_in *ci, uint8_t byte)
{
	if (ci->len == CONSOLE_IN_BUF)
		return;		/* cannot happen: reads are sized to fit */
	ci->buf[(ci->head + ci->len) % CONSOLE_IN_BUF] = byte;
	ci->len++;
}

void console_in_feed(struct console_in *ci, const uint8_t *in, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		uint8_t c = in[i];

		if (!ci->tty) {
			push(ci, c);
			continue;
		}
		if (ci->escape) {
			ci->escape = false;
			if (c == 'x' || c == 'X') {
				ci->quit = true;
				return;
			}
			/* Ctrl-A Ctrl-A sends one; Ctrl-A + other sends
			 * both, so nothing typed is lost. */
			push(ci, CONSOLE_ESCAPE);
			if (c != CONSOLE_ESCAPE)
				push(ci, c);
			continue;
		}
		if (c == CONSOLE_ESCAPE)
			ci->escape = true;
		else
			push(ci, c);
	}
}

void console_in_read(struct console_in *ci)
{
	uint8_t tmp[CONSOLE_IN_BUF];
	size_t room;
	ssize_t n;

	if (!console_in_wants_read(ci))
		return;
	/* An escape pair can push two bytes for one read. */
	room = (CONSOLE_IN_BUF - ci->len) / 2;
	if (!room)
		return;
	n = read(ci->fd, tmp, room);
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		ci->fd = -1;	/* end of input: the guest sees no more */
		return;
	}
	console_in_feed(ci, tmp, (size_t)n);
}

bool console_in_wants_read(const struct console_in *ci)
{
	return ci->fd >= 0 && !ci->quit && ci->len + 2 <= CONSOLE_IN_BUF;
}

bool console_in_pending(const struct console_in *ci)
{
	return ci->len > 0;
}

uint8_t console_in_peek(const struct console_in *ci)
{
	return ci->buf[ci->head];
}

void console_in_pop(struct console_in *ci)
{
	ci->head = (ci->head + 1) % CONSOLE_IN_BUF;
	ci->len--;
}
