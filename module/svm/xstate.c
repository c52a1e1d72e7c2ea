// SPDX-License-Identifier: GPL-2.0
/*
 * The guest's XSAVE feature set: XCR0, XSETBV and CPUID leaf 0xD.
 *
 * The guest's register state lives in a kernel guest-FPU buffer sized for
 * every user state component the host kernel enables (run.c swaps it in
 * for a whole SVMHV_RUN), so a guest can be given any subset of them; what
 * it needs besides is its own XCR0.  Neither VMRUN nor #VMEXIT switches
 * XCR0 (APM vol. 2, 15.5.1 lists the state they do), so run.c loads the
 * guest's inside the CLGI section and gives the host its own back before
 * STGI: no interrupt or NMI handler of the host ever runs with the
 * guest's XCR0, and the kernel's XSAVE of the guest buffer, done with the
 * host's XCR0, keeps every component whatever the guest enabled.
 *
 * Offered: x87, SSE, AVX and the three AVX-512 components (together or
 * not at all) where the host kernel enables them, and PKRU where the host
 * uses protection keys (run.c switches PKRU itself).  Hidden: XSAVES and
 * the supervisor states (XSS is not switched), dynamically enabled states
 * (AMX, behind XFD and a permission the guest buffer does not have), MPX,
 * CET.  XSETBV (APM vol. 3, "XSETBV"; the rules of Intel SDM vol. 1,
 * 13.3) is intercepted and checked against that set.
 */
#include <asm/cpufeature.h>
#include <asm/fpu/api.h>
#include <linux/mm.h>
#include <asm/fpu/types.h>
#include <asm/fpu/xcr.h>

#include "svm.h"

#define XSTATE_LEGACY_SIZE	(512 + 64)	/* FXSAVE area + XSAVE header */
#define XSTATE_MAX_COMPONENT	9		/* PKRU */

u64 svm_host_xcr0;		/* the host kernel's XCR0; 0: no XSAVE */
u64 svm_guest_xcr0_supported;	/* what a guest may enable */
/*
 * QEMU's TCG runs a guest's XSETBV without looking at the intercept
 * (target/i386/tcg/translate.c), so there the guest sets the CPU's XCR0
 * itself: run.c then reads it back after each #VMEXIT, keeps it as the
 * guest's and gives the host its own again.  Real CPUs intercept.
 */
bool svm_xsetbv_unintercepted;

/* Running on QEMU's TCG: its hypervisor leaf says "TCGTCGTCGTCG". */
static bool svm_host_is_qemu_tcg(void)
{
	u32 sig[3], max;

	if (!boot_cpu_has(X86_FEATURE_HYPERVISOR))
		return false;
	cpuid(0x40000000, &max, &sig[0], &sig[1], &sig[2]);
	return !memcmp(sig, "TCGTCGTCGTCG", sizeof(sig));
}

/* CPUID 0xD subleaf i of the host, for the components we offer. */
static struct {
	u32 size, offset, flags;
} svm_xstate_comp[XSTATE_MAX_COMPONENT + 1];
static u32 svm_xsave_d1_eax;	/* CPUID 0xD.1 EAX as the guest sees it */

void svm_xstate_init(void)
{
	u64 offer = XFEATURE_MASK_FP | XFEATURE_MASK_SSE | XFEATURE_MASK_YMM |
		    XFEATURE_MASK_AVX512;
	u32 eax, ebx, ecx, edx;
	int i;

	if (!boot_cpu_has(X86_FEATURE_OSXSAVE))
		return;
	svm_host_xcr0 = xgetbv(XCR_XFEATURE_ENABLED_MASK);
	svm_xsetbv_unintercepted = svm_host_is_qemu_tcg();
	if (cpu_feature_enabled(X86_FEATURE_OSPKE))
		offer |= XFEATURE_MASK_PKRU;
	svm_guest_xcr0_supported = svm_host_xcr0 & offer;
	if ((svm_guest_xcr0_supported & XFEATURE_MASK_AVX512) !=
	    XFEATURE_MASK_AVX512 ||
	    !(svm_guest_xcr0_supported & XFEATURE_MASK_YMM))
		svm_guest_xcr0_supported &= ~XFEATURE_MASK_AVX512;
	for (i = 2; i <= XSTATE_MAX_COMPONENT; i++) {
		if (!(svm_guest_xcr0_supported & BIT_ULL(i)))
			continue;
		cpuid_count(0xd, i, &eax, &ebx, &ecx, &edx);
		svm_xstate_comp[i].size = eax;
		svm_xstate_comp[i].offset = ebx;
		svm_xstate_comp[i].flags = ecx & BIT(1);	/* 64-byte aligned */
	}
	/* XSAVEOPT, XSAVEC, XGETBV with ECX=1; not XSAVES nor XFD. */
	cpuid_count(0xd, 1, &eax, &ebx, &ecx, &edx);
	svm_xsave_d1_eax = eax & (BIT(0) | BIT(1) | BIT(2));
}

/* Bytes of a standard-format XSAVE area holding the components of xcr0. */
u32 svm_xstate_size(u64 xcr0)
{
	u32 size = XSTATE_LEGACY_SIZE;
	int i;

	for (i = 2; i <= XSTATE_MAX_COMPONENT; i++)
		if (xcr0 & BIT_ULL(i))
			size = max(size, svm_xstate_comp[i].offset +
					 svm_xstate_comp[i].size);
	return size;
}

