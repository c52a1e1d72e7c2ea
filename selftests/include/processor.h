/* SPDX-License-Identifier: GPL-2.0 */
/*
 * x86-64 definitions for svmhv selftest guests: control-register and EFER
 * bits, MSR numbers, the guest physical layout the library builds (page
 * tables, GDT, TSS, IDT), the exception frame handed to guest exception
 * handlers, and inline instructions that guest code uses.  The guest side
 * follows tools/testing/selftests/kvm/include/x86_64/processor.h; the
 * descriptor formats are those of APM vol. 2, chapter 4 (segments, gates)
 * and chapter 5 (4-level paging with 2 MiB pages).
 *
 * Everything marked static inline here is safe to call from guest code:
 * it compiles to plain instructions with no libc call.
 */
#ifndef SELFTEST_SVMHV_PROCESSOR_H
#define SELFTEST_SVMHV_PROCESSOR_H

#include <stdint.h>

/* CR0, CR4 and EFER bits (APM vol. 2, 3.1) */
#define X86_CR0_PE		(1ULL << 0)
#define X86_CR0_MP		(1ULL << 1)
#define X86_CR0_EM		(1ULL << 2)
#define X86_CR0_TS		(1ULL << 3)
#define X86_CR0_ET		(1ULL << 4)
#define X86_CR0_NE		(1ULL << 5)
#define X86_CR0_WP		(1ULL << 16)
#define X86_CR0_AM		(1ULL << 18)
#define X86_CR0_NW		(1ULL << 29)
#define X86_CR0_CD		(1ULL << 30)
#define X86_CR0_PG		(1ULL << 31)

#define X86_CR4_PSE		(1ULL << 4)
#define X86_CR4_PAE		(1ULL << 5)
#define X86_CR4_PGE		(1ULL << 7)
#define X86_CR4_OSFXSR		(1ULL << 9)
#define X86_CR4_OSXMMEXCPT	(1ULL << 10)
#define X86_CR4_LA57		(1ULL << 12)
#define X86_CR4_VMXE		(1ULL << 13)
#define X86_CR4_PCIDE		(1ULL << 17)
#define X86_CR4_OSXSAVE		(1ULL << 18)
#define X86_CR4_SMEP		(1ULL << 20)
#define X86_CR4_SMAP		(1ULL << 21)
#define X86_CR4_PKE		(1ULL << 22)
#define X86_CR4_CET		(1ULL << 23)

#define EFER_SCE		(1ULL << 0)
#define EFER_LME		(1ULL << 8)
#define EFER_LMA		(1ULL << 10)
#define EFER_NXE		(1ULL << 11)
#define EFER_SVME		(1ULL << 12)

#define X86_EFLAGS_FIXED	(1ULL << 1)
#define X86_EFLAGS_TF		(1ULL << 8)
#define X86_EFLAGS_IF		(1ULL << 9)
#define X86_EFLAGS_VM		(1ULL << 17)

/* MSRs */
#define MSR_IA32_TSC		0x00000010
#define MSR_IA32_APICBASE	0x0000001b
#define MSR_IA32_TSC_ADJUST	0x0000003b
#define MSR_IA32_SYSENTER_CS	0x00000174
#define MSR_IA32_SYSENTER_ESP	0x00000175
#define MSR_IA32_SYSENTER_EIP	0x00000176
#define MSR_IA32_CR_PAT		0x00000277
#define MSR_EFER		0xc0000080
#define MSR_STAR		0xc0000081
#define MSR_LSTAR		0xc0000082
#define MSR_CSTAR		0xc0000083
#define MSR_SYSCALL_MASK	0xc0000084
#define MSR_FS_BASE		0xc0000100
#define MSR_GS_BASE		0xc0000101
#define MSR_KERNEL_GS_BASE	0xc0000102
#define MSR_VM_CR		0xc0010114
#define MSR_VM_HSAVE_PA		0xc0010117

/* Exception vectors */
#define DE_VECTOR		0
#define DB_VECTOR		1
#define BP_VECTOR		3
#define OF_VECTOR		4
#define UD_VECTOR		6
#define NM_VECTOR		7
#define DF_VECTOR		8
#define TS_VECTOR		10
#define NP_VECTOR		11
#define SS_VECTOR		12
#define GP_VECTOR		13
#define PF_VECTOR		14
#define MF_VECTOR		16
#define AC_VECTOR		17
#define XM_VECTOR		19
#define NR_VECTORS		256

/* Page-table entry bits */
#define PTE_PRESENT		(1ULL << 0)
#define PTE_WRITE		(1ULL << 1)
#define PTE_LARGE		(1ULL << 7)	/* PS: 2 MiB page in a PDE */
#define PTE_ADDR_MASK		0x000ffffffffff000ULL

/*
 * Guest physical layout, below the test binary's own image (which the
 * linker puts at 0x400000).  Real-mode tests use the free low window.
 */
