// SPDX-License-Identifier: GPL-2.0
/*
 * A vCPU's VMCB: creation, the intercept policy, the architectural reset
 * state, and conversion between the VMCB and the uapi register structs.
 *
 * Register state lives in two places: RAX, RSP, RIP, RFLAGS and all
 * segment/control state in the VMCB save area (APM vol. 2, appendix B,
 * table B-2), the other GPRs in vcpu->gprs, which vmenter.S loads and
 * stores around VMRUN.
 */
#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <asm/fpu/types.h>
#include <asm/msr.h>
#include <asm/processor-flags.h>
#include <asm/traps.h>
#include <asm/tsc.h>

#include "svm.h"
#include "../npt/npt.h"
#include "../svmhv_trace.h"

#define SVM_DEFAULT_PAT		0x0007040600070406ULL
#define SVM_RESET_CR0		(X86_CR0_CD | X86_CR0_NW | X86_CR0_ET)
#define SVM_DR6_INIT		0xffff0ff0ULL
#define SVM_DR7_INIT		0x400ULL
#define SVM_EFER_GUEST_BITS	(EFER_SCE | EFER_LME | EFER_LMA | EFER_NX)
/* CR0 bits that exist (APM vol. 2, 3.1.1); the rest are reserved. */
#define SVM_CR0_DEFINED		(X86_CR0_PE | X86_CR0_MP | X86_CR0_EM |	\
				 X86_CR0_TS | X86_CR0_ET | X86_CR0_NE |	\
				 X86_CR0_WP | X86_CR0_AM | X86_CR0_NW |	\
				 X86_CR0_CD | X86_CR0_PG)
/* RFLAGS bits that exist (3.1.6); bit 1 reads as one. */
#define SVM_RFLAGS_DEFINED	0x3f7fd7ULL
/* APIC base MSR: BSP, global enable, base address (16.3.1). */
#define SVM_APIC_BASE_BITS	(MSR_IA32_APICBASE_BSP | \
				 MSR_IA32_APICBASE_ENABLE)
#define SVM_APIC_BASE_EXTD	BIT_ULL(10)	/* x2APIC mode */

/*
 * Intercept policy (APM 15.9 - 15.14).
 *
 * Allow: CR reads and writes but CR4's (nested paging makes CR3 and
 * paging the guest's own; CR8 goes to V_TPR under V_INTR_MASKING,
 * 15.21.1; a CR4 write could enable features CPUID hides: cr.c), INVLPG,
 * PAUSE, RDTSC (with a TSC offset), INTn, IRET, PUSHF/POPF, task switches,
 * exceptions other than those below.
 *
 * Intercept the rest:
 *  - physical INTR, NMI, SMI, INIT: the host's, taken after #VMEXIT;
 *  - SHUTDOWN: a triple fault must not reset the host (15.12);
 *  - I/O and MSRs: every port and every MSR, via all-ones permission maps;
 *  - CPUID, HLT, VMMCALL: handled by svmhv or its userspace;
 *  - DR reads/writes: debug registers are shadowed, never loaded, so a
 *    guest cannot arm breakpoints on host addresses;
 *  - #DB and #AC: reflected back, but intercepted so that a guest with a
 *    broken IDT cannot wedge the CPU in an endless microcode loop of
 *    exception deliveries (the #AC/#DB "infinite loop" problems);
 *  - INVD and WBINVD: skipped, so a guest cannot drop or flush the host's
 *    caches;
 *  - VMRUN (mandatory, 15.5.1), VMLOAD, VMSAVE, STGI, CLGI, SKINIT,
 *    INVLPGA, RDPRU, MONITOR/MWAIT, RDPMC: features the guest is not
 *    offered; #UD (or #GP for RDPMC) is injected; RDTSCP too when the
 *    host cannot switch TSC_AUX (tsc_aux.c);
 *  - XSETBV: checked and kept as the guest's XCR0 (xstate.c).
 */
