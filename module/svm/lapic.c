// SPDX-License-Identifier: GPL-2.0
/*
 * The local APIC, emulated in the kernel (AMD APM vol. 2, chapter 16), so
 * that a guest's timer interrupts, IPIs and idle loop cost no trip to
 * userspace.
 *
 * Registers (16.3.2, table 16-2) are reached through the xAPIC page at the
 * APIC base (nested page faults on it, npf.c) or, in x2APIC mode, through
 * MSRs 0x800 + offset / 16 (the x2APIC register map of APM vol. 2, 16.11,
 * as Intel's SDM vol. 3, 11.12.1 defines it).  Interrupts reach the
 * guest as the virtual interrupt (V_IRQ, V_INTR_VECTOR, V_INTR_PRIO,
 * 15.21.4) with V_IGN_TPR clear, so the CPU itself holds a vector back
 * while the guest's CR8 (V_TPR) is at or above its priority class; the
 * in-service priority it does not know is checked here before arming
 * (svm_lapic_next_irq()).  When the CPU has taken the vector (V_IRQ clear
 * after an exit, EXITINTINFO not naming it), it moves from IRR to ISR.
 *
 * The timer counts at 1 GHz (one count per nanosecond before the divider,
 * 16.4.2) on an hrtimer; in TSC-deadline mode the deadline is converted to
 * host time with the TSC frequency.  Periodic timers are held to at least
 * SVM_LAPIC_MIN_PERIOD_NS, so that a guest cannot flood its host CPU with
 * timer interrupts (KVM has the same floor).
 *
 * Interprocessor interrupts (16.5) and MSIs from userspace are delivered
 * here to every matching APIC of the VM: physical or logical (flat and
 * cluster models; x2APIC's cluster form) destinations, the shorthands,
 * fixed, lowest-priority (to the matching APIC with the lowest TPR),
 * NMI, INIT and SIPI.  SMI and ExtINT through the ICR are not supported
 * (ignored, as by an APIC that has no such source).  The APIC ID is the
 * vCPU id and cannot be changed.
 */
#include <linux/hrtimer.h>
#include <linux/kernel.h>
#include <linux/math64.h>
#include <linux/rcupdate.h>
#include <linux/rcuwait.h>
#include <linux/slab.h>
#include <asm/apicdef.h>
#include <asm/msr-index.h>
#include <asm/smp.h>
#include <asm/tsc.h>

#include "svm.h"
#include "lapic.h"

#define SVM_LAPIC_VERSION	0x00050010	/* integrated, 6 LVT entries */
#define SVM_LAPIC_MIN_PERIOD_NS	200000ULL
#define SVM_APICBASE_EXTD	BIT_ULL(10)
#define SVM_LVT_TIMER_MODE	(3u << 17)
#define SVM_X2APIC_MSR_BASE	0x800
#define SVM_X2APIC_MSR_LAST	0x8ff
#define SVM_V_IRQ		BIT(8)
#define SVM_V_INTR_PRIO_SHIFT	16
#define SVM_V_INTR_PRIO_MASK	(0xfu << SVM_V_INTR_PRIO_SHIFT)
#define SVM_V_IGN_TPR		BIT(20)

/* Writable bits of each LVT entry (16.4.1 and 16.4.2). */
#define SVM_LVT_TIMER_BITS	(0xff | APIC_LVT_MASKED | SVM_LVT_TIMER_MODE)
#define SVM_LVT_LINT_BITS	(0xff | APIC_MODE_MASK | APIC_INPUT_POLARITY | \
				 APIC_LVT_LEVEL_TRIGGER | APIC_LVT_MASKED)
#define SVM_LVT_OTHER_BITS	(0xff | APIC_MODE_MASK | APIC_LVT_MASKED)
#define SVM_LVT_ERROR_BITS	(0xff | APIC_LVT_MASKED)

static const u32 svm_lapic_lvts[] = {
	APIC_LVTT, APIC_LVTTHMR, APIC_LVTPC, APIC_LVT0, APIC_LVT1, APIC_LVTERR,
};

static u32 lapic_get(const struct svm_lapic *a, u32 off)
{
	return READ_ONCE(a->regs[off >> 2]);
}

static void lapic_set(struct svm_lapic *a, u32 off, u32 val)
{
	WRITE_ONCE(a->regs[off >> 2], val);
}

/* The register of an IRR/ISR/TMR bank holding vector, for bit ops. */
static unsigned long *lapic_bank(struct svm_lapic *a, u32 bank, u8 vector)
{
	return (unsigned long *)&a->regs[(bank + (vector >> 5) * 0x10) >> 2];
}

/* Highest vector set in a bank, -1 if none. */
static int lapic_highest(const struct svm_lapic *a, u32 bank)
{
	int i;

	for (i = 7; i >= 0; i--) {
		u32 w = lapic_get(a, bank + i * 0x10);

		if (w)
			return i * 32 + fls(w) - 1;
	}
	return -1;
}

static bool lapic_hw_enabled(const struct svm_lapic *a)
{
	return a->base & MSR_IA32_APICBASE_ENABLE;
}

static bool lapic_x2apic(const struct svm_lapic *a)
{
	return (a->base & SVM_APICBASE_EXTD) && lapic_hw_enabled(a);
}

static bool lapic_sw_enabled(const struct svm_lapic *a)
{
	return lapic_get(a, APIC_SPIV) & APIC_SPIV_APIC_ENABLED;
}

static u32 lapic_x2apic_ldr(u32 id)
{
	return ((id >> 4) << 16) | BIT(id & 0xf);
}

/* ---- kicking a vCPU --------------------------------------------------- */

/*
 * Make the vCPU look at its APIC soon: wake it if it sleeps (HLT, wait for
 * SIPI), or force a #VMEXIT with an IPI to the CPU it runs on (15.21.1:
 * physical interrupts are intercepted).  Any context; pairs with the
 * in_guest/requests check in svm_vcpu_enter_exit().
 */
