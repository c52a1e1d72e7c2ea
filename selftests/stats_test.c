// SPDX-License-Identifier: GPL-2.0
/*
 * SVMHV_GET_STATS: a guest whose exits are known exactly (N CPUID, one
 * HLT, ucalls over an I/O port) must be counted exactly, per vCPU and
 * summed per VM, and the VM-wide fields must describe the VM (vCPUs,
 * pinned pages, nested page tables).  Host interrupts may add
 * host_event_exits at any time, so only the kinds the guest controls are
 * compared for equality.
 */
#include <errno.h>
#include <sys/ioctl.h>

#include "svmhv_test.h"

#define NR_CPUID	100

static void guest_known_exits(void)
{
	for (int i = 0; i < NR_CPUID; i++)
		guest_cpuid(0, 0);
	GUEST_SYNC(1);
	asm volatile("hlt");
	GUEST_DONE();
}

TEST(stats_count_each_exit_of_a_known_guest)
{
	struct svmhv_stats before, after, vmst;
	struct svmhv_vcpu *vcpu;
	struct svmhv_vm *vm = vm_create_with_one_vcpu(&vcpu, guest_known_exits);
	int sys = svmhv_open_sys();

	if (ioctl(sys, SVMHV_CHECK_CAP, SVMHV_CAP_STATS) != 1)
		SKIP(goto out, "no SVMHV_CAP_STATS");
	svmhv_get_stats(vcpu->fd, &before);
	EXPECT_EQ(0, before.exits);
	EXPECT_EQ(0, before.vcpus);		/* VM-only fields: 0 per vCPU */

	vcpu_run_expect_sync(vcpu, 1, NULL);	/* 100 CPUIDs, one ucall */
	vcpu_run(vcpu);
	TEST_ASSERT_EXIT_REASON(vcpu, SVMHV_EXIT_HLT);
	vcpu_run_expect_done(vcpu);
	svmhv_get_stats(vcpu->fd, &after);

	EXPECT_EQ(NR_CPUID, after.cpuid_exits);
	EXPECT_EQ(1, after.hlt_exits);
	EXPECT_EQ(2, after.io_exits);		/* GUEST_SYNC, GUEST_DONE */
	EXPECT_EQ(3, after.userspace_exits);	/* the three RUNs */
	EXPECT_LE(1, after.npf_exits);		/* the guest's first touches */
	EXPECT_EQ(0, after.mmio_exits);
	EXPECT_EQ(0, after.msr_exits);
	EXPECT_EQ(0, after.other_exits);
	/* Every exit is counted once, under exactly one kind. */
	EXPECT_EQ(after.exits,
		  after.io_exits + after.npf_exits + after.hlt_exits +
		  after.cpuid_exits + after.msr_exits + after.hypercall_exits +
		  after.host_event_exits + after.irq_window_exits +
		  after.dr_exits + after.exception_exits + after.other_exits +
		  after.pause_exits);
	EXPECT_LT(0, after.guest_ns);
	EXPECT_LE(after.guest_ns, after.run_ns);
	for (unsigned int i = 0; i < ARRAY_SIZE(after.reserved); i++)
		EXPECT_EQ(0, after.reserved[i]);

	/* The VM's view: the same counters, plus what only the VM knows. */
	svmhv_get_stats(vm->fd, &vmst);
	EXPECT_EQ(after.cpuid_exits, vmst.cpuid_exits);
	EXPECT_EQ(after.exits, vmst.exits);
	EXPECT_EQ(1, vmst.vcpus);
	/* Nothing pinned (SVMHV_CAP_MMU_NOTIFIER); each NPF maps a page or
	 * makes one writable.
	 */
	EXPECT_EQ(0ULL, vmst.pinned_pages);
	EXPECT_LE(1ULL, vmst.mapped_pages);
	/* A table per level, but none below a 2 MiB page (a THP here). */
	EXPECT_LE(3, vmst.npt_pages);
out:
	close(sys);
	vm_free(vm);
}

TEST(stats_to_an_unwritable_buffer_is_efault)
{
	struct svmhv_vcpu *vcpu;
	struct svmhv_vm *vm = vm_create_with_one_vcpu(&vcpu, guest_known_exits);

	EXPECT_EQ(-1, ioctl(vcpu->fd, SVMHV_GET_STATS, (void *)8));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(vm->fd, SVMHV_GET_STATS, (void *)8));
	EXPECT_EQ(EFAULT, errno);
	vm_free(vm);
}

SVMHV_TEST_HARNESS_MAIN
