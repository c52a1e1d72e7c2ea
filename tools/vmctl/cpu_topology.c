// SPDX-License-Identifier: GPL-2.0
/*
 * One package of N single-thread cores, in CPUID (see cpu_topology.h).
 * A guest reads its topology from leaf 0xB or from the counts of leaves 1
 * and 0x80000008, depending on its vendor code and version, so both say
 * the same, and both agree with the APIC IDs of the MADT: otherwise CPUs
 * land in other packages or cores than the firmware tables imply.
 */
#include <stddef.h>

#include "cpu_topology.h"
#include "cpuid_entry.h"

#define L1_EDX_HTT		(1u << 28)
#define E1_ECX_CMP_LEGACY	(1u << 1)
#define LEVEL_SMT		1u
#define LEVEL_CORE		2u

unsigned int cpu_topology_id_bits(unsigned int ncpus)
{
	unsigned int bits = 0;

	while ((1u << bits) < ncpus)
		bits++;
	return bits;
}

static struct svmhv_cpuid_entry *find(struct svmhv_cpuid_entry *e,
				      unsigned int n, uint32_t function,
				      uint32_t index)
{
	int x = cpuid_entry_index(e, n, function, index);

	return x < 0 ? NULL : &e[x];
}

/* Leaf 0xB subleaf @level-1: @shift bits of x2APIC ID below the next
 * level, @count logical processors at this level. */
static void set_level(struct svmhv_cpuid_entry *x, unsigned int shift,
		      unsigned int count, unsigned int type, unsigned int id)
{
	x->eax = shift;
	x->ebx = count;
	x->ecx = (type << 8) | x->index;
	x->edx = id;
}

void cpu_topology_apply(struct svmhv_cpuid_entry *e, unsigned int n,
			unsigned int id, unsigned int ncpus)
{
	unsigned int bits = cpu_topology_id_bits(ncpus);
	struct svmhv_cpuid_entry *x, *max = find(e, n, 0, 0);

	x = find(e, n, 1, 0);
	if (x) {
		x->ebx = (x->ebx & 0x0000ffff) | (id << 24) |
			 ((ncpus & 0xff) << 16);
		x->edx &= ~L1_EDX_HTT;
		if (ncpus > 1)
			x->edx |= L1_EDX_HTT;
	}
	if (max && max->eax >= 0xb) {
		x = find(e, n, 0xb, 0);
		if (x)
			set_level(x, 0, 1, LEVEL_SMT, id);
		x = find(e, n, 0xb, 1);
		if (x)
			set_level(x, bits, ncpus, LEVEL_CORE, id);
	}
	x = find(e, n, 0x80000001, 0);
	if (x) {
		x->ecx &= ~E1_ECX_CMP_LEGACY;
		if (ncpus > 1)
			x->ecx |= E1_ECX_CMP_LEGACY;
	}
	x = find(e, n, 0x80000008, 0);
	if (x)
		x->ecx = (x->ecx & ~0xf0ffu) | ((ncpus - 1) & 0xff) |
			 (bits << 12);
}
