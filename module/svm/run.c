// SPDX-License-Identifier: GPL-2.0
/*
 * The vCPU run loop: finish what the last exit left to userspace, then
 * VMRUN and dispatch exits until one needs userspace, a signal arrives,
 * or userspace asked for an immediate exit.
 *
 * The guest's FPU/SSE state is swapped in once per SVMHV_RUN with the
 * kernel's guest-FPU support (the same mechanism KVM uses), so the exit
 * path itself does no XSAVE/XRSTOR, and exit handlers may sleep: the
 * scheduler saves and restores the guest's state as if it were ours.
 *
 * Around each VMRUN (APM vol. 2, 15.17): interrupts off, record that this
 * vCPU is in the guest (for TLB shootdowns), choose the ASID and TLB
 * control, CLGI, the world switch, STGI, interrupts on -- any host
 * interrupt that forced the #VMEXIT is taken right there.
 */
#include <linux/jump_label.h>
#include <linux/moduleparam.h>
#include <linux/preempt.h>
#include <linux/rcuwait.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/string.h>
#include <asm/debugreg.h>
#include <asm/fpu/api.h>
#include <asm/fpu/xcr.h>
#include <asm/special_insns.h>

#include "svm.h"
#include "../svmhv_trace.h"

static int svm_complete_pending(struct svmhv_vcpu *vcpu)
{
	enum svmhv_pending kind = vcpu->pending.kind;

	vcpu->pending.kind = SVMHV_PENDING_NONE;
	switch (kind) {
	case SVMHV_PENDING_IN:
		return svm_complete_io(vcpu, false);
	case SVMHV_PENDING_INS:
		return svm_complete_io(vcpu, true);
	case SVMHV_PENDING_MMIO_READ:
		return svm_complete_mmio(vcpu);
	case SVMHV_PENDING_HYPERCALL:
		vcpu->vmcb->save.rax = vcpu->run->hypercall.ret;
		svm_set_rip(vcpu, vcpu->pending.next_rip);
		return 1;
	case SVMHV_PENDING_NONE:
		break;
	}
	return 1;
}

/*
 * Test hook, as KVM's force_emulation_prefix is one: the next N VMRUNs
 * fail as the CPU fails a VMRUN with ASID 0 (15.5.1), so that the
 * selftests can show that a failed entry loses no event and no flush.
 */
static unsigned int fail_vmrun;

/*
 * Entries look at the counter only once the hook has been used: the
 * static branch is enabled by the first write of a nonzero N (at insmod
 * or through sysfs) and stays so.
 */
static DEFINE_STATIC_KEY_FALSE(svm_fail_vmrun_used);

static int svm_fail_vmrun_set(const char *val, const struct kernel_param *kp)
{
	int ret = param_set_uint(val, kp);

	if (!ret && READ_ONCE(fail_vmrun))
		static_branch_enable(&svm_fail_vmrun_used);
	return ret;
}

static const struct kernel_param_ops svm_fail_vmrun_ops = {
	.set = svm_fail_vmrun_set,
	.get = param_get_uint,
};

module_param_cb(fail_vmrun, &svm_fail_vmrun_ops, &fail_vmrun, 0600);
MODULE_PARM_DESC(fail_vmrun, "Test hook: make the next N VMRUNs fail (VMEXIT_INVALID) as with ASID 0");

static bool svm_vmrun_should_fail(struct svmhv_vcpu *vcpu)
{
	unsigned int n;

	if (!static_branch_unlikely(&svm_fail_vmrun_used))
		return false;
	n = READ_ONCE(fail_vmrun);
	if (likely(!n) || cmpxchg(&fail_vmrun, n, n - 1) != n)
		return false;
	vcpu->save_unverified = true;	/* keep a snapshot, see exit.c */
	return true;
}

/*
 * Enter the guest once.  Returns false, without entering, when another
 * context left work for this vCPU after the checks before (an IPI, an MSI,
 * its APIC timer): it must be looked at first, or the guest might run on
 * without an interrupt it has been sent.
 */
