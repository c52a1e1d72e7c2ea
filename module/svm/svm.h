/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The SVM backend's interface to the core.  Names say the layer:
 * svm_hw_* per-CPU enablement, svm_vcpu_* vCPU state and the run loop,
 * svm_exit_* one handler per #VMEXIT code, svm_inkernel_* what is emulated
 * in the kernel (CPUID, MSRs), svm_decode_* instruction decoding for the
 * cases the hardware does not describe for us.
 */
#ifndef SVMHV_SVM_H
#define SVMHV_SVM_H

#include <linux/percpu.h>
#include <linux/user-return-notifier.h>
#include <asm/asm.h>
#include <asm/msr-index.h>
#include <asm/processor-flags.h>
#include <asm/traps.h>

#include "../svmhv_core.h"

/* What the CPU offers, from CPUID 0x8000000A (APM 15.4 and E.4.9). */
struct svm_features {
	u32 nr_asids;		/* including ASID 0, which is the host's */
	bool nrip_save;		/* next RIP in the VMCB on instruction exits */
	bool decode_assists;	/* GPR number and insn bytes in the VMCB */
	bool flush_by_asid;	/* TLB_CONTROL 3 */
	bool vmcb_clean;	/* VMCB state caching with clean bits */
	bool pause_filter;	/* PAUSE exits after a count (15.14.4) */
	bool pause_filter_thresh; /* ... of PAUSEs close together */
};

extern struct svm_features svm_features;

/* svm/cpu.c */
struct svm_cpu {
	struct page *hsave;		/* VM_HSAVE_PA: VMRUN's host area */
	struct page *host_vmsave;	/* VMSAVE/VMLOAD area for host state */
	u64 host_vmsave_pa;		/* its address for VMSAVE/VMLOAD */
	bool enabled;
	bool enabled_at_suspend;	/* boot CPU: to re-enable on resume */
	/*
	 * The VMCB this CPU last entered, for the branch-predictor barrier
	 * in svm_hw_switch_vcpu(); cleared when that VMCB is freed, so that a
	 * new vCPU whose VMCB reuses the page is not taken for the old one.
	 */
	struct vmcb *last_vmcb;
};

DECLARE_PER_CPU(struct svm_cpu, svm_hw_cpu);

int svm_hw_init(void);
void svm_hw_exit(void);
void svm_hw_switch_vcpu_slow(struct vmcb *vmcb);
void svm_hw_forget_vmcb(struct vmcb *vmcb);	/* before freeing a VMCB */

/*
 * The two per-CPU facts every entry needs, inline: the calls cost more
 * than the lookups.
 */

/* This CPU's VMSAVE area for host state. */
static __always_inline u64 svm_hw_host_save_pa(void)
{
	return this_cpu_read(svm_hw_cpu.host_vmsave_pa);
}

/* Before VMRUN, interrupts off: IBPB if another vCPU ran here (cpu.c). */
static __always_inline void svm_hw_switch_vcpu(struct vmcb *vmcb)
{
	if (unlikely(this_cpu_read(svm_hw_cpu.last_vmcb) != vmcb))
		svm_hw_switch_vcpu_slow(vmcb);
}

void svm_hw_spurious_fault(void);
extern bool svm_hw_rebooting;	/* SVM is being turned off for reboot */

/*
 * CLGI and STGI (APM vol. 2, 15.17) raise #UD once a reboot cleared
 * EFER.SVME under a vCPU thread (15.4); the exception table then sends
 * the fault on to a label past the instruction, where
 * svm_hw_spurious_fault() checks that a reboot is the reason, as KVM's
 * svm_asm() and kvm_spurious_fault() do.  With asm goto the fault path
 * costs nothing when there is no fault: no flag to set, clear and test on
 * every entry.  (The table names a one-jump stub out of line rather than
 * the C label itself, as KVM's does, only because checkpatch takes the
 * label operand for a misplaced '%' operator.)
 */
static __always_inline void svm_clgi(void)
{
	asm goto("1: clgi\n\t"
		 ".pushsection .text.unlikely\n"
		 "2: jmp %l[fault]\n\t"
		 ".popsection\n\t"
		 _ASM_EXTABLE(1b, 2b)
		 : : : "memory" : fault);
	return;
fault:
	svm_hw_spurious_fault();
}

