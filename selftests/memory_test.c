// SPDX-License-Identifier: GPL-2.0
/*
 * Guest memory: the guest and the host see the same bytes through nested
 * paging and the host mapping (64 MiB in both directions), extra slots,
 * deleting a slot while the guest runs, and backing memory that is not
 * there (uapi/svmhv.h: SVMHV_EXIT_INTERNAL_ERROR, SVMHV_INTERNAL_MEMORY),
 * all 32 slots, accesses at every slot boundary, 1 GiB of sparse RAM, two
 * VMs side by side, slots deleted or unmapped under a running vCPU, and
 * guest RAM that is not charged to the owner's locked-memory limit.
 */
#include <pthread.h>
#include <signal.h>
#include <grp.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>

#include "svmhv_test.h"

#define BIG_RAM		(128 * MiB)
#define PATTERN_SIZE	(64 * MiB)
#define SLOT1_GPA	0x40000000ULL
#define HOLE_GPA	0x80000000ULL

static void on_signal(int sig)
{
	(void)sig;
}

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

/* ---- many slots and their boundaries ------------------------------------- */

#define MANY_GPA	0xa0000000ULL	/* slot i at MANY_GPA + i * 2 MiB */
#define MANY_SIZE	(64 * KiB)

static void guest_many_slots(uint64_t nr)
{
	for (uint64_t i = 1; i < nr; i++) {
		volatile uint64_t *first = (volatile uint64_t *)(MANY_GPA + i * 2 * MiB);
		volatile uint64_t *last = first + MANY_SIZE / 8 - 1;

		GUEST_ASSERT_EQ(*first, pattern((uint64_t)first, i));
		GUEST_ASSERT_EQ(*last, pattern((uint64_t)last, i));
		*first = ~pattern((uint64_t)first, i);
		*last = ~pattern((uint64_t)last, i);
	}
	GUEST_DONE();
}