static bool svm_vcpu_enter_exit(struct svmhv_vcpu *vcpu)
{
	struct vmcb *vmcb = vcpu->vmcb;
	u32 host_pkru = 0, asid = 0;
	bool moved, osxsave, xcr0_swap, fail = svm_vmrun_should_fail(vcpu);
	u64 t0;
	int cpu;

	local_irq_disable();
	/*
	 * Preempted since the swap in svm_vcpu_run()?  The scheduler saved
	 * the guest's FPU state and left the registers to whoever ran last:
	 * load the guest's back before entering.
	 */
	if (test_thread_flag(TIF_NEED_FPU_LOAD))
		switch_fpu_return();
	cpu = smp_processor_id();
	svm_hw_switch_vcpu(vmcb);	/* IBPB if another vCPU ran here */
	if (svm_tsc_aux_enabled)
		svm_tsc_aux_load(vcpu->tsc_aux);	/* tsc_aux.c */
	moved = vcpu->last_cpu != cpu;
	WRITE_ONCE(vcpu->last_cpu, cpu);
	WRITE_ONCE(vcpu->in_guest, 1);
	/* Pairs with svmhv_vm_flush_tlbs() and svm_vcpu_kick(): either it
	 * sees us in the guest and kicks us, or we see its new tlb_gen or
	 * request here.
	 */
	smp_mb();
	if (unlikely(READ_ONCE(vcpu->requests))) {
		WRITE_ONCE(vcpu->in_guest, 0);
		local_irq_enable();
		return false;
	}
	svm_asid_prepare(vcpu, moved);
	if (svm_features.vmcb_clean)
		vmcb->control.clean = moved ? 0 :
			SVM_CLEAN_ALL_WE_USE & ~vcpu->vmcb_dirty;
	vcpu->vmcb_dirty = 0;
	/*
	 * State from userspace may be refused by VMRUN; keep a copy to give
	 * back unchanged (see svm_exit_invalid()).
	 */
	if (unlikely(vcpu->save_unverified))
		memcpy(vcpu->save_snapshot, &vmcb->save, sizeof(vmcb->save));
	/* What this entry delivers, for a failed VMRUN and EXITINTINFO. */
	vcpu->event_entered = vmcb->control.event_inj;
	vcpu->event_err_entered = vmcb->control.event_inj_err;
	vcpu->int_ctl_entered = vmcb->control.int_ctl;
	if (unlikely(fail)) {
		asid = vmcb->control.asid;
		vmcb->control.asid = 0;
	}

	/*
	 * The tracepoints' arguments are read only when they are enabled:
	 * left to the compiler, the loads come before the patched branch.
	 */
	if (trace_svmhv_entry_enabled())
		trace_svmhv_entry(vcpu->id, vmcb->save.rip, vmcb->save.rflags,
				  vmcb->control.event_inj);
	svm_clgi();
	/*
	 * PKRU is user state that neither VMRUN nor #VMEXIT switches, and a
	 * guest can reach it whatever CPUID says: CR4 is its own under
	 * nested paging, so it may set CR4.PKE and WRPKRU.  Left in place,
	 * its value would govern the host's own accesses to user memory.
	 */
	if (cpu_feature_enabled(X86_FEATURE_OSPKE)) {
		host_pkru = rdpkru();
		if (vcpu->guest_pkru != host_pkru)
			wrpkru(vcpu->guest_pkru);
	}
	/*
	 * XCR0 likewise (xstate.c): the guest's only between here and the
	 * restore below, inside CLGI, where no host handler can run.  A guest
	 * without CR4.OSXSAVE cannot use it, so it keeps the host's.
	 */
	osxsave = vmcb->save.cr4 & X86_CR4_OSXSAVE;
	xcr0_swap = osxsave && vcpu->xcr0 != svm_host_xcr0;
	if (xcr0_swap)
		xsetbv(XCR_XFEATURE_ENABLED_MASK, vcpu->xcr0);
	t0 = rdtsc();
	svmhv_vmrun(vcpu->vmcb_pa, vcpu->gprs, svm_hw_host_save_pa(),
		    vmcb->control.int_state & 1);
	vcpu->stat[SVMHV_STAT_GUEST_CYCLES] += rdtsc() - t0;
	if (unlikely(fail))
		vmcb->control.asid = asid;
	/* Flushes asked for are done only if the guest was entered. */
	if (likely(!svm_exit_code_is_invalid(vmcb->control.exit_code)))
		svm_asid_commit(vcpu);
	if (unlikely(svm_xsetbv_unintercepted) && osxsave) {
		vcpu->xcr0 = xgetbv(XCR_XFEATURE_ENABLED_MASK);
		xcr0_swap = vcpu->xcr0 != svm_host_xcr0;
	}
	if (xcr0_swap)
		xsetbv(XCR_XFEATURE_ENABLED_MASK, svm_host_xcr0);
	if (cpu_feature_enabled(X86_FEATURE_OSPKE)) {
		vcpu->guest_pkru = rdpkru();
		if (vcpu->guest_pkru != host_pkru)
			wrpkru(host_pkru);
	}
	/* #VMEXIT does not give the host its DR7 back (15.5.2). */
	if (unlikely(hw_breakpoint_active()))
		hw_breakpoint_restore();
	svm_stgi();
	svm_mce_after_exit(vmcb);	/* the host's #MC handler, this CPU */

	WRITE_ONCE(vcpu->in_guest, 0);
	local_irq_enable();
	return true;
}

