// SPDX-License-Identifier: GPL-2.0
/*
 * CPUID as the guest sees it.
 *
 * The answers are computed once at load, from the boot CPU, into a table,
 * so a CPUID exit costs a lookup rather than a host CPUID (itself an exit
 * when svmhv runs nested).  Every feature bit passes through a whitelist
 * of what a guest can use safely under svmhv; the rest are hidden:
 * SVM itself (no nested virtualization), XSAVES and the supervisor and
 * dynamic XSAVE states (xstate.c says which states are offered), MONITOR/
 * MWAIT, RDTSCP/RDPID unless TSC_AUX can be switched (tsc_aux.c), x2APIC/APIC/
 * TSC-deadline unless the VM has in-kernel APICs (svm_cpuid_lapic()),
 * performance-monitoring and machine-check architecture (their MSRs are
 * not emulated), topology (one core per vCPU, shown with the APICs).  PKU is shown when the
 * host kernel uses it (OSPKE): only then does the world switch swap PKRU
 * (run.c); OSPKE itself mirrors the guest's CR4.PKE, as on hardware.
 *
 * The table also decides which CR4 and EFER bits a guest may set
 * (svm_guest_cr4_valid, svm_guest_efer_valid): a control bit of a feature
 * CPUID does not show is reserved (APM vol. 2, 3.1.3 and 3.1.7), and
 * svmhv enforces that itself, since the CPU checks against the host's
 * features, not the guest's (cr.c, vcpu_state.c).
 *
 * Hypervisor leaves (0x40000000, the range hypervisors use by convention):
 * 0x40000000: EAX = highest leaf, EBX:ECX:EDX = "SVMHVSVMHVSV";
 * 0x40000010: EAX = TSC frequency in kHz, EBX = local APIC timer frequency
 * in kHz (0: no local APIC is emulated; 1000000 with the in-kernel APIC),
 * the layout VMware introduced and other hypervisors share.
 */
#include <linux/kernel.h>
#include <linux/log2.h>
#include <asm/msr-index.h>
#include <linux/mm.h>
#include <asm/fpu/types.h>
#include <asm/processor.h>
#include <asm/tsc.h>

#include "svm.h"

#define CPUID_BASIC_MAX		0xd
#define CPUID_EXT_BASE		0x80000000u
#define CPUID_EXT_MAX		0x80000008u
#define CPUID_HV_BASE		0x40000000u
#define CPUID_HV_TIMING		0x40000010u

/* Leaf 1 */
#define L1_ECX_KEEP	(BIT(0) /* SSE3 */ | BIT(1) /* PCLMULQDQ */ |	\
			 BIT(9) /* SSSE3 */ | BIT(12) /* FMA */ |	\
			 BIT(13) /* CX16 */ | BIT(19) /* SSE4.1 */ |	\
			 BIT(20) /* SSE4.2 */ | BIT(22) /* MOVBE */ |	\
			 BIT(23) /* POPCNT */ | BIT(25) /* AES */ |	\
			 BIT(29) /* F16C */ | BIT(30) /* RDRAND */)
#define L1_ECX_HYPERVISOR	BIT(31)
#define L1_ECX_XSAVE		BIT(26)
#define L1_ECX_OSXSAVE		BIT(27)
#define L1_ECX_AVX		BIT(28)
#define L1_EDX_APIC		BIT(9)
#define L1_EDX_KEEP	(BIT(0) /* FPU */ | BIT(1) /* VME */ |		\
			 BIT(2) /* DE */ | BIT(3) /* PSE */ |		\
			 BIT(4) /* TSC */ | BIT(5) /* MSR */ |		\
			 BIT(6) /* PAE */ | BIT(8) /* CX8 */ |		\
			 BIT(11) /* SEP */ | BIT(12) /* MTRR */ |	\
			 BIT(13) /* PGE */ | BIT(15) /* CMOV */ |	\
			 BIT(16) /* PAT */ | BIT(17) /* PSE36 */ |	\
			 BIT(19) /* CLFSH */ | BIT(23) /* MMX */ |	\
			 BIT(24) /* FXSR */ | BIT(25) /* SSE */ |	\
			 BIT(26) /* SSE2 */)
