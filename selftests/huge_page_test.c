// SPDX-License-Identifier: GPL-2.0
/*
 * Huge nested pages (module/svm/npf.c, npt/npt.c): where the VMM's memory
 * is a 2 MiB transparent huge page or hugetlbfs page, svmhv maps it with
 * one 2 MiB nested page, so touching 64 MiB costs 32 nested page faults
 * instead of 16384; and a change the host makes to part of such a page
 * (mprotect, munmap of 4 KiB inside it) is honoured for that part.
 */
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "svmhv_test.h"

#define SLOT_GPA	0x40000000ULL
#define TOUCH_SIZE	(64 * MiB)

/* Transparent huge pages exist (PREEMPT_RT kernels have none). */
static int has_thp(void)
{
	return access("/sys/kernel/mm/transparent_hugepage/enabled", F_OK) == 0;
}

static int has_notifier(void)
{
	int sys = svmhv_open_sys();
	int cap = ioctl(sys, SVMHV_CHECK_CAP, SVMHV_CAP_MMU_NOTIFIER);

	close(sys);
	return cap == 1;
}

/* kB of AnonHugePages in this process, -1 if unknown. */
static long anon_huge_kib(void)
{
	char line[128];
	long kib = -1;
	FILE *f = fopen("/proc/self/smaps_rollup", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "AnonHugePages: %ld kB", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

/* Read one qword of every 4 KiB page of [SLOT_GPA, + size). */
static void guest_touch_every_page(uint64_t size)
{
	uint64_t sum = 0;

	for (uint64_t p = SLOT_GPA; p < SLOT_GPA + size; p += 4096)
		sum += *(volatile uint64_t *)p;
	GUEST_SYNC_ARGS(1, sum, 0, 0, 0);
	GUEST_DONE();
}

/* Nested page faults of one run of guest_touch_every_page over @mem. */
static uint64_t touch_faults(void *mem, uint64_t size, uint64_t *mapped)
{
	struct svmhv_stats before, after, vmst;
	struct svmhv_vcpu *vcpu;
	struct svmhv_vm *vm = vm_create_with_one_vcpu(&vcpu,
						      guest_touch_every_page);

	vm_set_memory_region(vm, 1, 0, SLOT_GPA, size, mem);
	vcpu_args_set(vcpu, 1, size);
	svmhv_get_stats(vcpu->fd, &before);
	vcpu_run_expect_sync(vcpu, 1, NULL);
	svmhv_get_stats(vcpu->fd, &after);
	svmhv_get_stats(vm->fd, &vmst);
	vcpu_run_expect_done(vcpu);
	vm_free(vm);
	/* Slot 1 alone: what the VM maps minus what slot 0 (code) needs. */
	*mapped = vmst.mapped_pages;
	return after.npf_exits - before.npf_exits;
}

TEST(thp_backed_ram_is_mapped_2mib_at_a_time)
{
	uint64_t huge_faults, small_faults, mapped, small_kib;
	uint8_t *mem;
	long huge_kib;

	if (!has_notifier())
		SKIP(return, "no SVMHV_CAP_MMU_NOTIFIER");
	if (!has_thp())
		SKIP(return, "no transparent huge pages in this kernel");
	mem = anon_aligned(TOUCH_SIZE);
	ASSERT_EQ(0, madvise(mem, TOUCH_SIZE, MADV_HUGEPAGE));
	for (uint64_t i = 0; i < TOUCH_SIZE; i += 4096)
		mem[i] = 1;
	huge_kib = anon_huge_kib();
	if (huge_kib < (long)(TOUCH_SIZE / 2 / 1024))
		SKIP(return, "no transparent huge pages here (AnonHugePages %ld kB)",
		     huge_kib);
	/* What THP could not give (a fragmented host) is mapped 4 KiB at a time. */
	small_kib = huge_kib < (long)(TOUCH_SIZE / 1024) ?
		    TOUCH_SIZE / 1024 - huge_kib : 0;
	huge_faults = touch_faults(mem, TOUCH_SIZE, &mapped);
	EXPECT_LE(TOUCH_SIZE / 4096, mapped);
	/* 32 huge pages, one fault per 4 KiB page of the rest, a few more. */
	EXPECT_LE(huge_faults, TOUCH_SIZE / (2 * MiB) + small_kib / 4 + 16)
		TH_LOG("%lu nested page faults for %llu MiB of THP",
		       huge_faults, TOUCH_SIZE / MiB);
	munmap(mem, TOUCH_SIZE);

	mem = anon_aligned(TOUCH_SIZE);
	ASSERT_EQ(0, madvise(mem, TOUCH_SIZE, MADV_NOHUGEPAGE));
	for (uint64_t i = 0; i < TOUCH_SIZE; i += 4096)
		mem[i] = 1;
	small_faults = touch_faults(mem, TOUCH_SIZE, &mapped);
	EXPECT_LE(TOUCH_SIZE / 4096, small_faults);
	printf("# nested page faults touching %llu MiB: %lu with THP, %lu without (%.0fx)\n",
	       TOUCH_SIZE / MiB, huge_faults, small_faults,
	       (double)small_faults / (huge_faults ? huge_faults : 1));
	munmap(mem, TOUCH_SIZE);
}

/* Touch everything, then per stage: 1 write page 5, 2 read page 5, 3 write page 6. */
static void guest_poke(void)
{
	volatile uint64_t *p5 = (volatile uint64_t *)(SLOT_GPA + 5 * 4096);
	volatile uint64_t *p6 = (volatile uint64_t *)(SLOT_GPA + 6 * 4096);
	uint64_t sum = 0;

	for (uint64_t p = SLOT_GPA; p < SLOT_GPA + 2 * MiB; p += 4096)
		sum += *(volatile uint64_t *)p;
	*p6 = 1;	/* writable now: the huge page is mapped writable */
	GUEST_SYNC_ARGS(1, sum, 0, 0, 0);
	*p6 = 2;
	GUEST_SYNC_ARGS(2, *p5, 0, 0, 0);
	*p5 = 3;
	GUEST_SYNC_ARGS(3, *p5, 0, 0, 0);
	GUEST_DONE();
}

/*
 * mprotect(PROT_READ) of one 4 KiB page inside a 2 MiB page the guest has
 * mapped whole: the guest still writes the page beside it, reads the
 * protected one, and its write there stops it with SVMHV_INTERNAL_MEMORY.
 */
TEST(mprotect_of_4kib_inside_a_huge_mapping_is_honoured)
{
	struct svmhv_vcpu *vcpu;
	struct svmhv_vm *vm;
	uint64_t *mem;

	if (!has_notifier())
		SKIP(return, "no SVMHV_CAP_MMU_NOTIFIER");
	if (!has_thp())
		SKIP(return, "no transparent huge pages in this kernel");
	mem = anon_aligned(2 * MiB);
	ASSERT_EQ(0, madvise(mem, 2 * MiB, MADV_HUGEPAGE));
	memset(mem, 0, 2 * MiB);
	mem[5 * 512] = 55;
	vm = vm_create_with_one_vcpu(&vcpu, guest_poke);
	vm_set_memory_region(vm, 1, 0, SLOT_GPA, 2 * MiB, mem);
	vcpu_run_expect_sync(vcpu, 1, NULL);
	ASSERT_EQ(0, mprotect(mem + 5 * 512, 4096, PROT_READ));
	{
		struct ucall uc;

		vcpu_run_expect_sync(vcpu, 2, &uc);
		EXPECT_EQ(55ULL, uc.args[1]);
	}
	EXPECT_EQ(2ULL, mem[6 * 512]);
	vcpu_run(vcpu);
	TEST_ASSERT_EXIT_REASON(vcpu, SVMHV_EXIT_INTERNAL_ERROR);
	EXPECT_EQ((uint32_t)SVMHV_INTERNAL_MEMORY, vcpu->run->internal.suberror);
	EXPECT_EQ(SLOT_GPA + 5 * 4096, vcpu->run->internal.gpa & ~0xfffULL);
	EXPECT_EQ(55ULL, mem[5 * 512]);
	vm_free(vm);
	munmap(mem, 2 * MiB);
}

/* Read page 9 and report, forever. */
static void guest_read_page9(void)
{
	for (uint64_t i = 1;; i++) {
		uint64_t sum = 0;

		for (uint64_t p = SLOT_GPA; p < SLOT_GPA + 2 * MiB; p += 4096)
			if (p != SLOT_GPA + 9 * 4096 || i == 1)
				sum += *(volatile uint64_t *)p;
		GUEST_SYNC_ARGS(i, sum, 0, 0, 0);
		if (i == 2)
			(void)*(volatile uint64_t *)(SLOT_GPA + 9 * 4096);
	}
}

/*
 * munmap of one 4 KiB page inside a 2 MiB page the guest mapped whole:
 * the rest stays readable, the hole stops the guest with
 * SVMHV_INTERNAL_MEMORY.
 */
TEST(munmap_of_4kib_inside_a_huge_mapping_is_honoured)
{
	struct svmhv_vcpu *vcpu;
	struct svmhv_vm *vm;
	uint64_t *mem;
	struct ucall uc;

	if (!has_notifier())
		SKIP(return, "no SVMHV_CAP_MMU_NOTIFIER");
	if (!has_thp())
		SKIP(return, "no transparent huge pages in this kernel");
	mem = anon_aligned(2 * MiB);
	ASSERT_EQ(0, madvise(mem, 2 * MiB, MADV_HUGEPAGE));
	for (int i = 0; i < 512; i++)
		mem[i * 512] = i;
	vm = vm_create_with_one_vcpu(&vcpu, guest_read_page9);
	vm_set_memory_region(vm, 1, 0, SLOT_GPA, 2 * MiB, mem);
	vcpu_run_expect_sync(vcpu, 1, &uc);
	EXPECT_EQ(511ULL * 512 / 2, uc.args[1]);
	ASSERT_EQ(0, munmap(mem + 9 * 512, 4096));
	vcpu_run_expect_sync(vcpu, 2, &uc);
	EXPECT_EQ(511ULL * 512 / 2 - 9, uc.args[1]);
	vcpu_run(vcpu);
	TEST_ASSERT_EXIT_REASON(vcpu, SVMHV_EXIT_INTERNAL_ERROR);
	EXPECT_EQ((uint32_t)SVMHV_INTERNAL_MEMORY, vcpu->run->internal.suberror);
	EXPECT_EQ(SLOT_GPA + 9 * 4096, vcpu->run->internal.gpa & ~0xfffULL);
	vm_free(vm);
	munmap(mem, 9 * 4096);
	munmap(mem + 10 * 512, 2 * MiB - 10 * 4096);
}

/* ---- hugetlbfs --------------------------------------------------------- */

#define NR_HUGEPAGES "/proc/sys/vm/nr_hugepages"

static void write_long(const char *path, long v)
{
	char buf[32];
	int fd = open(path, O_WRONLY);

	if (fd < 0)
		return;
	snprintf(buf, sizeof(buf), "%ld", v);
	if (write(fd, buf, strlen(buf)) < 0)
		perror(path);
	close(fd);
}

/* 2 MiB hugetlbfs pages (MAP_HUGETLB): 16 MiB in 8 nested page faults. */
TEST(hugetlbfs_2mib_pages_are_mapped_whole)
{
	const uint64_t size = 16 * MiB;
	uint64_t faults, mapped;
	long old = read_long(NR_HUGEPAGES);
	void *mem;

	if (!has_notifier())
		SKIP(return, "no SVMHV_CAP_MMU_NOTIFIER");
	if (geteuid() != 0 || old < 0)
		SKIP(return, "needs root and " NR_HUGEPAGES);
	write_long(NR_HUGEPAGES, old + size / (2 * MiB));
	mem = mmap(NULL, size, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);
	if (mem == MAP_FAILED) {
		write_long(NR_HUGEPAGES, old);
		SKIP(return, "no 2 MiB huge pages to be had: %s", strerror(errno));
	}
	memset(mem, 7, size);
	faults = touch_faults(mem, size, &mapped);
	EXPECT_LE(size / 4096, mapped);
	/*
	 * 8 huge pages, and slot 0's pages this guest touches first (code,
	 * stack, ucall page, page tables: more where slot 0 has no THPs,
	 * as on PREEMPT_RT); 4 KiB pages would be 4096.
	 */
	EXPECT_LE(faults, size / (2 * MiB) + 16)
		TH_LOG("%lu nested page faults for 16 MiB of hugetlbfs", faults);
	munmap(mem, size);
	write_long(NR_HUGEPAGES, old);
}

#define NR_1G "/sys/kernel/mm/hugepages/hugepages-1048576kB/nr_hugepages"
#ifndef MAP_HUGE_1GB
#define MAP_HUGE_1GB	(30 << 26)	/* MAP_HUGE_SHIFT 26 */
#endif

/* Read one qword of every 2 MiB of [SLOT_GPA, + size). */
static void guest_touch_every_2mib(uint64_t size)
{
	uint64_t sum = 0;

	for (uint64_t p = SLOT_GPA; p < SLOT_GPA + size; p += 2 * MiB)
		sum += *(volatile uint64_t *)p;
	GUEST_SYNC_ARGS(1, sum, 0, 0, 0);
	GUEST_DONE();
}

/*
 * A 1 GiB hugetlbfs page is one 1 GiB nested page: 512 reads, one per
 * 2 MiB, fault once, not 512 times.  The emulated host of make check
 * (2 GiB) rarely has a free, aligned GiB after boot: SKIP when the kernel
 * cannot give one (VM_MEM=4G scripts/check.sh gives it one).
 */
TEST(hugetlbfs_1gib_page_is_one_nested_page)
{
	const uint64_t size = 1024 * MiB;
	struct svmhv_stats before, after;
	struct svmhv_vcpu *vcpu;
	struct svmhv_vm *vm;
	long old = read_long(NR_1G);
	void *mem;

	if (!has_notifier())
		SKIP(return, "no SVMHV_CAP_MMU_NOTIFIER");
	if (geteuid() != 0 || old < 0)
		SKIP(return, "needs root and " NR_1G);
	write_long(NR_1G, old + 1);
	mem = mmap(NULL, size, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | MAP_HUGE_1GB,
		   -1, 0);
	if (mem == MAP_FAILED) {
		write_long(NR_1G, old);
		SKIP(return, "no 1 GiB huge page to be had: %s", strerror(errno));
	}
	*(volatile uint64_t *)mem = 1;
	vm = vm_create_with_one_vcpu(&vcpu, guest_touch_every_2mib);
	vm_set_memory_region(vm, 1, 0, SLOT_GPA, size, mem);
	vcpu_args_set(vcpu, 1, size);
	svmhv_get_stats(vcpu->fd, &before);
	vcpu_run_expect_sync(vcpu, 1, NULL);
	svmhv_get_stats(vcpu->fd, &after);
	/*
	 * One for the GiB, and slot 0's pages this guest touches first (its
	 * code, stack, ucall page and the guest page tables mapping the
	 * GiB): 8 in the emulated machine; 2 MiB pages would take 512.
	 */
	EXPECT_LE(after.npf_exits - before.npf_exits, 16ULL);
	vcpu_run_expect_done(vcpu);
	vm_free(vm);
	munmap(mem, size);
	write_long(NR_1G, old);
}

SVMHV_TEST_HARNESS_MAIN
