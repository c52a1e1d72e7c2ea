// SPDX-License-Identifier: GPL-2.0
/*
 * Host-only tests of the selftest library itself (no /dev/svmhv needed):
 * loading the binary's own PT_LOAD segments, the identity page tables, the
 * GDT and IDT encodings, ucall decoding from a run structure, and the
 * guest vsnprintf against libc's.  Run with `make unit`.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "svmhv_util.h"

extern const uint64_t idt_stub_addrs[NR_VECTORS];

static uint64_t initialised_global = 0x1122334455667788ULL;
static uint64_t bss_global;

/* A VM structure with RAM but no file descriptors: enough for the pure
 * helpers (addr_gpa2hva, vm_load_elf, get_ucall). */
static struct svmhv_vm *fake_vm(uint64_t ram_size)
{
	struct svmhv_vm *vm = calloc(1, sizeof(*vm));

	vm->fd = vm->sys_fd = -1;
	vm->ram_size = ram_size;
	vm->ram = mmap(NULL, ram_size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	TEST_ASSERT(vm->ram != MAP_FAILED, "mmap");
	vm->slots[0].used = true;
	vm->slots[0].gpa = 0;
	vm->slots[0].size = ram_size;
	vm->slots[0].hva = vm->ram;
	return vm;
}

static void fake_vm_free(struct svmhv_vm *vm)
{
	munmap(vm->ram, vm->ram_size);
	free(vm);
}

static __attribute__((noinline)) uint64_t some_guest_function(uint64_t x)
{
	return x * 3 + 1;
}

TEST(elf_segments_include_text_and_data)
{
	struct elf_segment segs[ELF_MAX_SEGMENTS];
	uint64_t fn = (uint64_t)(uintptr_t)some_guest_function;
	uint64_t data = (uint64_t)(uintptr_t)&initialised_global;
	int fd = open("/proc/self/exe", O_RDONLY);
	bool fn_found = false, data_found = false;
	int n;

	ASSERT_LE(0, fd);
	n = elf_read_load_segments(fd, segs, ELF_MAX_SEGMENTS);
	ASSERT_LE(2, n);
	for (int i = 0; i < n; i++) {
		if (fn >= segs[i].vaddr && fn < segs[i].vaddr + segs[i].filesz)
			fn_found = true;
		if (data >= segs[i].vaddr && data < segs[i].vaddr + segs[i].filesz)
			data_found = true;
	}
	EXPECT_TRUE(fn_found);
	EXPECT_TRUE(data_found);
	/* Non-PIE: the image sits at the linker's fixed base. */
	EXPECT_EQ(0x400000ULL, segs[0].vaddr & ~0xfffULL);
	close(fd);
}

TEST(elf_load_copies_file_image_to_gpa_equal_vaddr)
{
	struct svmhv_vm *vm = fake_vm(32 * MiB);
	uint64_t fn = (uint64_t)(uintptr_t)some_guest_function;
	uint64_t end;

	/* The guest must see the file's values, not the host's current ones. */
	initialised_global = 42;
	bss_global = 7;
	end = vm_load_elf(vm, "/proc/self/exe");
	EXPECT_LT((uint64_t)(uintptr_t)&bss_global, end);
	EXPECT_EQ(0, memcmp(addr_gpa2hva(vm, fn), (void *)(uintptr_t)fn, 64));
	EXPECT_EQ(0x1122334455667788ULL, GUEST_VAR(vm, initialised_global));
	EXPECT_EQ(0ULL, GUEST_VAR(vm, bss_global));
	/* Nothing below the image is touched. */
	EXPECT_EQ(0, ((uint8_t *)vm->ram)[GUEST_LOW_FREE_GPA]);
	fake_vm_free(vm);
}

TEST(identity_map_covers_first_4gib_with_2mib_pages)
{
	struct svmhv_vm *vm = fake_vm(8 * MiB);
	uint8_t *ram = vm->ram;
	static const uint64_t probes[] = {
		0, 0x1234, 0x400123, 0x1fffff, 0x200000, 0xd0000000,
		0xfee00000, 0xc0001008, 0xffffffff,
	};
	uint64_t *pd = (uint64_t *)(ram + GUEST_PD_GPA);
	uint64_t *pml4 = (uint64_t *)(ram + GUEST_PML4_GPA);

	virt_build_identity_map(ram + GUEST_PML4_GPA, ram + GUEST_PDPT_GPA,
				ram + GUEST_PD_GPA, GUEST_PDPT_GPA,
				GUEST_PD_GPA);
	for (unsigned int i = 0; i < ARRAY_SIZE(probes); i++) {
		EXPECT_EQ(probes[i], addr_gva2gpa(vm, GUEST_PML4_GPA, probes[i]));
	}
	EXPECT_EQ(GUEST_PDPT_GPA | PTE_PRESENT | PTE_WRITE, pml4[0]);
	EXPECT_EQ(0ULL, pml4[1]);
	EXPECT_EQ(0x83ULL, pd[0]);
	EXPECT_EQ((2047ULL << 21) | 0x83, pd[2047]);
	fake_vm_free(vm);
}

TEST(gdt_has_long_mode_code_data_and_tss)
{
	uint64_t gdt[GUEST_GDT_ENTRIES];

	gdt_build(gdt, 0x12347800ULL);
	EXPECT_EQ(0ULL, gdt[0]);
	EXPECT_EQ(0x00af9b000000ffffULL, gdt[GUEST_SEL_CODE64 / 8]);
	EXPECT_EQ(0x00cf93000000ffffULL, gdt[GUEST_SEL_DATA / 8]);
	EXPECT_EQ(0x12008b3478000067ULL, gdt[GUEST_SEL_TSS / 8]);
	EXPECT_EQ(0ULL, gdt[GUEST_SEL_TSS / 8 + 1]);
}

TEST(idt_gates_enter_per_vector_stubs)
{
	static uint64_t idt[2 * NR_VECTORS];

	idt_build(idt, idt_stub_addrs);
	for (int v = 0; v < NR_VECTORS; v++) {
		uint64_t lo = idt[2 * v], hi = idt[2 * v + 1];
		uint64_t off = (lo & 0xffff) | (lo >> 48 << 16) | (hi << 32);

		ASSERT_EQ(idt_stub_addrs[v], off);
		ASSERT_EQ((uint64_t)GUEST_SEL_CODE64, lo >> 16 & 0xffff);
		ASSERT_EQ(0x8eULL, lo >> 40 & 0xff);
	}
	/* #BP has no error code: push $0, push $3.  #GP has one: push $13. */
	EXPECT_EQ(0, memcmp((void *)(uintptr_t)idt_stub_addrs[BP_VECTOR],
			    "\x6a\x00\x6a\x03", 4));
	EXPECT_EQ(0, memcmp((void *)(uintptr_t)idt_stub_addrs[GP_VECTOR],
			    "\x6a\x0d", 2));
	EXPECT_EQ(0, memcmp((void *)(uintptr_t)idt_stub_addrs[200],
			    "\x6a\x00\x68\xc8\x00\x00\x00", 7));
}

static struct svmhv_vcpu *fake_vcpu(struct svmhv_vm *vm)
{
	struct svmhv_vcpu *vcpu = calloc(1, sizeof(*vcpu));

