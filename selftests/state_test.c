// SPDX-License-Identifier: GPL-2.0
/*
 * Everything a vCPU is, read and written: registers, segments and control
 * registers, the MSRs of SVMHV_GET_MSR_INDEX_LIST, the XSAVE area and
 * XCR0, events in flight, the TSC.  A guest computing with live vector
 * registers, MSR writes, #GPs it handles and interrupts from the host is
 * stopped again and again -- at its own exits and at random moments
 * (signals) -- and each time moved into a new vCPU of a new VM over the
 * same memory; its results must be those of a run never stopped.  Then
 * the bad-input side: every state ioctl refuses what the CPU would.
 */
#include <cpuid.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>

#include "svmhv_test.h"

#define PORT_STOP	0x2200
#define ITERATIONS	1000
#define IRQ_VECTOR	0x40
#define X86_CR4_OSXSAVE_BIT	(1ULL << 18)
#define MSR_KERNEL_GS_BASE_NR	0xc0000102u
#define MSR_STAR_NR		0xc0000081u
#define MSR_TSC_AUX_NR		0xc0000103u

static volatile uint64_t gp_count, irq_count;
static uint8_t ymm_out[64] __attribute__((aligned(32)));

static void on_gp(struct ex_regs *regs)
{
	gp_count++;
	regs->rip += 2;			/* rdmsr */
}

static void on_irq(struct ex_regs *regs)
{
	(void)regs;
	irq_count++;			/* the 8259's: no EOI to the APIC */
}

static bool guest_has_avx(void)
{
	struct cpuid_regs c = guest_cpuid(1, 0);

	return (c.ecx & (1u << 26)) && (c.ecx & (1u << 28));
}

/*
 * A deterministic computation whose state is spread over everything a
 * vCPU holds: general registers, ymm0/ymm15 (AVX2 adds), MSRs written
 * each round, a #GP every 7th round, an exit to userspace every 5th.
 */
static void guest_work(void)
{
	bool avx = guest_has_avx();
	bool rdtscp = guest_cpuid(0x80000001, 0).edx & (1u << 27);
	uint64_t acc = 0x1234, lo;

	asm volatile("sti");
	if (avx) {
		set_cr4(get_cr4() | X86_CR4_OSXSAVE_BIT);
		asm volatile("xsetbv" : : "c"(0), "a"(7), "d"(0));
		asm volatile("vpcmpeqd %%ymm0, %%ymm0, %%ymm0\n\t"	/* all ones */
			     "vpxor %%ymm15, %%ymm15, %%ymm15"
			     : : : "xmm0", "xmm15");
	}
	for (uint64_t i = 0; i < ITERATIONS; i++) {
		acc = acc * 6364136223846793005ULL + 1442695040888963407ULL + i;
		if (avx)
			asm volatile("vpsubd %%ymm0, %%ymm15, %%ymm15" : : : "xmm15");
		/* Canonical: bits 63:47 copies of bit 47 (here all 0). */
		wrmsr(MSR_KERNEL_GS_BASE_NR, acc & 0x00007fffffffffffULL);
		wrmsr(MSR_STAR_NR, acc);
		if (rdtscp)
			wrmsr(MSR_TSC_AUX_NR, (uint32_t)acc);
		if (i % 7 == 0)
			asm volatile("rdmsr" : "=a"(lo) : "c"(0xdeadbeefu) : "rdx");
		if (i % 5 == 0)
			asm volatile("outb %%al, %%dx" : : "a"(0), "d"(PORT_STOP));
		guest_cpuid(0, 0);
	}
	if (avx)
		asm volatile("vmovdqu %%ymm15, %0" : "=m"(*(uint8_t (*)[32])ymm_out));
	GUEST_SYNC_ARGS(1, acc, rdmsr(MSR_KERNEL_GS_BASE_NR) ^ rdmsr(MSR_STAR_NR),
			rdtscp ? rdmsr(MSR_TSC_AUX_NR) : 0, gp_count);
	GUEST_SYNC_ARGS(2, irq_count, 0, 0, 0);
	GUEST_DONE();
}

/* ---- the whole vCPU, out and in ----------------------------------------------- */

struct vcpu_state {
	struct svmhv_regs regs;
	struct svmhv_sregs sregs;
	struct svmhv_xsave xsave;
	struct svmhv_xcrs xcrs;
	struct svmhv_vcpu_events events;
	struct svmhv_tsc tsc;
	struct {
		struct svmhv_msrs hdr;
		struct svmhv_msr_entry e[64];
	} msrs;
};

