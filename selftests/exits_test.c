// SPDX-License-Identifier: GPL-2.0
/*
 * Exits to userspace and how the guest resumes after them: HLT, VMMCALL,
 * port I/O in long mode (single and REP string), MMIO reads and writes of
 * every size, read-only memory, triple fault, VMRUN refusing the state
 * (FAIL_ENTRY), and leaving RUN for signals and immediate_exit.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>

#include "svmhv_test.h"
#include "guest_paging.h"

#define MMIO_GPA	0xd0000000ULL
#define RO_GPA		0xc0000000ULL
#define RO_SIZE		(64 * KiB)
#define IO_PORT		0x2000

static void guest_done(void)
{
	GUEST_DONE();
}

/* ---- HLT ------------------------------------------------------------------ */

extern char guest_hlt_insn[];

static void guest_hlt(void)
{
	asm volatile(".globl guest_hlt_insn\nguest_hlt_insn: hlt" ::: "memory");
	GUEST_SYNC(1);
	GUEST_DONE();
}

TEST(hlt_exits_with_rip_past_hlt)
{
	struct svmhv_vcpu *vcpu;
	struct svmhv_vm *vm = vm_create_with_one_vcpu(&vcpu, guest_hlt);
	struct svmhv_regs r;

	vcpu_run(vcpu);
	TEST_ASSERT_EXIT_REASON(vcpu, SVMHV_EXIT_HLT);
	EXPECT_EQ((uint64_t)(uintptr_t)guest_hlt_insn, vcpu->run->rip);
	EXPECT_EQ(0, vcpu->run->if_flag);
	vcpu_regs_get(vcpu, &r);
	EXPECT_EQ((uint64_t)(uintptr_t)guest_hlt_insn + 1, r.rip);
	vcpu_run_expect_sync(vcpu, 1, NULL);
	vcpu_run_expect_done(vcpu);
	vm_free(vm);
}

/* ---- VMMCALL -------------------------------------------------------------- */

static void guest_vmmcall(void)
{
	uint64_t rax = 0x1000000000000001ULL, rbx = 0x2000000000000002ULL;
	uint64_t rcx = 0x3000000000000003ULL, rdx = 0x4000000000000004ULL;
	uint64_t rsi = 0x5000000000000005ULL, rdi = 0x6000000000000006ULL;

	asm volatile("vmmcall"
		     : "+a"(rax), "+b"(rbx), "+c"(rcx), "+d"(rdx), "+S"(rsi),
		       "+D"(rdi)
		     : : "memory");
	GUEST_ASSERT_EQ(rax, 0xfeedfacecafebeefULL);
	GUEST_ASSERT_EQ(rbx, 0x2000000000000002ULL);
	GUEST_ASSERT_EQ(rcx, 0x3000000000000003ULL);
	GUEST_ASSERT_EQ(rdx, 0x4000000000000004ULL);
	GUEST_ASSERT_EQ(rsi, 0x5000000000000005ULL);
	GUEST_ASSERT_EQ(rdi, 0x6000000000000006ULL);

	rax = SVMHV_HC_VMM_BASE + 7;
	asm volatile("vmmcall" : "+a"(rax) : "b"(0), "c"(0), "d"(0), "S"(0),
		     "D"(0) : "memory");
	GUEST_ASSERT_EQ(rax, 0);
	/* The kernel's numbers never exit: the ABI version, and ENOSYS. */
	rax = SVMHV_HC_ABI_VERSION;
	rbx = 0x77;
	asm volatile("vmmcall" : "+a"(rax), "+b"(rbx) : : "memory");
	GUEST_ASSERT_EQ(rax, SVMHV_HC_ABI);
	GUEST_ASSERT_EQ(rbx, 0);
	rax = SVMHV_HC_VMM_BASE - 1;
	asm volatile("vmmcall" : "+a"(rax) : : "memory");
	GUEST_ASSERT_EQ(rax, SVMHV_HC_ENOSYS);
	GUEST_DONE();
}

