/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * svmhv userspace ABI, version 1.
 *
 * Three kinds of file descriptor, as in KVM:
 *   open("/dev/svmhv")            system fd: version, capabilities, CREATE_VM
 *   ioctl(sys, SVMHV_CREATE_VM)   VM fd: memory regions, CREATE_VCPU
 *   ioctl(vm, SVMHV_CREATE_VCPU)  vCPU fd: RUN, registers; mmap() of the
 *                                 first SVMHV_RUN_SIZE bytes gives the run
 *                                 structure through which exits are reported.
 *
 * Every struct has a fixed size and explicit padding; fields named
 * "reserved" or "pad" must be zero on input (else -EINVAL) and are zero on
 * output.  New fields only ever take reserved space, announced by a
 * capability.  No pointers: user addresses travel as __u64.
 *
 * Errors every ioctl may return: -EINVAL (bad argument or nonzero reserved
 * field), -EFAULT (argument not readable/writable), -ENOTTY (ioctl number
 * not known for this kind of fd), -EIO (VM used from a process other than
 * the one that created it).
 */
#ifndef _UAPI_LINUX_SVMHV_H
#define _UAPI_LINUX_SVMHV_H

#include <linux/types.h>
#include <linux/ioctl.h>

#define SVMHV_API_VERSION	1
#define SVMHVIO			0xAF

/* Limits, also reported by SVMHV_CHECK_CAP. */
#define SVMHV_MAX_VCPUS		64	/* vCPU ids are 0 .. SVMHV_MAX_VCPUS-1 */
#define SVMHV_MAX_MEM_SLOTS	32	/* slots are 0 .. SVMHV_MAX_MEM_SLOTS-1 */
#define SVMHV_RUN_SIZE		4096	/* bytes to mmap() from a vCPU fd */

/* ---- system fd ------------------------------------------------------- */

/* Returns SVMHV_API_VERSION.  Argument must be 0. */
#define SVMHV_GET_API_VERSION	_IO(SVMHVIO, 0x00)
/* Returns a new VM fd (O_CLOEXEC).  Argument must be 0. */
#define SVMHV_CREATE_VM		_IO(SVMHVIO, 0x01)
/* Argument: one of SVMHV_CAP_*.  Returns its value, 0 if unknown/absent. */
#define SVMHV_CHECK_CAP		_IO(SVMHVIO, 0x03)

#define SVMHV_CAP_NR_VCPUS		1  /* SVMHV_MAX_VCPUS */
#define SVMHV_CAP_NR_MEM_SLOTS		2  /* SVMHV_MAX_MEM_SLOTS */
#define SVMHV_CAP_READONLY_MEM		3  /* 1: SVMHV_MEM_READONLY works */
#define SVMHV_CAP_IMMEDIATE_EXIT	4  /* 1: svmhv_run.immediate_exit */
#define SVMHV_CAP_NRIP_SAVE		5  /* 1: CPU has NRIP save */
#define SVMHV_CAP_DECODE_ASSISTS	6  /* 1: CPU has decode assists */
#define SVMHV_CAP_FLUSH_BY_ASID		7  /* 1: CPU has flush-by-ASID */
#define SVMHV_CAP_VMCB_CLEAN		8  /* 1: CPU has VMCB clean bits */
#define SVMHV_CAP_NR_ASIDS		9  /* ASIDs the CPU has (incl. 0) */
#define SVMHV_CAP_IO_DATA_MAX		10 /* sizeof(svmhv_run.io.data) */
#define SVMHV_CAP_INJECT_EVENT		11 /* 1: SVMHV_INJECT_EVENT, windows */
#define SVMHV_CAP_TSC_KHZ		12 /* guest TSC frequency, kHz */
#define SVMHV_CAP_STATS			13 /* 1: SVMHV_GET_STATS */
#define SVMHV_CAP_DELIVERY_ERROR	14 /* 1: SVMHV_INTERNAL_DELIVERY */
#define SVMHV_CAP_LAPIC			15 /* 1: in-kernel local APICs, below */
#define SVMHV_CAP_PM_TIMER		16 /* 1: SVMHV_SET/GET_PM_TIMER */
#define SVMHV_CAP_IOEVENTFD		22 /* max ioeventfds per VM */
#define SVMHV_CAP_IRQFD			23 /* max irqfds per VM */
/*
 * 1: guest RAM is not pinned.  Nested mappings follow the VMM's address
 * space (an MMU notifier): a page the process unmaps, remaps, swaps out,
 * or that the host migrates or merges, is unmapped from the guest first,
 * and the guest's next access maps what the process maps then (a zero
 * page after MADV_DONTNEED, the new page of a MAP_FIXED mapping).  Slots
 * no longer count against RLIMIT_MEMLOCK.
 */