/* Leaf 7, subleaf 0 */
#define L7_EBX_KEEP	(BIT(0) /* FSGSBASE */ | BIT(3) /* BMI1 */ |	\
			 BIT(7) /* SMEP */ | BIT(8) /* BMI2 */ |	\
			 BIT(9) /* ERMS */ | BIT(18) /* RDSEED */ |	\
			 BIT(19) /* ADX */ | BIT(20) /* SMAP */ |	\
			 BIT(23) /* CLFLUSHOPT */ | BIT(24) /* CLWB */ |\
			 BIT(29) /* SHA */)
#define L7_EBX_TSC_ADJUST	BIT(1)	/* emulated: msr.c */
#define L7_ECX_KEEP	(BIT(2) /* UMIP */)
/* Leaf 7 bits of the AVX family: shown only with the XSAVE state they use. */
#define L7_EBX_AVX2	BIT(5)
#define L7_ECX_AVX	(BIT(9) /* VAES */ | BIT(10) /* VPCLMULQDQ */)
#define L7_EBX_AVX512	(BIT(16) /* F */ | BIT(17) /* DQ */ |		\
			 BIT(21) /* IFMA */ | BIT(28) /* CD */ |	\
			 BIT(30) /* BW */ | BIT(31) /* VL */)
#define L7_ECX_AVX512	(BIT(1) /* VBMI */ | BIT(6) /* VBMI2 */ |	\
			 BIT(11) /* VNNI */ | BIT(12) /* BITALG */ |	\
			 BIT(14) /* VPOPCNTDQ */)
#define L7_ECX_GFNI	BIT(8)
#define L7_ECX_RDPID	BIT(22)
#define L7_ECX_PKU	BIT(3)
#define L7_ECX_OSPKE	BIT(4)
/* Leaf 0x80000001 */
#define E1_ECX_KEEP	(BIT(0) /* LAHF/SAHF */ | BIT(5) /* LZCNT */ |	\
			 BIT(6) /* SSE4A */ | BIT(7) /* MisAlignSse */ |\
			 BIT(8) /* 3DNowPrefetch */)
#define E1_EDX_KEEP	((L1_EDX_KEEP & 0x0183f3ff) |			\
			 BIT(11) /* SYSCALL */ | BIT(20) /* NX */ |	\
			 BIT(22) /* MmxExt */ | BIT(26) /* 1 GiB pages */ |\
			 BIT(29) /* LM */)
#define E1_EDX_RDTSCP	BIT(27)
/* Leaf 0x80000007: invariant TSC only */
#define E7_EDX_KEEP	BIT(8)

struct cpuid_regs4 {
	u32 r[4];	/* EAX, EBX, ECX, EDX */
};

static struct cpuid_regs4 cpuid_basic[CPUID_BASIC_MAX + 1];
static struct cpuid_regs4 cpuid_ext[CPUID_EXT_MAX - CPUID_EXT_BASE + 1];
static u32 cpuid_basic_max, cpuid_ext_max;

u64 svm_guest_cr4_valid;
u64 svm_guest_efer_valid;
unsigned int svm_guest_phys_bits;

/*
 * Control bits a guest may set, from what its CPUID shows it (leaves 1,
 * 7.0 and 0x80000001, EAX..EDX each).
 */
