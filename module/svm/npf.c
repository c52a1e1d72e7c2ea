// SPDX-License-Identifier: GPL-2.0
/*
 * Nested page faults (APM vol. 2, 15.25.6): EXITINFO1 is the fault's
 * error code, EXITINFO2 the guest physical address.
 *
 *   address in a memory slot      -> map the backing page (read-only for
 *                                    read-only slots, and for reads of a
 *                                    page the host maps read-only)
 *   write to a read-only slot, or -> MMIO: decode the instruction, exit to
 *   address in no slot               userspace with address, size, data
 *   guest page-table walk or      -> cannot be emulated: INTERNAL_ERROR
 *   instruction fetch outside RAM
 *   any access outside RAM while  -> INTERNAL_ERROR (DELIVERY) naming the
 *   delivering an event              event: the access is the CPU's push
 *                                    or IDT/GDT read, not the instruction
 *                                    at RIP, which must not be emulated
 *
 * With decode assists the CPU hands us the instruction bytes in the VMCB
 * (15.25.6 "guest instruction bytes"); without, they are read through the
 * guest's page tables.
 */
#include <linux/kernel.h>
#include <linux/io.h>
#include <linux/mm.h>

#include "svm.h"
#include "../npt/npt.h"
#include "../svmhv_trace.h"

/*
 * The largest page (NPT_LEVEL_*) that may map @gpa: no larger than the
 * host's own mapping of the backing address (@host_level), aligned the
 * same way in the guest's and the host's address space, and inside the
 * slot.  A 2 MiB THP thus becomes one 2 MiB nested page, a 1 GiB
 * hugetlbfs page one 1 GiB nested page.
 */
static int svm_npf_level(const struct svmhv_slot *slot, u64 gpa,
			 int host_level)
{
	int level;

	for (level = host_level; level > NPT_LEVEL_4K; level--) {
		u64 size = NPT_LEVEL_SIZE(level);
		u64 base = gpa & ~(size - 1);

		if (((slot->uaddr - slot->gpa) & (size - 1)) ||
		    base < slot->gpa || base + size > slot->gpa + slot->size)
			continue;
		return level;
	}
	return NPT_LEVEL_4K;
}

/*
 * Map the page at @gpa of @slot, writable if the fault was a write (or
 * the host maps the page writable already), under the sequence protocol
 * of mmu_notifier.c: a mapping is installed only if no invalidation ran
 * while the page was looked up, else the lookup is repeated.  The page's
 * reference is dropped once it is mapped: from then on the notifier, not
 * a pin, keeps the mapping right.  The size of the mapping follows the
 * host's, read under mmu_lock once the sequence shows it current.
 */
static int svm_npf_map(struct svmhv_vcpu *vcpu, struct svmhv_slot *slot,
		       u64 gpa, u64 err)
{
	bool write = (err & SVM_NPF_WRITE) &&
		     !(slot->flags & SVMHV_MEM_READONLY);
	unsigned long uaddr = slot->uaddr + ((gpa - slot->gpa) & PAGE_MASK);
	struct svmhv_vm *vm = vcpu->vm;
	bool writable, flush = false;
	int ret, now, level;
	unsigned long seq;
	struct page *page;
	u64 size;

	gpa &= PAGE_MASK;
	for (;;) {
		seq = READ_ONCE(vm->mmu_inv_seq);
		smp_rmb();	/* the seq before the host's page tables */
		spin_lock(&vm->mmu_lock);
		now = npt_lookup(&vm->npt, gpa);
		spin_unlock(&vm->mmu_lock);
		if (now && (!write || (now & NPT_WRITABLE))) {
			/* another vCPU got there first */
			trace_svmhv_npf(vcpu->id, gpa, err, SVMHV_NPF_RETRY);
			return 1;
		}
		ret = npt_topup(&vm->npt);
		if (ret)
			return ret;
		ret = svmhv_slot_get_page(slot, gpa, write, &page, &writable);
		if (ret == -ENOMEM || ret == -EINTR)
			return ret;
		if (ret) {
			trace_svmhv_npf(vcpu->id, gpa, err, SVMHV_NPF_ERROR);
			return svm_exit_internal(vcpu, SVMHV_INTERNAL_MEMORY,
						 NULL, gpa);
		}
		/*
		 * The guest may write it from now on with no host PTE ever
		 * set dirty: say so before it can, or reclaim could drop a
		 * clean-looking page (the notifier zaps the mapping before
		 * any writeback clears the flag again).  For a huge page,
		 * this marks the whole folio.
		 */
		if (writable)
			set_page_dirty_lock(page);
		spin_lock(&vm->mmu_lock);
		if (!vm->mmu_inv_count && vm->mmu_inv_seq == seq)
			break;
		spin_unlock(&vm->mmu_lock);
		put_page(page);
		/* The host changed its mapping meanwhile: look again. */
		if (fatal_signal_pending(current))
			return -EINTR;
		cond_resched();
	}
	if (slot->dirty_bitmap) {
		/*
		 * Logging (dirty_log.c): a page is writable only through the
		 * write fault that logs it, and 4 KiB at a time.
		 */
		if (write)
			svmhv_dirty_log_mark(slot, gpa, PAGE_SIZE);
		else
			writable = false;
		level = NPT_LEVEL_4K;
	} else {
		level = svm_npf_level(slot, gpa,
				      svmhv_host_mapping_level(vm->mm, uaddr));
	}
	size = NPT_LEVEL_SIZE(level);
	ret = npt_map(&vm->npt, gpa & ~(size - 1),
		      page_to_phys(page) & ~(size - 1), level, writable, &flush);
	if (flush) {
		svmhv_vm_flush_tlbs(vm);
		npt_free_stale(&vm->npt);
	}
	spin_unlock(&vm->mmu_lock);
	put_page(page);
	trace_svmhv_npf(vcpu->id, gpa, err, SVMHV_NPF_MAPPED);
	return ret ?: 1;
}