static __always_inline void svm_stgi(void)
{
	asm goto("1: stgi\n\t"
		 ".pushsection .text.unlikely\n"
		 "2: jmp %l[fault]\n\t"
		 ".popsection\n\t"
		 _ASM_EXTABLE(1b, 2b)
		 : : : "memory" : fault);
	return;
fault:
	svm_hw_spurious_fault();
}

/* svm/mce.c: a machine check intercepted in guest mode. */
void svm_mce_handle(void);
int svm_exit_mc(struct svmhv_vcpu *vcpu);

/* Right after #VMEXIT, interrupts still off, on the CPU that took it. */
static __always_inline void svm_mce_after_exit(struct vmcb *vmcb)
{
	if (unlikely(vmcb->control.exit_code ==
		     SVM_EXIT_EXCP_BASE + X86_TRAP_MC))
		svm_mce_handle();
}

/* svm/vcpu_state.c */
int svm_vcpu_init(struct svmhv_vcpu *vcpu);
void svm_vcpu_free(struct svmhv_vcpu *vcpu);
void svm_vcpu_reset(struct svmhv_vcpu *vcpu);
void svm_vcpu_get_regs(struct svmhv_vcpu *vcpu, struct svmhv_regs *regs);
int svm_vcpu_set_regs(struct svmhv_vcpu *vcpu, const struct svmhv_regs *regs);
void svm_vcpu_get_sregs(struct svmhv_vcpu *vcpu, struct svmhv_sregs *sregs);
int svm_vcpu_set_sregs(struct svmhv_vcpu *vcpu, const struct svmhv_sregs *sregs);
u64 svm_vcpu_read_gpr(struct svmhv_vcpu *vcpu, unsigned int reg);
void svm_vcpu_write_gpr(struct svmhv_vcpu *vcpu, unsigned int reg, u64 val);
void svm_vcpu_inject_exception(struct svmhv_vcpu *vcpu, u8 vector,
			       bool has_error, u32 error);
void svm_vcpu_inject_ud(struct svmhv_vcpu *vcpu);
void svm_vcpu_set_rdtscp_intercept(struct svmhv_vcpu *vcpu);
void svm_vcpu_get_tsc(struct svmhv_vcpu *vcpu, struct svmhv_tsc *t);
int svm_vcpu_set_tsc(struct svmhv_vcpu *vcpu, const struct svmhv_tsc *t);
void svm_vcpu_get_events(struct svmhv_vcpu *vcpu, struct svmhv_vcpu_events *e);
int svm_vcpu_set_events(struct svmhv_vcpu *vcpu,
			const struct svmhv_vcpu_events *e);
int svm_msr_index_list(struct svmhv_msr_list __user *u);
int svm_vcpu_get_msr(struct svmhv_vcpu *vcpu, u32 msr, u64 *val);
int svm_vcpu_set_msr(struct svmhv_vcpu *vcpu, u32 msr, u64 val);
void svm_xstate_get(struct svmhv_vcpu *vcpu, struct svmhv_xsave *x);
int svm_xstate_set(struct svmhv_vcpu *vcpu, const struct svmhv_xsave *x);
void svm_xcrs_get(struct svmhv_vcpu *vcpu, struct svmhv_xcrs *x);
int svm_xcrs_set(struct svmhv_vcpu *vcpu, const struct svmhv_xcrs *x);
void svm_vcpu_init_signal(struct svmhv_vcpu *vcpu);
void svm_vcpu_sipi(struct svmhv_vcpu *vcpu, u8 vector);
void svm_vcpu_inject_gp(struct svmhv_vcpu *vcpu);

/* svm/inject.c */
int svm_vcpu_queue_event(struct svmhv_vcpu *vcpu, const struct svmhv_event *ev);

/* Could the guest take an external interrupt at its next instruction? */
static inline bool svm_vcpu_interruptible(struct svmhv_vcpu *vcpu)
{
	struct vmcb *vmcb = vcpu->vmcb;

	return (vmcb->save.rflags & X86_EFLAGS_IF) &&
	       !(vmcb->control.int_state & 1) &&
	       !(vmcb->control.event_inj & SVM_EVT_VALID);
}

