// SPDX-License-Identifier: GPL-2.0
/*
 * MSRs and I/O ports: the permission maps and the MSRs emulated in the
 * kernel.
 *
 * Both permission maps are shared by every VMCB.  The IOPM (APM vol. 2,
 * 15.10.1, 12 KiB) is all ones: every IN/OUT/INS/OUTS exits to userspace.
 * The MSRPM (15.11, 8 KiB) is all ones too, except -- unless
 * intercept_all_msrs is set -- for the MSRs that VMLOAD and VMSAVE switch
 * (15.5.2: FS/GS/KernelGS base, STAR, LSTAR, CSTAR, SFMASK, SYSENTER_*):
 * the world switch already gives the guest its own copies, so its accesses
 * need no exit.  Intercepted MSRs are answered here from the VMCB or vCPU
 * state; an MSR not listed below raises #GP in the guest, as a real CPU
 * does for an MSR it does not implement.  IA32_TSC_ADJUST is emulated
 * for every guest (CPUID 7 EBX[1] shows it): with an invariant TSC it is
 * what lets Linux trust its TSC without a clocksource watchdog.  TSC_AUX
 * is kept here and loaded before VMRUN (tsc_aux.c).
 */
#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/mem_encrypt.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/uaccess.h>
#include <asm/msr-index.h>
#include <asm/processor.h>

#include "svm.h"

#define SVM_IOPM_ORDER		2	/* 12 KiB used of 16 */
#define SVM_MSRPM_ORDER		1	/* 8 KiB */
#define SVM_MSR_MTRR_DEF_TYPE	0x2ff	/* the kernel's MSR_MTRRdefType */
#define MTRR_DEF_TYPE_VALID	(0xffULL | BIT_ULL(10) | BIT_ULL(11))

static bool intercept_all_msrs;
module_param(intercept_all_msrs, bool, 0444);
MODULE_PARM_DESC(intercept_all_msrs, "Intercept every guest MSR access, also of the MSRs VMLOAD/VMSAVE switch (default: N, those are accessed directly)");

static struct page *svm_iopm, *svm_msrpm;

static const u32 svm_msrs_switched_by_vmload[] = {
	MSR_FS_BASE, MSR_GS_BASE, MSR_KERNEL_GS_BASE, MSR_STAR, MSR_LSTAR,
	MSR_CSTAR, MSR_SYSCALL_MASK, MSR_IA32_SYSENTER_CS,
	MSR_IA32_SYSENTER_ESP, MSR_IA32_SYSENTER_EIP,
};

/*
 * MSRPM layout (15.11): three 2 KiB blocks for MSRs 0-0x1fff,
 * 0xc0000000-0xc0001fff and 0xc0010000-0xc0011fff, two bits per MSR
 * (read intercept, then write intercept).
 */
static void svm_msrpm_allow(u8 *msrpm, u32 msr)
{
	u32 base, offset;

	if (msr <= 0x1fff)
		base = 0;
	else if (msr >= 0xc0000000 && msr <= 0xc0001fff)
		base = 0x800;
	else
		return;		/* no other block holds one of ours */
	offset = (msr & 0x1fff) * 2;
	msrpm[base + offset / 8] &= ~(3u << (offset % 8));
}

int svm_msrpm_iopm_init(void)
{
	svm_iopm = alloc_pages(GFP_KERNEL, SVM_IOPM_ORDER);
	svm_msrpm = alloc_pages(GFP_KERNEL, SVM_MSRPM_ORDER);
	if (!svm_iopm || !svm_msrpm) {
		svm_msrpm_iopm_exit();
		return -ENOMEM;
	}
	memset(page_address(svm_iopm), 0xff, PAGE_SIZE << SVM_IOPM_ORDER);
	memset(page_address(svm_msrpm), 0xff, PAGE_SIZE << SVM_MSRPM_ORDER);
	if (!intercept_all_msrs) {
		int i;

		for (i = 0; i < ARRAY_SIZE(svm_msrs_switched_by_vmload); i++)
			svm_msrpm_allow(page_address(svm_msrpm),
					svm_msrs_switched_by_vmload[i]);
	}
	return 0;
}