/*
 * The MOV that faulted, and the RIP after it.  0, or an INTERNAL_ERROR
 * exit set up (the return value of svm_exit_internal(), 0) with -EFAULT.
 */
static int svm_npf_decode(struct svmhv_vcpu *vcpu, u64 gpa,
			  struct svm_insn *insn, u64 *next)
{
	struct vmcb_control *ctl = &vcpu->vmcb->control;

	if (svm_features.decode_assists && ctl->insn_len) {
		memset(insn, 0, sizeof(*insn));
		insn->avail = min_t(u8, ctl->insn_len, sizeof(insn->bytes));
		memcpy(insn->bytes, ctl->insn_bytes, insn->avail);
	} else if (svm_decode_fetch(vcpu, insn)) {
		svm_exit_internal(vcpu, SVMHV_INTERNAL_FETCH, NULL, gpa);
		return -EFAULT;
	}
	if (svm_decode_mov(vcpu, insn)) {
		svm_exit_internal(vcpu, SVMHV_INTERNAL_EMULATION, insn, gpa);
		return -EFAULT;
	}
	*next = vcpu->vmcb->save.rip + insn->len;
	if (svm_decode_mode(vcpu) != 8)
		*next &= 0xffffffff;
	return 0;
}

static u64 svm_npf_store_value(struct svmhv_vcpu *vcpu,
			       const struct svm_insn *insn)
{
	u64 val = insn->has_imm ? insn->imm :
		  svm_vcpu_read_gpr(vcpu, insn->reg);

	return insn->high8 ? val >> 8 : val;
}

/* A load's result into its register, as the MOV variant would put it. */
static void svm_mmio_load_result(struct svmhv_vcpu *vcpu,
				 const struct svmhv_completion *p, u64 val)
{
	u64 old = svm_vcpu_read_gpr(vcpu, p->reg);

	if (p->size < 8)
		val &= (1ULL << (p->size * 8)) - 1;
	if (p->extend == SVMHV_EXTEND_SIGN)
		val = sign_extend64(val, p->size * 8 - 1);
	if (p->high8)
		val = (old & ~0xff00ULL) | ((val & 0xff) << 8);
	else if (p->dst_size == 1)
		val = (old & ~0xffULL) | (val & 0xff);
	else if (p->dst_size == 2)
		val = (old & ~0xffffULL) | (val & 0xffff);
	else if (p->dst_size == 4)	/* 32-bit results zero-extend */
		val = (u32)val;
	svm_vcpu_write_gpr(vcpu, p->reg, val);
	svm_set_rip(vcpu, p->next_rip);
}

static void svm_npf_load_pending(struct svmhv_completion *p,
				 const struct svm_insn *insn, u64 next)
{
	p->kind = SVMHV_PENDING_MMIO_READ;
	p->next_rip = next;
	p->size = insn->opsize;
	p->reg = insn->reg;
	p->high8 = insn->high8;
	p->extend = insn->extend;
	p->dst_size = insn->dst_size;
}

