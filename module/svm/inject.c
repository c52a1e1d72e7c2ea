// SPDX-License-Identifier: GPL-2.0
/*
 * Events for the guest: external interrupts, NMIs and exceptions queued
 * by userspace (SVMHV_INJECT_EVENT).
 *
 * NMIs and exceptions go through EVENTINJ (APM vol. 2, 15.20) at the next
 * entry where the guest can take them.  External interrupts go through the
 * virtual interrupt instead (V_IRQ with V_INTR_VECTOR, 15.21.4): the CPU
 * itself delivers the vector as soon as the guest has RFLAGS.IF=1 and no
 * interrupt shadow, without an exit to wait for that moment, and clears
 * V_IRQ when it has taken it.  V_IGN_TPR is set because an interrupt from
 * a userspace 8259 is not subject to the task priority, just as ExtINT is
 * not on real hardware.  (It also avoids an EVENTINJ quirk of QEMU's
 * emulated SVM, which delivers an EVENTINJ interrupt a second time at its
 * next internal loop exit; see docs/testing.md.)
 *
 * Userspace that drives an interrupt controller asks, through
 * run->request_interrupt_window, to be told when the guest can take an
 * interrupt: V_IRQ plus the VINTR intercept makes #VMEXIT(VINTR) happen
 * exactly then (15.21.4), and RUN returns SVMHV_EXIT_IRQ_WINDOW_OPEN.
 *
 * NMIs are blocked from delivery until the guest's handler IRETs; without
 * virtual NMI support the hypervisor tracks that itself: IRET is
 * intercepted while an NMI is in service, and NMIs are unblocked once the
 * guest has moved past the IRET.  An NMI is also held off by an interrupt
 * shadow (STI, MOV SS: APM vol. 2, 15.21.5 and 8.5) and by an event
 * already in EVENTINJ.  When a queued NMI waits for one of those to end,
 * the guest runs one instruction with RFLAGS.TF set (the #DB intercept
 * brings it back, as KVM does without vNMI): the NMI is then injected
 * right after the IRET or the shadowed instruction, not at whatever exit
 * happens to come next.  A guest's own single-stepping is preserved: its
 * TF is put back, and its #DB delivered.
 *
 * In real mode no exception pushes an error code (APM vol. 2, 8.2), so
 * none is injected there whatever the vector.
 */
#include <linux/kernel.h>
#include <asm/processor-flags.h>
#include <asm/traps.h>

#include "svm.h"
#include "../svmhv_trace.h"

#define SVM_V_IRQ		BIT(8)
#define SVM_V_INTR_PRIO_MAX	(0xfu << 16)
#define SVM_V_IGN_TPR		BIT(20)
#define SVM_V_IRQ_BITS		(SVM_V_IRQ | SVM_V_INTR_PRIO_MAX | SVM_V_IGN_TPR)
#define SVM_INTERCEPT_IRET	BIT(20)

/* Exceptions that push an error code (APM vol. 2, 8.2). */
#define SVM_EXC_WITH_ERROR	(BIT(X86_TRAP_DF) | BIT(X86_TRAP_TS) |	\
				 BIT(X86_TRAP_NP) | BIT(X86_TRAP_SS) |	\
				 BIT(X86_TRAP_GP) | BIT(X86_TRAP_PF) |	\
				 BIT(X86_TRAP_AC) | BIT(21) | BIT(29) | BIT(30))

