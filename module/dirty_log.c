// SPDX-License-Identifier: GPL-2.0
/*
 * Dirty logging per memory slot (SVMHV_MEM_LOG_DIRTY, SVMHV_GET_DIRTY_LOG),
 * by write protection: while a slot logs, the guest reaches its pages only
 * through read-only or 4 KiB writable nested mappings, and a page becomes
 * writable only in the fault that sets its bit (npf.c, under mmu_lock).
 * A harvest write-protects every page whose bit is set, flushes every
 * guest TLB, and only then copies and clears the bits, all under
 * mmu_lock: a write that lands before the flush is covered by the bit
 * being harvested, a write after it faults and sets the bit again.  So no
 * write is missed, and a page never written is never reported.
 *
 * Why not the dirty bits that AMD's nested walk sets (APM vol. 2,
 * 15.25.5)?  A harvest would then have to read and clear every leaf of
 * the slot, however few pages were written (a 1 GiB slot: 262144 leaves
 * in 512 tables), and still flush every guest TLB each time, since a
 * cached translation lets the guest write without setting the bit again;
 * huge pages would have to be split as here.  Write protection costs one
 * nested page fault per page per harvest interval, paid only for pages
 * that are written, and the harvest touches only those (docs/performance.md
 * has the numbers).
 *
 * Writes svmhv itself makes to guest memory (string I/O, svmhv_write_gpa)
 * set the bits too.
 */
#include <linux/bitmap.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "svmhv_core.h"
#include "npt/npt.h"

static unsigned long svmhv_slot_pages(const struct svmhv_slot *slot)
{
	return slot->size >> PAGE_SHIFT;
}

/* Turn logging on or off for an existing slot; vm->lock held. */
int svmhv_dirty_log_toggle(struct svmhv_vm *vm, struct svmhv_slot *slot,
			   bool on)
{
	unsigned long *bitmap = NULL;

	lockdep_assert_held(&vm->lock);
	if (on == !!slot->dirty_bitmap)
		return 0;
	if (on) {
		bitmap = kvcalloc(BITS_TO_LONGS(svmhv_slot_pages(slot)),
				  sizeof(long), GFP_KERNEL_ACCOUNT);
		if (!bitmap)
			return -ENOMEM;
	}
	spin_lock(&vm->mmu_lock);
	if (on) {
		slot->dirty_bitmap = bitmap;
		slot->flags |= SVMHV_MEM_LOG_DIRTY;
		/* From now on every first write must fault (and be logged). */
		if (npt_write_protect_range(&vm->npt, slot->gpa, slot->size))
			svmhv_vm_flush_tlbs(vm);
	} else {
		bitmap = slot->dirty_bitmap;
		slot->dirty_bitmap = NULL;
		slot->flags &= ~SVMHV_MEM_LOG_DIRTY;
	}
	spin_unlock(&vm->mmu_lock);
	if (!on)
		kvfree(bitmap);
	return 0;
}

/* The slot is going away; vm->lock held, its mappings already gone. */
void svmhv_dirty_log_free(struct svmhv_slot *slot)
{
	kvfree(slot->dirty_bitmap);
	slot->dirty_bitmap = NULL;
}

/* Mark [gpa, gpa + len) of @slot written; mmu_lock held. */
void svmhv_dirty_log_mark(struct svmhv_slot *slot, u64 gpa, u64 len)
{
	u64 first, last;

	if (!slot->dirty_bitmap || !len)
		return;
	first = (gpa - slot->gpa) >> PAGE_SHIFT;
	last = (gpa + len - 1 - slot->gpa) >> PAGE_SHIFT;
	bitmap_set(slot->dirty_bitmap, first, last - first + 1);
}

int svmhv_get_dirty_log(struct svmhv_vm *vm,
			const struct svmhv_dirty_log __user *uarg)
{
	struct svmhv_dirty_log log;
	unsigned long *copy, npages, first, end;
	struct svmhv_slot *slot;
	bool flush = false;
	size_t bytes;
	int ret = 0;

	if (copy_from_user(&log, uarg, sizeof(log)))
		return -EFAULT;
	if (log.slot >= SVMHV_MAX_MEM_SLOTS || log.pad || log.reserved[0] ||
	    log.reserved[1])
		return -EINVAL;

	mutex_lock(&vm->lock);
	slot = &vm->slots[log.slot];
	if (!slot->size || !slot->dirty_bitmap) {
		mutex_unlock(&vm->lock);
		return -ENOENT;
	}
	npages = svmhv_slot_pages(slot);
	bytes = BITS_TO_LONGS(npages) * sizeof(long);
	copy = kvmalloc(bytes, GFP_KERNEL_ACCOUNT);
	if (!copy) {
		mutex_unlock(&vm->lock);
		return -ENOMEM;
	}

	spin_lock(&vm->mmu_lock);
	/* One walk per run of written pages. */
	for_each_set_bitrange(first, end, slot->dirty_bitmap, npages)
		flush |= npt_write_protect_range(&vm->npt,
						 slot->gpa + (first << PAGE_SHIFT),
						 (end - first) << PAGE_SHIFT);
	if (flush)
		svmhv_vm_flush_tlbs(vm);
	memcpy(copy, slot->dirty_bitmap, bytes);
	bitmap_zero(slot->dirty_bitmap, npages);
	spin_unlock(&vm->mmu_lock);

	if (copy_to_user(u64_to_user_ptr(log.bitmap), copy, bytes)) {
		/* Nothing may be lost: the bits go back for the next call. */
		spin_lock(&vm->mmu_lock);
		bitmap_or(slot->dirty_bitmap, slot->dirty_bitmap, copy, npages);
		spin_unlock(&vm->mmu_lock);
		ret = -EFAULT;
	}
	mutex_unlock(&vm->lock);
	kvfree(copy);
	return ret;
}
