// SPDX-License-Identifier: GPL-2.0
/*
 * Guest RAM follows the VMM's address space: an MMU notifier on the VM
 * owner's mm removes the nested mapping of every page the host is about
 * to unmap, migrate, swap out, merge or write-protect, and flushes the
 * guest TLBs, before the host goes on (invalidate_range_start returns
 * only then).  The next guest access faults the page back in (npf.c).
 *
 * The fault path takes a reference on the host page without holding
 * mmu_lock (it may sleep), so it must not install a mapping that an
 * invalidation started or finished meanwhile: it reads mmu_inv_seq first,
 * and under mmu_lock maps only if no invalidation is under way
 * (mmu_inv_count) and none ended since (mmu_inv_seq unchanged), else it
 * retries.  This is the sequence protocol KVM uses (mmu_invalidate_seq).
 *
 * A guest TLB entry may outlive its nested PTE (APM vol. 2, 15.16: the
 * TLB caches guest-physical to host-physical translations per ASID), so a
 * zap bumps vm->tlb_gen, which makes each vCPU flush before its next
 * VMRUN, and interrupts every vCPU inside the guest now (an IPI forces an
 * INTR #VMEXIT, 15.21.1) so that none keeps running on a stale entry.
 */
#include <linux/mmu_notifier.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/smp.h>

#include "svmhv_core.h"
#include "npt/npt.h"

static void svmhv_kick_nop(void *unused)
{
}

/*
 * Make every vCPU drop its guest TLB before it next runs, and wait until
 * none is still in the guest with the old one.  Callable under mmu_lock
 * (a spinlock) with interrupts on: the IPIs are answered even by a CPU
 * spinning on that lock.
 */
void svmhv_vm_flush_tlbs(struct svmhv_vm *vm)
{
	int i;

	WRITE_ONCE(vm->tlb_gen, vm->tlb_gen + 1);
	smp_mb();	/* pairs with svm_vcpu_enter_exit() */
	rcu_read_lock();
	for (i = 0; i < SVMHV_MAX_VCPUS; i++) {
		struct svmhv_vcpu *vcpu = rcu_dereference(vm->vcpus[i]);

		if (vcpu && READ_ONCE(vcpu->in_guest))
			smp_call_function_single(READ_ONCE(vcpu->last_cpu),
						 svmhv_kick_nop, NULL, 1);
	}
	rcu_read_unlock();
}

/* Unmap the guest pages backed by [start, end) of the VMM's addresses. */
static bool svmhv_zap_hva_range(struct svmhv_vm *vm, unsigned long start,
				unsigned long end)
{
	bool zapped = false;
	int i;

	lockdep_assert_held(&vm->mmu_lock);
	for (i = 0; i < SVMHV_MAX_MEM_SLOTS; i++) {
		const struct svmhv_slot *slot = &vm->slots[i];
		u64 lo, hi;

		if (!slot->size)
			continue;
		lo = max_t(u64, start, slot->uaddr);
		hi = min_t(u64, end, slot->uaddr + slot->size);
		if (lo >= hi)
			continue;
		lo = round_down(lo, PAGE_SIZE);
		hi = round_up(hi, PAGE_SIZE);
		zapped |= npt_unmap_range(&vm->npt, slot->gpa + lo - slot->uaddr,
					  hi - lo);
	}
	return zapped;
}

static int svmhv_mn_invalidate_range_start(struct mmu_notifier *mn,
					   const struct mmu_notifier_range *range)
{
	struct svmhv_vm *vm = container_of(mn, struct svmhv_vm, mmu_notifier);

	spin_lock(&vm->mmu_lock);
	vm->mmu_inv_count++;
	if (svmhv_zap_hva_range(vm, range->start, range->end))
		svmhv_vm_flush_tlbs(vm);
	spin_unlock(&vm->mmu_lock);
	return 0;
}

static void svmhv_mn_invalidate_range_end(struct mmu_notifier *mn,
					  const struct mmu_notifier_range *range)
{
	struct svmhv_vm *vm = container_of(mn, struct svmhv_vm, mmu_notifier);

	spin_lock(&vm->mmu_lock);
	vm->mmu_inv_seq++;
	WARN_ON_ONCE(!vm->mmu_inv_count);
	vm->mmu_inv_count--;
	spin_unlock(&vm->mmu_lock);
}

/*
 * The owner's address space is going away (exit, or the last user of an
 * mm an fd was passed from): nothing may stay mapped.  Slots keep their
 * addresses; the fault path then finds no pages and reports the fault.
 */
static void svmhv_mn_release(struct mmu_notifier *mn, struct mm_struct *mm)
{
	struct svmhv_vm *vm = container_of(mn, struct svmhv_vm, mmu_notifier);

	spin_lock(&vm->mmu_lock);
	if (svmhv_zap_hva_range(vm, 0, ULONG_MAX))
		svmhv_vm_flush_tlbs(vm);
	vm->mmu_inv_seq++;
	spin_unlock(&vm->mmu_lock);
}

/* After the last callback (SRCU): the VM's memory goes with it. */
static void svmhv_mn_free(struct mmu_notifier *mn)
{
	kfree(container_of(mn, struct svmhv_vm, mmu_notifier));
}

static const struct mmu_notifier_ops svmhv_mmu_notifier_ops = {
	.invalidate_range_start	= svmhv_mn_invalidate_range_start,
	.invalidate_range_end	= svmhv_mn_invalidate_range_end,
	.release		= svmhv_mn_release,
	.free_notifier		= svmhv_mn_free,
};

/* From the VM's creation, in the owner's context. */
int svmhv_mmu_notifier_register(struct svmhv_vm *vm)
{
	vm->mmu_notifier.ops = &svmhv_mmu_notifier_ops;
	return mmu_notifier_register(&vm->mmu_notifier, current->mm);
}

/* Once no vCPU runs; waits for callbacks under way (error paths). */
void svmhv_mmu_notifier_unregister(struct svmhv_vm *vm)
{
	mmu_notifier_unregister(&vm->mmu_notifier, vm->mm);
}

/*
 * The VM is closing and has no slots left: drop the notifier without
 * waiting for callbacks under way; once the last is done (an SRCU grace
 * period), svmhv_mn_free() frees the VM.  Module exit waits for that
 * with mmu_notifier_synchronize().
 */
void svmhv_mmu_notifier_put(struct svmhv_vm *vm)
{
	mmu_notifier_put(&vm->mmu_notifier);
}