TEST(vmmcall_exits_with_guest_registers_and_returns_ret_in_rax)
{
	struct svmhv_vcpu *vcpu;
	struct svmhv_vm *vm = vm_create_with_one_vcpu(&vcpu, guest_vmmcall);
	struct svmhv_run *run = vcpu->run;

	vcpu_run(vcpu);
	TEST_ASSERT_EXIT_REASON(vcpu, SVMHV_EXIT_HYPERCALL);
	EXPECT_EQ(0x1000000000000001ULL, run->hypercall.rax);
	EXPECT_EQ(0x2000000000000002ULL, run->hypercall.rbx);
	EXPECT_EQ(0x3000000000000003ULL, run->hypercall.rcx);
	EXPECT_EQ(0x4000000000000004ULL, run->hypercall.rdx);
	EXPECT_EQ(0x5000000000000005ULL, run->hypercall.rsi);
	EXPECT_EQ(0x6000000000000006ULL, run->hypercall.rdi);
	run->hypercall.ret = 0xfeedfacecafebeefULL;

	vcpu_run(vcpu);
	TEST_ASSERT_EXIT_REASON(vcpu, SVMHV_EXIT_HYPERCALL);
	EXPECT_EQ(SVMHV_HC_VMM_BASE + 7ULL, run->hypercall.rax);
	EXPECT_EQ(0ULL, run->hypercall.rdi);
	run->hypercall.ret = 0;
	vcpu_run_expect_done(vcpu);
	vm_free(vm);
}

/* ---- port I/O in long mode ------------------------------------------------ */

static void guest_port_io(void)
{
	uint64_t rax;

	outb(IO_PORT, 0xa1);
	outw(IO_PORT + 1, 0xb2c3);
	outl(IO_PORT + 2, 0xd4e5f607);

	rax = 0x1122334455667788ULL;
	asm volatile("inb %%dx, %%al" : "+a"(rax) : "d"(IO_PORT + 3));
	GUEST_ASSERT_EQ(rax, 0x11223344556677f1ULL);
	rax = 0x1122334455667788ULL;
	asm volatile("inw %%dx, %%ax" : "+a"(rax) : "d"(IO_PORT + 4));
	GUEST_ASSERT_EQ(rax, 0x112233445566f2e3ULL);
	/* A 32-bit destination zero-extends in 64-bit mode. */
	rax = 0x1122334455667788ULL;
	asm volatile("inl %%dx, %%eax" : "+a"(rax) : "d"(IO_PORT + 5));
	GUEST_ASSERT_EQ(rax, 0x00000000f4d5c6b7ULL);
	GUEST_DONE();
}

static void expect_io1(struct __test_metadata *_metadata,
		       struct svmhv_vcpu *vcpu, int dir, int size, int port)
{
	TEST_ASSERT_EXIT_REASON(vcpu, SVMHV_EXIT_IO);
	EXPECT_EQ(dir, vcpu->run->io.direction);
	EXPECT_EQ(size, vcpu->run->io.size);
	EXPECT_EQ(port, vcpu->run->io.port);
	EXPECT_EQ(1U, vcpu->run->io.count);
	EXPECT_EQ(0, vcpu->run->io.string);
	EXPECT_EQ(0, vcpu->run->io.rep);
}

TEST(port_io_in_long_mode_carries_each_size)
{
	struct svmhv_vcpu *vcpu;
	struct svmhv_vm *vm = vm_create_with_one_vcpu(&vcpu, guest_port_io);
	uint8_t *d = vcpu->run->io.data;

	vcpu_run(vcpu);
	expect_io1(_metadata, vcpu, SVMHV_IO_OUT, 1, IO_PORT);
	EXPECT_EQ(0xa1, d[0]);
	vcpu_run(vcpu);
	expect_io1(_metadata, vcpu, SVMHV_IO_OUT, 2, IO_PORT + 1);
	EXPECT_EQ(0, memcmp(d, "\xc3\xb2", 2));
	vcpu_run(vcpu);
	expect_io1(_metadata, vcpu, SVMHV_IO_OUT, 4, IO_PORT + 2);
	EXPECT_EQ(0, memcmp(d, "\x07\xf6\xe5\xd4", 4));

	vcpu_run(vcpu);
	expect_io1(_metadata, vcpu, SVMHV_IO_IN, 1, IO_PORT + 3);
	d[0] = 0xf1;
	vcpu_run(vcpu);
	expect_io1(_metadata, vcpu, SVMHV_IO_IN, 2, IO_PORT + 4);
	memcpy(d, "\xe3\xf2", 2);
	vcpu_run(vcpu);
	expect_io1(_metadata, vcpu, SVMHV_IO_IN, 4, IO_PORT + 5);
	memcpy(d, "\xb7\xc6\xd5\xf4", 4);
	vcpu_run_expect_done(vcpu);
	vm_free(vm);
}

#define INS_LEN		2500
#define OUTSW_WORDS	700
static uint8_t ins_buf[INS_LEN];
static uint16_t outsw_buf[OUTSW_WORDS];

