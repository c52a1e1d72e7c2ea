// SPDX-License-Identifier: GPL-2.0
/*
 * The vCPU file: SVMHV_RUN, register access, and the mmap'd run structure
 * through which exits are reported.  Every ioctl takes vcpu->mutex, so a
 * vCPU runs on one thread at a time and its state is never read while it
 * is in the guest.
 */
#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "svmhv_core.h"
#include "svm/svm.h"

static bool svmhv_regs_reserved_clear(const struct svmhv_regs *regs)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(regs->reserved); i++)
		if (regs->reserved[i])
			return false;
	return true;
}

static long svmhv_vcpu_mp_state(struct svmhv_vcpu *vcpu, unsigned int cmd,
				void __user *uarg)
{
	struct svmhv_mp_state mp;

	if (!vcpu->lapic)
		return -ENXIO;
	if (cmd == SVMHV_GET_MP_STATE) {
		memset(&mp, 0, sizeof(mp));
		mp.state = vcpu->mp_state;
		return copy_to_user(uarg, &mp, sizeof(mp)) ? -EFAULT : 0;
	}
	if (copy_from_user(&mp, uarg, sizeof(mp)))
		return -EFAULT;
	if (mp.pad || mp.reserved[0] || mp.reserved[1] || mp.reserved[2] ||
	    mp.state > SVMHV_MP_STATE_INIT_RECEIVED)
		return -EINVAL;
	vcpu->mp_state = mp.state;
	return 0;
}

static long svmhv_vcpu_lapic_ioctl(struct svmhv_vcpu *vcpu, unsigned int cmd,
				   void __user *uarg)
{
	struct svmhv_lapic_state *s;
	long ret;

	if (!vcpu->lapic)
		return -ENXIO;
	s = kmalloc(sizeof(*s), GFP_KERNEL_ACCOUNT);
	if (!s)
		return -ENOMEM;
	if (mutex_lock_killable(&vcpu->mutex)) {
		kfree(s);
		return -EINTR;
	}
	if (cmd == SVMHV_GET_LAPIC) {
		svm_lapic_get_state(vcpu, s);
		ret = copy_to_user(uarg, s, sizeof(*s)) ? -EFAULT : 0;
	} else if (copy_from_user(s, uarg, sizeof(*s))) {
		ret = -EFAULT;
	} else {
		ret = svm_lapic_set_state(vcpu, s);
	}
	mutex_unlock(&vcpu->mutex);
	kfree(s);
	return ret;
}

/* GET/SET_MSRS: in order, stopping at the first one refused. */
static long svmhv_vcpu_msrs(struct svmhv_vcpu *vcpu, unsigned int cmd,
			    struct svmhv_msrs __user *u)
{
	struct svmhv_msr_entry *e;
	u32 n, i;
	long ret;

	if (get_user(n, &u->nmsrs))
		return -EFAULT;
	if (n > SVMHV_MSRS_MAX)
		return -E2BIG;
	e = kvmalloc_array(n, sizeof(*e), GFP_KERNEL_ACCOUNT);
	if (!e)
		return -ENOMEM;
	ret = -EFAULT;
	if (copy_from_user(e, u->entries, n * sizeof(*e)))
		goto out;
	ret = -EINVAL;
	for (i = 0; i < n; i++)
		if (e[i].reserved)
			goto out;
	for (i = 0; i < n; i++) {
		if (cmd == SVMHV_GET_MSRS ?
		    svm_vcpu_get_msr(vcpu, e[i].index, &e[i].data) :
		    svm_vcpu_set_msr(vcpu, e[i].index, e[i].data))
			break;
	}
	ret = i;
	if (cmd == SVMHV_GET_MSRS &&
	    copy_to_user(u->entries, e, i * sizeof(*e)))
		ret = -EFAULT;
out:
	kvfree(e);
	return ret;
}

/*
 * The save/restore ioctls whose arguments are too big for the stack (up
 * to 4 KiB): one heap buffer for whichever it is.  vcpu->mutex is held.
 */
static long svmhv_vcpu_state_ioctl(struct svmhv_vcpu *vcpu, unsigned int cmd,
				   void __user *uarg)
{
	size_t size = _IOC_SIZE(cmd);
	void *buf;
	long ret = 0;

	buf = kzalloc(size, GFP_KERNEL_ACCOUNT);
	if (!buf)
		return -ENOMEM;
	if ((_IOC_DIR(cmd) & _IOC_WRITE) && copy_from_user(buf, uarg, size)) {
		kfree(buf);
		return -EFAULT;
	}
	switch (cmd) {
	case SVMHV_GET_XSAVE:
		svm_xstate_get(vcpu, buf);
		break;
	case SVMHV_SET_XSAVE:
		ret = svm_xstate_set(vcpu, buf);
		break;
	case SVMHV_GET_XCRS:
		svm_xcrs_get(vcpu, buf);
		break;
	case SVMHV_SET_XCRS:
		ret = svm_xcrs_set(vcpu, buf);
		break;
	case SVMHV_GET_VCPU_EVENTS:
		svm_vcpu_get_events(vcpu, buf);
		break;
	case SVMHV_SET_VCPU_EVENTS:
		ret = svm_vcpu_set_events(vcpu, buf);
		break;
	case SVMHV_GET_TSC:
		svm_vcpu_get_tsc(vcpu, buf);
		break;
	case SVMHV_SET_TSC:
		ret = svm_vcpu_set_tsc(vcpu, buf);
		break;
	}
	if (!ret && (_IOC_DIR(cmd) & _IOC_READ) && copy_to_user(uarg, buf, size))
		ret = -EFAULT;
	kfree(buf);
	return ret;
}

