/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The Virtual Machine Control Block, transcribed from AMD APM vol. 2,
 * appendix B ("Layout of VMCB"), tables B-1 (control area) and B-2 (state
 * save area).  Every offset is pinned by a static assertion at the end, so
 * a typo in a padding array breaks the build, not a guest.
 *
 * Our own definitions rather than <asm/svm.h>: the kernel's copy changes
 * shape between releases and svmhv builds against several.
 */
#ifndef SVMHV_SVM_VMCB_H
#define SVMHV_SVM_VMCB_H

#include <linux/build_bug.h>
#include <linux/stddef.h>
#include <linux/types.h>

/* Intercept vector 3 (offset 0x00c), APM table B-1. */
#define SVM_INTERCEPT_CR4_WRITE		BIT(16 + 4)	/* intercept_cr */
#define SVM_INTERCEPT_CR8_WRITE		BIT(16 + 8)
#define SVM_INTERCEPT_INTR		BIT(0)
#define SVM_INTERCEPT_NMI		BIT(1)
#define SVM_INTERCEPT_SMI		BIT(2)
#define SVM_INTERCEPT_INIT		BIT(3)
#define SVM_INTERCEPT_VINTR		BIT(4)
#define SVM_INTERCEPT_RDPMC		BIT(15)
#define SVM_INTERCEPT_CPUID		BIT(18)
#define SVM_INTERCEPT_INVD		BIT(22)
#define SVM_INTERCEPT_PAUSE		BIT(23)
#define SVM_INTERCEPT_HLT		BIT(24)
#define SVM_INTERCEPT_INVLPGA		BIT(26)
#define SVM_INTERCEPT_IOIO_PROT		BIT(27)
#define SVM_INTERCEPT_MSR_PROT		BIT(28)
#define SVM_INTERCEPT_SHUTDOWN		BIT(31)
/* Intercept vector 4 (offset 0x010). */
#define SVM_INTERCEPT_VMRUN		BIT(0)
#define SVM_INTERCEPT_VMMCALL		BIT(1)
#define SVM_INTERCEPT_VMLOAD		BIT(2)
#define SVM_INTERCEPT_VMSAVE		BIT(3)
#define SVM_INTERCEPT_STGI		BIT(4)
#define SVM_INTERCEPT_CLGI		BIT(5)
#define SVM_INTERCEPT_SKINIT		BIT(6)
#define SVM_INTERCEPT_RDTSCP		BIT(7)
#define SVM_INTERCEPT_WBINVD		BIT(9)
#define SVM_INTERCEPT_MONITOR		BIT(10)
#define SVM_INTERCEPT_MWAIT		BIT(11)
#define SVM_INTERCEPT_MWAIT_COND	BIT(12)
#define SVM_INTERCEPT_XSETBV		BIT(13)
#define SVM_INTERCEPT_RDPRU		BIT(14)

/* TLB_CONTROL (offset 0x05c), APM 15.16.1. */
#define SVM_TLB_FLUSH_NOTHING		0
#define SVM_TLB_FLUSH_ALL		1
#define SVM_TLB_FLUSH_ASID		3

/* Virtual interrupt control (offset 0x060), APM 15.21. */
#define SVM_V_INTR_MASKING		BIT(24)

/* Nested paging control (offset 0x090), APM 15.25.3. */
#define SVM_NESTED_CTL_NP_ENABLE	BIT_ULL(0)

/* EVENTINJ and EXITINTINFO share one format, APM 15.20. */
#define SVM_EVT_VECTOR_MASK		0xffu
#define SVM_EVT_TYPE_SHIFT		8
#define SVM_EVT_TYPE_MASK		(7u << SVM_EVT_TYPE_SHIFT)
#define SVM_EVT_TYPE_INTR		(0u << SVM_EVT_TYPE_SHIFT)
#define SVM_EVT_TYPE_NMI		(2u << SVM_EVT_TYPE_SHIFT)
#define SVM_EVT_TYPE_EXCEPTION		(3u << SVM_EVT_TYPE_SHIFT)
#define SVM_EVT_TYPE_SOFT_INT		(4u << SVM_EVT_TYPE_SHIFT)
#define SVM_EVT_ERROR_VALID		BIT(11)
#define SVM_EVT_VALID			BIT(31)

/* VMCB clean bits (offset 0x0c0), APM 15.15.3. */
#define SVM_CLEAN_INTERCEPTS		BIT(0)	/* intercepts, TSC offset, pause */
#define SVM_CLEAN_IOPM			BIT(1)	/* IOPM and MSRPM base */
#define SVM_CLEAN_ASID			BIT(2)
#define SVM_CLEAN_TPR			BIT(3)	/* V_TPR .. V_INTR_VECTOR */
#define SVM_CLEAN_NP			BIT(4)	/* nested CR3, g_pat */
#define SVM_CLEAN_CRX			BIT(5)	/* CR0, CR3, CR4, EFER */
#define SVM_CLEAN_DRX			BIT(6)	/* DR6, DR7 */
#define SVM_CLEAN_DT			BIT(7)	/* GDTR, IDTR */
#define SVM_CLEAN_SEG			BIT(8)	/* CS, DS, ES, SS, CPL */
#define SVM_CLEAN_CR2			BIT(9)
#define SVM_CLEAN_ALL_WE_USE		0x3ffu