#define SVMHV_CAP_MMU_NOTIFIER		24
#define SVMHV_CAP_DIRTY_LOG		25 /* 1: SVMHV_MEM_LOG_DIRTY */
#define SVMHV_CAP_CPUID			17 /* 1: CPUID tables, below */
#define SVMHV_CAP_MSRS			18 /* 1: MSR list, GET/SET_MSRS */
#define SVMHV_CAP_XSAVE			19 /* sizeof(svmhv_xsave): XSAVE, XCRS */
#define SVMHV_CAP_VCPU_EVENTS		20 /* 1: GET/SET_VCPU_EVENTS */
#define SVMHV_CAP_TSC_CONTROL		21 /* 1: GET/SET_TSC */
/*
 * 1: a vCPU that spins on PAUSE (a lock or flag wait) exits, and svmhv
 * gives the host CPU to another of the VM's vCPUs that is runnable but
 * not running -- the one the spinner probably waits for; counted in
 * svmhv_stats.pause_exits.  With the CPU's pause filter only a long spin
 * exits (3000 PAUSEs, each within 128 cycles of the last where the CPU
 * has the threshold); without one, every PAUSE.  0: PAUSE never exits
 * (module parameter pause_exits=0).  The parameter is writable at run
 * time; each VM keeps the value it was created with, as this reports it
 * at that moment.
 */
#define SVMHV_CAP_PAUSE_EXITS		26

/* ---- VM fd ------------------------------------------------------------- */

/*
 * Map [guest_phys_addr, +memory_size) of guest physical memory to the
 * caller's [userspace_addr, +memory_size).  All three must be 4 KiB
 * aligned; the range must not overlap another slot's.  memory_size 0
 * deletes the slot.  Re-using a live slot number with a nonzero size
 * returns -EEXIST (delete it first).
 * Errors: -EINVAL (alignment, slot >= SVMHV_MAX_MEM_SLOTS, unknown flag,
 * guest range beyond 2^48 (the reach of 4-level nested paging), reserved),
 * -EEXIST (overlap, slot in use), -ENOENT (delete of an empty slot),
 * -EFAULT (userspace range outside the user address space), -ENOMEM.
 * (Before SVMHV_CAP_MMU_NOTIFIER, guest RAM was pinned and charged to
 * RLIMIT_MEMLOCK, and -ENOMEM also meant that limit.)  Whether the
 * userspace pages are really mapped (writable, unless read-only) is only
 * known when the guest first touches one: an unmapped page then gives an
 * SVMHV_EXIT_INTERNAL_ERROR exit with suberror SVMHV_INTERNAL_MEMORY.
 */
struct svmhv_memory_region {
	__u32 slot;
	__u32 flags;
	__u64 guest_phys_addr;
	__u64 memory_size;
	__u64 userspace_addr;
	__u64 reserved[4];
};

#define SVMHV_MEM_READONLY	0x1u /* guest writes exit as MMIO */
/*
 * Log the guest's writes to the slot (SVMHV_CAP_DIRTY_LOG), for
 * SVMHV_GET_DIRTY_LOG.  Setting the region again with the same slot, guest
 * address, size and userspace address and this flag changed turns logging
 * on or off without touching the slot's contents (the one change an
 * existing slot accepts).
 */
#define SVMHV_MEM_LOG_DIRTY	0x2u

#define SVMHV_SET_MEMORY_REGION	_IOW(SVMHVIO, 0x46, struct svmhv_memory_region)

/*
 * The pages of a logging slot (SVMHV_MEM_LOG_DIRTY) written since logging
 * began or since the last call, and the log cleared, atomically with
 * respect to running vCPUs: a write is reported by exactly the call that
 * follows it.  Writes svmhv makes on the guest's behalf (string I/O)
 * count.  bitmap: the user address of ceil(pages / 64) u64s; bit i
 * (word i / 64, bit i % 64) is page i of the slot.  Errors: -EINVAL (slot
 * number, pad, reserved), -ENOENT (an empty slot, or one not logging),
 * -EFAULT (bitmap; the bits are kept for the next call), -ENOMEM.
 */
struct svmhv_dirty_log {
	__u32 slot;
	__u32 pad;
	__u64 bitmap;
	__u64 reserved[2];
};

#define SVMHV_GET_DIRTY_LOG	_IOW(SVMHVIO, 0x47, struct svmhv_dirty_log)
/* Argument: vCPU id (0 .. SVMHV_MAX_VCPUS-1).  Returns a vCPU fd.
 * -EEXIST if the id exists, -EINVAL if out of range.
 */
#define SVMHV_CREATE_VCPU	_IO(SVMHVIO, 0x41)

/*
 * Statistics (SVMHV_CAP_STATS).  On a vCPU fd: that vCPU's counters.  On a
 * VM fd: the sum over the VM's current vCPUs, plus the VM-wide fields.
 * The same numbers appear, one file each, in debugfs under
 * /sys/kernel/debug/svmhv/<pid>-<vm id>/ (the VM-wide sums).
 */
