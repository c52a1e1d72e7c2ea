// SPDX-License-Identifier: GPL-2.0
/*
 * Concurrency: several vCPUs of one VM in threads, several VMs in several
 * processes at once, a storm of signals against a running vCPU.  Each
 * guest computes something the host can check exactly, so that a lost,
 * doubled or misrouted exit, or state leaking between vCPUs or VMs, shows
 * as a wrong value.  (The emulated machine has 2 CPUs; on a server the
 * same tests run truly in parallel.)
 */
#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>

#include "svmhv_test.h"

#define SHARED_GPA	0x1e00000ULL	/* below vm_alloc()'s first stack */

/* Each vCPU keeps a running value in its registers and its own counter
 * in shared guest memory; every ucall reports both. */
static void guest_counter(uint64_t id, uint64_t rounds)
{
	volatile uint64_t *mine = (volatile uint64_t *)(SHARED_GPA + id * 64);
	uint64_t acc = id * 1000003;

	for (uint64_t i = 1; i <= rounds; i++) {
		acc = acc * 6364136223846793005ULL + 1442695040888963407ULL;
		*mine = i;
		GUEST_SYNC_ARGS(i, acc, *mine, id, 0);
	}
	GUEST_DONE();
}

static uint64_t counter_expected(uint64_t id, uint64_t round)
{
	uint64_t acc = id * 1000003;

	for (uint64_t i = 1; i <= round; i++)
		acc = acc * 6364136223846793005ULL + 1442695040888963407ULL;
	return acc;
}

struct vcpu_job {
	struct svmhv_vcpu *vcpu;
	uint64_t id, rounds;
	uint64_t bad_round;	/* first wrong round, 0 if none */
	uint64_t finished;
};

static void *vcpu_thread(void *arg)
{
	struct vcpu_job *j = arg;
	uint64_t acc = j->id * 1000003;
	struct ucall uc;

	for (uint64_t i = 1; i <= j->rounds; i++) {
		acc = acc * 6364136223846793005ULL + 1442695040888963407ULL;
		if (vcpu_run_ucall(j->vcpu, &uc) != UCALL_SYNC ||
		    uc.args[0] != i || uc.args[1] != acc || uc.args[2] != i ||
		    uc.args[3] != j->id) {
			j->bad_round = i;
			return NULL;
		}
	}
	vcpu_run_expect_done(j->vcpu);
	j->finished = 1;
	return NULL;
}

TEST(vcpus_of_one_vm_in_threads_keep_their_own_state)
{
	enum { NR = 4, ROUNDS = 300 };
	struct svmhv_vm *vm = vm_create(DEFAULT_GUEST_RAM);
	struct vcpu_job jobs[NR];
	pthread_t threads[NR];

	for (int i = 0; i < NR; i++) {
		jobs[i] = (struct vcpu_job){ .id = i, .rounds = ROUNDS };
		jobs[i].vcpu = vcpu_create(vm, i * 3, guest_counter);
		vcpu_args_set(jobs[i].vcpu, 2, (uint64_t)i, (uint64_t)ROUNDS);
	}
	for (int i = 0; i < NR; i++)
		ASSERT_EQ(0, pthread_create(&threads[i], NULL, vcpu_thread, &jobs[i]));
	for (int i = 0; i < NR; i++)
		pthread_join(threads[i], NULL);
	for (int i = 0; i < NR; i++) {
		EXPECT_EQ(0ULL, jobs[i].bad_round) {
			TH_LOG("vCPU %d: wrong ucall in round %lu", i, jobs[i].bad_round);
		}
		EXPECT_EQ(1ULL, jobs[i].finished);
		/* The guest's stores landed in the shared page. */
		EXPECT_EQ((uint64_t)ROUNDS,
			  *(uint64_t *)addr_gpa2hva(vm, SHARED_GPA + i * 64));
	}
	vm_free(vm);
}

