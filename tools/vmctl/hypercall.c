// SPDX-License-Identifier: GPL-2.0
/*
 * vmctl's hypercalls (docs/hypercalls.md): the VMM feature query and a
 * console write, for guests with no UART driver of their own -- the flat
 * test guests, a boot loader, a paravirtual early console.
 */
#include <stddef.h>

#include "hypercall.h"

uint64_t hypercall_serve(const struct svmhv_run *run,
			 const struct guest_ram *ram,
			 void (*put)(void *opaque, uint8_t byte), void *opaque)
{
	uint64_t gpa = run->hypercall.rbx, len = run->hypercall.rcx, i;

	switch (run->hypercall.rax) {
	case SVMHV_HC_VMM_FEATURES:
		return 1u << (SVMHV_HC_VMM_FEATURES - SVMHV_HC_VMM_BASE) |
		       1u << (SVMHV_HC_CONSOLE_WRITE - SVMHV_HC_VMM_BASE);
	case SVMHV_HC_CONSOLE_WRITE:
		if (len > HYPERCALL_CONSOLE_MAX)
			return SVMHV_HC_EINVAL;
		/* The whole buffer in RAM, without overflowing the sum. */
		if (!ram || gpa > ram->size || len > ram->size - gpa)
			return SVMHV_HC_EFAULT;
		for (i = 0; i < len; i++)
			put(opaque, ram->mem[gpa + i]);
		return len;
	default:
		return SVMHV_HC_ENOSYS;
	}
}
