// SPDX-License-Identifier: GPL-2.0
/*
 * svmhv ioctl ABI: versions, capabilities, argument checking and errno
 * values on the system, VM and vCPU file descriptors, object lifecycle,
 * and the initial state of a vCPU (uapi/svmhv.h, docs/contract-notes.md).
 */
#include <cpuid.h>
#include <errno.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "svmhv_test.h"

/* ioctl() result as 0 or -errno, for ASSERT_EQ(-EINVAL, ...) */
static long xioctl(int fd, unsigned long req, unsigned long arg)
{
	long ret = ioctl(fd, req, arg);

	return ret < 0 ? -errno : ret;
}

#define IOCTL(fd, req, arg) xioctl(fd, req, (unsigned long)(arg))

FIXTURE(sys) {
	int sys;
};
FIXTURE_SETUP(sys)
{
	self->sys = svmhv_open_sys();
}
FIXTURE_TEARDOWN(sys)
{
	close(self->sys);
}

FIXTURE(vm) {
	int sys;
	int vm;
	void *mem;	/* 4 MiB for region tests */
};
FIXTURE_SETUP(vm)
{
	self->sys = svmhv_open_sys();
	self->vm = ioctl(self->sys, SVMHV_CREATE_VM, 0);
	ASSERT_LE(0, self->vm);
	self->mem = mmap(NULL, 4 * MiB, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->mem);
}
FIXTURE_TEARDOWN(vm)
{
	close(self->vm);
	close(self->sys);
	munmap(self->mem, 4 * MiB);
}

static long set_region(int vm, uint32_t slot, uint32_t flags, uint64_t gpa,
		       uint64_t size, const void *hva)
{
	struct svmhv_memory_region r = {
		.slot = slot, .flags = flags, .guest_phys_addr = gpa,
		.memory_size = size, .userspace_addr = (uintptr_t)hva,
	};

	return IOCTL(vm, SVMHV_SET_MEMORY_REGION, &r);
}

FIXTURE(vcpu) {
	int sys;
	int vm;
	int vcpu;
};
FIXTURE_SETUP(vcpu)
{
	self->sys = svmhv_open_sys();
	self->vm = ioctl(self->sys, SVMHV_CREATE_VM, 0);
	ASSERT_LE(0, self->vm);
	self->vcpu = ioctl(self->vm, SVMHV_CREATE_VCPU, 0);
	ASSERT_LE(0, self->vcpu);
}
FIXTURE_TEARDOWN(vcpu)
{
	close(self->vcpu);
	close(self->vm);
	close(self->sys);
}

/* ---- system fd ---------------------------------------------------------- */

TEST_F(sys, api_version_is_1)
{
	EXPECT_EQ(1, IOCTL(self->sys, SVMHV_GET_API_VERSION, 0));
	EXPECT_EQ(-EINVAL, IOCTL(self->sys, SVMHV_GET_API_VERSION, 1));
}

TEST_F(sys, check_cap_reports_limits_and_zero_for_unknown)
{
	EXPECT_EQ(64, IOCTL(self->sys, SVMHV_CHECK_CAP, SVMHV_CAP_NR_VCPUS));
	EXPECT_EQ(32, IOCTL(self->sys, SVMHV_CHECK_CAP, SVMHV_CAP_NR_MEM_SLOTS));
	EXPECT_EQ(1024, IOCTL(self->sys, SVMHV_CHECK_CAP, SVMHV_CAP_IO_DATA_MAX));
	EXPECT_EQ(1, IOCTL(self->sys, SVMHV_CHECK_CAP, SVMHV_CAP_IMMEDIATE_EXIT));
	EXPECT_EQ(0, IOCTL(self->sys, SVMHV_CHECK_CAP, 0));
	EXPECT_EQ(0, IOCTL(self->sys, SVMHV_CHECK_CAP, 0x7fffffff));
	EXPECT_EQ(0, IOCTL(self->sys, SVMHV_CHECK_CAP, 0x7fffffff));
	EXPECT_EQ(0, IOCTL(self->sys, SVMHV_CHECK_CAP, -1UL));
}