struct svmhv_stats {
	__u64 exits;		/* every #VMEXIT */
	__u64 userspace_exits;	/* RUN returned to userspace */
	__u64 io_exits;
	__u64 mmio_exits;
	__u64 npf_exits;	/* nested page faults, MMIO included */
	__u64 hlt_exits;
	__u64 cpuid_exits;
	__u64 msr_exits;
	__u64 hypercall_exits;
	__u64 host_event_exits;	/* host interrupts, NMIs, SMIs, INITs */
	__u64 irq_window_exits;
	__u64 dr_exits;
	__u64 exception_exits;	/* intercepted guest exceptions */
	__u64 other_exits;
	__u64 injected_events;	/* queued events delivered to the guest */
	__u64 guest_ns;		/* time inside VMRUN */
	__u64 run_ns;		/* time inside SVMHV_RUN calls that returned */
	/*
	 * VM fd only: guest pages held pinned.  0 with SVMHV_CAP_MMU_NOTIFIER,
	 * where nothing stays pinned (mapped_pages counts what is mapped).
	 */
	__u64 pinned_pages;
	__u64 npt_pages;	/* VM fd only: nested page-table pages */
	__u64 vcpus;		/* VM fd only */
	/* VM fd only (SVMHV_CAP_MMU_NOTIFIER): 4 KiB guest pages mapped. */
	__u64 mapped_pages;
	__u64 pause_exits;	/* SVMHV_CAP_PAUSE_EXITS; not in other_exits */
	__u64 reserved[10];
};

#define SVMHV_GET_STATS		_IOR(SVMHVIO, 0x90, struct svmhv_stats)

/*
 * In-kernel local APICs (SVMHV_CAP_LAPIC).  SVMHV_ENABLE_LAPIC, before the
 * first SVMHV_CREATE_VCPU, gives every vCPU of the VM a local APIC emulated
 * in the kernel (xAPIC registers at the APIC base, x2APIC MSRs 0x800-0x8ff,
 * timer, IPIs), its ID the vCPU id.  vCPU 0 is the bootstrap processor;
 * the others start in wait-for-SIPI (SVMHV_MP_STATE_INIT_RECEIVED): their
 * RUN sleeps until another vCPU's INIT-SIPI-SIPI starts them.  HLT with
 * RFLAGS.IF=1 sleeps in the kernel until an interrupt can be delivered or
 * a signal arrives; with IF=0 RUN returns SVMHV_EXIT_HLT if the VM has one
 * vCPU (nothing but userspace could wake it) and sleeps otherwise (an NMI
 * or INIT from another vCPU can).  Both return SVMHV_EXIT_HLT instead
 * while the vCPU's LINT0 accepts ExtINT (the BSP's virtual-wire mode at
 * power-up): then userspace's 8259 may be what wakes it.  SVMHV_INJECT_EVENT's IRQs stay what they
 * are, the 8259's ExtINT: they ignore the APIC's priorities.
 * Argument 0.  Errors: -EBUSY (vCPUs exist), -EEXIST (already enabled).
 */
#define SVMHV_ENABLE_LAPIC	_IO(SVMHVIO, 0x60)

/*
 * Deliver a message-signalled interrupt to the local APICs it addresses,
 * as the I/O APIC and PCI MSI/MSI-X produce them (AMD APM vol. 2, 16.5 and
 * the PCI MSI format): address 0xfee0_0000 | destination ID << 12 |
 * redirection hint << 3 | destination mode (1 logical) << 2; data: vector
 * bits 7:0, delivery mode 10:8 (0 fixed, 1 lowest priority, 4 NMI, 5 INIT;
 * SMI and ExtINT are refused), level 14, trigger mode 15 (1 level: the
 * guest's EOI of it ends in SVMHV_EXIT_IOAPIC_EOI).  Usable from any thread; needs
 * SVMHV_ENABLE_LAPIC.  Returns the number of APICs that accepted it (0:
 * none addressed, or all of them had it masked).
 * Errors: -EINVAL (address not 0xfeeXXXXX, a delivery mode not listed,
 * vector < 16 for fixed/lowest priority, data bits above 15, nonzero
 * pad/reserved), -ENXIO (no in-kernel APICs).
 */
struct svmhv_msi {
	__u64 address;
	__u32 data;
	__u32 pad;
	__u64 reserved[2];
};

#define SVMHV_SIGNAL_MSI	_IOW(SVMHVIO, 0x61, struct svmhv_msi)

/*
 * The ACPI PM timer in the kernel (SVMHV_CAP_PM_TIMER): reads of the four
 * ports port..port+3 (the FADT's PM_TMR_BLK) return a 32-bit counter at
 * 3.579545 MHz (ACPI 6.5, 4.8.3.3; the FADT must set TMR_VAL_EXT) without
 * leaving the kernel; writes to them are ignored; every other port of the
 * PM1 block stays the VMM's.  SET: port (0 turns the timer off and its
 * ports exit to userspace again) and count, the value the counter has
 * now (the VMM's own model hands over without a jump); the counter then
 * advances with CLOCK_MONOTONIC.  GET: port and the counter's value now.
 * Errors: -EINVAL (port above 0xfffc, nonzero pad/reserved).
 */
struct svmhv_pm_timer {
	__u16 port;
	__u16 pad;
	__u32 count;
	__u64 reserved[2];
};

#define SVMHV_SET_PM_TIMER	_IOW(SVMHVIO, 0x62, struct svmhv_pm_timer)
#define SVMHV_GET_PM_TIMER	_IOR(SVMHVIO, 0x63, struct svmhv_pm_timer)

