// SPDX-License-Identifier: GPL-2.0
/*
 * Reading and writing guest virtual memory, for the few exits where the
 * hardware does not hand us what we need: instruction bytes without
 * decode assists, and the memory operand of INS/OUTS.
 *
 * The walk follows the guest's own paging mode (APM vol. 2, 5.2 - 5.3):
 * none (CR0.PG=0), 32-bit (with CR4.PSE 4 MiB pages), PAE (PDPTEs at CR3),
 * and 4-level long mode (EFER.LMA).  5-level paging is never offered to the
 * guest.
 *
 * Access rights are checked as the CPU checks them (5.6 - 5.7), because
 * the memory operand of INS and OUTS is not accessed before the IOIO
 * intercept (15.10.2): no segment check, page walk or fault has happened
 * yet when we see the exit, and svmhv moves the data as the instruction
 * would.  A fault becomes an exception for the guest (svm_inject_fault()),
 * with the error code of 8.4.2 and CR2.  Accessed and Dirty bits are set as
 * the CPU sets them (5.4.1 and 5.4.2), with a locked cmpxchg on the guest's
 * page-table entry through its host user mapping, so that a concurrent
 * update by another vCPU -- the CPU setting a bit, or the guest changing
 * the entry -- is never overwritten: if the entry changed since it was
 * read, the walk starts again (KVM's update_accessed_dirty_bits() does
 * the same).
 */
#include <linux/kernel.h>
#include <linux/uaccess.h>
#include <asm/processor-flags.h>
#include <asm/msr-index.h>
#include <asm/traps.h>

#include "svm.h"

/* Page-table entry bits, APM vol. 2, 5.4 (figures 5-18 to 5-25). */
#define PTE_P		BIT_ULL(0)
#define PTE_W		BIT_ULL(1)
#define PTE_U		BIT_ULL(2)
#define PTE_A		BIT_ULL(5)
#define PTE_D		BIT_ULL(6)
#define PTE_PS		BIT_ULL(7)
#define PTE_NX		BIT_ULL(63)
#define PTE_ADDR	GENMASK_ULL(51, 12)
#define PTE_PKEY_SHIFT	59
/* Reserved in a 2 MiB / 1 GiB leaf (bit 12 is PAT), 5.4.1. */
#define PTE_LARGE_RSVD(shift)	GENMASK_ULL((shift) - 1, 13)
/* Reserved in a 4 MiB PSE leaf: bits 20:13 hold address bits 39:32. */
#define PDE32_PSE_RSVD	BIT_ULL(21)

/* #PF error code, APM vol. 2, 8.4.2. */
#define PFERR_P		BIT(0)
#define PFERR_W		BIT(1)
#define PFERR_U		BIT(2)
#define PFERR_RSVD	BIT(3)
#define PFERR_ID	BIT(4)
#define PFERR_PK	BIT(5)

/* Attempts at setting A/D bits before giving up on a guest that keeps
 * rewriting the same entry under us.
 */
#define SVM_WALK_RETRIES	16

/* The entries a walk used, to set their A/D bits afterwards. */
struct svm_walk {
	u64 gpa[4];
	u64 pte[4];
	unsigned int n;
	unsigned int size;	/* bytes per entry: 4 or 8 */
};

unsigned int svm_access_cpl(struct svmhv_vcpu *vcpu, unsigned int access)
{
	/*
	 * User accesses are those made at CPL 3 (5.6.1); implicit ones
	 * (descriptor tables, TSS) are supervisor accesses at any CPL.
	 */
	if (vcpu->vmcb->save.cpl == 3 && !(access & SVM_ACC_IMPLICIT))
		access |= SVM_ACC_USER;
	return access;
}

static int svm_read_pte(struct svmhv_vcpu *vcpu, u64 gpa, u64 *pte,
			unsigned int size)
{
	*pte = 0;
	return svmhv_read_gpa(vcpu->vm, gpa, pte, size);
}

/*
 * Replace the entry at gpa by new if it still holds old.  0 on success,
 * 1 if it changed meanwhile, -errno if it is not in writable RAM.
 */
