// SPDX-License-Identifier: GPL-2.0
/*
 * Machine checks that arrive while a guest runs.
 *
 * svmhv intercepts #MC (intercept_exceptions bit 18, APM vol. 2, 15.12):
 * otherwise a machine check raised in guest mode is delivered through the
 * guest's IDT (15.12 and 15.20), and the host, which owns the hardware and
 * its MCA banks, never hears of it.  An intercepted #MC only causes a
 * #VMEXIT; the host's handler does not run by itself, so it is called by
 * hand right after the exit, still on the CPU that took the machine check
 * with interrupts off (svm_mce_after_exit() from svm/run.c), with the same
 * fake registers KVM's kvm_machine_check() passes: ring 3, so that the
 * handler treats the error as one in a user task -- the VMM -- and never
 * as a kernel bug, whatever the guest was running.
 */
#include <linux/sched.h>
#include <asm/mce.h>
#include <asm/ptrace.h>

#include "svm.h"

void svm_mce_handle(void)
{
	struct pt_regs regs = {
		.cs = 3,			/* fake ring 3: the VMM's error */
		.flags = X86_EFLAGS_IF,
	};

	/*
	 * While rebooting, VMRUN may have faulted (svm/vmenter.S) and left
	 * the previous exit code in the VMCB: no machine check to handle.
	 */
	if (READ_ONCE(svm_hw_rebooting))
		return;
	do_machine_check(&regs);
}

/*
 * The exit handler proper, from svm_exit_handlers[]: the host's handler
 * ran already.  For an error it can recover from in a user task (poison
 * in the VMM's memory, i.e. guest RAM), it queued task work
 * (kill_me_maybe) that runs on the way back to user space and may unmap
 * the page or send SIGBUS; re-entering the guest first would only take
 * the same machine check again.  So go back to user space when work is
 * queued, as after a signal; otherwise resume the guest (KVM's
 * mc_interception does the same, its run loop handling the task work).
 */
int svm_exit_mc(struct svmhv_vcpu *vcpu)
{
	if (test_thread_flag(TIF_NOTIFY_RESUME)) {
		vcpu->run->exit_reason = SVMHV_EXIT_INTR;
		return -EINTR;
	}
	return 1;
}