static void svm_vcpu_init_control(struct svmhv_vcpu *vcpu)
{
	struct vmcb_control *ctl = &vcpu->vmcb->control;

	memset(ctl, 0, sizeof(*ctl));
	ctl->intercept_cr = SVM_INTERCEPT_CR4_WRITE;
	ctl->intercept_dr = 0xffffffff;
	ctl->intercept_exceptions = BIT(X86_TRAP_DB) | BIT(X86_TRAP_AC) |
				    BIT(X86_TRAP_MC);	/* the host's: svm/mce.c */
	ctl->intercept_misc1 = SVM_INTERCEPT_INTR | SVM_INTERCEPT_NMI |
			       SVM_INTERCEPT_SMI | SVM_INTERCEPT_INIT |
			       SVM_INTERCEPT_RDPMC | SVM_INTERCEPT_CPUID |
			       SVM_INTERCEPT_INVD | SVM_INTERCEPT_HLT |
			       SVM_INTERCEPT_INVLPGA |
			       SVM_INTERCEPT_IOIO_PROT |
			       SVM_INTERCEPT_MSR_PROT |
			       SVM_INTERCEPT_SHUTDOWN;
	ctl->intercept_misc2 = SVM_INTERCEPT_VMRUN | SVM_INTERCEPT_VMMCALL |
			       SVM_INTERCEPT_VMLOAD | SVM_INTERCEPT_VMSAVE |
			       SVM_INTERCEPT_STGI | SVM_INTERCEPT_CLGI |
			       SVM_INTERCEPT_SKINIT |
			       (vcpu->rdtscp_ud ? SVM_INTERCEPT_RDTSCP : 0) |
			       SVM_INTERCEPT_WBINVD | SVM_INTERCEPT_MONITOR |
			       SVM_INTERCEPT_MWAIT |
			       SVM_INTERCEPT_MWAIT_COND |
			       SVM_INTERCEPT_XSETBV | SVM_INTERCEPT_RDPRU;
	ctl->iopm_base_pa = svm_iopm_pa();
	ctl->msrpm_base_pa = svm_msrpm_pa();
	/* The VM's TSC: near zero at its creation, the host's rate. */
	ctl->tsc_offset = vcpu->vm->tsc_offset;
	ctl->int_ctl = SVM_V_INTR_MASKING;
	svm_spin_init_control(vcpu, ctl);	/* PAUSE (spin.c) */
	ctl->nested_ctl = SVM_NESTED_CTL_NP_ENABLE;
	ctl->nested_cr3 = npt_root_pa(&vcpu->vm->npt);
}

static void svm_seg_set(struct vmcb_seg *seg, u16 sel, u64 base, u32 limit,
			u16 attrib)
{
	seg->selector = sel;
	seg->base = base;
	seg->limit = limit;
	seg->attrib = attrib;
}

/* The state after RESET, APM vol. 2, 14.1.3 (table 14-1). */
static void svm_vcpu_init_save(struct svmhv_vcpu *vcpu)
{
	struct vmcb_save *save = &vcpu->vmcb->save;
	u32 eax, ebx, ecx, edx;

	memset(save, 0, sizeof(*save));
	svm_seg_set(&save->cs, 0xf000, 0xffff0000, 0xffff, 0x09b);
	svm_seg_set(&save->ds, 0, 0, 0xffff, 0x093);
	save->es = save->ds;
	save->ss = save->ds;
	save->fs = save->ds;
	save->gs = save->ds;
	svm_seg_set(&save->gdtr, 0, 0, 0xffff, 0);
	save->idtr = save->gdtr;
	svm_seg_set(&save->ldtr, 0, 0, 0xffff, 0x082);
	svm_seg_set(&save->tr, 0, 0, 0xffff, 0x08b);
	save->cr0 = SVM_RESET_CR0;
	save->efer = EFER_SVME;
	save->dr6 = SVM_DR6_INIT;
	save->dr7 = SVM_DR7_INIT;
	save->rflags = X86_EFLAGS_FIXED;
	save->rip = 0xfff0;
	save->g_pat = SVM_DEFAULT_PAT;

	memset(vcpu->gprs, 0, sizeof(vcpu->gprs));
	/* EDX holds the processor signature after RESET. */
	cpuid(1, &eax, &ebx, &ecx, &edx);
	vcpu->gprs[GPR_RDX] = eax;
	memset(vcpu->dr, 0, sizeof(vcpu->dr));
	vcpu->guest_pkru = 0;
	vcpu->xcr0 = XFEATURE_MASK_FP;	/* after RESET and INIT (SDM 13.3) */
	vcpu->dr7 = SVM_DR7_INIT;
	vcpu->apic_base = APIC_DEFAULT_PHYS_BASE | MSR_IA32_APICBASE_ENABLE |
			  (vcpu->id == 0 ? MSR_IA32_APICBASE_BSP : 0);
	vcpu->mtrr_def_type = 0;
	vcpu->tsc_adjust = 0;
}