int svm_vcpu_queue_event(struct svmhv_vcpu *vcpu, const struct svmhv_event *ev)
{
	struct svmhv_queued_events *q = &vcpu->events;

	if (ev->pad[0] || ev->pad[1] || ev->pad[2] || ev->pad[3] ||
	    ev->pad[4] || ev->pad2 || ev->reserved[0] || ev->reserved[1] ||
	    ev->has_error > 1)
		return -EINVAL;
	switch (ev->kind) {
	case SVMHV_EVENT_IRQ:
		if (ev->vector < 32 || ev->has_error)
			return -EINVAL;
		if (q->irq)
			return -EBUSY;
		q->irq = true;
		q->irq_vector = ev->vector;
		return 0;
	case SVMHV_EVENT_NMI:
		if (ev->vector || ev->has_error)
			return -EINVAL;
		if (q->nmi)
			return -EBUSY;
		q->nmi = true;
		return 0;
	case SVMHV_EVENT_EXCEPTION:
		if (ev->vector > 31 || ev->vector == X86_TRAP_NMI ||
		    (ev->has_error && !(SVM_EXC_WITH_ERROR & BIT(ev->vector))))
			return -EINVAL;
		if (q->exc)
			return -EBUSY;
		q->exc = true;
		q->exc_vector = ev->vector;
		q->exc_has_error = ev->has_error;
		q->exc_error = ev->error_code;
		return 0;
	default:
		return -EINVAL;
	}
}

/* Only while no interrupt is queued: the two share V_IRQ. */
static __always_inline void svm_irq_window(struct svmhv_vcpu *vcpu,
					   bool open)
{
	struct vmcb_control *ctl = &vcpu->vmcb->control;
	bool is_open = ctl->intercept_misc1 & SVM_INTERCEPT_VINTR;

	if (open == is_open)
		return;
	if (open) {
		ctl->int_ctl |= SVM_V_IRQ_BITS;
		ctl->intercept_misc1 |= SVM_INTERCEPT_VINTR;
	} else {
		ctl->int_ctl &= ~SVM_V_IRQ_BITS;
		ctl->intercept_misc1 &= ~SVM_INTERCEPT_VINTR;
	}
	vcpu->vmcb_dirty |= SVM_CLEAN_TPR | SVM_CLEAN_INTERCEPTS;
}

/* Hand the queued interrupt to the CPU as the virtual interrupt. */
static void svm_irq_arm(struct svmhv_vcpu *vcpu)
{
	struct svmhv_queued_events *q = &vcpu->events;
	struct vmcb_control *ctl = &vcpu->vmcb->control;

	if (q->irq_armed)
		return;
	svm_irq_window(vcpu, false);
	ctl->int_vector = q->irq_vector;
	ctl->int_ctl |= SVM_V_IRQ_BITS;
	q->irq_armed = true;
	vcpu->vmcb_dirty |= SVM_CLEAN_TPR;
	trace_svmhv_inject(vcpu->id, SVM_EVT_TYPE_INTR >> SVM_EVT_TYPE_SHIFT,
			   q->irq_vector, 0);
}

/*
 * After every exit while an interrupt is armed (svm_exit_dispatch() tests
 * irq_armed itself, to save the call otherwise): has the CPU taken it?
 * It clears V_IRQ when it does (15.21.4).  An exit during the delivery
 * itself (a nested page fault on the guest's IDT or stack) reports the
 * interrupt in EXITINTINFO (15.7.2): it stays queued and is armed again,
 * so it is delivered exactly once.
 */
void svm_irq_after_exit(struct svmhv_vcpu *vcpu)
{
	struct svmhv_queued_events *q = &vcpu->events;
	struct vmcb_control *ctl = &vcpu->vmcb->control;
	u32 info = ctl->exit_int_info;

	if (!q->irq_armed || (ctl->int_ctl & SVM_V_IRQ))
		return;
	q->irq_armed = false;
	if (svm_exitintinfo_is_irq(info)) {
		q->irq_vector = info & SVM_EVT_VECTOR_MASK;
		return;
	}
	q->irq = false;
	vcpu->stat[SVMHV_STAT_INJECTED]++;
}