void svm_cpuid_controls(const u32 l1[4], const u32 l7[4], const u32 e1[4],
			u64 *cr4_valid, u64 *efer_valid)
{
	u32 d1 = l1[3], c1 = l1[2], b7 = l7[1], c7 = l7[2], de1 = e1[3];
	u64 cr4 = X86_CR4_PCE, efer = 0;

	if (d1 & BIT(1))
		cr4 |= X86_CR4_VME | X86_CR4_PVI;
	if (d1 & BIT(2))
		cr4 |= X86_CR4_DE;
	if (d1 & BIT(3))
		cr4 |= X86_CR4_PSE;
	if (d1 & BIT(4))
		cr4 |= X86_CR4_TSD;
	if (d1 & BIT(6))
		cr4 |= X86_CR4_PAE;
	if (d1 & BIT(7))
		cr4 |= X86_CR4_MCE;
	if (d1 & BIT(13))
		cr4 |= X86_CR4_PGE;
	if (d1 & BIT(24))
		cr4 |= X86_CR4_OSFXSR;
	if (d1 & BIT(25))
		cr4 |= X86_CR4_OSXMMEXCPT;
	if (c1 & BIT(17))
		cr4 |= X86_CR4_PCIDE;
	if (c1 & L1_ECX_XSAVE)
		cr4 |= X86_CR4_OSXSAVE;
	if (b7 & BIT(0))
		cr4 |= X86_CR4_FSGSBASE;
	if (b7 & BIT(7))
		cr4 |= X86_CR4_SMEP;
	if (b7 & BIT(20))
		cr4 |= X86_CR4_SMAP;
	if (c7 & BIT(2))
		cr4 |= X86_CR4_UMIP;
	if (c7 & L7_ECX_PKU)
		cr4 |= X86_CR4_PKE;
	if (de1 & BIT(11))
		efer |= EFER_SCE;
	if (de1 & BIT(20))
		efer |= EFER_NX;
	if (de1 & BIT(29))
		efer |= EFER_LME | EFER_LMA;
	*cr4_valid = cr4;
	*efer_valid = efer;
}

/* The defaults, which every vCPU starts with (svm_vcpu_init). */
static void svm_guest_controls_init(void)
{
	u32 none[4] = {};

	svm_cpuid_controls(cpuid_basic[1].r,
			   cpuid_basic_max >= 7 ? cpuid_basic[7].r : none,
			   cpuid_ext_max >= 0x80000001 ? cpuid_ext[1].r : none,
			   &svm_guest_cr4_valid, &svm_guest_efer_valid);
	svm_guest_phys_bits = 36;
	if (cpuid_ext_max >= 0x80000008)
		svm_guest_phys_bits = cpuid_ext[8].r[0] & 0xff;
}

static void cpuid_host(u32 leaf, u32 subleaf, struct cpuid_regs4 *c)
{
	cpuid_count(leaf, subleaf, &c->r[0], &c->r[1], &c->r[2], &c->r[3]);
}

/*
 * Invariant TSC (0x80000007 EDX[8], APM vol. 3, E.4.5): the guest's TSC is
 * the host's plus a fixed offset, one per VM, so it is as invariant as the
 * host's.  Shown when the host CPU says so, or when the host kernel keeps
 * its own time with the TSC (not marked unstable) -- as it does on an
 * emulated CPU whose TSC runs at a constant rate without the bit.
 * Without it a Linux guest with more than one CPU on an AMD CPU does not
 * trust its TSC at all.
 */
static bool svm_invariant_tsc(void)
{
	return boot_cpu_has(X86_FEATURE_CONSTANT_TSC) ||
	       (boot_cpu_has(X86_FEATURE_TSC) && !check_tsc_unstable());
}