/*
 * Guest writes that signal an eventfd in the kernel (SVMHV_CAP_IOEVENTFD,
 * as KVM's ioeventfd): a device model's doorbell, e.g. a virtqueue
 * notify, then never stops the vCPU in userspace.  A write of exactly len
 * bytes at addr -- an OUT to port addr with SVMHV_IOEVENTFD_PIO, else a
 * store to guest-physical addr outside RAM -- whose value is datamatch
 * (with SVMHV_IOEVENTFD_DATAMATCH; any value without) adds 1 to the
 * eventfd and completes in the kernel; other accesses exit as before.
 * len: 1, 2, 4 (and 8 for MMIO).  SVMHV_IOEVENTFD_DEASSIGN removes the
 * registration with the same addr, len, flags, datamatch and fd.
 * Errors: -EINVAL (len, flags, a PIO addr above 0xffff, reserved),
 * -EBADF (fd is not an eventfd), -EEXIST (the same addr, len, space and
 * datamatch -- or a wildcard -- is registered already), -ENOENT
 * (deassigning what is not there), -ENOSPC (SVMHV_CAP_IOEVENTFD of them).
 */
struct svmhv_ioeventfd {
	__u64 addr;
	__u64 datamatch;
	__u32 len;
	__s32 fd;
	__u32 flags;
	__u32 pad;
	__u64 reserved[2];
};

#define SVMHV_IOEVENTFD_PIO		0x1u
#define SVMHV_IOEVENTFD_DATAMATCH	0x2u
#define SVMHV_IOEVENTFD_DEASSIGN	0x4u

#define SVMHV_IOEVENTFD		_IOW(SVMHVIO, 0x64, struct svmhv_ioeventfd)

/*
 * An eventfd that raises an MSI in the guest (SVMHV_CAP_IRQFD, as KVM's
 * irqfd; needs SVMHV_ENABLE_LAPIC): each time the eventfd is written, the
 * message (address/data as in SVMHV_SIGNAL_MSI) goes to the local APICs
 * it addresses, from whichever thread wrote it, without a vCPU stopping.
 * SVMHV_IRQFD_DEASSIGN removes the eventfd's registration.  Errors:
 * -EINVAL (a message SVMHV_SIGNAL_MSI refuses, flags, reserved), -EBADF
 * (not an eventfd), -EEXIST (that eventfd is registered already),
 * -ENOENT, -ENOSPC (SVMHV_CAP_IRQFD of them), -ENXIO (no in-kernel APIC).
 */
struct svmhv_irqfd {
	__s32 fd;
	__u32 flags;
	__u64 msi_address;
	__u32 msi_data;
	__u32 pad;
	__u64 reserved[2];
};

#define SVMHV_IRQFD_DEASSIGN		0x1u

#define SVMHV_IRQFD		_IOW(SVMHVIO, 0x65, struct svmhv_irqfd)

/* ---- vCPU fd ----------------------------------------------------------- */

struct svmhv_regs {
	__u64 rax, rbx, rcx, rdx;
	__u64 rsi, rdi, rsp, rbp;
	__u64 r8, r9, r10, r11;
	__u64 r12, r13, r14, r15;
	__u64 rip, rflags;
	__u64 reserved[6];
};

/* A segment register as the CPU holds it (APM vol. 2, 4.7 and 15.5.1). */
struct svmhv_segment {
	__u64 base;
	__u32 limit;	/* in bytes, after granularity scaling */
	__u16 selector;
	__u8  type;	/* 4-bit descriptor type */
	__u8  s;	/* 1: code/data, 0: system */
	__u8  dpl;
	__u8  present;
	__u8  avl;
	__u8  l;	/* 64-bit code */
	__u8  db;	/* default operand size 32 */
	__u8  g;	/* granularity */
	__u8  pad[2];
};

struct svmhv_dtable {
	__u64 base;
	__u16 limit;
	__u16 pad[3];
};

struct svmhv_sregs {
	struct svmhv_segment cs, ds, es, fs, gs, ss;
	struct svmhv_segment tr, ldt;
	struct svmhv_dtable gdt, idt;
	__u64 cr0, cr2, cr3, cr4, cr8;
	__u64 efer;	/* as the guest sees it: SVME never shown */
	__u64 apic_base;
	__u64 reserved[8];
};

/*
 * Enter the guest until an exit that needs userspace.  Returns 0 with
 * run->exit_reason set, or -EINTR (exit_reason SVMHV_EXIT_INTR) when a
 * signal is pending or immediate_exit was set; the guest state is intact
 * and the next SVMHV_RUN continues where it stopped.  The results of an
 * IO-in, MMIO-read or HYPERCALL exit are taken from the run structure by
 * the next SVMHV_RUN, which completes the instruction.
 */
#define SVMHV_RUN		_IO(SVMHVIO, 0x80)
#define SVMHV_GET_REGS		_IOR(SVMHVIO, 0x81, struct svmhv_regs)
#define SVMHV_SET_REGS		_IOW(SVMHVIO, 0x82, struct svmhv_regs)
#define SVMHV_GET_SREGS		_IOR(SVMHVIO, 0x83, struct svmhv_sregs)
#define SVMHV_SET_SREGS		_IOW(SVMHVIO, 0x84, struct svmhv_sregs)

