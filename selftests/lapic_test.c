// SPDX-License-Identifier: GPL-2.0
/*
 * The in-kernel local APIC (SVMHV_ENABLE_LAPIC, module/svm/lapic.c): its
 * registers in xAPIC and x2APIC form, priorities (TPR, CR8, in-service
 * classes) and EOI order, the timer in one-shot, periodic and TSC-deadline
 * modes, IPIs between running vCPUs with every destination form and
 * delivery mode, INIT-SIPI-SIPI, MSIs from another thread, HLT sleeping in
 * the kernel, level-triggered EOIs reported to userspace, the APIC turned
 * off through its base MSR, the state ioctls, and bad input.
 */
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/time.h>
#include <sys/ioctl.h>
#include <time.h>

#include "svmhv_test.h"

#define APIC_GPA		0xfee00000ULL
#define APIC_ID			0x20
#define APIC_LVR		0x30
#define APIC_TPR		0x80
#define APIC_PPR		0xa0
#define APIC_EOI		0xb0
#define APIC_LDR		0xd0
#define APIC_DFR		0xe0
#define APIC_SVR		0xf0
#define APIC_ISR		0x100
#define APIC_TMR		0x180
#define APIC_IRR		0x200
#define APIC_ESR		0x280
#define APIC_ICR		0x300
#define APIC_ICR2		0x310
#define APIC_LVTT		0x320
#define APIC_LVT0		0x350
#define APIC_LVTERR		0x370
#define APIC_TMICT		0x380
#define APIC_TMCCT		0x390
#define APIC_TDCR		0x3e0

#define SVR_ENABLE		(1u << 8)
#define LVT_MASKED		(1u << 16)
#define LVT_PERIODIC		(1u << 17)
#define LVT_TSCDEADLINE		(2u << 17)
#define ICR_SELF		(1u << 18)
#define ICR_ALL		(2u << 18)
#define ICR_ALLBUT		(3u << 18)
#define ICR_LOGICAL		(1u << 11)
#define ICR_ASSERT		(1u << 14)
#define ICR_LOWEST		(1u << 8)
#define ICR_NMI			(4u << 8)
#define ICR_INIT		(5u << 8)
#define ICR_SIPI		(6u << 8)

#define MSR_APIC_BASE		0x1b
#define MSR_TSC_DEADLINE	0x6e0
#define APIC_BASE_EN		(1ULL << 11)
#define APIC_BASE_EXTD		(1ULL << 10)
#define X2APIC_MSR(off)		(0x800 + ((off) >> 4))

#define VEC_A			0x45	/* class 4 */
#define VEC_B			0x85	/* class 8 */
#define VEC_TIMER		0x60
#define VEC_IPI			0x70

/* ---- guest side ------------------------------------------------------------ */

static inline uint32_t apic_read(uint32_t off)
{
	return *(volatile uint32_t *)(APIC_GPA + off);
}

static inline void apic_write(uint32_t off, uint32_t val)
{
	*(volatile uint32_t *)(APIC_GPA + off) = val;
}

static inline void apic_icr(uint32_t dest, uint32_t low)
{
	apic_write(APIC_ICR2, dest << 24);
	apic_write(APIC_ICR, low);
}

/* Enabled, LINT0 masked (no 8259): what an OS in APIC mode sets up. */
static inline void apic_sw_enable(void)
{
	apic_write(APIC_SVR, SVR_ENABLE | 0xff);
	apic_write(APIC_LVT0, LVT_MASKED);
}

static inline bool apic_bank_bit(uint32_t bank, uint8_t v)
{
	return apic_read(bank + (v >> 5) * 0x10) & (1u << (v & 31));
}

static inline void set_cr8(uint64_t v)
{
	asm volatile("mov %0, %%cr8" : : "r"(v) : "memory");
}

static inline void sti_nop_cli(void)
{
	asm volatile("sti; nop; cli" : : : "memory");
}

/* Handlers record the order of vectors and EOI. */
static volatile uint64_t seen[16], nseen, eoi_in_handler = 1;

static void on_irq(struct ex_regs *regs)
{
	if (nseen < 16)
		seen[nseen] = regs->vector;
	nseen++;
	if (eoi_in_handler)
		apic_write(APIC_EOI, 0);
}

static void on_irq_x2apic(struct ex_regs *regs)
{
	if (nseen < 16)
		seen[nseen] = regs->vector;
	nseen++;
	wrmsr(X2APIC_MSR(APIC_EOI), 0);
}

static volatile uint64_t nmi_count;

static void on_nmi(struct ex_regs *regs)
{
	(void)regs;
	nmi_count++;
}

/* ---- host side ------------------------------------------------------------- */

static bool lapic_supported(void)
{
	int sys = svmhv_open_sys();
	long cap = ioctl(sys, SVMHV_CHECK_CAP, SVMHV_CAP_LAPIC);

	close(sys);
	return cap == 1;
}

#define REQUIRE_LAPIC()							\
	do {								\
		if (!lapic_supported())					\
			SKIP(return, "SVMHV_CAP_LAPIC is 0");		\
	} while (0)

static int mp_state(struct svmhv_vcpu *vcpu)
{
	struct svmhv_mp_state mp;

	TEST_ASSERT(!ioctl(vcpu->fd, SVMHV_GET_MP_STATE, &mp),
		    "GET_MP_STATE: %s", strerror(errno));
	return mp.state;
}

static void set_mp_state(struct svmhv_vcpu *vcpu, uint32_t state)
{
	struct svmhv_mp_state mp = { .state = state };

	TEST_ASSERT(!ioctl(vcpu->fd, SVMHV_SET_MP_STATE, &mp),
		    "SET_MP_STATE: %s", strerror(errno));
}

/*
 * A VM with APICs and n vCPUs running guest_code in long mode; the APs are
 * made runnable (they would wait for a SIPI) unless keep_waiting.
 */