/*
 * The state ioctls' arguments live in the frames of these helpers, not in
 * svmhv_vcpu_ioctl()'s: the kernel zeroes every stack variable when its
 * function is entered (CONFIG_INIT_STACK_ALL_ZERO, which Debian's kernels
 * set), and SVMHV_RUN, the ioctl that is called per exit to userspace,
 * should not clear some 800 bytes of register structures it never uses.
 * Called with vcpu->mutex held.
 */
static noinline_for_stack long svmhv_vcpu_regs_ioctl(struct svmhv_vcpu *vcpu,
						     unsigned int cmd,
						     void __user *uarg)
{
	struct svmhv_regs regs;

	if (cmd == SVMHV_GET_REGS) {
		svm_vcpu_get_regs(vcpu, &regs);
		return copy_to_user(uarg, &regs, sizeof(regs)) ? -EFAULT : 0;
	}
	if (copy_from_user(&regs, uarg, sizeof(regs)))
		return -EFAULT;
	if (!svmhv_regs_reserved_clear(&regs))
		return -EINVAL;
	return svm_vcpu_set_regs(vcpu, &regs);
}

static noinline_for_stack long svmhv_vcpu_sregs_ioctl(struct svmhv_vcpu *vcpu,
						      unsigned int cmd,
						      void __user *uarg)
{
	struct svmhv_sregs sregs;

	if (cmd == SVMHV_GET_SREGS) {
		svm_vcpu_get_sregs(vcpu, &sregs);
		return copy_to_user(uarg, &sregs, sizeof(sregs)) ? -EFAULT : 0;
	}
	if (copy_from_user(&sregs, uarg, sizeof(sregs)))
		return -EFAULT;
	return svm_vcpu_set_sregs(vcpu, &sregs);
}

static noinline_for_stack long svmhv_vcpu_stats_ioctl(struct svmhv_vcpu *vcpu,
						      void __user *uarg)
{
	struct svmhv_stats stats;

	svmhv_vcpu_stats(vcpu, &stats);
	return copy_to_user(uarg, &stats, sizeof(stats)) ? -EFAULT : 0;
}

static noinline_for_stack long svmhv_vcpu_event_ioctl(struct svmhv_vcpu *vcpu,
						      void __user *uarg)
{
	struct svmhv_event event;

	if (copy_from_user(&event, uarg, sizeof(event)))
		return -EFAULT;
	return svm_vcpu_queue_event(vcpu, &event);
}

static long svmhv_vcpu_ioctl(struct file *file, unsigned int cmd,
			     unsigned long arg)
{
	struct svmhv_vcpu *vcpu = file->private_data;
	void __user *uarg = (void __user *)arg;
	long ret = 0;

	if (current->mm != vcpu->vm->mm)
		return -EIO;
	/* The largest argument lives on the heap, not on the stack. */
	if (cmd == SVMHV_GET_LAPIC || cmd == SVMHV_SET_LAPIC)
		return svmhv_vcpu_lapic_ioctl(vcpu, cmd, uarg);

	if (mutex_lock_killable(&vcpu->mutex))
		return -EINTR;
	switch (cmd) {
	case SVMHV_RUN:
		if (arg) {
			ret = -EINVAL;
			break;
		}
		svm_spin_note_thread(vcpu);
		ret = svm_vcpu_run(vcpu);
		break;
	case SVMHV_GET_REGS:
	case SVMHV_SET_REGS:
		ret = svmhv_vcpu_regs_ioctl(vcpu, cmd, uarg);
		break;
	case SVMHV_GET_SREGS:
	case SVMHV_SET_SREGS:
		ret = svmhv_vcpu_sregs_ioctl(vcpu, cmd, uarg);
		break;
	case SVMHV_GET_STATS:
		ret = svmhv_vcpu_stats_ioctl(vcpu, uarg);
		break;
	case SVMHV_INJECT_EVENT:
		ret = svmhv_vcpu_event_ioctl(vcpu, uarg);
		break;
	case SVMHV_GET_MP_STATE:
	case SVMHV_SET_MP_STATE:
		ret = svmhv_vcpu_mp_state(vcpu, cmd, uarg);
		break;
	case SVMHV_SET_CPUID:
		ret = svm_cpuid_set(vcpu, uarg);
		break;
	case SVMHV_GET_CPUID:
		ret = svm_cpuid_get(vcpu, uarg);
		break;
	case SVMHV_GET_MSRS:
	case SVMHV_SET_MSRS:
		ret = svmhv_vcpu_msrs(vcpu, cmd, uarg);
		break;
	case SVMHV_GET_XSAVE:
	case SVMHV_SET_XSAVE:
	case SVMHV_GET_XCRS:
	case SVMHV_SET_XCRS:
	case SVMHV_GET_VCPU_EVENTS:
	case SVMHV_SET_VCPU_EVENTS:
	case SVMHV_GET_TSC:
	case SVMHV_SET_TSC:
		ret = svmhv_vcpu_state_ioctl(vcpu, cmd, uarg);
		break;
	default:
		ret = -ENOTTY;
	}
	mutex_unlock(&vcpu->mutex);
	return ret;
}

