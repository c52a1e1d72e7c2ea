// SPDX-License-Identifier: GPL-2.0
/*
 * #VMEXIT dispatch: one table from SVM exit code (APM vol. 2, appendix C)
 * to handler.  A handler returns 1 to re-enter the guest, 0 to return to
 * userspace with run->exit_reason set, or -errno.  An exit code without a
 * handler is reported to userspace as SVMHV_EXIT_UNHANDLED, never ignored.
 *
 * Handlers for instructions that complete in the kernel advance RIP with
 * svm_skip_insn(): from the VMCB's next RIP when the CPU has NRIP save
 * (15.7.1), else by decoding the instruction.
 */
#include <linux/kernel.h>
#include <linux/moduleparam.h>
#include <asm/processor-flags.h>
#include <asm/traps.h>

#include "svm.h"
#include "../npt/npt.h"

int svm_exit_internal(struct svmhv_vcpu *vcpu, u32 suberror,
		      const struct svm_insn *insn, u64 gpa)
{
	struct svmhv_run *run = vcpu->run;

	run->exit_reason = SVMHV_EXIT_INTERNAL_ERROR;
	memset(&run->internal, 0, sizeof(run->internal));
	run->internal.suberror = suberror;
	run->internal.gpa = gpa;
	run->internal.exit_code = vcpu->vmcb->control.exit_code;
	if (insn) {
		run->internal.ninsn = insn->avail;
		memcpy(run->internal.insn, insn->bytes, insn->avail);
	}
	return 0;
}

/*
 * RIP of the instruction after the intercepted one.  -EAGAIN: it could not
 * be decoded, and an INTERNAL_ERROR exit is set up for userspace.
 */
int svm_next_rip(struct svmhv_vcpu *vcpu, u64 *next)
{
	struct svm_insn insn;

	/*
	 * NRIP save fills next_rip only for the intercepts that 15.7.1
	 * lists; where it is 0 the CPU did not provide it: decode.
	 */
	if (svm_features.nrip_save && vcpu->vmcb->control.next_rip) {
		*next = vcpu->vmcb->control.next_rip;
		return 0;
	}
	if (!svm_decode_fetch_short(vcpu, &insn) &&
	    !svm_decode_len(vcpu, &insn))
		goto decoded;
	if (svm_decode_fetch(vcpu, &insn)) {
		svm_exit_internal(vcpu, SVMHV_INTERNAL_FETCH, NULL, 0);
		return -EAGAIN;
	}
	if (svm_decode_len(vcpu, &insn)) {
		svm_exit_internal(vcpu, SVMHV_INTERNAL_EMULATION, &insn, 0);
		return -EAGAIN;
	}
decoded:
	*next = vcpu->vmcb->save.rip + insn.len;
	if (svm_decode_mode(vcpu) != 8)
		*next &= 0xffffffff;
	return 0;
}

/*
 * The single-step half of svm_set_rip() (svm.h), for a guest with
 * RFLAGS.TF set.  Completing an instruction ends an STI / MOV SS shadow,
 * and with RFLAGS.TF set the CPU would now raise a single-step #DB trap
 * (APM vol. 2, 13.1.4 and 8.2.2: DR6.BS set, the saved RIP is the next
 * instruction's); an instruction the CPU never executed must do the same.
 * An event already waiting for delivery goes first; the trap is then
 * lost, as it would be behind a higher-priority event on hardware.
 */
void svm_set_rip_single_step(struct svmhv_vcpu *vcpu)
{
	struct vmcb *vmcb = vcpu->vmcb;

	/* svmhv's own step for an NMI window is over, too (inject.c). */
	if (!svm_nmi_step_done(vcpu) &&
	    !(vmcb->control.event_inj & SVM_EVT_VALID)) {
		vmcb->save.dr6 |= SVM_DR6_BS;
		vcpu->vmcb_dirty |= SVM_CLEAN_DRX;
		svm_vcpu_inject_exception(vcpu, X86_TRAP_DB, false, 0);
	}
}

/*
 * 1 on success; 0 with an INTERNAL_ERROR exit if it cannot be decoded.
 * Always inlined into this file's handlers (CPUID, HLT, MSR: the frequent
 * ones), called through svm_skip_insn() from elsewhere.
 */
