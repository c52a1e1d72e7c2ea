// SPDX-License-Identifier: GPL-2.0
/*
 * The fast notification paths: SVMHV_IOEVENTFD (guest writes that signal
 * an eventfd in the kernel) and SVMHV_IRQFD (an eventfd that raises an
 * MSI).  Doorbells by OUT and by MMIO store, with and without a value to
 * match, never reach userspace; everything else still does; interrupts
 * arrive from a thread that only writes an eventfd; and registration,
 * overlap, removal and bad fds give the documented errors.
 */
#include <errno.h>
#include <pthread.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "svmhv_test.h"

#define DOORBELL_PORT	0x3000
#define MATCH_PORT	0x3004
#define DOORBELL_GPA	0xd0000000ULL
#define MSI_VECTOR	0x50

static int ioeventfd(struct svmhv_vm *vm, uint64_t addr, uint32_t len,
		     int fd, uint32_t flags, uint64_t datamatch)
{
	struct svmhv_ioeventfd e = {
		.addr = addr, .len = len, .fd = fd, .flags = flags,
		.datamatch = datamatch,
	};

	return ioctl(vm->fd, SVMHV_IOEVENTFD, &e);
}

static uint64_t eventfd_count(int fd)
{
	uint64_t v = 0;

	/* Non-blocking: 0 when nothing was signalled. */
	if (read(fd, &v, sizeof(v)) != sizeof(v))
		return 0;
	return v;
}

static uint64_t userspace_exits(struct svmhv_vcpu *vcpu)
{
	struct svmhv_stats st;

	TEST_ASSERT(!ioctl(vcpu->fd, SVMHV_GET_STATS, &st), "GET_STATS");
	return st.userspace_exits;
}

static void guest_doorbells(void)
{
	for (int i = 0; i < 10; i++)
		outw(DOORBELL_PORT, i);
	outl(MATCH_PORT, 7);
	outl(MATCH_PORT, 7);
	*(volatile uint32_t *)DOORBELL_GPA = 0x1234;
	GUEST_SYNC(1);
	outb(DOORBELL_PORT, 1);			/* another width: an exit */
	outl(MATCH_PORT, 8);			/* another value: an exit */
	(void)*(volatile uint32_t *)DOORBELL_GPA;	/* a load: an exit */
	GUEST_SYNC(2);
	outw(DOORBELL_PORT, 1);			/* deassigned: an exit */
	GUEST_DONE();
}

TEST(doorbells_signal_eventfds_without_leaving_the_kernel)
{
	struct svmhv_vcpu *vcpu;
	struct svmhv_vm *vm = vm_create_with_one_vcpu(&vcpu, guest_doorbells);
	int pio = eventfd(0, EFD_NONBLOCK), match = eventfd(0, EFD_NONBLOCK);
	int mmio = eventfd(0, EFD_NONBLOCK);
	int sys = svmhv_open_sys();

	ASSERT_LT(0, ioctl(sys, SVMHV_CHECK_CAP, SVMHV_CAP_IOEVENTFD));
	close(sys);
	ASSERT_EQ(0, ioeventfd(vm, DOORBELL_PORT, 2, pio, SVMHV_IOEVENTFD_PIO, 0));
	ASSERT_EQ(0, ioeventfd(vm, MATCH_PORT, 4, match,
			       SVMHV_IOEVENTFD_PIO | SVMHV_IOEVENTFD_DATAMATCH, 7));
	ASSERT_EQ(0, ioeventfd(vm, DOORBELL_GPA, 4, mmio, 0, 0));

	vcpu_run_expect_sync(vcpu, 1, NULL);
	EXPECT_EQ(1ULL, userspace_exits(vcpu));	/* the ucall alone */
	EXPECT_EQ(10ULL, eventfd_count(pio));
	EXPECT_EQ(2ULL, eventfd_count(match));
	EXPECT_EQ(1ULL, eventfd_count(mmio));

	vcpu_run(vcpu);
	TEST_ASSERT_EXIT_REASON(vcpu, SVMHV_EXIT_IO);
	EXPECT_EQ(DOORBELL_PORT, vcpu->run->io.port);
	EXPECT_EQ(1, vcpu->run->io.size);
	vcpu_run(vcpu);
	TEST_ASSERT_EXIT_REASON(vcpu, SVMHV_EXIT_IO);
	EXPECT_EQ(MATCH_PORT, vcpu->run->io.port);
	vcpu_run(vcpu);
	TEST_ASSERT_EXIT_REASON(vcpu, SVMHV_EXIT_MMIO);
	EXPECT_EQ(0, vcpu->run->mmio.is_write);
	vcpu_run_expect_sync(vcpu, 2, NULL);
	EXPECT_EQ(0ULL, eventfd_count(pio));
	EXPECT_EQ(0ULL, eventfd_count(match));
	EXPECT_EQ(0ULL, eventfd_count(mmio));

	EXPECT_EQ(0, ioeventfd(vm, DOORBELL_PORT, 2, pio,
			       SVMHV_IOEVENTFD_PIO | SVMHV_IOEVENTFD_DEASSIGN, 0));
	vcpu_run(vcpu);
	TEST_ASSERT_EXIT_REASON(vcpu, SVMHV_EXIT_IO);
	EXPECT_EQ(DOORBELL_PORT, vcpu->run->io.port);
	vcpu_run_expect_done(vcpu);
	/* Still registered ones go with the VM. */
	vm_free(vm);
	close(pio);
	close(match);
	close(mmio);
}