static void save_vcpu(struct svmhv_vcpu *vcpu, struct vcpu_state *s)
{
	struct {
		struct svmhv_msr_list hdr;
		uint32_t idx[64];
	} list = { .hdr.nmsrs = 64 };
	int sys = svmhv_open_sys();

	TEST_ASSERT(!ioctl(sys, SVMHV_GET_MSR_INDEX_LIST, &list.hdr),
		    "SVMHV_GET_MSR_INDEX_LIST: %s", strerror(errno));
	close(sys);
	vcpu_regs_get(vcpu, &s->regs);
	vcpu_sregs_get(vcpu, &s->sregs);
	TEST_ASSERT(!ioctl(vcpu->fd, SVMHV_GET_XSAVE, &s->xsave), "GET_XSAVE");
	TEST_ASSERT(!ioctl(vcpu->fd, SVMHV_GET_XCRS, &s->xcrs), "GET_XCRS");
	TEST_ASSERT(!ioctl(vcpu->fd, SVMHV_GET_VCPU_EVENTS, &s->events),
		    "GET_VCPU_EVENTS");
	TEST_ASSERT(!ioctl(vcpu->fd, SVMHV_GET_TSC, &s->tsc), "GET_TSC");
	s->msrs.hdr.nmsrs = list.hdr.nmsrs;
	for (uint32_t i = 0; i < list.hdr.nmsrs; i++)
		s->msrs.e[i] = (struct svmhv_msr_entry){ .index = list.idx[i] };
	TEST_ASSERT(ioctl(vcpu->fd, SVMHV_GET_MSRS, &s->msrs.hdr) ==
		    (int)list.hdr.nmsrs, "GET_MSRS: %s", strerror(errno));
}

static void restore_vcpu(struct svmhv_vcpu *vcpu, struct vcpu_state *s)
{
	int done;

	vcpu_sregs_set(vcpu, &s->sregs);
	done = ioctl(vcpu->fd, SVMHV_SET_MSRS, &s->msrs.hdr);
	TEST_ASSERT(done == (int)s->msrs.hdr.nmsrs,
		    "SET_MSRS stopped at entry %d (MSR %#x = %#llx)", done,
		    done >= 0 ? s->msrs.e[done].index : 0,
		    done >= 0 ? (unsigned long long)s->msrs.e[done].data : 0);
	TEST_ASSERT(!ioctl(vcpu->fd, SVMHV_SET_XCRS, &s->xcrs), "SET_XCRS: %s",
		    strerror(errno));
	TEST_ASSERT(!ioctl(vcpu->fd, SVMHV_SET_XSAVE, &s->xsave),
		    "SET_XSAVE: %s", strerror(errno));
	vcpu_regs_set(vcpu, &s->regs);
	TEST_ASSERT(!ioctl(vcpu->fd, SVMHV_SET_VCPU_EVENTS, &s->events),
		    "SET_VCPU_EVENTS: %s", strerror(errno));
	TEST_ASSERT(!ioctl(vcpu->fd, SVMHV_SET_TSC, &s->tsc), "SET_TSC: %s",
		    strerror(errno));
}

/* A new VM over the memory of src, with one fresh vCPU 0. */
static struct svmhv_vm *vm_over_same_memory(struct svmhv_vm *src,
					    struct svmhv_vcpu **vcpu)
{
	struct svmhv_vm *vm = calloc(1, sizeof(*vm));

	TEST_ASSERT(vm, "calloc");
	*vm = *src;
	memset(vm->vcpus, 0, sizeof(vm->vcpus));
	vm->sys_fd = svmhv_open_sys();
	vm->fd = ioctl(vm->sys_fd, SVMHV_CREATE_VM, 0);
	TEST_ASSERT(vm->fd >= 0, "SVMHV_CREATE_VM");
	for (int i = 0; i < SVMHV_MAX_MEM_SLOTS; i++)
		if (src->slots[i].used)
			vm_set_memory_region(vm, i, src->slots[i].flags,
					     src->slots[i].gpa,
					     src->slots[i].size,
					     src->slots[i].hva);
	*vcpu = vcpu_create_reset(vm, 0);
	return vm;
}

