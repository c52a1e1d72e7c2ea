// SPDX-License-Identifier: GPL-2.0
/*
 * Guest RAM follows the VMM's address space (SVMHV_CAP_MMU_NOTIFIER,
 * module/mmu_notifier.c): whatever the process does to the memory behind
 * a slot -- MADV_DONTNEED, a MAP_FIXED mapping over it, a hole punched in
 * the memfd behind it, mprotect, munmap -- the guest's next access sees,
 * never the page that was there before.  With pinned pages (the old
 * model) each of these tests would read stale data.  Nothing stays
 * pinned: pinned_pages is 0, mapped_pages counts what is mapped.  And KSM
 * may merge guest pages, which the guest can still write.
 */
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "svmhv_test.h"

#define SLOT_GPA	0x40000000ULL
#define SLOT_SIZE	(2 * MiB)

static void skip_without_notifier(struct __test_metadata *_metadata)
{
	int sys = svmhv_open_sys();
	int cap = ioctl(sys, SVMHV_CHECK_CAP, SVMHV_CAP_MMU_NOTIFIER);

	close(sys);
	if (cap != 1)
		SKIP(return, "no SVMHV_CAP_MMU_NOTIFIER");
}

/* Read the qword at SLOT_GPA + off, report it, forever. */
static void guest_read_loop(uint64_t off)
{
	for (uint64_t i = 1;; i++)
		GUEST_SYNC_ARGS(i, *(volatile uint64_t *)(SLOT_GPA + off), 0,
				0, 0);
}

static uint64_t next_read(struct svmhv_vcpu *vcpu, uint64_t stage)
{
	struct ucall uc;

	vcpu_run_expect_sync(vcpu, stage, &uc);
	return uc.args[1];
}

static void *anon(size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	TEST_ASSERT(p != MAP_FAILED, "mmap: %s", strerror(errno));
	return p;
}

TEST(madv_dontneed_gives_the_guest_a_zero_page)
{
	struct svmhv_vcpu *vcpu;
	struct svmhv_vm *vm;
	struct svmhv_stats st;
	uint64_t *buf, mapped;

	skip_without_notifier(_metadata);
	vm = vm_create_with_one_vcpu(&vcpu, guest_read_loop);
	buf = anon(SLOT_SIZE);
	buf[0x5000 / 8] = 0x1234567812345678ULL;
	vm_set_memory_region(vm, 1, 0, SLOT_GPA, SLOT_SIZE, buf);
	vcpu_args_set(vcpu, 1, 0x5000);
	EXPECT_EQ(0x1234567812345678ULL, next_read(vcpu, 1));
	svmhv_get_stats(vm->fd, &st);
	EXPECT_EQ(0ULL, st.pinned_pages);
	mapped = st.mapped_pages;
	EXPECT_LE(1ULL, mapped);

	ASSERT_EQ(0, madvise(buf + 0x5000 / 8, 4096, MADV_DONTNEED));
	/* Fewer: that page, or the whole 2 MiB page it was part of. */
	svmhv_get_stats(vm->fd, &st);
	EXPECT_LT(st.mapped_pages, mapped);
	EXPECT_EQ(0ULL, next_read(vcpu, 2));
	/* And the host's writes to the new page reach the guest. */
	buf[0x5000 / 8] = 42;
	EXPECT_EQ(42ULL, next_read(vcpu, 3));
	vm_free(vm);
	munmap(buf, SLOT_SIZE);
}