/*
 * Queue an event for the guest (SVMHV_CAP_INJECT_EVENT).  It is delivered
 * as soon as the guest can take it: an external interrupt once RFLAGS.IF=1
 * and no interrupt shadow is active (the CPU delivers it then by itself, as
 * a virtual interrupt, without an exit), an NMI once no NMI is being
 * handled, an exception at the next entry.  One event of each kind may be
 * queued: a second one gets -EBUSY until the first is delivered (see
 * run->irq_queued).  Delivery is exact: an event interrupted by an exit
 * during its delivery is re-delivered, never lost or doubled.
 * Errors: -EINVAL (unknown kind, vector < 32 for IRQ, vector > 31 or 2 for
 * EXCEPTION, has_error on a vector without one, nonzero pad/reserved),
 * -EBUSY (one of that kind already queued).
 */
struct svmhv_event {
	__u8  kind;		/* SVMHV_EVENT_* */
	__u8  vector;		/* IRQ: 32..255; EXCEPTION: 0..31 */
	__u8  has_error;	/* EXCEPTION: push error_code */
	__u8  pad[5];
	__u32 error_code;
	__u32 pad2;
	__u64 reserved[2];
};

#define SVMHV_EVENT_IRQ		1
#define SVMHV_EVENT_NMI		2
#define SVMHV_EVENT_EXCEPTION	3

#define SVMHV_INJECT_EVENT	_IOW(SVMHVIO, 0x85, struct svmhv_event)

/*
 * CPUID tables (SVMHV_CAP_CPUID), like KVM_GET_SUPPORTED_CPUID and
 * KVM_SET_CPUID2.  An entry answers CPUID with EAX = function and, for the
 * leaves that have subleaves (7, 0xb, 0xd), ECX = index; index must be 0
 * for the others.
 *
 * SVMHV_GET_SUPPORTED_CPUID (system fd): every leaf svmhv answers, with
 * every feature it can offer on this host (the local APIC's with
 * SVMHV_ENABLE_LAPIC).  SVMHV_SET_CPUID (vCPU fd, before its first RUN):
 * entries replacing svmhv's answers for this vCPU; leaves not listed keep
 * svmhv's, which is also what SVMHV_GET_CPUID on a vCPU returns for them.
 * Whatever the table says, the bits that follow the vCPU's state are the
 * CPU's: OSXSAVE (1 ECX[27]) and OSPKE (7 ECX[4]) mirror CR4, APIC (1
 * EDX[9]) the APIC base MSR, 0xd.0 EBX the size XCR0 needs now.  The
 * vCPU's control bits follow its table: a CR4 or EFER bit of a feature it
 * hides, an XCR0 component it hides, TSC_AUX without RDTSCP or RDPID, all
 * fault in the guest as on a CPU without the feature.
 * Errors: -E2BIG (nent above SVMHV_CPUID_MAX_ENTRIES; for GET, nent too
 * small: nent is then set to what is needed), -EINVAL (a leaf svmhv does
 * not let userspace set -- anything but 0, 1, 7, 0xb, 0xd, 0x40000000,
 * 0x40000010, 0x80000000-0x80000008 -- a duplicate, nonzero reserved, a
 * feature not offered, a maximum leaf above svmhv's, address sizes, XSAVE
 * layout or TSC frequency other than the host's, features without those
 * they need (AVX without XSAVE and the AVX state, AVX2/FMA/F16C/VAES/
 * VPCLMULQDQ without AVX, AVX-512 without all three AVX-512 states, an
 * XCR0 mask without x87 and SSE), or a table the vCPU's current CR4,
 * EFER or XCR0 contradicts), -EBUSY (the vCPU has run).
 */
#define SVMHV_CPUID_MAX_ENTRIES		64

struct svmhv_cpuid_entry {
	__u32 function;
	__u32 index;
	__u32 eax, ebx, ecx, edx;
	__u32 reserved[2];
};

struct svmhv_cpuid {
	__u32 nent;
	__u32 pad;
	struct svmhv_cpuid_entry entries[];
};

#define SVMHV_GET_SUPPORTED_CPUID _IOWR(SVMHVIO, 0x04, struct svmhv_cpuid)
#define SVMHV_SET_CPUID		_IOW(SVMHVIO, 0x8a, struct svmhv_cpuid)
#define SVMHV_GET_CPUID		_IOWR(SVMHVIO, 0x8b, struct svmhv_cpuid)