TEST(ioeventfd_registration_rules)
{
	struct svmhv_vcpu *vcpu;
	struct svmhv_vm *vm = vm_create_with_one_vcpu(&vcpu, guest_doorbells);
	int a = eventfd(0, 0), b = eventfd(0, 0), p[2];
	const uint32_t PIO = SVMHV_IOEVENTFD_PIO, DM = SVMHV_IOEVENTFD_DATAMATCH,
		       DEL = SVMHV_IOEVENTFD_DEASSIGN;
	struct svmhv_ioeventfd e = { .addr = 0x10, .len = 1, .fd = a,
				     .flags = PIO };

	ASSERT_EQ(0, pipe(p));
#define EXPECT_ERR(err, call) do {					\
	EXPECT_EQ(-1, call);						\
	EXPECT_EQ(err, errno);						\
} while (0)
	ASSERT_EQ(0, ioeventfd(vm, 0x100, 2, a, PIO, 0));
	EXPECT_ERR(EEXIST, ioeventfd(vm, 0x100, 2, b, PIO, 0));	/* same */
	EXPECT_ERR(EEXIST, ioeventfd(vm, 0x100, 2, b, PIO | DM, 3));	/* vs wildcard */
	EXPECT_EQ(0, ioeventfd(vm, 0x100, 4, b, PIO, 0));	/* another width */
	EXPECT_EQ(0, ioeventfd(vm, 0x100, 2, b, 0, 0));	/* MMIO space */
	EXPECT_EQ(0, ioeventfd(vm, 0x200, 4, a, PIO | DM, 1));
	EXPECT_EQ(0, ioeventfd(vm, 0x200, 4, b, PIO | DM, 2));	/* other value */
	EXPECT_ERR(EEXIST, ioeventfd(vm, 0x200, 4, b, PIO, 0));	/* wildcard over them */
	EXPECT_ERR(ENOENT, ioeventfd(vm, 0x200, 4, b, PIO | DM | DEL, 1)); /* a's */
	EXPECT_EQ(0, ioeventfd(vm, 0x200, 4, a, PIO | DM | DEL, 1));
	EXPECT_ERR(ENOENT, ioeventfd(vm, 0x200, 4, a, PIO | DM | DEL, 1));
	EXPECT_ERR(EINVAL, ioeventfd(vm, 0x300, 3, a, PIO, 0));	/* length */
	EXPECT_ERR(EINVAL, ioeventfd(vm, 0x300, 8, a, PIO, 0));	/* no 8-byte OUT */
	EXPECT_ERR(EINVAL, ioeventfd(vm, 0xffff, 2, a, PIO, 0));	/* past 0xffff */
	EXPECT_ERR(EINVAL, ioeventfd(vm, 0x300, 1, a, PIO | DM, 0x100)); /* too wide */
	EXPECT_ERR(EINVAL, ioeventfd(vm, 0x300, 1, a, PIO | (1u << 7), 0));
	EXPECT_ERR(EBADF, ioeventfd(vm, 0x300, 1, p[0], PIO, 0));	/* a pipe */
	EXPECT_ERR(EBADF, ioeventfd(vm, 0x300, 1, -1, PIO, 0));
	e.reserved[1] = 1;
	EXPECT_ERR(EINVAL, ioctl(vm->fd, SVMHV_IOEVENTFD, &e));
	EXPECT_ERR(ENOTTY, ioctl(vcpu->fd, SVMHV_IOEVENTFD, &e));	/* a VM ioctl */
	/* The eventfd closed while registered: the VM still goes cleanly. */
	close(a);
	close(b);
	close(p[0]);
	close(p[1]);
	vm_free(vm);
}

/* ---- irqfd ------------------------------------------------------------------ */

