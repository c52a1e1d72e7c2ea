/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest RAM as a device sees it for DMA: two ranges of one host mapping,
 * [0, low) at guest-physical 0 and [low, low + high) at GUEST_MEM_HIGH
 * (main.c; the hole between is PCI and the APICs).  guest_mem_ptr()
 * translates a guest-physical range that lies wholly inside one of them,
 * and refuses anything else -- a buffer the guest hands a device may
 * never reach outside guest RAM.
 */
#ifndef VMCTL_GUEST_MEM_H
#define VMCTL_GUEST_MEM_H

#include <stddef.h>
#include <stdint.h>

#define GUEST_MEM_HIGH	(4ull << 30)

struct guest_mem {
	uint8_t *host;		/* host address of guest-physical 0 */
	uint64_t low;		/* bytes at guest-physical 0 */
	uint64_t high;		/* bytes at GUEST_MEM_HIGH (host + low) */
};

/* The host address of [@gpa, @gpa + @len), or NULL if that is not all
 * guest RAM.  @len 0 is allowed (a valid @gpa still needed). */
static inline void *guest_mem_ptr(const struct guest_mem *m, uint64_t gpa,
				  uint64_t len)
{
	if (gpa < m->low && len <= m->low - gpa)
		return m->host + gpa;
	if (gpa >= GUEST_MEM_HIGH && gpa - GUEST_MEM_HIGH < m->high &&
	    len <= m->high - (gpa - GUEST_MEM_HIGH))
		return m->host + m->low + (gpa - GUEST_MEM_HIGH);
	return NULL;
}

#endif /* VMCTL_GUEST_MEM_H */
