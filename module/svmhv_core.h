/* SPDX-License-Identifier: GPL-2.0 */
/*
 * svmhv core objects: the VM, its memory slots and its vCPUs.
 *
 * Lifetime: a vCPU file holds a reference on its VM file, so the VM is
 * destroyed only after every vCPU of it is gone; every file holds a
 * reference on the module (fops.owner), so the module cannot be unloaded
 * while any of them is open.
 *
 * The core (main.c, vm.c, vcpu.c, guest_mem.c) never touches a VMCB field;
 * the SVM backend (svm/) never touches a file descriptor.
 */
#ifndef SVMHV_CORE_H
#define SVMHV_CORE_H

#include <linux/mm_types.h>
#include <linux/mmu_notifier.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/rcupdate.h>
#include <linux/rcuwait.h>
#include <linux/stddef.h>
#include <linux/types.h>
#include <linux/xarray.h>
#include <linux/eventfd.h>
#include <asm/fpu/api.h>

#include "uapi/svmhv.h"
#include "svm/vmcb.h"

#define SVMHV_NAME "svmhv"

/* One guest physical range backed by the VM creator's memory. */
struct svmhv_slot {
	u64 gpa;
	u64 size;		/* 0: slot unused */
	u64 uaddr;
	u32 flags;		/* SVMHV_MEM_* */
	unsigned long *dirty_bitmap;	/* logging: lock + mmu_lock */
};

/* Nested page table of one VM (npt/npt.c). */
struct svmhv_npt {
	u64 *root;		/* PML4, one page */
	unsigned long nr_table_pages;
	unsigned long nr_mapped;	/* 4 KiB leaves present */
	u64 *cache[3];		/* zeroed tables for the next mapping */
	unsigned int nr_cache;
	u64 *stale;		/* unhooked table, freed after a flush */
	int stale_level;
};

struct svmhv_vcpu;
struct svmhv_vm;

/*
 * Statistics (stats.c): indices into struct svmhv_stats viewed as u64s.
 * A vCPU counts into its own array of SVMHV_STAT_NR; the four VM-wide
 * fields (PINNED..MAPPED) stay 0 there and are filled in for the VM.
 */
enum svmhv_stat {
	SVMHV_STAT_EXITS,
	SVMHV_STAT_USERSPACE_EXITS,
	SVMHV_STAT_IO,
	SVMHV_STAT_MMIO,
	SVMHV_STAT_NPF,
	SVMHV_STAT_HLT,
	SVMHV_STAT_CPUID,
	SVMHV_STAT_MSR,
	SVMHV_STAT_HYPERCALL,
	SVMHV_STAT_HOST_EVENT,
	SVMHV_STAT_IRQ_WINDOW,
	SVMHV_STAT_DR,
	SVMHV_STAT_EXCEPTION,
	SVMHV_STAT_OTHER,
	SVMHV_STAT_INJECTED,
	SVMHV_STAT_GUEST_CYCLES,	/* shown as guest_ns */
	SVMHV_STAT_RUN_CYCLES,		/* shown as run_ns */
	SVMHV_STAT_PINNED,		/* VM-wide */
	SVMHV_STAT_NPT,			/* VM-wide */
	SVMHV_STAT_VCPUS,		/* VM-wide */
	SVMHV_STAT_MAPPED,		/* VM-wide */
	SVMHV_STAT_PAUSE,
	SVMHV_STAT_NR
};

static_assert(offsetof(struct svmhv_stats, other_exits) ==
	      SVMHV_STAT_OTHER * sizeof(u64));
static_assert(offsetof(struct svmhv_stats, run_ns) ==
	      SVMHV_STAT_RUN_CYCLES * sizeof(u64));
static_assert(offsetof(struct svmhv_stats, mapped_pages) ==
	      SVMHV_STAT_MAPPED * sizeof(u64));
static_assert(offsetof(struct svmhv_stats, pause_exits) ==
	      SVMHV_STAT_PAUSE * sizeof(u64));

struct svmhv_stat_file {
	struct svmhv_vm *vm;
	int index;
};

