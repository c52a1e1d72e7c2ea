// SPDX-License-Identifier: GPL-2.0
/*
 * Lifetime of VMs and vCPUs under stress: fds closed in every order while
 * a vCPU runs on another thread, a process killed in the middle of RUN,
 * and 10,000 create/destroy cycles that must not grow the kernel's memory
 * use.  (Module unload while fds are open is module_load.sh's.)
 */
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "svmhv_test.h"

static void guest_done(void)
{
	GUEST_DONE();
}

static void expect_fresh_vm_runs(struct __test_metadata *_metadata)
{
	struct svmhv_vcpu *vcpu;
	struct svmhv_vm *vm = vm_create_with_one_vcpu(&vcpu, guest_done);

	vcpu_run_expect_done(vcpu);
	vm_free(vm);
	ASSERT_TRUE(1);
}

static void guest_spin_forever(void)
{
	GUEST_SYNC(1);
	for (;;)
		cpu_relax();
}

/* ---- closing fds while a vCPU runs ---------------------------------------- */

struct runner {
	int fd;
	volatile int stop;
	volatile int in_run;
	int last_errno;
};

static void on_sigusr1(int sig)
{
	(void)sig;
}

static void *run_until_stopped(void *arg)
{
	struct runner *r = arg;

	while (!r->stop) {
		r->in_run = 1;
		if (ioctl(r->fd, SVMHV_RUN, 0) < 0 && errno != EINTR) {
			r->last_errno = errno;
			break;
		}
	}
	return NULL;
}

enum { CLOSE_SYS, CLOSE_VM, CLOSE_VCPU, UNMAP_RUN, NR_CLOSE };

/*
 * For each of the 24 orders of closing the system fd, the VM fd, the
 * vCPU fd and unmapping the run structure, while another thread sits in
 * RUN of that vCPU: nothing crashes, the RUN ends when signalled, and the
 * module keeps working (make check's rmmod afterwards proves that every
 * reference was dropped).
 */
TEST(closing_fds_in_every_order_while_vcpu_runs_is_safe)
{
	struct sigaction sa = { .sa_handler = on_sigusr1 };
	int perm[NR_CLOSE] = { 0, 1, 2, 3 };
	int orders = 0;

	ASSERT_EQ(0, sigaction(SIGUSR1, &sa, NULL));
	for (;;) {
		struct svmhv_vcpu *vcpu;
		struct svmhv_vm *vm = vm_create_with_one_vcpu(&vcpu, guest_spin_forever);
		struct runner r = { .fd = vcpu->fd };
		pthread_t thread;
		int i, j;

		vcpu_run_expect_sync(vcpu, 1, NULL);
		ASSERT_EQ(0, pthread_create(&thread, NULL, run_until_stopped, &r));
		while (!r.in_run)
			sched_yield();
		usleep(2000);	/* let it enter the guest */
		for (i = 0; i < NR_CLOSE; i++) {
			switch (perm[i]) {
			case CLOSE_SYS:
				close(vm->sys_fd);
				break;
			case CLOSE_VM:
				close(vm->fd);
				break;
			case CLOSE_VCPU:
				close(vcpu->fd);
				break;
			case UNMAP_RUN:
				munmap(vcpu->run, SVMHV_RUN_SIZE);
				break;
			}
		}
		r.stop = 1;
		/* The RUN in progress holds the file: a signal ends it. */
		while (pthread_tryjoin_np(thread, NULL)) {
			pthread_kill(thread, SIGUSR1);
			usleep(1000);
		}
		/* Its next RUN found the fd closed (unless stop came first). */
		EXPECT_TRUE(r.last_errno == 0 || r.last_errno == EBADF) {
			TH_LOG("RUN after close: errno %d", r.last_errno);
		}
		munmap(vm->ram, vm->ram_size);
		free(vcpu);
		free(vm);
		orders++;

		/* next permutation (lexicographic) */
		for (i = NR_CLOSE - 2; i >= 0 && perm[i] > perm[i + 1]; i--)
			;
		if (i < 0)
			break;
		for (j = NR_CLOSE - 1; perm[j] < perm[i]; j--)
			;
		int t = perm[i];

		perm[i] = perm[j];
		perm[j] = t;
		for (int a = i + 1, b = NR_CLOSE - 1; a < b; a++, b--) {
			t = perm[a];
			perm[a] = perm[b];
			perm[b] = t;
		}
	}
	EXPECT_EQ(24, orders);
	expect_fresh_vm_runs(_metadata);
}

/* ---- killing a process in RUN ---------------------------------------------- */