void svm_msrpm_iopm_exit(void)
{
	if (svm_iopm)
		__free_pages(svm_iopm, SVM_IOPM_ORDER);
	if (svm_msrpm)
		__free_pages(svm_msrpm, SVM_MSRPM_ORDER);
	svm_iopm = NULL;
	svm_msrpm = NULL;
}

/*
 * The VMCB's IOPM_BASE_PA and MSRPM_BASE_PA (15.10.1, 15.11).  The kernel
 * wrote the maps through its encrypted mapping when SME is on, so the CPU
 * must read them with the encryption bit (7.10; svm/cpu.c).
 */
u64 svm_iopm_pa(void)
{
	return __sme_set(page_to_phys(svm_iopm));
}

u64 svm_msrpm_pa(void)
{
	return __sme_set(page_to_phys(svm_msrpm));
}

/* A PAT entry may hold UC, WC, WT, WP, WB or UC- (APM vol. 2, 7.8.2). */
static bool svm_pat_valid(u64 pat)
{
	int i;

	for (i = 0; i < 8; i++) {
		u8 type = (pat >> (i * 8)) & 0xff;

		if (type != 0 && type != 1 && (type < 4 || type > 7))
			return false;
	}
	return true;
}

/* Returns 0, or -EINVAL to make the caller inject #GP. */
int svm_inkernel_rdmsr(struct svmhv_vcpu *vcpu, u32 msr, u64 *val)
{
	struct vmcb_save *save = &vcpu->vmcb->save;
	int ret;

	/* APIC base, TSC deadline, x2APIC: the in-kernel APIC's (lapic.c). */
	if (vcpu->lapic) {
		ret = svm_lapic_rdmsr(vcpu, msr, val);
		if (ret != -ENOENT)
			return ret;
	}

	switch (msr) {
	case MSR_EFER:
		*val = save->efer & ~EFER_SVME;
		break;
	case MSR_IA32_TSC:
		*val = rdtsc() + vcpu->vmcb->control.tsc_offset;
		break;
	case MSR_IA32_TSC_ADJUST:
		*val = vcpu->tsc_adjust;
		break;
	case MSR_IA32_CR_PAT:
		*val = save->g_pat;
		break;
	case MSR_IA32_SYSENTER_CS:
		*val = save->sysenter_cs;
		break;
	case MSR_IA32_SYSENTER_ESP:
		*val = save->sysenter_esp;
		break;
	case MSR_IA32_SYSENTER_EIP:
		*val = save->sysenter_eip;
		break;
	case MSR_STAR:
		*val = save->star;
		break;
	case MSR_LSTAR:
		*val = save->lstar;
		break;
	case MSR_CSTAR:
		*val = save->cstar;
		break;
	case MSR_SYSCALL_MASK:
		*val = save->sfmask;
		break;
	case MSR_KERNEL_GS_BASE:
		*val = save->kernel_gs_base;
		break;
	case MSR_FS_BASE:
		*val = save->fs.base;
		break;
	case MSR_GS_BASE:
		*val = save->gs.base;
		break;
	case MSR_MTRRcap:
		*val = 0;	/* no variable or fixed ranges, no WC */
		break;
	case MSR_MTRRdefType:
		*val = vcpu->mtrr_def_type;
		break;
	case MSR_IA32_APICBASE:
		*val = vcpu->apic_base;
		break;
	/*
	 * AMD model-specific registers Linux touches without a fault handler
	 * on AMD CPUs: HWCR (bit 24, TscFreqSel: the TSC counts at P0
	 * frequency), DE_CFG (bit 1: LFENCE is dispatch serializing) and
	 * NB_CFG (read, then written by the PCI code's CPU-online hook).
	 * Writes are accepted and ignored.
	 */
	case MSR_K7_HWCR:
		*val = BIT_ULL(24);
		break;
	case MSR_AMD64_DE_CFG:
		*val = BIT_ULL(1);
		break;
	case MSR_AMD64_NB_CFG:
		*val = 0;
		break;
	case MSR_TSC_AUX:
		if (!vcpu->tsc_aux_msr)
			return -EINVAL;
		*val = vcpu->tsc_aux;
		break;
	default:
		return -EINVAL;
	}
	return 0;
}