static struct svmhv_vm *lapic_vm(unsigned int n, void *guest_code,
				 bool keep_waiting)
{
	struct svmhv_vm *vm = vm_create(DEFAULT_GUEST_RAM);

	TEST_ASSERT(!ioctl(vm->fd, SVMHV_ENABLE_LAPIC, 0),
		    "ENABLE_LAPIC: %s", strerror(errno));
	for (unsigned int i = 0; i < n; i++) {
		struct svmhv_vcpu *vcpu = vcpu_create(vm, i, guest_code);

		if (i && !keep_waiting)
			set_mp_state(vcpu, SVMHV_MP_STATE_RUNNABLE);
	}
	for (int v = 0x20; v < 0x100; v++)
		vm_install_exception_handler(vm, v, on_irq);
	vm_install_exception_handler(vm, 2, on_nmi);
	return vm;
}

static int signal_msi(struct svmhv_vm *vm, uint32_t dest, uint32_t data)
{
	struct svmhv_msi msi = {
		.address = 0xfee00000ULL | (dest << 12),
		.data = data,
	};

	return ioctl(vm->fd, SVMHV_SIGNAL_MSI, &msi);
}

/* Runs a vCPU in its own thread until GUEST_DONE; returns the ucall. */
struct vcpu_thread {
	struct svmhv_vcpu *vcpu;
	pthread_t thread;
	struct ucall uc;
	uint64_t cmd;
};

static void *vcpu_thread_fn(void *arg)
{
	struct vcpu_thread *t = arg;

	for (;;) {
		vcpu_run(t->vcpu);
		t->cmd = get_ucall(t->vcpu, &t->uc);
		if (t->cmd != UCALL_SYNC)
			break;
	}
	return NULL;
}

static void vcpu_thread_start(struct vcpu_thread *t, struct svmhv_vcpu *vcpu)
{
	t->vcpu = vcpu;
	TEST_ASSERT(!pthread_create(&t->thread, NULL, vcpu_thread_fn, t),
		    "pthread_create");
}

static void vcpu_thread_join_done(struct __test_metadata *_metadata,
				  struct vcpu_thread *t)
{
	pthread_join(t->thread, NULL);
	EXPECT_EQ(UCALL_DONE, t->cmd) {
		if (t->cmd == UCALL_ABORT)
			TH_LOG("vCPU %u: %s", t->vcpu->id, t->uc.buffer);
		else
			TH_LOG("vCPU %u: exit %u", t->vcpu->id,
			       t->vcpu->run->exit_reason);
	}
}

/* ---- the ABI ----------------------------------------------------------------- */

TEST(enable_lapic_only_before_vcpus_and_once)
{
	struct svmhv_vm *vm;
	struct svmhv_vcpu *vcpu;
	struct svmhv_mp_state mp = { 0 };
	struct svmhv_lapic_state *ls = calloc(1, sizeof(*ls));

	REQUIRE_LAPIC();
	vm = vm_create_with_one_vcpu(&vcpu, NULL);
	/* A vCPU without an APIC: the APIC ioctls have nothing to act on. */
	EXPECT_EQ(-1, ioctl(vm->fd, SVMHV_ENABLE_LAPIC, 0));
	EXPECT_EQ(EBUSY, errno);
	EXPECT_EQ(-1, signal_msi(vm, 0, VEC_A));
	EXPECT_EQ(ENXIO, errno);
	EXPECT_EQ(-1, ioctl(vcpu->fd, SVMHV_GET_MP_STATE, &mp));
	EXPECT_EQ(ENXIO, errno);
	EXPECT_EQ(-1, ioctl(vcpu->fd, SVMHV_GET_LAPIC, ls));
	EXPECT_EQ(ENXIO, errno);
	vm_free(vm);

	vm = vm_create(DEFAULT_GUEST_RAM);
	EXPECT_EQ(-1, ioctl(vm->fd, SVMHV_ENABLE_LAPIC, 1));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(0, ioctl(vm->fd, SVMHV_ENABLE_LAPIC, 0));
	EXPECT_EQ(-1, ioctl(vm->fd, SVMHV_ENABLE_LAPIC, 0));
	EXPECT_EQ(EEXIST, errno);
	vcpu = vcpu_create_reset(vm, 0);
	EXPECT_EQ(SVMHV_MP_STATE_RUNNABLE, mp_state(vcpu));
	vcpu = vcpu_create_reset(vm, 1);
	EXPECT_EQ(SVMHV_MP_STATE_INIT_RECEIVED, mp_state(vcpu));
	vm_free(vm);
	free(ls);
}

TEST(bad_msi_mp_state_and_lapic_state_are_einval)
{
	static const struct { uint64_t address; uint32_t data; } bad[] = {
		{ 0xfed00000ULL, VEC_A },	/* not the MSI window */
		{ 0xfee00000ULL, 0x0f },	/* fixed vector < 16 */
		{ 0xfee00000ULL, 0x10f },	/* lowest priority < 16 */
		{ 0xfee00000ULL, 0x200 | VEC_A },	/* SMI */
		{ 0xfee00000ULL, 0x300 | VEC_A },	/* reserved */
		{ 0xfee00000ULL, 0x600 | VEC_A },	/* SIPI */
		{ 0xfee00000ULL, 0x700 | VEC_A },	/* ExtINT */
		{ 0xfee00000ULL, 0x10000 | VEC_A },	/* data above 15 */
	};
	struct svmhv_vm *vm;
	struct svmhv_vcpu *vcpu;
	struct svmhv_msi msi = { .address = 0xfee00000ULL, .data = VEC_A };
	struct svmhv_mp_state mp = { .state = 3 };
	struct svmhv_lapic_state *ls = calloc(1, sizeof(*ls));

	REQUIRE_LAPIC();
	vm = lapic_vm(1, NULL, false);
	vcpu = vm->vcpus[0];
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		msi.address = bad[i].address;
		msi.data = bad[i].data;
		EXPECT_EQ(-1, ioctl(vm->fd, SVMHV_SIGNAL_MSI, &msi))
			TH_LOG("MSI %#lx/%#x accepted", bad[i].address, bad[i].data);
		EXPECT_EQ(EINVAL, errno);
	}
	msi.address = 0xfee00000ULL;
	msi.data = VEC_A;
	msi.reserved[1] = 1;
	EXPECT_EQ(-1, ioctl(vm->fd, SVMHV_SIGNAL_MSI, &msi));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(vcpu->fd, SVMHV_SET_MP_STATE, &mp));
	EXPECT_EQ(EINVAL, errno);
	mp.state = 0;
	mp.reserved[0] = 1;
	EXPECT_EQ(-1, ioctl(vcpu->fd, SVMHV_SET_MP_STATE, &mp));
	EXPECT_EQ(EINVAL, errno);

	ASSERT_EQ(0, ioctl(vcpu->fd, SVMHV_GET_LAPIC, ls));
	EXPECT_EQ(APIC_BASE_EN | 0x100 | APIC_GPA, ls->apic_base);
	ls->apic_base |= 1;			/* reserved bit */
	EXPECT_EQ(-1, ioctl(vcpu->fd, SVMHV_SET_LAPIC, ls));
	EXPECT_EQ(EINVAL, errno);
	ls->apic_base = APIC_BASE_EXTD | APIC_GPA;	/* x2APIC, disabled */
	EXPECT_EQ(-1, ioctl(vcpu->fd, SVMHV_SET_LAPIC, ls));
	EXPECT_EQ(EINVAL, errno);
	ls->apic_base = APIC_BASE_EN | 0x100 | APIC_GPA;
	ls->reserved[4] = 1;
	EXPECT_EQ(-1, ioctl(vcpu->fd, SVMHV_SET_LAPIC, ls));
	EXPECT_EQ(EINVAL, errno);
	vm_free(vm);
	free(ls);
}

