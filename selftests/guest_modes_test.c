// SPDX-License-Identifier: GPL-2.0
/*
 * Guests in the CPU modes the library offers: a real-mode guest made of
 * hand-assembled bytes (port I/O of every size, string I/O), and long-mode
 * C guests (register and control state at entry, arguments, ucall,
 * exceptions, several vCPUs), 32-bit protected mode with paging off and
 * on, and a guest that switches itself from real to long mode.
 */
#include <errno.h>

#include "svmhv_test.h"

/* Real-mode guests: code and data below 64 KiB, CS base 0. */
#define RM_CODE		0xc000ULL
#define RM_DATA		0xd000ULL
#define RM_PORT		0xe9

static struct svmhv_vcpu *real_mode_vcpu(struct svmhv_vm *vm,
					 const uint8_t *code, size_t len)
{
	struct svmhv_vcpu *vcpu = vcpu_create_reset(vm, 0);
	struct svmhv_sregs s;
	struct svmhv_regs r;

	memcpy(addr_gpa2hva(vm, RM_CODE), code, len);
	vcpu_sregs_get(vcpu, &s);
	s.cs.base = 0;
	s.cs.selector = 0;
	s.ds.base = s.es.base = s.ss.base = 0;
	s.ds.selector = s.es.selector = s.ss.selector = 0;
	vcpu_sregs_set(vcpu, &s);
	vcpu_regs_get(vcpu, &r);
	r.rip = RM_CODE;
	r.rsp = 0x8ff0;
	vcpu_regs_set(vcpu, &r);
	return vcpu;
}

static void expect_io(struct svmhv_vcpu *vcpu, int dir, int size, int port)
{
	struct svmhv_run *run = vcpu->run;

	TEST_ASSERT_EXIT_REASON(vcpu, SVMHV_EXIT_IO);
	TEST_ASSERT(run->io.direction == dir && run->io.size == size &&
		    run->io.port == port && run->io.count == 1 &&
		    !run->io.string && !run->io.rep,
		    "expected %s size %d port %#x count 1, got%s",
		    dir == SVMHV_IO_OUT ? "OUT" : "IN", size, port,
		    exit_details(run));
}

static void expect_hlt_at(struct svmhv_vcpu *vcpu, uint64_t hlt_rip)
{
	struct svmhv_regs r;

	TEST_ASSERT_EXIT_REASON(vcpu, SVMHV_EXIT_HLT);
	TEST_ASSERT(vcpu->run->rip == hlt_rip, "HLT exit rip %#llx, expected %#lx",
		    vcpu->run->rip, hlt_rip);
	vcpu_regs_get(vcpu, &r);
	TEST_ASSERT(r.rip == hlt_rip + 1, "RIP after HLT %#llx, expected %#lx",
		    r.rip, hlt_rip + 1);
}

TEST(real_mode_out_string_exits_once_per_byte)
{
	static const char msg[] = "Hello, real mode!\n";
	const uint8_t code[] = {
		0xbe, RM_DATA & 0xff, RM_DATA >> 8,	/* mov si, RM_DATA */
		0xb9, sizeof(msg) - 1, 0x00,		/* mov cx, len */
		0xba, RM_PORT, 0x00,			/* mov dx, 0xe9 */
		0xac,					/* 9: lodsb */
		0xee,					/* out dx, al */
		0xe2, 0xfc,				/* loop 9 */
		0xf4,					/* 13: hlt */
	};
	struct svmhv_vm *vm = vm_create(DEFAULT_GUEST_RAM);
	struct svmhv_vcpu *vcpu = real_mode_vcpu(vm, code, sizeof(code));

	memcpy(addr_gpa2hva(vm, RM_DATA), msg, sizeof(msg) - 1);
	for (size_t i = 0; i < sizeof(msg) - 1; i++) {
		vcpu_run(vcpu);
		expect_io(vcpu, SVMHV_IO_OUT, 1, RM_PORT);
		ASSERT_EQ(msg[i], vcpu->run->io.data[0]) TH_LOG("byte %zu", i);
		ASSERT_EQ(RM_CODE + 10, vcpu->run->rip);
	}
	vcpu_run(vcpu);
	expect_hlt_at(vcpu, RM_CODE + 13);
	vm_free(vm);
}