static void guest_string_io(void)
{
	uint64_t rdi = (uint64_t)ins_buf, rsi = (uint64_t)outsw_buf, rcx;

	rcx = INS_LEN;
	asm volatile("cld; rep insb"
		     : "+D"(rdi), "+c"(rcx) : "d"(IO_PORT + 8) : "memory");
	GUEST_ASSERT_EQ(rcx, 0);
	GUEST_ASSERT_EQ(rdi, (uint64_t)ins_buf + INS_LEN);
	for (int i = 0; i < INS_LEN; i++)
		GUEST_ASSERT_EQ(ins_buf[i], (uint8_t)(i * 13 + 5));

	for (int i = 0; i < OUTSW_WORDS; i++)
		outsw_buf[i] = (uint16_t)(i * 0x101 + 0x4000);
	rcx = OUTSW_WORDS;
	asm volatile("cld; rep outsw"
		     : "+S"(rsi), "+c"(rcx) : "d"(IO_PORT + 10) : "memory");
	GUEST_ASSERT_EQ(rcx, 0);
	GUEST_ASSERT_EQ(rsi, (uint64_t)outsw_buf + 2 * OUTSW_WORDS);
	GUEST_DONE();
}

TEST(rep_ins_and_outs_move_all_elements_in_chunks)
{
	struct svmhv_vcpu *vcpu;
	struct svmhv_vm *vm = vm_create_with_one_vcpu(&vcpu, guest_string_io);
	struct svmhv_run *run = vcpu->run;
	uint64_t cmd;
	uint32_t done = 0;
	int exits = 0;

	/* rep insb: the host supplies count bytes per exit. */
	while (done < INS_LEN) {
		vcpu_run(vcpu);
		TEST_ASSERT_EXIT_REASON(vcpu, SVMHV_EXIT_IO);
		ASSERT_EQ(SVMHV_IO_IN, run->io.direction);
		ASSERT_EQ(1, run->io.size);
		ASSERT_EQ(IO_PORT + 8, run->io.port);
		ASSERT_EQ(1, run->io.string);
		ASSERT_EQ(1, run->io.rep);
		ASSERT_LT(0U, run->io.count);
		ASSERT_GE((uint32_t)SVMHV_IO_DATA_MAX, run->io.count);
		ASSERT_GE((uint32_t)INS_LEN - done, run->io.count);
		for (uint32_t i = 0; i < run->io.count; i++)
			run->io.data[i] = (uint8_t)((done + i) * 13 + 5);
		done += run->io.count;
		exits++;
	}
	EXPECT_LE(3, exits);

	/* rep outsw: count 2-byte elements per exit. */
	done = 0;
	for (;;) {
		vcpu_run(vcpu);
		if (run->exit_reason != SVMHV_EXIT_IO || run->io.port == UCALL_PORT)
			break;
		ASSERT_EQ(SVMHV_IO_OUT, run->io.direction);
		ASSERT_EQ(2, run->io.size);
		ASSERT_EQ(IO_PORT + 10, run->io.port);
		ASSERT_EQ(1, run->io.string);
		ASSERT_EQ(1, run->io.rep);
		ASSERT_LT(0U, run->io.count);
		ASSERT_GE((uint32_t)SVMHV_IO_DATA_MAX / 2, run->io.count);
		ASSERT_GE((uint32_t)OUTSW_WORDS - done, run->io.count);
		for (uint32_t i = 0; i < run->io.count; i++) {
			uint16_t w;

			memcpy(&w, run->io.data + 2 * i, 2);
			ASSERT_EQ((uint16_t)((done + i) * 0x101 + 0x4000), w)
				TH_LOG("word %u", done + i);
		}
		done += run->io.count;
	}
	EXPECT_EQ((uint32_t)OUTSW_WORDS, done);
	cmd = get_ucall(vcpu, NULL);
	if (cmd == UCALL_ABORT) {
		struct ucall uc;

		get_ucall(vcpu, &uc);
		report_guest_assert(&uc);
	}
	EXPECT_EQ((uint64_t)UCALL_DONE, cmd);
	vm_free(vm);
}

/*
 * rep insw with the direction flag set: 2-byte elements, stored downwards
 * from ES:RDI, element k of the transfer at RDI - 2k, in as many exits as
 * the data area needs; RDI and RCX end exactly where the CPU would leave
 * them.
 */
#define INSW_WORDS	1500
static uint16_t insw_buf[INSW_WORDS];