/* One VM per process; the exit status says whether it computed right. */
static int run_vm_in_child(uint64_t id)
{
	enum { ROUNDS = 200 };
	struct svmhv_vcpu *vcpu;
	struct svmhv_vm *vm = vm_create_with_one_vcpu(&vcpu, guest_counter);
	struct ucall uc;

	/* A marker only this VM's memory holds. */
	*(uint64_t *)addr_gpa2hva(vm, SHARED_GPA + 4096) = 0xabc000 + id;
	vcpu_args_set(vcpu, 2, id, (uint64_t)ROUNDS);
	for (uint64_t i = 1; i <= ROUNDS; i++) {
		if (vcpu_run_ucall(vcpu, &uc) != UCALL_SYNC ||
		    uc.args[1] != counter_expected(id, i) || uc.args[3] != id)
			return 10;
	}
	vcpu_run_expect_done(vcpu);
	if (*(uint64_t *)addr_gpa2hva(vm, SHARED_GPA + id * 64) != ROUNDS ||
	    *(uint64_t *)addr_gpa2hva(vm, SHARED_GPA + 4096) != 0xabc000 + id)
		return 11;
	vm_free(vm);
	return 0;
}

TEST(vms_in_several_processes_run_at_once)
{
	enum { NR = 4 };
	pid_t pids[NR];

	for (int i = 0; i < NR; i++) {
		pids[i] = fork();
		ASSERT_LE(0, pids[i]);
		if (pids[i] == 0)
			_exit(run_vm_in_child(i + 1));
	}
	for (int i = 0; i < NR; i++) {
		int status;

		ASSERT_EQ(pids[i], waitpid(pids[i], &status, 0));
		EXPECT_TRUE(WIFEXITED(status)) {
			TH_LOG("child %d: status %#x", i, status);
		}
		EXPECT_EQ(0, WEXITSTATUS(status)) {
			TH_LOG("child %d computed wrong values", i);
		}
	}
}

/* ---- signal storm --------------------------------------------------------- */

static volatile sig_atomic_t storm_signals;

static void on_storm_signal(int sig)
{
	(void)sig;
	storm_signals++;
}

struct storm {
	pthread_t target;
	volatile int stop;
	uint64_t sent;
};

static void *storm_thread(void *arg)
{
	struct storm *s = arg;

	while (!s->stop) {
		pthread_kill(s->target, SIGUSR2);
		s->sent++;
		sched_yield();
	}
	return NULL;
}

static void guest_storm(uint64_t rounds)
{
	uint64_t acc = 7;

	for (uint64_t i = 1; i <= rounds; i++) {
		/* Long enough between exits for signals to land mid-guest. */
		for (int k = 0; k < 2000; k++)
			acc = acc * 6364136223846793005ULL + k;
		GUEST_SYNC_ARGS(i, acc, 0, 0, 0);
	}
	GUEST_DONE();
}

TEST(signal_storm_never_loses_or_repeats_an_exit)
{
	enum { ROUNDS = 400 };
	struct sigaction sa = { .sa_handler = on_storm_signal };
	struct svmhv_vcpu *vcpu;
	struct svmhv_vm *vm = vm_create_with_one_vcpu(&vcpu, guest_storm);
	struct storm s = { .target = pthread_self() };
	uint64_t acc = 7, eintr = 0;
	pthread_t thread;
	struct ucall uc;

	ASSERT_EQ(0, sigaction(SIGUSR2, &sa, NULL));
	vcpu_args_set(vcpu, 1, (uint64_t)ROUNDS);
	ASSERT_EQ(0, pthread_create(&thread, NULL, storm_thread, &s));
	for (uint64_t i = 1; i <= ROUNDS; i++) {
		for (int k = 0; k < 2000; k++)
			acc = acc * 6364136223846793005ULL + k;
		for (;;) {
			int ret = _vcpu_run(vcpu);

			if (ret == 0)
				break;
			ASSERT_EQ(EINTR, errno);
			ASSERT_EQ(SVMHV_EXIT_INTR, vcpu->run->exit_reason);
			eintr++;
		}
		ASSERT_EQ((uint64_t)UCALL_SYNC, get_ucall(vcpu, &uc));
		ASSERT_EQ(i, uc.args[0]);
		ASSERT_EQ(acc, uc.args[1]);
	}
	s.stop = 1;
	pthread_join(thread, NULL);
	vcpu_run_expect_done(vcpu);
	TH_LOG("%lu signals sent, %lu RUNs ended with EINTR", s.sent, eintr);
	EXPECT_LT(0ULL, s.sent);
	vm_free(vm);
}

SVMHV_TEST_HARNESS_MAIN
