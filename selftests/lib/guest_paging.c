// SPDX-License-Identifier: GPL-2.0
/*
 * 4 KiB pages, user mappings and ring 3 on top of the library's identity
 * map (lib/processor.c); see include/guest_paging.h.
 */
#include "svmhv_util.h"
#include "guest_paging.h"

#define GUEST_RING0_STACK_SIZE	(16 * KiB)

static uint64_t *table_entry(struct svmhv_vm *vm, uint64_t table_gpa,
			     uint64_t gva, int shift)
{
	uint64_t *t = addr_gpa2hva(vm, table_gpa & PTE_ADDR_MASK);

	return &t[(gva >> shift) & 511];
}

uint64_t *virt_pde(struct svmhv_vm *vm, uint64_t gva)
{
	uint64_t *e = table_entry(vm, GUEST_PML4_GPA, gva, 39);

	TEST_ASSERT(*e & PTE_PRESENT, "gva %#lx: no PML4E", gva);
	e = table_entry(vm, *e, gva, 30);
	TEST_ASSERT(*e & PTE_PRESENT, "gva %#lx: no PDPTE", gva);
	return table_entry(vm, *e, gva, 21);
}

uint64_t *virt_pte(struct svmhv_vm *vm, uint64_t gva)
{
	uint64_t *pde = virt_pde(vm, gva);

	TEST_ASSERT(*pde & PTE_PRESENT, "gva %#lx: no PDE", gva);
	if (*pde & PTE_LARGE) {
		uint64_t pt_gpa = vm_alloc(vm, 4096, 4096);
		uint64_t *pt = addr_gpa2hva(vm, pt_gpa);
		uint64_t base = *pde & PTE_ADDR_MASK & ~(2 * MiB - 1);
		/* The 4 KiB entries keep the large page's rights. */
		uint64_t flags = *pde & ~PTE_ADDR_MASK & ~PTE_LARGE;

		for (int i = 0; i < 512; i++)
			pt[i] = (base + i * 4096ULL) | flags;
		*pde = pt_gpa | (*pde & (PTE_PRESENT | PTE_WRITE | PTE_USER));
	}
	return table_entry(vm, *pde, gva, 12);
}

void virt_set_user(struct svmhv_vm *vm, uint64_t gva, uint64_t size)
{
	for (uint64_t a = gva; a < gva + size;) {
		uint64_t *l4 = table_entry(vm, GUEST_PML4_GPA, a, 39);
		uint64_t *l3 = table_entry(vm, *l4, a, 30);
		uint64_t *pde = virt_pde(vm, a);

		*l4 |= PTE_USER;
		*l3 |= PTE_USER;
		*pde |= PTE_USER;
		if (*pde & PTE_LARGE) {
			a = (a | (2 * MiB - 1)) + 1;
			continue;
		}
		*table_entry(vm, *pde, a, 12) |= PTE_USER;
		a = (a | 4095) + 1;
	}
}

static uint64_t seg_desc(uint8_t access, uint8_t flags)
{
	/* base 0, limit 0xfffff (4 GiB with G=1) */
	return 0xffffULL | ((uint64_t)access << 40) | (0xfULL << 48) |
	       ((uint64_t)flags << 52);
}

void vcpu_enable_user_mode(struct svmhv_vcpu *vcpu)
{
	struct svmhv_vm *vm = vcpu->vm;
	uint64_t *gdt = addr_gpa2hva(vm, GUEST_GDT_GPA);
	uint64_t stack = vm_alloc(vm, GUEST_RING0_STACK_SIZE, 4096);
	struct svmhv_sregs s;

	/* P=1 DPL=3 S=1 type=0x3 (data, write, accessed); G=1 D/B=1 */
	gdt[GUEST_SEL_USER_DATA >> 3] = seg_desc(0xf3, 0xc);
	/* P=1 DPL=3 S=1 type=0xb (code, read, accessed); G=1 L=1 */
	gdt[GUEST_SEL_USER_CODE64 >> 3] = seg_desc(0xfb, 0xa);
	/* TSS.RSP0, at offset 4 of the 64-bit TSS (APM vol. 2, 12.2.5) */
	*(uint64_t *)addr_gpa2hva(vm, GUEST_TSS_GPA + 4) =
		stack + GUEST_RING0_STACK_SIZE;

	vcpu_sregs_get(vcpu, &s);
	s.gdt.limit = GUEST_USER_GDT_ENTRIES * 8 - 1;
	vcpu_sregs_set(vcpu, &s);
}