/* With an in-kernel APIC: could an event end this HLT now? */
static bool svm_vcpu_wakes(struct svmhv_vcpu *vcpu)
{
	const struct svmhv_queued_events *q = &vcpu->events;

	if (q->nmi && !q->nmi_blocked)
		return true;
	if (!(vcpu->vmcb->save.rflags & X86_EFLAGS_IF))
		return false;
	return svm_lapic_has_irq(vcpu) ||
	       (q->irq && svm_lapic_accepts_extint(vcpu));
}

/*
 * Take what other APICs sent (INIT, SIPI, NMI); may the vCPU run, or does
 * it sleep (HLT, waiting for a SIPI)?
 */
static bool svm_vcpu_runnable(struct svmhv_vcpu *vcpu)
{
	svm_lapic_take_events(vcpu);
	if (vcpu->mp_state == SVMHV_MP_STATE_HALTED && svm_vcpu_wakes(vcpu))
		vcpu->mp_state = SVMHV_MP_STATE_RUNNABLE;
	return vcpu->mp_state == SVMHV_MP_STATE_RUNNABLE;
}

/*
 * Sleep until another context leaves work (svm_vcpu_kick() sets the
 * request and wakes us) or a signal comes: -EINTR.  The guest's FPU state
 * stays loaded; the scheduler saves it if another task runs.
 */
static int svm_vcpu_block(struct svmhv_vcpu *vcpu)
{
	return rcuwait_wait_event(&vcpu->wait,
				  test_bit(SVMHV_REQ_EVENT, &vcpu->requests) ||
				  READ_ONCE(vcpu->run->immediate_exit),
				  TASK_INTERRUPTIBLE);
}

static int svm_vcpu_run_loop(struct svmhv_vcpu *vcpu)
{
	struct svmhv_run *run = vcpu->run;
	int ret;

	run->exit_reason = SVMHV_EXIT_NONE;
	if (vcpu->shutdown) {
		run->exit_reason = SVMHV_EXIT_SHUTDOWN;
		return 0;
	}
	/* Most RUNs follow an exit that left nothing to finish (OUT, HLT). */
	if (vcpu->pending.kind != SVMHV_PENDING_NONE) {
		ret = svm_complete_pending(vcpu);
		if (ret <= 0)
			return ret;
	}

	fpu_swap_kvm_fpstate(&vcpu->guest_fpu, true);
	for (;;) {
		if (READ_ONCE(run->immediate_exit) || signal_pending(current)) {
			run->exit_reason = SVMHV_EXIT_INTR;
			ret = -EINTR;
			break;
		}
		cond_resched();
		if (vcpu->lapic && !svm_vcpu_runnable(vcpu)) {
			if (svm_vcpu_block(vcpu)) {
				run->exit_reason = SVMHV_EXIT_INTR;
				ret = -EINTR;
				break;
			}
			continue;
		}
		ret = svm_inject_prepare(vcpu);
		if (ret <= 0)
			break;
		if (!svm_vcpu_enter_exit(vcpu))
			continue;
		/* Reboot turned SVM off under us: the exit is stale (cpu.c). */
		if (unlikely(READ_ONCE(svm_hw_rebooting))) {
			ret = -EIO;
			break;
		}
		run->rip = vcpu->vmcb->save.rip;
		if (trace_svmhv_exit_enabled())
			trace_svmhv_exit(vcpu->id, vcpu->vmcb->control.exit_code,
					 vcpu->vmcb->control.exit_info1,
					 vcpu->vmcb->control.exit_info2,
					 run->rip);
		ret = svm_exit_dispatch(vcpu);
		if (ret <= 0)
			break;
	}
	fpu_swap_kvm_fpstate(&vcpu->guest_fpu, false);
	return ret;
}

/*
 * On every return, early ones included: userspace irqchips rely on these
 * to decide between injecting and asking for a window.
 */
static void svm_report_irq_state(struct svmhv_vcpu *vcpu)
{
	struct svmhv_run *run = vcpu->run;

	run->irq_queued = vcpu->events.irq;
	run->ready_for_interrupt = !vcpu->events.irq &&
				   svm_vcpu_interruptible(vcpu) &&
				   (!vcpu->lapic ||
				    svm_lapic_accepts_extint(vcpu));
	run->if_flag = !!(vcpu->vmcb->save.rflags & X86_EFLAGS_IF);
}

int svm_vcpu_run(struct svmhv_vcpu *vcpu)
{
	struct svmhv_run *run = vcpu->run;
	u64 t0 = rdtsc();
	int ret;

	vcpu->ran = true;	/* its CPUID is fixed from now on */
	ret = svm_vcpu_run_loop(vcpu);

	svm_report_irq_state(vcpu);
	vcpu->stat[SVMHV_STAT_USERSPACE_EXITS]++;
	vcpu->stat[SVMHV_STAT_RUN_CYCLES] += rdtsc() - t0;
	trace_svmhv_userspace_exit(vcpu->id, run->exit_reason, run->rip, ret);
	return ret;
}
