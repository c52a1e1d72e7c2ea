// SPDX-License-Identifier: GPL-2.0
/*
 * Flat binary loader: the file is guest memory from --load onwards.  The
 * only thing to get right is the bounds check, done without overflowing
 * for loads near 2^64.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "loader.h"

int loader_flat(const struct guest_ram *ram, const void *img, size_t len,
		uint64_t load, char *err, size_t errlen)
{
	if (len == 0) {
		snprintf(err, errlen, "image is empty");
		return -1;
	}
	if (load > ram->limit || len > ram->limit - load) {
		snprintf(err, errlen,
			 "image of %zu bytes at 0x%" PRIx64
			 " does not fit in guest RAM: the guest's part of RAM"
			 " ends at 0x%" PRIx64 " (raise --mem)",
			 len, load, ram->limit);
		return -1;
	}
	memcpy(ram->mem + load, img, len);
	return 0;
}