static volatile uint64_t msis;

static void on_msi(struct ex_regs *regs)
{
	(void)regs;
	msis++;
	wrmsr(0x80b, 0);			/* x2APIC EOI */
}

static void guest_wait_msis(void)
{
	wrmsr(0x1b, rdmsr(0x1b) | (1u << 10));	/* x2APIC */
	wrmsr(0x80f, 0x1ff);			/* software-enabled */
	wrmsr(0x835, 1u << 16);			/* LINT0 masked: HLT in the kernel */
	GUEST_SYNC(0);
	while (msis < 3)
		asm volatile("sti; hlt; cli" : : : "memory");
	GUEST_DONE();
}

struct writer {
	struct svmhv_vm *vm;
	int fd;
};

/* Write the eventfd, wait for the guest to count it, three times. */
static void *write_three(void *arg)
{
	struct writer *w = arg;
	volatile uint64_t *seen = &GUEST_VAR(w->vm, msis);

	for (uint64_t i = 1; i <= 3; i++) {
		uint64_t one = 1;

		if (write(w->fd, &one, sizeof(one)) != sizeof(one))
			return NULL;
		while (__atomic_load_n(seen, __ATOMIC_SEQ_CST) < i)
			usleep(1000);
	}
	return NULL;
}

TEST(irqfd_raises_an_msi_from_a_thread_that_only_writes_an_eventfd)
{
	struct svmhv_vm *vm = vm_create(DEFAULT_GUEST_RAM);
	struct svmhv_vcpu *vcpu;
	int fd = eventfd(0, 0), other = eventfd(0, 0);
	struct svmhv_irqfd irq = { .fd = fd, .msi_address = 0xfee00000,
				   .msi_data = MSI_VECTOR };
	struct writer w = { .vm = vm, .fd = fd };
	pthread_t th;

	/* Without the in-kernel APIC there is nothing to raise. */
	EXPECT_EQ(-1, ioctl(vm->fd, SVMHV_IRQFD, &irq));
	EXPECT_EQ(ENXIO, errno);
	ASSERT_EQ(0, ioctl(vm->fd, SVMHV_ENABLE_LAPIC, 0));
	vcpu = vcpu_create(vm, 0, guest_wait_msis);
	vm_install_exception_handler(vm, MSI_VECTOR, on_msi);

	ASSERT_EQ(0, ioctl(vm->fd, SVMHV_IRQFD, &irq));
	EXPECT_EQ(-1, ioctl(vm->fd, SVMHV_IRQFD, &irq));	/* twice */
	EXPECT_EQ(EEXIST, errno);
	irq.fd = other;
	irq.msi_data = 5;				/* vector below 16 */
	EXPECT_EQ(-1, ioctl(vm->fd, SVMHV_IRQFD, &irq));
	EXPECT_EQ(EINVAL, errno);
	irq.msi_data = MSI_VECTOR;
	irq.msi_address = 0xfed00000;			/* not an MSI address */
	EXPECT_EQ(-1, ioctl(vm->fd, SVMHV_IRQFD, &irq));
	EXPECT_EQ(EINVAL, errno);
	irq.msi_address = 0xfee00000;
	irq.flags = SVMHV_IRQFD_DEASSIGN;		/* never assigned */
	EXPECT_EQ(-1, ioctl(vm->fd, SVMHV_IRQFD, &irq));
	EXPECT_EQ(ENOENT, errno);
	irq.fd = -1;
	irq.flags = 0;
	EXPECT_EQ(-1, ioctl(vm->fd, SVMHV_IRQFD, &irq));
	EXPECT_EQ(EBADF, errno);

	vcpu_run_expect_sync(vcpu, 0, NULL);
	ASSERT_EQ(0, pthread_create(&th, NULL, write_three, &w));
	vcpu_run_expect_done(vcpu);
	pthread_join(th, NULL);
	EXPECT_EQ(3ULL, GUEST_VAR(vm, msis));

	irq.fd = fd;
	irq.flags = SVMHV_IRQFD_DEASSIGN;
	EXPECT_EQ(0, ioctl(vm->fd, SVMHV_IRQFD, &irq));
	EXPECT_EQ(-1, ioctl(vm->fd, SVMHV_IRQFD, &irq));
	EXPECT_EQ(ENOENT, errno);
	/* One left registered with its eventfd closed: the VM goes cleanly. */
	irq.fd = other;
	irq.flags = 0;
	EXPECT_EQ(0, ioctl(vm->fd, SVMHV_IRQFD, &irq));
	close(other);
	close(fd);
	vm_free(vm);
}

SVMHV_TEST_HARNESS_MAIN