/* ---- registers ---------------------------------------------------------------- */

static void guest_registers(void)
{
	struct cpuid_regs c = guest_cpuid(1, 0);

	GUEST_ASSERT(c.edx & (1u << 9));		/* APIC */
	GUEST_ASSERT(c.ecx & (1u << 21));		/* x2APIC */
	GUEST_ASSERT(c.ecx & (1u << 24));		/* TSC-deadline */
	GUEST_ASSERT_EQ(rdmsr(MSR_APIC_BASE), APIC_GPA | APIC_BASE_EN | 0x100);
	GUEST_ASSERT_EQ(apic_read(APIC_ID), 0);
	GUEST_ASSERT_EQ(apic_read(APIC_LVR), 0x00050010);
	GUEST_ASSERT_EQ(apic_read(APIC_SVR), 0xff);
	GUEST_ASSERT_EQ(apic_read(APIC_DFR), 0xffffffff);
	GUEST_ASSERT_EQ(apic_read(APIC_LVTT), LVT_MASKED);
	/* The BSP starts in virtual-wire mode, as firmware leaves it. */
	GUEST_ASSERT_EQ(apic_read(APIC_LVT0), 0x700);
	/* ID is read-only; TPR, LDR, DFR, timer divide round-trip. */
	apic_write(APIC_ID, 5u << 24);
	GUEST_ASSERT_EQ(apic_read(APIC_ID), 0);
	apic_write(APIC_TPR, 0x35);
	GUEST_ASSERT_EQ(apic_read(APIC_TPR), 0x35);
	GUEST_ASSERT_EQ(apic_read(APIC_PPR), 0x35);
	apic_write(APIC_TPR, 0);
	apic_write(APIC_LDR, 0x12345678);
	GUEST_ASSERT_EQ(apic_read(APIC_LDR), 0x12000000);
	apic_write(APIC_DFR, 0x0fffffff);
	GUEST_ASSERT_EQ(apic_read(APIC_DFR), 0x0fffffff);
	apic_write(APIC_TDCR, 0xff);
	GUEST_ASSERT_EQ(apic_read(APIC_TDCR), 0xb);
	/* Software-disabled: LVTs stay masked whatever is written. */
	apic_write(APIC_LVTERR, 0x33);
	GUEST_ASSERT_EQ(apic_read(APIC_LVTERR), LVT_MASKED | 0x33);
	apic_write(APIC_SVR, SVR_ENABLE | 0xff);
	apic_write(APIC_LVTERR, 0x33);
	GUEST_ASSERT_EQ(apic_read(APIC_LVTERR), 0x33);
	/* CR8 is TPR[7:4] (15.21.1). */
	set_cr8(7);
	GUEST_ASSERT_EQ(apic_read(APIC_TPR), 0x70);
	set_cr8(0);
	/* Sub-dword reads see the bytes of the register. */
	GUEST_ASSERT_EQ(*(volatile uint8_t *)(APIC_GPA + APIC_LVR + 2), 5);
	GUEST_DONE();
}

TEST(xapic_registers_reset_values_and_round_trips)
{
	struct svmhv_vm *vm;

	REQUIRE_LAPIC();
	vm = lapic_vm(1, guest_registers, false);
	vcpu_run_expect_done(vm->vcpus[0]);
	vm_free(vm);
}

/* ---- priorities and EOI ------------------------------------------------------- */