static void guest_rep_insw_backwards(void)
{
	uint64_t rdi = (uint64_t)&insw_buf[INSW_WORDS - 1], rcx = INSW_WORDS;

	asm volatile("std; rep insw; cld"
		     : "+D"(rdi), "+c"(rcx) : "d"(IO_PORT + 12) : "memory");
	GUEST_ASSERT_EQ(rcx, 0);
	GUEST_ASSERT_EQ(rdi, (uint64_t)insw_buf - 2);
	/* The first word transferred is the last in the buffer. */
	for (int k = 0; k < INSW_WORDS; k++)
		GUEST_ASSERT_EQ(insw_buf[INSW_WORDS - 1 - k],
				(uint16_t)(k * 0x0203 + 0x1100));
	GUEST_DONE();
}

TEST(rep_insw_with_df_set_fills_downwards_in_chunks)
{
	struct svmhv_vcpu *vcpu;
	struct svmhv_vm *vm = vm_create_with_one_vcpu(&vcpu,
						      guest_rep_insw_backwards);
	struct svmhv_run *run = vcpu->run;
	uint32_t done = 0;
	int exits = 0;

	while (done < INSW_WORDS) {
		vcpu_run(vcpu);
		TEST_ASSERT_EXIT_REASON(vcpu, SVMHV_EXIT_IO);
		ASSERT_EQ(SVMHV_IO_IN, run->io.direction);
		ASSERT_EQ(2, run->io.size);
		ASSERT_EQ(IO_PORT + 12, run->io.port);
		ASSERT_EQ(1, run->io.string);
		ASSERT_EQ(1, run->io.rep);
		ASSERT_LT(0U, run->io.count);
		ASSERT_GE((uint32_t)SVMHV_IO_DATA_MAX / 2, run->io.count);
		ASSERT_GE((uint32_t)INSW_WORDS - done, run->io.count);
		for (uint32_t i = 0; i < run->io.count; i++) {
			uint16_t w = (uint16_t)((done + i) * 0x0203 + 0x1100);

			memcpy(run->io.data + 2 * i, &w, 2);
		}
		done += run->io.count;
		exits++;
	}
	EXPECT_LE(3, exits);	/* 3000 bytes need at least three exits */
	vcpu_run_expect_done(vcpu);
	vm_free(vm);
}

/* ---- MMIO --------------------------------------------------------------- */

static void guest_mmio(void)
{
	uint64_t base = MMIO_GPA, v;

	asm volatile("movb %%al, (%0)" : : "r"(base), "a"(0x11) : "memory");
	asm volatile("movw %%ax, 0x10(%0)" : : "r"(base), "a"(0x2233) : "memory");
	asm volatile("movl %%eax, 0x20(%0)" : : "r"(base), "a"(0x44556677)
		     : "memory");
	asm volatile("movq %%rax, 0x30(%0)" : : "r"(base),
		     "a"(0x8899aabbccddeeffULL) : "memory");
	asm volatile("movl $0x13579bdf, 0x40(%0)" : : "r"(base) : "memory");

	/* Reads: the destination keeps its upper bits for 1- and 2-byte
	 * loads; a 4-byte load zero-extends. */
	v = 0x1122334455667788ULL;
	asm volatile("movb 0x50(%1), %b0" : "+c"(v) : "r"(base) : "memory");
	GUEST_ASSERT_EQ(v, 0x11223344556677a5ULL);
	v = 0x1122334455667788ULL;
	asm volatile("movw 0x60(%1), %w0" : "+c"(v) : "r"(base) : "memory");
	GUEST_ASSERT_EQ(v, 0x112233445566b4c3ULL);
	v = 0x1122334455667788ULL;
	asm volatile("movl 0x70(%1), %k0" : "+c"(v) : "r"(base) : "memory");
	GUEST_ASSERT_EQ(v, 0xdeadbeefULL);
	asm volatile("movq 0x80(%1), %%r9; movq %%r9, %0"
		     : "=r"(v) : "r"(base) : "r9", "memory");
	GUEST_ASSERT_EQ(v, 0x0123456789abcdefULL);
	GUEST_DONE();
}

static void expect_mmio(struct __test_metadata *_metadata,
			struct svmhv_vcpu *vcpu, uint64_t gpa, uint32_t len,
			int is_write)
{
	TEST_ASSERT_EXIT_REASON(vcpu, SVMHV_EXIT_MMIO);
	EXPECT_EQ(gpa, vcpu->run->mmio.phys_addr);
	EXPECT_EQ(len, vcpu->run->mmio.len);
	EXPECT_EQ(is_write, vcpu->run->mmio.is_write);
}