/*
 * The rest of a vCPU's state, for snapshot, restore and migration.  With
 * SVMHV_GET/SET_REGS, _SREGS, _MP_STATE, _LAPIC and the vCPU's CPUID table
 * it is everything a vCPU is: a vCPU created elsewhere and given all of it
 * goes on exactly as the saved one would have.
 *
 * MSRs (SVMHV_CAP_MSRS).  SVMHV_GET_MSR_INDEX_LIST (system fd) lists the
 * MSRs whose values make up a vCPU (those a guest can change); nmsrs in,
 * the count out (-E2BIG when it does not fit, nmsrs then says how many).
 * SVMHV_GET_MSRS / SVMHV_SET_MSRS (vCPU fd) read or write nmsrs entries in
 * order and return how many were done: they stop at the first MSR svmhv
 * does not keep or value the CPU would refuse (a write a guest would get
 * #GP for), so a return below nmsrs names the bad entry.  Writes are the
 * VMM's, not the guest's: IA32_TSC sets the TSC without moving
 * IA32_TSC_ADJUST and the other way round, EFER takes LMA as given.
 * Errors: -E2BIG (nmsrs above SVMHV_MSRS_MAX), -EINVAL (nonzero reserved).
 */
#define SVMHV_MSRS_MAX		256

struct svmhv_msr_list {
	__u32 nmsrs;
	__u32 indices[];
};

struct svmhv_msr_entry {
	__u32 index;
	__u32 reserved;
	__u64 data;
};

struct svmhv_msrs {
	__u32 nmsrs;
	__u32 pad;
	struct svmhv_msr_entry entries[];
};

#define SVMHV_GET_MSR_INDEX_LIST _IOWR(SVMHVIO, 0x05, struct svmhv_msr_list)
#define SVMHV_GET_MSRS		_IOWR(SVMHVIO, 0x8c, struct svmhv_msrs)
#define SVMHV_SET_MSRS		_IOW(SVMHVIO, 0x8d, struct svmhv_msrs)

/*
 * The x87/SSE/AVX/AVX-512/PKRU registers (SVMHV_CAP_XSAVE), in the
 * standard (non-compacted) XSAVE format of the Intel SDM vol. 1, 13.4:
 * legacy area, XSAVE header (XSTATE_BV), then each component at the
 * offset CPUID 0xd gives.  SET refuses (-EINVAL) a header with bits the
 * vCPU's CPUID does not offer or nonzero reserved header bytes; components
 * whose XSTATE_BV bit is clear are set to their initial values.
 */
struct svmhv_xsave {
	__u32 region[1024];
};

#define SVMHV_GET_XSAVE		_IOR(SVMHVIO, 0x8e, struct svmhv_xsave)
#define SVMHV_SET_XSAVE		_IOW(SVMHVIO, 0x8f, struct svmhv_xsave)

/*
 * Extended control registers (SVMHV_CAP_XSAVE): XCR0 is the only one.  GET
 * returns nr_xcrs 1 and {0, XCR0}; SET takes entries for XCR0 only, with
 * the value XSETBV would accept (-EINVAL otherwise, nothing changed).
 */
struct svmhv_xcr {
	__u32 xcr;
	__u32 reserved;
	__u64 value;
};

struct svmhv_xcrs {
	__u32 nr_xcrs;
	__u32 flags;
	struct svmhv_xcr xcrs[16];
	__u64 reserved[16];
};

#define SVMHV_GET_XCRS		_IOR(SVMHVIO, 0x92, struct svmhv_xcrs)
#define SVMHV_SET_XCRS		_IOW(SVMHVIO, 0x93, struct svmhv_xcrs)

/*
 * Events in flight (SVMHV_CAP_VCPU_EVENTS).  event_inj/event_inj_err: the
 * event the next entry delivers, in the VMCB's EVENTINJ format (AMD APM
 * vol. 2, 15.20: vector 7:0, type 10:8 -- 0 interrupt, 2 NMI, 3
 * exception, 4 software interrupt --, EV 11, V 31), there because an exit
 * interrupted its delivery or svmhv injected an exception; 0 for none.
 * interrupt_shadow: the next instruction runs before any interrupt or NMI
 * (after STI or MOV SS).  nmi_pending: an NMI waits for the guest;
 * nmi_masked: an NMI handler runs, NMIs wait for its IRET.  irq_pending/
 * irq_vector: the interrupt SVMHV_INJECT_EVENT queued (the 8259's);
 * exception_*: the exception it queued.  (The local APIC's interrupts are
 * in its own state, SVMHV_GET_LAPIC.)
 * SET errors: -EINVAL (an EVENTINJ the CPU would refuse -- V without a
 * known type, an NMI not on vector 2, an exception above 31 or on 2, EV
 * where the vector pushes no error code, reserved bits --, flags above 1,
 * irq_vector below 32, an exception vector above 31, nonzero reserved).
 */
struct svmhv_vcpu_events {
	__u32 event_inj;
	__u32 event_inj_err;
	__u8 interrupt_shadow;
	__u8 nmi_pending;
	__u8 nmi_masked;
	__u8 irq_pending;
	__u8 irq_vector;
	__u8 exception_pending;
	__u8 exception_vector;
	__u8 exception_has_error;
	__u32 exception_error;
	__u32 pad;
	__u64 reserved[6];
};

#define SVMHV_GET_VCPU_EVENTS	_IOR(SVMHVIO, 0x94, struct svmhv_vcpu_events)
#define SVMHV_SET_VCPU_EVENTS	_IOW(SVMHVIO, 0x95, struct svmhv_vcpu_events)