static __always_inline int __svm_skip_insn(struct svmhv_vcpu *vcpu)
{
	u64 next;
	int ret = svm_next_rip(vcpu, &next);

	if (ret == -EAGAIN)
		return 0;
	svm_set_rip(vcpu, next);
	return 1;
}

int svm_skip_insn(struct svmhv_vcpu *vcpu)
{
	return __svm_skip_insn(vcpu);
}

static int svm_exit_host_event(struct svmhv_vcpu *vcpu)
{
	/* The interrupt/NMI/SMI is taken by the host after STGI. */
	return 1;
}

static int svm_exit_inject_ud(struct svmhv_vcpu *vcpu)
{
	svm_vcpu_inject_ud(vcpu);
	return 1;
}

static int svm_exit_inject_gp(struct svmhv_vcpu *vcpu)
{
	svm_vcpu_inject_gp(vcpu);
	return 1;
}

/* #DB and #AC: intercepted only to bound delivery loops; give them back. */
static int svm_exit_reflect_exception(struct svmhv_vcpu *vcpu)
{
	struct vmcb_control *ctl = &vcpu->vmcb->control;
	u8 vector = ctl->exit_code - SVM_EXIT_EXCP_BASE;
	u32 info = ctl->exit_int_info;

	/* A single step svmhv asked for to open an NMI window? */
	if (vector == X86_TRAP_DB && svm_nmi_step_done(vcpu))
		return 1;
	/* An event whose delivery raised this one is re-delivered first;
	 * a faulting #AC recurs by itself when its instruction re-runs.
	 */
	if ((ctl->event_inj & SVM_EVT_VALID) || svm_exitintinfo_is_irq(info))
		return 1;
	svm_vcpu_inject_exception(vcpu, vector, vector == X86_TRAP_AC, 0);
	return 1;
}

static int svm_exit_cpuid(struct svmhv_vcpu *vcpu)
{
	struct vmcb_save *save = &vcpu->vmcb->save;
	u32 out[4];

	svm_inkernel_cpuid(vcpu, save->rax, vcpu->gprs[GPR_RCX], out);
	save->rax = out[0];
	vcpu->gprs[GPR_RBX] = out[1];
	vcpu->gprs[GPR_RCX] = out[2];
	vcpu->gprs[GPR_RDX] = out[3];
	return __svm_skip_insn(vcpu);
}

static int svm_exit_msr(struct svmhv_vcpu *vcpu)
{
	struct vmcb_save *save = &vcpu->vmcb->save;
	u32 msr = vcpu->gprs[GPR_RCX];
	u64 val;

	if (vcpu->vmcb->control.exit_info1) {		/* WRMSR */
		val = (vcpu->gprs[GPR_RDX] << 32) | (u32)save->rax;
		if (svm_inkernel_wrmsr(vcpu, msr, val))
			return svm_exit_inject_gp(vcpu);
	} else {
		if (svm_inkernel_rdmsr(vcpu, msr, &val))
			return svm_exit_inject_gp(vcpu);
		save->rax = (u32)val;
		vcpu->gprs[GPR_RDX] = val >> 32;
	}
	return __svm_skip_insn(vcpu);
}

static int svm_exit_hlt(struct svmhv_vcpu *vcpu)
{
	const struct svmhv_queued_events *q = &vcpu->events;

	/*
	 * A queued event that HLT does not hold off wakes the guest at once:
	 * an interrupt with IF=1, an NMI unless one is being handled.
	 */
	bool if_set = vcpu->vmcb->save.rflags & X86_EFLAGS_IF;
	int ret;

	if ((q->irq && if_set) || (q->nmi && !q->nmi_blocked))
		return __svm_skip_insn(vcpu);
	/*
	 * With an in-kernel APIC the vCPU sleeps in the kernel until an
	 * interrupt (IF=1), or an NMI or INIT from another vCPU (IF=0, more
	 * than one vCPU) can wake it.  Not while userspace's 8259 can reach
	 * it (LINT0 in ExtINT mode): that one lives in userspace.
	 */
	if (vcpu->lapic) {
		if (if_set && svm_lapic_has_irq(vcpu))
			return __svm_skip_insn(vcpu);
		if (!svm_lapic_accepts_extint(vcpu) &&
		    (if_set || READ_ONCE(vcpu->vm->nr_vcpus) > 1)) {
			ret = __svm_skip_insn(vcpu);
			if (ret == 1)
				vcpu->mp_state = SVMHV_MP_STATE_HALTED;
			return ret;
		}
	}
	vcpu->run->exit_reason = SVMHV_EXIT_HLT;
	__svm_skip_insn(vcpu);
	return 0;
}

