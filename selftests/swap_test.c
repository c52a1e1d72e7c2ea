// SPDX-License-Identifier: GPL-2.0
/*
 * Guest RAM can be swapped out (SVMHV_CAP_MMU_NOTIFIER): a VMM whose
 * memory cgroup allows 24 MiB runs a guest that writes 64 MiB and reads
 * it back twice.  Reclaim swaps guest pages out to zram under the running
 * guest (the notifier unmaps each one first), the guest's next access
 * faults it back in, the guest's data survives, and the cgroup never
 * OOM-kills.  With pinned guest RAM the cgroup could not reclaim at all
 * and the VMM would be killed.
 *
 * Needs root, cgroup v2 with the memory controller, and zram (the check
 * initramfs carries zram.ko and its dependencies in /modules, listed in
 * zram-load-order); else SKIP.  Leaves the machine as it found it.
 */
#include <fcntl.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/swap.h>
#include <sys/wait.h>

#include "svmhv_test.h"

#define SLOT_GPA	0x40000000ULL
#define WORK_SIZE	(64 * MiB)
#define CG_LIMIT	"25165824"	/* 24 MiB */
#define CG_ROOT		"/sys/fs/cgroup"
#define CG		CG_ROOT "/svmhv-swap-test"
#define ZRAM		"/sys/block/zram0"

static uint64_t word(uint64_t gpa, uint64_t pass)
{
	return (gpa * 0x9e3779b97f4a7c15ULL) ^ (pass << 56);
}

/* Write every page, then read and check it twice. */
static void guest_work(void)
{
	for (uint64_t p = SLOT_GPA; p < SLOT_GPA + WORK_SIZE; p += 4096)
		*(volatile uint64_t *)p = word(p, 1);
	GUEST_SYNC(1);
	for (int pass = 0; pass < 2; pass++) {
		for (uint64_t p = SLOT_GPA; p < SLOT_GPA + WORK_SIZE; p += 4096)
			GUEST_ASSERT_EQ(*(volatile uint64_t *)p, word(p, 1));
	}
	GUEST_DONE();
}

static long long read_key(const char *path, const char *key)
{
	char line[256];
	long long v = -1;
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		size_t n = strlen(key);

		if (!strncmp(line, key, n) && line[n] == ' ') {
			v = strtoll(line + n + 1, NULL, 10);
			break;
		}
	}
	fclose(f);
	return v;
}

/* zram0 as swap; false (and nothing changed) if it cannot be had. */
static bool zram_swap_on(void)
{
	if (access(ZRAM, F_OK)) {
		if (system("[ -r /modules/zram-load-order ] && "
			   "while read -r m; do insmod /modules/$m 2>/dev/null; "
			   "done </modules/zram-load-order"))
			return false;
	}
	if (access(ZRAM, F_OK) || write_str(ZRAM "/disksize", "256M"))
		return false;
	if (system("mkswap /dev/zram0 >/dev/null 2>&1") ||
	    swapon("/dev/zram0", 0)) {
		write_str(ZRAM "/reset", "1");
		return false;
	}
	return true;
}

static void zram_swap_off(void)
{
	swapoff("/dev/zram0");
	write_str(ZRAM "/reset", "1");
}

/* A child cgroup with a 24 MiB memory limit; false if impossible. */
static bool cgroup_make(bool *mounted)
{
	*mounted = false;
	if (access(CG_ROOT "/cgroup.controllers", F_OK)) {
		if (mount("none", CG_ROOT, "cgroup2", 0, NULL))
			return false;
		*mounted = true;
	}
	if (write_str(CG_ROOT "/cgroup.subtree_control", "+memory") ||
	    (mkdir(CG, 0755) && errno != EEXIST) ||
	    write_str(CG "/memory.max", CG_LIMIT)) {
		rmdir(CG);
		if (*mounted)
			umount(CG_ROOT);
		return false;
	}
	return true;
}

/*
 * The VMM: joins the cgroup, runs the guest.  Exit status 0 if the guest
 * checked its data, 2 if no page was in swap after the writing pass.
 */
static int vmm_child(void)
{
	struct svmhv_vcpu *vcpu;
	struct svmhv_vm *vm;
	char pid[32];
	void *mem;

	snprintf(pid, sizeof(pid), "%d", getpid());
	if (write_str(CG "/cgroup.procs", pid))
		return 3;
	mem = mmap(NULL, WORK_SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (mem == MAP_FAILED)
		return 4;
	/* 4 KiB pages swap one by one (fails without THP: fine). */
	madvise(mem, WORK_SIZE, MADV_NOHUGEPAGE);
	vm = vm_create_with_one_vcpu(&vcpu, guest_work);
	vm_set_memory_region(vm, 1, 0, SLOT_GPA, WORK_SIZE, mem);
	vcpu_run_expect_sync(vcpu, 1, NULL);
	if (read_long(CG "/memory.swap.current") <= 0)
		return 2;
	vcpu_run_expect_done(vcpu);
	vm_free(vm);
	return 0;
}

FIXTURE(swap) {
	bool zram, cgroup, mounted;
};

FIXTURE_SETUP(swap)
{
	self->zram = self->cgroup = self->mounted = false;
	if (geteuid() != 0)
		return;
	self->zram = zram_swap_on();
	if (self->zram)
		self->cgroup = cgroup_make(&self->mounted);
}

FIXTURE_TEARDOWN(swap)
{
	if (self->cgroup) {
		rmdir(CG);
		if (self->mounted)
			umount(CG_ROOT);
	}
	if (self->zram)
		zram_swap_off();
}

TEST_F_TIMEOUT(swap, guest_ram_swapped_out_under_a_running_guest_survives, 600)
{
	int sys = svmhv_open_sys();
	int status;
	pid_t child;

	if (ioctl(sys, SVMHV_CHECK_CAP, SVMHV_CAP_MMU_NOTIFIER) != 1)
		SKIP(close(sys); return, "no SVMHV_CAP_MMU_NOTIFIER");
	close(sys);
	if (!self->zram || !self->cgroup)
		SKIP(return, "needs root, zram and a cgroup v2 memory controller");

	child = fork();
	ASSERT_LE(0, child);
	if (!child)
		_exit(vmm_child());
	ASSERT_EQ(child, waitpid(child, &status, 0));
	EXPECT_TRUE(WIFEXITED(status)) {
		TH_LOG("the VMM died of signal %d (OOM kill?)",
		       WIFSIGNALED(status) ? WTERMSIG(status) : 0);
	}
	EXPECT_EQ(0, WEXITSTATUS(status)) {
		TH_LOG("VMM status %d (2: nothing was swapped out)",
		       WEXITSTATUS(status));
	}
	EXPECT_EQ(0LL, read_key(CG "/memory.events", "oom_kill"));
	EXPECT_EQ(0LL, read_key(CG "/memory.events", "oom"));
}

SVMHV_TEST_HARNESS_MAIN