struct svmhv_vm {
	struct mm_struct *mm;	/* creator's; all ioctls must come from it */
	/*
	 * Serialises memory-slot changes, nested page table updates and the
	 * vCPU table.  Held while handling a nested page fault (may sleep
	 * pinning pages).
	 */
	struct mutex lock;
	/*
	 * The nested page tables, and the slots' addresses as the MMU
	 * notifier reads them (mmu_notifier.c).  A spinlock: the notifier
	 * runs where sleeping is not allowed (reclaim, the OOM reaper).
	 * Slot changes hold both locks; the fault path holds lock, then
	 * mmu_lock only to install a mapping.
	 */
	spinlock_t mmu_lock;
	struct svmhv_slot slots[SVMHV_MAX_MEM_SLOTS];	/* lock + mmu_lock */
	struct svmhv_npt npt;				/* mmu_lock */
	struct mmu_notifier mmu_notifier;
	/* Invalidations under way, and how many ended (mmu_lock). */
	unsigned long mmu_inv_count;
	unsigned long mmu_inv_seq;
	/* Written under lock; APIC senders read it under RCU. */
	struct svmhv_vcpu __rcu *vcpus[SVMHV_MAX_VCPUS];
	unsigned int nr_vcpus;				/* lock */
	bool lapic_enabled;				/* lock */
	/* Every vCPU's TSC offset at creation: one TSC for the whole VM. */
	u64 tsc_offset;
	/* PAUSE intercepted: the pause_exits parameter at creation (spin.c). */
	bool pause_exits;
	/*
	 * Bumped (under lock) whenever a nested mapping is removed; a vCPU
	 * that sees a newer value than it last ran with flushes its guest
	 * TLB before VMRUN.  Written with WRITE_ONCE, read with READ_ONCE.
	 */
	unsigned long tlb_gen;
	/* In-kernel PM timer: port << 32 | counter offset, 0 off (pm_timer.c). */
	u64 pm_timer;
	/* ioeventfd.c: written under lock, read under RCU by exit handlers. */
	struct list_head ioeventfds;
	struct list_head irqfds;			/* lock; irqfd.c */
	unsigned int id;
	struct dentry *debugfs;
	struct svmhv_stat_file stat_files[SVMHV_STAT_NR];
};

/* What the next SVMHV_RUN must finish before entering the guest. */
enum svmhv_pending {
	SVMHV_PENDING_NONE,
	SVMHV_PENDING_IN,	/* port IN: result into rAX */
	SVMHV_PENDING_INS,	/* INS: results into ES:rDI */
	SVMHV_PENDING_MMIO_READ,/* MMIO load: result into a register */
	SVMHV_PENDING_HYPERCALL,/* VMMCALL: result into rAX */
};

/* Events userspace queued with SVMHV_INJECT_EVENT (svm/inject.c). */
struct svmhv_queued_events {
	bool irq;
	bool irq_armed;		/* irq_vector sits in V_IRQ/V_INTR_VECTOR */
	u8 irq_vector;
	bool nmi;
	bool nmi_blocked;	/* an injected NMI's handler has not IRETed */
	bool awaiting_iret;	/* IRET seen at iret_rip, not yet executed */
	u64 iret_rip;
	/*
	 * The guest runs with RFLAGS.TF set by svmhv, to exit after one
	 * instruction and inject the queued NMI (svm/inject.c).
	 */
	bool nmi_step;
	bool nmi_step_guest_tf;	/* the guest's own TF when it started */
	bool exc;
	u8 exc_vector;
	bool exc_has_error;
	u32 exc_error;
};

struct svmhv_completion {
	enum svmhv_pending kind;
	u64 next_rip;		/* RIP once the instruction is done */
	u8 size;		/* bytes per element / operand */
	u8 reg;			/* MMIO read: destination GPR */
	bool high8;		/* MMIO read: destination is AH..BH */
	u8 extend;		/* MMIO read: SVMHV_EXTEND_* */
	u8 dst_size;		/* MMIO read: bytes of reg written */
	u32 count;		/* string I/O: elements moved this exit */
	u8 addr_size;		/* string I/O: 2, 4 or 8 */
	bool rep;
};

/* x86 register numbers, as in ModRM/REX encodings. */
enum {
	GPR_RAX, GPR_RCX, GPR_RDX, GPR_RBX, GPR_RSP, GPR_RBP, GPR_RSI, GPR_RDI,
	GPR_R8, GPR_R9, GPR_R10, GPR_R11, GPR_R12, GPR_R13, GPR_R14, GPR_R15,
	GPR_COUNT
};