/*
 * After a SHUTDOWN intercept the VMCB's contents are undefined (APM vol. 2,
 * 15.12), so nothing of it may reach userspace or the next VMRUN: the vCPU
 * is put back in its RESET state at once (its TSC keeps running), and
 * run->rip keeps the address of the instruction that triple-faulted.
 */
static int svm_exit_shutdown(struct svmhv_vcpu *vcpu)
{
	u64 tsc_offset = vcpu->vmcb->control.tsc_offset;

	svm_vcpu_reset(vcpu);
	vcpu->vmcb->control.tsc_offset = tsc_offset;
	if (vcpu->lapic)
		svm_lapic_reset(vcpu, true);
	vcpu->shutdown = true;
	vcpu->run->exit_reason = SVMHV_EXIT_SHUTDOWN;
	return 0;
}

/*
 * VMMCALL is not privileged (any CPL may execute it, APM vol. 3), so a
 * guest's user programs could otherwise speak to the VMM.  Only the guest
 * kernel may: from CPL > 0 the call fails in the guest with
 * SVMHV_HC_EPERM in RAX, as KVM answers -KVM_EPERM, and never leaves the
 * kernel.
 */
static int svm_exit_vmmcall(struct svmhv_vcpu *vcpu)
{
	struct svmhv_run *run = vcpu->run;
	u64 next;
	int ret;

	if (vcpu->vmcb->save.cpl) {
		vcpu->vmcb->save.rax = (u64)SVMHV_HC_EPERM;
		return __svm_skip_insn(vcpu);
	}
	/* The kernel's numbers (docs/hypercalls.md): answered here. */
	if (vcpu->vmcb->save.rax < SVMHV_HC_VMM_BASE) {
		if (vcpu->vmcb->save.rax == SVMHV_HC_ABI_VERSION) {
			vcpu->vmcb->save.rax = SVMHV_HC_ABI;
			vcpu->gprs[GPR_RBX] = 0;	/* no kernel features yet */
		} else {
			vcpu->vmcb->save.rax = (u64)SVMHV_HC_ENOSYS;
		}
		return svm_skip_insn(vcpu);
	}
	ret = svm_next_rip(vcpu, &next);
	if (ret == -EAGAIN)
		return 0;
	run->exit_reason = SVMHV_EXIT_HYPERCALL;
	run->hypercall.rax = vcpu->vmcb->save.rax;
	run->hypercall.rbx = vcpu->gprs[GPR_RBX];
	run->hypercall.rcx = vcpu->gprs[GPR_RCX];
	run->hypercall.rdx = vcpu->gprs[GPR_RDX];
	run->hypercall.rsi = vcpu->gprs[GPR_RSI];
	run->hypercall.rdi = vcpu->gprs[GPR_RDI];
	run->hypercall.ret = 0;
	vcpu->pending.kind = SVMHV_PENDING_HYPERCALL;
	vcpu->pending.next_rip = next;
	return 0;
}

/*
 * MOV to/from DR0-7.  The guest's DR0-3 and DR7 are shadows: they read
 * back what was written, but never reach the hardware, so a guest cannot
 * arm a breakpoint (VMCB DR7 stays 0x400).  DR6 is the VMCB's, which the
 * CPU updates on single-step.  DR4/DR5 alias DR6/DR7 unless CR4.DE
 * (APM vol. 2, 13.1.1.6).
 */
