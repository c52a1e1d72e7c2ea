// SPDX-License-Identifier: GPL-2.0
/*
 * Reading and writing guest virtual memory, for the few exits where the
 * hardware does not hand us what we need: instruction bytes without
 * decode assists, and the memory operand of INS/OUTS.
 *
 * The walk follows the guest's own paging mode (APM vol. 2, 5.2 - 5.3):
 * none (CR0.PG=0), 32-bit (with CR4.PSE 4 MiB pages), PAE (PDPTEs at CR3),
 * and 4-level long mode (EFER.LMA).  5-level paging is never offered to the
 * guest.  Access rights are not checked: the guest has just executed the
 * instruction whose operands we fetch, so the CPU already checked them.
 */
#include <linux/kernel.h>
#include <asm/processor-flags.h>
#include <asm/msr-index.h>

#include "svm.h"

#define PTE_P		BIT_ULL(0)
#define PTE_PS		BIT_ULL(7)
#define PTE_ADDR	GENMASK_ULL(51, 12)

static int svm_read_pte(struct svmhv_vcpu *vcpu, u64 gpa, u64 *pte,
			unsigned int size)
{
	*pte = 0;
	return svmhv_read_gpa(vcpu->vm, gpa, pte, size);
}

int svm_gva_to_gpa(struct svmhv_vcpu *vcpu, u64 gva, bool write, u64 *gpa)
{
	struct vmcb_save *save = &vcpu->vmcb->save;
	u64 pte, table;
	int level, ret;

	if (!(save->cr0 & X86_CR0_PG)) {
		*gpa = gva & 0xffffffff;
		return 0;
	}
	if (!(save->cr4 & X86_CR4_PAE)) {
		/* 32-bit paging: two levels of 4-byte entries. */
		gva &= 0xffffffff;
		ret = svm_read_pte(vcpu, (save->cr3 & 0xfffff000) +
				   ((gva >> 22) & 0x3ff) * 4, &pte, 4);
		if (ret || !(pte & PTE_P))
			return ret ?: -EFAULT;
		if ((pte & PTE_PS) && (save->cr4 & X86_CR4_PSE)) {
			*gpa = (pte & 0xffc00000) | (gva & 0x3fffff) |
			       ((pte & 0x1fe000) << 19);	/* PSE-36 */
			return 0;
		}
		ret = svm_read_pte(vcpu, (pte & 0xfffff000) +
				   ((gva >> 12) & 0x3ff) * 4, &pte, 4);
		if (ret || !(pte & PTE_P))
			return ret ?: -EFAULT;
		*gpa = (pte & 0xfffff000) | (gva & 0xfff);
		return 0;
	}

	if (save->efer & EFER_LMA) {
		level = 4;
		table = save->cr3 & PTE_ADDR;
	} else {
		/* PAE: the PDPTE comes from the 32-byte table at CR3. */
		gva &= 0xffffffff;
		ret = svm_read_pte(vcpu, (save->cr3 & 0xffffffe0) +
				   ((gva >> 30) & 3) * 8, &pte, 8);
		if (ret || !(pte & PTE_P))
			return ret ?: -EFAULT;
		level = 2;
		table = pte & PTE_ADDR;
	}
	for (;; level--) {
		unsigned int shift = 12 + 9 * (level - 1);

		ret = svm_read_pte(vcpu, table + ((gva >> shift) & 511) * 8,
				   &pte, 8);
		if (ret || !(pte & PTE_P))
			return ret ?: -EFAULT;
		if (level == 1 || ((pte & PTE_PS) && level <= 3)) {
			u64 mask = (1ULL << shift) - 1;

			*gpa = (pte & PTE_ADDR & ~mask) | (gva & mask);
			return 0;
		}
		table = pte & PTE_ADDR;
	}
}

/* Copy between a guest linear range and buf, one guest page at a time. */
static int svm_access_gva(struct svmhv_vcpu *vcpu, u64 gva, void *buf,
			  size_t len, bool write)
{
	while (len) {
		size_t chunk = min_t(size_t, len, PAGE_SIZE - (gva & ~PAGE_MASK));
		u64 gpa;
		int ret;

		ret = svm_gva_to_gpa(vcpu, gva, write, &gpa);
		if (ret)
			return ret;
		if (write)
			ret = svmhv_write_gpa(vcpu->vm, gpa, buf, chunk);
		else
			ret = svmhv_read_gpa(vcpu->vm, gpa, buf, chunk);
		if (ret)
			return ret;
		gva += chunk;
		buf += chunk;
		len -= chunk;
	}
	return 0;
}

int svm_read_gva(struct svmhv_vcpu *vcpu, u64 gva, void *buf, size_t len)
{
	return svm_access_gva(vcpu, gva, buf, len, false);
}

int svm_write_gva(struct svmhv_vcpu *vcpu, u64 gva, const void *buf,
		  size_t len)
{
	return svm_access_gva(vcpu, gva, (void *)buf, len, true);
}
