// SPDX-License-Identifier: GPL-2.0
/*
 * SVMHV_SET/GET_PM_TIMER: the ACPI PM timer answered in the kernel.  A
 * guest's reads never reach userspace, give one 32-bit counter that wraps
 * and only moves forward, agree with what GET says before and after, and
 * come back to userspace once the timer is turned off; accesses that only
 * straddle it, and bad ioctl arguments, are left alone.
 */
#include <errno.h>
#include <sys/ioctl.h>

#include "svmhv_test.h"

#define PM_TMR		0x608
#define NR_READS	500

/* Distance from a to b on the 32-bit counter's circle. */
static uint32_t ahead(uint32_t a, uint32_t b)
{
	return b - a;
}

static void guest_reads_timer(void)
{
	uint32_t first = inl(PM_TMR), prev = first, v;
	uint8_t hi;

	for (int i = 0; i < NR_READS; i++) {
		v = inl(PM_TMR);
		/* Forward, never by half the circle: no step back. */
		GUEST_ASSERT(ahead(prev, v) < 0x80000000u);
		prev = v;
	}
	/* Narrow reads give the counter's bytes (a carry may come between). */
	hi = inb(PM_TMR + 3);
	GUEST_ASSERT((uint8_t)(hi - (prev >> 24)) <= 1);
	outl(PM_TMR, 0);			/* read-only: ignored */
	GUEST_SYNC_ARGS(1, first, prev, 0, 0);
	/* Straddles 0x606-0x609: the VMM's to answer. */
	inl(PM_TMR - 2);
	/* Once turned off, the VMM's. */
	inl(PM_TMR);
	GUEST_DONE();
}

static int set_timer(int vm_fd, uint16_t port, uint32_t count)
{
	struct svmhv_pm_timer t = { .port = port, .count = count };

	return ioctl(vm_fd, SVMHV_SET_PM_TIMER, &t);
}

static struct svmhv_pm_timer get_timer(int vm_fd)
{
	struct svmhv_pm_timer t;

	memset(&t, 0xa5, sizeof(t));
	TEST_ASSERT(!ioctl(vm_fd, SVMHV_GET_PM_TIMER, &t),
		    "SVMHV_GET_PM_TIMER: %s", strerror(errno));
	return t;
}

static uint64_t userspace_exits(int fd)
{
	struct svmhv_stats st;

	TEST_ASSERT(!ioctl(fd, SVMHV_GET_STATS, &st), "SVMHV_GET_STATS");
	return st.userspace_exits;
}

TEST(guest_reads_stay_in_kernel_and_agree_with_get)
{
	struct svmhv_vcpu *vcpu;
	struct svmhv_vm *vm = vm_create_with_one_vcpu(&vcpu, guest_reads_timer);
	struct svmhv_pm_timer before, after, off;
	struct ucall uc;
	uint32_t first, last;
	int sys = svmhv_open_sys();

	ASSERT_EQ(1, ioctl(sys, SVMHV_CHECK_CAP, SVMHV_CAP_PM_TIMER));
	close(sys);
	off = get_timer(vm->fd);
	EXPECT_EQ(0, off.port);			/* off until set */
	EXPECT_EQ(0, off.count);

	/* Just below the wrap: the guest's reads cross it or come close. */
	ASSERT_EQ(0, set_timer(vm->fd, PM_TMR, 0xffffff00u));
	before = get_timer(vm->fd);
	EXPECT_EQ(PM_TMR, before.port);
	EXPECT_GT(0x80000000u, ahead(0xffffff00u, before.count));

	vcpu_run_expect_sync(vcpu, 1, &uc);
	after = get_timer(vm->fd);
	first = uc.args[1];
	last = uc.args[2];
	/* GET before <= every guest read <= GET after, on the circle. */
	EXPECT_GE(ahead(before.count, after.count), ahead(before.count, first));
	EXPECT_GE(ahead(before.count, after.count), ahead(before.count, last));
	EXPECT_GE(ahead(first, after.count), ahead(first, last));
	/* 502 reads and a write, one ucall: RUN came back once. */
	EXPECT_EQ(1, userspace_exits(vcpu->fd));

	vcpu_run(vcpu);
	TEST_ASSERT_EXIT_REASON(vcpu, SVMHV_EXIT_IO);
	EXPECT_EQ(PM_TMR - 2, vcpu->run->io.port);
	EXPECT_EQ(SVMHV_IO_IN, vcpu->run->io.direction);

	ASSERT_EQ(0, set_timer(vm->fd, 0, 0x1234));
	off = get_timer(vm->fd);
	EXPECT_EQ(0, off.port);
	EXPECT_EQ(0, off.count);
	vcpu_run(vcpu);
	TEST_ASSERT_EXIT_REASON(vcpu, SVMHV_EXIT_IO);
	EXPECT_EQ(PM_TMR, vcpu->run->io.port);
	vcpu_run_expect_done(vcpu);
	vm_free(vm);
}

TEST(bad_arguments_are_einval_and_change_nothing)
{
	struct svmhv_vcpu *vcpu;
	struct svmhv_vm *vm = vm_create_with_one_vcpu(&vcpu, guest_reads_timer);
	struct svmhv_pm_timer t = { .port = PM_TMR };

	ASSERT_EQ(0, set_timer(vm->fd, PM_TMR, 0));
	EXPECT_EQ(-1, set_timer(vm->fd, 0xfffd, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, set_timer(vm->fd, 0xffff, 0));
	EXPECT_EQ(EINVAL, errno);
	t.pad = 1;
	EXPECT_EQ(-1, ioctl(vm->fd, SVMHV_SET_PM_TIMER, &t));
	EXPECT_EQ(EINVAL, errno);
	t.pad = 0;
	t.reserved[1] = 1;
	EXPECT_EQ(-1, ioctl(vm->fd, SVMHV_SET_PM_TIMER, &t));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(vm->fd, SVMHV_SET_PM_TIMER, NULL));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(PM_TMR, get_timer(vm->fd).port);
	/* The highest port that still fits the four bytes. */
	EXPECT_EQ(0, set_timer(vm->fd, 0xfffc, 0));
	EXPECT_EQ(0xfffc, get_timer(vm->fd).port);
	/* A VM ioctl, not a vCPU one. */
	EXPECT_EQ(-1, ioctl(vcpu->fd, SVMHV_SET_PM_TIMER, &t));
	EXPECT_EQ(ENOTTY, errno);
	vm_free(vm);
}

SVMHV_TEST_HARNESS_MAIN