/* Close a VM of vm_over_same_memory(): its memory is the original's. */
static void vm_close_clone(struct svmhv_vm *vm)
{
	struct svmhv_vcpu *vcpu = vm->vcpus[0];

	munmap(vcpu->run, SVMHV_RUN_SIZE);
	close(vcpu->fd);
	free(vcpu);
	close(vm->fd);
	close(vm->sys_fd);
	free(vm);
}

static void on_signal(int sig)
{
	(void)sig;
}

struct outcome {
	uint64_t sync1[4];
	uint64_t irqs_seen, irqs_sent, moves, signal_stops, event_inj_moves;
	uint8_t ymm[32];
};

/*
 * Run guest_work to the end.  move_every_stop: at each of its exits to
 * userspace and each signal (a timer every 2 ms), move it into a new VM.
 * Every 3rd stop queues an interrupt for it first.
 */
static void run_work(struct outcome *o, bool move_every_stop)
{
	struct svmhv_vcpu *vcpu;
	struct svmhv_vm *orig = vm_create_with_one_vcpu(&vcpu, guest_work);
	struct svmhv_vm *cur = orig;
	struct vcpu_state *s = calloc(1, sizeof(*s));
	struct sigevent sev = { .sigev_notify = SIGEV_THREAD_ID,
				.sigev_signo = SIGUSR1 };
	struct itimerspec its = { { 0, 2000000 }, { 0, 2000000 } };
	struct sigaction sa = { .sa_handler = on_signal };
	struct ucall uc;
	timer_t timer;
	uint64_t stops = 0;
	bool work_done = false;

	TEST_ASSERT(s, "calloc");
	memset(o, 0, sizeof(*o));
	vm_install_exception_handler(orig, GP_VECTOR, on_gp);
	vm_install_exception_handler(orig, IRQ_VECTOR, on_irq);
	sigaction(SIGUSR1, &sa, NULL);
	sev._sigev_un._tid = gettid();
	TEST_ASSERT(!timer_create(CLOCK_MONOTONIC, &sev, &timer), "timer_create");
	if (move_every_stop)
		timer_settime(timer, 0, &its, NULL);
	for (;;) {
		int ret = _vcpu_run(vcpu);
		bool stop;

		TEST_ASSERT(ret == 0 || errno == EINTR, "RUN: %s", strerror(errno));
		stop = ret != 0 || (vcpu->run->exit_reason == SVMHV_EXIT_IO &&
				    vcpu->run->io.port == PORT_STOP);
		o->signal_stops += ret != 0;
		if (!stop) {
			uint64_t cmd = get_ucall(vcpu, &uc);

			if (cmd == UCALL_DONE)
				break;
			TEST_ASSERT(cmd == UCALL_SYNC, "unexpected exit %u",
				    vcpu->run->exit_reason);
			if (uc.args[0] == 1) {
				memcpy(o->sync1, &uc.args[1], sizeof(o->sync1));
				work_done = true;
			} else {
				o->irqs_seen = uc.args[1];
			}
			continue;
		}
		/*
		 * Once the guest has reported its work (SYNC 1) it reads its
		 * interrupt count for SYNC 2: an interrupt queued now could
		 * arrive after that read.  Every one queued earlier has
		 * arrived by then -- the guest runs with IF=1, so a queued
		 * interrupt is taken at the first instruction boundary after
		 * entry (or after the IRET of an exception handler running).
		 */
		if (++stops % 3 == 0 && !work_done) {
			struct svmhv_event ev = { .kind = SVMHV_EVENT_IRQ,
						  .vector = IRQ_VECTOR };

			if (!ioctl(vcpu->fd, SVMHV_INJECT_EVENT, &ev))
				o->irqs_sent++;
		}
		if (move_every_stop) {
			struct svmhv_vm *next;

			save_vcpu(vcpu, s);
			o->event_inj_moves += !!(s->events.event_inj >> 31);
			next = vm_over_same_memory(cur, &vcpu);
			restore_vcpu(vcpu, s);
			if (cur != orig)
				vm_close_clone(cur);
			cur = next;
			o->moves++;
		}
	}
	timer_delete(timer);
	memcpy(o->ymm, addr_gpa2hva(orig, (uintptr_t)ymm_out), sizeof(o->ymm));
	if (cur != orig)
		vm_close_clone(cur);
	vm_free(orig);
	free(s);
}

