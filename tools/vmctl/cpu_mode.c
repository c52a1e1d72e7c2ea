// SPDX-License-Identifier: GPL-2.0
/*
 * Per-mode register, segment and page-table setup (AMD APM vol. 2:
 * 4.7 segment descriptors, 5.3 long-mode page translation with 2-Mbyte
 * pages, 14.6-14.8 entering protected and long mode).  svmhv takes the
 * hidden segment state directly (SET_SREGS), so no mode-switch code runs
 * in the guest; the GDT is written anyway so that a guest reloading a
 * segment register or doing a far jump finds descriptors that match.
 *
 * 2 MiB pages rather than 1 GiB ones: every AMD64 CPU has them, while
 * 1 GiB pages need CPUID pdpe1gb.  The map covers all RAM and the first
 * 4 GiB, so a stray access beyond RAM reaches the nested page tables and
 * comes back as an MMIO exit instead of a guest page fault.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cpu_mode.h"

#define PAGE_SIZE	4096ull
#define GIB		(1ull << 30)
#define PTE_P		(1ull << 0)
#define PTE_RW		(1ull << 1)
#define PTE_PS		(1ull << 7)

/* Flat 4 GiB descriptors; the accessed bit is preset so the CPU never
 * writes to the GDT. */
static const uint64_t gdt_template[GDT_ENTRIES] = {
	0,
	0x00cf9b000000ffffull,	/* 0x08: 32-bit code, DPL 0 */
	0x00cf93000000ffffull,	/* 0x10: data, read/write, DPL 0 */
	0x00af9b000000ffffull,	/* 0x18: 64-bit code, DPL 0 */
};

void cpu_mode_layout(enum cpu_mode mode, uint64_t ram_size,
		     struct cpu_layout *lay)
{
	uint64_t mapped = ram_size > 4 * GIB ? ram_size : 4 * GIB;
	uint64_t end = ram_size < 4 * GIB ? ram_size : 4 * GIB;

	memset(lay, 0, sizeof(*lay));
	switch (mode) {
	case CPU_MODE_REAL:
		lay->base = ram_size;
		lay->end = ram_size;
		break;
	case CPU_MODE_PROTECTED:
		lay->end = end;
		lay->base = end - PAGE_SIZE;
		lay->gdt = lay->base;
		break;
	case CPU_MODE_LONG:
		lay->npd = (unsigned int)((mapped + GIB - 1) / GIB);
		lay->end = end;
		lay->base = end - (3ull + lay->npd) * PAGE_SIZE;
		lay->gdt = lay->base;
		lay->pml4 = lay->base + PAGE_SIZE;
		lay->pdpt = lay->base + 2 * PAGE_SIZE;
		lay->pd = lay->base + 3 * PAGE_SIZE;
		break;
	}
}

static void put64(uint8_t *ram, uint64_t gpa, uint64_t val)
{
	memcpy(ram + gpa, &val, sizeof(val));
}

static void write_gdt(uint8_t *ram, const struct cpu_layout *lay)
{
	memset(ram + lay->gdt, 0, PAGE_SIZE);
	memcpy(ram + lay->gdt, gdt_template, sizeof(gdt_template));
}

static void write_page_tables(uint8_t *ram, const struct cpu_layout *lay)
{
	unsigned int i, j;

	memset(ram + lay->pml4, 0, (2ull + lay->npd) * PAGE_SIZE);
	put64(ram, lay->pml4, lay->pdpt | PTE_P | PTE_RW);
	for (i = 0; i < lay->npd; i++) {
		uint64_t pd = lay->pd + i * PAGE_SIZE;

		put64(ram, lay->pdpt + i * 8ull, pd | PTE_P | PTE_RW);
		for (j = 0; j < 512; j++)
			put64(ram, pd + j * 8ull,
			      ((uint64_t)i << 30) | ((uint64_t)j << 21) |
			      PTE_P | PTE_RW | PTE_PS);
	}
}

static struct svmhv_segment seg(uint16_t selector, uint8_t type, uint8_t s,
				uint32_t limit, uint8_t l, uint8_t db,
				uint8_t g)
{
	return (struct svmhv_segment){
		.base = 0, .limit = limit, .selector = selector,
		.type = type, .s = s, .dpl = 0, .present = 1,
		.l = l, .db = db, .g = g,
	};
}

