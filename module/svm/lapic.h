/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The in-kernel local APIC (svm/lapic.c): one per vCPU when userspace asked
 * for them with SVMHV_ENABLE_LAPIC.
 *
 * Who writes what: the owning vCPU's thread does everything but three
 * things, which any context (other vCPUs' IPIs, SVMHV_SIGNAL_MSI from any
 * thread, the APIC timer's hrtimer in hard interrupt context) may do:
 * set an IRR bit and its TMR bit with atomic bit operations, set a bit in
 * `pending` (NMI, INIT, SIPI), and kick the vCPU (svm_vcpu_kick()).  The
 * owner picks both up at its next entry.  Senders find their targets in
 * vm->vcpus under RCU; a vCPU of such a VM is freed after a grace period.
 */
#ifndef SVMHV_SVM_LAPIC_H
#define SVMHV_SVM_LAPIC_H

#include <linux/hrtimer.h>
#include <linux/types.h>

#define SVM_LAPIC_PENDING_NMI	0
#define SVM_LAPIC_PENDING_INIT	1
#define SVM_LAPIC_PENDING_SIPI	2

struct svmhv_vcpu;

struct svm_lapic {
	/*
	 * The registers at their xAPIC offsets (APM vol. 2, 16.3.2), one
	 * u32 per 4 bytes; only the first 1 KiB exists.  IRR, ISR and TMR
	 * are 8 registers of 32 bits each, 16 bytes apart, so that the bit
	 * operations on a register never touch the next one.
	 */
	u32 regs[256] __aligned(16);
	struct svmhv_vcpu *vcpu;
	u64 base;			/* IA32_APIC_BASE */
	unsigned long pending;		/* SVM_LAPIC_PENDING_* */
	u8 sipi_vector;
	/* V_IRQ holds this APIC vector (not an ExtINT from userspace). */
	bool armed;
	u8 armed_vector;
	/* An EOI of a level-triggered vector, for SVMHV_EXIT_IOAPIC_EOI. */
	bool eoi_exit;
	u8 eoi_vector;
	u32 esr_pending;		/* errors since the last ESR write */
	struct hrtimer timer;
	u64 period_ns;			/* periodic mode */
	u64 tsc_deadline;		/* IA32_TSC_DEADLINE, guest TSC */
};

#endif /* SVMHV_SVM_LAPIC_H */