void svm_vcpu_kick(struct svmhv_vcpu *vcpu)
{
	void (*resched)(int cpu) = smp_ops.smp_send_reschedule;
	int cpu, me;

	set_bit(SVMHV_REQ_EVENT, &vcpu->requests);
	/* The request before in_guest is read: pairs with the smp_mb() in
	 * svm_vcpu_enter_exit() between setting in_guest and reading requests.
	 */
	smp_mb__after_atomic();
	if (rcuwait_wake_up(&vcpu->wait))
		return;
	me = get_cpu();
	cpu = READ_ONCE(vcpu->last_cpu);
	/*
	 * The reschedule IPI, as the kernel's own helper sends it; taken from
	 * the ops table because 6.12's helper is a macro around a tracepoint
	 * that modules cannot use.
	 */
	if (cpu >= 0 && cpu != me && READ_ONCE(vcpu->in_guest))
		resched(cpu);
	put_cpu();
}

/* ---- accepting an interrupt (any context) ------------------------------ */

/* Latch an error (16.4.6) and raise the error interrupt if unmasked. */
static void lapic_error(struct svmhv_vcpu *vcpu, u32 bit);

static bool lapic_accept(struct svmhv_vcpu *t, u32 mode, u8 vector,
			 bool level_trig)
{
	struct svm_lapic *a = t->lapic;

	switch (mode) {
	case APIC_DM_FIXED:
	case APIC_DM_LOWEST:
		if (!lapic_hw_enabled(a) || !lapic_sw_enabled(a))
			return false;
		if (vector < 16) {
			lapic_error(t, APIC_ESR_RECVILL);
			return false;
		}
		if (level_trig)
			set_bit(vector & 31, lapic_bank(a, APIC_TMR, vector));
		else
			clear_bit(vector & 31, lapic_bank(a, APIC_TMR, vector));
		set_bit(vector & 31, lapic_bank(a, APIC_IRR, vector));
		break;
	case APIC_DM_NMI:
		set_bit(SVM_LAPIC_PENDING_NMI, &a->pending);
		break;
	case APIC_DM_INIT:
		set_bit(SVM_LAPIC_PENDING_INIT, &a->pending);
		break;
	case APIC_DM_STARTUP:
		WRITE_ONCE(a->sipi_vector, vector);
		/* The vector before the flag: svm_lapic_take_events() reads
		 * the flag, then (smp_rmb()) the vector.
		 */
		smp_wmb();
		set_bit(SVM_LAPIC_PENDING_SIPI, &a->pending);
		break;
	default:			/* SMI, ExtINT, remote read */
		return false;
	}
	svm_vcpu_kick(t);
	return true;
}

static void lapic_error(struct svmhv_vcpu *vcpu, u32 bit)
{
	struct svm_lapic *a = vcpu->lapic;
	u32 lvt = lapic_get(a, APIC_LVTERR);

	WRITE_ONCE(a->esr_pending, READ_ONCE(a->esr_pending) | bit);
	if (!(lvt & APIC_LVT_MASKED) && (lvt & 0xff) >= 16)
		lapic_accept(vcpu, APIC_DM_FIXED, lvt & 0xff, false);
}

/* Does APIC a answer to destination dest (16.6)? */
static bool lapic_match(const struct svm_lapic *a, u32 id, u32 dest,
			bool logical, bool wide)
{
	u32 ldr;

	if (!lapic_hw_enabled(a))
		return false;
	if (!wide)
		dest &= 0xff;
	if (!logical)
		return dest == (wide ? 0xffffffffu : 0xffu) ||
		       dest == (lapic_x2apic(a) ? id : (id & 0xff));
	if (lapic_x2apic(a)) {
		if (dest == 0xffffffffu || (!wide && dest == 0xff))
			return true;
		ldr = lapic_x2apic_ldr(id);
		return (dest >> 16) == (ldr >> 16) && (dest & ldr & 0xffff);
	}
	if (dest == 0xff)
		return true;
	ldr = lapic_get(a, APIC_LDR) >> 24;
	if ((lapic_get(a, APIC_DFR) >> 28) == 0xf)		/* flat */
		return dest & ldr;
	return (dest >> 4) == (ldr >> 4) && (dest & ldr & 0xf);	/* cluster */
}

/*
 * Deliver to every matching APIC of the VM; returns how many accepted.
 * src is the sending vCPU for the shorthands, NULL for an MSI.
 */
static int lapic_deliver(struct svmhv_vm *vm, struct svmhv_vcpu *src,
			 u32 shorthand, u32 dest, bool logical, bool wide,
			 u32 mode, u8 vector, bool level_trig)
{
	struct svmhv_vcpu *best = NULL;
	u32 best_tpr = 0x100;
	int i, n = 0;

	rcu_read_lock();
	for (i = 0; i < SVMHV_MAX_VCPUS; i++) {
		struct svmhv_vcpu *t = rcu_dereference(vm->vcpus[i]);
		bool match;

		if (!t || !t->lapic)
			continue;
		switch (shorthand) {
		case APIC_DEST_SELF:
			match = t == src;
			break;
		case APIC_DEST_ALLINC:
			match = lapic_hw_enabled(t->lapic);
			break;
		case APIC_DEST_ALLBUT:
			match = t != src && lapic_hw_enabled(t->lapic);
			break;
		default:
			match = lapic_match(t->lapic, t->id, dest, logical,
					    wide);
		}
		if (!match)
			continue;
		if (mode == APIC_DM_LOWEST) {
			u32 tpr = lapic_get(t->lapic, APIC_TASKPRI);

			if (lapic_sw_enabled(t->lapic) && tpr < best_tpr) {
				best = t;
				best_tpr = tpr;
			}
			continue;
		}
		n += lapic_accept(t, mode, vector, level_trig);
	}
	if (best)
		n += lapic_accept(best, APIC_DM_FIXED, vector, level_trig);
	rcu_read_unlock();
	return n;
}