static int svm_pte_cmpxchg(struct svmhv_vm *vm, u64 gpa, u64 old, u64 new,
			   unsigned int size)
{
	struct svmhv_slot *slot;
	int ret;

	mutex_lock(&vm->lock);
	slot = svmhv_find_slot(vm, gpa);
	if (!slot) {
		ret = -ENOENT;
	} else if (slot->flags & SVMHV_MEM_READONLY) {
		/* The CPU's own A/D update would fault in the NPT here. */
		ret = -EPERM;
	} else if (size == 8) {
		u64 __user *p = u64_to_user_ptr(slot->uaddr + (gpa - slot->gpa));

		ret = __try_cmpxchg_user(p, &old, new, efault8);
	} else {
		u32 __user *p = u64_to_user_ptr(slot->uaddr + (gpa - slot->gpa));
		u32 old32 = old;

		ret = __try_cmpxchg_user(p, &old32, (u32)new, efault4);
	}
	mutex_unlock(&vm->lock);
	return ret;
}

/* The bits of a #PF error code that describe the access itself. */
static u32 svm_pf_error(struct svmhv_vcpu *vcpu, unsigned int access)
{
	struct vmcb_save *save = &vcpu->vmcb->save;
	u32 err = 0;

	if (access & SVM_ACC_WRITE)
		err |= PFERR_W;
	if (access & SVM_ACC_USER)
		err |= PFERR_U;
	/* I/D is reported only where NX or SMEP gives it a meaning. */
	if ((access & SVM_ACC_FETCH) &&
	    (((save->efer & EFER_NX) && (save->cr4 & X86_CR4_PAE)) ||
	     (save->cr4 & X86_CR4_SMEP)))
		err |= PFERR_ID;
	return err;
}

static int svm_pf(struct svm_fault *fault, u64 gva, u32 error)
{
	fault->vector = X86_TRAP_PF;
	fault->error = error;
	fault->addr = gva;
	return SVM_GUEST_FAULT;
}

/*
 * Reserved bits we check in an entry of a PAE or long-mode table at
 * level (1 = PTE .. 4 = PML4E), 5.3.3 - 5.3.5: NX without EFER.NXE, PS in
 * a PML4E, the MBZ bits of a large page.  Physical address bits beyond
 * MAXPHYADDR are not checked: such an entry points outside guest RAM and
 * the walk ends in an internal error instead of a #PF(RSVD).
 */
static bool svm_pte_reserved(struct svmhv_vcpu *vcpu, u64 pte, int level)
{
	if ((pte & PTE_NX) && !(vcpu->vmcb->save.efer & EFER_NX))
		return true;
	if (level == 4 && (pte & PTE_PS))
		return true;
	if ((level == 2 || level == 3) && (pte & PTE_PS) &&
	    (pte & PTE_LARGE_RSVD(12 + 9 * (level - 1))))
		return true;
	return false;
}

/*
 * The page-protection checks of 5.6 (U/S, R/W, NX, CR0.WP, SMEP, SMAP and
 * protection keys) for a walk that found a page with the rights
 * user/writable/nx, combined over all levels as 5.7 says, and leaf entry
 * leaf.  Returns the #PF error code, 0 if the access is allowed.
 */
static u32 svm_check_rights(struct svmhv_vcpu *vcpu, unsigned int access,
			    bool user, bool writable, bool nx, u64 leaf,
			    bool long_mode)
{
	struct vmcb_save *save = &vcpu->vmcb->save;
	bool write = access & SVM_ACC_WRITE, fetch = access & SVM_ACC_FETCH;
	bool uacc = access & SVM_ACC_USER;
	bool wp = save->cr0 & X86_CR0_WP;
	bool nxe = save->efer & EFER_NX;
	bool smep = save->cr4 & X86_CR4_SMEP;
	u32 err = svm_pf_error(vcpu, access) | PFERR_P;
	bool fault = false;

	if (uacc && !user)
		fault = true;
	if (fetch) {
		if (nx && nxe)
			fault = true;
		if (!uacc && user && smep)
			fault = true;
		return fault ? err : 0;
	}
	if (write && !writable && (uacc || wp))
		fault = true;
	/* SMAP: RFLAGS.AC lifts it for explicit accesses only. */
	if (!uacc && user && (save->cr4 & X86_CR4_SMAP) &&
	    ((access & SVM_ACC_IMPLICIT) || !(save->rflags & X86_EFLAGS_AC)))
		fault = true;
	/* Protection keys apply to data accesses to user pages. */
	if (long_mode && user && (save->cr4 & X86_CR4_PKE)) {
		unsigned int key = (leaf >> PTE_PKEY_SHIFT) & 15;
		u32 pkru = vcpu->guest_pkru >> (2 * key);

		if ((pkru & 1) || (write && (pkru & 2) && (uacc || wp))) {
			err |= PFERR_PK;
			fault = true;
		}
	}
	return fault ? err : 0;
}