#define GUEST_PML4_GPA		0x1000ULL
#define GUEST_PDPT_GPA		0x2000ULL
#define GUEST_PD_GPA		0x3000ULL	/* 4 pages: 0x3000-0x6fff */
#define GUEST_GDT_GPA		0x7000ULL
#define GUEST_TSS_GPA		0x7800ULL
#define GUEST_IDT_GPA		0x8000ULL
#define GUEST_LOW_FREE_GPA	0x9000ULL	/* free up to GUEST_LOW_FREE_END */
#define GUEST_LOW_FREE_END	0xa0000ULL
#define GUEST_IDENTITY_MAP_SIZE	(4ULL << 30)	/* first 4 GiB, 2 MiB pages */

/* GDT selectors the library sets up */
#define GUEST_SEL_CODE64	0x08
#define GUEST_SEL_DATA		0x10
#define GUEST_SEL_TSS		0x18	/* 16-byte system descriptor */
#define GUEST_GDT_ENTRIES	5
#define GUEST_TSS_SIZE		104

#define GUEST_CR0 (X86_CR0_PG | X86_CR0_PE | X86_CR0_MP | X86_CR0_ET | \
		   X86_CR0_NE | X86_CR0_WP)
#define GUEST_CR4 (X86_CR4_PAE | X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT)
#define GUEST_EFER (EFER_LME | EFER_LMA | EFER_NXE | EFER_SCE)

/*
 * What the exception entry stub (lib/handlers.S) leaves on the stack, lowest
 * address first: the general-purpose registers it pushed, the vector, the
 * error code (0 for vectors without one), then the CPU's interrupt frame.
 * A handler may change any field; the stub restores them and IRETQs, so
 * `regs->rip += len` skips the faulting instruction.
 */
struct ex_regs {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rdi, rsi, rbp, rbx, rdx, rcx, rax;
	uint64_t vector;
	uint64_t error_code;
	uint64_t rip;
	uint64_t cs;
	uint64_t rflags;
	uint64_t rsp;
	uint64_t ss;
};

/* lib/handlers.S pushes exactly this frame. */
_Static_assert(sizeof(struct ex_regs) == 22 * 8, "ex_regs layout");
_Static_assert(__builtin_offsetof(struct ex_regs, vector) == 15 * 8,
	       "ex_regs layout");

typedef void (*guest_exception_handler_t)(struct ex_regs *regs);

/* ---- instructions for guest code ---------------------------------------- */

struct cpuid_regs {
	uint32_t eax, ebx, ecx, edx;
};

static inline struct cpuid_regs guest_cpuid(uint32_t leaf, uint32_t subleaf)
{
	struct cpuid_regs r;

	asm volatile("cpuid"
		     : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx)
		     : "a"(leaf), "c"(subleaf)
		     : "memory");
	return r;
}

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr) : "memory");
	return lo | ((uint64_t)hi << 32);
}

static inline void wrmsr(uint32_t msr, uint64_t value)
{
	asm volatile("wrmsr"
		     : : "c"(msr), "a"((uint32_t)value),
		       "d"((uint32_t)(value >> 32))
		     : "memory");
}

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return lo | ((uint64_t)hi << 32);
}

static inline uint64_t get_cr0(void)
{
	uint64_t v;

	asm volatile("mov %%cr0, %0" : "=r"(v));
	return v;
}

static inline uint64_t get_cr3(void)
{
	uint64_t v;

	asm volatile("mov %%cr3, %0" : "=r"(v));
	return v;
}

static inline uint64_t get_cr4(void)
{
	uint64_t v;

	asm volatile("mov %%cr4, %0" : "=r"(v));
	return v;
}

/* "mov %rax, %cr4": 0f 22 e0, three bytes, for handlers that skip it. */
static inline void set_cr4(uint64_t v)
{
	asm volatile("mov %0, %%cr4" : : "a"(v) : "memory");
}

static inline uint64_t get_dr6(void)
{
	uint64_t v;

	asm volatile("mov %%dr6, %0" : "=r"(v));
	return v;
}

static inline void outb(uint16_t port, uint8_t v)
{
	asm volatile("outb %0, %1" : : "a"(v), "Nd"(port) : "memory");
}

static inline void outw(uint16_t port, uint16_t v)
{
	asm volatile("outw %0, %1" : : "a"(v), "Nd"(port) : "memory");
}

static inline void outl(uint16_t port, uint32_t v)
{
	asm volatile("outl %0, %1" : : "a"(v), "Nd"(port) : "memory");
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;

	asm volatile("inb %1, %0" : "=a"(v) : "Nd"(port) : "memory");
	return v;
}

static inline uint32_t inl(uint16_t port)
{
	uint32_t v;

	asm volatile("inl %1, %0" : "=a"(v) : "Nd"(port) : "memory");
	return v;
}

static inline void halt(void)
{
	asm volatile("hlt" : : : "memory");
}

static inline void cpu_relax(void)
{
	asm volatile("pause" : : : "memory");
}

#endif /* SELFTEST_SVMHV_PROCESSOR_H */
