// SPDX-License-Identifier: GPL-2.0
/*
 * x86-64 guest set-up for the svmhv selftests, after
 * tools/testing/selftests/kvm/lib/x86_64/processor.c: identity page tables
 * for the first 4 GiB with 2 MiB pages (APM vol. 2, 5.3), a GDT with a
 * 64-bit code segment, a data segment and a 64-bit TSS (4.8), an IDT of
 * 64-bit interrupt gates (4.8.4) into lib/handlers.S, and the long-mode
 * register state a vCPU starts a C function with.
 */
#include <stdarg.h>

#include "svmhv_util.h"

extern guest_exception_handler_t guest_exception_handlers[NR_VECTORS];
void guest_return_trap(void);

/*
 * PML4[0] -> PDPT; PDPT[0..3] -> four page directories; every PDE maps a
 * 2 MiB page at the same physical address, writable, so guest virtual ==
 * guest physical for [0, 4 GiB).  Addresses there that no slot backs exit
 * to the host as MMIO.
 */
void virt_build_identity_map(void *pml4, void *pdpt, void *pd,
			     uint64_t pdpt_gpa, uint64_t pd_gpa)
{
	uint64_t *l4 = pml4, *l3 = pdpt, *l2 = pd;
	const uint64_t nr_pd = GUEST_IDENTITY_MAP_SIZE >> 30;

	memset(l4, 0, 4096);
	memset(l3, 0, 4096);
	l4[0] = pdpt_gpa | PTE_PRESENT | PTE_WRITE;
	for (uint64_t i = 0; i < nr_pd; i++)
		l3[i] = (pd_gpa + i * 4096) | PTE_PRESENT | PTE_WRITE;
	for (uint64_t i = 0; i < nr_pd * 512; i++)
		l2[i] = (i << 21) | PTE_PRESENT | PTE_WRITE | PTE_LARGE;
}

/* Walk the guest's page tables from @cr3; fails the test if unmapped. */
uint64_t addr_gva2gpa(struct svmhv_vm *vm, uint64_t cr3, uint64_t gva)
{
	uint64_t table = cr3 & PTE_ADDR_MASK;
	int shift = 39;

	for (int level = 4; level >= 1; level--, shift -= 9) {
		uint64_t *entries = addr_gpa2hva(vm, table);
		uint64_t e = entries[(gva >> shift) & 511];

		TEST_ASSERT(e & PTE_PRESENT,
			    "gva %#lx: level-%d entry not present", gva, level);
		if (level == 2 && (e & PTE_LARGE))
			return (e & PTE_ADDR_MASK & ~((1ULL << 21) - 1)) |
			       (gva & ((1ULL << 21) - 1));
		TEST_ASSERT(level > 2 || !(e & PTE_LARGE),
			    "gva %#lx: 1 GiB page", gva);
		table = e & PTE_ADDR_MASK;
	}
	return table | (gva & 4095);
}

static uint64_t seg_desc(uint32_t base, uint32_t limit, uint8_t access,
			 uint8_t flags)
{
	return (limit & 0xffffULL) | ((uint64_t)(base & 0xffffff) << 16) |
	       ((uint64_t)access << 40) | ((uint64_t)(limit >> 16 & 0xf) << 48) |
	       ((uint64_t)(flags & 0xf) << 52) | ((uint64_t)(base >> 24) << 56);
}

void gdt_build(void *gdt, uint64_t tss_gpa)
{
	uint64_t *d = gdt;

	memset(d, 0, GUEST_GDT_ENTRIES * 8);
	/* P=1 DPL=0 S=1 type=0xb (code, read, accessed); G=1 L=1 */
	d[GUEST_SEL_CODE64 / 8] = seg_desc(0, 0xfffff, 0x9b, 0xa);
	/* P=1 DPL=0 S=1 type=0x3 (data, write, accessed); G=1 D/B=1 */
	d[GUEST_SEL_DATA / 8] = seg_desc(0, 0xfffff, 0x93, 0xc);
	/* P=1 S=0 type=0xb (busy 64-bit TSS), limit 103, 16 bytes */
	d[GUEST_SEL_TSS / 8] = seg_desc((uint32_t)tss_gpa, GUEST_TSS_SIZE - 1,
					0x8b, 0);
	d[GUEST_SEL_TSS / 8 + 1] = tss_gpa >> 32;
}