void svm_vcpu_reset(struct svmhv_vcpu *vcpu)
{
	svm_vcpu_init_control(vcpu);
	svm_vcpu_init_save(vcpu);
	vcpu->pending.kind = SVMHV_PENDING_NONE;
	memset(&vcpu->events, 0, sizeof(vcpu->events));
	vcpu->shutdown = false;
	vcpu->last_cpu = -1;	/* also clears every VMCB clean bit */
	vcpu->asid_generation = 0;
}

int svm_vcpu_init(struct svmhv_vcpu *vcpu)
{
	struct page *page;

	page = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
	if (!page)
		return -ENOMEM;
	vcpu->save_snapshot = kmalloc(sizeof(*vcpu->save_snapshot),
				      GFP_KERNEL_ACCOUNT);
	if (!vcpu->save_snapshot) {
		__free_page(page);
		return -ENOMEM;
	}
	if (!fpu_alloc_guest_fpstate(&vcpu->guest_fpu)) {
		kfree(vcpu->save_snapshot);
		__free_page(page);
		return -ENOMEM;
	}
	vcpu->vmcb = page_address(page);
	vcpu->vmcb_pa = __sme_set(page_to_phys(page));	/* SME: svm/cpu.c */
	/* For dumps of a hung machine (scripts/run-vm.sh); dynamic debug. */
	pr_debug(SVMHV_NAME ": vcpu %u vmcb %#llx\n", vcpu->id, vcpu->vmcb_pa);
	/* svmhv's CPUID until userspace sets a table (cpuid_table.c). */
	vcpu->cr4_valid = svm_guest_cr4_valid;
	vcpu->efer_valid = svm_guest_efer_valid;
	vcpu->xcr0_supported = svm_guest_xcr0_supported;
	vcpu->tsc_aux_msr = svm_tsc_aux_enabled;
	vcpu->rdtscp_ud = !svm_tsc_aux_enabled;
	svm_vcpu_reset(vcpu);
	return 0;
}

/* RDTSCP exits (and #UD is injected) when the vCPU's CPUID hides it. */
void svm_vcpu_set_rdtscp_intercept(struct svmhv_vcpu *vcpu)
{
	struct vmcb_control *ctl = &vcpu->vmcb->control;

	if (vcpu->rdtscp_ud)
		ctl->intercept_misc2 |= SVM_INTERCEPT_RDTSCP;
	else
		ctl->intercept_misc2 &= ~SVM_INTERCEPT_RDTSCP;
	vcpu->vmcb_dirty |= SVM_CLEAN_INTERCEPTS;
}

void svm_vcpu_free(struct svmhv_vcpu *vcpu)
{
	svm_cpuid_table_free(vcpu->cpuid);
	vcpu->cpuid = NULL;
	fpu_free_guest_fpstate(&vcpu->guest_fpu);
	kfree(vcpu->save_snapshot);
	svm_hw_forget_vmcb(vcpu->vmcb);	/* per-CPU IBPB record, svm/cpu.c */
	free_page((unsigned long)vcpu->vmcb);
	vcpu->vmcb = NULL;
}

u64 svm_vcpu_read_gpr(struct svmhv_vcpu *vcpu, unsigned int reg)
{
	if (reg == GPR_RAX)
		return vcpu->vmcb->save.rax;
	if (reg == GPR_RSP)
		return vcpu->vmcb->save.rsp;
	return vcpu->gprs[reg];
}

