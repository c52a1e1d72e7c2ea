// SPDX-License-Identifier: GPL-2.0
/*
 * stdout writer for the guest console.  stdio is not used: its buffering
 * depends on whether stdout is a terminal, and issue 8 wants every byte out
 * as soon as the guest wrote it.  write(2) may be interrupted by the
 * SIGINT/SIGTERM handler or be partial on a pipe, so it is retried.
 */
#include <errno.h>
#include <stddef.h>
#include <unistd.h>

#include "console.h"

static uint8_t buf[4096];
static size_t used;
/* A failure while console_put() drained a full buffer, kept for the flush. */
static int pending_errno;

int console_flush(void)
{
	size_t done = 0;

	if (pending_errno) {
		errno = pending_errno;
		pending_errno = 0;
		used = 0;
		return -1;
	}
	while (done < used) {
		ssize_t n = write(STDOUT_FILENO, buf + done, used - done);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			used = 0;
			return -1;
		}
		done += (size_t)n;
	}
	used = 0;
	return 0;
}

void console_put(void *opaque, uint8_t byte)
{
	(void)opaque;
	if (used == sizeof(buf) && console_flush() < 0)
		pending_errno = errno;
	buf[used++] = byte;
}