TEST(a_map_fixed_mapping_over_guest_ram_is_what_the_guest_reads)
{
	struct svmhv_vcpu *vcpu;
	struct svmhv_vm *vm;
	uint64_t *buf, *page;

	skip_without_notifier(_metadata);
	vm = vm_create_with_one_vcpu(&vcpu, guest_read_loop);
	buf = anon(SLOT_SIZE);
	buf[0x3000 / 8] = 0xaaaa;
	vm_set_memory_region(vm, 1, 0, SLOT_GPA, SLOT_SIZE, buf);
	vcpu_args_set(vcpu, 1, 0x3000);
	EXPECT_EQ(0xaaaaULL, next_read(vcpu, 1));

	page = mmap(buf + 0x3000 / 8, 4096, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	ASSERT_EQ((void *)(buf + 0x3000 / 8), (void *)page);
	page[0] = 0xbbbb;
	EXPECT_EQ(0xbbbbULL, next_read(vcpu, 2));
	vm_free(vm);
	munmap(buf, SLOT_SIZE);
}

/* Write @val at SLOT_GPA + @off, report, then read it back forever. */
static void guest_write_then_read(uint64_t off, uint64_t val)
{
	*(volatile uint64_t *)(SLOT_GPA + off) = val;
	GUEST_SYNC(1);
	guest_read_loop(off);
}

/*
 * A memfd mapped twice: the guest's RAM and a second view.  Writes go
 * both ways at once; a hole punched in the file takes the page away from
 * the guest too (a pinned page would keep the old bytes).
 */
TEST(memfd_guest_ram_follows_the_file)
{
	struct svmhv_vcpu *vcpu;
	struct svmhv_vm *vm;
	uint64_t *ram, *view;
	int fd;

	skip_without_notifier(_metadata);
	fd = memfd_create("svmhv-guest-ram", 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ftruncate(fd, SLOT_SIZE));
	ram = mmap(NULL, SLOT_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	view = mmap(NULL, SLOT_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, ram);
	ASSERT_NE(MAP_FAILED, view);

	vm = vm_create_with_one_vcpu(&vcpu, guest_write_then_read);
	vm_set_memory_region(vm, 1, 0, SLOT_GPA, SLOT_SIZE, ram);
	vcpu_args_set(vcpu, 2, 0x7008, 0xfeedface);
	vcpu_run_expect_sync(vcpu, 1, NULL);
	EXPECT_EQ(0xfeedfaceULL, view[0x7008 / 8]);
	view[0x7008 / 8] = 0xc0ffee;
	EXPECT_EQ(0xc0ffeeULL, next_read(vcpu, 1));

	ASSERT_EQ(0, fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
			       0x7000, 4096));
	EXPECT_EQ(0ULL, view[0x7008 / 8]);
	EXPECT_EQ(0ULL, next_read(vcpu, 2));
	view[0x7008 / 8] = 7;
	EXPECT_EQ(7ULL, next_read(vcpu, 3));
	vm_free(vm);
	munmap(ram, SLOT_SIZE);
	munmap(view, SLOT_SIZE);
	close(fd);
}

/* Read, report; write, report. */
static void guest_read_then_write(uint64_t off)
{
	volatile uint64_t *p = (volatile uint64_t *)(SLOT_GPA + off);

	GUEST_SYNC_ARGS(1, *p, 0, 0, 0);
	*p = 5;
	GUEST_SYNC_ARGS(2, *p, 0, 0, 0);
	GUEST_DONE();
}

/*
 * mprotect(PROT_READ) after the guest mapped the page writable: the guest
 * may still read, and its write stops it with SVMHV_INTERNAL_MEMORY (the
 * process could not write there either), the page unchanged.
 */
TEST(mprotect_readonly_takes_write_access_from_the_guest)
{
	struct svmhv_vcpu *vcpu;
	struct svmhv_vm *vm;
	uint64_t *buf;

	skip_without_notifier(_metadata);
	vm = vm_create_with_one_vcpu(&vcpu, guest_read_then_write);
	buf = anon(SLOT_SIZE);
	buf[0x2000 / 8] = 3;	/* the host maps it writable now */
	vm_set_memory_region(vm, 1, 0, SLOT_GPA, SLOT_SIZE, buf);
	vcpu_args_set(vcpu, 1, 0x2000);
	EXPECT_EQ(3ULL, next_read(vcpu, 1));
	ASSERT_EQ(0, mprotect(buf, SLOT_SIZE, PROT_READ));
	vcpu_run(vcpu);
	TEST_ASSERT_EXIT_REASON(vcpu, SVMHV_EXIT_INTERNAL_ERROR);
	EXPECT_EQ((uint32_t)SVMHV_INTERNAL_MEMORY, vcpu->run->internal.suberror);
	EXPECT_EQ(SLOT_GPA + 0x2000, vcpu->run->internal.gpa & ~0xfffULL);
	EXPECT_EQ(3ULL, buf[0x2000 / 8]);
	/* Writable again: the write goes through. */
	ASSERT_EQ(0, mprotect(buf, SLOT_SIZE, PROT_READ | PROT_WRITE));
	EXPECT_EQ(5ULL, next_read(vcpu, 2));
	vcpu_run_expect_done(vcpu);
	EXPECT_EQ(5ULL, buf[0x2000 / 8]);
	vm_free(vm);
	munmap(buf, SLOT_SIZE);
}

static void guest_write_pages_forever(void)
{
	for (uint64_t i = 0;; i++)
		*(volatile uint64_t *)(SLOT_GPA + (i % 512) * 4096) = i;
}

struct runner {
	struct svmhv_vcpu *vcpu;
	volatile int done;
	int errno_seen;
};

static void *run_until_exit(void *arg)
{
	struct runner *r = arg;

	/* Stops retrying once the test gave up on it (immediate_exit). */
	while (_vcpu_run(r->vcpu) < 0 && errno == EINTR &&
	       !r->vcpu->run->immediate_exit)
		;
	r->errno_seen = errno;
	r->done = 1;
	return NULL;
}

static void on_usr1(int sig)
{
	(void)sig;
}

/*
 * munmap of the backing under a guest that writes every page in a loop:
 * the guest stops at once with SVMHV_INTERNAL_MEMORY (it can no longer
 * reach the freed pages, which stayed pinned before).
 */
TEST(munmap_under_a_running_guest_stops_it)
{
	struct sigaction sa = { .sa_handler = on_usr1 };	/* ends RUN: EINTR */
	struct runner r = { 0 };
	bool stuck;
	struct svmhv_vcpu *vcpu;
	struct svmhv_vm *vm;
	pthread_t thread;
	void *buf;
	int i;

	skip_without_notifier(_metadata);
	ASSERT_EQ(0, sigaction(SIGUSR1, &sa, NULL));
	vm = vm_create_with_one_vcpu(&vcpu, guest_write_pages_forever);
	buf = anon(SLOT_SIZE);
	vm_set_memory_region(vm, 1, 0, SLOT_GPA, SLOT_SIZE, buf);
	r.vcpu = vcpu;
	ASSERT_EQ(0, pthread_create(&thread, NULL, run_until_exit, &r));
	usleep(50 * 1000);
	ASSERT_EQ(0, munmap(buf, SLOT_SIZE));
	for (i = 0; i < 1000 && !r.done; i++)
		usleep(10 * 1000);
	/* Not stopped in 10 s: a failure, and the thread is ended. */
	stuck = !r.done;
	if (stuck) {
		vcpu->run->immediate_exit = 1;
		pthread_kill(thread, SIGUSR1);
	}
	pthread_join(thread, NULL);
	ASSERT_FALSE(stuck);
	TEST_ASSERT_EXIT_REASON(vcpu, SVMHV_EXIT_INTERNAL_ERROR);
	EXPECT_EQ((uint32_t)SVMHV_INTERNAL_MEMORY, vcpu->run->internal.suberror);
	vm_free(vm);
}

/* ---- KSM ------------------------------------------------------------------ */

#define KSM "/sys/kernel/mm/ksm/"
#define KSM_PAGES	64

/* Read every page (so each is mapped), report, then write page 0. */
static void guest_ksm(void)
{
	uint64_t sum = 0;

	for (int i = 0; i < KSM_PAGES; i++)
		sum += *(volatile uint64_t *)(SLOT_GPA + i * 4096);
	GUEST_SYNC_ARGS(1, sum, 0, 0, 0);
	for (int i = 0; i < KSM_PAGES; i++)
		sum += *(volatile uint64_t *)(SLOT_GPA + i * 4096);
	GUEST_SYNC_ARGS(2, sum, 0, 0, 0);
	*(volatile uint64_t *)SLOT_GPA = 99;
	GUEST_SYNC_ARGS(3, *(volatile uint64_t *)SLOT_GPA,
			*(volatile uint64_t *)(SLOT_GPA + 4096), 0, 0);
	GUEST_DONE();
}

/*
 * KSM merges identical pages of guest RAM while the guest has them mapped
 * (its write-protection reaches svmhv through the notifier), the guest
 * still reads them, and a guest write to a merged page breaks the sharing
 * for that page only.
 */
FIXTURE(ksm) {
	int unused;
};

FIXTURE_SETUP(ksm)
{
}

FIXTURE_TEARDOWN(ksm)
{
}

TEST_F_TIMEOUT(ksm, merges_guest_pages_and_the_guest_still_writes_them, 120)
{
	char old_run[8] = "0", old_sleep[16] = "20", old_scan[16] = "100";
	struct svmhv_vcpu *vcpu;
	struct svmhv_vm *vm;
	long sharing0 = 0, sharing = 0;
	uint8_t *buf;
	int i;

	skip_without_notifier(_metadata);
	if (geteuid() != 0 || read_long(KSM "run") < 0)
		SKIP(return, "needs root and KSM (" KSM ")");
	snprintf(old_run, sizeof(old_run), "%ld", read_long(KSM "run"));
	snprintf(old_sleep, sizeof(old_sleep), "%ld",
		 read_long(KSM "sleep_millisecs"));
	snprintf(old_scan, sizeof(old_scan), "%ld",
		 read_long(KSM "pages_to_scan"));

	vm = vm_create_with_one_vcpu(&vcpu, guest_ksm);
	buf = anon(SLOT_SIZE);
	for (i = 0; i < KSM_PAGES; i++)
		memset(buf + i * 4096, 0x5c, 4096);
	ASSERT_EQ(0, madvise(buf, SLOT_SIZE, MADV_MERGEABLE));
	vm_set_memory_region(vm, 1, 0, SLOT_GPA, SLOT_SIZE, buf);
	EXPECT_EQ(KSM_PAGES * 0x5c5c5c5c5c5c5c5cULL, next_read(vcpu, 1));

	sharing0 = read_long(KSM "pages_sharing");
	ASSERT_EQ(0, write_str(KSM "pages_to_scan", "10000"));
	ASSERT_EQ(0, write_str(KSM "sleep_millisecs", "1"));
	ASSERT_EQ(0, write_str(KSM "run", "1"));
	for (i = 0; i < 600; i++) {
		sharing = read_long(KSM "pages_sharing");
		if (sharing - sharing0 >= KSM_PAGES / 2)
			break;
		usleep(50 * 1000);
	}
	EXPECT_LE(KSM_PAGES / 2, sharing - sharing0)
		TH_LOG("pages_sharing went from %ld to %ld", sharing0, sharing);

	EXPECT_EQ(2 * KSM_PAGES * 0x5c5c5c5c5c5c5c5cULL, next_read(vcpu, 2));
	{
		struct ucall uc;

		vcpu_run_expect_sync(vcpu, 3, &uc);
		EXPECT_EQ(99ULL, uc.args[1]);
		EXPECT_EQ(0x5c5c5c5c5c5c5c5cULL, uc.args[2]);
	}
	EXPECT_EQ(99ULL, *(uint64_t *)buf);
	EXPECT_EQ(0x5c5c5c5c5c5c5c5cULL, *(uint64_t *)(buf + 4096));
	vcpu_run_expect_done(vcpu);

	write_str(KSM "run", old_run);
	write_str(KSM "sleep_millisecs", old_sleep);
	write_str(KSM "pages_to_scan", old_scan);
	vm_free(vm);
	munmap(buf, SLOT_SIZE);
}

SVMHV_TEST_HARNESS_MAIN