/* SVMHV_SIGNAL_MSI: the MSI address/data format (16.5 and PCI MSI). */
/* A message svm_lapic_signal_msi() accepts: 0, else -EINVAL. */
int svm_lapic_msi_valid(const struct svmhv_msi *msi)
{
	u32 data = msi->data, mode = data & APIC_DM_FIXED_MASK;
	u8 vector = data & APIC_VECTOR_MASK;

	if (msi->pad || msi->reserved[0] || msi->reserved[1] ||
	    (msi->address >> 20) != 0xfee || (data >> 16))
		return -EINVAL;
	if (mode != APIC_DM_FIXED && mode != APIC_DM_LOWEST &&
	    mode != APIC_DM_NMI && mode != APIC_DM_INIT)
		return -EINVAL;
	if ((mode == APIC_DM_FIXED || mode == APIC_DM_LOWEST) && vector < 16)
		return -EINVAL;
	return 0;
}

int svm_lapic_signal_msi(struct svmhv_vm *vm, const struct svmhv_msi *msi)
{
	u32 data = msi->data, mode = data & APIC_DM_FIXED_MASK;
	u8 vector = data & APIC_VECTOR_MASK;
	bool logical = msi->address & BIT(2), hint = msi->address & BIT(3);

	if (msi->pad || msi->reserved[0] || msi->reserved[1] ||
	    (msi->address >> 20) != 0xfee || (data >> 16))
		return -EINVAL;
	/*
	 * Fixed, lowest priority, NMI and INIT are what an MSI can carry
	 * here; SMI and ExtINT have no source in this APIC.
	 */
	if (mode != APIC_DM_FIXED && mode != APIC_DM_LOWEST &&
	    mode != APIC_DM_NMI && mode != APIC_DM_INIT)
		return -EINVAL;
	if ((mode == APIC_DM_FIXED || mode == APIC_DM_LOWEST) && vector < 16)
		return -EINVAL;
	/* A redirection hint with logical destination: lowest priority. */
	if (hint && logical && mode == APIC_DM_FIXED)
		mode = APIC_DM_LOWEST;
	return lapic_deliver(vm, NULL, 0, (msi->address >> 12) & 0xff,
			     logical, false, mode, vector, data & BIT(15));
}

/* ---- the timer --------------------------------------------------------- */

static u32 lapic_divide(const struct svm_lapic *a)
{
	u32 v = lapic_get(a, APIC_TDCR);

	return 1u << ((((v & 3) | ((v & 8) >> 1)) + 1) & 7);
}

static u32 lapic_timer_mode(const struct svm_lapic *a)
{
	return lapic_get(a, APIC_LVTT) & SVM_LVT_TIMER_MODE;
}

static enum hrtimer_restart lapic_timer_fn(struct hrtimer *timer)
{
	struct svm_lapic *a = container_of(timer, struct svm_lapic, timer);
	u32 lvtt = lapic_get(a, APIC_LVTT);

	if (!(lvtt & APIC_LVT_MASKED))
		lapic_accept(a->vcpu, APIC_DM_FIXED, lvtt & 0xff, false);
	/*
	 * Periods the host could not keep up with are skipped, not caught
	 * up one by one (the APIC would merge them in IRR anyway): on a slow
	 * host a late timer must not re-fire in a loop in hard interrupt
	 * context.
	 */
	if (lapic_timer_mode(a) == APIC_LVT_TIMER_PERIODIC && a->period_ns) {
		hrtimer_forward_now(timer, ns_to_ktime(a->period_ns));
		return HRTIMER_RESTART;
	}
	if (lapic_timer_mode(a) == APIC_LVT_TIMER_TSCDEADLINE)
		WRITE_ONCE(a->tsc_deadline, 0);
	return HRTIMER_NORESTART;
}

static void lapic_timer_start_ns(struct svm_lapic *a, u64 ns)
{
	hrtimer_start(&a->timer, ktime_add_ns(ktime_get(), ns),
		      HRTIMER_MODE_ABS_HARD);
}

static void lapic_timer_stop(struct svm_lapic *a)
{
	hrtimer_cancel(&a->timer);
	a->period_ns = 0;
}

/* TMICT written: one-shot or periodic count from now (16.4.2). */
static void lapic_timer_arm(struct svm_lapic *a)
{
	u64 ns = (u64)lapic_get(a, APIC_TMICT) * lapic_divide(a);

	lapic_timer_stop(a);
	if (!ns || lapic_timer_mode(a) == APIC_LVT_TIMER_TSCDEADLINE)
		return;
	if (lapic_timer_mode(a) == APIC_LVT_TIMER_PERIODIC) {
		ns = max(ns, SVM_LAPIC_MIN_PERIOD_NS);
		a->period_ns = ns;
	}
	lapic_timer_start_ns(a, ns);
}

static u32 lapic_timer_current(struct svm_lapic *a)
{
	s64 left;

	if (lapic_timer_mode(a) == APIC_LVT_TIMER_TSCDEADLINE ||
	    !hrtimer_active(&a->timer))
		return 0;
	left = ktime_to_ns(hrtimer_get_remaining(&a->timer));
	if (left <= 0)
		return 0;
	return div_u64(left, lapic_divide(a));
}

static u64 lapic_guest_tsc(struct svmhv_vcpu *vcpu)
{
	return rdtsc() + vcpu->vmcb->control.tsc_offset;
}

static void lapic_set_tsc_deadline(struct svmhv_vcpu *vcpu, u64 deadline)
{
	struct svm_lapic *a = vcpu->lapic;
	u64 now;

	if (lapic_timer_mode(a) != APIC_LVT_TIMER_TSCDEADLINE)
		return;				/* ignored in other modes */
	lapic_timer_stop(a);
	WRITE_ONCE(a->tsc_deadline, deadline);
	if (!deadline)
		return;
	now = lapic_guest_tsc(vcpu);
	if (deadline <= now || !tsc_khz) {
		hrtimer_start(&a->timer, ktime_get(), HRTIMER_MODE_ABS_HARD);
		return;
	}
	lapic_timer_start_ns(a, mul_u64_u32_div(deadline - now, 1000000,
						tsc_khz));
}

