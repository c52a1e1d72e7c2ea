/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The CPU topology a Linux guest's CPUID describes, written by vmctl into
 * each vCPU's table so that it matches the MADT vmctl builds (acpi.c: one
 * Processor Local APIC per vCPU, APIC ID = vCPU index): one package of
 * N cores, one thread each.  A pure edit of the table SVMHV_GET_CPUID
 * gave (svmhv answers the same by default; vmctl states it itself so the
 * two cannot drift apart), unit-tested in tests/unit_cpu_topology.c.
 */
#ifndef VMCTL_CPU_TOPOLOGY_H
#define VMCTL_CPU_TOPOLOGY_H

#include "../../uapi/svmhv.h"

/* Bits of an APIC ID that number @ncpus cores: ceil(log2(ncpus)). */
unsigned int cpu_topology_id_bits(unsigned int ncpus);

/*
 * Set vCPU @id's topology fields for @ncpus vCPUs in its table @e (@n
 * entries), and only those; leaves the table lacks stay absent:
 *   1 EBX[31:24]   initial APIC ID = @id; EBX[23:16] logical processors
 *                  = @ncpus; EDX[28] HTT when @ncpus > 1
 *   0xB.0          SMT level: shift 0, 1 thread, type 1, EDX x2APIC ID
 *   0xB.1          core level: shift id_bits, @ncpus, type 2, EDX x2APIC ID
 *                  (only where leaf 0's maximum reaches 0xB)
 *   0x80000001     ECX[1] CmpLegacy when @ncpus > 1
 *   0x80000008     ECX[7:0] NC = @ncpus - 1, ECX[15:12] ApicIdSize
 * (Intel SDM vol. 2A, CPUID leaves 01H and 0BH; AMD APM vol. 3, E.4.7.)
 */
void cpu_topology_apply(struct svmhv_cpuid_entry *e, unsigned int n,
			unsigned int id, unsigned int ncpus);

#endif /* VMCTL_CPU_TOPOLOGY_H */
