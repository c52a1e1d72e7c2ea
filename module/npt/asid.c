// SPDX-License-Identifier: GPL-2.0
/*
 * ASIDs and guest TLB flushes.
 *
 * The TLB tags guest translations with the ASID of the VMCB that made
 * them (APM vol. 2, 15.16).  ASID 0 is the host's and VMRUN refuses it
 * (15.5.1), so guests use 1 .. nr_asids-1.  ASIDs are handed out per CPU,
 * in generations, as bhyve and KVM do:
 *
 *   vCPU ran last on another CPU, or   -> take the next ASID of this CPU's
 *   its ASID is from an old generation    current generation
 *
 *   this CPU has no ASIDs left         -> start a new generation at ASID 1
 *                                         and flush every ASID on this CPU
 *                                         (TLB_CONTROL 1), since numbers
 *                                         from the old generation are reused
 *
 *   the VM removed a nested mapping    -> flush this vCPU's ASID: with
 *   since this vCPU last flushed          flush-by-ASID, TLB_CONTROL 3;
 *                                         without it (e.g. QEMU's emulated
 *                                         EPYC) a fresh ASID, which has no
 *                                         stale entries by construction
 *
 *   the guest changed paging state     -> the same, for this vCPU alone
 *   whose TLB entries the CPU would       (vcpu->tlb_flush_pending, set by
 *   have flushed (MOV CR4 emulated)        the CR4 write handler)
 *
 *   otherwise                          -> keep the ASID, flush nothing
 *
 * Within one generation an ASID number is given to exactly one vCPU on a
 * CPU, so no two guests ever share tagged entries.  Each CPU starts with
 * its pool exhausted, so its first allocation flushes whatever a previous
 * owner of SVM left tagged.
 *
 * A flush is done only by a VMRUN that succeeds: TLB_CONTROL acts as part
 * of VMRUN (APM vol. 2, 15.16.1), and a VMRUN that fails its consistency
 * checks (15.5.1) exits with VMEXIT_INVALID before it has touched the TLB.
 * Userspace can make VMRUN fail at will, so the bookkeeping that says
 * "flushed" is committed by svm_asid_commit() only after a real #VMEXIT;
 * until then the flush stays owed and the next VMRUN asks for it again:
 * the per-CPU flush_all for a new generation, the vCPU's tlb_gen for a
 * removed mapping.  Without this a failed entry would lose a slot
 * deletion's flush, and the guest could later reach a page the host has
 * freed through a stale translation.
 */
#include <linux/percpu.h>

#include "../svm/svm.h"

DEFINE_PER_CPU(struct svm_asid_cpu, svm_asid_cpu);

void svm_asid_init(void)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		struct svm_asid_cpu *ac = per_cpu_ptr(&svm_asid_cpu, cpu);

		ac->generation = 1;
		ac->next = svm_features.nr_asids;	/* exhausted */
		ac->flush_all = false;
	}
}

/*
 * Called with interrupts disabled, right before VMRUN; moved: the vCPU
 * last ran on another CPU (or never ran).  Nothing here counts as done
 * until svm_asid_commit().  svm_asid_prepare() (svm.h) handles the common
 * case inline -- same CPU, same generation, nothing to flush -- and
 * calls this for every other.
 */
void svm_asid_prepare_full(struct svmhv_vcpu *vcpu, bool moved)
{
	struct vmcb_control *ctl = &vcpu->vmcb->control;
	struct svm_asid_cpu *ac = this_cpu_ptr(&svm_asid_cpu);
	unsigned long tlb_gen = READ_ONCE(vcpu->vm->tlb_gen);
	bool stale = tlb_gen != vcpu->tlb_gen || vcpu->tlb_flush_pending;

	ctl->tlb_control = SVM_TLB_FLUSH_NOTHING;
	if (moved || vcpu->asid_generation != ac->generation ||
	    (stale && !svm_features.flush_by_asid)) {
		if (ac->next >= svm_features.nr_asids) {
			ac->generation++;
			ac->next = 1;
			ac->flush_all = true;
		}
		ctl->asid = ac->next++;
		vcpu->asid_generation = ac->generation;
		vcpu->vmcb_dirty |= SVM_CLEAN_ASID;
	} else if (stale) {
		ctl->tlb_control = SVM_TLB_FLUSH_ASID;
	}
	if (ac->flush_all)
		ctl->tlb_control = SVM_TLB_FLUSH_ALL;
	vcpu->tlb_gen_entering = tlb_gen;
}
