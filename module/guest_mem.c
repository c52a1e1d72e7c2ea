// SPDX-License-Identifier: GPL-2.0
/*
 * Guest physical memory as the host sees it: lookups in the memory slots,
 * pinning the pages nested paging maps, and copies for the emulator.
 *
 * Pages are pinned with FOLL_LONGTERM when the guest first touches them
 * and stay pinned until their slot is deleted or the VM destroyed, so the
 * nested page tables never point at a page the host has freed, even if the
 * process unmaps the backing range while the guest runs (the guest then
 * keeps the old pages; new touches of the unmapped range fail cleanly).
 *
 * All of this runs in the context of the process that created the VM (the
 * ioctls check it), with vm->lock held where slots are looked up.
 */
#include <linux/mm.h>
#include <linux/uaccess.h>
#include <linux/xarray.h>

#include "svmhv_core.h"

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

int svmhv_slot_pin_page(struct svmhv_vm *vm, struct svmhv_slot *slot,
			u64 gpa, struct page **pagep)
{
	unsigned long idx = (gpa - slot->gpa) >> PAGE_SHIFT;
	unsigned int flags = FOLL_LONGTERM;
	struct page *page;
	int ret;

	lockdep_assert_held(&vm->lock);
	page = xa_load(&slot->pages, idx);
	if (page) {
		*pagep = page;
		return 0;
	}
	if (!(slot->flags & SVMHV_MEM_READONLY))
		flags |= FOLL_WRITE;
	ret = pin_user_pages_fast(slot->uaddr + (idx << PAGE_SHIFT), 1, flags,
				  &page);
	if (ret != 1)
		return ret < 0 ? ret : -EFAULT;
	ret = xa_err(xa_store(&slot->pages, idx, page, GFP_KERNEL_ACCOUNT));
	if (ret) {
		unpin_user_page(page);
		return ret;
	}
	vm->pinned_pages++;
	*pagep = page;
	return 0;
}

void svmhv_slot_unpin_all(struct svmhv_vm *vm, struct svmhv_slot *slot)
{
	bool writable = !(slot->flags & SVMHV_MEM_READONLY);
	struct page *page;
	unsigned long idx;

	xa_for_each(&slot->pages, idx, page) {
		/* The guest may have written any writable page. */
		unpin_user_pages_dirty_lock(&page, 1, writable);
		vm->pinned_pages--;
	}
	xa_destroy(&slot->pages);
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
