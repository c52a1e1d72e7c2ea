// SPDX-License-Identifier: GPL-2.0
/*
 * Console input escapes (console_in.c): on a terminal Ctrl-A x quits and
 * Ctrl-A Ctrl-A sends one Ctrl-A; any other byte after Ctrl-A goes
 * through with it; a stream (not a terminal) passes every byte as is.
 */
#include <string.h>

#include "../console_in.h"
#include "unit.h"

static size_t drain(struct console_in *ci, uint8_t *out, size_t max)
{
	size_t n = 0;

	while (console_in_pending(ci) && n < max) {
		out[n++] = console_in_peek(ci);
		console_in_pop(ci);
	}
	return n;
}

void unit_console_in(void)
{
	struct console_in ci;
	uint8_t out[16];
	size_t n;

	memset(&ci, 0, sizeof(ci));
	ci.tty = true;
	console_in_feed(&ci, (const uint8_t *)"ls\r", 3);
	n = drain(&ci, out, sizeof(out));
	CHECK(n == 3 && !memcmp(out, "ls\r", 3), "console_plain_bytes_pass");
	console_in_feed(&ci, (const uint8_t *)"\001\001", 2);
	n = drain(&ci, out, sizeof(out));
	CHECK(n == 1 && out[0] == 1 && !ci.quit, "console_ctrl_a_twice_sends_one");
	console_in_feed(&ci, (const uint8_t *)"\001c", 2);
	n = drain(&ci, out, sizeof(out));
	CHECK(n == 2 && out[0] == 1 && out[1] == 'c', "console_ctrl_a_other_sends_both");
	console_in_feed(&ci, (const uint8_t *)"\001", 1);
	CHECK(!console_in_pending(&ci), "console_escape_waits_for_next_byte");
	console_in_feed(&ci, (const uint8_t *)"xyz", 3);
	CHECK(ci.quit && !console_in_pending(&ci), "console_ctrl_a_x_quits");
	CHECK(!console_in_wants_read(&ci), "console_no_reading_after_quit");

	memset(&ci, 0, sizeof(ci));
	ci.tty = false;
	console_in_feed(&ci, (const uint8_t *)"\001x", 2);
	n = drain(&ci, out, sizeof(out));
	CHECK(n == 2 && !ci.quit, "console_stream_input_has_no_escape");
}
