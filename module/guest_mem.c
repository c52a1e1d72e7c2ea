// SPDX-License-Identifier: GPL-2.0
/*
 * Guest physical memory as the host sees it: lookups in the memory slots,
 * the host page behind a guest page for nested paging, and copies for the
 * emulator.
 *
 * Nothing is pinned for long: a nested page fault takes a reference on the
 * backing page only while it installs the mapping (npf.c), and from then
 * on the MMU notifier (mmu_notifier.c) removes the mapping before the host
 * unmaps, migrates, swaps or write-protects that page.  So guest RAM is
 * ordinary memory of the VMM process, which the host may reclaim, compact
 * and merge, as KVM's is.
 *
 * All of this runs in the context of the process that created the VM (the
 * ioctls check it), with vm->lock held where slots are looked up.
 */
#include <linux/mm.h>
#include <linux/pgtable.h>
#include <linux/uaccess.h>

#include "svmhv_core.h"
#include "npt/npt.h"

struct svmhv_slot *svmhv_find_slot(struct svmhv_vm *vm, u64 gpa)
{
	int i;

	lockdep_assert_held(&vm->lock);
	for (i = 0; i < SVMHV_MAX_MEM_SLOTS; i++) {
		struct svmhv_slot *slot = &vm->slots[i];

		if (slot->size && gpa >= slot->gpa &&
		    gpa - slot->gpa < slot->size)
			return slot;
	}
	return NULL;
}

/*
 * A reference on the page that backs @gpa in the VMM's address space, and
 * whether the guest may write it: for a write (@write) the page is made
 * writable first (a copy-on-write break, a zero page replaced); for a
 * read, it is writable only if the host maps it writable already, so a
 * read neither allocates nor un-merges a KSM page.  Drop it with
 * put_page() once mapped.  Runs in the VM owner's context.
 */
int svmhv_slot_get_page(struct svmhv_slot *slot, u64 gpa, bool write,
			struct page **pagep, bool *writable)
{
	unsigned long uaddr = slot->uaddr + ((gpa - slot->gpa) & PAGE_MASK);
	bool ro = slot->flags & SVMHV_MEM_READONLY;
	int ret;

	if (ro)
		write = false;
	if (!write && !ro && get_user_page_fast_only(uaddr, FOLL_WRITE, pagep)) {
		*writable = true;
		return 0;
	}
	ret = get_user_pages_fast(uaddr, 1, write ? FOLL_WRITE : 0, pagep);
	if (ret != 1)
		return ret < 0 ? ret : -EFAULT;
	*writable = write;
	return 0;
}

/*
 * How the VMM's page tables map @addr: NPT_LEVEL_1G for a PUD leaf (a
 * 1 GiB hugetlbfs page), NPT_LEVEL_2M for a PMD leaf (a THP or 2 MiB
 * hugetlbfs page), else NPT_LEVEL_4K.  A lockless walk, as GUP-fast does:
 * with interrupts off no page table can be freed under it (x86 frees them
 * after an IPI or an RCU-sched grace period).  Only meaningful while no
 * MMU notifier invalidation can change it: under vm->mmu_lock with the
 * sequence checked (npf.c).
 */
int svmhv_host_mapping_level(struct mm_struct *mm, unsigned long addr)
{
	int level = NPT_LEVEL_4K;
	unsigned long flags;
	pgd_t pgd;
	p4d_t p4d;
	pud_t pud;
	pmd_t pmd;

	local_irq_save(flags);
	pgd = READ_ONCE(*pgd_offset(mm, addr));
	if (!pgd_present(pgd))
		goto out;
	p4d = READ_ONCE(*p4d_offset(&pgd, addr));
	if (!p4d_present(p4d))
		goto out;
	pud = READ_ONCE(*pud_offset(&p4d, addr));
	if (!pud_present(pud))
		goto out;
	if (pud_leaf(pud)) {
		level = NPT_LEVEL_1G;
		goto out;
	}
	pmd = READ_ONCE(*pmd_offset(&pud, addr));
	if (pmd_present(pmd) && pmd_leaf(pmd))
		level = NPT_LEVEL_2M;
out:
	local_irq_restore(flags);
	return level;
}

/* Copy to or from guest physical memory; -ENOENT if not all of it is RAM. */
static int svmhv_access_gpa(struct svmhv_vm *vm, u64 gpa, void *buf,
			    size_t len, bool write)
{
	int ret = 0;

	mutex_lock(&vm->lock);
	while (len) {
		struct svmhv_slot *slot = svmhv_find_slot(vm, gpa);
		size_t chunk;
		void __user *uptr;

		if (!slot) {
			ret = -ENOENT;
			break;
		}
		if (write && (slot->flags & SVMHV_MEM_READONLY)) {
			ret = -EPERM;
			break;
		}
		chunk = min_t(u64, len, slot->gpa + slot->size - gpa);
		uptr = u64_to_user_ptr(slot->uaddr + (gpa - slot->gpa));
		if (write ? copy_to_user(uptr, buf, chunk) :
			    copy_from_user(buf, uptr, chunk)) {
			ret = -EFAULT;
			break;
		}
		if (write && slot->dirty_bitmap) {
			spin_lock(&vm->mmu_lock);
			svmhv_dirty_log_mark(slot, gpa, chunk);
			spin_unlock(&vm->mmu_lock);
		}
		gpa += chunk;
		buf += chunk;
		len -= chunk;
	}
	mutex_unlock(&vm->lock);
	return ret;
}

int svmhv_read_gpa(struct svmhv_vm *vm, u64 gpa, void *buf, size_t len)
{
	return svmhv_access_gpa(vm, gpa, buf, len, false);
}

/*
 * Eight bytes at gpa, which must not cross a page (slots are whole pages,
 * so they are in one slot), with one get_user() instead of a copy: the
 * instruction fetch of an exit without NRIP save reads this way, and a
 * copy_from_user() of a run-time length pays for the hardened-usercopy
 * checks of its destination several times over what the read costs.
 */
int svmhv_read_gpa_u64(struct svmhv_vm *vm, u64 gpa, u64 *val)
{
	struct svmhv_slot *slot;
	int ret = -ENOENT;

	if (WARN_ON_ONCE((gpa & ~PAGE_MASK) > PAGE_SIZE - sizeof(*val)))
		return -EINVAL;
	mutex_lock(&vm->lock);
	slot = svmhv_find_slot(vm, gpa);
	if (slot) {
		u64 __user *p = u64_to_user_ptr(slot->uaddr + (gpa - slot->gpa));

		ret = get_user(*val, p);
	}
	mutex_unlock(&vm->lock);
	return ret;
}

int svmhv_write_gpa(struct svmhv_vm *vm, u64 gpa, const void *buf, size_t len)
{
	return svmhv_access_gpa(vm, gpa, (void *)buf, len, true);
}