/* The CPU-feature capabilities mirror CPUID Fn8000_000A on the host. */
TEST_F(sys, check_cap_svm_features_match_host_cpuid)
{
	unsigned int eax, ebx, ecx, edx;

	ASSERT_TRUE(__get_cpuid(0x8000000a, &eax, &ebx, &ecx, &edx));
	EXPECT_EQ(!!(edx & (1u << 3)),
		  IOCTL(self->sys, SVMHV_CHECK_CAP, SVMHV_CAP_NRIP_SAVE));
	EXPECT_EQ(!!(edx & (1u << 7)),
		  IOCTL(self->sys, SVMHV_CHECK_CAP, SVMHV_CAP_DECODE_ASSISTS));
	EXPECT_EQ(!!(edx & (1u << 6)),
		  IOCTL(self->sys, SVMHV_CHECK_CAP, SVMHV_CAP_FLUSH_BY_ASID));
	EXPECT_EQ(!!(edx & (1u << 5)),
		  IOCTL(self->sys, SVMHV_CHECK_CAP, SVMHV_CAP_VMCB_CLEAN));
	EXPECT_EQ((long)ebx, IOCTL(self->sys, SVMHV_CHECK_CAP, SVMHV_CAP_NR_ASIDS));
}

TEST_F(sys, create_vm_rejects_nonzero_argument)
{
	EXPECT_EQ(-EINVAL, IOCTL(self->sys, SVMHV_CREATE_VM, 1));
	EXPECT_EQ(-EINVAL, IOCTL(self->sys, SVMHV_CREATE_VM, -1UL));
}

TEST_F_TIMEOUT(sys, vm_and_vcpu_create_destroy_1000_times, 300)
{
	int first_vm = -1, first_vcpu = -1;

	for (int i = 0; i < 1000; i++) {
		int vm = ioctl(self->sys, SVMHV_CREATE_VM, 0);
		int vcpu, vcpu2;

		ASSERT_LE(0, vm) TH_LOG("iteration %d", i);
		vcpu = ioctl(vm, SVMHV_CREATE_VCPU, 0);
		ASSERT_LE(0, vcpu) TH_LOG("iteration %d", i);
		vcpu2 = ioctl(vm, SVMHV_CREATE_VCPU, 63);
		ASSERT_LE(0, vcpu2) TH_LOG("iteration %d", i);
		if (i == 0) {
			first_vm = vm;
			first_vcpu = vcpu;
		}
		/* Every object is released: the same numbers come back. */
		ASSERT_EQ(first_vm, vm) TH_LOG("iteration %d", i);
		ASSERT_EQ(first_vcpu, vcpu) TH_LOG("iteration %d", i);
		if (i & 1) {
			ASSERT_EQ(0, close(vm));
			ASSERT_EQ(0, close(vcpu));
			ASSERT_EQ(0, close(vcpu2));
		} else {
			ASSERT_EQ(0, close(vcpu2));
			ASSERT_EQ(0, close(vcpu));
			ASSERT_EQ(0, close(vm));
		}
	}
}

/* ---- unknown ioctls -------------------------------------------------------- */

TEST_F(vcpu, unknown_ioctl_is_enotty_on_each_fd_kind)
{
	const unsigned long unknown[] = {
		_IO(SVMHVIO, 0x7f), _IO(SVMHVIO, 0xff), _IO(0x42, 0x00),
		_IOR(SVMHVIO, 0x99, struct svmhv_regs),
	};

	for (unsigned int i = 0; i < ARRAY_SIZE(unknown); i++) {
		EXPECT_EQ(-ENOTTY, IOCTL(self->sys, unknown[i], 0));
		EXPECT_EQ(-ENOTTY, IOCTL(self->vm, unknown[i], 0));
		EXPECT_EQ(-ENOTTY, IOCTL(self->vcpu, unknown[i], 0));
	}
	/* Known numbers on the wrong kind of fd. */
	EXPECT_EQ(-ENOTTY, IOCTL(self->sys, SVMHV_RUN, 0));
	EXPECT_EQ(-ENOTTY, IOCTL(self->sys, SVMHV_CREATE_VCPU, 0));
	EXPECT_EQ(-ENOTTY, IOCTL(self->vm, SVMHV_RUN, 0));
	EXPECT_EQ(-ENOTTY, IOCTL(self->vm, SVMHV_CREATE_VM, 0));
	EXPECT_EQ(-ENOTTY, IOCTL(self->vcpu, SVMHV_CREATE_VM, 0));
	EXPECT_EQ(-ENOTTY, IOCTL(self->vcpu, SVMHV_CREATE_VCPU, 1));
	EXPECT_EQ(-ENOTTY, IOCTL(self->vcpu, SVMHV_GET_API_VERSION, 0));
}

