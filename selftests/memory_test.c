// SPDX-License-Identifier: GPL-2.0
/*
 * Guest memory: the guest and the host see the same bytes through nested
 * paging and the host mapping (64 MiB in both directions), extra slots,
 * deleting a slot while the guest runs, and backing memory that is not
 * there (uapi/svmhv.h: SVMHV_EXIT_INTERNAL_ERROR, SVMHV_INTERNAL_MEMORY).
 */
#include <sys/mman.h>

#include "svmhv_test.h"

#define BIG_RAM		(128 * MiB)
#define PATTERN_SIZE	(64 * MiB)
#define SLOT1_GPA	0x40000000ULL
#define HOLE_GPA	0x80000000ULL

static inline uint64_t pattern(uint64_t gpa, uint64_t seed)
{
	return (gpa * 0x9e3779b97f4a7c15ULL) ^ seed;
}

static void guest_write_pattern(uint64_t base, uint64_t size, uint64_t seed)
{
	for (uint64_t p = base; p < base + size; p += 8)
		*(volatile uint64_t *)p = pattern(p, seed);
	GUEST_DONE();
}

static void guest_check_pattern(uint64_t base, uint64_t size, uint64_t seed)
{
	for (uint64_t p = base; p < base + size; p += 8) {
		uint64_t v = *(volatile uint64_t *)p;

		if (v != pattern(p, seed))
			GUEST_FAIL("gpa %#lx holds %#lx, expected %#lx", p, v,
				   pattern(p, seed));
	}
	GUEST_DONE();
}

FIXTURE(big_vm) {
	struct svmhv_vm *vm;
	uint64_t base;
};

FIXTURE_SETUP(big_vm)
{
	self->vm = vm_create(BIG_RAM);
	self->base = vm_alloc(self->vm, PATTERN_SIZE, 2 * MiB);
}

FIXTURE_TEARDOWN(big_vm)
{
	vm_free(self->vm);
}

TEST_F_TIMEOUT(big_vm, guest_writes_64mib_host_reads_every_page, 300)
{
	struct svmhv_vcpu *vcpu = vcpu_create(self->vm, 0, guest_write_pattern);
	const uint64_t seed = 0x5a5a0000a5a5ffffULL;
	uint64_t bad_pages = 0, first_bad = 0;

	vcpu_args_set(vcpu, 3, self->base, PATTERN_SIZE, seed);
	vcpu_run_expect_done(vcpu);
	for (uint64_t page = self->base; page < self->base + PATTERN_SIZE;
	     page += 4096) {
		const uint64_t *h = addr_gpa2hva(self->vm, page);

		for (int i = 0; i < 512; i++) {
			if (h[i] != pattern(page + 8 * i, seed)) {
				if (!bad_pages++)
					first_bad = page + 8 * i;
				break;
			}
		}
	}
	EXPECT_EQ(0ULL, bad_pages) TH_LOG("first mismatch at gpa %#lx", first_bad);
}

TEST_F_TIMEOUT(big_vm, host_writes_64mib_guest_reads_every_page, 300)
{
	struct svmhv_vcpu *vcpu = vcpu_create(self->vm, 0, guest_check_pattern);
	const uint64_t seed = 0x0123456789abcdefULL;
	uint64_t *h = addr_gpa2hva(self->vm, self->base);

	for (uint64_t i = 0; i < PATTERN_SIZE / 8; i++)
		h[i] = pattern(self->base + 8 * i, seed);
	vcpu_args_set(vcpu, 3, self->base, PATTERN_SIZE, seed);
	vcpu_run_expect_done(vcpu);
}

static void guest_slot1(void)
{
	volatile uint64_t *m = (volatile uint64_t *)SLOT1_GPA;

	for (int i = 0; i < 4096; i++)
		GUEST_ASSERT_EQ(m[i * 64], pattern(SLOT1_GPA + i * 512, 1));
	for (int i = 0; i < 4096; i++)
		m[i * 64 + 1] = pattern(SLOT1_GPA + i * 512 + 8, 2);
	GUEST_DONE();
}