static int svm_wrmsr_efer(struct svmhv_vcpu *vcpu, u64 val)
{
	struct vmcb_save *save = &vcpu->vmcb->save;
	u64 old = save->efer;

	/* Only what the vCPU's CPUID shows (APM vol. 2, 3.1.7). */
	if (val & ~vcpu->efer_valid)
		return -EINVAL;
	/* LME cannot change while paging is on (APM vol. 2, 14.6.1). */
	if ((save->cr0 & X86_CR0_PG) && ((val ^ old) & EFER_LME))
		return -EINVAL;
	/* LMA is read-only: keep the CPU's value. */
	save->efer = (val & ~EFER_LMA) | (old & EFER_LMA) | EFER_SVME;
	vcpu->vmcb_dirty |= SVM_CLEAN_CRX;
	return 0;
}

int svm_inkernel_wrmsr(struct svmhv_vcpu *vcpu, u32 msr, u64 val)
{
	struct vmcb_save *save = &vcpu->vmcb->save;
	int ret;

	if (vcpu->lapic) {
		ret = svm_lapic_wrmsr(vcpu, msr, val);
		if (ret != -ENOENT)
			return ret;
	}

	switch (msr) {
	case MSR_EFER:
		return svm_wrmsr_efer(vcpu, val);
	case MSR_IA32_TSC: {
		u64 offset = val - rdtsc();

		/* TSC_ADJUST follows a TSC write (Intel SDM vol. 3, 18.17.3). */
		vcpu->tsc_adjust += offset - vcpu->vmcb->control.tsc_offset;
		vcpu->vmcb->control.tsc_offset = offset;
		vcpu->vmcb_dirty |= SVM_CLEAN_INTERCEPTS;
		return 0;
	}
	case MSR_IA32_TSC_ADJUST:
		/* ... and the TSC follows a TSC_ADJUST write. */
		vcpu->vmcb->control.tsc_offset += val - vcpu->tsc_adjust;
		vcpu->tsc_adjust = val;
		vcpu->vmcb_dirty |= SVM_CLEAN_INTERCEPTS;
		return 0;
	case MSR_IA32_CR_PAT:
		if (!svm_pat_valid(val))
			return -EINVAL;
		save->g_pat = val;
		vcpu->vmcb_dirty |= SVM_CLEAN_NP;
		return 0;
	case MSR_IA32_SYSENTER_CS:
		save->sysenter_cs = val & 0xffff;
		return 0;
	case MSR_STAR:
		save->star = val;
		return 0;
	case MSR_SYSCALL_MASK:
		save->sfmask = val & 0xffffffff;
		return 0;
	case MSR_MTRRdefType:
		if (val & ~MTRR_DEF_TYPE_VALID)
			return -EINVAL;
		vcpu->mtrr_def_type = val;
		return 0;
	case MSR_K7_HWCR:
	case MSR_AMD64_DE_CFG:
	case MSR_AMD64_NB_CFG:
		return 0;
	case MSR_TSC_AUX:
		/* Bits 63:32 are reserved (APM vol. 3, RDTSCP). */
		if (!vcpu->tsc_aux_msr || val >> 32)
			return -EINVAL;
		vcpu->tsc_aux = val;
		return 0;
	}

	/* The rest hold addresses, which must be canonical. */
	if (!svm_canonical(val))
		return -EINVAL;
	switch (msr) {
	case MSR_IA32_SYSENTER_ESP:
		save->sysenter_esp = val;
		break;
	case MSR_IA32_SYSENTER_EIP:
		save->sysenter_eip = val;
		break;
	case MSR_LSTAR:
		save->lstar = val;
		break;
	case MSR_CSTAR:
		save->cstar = val;
		break;
	case MSR_KERNEL_GS_BASE:
		save->kernel_gs_base = val;
		break;
	case MSR_FS_BASE:
		save->fs.base = val;
		vcpu->vmcb_dirty |= SVM_CLEAN_SEG;
		break;
	case MSR_GS_BASE:
		save->gs.base = val;
		vcpu->vmcb_dirty |= SVM_CLEAN_SEG;
		break;
	default:
		return -EINVAL;
	}
	return 0;
}