/* ---- memory regions ------------------------------------------------------ */

TEST_F(vm, memory_region_overlap_and_live_slot_are_eexist)
{
	uint8_t *m = self->mem;

	ASSERT_EQ(0, set_region(self->vm, 0, 0, 0x100000, 0x200000, m));
	EXPECT_EQ(-EEXIST, set_region(self->vm, 1, 0, 0x200000, 0x200000, m + 2 * MiB));
	EXPECT_EQ(-EEXIST, set_region(self->vm, 1, 0, 0x0ff000, 0x2000, m + 2 * MiB));
	EXPECT_EQ(-EEXIST, set_region(self->vm, 1, 0, 0x2ff000, 0x1000, m + 2 * MiB));
	EXPECT_EQ(-EEXIST, set_region(self->vm, 1, 0, 0, 0x400000, m));
	/* Re-using the live slot number, even at a free address. */
	EXPECT_EQ(-EEXIST, set_region(self->vm, 0, 0, 0x800000, 0x1000, m + 3 * MiB));
	/* Adjacent on both sides is fine. */
	EXPECT_EQ(0, set_region(self->vm, 1, 0, 0x300000, 0x100000, m + 2 * MiB));
	EXPECT_EQ(0, set_region(self->vm, 2, 0, 0x0ff000, 0x1000, m + 3 * MiB));
}

TEST_F(vm, memory_region_unaligned_is_einval)
{
	uint8_t *m = self->mem;

	EXPECT_EQ(-EINVAL, set_region(self->vm, 0, 0, 0x800, 0x1000, m));
	EXPECT_EQ(-EINVAL, set_region(self->vm, 0, 0, 0x1000, 0x1800, m));
	EXPECT_EQ(-EINVAL, set_region(self->vm, 0, 0, 0x1000, 0x1000, m + 8));
	EXPECT_EQ(-EINVAL, set_region(self->vm, 0, 0, 0x1001, 0x1000, m));
	/* None of them took the slot. */
	EXPECT_EQ(0, set_region(self->vm, 0, 0, 0x1000, 0x1000, m));
}

TEST_F(vm, memory_region_bad_slot_flag_reserved_or_address_is_einval)
{
	struct svmhv_memory_region r = {
		.slot = 1, .guest_phys_addr = 0x100000, .memory_size = 0x1000,
		.userspace_addr = (uintptr_t)self->mem,
	};

	EXPECT_EQ(-EINVAL, set_region(self->vm, 32, 0, 0, 0x1000, self->mem));
	EXPECT_EQ(-EINVAL, set_region(self->vm, 0xffffffff, 0, 0, 0x1000, self->mem));
	EXPECT_EQ(-EINVAL, set_region(self->vm, 0, 4, 0, 0x1000, self->mem));
	EXPECT_EQ(-EINVAL, set_region(self->vm, 0, 0x80000000, 0, 0x1000, self->mem));
	/* Beyond 2^52 of guest physical address space. */
	EXPECT_EQ(-EINVAL, set_region(self->vm, 0, 0, 1ULL << 52, 0x1000, self->mem));
	EXPECT_EQ(-EINVAL, set_region(self->vm, 0, 0, (1ULL << 52) - 0x1000,
				      0x2000, self->mem));
	for (int i = 0; i < 4; i++) {
		r.reserved[i] = 1;
		EXPECT_EQ(-EINVAL, IOCTL(self->vm, SVMHV_SET_MEMORY_REGION, &r))
			TH_LOG("reserved[%d]", i);
		r.reserved[i] = 0;
	}
	EXPECT_EQ(0, IOCTL(self->vm, SVMHV_SET_MEMORY_REGION, &r));
	EXPECT_EQ(0, set_region(self->vm, 31, 0, 0x200000, 0x1000, self->mem));
}

TEST_F(vm, memory_region_delete_of_empty_slot_is_enoent)
{
	EXPECT_EQ(-ENOENT, set_region(self->vm, 0, 0, 0, 0, NULL));
	EXPECT_EQ(-ENOENT, set_region(self->vm, 31, 0, 0, 0, NULL));
	ASSERT_EQ(0, set_region(self->vm, 5, 0, 0x100000, 0x1000, self->mem));
	EXPECT_EQ(0, set_region(self->vm, 5, 0, 0, 0, NULL));
	EXPECT_EQ(-ENOENT, set_region(self->vm, 5, 0, 0, 0, NULL));
	/* Once deleted, the slot and the range can be used again. */
	EXPECT_EQ(0, set_region(self->vm, 5, 0, 0x100000, 0x2000, self->mem));
}