/*
 * One walk: 0 with *gpa, SVM_GUEST_FAULT with *fault, or -errno when an
 * entry is outside guest RAM.  The entries used are left in w.
 */
static int svm_walk(struct svmhv_vcpu *vcpu, u64 gva, unsigned int access,
		    struct svm_walk *w, u64 *gpa, struct svm_fault *fault)
{
	struct vmcb_save *save = &vcpu->vmcb->save;
	bool user = true, writable = true, nx = false;
	bool long_mode = save->efer & EFER_LMA;
	u32 err_base = svm_pf_error(vcpu, access), err;
	u64 pte, table, mask;
	unsigned int shift;
	int level, ret;

	w->n = 0;

	if (!(save->cr0 & X86_CR0_PG)) {
		*gpa = gva & 0xffffffff;
		return 0;
	}
	if (!(save->cr4 & X86_CR4_PAE)) {
		/* 32-bit paging: two levels of 4-byte entries (5.2). */
		gva &= 0xffffffff;
		w->size = 4;
		w->gpa[0] = (save->cr3 & 0xfffff000) + ((gva >> 22) & 0x3ff) * 4;
		ret = svm_read_pte(vcpu, w->gpa[0], &pte, 4);
		if (ret)
			return ret;
		if (!(pte & PTE_P))
			return svm_pf(fault, gva, err_base);
		w->pte[w->n++] = pte;
		user = pte & PTE_U;
		writable = pte & PTE_W;
		if ((pte & PTE_PS) && (save->cr4 & X86_CR4_PSE)) {
			if (pte & PDE32_PSE_RSVD)
				return svm_pf(fault, gva,
					      err_base | PFERR_P | PFERR_RSVD);
			*gpa = (pte & 0xffc00000) | (gva & 0x3fffff) |
			       ((pte & 0x1fe000) << 19);	/* PSE-36 */
		} else {
			w->gpa[1] = (pte & 0xfffff000) + ((gva >> 12) & 0x3ff) * 4;
			ret = svm_read_pte(vcpu, w->gpa[1], &pte, 4);
			if (ret)
				return ret;
			if (!(pte & PTE_P))
				return svm_pf(fault, gva, err_base);
			w->pte[w->n++] = pte;
			user &= !!(pte & PTE_U);
			writable &= !!(pte & PTE_W);
			*gpa = (pte & 0xfffff000) | (gva & 0xfff);
		}
		goto check;
	}

	w->size = 8;
	if (long_mode) {
		level = 4;
		table = save->cr3 & PTE_ADDR;
	} else {
		/*
		 * PAE: the PDPTE comes from the 32-byte table at CR3.  It has
		 * no A, R/W or U/S bits to check or set (5.2).
		 */
		gva &= 0xffffffff;
		ret = svm_read_pte(vcpu, (save->cr3 & 0xffffffe0) +
				   ((gva >> 30) & 3) * 8, &pte, 8);
		if (ret)
			return ret;
		if (!(pte & PTE_P))
			return svm_pf(fault, gva, err_base);
		level = 2;
		table = pte & PTE_ADDR;
	}
	for (;; level--) {
		shift = 12 + 9 * (level - 1);
		w->gpa[w->n] = table + ((gva >> shift) & 511) * 8;
		ret = svm_read_pte(vcpu, w->gpa[w->n], &pte, 8);
		if (ret)
			return ret;
		if (!(pte & PTE_P))
			return svm_pf(fault, gva, err_base);
		w->pte[w->n++] = pte;
		if (svm_pte_reserved(vcpu, pte, level))
			return svm_pf(fault, gva, err_base | PFERR_P | PFERR_RSVD);
		user &= !!(pte & PTE_U);
		writable &= !!(pte & PTE_W);
		nx |= !!(pte & PTE_NX);
		if (level == 1 || ((pte & PTE_PS) && level <= 3))
			break;
		table = pte & PTE_ADDR;
	}
	mask = (1ULL << shift) - 1;
	*gpa = (pte & PTE_ADDR & ~mask) | (gva & mask);

check:
	err = svm_check_rights(vcpu, access, user, writable, nx,
			       w->pte[w->n - 1], long_mode);
	if (err)
		return svm_pf(fault, gva, err);
	return 0;
}