void svm_vcpu_write_gpr(struct svmhv_vcpu *vcpu, unsigned int reg, u64 val)
{
	if (reg == GPR_RAX)
		vcpu->vmcb->save.rax = val;
	else if (reg == GPR_RSP)
		vcpu->vmcb->save.rsp = val;
	else
		vcpu->gprs[reg] = val;
}

void svm_vcpu_get_regs(struct svmhv_vcpu *vcpu, struct svmhv_regs *r)
{
	struct vmcb_save *save = &vcpu->vmcb->save;

	memset(r, 0, sizeof(*r));
	r->rax = save->rax;
	r->rsp = save->rsp;
	r->rip = save->rip;
	r->rflags = save->rflags;
	/* A TF svmhv set to open an NMI window is not the guest's. */
	if (vcpu->events.nmi_step && !vcpu->events.nmi_step_guest_tf)
		r->rflags &= ~X86_EFLAGS_TF;
	r->rbx = vcpu->gprs[GPR_RBX];
	r->rcx = vcpu->gprs[GPR_RCX];
	r->rdx = vcpu->gprs[GPR_RDX];
	r->rsi = vcpu->gprs[GPR_RSI];
	r->rdi = vcpu->gprs[GPR_RDI];
	r->rbp = vcpu->gprs[GPR_RBP];
	r->r8 = vcpu->gprs[GPR_R8];
	r->r9 = vcpu->gprs[GPR_R9];
	r->r10 = vcpu->gprs[GPR_R10];
	r->r11 = vcpu->gprs[GPR_R11];
	r->r12 = vcpu->gprs[GPR_R12];
	r->r13 = vcpu->gprs[GPR_R13];
	r->r14 = vcpu->gprs[GPR_R14];
	r->r15 = vcpu->gprs[GPR_R15];
}

/*
 * Reserved RFLAGS bits: VMRUN would take them, no instruction of the guest
 * could set them.  Bit 1 is set for the caller, who may pass 0.  VM=1 in
 * long mode is a state no CPU can be in (virtual-8086 mode does not
 * exist there, 1.2.3).
 */
int svm_vcpu_set_regs(struct svmhv_vcpu *vcpu, const struct svmhv_regs *r)
{
	struct vmcb_save *save = &vcpu->vmcb->save;

	if ((r->rflags & ~SVM_RFLAGS_DEFINED) ||
	    ((r->rflags & X86_EFLAGS_VM) && (save->efer & EFER_LMA)))
		return -EINVAL;
	save->rax = r->rax;
	save->rsp = r->rsp;
	save->rip = r->rip;
	save->rflags = r->rflags | X86_EFLAGS_FIXED;
	vcpu->gprs[GPR_RBX] = r->rbx;
	vcpu->gprs[GPR_RCX] = r->rcx;
	vcpu->gprs[GPR_RDX] = r->rdx;
	vcpu->gprs[GPR_RSI] = r->rsi;
	vcpu->gprs[GPR_RDI] = r->rdi;
	vcpu->gprs[GPR_RBP] = r->rbp;
	vcpu->gprs[GPR_R8] = r->r8;
	vcpu->gprs[GPR_R9] = r->r9;
	vcpu->gprs[GPR_R10] = r->r10;
	vcpu->gprs[GPR_R11] = r->r11;
	vcpu->gprs[GPR_R12] = r->r12;
	vcpu->gprs[GPR_R13] = r->r13;
	vcpu->gprs[GPR_R14] = r->r14;
	vcpu->gprs[GPR_R15] = r->r15;
	vcpu->pending.kind = SVMHV_PENDING_NONE;
	vcpu->save_unverified = true;
	/* An interrupt shadow belongs to the instruction we were at. */
	vcpu->vmcb->control.int_state = 0;
	/* TF is now userspace's: an NMI window step starts afresh. */
	vcpu->events.nmi_step = false;
	return 0;
}

static void svm_seg_to_user(const struct vmcb_seg *s, struct svmhv_segment *u)
{
	memset(u, 0, sizeof(*u));
	u->base = s->base;
	u->limit = s->limit;
	u->selector = s->selector;
	u->type = s->attrib & VMCB_ATTR_TYPE_MASK;
	u->s = !!(s->attrib & VMCB_ATTR_S);
	u->dpl = (s->attrib >> VMCB_ATTR_DPL_SHIFT) & 3;
	u->present = !!(s->attrib & VMCB_ATTR_P);
	u->avl = !!(s->attrib & VMCB_ATTR_AVL);
	u->l = !!(s->attrib & VMCB_ATTR_L);
	u->db = !!(s->attrib & VMCB_ATTR_DB);
	u->g = !!(s->attrib & VMCB_ATTR_G);
}