TEST_F(vm, bad_argument_pointer_is_efault)
{
	EXPECT_EQ(-EFAULT, IOCTL(self->vm, SVMHV_SET_MEMORY_REGION, 8));
	EXPECT_EQ(-EFAULT, IOCTL(self->vm, SVMHV_SET_MEMORY_REGION, -4096L));
}

/* ---- vCPUs ---------------------------------------------------------------- */

TEST_F(vcpu, vcpu_id_taken_is_eexist_out_of_range_is_einval)
{
	int last;

	EXPECT_EQ(-EEXIST, IOCTL(self->vm, SVMHV_CREATE_VCPU, 0));
	EXPECT_EQ(-EINVAL, IOCTL(self->vm, SVMHV_CREATE_VCPU, 64));
	EXPECT_EQ(-EINVAL, IOCTL(self->vm, SVMHV_CREATE_VCPU, 0xffffffffUL));
	EXPECT_EQ(-EINVAL, IOCTL(self->vm, SVMHV_CREATE_VCPU, 1UL << 32));
	last = ioctl(self->vm, SVMHV_CREATE_VCPU, 63);
	ASSERT_LE(0, last);
	EXPECT_EQ(-EEXIST, IOCTL(self->vm, SVMHV_CREATE_VCPU, 63));
	close(last);
}

TEST_F(vcpu, vcpu_mmap_allows_run_size_only)
{
	void *p = mmap(NULL, SVMHV_RUN_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
		       self->vcpu, 0);
	struct svmhv_run *run = p;

	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(SVMHV_EXIT_NONE, run->exit_reason);
	EXPECT_EQ(0, run->immediate_exit);
	munmap(p, SVMHV_RUN_SIZE);

	EXPECT_EQ(MAP_FAILED, mmap(NULL, 2 * SVMHV_RUN_SIZE, PROT_READ | PROT_WRITE,
				   MAP_SHARED, self->vcpu, 0));
	EXPECT_EQ(MAP_FAILED, mmap(NULL, SVMHV_RUN_SIZE, PROT_READ | PROT_WRITE,
				   MAP_SHARED, self->vcpu, SVMHV_RUN_SIZE));
}

TEST_F(vcpu, new_vcpu_is_in_reset_state)
{
	struct svmhv_regs regs;
	struct svmhv_sregs sregs;

	memset(&regs, 0xcc, sizeof(regs));
	memset(&sregs, 0xcc, sizeof(sregs));
	ASSERT_EQ(0, IOCTL(self->vcpu, SVMHV_GET_REGS, &regs));
	ASSERT_EQ(0, IOCTL(self->vcpu, SVMHV_GET_SREGS, &sregs));
	EXPECT_EQ(0xfff0ULL, regs.rip);
	EXPECT_EQ(X86_EFLAGS_FIXED, regs.rflags);
	EXPECT_EQ(0xf000, sregs.cs.selector);
	EXPECT_EQ(0xffff0000ULL, sregs.cs.base);
	EXPECT_EQ(0xffffU, sregs.cs.limit);
	EXPECT_EQ(0x60000010ULL, sregs.cr0);
	EXPECT_EQ(0ULL, sregs.cr4);
	EXPECT_EQ(0ULL, sregs.efer);
	for (int i = 0; i < 6; i++) {
		EXPECT_EQ(0ULL, regs.reserved[i]);
	}
	for (int i = 0; i < 8; i++) {
		EXPECT_EQ(0ULL, sregs.reserved[i]);
	}
	EXPECT_EQ(0, sregs.cs.pad[0] | sregs.cs.pad[1]);
	EXPECT_EQ(0, sregs.gdt.pad[0] | sregs.gdt.pad[1] | sregs.gdt.pad[2]);
}