/* ---- save and restore (SVMHV_GET_MSR_INDEX_LIST, GET/SET_MSRS) --------- */

/*
 * The MSRs a guest can change, whose values are part of the vCPU; the
 * x2APIC registers and TSC_DEADLINE are the local APIC's state
 * (SVMHV_GET_LAPIC), the constants (HWCR, DE_CFG, MTRRcap) nobody's.
 */
static const u32 svm_saved_msrs[] = {
	MSR_EFER, MSR_STAR, MSR_LSTAR, MSR_CSTAR, MSR_SYSCALL_MASK,
	MSR_KERNEL_GS_BASE, MSR_FS_BASE, MSR_GS_BASE, MSR_IA32_SYSENTER_CS,
	MSR_IA32_SYSENTER_ESP, MSR_IA32_SYSENTER_EIP, MSR_IA32_CR_PAT,
	MSR_IA32_TSC, MSR_IA32_TSC_ADJUST, MSR_IA32_APICBASE,
	SVM_MSR_MTRR_DEF_TYPE, MSR_TSC_AUX,
};

int svm_msr_index_list(struct svmhv_msr_list __user *u)
{
	u32 n, want = ARRAY_SIZE(svm_saved_msrs) - !svm_tsc_aux_enabled;

	if (get_user(n, &u->nmsrs))
		return -EFAULT;
	if (put_user(want, &u->nmsrs))
		return -EFAULT;
	if (n < want)
		return -E2BIG;
	/* TSC_AUX is last: left out where RDTSCP is not offered. */
	if (copy_to_user(u->indices, svm_saved_msrs, want * sizeof(u32)))
		return -EFAULT;
	return 0;
}

/* The local APIC's MSRs go with its state, not one by one. */
static bool svm_msr_is_lapic_state(u32 msr)
{
	return (msr >= 0x800 && msr <= 0x8ff) || msr == MSR_IA32_TSC_DEADLINE;
}

int svm_vcpu_get_msr(struct svmhv_vcpu *vcpu, u32 msr, u64 *val)
{
	if (svm_msr_is_lapic_state(msr))
		return -EINVAL;
	return svm_inkernel_rdmsr(vcpu, msr, val);
}

/*
 * A write by the VMM: the guest's rules, except where restoring needs
 * another order of things -- TSC and TSC_ADJUST each set alone (a guest's
 * write of one moves the other), EFER taken with LMA.
 */
int svm_vcpu_set_msr(struct svmhv_vcpu *vcpu, u32 msr, u64 val)
{
	struct vmcb_save *save = &vcpu->vmcb->save;

	if (svm_msr_is_lapic_state(msr))
		return -EINVAL;
	switch (msr) {
	case MSR_EFER:
		if ((val & ~vcpu->efer_valid) ||
		    ((val & EFER_LMA) && !(val & EFER_LME)))
			return -EINVAL;
		save->efer = val | EFER_SVME;
		vcpu->vmcb_dirty |= SVM_CLEAN_CRX;
		return 0;
	case MSR_IA32_TSC:
		vcpu->vmcb->control.tsc_offset = val - rdtsc();
		vcpu->vmcb_dirty |= SVM_CLEAN_INTERCEPTS;
		return 0;
	case MSR_IA32_TSC_ADJUST:
		vcpu->tsc_adjust = val;
		return 0;
	case MSR_IA32_APICBASE:
		/* Without an in-kernel APIC the base is fixed: same value only. */
		if (!vcpu->lapic)
			return val == vcpu->apic_base ? 0 : -EINVAL;
		return svm_inkernel_wrmsr(vcpu, msr, val);
	default:
		return svm_inkernel_wrmsr(vcpu, msr, val);
	}
}