static int svm_seg_from_user(const struct svmhv_segment *u, struct vmcb_seg *s)
{
	if (u->pad[0] || u->pad[1] || u->type > 15 || u->dpl > 3 ||
	    u->s > 1 || u->present > 1 || u->avl > 1 || u->l > 1 ||
	    u->db > 1 || u->g > 1)
		return -EINVAL;
	s->base = u->base;
	s->limit = u->limit;
	s->selector = u->selector;
	s->attrib = u->type | (u->s ? VMCB_ATTR_S : 0) |
		    (u->dpl << VMCB_ATTR_DPL_SHIFT) |
		    (u->present ? VMCB_ATTR_P : 0) |
		    (u->avl ? VMCB_ATTR_AVL : 0) | (u->l ? VMCB_ATTR_L : 0) |
		    (u->db ? VMCB_ATTR_DB : 0) | (u->g ? VMCB_ATTR_G : 0);
	return 0;
}

static void svm_dt_to_user(const struct vmcb_seg *s, struct svmhv_dtable *u)
{
	memset(u, 0, sizeof(*u));
	u->base = s->base;
	u->limit = s->limit;
}

void svm_vcpu_get_sregs(struct svmhv_vcpu *vcpu, struct svmhv_sregs *sr)
{
	struct vmcb_save *save = &vcpu->vmcb->save;

	memset(sr, 0, sizeof(*sr));
	svm_seg_to_user(&save->cs, &sr->cs);
	svm_seg_to_user(&save->ds, &sr->ds);
	svm_seg_to_user(&save->es, &sr->es);
	svm_seg_to_user(&save->fs, &sr->fs);
	svm_seg_to_user(&save->gs, &sr->gs);
	svm_seg_to_user(&save->ss, &sr->ss);
	svm_seg_to_user(&save->tr, &sr->tr);
	svm_seg_to_user(&save->ldtr, &sr->ldt);
	svm_dt_to_user(&save->gdtr, &sr->gdt);
	svm_dt_to_user(&save->idtr, &sr->idt);
	sr->cr0 = save->cr0;
	sr->cr2 = save->cr2;
	sr->cr3 = save->cr3;
	sr->cr4 = save->cr4;
	sr->cr8 = vcpu->vmcb->control.int_ctl & 0xf;	/* V_TPR */
	sr->efer = save->efer & ~EFER_SVME;
	sr->apic_base = vcpu->apic_base;
}

static bool svm_dt_valid(const struct svmhv_dtable *dt)
{
	return !dt->pad[0] && !dt->pad[1] && !dt->pad[2];
}

/*
 * Would VMRUN take this state, and could a CPU be in it?  VMRUN's own
 * checks (APM vol. 2, 15.5.1) are repeated here so that bad state from
 * userspace is an EINVAL of the ioctl and never a failed VMRUN; the
 * architectural ones (3.1) so that a guest never starts in a state no CPU
 * could reach -- including control bits of features the guest's CPUID
 * hides, which hardware (checking the host's features) would accept.
 */
