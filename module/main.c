// SPDX-License-Identifier: GPL-2.0
/*
 * svmhv: a type-2 hypervisor for AMD CPUs with SVM (AMD-V).
 *
 * Module load checks the CPU and turns SVM on everywhere (svm/cpu.c),
 * then registers /dev/svmhv, whose file answers the system ioctls:
 * version, capabilities, and SVMHV_CREATE_VM, which returns a VM file
 * (vm.c), which creates vCPU files (vcpu.c).  See docs/design.md.
 */
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/mmu_notifier.h>
#include <linux/module.h>
#include <linux/rcupdate.h>
#include <asm/tsc.h>

#include "svmhv_core.h"
#include "svm/svm.h"

#define CREATE_TRACE_POINTS
#include "svmhv_trace.h"

static long svmhv_check_cap(unsigned long cap)
{
	switch (cap) {
	case SVMHV_CAP_NR_VCPUS:
		return SVMHV_MAX_VCPUS;
	case SVMHV_CAP_NR_MEM_SLOTS:
		return SVMHV_MAX_MEM_SLOTS;
	case SVMHV_CAP_READONLY_MEM:
	case SVMHV_CAP_IMMEDIATE_EXIT:
		return 1;
	case SVMHV_CAP_NRIP_SAVE:
		return svm_features.nrip_save;
	case SVMHV_CAP_DECODE_ASSISTS:
		return svm_features.decode_assists;
	case SVMHV_CAP_FLUSH_BY_ASID:
		return svm_features.flush_by_asid;
	case SVMHV_CAP_VMCB_CLEAN:
		return svm_features.vmcb_clean;
	case SVMHV_CAP_NR_ASIDS:
		return svm_features.nr_asids;
	case SVMHV_CAP_IO_DATA_MAX:
		return SVMHV_IO_DATA_MAX;
	case SVMHV_CAP_INJECT_EVENT:
		return 1;
	case SVMHV_CAP_TSC_KHZ:
		return tsc_khz;
	case SVMHV_CAP_STATS:
	case SVMHV_CAP_DELIVERY_ERROR:
	case SVMHV_CAP_LAPIC:
	case SVMHV_CAP_PM_TIMER:
	case SVMHV_CAP_CPUID:
	case SVMHV_CAP_MSRS:
	case SVMHV_CAP_VCPU_EVENTS:
	case SVMHV_CAP_TSC_CONTROL:
	case SVMHV_CAP_MMU_NOTIFIER:
	case SVMHV_CAP_DIRTY_LOG:
		return 1;
	case SVMHV_CAP_PAUSE_EXITS:
		return svm_pause_exits();
	case SVMHV_CAP_XSAVE:
		return sizeof(struct svmhv_xsave);
	case SVMHV_CAP_IOEVENTFD:
		return 1000;		/* SVMHV_IOEVENTFD_MAX, ioeventfd.c */
	case SVMHV_CAP_IRQFD:
		return 1024;		/* SVMHV_IRQFD_MAX, irqfd.c */
	default:
		return 0;
	}
}

static long svmhv_dev_ioctl(struct file *file, unsigned int cmd,
			    unsigned long arg)
{
	switch (cmd) {
	case SVMHV_GET_API_VERSION:
		return arg ? -EINVAL : SVMHV_API_VERSION;
	case SVMHV_CREATE_VM:
		return arg ? -EINVAL : svmhv_create_vm_fd();
	case SVMHV_CHECK_CAP:
		return svmhv_check_cap(arg);
	case SVMHV_GET_MSR_INDEX_LIST:
		return svm_msr_index_list((struct svmhv_msr_list __user *)arg);
	case SVMHV_GET_SUPPORTED_CPUID:
		return svm_cpuid_get(NULL, (struct svmhv_cpuid __user *)arg);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations svmhv_dev_fops = {
	.owner		= THIS_MODULE,
	.unlocked_ioctl	= svmhv_dev_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.llseek		= noop_llseek,
};

static struct miscdevice svmhv_dev = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= SVMHV_NAME,
	.fops	= &svmhv_dev_fops,
	.mode	= 0600,
};

static int __init svmhv_init(void)
{
	int ret;

	ret = svm_hw_init();
	if (ret)
		return ret;
	ret = svm_msrpm_iopm_init();
	if (ret)
		goto err_hw;
	svm_inkernel_cpuid_init();
	svm_asid_init();
	svmhv_stats_init();
	ret = misc_register(&svmhv_dev);
	if (ret)
		goto err_stats;
	pr_info(SVMHV_NAME ": ready, /dev/%s (API version %d)\n", SVMHV_NAME,
		SVMHV_API_VERSION);
	return 0;

err_stats:
	svmhv_stats_exit();
	svm_msrpm_iopm_exit();
err_hw:
	svm_hw_exit();
	return ret;
}

static void __exit svmhv_exit(void)
{
	misc_deregister(&svmhv_dev);
	/* vCPUs and ioeventfds freed by RCU callbacks: let those finish. */
	rcu_barrier();
	/* And the VMs freed by their MMU notifiers (svmhv_mn_free()). */
	mmu_notifier_synchronize();
	svmhv_stats_exit();
	svm_msrpm_iopm_exit();
	svm_hw_exit();
	pr_info(SVMHV_NAME ": unloaded, SVM disabled\n");
}

module_init(svmhv_init);
module_exit(svmhv_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("svmhv: type-2 hypervisor for AMD SVM");
MODULE_AUTHOR("svmhv developers");