	vcpu->vm = vm;
	vcpu->fd = -1;
	vcpu->run = calloc(1, SVMHV_RUN_SIZE);
	return vcpu;
}

TEST(get_ucall_reads_struct_at_gpa_from_io_exit)
{
	struct svmhv_vm *vm = fake_vm(2 * MiB);
	struct svmhv_vcpu *vcpu = fake_vcpu(vm);
	struct ucall *g = (struct ucall *)((uint8_t *)vm->ram + 0x20000);
	struct ucall uc;
	uint32_t gpa = 0x20000;

	g->cmd = UCALL_SYNC;
	g->args[0] = 5;
	g->args[4] = 0xdeadbeefcafeULL;
	strcpy(g->buffer, "hello");
	vcpu->run->exit_reason = SVMHV_EXIT_IO;
	vcpu->run->io.direction = SVMHV_IO_OUT;
	vcpu->run->io.port = UCALL_PORT;
	vcpu->run->io.size = 4;
	vcpu->run->io.count = 1;
	memcpy(vcpu->run->io.data, &gpa, 4);

	ASSERT_EQ((uint64_t)UCALL_SYNC, get_ucall(vcpu, &uc));
	EXPECT_EQ(5ULL, uc.args[0]);
	EXPECT_EQ(0xdeadbeefcafeULL, uc.args[4]);
	EXPECT_STREQ("hello", uc.buffer);

	vcpu->run->io.port = 0xe9;
	EXPECT_EQ((uint64_t)UCALL_NONE, get_ucall(vcpu, &uc));
	vcpu->run->io.port = UCALL_PORT;
	vcpu->run->exit_reason = SVMHV_EXIT_MMIO;
	EXPECT_EQ((uint64_t)UCALL_NONE, get_ucall(vcpu, &uc));
	free(vcpu->run);
	free(vcpu);
	fake_vm_free(vm);
}

static void check_fmt(struct __test_metadata *_metadata, const char *fmt, ...)
{
	char mine[128], libc[128];
	va_list ap, ap2;
	int a, b;

	va_start(ap, fmt);
	va_copy(ap2, ap);
	a = guest_vsnprintf(mine, sizeof(mine), fmt, ap);
	b = vsnprintf(libc, sizeof(libc), fmt, ap2);
	va_end(ap2);
	va_end(ap);
	EXPECT_STREQ(libc, mine) TH_LOG("format \"%s\"", fmt);
	EXPECT_EQ(b, a) TH_LOG("format \"%s\"", fmt);
}

TEST(guest_vsnprintf_matches_libc)
{
	check_fmt(_metadata, "plain text");
	check_fmt(_metadata, "%d %i %u", -42, 17, 4000000000U);
	check_fmt(_metadata, "%x %X %#x %#lx", 0xbeefU, 0xbeefU, 0x1fU, 0x0UL);
	check_fmt(_metadata, "%lx %llx %lu", 0xffffffffffffffffUL,
		  0x123456789abcdefULL, 18446744073709551615UL);
	check_fmt(_metadata, "%ld %lld", -9223372036854775807L - 1, -1LL);
	check_fmt(_metadata, "[%8d] [%-8d] [%08x] [%-6s] [%6s]", 42, 42, 0xabU,
		  "ab", "cd");
	check_fmt(_metadata, "%c%c%% %s", 'o', 'k', "end");
	check_fmt(_metadata, "%p %p", (void *)0x401000, (void *)0x7fffdeadbeef);
	check_fmt(_metadata, "%hhu %hu %hd", 0x1ff, 0x1ffff, 0x18000);
	check_fmt(_metadata, "%zu %o %#o", (size_t)123456, 8U, 8U);
	check_fmt(_metadata, "%*d|%s", 5, 7, "x");
}

TEST(guest_vsnprintf_truncates_like_snprintf)
{
	char buf[8];

	memset(buf, 'Z', sizeof(buf));
	EXPECT_EQ(11, guest_snprintf(buf, 6, "%s %d", "hello", 12345));
	EXPECT_STREQ("hello", buf);
	EXPECT_EQ('Z', buf[6]);
	EXPECT_EQ(3, guest_snprintf(buf, 1, "abc"));
	EXPECT_EQ('\0', buf[0]);
	EXPECT_EQ(3, guest_snprintf(NULL, 0, "abc"));
}

TEST_HARNESS_MAIN
