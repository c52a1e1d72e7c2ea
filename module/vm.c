// SPDX-License-Identifier: GPL-2.0
/*
 * The VM file: memory slots, vCPU creation, and teardown.
 *
 * Guest RAM is memory of the VMM process, mapped into the nested page
 * tables as the guest touches it and unmapped again whenever the host
 * changes the process's mapping (mmu_notifier.c); nothing stays pinned,
 * so it counts as the process's ordinary memory (its RSS and memory
 * cgroup), not as locked memory.  Deleting a slot unmaps it and flushes
 * every vCPU's guest TLB before the ioctl returns, so the guest cannot
 * reach those pages any more once userspace reuses them.
 */
#include <linux/anon_inodes.h>
#include <linux/errno.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "svmhv_core.h"
#include "npt/npt.h"
#include "svm/svm.h"

static unsigned int max_vms;
module_param(max_vms, uint, 0644);
MODULE_PARM_DESC(max_vms, "Most VMs that may exist at once; SVMHV_CREATE_VM beyond gets ENOSPC (0: no limit, the default)");

static atomic_t svmhv_nr_vms = ATOMIC_INIT(0);

/*
 * Unmap the slot and flush before it is gone, so that no CPU reaches its
 * pages through a stale guest TLB entry once the caller frees them.
 */
static void svmhv_slot_delete(struct svmhv_vm *vm, struct svmhv_slot *slot)
{
	spin_lock(&vm->mmu_lock);
	if (npt_unmap_range(&vm->npt, slot->gpa, slot->size))
		svmhv_vm_flush_tlbs(vm);
	slot->size = 0;
	spin_unlock(&vm->mmu_lock);
	svmhv_dirty_log_free(slot);
}

static int svmhv_set_memory_region(struct svmhv_vm *vm,
				   const struct svmhv_memory_region *r)
{
	struct svmhv_slot *slot;
	int i, ret = 0;

	for (i = 0; i < ARRAY_SIZE(r->reserved); i++)
		if (r->reserved[i])
			return -EINVAL;
	if (r->slot >= SVMHV_MAX_MEM_SLOTS ||
	    (r->flags & ~(SVMHV_MEM_READONLY | SVMHV_MEM_LOG_DIRTY)))
		return -EINVAL;
	if (!PAGE_ALIGNED(r->guest_phys_addr) ||
	    !PAGE_ALIGNED(r->memory_size) || !PAGE_ALIGNED(r->userspace_addr))
		return -EINVAL;

	mutex_lock(&vm->lock);
	slot = &vm->slots[r->slot];
	if (!r->memory_size) {
		if (!slot->size)
			ret = -ENOENT;
		else
			svmhv_slot_delete(vm, slot);
		goto out;
	}
	if (r->guest_phys_addr >= NPT_GPA_LIMIT ||
	    r->memory_size > NPT_GPA_LIMIT - r->guest_phys_addr) {
		ret = -EINVAL;
		goto out;
	}
	if (r->userspace_addr + r->memory_size < r->userspace_addr ||
	    !access_ok(u64_to_user_ptr(r->userspace_addr), r->memory_size)) {
		ret = -EFAULT;
		goto out;
	}
	if (slot->size) {
		/* The same region again: only logging may change. */
		if (slot->gpa == r->guest_phys_addr &&
		    slot->size == r->memory_size &&
		    slot->uaddr == r->userspace_addr &&
		    !((slot->flags ^ r->flags) & ~SVMHV_MEM_LOG_DIRTY))
			ret = svmhv_dirty_log_toggle(vm, slot, r->flags &
						     SVMHV_MEM_LOG_DIRTY);
		else
			ret = -EEXIST;
		goto out;
	}
	for (i = 0; i < SVMHV_MAX_MEM_SLOTS; i++) {
		const struct svmhv_slot *o = &vm->slots[i];

		if (o->size && r->guest_phys_addr < o->gpa + o->size &&
		    o->gpa < r->guest_phys_addr + r->memory_size) {
			ret = -EEXIST;
			goto out;
		}
	}
	spin_lock(&vm->mmu_lock);
	slot->gpa = r->guest_phys_addr;
	slot->uaddr = r->userspace_addr;
	slot->flags = r->flags & ~SVMHV_MEM_LOG_DIRTY;
	slot->size = r->memory_size;
	spin_unlock(&vm->mmu_lock);
	if (r->flags & SVMHV_MEM_LOG_DIRTY) {
		ret = svmhv_dirty_log_toggle(vm, slot, true);
		if (ret)
			svmhv_slot_delete(vm, slot);
	}
out:
	mutex_unlock(&vm->lock);
	return ret;
}

/*
 * SVMHV_ENABLE_LAPIC: only before the first vCPU, so that every vCPU of
 * the VM has one (an IPI must find an APIC wherever it is sent).
 */
static int svmhv_enable_lapic(struct svmhv_vm *vm)
{
	int ret = 0;

	mutex_lock(&vm->lock);
	if (vm->lapic_enabled)
		ret = -EEXIST;
	else if (vm->nr_vcpus)
		ret = -EBUSY;
	else
		vm->lapic_enabled = true;
	mutex_unlock(&vm->lock);
	return ret;
}

static int svmhv_signal_msi(struct svmhv_vm *vm, void __user *uarg)
{
	struct svmhv_msi msi;

	if (copy_from_user(&msi, uarg, sizeof(msi)))
		return -EFAULT;
	if (!READ_ONCE(vm->lapic_enabled))
		return -ENXIO;
	return svm_lapic_signal_msi(vm, &msi);
}