TEST(real_mode_out_word_and_dword)
{
	const uint8_t code[] = {
		0xba, 0x34, 0x12,			/* mov dx, 0x1234 */
		0xb8, 0xbb, 0xaa,			/* mov ax, 0xaabb */
		0xef,					/* out dx, ax */
		0x66, 0xb8, 0x44, 0x33, 0x22, 0x11,	/* mov eax, 0x11223344 */
		0x66, 0xef,				/* out dx, eax */
		0xf4,					/* 15: hlt */
	};
	struct svmhv_vm *vm = vm_create(DEFAULT_GUEST_RAM);
	struct svmhv_vcpu *vcpu = real_mode_vcpu(vm, code, sizeof(code));

	vcpu_run(vcpu);
	expect_io(vcpu, SVMHV_IO_OUT, 2, 0x1234);
	EXPECT_EQ(0, memcmp(vcpu->run->io.data, "\xbb\xaa", 2));
	vcpu_run(vcpu);
	expect_io(vcpu, SVMHV_IO_OUT, 4, 0x1234);
	EXPECT_EQ(0, memcmp(vcpu->run->io.data, "\x44\x33\x22\x11", 4));
	EXPECT_EQ(RM_CODE + 13, vcpu->run->rip);
	vcpu_run(vcpu);
	expect_hlt_at(vcpu, RM_CODE + 15);
	vm_free(vm);
}

TEST(real_mode_in_fills_al_ax_eax_and_keeps_upper_bits)
{
	const uint8_t code[] = {
		0xba, 0x78, 0x00,	/* mov dx, 0x78 */
		0xec,			/* 3: in al, dx */
		0xf4,			/* 4: hlt */
		0xed,			/* 5: in ax, dx */
		0xf4,			/* 6: hlt */
		0x66, 0xed,		/* 7: in eax, dx */
		0xf4,			/* 9: hlt */
	};
	struct svmhv_vm *vm = vm_create(DEFAULT_GUEST_RAM);
	struct svmhv_vcpu *vcpu = real_mode_vcpu(vm, code, sizeof(code));
	struct svmhv_regs r;

	vcpu_regs_get(vcpu, &r);
	r.rax = 0x1122334455667788ULL;
	vcpu_regs_set(vcpu, &r);

	vcpu_run(vcpu);
	expect_io(vcpu, SVMHV_IO_IN, 1, 0x78);
	EXPECT_EQ(RM_CODE + 3, vcpu->run->rip);
	vcpu->run->io.data[0] = 0x5a;
	vcpu_run(vcpu);
	expect_hlt_at(vcpu, RM_CODE + 4);
	vcpu_regs_get(vcpu, &r);
	EXPECT_EQ(0x112233445566775aULL, r.rax);

	vcpu_run(vcpu);
	expect_io(vcpu, SVMHV_IO_IN, 2, 0x78);
	memcpy(vcpu->run->io.data, "\x34\x12", 2);
	vcpu_run(vcpu);
	expect_hlt_at(vcpu, RM_CODE + 6);
	vcpu_regs_get(vcpu, &r);
	EXPECT_EQ(0x1122334455661234ULL, r.rax);

	vcpu_run(vcpu);
	expect_io(vcpu, SVMHV_IO_IN, 4, 0x78);
	memcpy(vcpu->run->io.data, "\xef\xbe\xad\xde", 4);
	vcpu_run(vcpu);
	expect_hlt_at(vcpu, RM_CODE + 9);
	vcpu_regs_get(vcpu, &r);
	EXPECT_EQ(0xdeadbeefULL, r.rax & 0xffffffffULL);
	vm_free(vm);
}