TEST_F(vcpu, regs_round_trip)
{
	struct svmhv_regs in, out;
	__u64 *r = &in.rax;

	memset(&in, 0, sizeof(in));
	for (int i = 0; i < 16; i++)
		r[i] = 0x0101010101010101ULL * (i + 1) ^ 0x8000000000000000ULL;
	in.rip = 0x123456789aULL;
	in.rflags = X86_EFLAGS_FIXED | 0x8c5;	/* CF PF ZF SF OF */
	ASSERT_EQ(0, IOCTL(self->vcpu, SVMHV_SET_REGS, &in));
	memset(&out, 0xcc, sizeof(out));
	ASSERT_EQ(0, IOCTL(self->vcpu, SVMHV_GET_REGS, &out));
	EXPECT_EQ(0, memcmp(&in, &out, sizeof(in)));
}

TEST_F(vcpu, set_regs_rejects_nonzero_reserved)
{
	struct svmhv_regs regs;

	ASSERT_EQ(0, IOCTL(self->vcpu, SVMHV_GET_REGS, &regs));
	for (int i = 0; i < 6; i++) {
		regs.reserved[i] = 1ULL << i;
		EXPECT_EQ(-EINVAL, IOCTL(self->vcpu, SVMHV_SET_REGS, &regs))
			TH_LOG("reserved[%d]", i);
		regs.reserved[i] = 0;
	}
	EXPECT_EQ(0, IOCTL(self->vcpu, SVMHV_SET_REGS, &regs));
}

TEST_F(vcpu, set_sregs_rejects_nonzero_reserved_and_pad)
{
	struct svmhv_sregs s;

	ASSERT_EQ(0, IOCTL(self->vcpu, SVMHV_GET_SREGS, &s));
	for (int i = 0; i < 8; i++) {
		s.reserved[i] = 0x100;
		EXPECT_EQ(-EINVAL, IOCTL(self->vcpu, SVMHV_SET_SREGS, &s))
			TH_LOG("reserved[%d]", i);
		s.reserved[i] = 0;
	}
	s.ds.pad[1] = 1;
	EXPECT_EQ(-EINVAL, IOCTL(self->vcpu, SVMHV_SET_SREGS, &s));
	s.ds.pad[1] = 0;
	s.idt.pad[2] = 1;
	EXPECT_EQ(-EINVAL, IOCTL(self->vcpu, SVMHV_SET_SREGS, &s));
	s.idt.pad[2] = 0;
	EXPECT_EQ(0, IOCTL(self->vcpu, SVMHV_SET_SREGS, &s));
}

TEST_F(vcpu, set_sregs_rejects_efer_svme_and_unknown_bits)
{
	struct svmhv_sregs s;

	ASSERT_EQ(0, IOCTL(self->vcpu, SVMHV_GET_SREGS, &s));
	s.efer = EFER_SVME;
	EXPECT_EQ(-EINVAL, IOCTL(self->vcpu, SVMHV_SET_SREGS, &s));
	s.efer = 1ULL << 20;
	EXPECT_EQ(-EINVAL, IOCTL(self->vcpu, SVMHV_SET_SREGS, &s));
	s.efer = EFER_SCE | EFER_NXE;
	EXPECT_EQ(0, IOCTL(self->vcpu, SVMHV_SET_SREGS, &s));
	ASSERT_EQ(0, IOCTL(self->vcpu, SVMHV_GET_SREGS, &s));
	EXPECT_EQ(EFER_SCE | EFER_NXE, s.efer);
}

TEST(set_sregs_long_mode_sets_efer_lma)
{
	struct svmhv_vm *vm = vm_create(DEFAULT_GUEST_RAM);
	struct svmhv_vcpu *vcpu = vcpu_create_reset(vm, 0);
	struct svmhv_sregs s;

	vcpu_init_long_mode_sregs(vcpu);
	vcpu_sregs_get(vcpu, &s);
	EXPECT_EQ(GUEST_EFER, s.efer);
	EXPECT_EQ(GUEST_CR0, s.cr0);
	EXPECT_EQ(GUEST_CR4, s.cr4);
	EXPECT_EQ(GUEST_PML4_GPA, s.cr3);
	EXPECT_EQ(GUEST_SEL_CODE64, s.cs.selector);
	EXPECT_EQ(1, s.cs.l);
	EXPECT_EQ(GUEST_TSS_GPA, s.tr.base);
	EXPECT_EQ(GUEST_IDT_GPA, s.idt.base);
	EXPECT_EQ(4095, s.idt.limit);

	/* LME without LMA in, LMA out: the module derives it from CR0.PG. */
	s.efer = EFER_LME | EFER_SCE;
	vcpu_sregs_set(vcpu, &s);
	vcpu_sregs_get(vcpu, &s);
	EXPECT_EQ(EFER_LME | EFER_LMA | EFER_SCE, s.efer);
	vm_free(vm);
}