/* vcpu->requests: work other contexts leave for the vCPU's thread. */
#define SVMHV_REQ_EVENT		0	/* look at the local APIC */

struct svm_lapic;
struct svm_cpuid_table;

struct svmhv_vcpu {
	struct svmhv_vm *vm;
	struct file *vm_file;		/* referenced: keeps the VM alive */
	u32 id;
	/* Serialises every ioctl on this vCPU (run, get/set state). */
	struct mutex mutex;
	struct svmhv_run *run;		/* the page userspace mmaps */

	/* Backend state, owned by svm/ and npt/. */
	struct vmcb *vmcb;
	u64 vmcb_pa;
	/* Guest GPRs VMRUN does not switch; [GPR_RAX] and [GPR_RSP] unused
	 * (they live in the VMCB).  Indexed by GPR_*, read by vmenter.S.
	 */
	u64 gprs[GPR_COUNT];
	struct fpu_guest guest_fpu;
	/*
	 * CPU of the last (or current) VMRUN, -1 none; WRITE_ONCE, as TLB
	 * shootdowns read it while in_guest.
	 */
	int last_cpu;
	u64 asid_generation;		/* per-CPU generation the ASID is from */
	unsigned long tlb_gen;		/* vm->tlb_gen at last flush */
	unsigned long tlb_gen_entering;	/* vm->tlb_gen the VMRUN flushes to */
	bool tlb_flush_pending;		/* flush this vCPU's ASID (CR4) */
	u32 vmcb_dirty;			/* SVM_CLEAN_* fields changed by us */
	/* Set while between "about to VMRUN" and "back from VMRUN", so
	 * that a TLB shootdown knows whom to kick.
	 */
	int in_guest;

	u64 dr[4];			/* guest DR0..3: shadowed, never loaded */
	u64 dr7;			/* guest DR7: shadowed (VMCB holds 0x400) */
	u32 guest_pkru;			/* loaded only around VMRUN */
	u64 xcr0;			/* loaded only around VMRUN (xstate.c) */
	u32 tsc_aux;			/* loaded before VMRUN (tsc_aux.c) */
	/*
	 * The vCPU's CPUID table from userspace (svm/cpuid_table.c), NULL
	 * for svmhv's own, and what it allows the guest to set.
	 */
	struct svm_cpuid_table *cpuid;
	u64 cr4_valid;
	u64 efer_valid;
	u64 xcr0_supported;
	bool tsc_aux_msr;		/* TSC_AUX readable/writable */
	bool rdtscp_ud;			/* RDTSCP hidden: intercepted, #UD */
	bool ran;			/* RUN was called: CPUID is fixed */
	u64 apic_base;
	u64 mtrr_def_type;
	u64 tsc_adjust;			/* IA32_TSC_ADJUST (msr.c) */
	bool shutdown;			/* triple fault seen; VMCB undefined */
	/* Userspace set state VMRUN has not accepted yet; its copy. */
	bool save_unverified;
	struct vmcb_save *save_snapshot;
	struct svmhv_completion pending;
	struct svmhv_queued_events events;
	/* EVENTINJ and V_IRQ state of the last VMRUN, before it ran. */
	u32 event_entered;
	u32 event_err_entered;
	u32 int_ctl_entered;
	u64 stat[SVMHV_STAT_NR];	/* written by the vCPU's thread only */

	/* In-kernel local APIC (svm/lapic.c), NULL unless the VM has them. */
	struct svm_lapic *lapic;
	unsigned long requests;		/* SVMHV_REQ_*, atomic bit ops */
	struct rcuwait wait;		/* the thread sleeping in HLT/for SIPI */
	struct pid __rcu *pid;		/* the thread of the last RUN (spin.c) */
	u32 mp_state;			/* SVMHV_MP_STATE_* */
	struct rcu_head rcu;
};

/* vm.c */
struct svmhv_slot *svmhv_find_slot(struct svmhv_vm *vm, u64 gpa);
int svmhv_create_vm_fd(void);

/* vCPU i of the VM, for a caller holding vm->lock. */
static inline struct svmhv_vcpu *svmhv_vm_vcpu_locked(struct svmhv_vm *vm,
						      unsigned int i)
{
	return rcu_dereference_protected(vm->vcpus[i],
					 lockdep_is_held(&vm->lock));
}

/* vcpu.c */
int svmhv_create_vcpu_fd(struct svmhv_vm *vm, struct file *vm_file,
			 unsigned long id);