/* 3000 bytes do not fit one exit's data[]: the module must split them. */
TEST(real_mode_rep_outsb_delivers_whole_string_in_chunks)
{
	enum { LEN = 3000 };
	const uint8_t code[] = {
		0xbe, RM_DATA & 0xff, RM_DATA >> 8,	/* mov si, RM_DATA */
		0xb9, LEN & 0xff, LEN >> 8,		/* mov cx, LEN */
		0xba, RM_PORT, 0x00,			/* mov dx, 0xe9 */
		0xfc,					/* cld */
		0xf3, 0x6e,				/* 10: rep outsb */
		0xf4,					/* 12: hlt */
	};
	struct svmhv_vm *vm = vm_create(DEFAULT_GUEST_RAM);
	struct svmhv_vcpu *vcpu = real_mode_vcpu(vm, code, sizeof(code));
	uint8_t *src = addr_gpa2hva(vm, RM_DATA);
	static uint8_t got[LEN];
	struct svmhv_regs r;
	size_t n = 0;
	int exits = 0;

	for (int i = 0; i < LEN; i++)
		src[i] = (uint8_t)(i * 7 + i / 256);
	for (;;) {
		vcpu_run(vcpu);
		if (vcpu->run->exit_reason != SVMHV_EXIT_IO)
			break;
		ASSERT_EQ(SVMHV_IO_OUT, vcpu->run->io.direction);
		ASSERT_EQ(1, vcpu->run->io.size);
		ASSERT_EQ(RM_PORT, vcpu->run->io.port);
		ASSERT_EQ(1, vcpu->run->io.string);
		ASSERT_EQ(1, vcpu->run->io.rep);
		ASSERT_LT(0U, vcpu->run->io.count);
		ASSERT_GE((unsigned int)SVMHV_IO_DATA_MAX, vcpu->run->io.count);
		ASSERT_GE((size_t)LEN, n + vcpu->run->io.count);
		memcpy(got + n, vcpu->run->io.data, vcpu->run->io.count);
		n += vcpu->run->io.count;
		exits++;
	}
	expect_hlt_at(vcpu, RM_CODE + 12);
	EXPECT_EQ((size_t)LEN, n);
	EXPECT_LE(3, exits);
	EXPECT_EQ(0, memcmp(src, got, LEN));
	vcpu_regs_get(vcpu, &r);
	EXPECT_EQ(0ULL, r.rcx & 0xffff);
	EXPECT_EQ(RM_DATA + LEN, r.rsi & 0xffff);
	vm_free(vm);
}

/* ---- long mode ------------------------------------------------------------ */

static void guest_check_entry_state(uint64_t a, uint64_t b, uint64_t c,
				    uint64_t d, uint64_t e, uint64_t f)
{
	uint64_t rflags, rsp;
	uint16_t cs, ss, tr;

	asm volatile("pushfq; popq %0" : "=r"(rflags));
	asm volatile("mov %%rsp, %0" : "=r"(rsp));
	asm volatile("mov %%cs, %0" : "=r"(cs));
	asm volatile("mov %%ss, %0" : "=r"(ss));
	asm volatile("str %0" : "=r"(tr));
	GUEST_ASSERT_EQ(get_cr0(), GUEST_CR0);
	GUEST_ASSERT_EQ(get_cr4(), GUEST_CR4);
	GUEST_ASSERT_EQ(get_cr3(), GUEST_PML4_GPA);
	GUEST_ASSERT_EQ(rdmsr(MSR_EFER), GUEST_EFER);
	GUEST_ASSERT_EQ(rflags & X86_EFLAGS_IF, 0);
	GUEST_ASSERT_EQ(cs, GUEST_SEL_CODE64);
	GUEST_ASSERT_EQ(ss, GUEST_SEL_DATA);
	GUEST_ASSERT_EQ(tr, GUEST_SEL_TSS);
	GUEST_SYNC_ARGS(1, a + b + c + d + e + f, a * f, rsp, 0);
	GUEST_DONE();
}

TEST(long_mode_guest_starts_c_function_with_six_arguments)
{
	struct svmhv_vcpu *vcpu;
	struct svmhv_vm *vm = vm_create_with_one_vcpu(&vcpu, guest_check_entry_state);
	struct ucall uc;

	vcpu_args_set(vcpu, 6, 1ULL, 20ULL, 300ULL, 4000ULL, 50000ULL,
		      600000ULL);
	vcpu_run_expect_sync(vcpu, 1, &uc);
	EXPECT_EQ(654321ULL, uc.args[1]);
	EXPECT_EQ(600000ULL, uc.args[2]);
	/* On its own stack. */
	EXPECT_LT(uc.args[3], vcpu->stack_top_gpa);
	EXPECT_GT(uc.args[3], vcpu->stack_top_gpa - GUEST_STACK_SIZE);
	vcpu_run_expect_done(vcpu);
	vm_free(vm);
}

static void guest_printf_code(void)
{
	GUEST_PRINTF("%s %d %#lx [%5u]", "guest", -7, 0xabcdefUL, 42U);
	GUEST_DONE();
}