static int svm_exit_dr(struct svmhv_vcpu *vcpu)
{
	struct vmcb *vmcb = vcpu->vmcb;
	unsigned int code = vmcb->control.exit_code;
	unsigned int dr = code & 0xf, gpr;
	bool to_dr = code >= SVM_EXIT_WRITE_DR0;
	struct svm_insn insn;
	u64 val;

	if (svm_features.decode_assists) {
		gpr = vmcb->control.exit_info1 & 0xf;
	} else {
		bool decoded_to_dr;
		unsigned int decoded_dr;

		if (svm_decode_fetch(vcpu, &insn))
			return svm_exit_internal(vcpu, SVMHV_INTERNAL_FETCH,
						 NULL, 0);
		if (svm_decode_mov_dr(vcpu, &insn, &decoded_dr, &gpr,
				      &decoded_to_dr) ||
		    decoded_dr != dr || decoded_to_dr != to_dr)
			return svm_exit_internal(vcpu,
						 SVMHV_INTERNAL_EMULATION,
						 &insn, 0);
	}
	if (dr == 4 || dr == 5) {
		if (vmcb->save.cr4 & X86_CR4_DE)
			return svm_exit_inject_ud(vcpu);
		dr += 2;
	}
	if (dr > 7)
		return svm_exit_inject_ud(vcpu);

	if (to_dr) {
		val = svm_vcpu_read_gpr(vcpu, gpr);
		if (svm_decode_mode(vcpu) != 8)
			val &= 0xffffffff;
		if (dr < 4) {
			vcpu->dr[dr] = val;
		} else {
			if (val >> 32)
				return svm_exit_inject_gp(vcpu);
			if (dr == 6) {
				vmcb->save.dr6 = val | 0xffff0ff0;
				vcpu->vmcb_dirty |= SVM_CLEAN_DRX;
			} else {
				vcpu->dr7 = (val & ~0xd800ULL) | 0x400;
			}
		}
	} else {
		if (dr < 4)
			val = vcpu->dr[dr];
		else if (dr == 6)
			val = vmcb->save.dr6;
		else
			val = vcpu->dr7;
		if (svm_decode_mode(vcpu) != 8)
			val &= 0xffffffff;
		svm_vcpu_write_gpr(vcpu, gpr, val);
	}
	return __svm_skip_insn(vcpu);
}

/*
 * VMRUN refused the guest state (15.5.1 lists the checks).  The state
 * ioctls refuse everything VMRUN would (vcpu_state.c) and the CPU never
 * lets the guest reach an illegal combination, so this is a defence, and
 * the fail_vmrun test hook's way in.  The state is put back exactly as it
 * was before the VMRUN: a failed VMRUN may write the VMCB's save area and
 * the event fields (QEMU's emulated SVM stores host values there, moves
 * EVENTINJ to EXITINTINFO and rewrites V_IRQ), and neither host addresses
 * nor altered state may reach GET_REGS, nor may an event be lost.
 */
static int svm_exit_invalid(struct svmhv_vcpu *vcpu)
{
	struct vmcb_control *ctl = &vcpu->vmcb->control;

	if (vcpu->save_unverified)
		memcpy(&vcpu->vmcb->save, vcpu->save_snapshot,
		       sizeof(vcpu->vmcb->save));
	ctl->event_inj = vcpu->event_entered;
	ctl->event_inj_err = vcpu->event_err_entered;
	ctl->int_ctl = vcpu->int_ctl_entered;
	ctl->exit_int_info = 0;
	vcpu->vmcb_dirty = ~0u;
	vcpu->run->rip = vcpu->vmcb->save.rip;
	vcpu->run->exit_reason = SVMHV_EXIT_FAIL_ENTRY;
	vcpu->run->fail_entry.hardware_exit_code = SVM_EXIT_INVALID;
	return 0;
}

static int svm_exit_unhandled(struct svmhv_vcpu *vcpu)
{
	struct vmcb_control *ctl = &vcpu->vmcb->control;
	struct svmhv_run *run = vcpu->run;

	run->exit_reason = SVMHV_EXIT_UNHANDLED;
	run->unhandled.exit_code = ctl->exit_code;
	run->unhandled.exit_info1 = ctl->exit_info1;
	run->unhandled.exit_info2 = ctl->exit_info2;
	run->unhandled.exit_int_info = ctl->exit_int_info |
				       ((u64)ctl->exit_int_info_err << 32);
	return 0;
}

typedef int (*svm_exit_handler_t)(struct svmhv_vcpu *vcpu);