static void guest_busy_exits(void)
{
	/* Mix of in-kernel exits, userspace exits and plain computing. */
	for (uint64_t i = 0;; i++) {
		guest_cpuid(i & 1 ? 0 : 0x80000001, 0);
		if (!(i & 63))
			outb(0x80, (uint8_t)i);
	}
}

static void child_runs_forever(int ready_fd, void *guest)
{
	struct svmhv_vcpu *vcpu;
	struct svmhv_vm *vm = vm_create_with_one_vcpu(&vcpu, guest);
	char c = 1;

	if (write(ready_fd, &c, 1) != 1)
		_exit(3);
	for (;;)
		_vcpu_run(vcpu);	/* OUT exits need nothing back */
	vm_free(vm);
}

TEST(killing_process_in_middle_of_run_leaves_host_healthy)
{
	void *guests[2] = { guest_spin_forever, guest_busy_exits };

	for (int round = 0; round < 8; round++) {
		int pipefd[2], status;
		pid_t pid;
		char c;

		ASSERT_EQ(0, pipe(pipefd));
		pid = fork();
		ASSERT_LE(0, pid);
		if (pid == 0) {
			close(pipefd[0]);
			child_runs_forever(pipefd[1], guests[round & 1]);
		}
		close(pipefd[1]);
		ASSERT_EQ(1, read(pipefd[0], &c, 1));
		close(pipefd[0]);
		usleep(1000 + round * 3000);	/* different points of RUN */
		ASSERT_EQ(0, kill(pid, SIGKILL));
		ASSERT_EQ(pid, waitpid(pid, &status, 0));
		EXPECT_TRUE(WIFSIGNALED(status));
		EXPECT_EQ(SIGKILL, WTERMSIG(status));
	}
	expect_fresh_vm_runs(_metadata);
}

/* ---- create/destroy without leaks -------------------------------------------- */

static long meminfo_kib(const char *field)
{
	char line[256];
	size_t n = strlen(field);
	long v = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, field, n) && line[n] == ':') {
			v = strtol(line + n + 1, NULL, 10);
			break;
		}
	fclose(f);
	return v;
}

/* Memory the kernel holds that page cache and free lists do not explain. */
static long kernel_used_kib(void)
{
	return meminfo_kib("MemTotal") - meminfo_kib("MemFree") -
	       meminfo_kib("Buffers") - meminfo_kib("Cached") -
	       meminfo_kib("SReclaimable");
}

static void settle(void)
{
	FILE *f = fopen("/proc/sys/vm/drop_caches", "w");

	sync();
	if (f) {
		fputs("3\n", f);
		fclose(f);
	}
	usleep(100 * 1000);	/* RCU-deferred frees */
}

/*
 * One cycle: a VM with a 2 MiB slot, a vCPU with its run mapping, and on
 * every 8th cycle a real-mode HLT that makes the module pin a page and
 * build nested page tables -- then everything closed.
 */
static void create_destroy_cycle(uint8_t *backing, int i)
{
	int sys = svmhv_open_sys();
	int vm = ioctl(sys, SVMHV_CREATE_VM, 0);
	struct svmhv_memory_region r = {
		.slot = i % SVMHV_MAX_MEM_SLOTS,
		.guest_phys_addr = 0,
		.memory_size = 2 * MiB,
		.userspace_addr = (uintptr_t)backing,
	};
	struct svmhv_run *run;
	int vcpu;

	TEST_ASSERT(vm >= 0, "CREATE_VM in cycle %d", i);
	TEST_ASSERT(!ioctl(vm, SVMHV_SET_MEMORY_REGION, &r), "slot in cycle %d", i);
	vcpu = ioctl(vm, SVMHV_CREATE_VCPU, i % SVMHV_MAX_VCPUS);
	TEST_ASSERT(vcpu >= 0, "CREATE_VCPU in cycle %d", i);
	run = mmap(NULL, SVMHV_RUN_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
		   vcpu, 0);
	TEST_ASSERT(run != MAP_FAILED, "mmap in cycle %d", i);
	if (i % 8 == 0) {
		struct svmhv_sregs s;
		struct svmhv_regs regs;

		TEST_ASSERT(!ioctl(vcpu, SVMHV_GET_SREGS, &s), "GET_SREGS");
		s.cs.base = 0;
		s.cs.selector = 0;
		TEST_ASSERT(!ioctl(vcpu, SVMHV_SET_SREGS, &s), "SET_SREGS");
		TEST_ASSERT(!ioctl(vcpu, SVMHV_GET_REGS, &regs), "GET_REGS");
		regs.rip = 0x1000;
		TEST_ASSERT(!ioctl(vcpu, SVMHV_SET_REGS, &regs), "SET_REGS");
		TEST_ASSERT(!ioctl(vcpu, SVMHV_RUN, 0) &&
			    run->exit_reason == SVMHV_EXIT_HLT,
			    "cycle %d: HLT guest gave exit %u", i, run->exit_reason);
	}
	munmap(run, SVMHV_RUN_SIZE);
	/* Alternate the close order. */
	if (i & 1) {
		close(vcpu);
		close(vm);
	} else {
		close(vm);
		close(vcpu);
	}
	close(sys);
}