TEST(guest_printf_text_reaches_host)
{
	struct svmhv_vcpu *vcpu;
	struct svmhv_vm *vm = vm_create_with_one_vcpu(&vcpu, guest_printf_code);
	struct ucall uc;

	vcpu_run(vcpu);
	ASSERT_EQ((uint64_t)UCALL_PRINTF, get_ucall(vcpu, &uc));
	EXPECT_STREQ("guest -7 0xabcdef [   42]", uc.buffer);
	vcpu_run_expect_done(vcpu);
	vm_free(vm);
}

static void guest_failing_assert(uint64_t v)
{
	GUEST_ASSERT_EQ(v, 0x1234);
	GUEST_DONE();
}

TEST(guest_assert_reports_file_line_and_values)
{
	struct svmhv_vcpu *vcpu;
	struct svmhv_vm *vm = vm_create_with_one_vcpu(&vcpu, guest_failing_assert);
	struct ucall uc;

	vcpu_args_set(vcpu, 1, 0x99ULL);
	vcpu_run(vcpu);
	ASSERT_EQ((uint64_t)UCALL_ABORT, get_ucall(vcpu, &uc));
	EXPECT_NE(NULL, strstr(uc.buffer, "guest_modes_test.c:"));
	EXPECT_NE(NULL, strstr(uc.buffer, "v == 0x1234"));
	EXPECT_NE(NULL, strstr(uc.buffer, "0x99 vs 0x1234"));
	EXPECT_EQ(0x99ULL, uc.args[1]);
	EXPECT_EQ(0x1234ULL, uc.args[2]);
	EXPECT_LT(0ULL, uc.args[0]);
	/* A failed assertion never lets the guest go on. */
	vcpu_run(vcpu);
	EXPECT_EQ((uint64_t)UCALL_ABORT, get_ucall(vcpu, &uc));
	vm_free(vm);
}

extern char guest_ud2_insn[];

static void guest_ud2_without_handler(void)
{
	asm volatile(".globl guest_ud2_insn\nguest_ud2_insn: ud2");
	GUEST_DONE();
}

TEST(exception_without_handler_reports_vector_and_rip)
{
	struct svmhv_vcpu *vcpu;
	struct svmhv_vm *vm = vm_create_with_one_vcpu(&vcpu, guest_ud2_without_handler);
	struct ucall uc;
	uint32_t gpa;

	vcpu_run(vcpu);
	/* Decode by hand: get_ucall() would fail the test on UNHANDLED. */
	ASSERT_EQ(SVMHV_EXIT_IO, vcpu->run->exit_reason);
	ASSERT_EQ(UCALL_PORT, vcpu->run->io.port);
	memcpy(&gpa, vcpu->run->io.data, 4);
	memcpy(&uc, addr_gpa2hva(vm, gpa), sizeof(uc));
	EXPECT_EQ((uint64_t)UCALL_UNHANDLED, uc.cmd);
	EXPECT_EQ((uint64_t)UD_VECTOR, uc.args[0]);
	EXPECT_EQ(0ULL, uc.args[1]);
	EXPECT_EQ((uint64_t)(uintptr_t)guest_ud2_insn, uc.args[2]);
	vm_free(vm);
}

static volatile uint64_t seen_vector, seen_count, seen_rip, seen_error;

static void record_and_return(struct ex_regs *regs)
{
	seen_vector = regs->vector;
	seen_rip = regs->rip;
	seen_error = regs->error_code;
	seen_count++;
}

static void record_and_skip_ud2(struct ex_regs *regs)
{
	record_and_return(regs);
	regs->rip += 2;
}

extern char guest_after_int3[], guest_after_int80[];

static void guest_software_interrupts(void)
{
	/*
	 * Touch the GDT and IDT first: the CPU reads them while delivering
	 * the first exception, and an NPT fault in that delivery is another
	 * test's subject (first_exception_is_delivered_once_*).
	 */
	(void)*(volatile uint64_t *)GUEST_GDT_GPA;
	(void)*(volatile uint64_t *)GUEST_IDT_GPA;
	asm volatile("int3\n.globl guest_after_int3\nguest_after_int3:");
	GUEST_ASSERT_EQ(seen_count, 1);
	GUEST_ASSERT_EQ(seen_vector, BP_VECTOR);
	GUEST_ASSERT_EQ(seen_rip, (uint64_t)guest_after_int3);
	asm volatile("int $0x80\n.globl guest_after_int80\nguest_after_int80:");
	GUEST_ASSERT_EQ(seen_count, 2);
	GUEST_ASSERT_EQ(seen_vector, 0x80);
	GUEST_ASSERT_EQ(seen_rip, (uint64_t)guest_after_int80);
	GUEST_DONE();
}