/*
 * State VMRUN would refuse (APM vol. 2, 15.5.1) or no CPU could be in is
 * refused by the ioctl itself with EINVAL, and nothing of it is taken:
 * the vCPU keeps the valid long-mode state it had.
 */
struct bad_sregs {
	const char *what;
	void (*apply)(struct svmhv_sregs *s);
};

#define BAD_SREGS(name, stmt)						\
	static void bad_##name(struct svmhv_sregs *s) { stmt; }
BAD_SREGS(cr0_upper_half, s->cr0 |= 1ULL << 32)
BAD_SREGS(cr0_nw_without_cd, s->cr0 = (s->cr0 | X86_CR0_NW) & ~X86_CR0_CD)
BAD_SREGS(cr0_pg_without_pe, s->cr0 &= ~X86_CR0_PE)
BAD_SREGS(cr0_reserved_bit_6, s->cr0 |= 1ULL << 6)
BAD_SREGS(cr3_bit_63_in_long_mode, s->cr3 |= 1ULL << 63)
BAD_SREGS(cr3_beyond_phys_width, s->cr3 |= 1ULL << 52)
BAD_SREGS(cr4_la57, s->cr4 |= X86_CR4_LA57)
BAD_SREGS(cr4_vmxe, s->cr4 |= X86_CR4_VMXE)
BAD_SREGS(cr4_smxe_never_offered, s->cr4 |= 1ULL << 14)
BAD_SREGS(cr4_pcide_without_pcid, s->cr4 |= X86_CR4_PCIDE)
BAD_SREGS(cr4_cet, s->cr4 |= X86_CR4_CET)
BAD_SREGS(cr4_upper_half, s->cr4 |= 1ULL << 32)
BAD_SREGS(long_mode_without_pae, s->cr4 &= ~X86_CR4_PAE)
BAD_SREGS(efer_lmsle, s->efer |= 1ULL << 13)
BAD_SREGS(cs_l_and_d_in_long_mode, s->cs.db = 1)
BAD_SREGS(cs_l_without_long_mode,
	  s->efer &= ~(EFER_LME | EFER_LMA); s->cr0 &= ~X86_CR0_PG;
	  s->cr3 = 0)
BAD_SREGS(fs_base_noncanonical, s->fs.base = 0x0000800000000000ULL)
BAD_SREGS(gs_base_noncanonical, s->gs.base = 0xfff0000000000000ULL)
BAD_SREGS(tr_base_noncanonical, s->tr.base = 1ULL << 60)
BAD_SREGS(gdt_base_noncanonical, s->gdt.base = 0x8000000000000000ULL)
BAD_SREGS(idt_base_noncanonical, s->idt.base = 0x0000900000000000ULL)
BAD_SREGS(ds_base_beyond_32_bits, s->ds.base = 1ULL << 32)
BAD_SREGS(apic_base_x2apic_hidden, s->apic_base |= 1ULL << 10)
BAD_SREGS(apic_base_reserved_bit_0, s->apic_base |= 1)
BAD_SREGS(apic_base_beyond_phys_width, s->apic_base |= 1ULL << 52)

