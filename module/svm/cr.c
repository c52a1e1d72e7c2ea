// SPDX-License-Identifier: GPL-2.0
/*
 * Writes to CR4, from the guest (MOV CR4 is intercepted) and the rules
 * they share with SVMHV_SET_SREGS.
 *
 * Under nested paging the guest's control registers are its own, and the
 * CPU checks a MOV to CR4 against the host's features: a guest could turn
 * on a feature CPUID hides from it (PKE without PKU, OSXSAVE without
 * XSAVE, LA57, CET) and use state the world switch does not swap.  So
 * writes to CR4 are intercepted (APM vol. 2, 15.9: the CR write intercept
 * takes effect before the write) and emulated here: bits outside
 * vcpu->cr4_valid, and the combinations MOV CR4 refuses (3.1.3:
 * PAE cleared in long mode, PCIDE set outside long mode or with CR3[11:0]
 * nonzero), get #GP(0).
 *
 * The CPU flushes TLB entries on some CR4 changes (PGE, PAE, PSE, PCIDE,
 * SMEP, SMAP, PKE: APM vol. 2, 5.5.2 and 5.5.3); our emulated write does
 * not go through that logic, so it asks for this vCPU's ASID to be flushed
 * before the next VMRUN (npt/asid.c).  The emulated EPYC drops its TLB on
 * every world switch and cannot show a missing flush; hardware would.
 */
#include <linux/kernel.h>
#include <asm/processor-flags.h>
#include <asm/msr-index.h>

#include "svm.h"

#define SVM_CR_VALID		BIT_ULL(63)	/* EXITINFO1, decode assists */
#define SVM_CR4_FLUSH_BITS	(X86_CR4_PGE | X86_CR4_PAE | X86_CR4_PSE | \
				 X86_CR4_PCIDE | X86_CR4_SMEP |		  \
				 X86_CR4_SMAP | X86_CR4_PKE)

/* May a CPU in this state hold CR4 = val?  (3.1.3) */
bool svm_cr4_valid(struct svmhv_vcpu *vcpu, u64 val, u64 efer, u64 cr3)
{
	if (val & ~vcpu->cr4_valid)
		return false;
	if ((efer & EFER_LMA) && !(val & X86_CR4_PAE))
		return false;
	if ((val & X86_CR4_PCIDE) &&
	    (!(efer & EFER_LMA) || (cr3 & 0xfff)))
		return false;
	return true;
}

/*
 * The GPR of a MOV to CRn and the RIP after it: from decode assists and
 * NRIP save where the CPU has both (15.8.1, 15.7.1), else from the
 * instruction.  0 on success; else an INTERNAL_ERROR exit is set up.
 */
static unsigned int svm_mov_cr_number(const struct svm_insn *insn, int op)
{
	unsigned int cr = ((insn->bytes[op + 2] >> 3) & 7) |
			  ((insn->rex & 4) << 1);
	int i;

	for (i = 0; i < op; i++)
		if (insn->bytes[i] == 0xf0 && cr == 0)
			return 8;		/* AMD's alternate CR8 form */
	return cr;
}

static int svm_mov_cr_decode(struct svmhv_vcpu *vcpu, unsigned int cr,
			     unsigned int *gpr, u64 *next)
{
	struct vmcb_control *ctl = &vcpu->vmcb->control;
	struct svm_insn insn;
	int op;

	if (svm_features.decode_assists && svm_features.nrip_save &&
	    (ctl->exit_info1 & SVM_CR_VALID) && ctl->next_rip) {
		*gpr = ctl->exit_info1 & 0xf;
		*next = ctl->next_rip;
		return 0;
	}
	if (svm_decode_fetch(vcpu, &insn)) {
		svm_exit_internal(vcpu, SVMHV_INTERNAL_FETCH, NULL, 0);
		return -EFAULT;
	}
	op = svm_decode_prefixes(vcpu, &insn);
	/*
	 * MOV CRn, reg: 0F 22 /r, CR number in ModRM.reg (+REX.R, or a LOCK
	 * prefix on CR0 for CR8), the GPR in ModRM.rm (+REX.B) whatever
	 * ModRM.mod says; nothing follows ModRM (APM vol. 3, "MOV CRn").
	 */
	if (op < 0 || op + 3 > insn.avail || insn.bytes[op] != 0x0f ||
	    insn.bytes[op + 1] != 0x22 ||
	    svm_mov_cr_number(&insn, op) != cr) {
		svm_exit_internal(vcpu, SVMHV_INTERNAL_EMULATION, &insn, 0);
		return -EFAULT;
	}
	*gpr = (insn.bytes[op + 2] & 7) | ((insn.rex & 1) << 3);
	*next = vcpu->vmcb->save.rip + op + 3;
	if (svm_decode_mode(vcpu) != 8)
		*next &= 0xffffffff;
	return 0;
}

int svm_exit_write_cr4(struct svmhv_vcpu *vcpu)
{
	struct vmcb_save *save = &vcpu->vmcb->save;
	unsigned int gpr;
	u64 val, next, old = save->cr4;

	if (svm_mov_cr_decode(vcpu, 4, &gpr, &next))
		return 0;
	val = svm_vcpu_read_gpr(vcpu, gpr);
	if (svm_decode_mode(vcpu) != 8)
		val = (u32)val;			/* 32-bit operand outside long mode */
	/* The CPU checks CPL before the intercept; this is a defence. */
	if (save->cpl || !svm_cr4_valid(vcpu, val, save->efer, save->cr3)) {
		svm_vcpu_inject_gp(vcpu);
		return 1;
	}
	save->cr4 = val;
	vcpu->vmcb_dirty |= SVM_CLEAN_CRX;
	if ((val ^ old) & SVM_CR4_FLUSH_BITS)
		vcpu->tlb_flush_pending = true;
	svm_set_rip(vcpu, next);
	return 1;
}

/*
 * MOV to CR8, intercepted only while the in-kernel APIC has interrupts
 * waiting (lapic.c): the TPR changes, so what may be delivered does too.
 * Bits 63:4 are reserved (#GP, APM vol. 2, 3.1.5).
 */
int svm_exit_write_cr8(struct svmhv_vcpu *vcpu)
{
	unsigned int gpr;
	u64 val, next;

	if (svm_mov_cr_decode(vcpu, 8, &gpr, &next))
		return 0;
	val = svm_vcpu_read_gpr(vcpu, gpr);
	if (vcpu->vmcb->save.cpl || (val >> 4)) {
		svm_vcpu_inject_gp(vcpu);
		return 1;
	}
	svm_lapic_set_cr8(vcpu, val);
	svm_set_rip(vcpu, next);
	return 1;
}