TEST(installed_exception_handlers_run_in_guest)
{
	struct svmhv_vcpu *vcpu;
	struct svmhv_vm *vm = vm_create_with_one_vcpu(&vcpu, guest_software_interrupts);

	vm_install_exception_handler(vm, BP_VECTOR, record_and_return);
	vm_install_exception_handler(vm, 0x80, record_and_return);
	vcpu_run_expect_done(vcpu);
	vm_free(vm);
}

/*
 * The first exception of a fresh VM is delivered while the GDT page (and
 * the IDT page) are not yet in the nested page table: the delivery itself
 * takes an NPT fault, and the module must re-deliver the event exactly
 * once from EXITINTINFO (APM vol. 2, 15.7.2).  For INT3 and INT n the
 * return address is the next instruction; for a fault such as #UD it is
 * the faulting instruction.
 */
extern char guest_first_int3[], guest_first_int3_end[];
extern char guest_first_int80[], guest_first_int80_end[];
extern char guest_first_ud2[];

static void guest_first_exception(uint64_t which)
{
	if (which == 0)
		asm volatile(".globl guest_first_int3\nguest_first_int3: int3\n"
			     ".globl guest_first_int3_end\nguest_first_int3_end:");
	else if (which == 1)
		asm volatile(".globl guest_first_int80\nguest_first_int80: int $0x80\n"
			     ".globl guest_first_int80_end\nguest_first_int80_end:");
	else
		asm volatile(".globl guest_first_ud2\nguest_first_ud2: ud2");
	GUEST_SYNC_ARGS(1, seen_count, seen_vector, seen_rip, seen_error);
	GUEST_DONE();
}

static void expect_first_exception_once(struct __test_metadata *_metadata,
					uint64_t which, int vector,
					guest_exception_handler_t handler,
					void *expected_rip)
{
	struct svmhv_vcpu *vcpu;
	struct svmhv_vm *vm = vm_create_with_one_vcpu(&vcpu, guest_first_exception);
	struct ucall uc;

	vcpu_args_set(vcpu, 1, which);
	vm_install_exception_handler(vm, vector, handler);
	vcpu_run_expect_sync(vcpu, 1, &uc);
	EXPECT_EQ(1ULL, uc.args[1]) TH_LOG("handler ran %lu times", uc.args[1]);
	EXPECT_EQ((uint64_t)vector, uc.args[2]);
	EXPECT_EQ((uint64_t)(uintptr_t)expected_rip, uc.args[3]);
	EXPECT_EQ(0ULL, uc.args[4]);
	vcpu_run_expect_done(vcpu);
	vm_free(vm);
}

TEST(first_exception_is_delivered_once_int3)
{
	expect_first_exception_once(_metadata, 0, BP_VECTOR, record_and_return,
				    guest_first_int3_end);
}

TEST(first_exception_is_delivered_once_int_n)
{
	expect_first_exception_once(_metadata, 1, 0x80, record_and_return,
				    guest_first_int80_end);
}

TEST(first_exception_is_delivered_once_ud)
{
	expect_first_exception_once(_metadata, 2, UD_VECTOR, record_and_skip_ud2,
				    guest_first_ud2);
}

static void guest_report_id(uint64_t id)
{
	uint64_t rsp;

	asm volatile("mov %%rsp, %0" : "=r"(rsp));
	GUEST_SYNC_ARGS(1, id, rsp, 0, 0);
	GUEST_SYNC_ARGS(2, id * 100, 0, 0, 0);
	GUEST_DONE();
}

