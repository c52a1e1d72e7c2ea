/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The hypercalls vmctl serves: the VMM's range of the VMMCALL ABI
 * (docs/hypercalls.md; the kernel answers the numbers below
 * SVMHV_HC_VMM_BASE itself).
 */
#ifndef VMCTL_HYPERCALL_H
#define VMCTL_HYPERCALL_H

#include <stdint.h>

#include "loader.h"
#include "../../uapi/svmhv.h"

#define HYPERCALL_CONSOLE_MAX	4096	/* bytes per console write */

/*
 * Serve the hypercall of an SVMHV_EXIT_HYPERCALL exit: the value for the
 * guest's RAX.  @ram is the guest's RAM below 4 GiB (what a console write
 * may point into); @put writes one console byte.
 */
uint64_t hypercall_serve(const struct svmhv_run *run,
			 const struct guest_ram *ram,
			 void (*put)(void *opaque, uint8_t byte), void *opaque);

#endif /* VMCTL_HYPERCALL_H */