TEST(mmio_outside_ram_exits_with_address_size_and_data)
{
	struct svmhv_vcpu *vcpu;
	struct svmhv_vm *vm = vm_create_with_one_vcpu(&vcpu, guest_mmio);
	uint8_t *d = vcpu->run->mmio.data;

	vcpu_run(vcpu);
	expect_mmio(_metadata, vcpu, MMIO_GPA, 1, 1);
	EXPECT_EQ(0x11, d[0]);
	vcpu_run(vcpu);
	expect_mmio(_metadata, vcpu, MMIO_GPA + 0x10, 2, 1);
	EXPECT_EQ(0, memcmp(d, "\x33\x22", 2));
	vcpu_run(vcpu);
	expect_mmio(_metadata, vcpu, MMIO_GPA + 0x20, 4, 1);
	EXPECT_EQ(0, memcmp(d, "\x77\x66\x55\x44", 4));
	vcpu_run(vcpu);
	expect_mmio(_metadata, vcpu, MMIO_GPA + 0x30, 8, 1);
	EXPECT_EQ(0, memcmp(d, "\xff\xee\xdd\xcc\xbb\xaa\x99\x88", 8));
	vcpu_run(vcpu);
	expect_mmio(_metadata, vcpu, MMIO_GPA + 0x40, 4, 1);
	EXPECT_EQ(0, memcmp(d, "\xdf\x9b\x57\x13", 4));

	vcpu_run(vcpu);
	expect_mmio(_metadata, vcpu, MMIO_GPA + 0x50, 1, 0);
	d[0] = 0xa5;
	vcpu_run(vcpu);
	expect_mmio(_metadata, vcpu, MMIO_GPA + 0x60, 2, 0);
	memcpy(d, "\xc3\xb4", 2);
	vcpu_run(vcpu);
	expect_mmio(_metadata, vcpu, MMIO_GPA + 0x70, 4, 0);
	memcpy(d, "\xef\xbe\xad\xde", 4);
	vcpu_run(vcpu);
	expect_mmio(_metadata, vcpu, MMIO_GPA + 0x80, 8, 0);
	memcpy(d, "\xef\xcd\xab\x89\x67\x45\x23\x01", 8);
	vcpu_run_expect_done(vcpu);
	vm_free(vm);
}

static uint64_t ro_word(uint64_t i)
{
	return i * 0x9e3779b97f4a7c15ULL + 1;
}

static void guest_readonly(void)
{
	volatile uint64_t *ro = (volatile uint64_t *)RO_GPA;

	for (uint64_t i = 0; i < RO_SIZE / 8; i++)
		GUEST_ASSERT_EQ(ro[i], ro_word(i));
	GUEST_SYNC(1);
	asm volatile("movq %%rax, (%0)" : : "r"(RO_GPA + 0x100),
		     "a"(0x5555aaaa5555aaaaULL) : "memory");
	GUEST_ASSERT_EQ(ro[0x100 / 8], ro_word(0x100 / 8));
	GUEST_DONE();
}

TEST(readonly_memory_reads_without_exit_and_writes_exit_as_mmio)
{
	struct svmhv_vcpu *vcpu;
	struct svmhv_vm *vm;
	uint64_t *buf;
	int sys = svmhv_open_sys();
	long cap = ioctl(sys, SVMHV_CHECK_CAP, SVMHV_CAP_READONLY_MEM);

	close(sys);
	if (cap != 1)
		SKIP(return, "SVMHV_CAP_READONLY_MEM is %ld", cap);

	vm = vm_create_with_one_vcpu(&vcpu, guest_readonly);
	buf = mmap(NULL, RO_SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, buf);
	for (uint64_t i = 0; i < RO_SIZE / 8; i++)
		buf[i] = ro_word(i);
	vm_set_memory_region(vm, 1, SVMHV_MEM_READONLY, RO_GPA, RO_SIZE, buf);

	/* All reads happen before the first exit. */
	vcpu_run_expect_sync(vcpu, 1, NULL);
	vcpu_run(vcpu);
	expect_mmio(_metadata, vcpu, RO_GPA + 0x100, 8, 1);
	EXPECT_EQ(0, memcmp(vcpu->run->mmio.data,
			    "\xaa\xaa\x55\x55\xaa\xaa\x55\x55", 8));
	vcpu_run_expect_done(vcpu);
	EXPECT_EQ(ro_word(0x100 / 8), buf[0x100 / 8]);
	vm_free(vm);
	munmap(buf, RO_SIZE);
}

/* ---- triple fault and refused entry ------------------------------------- */

