/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Looking up one answer in a CPUID table (struct svmhv_cpuid_entry, as
 * SVMHV_GET_CPUID fills it), for the pure table edits of cpu_features.c
 * and cpu_topology.c.
 */
#ifndef VMCTL_CPUID_ENTRY_H
#define VMCTL_CPUID_ENTRY_H

#include <stdint.h>

#include "../../uapi/svmhv.h"

/* The index of the entry answering CPUID (@function, @index), or -1. */
static inline int cpuid_entry_index(const struct svmhv_cpuid_entry *e,
				    unsigned int n, uint32_t function,
				    uint32_t index)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (e[i].function == function && e[i].index == index)
			return (int)i;
	return -1;
}

#endif /* VMCTL_CPUID_ENTRY_H */