static int svm_npf_mmio(struct svmhv_vcpu *vcpu, u64 gpa)
{
	struct svmhv_run *run = vcpu->run;
	struct svm_insn insn;
	u64 next, val;

	if (svm_npf_decode(vcpu, gpa, &insn, &next))
		return 0;
	/* Doorbells: a store that only signals an eventfd (ioeventfd.c). */
	if (!insn.is_load && unlikely(svmhv_has_ioeventfds(vcpu->vm))) {
		val = svm_npf_store_value(vcpu, &insn);
		if (insn.opsize < 8)
			val &= (1ULL << (insn.opsize * 8)) - 1;
		if (svmhv_ioeventfd_write(vcpu->vm, false, gpa, insn.opsize,
					  val)) {
			svm_set_rip(vcpu, next);
			return 1;
		}
	}
	run->exit_reason = SVMHV_EXIT_MMIO;
	memset(&run->mmio, 0, sizeof(run->mmio));
	run->mmio.phys_addr = gpa;
	run->mmio.len = insn.opsize;
	run->mmio.is_write = !insn.is_load;
	if (!insn.is_load) {
		val = svm_npf_store_value(vcpu, &insn);
		memcpy(run->mmio.data, &val, insn.opsize);
		svm_set_rip(vcpu, next);
		return 0;
	}
	svm_npf_load_pending(&vcpu->pending, &insn, next);
	return 0;
}

/*
 * The xAPIC page of the vCPU's own APIC (lapic.c), emulated here without
 * a trip to userspace.  The page is never mapped, so every access faults.
 */
static int svm_npf_lapic(struct svmhv_vcpu *vcpu, u64 gpa)
{
	struct svmhv_completion done = { 0 };
	struct svm_insn insn;
	u64 next;

	if (svm_npf_decode(vcpu, gpa, &insn, &next))
		return 0;
	if (!insn.is_load) {
		svm_lapic_mmio_write(vcpu, gpa & ~PAGE_MASK, insn.opsize,
				     svm_npf_store_value(vcpu, &insn));
		svm_set_rip(vcpu, next);
		return 1;
	}
	svm_npf_load_pending(&done, &insn, next);
	svm_mmio_load_result(vcpu, &done,
			     svm_lapic_mmio_read(vcpu, gpa & ~PAGE_MASK,
						 insn.opsize));
	return 1;
}

int svm_exit_npf(struct svmhv_vcpu *vcpu)
{
	struct vmcb_control *ctl = &vcpu->vmcb->control;
	struct svmhv_vm *vm = vcpu->vm;
	u64 gpa = ctl->exit_info2, err = ctl->exit_info1;
	struct svmhv_slot *slot;
	int ret;

	if (unlikely(vcpu->lapic) && svm_lapic_mmio_claims(vcpu, gpa))
		return svm_npf_lapic(vcpu, gpa);
	mutex_lock(&vm->lock);
	slot = svmhv_find_slot(vm, gpa);
	if (slot && !((err & SVM_NPF_WRITE) &&
		      (slot->flags & SVMHV_MEM_READONLY))) {
		ret = svm_npf_map(vcpu, slot, gpa, err);
		mutex_unlock(&vm->lock);
		return ret;
	}
	mutex_unlock(&vm->lock);

	/* EXITINTINFO valid: the fault hit the event's delivery (15.7.2). */
	if (ctl->exit_int_info & SVM_EVT_VALID) {
		trace_svmhv_npf(vcpu->id, gpa, err, SVMHV_NPF_ERROR);
		svm_exit_internal(vcpu, SVMHV_INTERNAL_DELIVERY, NULL, gpa);
		vcpu->run->internal.event = ctl->exit_int_info |
					    ((u64)ctl->exit_int_info_err << 32);
		return 0;
	}
	if (err & (SVM_NPF_IN_GUEST_WALK | SVM_NPF_FETCH)) {
		trace_svmhv_npf(vcpu->id, gpa, err, SVMHV_NPF_ERROR);
		return svm_exit_internal(vcpu, SVMHV_INTERNAL_EMULATION, NULL,
					 gpa);
	}
	trace_svmhv_npf(vcpu->id, gpa, err, SVMHV_NPF_MMIO);
	vcpu->stat[SVMHV_STAT_MMIO]++;
	return svm_npf_mmio(vcpu, gpa);
}

/* Finish an MMIO load with the data userspace supplied. */
int svm_complete_mmio(struct svmhv_vcpu *vcpu)
{
	u64 val = 0;

	memcpy(&val, vcpu->run->mmio.data, vcpu->pending.size);
	svm_mmio_load_result(vcpu, &vcpu->pending, val);
	return 1;
}
