// SPDX-License-Identifier: GPL-2.0
/*
 * Turning SVM on and off on each CPU.
 *
 * Detection follows APM vol. 2, 15.4 ("Enabling SVM"): CPUID
 * Fn8000_0001_ECX[SVM], then VM_CR.SVMDIS (firmware may disable and lock
 * SVM), then CPUID Fn8000_000A for the features we use.  Enabling a CPU
 * means setting EFER.SVME and pointing VM_HSAVE_PA at a page where VMRUN
 * stores host state (15.30.4).  VMRUN does not save the state that VMSAVE
 * and VMLOAD move (FS/GS/TR/LDTR hidden state, KernelGSBase, the SYSCALL
 * and SYSENTER MSRs, 15.5.2), so each CPU also gets a second page that the
 * world switch VMSAVEs the host into and VMLOADs it back from.
 *
 * Only one hypervisor can own a CPU's SVM at a time: if EFER.SVME is
 * already set (kvm_amd, VirtualBox, ...) we refuse with -EBUSY rather than
 * share VM_HSAVE_PA with it.
 *
 * The host's life goes on around the guests: CPU hotplug (cpuhp
 * callbacks), suspend and resume (non-boot CPUs through the same
 * callbacks, the boot CPU through syscore ops: firmware clears EFER on
 * resume), and reboot or kexec, which turn SVM off under vCPUs that may
 * still be about to VMRUN (svm_hw_rebooting, svm_hw_spurious_fault()).
 * Under SME every physical address given to the CPU carries the
 * encryption bit (__sme_set(), APM vol. 2, 7.10): these pages are mapped
 * encrypted in the kernel, so the CPU must read them through the key too.
 */
#include <linux/cpu.h>
#include <linux/cpuhotplug.h>
#include <linux/string_helpers.h>
#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/percpu.h>
#include <linux/mem_encrypt.h>
#include <linux/reboot.h>
#include <linux/syscore_ops.h>
#include <asm/cpufeature.h>
#include <asm/msr.h>
#include <asm/nospec-branch.h>
#include <asm/processor.h>
#include <asm/reboot.h>

#include "svm.h"

#define MSR_VM_CR_SVMDIS	BIT(4)
#define CPUID_SVM_FEATURES	0x8000000a
#define SVM_FEAT_NPT		BIT(0)
#define SVM_FEAT_NRIPS		BIT(3)
#define SVM_FEAT_VMCB_CLEAN	BIT(5)
#define SVM_FEAT_FLUSH_ASID	BIT(6)
#define SVM_FEAT_DECODE		BIT(7)
#define SVM_FEAT_PAUSE_FILTER	BIT(10)
#define SVM_FEAT_PAUSE_THRESH	BIT(12)

struct svm_features svm_features;

DEFINE_PER_CPU(struct svm_cpu, svm_hw_cpu);
static enum cpuhp_state svm_cpuhp_state;

/*
 * Set by the reboot notifier before it turns SVM off on every CPU; read by
 * vmenter.S and svm_hw_spurious_fault() after an SVM instruction faulted,
 * and by the run loop, which then stops (svm/run.c).
 */
bool svm_hw_rebooting;

/*
 * CLGI or STGI faulted: with EFER.SVME clear they raise #UD (APM vol. 2,
 * 15.4).  That is expected only once the reboot notifier turned SVM off
 * under a vCPU thread between two VMRUNs; then the instruction is skipped
 * and the run loop stops.  Anything else is a bug (KVM's
 * kvm_spurious_fault() BUGs): say so here; the world switch that follows
 * then stops at its UD2 (vmenter.S).
 */
void svm_hw_spurious_fault(void)
{
	WARN_ONCE(!READ_ONCE(svm_hw_rebooting),
		  SVMHV_NAME ": CLGI/STGI faulted: EFER.SVME was cleared outside a reboot\n");
}