static long svmhv_vm_ioctl(struct file *file, unsigned int cmd,
			   unsigned long arg)
{
	struct svmhv_vm *vm = file->private_data;
	struct svmhv_memory_region region;
	struct svmhv_pm_timer pm_timer;
	struct svmhv_ioeventfd ioeventfd;
	struct svmhv_irqfd irqfd;
	struct svmhv_stats stats;

	if (current->mm != vm->mm)
		return -EIO;
	switch (cmd) {
	case SVMHV_SET_MEMORY_REGION:
		if (copy_from_user(&region, (void __user *)arg, sizeof(region)))
			return -EFAULT;
		return svmhv_set_memory_region(vm, &region);
	case SVMHV_CREATE_VCPU:
		return svmhv_create_vcpu_fd(vm, file, arg);
	case SVMHV_ENABLE_LAPIC:
		return arg ? -EINVAL : svmhv_enable_lapic(vm);
	case SVMHV_SIGNAL_MSI:
		return svmhv_signal_msi(vm, (void __user *)arg);
	case SVMHV_SET_PM_TIMER:
		if (copy_from_user(&pm_timer, (void __user *)arg,
				   sizeof(pm_timer)))
			return -EFAULT;
		return svmhv_pm_timer_set(vm, &pm_timer);
	case SVMHV_GET_PM_TIMER:
		svmhv_pm_timer_get(vm, &pm_timer);
		if (copy_to_user((void __user *)arg, &pm_timer,
				 sizeof(pm_timer)))
			return -EFAULT;
		return 0;
	case SVMHV_IOEVENTFD:
		if (copy_from_user(&ioeventfd, (void __user *)arg,
				   sizeof(ioeventfd)))
			return -EFAULT;
		return svmhv_ioeventfd(vm, &ioeventfd);
	case SVMHV_IRQFD:
		if (copy_from_user(&irqfd, (void __user *)arg, sizeof(irqfd)))
			return -EFAULT;
		return svmhv_irqfd(vm, &irqfd);
	case SVMHV_GET_DIRTY_LOG:
		return svmhv_get_dirty_log(vm, (void __user *)arg);
	case SVMHV_GET_STATS:
		svmhv_vm_stats(vm, &stats);
		if (copy_to_user((void __user *)arg, &stats, sizeof(stats)))
			return -EFAULT;
		return 0;
	default:
		return -ENOTTY;
	}
}

static int svmhv_vm_release(struct inode *inode, struct file *file)
{
	struct svmhv_vm *vm = file->private_data;
	int i;

	/* Every vCPU is gone: each held a reference on this file. */
	svmhv_vm_debugfs_remove(vm);
	svmhv_irqfd_release(vm);
	svmhv_ioeventfd_release(vm);
	/*
	 * Notifier callbacks may run until the notifier's SRCU grace period
	 * ends; with every slot gone they find nothing to unmap and touch
	 * neither the tables nor the vCPUs, so those go now.  The VM itself
	 * goes when the notifier is freed (svmhv_mmu_notifier_put()), which
	 * spares each VM's close a synchronize_srcu().
	 */
	spin_lock(&vm->mmu_lock);
	for (i = 0; i < SVMHV_MAX_MEM_SLOTS; i++)
		vm->slots[i].size = 0;
	spin_unlock(&vm->mmu_lock);
	for (i = 0; i < SVMHV_MAX_MEM_SLOTS; i++)
		svmhv_dirty_log_free(&vm->slots[i]);
	npt_destroy(&vm->npt);
	mmdrop(vm->mm);
	atomic_dec(&svmhv_nr_vms);
	svmhv_mmu_notifier_put(vm);	/* frees vm */
	return 0;
}

static const struct file_operations svmhv_vm_fops = {
	.owner		= THIS_MODULE,
	.unlocked_ioctl	= svmhv_vm_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.release	= svmhv_vm_release,
	.llseek		= noop_llseek,
};

int svmhv_create_vm_fd(void)
{
	unsigned int max = READ_ONCE(max_vms);
	struct svmhv_vm *vm;
	int fd;

	if (!atomic_add_unless(&svmhv_nr_vms, 1, max ? max : INT_MAX))
		return -ENOSPC;
	vm = kzalloc(sizeof(*vm), GFP_KERNEL_ACCOUNT);
	if (!vm) {
		atomic_dec(&svmhv_nr_vms);
		return -ENOMEM;
	}
	mutex_init(&vm->lock);
	spin_lock_init(&vm->mmu_lock);
	INIT_LIST_HEAD(&vm->ioeventfds);
	INIT_LIST_HEAD(&vm->irqfds);
	fd = npt_init(&vm->npt);
	if (fd)
		goto err_free;
	fd = svmhv_mmu_notifier_register(vm);
	/*
	 * Registering takes every lock of the address space and gives up
	 * with -EINTR when a signal is pending: restart the ioctl once the
	 * signal is handled, so that callers never see that.
	 */
	if (fd == -EINTR)
		fd = -ERESTARTNOINTR;
	if (fd)
		goto err_npt;
	vm->mm = current->mm;
	mmgrab(vm->mm);
	/* One TSC for all vCPUs, starting near zero (Linux checks that the
	 * TSCs of its CPUs are in sync).
	 */
	vm->tsc_offset = -rdtsc();
	vm->pause_exits = svm_pause_exits();

	/* Before the fd exists: from then on, release may run at any time. */
	svmhv_vm_debugfs_add(vm);
	fd = anon_inode_getfd("svmhv-vm", &svmhv_vm_fops, vm,
			      O_RDWR | O_CLOEXEC);
	if (fd < 0)
		goto err_debugfs;
	return fd;

err_debugfs:
	svmhv_vm_debugfs_remove(vm);
	svmhv_mmu_notifier_unregister(vm);
	mmdrop(vm->mm);
err_npt:
	npt_destroy(&vm->npt);
err_free:
	kfree(vm);
	atomic_dec(&svmhv_nr_vms);
	return fd;
}