static bool svm_sregs_valid(struct svmhv_vcpu *vcpu,
			    const struct svmhv_sregs *sr)
{
	u64 phys_mask = ~GENMASK_ULL(svm_guest_phys_bits - 1, 0);
	bool long_mode = (sr->efer & EFER_LME) && (sr->cr0 & X86_CR0_PG);
	u64 efer = sr->efer | (long_mode ? EFER_LMA : 0);

	/* CR0: reserved bits, NW without CD, PG without PE. */
	if ((sr->cr0 & ~SVM_CR0_DEFINED) ||
	    ((sr->cr0 & X86_CR0_NW) && !(sr->cr0 & X86_CR0_CD)) ||
	    ((sr->cr0 & X86_CR0_PG) && !(sr->cr0 & X86_CR0_PE)))
		return false;
	/* EFER: features the guest lacks; LMA is derived, not taken. */
	if ((sr->efer & ~SVM_EFER_GUEST_BITS) ||
	    (sr->efer & ~vcpu->efer_valid))
		return false;
	/* Long mode needs PAE; CS.L with CS.D is reserved (15.5.1). */
	if (long_mode && !(sr->cr4 & X86_CR4_PAE))
		return false;
	if (sr->cs.l && (!long_mode || sr->cs.db))
		return false;
	if (!svm_cr4_valid(vcpu, sr->cr4, efer, sr->cr3))
		return false;
	/* CR3: no address bits beyond the guest's physical width. */
	if (long_mode ? (sr->cr3 & phys_mask) : (sr->cr3 >> 32))
		return false;
	/* Bases: 64-bit ones canonical, the others 32 bits wide. */
	if (!svm_canonical(sr->fs.base) || !svm_canonical(sr->gs.base) ||
	    !svm_canonical(sr->tr.base) || !svm_canonical(sr->ldt.base) ||
	    !svm_canonical(sr->gdt.base) || !svm_canonical(sr->idt.base))
		return false;
	if ((sr->cs.base | sr->ds.base | sr->es.base | sr->ss.base) >> 32)
		return false;
	/*
	 * APIC base: an address the guest can have; x2APIC only with the
	 * in-kernel APIC (CPUID shows it then), and only enabled.
	 */
	if (sr->apic_base & ~(SVM_APIC_BASE_BITS | (PAGE_MASK & ~phys_mask) |
			      (vcpu->lapic ? SVM_APIC_BASE_EXTD : 0)))
		return false;
	if ((sr->apic_base & SVM_APIC_BASE_EXTD) &&
	    !(sr->apic_base & MSR_IA32_APICBASE_ENABLE))
		return false;
	return true;
}

int svm_vcpu_set_sregs(struct svmhv_vcpu *vcpu, const struct svmhv_sregs *sr)
{
	struct vmcb_save *save = &vcpu->vmcb->save;
	struct vmcb_seg segs[8];
	u64 efer = sr->efer;
	int i, ret = 0;

	for (i = 0; i < ARRAY_SIZE(sr->reserved); i++)
		if (sr->reserved[i])
			return -EINVAL;
	if (!svm_dt_valid(&sr->gdt) || !svm_dt_valid(&sr->idt))
		return -EINVAL;
	if (sr->cr8 > 15 || !svm_sregs_valid(vcpu, sr))
		return -EINVAL;
	ret |= svm_seg_from_user(&sr->cs, &segs[0]);
	ret |= svm_seg_from_user(&sr->ds, &segs[1]);
	ret |= svm_seg_from_user(&sr->es, &segs[2]);
	ret |= svm_seg_from_user(&sr->fs, &segs[3]);
	ret |= svm_seg_from_user(&sr->gs, &segs[4]);
	ret |= svm_seg_from_user(&sr->ss, &segs[5]);
	ret |= svm_seg_from_user(&sr->tr, &segs[6]);
	ret |= svm_seg_from_user(&sr->ldt, &segs[7]);
	if (ret)
		return -EINVAL;

	/* The state after a triple fault was reset at the exit (exit.c). */
	vcpu->shutdown = false;

	save->cs = segs[0];
	save->ds = segs[1];
	save->es = segs[2];
	save->fs = segs[3];
	save->gs = segs[4];
	save->ss = segs[5];
	save->tr = segs[6];
	save->ldtr = segs[7];
	svm_seg_set(&save->gdtr, 0, sr->gdt.base, sr->gdt.limit, 0);
	svm_seg_set(&save->idtr, 0, sr->idt.base, sr->idt.limit, 0);
	/* The CPL is not derived by VMRUN: it is SS.DPL in protected mode,
	 * 3 in virtual-8086 mode, 0 in real mode (15.5.1).
	 */
	if (!(sr->cr0 & X86_CR0_PE))
		save->cpl = 0;
	else if (save->rflags & X86_EFLAGS_VM)
		save->cpl = 3;
	else
		save->cpl = sr->ss.dpl;
	save->cr0 = sr->cr0;
	save->cr2 = sr->cr2;
	save->cr3 = sr->cr3;
	save->cr4 = sr->cr4;
	/* LMA is the CPU's to say: long mode is active iff LME and PG. */
	efer &= ~EFER_LMA;
	if ((efer & EFER_LME) && (sr->cr0 & X86_CR0_PG))
		efer |= EFER_LMA;
	save->efer = efer | EFER_SVME;
	vcpu->vmcb->control.int_ctl = (vcpu->vmcb->control.int_ctl & ~0xffu) |
				       sr->cr8;
	vcpu->apic_base = sr->apic_base;
	if (vcpu->lapic)
		svm_lapic_set_base_user(vcpu, sr->apic_base);
	vcpu->pending.kind = SVMHV_PENDING_NONE;
	vcpu->save_unverified = true;
	vcpu->vmcb_dirty = ~0u;
	return 0;
}