/* Set A in every entry used, and D in the leaf for a write (5.4.2). */
static int svm_walk_set_ad(struct svmhv_vcpu *vcpu, const struct svm_walk *w,
			   unsigned int access)
{
	unsigned int i;
	int ret;

	for (i = 0; i < w->n; i++) {
		u64 bits = PTE_A;

		if (i == w->n - 1 && (access & SVM_ACC_WRITE))
			bits |= PTE_D;
		if ((w->pte[i] & bits) == bits)
			continue;
		ret = svm_pte_cmpxchg(vcpu->vm, w->gpa[i], w->pte[i],
				      w->pte[i] | bits, w->size);
		if (ret)
			return ret;
	}
	return 0;
}

int svm_gva_to_gpa(struct svmhv_vcpu *vcpu, u64 gva, unsigned int access,
		   u64 *gpa, struct svm_fault *fault)
{
	int tries, ret;

	/*
	 * Paging off: the linear address is the physical one, and there is
	 * nothing to check or mark (5.1).  Said here as well as in
	 * svm_walk(), so that an exit from such a guest does not pay for
	 * setting up a walk.
	 */
	if (!(vcpu->vmcb->save.cr0 & X86_CR0_PG)) {
		*gpa = gva & 0xffffffff;
		return 0;
	}
	for (tries = 0; tries < SVM_WALK_RETRIES; tries++) {
		struct svm_walk w;

		ret = svm_walk(vcpu, gva, access, &w, gpa, fault);
		if (ret || (access & SVM_ACC_NO_AD))
			return ret;
		ret = svm_walk_set_ad(vcpu, &w, access);
		if (ret <= 0)
			return ret;
		/* An entry changed under us: walk it again, as it is now. */
	}
	return -EAGAIN;
}

/*
 * gva's page through tlb, if not NULL: it remembers the last page
 * translated with these rights, so that the elements of a string
 * instruction do not walk the tables again for every element of a page.
 */
static int svm_translate(struct svmhv_vcpu *vcpu, struct svm_tlb *tlb,
			 u64 gva, unsigned int access, u64 *gpa,
			 struct svm_fault *fault)
{
	int ret;

	if (tlb && tlb->valid && tlb->page == (gva & PAGE_MASK)) {
		*gpa = tlb->gpa | (gva & ~PAGE_MASK);
		return 0;
	}
	ret = svm_gva_to_gpa(vcpu, gva, access, gpa, fault);
	if (ret || !tlb)
		return ret;
	tlb->valid = true;
	tlb->page = gva & PAGE_MASK;
	tlb->gpa = *gpa & PAGE_MASK;
	return 0;
}

static int svm_copy_gpa(struct svmhv_vcpu *vcpu, u64 gpa, void *buf,
			size_t len, unsigned int access)
{
	if (!len)
		return 0;
	if (access & SVM_ACC_WRITE)
		return svmhv_write_gpa(vcpu->vm, gpa, buf, len);
	return svmhv_read_gpa(vcpu->vm, gpa, buf, len);
}

/*
 * Copy between a guest linear range and buf (or, with buf NULL, only
 * check that the range can be accessed), two guest pages at a time: both
 * pages of an access that crosses a page boundary are translated before
 * either is touched, so that it faults as a whole, as the CPU's does, and
 * never writes half an element.
 */
int svm_access_linear(struct svmhv_vcpu *vcpu, struct svm_tlb *tlb, u64 gva,
		      void *buf, size_t len, unsigned int access,
		      struct svm_fault *fault)
{
	while (len) {
		size_t first = min_t(size_t, len, PAGE_SIZE - (gva & ~PAGE_MASK));
		size_t second = min_t(size_t, len - first, PAGE_SIZE);
		u64 gpa[2] = { 0, 0 };
		int ret;

		ret = svm_translate(vcpu, tlb, gva, access, &gpa[0], fault);
		if (!ret && second)
			ret = svm_translate(vcpu, tlb, gva + first, access,
					    &gpa[1], fault);
		if (ret)
			return ret;
		if (buf) {
			ret = svm_copy_gpa(vcpu, gpa[0], buf, first, access);
			if (!ret)
				ret = svm_copy_gpa(vcpu, gpa[1], buf + first,
						   second, access);
			if (ret)
				return ret;
			buf += first + second;
		}
		gva += first + second;
		len -= first + second;
	}
	return 0;
}