/* ---- priorities, injection, EOI (owner only) --------------------------- */

/* The guest's CR8 is V_TPR (15.21.1): TPR[7:4] follows it. */
static void lapic_sync_tpr(struct svmhv_vcpu *vcpu)
{
	struct svm_lapic *a = vcpu->lapic;
	u32 vtpr = vcpu->vmcb->control.int_ctl & 0xf;

	if ((lapic_get(a, APIC_TASKPRI) >> 4) != vtpr)
		lapic_set(a, APIC_TASKPRI, vtpr << 4);
}

static u32 lapic_ppr(struct svm_lapic *a)
{
	u32 tpr = lapic_get(a, APIC_TASKPRI);
	int isrv = lapic_highest(a, APIC_ISR);
	u32 isr_class = isrv < 0 ? 0 : isrv & 0xf0;

	return (tpr & 0xf0) >= isr_class ? tpr : isr_class;
}

/* Highest IRR vector above the processor priority (16.6.1), or -1. */
static int svm_lapic_next_irq(struct svmhv_vcpu *vcpu)
{
	struct svm_lapic *a = vcpu->lapic;
	int irrv;

	if (!lapic_hw_enabled(a) || !lapic_sw_enabled(a))
		return -1;
	irrv = lapic_highest(a, APIC_IRR);
	if (a->armed && a->armed_vector > irrv)
		irrv = a->armed_vector;		/* still pending: see arm */
	if (irrv < 0)
		return -1;
	lapic_sync_tpr(vcpu);
	if ((irrv & 0xf0) <= (lapic_ppr(a) & 0xf0))
		return -1;
	return irrv;
}

static void lapic_intercept_cr8(struct svmhv_vcpu *vcpu, bool on)
{
	struct vmcb_control *ctl = &vcpu->vmcb->control;
	bool is_on = ctl->intercept_cr & SVM_INTERCEPT_CR8_WRITE;

	if (on == is_on)
		return;
	ctl->intercept_cr ^= SVM_INTERCEPT_CR8_WRITE;
	vcpu->vmcb_dirty |= SVM_CLEAN_INTERCEPTS;
}

/* An IRR register as the guest and userspace see it: with the armed vector. */
static u32 lapic_irr_word(struct svm_lapic *a, u32 off)
{
	u32 v = lapic_get(a, off);

	if (a->armed && (a->armed_vector >> 5) == (off - APIC_IRR) >> 4)
		v |= BIT(a->armed_vector & 31);
	return v;
}

/* The armed vector was not taken: pending in IRR again (merging with an
 * instance that arrived meanwhile, as two pending ones do).
 */
static void lapic_unarm(struct svm_lapic *a)
{
	set_bit(a->armed_vector & 31, lapic_bank(a, APIC_IRR, a->armed_vector));
	a->armed = false;
}

/*
 * Before an entry: hand the best deliverable vector to the CPU as the
 * virtual interrupt, replacing a lower one still waiting there.  Returns
 * true if V_IRQ now holds an APIC vector.  Not while userspace's ExtINT
 * holds V_IRQ (inject.c decides the order).
 *
 * The priority check is all ours (PPR: TPR and the in-service class), so
 * V_IGN_TPR is set and the CPU takes the vector as soon as RFLAGS.IF and
 * the shadow allow.  The guest's CR8 writes would otherwise change TPR
 * behind our back: while anything waits in IRR (armed, or held back by
 * TPR), MOV to CR8 is intercepted (cr.c) so that raising TPR disarms and
 * lowering it arms.  Linux never writes CR8 in 64-bit mode, so the
 * intercept costs nothing there; with IRR empty it is off.
 *
 * The armed vector leaves IRR (it is kept in armed_vector, and the IRR
 * the guest or userspace reads shows it), so that another instance of it
 * accepted from now on -- an IPI or MSI while the guest runs its handler,
 * before the exit that moves it to ISR -- sets IRR again and is delivered
 * after the EOI, as a real APIC holds one instance in service and one
 * pending (Intel SDM vol. 3, 11.8.4).  KVM moves a vector out of IRR when
 * it injects it, for the same reason.  Taken back into IRR when disarmed.  (Leaving the
 * TPR comparison to V_TPR instead would also meet QEMU's emulated SVM,
 * which drops a pending V_IRQ when V_TPR masks it and then reports V_IRQ
 * clear, as if taken.)
 */
bool svm_lapic_arm(struct svmhv_vcpu *vcpu)
{
	struct svm_lapic *a = vcpu->lapic;
	struct vmcb_control *ctl = &vcpu->vmcb->control;
	int v = svm_lapic_next_irq(vcpu);

	lapic_intercept_cr8(vcpu, lapic_highest(a, APIC_IRR) >= 0 || a->armed);
	if (v < 0) {
		if (a->armed) {
			ctl->int_ctl &= ~(SVM_V_IRQ | SVM_V_INTR_PRIO_MASK |
					  SVM_V_IGN_TPR);
			lapic_unarm(a);
			vcpu->vmcb_dirty |= SVM_CLEAN_TPR;
		}
		return false;
	}
	if (a->armed && a->armed_vector == v)
		return true;
	if (a->armed)
		lapic_unarm(a);		/* a higher vector goes first */
	clear_bit(v & 31, lapic_bank(a, APIC_IRR, v));
	ctl->int_vector = v;
	ctl->int_ctl = (ctl->int_ctl & ~SVM_V_INTR_PRIO_MASK) | SVM_V_IRQ |
		       SVM_V_IGN_TPR | ((v >> 4) << SVM_V_INTR_PRIO_SHIFT);
	a->armed = true;
	a->armed_vector = v;
	vcpu->vmcb_dirty |= SVM_CLEAN_TPR;
	return true;
}