static void set_data_segments(struct svmhv_sregs *sr, struct svmhv_segment d)
{
	sr->ds = d;
	sr->es = d;
	sr->fs = d;
	sr->gs = d;
	sr->ss = d;
}

int cpu_mode_setup(enum cpu_mode mode, uint8_t *ram, uint64_t ram_size,
		   uint64_t entry, struct svmhv_regs *regs,
		   struct svmhv_sregs *sregs, char *err, size_t errlen)
{
	struct cpu_layout lay;

	if (entry >= ram_size) {
		snprintf(err, errlen, "entry point 0x%" PRIx64
			 " is outside guest RAM (0x%" PRIx64 " bytes)",
			 entry, ram_size);
		return -1;
	}
	if (mode == CPU_MODE_REAL && entry > 0xffff) {
		snprintf(err, errlen, "entry point 0x%" PRIx64 " is not"
			 " reachable in real mode with CS base 0 (must be"
			 " below 0x10000)", entry);
		return -1;
	}
	if (mode == CPU_MODE_PROTECTED && entry > 0xffffffffull) {
		snprintf(err, errlen, "entry point 0x%" PRIx64 " is not"
			 " reachable in 32-bit protected mode", entry);
		return -1;
	}

	cpu_mode_layout(mode, ram_size, &lay);
	memset(regs, 0, sizeof(*regs));
	regs->rip = entry;
	regs->rflags = 0x2;	/* bit 1 is reserved-one; IF=0 */

	/* TR and LDTR as after RESET: VMRUN wants them present. */
	sregs->tr = seg(0, 0xb, 0, 0xffff, 0, 0, 0);
	sregs->ldt = seg(0, 0x2, 0, 0xffff, 0, 0, 0);
	sregs->cr2 = 0;
	sregs->cr3 = 0;
	sregs->cr8 = 0;
	sregs->efer = 0;
	memset(&sregs->gdt, 0, sizeof(sregs->gdt));
	memset(&sregs->idt, 0, sizeof(sregs->idt));

	switch (mode) {
	case CPU_MODE_REAL:
		sregs->cs = seg(0, 0xb, 1, 0xffff, 0, 0, 0);
		set_data_segments(sregs, seg(0, 0x3, 1, 0xffff, 0, 0, 0));
		sregs->gdt.limit = 0xffff;
		sregs->idt.limit = 0x3ff;	/* the real-mode IVT */
		/* ET only: CD/NW off so the guest runs with caches on. */
		sregs->cr0 = CR0_ET;
		sregs->cr4 = 0;
		regs->rsp = 0;	/* first push lands at 0000:fffe */
		break;
	case CPU_MODE_PROTECTED:
		write_gdt(ram, &lay);
		sregs->cs = seg(GDT_SEL_CODE32, 0xb, 1, 0xffffffff, 0, 1, 1);
		set_data_segments(sregs, seg(GDT_SEL_DATA, 0x3, 1, 0xffffffff,
					     0, 1, 1));
		sregs->gdt.base = lay.gdt;
		sregs->gdt.limit = GDT_ENTRIES * 8 - 1;
		sregs->cr0 = CR0_PE | CR0_MP | CR0_ET | CR0_NE;
		sregs->cr4 = CR4_OSFXSR | CR4_OSXMMEXCPT;
		regs->rsp = lay.base;
		break;
	case CPU_MODE_LONG:
		write_gdt(ram, &lay);
		write_page_tables(ram, &lay);
		sregs->cs = seg(GDT_SEL_CODE64, 0xb, 1, 0xffffffff, 1, 0, 1);
		set_data_segments(sregs, seg(GDT_SEL_DATA, 0x3, 1, 0xffffffff,
					     0, 1, 1));
		sregs->gdt.base = lay.gdt;
		sregs->gdt.limit = GDT_ENTRIES * 8 - 1;
		sregs->cr0 = CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_PG;
		sregs->cr3 = lay.pml4;
		sregs->cr4 = CR4_PAE | CR4_OSFXSR | CR4_OSXMMEXCPT;
		sregs->efer = EFER_LME;	/* the module derives LMA */
		regs->rsp = lay.base;
		break;
	}
	return 0;
}