static void guest_triple_fault(void)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) idtr = { 0, 0 };

	/* #UD with an empty IDT -> #GP -> #DF -> shutdown */
	asm volatile("lidt %0\n.globl guest_ud2_triple\nguest_ud2_triple:\n\tud2"
		     : : "m"(idtr) : "memory");
	GUEST_FAIL("survived a triple fault");
}

extern char guest_ud2_triple[];

TEST(triple_fault_is_shutdown_until_set_sregs)
{
	struct svmhv_vcpu *vcpu;
	struct svmhv_vm *vm = vm_create_with_one_vcpu(&vcpu, guest_triple_fault);
	struct svmhv_regs r;

	struct svmhv_sregs s;

	vcpu_run(vcpu);
	TEST_ASSERT_EXIT_REASON(vcpu, SVMHV_EXIT_SHUTDOWN);
	/* run->rip names the instruction; the VMCB is reset (15.12). */
	EXPECT_EQ((uint64_t)(uintptr_t)guest_ud2_triple, vcpu->run->rip);
	vcpu_regs_get(vcpu, &r);
	vcpu_sregs_get(vcpu, &s);
	EXPECT_EQ(0xfff0ULL, r.rip);
	EXPECT_EQ(0xf000, s.cs.selector);
	EXPECT_EQ(0x60000010ULL, s.cr0);
	EXPECT_EQ(0ULL, s.efer);
	vcpu_run(vcpu);
	TEST_ASSERT_EXIT_REASON(vcpu, SVMHV_EXIT_SHUTDOWN);

	/* A fresh long-mode state makes the vCPU usable again. */
	vcpu_init_long_mode_sregs(vcpu);
	memset(&r, 0, sizeof(r));
	r.rip = (uint64_t)(uintptr_t)guest_done;
	r.rsp = vcpu->stack_top_gpa - 8;
	r.rflags = X86_EFLAGS_FIXED;
	vcpu_regs_set(vcpu, &r);
	vcpu_run_expect_done(vcpu);
	vm_free(vm);
}

/*
 * VMMCALL is not privileged, but only the guest kernel may reach the VMM:
 * from ring 3 it returns SVMHV_HC_EPERM in RAX and RUN never sees it (a
 * HYPERCALL exit would fail vcpu_run_expect_sync()).
 */
static void user_vmmcall(uint64_t arg)
{
	uint64_t rax = arg;

	asm volatile("vmmcall" : "+a"(rax) : : "rbx", "rcx", "rdx", "rsi",
		     "rdi", "memory");
	GUEST_SYNC_ARGS(1, rax, 0, 0, 0);
	GUEST_DONE();
}

static void guest_vmmcall_in_ring3(uint64_t user_stack)
{
	guest_enter_user(user_vmmcall, 0x5a5a, user_stack, 0);
}

TEST(vmmcall_from_ring3_fails_in_the_guest_without_an_exit)
{
	struct svmhv_vm *vm = vm_create(DEFAULT_GUEST_RAM);
	struct svmhv_vcpu *vcpu = vcpu_create(vm, 0, guest_vmmcall_in_ring3);
	uint64_t stack = vm_alloc(vm, 16384, 4096) + 16384;
	struct ucall uc;

	vcpu_enable_user_mode(vcpu);
	virt_set_user(vm, 0, GUEST_IDENTITY_MAP_SIZE);
	vcpu_args_set(vcpu, 1, stack);
	vcpu_run_expect_sync(vcpu, 1, &uc);
	EXPECT_EQ((uint64_t)SVMHV_HC_EPERM, uc.args[1]);
	vcpu_run_expect_done(vcpu);
	vm_free(vm);
}

/*
 * An exception whose delivery reads an IDT that lies in MMIO: the access
 * is the CPU's, not the instruction's, so nothing may be emulated.  RUN
 * reports INTERNAL_ERROR / SVMHV_INTERNAL_DELIVERY naming the event (#UD,
 * an exception) and the address, and does so again on the next RUN: the
 * event is still pending.
 */
static void guest_idt_in_mmio(void)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) idtr = { 0xfff, MMIO_GPA };

	asm volatile("lidt %0; ud2" : : "m"(idtr) : "memory");
	GUEST_FAIL("#UD delivered through an IDT in MMIO");
}

