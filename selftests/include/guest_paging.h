/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Finer control over the guest's page tables and privilege levels than
 * vm_create() gives: 4 KiB pages with chosen rights inside the library's
 * 2 MiB identity map, user (U/S=1) mappings, and ring-3 code.
 *
 * Host side: virt_pte() splits the 2 MiB page around an address into a
 * page table of 4 KiB pages that map the same addresses with the same
 * rights, and returns the entry for that address, for the test to clear
 * R/W, U/S, P, A or D in (APM vol. 2, 5.4.1).  Split before
 * the vCPU first runs, or the guest may still use the 2 MiB translation
 * from its TLB.  virt_set_user() sets U/S in every level that maps a
 * range: a page is a user page only if all of them allow it (5.7).
 * vcpu_enable_user_mode() adds ring-3 code and data descriptors to the
 * library's GDT and gives the TSS a ring-0 stack (RSP0) for exceptions
 * taken in ring 3 (12.2.5).
 *
 * Guest side: guest_enter_user() drops to ring 3 with IRETQ and does not
 * return; the ring-3 function reports with ucalls (the library's TSS has
 * no I/O bitmap, so RFLAGS.IOPL=3 lets it use the ucall port) and ends
 * with GUEST_DONE().  Exception handlers still run in ring 0 and IRETQ
 * back to ring 3.
 */
#ifndef SELFTEST_SVMHV_GUEST_PAGING_H
#define SELFTEST_SVMHV_GUEST_PAGING_H

#include <stdint.h>

#include "processor.h"

#define PTE_USER		(1ULL << 2)
#define PTE_ACCESSED		(1ULL << 5)
#define PTE_DIRTY		(1ULL << 6)
#define PTE_NX			(1ULL << 63)

#define X86_EFLAGS_DF		(1ULL << 10)
#define X86_EFLAGS_IOPL3	(3ULL << 12)
#define X86_EFLAGS_AC		(1ULL << 18)

/* Ring-3 selectors vcpu_enable_user_mode() adds (GDT entries 5 and 6). */
#define GUEST_SEL_USER_DATA	(0x28 | 3)
#define GUEST_SEL_USER_CODE64	(0x30 | 3)
#define GUEST_USER_GDT_ENTRIES	7

struct svmhv_vm;
struct svmhv_vcpu;

/* ---- host side (lib/guest_paging.c) ------------------------------------- */

uint64_t *virt_pde(struct svmhv_vm *vm, uint64_t gva);
uint64_t *virt_pte(struct svmhv_vm *vm, uint64_t gva);
void virt_set_user(struct svmhv_vm *vm, uint64_t gva, uint64_t size);
void vcpu_enable_user_mode(struct svmhv_vcpu *vcpu);

/* ---- guest side --------------------------------------------------------- */

/* Run fn(arg) in ring 3 on the stack below stack_top, with IOPL 3 and
 * the given extra RFLAGS bits; never returns.
 */
static inline void __attribute__((noreturn))
guest_enter_user(void (*fn)(uint64_t), uint64_t arg, uint64_t stack_top,
		 uint64_t rflags)
{
	asm volatile("pushq %[ss]\n\t"
		     "pushq %[rsp]\n\t"
		     "pushq %[fl]\n\t"
		     "pushq %[cs]\n\t"
		     "pushq %[rip]\n\t"
		     "iretq"
		     : : [ss] "i"(GUEST_SEL_USER_DATA),
		       [rsp] "r"(stack_top - 8),
		       [fl] "r"(rflags | X86_EFLAGS_FIXED | X86_EFLAGS_IOPL3),
		       [cs] "i"(GUEST_SEL_USER_CODE64),
		       [rip] "r"(fn), "D"(arg)
		     : "memory");
	__builtin_unreachable();
}

static inline uint64_t get_cr2(void)
{
	uint64_t v;

	asm volatile("mov %%cr2, %0" : "=r"(v));
	return v;
}

static inline void set_cr0(uint64_t v)
{
	asm volatile("mov %0, %%cr0" : : "r"(v) : "memory");
}

static inline uint64_t get_rflags(void)
{
	uint64_t v;

	asm volatile("pushfq; popq %0" : "=r"(v));
	return v;
}

static inline void set_rflags(uint64_t v)
{
	asm volatile("pushq %0; popfq" : : "r"(v) : "memory", "cc");
}

#endif /* SELFTEST_SVMHV_GUEST_PAGING_H */
