// SPDX-License-Identifier: GPL-2.0
/*
 * The topology vmctl writes into each vCPU's CPUID table
 * (cpu_topology.c) for 1, 2, 3, 8 and 64 vCPUs: leaf 1's initial APIC ID
 * and logical count with HTT, leaf 0xB's SMT and core levels with the
 * x2APIC ID, 0x80000001's CmpLegacy, 0x80000008's NC and ApicIdSize;
 * every other bit left as svmhv gave it, and the APIC IDs those fields
 * imply are the MADT's (vCPU index, one package).
 */
#include <stdint.h>
#include <string.h>

#include "../cpu_topology.h"
#include "unit.h"

enum { T_L0, T_L1, T_B0, T_B1, T_E1, T_E8, T_N };

/* A table as svmhv answers it, with bits around the fields set. */
static void table(struct svmhv_cpuid_entry *t, uint32_t max_leaf)
{
	memset(t, 0, T_N * sizeof(*t));
	t[T_L0] = (struct svmhv_cpuid_entry){ .function = 0, .eax = max_leaf };
	t[T_L1] = (struct svmhv_cpuid_entry){
		.function = 1, .eax = 0x00830f10, .ebx = 0xff7f0800,
		.ecx = 0xfed83203, .edx = 0x1789fbff,
	};
	t[T_B0] = (struct svmhv_cpuid_entry){
		.function = 0xb, .eax = 7, .ebx = 7, .ecx = 0xffff, .edx = 99,
	};
	t[T_B1] = (struct svmhv_cpuid_entry){
		.function = 0xb, .index = 1, .eax = 7, .ebx = 7, .ecx = 0xffff,
		.edx = 99,
	};
	t[T_E1] = (struct svmhv_cpuid_entry){
		.function = 0x80000001, .ecx = 0x1e1, .edx = 0x2fd3fbff,
	};
	t[T_E8] = (struct svmhv_cpuid_entry){
		.function = 0x80000008, .eax = 0x3030, .ebx = 0x5, .ecx = 0x3f0ff,
	};
}

static bool fields_right(const struct svmhv_cpuid_entry *t,
			 const struct svmhv_cpuid_entry *was, unsigned int id,
			 unsigned int n, unsigned int bits)
{
	bool many = n > 1;

	return t[T_L1].ebx == ((was[T_L1].ebx & 0xffff) | id << 24 | n << 16) &&
	       t[T_L1].edx == ((was[T_L1].edx & ~(1u << 28)) | many << 28) &&
	       t[T_L1].eax == was[T_L1].eax && t[T_L1].ecx == was[T_L1].ecx &&
	       t[T_B0].eax == 0 && t[T_B0].ebx == 1 &&
	       t[T_B0].ecx == 0x100 && t[T_B0].edx == id &&
	       t[T_B1].eax == bits && t[T_B1].ebx == n &&
	       t[T_B1].ecx == 0x201 && t[T_B1].edx == id &&
	       t[T_E1].ecx == ((was[T_E1].ecx & ~2u) | many << 1) &&
	       t[T_E1].edx == was[T_E1].edx &&
	       t[T_E8].ecx == ((was[T_E8].ecx & ~0xf0ffu) | (n - 1) | bits << 12) &&
	       t[T_E8].eax == was[T_E8].eax && t[T_E8].ebx == was[T_E8].ebx &&
	       !memcmp(&t[T_L0], &was[T_L0], sizeof(t[0]));
}

static void one_count(unsigned int n, unsigned int bits, const char *name)
{
	struct svmhv_cpuid_entry t[T_N], was[T_N];
	unsigned int id, wrong = 0, apic_ids_outside = 0;

	for (id = 0; id < n; id++) {
		table(was, 0xd);
		memcpy(t, was, sizeof(t));
		cpu_topology_apply(t, T_N, id, n);
		if (!fields_right(t, was, id, n, bits))
			wrong++;
		/* Package = x2APIC ID >> core shift: all in package 0. */
		if ((t[T_B1].edx >> t[T_B1].eax) != 0 ||
		    (t[T_L1].ebx >> 24) >> ((t[T_E8].ecx >> 12) & 0xf) != 0 ||
		    (t[T_L1].ebx >> 24) != t[T_B0].edx)
			apic_ids_outside++;
	}
	CHECK(wrong == 0 && apic_ids_outside == 0, name);
}

void unit_cpu_topology(void)
{
	struct svmhv_cpuid_entry t[T_N], was[T_N];

	CHECK(cpu_topology_id_bits(1) == 0 && cpu_topology_id_bits(2) == 1 &&
	      cpu_topology_id_bits(3) == 2 && cpu_topology_id_bits(4) == 2 &&
	      cpu_topology_id_bits(5) == 3 && cpu_topology_id_bits(8) == 3 &&
	      cpu_topology_id_bits(9) == 4 && cpu_topology_id_bits(64) == 6,
	      "topology_id_bits_is_ceil_log2");
	one_count(1, 0, "topology_1_vcpu_no_htt_no_cmplegacy");
	one_count(2, 1, "topology_2_vcpus");
	one_count(3, 2, "topology_3_vcpus_shift_2");
	one_count(8, 3, "topology_8_vcpus");
	one_count(64, 6, "topology_64_vcpus");

	/* Exact values for vCPU 5 of 8, as the guest reads them. */
	table(t, 0xd);
	cpu_topology_apply(t, T_N, 5, 8);
	CHECK(t[T_L1].ebx == 0x05080800 && (t[T_L1].edx & (1u << 28)) &&
	      t[T_B1].eax == 3 && t[T_B1].ebx == 8 && t[T_B1].edx == 5 &&
	      (t[T_E8].ecx & 0xf0ff) == 0x3007 && (t[T_E1].ecx & 2),
	      "topology_vcpu_5_of_8_exact");

	/* Below leaf 0xB's reach, leaf 0xB is left alone. */
	table(was, 0xa);
	memcpy(t, was, sizeof(t));
	cpu_topology_apply(t, T_N, 1, 2);
	CHECK(!memcmp(&t[T_B0], &was[T_B0], 2 * sizeof(t[0])) &&
	      (t[T_L1].ebx >> 24) == 1, "topology_no_leaf_b_below_max_leaf");

	/* Leaves the table lacks stay absent; the others are still set. */
	table(was, 0xd);
	memcpy(t, was, sizeof(t));
	cpu_topology_apply(t, T_E1, 1, 2);
	CHECK(t[T_B1].ebx == 2 && !memcmp(&t[T_E1], &was[T_E1], 2 * sizeof(t[0])),
	      "topology_partial_table");
}