/*
 * The guest's TSC (SVMHV_CAP_TSC_CONTROL): tsc_offset, added to the host's
 * TSC (APM vol. 2, 15.30.5), and its rate in kHz, which is the host's
 * (SVMHV_CAP_TSC_KHZ): svmhv does not scale the TSC.  SET takes an offset
 * and tsc_khz 0 or the host's rate.  Errors: -EINVAL (another rate,
 * nonzero reserved).
 */
struct svmhv_tsc {
	__u64 tsc_offset;
	__u32 tsc_khz;
	__u32 pad;
	__u64 reserved[2];
};

#define SVMHV_GET_TSC		_IOR(SVMHVIO, 0x96, struct svmhv_tsc)
#define SVMHV_SET_TSC		_IOW(SVMHVIO, 0x97, struct svmhv_tsc)

/*
 * A vCPU's multiprocessor state (SVMHV_CAP_LAPIC): running, halted in the
 * kernel, or waiting for a SIPI after INIT.  SET is for restoring a saved
 * vCPU; it does not reset registers.  Errors: -EINVAL (unknown state,
 * nonzero reserved), -ENXIO (no in-kernel APICs).
 */
struct svmhv_mp_state {
	__u32 state;
	__u32 pad;
	__u64 reserved[3];
};

#define SVMHV_MP_STATE_RUNNABLE		0
#define SVMHV_MP_STATE_HALTED		1
#define SVMHV_MP_STATE_INIT_RECEIVED	2	/* waiting for a SIPI */

#define SVMHV_GET_MP_STATE	_IOR(SVMHVIO, 0x86, struct svmhv_mp_state)
#define SVMHV_SET_MP_STATE	_IOW(SVMHVIO, 0x87, struct svmhv_mp_state)

/*
 * The local APIC's registers as the guest sees them in xAPIC mode, at
 * their architectural offsets (APM vol. 2, 16.3.2, table 16-2: ID at 0x20,
 * TPR 0x80, ISR 0x100, TMR 0x180, IRR 0x200, ICR 0x300/0x310, LVT 0x320..
 * 0x370, timer 0x380/0x390/0x3e0), plus the APIC base MSR and the timer's
 * time left.  GET reads them; SET restores them (and the timer, armed to
 * fire after timer_ns_left).  Errors: -EINVAL (reserved bits, a base
 * the guest could not set), -ENXIO (no in-kernel APICs).
 */
struct svmhv_lapic_state {
	__u8  regs[1024];
	__u64 apic_base;
	__u64 timer_ns_left;	/* 0: timer not armed */
	__u64 tsc_deadline;	/* IA32_TSC_DEADLINE, guest TSC; 0: unarmed */
	__u64 reserved[5];
};

#define SVMHV_GET_LAPIC		_IOR(SVMHVIO, 0x88, struct svmhv_lapic_state)
#define SVMHV_SET_LAPIC		_IOW(SVMHVIO, 0x89, struct svmhv_lapic_state)

/* ---- the run structure -------------------------------------------------- */

enum svmhv_exit_reason {
	SVMHV_EXIT_NONE		  = 0,
	SVMHV_EXIT_IO		  = 1,
	SVMHV_EXIT_MMIO		  = 2,
	SVMHV_EXIT_HLT		  = 3,
	SVMHV_EXIT_SHUTDOWN	  = 4,	/* triple fault */
	SVMHV_EXIT_HYPERCALL	  = 5,	/* VMMCALL */
	SVMHV_EXIT_FAIL_ENTRY	  = 6,	/* VMRUN refused the guest state */
	SVMHV_EXIT_INTERNAL_ERROR = 7,
	SVMHV_EXIT_UNHANDLED	  = 8,	/* an SVM exit svmhv does not handle */
	SVMHV_EXIT_INTR		  = 9,	/* RUN returned -EINTR */
	SVMHV_EXIT_IRQ_WINDOW_OPEN = 10, /* see request_interrupt_window */
	/*
	 * The guest EOIed a level-triggered interrupt (eoi.vector), one that
	 * SVMHV_SIGNAL_MSI delivered with trigger mode 1: the userspace I/O
	 * APIC clears its Remote IRR and re-raises the line if still high.
	 */
	SVMHV_EXIT_IOAPIC_EOI	  = 11,
};

/*
 * Hypercalls (docs/hypercalls.md): VMMCALL with the number in RAX and
 * arguments in RBX, RCX, RDX, RSI; the result comes back in RAX, an error
 * as a small negative number.  Numbers below SVMHV_HC_VMM_BASE are the
 * kernel's and never exit; from SVMHV_HC_VMM_BASE up they are the VMM's:
 * RUN returns SVMHV_EXIT_HYPERCALL and run->hypercall.ret becomes RAX.
 * From CPL > 0 every hypercall fails with SVMHV_HC_EPERM, without an exit.
 */
#define SVMHV_HC_ABI_VERSION	0x0	/* RAX = SVMHV_HC_ABI, RBX = 0 */
#define SVMHV_HC_VMM_BASE	0x8000
#define SVMHV_HC_VMM_FEATURES	0x8000	/* RAX = bit n: VMM_BASE + n served */
#define SVMHV_HC_CONSOLE_WRITE	0x8001	/* RBX = GPA, RCX = length <= 4096 */