/* MOV to CR8 while intercepted (cr.c): the new TPR[7:4]. */
void svm_lapic_set_cr8(struct svmhv_vcpu *vcpu, u8 cr8)
{
	struct vmcb_control *ctl = &vcpu->vmcb->control;

	ctl->int_ctl = (ctl->int_ctl & ~0xfu) | cr8;
	vcpu->vmcb_dirty |= SVM_CLEAN_TPR;
	if (vcpu->lapic)
		lapic_set(vcpu->lapic, APIC_TASKPRI, cr8 << 4);
}

/*
 * After an exit: did the CPU take the armed vector?  V_IRQ clear and no
 * delivery of it cut short (EXITINTINFO, 15.7.2) means it is in service.
 */
void svm_lapic_after_exit(struct svmhv_vcpu *vcpu)
{
	struct svm_lapic *a = vcpu->lapic;
	struct vmcb_control *ctl = &vcpu->vmcb->control;
	u8 v = a->armed_vector;

	if (!a->armed || (ctl->int_ctl & SVM_V_IRQ))
		return;
	if (svm_exitintinfo_is_irq(ctl->exit_int_info) &&
	    (ctl->exit_int_info & SVM_EVT_VECTOR_MASK) == v) {
		lapic_unarm(a);		/* delivery cut short: pending again */
		return;
	}
	a->armed = false;
	__set_bit(v & 31, lapic_bank(a, APIC_ISR, v));
	vcpu->stat[SVMHV_STAT_INJECTED]++;
}

static void lapic_eoi(struct svmhv_vcpu *vcpu)
{
	struct svm_lapic *a = vcpu->lapic;
	int v = lapic_highest(a, APIC_ISR);

	if (v < 0)
		return;
	__clear_bit(v & 31, lapic_bank(a, APIC_ISR, v));
	if (test_and_clear_bit(v & 31, lapic_bank(a, APIC_TMR, v))) {
		a->eoi_exit = true;
		a->eoi_vector = v;
	}
}

/* After an exit handler: an EOI userspace must hear about? */
bool svm_lapic_eoi_exit(struct svmhv_vcpu *vcpu)
{
	struct svm_lapic *a = vcpu->lapic;

	if (!a->eoi_exit)
		return false;
	a->eoi_exit = false;
	vcpu->run->exit_reason = SVMHV_EXIT_IOAPIC_EOI;
	memset(&vcpu->run->eoi, 0, sizeof(vcpu->run->eoi));
	vcpu->run->eoi.vector = a->eoi_vector;
	return true;
}

/* May userspace's 8259 interrupt (ExtINT through LINT0) reach the CPU? */
bool svm_lapic_accepts_extint(struct svmhv_vcpu *vcpu)
{
	struct svm_lapic *a = vcpu->lapic;
	u32 lvt0 = lapic_get(a, APIC_LVT0);

	if (!lapic_hw_enabled(a))
		return true;
	return !(lvt0 & APIC_LVT_MASKED) &&
	       GET_APIC_DELIVERY_MODE(lvt0) == APIC_MODE_EXTINT;
}

/* Can an interrupt wake this vCPU from HLT with RFLAGS.IF=1? */
bool svm_lapic_has_irq(struct svmhv_vcpu *vcpu)
{
	return svm_lapic_next_irq(vcpu) >= 0;
}

/* ---- register access (owner only) --------------------------------------- */

static void lapic_send_ipi(struct svmhv_vcpu *vcpu, u32 low, u32 dest)
{
	struct svm_lapic *a = vcpu->lapic;
	u32 mode = low & APIC_DM_FIXED_MASK;
	u8 vector = low & APIC_VECTOR_MASK;

	if ((mode == APIC_DM_FIXED || mode == APIC_DM_LOWEST) && vector < 16) {
		lapic_error(vcpu, APIC_ESR_SENDILL);
		return;
	}
	/* INIT level de-assert (16.5, "INIT": level 0, trigger level). */
	if (mode == APIC_DM_INIT && !(low & APIC_INT_ASSERT) &&
	    (low & APIC_INT_LEVELTRIG))
		return;
	lapic_deliver(vcpu->vm, vcpu, low & APIC_DEST_ALLBUT, dest,
		      low & APIC_DEST_LOGICAL, lapic_x2apic(a), mode, vector,
		      low & APIC_INT_LEVELTRIG);
}

static void lapic_sw_disable(struct svm_lapic *a)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(svm_lapic_lvts); i++)
		lapic_set(a, svm_lapic_lvts[i],
			  lapic_get(a, svm_lapic_lvts[i]) | APIC_LVT_MASKED);
}

static void lapic_write_lvt(struct svm_lapic *a, u32 off, u32 val)
{
	u32 bits = off == APIC_LVTT ? SVM_LVT_TIMER_BITS :
		   off == APIC_LVT0 || off == APIC_LVT1 ? SVM_LVT_LINT_BITS :
		   off == APIC_LVTERR ? SVM_LVT_ERROR_BITS : SVM_LVT_OTHER_BITS;
	u32 old = lapic_get(a, off);

	val &= bits;
	if (!lapic_sw_enabled(a))
		val |= APIC_LVT_MASKED;
	/* LINT0/1's remote IRR is the APIC's own, not writable. */
	val |= old & APIC_LVT_REMOTE_IRR & ~bits;
	lapic_set(a, off, val);
	if (off == APIC_LVTT && ((old ^ val) & SVM_LVT_TIMER_MODE)) {
		lapic_timer_stop(a);
		WRITE_ONCE(a->tsc_deadline, 0);
		lapic_set(a, APIC_TMICT, 0);
	}
}

/*
 * Write a register (offset as in xAPIC).  Returns 0, or -EINVAL for a
 * write an x2APIC MSR must refuse with #GP.
 */