TEST(two_vcpus_keep_separate_registers_and_stacks)
{
	struct svmhv_vm *vm = vm_create(DEFAULT_GUEST_RAM);
	struct svmhv_vcpu *v0 = vcpu_create(vm, 0, guest_report_id);
	struct svmhv_vcpu *v1 = vcpu_create(vm, 7, guest_report_id);
	struct ucall uc0, uc1;

	vcpu_args_set(v0, 1, 10ULL);
	vcpu_args_set(v1, 1, 11ULL);
	vcpu_run_expect_sync(v1, 1, &uc1);
	vcpu_run_expect_sync(v0, 1, &uc0);
	EXPECT_EQ(10ULL, uc0.args[1]);
	EXPECT_EQ(11ULL, uc1.args[1]);
	EXPECT_LT(uc0.args[2], v0->stack_top_gpa);
	EXPECT_GT(uc0.args[2], v0->stack_top_gpa - GUEST_STACK_SIZE);
	EXPECT_LT(uc1.args[2], v1->stack_top_gpa);
	EXPECT_GT(uc1.args[2], v1->stack_top_gpa - GUEST_STACK_SIZE);
	vcpu_run_expect_sync(v0, 2, &uc0);
	vcpu_run_expect_sync(v1, 2, &uc1);
	EXPECT_EQ(1000ULL, uc0.args[1]);
	EXPECT_EQ(1100ULL, uc1.args[1]);
	vcpu_run_expect_done(v1);
	vcpu_run_expect_done(v0);
	vm_free(vm);
}

/* ---- protected mode and switching modes inside the guest ------------------ */

/*
 * Code the guest runs outside long mode, assembled into the binary but
 * never called by the host: 32-bit pieces run in place (flat segments,
 * linked below 4 GiB); the real-mode start of mode_switch is copied to
 * MS_BASE, and its addresses are computed relative to that.
 */
#define PM_PORT		0x3000
#define PM_PD_GPA	0x20000ULL	/* 32-bit page directory */
#define PM_PT_GPA	0x21000ULL	/* 1024 page tables follow */
#define PM_TARGET_GPA	0x30000ULL	/* where VA 0x80000000 points */
#define MS_BASE		0xc000ULL

extern char pm32_paging_off_on[], ms_blob[], ms_blob_end[];

asm(".pushsection .text.svmhv_pm32, \"ax\"\n"
    ".code32\n"
    /* Protected mode, paging off: report, store, then turn paging on. */
    ".globl pm32_paging_off_on\n"
    "pm32_paging_off_on:\n"
    "	movl $0x11111111, %eax\n"
    "	movw $0x3000, %dx\n"
    "	outl %eax, %dx\n"
    "	movl $0x5a5a0001, 0x30000\n"		/* physical: paging is off */
    "	movl $0x20000, %eax\n"
    "	movl %eax, %cr3\n"
    "	movl %cr0, %eax\n"
    "	orl $0x80000000, %eax\n"
    "	movl %eax, %cr0\n"
    "	jmp 1f\n"
    "1:	movl $0x22222222, %eax\n"
    "	outl %eax, %dx\n"
    "	movl $0x5a5a0002, 0x80000004\n"	/* virtual: lands at 0x30004 */
    "	movl 0x80000000, %eax\n"		/* reads the first store */
    "	outl %eax, %dx\n"
    "	hlt\n"
    ".code64\n"
    ".popsection\n"
    /* Real mode -> protected mode -> long mode, all by the guest. */
    ".pushsection .rodata.svmhv_ms, \"a\"\n"
    ".globl ms_blob, ms_blob_end\n"
    "ms_blob:\n"
    ".code16\n"
    "	cli\n"
    "	xorw %ax, %ax\n"
    "	movw %ax, %ds\n"
    "	movw $0x3001, %dx\n"
    "	movw $0x1616, %ax\n"
    "	outw %ax, %dx\n"
    "	lgdtl (ms_gdtr - ms_blob + 0xc000)\n"
    "	movl %cr0, %eax\n"
    "	orl $1, %eax\n"
    "	movl %eax, %cr0\n"
    "	ljmpl $0x08, $(ms_pm32 - ms_blob + 0xc000)\n"
    ".code32\n"
    "ms_pm32:\n"
    "	movw $0x10, %ax\n"
    "	movw %ax, %ds\n"
    "	movw %ax, %es\n"
    "	movw %ax, %ss\n"
    "	movw $0x3002, %dx\n"
    "	movl $0x32323232, %eax\n"
    "	outl %eax, %dx\n"
    "	movl %cr4, %eax\n"
    "	orl $0x20, %eax\n"			/* PAE */
    "	movl %eax, %cr4\n"
    "	movl $0x1000, %eax\n"			/* the library's PML4 */
    "	movl %eax, %cr3\n"
    "	movl $0xc0000080, %ecx\n"
    "	rdmsr\n"
    "	orl $0x100, %eax\n"			/* EFER.LME */
    "	wrmsr\n"
    "	movl %cr0, %eax\n"
    "	orl $0x80000000, %eax\n"		/* PG: long mode active */
    "	movl %eax, %cr0\n"
    "	ljmpl $0x18, $(ms_lm64 - ms_blob + 0xc000)\n"
    ".code64\n"
    "ms_lm64:\n"
    "	movabsq $0x6464646464646464, %rax\n"
    "	movw $0x3003, %dx\n"
    "	outl %eax, %dx\n"
    "	movq %rax, %rbx\n"
    "	shrq $32, %rax\n"
    "	outl %eax, %dx\n"			/* upper half: 64-bit registers */
    "	hlt\n"
    "	.balign 8\n"
    "ms_gdt:\n"
    "	.quad 0\n"
    "	.quad 0x00cf9a000000ffff\n"		/* 0x08: 32-bit code */
    "	.quad 0x00cf92000000ffff\n"		/* 0x10: data */
    "	.quad 0x00af9a000000ffff\n"		/* 0x18: 64-bit code */
    "ms_gdtr:\n"
    "	.word 31\n"
    "	.long ms_gdt - ms_blob + 0xc000\n"
    "ms_blob_end:\n"
    ".popsection\n");