static void svm_inject(struct svmhv_vcpu *vcpu, u32 type, u8 vector,
		       bool has_error, u32 error)
{
	struct vmcb_control *ctl = &vcpu->vmcb->control;

	if (!(vcpu->vmcb->save.cr0 & X86_CR0_PE))
		has_error = false;
	ctl->event_inj = SVM_EVT_VALID | type | vector |
			 (has_error ? SVM_EVT_ERROR_VALID : 0);
	ctl->event_inj_err = error;
	vcpu->stat[SVMHV_STAT_INJECTED]++;
	trace_svmhv_inject(vcpu->id, type >> SVM_EVT_TYPE_SHIFT, vector, error);
}

/* Run one instruction and come back: see the comment at the top. */
static void svm_nmi_step_start(struct svmhv_vcpu *vcpu)
{
	struct svmhv_queued_events *q = &vcpu->events;
	struct vmcb_save *save = &vcpu->vmcb->save;

	if (q->nmi_step)
		return;
	q->nmi_step = true;
	q->nmi_step_guest_tf = save->rflags & X86_EFLAGS_TF;
	save->rflags |= X86_EFLAGS_TF;
}

/*
 * An intercepted #DB: was it the step svmhv asked for?  Returns true if
 * nothing is left for the guest; false if the #DB is (also) the guest's
 * own, to be reflected.
 */
bool svm_nmi_step_done(struct svmhv_vcpu *vcpu)
{
	struct svmhv_queued_events *q = &vcpu->events;
	struct vmcb_save *save = &vcpu->vmcb->save;

	if (!q->nmi_step)
		return false;
	q->nmi_step = false;
	/*
	 * The flags are the guest's again, unless the instruction loaded
	 * them (IRET, POPF): then TF is whatever the guest chose, left
	 * alone.  Telling the two apart would need decoding; the cases
	 * where the guess is wrong (the guest's own TF set by that very
	 * IRET while it did not step before) only lose one guest #DB.
	 */
	if (!q->nmi_step_guest_tf) {
		save->rflags &= ~X86_EFLAGS_TF;
		if (!(save->dr6 & ~(u64)(SVM_DR6_BS | SVM_DR6_FIXED_1)))
			save->dr6 &= ~(u64)SVM_DR6_BS;
		vcpu->vmcb_dirty |= SVM_CLEAN_DRX;
		return true;
	}
	return false;
}

/*
 * Before each entry: deliver what can be delivered now, and arrange to be
 * told when the rest can.  Returns 1 to enter the guest, 0 to return to
 * userspace with SVMHV_EXIT_IRQ_WINDOW_OPEN.
 */