/* stats.c */
/* ioeventfd.c, irqfd.c */
int svmhv_ioeventfd(struct svmhv_vm *vm, const struct svmhv_ioeventfd *u);
bool svmhv_ioeventfd_write(struct svmhv_vm *vm, bool pio, u64 addr,
			   u32 len, u64 val);
void svmhv_ioeventfd_release(struct svmhv_vm *vm);
int svmhv_irqfd(struct svmhv_vm *vm, const struct svmhv_irqfd *u);
void svmhv_irqfd_release(struct svmhv_vm *vm);

/* Has any ioeventfd been registered?  The exit paths' cheap test. */
static inline bool svmhv_has_ioeventfds(struct svmhv_vm *vm)
{
	return !list_empty(&vm->ioeventfds);
}

/*
 * eventfd_signal() lost its count argument in Linux 6.8 (Debian's 6.12
 * has the new form): module/Kbuild tells which (SVMHV_EVENTFD_NO_COUNT).
 */
static inline void svmhv_eventfd_signal(struct eventfd_ctx *ctx)
{
#ifdef SVMHV_EVENTFD_NO_COUNT
	eventfd_signal(ctx);
#else
	eventfd_signal(ctx, 1);
#endif
}

/* pm_timer.c */
int svmhv_pm_timer_set(struct svmhv_vm *vm, const struct svmhv_pm_timer *t);
void svmhv_pm_timer_get(struct svmhv_vm *vm, struct svmhv_pm_timer *t);
u32 svmhv_pm_timer_read(u64 cfg, u16 port);

#define SVMHV_PM_TIMER_LEN	4u	/* the port spans 4 bytes */

/*
 * An access of size bytes to port: true when it falls inside the timer,
 * with *val the bytes a read returns (writes to the read-only counter are
 * ignored, ACPI 4.8.3.3).  An access that only straddles the timer's edge
 * is left to the VMM, which has the neighbouring registers.  Inline, since
 * every port I/O exit asks and most are for other ports.
 */
static inline bool svmhv_pm_timer_access(struct svmhv_vm *vm, u16 port,
					 unsigned int size, u32 *val)
{
	u64 cfg = READ_ONCE(vm->pm_timer);
	u16 base = cfg >> 32;

	if (!base || port < base || port + size > base + SVMHV_PM_TIMER_LEN)
		return false;
	*val = svmhv_pm_timer_read(cfg, port);
	return true;
}

void svmhv_stats_init(void);
void svmhv_stats_exit(void);
void svmhv_vm_debugfs_add(struct svmhv_vm *vm);
void svmhv_vm_debugfs_remove(struct svmhv_vm *vm);
void svmhv_vm_stats(struct svmhv_vm *vm, struct svmhv_stats *out);
void svmhv_vcpu_stats(const struct svmhv_vcpu *vcpu, struct svmhv_stats *out);

/* guest_mem.c: guest physical memory as the host sees it. */
int svmhv_read_gpa(struct svmhv_vm *vm, u64 gpa, void *buf, size_t len);
int svmhv_read_gpa_u64(struct svmhv_vm *vm, u64 gpa, u64 *val);
int svmhv_write_gpa(struct svmhv_vm *vm, u64 gpa, const void *buf, size_t len);
int svmhv_slot_get_page(struct svmhv_slot *slot, u64 gpa, bool write,
			struct page **page, bool *writable);
int svmhv_host_mapping_level(struct mm_struct *mm, unsigned long addr);

/* dirty_log.c */
int svmhv_dirty_log_toggle(struct svmhv_vm *vm, struct svmhv_slot *slot,
			   bool on);
void svmhv_dirty_log_free(struct svmhv_slot *slot);
void svmhv_dirty_log_mark(struct svmhv_slot *slot, u64 gpa, u64 len);
int svmhv_get_dirty_log(struct svmhv_vm *vm,
			const struct svmhv_dirty_log __user *uarg);

/* mmu_notifier.c */
int svmhv_mmu_notifier_register(struct svmhv_vm *vm);
void svmhv_mmu_notifier_unregister(struct svmhv_vm *vm);
void svmhv_mmu_notifier_put(struct svmhv_vm *vm);
void svmhv_vm_flush_tlbs(struct svmhv_vm *vm);

#endif /* SVMHV_CORE_H */