#define SVMHV_HC_ABI		1	/* the ABI version this header describes */

#define SVMHV_HC_EPERM		((__u64)-1)	/* VMMCALL from CPL > 0 */
#define SVMHV_HC_EFAULT		((__u64)-14)	/* memory outside guest RAM */
#define SVMHV_HC_EINVAL		((__u64)-22)	/* a bad argument */
#define SVMHV_HC_ENOSYS		((__u64)-1000)	/* no such hypercall */

#define SVMHV_IO_IN		0
#define SVMHV_IO_OUT		1
#define SVMHV_IO_DATA_MAX	1024

/* run.internal.suberror */
#define SVMHV_INTERNAL_EMULATION	1 /* instruction could not be decoded */
#define SVMHV_INTERNAL_MEMORY		2 /* backing memory of a slot vanished */
#define SVMHV_INTERNAL_FETCH		3 /* guest RIP not readable */
/*
 * Delivering an event (internal.event) touched guest physical memory that
 * is not RAM (internal.gpa): the guest's IDT, GDT or stack lies in MMIO or
 * in no memory slot.  Nothing is emulated; the event stays pending, so a
 * new RUN tries the delivery again.
 */
#define SVMHV_INTERNAL_DELIVERY		4

struct svmhv_run {
	/* in */
	__u8  immediate_exit;	/* nonzero: RUN returns -EINTR at once */
	/*
	 * Nonzero: RUN returns SVMHV_EXIT_IRQ_WINDOW_OPEN as soon as the guest
	 * can take an external interrupt and none is queued, so userspace
	 * can acknowledge its interrupt controller at the right moment.
	 * While one is still queued, the window is armed at the first exit
	 * after the CPU has taken it.
	 */
	__u8  request_interrupt_window;
	__u8  pad1[6];
	/* out */
	__u32 exit_reason;	/* enum svmhv_exit_reason */
	__u8  if_flag;		/* guest RFLAGS.IF at exit */
	/* The guest could take an external interrupt right now. */
	__u8  ready_for_interrupt;
	__u8  irq_queued;	/* an SVMHV_EVENT_IRQ awaits delivery */
	__u8  pad2[1];
	__u64 rip;		/* guest RIP at exit (of the exiting insn) */
	__u64 reserved[5];
	union {
		/*
		 * SVMHV_EXIT_IO: count elements of size bytes each in data[]:
		 * for OUT/OUTS what the guest wrote, for IN/INS to be filled
		 * by userspace before the next RUN.  A REP string
		 * instruction may exit several times, count elements each.
		 */
		struct {
			__u8  direction;	/* SVMHV_IO_IN / SVMHV_IO_OUT */
			__u8  size;		/* 1, 2 or 4 */
			__u16 port;
			__u32 count;
			__u8  string;		/* 1: INS/OUTS */
			__u8  rep;
			__u8  pad[6];
			__u8  data[SVMHV_IO_DATA_MAX];
		} io;
		/* SVMHV_EXIT_MMIO: fill data[0..len) for reads. */
		struct {
			__u64 phys_addr;
			__u8  data[8];
			__u32 len;		/* 1, 2, 4 or 8 */
			__u8  is_write;
			__u8  pad[3];
		} mmio;
		/*
		 * SVMHV_EXIT_HYPERCALL: ret is written to the guest's RAX.
		 * Only VMMCALL at guest CPL 0 exits; at CPL > 0 the guest
		 * gets RAX = SVMHV_HC_EPERM and userspace sees nothing.
		 */
		struct {
			__u64 rax, rbx, rcx, rdx, rsi, rdi;
			__u64 ret;
		} hypercall;
		/* SVMHV_EXIT_IOAPIC_EOI */
		struct {
			__u8  vector;
			__u8  pad[7];
		} eoi;
		/* SVMHV_EXIT_FAIL_ENTRY */
		struct {
			__u64 hardware_exit_code; /* SVM exit code, -1 = INVALID */
		} fail_entry;
		/* SVMHV_EXIT_INTERNAL_ERROR */
		struct {
			__u32 suberror;		/* SVMHV_INTERNAL_* */
			__u32 ninsn;		/* valid bytes in insn[] */
			__u8  insn[16];
			__u64 gpa;		/* faulting address if any */
			__u64 exit_code;	/* SVM exit that led here */
			/*
			 * SVMHV_INTERNAL_DELIVERY (SVMHV_CAP_DELIVERY_ERROR):
			 * the event, as EXITINTINFO has it (APM vol. 2,
			 * 15.7.2): vector bits 7:0, type 10:8, error code
			 * valid 11, valid 31, error code in bits 63:32.
			 */
			__u64 event;
		} internal;
		/* SVMHV_EXIT_UNHANDLED */
		struct {
			__u64 exit_code;
			__u64 exit_info1;
			__u64 exit_info2;
			__u64 exit_int_info;
		} unhandled;
		__u8 pad_union[2048];
	};
};

#endif /* _UAPI_LINUX_SVMHV_H */