/* Exit codes, APM appendix C. */
#define SVM_EXIT_WRITE_CR4		0x014
#define SVM_EXIT_WRITE_CR8		0x018
#define SVM_EXIT_READ_DR0		0x020
#define SVM_EXIT_WRITE_DR0		0x030
#define SVM_EXIT_EXCP_BASE		0x040
#define SVM_EXIT_INTR			0x060
#define SVM_EXIT_NMI			0x061
#define SVM_EXIT_SMI			0x062
#define SVM_EXIT_INIT			0x063
#define SVM_EXIT_VINTR			0x064
#define SVM_EXIT_RDPMC			0x06f
#define SVM_EXIT_IRET			0x074
#define SVM_EXIT_CPUID			0x072
#define SVM_EXIT_INVD			0x076
#define SVM_EXIT_PAUSE			0x077
#define SVM_EXIT_HLT			0x078
#define SVM_EXIT_INVLPGA		0x07a
#define SVM_EXIT_IOIO			0x07b
#define SVM_EXIT_MSR			0x07c
#define SVM_EXIT_SHUTDOWN		0x07f
#define SVM_EXIT_VMRUN			0x080
#define SVM_EXIT_VMMCALL		0x081
#define SVM_EXIT_VMLOAD			0x082
#define SVM_EXIT_VMSAVE			0x083
#define SVM_EXIT_STGI			0x084
#define SVM_EXIT_CLGI			0x085
#define SVM_EXIT_SKINIT			0x086
#define SVM_EXIT_RDTSCP			0x087
#define SVM_EXIT_WBINVD			0x089
#define SVM_EXIT_MONITOR		0x08a
#define SVM_EXIT_MWAIT			0x08b
#define SVM_EXIT_MWAIT_COND		0x08c
#define SVM_EXIT_XSETBV			0x08d
#define SVM_EXIT_RDPRU			0x08e
#define SVM_EXIT_NPF			0x400
#define SVM_EXIT_INVALID		((u64)-1)

/* DR6 (APM vol. 2, 13.1.1.3): single step; bits that read as one. */
#define SVM_DR6_BS			BIT_ULL(14)
#define SVM_DR6_FIXED_1			0xffff0ff0ULL

/* EXITINFO1 of an IOIO intercept, APM 15.10.2 (figure 15-2). */
#define SVM_IOIO_TYPE_IN		BIT(0)
#define SVM_IOIO_STR			BIT(2)
#define SVM_IOIO_REP			BIT(3)
#define SVM_IOIO_SZ_SHIFT		4	/* SZ8, SZ16, SZ32: one-hot */
#define SVM_IOIO_ASZ_SHIFT		7	/* A16, A32, A64: one-hot */
#define SVM_IOIO_SEG_SHIFT		10	/* decode assists only */
#define SVM_IOIO_PORT_SHIFT		16

/* EXITINFO1 of a nested page fault, APM 15.25.6. */
#define SVM_NPF_PRESENT			BIT_ULL(0)
#define SVM_NPF_WRITE			BIT_ULL(1)
#define SVM_NPF_FETCH			BIT_ULL(4)
#define SVM_NPF_IN_GUEST_WALK		BIT_ULL(33)

/* A segment in the state save area: attributes are the descriptor's
 * bits 40..47 and 52..55 squeezed into 12 bits (APM 15.5.1).
 */
struct vmcb_seg {
	u16 selector;
	u16 attrib;
	u32 limit;
	u64 base;
} __packed;

#define VMCB_ATTR_TYPE_MASK		0x00f
#define VMCB_ATTR_S			BIT(4)
#define VMCB_ATTR_DPL_SHIFT		5
#define VMCB_ATTR_P			BIT(7)
#define VMCB_ATTR_AVL			BIT(8)
#define VMCB_ATTR_L			BIT(9)
#define VMCB_ATTR_DB			BIT(10)
#define VMCB_ATTR_G			BIT(11)