int svm_inject_prepare(struct svmhv_vcpu *vcpu)
{
	struct svmhv_queued_events *q = &vcpu->events;
	struct vmcb *vmcb = vcpu->vmcb;
	bool want_window;

	if (q->awaiting_iret && vmcb->save.rip != q->iret_rip) {
		q->awaiting_iret = false;
		q->nmi_blocked = false;
	}
	/* An event whose delivery an exit interrupted goes first. */
	if (!(vmcb->control.event_inj & SVM_EVT_VALID)) {
		if (q->exc) {
			svm_inject(vcpu, SVM_EVT_TYPE_EXCEPTION, q->exc_vector,
				   q->exc_has_error, q->exc_error);
			q->exc = false;
		} else if (q->nmi && !q->nmi_blocked &&
			   !(vmcb->control.int_state & 1)) {
			/* The NMI must not push svmhv's TF. */
			svm_nmi_step_done(vcpu);
			svm_inject(vcpu, SVM_EVT_TYPE_NMI, X86_TRAP_NMI, false,
				   0);
			q->nmi = false;
			q->nmi_blocked = true;
			vmcb->control.intercept_misc1 |= SVM_INTERCEPT_IRET;
			vcpu->vmcb_dirty |= SVM_CLEAN_INTERCEPTS;
		}
	}
	/*
	 * Still queued, and held off by something one instruction ends (the
	 * IRET about to run, a shadow)?  Step it.  An NMI handler that has
	 * not reached its IRET is not stepped: the IRET intercept comes
	 * first.  Nor is an entry that delivers another event: its delivery
	 * would push svmhv's TF onto the guest's stack, and the handler's
	 * IRET would bring it back; the NMI goes in at the next exit.
	 */
	if (q->nmi && (!q->nmi_blocked || q->awaiting_iret) &&
	    !(vmcb->control.event_inj & SVM_EVT_VALID))
		svm_nmi_step_start(vcpu);
	/*
	 * The in-kernel APIC's vectors first; userspace's 8259 (ExtINT) only
	 * where LINT0 lets it through (lapic.c), or without an APIC.
	 */
	if (vcpu->lapic && !q->irq_armed && svm_lapic_arm(vcpu)) {
		if (vmcb->control.intercept_misc1 & SVM_INTERCEPT_VINTR) {
			vmcb->control.intercept_misc1 &= ~SVM_INTERCEPT_VINTR;
			vcpu->vmcb_dirty |= SVM_CLEAN_INTERCEPTS;
		}
		return 1;
	}
	if (q->irq && (!vcpu->lapic || q->irq_armed ||
		       svm_lapic_accepts_extint(vcpu))) {
		svm_irq_arm(vcpu);
		return 1;
	}

	/*
	 * With an interrupt still queued the window waits: it is looked at
	 * again at the first exit after the CPU has taken that interrupt.
	 */
	want_window = READ_ONCE(vcpu->run->request_interrupt_window);
	/*
	 * The window is for userspace's 8259: it never opens while the
	 * in-kernel APIC's LINT0 keeps ExtINT out (masked, or not ExtINT).
	 */
	if (want_window && vcpu->lapic && !svm_lapic_accepts_extint(vcpu))
		want_window = false;
	if (want_window && svm_vcpu_interruptible(vcpu)) {
		svm_irq_window(vcpu, false);
		vcpu->run->exit_reason = SVMHV_EXIT_IRQ_WINDOW_OPEN;
		return 0;
	}
	svm_irq_window(vcpu, want_window);
	return 1;
}

/*
 * The guest can take an interrupt now: close the window, and let
 * svm_inject_prepare() report it.
 */
int svm_exit_vintr(struct svmhv_vcpu *vcpu)
{
	svm_irq_window(vcpu, false);
	return 1;
}

/* The guest is about to leave its NMI handler. */
int svm_exit_iret(struct svmhv_vcpu *vcpu)
{
	struct svmhv_queued_events *q = &vcpu->events;

	vcpu->vmcb->control.intercept_misc1 &= ~SVM_INTERCEPT_IRET;
	vcpu->vmcb_dirty |= SVM_CLEAN_INTERCEPTS;
	q->awaiting_iret = true;
	q->iret_rip = vcpu->vmcb->save.rip;
	return 1;
}

/* ---- save and restore (SVMHV_GET/SET_VCPU_EVENTS) ---------------------- */

void svm_vcpu_get_events(struct svmhv_vcpu *vcpu, struct svmhv_vcpu_events *e)
{
	const struct svmhv_queued_events *q = &vcpu->events;
	const struct vmcb_control *ctl = &vcpu->vmcb->control;

	memset(e, 0, sizeof(*e));
	if (ctl->event_inj & SVM_EVT_VALID) {
		e->event_inj = ctl->event_inj;
		e->event_inj_err = ctl->event_inj_err;
	}
	e->interrupt_shadow = ctl->int_state & 1;
	e->nmi_pending = q->nmi;
	e->nmi_masked = q->nmi_blocked;
	e->irq_pending = q->irq;
	e->irq_vector = q->irq ? q->irq_vector : 0;
	e->exception_pending = q->exc;
	if (q->exc) {
		e->exception_vector = q->exc_vector;
		e->exception_has_error = q->exc_has_error;
		e->exception_error = q->exc_error;
	}
}