void svm_inkernel_cpuid_init(void)
{
	struct cpuid_regs4 *c;
	u32 leaf;

	cpuid_host(0, 0, &cpuid_basic[0]);
	cpuid_basic_max = min_t(u32, cpuid_basic[0].r[0], CPUID_BASIC_MAX);
	cpuid_basic[0].r[0] = cpuid_basic_max;

	c = &cpuid_basic[1];
	cpuid_host(1, 0, c);
	c->r[1] &= 0x0000ffff;		/* APIC id, logical count: per vCPU */
	c->r[2] = (c->r[2] & (L1_ECX_KEEP | L1_ECX_XSAVE | L1_ECX_AVX)) |
		  L1_ECX_HYPERVISOR;
	c->r[3] &= L1_EDX_KEEP;
	if (!svm_guest_xcr0_supported)
		c->r[2] &= ~L1_ECX_XSAVE;
	if (!(svm_guest_xcr0_supported & XFEATURE_MASK_YMM))
		c->r[2] &= ~L1_ECX_AVX;

	if (cpuid_basic_max >= 7) {
		c = &cpuid_basic[7];
		cpuid_host(7, 0, c);
		c->r[0] = 0;		/* no further subleaves */
		c->r[1] = (c->r[1] & (L7_EBX_KEEP | L7_EBX_AVX2 | L7_EBX_AVX512)) |
			  L7_EBX_TSC_ADJUST;
		c->r[2] &= L7_ECX_KEEP | L7_ECX_AVX | L7_ECX_AVX512 |
			   L7_ECX_GFNI |
			   (svm_tsc_aux_enabled ? L7_ECX_RDPID : 0) |
			   (cpu_feature_enabled(X86_FEATURE_OSPKE) ?
			    L7_ECX_PKU : 0);
		c->r[3] = 0;
		if (!(svm_guest_xcr0_supported & XFEATURE_MASK_YMM)) {
			c->r[1] &= ~L7_EBX_AVX2;
			c->r[2] &= ~L7_ECX_AVX;
		}
		if (!(svm_guest_xcr0_supported & XFEATURE_MASK_AVX512)) {
			c->r[1] &= ~L7_EBX_AVX512;
			c->r[2] &= ~L7_ECX_AVX512;
		}
	}
	/* Leaves 2-6, 8-0xc: nothing we offer (cache descriptors are
	 * Intel's, MONITOR and power management are hidden): all zero.
	 * 0xb (topology) and 0xd (XSAVE, xstate.c) are answered per vCPU.
	 */

	cpuid_host(CPUID_EXT_BASE, 0, &cpuid_ext[0]);
	cpuid_ext_max = min_t(u32, cpuid_ext[0].r[0], CPUID_EXT_MAX);
	cpuid_ext[0].r[0] = cpuid_ext_max;
	for (leaf = CPUID_EXT_BASE + 1; leaf <= cpuid_ext_max; leaf++) {
		c = &cpuid_ext[leaf - CPUID_EXT_BASE];
		cpuid_host(leaf, 0, c);
		switch (leaf) {
		case 0x80000001:
			c->r[2] &= E1_ECX_KEEP;		/* SVM hidden */
			c->r[3] &= E1_EDX_KEEP |
				   (svm_tsc_aux_enabled ? E1_EDX_RDTSCP : 0);
			break;
		case 0x80000002 ... 0x80000006:
			break;				/* brand, caches */
		case 0x80000007:
			c->r[0] = 0;
			c->r[1] = 0;
			c->r[2] = 0;
			c->r[3] = svm_invariant_tsc() ? E7_EDX_KEEP : 0;
			break;
		case 0x80000008:
			c->r[0] &= 0xffff;		/* address sizes */
			c->r[1] = 0;
			c->r[2] = 0;
			c->r[3] = 0;
			break;
		}
	}
	svm_guest_controls_init();
}

/*
 * What an in-kernel local APIC adds (lapic.c): APIC (while the base MSR
 * enables it, as on hardware), x2APIC, TSC-deadline; the logical processor
 * count in leaf 1 (with HTT), the core count in 0x80000008 ECX (NC,
 * ApicIdSize: APM vol. 3, E.4.7) and the levels of leaf 0xB, one core per
 * vCPU, consistent with the APIC IDs = vCPU ids; the APIC timer's 1 GHz in
 * 0x40000010 EBX.
 */
static void svm_cpuid_lapic(const struct svm_cpuid_who *who, u32 leaf,
			    u32 subleaf, u32 out[4])
{
	u32 n = max_t(u32, who->nr_vcpus, 1);

	switch (leaf) {
	case 0xb:
		/*
		 * Extended topology (APM vol. 3, E.3.7 Fn0000_000B): subleaf
		 * 0 the thread level (one thread per core: shift 0), 1 the
		 * core level (n cores: the x2APIC ID shifted right by
		 * order_base_2(n) is the package, always 0), then an invalid
		 * level ending the list; EDX the x2APIC ID at every subleaf.
		 */
		out[3] = who->id;
		out[2] = subleaf & 0xff;
		if (subleaf == 0) {
			out[0] = 0;
			out[1] = 1;
			out[2] |= 1 << 8;			/* thread */
		} else if (subleaf == 1) {
			out[0] = order_base_2(n);
			out[1] = n;
			out[2] |= 2 << 8;			/* core */
		}
		break;
	case 1:
		out[3] |= L1_EDX_APIC;	/* cleared while disabled: dynamic */
		out[2] |= BIT(21) | BIT(24);	/* x2APIC, TSC-deadline */
		if (n > 1) {
			out[1] = (out[1] & ~0x00ff0000) | (min(n, 255u) << 16);
			out[3] |= BIT(28);			/* HTT */
		}
		break;
	case 0x80000001:
		if (n > 1)
			out[2] |= BIT(1);			/* CmpLegacy */
		break;
	case 0x80000008:
		out[2] = (n - 1) | (order_base_2(n) << 12);
		break;
	case CPUID_HV_TIMING:
		out[1] = 1000000;			/* kHz */
		break;
	}
}