FIXTURE(moves) {};
FIXTURE_SETUP(moves) {}
FIXTURE_TEARDOWN(moves) {}

TEST_F_TIMEOUT(moves, a_vcpu_moved_into_new_vms_at_every_stop_computes_what_one_never_stopped_does, 300)
{
	struct outcome ref, moved;

	run_work(&ref, false);
	run_work(&moved, true);
	TH_LOG("%llu moves, %llu of them at a signal, %llu with an event in EVENTINJ (%llu interrupts sent)",
	       (unsigned long long)moved.moves,
	       (unsigned long long)moved.signal_stops,
	       (unsigned long long)moved.event_inj_moves,
	       (unsigned long long)moved.irqs_sent);
	EXPECT_LE(ITERATIONS / 5, moved.moves);
	EXPECT_EQ(ref.sync1[0], moved.sync1[0]);	/* the computation */
	EXPECT_EQ(ref.sync1[1], moved.sync1[1]);	/* MSRs */
	EXPECT_EQ(ref.sync1[2], moved.sync1[2]);
	EXPECT_EQ(ref.sync1[3], moved.sync1[3]);	/* #GPs handled */
	EXPECT_EQ((ITERATIONS - 1) / 7 + 1, moved.sync1[3]);
	EXPECT_EQ(0, memcmp(ref.ymm, moved.ymm, sizeof(ref.ymm)));
	/* Every interrupt queued arrived once, wherever it was when moved. */
	EXPECT_EQ(ref.irqs_sent, ref.irqs_seen);
	EXPECT_EQ(moved.irqs_sent, moved.irqs_seen);
}

/* ---- bad input ------------------------------------------------------------------ */

static void guest_idle(void)
{
	GUEST_DONE();
}

