// SPDX-License-Identifier: GPL-2.0
/*
 * stderr lines and stop records (see msg.h).  Safe from any thread:
 * nothing here is shared but the file descriptor.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "msg.h"

void msg(const char *fmt, ...)
{
	char line[512];
	va_list ap;
	int n;

	n = snprintf(line, sizeof(line), "vmctl: ");
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	n = (int)strlen(line);
	line[n++] = '\n';
	while (n > 0) {
		ssize_t w = write(STDERR_FILENO, line, (size_t)n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		memmove(line, line + w, (size_t)(n - w));
		n -= (int)w;
	}
}

void stop_with(struct vm_stop *stop, int status, const char *fmt, ...)
{
	va_list ap;

	stop->stop = true;
	stop->quiet = false;
	stop->status = status;
	va_start(ap, fmt);
	vsnprintf(stop->reason, sizeof(stop->reason), fmt, ap);
	va_end(ap);
}
