// SPDX-License-Identifier: GPL-2.0
/*
 * Dirty logging (SVMHV_MEM_LOG_DIRTY, SVMHV_GET_DIRTY_LOG; module/
 * dirty_log.c): a guest writes a pseudo-random set of pages of a 64 MiB
 * slot (backed by transparent huge pages: the log is still exact to the
 * 4 KiB page) while another thread harvests the log again and again; the
 * union of what was harvested is exactly the set written -- no page
 * missed, none reported that was never written.  And the ioctl's errors.
 */
#include <pthread.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "svmhv_test.h"

#define SLOT_GPA	0x40000000ULL
#define SLOT_SIZE	(64 * MiB)
#define SLOT_PAGES	(SLOT_SIZE / 4096)
#define WRITES		6000

static int has_dirty_log(void)
{
	int sys = svmhv_open_sys();
	int cap = ioctl(sys, SVMHV_CHECK_CAP, SVMHV_CAP_DIRTY_LOG);

	close(sys);
	return cap == 1;
}

static uint64_t next_rand(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Page numbers written, in order; the same sequence host and guest. */
static uint64_t page_of(uint64_t *s)
{
	/* Clustered: most pages written are in a quarter of the slot. */
	uint64_t r = next_rand(s);

	return (r & 3) ? (r >> 8) % (SLOT_PAGES / 4) : (r >> 8) % SLOT_PAGES;
}

static void guest_write_random_pages(uint64_t seed)
{
	uint64_t s = seed;

	GUEST_SYNC(0);		/* the host turns logging on here */
	for (int i = 0; i < WRITES; i++) {
		uint64_t page = page_of(&s);
		volatile uint64_t *p = (volatile uint64_t *)
			(SLOT_GPA + page * 4096 + (i % 512) * 8);

		*p = i;
		if (i % 500 == 499)
			GUEST_SYNC(i);	/* exits, for the harvester to meet */
	}
	GUEST_DONE();
}

static int get_log(int vm_fd, uint32_t slot, uint64_t *bitmap)
{
	struct svmhv_dirty_log log = {
		.slot = slot,
		.bitmap = (uint64_t)(uintptr_t)bitmap,
	};

	return ioctl(vm_fd, SVMHV_GET_DIRTY_LOG, &log) ? -errno : 0;
}

struct harvester {
	int vm_fd;
	volatile int stop;
	uint64_t *seen;		/* union of every harvest */
	unsigned long harvests;
	int error;
};

static void *harvest(void *arg)
{
	struct harvester *h = arg;
	uint64_t *bm = calloc(SLOT_PAGES / 64, sizeof(uint64_t));

	while (!h->stop) {
		int ret = get_log(h->vm_fd, 1, bm);

		if (ret) {
			h->error = ret;
			break;
		}
		for (unsigned int i = 0; i < SLOT_PAGES / 64; i++)
			h->seen[i] |= bm[i];
		h->harvests++;
	}
	free(bm);
	return NULL;
}

TEST(harvested_logs_add_up_to_exactly_the_pages_written)
{
	uint64_t *expect = calloc(SLOT_PAGES / 64, sizeof(uint64_t));
	uint64_t *seen = calloc(SLOT_PAGES / 64, sizeof(uint64_t));
	uint64_t *last = calloc(SLOT_PAGES / 64, sizeof(uint64_t));
	struct harvester h = { .seen = seen };
	const uint64_t seed = 0x243f6a8885a308d3ULL;
	unsigned long missed = 0, extra = 0, nexpect = 0;
	struct svmhv_vcpu *vcpu;
	struct svmhv_vm *vm;
	pthread_t thread;
	uint64_t s = seed;
	uint8_t *mem;
	struct ucall uc;

	if (!has_dirty_log())
		SKIP(return, "no SVMHV_CAP_DIRTY_LOG");
	mem = anon_aligned(SLOT_SIZE);
	/* Every page mapped (2 MiB at a time) and writable before logging. */
	for (uint64_t i = 0; i < SLOT_SIZE; i += 4096)
		mem[i] = 1;
	for (int i = 0; i < WRITES; i++) {
		uint64_t page = page_of(&s);

		expect[page / 64] |= 1ULL << (page % 64);
	}
	vm = vm_create_with_one_vcpu(&vcpu, guest_write_random_pages);
	vm_set_memory_region(vm, 1, 0, SLOT_GPA, SLOT_SIZE, mem);
	vcpu_args_set(vcpu, 1, seed);
	vcpu_run_expect_sync(vcpu, 0, NULL);	/* slot 1 untouched so far */
	/* Logging on: the same region with the flag. */
	vm_set_memory_region(vm, 1, SVMHV_MEM_LOG_DIRTY, SLOT_GPA, SLOT_SIZE,
			     mem);
	h.vm_fd = vm->fd;
	ASSERT_EQ(0, pthread_create(&thread, NULL, harvest, &h));
	for (;;) {
		uint64_t cmd = vcpu_run_ucall(vcpu, &uc);

		if (cmd == UCALL_DONE)
			break;
		ASSERT_EQ(UCALL_SYNC, cmd);
	}
	h.stop = 1;
	pthread_join(thread, NULL);
	ASSERT_EQ(0, h.error);
	ASSERT_EQ(0, get_log(vm->fd, 1, last));
	for (unsigned int i = 0; i < SLOT_PAGES / 64; i++) {
		seen[i] |= last[i];
		missed += __builtin_popcountll(expect[i] & ~seen[i]);
		extra += __builtin_popcountll(seen[i] & ~expect[i]);
		nexpect += __builtin_popcountll(expect[i]);
	}
	printf("# %lu pages written, %lu harvests\n", nexpect, h.harvests);
	EXPECT_EQ(0UL, missed);
	EXPECT_EQ(0UL, extra);
	EXPECT_LE(2UL, h.harvests);
	/* Nothing written since: the next harvest is empty. */
	ASSERT_EQ(0, get_log(vm->fd, 1, last));
	for (unsigned int i = 0; i < SLOT_PAGES / 64; i++)
		EXPECT_EQ(0ULL, last[i]);
	vm_free(vm);
	munmap(mem, SLOT_SIZE);
	free(expect);
	free(seen);
	free(last);
}

static void guest_write_page3(void)
{
	*(volatile uint64_t *)(SLOT_GPA + 3 * 4096) = 1;
	GUEST_SYNC(1);
	*(volatile uint64_t *)(SLOT_GPA + 3 * 4096) = 2;
	GUEST_DONE();
}

TEST(dirty_log_errors_and_a_bad_buffer_loses_nothing)
{
	struct svmhv_dirty_log log = { 0 };
	uint64_t bm[SLOT_PAGES / 64];
	struct svmhv_vcpu *vcpu;
	struct svmhv_vm *vm;
	void *mem;

	if (!has_dirty_log())
		SKIP(return, "no SVMHV_CAP_DIRTY_LOG");
	mem = anon_aligned(SLOT_SIZE);
	vm = vm_create_with_one_vcpu(&vcpu, guest_write_page3);
	vm_set_memory_region(vm, 1, 0, SLOT_GPA, SLOT_SIZE, mem);
	/* Not logging, empty, out of range, reserved fields. */
	EXPECT_EQ(-ENOENT, get_log(vm->fd, 1, bm));
	EXPECT_EQ(-ENOENT, get_log(vm->fd, 7, bm));
	EXPECT_EQ(-EINVAL, get_log(vm->fd, SVMHV_MAX_MEM_SLOTS, bm));
	log.slot = 1;
	log.bitmap = (uint64_t)(uintptr_t)bm;
	log.pad = 1;
	EXPECT_EQ(-1, ioctl(vm->fd, SVMHV_GET_DIRTY_LOG, &log));
	EXPECT_EQ(EINVAL, errno);
	/* Another region at the same slot is still refused. */
	EXPECT_EQ(-1, __vm_set_memory_region(vm, 1, SVMHV_MEM_LOG_DIRTY,
					     SLOT_GPA, SLOT_SIZE / 2, mem));
	EXPECT_EQ(EEXIST, errno);
	EXPECT_EQ(-1, __vm_set_memory_region(vm, 1, SVMHV_MEM_READONLY,
					     SLOT_GPA, SLOT_SIZE, mem));
	EXPECT_EQ(EEXIST, errno);

	vm_set_memory_region(vm, 1, SVMHV_MEM_LOG_DIRTY, SLOT_GPA, SLOT_SIZE,
			     mem);
	vcpu_run_expect_sync(vcpu, 1, NULL);
	/* An unwritable buffer: -EFAULT, and the bit waits for the next call. */
	EXPECT_EQ(-EFAULT, get_log(vm->fd, 1, (uint64_t *)8));
	memset(bm, 0, sizeof(bm));
	ASSERT_EQ(0, get_log(vm->fd, 1, bm));
	EXPECT_EQ(1ULL << 3, bm[0]);
	for (unsigned int i = 1; i < SLOT_PAGES / 64; i++)
		EXPECT_EQ(0ULL, bm[i]);
	/* Logging off: the log is gone, the guest writes on. */
	vm_set_memory_region(vm, 1, 0, SLOT_GPA, SLOT_SIZE, mem);
	EXPECT_EQ(-ENOENT, get_log(vm->fd, 1, bm));
	vcpu_run_expect_done(vcpu);
	EXPECT_EQ(2ULL, *(uint64_t *)((uint8_t *)mem + 3 * 4096));
	vm_free(vm);
	munmap(mem, SLOT_SIZE);
}

SVMHV_TEST_HARNESS_MAIN