/* An EVENTINJ value VMRUN accepts and the guest could have (15.20). */
static bool svm_event_inj_valid(u32 inj, u32 err)
{
	u32 type = inj & SVM_EVT_TYPE_MASK;
	u8 vector = inj & SVM_EVT_VECTOR_MASK;

	if (!(inj & SVM_EVT_VALID))
		return !inj && !err;
	if (inj & ~(SVM_EVT_VALID | SVM_EVT_ERROR_VALID | SVM_EVT_TYPE_MASK |
		    SVM_EVT_VECTOR_MASK))
		return false;
	if (!(inj & SVM_EVT_ERROR_VALID) && err)
		return false;
	switch (type) {
	case SVM_EVT_TYPE_INTR:
	case SVM_EVT_TYPE_SOFT_INT:
		return !(inj & SVM_EVT_ERROR_VALID);
	case SVM_EVT_TYPE_NMI:
		return vector == X86_TRAP_NMI && !(inj & SVM_EVT_ERROR_VALID);
	case SVM_EVT_TYPE_EXCEPTION:
		return vector < 32 && vector != X86_TRAP_NMI &&
		       (!(inj & SVM_EVT_ERROR_VALID) ||
			(SVM_EXC_WITH_ERROR & BIT(vector)));
	default:
		return false;
	}
}

int svm_vcpu_set_events(struct svmhv_vcpu *vcpu,
			const struct svmhv_vcpu_events *e)
{
	struct svmhv_queued_events *q = &vcpu->events;
	struct vmcb_control *ctl = &vcpu->vmcb->control;
	int i;

	for (i = 0; i < ARRAY_SIZE(e->reserved); i++)
		if (e->reserved[i])
			return -EINVAL;
	if (e->pad || e->interrupt_shadow > 1 || e->nmi_pending > 1 ||
	    e->nmi_masked > 1 || e->irq_pending > 1 ||
	    e->exception_pending > 1 || e->exception_has_error > 1 ||
	    !svm_event_inj_valid(e->event_inj, e->event_inj_err))
		return -EINVAL;
	if (e->irq_pending ? e->irq_vector < 32 : e->irq_vector)
		return -EINVAL;
	if (e->exception_pending ?
	    (e->exception_vector > 31 || e->exception_vector == X86_TRAP_NMI ||
	     (e->exception_has_error &&
	      !(SVM_EXC_WITH_ERROR & BIT(e->exception_vector)))) :
	    (e->exception_vector || e->exception_has_error ||
	     e->exception_error))
		return -EINVAL;

	/* svmhv's own stepping towards an NMI ends; it restarts if needed. */
	if (q->nmi_step && !q->nmi_step_guest_tf)
		vcpu->vmcb->save.rflags &= ~X86_EFLAGS_TF;
	q->nmi_step = false;
	/* The 8259 interrupt leaves V_IRQ; the next entry arms it again. */
	if (q->irq_armed) {
		ctl->int_ctl &= ~SVM_V_IRQ_BITS;
		q->irq_armed = false;
	}
	ctl->event_inj = e->event_inj;
	ctl->event_inj_err = e->event_inj_err;
	ctl->int_state = (ctl->int_state & ~1u) | e->interrupt_shadow;
	q->nmi = e->nmi_pending;
	q->nmi_blocked = e->nmi_masked;
	q->awaiting_iret = false;
	if (q->nmi_blocked)
		ctl->intercept_misc1 |= SVM_INTERCEPT_IRET;
	else
		ctl->intercept_misc1 &= ~SVM_INTERCEPT_IRET;
	q->irq = e->irq_pending;
	q->irq_vector = e->irq_vector;
	q->exc = e->exception_pending;
	q->exc_vector = e->exception_vector;
	q->exc_has_error = e->exception_has_error;
	q->exc_error = e->exception_error;
	vcpu->vmcb_dirty |= SVM_CLEAN_INTERCEPTS | SVM_CLEAN_TPR;
	return 0;
}