TEST(set_sregs_refuses_states_no_cpu_can_be_in)
{
	static const struct bad_sregs bad[] = {
#define B(name) { #name, bad_##name }
		B(cr0_upper_half), B(cr0_nw_without_cd), B(cr0_pg_without_pe),
		B(cr0_reserved_bit_6), B(cr3_bit_63_in_long_mode),
		B(cr3_beyond_phys_width), B(cr4_la57), B(cr4_vmxe),
		B(cr4_smxe_never_offered), B(cr4_pcide_without_pcid),
		B(cr4_cet), B(cr4_upper_half), B(long_mode_without_pae),
		B(efer_lmsle), B(cs_l_and_d_in_long_mode),
		B(cs_l_without_long_mode), B(fs_base_noncanonical),
		B(gs_base_noncanonical), B(tr_base_noncanonical),
		B(gdt_base_noncanonical), B(idt_base_noncanonical),
		B(ds_base_beyond_32_bits), B(apic_base_x2apic_hidden),
		B(apic_base_reserved_bit_0), B(apic_base_beyond_phys_width),
#undef B
	};
	struct svmhv_vm *vm = vm_create(DEFAULT_GUEST_RAM);
	struct svmhv_vcpu *vcpu = vcpu_create_reset(vm, 0);
	struct svmhv_sregs good, s, now;

	vcpu_init_long_mode_sregs(vcpu);
	vcpu_sregs_get(vcpu, &good);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		s = good;
		bad[i].apply(&s);
		EXPECT_EQ(-EINVAL, IOCTL(vcpu->fd, SVMHV_SET_SREGS, &s))
			TH_LOG("%s was accepted", bad[i].what);
		vcpu_sregs_get(vcpu, &now);
		EXPECT_EQ(0, memcmp(&good, &now, sizeof(good)))
			TH_LOG("%s changed the state", bad[i].what);
	}
	/* The same state without the bad part is taken, and the guest runs. */
	EXPECT_EQ(0, IOCTL(vcpu->fd, SVMHV_SET_SREGS, &good));
	vm_free(vm);
}

TEST(set_regs_refuses_reserved_rflags_and_vm86_in_long_mode)
{
	static const uint64_t bad_rflags[] = {
		1ULL << 3, 1ULL << 5, 1ULL << 15, 1ULL << 22, 1ULL << 63,
		X86_EFLAGS_VM,
	};
	struct svmhv_vm *vm = vm_create(DEFAULT_GUEST_RAM);
	struct svmhv_vcpu *vcpu = vcpu_create_reset(vm, 0);
	struct svmhv_regs good, r, now;

	vcpu_init_long_mode_sregs(vcpu);
	vcpu_regs_get(vcpu, &good);
	for (size_t i = 0; i < ARRAY_SIZE(bad_rflags); i++) {
		r = good;
		r.rflags |= bad_rflags[i];
		EXPECT_EQ(-EINVAL, IOCTL(vcpu->fd, SVMHV_SET_REGS, &r))
			TH_LOG("rflags %#llx was accepted", r.rflags);
		vcpu_regs_get(vcpu, &now);
		EXPECT_EQ(0, memcmp(&good, &now, sizeof(good)));
	}
	/* Bit 1 is the module's to set: 0 there is no error. */
	r = good;
	r.rflags = 0;
	EXPECT_EQ(0, IOCTL(vcpu->fd, SVMHV_SET_REGS, &r));
	vcpu_regs_get(vcpu, &now);
	EXPECT_EQ(X86_EFLAGS_FIXED, now.rflags);
	vm_free(vm);
}

TEST_F(vcpu, bad_register_pointer_is_efault)
{
	EXPECT_EQ(-EFAULT, IOCTL(self->vcpu, SVMHV_GET_REGS, 8));
	EXPECT_EQ(-EFAULT, IOCTL(self->vcpu, SVMHV_SET_REGS, 8));
	EXPECT_EQ(-EFAULT, IOCTL(self->vcpu, SVMHV_GET_SREGS, -4096L));
	EXPECT_EQ(-EFAULT, IOCTL(self->vcpu, SVMHV_SET_SREGS, -4096L));
}

TEST_F(vcpu, fds_used_from_another_process_are_eio)
{
	pid_t pid = fork();
	int status;

	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct svmhv_regs regs;
		struct svmhv_memory_region r = { .slot = 0 };
		int code = 0;

		if (xioctl(self->vcpu, SVMHV_GET_REGS, (unsigned long)&regs) != -EIO)
			code |= 1;
		if (xioctl(self->vcpu, SVMHV_RUN, 0) != -EIO)
			code |= 2;
		if (xioctl(self->vm, SVMHV_SET_MEMORY_REGION, (unsigned long)&r) != -EIO)
			code |= 4;
		if (xioctl(self->vm, SVMHV_CREATE_VCPU, 5) != -EIO)
			code |= 8;
		_exit(code);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	/* bit 0: GET_REGS, 1: RUN, 2: SET_MEMORY_REGION, 3: CREATE_VCPU */
	EXPECT_EQ(0, WEXITSTATUS(status));
	/* The creator still works. */
	EXPECT_EQ(-EEXIST, IOCTL(self->vm, SVMHV_CREATE_VCPU, 0));
}

SVMHV_TEST_HARNESS_MAIN