int svm_inject_prepare(struct svmhv_vcpu *vcpu);
/*
 * Does EXITINTINFO name an external interrupt whose delivery the exit cut
 * short (APM vol. 2, 15.7.2)?  Real CPUs report type INTR.  QEMU's
 * emulated SVM reports an interrupted virtual interrupt as an exception
 * with the interrupt's vector, 32 or above, which no exception can have.
 */
static inline bool svm_exitintinfo_is_irq(u32 info)
{
	u32 type = info & SVM_EVT_TYPE_MASK;

	if (!(info & SVM_EVT_VALID))
		return false;
	return type == SVM_EVT_TYPE_INTR ||
	       (type == SVM_EVT_TYPE_EXCEPTION &&
		(info & SVM_EVT_VECTOR_MASK) >= 32);
}

/* A 48-bit canonical address: bits 63:47 all equal (LA57 is never shown). */
static inline bool svm_canonical(u64 addr)
{
	return (u64)((s64)(addr << 16) >> 16) == addr;
}

/* VMRUN refused the state; QEMU writes only the low half of -1. */
static inline bool svm_exit_code_is_invalid(u64 code)
{
	return (u32)code == (u32)SVM_EXIT_INVALID;
}

void svm_irq_after_exit(struct svmhv_vcpu *vcpu);
bool svm_nmi_step_done(struct svmhv_vcpu *vcpu);
int svm_exit_vintr(struct svmhv_vcpu *vcpu);
int svm_exit_iret(struct svmhv_vcpu *vcpu);

/* svm/run.c: returns 0 with run->exit_reason set, or -errno. */
int svm_vcpu_run(struct svmhv_vcpu *vcpu);

/* svm/vmenter.S */
void svmhv_vmrun(u64 vmcb_pa, u64 *gprs, u64 host_save_pa, u64 in_shadow);

/* svm/decode.c */
struct svm_insn {
	u8 bytes[15];
	u8 avail;		/* bytes fetched */
	u8 len;			/* total length incl. prefixes */
	u8 nprefix;		/* bytes of legacy + REX prefixes */
	u8 opsize;		/* operand size in bytes: 1, 2, 4 or 8 */
	u8 addrsize;		/* 2, 4 or 8 */
	u8 rex;
	u8 seg;			/* segment override: 0 none, else 1 + ES..GS */
	bool rep;
	/* MOV to or from memory (MMIO) */
	u8 reg;			/* register operand (GPR_*) */
	bool high8;		/* reg is AH, CH, DH or BH */
	bool is_load;		/* memory -> reg */
	bool has_imm;
	u64 imm;
	u8 extend;		/* SVMHV_EXTEND_* */
	u8 dst_size;		/* bytes written to reg on a load */
};

#define SVMHV_EXTEND_ZERO	0
#define SVMHV_EXTEND_SIGN	1

/*
 * Operand/address size in bytes (2, 4 or 8) for the guest's current code
 * segment.  Inline: every exit that decodes asks for it several times.
 */
static inline unsigned int svm_decode_mode(struct svmhv_vcpu *vcpu)
{
	struct vmcb_save *save = &vcpu->vmcb->save;

	if ((save->efer & EFER_LMA) && (save->cs.attrib & VMCB_ATTR_L))
		return 8;
	if ((save->cr0 & X86_CR0_PE) && !(save->rflags & X86_EFLAGS_VM) &&
	    (save->cs.attrib & VMCB_ATTR_DB))
		return 4;
	return 2;
}

int svm_decode_fetch(struct svmhv_vcpu *vcpu, struct svm_insn *insn);
int svm_decode_fetch_short(struct svmhv_vcpu *vcpu, struct svm_insn *insn);
int svm_decode_prefixes(struct svmhv_vcpu *vcpu, struct svm_insn *insn);
int svm_decode_len(struct svmhv_vcpu *vcpu, struct svm_insn *insn);
int svm_decode_mov(struct svmhv_vcpu *vcpu, struct svm_insn *insn);
int svm_decode_mov_dr(struct svmhv_vcpu *vcpu, struct svm_insn *insn,
		      unsigned int *dr, unsigned int *gpr, bool *to_dr);

/*
 * svm/exit.c: handle one #VMEXIT.  Returns 1 to re-enter the guest, 0 to
 * return to userspace (run->exit_reason set), or -errno.
 */
