// SPDX-License-Identifier: GPL-2.0
/*
 * Events for the guest: external interrupts, NMIs and exceptions queued
 * by userspace (SVMHV_INJECT_EVENT), delivered through EVENTINJ (APM vol.
 * 2, 15.20) at an entry where the guest can take them.
 *
 * An external interrupt needs RFLAGS.IF=1 and no interrupt shadow.  When
 * the guest is not ready, we ask the CPU to tell us when it is: a virtual
 * interrupt (V_IRQ, priority above any TPR) plus the VINTR intercept makes
 * #VMEXIT(VINTR) happen exactly when the guest would accept it (15.21.4),
 * and the next entry injects the real vector.  Userspace that drives an
 * interrupt controller uses the same window through
 * run->request_interrupt_window and SVMHV_EXIT_IRQ_WINDOW_OPEN.
 *
 * NMIs are blocked from delivery until the guest's handler IRETs; without
 * virtual NMI support the hypervisor tracks that itself: IRET is
 * intercepted while an NMI is in service, and NMIs are unblocked once the
 * guest has moved past the IRET.
 */
#include <linux/kernel.h>
#include <asm/processor-flags.h>
#include <asm/traps.h>

#include "svm.h"
#include "../svmhv_trace.h"

#define SVM_V_IRQ		BIT(8)
#define SVM_V_INTR_PRIO_MAX	(0xfu << 16)
#define SVM_V_IGN_TPR		BIT(20)
#define SVM_V_IRQ_WINDOW	(SVM_V_IRQ | SVM_V_INTR_PRIO_MAX | SVM_V_IGN_TPR)
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

bool svm_vcpu_interruptible(struct svmhv_vcpu *vcpu)
{
	struct vmcb *vmcb = vcpu->vmcb;

	return (vmcb->save.rflags & X86_EFLAGS_IF) &&
	       !(vmcb->control.int_state & 1) &&
	       !(vmcb->control.event_inj & SVM_EVT_VALID);
}

static void svm_irq_window(struct svmhv_vcpu *vcpu, bool open)
{
	struct vmcb_control *ctl = &vcpu->vmcb->control;
	bool is_open = ctl->intercept_misc1 & SVM_INTERCEPT_VINTR;

	if (open == is_open)
		return;
	if (open) {
		ctl->int_ctl |= SVM_V_IRQ_WINDOW;
		ctl->intercept_misc1 |= SVM_INTERCEPT_VINTR;
	} else {
		ctl->int_ctl &= ~SVM_V_IRQ_WINDOW;
		ctl->intercept_misc1 &= ~SVM_INTERCEPT_VINTR;
	}
	vcpu->vmcb_dirty |= SVM_CLEAN_TPR | SVM_CLEAN_INTERCEPTS;
}

static void svm_inject(struct svmhv_vcpu *vcpu, u32 type, u8 vector,
		       bool has_error, u32 error)
{
	struct vmcb_control *ctl = &vcpu->vmcb->control;

	ctl->event_inj = SVM_EVT_VALID | type | vector |
			 (has_error ? SVM_EVT_ERROR_VALID : 0);
	ctl->event_inj_err = error;
	vcpu->stat[SVMHV_STAT_INJECTED]++;
	trace_svmhv_inject(vcpu->id, type >> SVM_EVT_TYPE_SHIFT, vector, error);
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
		} else if (q->nmi && !q->nmi_blocked) {
			svm_inject(vcpu, SVM_EVT_TYPE_NMI, X86_TRAP_NMI, false,
				   0);
			q->nmi = false;
			q->nmi_blocked = true;
			vmcb->control.intercept_misc1 |= SVM_INTERCEPT_IRET;
			vcpu->vmcb_dirty |= SVM_CLEAN_INTERCEPTS;
		} else if (q->irq && svm_vcpu_interruptible(vcpu)) {
			svm_inject(vcpu, SVM_EVT_TYPE_INTR, q->irq_vector,
				   false, 0);
			q->irq = false;
		}
	}

	if (READ_ONCE(vcpu->run->request_interrupt_window) && !q->irq &&
	    svm_vcpu_interruptible(vcpu)) {
		svm_irq_window(vcpu, false);
		vcpu->run->exit_reason = SVMHV_EXIT_IRQ_WINDOW_OPEN;
		return 0;
	}
	want_window = q->irq || READ_ONCE(vcpu->run->request_interrupt_window);
	svm_irq_window(vcpu, want_window);
	return 1;
}

/*
 * The guest can take an interrupt now: close the window, and let
 * svm_inject_prepare() deliver the interrupt or report the window.
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

void svm_report_irq_state(struct svmhv_vcpu *vcpu)
{
	struct svmhv_run *run = vcpu->run;

	run->irq_queued = vcpu->events.irq;
	run->ready_for_interrupt = !vcpu->events.irq &&
				   svm_vcpu_interruptible(vcpu);
}
