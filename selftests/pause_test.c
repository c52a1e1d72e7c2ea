// SPDX-License-Identifier: GPL-2.0
/*
 * PAUSE exits (SVMHV_CAP_PAUSE_EXITS, module/svm/spin.c): a guest spinning
 * on PAUSE exits to svmhv, which skips the PAUSE -- whatever prefixes it
 * carries -- and counts it in pause_exits; and a vCPU spinning with
 * interrupts off for a flag that another vCPU of its VM sets gets it, when
 * both vCPU threads share one host CPU.  With the module parameter
 * pause_exits turned off at run time, VMs created from then on run PAUSE
 * without exits -- the spinner then waits for the host's scheduler -- and
 * a VM created before keeps its exits.
 */
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "svmhv_test.h"

/*
 * Ten times the filter count (spin.c): where the CPU has a filter, every
 * exit of another kind (a host tick) during the run starts its count
 * again at VMRUN, and the test still wants at least one PAUSE exit.
 */
#define NR_PAUSE	30000
#define PAUSE_EXITS_PARAM	"/sys/module/svmhv/parameters/pause_exits"

static int pause_exits_cap(void)
{
	int sys = svmhv_open_sys();
	int cap = ioctl(sys, SVMHV_CHECK_CAP, SVMHV_CAP_PAUSE_EXITS);

	close(sys);
	return cap;
}

#define REQUIRE_PAUSE_EXITS()						\
	do {								\
		if (pause_exits_cap() != 1)				\
			SKIP(return, "no SVMHV_CAP_PAUSE_EXITS");	\
	} while (0)

/*
 * NR_PAUSE back-to-back PAUSEs (the filter, where the CPU has one, lets
 * the long run exit at least once), then one with two redundant prefixes
 * (a segment override and an operand size: 4 bytes); the count in RBX
 * shows that no instruction was skipped wrongly or run twice.
 */
static void guest_pauses(void)
{
	uint64_t n = 0;

	for (int i = 0; i < NR_PAUSE; i++) {
		asm volatile("pause" ::: "memory");
		n++;
	}
	asm volatile(".byte 0x2e, 0x66, 0xf3, 0x90\n\t"
		     "inc %0" : "+r"(n) :: "memory");
	GUEST_SYNC(n);
	GUEST_DONE();
}

/* Guest_pauses in vm: its result, and the stats of its vCPU. */
static void run_pauses(struct __test_metadata *_metadata, struct svmhv_vcpu *vcpu,
		       struct svmhv_stats *st)
{
	struct ucall uc;

	vcpu_run(vcpu);
	ASSERT_EQ(UCALL_SYNC, get_ucall(vcpu, &uc));
	EXPECT_EQ((uint64_t)NR_PAUSE + 1, uc.args[0]);
	vcpu_run_expect_done(vcpu);
	svmhv_get_stats(vcpu->fd, st);
}

TEST(pause_exits_are_counted_and_skipped)
{
	struct svmhv_vcpu *vcpu;
	struct svmhv_vm *vm;
	struct svmhv_stats st;

	REQUIRE_PAUSE_EXITS();
	vm = vm_create_with_one_vcpu(&vcpu, guest_pauses);
	run_pauses(_metadata, vcpu, &st);
	EXPECT_LE(1ULL, st.pause_exits);
	EXPECT_GE((uint64_t)NR_PAUSE + 1, st.pause_exits);
	/* A kind of its own, not among the others. */
	EXPECT_EQ(0ULL, st.other_exits);
	EXPECT_EQ(st.exits,
		  st.io_exits + st.npf_exits + st.hlt_exits + st.cpuid_exits +
		  st.msr_exits + st.hypercall_exits + st.host_event_exits +
		  st.irq_window_exits + st.dr_exits + st.exception_exits +
		  st.other_exits + st.pause_exits);
	vm_free(vm);
}

/* ---- two vCPUs on one host CPU --------------------------------------- */

static volatile uint32_t spinning, handoff;

static void guest_spinner(void)
{
	asm volatile("cli");
	spinning = 1;
	while (!handoff)
		asm volatile("pause" ::: "memory");
	GUEST_DONE();
}

static void guest_setter(void)
{
	GUEST_SYNC(0);
	handoff = 1;
	GUEST_DONE();
}

struct spinner {
	struct svmhv_vcpu *vcpu;
	cpu_set_t cpu;
	uint64_t ucall;
};

static void *spinner_thread(void *arg)
{
	struct spinner *s = arg;
	struct ucall uc;

	sched_setaffinity(0, sizeof(s->cpu), &s->cpu);
	vcpu_run(s->vcpu);
	s->ucall = get_ucall(s->vcpu, &uc);
	return NULL;
}

/*
 * The spinner waits with interrupts off for a flag only the setter sets;
 * both threads are pinned to one host CPU, so the setter runs only when
 * the spinner's thread gives the CPU up: at a PAUSE exit, yielding to the
 * setter's thread (known to svmhv from the setter's first RUN, and
 * runnable: it waits in sched_yield()), or when the host's scheduler
 * preempts it.
 */