/*
 * Generic KASAN keeps freed slab objects in a quarantine of up to 1/32 of
 * RAM before they are really freed (mm/kasan/quarantine.c), and nothing
 * drains it on demand: on such a kernel /proc/meminfo cannot tell a leak
 * from the quarantine, and kmemleak, which the debug kernel has, is the
 * judge instead.  Its symbols are the sign of it.
 */
static bool kernel_has_kasan(void)
{
	char line[256];
	bool found = false;
	FILE *f = fopen("/proc/kallsyms", "r");

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		found = strstr(line, " kasan_quarantine_put") != NULL;
	fclose(f);
	return found;
}

static bool kmemleak_write(const char *cmd)
{
	FILE *f = fopen("/sys/kernel/debug/kmemleak", "w");
	bool ok;

	if (!f)
		return false;
	ok = fputs(cmd, f) >= 0;
	return !fclose(f) && ok;
}

/*
 * Objects kmemleak finds unreferenced whose allocation backtrace runs
 * through svmhv.  Scanned twice: an object younger than 5 s is not
 * reported by the scan that first sees it unreferenced.
 */
static int kmemleak_svmhv_leaks(struct __test_metadata *_metadata)
{
	char line[512];
	bool in_svmhv_object = false;
	int leaks = 0;
	FILE *f;

	kmemleak_write("scan");
	sleep(6);
	kmemleak_write("scan");
	f = fopen("/sys/kernel/debug/kmemleak", "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "unreferenced object", 19))
			in_svmhv_object = false;
		else if (!in_svmhv_object && strstr(line, "[svmhv]")) {
			in_svmhv_object = true;
			leaks++;
			TH_LOG("kmemleak: %s", line);
		}
	}
	fclose(f);
	return leaks;
}

FIXTURE(soak) {};
FIXTURE_SETUP(soak) {}
FIXTURE_TEARDOWN(soak) {}

/*
 * Tolerances: a cycle allocates at least a VMCB page, a run page and
 * nested page-table pages; leaking any one page per cycle grows kernel
 * memory by 40 MiB over 10,000 cycles, and leaking even a 256-byte object
 * per cycle by 2.4 MiB.  Per-CPU page lists and slab caches can hold on to
 * about a megabyte across the measurement on the test machine (2 CPUs),
 * so growth above 2 MiB (used memory) or 1.5 MiB (unreclaimable slab) is
 * a leak.  The warm-up fills those caches first.
 */
TEST_F_TIMEOUT(soak, vm_create_destroy_10000_times_does_not_leak, 600)
{
	const int warmup = 1000;
	int cycles = getenv("SVMHV_SOAK") ? 100000 : 10000;
	long used0, slab0, used1, slab1;
	bool kasan;
	uint8_t *backing = mmap(NULL, 2 * MiB, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ASSERT_NE(MAP_FAILED, backing);
	backing[0x1000] = 0xf4;		/* hlt */
	kasan = kernel_has_kasan();
	/* Reports older than this test are guest-init.sh's to show. */
	if (kasan)
		ASSERT_TRUE(kmemleak_write("clear"))
			TH_LOG("KASAN without a writable kmemleak: no leak judge");
	for (int i = 0; i < warmup; i++)
		create_destroy_cycle(backing, i);
	settle();
	used0 = kernel_used_kib();
	slab0 = meminfo_kib("SUnreclaim");
	ASSERT_LT(0, used0);
	for (int i = 0; i < cycles; i++)
		create_destroy_cycle(backing, i);
	settle();
	used1 = kernel_used_kib();
	slab1 = meminfo_kib("SUnreclaim");
	TH_LOG("%d cycles: kernel-used %ld -> %ld KiB, SUnreclaim %ld -> %ld KiB",
	       cycles, used0, used1, slab0, slab1);
	if (kasan) {
		TH_LOG("KASAN's quarantine hides leaks from meminfo: kmemleak judges");
		EXPECT_EQ(0, kmemleak_svmhv_leaks(_metadata));
	} else {
		EXPECT_GT(2048L, used1 - used0);
		EXPECT_GT(1536L, slab1 - slab0);
	}
	munmap(backing, 2 * MiB);
}

SVMHV_TEST_HARNESS_MAIN