/*
 * INIT from another vCPU's APIC (APM vol. 2, 16.5; state as after RESET,
 * 14.1.3, except that the TSC, the APIC base MSR and the caches stay).
 */
void svm_vcpu_init_signal(struct svmhv_vcpu *vcpu)
{
	u64 tsc_offset = vcpu->vmcb->control.tsc_offset;
	u64 tsc_adjust = vcpu->tsc_adjust;
	u64 apic_base = vcpu->apic_base;

	svm_vcpu_reset(vcpu);
	vcpu->vmcb->control.tsc_offset = tsc_offset;
	vcpu->tsc_adjust = tsc_adjust;
	vcpu->apic_base = apic_base;
}

/* A Startup IPI: real mode at vector * 4 KiB, CS = vector << 8 (16.5). */
void svm_vcpu_sipi(struct svmhv_vcpu *vcpu, u8 vector)
{
	struct vmcb_save *save = &vcpu->vmcb->save;

	save->cs.selector = vector << 8;
	save->cs.base = (u64)vector << 12;
	save->rip = 0;
	vcpu->vmcb_dirty |= SVM_CLEAN_SEG;
}

void svm_vcpu_inject_exception(struct svmhv_vcpu *vcpu, u8 vector,
			       bool has_error, u32 error)
{
	struct vmcb_control *ctl = &vcpu->vmcb->control;

	/* Real mode pushes no error code (APM vol. 2, 8.2). */
	if (!(vcpu->vmcb->save.cr0 & X86_CR0_PE))
		has_error = false;
	ctl->event_inj = SVM_EVT_VALID | SVM_EVT_TYPE_EXCEPTION | vector |
			 (has_error ? SVM_EVT_ERROR_VALID : 0);
	ctl->event_inj_err = error;
	vcpu->stat[SVMHV_STAT_INJECTED]++;
	trace_svmhv_inject(vcpu->id, SVM_EVT_TYPE_EXCEPTION >> SVM_EVT_TYPE_SHIFT,
			   vector, error);
}

void svm_vcpu_inject_ud(struct svmhv_vcpu *vcpu)
{
	svm_vcpu_inject_exception(vcpu, X86_TRAP_UD, false, 0);
}

void svm_vcpu_inject_gp(struct svmhv_vcpu *vcpu)
{
	svm_vcpu_inject_exception(vcpu, X86_TRAP_GP, true, 0);
}

/* The guest's TSC (SVMHV_GET/SET_TSC): the offset; the rate is the host's. */
void svm_vcpu_get_tsc(struct svmhv_vcpu *vcpu, struct svmhv_tsc *t)
{
	memset(t, 0, sizeof(*t));
	t->tsc_offset = vcpu->vmcb->control.tsc_offset;
	t->tsc_khz = tsc_khz;
}

int svm_vcpu_set_tsc(struct svmhv_vcpu *vcpu, const struct svmhv_tsc *t)
{
	if (t->pad || t->reserved[0] || t->reserved[1] ||
	    (t->tsc_khz && t->tsc_khz != tsc_khz))
		return -EINVAL;
	vcpu->vmcb->control.tsc_offset = t->tsc_offset;
	vcpu->vmcb_dirty |= SVM_CLEAN_INTERCEPTS;
	return 0;
}