static void run_spinner_and_setter(struct __test_metadata *_metadata,
				   struct svmhv_stats *st)
{
	struct spinner s = { 0 };
	struct svmhv_vcpu *setter;
	struct svmhv_vm *vm;
	cpu_set_t mine;
	pthread_t thread;

	vm = vm_create(DEFAULT_GUEST_RAM);	/* its own spinning, handoff: 0 */
	s.vcpu = vcpu_create(vm, 0, guest_spinner);
	setter = vcpu_create(vm, 1, guest_setter);
	CPU_ZERO(&s.cpu);
	CPU_SET(sched_getcpu(), &s.cpu);
	ASSERT_EQ(0, sched_getaffinity(0, sizeof(mine), &mine));
	ASSERT_EQ(0, sched_setaffinity(0, sizeof(s.cpu), &s.cpu));
	vcpu_run_expect_sync(setter, 0, NULL);
	ASSERT_EQ(0, pthread_create(&thread, NULL, spinner_thread, &s));
	while (!GUEST_VAR(vm, spinning))
		sched_yield();
	vcpu_run_expect_done(setter);
	pthread_join(thread, NULL);
	sched_setaffinity(0, sizeof(mine), &mine);
	EXPECT_EQ(UCALL_DONE, s.ucall);
	svmhv_get_stats(s.vcpu->fd, st);
	EXPECT_EQ(0ULL, st->other_exits);
	vm_free(vm);
}

TEST(spinning_vcpu_and_its_sibling_share_one_cpu)
{
	struct svmhv_stats st;

	REQUIRE_PAUSE_EXITS();
	run_spinner_and_setter(_metadata, &st);
	EXPECT_LE(1ULL, st.pause_exits);
}

/* ---- pause_exits turned off at run time -------------------------------- */

/* The parameter's value, 'Y' or 'N'; 0 when it cannot be read. */
static char pause_exits_param(void)
{
	char c = 0;
	int fd = open(PAUSE_EXITS_PARAM, O_RDONLY);

	if (fd >= 0) {
		if (read(fd, &c, 1) != 1)
			c = 0;
		close(fd);
	}
	return c;
}

static bool set_pause_exits_param(char c)
{
	int fd = open(PAUSE_EXITS_PARAM, O_WRONLY);
	bool ok = fd >= 0 && write(fd, &c, 1) == 1;

	if (fd >= 0)
		close(fd);
	return ok;
}

FIXTURE(param_off) {
	char saved;
};

FIXTURE_SETUP(param_off)
{
	self->saved = pause_exits_param();
	if (self->saved != 'Y')
		SKIP(return, "pause_exits is not on (%s: %c)", PAUSE_EXITS_PARAM,
		     self->saved ? self->saved : '?');
	if (access(PAUSE_EXITS_PARAM, W_OK))
		SKIP(return, "%s is not writable here (not root?)",
		     PAUSE_EXITS_PARAM);
}

/* Whatever the test did: the parameter as it was, for the tests after. */
FIXTURE_TEARDOWN(param_off)
{
	if (self->saved == 'Y' && !set_pause_exits_param('Y'))
		TH_LOG("could not set %s back to Y", PAUSE_EXITS_PARAM);
}

TEST_F(param_off, vms_made_after_turning_it_off_run_pause_without_exits)
{
	struct svmhv_vcpu *before_vcpu, *after_vcpu;
	struct svmhv_vm *before, *after;
	struct svmhv_stats st;

	before = vm_create_with_one_vcpu(&before_vcpu, guest_pauses);
	ASSERT_TRUE(set_pause_exits_param('N'));
	EXPECT_EQ(0, pause_exits_cap());
	after = vm_create_with_one_vcpu(&after_vcpu, guest_pauses);

	run_pauses(_metadata, after_vcpu, &st);
	EXPECT_EQ(0ULL, st.pause_exits);
	EXPECT_EQ(0ULL, st.other_exits);
	/* The VM made before keeps the intercept it was made with. */
	run_pauses(_metadata, before_vcpu, &st);
	EXPECT_LE(1ULL, st.pause_exits);

	/* Turned on again: new VMs exit again. */
	ASSERT_TRUE(set_pause_exits_param('Y'));
	EXPECT_EQ(1, pause_exits_cap());
	vm_free(after);
	after = vm_create_with_one_vcpu(&after_vcpu, guest_pauses);
	run_pauses(_metadata, after_vcpu, &st);
	EXPECT_LE(1ULL, st.pause_exits);
	vm_free(after);
	vm_free(before);
}

/*
 * Without PAUSE exits the spinner keeps the shared CPU until the host's
 * scheduler preempts its thread at a tick (an interrupt exit): slower, and
 * still correct.
 */
TEST_F(param_off, without_exits_the_spinner_waits_for_the_host_scheduler)
{
	struct svmhv_stats st;

	ASSERT_TRUE(set_pause_exits_param('N'));
	run_spinner_and_setter(_metadata, &st);
	EXPECT_EQ(0ULL, st.pause_exits);
	EXPECT_LE(1ULL, st.host_event_exits);
}

TEST_HARNESS_MAIN