int svm_read_gva(struct svmhv_vcpu *vcpu, u64 gva, void *buf, size_t len,
		 unsigned int access, struct svm_fault *fault)
{
	return svm_access_linear(vcpu, NULL, gva, buf, len,
				 access & ~SVM_ACC_WRITE, fault);
}

int svm_write_gva(struct svmhv_vcpu *vcpu, u64 gva, const void *buf,
		  size_t len, unsigned int access, struct svm_fault *fault)
{
	return svm_access_linear(vcpu, NULL, gva, (void *)buf, len,
				 access | SVM_ACC_WRITE, fault);
}

/*
 * The linear address of ea in segment seg (SVM_SEG_*) for an access of
 * size bytes, with the limit and type checks of APM vol. 2, 4.12 - 4.13
 * and the canonical form of 5.3.1.  Outside 64-bit mode the access must
 * be within the segment's limit (above it for an expand-down data
 * segment) and, in protected mode, the segment usable, writable data for
 * a write and readable for a read; in 64-bit mode the address must be
 * canonical.  A violation is #SS(0) for SS and #GP(0) for the others.
 */
int svm_linearize(struct svmhv_vcpu *vcpu, unsigned int seg, u64 ea,
		  unsigned int size, unsigned int access, u64 *linear,
		  struct svm_fault *fault)
{
	struct vmcb_save *save = &vcpu->vmcb->save;
	const struct vmcb_seg *s = &save->es + seg;	/* ES CS SS DS FS GS */
	bool write = access & SVM_ACC_WRITE;
	unsigned int type = s->attrib & VMCB_ATTR_TYPE_MASK;
	u64 lim = s->limit, last = ea + size - 1;

	fault->vector = seg == SVM_SEG_SS ? X86_TRAP_SS : X86_TRAP_GP;
	fault->error = 0;
	fault->addr = 0;

	if (svm_decode_mode(vcpu) == 8) {
		/* Only FS and GS keep a base; there are no limits. */
		u64 la = (seg >= SVM_SEG_FS ? s->base : 0) + ea;

		if (!svm_canonical(la) || !svm_canonical(la + size - 1))
			return SVM_GUEST_FAULT;
		*linear = la;
		return 0;
	}
	if ((save->cr0 & X86_CR0_PE) && !(save->rflags & X86_EFLAGS_VM)) {
		/* A null selector leaves the segment not present (unusable). */
		if (!(s->attrib & VMCB_ATTR_P))
			return SVM_GUEST_FAULT;
		/* Code segments are never writable; execute-only ones not
		 * readable either; data segments need W for writes.
		 */
		if (write && ((type & 8) || !(type & 2)))
			return SVM_GUEST_FAULT;
		if (!write && (type & 8) && !(type & 2))
			return SVM_GUEST_FAULT;
	}
	/* Limits hold in real and virtual-8086 mode too (with the hidden
	 * limit, normally 0xffff).
	 */
	if (!(type & 8) && (type & 4)) {
		/* Expand-down: valid offsets are limit+1 .. 0xffff(ffff). */
		if (ea <= lim)
			return SVM_GUEST_FAULT;
		lim = (s->attrib & VMCB_ATTR_DB) ? 0xffffffff : 0xffff;
	}
	if (last > lim)
		return SVM_GUEST_FAULT;
	*linear = (s->base + ea) & 0xffffffff;
	return 0;
}

void svm_inject_fault(struct svmhv_vcpu *vcpu, const struct svm_fault *fault)
{
	if (fault->vector == X86_TRAP_PF) {
		/* CR2 is written when the #PF is delivered (8.4.2). */
		vcpu->vmcb->save.cr2 = fault->addr;
		vcpu->vmcb_dirty |= SVM_CLEAN_CR2;
	}
	svm_vcpu_inject_exception(vcpu, fault->vector, true, fault->error);
}