static void guest_priorities(void)
{
	apic_sw_enable();
	/* Two self IPIs with IF=0: both wait in IRR. */
	apic_icr(0, ICR_SELF | VEC_A);
	apic_icr(0, ICR_SELF | VEC_B);
	GUEST_ASSERT(apic_bank_bit(APIC_IRR, VEC_A));
	GUEST_ASSERT(apic_bank_bit(APIC_IRR, VEC_B));
	/* TPR class 9 holds both back; CR8 is the same register. */
	set_cr8(9);
	sti_nop_cli();
	GUEST_ASSERT_EQ(nseen, 0);
	/* Class 5: B (class 8) goes, A (class 4) still waits. */
	set_cr8(5);
	sti_nop_cli();
	GUEST_ASSERT_EQ(nseen, 1);
	GUEST_ASSERT_EQ(seen[0], VEC_B);
	/*
	 * Without EOI in the handler: B again is taken first (the higher
	 * class), and while it is in service A's lower class waits; EOI
	 * retires B, then A goes.
	 */
	set_cr8(0);
	eoi_in_handler = 0;
	apic_icr(0, ICR_SELF | VEC_B);
	sti_nop_cli();
	GUEST_ASSERT_EQ(nseen, 2);
	GUEST_ASSERT_EQ(seen[1], VEC_B);
	GUEST_ASSERT_EQ(apic_read(APIC_PPR), VEC_B & 0xf0);
	sti_nop_cli();
	GUEST_ASSERT_EQ(nseen, 2);
	GUEST_ASSERT(apic_bank_bit(APIC_ISR, VEC_B));
	GUEST_ASSERT(apic_bank_bit(APIC_IRR, VEC_A));
	apic_write(APIC_EOI, 0);
	GUEST_ASSERT(!apic_bank_bit(APIC_ISR, VEC_B));
	sti_nop_cli();
	GUEST_ASSERT_EQ(nseen, 3);
	GUEST_ASSERT_EQ(seen[2], VEC_A);
	GUEST_ASSERT(apic_bank_bit(APIC_ISR, VEC_A));
	GUEST_ASSERT(!apic_bank_bit(APIC_IRR, VEC_A));
	apic_write(APIC_EOI, 0);
	GUEST_ASSERT(!apic_bank_bit(APIC_ISR, VEC_A));
	GUEST_ASSERT_EQ(apic_read(APIC_PPR), 0);
	/* A vector below 16 is an illegal send: ESR bit 5, no IPI. */
	apic_icr(0, ICR_SELF | 0x0f);
	apic_write(APIC_ESR, 0);
	GUEST_ASSERT_EQ(apic_read(APIC_ESR), 0x20);
	GUEST_DONE();
}

TEST(tpr_cr8_and_in_service_classes_order_delivery)
{
	struct svmhv_vm *vm;

	REQUIRE_LAPIC();
	vm = lapic_vm(1, guest_priorities, false);
	vcpu_run_expect_done(vm->vcpus[0]);
	vm_free(vm);
}

/* ---- the timer ------------------------------------------------------------------ */

static void guest_timer(void)
{
	uint32_t c1, c2;
	uint64_t n;

	apic_sw_enable();
	/*
	 * One-shot, divide by 1 (1 GHz).  The count runs down: read it
	 * while far from zero (4.3 s; a loaded emulated host may stop this
	 * vCPU for milliseconds between two reads), then arm again --
	 * writing TMICT restarts the count -- for 2 ms.
	 */
	apic_write(APIC_TDCR, 0xb);
	apic_write(APIC_LVTT, VEC_TIMER);
	apic_write(APIC_TMICT, 0xffffffff);
	c1 = apic_read(APIC_TMCCT);
	c2 = apic_read(APIC_TMCCT);
	GUEST_ASSERT(c1 > 0 && c2 <= c1);
	apic_write(APIC_TMICT, 2000000);
	GUEST_ASSERT(apic_read(APIC_TMCCT) <= 2000000);
	while (nseen == 0)
		asm volatile("sti; hlt; cli" : : : "memory");
	GUEST_ASSERT_EQ(seen[0], VEC_TIMER);
	GUEST_ASSERT_EQ(apic_read(APIC_TMCCT), 0);
	/* Periodic, 1 ms: several interrupts. */
	apic_write(APIC_LVTT, VEC_TIMER | LVT_PERIODIC);
	apic_write(APIC_TMICT, 1000000);
	while (nseen < 4)
		asm volatile("sti; hlt; cli" : : : "memory");
	apic_write(APIC_TMICT, 0);	/* stop */
	/* A tick that fired before the stop may still wait in IRR: take it. */
	sti_nop_cli();
	/* TSC-deadline: TMICT is ignored, the MSR arms it. */
	n = nseen;
	apic_write(APIC_LVTT, VEC_TIMER | LVT_TSCDEADLINE);
	GUEST_ASSERT_EQ(apic_read(APIC_TMICT), 0);
	/*
	 * Far enough ahead (2^40 cycles: minutes) that no delay between the
	 * write and the read -- a loaded emulated host preempting this vCPU
	 * -- lets it fire first (0.4 s ahead was always enough so far; 1 ms
	 * was not, once in CI); then a deadline 1 ms ahead replaces it.
	 */
	wrmsr(MSR_TSC_DEADLINE, rdtsc() + (1ULL << 40));
	GUEST_ASSERT(rdmsr(MSR_TSC_DEADLINE) != 0);
	wrmsr(MSR_TSC_DEADLINE, rdtsc() + 1000000ULL);
	while (nseen == n)
		asm volatile("sti; hlt; cli" : : : "memory");
	GUEST_ASSERT_EQ(rdmsr(MSR_TSC_DEADLINE), 0);
	/* A deadline in the past fires at once. */
	wrmsr(MSR_TSC_DEADLINE, 1);
	while (nseen == n + 1)
		asm volatile("sti; hlt; cli" : : : "memory");
	GUEST_SYNC_ARGS(1, nseen, 0, 0, 0);
	GUEST_DONE();
}

TEST(timer_one_shot_periodic_and_tsc_deadline)
{
	struct svmhv_vm *vm;
	struct ucall uc;

	REQUIRE_LAPIC();
	vm = lapic_vm(1, guest_timer, false);
	vcpu_run_expect_sync(vm->vcpus[0], 1, &uc);
	EXPECT_LE(6ULL, uc.args[1]);
	vcpu_run_expect_done(vm->vcpus[0]);
	vm_free(vm);
}

/* ---- x2APIC and the base MSR ----------------------------------------------------- */