int svm_exit_dispatch(struct svmhv_vcpu *vcpu);
int svm_next_rip(struct svmhv_vcpu *vcpu, u64 *next);
int svm_skip_insn(struct svmhv_vcpu *vcpu);
void svm_set_rip_single_step(struct svmhv_vcpu *vcpu);

/*
 * RIP past an instruction svmhv completed for the guest: that ends an
 * interrupt shadow, and under RFLAGS.TF raises the single-step trap the
 * CPU would have (svm_set_rip_single_step()).  Inline: most exits that
 * stay in the kernel end here.
 */
static inline void svm_set_rip(struct svmhv_vcpu *vcpu, u64 rip)
{
	struct vmcb *vmcb = vcpu->vmcb;

	vmcb->save.rip = rip;
	vmcb->control.int_state &= ~1u;
	if (unlikely(vmcb->save.rflags & X86_EFLAGS_TF))
		svm_set_rip_single_step(vcpu);
}

int svm_exit_internal(struct svmhv_vcpu *vcpu, u32 suberror,
		      const struct svm_insn *insn, u64 gpa);

/* svm/io.c, svm/npf.c: exits whose instruction may finish on the next
 * SVMHV_RUN, with data userspace left in the run structure.
 */
int svm_exit_ioio(struct svmhv_vcpu *vcpu);
int svm_exit_npf(struct svmhv_vcpu *vcpu);
int svm_complete_io(struct svmhv_vcpu *vcpu, bool string);
int svm_complete_mmio(struct svmhv_vcpu *vcpu);

/* svm/lapic.c: the in-kernel local APIC (lapic.h says who may call what). */
int svm_lapic_create(struct svmhv_vcpu *vcpu);
void svm_lapic_stop(struct svmhv_vcpu *vcpu);
void svm_lapic_reset(struct svmhv_vcpu *vcpu, bool power_up);
void svm_vcpu_kick(struct svmhv_vcpu *vcpu);
int svm_lapic_signal_msi(struct svmhv_vm *vm, const struct svmhv_msi *msi);
int svm_lapic_msi_valid(const struct svmhv_msi *msi);
void svm_lapic_take_events(struct svmhv_vcpu *vcpu);
bool svm_lapic_arm(struct svmhv_vcpu *vcpu);
void svm_lapic_set_cr8(struct svmhv_vcpu *vcpu, u8 cr8);
void svm_lapic_after_exit(struct svmhv_vcpu *vcpu);
bool svm_lapic_eoi_exit(struct svmhv_vcpu *vcpu);
bool svm_lapic_accepts_extint(struct svmhv_vcpu *vcpu);
bool svm_lapic_has_irq(struct svmhv_vcpu *vcpu);
bool svm_lapic_mmio_claims(struct svmhv_vcpu *vcpu, u64 gpa);
u64 svm_lapic_mmio_read(struct svmhv_vcpu *vcpu, u32 off, u32 len);
void svm_lapic_mmio_write(struct svmhv_vcpu *vcpu, u32 off, u32 len, u64 val);
int svm_lapic_rdmsr(struct svmhv_vcpu *vcpu, u32 msr, u64 *val);
int svm_lapic_wrmsr(struct svmhv_vcpu *vcpu, u32 msr, u64 val);
void svm_lapic_set_base_user(struct svmhv_vcpu *vcpu, u64 val);
void svm_lapic_get_state(struct svmhv_vcpu *vcpu, struct svmhv_lapic_state *s);
int svm_lapic_set_state(struct svmhv_vcpu *vcpu,
			const struct svmhv_lapic_state *s);

/* svm/cr.c */
bool svm_cr4_valid(struct svmhv_vcpu *vcpu, u64 val, u64 efer, u64 cr3);
int svm_exit_write_cr4(struct svmhv_vcpu *vcpu);
int svm_exit_write_cr8(struct svmhv_vcpu *vcpu);

/*
 * svm/cpuid.c: what svmhv answers, and what the default CPUID allows a
 * guest to set (each vCPU starts with these; its own table may narrow
 * them: vcpu->cr4_valid and friends).
 */
extern u64 svm_guest_cr4_valid;
extern u64 svm_guest_efer_valid;
extern unsigned int svm_guest_phys_bits;
void svm_inkernel_cpuid_init(void);