static void seg32(struct svmhv_segment *s, uint16_t sel, uint8_t type)
{
	memset(s, 0, sizeof(*s));
	s->limit = 0xffffffff;
	s->selector = sel;
	s->type = type;
	s->s = 1;
	s->present = 1;
	s->db = 1;
	s->g = 1;
}

static void expect_out32(struct __test_metadata *_metadata,
			 struct svmhv_vcpu *vcpu, uint16_t port, uint32_t v)
{
	TEST_ASSERT_EXIT_REASON(vcpu, SVMHV_EXIT_IO);
	EXPECT_EQ(SVMHV_IO_OUT, vcpu->run->io.direction);
	EXPECT_EQ(port, vcpu->run->io.port);
	EXPECT_EQ(4, vcpu->run->io.size);
	EXPECT_EQ(0, memcmp(vcpu->run->io.data, &v, 4)) {
		TH_LOG("port %#x: got %#x, expected %#x", port,
		       *(uint32_t *)vcpu->run->io.data, v);
	}
}

TEST(protected_mode_guest_runs_without_paging_then_enables_it)
{
	struct svmhv_vm *vm = vm_create(DEFAULT_GUEST_RAM);
	struct svmhv_vcpu *vcpu = vcpu_create_reset(vm, 0);
	uint32_t *pd = addr_gpa2hva(vm, PM_PD_GPA);
	struct svmhv_sregs s;
	struct svmhv_regs r;

	/* 32-bit paging: identity for the first 8 MiB (this binary's code
	 * included), and VA 0x80000000 -> PM_TARGET_GPA. */
	memset(pd, 0, 4096);
	for (uint32_t t = 0; t < 2; t++) {
		uint32_t *pt = addr_gpa2hva(vm, PM_PT_GPA + t * 4096);

		pd[t] = (PM_PT_GPA + t * 4096) | 3;
		for (uint32_t i = 0; i < 1024; i++)
			pt[i] = ((t * 1024 + i) << 12) | 3;
	}
	{
		uint32_t *pt = addr_gpa2hva(vm, PM_PT_GPA + 2 * 4096);

		memset(pt, 0, 4096);
		pd[0x80000000u >> 22] = (PM_PT_GPA + 2 * 4096) | 3;
		pt[0] = PM_TARGET_GPA | 3;
	}
	vcpu_sregs_get(vcpu, &s);
	seg32(&s.cs, 0x08, 0xb);
	seg32(&s.ds, 0x10, 0x3);
	s.es = s.ss = s.fs = s.gs = s.ds;
	s.cr0 = X86_CR0_PE | X86_CR0_ET | X86_CR0_NE;
	s.cr4 = 0;
	s.efer = 0;
	vcpu_sregs_set(vcpu, &s);
	vcpu_regs_get(vcpu, &r);
	r.rip = (uint64_t)(uintptr_t)pm32_paging_off_on;
	r.rflags = X86_EFLAGS_FIXED;
	vcpu_regs_set(vcpu, &r);

	vcpu_run(vcpu);
	expect_out32(_metadata, vcpu, PM_PORT, 0x11111111);
	vcpu_sregs_get(vcpu, &s);
	EXPECT_EQ(0ULL, s.cr0 & X86_CR0_PG);

	vcpu_run(vcpu);
	expect_out32(_metadata, vcpu, PM_PORT, 0x22222222);
	vcpu_sregs_get(vcpu, &s);
	EXPECT_EQ(X86_CR0_PG, s.cr0 & X86_CR0_PG);
	EXPECT_EQ(PM_PD_GPA, s.cr3);
	EXPECT_EQ(0ULL, s.efer & EFER_LMA);
	EXPECT_EQ(0x5a5a0001U, *(uint32_t *)addr_gpa2hva(vm, PM_TARGET_GPA));

	/* Through the guest's own page tables. */
	vcpu_run(vcpu);
	expect_out32(_metadata, vcpu, PM_PORT, 0x5a5a0001);
	EXPECT_EQ(0x5a5a0002U, *(uint32_t *)addr_gpa2hva(vm, PM_TARGET_GPA + 4));
	vcpu_run(vcpu);
	TEST_ASSERT_EXIT_REASON(vcpu, SVMHV_EXIT_HLT);
	vm_free(vm);
}