TEST(second_slot_is_shared_with_host_both_ways)
{
	struct svmhv_vcpu *vcpu;
	struct svmhv_vm *vm = vm_create_with_one_vcpu(&vcpu, guest_slot1);
	uint64_t *buf = mmap(NULL, 2 * MiB, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ASSERT_NE(MAP_FAILED, buf);
	for (int i = 0; i < 4096; i++)
		buf[i * 64] = pattern(SLOT1_GPA + i * 512, 1);
	vm_set_memory_region(vm, 1, 0, SLOT1_GPA, 2 * MiB, buf);
	vcpu_run_expect_done(vcpu);
	for (int i = 0; i < 4096; i++) {
		ASSERT_EQ(pattern(SLOT1_GPA + i * 512 + 8, 2), buf[i * 64 + 1])
			TH_LOG("qword %d", i * 64 + 1);
	}
	vm_free(vm);
	munmap(buf, 2 * MiB);
}

static void guest_read_twice(void)
{
	uint64_t v;

	v = *(volatile uint64_t *)(SLOT1_GPA + 0x1008);
	GUEST_SYNC_ARGS(1, v, 0, 0, 0);
	v = *(volatile uint64_t *)(SLOT1_GPA + 0x1008);
	GUEST_SYNC_ARGS(2, v, 0, 0, 0);
	GUEST_DONE();
}

TEST(deleted_slot_becomes_mmio_for_running_guest)
{
	struct svmhv_vcpu *vcpu;
	struct svmhv_vm *vm = vm_create_with_one_vcpu(&vcpu, guest_read_twice);
	uint64_t *buf = mmap(NULL, 2 * MiB, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct ucall uc;

	ASSERT_NE(MAP_FAILED, buf);
	buf[0x1008 / 8] = 0x1111222233334444ULL;
	vm_set_memory_region(vm, 1, 0, SLOT1_GPA, 2 * MiB, buf);
	vcpu_run_expect_sync(vcpu, 1, &uc);
	EXPECT_EQ(0x1111222233334444ULL, uc.args[1]);

	vm_set_memory_region(vm, 1, 0, 0, 0, NULL);
	vcpu_run(vcpu);
	TEST_ASSERT_EXIT_REASON(vcpu, SVMHV_EXIT_MMIO);
	EXPECT_EQ(SLOT1_GPA + 0x1008, vcpu->run->mmio.phys_addr);
	EXPECT_EQ(8U, vcpu->run->mmio.len);
	EXPECT_EQ(0, vcpu->run->mmio.is_write);
	memcpy(vcpu->run->mmio.data, "\x88\x77\x66\x55\x44\x33\x22\x11", 8);
	vcpu_run_expect_sync(vcpu, 2, &uc);
	EXPECT_EQ(0x1122334455667788ULL, uc.args[1]);
	vcpu_run_expect_done(vcpu);
	vm_free(vm);
	munmap(buf, 2 * MiB);
}

static void guest_touch_hole(uint64_t write)
{
	if (write)
		*(volatile uint64_t *)(HOLE_GPA + 0x3008) = 1;
	else
		(void)*(volatile uint64_t *)(HOLE_GPA + 0x3008);
	GUEST_FAIL("touching the slot's missing memory did not stop the guest");
}

/*
 * @make_backing runs after the VM exists, so that no later mmap() of the
 * test can land on an address it left unmapped.
 */
static void expect_memory_error(struct __test_metadata *_metadata,
				void *(*make_backing)(void), uint64_t write)
{
	struct svmhv_vcpu *vcpu;
	struct svmhv_vm *vm = vm_create_with_one_vcpu(&vcpu, guest_touch_hole);
	void *backing = make_backing();

	vcpu_args_set(vcpu, 1, write);
	/* Accepted now: the backing is checked when the guest touches it. */
	vm_set_memory_region(vm, 1, 0, HOLE_GPA, 2 * MiB, backing);
	vcpu_run(vcpu);
	TEST_ASSERT_EXIT_REASON(vcpu, SVMHV_EXIT_INTERNAL_ERROR);
	EXPECT_EQ((uint32_t)SVMHV_INTERNAL_MEMORY, vcpu->run->internal.suberror);
	EXPECT_EQ(HOLE_GPA + 0x3000, vcpu->run->internal.gpa & ~0xfffULL);
	vm_free(vm);
	munmap(backing, 2 * MiB);
}

static void *unmapped_range(void)
{
	void *p = mmap(NULL, 2 * MiB, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
		       -1, 0);

	TEST_ASSERT(p != MAP_FAILED, "mmap");
	TEST_ASSERT(munmap(p, 2 * MiB) == 0, "munmap");
	return p;
}

static void *readonly_range(void)
{
	void *p = mmap(NULL, 2 * MiB, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS,
		       -1, 0);

	TEST_ASSERT(p != MAP_FAILED, "mmap");
	return p;
}

TEST(unmapped_backing_memory_is_internal_memory_error)
{
	expect_memory_error(_metadata, unmapped_range, 0);
}

TEST(host_readonly_backing_of_writable_slot_is_internal_memory_error)
{
	expect_memory_error(_metadata, readonly_range, 1);
}

SVMHV_TEST_HARNESS_MAIN
