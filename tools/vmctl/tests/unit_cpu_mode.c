// SPDX-License-Identifier: GPL-2.0
/*
 * Starting state per --mode (cpu_mode.c), as documented in docs/vmctl.md:
 * where vmctl's tables go, the identity map's reach and page size, the GDT
 * descriptors, control registers, segments, RSP and RIP.
 */
#include <stdlib.h>
#include <string.h>

#include "../cpu_mode.h"
#include "unit.h"

static uint64_t get64(const uint8_t *ram, uint64_t gpa)
{
	uint64_t v;

	memcpy(&v, ram + gpa, sizeof(v));
	return v;
}

/* Walk the guest page tables like the CPU would for a 2 MiB leaf. */
static bool maps_identity(const uint8_t *ram, uint64_t cr3, uint64_t va)
{
	uint64_t mask = 0x000ffffffffff000ull;
	uint64_t e = get64(ram, (cr3 & mask) + ((va >> 39) & 511) * 8);

	if ((e & 3) != 3)
		return false;
	e = get64(ram, (e & mask) + ((va >> 30) & 511) * 8);
	if ((e & 3) != 3 || (e & 0x80))
		return false;
	e = get64(ram, (e & mask) + ((va >> 21) & 511) * 8);
	if ((e & 0x83) != 0x83)
		return false;
	return (e & 0x000fffffffe00000ull) + (va & 0x1fffff) == va;
}

void unit_cpu_mode(void)
{
	const uint64_t mem = 16ull << 20;
	struct svmhv_sregs sr;
	struct svmhv_regs r;
	struct cpu_layout lay;
	char err[200];
	uint8_t *ram = calloc(1, mem);
	uint64_t gdt[GDT_ENTRIES];

	cpu_mode_layout(CPU_MODE_LONG, mem, &lay);
	CHECK(lay.base == 0xff9000 && lay.end == mem && lay.npd == 4 &&
	      lay.gdt == 0xff9000 && lay.pml4 == 0xffa000 && lay.pdpt == 0xffb000 &&
	      lay.pd == 0xffc000, "long_tables_at_top_of_16m_ram");
	cpu_mode_layout(CPU_MODE_LONG, 6ull << 30, &lay);
	CHECK(lay.end == 4ull << 30 && lay.npd == 6 &&
	      lay.base == (4ull << 30) - 9 * 4096, "long_tables_below_4g_when_ram_is_larger");
	cpu_mode_layout(CPU_MODE_PROTECTED, mem, &lay);
	CHECK(lay.base == mem - 4096 && lay.gdt == lay.base, "protected_gdt_in_last_page");
	cpu_mode_layout(CPU_MODE_REAL, mem, &lay);
	CHECK(lay.base == mem && lay.gdt == 0, "real_mode_reserves_nothing");

	memset(&sr, 0, sizeof(sr));
	sr.apic_base = 0xfee00900;
	CHECK(cpu_mode_setup(CPU_MODE_LONG, ram, mem, 0x1000, &r, &sr, err, sizeof(err)) == 0,
	      "long_setup_succeeds");
	CHECK(r.rip == 0x1000 && r.rsp == 0xff9000 && r.rflags == 2 && r.rax == 0,
	      "long_rip_entry_rsp_below_tables_if_clear");
	CHECK(sr.cr0 == 0x80000033 && sr.cr4 == 0x620 && sr.efer == 0x100 &&
	      sr.cr3 == 0xffa000, "long_control_registers");
	CHECK(sr.cs.selector == 0x18 && sr.cs.l == 1 && sr.cs.db == 0 && sr.cs.type == 0xb &&
	      sr.cs.present && sr.cs.s && sr.cs.dpl == 0, "long_cs_is_64bit_code");
	CHECK(sr.ds.selector == 0x10 && sr.ss.selector == 0x10 && sr.ss.type == 3 &&
	      sr.ss.db == 1 && sr.es.limit == 0xffffffff, "long_data_segments_flat");
	CHECK(sr.gdt.base == 0xff9000 && sr.gdt.limit == 0x1f && sr.idt.limit == 0,
	      "long_gdtr_points_at_tables_idt_empty");
	CHECK(sr.apic_base == 0xfee00900, "setup_keeps_apic_base");
	memcpy(gdt, ram + 0xff9000, sizeof(gdt));
	CHECK(gdt[0] == 0 && gdt[1] == 0x00cf9b000000ffffull &&
	      gdt[2] == 0x00cf93000000ffffull && gdt[3] == 0x00af9b000000ffffull,
	      "gdt_descriptors_match_segment_registers");
	CHECK(maps_identity(ram, sr.cr3, 0) && maps_identity(ram, sr.cr3, 0x1000) &&
	      maps_identity(ram, sr.cr3, mem - 1) &&
	      maps_identity(ram, sr.cr3, 0xc0000000) &&
	      maps_identity(ram, sr.cr3, 0xfffff000) &&
	      maps_identity(ram, sr.cr3, 0xffffffff),
	      "long_identity_map_covers_ram_and_first_4g_with_2m_pages");
	CHECK(!maps_identity(ram, sr.cr3, 0x100000000ull),
	      "long_identity_map_stops_at_4g_for_small_ram");

	memset(&sr, 0, sizeof(sr));
	CHECK(cpu_mode_setup(CPU_MODE_PROTECTED, ram, mem, 0x1000, &r, &sr, err,
			     sizeof(err)) == 0 &&
	      r.rip == 0x1000 && r.rsp == mem - 4096 && r.rflags == 2 &&
	      sr.cr0 == 0x33 && sr.cr4 == 0x600 && sr.efer == 0 &&
	      sr.cs.selector == 0x08 && sr.cs.db == 1 && sr.cs.l == 0 &&
	      sr.cs.limit == 0xffffffff && sr.cs.g == 1 && sr.ds.selector == 0x10 &&
	      sr.gdt.base == mem - 4096 && sr.gdt.limit == 0x1f,
	      "protected_flat_32bit_paging_off_sse_enabled");

	memset(&sr, 0, sizeof(sr));
	CHECK(cpu_mode_setup(CPU_MODE_REAL, ram, mem, 0x1000, &r, &sr, err,
			     sizeof(err)) == 0 &&
	      r.rip == 0x1000 && r.rsp == 0 && sr.cs.base == 0 && sr.cs.selector == 0 &&
	      sr.cs.limit == 0xffff && sr.cr0 == 0x10 && sr.cr4 == 0 && sr.efer == 0 &&
	      sr.idt.limit == 0x3ff, "real_cs_base_0_cr0_pe_clear");
	CHECK(cpu_mode_setup(CPU_MODE_REAL, ram, mem, 0x10000, &r, &sr, err,
			     sizeof(err)) < 0 && strstr(err, "real mode"),
	      "real_entry_above_64k_rejected");
	CHECK(cpu_mode_setup(CPU_MODE_LONG, ram, mem, mem, &r, &sr, err,
			     sizeof(err)) < 0 && strstr(err, "outside guest RAM"),
	      "entry_outside_ram_rejected");
	free(ram);
}
