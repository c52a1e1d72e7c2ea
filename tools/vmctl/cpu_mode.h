/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guest's starting CPU state for each --mode, and the page tables and
 * GDT vmctl writes into guest RAM for it.  docs/vmctl.md ("Starting state")
 * describes the result; tests/unit_cpu_mode.c and the mode_*.S guests pin it.
 *
 * vmctl's tables live at the top of guest RAM (of the first 4 GiB when RAM
 * is larger, so 32-bit GDTR and CR3 values can reach them):
 *
 *   end = min(RAM size, 4 GiB)
 *   protected: base = end - 4K          GDT at base
 *   long:      base = end - (3+n)*4K    GDT at base, PML4 at base+4K,
 *                                       PDPT at base+8K, n PDs from base+12K,
 *              n = number of GiB in max(RAM size, 4 GiB)
 *   real:      nothing; base = RAM size
 *
 * The guest owns [0, base); the initial stack pointer in protected and long
 * mode is base (the stack grows down, just below the tables).
 */
#ifndef VMCTL_CPU_MODE_H
#define VMCTL_CPU_MODE_H

#include <stddef.h>
#include <stdint.h>

#include "../../uapi/svmhv.h"
#include "options.h"

#define GDT_SEL_CODE32	0x08
#define GDT_SEL_DATA	0x10
#define GDT_SEL_CODE64	0x18
#define GDT_ENTRIES	4

#define CR0_PE		(1ull << 0)
#define CR0_MP		(1ull << 1)
#define CR0_EM		(1ull << 2)
#define CR0_ET		(1ull << 4)
#define CR0_NE		(1ull << 5)
#define CR0_PG		(1ull << 31)
#define CR4_PAE		(1ull << 5)
#define CR4_OSFXSR	(1ull << 9)
#define CR4_OSXMMEXCPT	(1ull << 10)
#define EFER_LME	(1ull << 8)

struct cpu_layout {
	uint64_t base;		/* first byte vmctl uses; the image limit */
	uint64_t end;		/* one past vmctl's last table byte */
	uint64_t gdt;		/* 0 in real mode */
	uint64_t pml4, pdpt, pd;	/* long mode only */
	unsigned int npd;	/* page directories, one per GiB mapped */
};

void cpu_mode_layout(enum cpu_mode mode, uint64_t ram_size,
		     struct cpu_layout *lay);

/*
 * Write the tables for @mode into @ram (host mapping of guest-physical 0,
 * @ram_size bytes) and fill @regs and @sregs.  @sregs should come from
 * SVMHV_GET_SREGS so fields vmctl does not choose (APIC base) stay as the
 * module set them.  Returns 0, or -1 with @err filled if @entry cannot be
 * the first instruction in @mode.
 */
int cpu_mode_setup(enum cpu_mode mode, uint8_t *ram, uint64_t ram_size,
		   uint64_t entry, struct svmhv_regs *regs,
		   struct svmhv_sregs *sregs, char *err, size_t errlen);

#endif /* VMCTL_CPU_MODE_H */