/* Every slot number the module offers, each with its own memory. */
TEST(every_slot_maps_its_own_memory_both_ways)
{
	struct svmhv_vcpu *vcpu;
	struct svmhv_vm *vm = vm_create_with_one_vcpu(&vcpu, guest_many_slots);
	uint64_t *bufs[SVMHV_MAX_MEM_SLOTS];

	for (int i = 1; i < SVMHV_MAX_MEM_SLOTS; i++) {
		uint64_t gpa = MANY_GPA + i * 2 * MiB;

		bufs[i] = mmap(NULL, MANY_SIZE, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		ASSERT_NE(MAP_FAILED, bufs[i]);
		bufs[i][0] = pattern(gpa, i);
		bufs[i][MANY_SIZE / 8 - 1] = pattern(gpa + MANY_SIZE - 8, i);
		vm_set_memory_region(vm, i, 0, gpa, MANY_SIZE, bufs[i]);
	}
	vcpu_args_set(vcpu, 1, (uint64_t)SVMHV_MAX_MEM_SLOTS);
	vcpu_run_expect_done(vcpu);
	for (int i = 1; i < SVMHV_MAX_MEM_SLOTS; i++) {
		uint64_t gpa = MANY_GPA + i * 2 * MiB;

		EXPECT_EQ(~pattern(gpa, i), bufs[i][0]);
		EXPECT_EQ(~pattern(gpa + MANY_SIZE - 8, i), bufs[i][MANY_SIZE / 8 - 1]);
		munmap(bufs[i], MANY_SIZE);
	}
	vm_free(vm);
}

/*
 * Slots A [B0, B0+64K) and B [B0+64K, B0+128K) touch; C is one page at
 * B0+192K.  Reads at each side of every boundary: inside a slot from
 * memory without an exit, outside as an MMIO exit at exactly that address.
 */
#define B0	0x60000000ULL

static const struct {
	uint64_t gpa;
	bool mmio;
} boundary_reads[] = {
	{ B0, false },
	{ B0 + 64 * KiB - 8, false },	/* last of A */
	{ B0 + 64 * KiB, false },	/* first of B */
	{ B0 + 128 * KiB - 8, false },	/* last of B */
	{ B0 + 128 * KiB, true },	/* first after B */
	{ B0 + 192 * KiB - 8, true },	/* last before C */
	{ B0 + 192 * KiB, false },	/* C */
	{ B0 + 196 * KiB - 8, false },	/* last of C */
	{ B0 + 196 * KiB, true },	/* first after C */
	{ B0 - 8, true },		/* last before A */
};

static void guest_boundaries(void)
{
	for (unsigned int i = 0; i < ARRAY_SIZE(boundary_reads); i++) {
		uint64_t v = *(volatile uint64_t *)boundary_reads[i].gpa;

		GUEST_SYNC_ARGS(i, v, 0, 0, 0);
	}
	GUEST_DONE();
}

TEST(accesses_at_every_slot_boundary_hit_memory_inside_mmio_outside)
{
	struct svmhv_vcpu *vcpu;
	struct svmhv_vm *vm = vm_create_with_one_vcpu(&vcpu, guest_boundaries);
	uint8_t *ab = mmap(NULL, 128 * KiB, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint8_t *c = mmap(NULL, 4 * KiB, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct ucall uc;

	ASSERT_NE(MAP_FAILED, ab);
	ASSERT_NE(MAP_FAILED, c);
	vm_set_memory_region(vm, 1, 0, B0, 64 * KiB, ab);
	vm_set_memory_region(vm, 2, 0, B0 + 64 * KiB, 64 * KiB, ab + 64 * KiB);
	vm_set_memory_region(vm, 3, 0, B0 + 192 * KiB, 4 * KiB, c);
	for (unsigned int i = 0; i < ARRAY_SIZE(boundary_reads); i++) {
		uint64_t gpa = boundary_reads[i].gpa;

		if (!boundary_reads[i].mmio)
			*(uint64_t *)addr_gpa2hva(vm, gpa) = pattern(gpa, 5);
	}
	for (unsigned int i = 0; i < ARRAY_SIZE(boundary_reads); i++) {
		uint64_t gpa = boundary_reads[i].gpa, v = pattern(gpa, 9);

		if (boundary_reads[i].mmio) {
			vcpu_run(vcpu);
			TEST_ASSERT_EXIT_REASON(vcpu, SVMHV_EXIT_MMIO);
			ASSERT_EQ(gpa, vcpu->run->mmio.phys_addr);
			ASSERT_EQ(8U, vcpu->run->mmio.len);
			ASSERT_EQ(0, vcpu->run->mmio.is_write);
			memcpy(vcpu->run->mmio.data, &v, 8);
		} else {
			v = pattern(gpa, 5);
		}
		/* A memory read must not exit: the next exit is the ucall. */
		vcpu_run_expect_sync(vcpu, i, &uc);
		EXPECT_EQ(v, uc.args[1]) {
			TH_LOG("read %u at %#lx", i, gpa);
		}
	}
	vcpu_run_expect_done(vcpu);
	vm_free(vm);
	munmap(ab, 128 * KiB);
	munmap(c, 4 * KiB);
}

/* ---- 1 GiB of sparse guest RAM ----------------------------------------------- */

#define SPARSE_GPA	0x40000000ULL
#define SPARSE_SIZE	(1 * GiB)
#define SPARSE_PAGES	1500

static uint64_t sparse_page(uint64_t i)
{
	/* An odd multiplier mod 2^18 visits distinct pages. */
	return (i * 0x2f6b5ULL + 12345) & (SPARSE_SIZE / 4096 - 1);
}

static void guest_sparse(void)
{
	for (uint64_t i = 0; i < SPARSE_PAGES; i++) {
		uint64_t gpa = SPARSE_GPA + sparse_page(i) * 4096 + (i % 512) * 8;
		volatile uint64_t *p = (volatile uint64_t *)gpa;

		GUEST_ASSERT_EQ(*p, pattern(gpa, 1));
		*p = pattern(gpa, 2);
	}
	GUEST_DONE();
}

TEST(sparse_1gib_of_guest_ram_touched_at_random_pages)
{
	struct svmhv_vcpu *vcpu;
	struct svmhv_vm *vm = vm_create_with_one_vcpu(&vcpu, guest_sparse);
	uint8_t *ram = mmap(NULL, SPARSE_SIZE, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	ASSERT_NE(MAP_FAILED, ram);
	for (uint64_t i = 0; i < SPARSE_PAGES; i++) {
		uint64_t off = sparse_page(i) * 4096 + (i % 512) * 8;

		*(uint64_t *)(ram + off) = pattern(SPARSE_GPA + off, 1);
	}
	vm_set_memory_region(vm, 1, 0, SPARSE_GPA, SPARSE_SIZE, ram);
	vcpu_run_expect_done(vcpu);
	for (uint64_t i = 0; i < SPARSE_PAGES; i++) {
		uint64_t off = sparse_page(i) * 4096 + (i % 512) * 8;

		ASSERT_EQ(pattern(SPARSE_GPA + off, 2), *(uint64_t *)(ram + off)) {
			TH_LOG("page %lu", sparse_page(i));
		}
	}
	vm_free(vm);
	munmap(ram, SPARSE_SIZE);
}

/* ---- host writes after the guest mapped a page ---------------------------- */

static void guest_reread(void)
{
	volatile uint64_t *p = (volatile uint64_t *)(SLOT1_GPA + 0x2000);

	for (uint64_t i = 1; i <= 5; i++) {
		GUEST_SYNC_ARGS(i, *p, 0, 0, 0);
		*(p + 1) = i * 0x1111;
	}
	GUEST_DONE();
}

TEST(host_and_guest_see_each_others_writes_to_a_mapped_page_at_once)
{
	struct svmhv_vcpu *vcpu;
	struct svmhv_vm *vm = vm_create_with_one_vcpu(&vcpu, guest_reread);
	uint64_t *buf = mmap(NULL, 2 * MiB, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct ucall uc;

	ASSERT_NE(MAP_FAILED, buf);
	vm_set_memory_region(vm, 1, 0, SLOT1_GPA, 2 * MiB, buf);
	for (uint64_t i = 1; i <= 5; i++) {
		buf[0x2000 / 8] = 0xc0ffee00 + i;
		vcpu_run_expect_sync(vcpu, i, &uc);
		EXPECT_EQ(0xc0ffee00 + i, uc.args[1]);
		if (i > 1)
			EXPECT_EQ((i - 1) * 0x1111, buf[0x2008 / 8]);
	}
	vcpu_run_expect_done(vcpu);
	EXPECT_EQ(5ULL * 0x1111, buf[0x2008 / 8]);
	vm_free(vm);
	munmap(buf, 2 * MiB);
}

/* ---- two VMs ---------------------------------------------------------------- */

static void guest_own_id(uint64_t id)
{
	volatile uint64_t *p = (volatile uint64_t *)(SLOT1_GPA + 0x100);

	for (int round = 0; round < 5; round++) {
		GUEST_ASSERT_EQ(*p, round ? id * 100 + round - 1 : 0);
		*p = id * 100 + round;
		GUEST_SYNC(round);
	}
	GUEST_DONE();
}

TEST(two_vms_never_see_each_others_memory)
{
	struct svmhv_vcpu *va, *vb;
	struct svmhv_vm *a = vm_create_with_one_vcpu(&va, guest_own_id);
	struct svmhv_vm *b = vm_create_with_one_vcpu(&vb, guest_own_id);
	uint64_t *ba = mmap(NULL, 2 * MiB, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint64_t *bb = mmap(NULL, 2 * MiB, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ASSERT_NE(MAP_FAILED, ba);
	ASSERT_NE(MAP_FAILED, bb);
	vm_set_memory_region(a, 1, 0, SLOT1_GPA, 2 * MiB, ba);
	vm_set_memory_region(b, 1, 0, SLOT1_GPA, 2 * MiB, bb);
	vcpu_args_set(va, 1, 1ULL);
	vcpu_args_set(vb, 1, 2ULL);
	/* Interleaved: same guest physical addresses, same code. */
	for (int round = 0; round < 5; round++) {
		vcpu_run_expect_sync(va, round, NULL);
		vcpu_run_expect_sync(vb, round, NULL);
		EXPECT_EQ(100ULL + round, ba[0x100 / 8]);
		EXPECT_EQ(200ULL + round, bb[0x100 / 8]);
	}
	vcpu_run_expect_done(va);
	vcpu_run_expect_done(vb);
	/* Slot 0 too: each guest's stack and globals are its own. */
	EXPECT_NE(a->ram, b->ram);
	vm_free(a);
	vm_free(b);
	munmap(ba, 2 * MiB);
	munmap(bb, 2 * MiB);
}

/* ---- slots changing under a running vCPU ----------------------------------- */

#define FLIP_GPA	0x50000000ULL
#define FLIP_VALUE	0x600d600d600d600dULL
#define FLIP_POISON	0xbadbadbadbadbad0ULL
#define FLIP_MMIO	0x4d4d494f4d4d494fULL

static volatile uint64_t flip_mapped, flip_mmio, flip_poison, flip_other;

static void guest_flip_reader(void)
{
	for (;;) {
		uint64_t v = *(volatile uint64_t *)(FLIP_GPA + 0x40);

		if (v == FLIP_VALUE)
			flip_mapped++;
		else if (v == FLIP_MMIO)
			flip_mmio++;
		else if (v == FLIP_POISON)
			flip_poison++;
		else
			flip_other++;
	}
}

struct flip_runner {
	struct svmhv_vcpu *vcpu;
	volatile int stop;
	int bad_exit;
	uint32_t bad_reason;
};

static void *flip_vcpu_thread(void *arg)
{
	struct flip_runner *r = arg;
	struct svmhv_run *run = r->vcpu->run;

	while (!r->stop) {
		if (_vcpu_run(r->vcpu) < 0) {
			if (errno == EINTR)
				continue;
			r->bad_exit = 1;
			return NULL;
		}
		if (run->exit_reason != SVMHV_EXIT_MMIO ||
		    run->mmio.phys_addr != FLIP_GPA + 0x40 || run->mmio.is_write) {
			r->bad_exit = 1;
			r->bad_reason = run->exit_reason;
			return NULL;
		}
		memcpy(run->mmio.data, &(uint64_t){ FLIP_MMIO }, 8);
	}
	return NULL;
}

/*
 * One thread runs a guest that keeps reading a page of slot 1; the main
 * thread adds and deletes slot 1 over and over.  Once a delete returns,
 * the old backing is poisoned: a guest that still read it (a stale nested
 * mapping or TLB entry) would count the poison.  Deleted memory reads as
 * MMIO.
 */
TEST(guest_never_sees_memory_of_a_slot_deleted_while_it_runs)
{
	struct svmhv_vcpu *vcpu;
	struct svmhv_vm *vm = vm_create_with_one_vcpu(&vcpu, guest_flip_reader);
	struct flip_runner r = { .vcpu = vcpu };
	struct sigaction sa = { .sa_handler = on_signal };
	uint64_t *buf = mmap(NULL, 64 * KiB, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	pthread_t thread;
	uint64_t mapped, mmio;

	ASSERT_EQ(0, sigaction(SIGUSR1, &sa, NULL));
	ASSERT_NE(MAP_FAILED, buf);
	ASSERT_EQ(0, pthread_create(&thread, NULL, flip_vcpu_thread, &r));
	for (int i = 0; i < 60 && !r.bad_exit; i++) {
		buf[0x40 / 8] = FLIP_VALUE;
		vm_set_memory_region(vm, 1, 0, FLIP_GPA, 64 * KiB, buf);
		usleep(1000);
		vm_set_memory_region(vm, 1, 0, 0, 0, NULL);
		buf[0x40 / 8] = FLIP_POISON;
		usleep(1000);
	}
	r.stop = 1;
	vcpu->run->immediate_exit = 1;
	while (pthread_tryjoin_np(thread, NULL)) {
		pthread_kill(thread, SIGUSR1);
		usleep(1000);
	}
	EXPECT_EQ(0, r.bad_exit) {
		TH_LOG("unexpected exit %u (%s)", r.bad_reason,
		       exit_reason_str(r.bad_reason));
	}
	mapped = GUEST_VAR(vm, flip_mapped);
	mmio = GUEST_VAR(vm, flip_mmio);
	TH_LOG("guest reads: %lu from memory, %lu as MMIO", mapped, mmio);
	EXPECT_EQ(0ULL, GUEST_VAR(vm, flip_poison));
	EXPECT_EQ(0ULL, GUEST_VAR(vm, flip_other));
	EXPECT_LT(0ULL, mapped + mmio);
	vm_free(vm);
	munmap(buf, 64 * KiB);
}

static void guest_touch_pages_forever(void)
{
	for (uint64_t i = 0;; i++) {
		volatile uint64_t *p = (volatile uint64_t *)
			(FLIP_GPA + (i % 512) * 4096);

		*p = *p + 1;
	}
}

static void *munmap_vcpu_thread(void *arg)
{
	struct flip_runner *r = arg;
	struct svmhv_run *run = r->vcpu->run;

	while (!r->stop) {
		if (_vcpu_run(r->vcpu) < 0) {
			if (errno == EINTR)
				continue;
			r->bad_exit = 1;
			return NULL;
		}
		/* Once the backing is gone: the documented error, then stop. */
		if (run->exit_reason != SVMHV_EXIT_INTERNAL_ERROR ||
		    run->internal.suberror != SVMHV_INTERNAL_MEMORY) {
			r->bad_exit = 1;
			r->bad_reason = run->exit_reason;
		}
		return NULL;
	}
	return NULL;
}

/*
 * The host unmaps a slot's backing while the guest writes to it: the
 * guest keeps the old pages or stops with SVMHV_INTERNAL_MEMORY; the
 * host does not crash, and the VM can still be torn down.
 */
TEST(host_munmap_of_backing_while_guest_runs_is_clean)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct svmhv_vcpu *vcpu;
	struct svmhv_vm *vm = vm_create_with_one_vcpu(&vcpu, guest_touch_pages_forever);
	struct flip_runner r = { .vcpu = vcpu };
	uint8_t *buf = mmap(NULL, 2 * MiB, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	pthread_t thread;

	ASSERT_EQ(0, sigaction(SIGUSR1, &sa, NULL));
	ASSERT_NE(MAP_FAILED, buf);
	vm_set_memory_region(vm, 1, 0, FLIP_GPA, 2 * MiB, buf);
	ASSERT_EQ(0, pthread_create(&thread, NULL, munmap_vcpu_thread, &r));
	usleep(20 * 1000);
	ASSERT_EQ(0, munmap(buf, 2 * MiB));
	usleep(20 * 1000);
	r.stop = 1;
	vcpu->run->immediate_exit = 1;
	while (pthread_tryjoin_np(thread, NULL)) {
		pthread_kill(thread, SIGUSR1);
		usleep(1000);
	}
	EXPECT_EQ(0, r.bad_exit) {
		TH_LOG("unexpected exit %u (%s)", r.bad_reason,
		       exit_reason_str(r.bad_reason));
	}
	vm_free(vm);
}

SVMHV_TEST_HARNESS_MAIN

/* ---- locked memory (module/vm.c) ----------------------------------------- */

/* VmLck of this process, in KiB; -1 if /proc says nothing. */
static long vm_locked_kib(void)
{
	char line[128];
	long kib = -1;
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmLck: %ld kB", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

/*
 * Guest RAM is not pinned (SVMHV_CAP_MMU_NOTIFIER): it is the process's
 * ordinary memory, so it is not charged to RLIMIT_MEMLOCK.  A process
 * without CAP_IPC_LOCK and a 4 MiB limit gives its guest 8 MiB, the guest
 * touches all of it, and the locked memory stays what it was.
 */
static void guest_touch_8mib(void)
{
	for (uint64_t p = SLOT1_GPA; p < SLOT1_GPA + 8 * MiB; p += 4096)
		*(volatile uint64_t *)p = p;
	GUEST_DONE();
}

TEST(guest_ram_is_not_locked_memory)
{
	const struct rlimit lim = { 4 * MiB, 4 * MiB };
	struct svmhv_vcpu *vcpu;
	struct svmhv_vm *vm;
	long base;
	void *mem;

	if (geteuid() != 0)
		SKIP(return, "needs root to set the limit and drop CAP_IPC_LOCK");
	mem = mmap(NULL, 8 * MiB, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, mem);
	vm = vm_create_with_one_vcpu(&vcpu, guest_touch_8mib);
	/* Lose CAP_IPC_LOCK for good: a uid other than 0 everywhere. */
	ASSERT_EQ(0, setrlimit(RLIMIT_MEMLOCK, &lim));
	ASSERT_EQ(0, setgroups(0, NULL));
	ASSERT_EQ(0, setresgid(65534, 65534, 65534));
	ASSERT_EQ(0, setresuid(65534, 65534, 65534));
	base = vm_locked_kib();
	ASSERT_LE(0, base);

	vm_set_memory_region(vm, 1, 0, SLOT1_GPA, 8 * MiB, mem);
	vcpu_run_expect_done(vcpu);
	EXPECT_EQ(base, vm_locked_kib());
	EXPECT_EQ(SLOT1_GPA + 8 * MiB - 4096,
		  *(uint64_t *)((char *)mem + 8 * MiB - 4096));
	vm_free(vm);
	munmap(mem, 8 * MiB);
}