/*
 * Called before a VMRUN, interrupts off, when this CPU last entered
 * another VMCB (svm_hw_switch_vcpu() in svm.h).  Each vCPU gets its own
 * branch-prediction domain, as KVM gives each VMCB on vCPU load: when this
 * CPU enters a different vCPU than last time, an IBPB keeps the previous
 * guest's indirect-branch training from steering the next one.  Not needed
 * when the kernel already issues IBPB on every #VMEXIT (srso=ibpb-vmexit,
 * retbleed=ibpb: X86_FEATURE_IBPB_ON_VMEXIT, see vmenter.S).
 */
void svm_hw_switch_vcpu_slow(struct vmcb *vmcb)
{
	this_cpu_write(svm_hw_cpu.last_vmcb, vmcb);
	if (!cpu_feature_enabled(X86_FEATURE_IBPB_ON_VMEXIT))
		indirect_branch_prediction_barrier();
}

/* A VMCB is being freed: forget it wherever it was entered last. */
void svm_hw_forget_vmcb(struct vmcb *vmcb)
{
	int cpu;

	for_each_possible_cpu(cpu)
		cmpxchg(&per_cpu_ptr(&svm_hw_cpu, cpu)->last_vmcb, vmcb, NULL);
}

/*
 * Clear EFER.SVME on this CPU.  Also used from the emergency path (crash,
 * NMI shootdown before kexec), so it must not sleep or take locks.  GIF is
 * forced to 1 first: with SVME clear STGI would #UD, and a CPU left with
 * GIF=0 ignores INIT and NMI (APM 15.17).
 */
static void svm_hw_disable_this_cpu(void)
{
	u64 efer;

	wrmsrl(MSR_VM_HSAVE_PA, 0);
	rdmsrl(MSR_EFER, efer);
	if (efer & EFER_SVME) {
		asm volatile("stgi" ::: "memory");
		wrmsrl(MSR_EFER, efer & ~EFER_SVME);
	}
}

/* Set EFER.SVME and VM_HSAVE_PA on this CPU; its pages exist already. */
static int svm_hw_enable_this_cpu(struct svm_cpu *sc)
{
	u64 efer;

	rdmsrl(MSR_EFER, efer);
	if (efer & EFER_SVME) {
		pr_err(SVMHV_NAME ": CPU %u: EFER.SVME is already set: another hypervisor (e.g. kvm_amd) owns SVM\n",
		       smp_processor_id());
		return -EBUSY;
	}
	wrmsrl(MSR_EFER, efer | EFER_SVME);
	/* 15.30.4; with SME, VMRUN writes the area through the key (7.10). */
	wrmsrl(MSR_VM_HSAVE_PA, __sme_set(page_to_phys(sc->hsave)));
	pr_debug(SVMHV_NAME ": CPU %u hsave %#llx\n", smp_processor_id(),
		 (u64)page_to_phys(sc->hsave));
	sc->enabled = true;
	return 0;
}

static struct page *svm_hw_alloc_page(unsigned int cpu)
{
	return alloc_pages_node(cpu_to_node(cpu), GFP_KERNEL | __GFP_ZERO, 0);
}

/*
 * Runs on the CPU itself.  Each page is allocated if missing, so that a
 * CPU whose earlier attempt got one page but not the other tries again
 * for the missing one and is refused while it lacks it: SVM is never
 * enabled with a save area missing.
 */
static int svm_hw_cpu_online(unsigned int cpu)
{
	struct svm_cpu *sc = per_cpu_ptr(&svm_hw_cpu, cpu);

	if (!sc->hsave)
		sc->hsave = svm_hw_alloc_page(cpu);
	if (!sc->host_vmsave) {
		sc->host_vmsave = svm_hw_alloc_page(cpu);
		if (sc->host_vmsave)
			sc->host_vmsave_pa =
				__sme_set(page_to_phys(sc->host_vmsave));
	}
	if (!sc->hsave || !sc->host_vmsave)
		return -ENOMEM;
	svm_tsc_aux_cpu_up();
	return svm_hw_enable_this_cpu(sc);
}

static int svm_hw_cpu_offline(unsigned int cpu)
{
	struct svm_cpu *sc = per_cpu_ptr(&svm_hw_cpu, cpu);

	if (sc->enabled) {
		svm_hw_disable_this_cpu();
		sc->enabled = false;
	}
	svm_tsc_aux_cpu_down();
	return 0;
}