TEST(event_delivery_through_mmio_is_an_internal_delivery_error)
{
	struct svmhv_vcpu *vcpu;
	struct svmhv_vm *vm = vm_create_with_one_vcpu(&vcpu, guest_idt_in_mmio);
	struct svmhv_run *run = vcpu->run;
	int sys = svmhv_open_sys();

	EXPECT_EQ(1, ioctl(sys, SVMHV_CHECK_CAP, SVMHV_CAP_DELIVERY_ERROR));
	close(sys);
	for (int i = 0; i < 2; i++) {
		vcpu_run(vcpu);
		TEST_ASSERT_EXIT_REASON(vcpu, SVMHV_EXIT_INTERNAL_ERROR);
		EXPECT_EQ(SVMHV_INTERNAL_DELIVERY, run->internal.suberror);
		EXPECT_EQ(MMIO_GPA + 6 * 16, run->internal.gpa);
		EXPECT_EQ(6ULL, run->internal.event & 0xff);
		EXPECT_EQ(3ULL, (run->internal.event >> 8) & 7);
		EXPECT_NE(0ULL, run->internal.event & (1ULL << 31));
	}
	vm_free(vm);
}

/*
 * A VMRUN that fails (here through the module's fail_vmrun test hook,
 * which enters with ASID 0 as APM vol. 2, 15.5.1 forbids) is reported as
 * FAIL_ENTRY with the state untouched; the next RUN enters normally.
 */
TEST(failed_vmrun_is_fail_entry_and_state_survives)
{
	struct svmhv_vcpu *vcpu;
	struct svmhv_vm *vm = vm_create_with_one_vcpu(&vcpu, guest_done);
	struct svmhv_regs before, after;

	if (!svmhv_set_fail_vmrun(1))
		SKIP(vm_free(vm); return, "fail_vmrun parameter not writable");
	vcpu_regs_get(vcpu, &before);
	ASSERT_EQ(0, _vcpu_run(vcpu));
	TEST_ASSERT_EXIT_REASON(vcpu, SVMHV_EXIT_FAIL_ENTRY);
	EXPECT_EQ((__u64)-1, vcpu->run->fail_entry.hardware_exit_code);
	vcpu_regs_get(vcpu, &after);
	EXPECT_EQ(0, memcmp(&before, &after, sizeof(before)));
	vcpu_run_expect_done(vcpu);
	vm_free(vm);
}

/* ---- leaving RUN: signals and immediate_exit ---------------------------- */

static volatile uint64_t spin_release;

static void guest_spin(void)
{
	GUEST_SYNC(1);
	while (!spin_release)
		;
	GUEST_SYNC(2);
	GUEST_DONE();
}

struct kicker {
	pthread_t target;
	volatile int stop;
	int sent;
};

static void *kick_thread(void *arg)
{
	struct kicker *k = arg;
	struct timespec ts = { 0, 20 * 1000 * 1000 };

	/* Keep signalling: one sent before the vCPU enters RUN is lost. */
	while (!k->stop) {
		nanosleep(&ts, NULL);
		if (!k->stop) {
			pthread_kill(k->target, SIGUSR1);
			k->sent++;
		}
	}
	return NULL;
}

static volatile sig_atomic_t sigusr1_count;

static void on_sigusr1(int sig)
{
	(void)sig;
	sigusr1_count++;
}

TEST(signal_interrupts_spinning_guest_which_then_resumes)
{
	struct svmhv_vcpu *vcpu;
	struct svmhv_vm *vm = vm_create_with_one_vcpu(&vcpu, guest_spin);
	struct sigaction sa = { .sa_handler = on_sigusr1 };
	struct kicker k = { .target = pthread_self() };
	pthread_t thread;
	int ret, err;

	ASSERT_EQ(0, sigaction(SIGUSR1, &sa, NULL));
	vcpu_run_expect_sync(vcpu, 1, NULL);

	ASSERT_EQ(0, pthread_create(&thread, NULL, kick_thread, &k));
	ret = _vcpu_run(vcpu);
	err = errno;
	k.stop = 1;
	pthread_join(thread, NULL);
	ASSERT_EQ(-1, ret);
	ASSERT_EQ(EINTR, err);
	EXPECT_EQ(SVMHV_EXIT_INTR, vcpu->run->exit_reason);
	EXPECT_LE(1, sigusr1_count);

	/* The guest is intact: release it through its memory. */
	GUEST_VAR(vm, spin_release) = 1;
	vcpu_run_expect_sync(vcpu, 2, NULL);
	vcpu_run_expect_done(vcpu);
	vm_free(vm);
}