void idt_build(void *idt, const uint64_t *stubs)
{
	uint64_t *g = idt;

	for (int v = 0; v < NR_VECTORS; v++) {
		uint64_t off = stubs[v];

		/* 64-bit interrupt gate: P=1 DPL=0 type=0xe, IST 0 */
		g[2 * v] = (off & 0xffff) | ((uint64_t)GUEST_SEL_CODE64 << 16) |
			   (0x8eULL << 40) | ((off >> 16 & 0xffff) << 48);
		g[2 * v + 1] = off >> 32;
	}
}

static void seg_flat(struct svmhv_segment *s, uint16_t sel, uint8_t type,
		     uint8_t l, uint8_t db)
{
	memset(s, 0, sizeof(*s));
	s->base = 0;
	s->limit = 0xffffffff;
	s->selector = sel;
	s->type = type;
	s->s = 1;
	s->present = 1;
	s->l = l;
	s->db = db;
	s->g = 1;
}

void vcpu_init_long_mode_sregs(struct svmhv_vcpu *vcpu)
{
	struct svmhv_sregs s;

	vcpu_sregs_get(vcpu, &s);
	seg_flat(&s.cs, GUEST_SEL_CODE64, 0xb, 1, 0);
	seg_flat(&s.ds, GUEST_SEL_DATA, 0x3, 0, 1);
	s.es = s.ds;
	s.fs = s.ds;
	s.gs = s.ds;
	s.ss = s.ds;

	memset(&s.tr, 0, sizeof(s.tr));
	s.tr.base = GUEST_TSS_GPA;
	s.tr.limit = GUEST_TSS_SIZE - 1;
	s.tr.selector = GUEST_SEL_TSS;
	s.tr.type = 0xb;
	s.tr.present = 1;

	memset(&s.ldt, 0, sizeof(s.ldt));
	s.ldt.limit = 0xffff;
	s.ldt.type = 0x2;
	s.ldt.present = 1;

	memset(&s.gdt, 0, sizeof(s.gdt));
	s.gdt.base = GUEST_GDT_GPA;
	s.gdt.limit = GUEST_GDT_ENTRIES * 8 - 1;
	memset(&s.idt, 0, sizeof(s.idt));
	s.idt.base = GUEST_IDT_GPA;
	s.idt.limit = NR_VECTORS * 16 - 1;

	s.cr0 = GUEST_CR0;
	s.cr2 = 0;
	s.cr3 = GUEST_PML4_GPA;
	s.cr4 = GUEST_CR4;
	s.cr8 = 0;
	s.efer = GUEST_EFER;
	memset(s.reserved, 0, sizeof(s.reserved));
	vcpu_sregs_set(vcpu, &s);
}

struct svmhv_vcpu *vcpu_create(struct svmhv_vm *vm, uint32_t id,
			       void *guest_code)
{
	struct svmhv_vcpu *vcpu = vcpu_create_reset(vm, id);
	struct svmhv_regs regs;
	uint64_t stack = vm_alloc(vm, GUEST_STACK_SIZE, 4096);

	vcpu->stack_top_gpa = stack + GUEST_STACK_SIZE;
	vcpu_init_long_mode_sregs(vcpu);

	/*
	 * Enter guest_code as if called: RSP points at a return address,
	 * so RSP + 8 is 16-byte aligned as the ABI wants at function entry.
	 * Returning lands in guest_return_trap, which reports the mistake.
	 */
	memset(&regs, 0, sizeof(regs));
	regs.rip = (uint64_t)(uintptr_t)guest_code;
	regs.rsp = vcpu->stack_top_gpa - 8;
	regs.rflags = X86_EFLAGS_FIXED;
	*(uint64_t *)addr_gpa2hva(vm, regs.rsp) =
		(uint64_t)(uintptr_t)guest_return_trap;
	vcpu_regs_set(vcpu, &regs);
	return vcpu;
}

void vm_install_exception_handler(struct svmhv_vm *vm, int vector,
				  guest_exception_handler_t handler)
{
	TEST_ASSERT(vector >= 0 && vector < NR_VECTORS, "vector %d", vector);
	GUEST_VAR(vm, guest_exception_handlers[vector]) = handler;
}