/*
 * The guest itself goes from the reset state to long mode: LGDT, CR0.PE
 * and a far jump to 32-bit code, then CR4.PAE, CR3, EFER.LME by WRMSR,
 * CR0.PG and a far jump to 64-bit code -- the path every OS boots
 * through.  The host checks the mode at each stage.
 */
TEST(guest_switches_itself_from_real_to_protected_to_long_mode)
{
	struct svmhv_vm *vm = vm_create(DEFAULT_GUEST_RAM);
	struct svmhv_vcpu *vcpu = vcpu_create_reset(vm, 0);
	struct svmhv_sregs s;
	struct svmhv_regs r;

	memcpy(addr_gpa2hva(vm, MS_BASE), ms_blob, ms_blob_end - ms_blob);
	vcpu_sregs_get(vcpu, &s);
	s.cs.base = 0;
	s.cs.selector = 0;
	vcpu_sregs_set(vcpu, &s);
	vcpu_regs_get(vcpu, &r);
	r.rip = MS_BASE;
	vcpu_regs_set(vcpu, &r);

	vcpu_run(vcpu);
	TEST_ASSERT_EXIT_REASON(vcpu, SVMHV_EXIT_IO);
	EXPECT_EQ(0x3001, vcpu->run->io.port);
	EXPECT_EQ(2, vcpu->run->io.size);
	EXPECT_EQ(0, memcmp(vcpu->run->io.data, "\x16\x16", 2));
	vcpu_sregs_get(vcpu, &s);
	EXPECT_EQ(0ULL, s.cr0 & X86_CR0_PE);

	vcpu_run(vcpu);
	expect_out32(_metadata, vcpu, 0x3002, 0x32323232);
	vcpu_sregs_get(vcpu, &s);
	EXPECT_EQ(X86_CR0_PE, s.cr0 & (X86_CR0_PE | X86_CR0_PG));
	EXPECT_EQ(0x08, s.cs.selector);
	EXPECT_EQ(1, s.cs.db);
	EXPECT_EQ(0, s.cs.l);
	EXPECT_EQ(0x10, s.ss.selector);

	vcpu_run(vcpu);
	expect_out32(_metadata, vcpu, 0x3003, 0x64646464);
	vcpu_sregs_get(vcpu, &s);
	EXPECT_EQ(X86_CR0_PE | X86_CR0_PG, s.cr0 & (X86_CR0_PE | X86_CR0_PG));
	EXPECT_EQ(EFER_LME | EFER_LMA, s.efer & (EFER_LME | EFER_LMA));
	EXPECT_EQ(0x18, s.cs.selector);
	EXPECT_EQ(1, s.cs.l);
	EXPECT_EQ(0x1000ULL, s.cr3);
	vcpu_run(vcpu);
	expect_out32(_metadata, vcpu, 0x3003, 0x64646464);
	vcpu_regs_get(vcpu, &r);
	EXPECT_EQ(0x6464646464646464ULL, r.rbx);
	vcpu_run(vcpu);
	TEST_ASSERT_EXIT_REASON(vcpu, SVMHV_EXIT_HLT);
	vm_free(vm);
}

SVMHV_TEST_HARNESS_MAIN