static int lapic_write(struct svmhv_vcpu *vcpu, u32 off, u64 val)
{
	struct svm_lapic *a = vcpu->lapic;
	bool x2 = lapic_x2apic(a);

	switch (off) {
	case APIC_TASKPRI:
		lapic_set(a, APIC_TASKPRI, val & 0xff);
		vcpu->vmcb->control.int_ctl =
			(vcpu->vmcb->control.int_ctl & ~0xfu) | ((val >> 4) & 0xf);
		vcpu->vmcb_dirty |= SVM_CLEAN_TPR;
		break;
	case APIC_EOI:
		if (x2 && val)
			return -EINVAL;
		lapic_eoi(vcpu);
		break;
	case APIC_LDR:
		if (x2)
			return -EINVAL;
		lapic_set(a, APIC_LDR, val & APIC_LDR_MASK);
		break;
	case APIC_DFR:
		if (x2)
			return -EINVAL;
		lapic_set(a, APIC_DFR, val | 0x0fffffff);
		break;
	case APIC_SPIV:
		lapic_set(a, APIC_SPIV, val & (0xff | APIC_SPIV_APIC_ENABLED |
					       APIC_SPIV_FOCUS_DISABLED));
		if (!(val & APIC_SPIV_APIC_ENABLED))
			lapic_sw_disable(a);
		break;
	case APIC_ESR:
		if (x2 && val)
			return -EINVAL;
		lapic_set(a, APIC_ESR, xchg(&a->esr_pending, 0));
		break;
	case APIC_ICR:
		if (x2) {
			lapic_set(a, APIC_ICR2, val >> 32);
			lapic_set(a, APIC_ICR, val & ~APIC_ICR_BUSY);
			lapic_send_ipi(vcpu, val, val >> 32);
		} else {
			lapic_set(a, APIC_ICR, val & ~APIC_ICR_BUSY);
			lapic_send_ipi(vcpu, val, lapic_get(a, APIC_ICR2) >> 24);
		}
		break;
	case APIC_ICR2:
		if (x2)
			return -EINVAL;
		lapic_set(a, APIC_ICR2, val & 0xff000000);
		break;
	case APIC_LVTT:
	case APIC_LVTTHMR:
	case APIC_LVTPC:
	case APIC_LVT0:
	case APIC_LVT1:
	case APIC_LVTERR:
		lapic_write_lvt(a, off, val);
		break;
	case APIC_TMICT:
		if (lapic_timer_mode(a) == APIC_LVT_TIMER_TSCDEADLINE)
			break;
		lapic_set(a, APIC_TMICT, val);
		lapic_timer_arm(a);
		break;
	case APIC_TDCR:
		lapic_set(a, APIC_TDCR, val & 0xb);
		break;
	case APIC_SELF_IPI:
		if (!x2)
			return -EINVAL;
		lapic_send_ipi(vcpu, (val & 0xff) | APIC_DEST_SELF, 0);
		break;
	case APIC_ID:
	case APIC_LVR:
	case APIC_ARBPRI:
	case APIC_PROCPRI:
	case APIC_RRR:
	case APIC_ISR ... APIC_IRR + 0x70:
	case APIC_TMCCT:
		/* Read-only: ignored in xAPIC, #GP in x2APIC. */
		if (x2)
			return -EINVAL;
		break;
	default:
		if (x2)
			return -EINVAL;
		lapic_error(vcpu, APIC_ESR_ILLREGA);	/* no such register */
		break;
	}
	return 0;
}

/* Read a register; -EINVAL for what an x2APIC MSR read must #GP. */
static int lapic_read(struct svmhv_vcpu *vcpu, u32 off, u64 *val)
{
	struct svm_lapic *a = vcpu->lapic;
	bool x2 = lapic_x2apic(a);

	switch (off) {
	case APIC_ID:
		*val = x2 ? vcpu->id : vcpu->id << 24;
		break;
	case APIC_LDR:
		*val = x2 ? lapic_x2apic_ldr(vcpu->id) : lapic_get(a, off);
		break;
	case APIC_TASKPRI:
		lapic_sync_tpr(vcpu);
		*val = lapic_get(a, off);
		break;
	case APIC_PROCPRI:
		lapic_sync_tpr(vcpu);
		*val = lapic_ppr(a);
		break;
	case APIC_ICR:
		*val = lapic_get(a, APIC_ICR);
		if (x2)
			*val |= (u64)lapic_get(a, APIC_ICR2) << 32;
		break;
	case APIC_TMCCT:
		*val = lapic_timer_current(a);
		break;
	case APIC_LVR:
	case APIC_SPIV:
	case APIC_ESR:
	case APIC_IRR ... APIC_IRR + 0x70:
		*val = lapic_irr_word(a, off);
		break;
	case APIC_ISR ... APIC_ISR + 0x70:
	case APIC_TMR ... APIC_TMR + 0x70:
	case APIC_LVTT:
	case APIC_LVTTHMR:
	case APIC_LVTPC:
	case APIC_LVT0:
	case APIC_LVT1:
	case APIC_LVTERR:
	case APIC_TMICT:
	case APIC_TDCR:
		*val = lapic_get(a, off);
		break;
	case APIC_ARBPRI:
	case APIC_DFR:
	case APIC_ICR2:
		if (x2)
			return -EINVAL;
		*val = off == APIC_ARBPRI ? lapic_ppr(a) : lapic_get(a, off);
		break;
	default:
		if (x2)
			return -EINVAL;
		*val = 0;		/* reserved: reads as zero */
		break;
	}
	return 0;
}

/* ---- the xAPIC page and the MSRs --------------------------------------- */

/* Is gpa in this vCPU's xAPIC page (enabled, not in x2APIC mode)? */
bool svm_lapic_mmio_claims(struct svmhv_vcpu *vcpu, u64 gpa)
{
	struct svm_lapic *a = vcpu->lapic;

	return a && lapic_hw_enabled(a) && !lapic_x2apic(a) &&
	       (gpa & PAGE_MASK) == (a->base & MSR_IA32_APICBASE_BASE);
}

/*
 * An access to the xAPIC page: len bytes at offset off.  Registers are
 * 32 bits wide at 16-byte boundaries; narrower or unaligned reads return
 * the bytes of the register they fall in, other writes are dropped.
 */
u64 svm_lapic_mmio_read(struct svmhv_vcpu *vcpu, u32 off, u32 len)
{
	u64 val = 0;

	if ((off & 0xf) + len > 4 || lapic_read(vcpu, off & 0xff0, &val))
		return 0;
	return (val >> ((off & 3) * 8)) & (len >= 4 ? 0xffffffffULL :
					   (1ULL << (len * 8)) - 1);
}