static void guest_x2apic(void)
{
	uint64_t base = rdmsr(MSR_APIC_BASE);

	wrmsr(MSR_APIC_BASE, base | APIC_BASE_EXTD);
	GUEST_ASSERT_EQ(rdmsr(X2APIC_MSR(APIC_ID)), 0);
	GUEST_ASSERT_EQ(rdmsr(X2APIC_MSR(APIC_LDR)), 1);	/* cluster 0, bit 0 */
	wrmsr(X2APIC_MSR(APIC_SVR), SVR_ENABLE | 0xff);
	/* Self IPI through the SELF IPI register and through the ICR. */
	wrmsr(0x83f, VEC_A);
	wrmsr(X2APIC_MSR(APIC_ICR), ICR_SELF | VEC_B);
	sti_nop_cli();
	GUEST_ASSERT_EQ(nseen, 2);
	GUEST_ASSERT_EQ(seen[0], VEC_B);
	GUEST_ASSERT_EQ(seen[1], VEC_A);
	/* The xAPIC page is gone in x2APIC mode: an MMIO exit. */
	GUEST_SYNC(1);
	(void)apic_read(APIC_ID);
	GUEST_SYNC(2);
	GUEST_DONE();
}

TEST(x2apic_registers_through_msrs)
{
	struct svmhv_vm *vm;
	struct svmhv_vcpu *vcpu;

	REQUIRE_LAPIC();
	vm = lapic_vm(1, guest_x2apic, false);
	vm_install_exception_handler(vm, VEC_A, on_irq_x2apic);
	vm_install_exception_handler(vm, VEC_B, on_irq_x2apic);
	vcpu = vm->vcpus[0];
	vcpu_run_expect_sync(vcpu, 1, NULL);
	vcpu_run(vcpu);
	TEST_ASSERT_EXIT_REASON(vcpu, SVMHV_EXIT_MMIO);
	EXPECT_EQ(APIC_GPA + APIC_ID, vcpu->run->mmio.phys_addr);
	vcpu_run_expect_sync(vcpu, 2, NULL);
	vcpu_run_expect_done(vcpu);
	vm_free(vm);
}

static volatile uint64_t gp_count;

static void on_gp_skip_wrmsr(struct ex_regs *regs)
{
	gp_count++;
	regs->rip += 2;		/* wrmsr / rdmsr */
}

static void guest_apic_base_rules(void)
{
	uint64_t base = rdmsr(MSR_APIC_BASE);

	/* x2APIC without the global enable, reserved bits: #GP. */
	wrmsr(MSR_APIC_BASE, (base & ~APIC_BASE_EN) | APIC_BASE_EXTD);
	GUEST_ASSERT_EQ(gp_count, 1);
	wrmsr(MSR_APIC_BASE, base | 1);
	GUEST_ASSERT_EQ(gp_count, 2);
	/* x2APIC -> xAPIC directly: #GP; via disabled: fine. */
	wrmsr(MSR_APIC_BASE, base | APIC_BASE_EXTD);
	wrmsr(MSR_APIC_BASE, base);
	GUEST_ASSERT_EQ(gp_count, 3);
	wrmsr(MSR_APIC_BASE, base & ~(APIC_BASE_EN | APIC_BASE_EXTD));
	GUEST_ASSERT_EQ(gp_count, 3);
	/* Disabled: CPUID drops APIC, x2APIC MSRs #GP, the page is MMIO. */
	GUEST_ASSERT(!(guest_cpuid(1, 0).edx & (1u << 9)));
	(void)rdmsr(X2APIC_MSR(APIC_ID));
	GUEST_ASSERT_EQ(gp_count, 4);
	GUEST_SYNC(1);
	(void)apic_read(APIC_ID);
	/* Enabled again at another base: the registers are there. */
	wrmsr(MSR_APIC_BASE, (base & 0xfff) | 0xfed00000ULL);
	GUEST_ASSERT_EQ(*(volatile uint32_t *)(0xfed00000ULL + APIC_LVR),
			0x00050010);
	GUEST_DONE();
}

TEST(apic_base_msr_transitions_and_disabled_apic)
{
	struct svmhv_vm *vm;
	struct svmhv_vcpu *vcpu;

	REQUIRE_LAPIC();
	vm = lapic_vm(1, guest_apic_base_rules, false);
	vm_install_exception_handler(vm, GP_VECTOR, on_gp_skip_wrmsr);
	vcpu = vm->vcpus[0];
	vcpu_run_expect_sync(vcpu, 1, NULL);
	/* The APIC is off: its page is plain MMIO for userspace. */
	EXPECT_EQ(0, signal_msi(vm, 0, VEC_A));
	vcpu_run(vcpu);
	TEST_ASSERT_EXIT_REASON(vcpu, SVMHV_EXIT_MMIO);
	EXPECT_EQ(APIC_GPA + APIC_ID, vcpu->run->mmio.phys_addr);
	vcpu_run_expect_done(vcpu);
	vm_free(vm);
}

/* ---- INIT-SIPI-SIPI ----------------------------------------------------------- */

#define TRAMPOLINE_GPA		0x10000ULL	/* SIPI vector 0x10 */

static void guest_start_ap(void)
{
	apic_sw_enable();
	apic_icr(1, ICR_INIT | ICR_ASSERT);
	apic_icr(1, ICR_SIPI | (TRAMPOLINE_GPA >> 12));
	apic_icr(1, ICR_SIPI | (TRAMPOLINE_GPA >> 12));
	GUEST_DONE();
}

TEST(init_sipi_starts_the_second_vcpu_in_real_mode_at_the_vector)
{
	/* mov $0x42, %al; out %al, $0x80; hlt */
	static const uint8_t trampoline[] = { 0xb0, 0x42, 0xe6, 0x80, 0xf4 };
	struct svmhv_vcpu *bsp, *ap;
	struct svmhv_vm *vm;
	struct svmhv_sregs s;
	struct svmhv_regs r;

	REQUIRE_LAPIC();
	vm = lapic_vm(2, guest_start_ap, true);
	bsp = vm->vcpus[0];
	ap = vm->vcpus[1];
	memcpy(addr_gpa2hva(vm, TRAMPOLINE_GPA), trampoline, sizeof(trampoline));
	EXPECT_EQ(SVMHV_MP_STATE_INIT_RECEIVED, mp_state(ap));
	vcpu_run_expect_done(bsp);
	/* The SIPI waits for the AP's next RUN, which starts it. */
	vcpu_run(ap);
	TEST_ASSERT_EXIT_REASON(ap, SVMHV_EXIT_IO);
	EXPECT_EQ(0x80, ap->run->io.port);
	EXPECT_EQ(0x42, ap->run->io.data[0]);
	EXPECT_EQ(SVMHV_MP_STATE_RUNNABLE, mp_state(ap));
	vcpu_sregs_get(ap, &s);
	vcpu_regs_get(ap, &r);
	EXPECT_EQ(TRAMPOLINE_GPA >> 4, s.cs.selector);
	EXPECT_EQ(TRAMPOLINE_GPA, s.cs.base);
	EXPECT_EQ(0ULL, s.cr0 & 1);
	EXPECT_EQ(4ULL, r.rip);			/* after the OUT */
	vm_free(vm);
}