static void svm_hw_emergency_disable(void)
{
	if (this_cpu_read(svm_hw_cpu.enabled))
		svm_hw_disable_this_cpu();
}

static void svm_hw_disable_ipi(void *unused)
{
	svm_hw_emergency_disable();
}

/*
 * A normal reboot or kexec: leave every CPU as firmware expects it.  vCPU
 * threads keep running until the CPUs are stopped; the flag, set before
 * the IPIs clear EFER.SVME, makes the SVM instructions they may still
 * execute fault harmlessly and their run loops stop (as kvm_rebooting).
 * The IPI handler runs only after this store is visible: smp_call_function
 * orders the queued call after it.
 */
static int svm_hw_reboot(struct notifier_block *nb, unsigned long code,
			 void *unused)
{
	WRITE_ONCE(svm_hw_rebooting, true);
	on_each_cpu(svm_hw_disable_ipi, NULL, 1);
	return NOTIFY_OK;
}

static struct notifier_block svm_hw_reboot_nb = {
	.notifier_call = svm_hw_reboot,
	.priority = 0,
};

/*
 * Suspend: the non-boot CPUs go offline first (svm_hw_cpu_offline), then
 * the boot CPU runs these with interrupts off.  Firmware resets EFER on
 * the way back from S3, so SVM and VM_HSAVE_PA are set again here (and by
 * svm_hw_cpu_online on the others), as KVM's kvm_suspend/kvm_resume do.
 * No vCPU runs in between: user tasks stay frozen until after resume.
 */
static int svm_hw_suspend(void)
{
	struct svm_cpu *sc = this_cpu_ptr(&svm_hw_cpu);

	sc->enabled_at_suspend = sc->enabled;
	svm_tsc_aux_cpu_down();
	if (sc->enabled) {
		svm_hw_disable_this_cpu();
		sc->enabled = false;
	}
	return 0;
}

static void svm_hw_resume(void)
{
	struct svm_cpu *sc = this_cpu_ptr(&svm_hw_cpu);

	svm_tsc_aux_cpu_up();	/* what the MSR holds after resume */
	if (sc->enabled_at_suspend && svm_hw_enable_this_cpu(sc))
		pr_err(SVMHV_NAME ": CPU %u: SVM not re-enabled after resume\n",
		       smp_processor_id());
}

/*
 * Newer kernels register a struct syscore whose callbacks take a data
 * pointer, and Debian's 6.12 has that change too; 6.1 registers the ops
 * themselves.  module/Kbuild tells which (SVMHV_SYSCORE_HAS_DATA): the one
 * interface that differs between the kernels svmhv builds for.
 */
#ifdef SVMHV_SYSCORE_HAS_DATA
static int svm_hw_syscore_suspend(void *unused)
{
	return svm_hw_suspend();
}

static void svm_hw_syscore_resume(void *unused)
{
	svm_hw_resume();
}

static const struct syscore_ops svm_hw_syscore_ops = {
	.suspend = svm_hw_syscore_suspend,
	.resume = svm_hw_syscore_resume,
};

static struct syscore svm_hw_syscore = {
	.ops = &svm_hw_syscore_ops,
};

static void svm_hw_register_syscore(void)
{
	register_syscore(&svm_hw_syscore);
}

static void svm_hw_unregister_syscore(void)
{
	unregister_syscore(&svm_hw_syscore);
}
#else
static struct syscore_ops svm_hw_syscore_ops = {
	.suspend = svm_hw_suspend,
	.resume = svm_hw_resume,
};

static void svm_hw_register_syscore(void)
{
	register_syscore_ops(&svm_hw_syscore_ops);
}

static void svm_hw_unregister_syscore(void)
{
	unregister_syscore_ops(&svm_hw_syscore_ops);
}
#endif