static vm_fault_t svmhv_vcpu_fault(struct vm_fault *vmf)
{
	struct svmhv_vcpu *vcpu = vmf->vma->vm_file->private_data;
	struct page *page;

	if (vmf->pgoff != 0)
		return VM_FAULT_SIGBUS;
	page = virt_to_page(vcpu->run);
	get_page(page);
	vmf->page = page;
	return 0;
}

static const struct vm_operations_struct svmhv_vcpu_vm_ops = {
	.fault = svmhv_vcpu_fault,
};

static int svmhv_vcpu_mmap(struct file *file, struct vm_area_struct *vma)
{
	if (vma->vm_pgoff != 0 || vma->vm_end - vma->vm_start > SVMHV_RUN_SIZE)
		return -EINVAL;
	vma->vm_ops = &svmhv_vcpu_vm_ops;
	return 0;
}

static void svmhv_vcpu_free_rcu(struct rcu_head *rcu)
{
	struct svmhv_vcpu *vcpu = container_of(rcu, struct svmhv_vcpu, rcu);

	put_pid(rcu_access_pointer(vcpu->pid));
	kfree(vcpu->lapic);
	kfree(vcpu);
}

static int svmhv_vcpu_release(struct inode *inode, struct file *file)
{
	struct svmhv_vcpu *vcpu = file->private_data;
	struct svmhv_vm *vm = vcpu->vm;
	struct file *vm_file = vcpu->vm_file;

	mutex_lock(&vm->lock);
	RCU_INIT_POINTER(vm->vcpus[vcpu->id], NULL);
	vm->nr_vcpus--;
	mutex_unlock(&vm->lock);
	svm_lapic_stop(vcpu);
	svm_vcpu_free(vcpu);
	free_page((unsigned long)vcpu->run);
	/*
	 * Other vCPUs' IPIs, MSIs and directed yields (svm/spin.c) find a
	 * vCPU under RCU and may still be looking at this one (its APIC,
	 * requests, wait, thread): free it after them.
	 */
	call_rcu(&vcpu->rcu, svmhv_vcpu_free_rcu);
	fput(vm_file);
	return 0;
}

static const struct file_operations svmhv_vcpu_fops = {
	.owner		= THIS_MODULE,
	.unlocked_ioctl	= svmhv_vcpu_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.mmap		= svmhv_vcpu_mmap,
	.release	= svmhv_vcpu_release,
	.llseek		= noop_llseek,
};

int svmhv_create_vcpu_fd(struct svmhv_vm *vm, struct file *vm_file,
			 unsigned long id)
{
	struct svmhv_vcpu *vcpu;
	int ret;

	if (id >= SVMHV_MAX_VCPUS)
		return -EINVAL;
	vcpu = kzalloc(sizeof(*vcpu), GFP_KERNEL_ACCOUNT);
	if (!vcpu)
		return -ENOMEM;
	vcpu->vm = vm;
	vcpu->vm_file = vm_file;
	vcpu->id = id;
	mutex_init(&vcpu->mutex);
	rcuwait_init(&vcpu->wait);
	vcpu->run = (struct svmhv_run *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	if (!vcpu->run) {
		ret = -ENOMEM;
		goto err_free;
	}
	ret = svm_vcpu_init(vcpu);
	if (ret)
		goto err_run;

	mutex_lock(&vm->lock);
	if (svmhv_vm_vcpu_locked(vm, id)) {
		ret = -EEXIST;
		goto err_unlock;
	}
	if (vm->lapic_enabled && !vcpu->lapic) {
		ret = svm_lapic_create(vcpu);
		if (ret)
			goto err_unlock;
	}
	/* The vCPU keeps its VM alive: taken before the fd can be closed. */
	get_file(vm_file);
	ret = anon_inode_getfd("svmhv-vcpu", &svmhv_vcpu_fops, vcpu,
			       O_RDWR | O_CLOEXEC);
	if (ret < 0) {
		fput(vm_file);
		goto err_unlock;
	}
	vm->nr_vcpus++;
	rcu_assign_pointer(vm->vcpus[id], vcpu);
	mutex_unlock(&vm->lock);
	return ret;

err_unlock:
	mutex_unlock(&vm->lock);
	svm_lapic_stop(vcpu);
	kfree(vcpu->lapic);
	svm_vcpu_free(vcpu);
err_run:
	free_page((unsigned long)vcpu->run);
err_free:
	kfree(vcpu);
	return ret;
}