/* ---- IPIs between running vCPUs ------------------------------------------------ */

static volatile uint64_t go, phase_done[4];

/* vCPU 1..3: take interrupts until told to stop. */
static void guest_receiver(uint64_t id)
{
	struct cpuid_regs smt = guest_cpuid(0xb, 0), core = guest_cpuid(0xb, 1),
			  end = guest_cpuid(0xb, 2);

	/* Topology: one thread per core, 4 cores, x2APIC ID = vCPU id. */
	GUEST_ASSERT_EQ(smt.edx, id);
	GUEST_ASSERT_EQ(smt.ecx, 1u << 8);		/* thread level */
	GUEST_ASSERT_EQ(smt.ebx, 1);
	GUEST_ASSERT_EQ(smt.eax, 0);
	GUEST_ASSERT_EQ(core.ecx, 2u << 8 | 1);		/* core level */
	GUEST_ASSERT_EQ(core.ebx, 4);
	GUEST_ASSERT_EQ(core.eax, 2);			/* bits of the core id */
	GUEST_ASSERT_EQ(end.ecx, 2);			/* invalid: the end */
	GUEST_ASSERT_EQ(end.ebx, 0);
	GUEST_ASSERT_EQ(guest_cpuid(0x80000008, 0).ecx & 0xf0ff, 2u << 12 | 3);
	apic_sw_enable();
	/* Logical IDs: flat model, bit id. */
	apic_write(APIC_LDR, (1u << id) << 24);
	__atomic_store_n(&phase_done[id], 1, __ATOMIC_SEQ_CST);
	while (!__atomic_load_n(&go, __ATOMIC_SEQ_CST) ||
	       __atomic_load_n(&go, __ATOMIC_SEQ_CST) != 99)
		asm volatile("sti; hlt; cli" : : : "memory");
	GUEST_DONE();
}

static volatile uint64_t hits[4][2];

static void on_ipi(struct ex_regs *regs)
{
	uint32_t id = apic_read(APIC_ID) >> 24;

	__atomic_add_fetch(&hits[id][regs->vector == VEC_IPI + 1], 1,
			   __ATOMIC_SEQ_CST);
	apic_write(APIC_EOI, 0);
}

static void wait_hits(uint32_t id, int which, uint64_t n)
{
	while (__atomic_load_n(&hits[id][which], __ATOMIC_SEQ_CST) < n)
		cpu_relax();
}

static void guest_sender(uint64_t unused)
{
	(void)unused;
	apic_sw_enable();
	for (int i = 1; i < 4; i++)
		while (!__atomic_load_n(&phase_done[i], __ATOMIC_SEQ_CST))
			cpu_relax();
	/* Physical destination. */
	apic_icr(2, VEC_IPI);
	wait_hits(2, 0, 1);
	/* Logical flat: vCPUs 1 and 3. */
	apic_icr((1u << 1) | (1u << 3), ICR_LOGICAL | VEC_IPI);
	wait_hits(1, 0, 1);
	wait_hits(3, 0, 1);
	/* All but self: 1, 2, 3. */
	apic_icr(0, ICR_ALLBUT | (VEC_IPI + 1));
	wait_hits(1, 1, 1);
	wait_hits(2, 1, 1);
	wait_hits(3, 1, 1);
	/* Lowest priority among 1..3: exactly one of them. */
	apic_icr(0xe, ICR_LOGICAL | ICR_LOWEST | (VEC_IPI + 1));
	while (hits[1][1] + hits[2][1] + hits[3][1] < 4)
		cpu_relax();
	/* NMI to vCPU 3 (its NMI handler counts). */
	apic_icr(3, ICR_NMI);
	while (!__atomic_load_n(&nmi_count, __ATOMIC_SEQ_CST))
		cpu_relax();
	__atomic_store_n(&go, 99, __ATOMIC_SEQ_CST);
	apic_icr(0, ICR_ALLBUT | VEC_IPI);	/* wake them to see it */
	GUEST_SYNC_ARGS(1, hits[1][0], hits[2][0], hits[3][0],
			hits[1][1] + hits[2][1] + hits[3][1]);
	GUEST_DONE();
}

TEST(ipis_between_running_vcpus_every_destination_form)
{
	struct vcpu_thread t[4];
	struct svmhv_vm *vm;

	REQUIRE_LAPIC();
	vm = lapic_vm(4, guest_receiver, false);
	vm_install_exception_handler(vm, VEC_IPI, on_ipi);
	vm_install_exception_handler(vm, VEC_IPI + 1, on_ipi);
	for (int i = 1; i < 4; i++)
		vcpu_args_set(vm->vcpus[i], 1, (uint64_t)i);
	/* vCPU 0 sends; its code is another function. */
	{
		struct svmhv_regs r;

		vcpu_regs_get(vm->vcpus[0], &r);
		r.rip = (uint64_t)(uintptr_t)guest_sender;
		vcpu_regs_set(vm->vcpus[0], &r);
	}
	for (int i = 1; i < 4; i++)
		vcpu_thread_start(&t[i], vm->vcpus[i]);
	vcpu_run_expect_sync(vm->vcpus[0], 1, &t[0].uc);
	EXPECT_LE(1ULL, t[0].uc.args[1]);
	EXPECT_LE(1ULL, t[0].uc.args[2]);
	EXPECT_LE(1ULL, t[0].uc.args[3]);
	EXPECT_EQ(4ULL, t[0].uc.args[4]);
	vcpu_run_expect_done(vm->vcpus[0]);
	for (int i = 1; i < 4; i++)
		vcpu_thread_join_done(_metadata, &t[i]);
	vm_free(vm);
}