TEST(state_ioctls_refuse_what_the_cpu_would)
{
	struct svmhv_vcpu *vcpu;
	struct svmhv_vm *vm = vm_create_with_one_vcpu(&vcpu, guest_idle);
	struct svmhv_vcpu_events ev, ev0;
	struct svmhv_xcrs x = { .nr_xcrs = 1 };
	struct svmhv_tsc t;
	struct {
		struct svmhv_msrs hdr;
		struct svmhv_msr_entry e[3];
	} m = { .hdr.nmsrs = 3 };
	struct svmhv_xsave *xs = calloc(1, sizeof(*xs));
	int sys = svmhv_open_sys();

	ASSERT_EQ(1, ioctl(sys, SVMHV_CHECK_CAP, SVMHV_CAP_VCPU_EVENTS));
	ASSERT_EQ((int)sizeof(*xs), ioctl(sys, SVMHV_CHECK_CAP, SVMHV_CAP_XSAVE));
	close(sys);
	ASSERT_EQ(0, ioctl(vcpu->fd, SVMHV_GET_VCPU_EVENTS, &ev0));
#define BAD_EVENTS(stmt) do {						\
	ev = ev0;							\
	stmt;								\
	EXPECT_EQ(-1, ioctl(vcpu->fd, SVMHV_SET_VCPU_EVENTS, &ev));	\
	EXPECT_EQ(EINVAL, errno);					\
} while (0)
	BAD_EVENTS(ev.event_inj = 0x80000000 | (1 << 8) | 14);	/* type 1 */
	BAD_EVENTS(ev.event_inj = 0x80000000 | (2 << 8) | 3);	/* NMI on 3 */
	BAD_EVENTS(ev.event_inj = 0x80000000 | (3 << 8) | 32);	/* exception 32 */
	BAD_EVENTS(ev.event_inj = 0x80000000 | (3 << 8) | 2);	/* NMI vector */
	BAD_EVENTS(ev.event_inj = 0x80000800 | (3 << 8) | 6);	/* #UD with code */
	BAD_EVENTS(ev.event_inj = 0x80001000 | (3 << 8) | 13);	/* reserved bit */
	BAD_EVENTS(ev.event_inj = 14);				/* V clear, not 0 */
	BAD_EVENTS(ev.irq_pending = 1; ev.irq_vector = 31);
	BAD_EVENTS(ev.exception_pending = 1; ev.exception_vector = 40);
	BAD_EVENTS(ev.nmi_masked = 2);
	BAD_EVENTS(ev.reserved[5] = 1);
	/* A good one is taken and read back. */
	ev = ev0;
	ev.event_inj = 0x80000800 | (3 << 8) | 13;
	ev.event_inj_err = 0x18;
	ev.nmi_masked = 1;
	ev.interrupt_shadow = 1;
	EXPECT_EQ(0, ioctl(vcpu->fd, SVMHV_SET_VCPU_EVENTS, &ev));
	memset(&ev0, 0xa5, sizeof(ev0));
	EXPECT_EQ(0, ioctl(vcpu->fd, SVMHV_GET_VCPU_EVENTS, &ev0));
	EXPECT_EQ(0, memcmp(&ev, &ev0, sizeof(ev)));
	memset(&ev, 0, sizeof(ev));
	EXPECT_EQ(0, ioctl(vcpu->fd, SVMHV_SET_VCPU_EVENTS, &ev));

	x.xcrs[0].value = 0;				/* no x87 */
	EXPECT_EQ(-1, ioctl(vcpu->fd, SVMHV_SET_XCRS, &x));
	EXPECT_EQ(EINVAL, errno);
	x.xcrs[0].value = 1;
	x.xcrs[0].xcr = 1;				/* no XCR1 */
	EXPECT_EQ(-1, ioctl(vcpu->fd, SVMHV_SET_XCRS, &x));
	EXPECT_EQ(EINVAL, errno);
	x.xcrs[0].xcr = 0;
	x.xcrs[0].value = 1ULL << 62;
	EXPECT_EQ(-1, ioctl(vcpu->fd, SVMHV_SET_XCRS, &x));
	EXPECT_EQ(EINVAL, errno);

	ASSERT_EQ(0, ioctl(vcpu->fd, SVMHV_GET_XSAVE, xs));
	xs->region[512 / 4 + 1] = 1u << 30;		/* XSTATE_BV bit 62 */
	EXPECT_EQ(-1, ioctl(vcpu->fd, SVMHV_SET_XSAVE, xs));
	EXPECT_EQ(EINVAL, errno);
	xs->region[512 / 4 + 1] = 0;
	xs->region[512 / 4] |= 2;			/* SSE state present */
	xs->region[24 / 4] = 0xffffffff;		/* MXCSR reserved bits */
	EXPECT_EQ(-1, ioctl(vcpu->fd, SVMHV_SET_XSAVE, xs));
	EXPECT_EQ(EINVAL, errno);

	ASSERT_EQ(0, ioctl(vcpu->fd, SVMHV_GET_TSC, &t));
	EXPECT_LT(0U, t.tsc_khz);
	t.tsc_khz += 1;					/* no scaling */
	EXPECT_EQ(-1, ioctl(vcpu->fd, SVMHV_SET_TSC, &t));
	EXPECT_EQ(EINVAL, errno);

	/* MSRs: in order, up to the first refused. */
	m.e[0] = (struct svmhv_msr_entry){ .index = 0xc0000081, .data = 5 };
	m.e[1] = (struct svmhv_msr_entry){ .index = 0xc0000080, .data = 1ULL << 20 | 1ULL << 13 };
	m.e[2] = (struct svmhv_msr_entry){ .index = 0xc0000081, .data = 6 };
	EXPECT_EQ(1, ioctl(vcpu->fd, SVMHV_SET_MSRS, &m.hdr));	/* EFER bit 13 */
	m.e[1] = (struct svmhv_msr_entry){ .index = 0xdeadbeef };
	EXPECT_EQ(1, ioctl(vcpu->fd, SVMHV_GET_MSRS, &m.hdr));	/* unknown */
	EXPECT_EQ(5ULL, m.e[0].data);
	m.e[1] = (struct svmhv_msr_entry){ .index = 0x830 };	/* the APIC's */
	EXPECT_EQ(1, ioctl(vcpu->fd, SVMHV_GET_MSRS, &m.hdr));
	m.e[0].reserved = 1;
	EXPECT_EQ(-1, ioctl(vcpu->fd, SVMHV_SET_MSRS, &m.hdr));
	EXPECT_EQ(EINVAL, errno);
	m.hdr.nmsrs = SVMHV_MSRS_MAX + 1;
	EXPECT_EQ(-1, ioctl(vcpu->fd, SVMHV_GET_MSRS, &m.hdr));
	EXPECT_EQ(E2BIG, errno);
	vcpu_run_expect_done(vcpu);
	free(xs);
	vm_free(vm);
}

SVMHV_TEST_HARNESS_MAIN