TEST(immediate_exit_returns_eintr_without_entering_guest)
{
	struct svmhv_vcpu *vcpu;
	struct svmhv_vm *vm = vm_create_with_one_vcpu(&vcpu, guest_hlt);
	struct svmhv_regs r;

	vcpu->run->immediate_exit = 1;
	ASSERT_EQ(-1, _vcpu_run(vcpu));
	ASSERT_EQ(EINTR, errno);
	EXPECT_EQ(SVMHV_EXIT_INTR, vcpu->run->exit_reason);
	vcpu_regs_get(vcpu, &r);
	EXPECT_EQ((uint64_t)(uintptr_t)guest_hlt, r.rip);
	/* Still set: still no entry. */
	ASSERT_EQ(-1, _vcpu_run(vcpu));
	ASSERT_EQ(EINTR, errno);

	vcpu->run->immediate_exit = 0;
	vcpu_run(vcpu);
	TEST_ASSERT_EXIT_REASON(vcpu, SVMHV_EXIT_HLT);
	EXPECT_EQ((uint64_t)(uintptr_t)guest_hlt_insn, vcpu->run->rip);
	vm_free(vm);
}

/* ---- exceptions the guest handles itself ---------------------------------- */

static volatile uint64_t own_counts[32], own_cr2;

static void own_handler(struct ex_regs *regs)
{
	own_counts[regs->vector & 31]++;
	switch (regs->vector) {
	case UD_VECTOR:		/* ud2 */
		regs->rip += 2;
		break;
	case GP_VECTOR:		/* movq (%rax) with a non-canonical RAX */
	case PF_VECTOR:		/* movq (%rax), 3 bytes */
		own_cr2 = regs->vector == PF_VECTOR ? ({
			uint64_t c;

			asm volatile("mov %%cr2, %0" : "=r"(c));
			c; }) : own_cr2;
		regs->rip += 3;
		break;
	case DE_VECTOR:		/* divl %ecx, 2 bytes */
		regs->rip += 2;
		break;
	}			/* #BP: int3 is a trap, RIP is already past */
}

static void guest_own_exceptions(void)
{
	GUEST_SYNC(1);
	for (int i = 0; i < 50; i++) {
		uint64_t v;

		asm volatile("ud2" ::: "memory");
		asm volatile("movq (%1), %0" : "=r"(v)
			     : "a"(0x8000000000000000ULL) : "memory");
		/* Canonical, beyond the 4 GiB identity map: #PF */
		asm volatile("movq (%1), %0" : "=r"(v)
			     : "a"(0x0000400000001000ULL) : "memory");
		asm volatile("divl %%ecx" : : "a"(1), "d"(0), "c"(0) : "memory");
		asm volatile("int3" ::: "memory");
	}
	GUEST_SYNC_ARGS(2, own_counts[UD_VECTOR], own_counts[GP_VECTOR],
			own_counts[PF_VECTOR], own_counts[DE_VECTOR]);
	GUEST_SYNC_ARGS(3, own_counts[BP_VECTOR], own_cr2, 0, 0);
	GUEST_DONE();
}

/*
 * #UD, #GP, #PF, #DE and #BP raised and handled in the guest never leave
 * it: the exit after GUEST_SYNC(1) is GUEST_SYNC(2).
 */
TEST(exceptions_handled_by_guest_cause_no_exit_to_userspace)
{
	struct svmhv_vcpu *vcpu;
	struct svmhv_vm *vm = vm_create_with_one_vcpu(&vcpu, guest_own_exceptions);
	int vectors[] = { UD_VECTOR, GP_VECTOR, PF_VECTOR, DE_VECTOR, BP_VECTOR };
	struct ucall uc;

	for (unsigned int i = 0; i < ARRAY_SIZE(vectors); i++)
		vm_install_exception_handler(vm, vectors[i], own_handler);
	vcpu_run_expect_sync(vcpu, 1, NULL);
	vcpu_run(vcpu);
	ASSERT_EQ((uint64_t)UCALL_SYNC, get_ucall(vcpu, &uc));
	ASSERT_EQ(2ULL, uc.args[0]);
	EXPECT_EQ(50ULL, uc.args[1]);
	EXPECT_EQ(50ULL, uc.args[2]);
	EXPECT_EQ(50ULL, uc.args[3]);
	EXPECT_EQ(50ULL, uc.args[4]);
	vcpu_run_expect_sync(vcpu, 3, &uc);
	EXPECT_EQ(50ULL, uc.args[1]);
	EXPECT_EQ(0x0000400000001000ULL, uc.args[2]);
	vcpu_run_expect_done(vcpu);
	vm_free(vm);
}

SVMHV_TEST_HARNESS_MAIN