static const svm_exit_handler_t svm_exit_handlers[] = {
	[SVM_EXIT_READ_DR0 ... SVM_EXIT_READ_DR0 + 15]	= svm_exit_dr,
	[SVM_EXIT_WRITE_DR0 ... SVM_EXIT_WRITE_DR0 + 15] = svm_exit_dr,
	[SVM_EXIT_WRITE_CR4]			= svm_exit_write_cr4,
	[SVM_EXIT_WRITE_CR8]			= svm_exit_write_cr8,
	[SVM_EXIT_EXCP_BASE + X86_TRAP_DB]	= svm_exit_reflect_exception,
	[SVM_EXIT_EXCP_BASE + X86_TRAP_AC]	= svm_exit_reflect_exception,
	[SVM_EXIT_EXCP_BASE + X86_TRAP_MC]	= svm_exit_mc,
	[SVM_EXIT_INTR]				= svm_exit_host_event,
	[SVM_EXIT_NMI]				= svm_exit_host_event,
	[SVM_EXIT_SMI]				= svm_exit_host_event,
	[SVM_EXIT_INIT]				= svm_exit_host_event,
	[SVM_EXIT_VINTR]			= svm_exit_vintr,
	[SVM_EXIT_IRET]				= svm_exit_iret,
	[SVM_EXIT_RDPMC]			= svm_exit_inject_gp,
	[SVM_EXIT_CPUID]			= svm_exit_cpuid,
	[SVM_EXIT_INVD]				= svm_skip_insn,
	[SVM_EXIT_PAUSE]			= svm_exit_pause,
	[SVM_EXIT_HLT]				= svm_exit_hlt,
	[SVM_EXIT_INVLPGA]			= svm_exit_inject_ud,
	[SVM_EXIT_IOIO]				= svm_exit_ioio,
	[SVM_EXIT_MSR]				= svm_exit_msr,
	[SVM_EXIT_SHUTDOWN]			= svm_exit_shutdown,
	[SVM_EXIT_VMRUN]			= svm_exit_inject_ud,
	[SVM_EXIT_VMMCALL]			= svm_exit_vmmcall,
	[SVM_EXIT_VMLOAD]			= svm_exit_inject_ud,
	[SVM_EXIT_VMSAVE]			= svm_exit_inject_ud,
	[SVM_EXIT_STGI]				= svm_exit_inject_ud,
	[SVM_EXIT_CLGI]				= svm_exit_inject_ud,
	[SVM_EXIT_SKINIT]			= svm_exit_inject_ud,
	[SVM_EXIT_RDTSCP]			= svm_exit_inject_ud,
	[SVM_EXIT_WBINVD]			= svm_skip_insn,
	[SVM_EXIT_MONITOR]			= svm_exit_inject_ud,
	[SVM_EXIT_MWAIT]			= svm_exit_inject_ud,
	[SVM_EXIT_MWAIT_COND]			= svm_exit_inject_ud,
	[SVM_EXIT_XSETBV]			= svm_exit_xsetbv,
	[SVM_EXIT_RDPRU]			= svm_exit_inject_ud,
};

/*
 * An event whose delivery an exit interrupted (EXITINTINFO, 15.7.2) is
 * delivered again on the next VMRUN -- an external interrupt through
 * V_IRQ again (svm_irq_after_exit()), the others through EVENTINJ --
 * except those an instruction raised on purpose: INT n, INT3 and INTO.
 * RIP still points at that instruction, so injecting the event would push
 * the wrong return address and the instruction would run twice; letting
 * the guest execute it again delivers it exactly once.  A #BP or #OF that
 * svmhv itself injected (userspace queued it) came from no instruction:
 * it is recognised as the event this VMRUN carried, and delivered again.
 */
static void svm_requeue_interrupted_event(struct svmhv_vcpu *vcpu)
{
	struct vmcb_control *ctl = &vcpu->vmcb->control;
	u32 info = ctl->exit_int_info;
	u32 type = info & SVM_EVT_TYPE_MASK;
	u8 vector = info & SVM_EVT_VECTOR_MASK;
	u32 what = SVM_EVT_VALID | SVM_EVT_TYPE_MASK | SVM_EVT_VECTOR_MASK;

	if (svm_exitintinfo_is_irq(info) || type == SVM_EVT_TYPE_SOFT_INT)
		return;
	if (type == SVM_EVT_TYPE_EXCEPTION &&
	    (vector == X86_TRAP_BP || vector == X86_TRAP_OF) &&
	    (vcpu->event_entered & what) != (info & what))
		return;
	ctl->event_inj = info;
	ctl->event_inj_err = ctl->exit_int_info_err;
}