/* svmhv's own answer, before the bits that follow the vCPU's state. */
void svm_cpuid_default(const struct svm_cpuid_who *who, u32 leaf,
		       u32 subleaf, u32 out[4])
{
	const struct cpuid_regs4 *c = NULL;

	memset(out, 0, 4 * sizeof(u32));
	if (leaf == 0xd && leaf <= cpuid_basic_max) {
		svm_xstate_cpuid(XFEATURE_MASK_FP, subleaf, out);
		return;
	}
	if (leaf <= cpuid_basic_max) {
		c = &cpuid_basic[leaf];
		if (leaf == 7 && subleaf != 0)
			c = NULL;
	} else if (leaf >= CPUID_EXT_BASE && leaf <= cpuid_ext_max) {
		c = &cpuid_ext[leaf - CPUID_EXT_BASE];
	} else if (leaf == CPUID_HV_BASE) {
		out[0] = CPUID_HV_TIMING;
		memcpy(&out[1], "SVMHVSVMHVSV", 12);
		return;
	} else if (leaf == CPUID_HV_TIMING) {
		out[0] = tsc_khz;	/* guest TSC = host TSC + offset */
		if (who->lapic)
			svm_cpuid_lapic(who, leaf, subleaf, out);
		return;
	}
	if (!c)
		return;		/* AMD: leaves beyond the maximum read zero */
	memcpy(out, c->r, sizeof(c->r));
	if (leaf == 1)		/* initial APIC id = vCPU id, 1 logical CPU */
		out[1] |= (who->id << 24) | (1 << 16);
	if (who->lapic)
		svm_cpuid_lapic(who, leaf, subleaf, out);
}

/*
 * The bits that follow the vCPU's state, whoever wrote the rest: OSXSAVE
 * and OSPKE mirror CR4 (APM vol. 3, E.3.2 and E.3.6), APIC the base MSR's
 * enable bit (16.3.1), 0xD.0 EBX the XSAVE area XCR0 needs now.
 */
static void svm_cpuid_dynamic(struct svmhv_vcpu *vcpu, u32 leaf, u32 subleaf,
			      u32 out[4])
{
	u64 cr4 = vcpu->vmcb->save.cr4;

	switch (leaf) {
	case 1:
		out[2] &= ~L1_ECX_OSXSAVE;
		if (cr4 & X86_CR4_OSXSAVE)
			out[2] |= L1_ECX_OSXSAVE;
		if (vcpu->lapic &&
		    !(vcpu->apic_base & MSR_IA32_APICBASE_ENABLE))
			out[3] &= ~L1_EDX_APIC;
		break;
	case 7:
		if (subleaf)
			break;
		out[2] &= ~L7_ECX_OSPKE;
		if (cr4 & X86_CR4_PKE)
			out[2] |= L7_ECX_OSPKE;
		break;
	case 0xd:
		if (!subleaf && (out[0] || out[3]))
			out[1] = svm_xstate_size(vcpu->xcr0);
		break;
	}
}

void svm_inkernel_cpuid(struct svmhv_vcpu *vcpu, u32 leaf, u32 subleaf,
			u32 out[4])
{
	if (!vcpu->cpuid || !svm_cpuid_table_answer(vcpu->cpuid, leaf, subleaf,
						    out)) {
		struct svm_cpuid_who who = {
			.id = vcpu->id,
			.nr_vcpus = READ_ONCE(vcpu->vm->nr_vcpus),
			.lapic = vcpu->lapic,
		};

		svm_cpuid_default(&who, leaf, subleaf, out);
	}
	svm_cpuid_dynamic(vcpu, leaf, subleaf, out);
}