/* Whom svmhv's own CPUID answers are for. */
struct svm_cpuid_who {
	u32 id;			/* vCPU id = initial APIC id */
	u32 nr_vcpus;
	bool lapic;		/* in-kernel local APICs */
};

void svm_cpuid_default(const struct svm_cpuid_who *who, u32 leaf,
		       u32 subleaf, u32 out[4]);
void svm_cpuid_controls(const u32 l1[4], const u32 l7[4], const u32 e1[4],
			u64 *cr4_valid, u64 *efer_valid);

/* svm/cpuid_table.c: CPUID tables from userspace. */
struct svm_cpuid_table;
bool svm_cpuid_table_answer(const struct svm_cpuid_table *t, u32 leaf,
			    u32 index, u32 out[4]);
int svm_cpuid_set(struct svmhv_vcpu *vcpu, struct svmhv_cpuid __user *uarg);
int svm_cpuid_get(struct svmhv_vcpu *vcpu, struct svmhv_cpuid __user *uarg);
void svm_cpuid_table_free(struct svm_cpuid_table *t);

/* svm/xstate.c */
extern u64 svm_host_xcr0;
extern u64 svm_guest_xcr0_supported;
extern bool svm_xsetbv_unintercepted;
void svm_xstate_init(void);
void svm_xstate_cpuid(u64 xcr0, u32 subleaf, u32 out[4]);
u32 svm_xstate_size(u64 xcr0);
bool svm_xcr0_valid(struct svmhv_vcpu *vcpu, u64 xcr0);
int svm_exit_xsetbv(struct svmhv_vcpu *vcpu);

/* svm/spin.c */
bool svm_pause_exits(void);
void svm_spin_init_control(struct svmhv_vcpu *vcpu, struct vmcb_control *ctl);
void svm_spin_set_thread(struct svmhv_vcpu *vcpu);
int svm_exit_pause(struct svmhv_vcpu *vcpu);

/* Called by every SVMHV_RUN: inline, as the thread hardly ever changes. */
static inline void svm_spin_note_thread(struct svmhv_vcpu *vcpu)
{
	if (unlikely(rcu_access_pointer(vcpu->pid) != task_pid(current)))
		svm_spin_set_thread(vcpu);
}

/* svm/tsc_aux.c */
struct svm_tsc_aux_cpu {
	struct user_return_notifier urn;
	u32 host;		/* Linux's value for this CPU */
	u32 loaded;		/* what the MSR holds now */
	bool registered;	/* urn is on this CPU's list */
};

DECLARE_PER_CPU(struct svm_tsc_aux_cpu, svm_tsc_aux_cpu);
extern bool svm_tsc_aux_enabled;
void svm_tsc_aux_init(void);
void svm_tsc_aux_cpu_up(void);
void svm_tsc_aux_cpu_down(void);
void svm_tsc_aux_load_slow(u32 val);

/*
 * Before VMRUN, interrupts off: the guest's value, if the MSR holds
 * another.  Inline, because on most entries it already does.
 */
static __always_inline void svm_tsc_aux_load(u32 val)
{
	if (unlikely(this_cpu_read(svm_tsc_aux_cpu.loaded) != val))
		svm_tsc_aux_load_slow(val);
}

void svm_inkernel_cpuid(struct svmhv_vcpu *vcpu, u32 leaf, u32 subleaf,
			u32 out[4]);
int svm_inkernel_rdmsr(struct svmhv_vcpu *vcpu, u32 msr, u64 *val);
int svm_inkernel_wrmsr(struct svmhv_vcpu *vcpu, u32 msr, u64 val);
int svm_msrpm_iopm_init(void);
void svm_msrpm_iopm_exit(void);
u64 svm_iopm_pa(void);
u64 svm_msrpm_pa(void);

/*
 * svm/guest_access.c: guest virtual memory through the guest's paging and
 * segmentation, with the guest's access rights.
 */

/* Segment registers in VMCB order, as EXITINFO1 and prefixes number them. */
#define SVM_SEG_ES	0
#define SVM_SEG_CS	1
#define SVM_SEG_SS	2
#define SVM_SEG_DS	3
#define SVM_SEG_FS	4
#define SVM_SEG_GS	5