/* CPUID 0xD (Intel SDM vol. 2, CPUID; APM vol. 3, E.3.9). */
void svm_xstate_cpuid(u64 xcr0, u32 subleaf, u32 out[4])
{
	u64 sup = svm_guest_xcr0_supported;

	memset(out, 0, 4 * sizeof(u32));
	if (!sup)
		return;
	if (subleaf == 0) {
		out[0] = (u32)sup;
		out[1] = svm_xstate_size(xcr0);	/* as XCR0 is now */
		out[2] = svm_xstate_size(sup);
		out[3] = sup >> 32;
	} else if (subleaf == 1) {
		out[0] = svm_xsave_d1_eax;
	} else if (subleaf <= XSTATE_MAX_COMPONENT && (sup & BIT_ULL(subleaf))) {
		out[0] = svm_xstate_comp[subleaf].size;
		out[1] = svm_xstate_comp[subleaf].offset;
		out[2] = svm_xstate_comp[subleaf].flags;
	}
}

/*
 * A value XCR0 may take (Intel SDM vol. 1, 13.3): x87 always on, nothing
 * the vCPU's CPUID does not offer, AVX only with SSE, the AVX-512
 * components all together and only with AVX.
 */
bool svm_xcr0_valid(struct svmhv_vcpu *vcpu, u64 xcr0)
{
	u64 avx512 = xcr0 & XFEATURE_MASK_AVX512;

	if (xcr0 & ~vcpu->xcr0_supported)
		return false;
	if (!(xcr0 & XFEATURE_MASK_FP))
		return false;
	if ((xcr0 & XFEATURE_MASK_YMM) && !(xcr0 & XFEATURE_MASK_SSE))
		return false;
	if (avx512 && (avx512 != XFEATURE_MASK_AVX512 ||
		       !(xcr0 & XFEATURE_MASK_YMM)))
		return false;
	return true;
}

/*
 * XSETBV: ECX selects the XCR (only XCR0 exists), EDX:EAX the value.
 * #UD without CR4.OSXSAVE, #GP at CPL > 0 or for a bad index or value --
 * checked here too, although the CPU checks the first two before the
 * intercept (APM vol. 2, 15.9), so that no guest can leave a value in
 * vcpu->xcr0 that VMRUN's neighbourhood would load.
 */
int svm_exit_xsetbv(struct svmhv_vcpu *vcpu)
{
	struct vmcb_save *save = &vcpu->vmcb->save;
	u64 val = (svm_vcpu_read_gpr(vcpu, GPR_RDX) << 32) | (u32)save->rax;

	if (!(save->cr4 & X86_CR4_OSXSAVE)) {
		svm_vcpu_inject_ud(vcpu);
		return 1;
	}
	if (save->cpl || (u32)svm_vcpu_read_gpr(vcpu, GPR_RCX) ||
	    !svm_xcr0_valid(vcpu, val)) {
		svm_vcpu_inject_gp(vcpu);
		return 1;
	}
	vcpu->xcr0 = val;
	return svm_skip_insn(vcpu);
}

/* ---- save and restore (SVMHV_GET/SET_XSAVE, _XCRS) -------------------- */

/* The components a vCPU's buffer may hold: x87 and SSE always. */
static u64 svm_xstate_user_mask(struct svmhv_vcpu *vcpu)
{
	return vcpu->xcr0_supported | XFEATURE_MASK_FP | XFEATURE_MASK_SSE;
}

/*
 * Outside SVMHV_RUN the guest's registers are in its buffer, not in the
 * CPU (run.c swaps them in and out within the ioctl), so the kernel's
 * copy helpers see the current values.
 */
void svm_xstate_get(struct svmhv_vcpu *vcpu, struct svmhv_xsave *x)
{
	memset(x, 0, sizeof(*x));
	fpu_copy_guest_fpstate_to_uabi(&vcpu->guest_fpu, x->region,
				       sizeof(x->region),
				       svm_xstate_user_mask(vcpu),
				       vcpu->guest_pkru);
}

int svm_xstate_set(struct svmhv_vcpu *vcpu, const struct svmhv_xsave *x)
{
	u32 pkru = vcpu->guest_pkru;
	int ret;

	ret = fpu_copy_uabi_to_guest_fpstate(&vcpu->guest_fpu, x->region,
					     svm_xstate_user_mask(vcpu), &pkru);
	if (ret)
		return -EINVAL;
	vcpu->guest_pkru = pkru;
	return 0;
}

void svm_xcrs_get(struct svmhv_vcpu *vcpu, struct svmhv_xcrs *x)
{
	memset(x, 0, sizeof(*x));
	x->nr_xcrs = 1;
	x->xcrs[0].xcr = 0;
	x->xcrs[0].value = vcpu->xcr0;
}

int svm_xcrs_set(struct svmhv_vcpu *vcpu, const struct svmhv_xcrs *x)
{
	u64 xcr0 = vcpu->xcr0;
	u32 i;

	if (x->flags || x->nr_xcrs > ARRAY_SIZE(x->xcrs))
		return -EINVAL;
	for (i = 0; i < ARRAY_SIZE(x->reserved); i++)
		if (x->reserved[i])
			return -EINVAL;
	for (i = 0; i < x->nr_xcrs; i++) {
		if (x->xcrs[i].xcr || x->xcrs[i].reserved ||
		    !svm_xcr0_valid(vcpu, x->xcrs[i].value))
			return -EINVAL;
		xcr0 = x->xcrs[i].value;
	}
	vcpu->xcr0 = xcr0;
	return 0;
}