/* Which counter an exit code adds to (see struct svmhv_stats). */
static enum svmhv_stat svm_exit_stat(u64 code)
{
	switch (code) {
	case SVM_EXIT_IOIO:
		return SVMHV_STAT_IO;
	case SVM_EXIT_NPF:
		return SVMHV_STAT_NPF;
	case SVM_EXIT_HLT:
		return SVMHV_STAT_HLT;
	case SVM_EXIT_CPUID:
		return SVMHV_STAT_CPUID;
	case SVM_EXIT_MSR:
		return SVMHV_STAT_MSR;
	case SVM_EXIT_VMMCALL:
		return SVMHV_STAT_HYPERCALL;
	case SVM_EXIT_INTR:
	case SVM_EXIT_NMI:
	case SVM_EXIT_SMI:
	case SVM_EXIT_INIT:
		return SVMHV_STAT_HOST_EVENT;
	case SVM_EXIT_VINTR:
		return SVMHV_STAT_IRQ_WINDOW;
	case SVM_EXIT_PAUSE:
		return SVMHV_STAT_PAUSE;
	case SVM_EXIT_READ_DR0 ... SVM_EXIT_WRITE_DR0 + 15:
		return SVMHV_STAT_DR;
	case SVM_EXIT_EXCP_BASE ... SVM_EXIT_EXCP_BASE + 31:
		return SVMHV_STAT_EXCEPTION;
	default:
		return SVMHV_STAT_OTHER;
	}
}

/*
 * Count the exit and call its handler.  The exits a guest makes most
 * often are tested for first and called directly, as KVM's
 * svm_invoke_exit_handler() does: on a kernel with retpolines an indirect
 * call costs a thunk, and the counter is found in the same test.
 */
static int svm_exit_handle(struct svmhv_vcpu *vcpu, u64 code)
{
	switch (code) {
	case SVM_EXIT_IOIO:
		vcpu->stat[SVMHV_STAT_IO]++;
		return svm_exit_ioio(vcpu);
	case SVM_EXIT_MSR:
		vcpu->stat[SVMHV_STAT_MSR]++;
		return svm_exit_msr(vcpu);
	case SVM_EXIT_HLT:
		vcpu->stat[SVMHV_STAT_HLT]++;
		return svm_exit_hlt(vcpu);
	case SVM_EXIT_CPUID:
		vcpu->stat[SVMHV_STAT_CPUID]++;
		return svm_exit_cpuid(vcpu);
	case SVM_EXIT_NPF:
		vcpu->stat[SVMHV_STAT_NPF]++;
		return svm_exit_npf(vcpu);
	case SVM_EXIT_INTR:
		vcpu->stat[SVMHV_STAT_HOST_EVENT]++;
		return svm_exit_host_event(vcpu);
	}
	vcpu->stat[svm_exit_stat(code)]++;
	if (likely(code < ARRAY_SIZE(svm_exit_handlers) &&
		   svm_exit_handlers[code]))
		return svm_exit_handlers[code](vcpu);
	return svm_exit_unhandled(vcpu);
}

int svm_exit_dispatch(struct svmhv_vcpu *vcpu)
{
	struct vmcb_control *ctl = &vcpu->vmcb->control;
	u64 code = ctl->exit_code;
	int ret;

	vcpu->stat[SVMHV_STAT_EXITS]++;
	/*
	 * A VMRUN that failed its checks delivered nothing: EVENTINJ, V_IRQ
	 * and the NMI bookkeeping stay exactly as they were, so the event is
	 * delivered by the next VMRUN that succeeds.  Some implementations
	 * (QEMU's) write only the low half of -1.
	 */
	if (unlikely(svm_exit_code_is_invalid(code))) {
		vcpu->stat[SVMHV_STAT_OTHER]++;
		return svm_exit_invalid(vcpu);
	}
	vcpu->save_unverified = false;
	/*
	 * An exit in the middle of delivering an event (e.g. a nested page
	 * fault on the guest's IDT or stack) must not lose it.
	 */
	ctl->event_inj = 0;
	if (vcpu->events.irq_armed)
		svm_irq_after_exit(vcpu);
	if (vcpu->lapic)
		svm_lapic_after_exit(vcpu);
	if (ctl->exit_int_info & SVM_EVT_VALID)
		svm_requeue_interrupted_event(vcpu);

	ret = svm_exit_handle(vcpu, code);
	/* The guest EOIed a level-triggered vector: userspace's I/O APIC. */
	if (unlikely(vcpu->lapic) && ret == 1 && svm_lapic_eoi_exit(vcpu))
		return 0;
	return ret;
}