void svm_lapic_mmio_write(struct svmhv_vcpu *vcpu, u32 off, u32 len, u64 val)
{
	if ((off & 0xf) || len != 4 || off >= 0x400)
		return;
	lapic_write(vcpu, off, (u32)val);
}

static bool lapic_msr_is_x2apic(u32 msr)
{
	return msr >= SVM_X2APIC_MSR_BASE && msr <= SVM_X2APIC_MSR_LAST;
}

/* Returns 0, -EINVAL (#GP), or -ENOENT (not an APIC MSR). */
int svm_lapic_rdmsr(struct svmhv_vcpu *vcpu, u32 msr, u64 *val)
{
	struct svm_lapic *a = vcpu->lapic;

	if (msr == MSR_IA32_APICBASE) {
		*val = a->base;
		return 0;
	}
	if (msr == MSR_IA32_TSC_DEADLINE) {
		*val = lapic_timer_mode(a) == APIC_LVT_TIMER_TSCDEADLINE ?
		       READ_ONCE(a->tsc_deadline) : 0;
		return 0;
	}
	if (!lapic_msr_is_x2apic(msr))
		return -ENOENT;
	if (!lapic_x2apic(a))
		return -EINVAL;
	return lapic_read(vcpu, (msr - SVM_X2APIC_MSR_BASE) << 4, val);
}

/*
 * The APIC base MSR (16.3.1 and x2APIC's state rules): the global enable
 * and x2APIC bits may move disabled <-> xAPIC -> x2APIC -> disabled; BSP
 * is read-only; the base must be an address the guest can have.
 */
static int lapic_set_base(struct svmhv_vcpu *vcpu, u64 val)
{
	struct svm_lapic *a = vcpu->lapic;
	u64 old = a->base;
	u64 addr_mask = GENMASK_ULL(svm_guest_phys_bits - 1, 12);
	bool en = val & MSR_IA32_APICBASE_ENABLE, x2 = val & SVM_APICBASE_EXTD;

	if (val & ~(addr_mask | MSR_IA32_APICBASE_BSP |
		    MSR_IA32_APICBASE_ENABLE | SVM_APICBASE_EXTD))
		return -EINVAL;
	if (x2 && !en)
		return -EINVAL;
	if (lapic_x2apic(a) && en && !x2)
		return -EINVAL;			/* x2APIC -> xAPIC */
	if (!lapic_hw_enabled(a) && x2)
		return -EINVAL;			/* disabled -> x2APIC */
	val = (val & ~MSR_IA32_APICBASE_BSP) | (old & MSR_IA32_APICBASE_BSP);
	a->base = val;
	vcpu->apic_base = val;
	if ((old & MSR_IA32_APICBASE_ENABLE) && !en)
		svm_lapic_reset(vcpu, false);
	return 0;
}

/* SVMHV_SET_SREGS: a base vcpu_state.c has checked; no guest rules. */
void svm_lapic_set_base_user(struct svmhv_vcpu *vcpu, u64 val)
{
	struct svm_lapic *a = vcpu->lapic;
	bool was_enabled = lapic_hw_enabled(a);

	a->base = val;
	if (was_enabled && !lapic_hw_enabled(a))
		svm_lapic_reset(vcpu, false);
}

int svm_lapic_wrmsr(struct svmhv_vcpu *vcpu, u32 msr, u64 val)
{
	struct svm_lapic *a = vcpu->lapic;
	u32 off;

	if (msr == MSR_IA32_APICBASE)
		return lapic_set_base(vcpu, val);
	if (msr == MSR_IA32_TSC_DEADLINE) {
		lapic_set_tsc_deadline(vcpu, val);
		return 0;
	}
	if (!lapic_msr_is_x2apic(msr))
		return -ENOENT;
	if (!lapic_x2apic(a))
		return -EINVAL;
	off = (msr - SVM_X2APIC_MSR_BASE) << 4;
	if (off != APIC_ICR && (val >> 32))
		return -EINVAL;
	return lapic_write(vcpu, off, val);
}

/* ---- reset, INIT and SIPI ---------------------------------------------- */

/*
 * Power-up state of the registers (16.3 and 16.4: LVTs masked, SVR 0xff,
 * DFR all ones), also after INIT and a hardware disable; the ID and the
 * base MSR stay.  The BSP's LINT0 is left in virtual-wire mode (ExtINT,
 * unmasked) as PC firmware leaves it, so that the 8259 reaches a guest
 * that never programs its APIC.
 */
void svm_lapic_reset(struct svmhv_vcpu *vcpu, bool power_up)
{
	struct svm_lapic *a = vcpu->lapic;
	int i;

	lapic_timer_stop(a);
	memset(a->regs, 0, sizeof(a->regs));
	lapic_set(a, APIC_LVR, SVM_LAPIC_VERSION);
	lapic_set(a, APIC_DFR, 0xffffffff);
	lapic_set(a, APIC_SPIV, 0xff);
	for (i = 0; i < ARRAY_SIZE(svm_lapic_lvts); i++)
		lapic_set(a, svm_lapic_lvts[i], APIC_LVT_MASKED);
	if (vcpu->id == 0 && power_up)
		lapic_set(a, APIC_LVT0, APIC_MODE_EXTINT << 8);
	WRITE_ONCE(a->tsc_deadline, 0);
	a->esr_pending = 0;
	a->armed = false;
	a->eoi_exit = false;
	if (power_up) {
		a->base = APIC_DEFAULT_PHYS_BASE | MSR_IA32_APICBASE_ENABLE |
			  (vcpu->id == 0 ? MSR_IA32_APICBASE_BSP : 0);
		vcpu->apic_base = a->base;
	}
}