struct vmcb_control {
	u32 intercept_cr;		/* 0x000: reads 15:0, writes 31:16 */
	u32 intercept_dr;		/* 0x004: reads 15:0, writes 31:16 */
	u32 intercept_exceptions;	/* 0x008 */
	u32 intercept_misc1;		/* 0x00c */
	u32 intercept_misc2;		/* 0x010 */
	u32 intercept_misc3;		/* 0x014 */
	u8  reserved_018[0x03c - 0x018];
	u16 pause_filter_threshold;	/* 0x03c */
	u16 pause_filter_count;		/* 0x03e */
	u64 iopm_base_pa;		/* 0x040 */
	u64 msrpm_base_pa;		/* 0x048 */
	u64 tsc_offset;			/* 0x050 */
	u32 asid;			/* 0x058 */
	u8  tlb_control;		/* 0x05c */
	u8  reserved_05d[3];
	u32 int_ctl;			/* 0x060 */
	u32 int_vector;			/* 0x064 */
	u32 int_state;			/* 0x068 */
	u32 reserved_06c;
	u64 exit_code;			/* 0x070 */
	u64 exit_info1;			/* 0x078 */
	u64 exit_info2;			/* 0x080 */
	u32 exit_int_info;		/* 0x088 */
	u32 exit_int_info_err;		/* 0x08c */
	u64 nested_ctl;			/* 0x090 */
	u64 avic_vapic_bar;		/* 0x098 */
	u64 ghcb_gpa;			/* 0x0a0 */
	u32 event_inj;			/* 0x0a8 */
	u32 event_inj_err;		/* 0x0ac */
	u64 nested_cr3;			/* 0x0b0 */
	u64 virt_ext;			/* 0x0b8 */
	u32 clean;			/* 0x0c0 */
	u32 reserved_0c4;
	u64 next_rip;			/* 0x0c8 */
	u8  insn_len;			/* 0x0d0 */
	u8  insn_bytes[15];		/* 0x0d1 */
	u8  reserved_0e0[0x400 - 0x0e0];
} __packed;

struct vmcb_save {
	struct vmcb_seg es, cs, ss, ds, fs, gs;	/* 0x400 .. */
	struct vmcb_seg gdtr, ldtr, idtr, tr;	/* .. 0x49f */
	u8  reserved_4a0[0x4cb - 0x4a0];
	u8  cpl;			/* 0x4cb */
	u32 reserved_4cc;
	u64 efer;			/* 0x4d0 */
	u8  reserved_4d8[0x548 - 0x4d8];
	u64 cr4;			/* 0x548 */
	u64 cr3;			/* 0x550 */
	u64 cr0;			/* 0x558 */
	u64 dr7;			/* 0x560 */
	u64 dr6;			/* 0x568 */
	u64 rflags;			/* 0x570 */
	u64 rip;			/* 0x578 */
	u8  reserved_580[0x5d8 - 0x580];
	u64 rsp;			/* 0x5d8 */
	u8  reserved_5e0[0x5f8 - 0x5e0];
	u64 rax;			/* 0x5f8 */
	u64 star;			/* 0x600 */
	u64 lstar;			/* 0x608 */
	u64 cstar;			/* 0x610 */
	u64 sfmask;			/* 0x618 */
	u64 kernel_gs_base;		/* 0x620 */
	u64 sysenter_cs;		/* 0x628 */
	u64 sysenter_esp;		/* 0x630 */
	u64 sysenter_eip;		/* 0x638 */
	u64 cr2;			/* 0x640 */
	u8  reserved_648[0x668 - 0x648];
	u64 g_pat;			/* 0x668 */
	u8  reserved_670[0x1000 - 0x670];
} __packed;

struct vmcb {
	struct vmcb_control control;
	struct vmcb_save save;
} __packed;

#define VMCB_OFF(f)	offsetof(struct vmcb, f)
static_assert(sizeof(struct vmcb_seg) == 16);
static_assert(sizeof(struct vmcb) == 4096);
static_assert(VMCB_OFF(control.pause_filter_threshold) == 0x03c);
static_assert(VMCB_OFF(control.iopm_base_pa) == 0x040);
static_assert(VMCB_OFF(control.asid) == 0x058);
static_assert(VMCB_OFF(control.tlb_control) == 0x05c);
static_assert(VMCB_OFF(control.int_ctl) == 0x060);
static_assert(VMCB_OFF(control.exit_code) == 0x070);
static_assert(VMCB_OFF(control.exit_int_info) == 0x088);
static_assert(VMCB_OFF(control.nested_ctl) == 0x090);
static_assert(VMCB_OFF(control.event_inj) == 0x0a8);
static_assert(VMCB_OFF(control.nested_cr3) == 0x0b0);
static_assert(VMCB_OFF(control.clean) == 0x0c0);
static_assert(VMCB_OFF(control.next_rip) == 0x0c8);
static_assert(VMCB_OFF(control.insn_bytes) == 0x0d1);
static_assert(VMCB_OFF(save.es) == 0x400);
static_assert(VMCB_OFF(save.tr) == 0x490);
static_assert(VMCB_OFF(save.cpl) == 0x4cb);
static_assert(VMCB_OFF(save.efer) == 0x4d0);
static_assert(VMCB_OFF(save.cr4) == 0x548);
static_assert(VMCB_OFF(save.rip) == 0x578);
static_assert(VMCB_OFF(save.rsp) == 0x5d8);
static_assert(VMCB_OFF(save.rax) == 0x5f8);
static_assert(VMCB_OFF(save.sysenter_eip) == 0x638);
static_assert(VMCB_OFF(save.cr2) == 0x640);
static_assert(VMCB_OFF(save.g_pat) == 0x668);

#endif /* SVMHV_SVM_VMCB_H */