/* ---- MSIs, HLT in the kernel, level-triggered EOI ------------------------------- */

static void guest_wait_for_msi(void)
{
	apic_sw_enable();	/* LINT0 masked: HLT sleeps in the kernel */
	GUEST_SYNC(1);
	while (nseen == 0)
		asm volatile("sti; hlt; cli" : : : "memory");
	GUEST_SYNC_ARGS(2, seen[0], 0, 0, 0);
	/* A level-triggered one: its EOI comes back to userspace. */
	while (nseen == 1)
		asm volatile("sti; hlt; cli" : : : "memory");
	GUEST_DONE();
}

struct msi_sender {
	struct svmhv_vm *vm;
	uint32_t data;
	int delay_ms;
	int ret;
};

static void *send_msi_later(void *arg)
{
	struct msi_sender *m = arg;
	struct timespec ts = { 0, m->delay_ms * 1000000L };

	nanosleep(&ts, NULL);
	m->ret = signal_msi(m->vm, 0, m->data);
	return NULL;
}

TEST(msi_from_another_thread_wakes_a_vcpu_halted_in_the_kernel)
{
	struct msi_sender m;
	struct svmhv_vm *vm;
	struct svmhv_vcpu *vcpu;
	struct ucall uc;
	pthread_t th;

	REQUIRE_LAPIC();
	vm = lapic_vm(1, guest_wait_for_msi, false);
	vcpu = vm->vcpus[0];
	vcpu_run_expect_sync(vcpu, 1, NULL);
	m = (struct msi_sender){ .vm = vm, .data = VEC_A, .delay_ms = 200 };
	ASSERT_EQ(0, pthread_create(&th, NULL, send_msi_later, &m));
	vcpu_run_expect_sync(vcpu, 2, &uc);
	pthread_join(th, NULL);
	EXPECT_EQ(1, m.ret);
	EXPECT_EQ((uint64_t)VEC_A, uc.args[1]);

	/* Level-triggered (trigger mode 1, assert): EOI exits to userspace. */
	m = (struct msi_sender){ .vm = vm, .data = VEC_B | (1u << 15) | (1u << 14),
				 .delay_ms = 100 };
	ASSERT_EQ(0, pthread_create(&th, NULL, send_msi_later, &m));
	vcpu_run(vcpu);
	pthread_join(th, NULL);
	TEST_ASSERT_EXIT_REASON(vcpu, SVMHV_EXIT_IOAPIC_EOI);
	EXPECT_EQ(VEC_B, vcpu->run->eoi.vector);
	vcpu_run_expect_done(vcpu);
	vm_free(vm);
}

/*
 * A second interrupt of a vector that arrives while the guest is still in
 * the handler of the first must wait in IRR: IRR and ISR together hold two
 * instances of a vector, one in service and one pending (SDM vol. 3,
 * 11.8.4; APM vol. 2, 16.6), and the second is delivered after the EOI.
 * The handler tells the host it runs, then spins without an exit until a
 * host thread has sent the second MSI: it reaches the APIC while the CPU
 * has taken the first (V_IRQ) but no exit has told svmhv so yet.  That
 * needs the sender on another host CPU; with one, the vCPU has exited
 * before the sender runs, and the test passes either way.  Three rounds:
 * in the first, nested page faults on the handler's fresh pages are exits
 * that may come first.
 */
static volatile uint64_t msi2_in_handler, msi2_sent, msi2_irr, msi2_taken;

static void on_msi2(struct ex_regs *regs)
{
	(void)regs;
	if (!msi2_taken) {
		__atomic_store_n(&msi2_in_handler, 1, __ATOMIC_SEQ_CST);
		while (!__atomic_load_n(&msi2_sent, __ATOMIC_SEQ_CST))
			cpu_relax();
		msi2_irr = !!(apic_read(APIC_IRR + (VEC_A >> 5) * 0x10) &
			      (1u << (VEC_A & 31)));
	}
	msi2_taken++;
	apic_write(APIC_EOI, 0);
}

static void guest_msi_in_handler(void)
{
	apic_sw_enable();
	for (uint64_t round = 1; round <= 3; round++) {
		msi2_in_handler = msi2_sent = msi2_irr = msi2_taken = 0;
		GUEST_SYNC(round);
		while (!msi2_taken)
			asm volatile("sti; hlt; cli" : : : "memory");
		sti_nop_cli();		/* the second, if it waits in IRR */
		GUEST_SYNC_ARGS(10 + round, msi2_irr, msi2_taken, 0, 0);
	}
	GUEST_DONE();
}

static void *send_msi_in_handler(void *arg)
{
	struct msi_sender *m = arg;
	volatile uint64_t *in = &GUEST_VAR(m->vm, msi2_in_handler);

	while (!__atomic_load_n(in, __ATOMIC_SEQ_CST))
		sched_yield();
	m->ret = signal_msi(m->vm, 0, m->data);
	__atomic_store_n(&GUEST_VAR(m->vm, msi2_sent), 1, __ATOMIC_SEQ_CST);
	return NULL;
}

TEST(second_msi_during_the_handler_of_its_vector_waits_in_irr)
{
	struct msi_sender m;
	struct svmhv_vcpu *vcpu;
	struct svmhv_vm *vm;
	struct ucall uc;
	pthread_t th;

	REQUIRE_LAPIC();
	/*
	 * Failed before svm_lapic_arm() took the armed vector out of IRR:
	 * the exit after the CPU took it cleared the IRR bit that the
	 * second MSI had set again in between (rounds 2 and 3).
	 */
	vm = lapic_vm(1, guest_msi_in_handler, false);
	vm_install_exception_handler(vm, VEC_A, on_msi2);
	vcpu = vm->vcpus[0];
	for (uint64_t round = 1; round <= 3; round++) {
		vcpu_run_expect_sync(vcpu, round, NULL);
		EXPECT_EQ(1, signal_msi(vm, 0, VEC_A));	/* the first */
		m = (struct msi_sender){ .vm = vm, .data = VEC_A };
		ASSERT_EQ(0, pthread_create(&th, NULL, send_msi_in_handler, &m));
		vcpu_run_expect_sync(vcpu, 10 + round, &uc);
		pthread_join(th, NULL);
		EXPECT_EQ(1, m.ret);
		/* Pending while the first was in service, taken after its EOI. */
		EXPECT_EQ(1ULL, uc.args[1]) TH_LOG("round %llu: IRR clear",
						   (unsigned long long)round);
		EXPECT_EQ(2ULL, uc.args[2]) TH_LOG("round %llu: %llu taken",
						   (unsigned long long)round,
						   (unsigned long long)uc.args[2]);
	}
	vcpu_run_expect_done(vcpu);
	vm_free(vm);
}