/*
 * Owner, before each entry: INIT, SIPI and NMI from other APICs.  INIT
 * puts the vCPU in its INIT state and wait-for-SIPI (an AP) or restarts it
 * at the reset vector (the BSP); a SIPI starts a waiting vCPU in real mode
 * at vector * 4 KiB (16.5, "Startup IPI").
 */
void svm_lapic_take_events(struct svmhv_vcpu *vcpu)
{
	struct svm_lapic *a = vcpu->lapic;
	unsigned long p;

	if (!test_and_clear_bit(SVMHV_REQ_EVENT, &vcpu->requests))
		return;
	p = xchg(&a->pending, 0);
	if (p & BIT(SVM_LAPIC_PENDING_INIT)) {
		svm_vcpu_init_signal(vcpu);
		svm_lapic_reset(vcpu, false);
		vcpu->mp_state = vcpu->id ? SVMHV_MP_STATE_INIT_RECEIVED :
					    SVMHV_MP_STATE_RUNNABLE;
	}
	if ((p & BIT(SVM_LAPIC_PENDING_SIPI)) &&
	    vcpu->mp_state == SVMHV_MP_STATE_INIT_RECEIVED) {
		smp_rmb();	/* pairs with smp_wmb() in lapic_accept() */
		svm_vcpu_sipi(vcpu, READ_ONCE(a->sipi_vector));
		vcpu->mp_state = SVMHV_MP_STATE_RUNNABLE;
	}
	if (p & BIT(SVM_LAPIC_PENDING_NMI))
		vcpu->events.nmi = true;
}

/* ---- life and state ---------------------------------------------------- */

int svm_lapic_create(struct svmhv_vcpu *vcpu)
{
	struct svm_lapic *a = kzalloc(sizeof(*a), GFP_KERNEL_ACCOUNT);

	if (!a)
		return -ENOMEM;
	a->vcpu = vcpu;
	hrtimer_init(&a->timer, CLOCK_MONOTONIC, HRTIMER_MODE_ABS_HARD);
	a->timer.function = lapic_timer_fn;
	vcpu->lapic = a;
	svm_lapic_reset(vcpu, true);
	vcpu->mp_state = vcpu->id ? SVMHV_MP_STATE_INIT_RECEIVED :
				    SVMHV_MP_STATE_RUNNABLE;
	return 0;
}

/* The timer first; the memory after an RCU grace period (senders). */
void svm_lapic_stop(struct svmhv_vcpu *vcpu)
{
	if (vcpu->lapic)
		hrtimer_cancel(&vcpu->lapic->timer);
}

void svm_lapic_get_state(struct svmhv_vcpu *vcpu, struct svmhv_lapic_state *s)
{
	struct svm_lapic *a = vcpu->lapic;
	u32 off;
	s64 v;

	memset(s, 0, sizeof(*s));
	lapic_sync_tpr(vcpu);
	for (off = 0; off < 0x400; off += 0x10) {
		u32 r = lapic_get(a, off);

		if (off == APIC_ID)
			r = vcpu->id << 24;
		else if (off == APIC_TMCCT)
			r = lapic_timer_current(a);
		else if (off == APIC_PROCPRI)
			r = lapic_ppr(a);
		else if (off >= APIC_IRR && off <= APIC_IRR + 0x70)
			r = lapic_irr_word(a, off);
		memcpy(&s->regs[off], &r, 4);
	}
	s->apic_base = a->base;
	if (lapic_timer_mode(a) == APIC_LVT_TIMER_TSCDEADLINE) {
		s->tsc_deadline = READ_ONCE(a->tsc_deadline);
	} else if (hrtimer_active(&a->timer)) {
		v = ktime_to_ns(hrtimer_get_remaining(&a->timer));
		s->timer_ns_left = max_t(s64, v, 1);
	}
}

int svm_lapic_set_state(struct svmhv_vcpu *vcpu,
			const struct svmhv_lapic_state *s)
{
	struct svm_lapic *a = vcpu->lapic;
	u64 addr_mask = GENMASK_ULL(svm_guest_phys_bits - 1, 12);
	u32 off, r;
	int i;

	for (i = 0; i < ARRAY_SIZE(s->reserved); i++)
		if (s->reserved[i])
			return -EINVAL;
	if ((s->apic_base & ~(addr_mask | MSR_IA32_APICBASE_BSP |
			      MSR_IA32_APICBASE_ENABLE | SVM_APICBASE_EXTD)) ||
	    ((s->apic_base & SVM_APICBASE_EXTD) &&
	     !(s->apic_base & MSR_IA32_APICBASE_ENABLE)))
		return -EINVAL;
	lapic_timer_stop(a);
	for (off = 0; off < 0x400; off += 0x10) {
		memcpy(&r, &s->regs[off], 4);
		switch (off) {
		case APIC_ID:
		case APIC_LVR:
		case APIC_PROCPRI:
		case APIC_TMCCT:
			continue;	/* derived, not state */
		}
		lapic_set(a, off, r);
	}
	a->base = s->apic_base;
	vcpu->apic_base = a->base;
	a->armed = false;
	vcpu->vmcb->control.int_ctl &= ~(SVM_V_IRQ | SVM_V_INTR_PRIO_MASK);
	vcpu->vmcb->control.int_ctl = (vcpu->vmcb->control.int_ctl & ~0xfu) |
				      ((lapic_get(a, APIC_TASKPRI) >> 4) & 0xf);
	vcpu->vmcb_dirty |= SVM_CLEAN_TPR;
	if (s->tsc_deadline &&
	    lapic_timer_mode(a) == APIC_LVT_TIMER_TSCDEADLINE)
		lapic_set_tsc_deadline(vcpu, s->tsc_deadline);
	else if (s->timer_ns_left)
		lapic_timer_start_ns(a, s->timer_ns_left);
	if (s->timer_ns_left &&
	    lapic_timer_mode(a) == APIC_LVT_TIMER_PERIODIC)
		a->period_ns = max((u64)lapic_get(a, APIC_TMICT) *
				   lapic_divide(a), SVM_LAPIC_MIN_PERIOD_NS);
	svm_vcpu_kick(vcpu);
	return 0;
}