static int svm_hw_detect(void)
{
	u32 eax, ebx, ecx, edx;
	u64 vm_cr;

	if (boot_cpu_data.x86_vendor != X86_VENDOR_AMD &&
	    boot_cpu_data.x86_vendor != X86_VENDOR_HYGON) {
		pr_err(SVMHV_NAME ": not an AMD CPU: SVM is unavailable\n");
		return -ENODEV;
	}
	if (!boot_cpu_has(X86_FEATURE_SVM)) {
		pr_err(SVMHV_NAME ": CPU has no SVM (CPUID 8000_0001 ECX.SVM clear)\n");
		return -ENODEV;
	}
	rdmsrl(MSR_VM_CR, vm_cr);
	if (vm_cr & MSR_VM_CR_SVMDIS) {
		pr_err(SVMHV_NAME ": SVM is disabled by firmware (VM_CR.SVMDIS set): enable it in the BIOS setup\n");
		return -EPERM;
	}
	cpuid(CPUID_SVM_FEATURES, &eax, &ebx, &ecx, &edx);
	if (!(edx & SVM_FEAT_NPT)) {
		pr_err(SVMHV_NAME ": CPU has no nested paging (NPT), which svmhv requires\n");
		return -EOPNOTSUPP;
	}
	if (ebx < 2) {
		pr_err(SVMHV_NAME ": CPU reports %u ASIDs; at least 2 are needed\n",
		       ebx);
		return -EOPNOTSUPP;
	}
	svm_features.nr_asids = ebx;
	svm_features.nrip_save = edx & SVM_FEAT_NRIPS;
	svm_features.vmcb_clean = edx & SVM_FEAT_VMCB_CLEAN;
	svm_features.flush_by_asid = edx & SVM_FEAT_FLUSH_ASID;
	svm_features.decode_assists = edx & SVM_FEAT_DECODE;
	svm_features.pause_filter = edx & SVM_FEAT_PAUSE_FILTER;
	svm_features.pause_filter_thresh = edx & SVM_FEAT_PAUSE_THRESH;
	pr_info(SVMHV_NAME ": SVM revision %u, %u ASIDs, NPT, NRIP save %s, decode assists %s, flush-by-ASID %s, VMCB clean bits %s, pause filter %s\n",
		eax & 0xff, ebx,
		str_yes_no(svm_features.nrip_save),
		str_yes_no(svm_features.decode_assists),
		str_yes_no(svm_features.flush_by_asid),
		str_yes_no(svm_features.vmcb_clean),
		svm_features.pause_filter_thresh ? "with threshold" :
		str_yes_no(svm_features.pause_filter));
	return 0;
}

static void svm_hw_free_pages(void)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		struct svm_cpu *sc = per_cpu_ptr(&svm_hw_cpu, cpu);

		if (sc->hsave)
			__free_page(sc->hsave);
		if (sc->host_vmsave)
			__free_page(sc->host_vmsave);
		sc->hsave = NULL;
		sc->host_vmsave = NULL;
		sc->host_vmsave_pa = 0;
	}
}

int svm_hw_init(void)
{
	int ret;

	ret = svm_hw_detect();
	if (ret)
		return ret;
	svm_xstate_init();
	svm_tsc_aux_init();

	/*
	 * Sets SVME on every online CPU now and on each CPU that comes
	 * online later; rolls back by itself if any CPU refuses.
	 */
	ret = cpuhp_setup_state(CPUHP_AP_ONLINE_DYN, "svmhv:online",
				svm_hw_cpu_online, svm_hw_cpu_offline);
	if (ret < 0)
		goto err_free;
	svm_cpuhp_state = ret;

	cpu_emergency_register_virt_callback(svm_hw_emergency_disable);
	register_reboot_notifier(&svm_hw_reboot_nb);
	svm_hw_register_syscore();
	return 0;

err_free:
	svm_hw_free_pages();
	return ret;
}

void svm_hw_exit(void)
{
	svm_hw_unregister_syscore();
	unregister_reboot_notifier(&svm_hw_reboot_nb);
	cpu_emergency_unregister_virt_callback(svm_hw_emergency_disable);
	cpuhp_remove_state(svm_cpuhp_state);
	svm_hw_free_pages();
}