/* How an access is made, for its checks (APM vol. 2, 5.6 - 5.10). */
#define SVM_ACC_WRITE		BIT(0)
#define SVM_ACC_FETCH		BIT(1)
#define SVM_ACC_USER		BIT(2)	/* at CPL 3: see svm_access_cpl() */
#define SVM_ACC_IMPLICIT	BIT(3)	/* by the CPU itself: supervisor */
#define SVM_ACC_NO_AD		BIT(4)	/* only check: leave A/D bits alone */

/* An exception the access raises in the guest: #PF, #GP(0) or #SS(0). */
struct svm_fault {
	u8 vector;
	u32 error;
	u64 addr;		/* #PF: the linear address, for CR2 */
};

/* Returned (positive) when the guest faults; *fault says how. */
#define SVM_GUEST_FAULT	1

/* The last page a string instruction's elements were translated in. */
struct svm_tlb {
	bool valid;
	u64 page;		/* linear */
	u64 gpa;
};

unsigned int svm_access_cpl(struct svmhv_vcpu *vcpu, unsigned int access);
int svm_linearize(struct svmhv_vcpu *vcpu, unsigned int seg, u64 ea,
		  unsigned int size, unsigned int access, u64 *linear,
		  struct svm_fault *fault);
int svm_gva_to_gpa(struct svmhv_vcpu *vcpu, u64 gva, unsigned int access,
		   u64 *gpa, struct svm_fault *fault);
int svm_access_linear(struct svmhv_vcpu *vcpu, struct svm_tlb *tlb, u64 gva,
		      void *buf, size_t len, unsigned int access,
		      struct svm_fault *fault);
int svm_read_gva(struct svmhv_vcpu *vcpu, u64 gva, void *buf, size_t len,
		 unsigned int access, struct svm_fault *fault);
int svm_write_gva(struct svmhv_vcpu *vcpu, u64 gva, const void *buf,
		  size_t len, unsigned int access, struct svm_fault *fault);
void svm_inject_fault(struct svmhv_vcpu *vcpu, const struct svm_fault *fault);

/*
 * npt/asid.c: pick the ASID and TLB control for the next VMRUN.  The
 * rules are explained there; the per-entry cases that change nothing are
 * inline here.
 */
struct svm_asid_cpu {
	u64 generation;
	u32 next;
	/* A new generation began; no VMRUN has flushed all ASIDs yet. */
	bool flush_all;
};

DECLARE_PER_CPU(struct svm_asid_cpu, svm_asid_cpu);
void svm_asid_prepare_full(struct svmhv_vcpu *vcpu, bool moved);
void svm_asid_init(void);

/*
 * Right before VMRUN, interrupts off.  On the same CPU, with an ASID of
 * this CPU's generation, no flush owed to the vCPU (tlb_gen, a paging
 * change) nor to the CPU (flush_all): keep the ASID, flush nothing.
 * Anything else is svm_asid_prepare_full()'s.
 */
static __always_inline void svm_asid_prepare(struct svmhv_vcpu *vcpu,
					     bool moved)
{
	unsigned long tlb_gen = READ_ONCE(vcpu->vm->tlb_gen);

	if (unlikely(moved || tlb_gen != vcpu->tlb_gen ||
		     vcpu->tlb_flush_pending ||
		     vcpu->asid_generation !=
		     this_cpu_read(svm_asid_cpu.generation) ||
		     this_cpu_read(svm_asid_cpu.flush_all))) {
		svm_asid_prepare_full(vcpu, moved);
		return;
	}
	vcpu->vmcb->control.tlb_control = SVM_TLB_FLUSH_NOTHING;
	vcpu->tlb_gen_entering = tlb_gen;
}

/*
 * After a VMRUN that reached the guest (exit code other than
 * VMEXIT_INVALID), on the same CPU, interrupts still disabled: the
 * flushes asked for are done.
 */
static __always_inline void svm_asid_commit(struct svmhv_vcpu *vcpu)
{
	if (unlikely(vcpu->vmcb->control.tlb_control == SVM_TLB_FLUSH_ALL))
		this_cpu_write(svm_asid_cpu.flush_all, false);
	vcpu->tlb_gen = vcpu->tlb_gen_entering;
	vcpu->tlb_flush_pending = false;
}

#endif /* SVMHV_SVM_H */