static void on_alarm(int sig)
{
	(void)sig;
}

static void guest_hlt_forever(void)
{
	apic_sw_enable();
	asm volatile("sti; hlt; cli" : : : "memory");
	GUEST_SYNC(1);
	/* IF=0 on a single vCPU: nothing can wake it, userspace decides. */
	asm volatile("hlt" : : : "memory");
	GUEST_DONE();
}

TEST(hlt_sleeps_in_the_kernel_until_a_signal_or_interrupt)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	/* 1 s, then every 0.2 s: a signal never falls where RUN misses it. */
	struct itimerval it = { .it_interval = { 0, 200000 },
				.it_value = { 1, 0 } };
	struct itimerval off = { 0 };
	struct svmhv_vm *vm;
	struct svmhv_vcpu *vcpu;
	struct svmhv_stats st;
	unsigned int runs = 0;

	REQUIRE_LAPIC();
	vm = lapic_vm(1, guest_hlt_forever, false);
	vcpu = vm->vcpus[0];
	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &it, NULL);
	/* Until it halts (a slow emulated host may take a signal first). */
	do {
		runs++;
		EXPECT_EQ(-1, _vcpu_run(vcpu));
		EXPECT_EQ(EINTR, errno);
	} while (mp_state(vcpu) != SVMHV_MP_STATE_HALTED && runs < 100);
	setitimer(ITIMER_REAL, &off, NULL);
	EXPECT_EQ(SVMHV_MP_STATE_HALTED, mp_state(vcpu));
	/* It halted in the kernel: one HLT exit, a return per EINTR. */
	ASSERT_EQ(0, ioctl(vcpu->fd, SVMHV_GET_STATS, &st));
	EXPECT_EQ(1ULL, st.hlt_exits);
	EXPECT_EQ((uint64_t)runs, st.userspace_exits);
	/* An MSI wakes it; the next HLT has IF=0: an exit. */
	EXPECT_EQ(1, signal_msi(vm, 0, VEC_A));
	vcpu_run_expect_sync(vcpu, 1, NULL);
	vcpu_run(vcpu);
	TEST_ASSERT_EXIT_REASON(vcpu, SVMHV_EXIT_HLT);
	vcpu_run_expect_done(vcpu);
	vm_free(vm);
}

/* ---- state --------------------------------------------------------------------- */

static void guest_program_apic(void)
{
	apic_sw_enable();
	apic_write(APIC_TPR, 0x20);
	apic_write(APIC_LDR, 0x08000000);
	apic_write(APIC_TDCR, 0x3);
	apic_write(APIC_LVTT, VEC_TIMER | LVT_PERIODIC);
	apic_write(APIC_TMICT, 50000000);	/* 800 ms with divide 16 */
	GUEST_SYNC(1);
	GUEST_SYNC_ARGS(2, apic_read(APIC_TPR), apic_read(APIC_LDR),
			apic_read(APIC_LVTT), apic_read(APIC_TDCR));
	GUEST_DONE();
}

TEST(lapic_state_round_trips_into_another_vcpu)
{
	struct svmhv_lapic_state *a = calloc(1, sizeof(*a));
	struct svmhv_lapic_state *b = calloc(1, sizeof(*b));
	struct svmhv_vm *vm, *vm2;
	struct ucall uc;
	uint32_t v;

	REQUIRE_LAPIC();
	vm = lapic_vm(1, guest_program_apic, false);
	vcpu_run_expect_sync(vm->vcpus[0], 1, NULL);
	ASSERT_EQ(0, ioctl(vm->vcpus[0]->fd, SVMHV_GET_LAPIC, a));
	memcpy(&v, &a->regs[APIC_LVTT], 4);
	EXPECT_EQ(VEC_TIMER | LVT_PERIODIC, v);
	EXPECT_LT(0ULL, a->timer_ns_left);

	vm2 = lapic_vm(1, guest_program_apic, false);
	ASSERT_EQ(0, ioctl(vm2->vcpus[0]->fd, SVMHV_SET_LAPIC, a));
	ASSERT_EQ(0, ioctl(vm2->vcpus[0]->fd, SVMHV_GET_LAPIC, b));
	EXPECT_EQ(0, memcmp(&a->regs[APIC_TPR], &b->regs[APIC_TPR], 4));
	EXPECT_EQ(0, memcmp(&a->regs[APIC_LDR], &b->regs[APIC_LDR], 4));
	EXPECT_EQ(0, memcmp(&a->regs[APIC_LVTT], &b->regs[APIC_LVTT], 4));
	EXPECT_EQ(0, memcmp(&a->regs[APIC_TDCR], &b->regs[APIC_TDCR], 4));
	EXPECT_EQ(a->apic_base, b->apic_base);
	EXPECT_LT(0ULL, b->timer_ns_left);
	EXPECT_GE(a->timer_ns_left + 100000000ULL, b->timer_ns_left);
	vcpu_run_expect_sync(vm->vcpus[0], 2, &uc);
	EXPECT_EQ(0x20ULL, uc.args[1]);
	EXPECT_EQ(0x08000000ULL, uc.args[2]);
	vm_free(vm2);
	vm_free(vm);
	free(a);
	free(b);
}

SVMHV_TEST_HARNESS_MAIN
