// SPDX-License-Identifier: GPL-2.0
/*
 * Guests that try everything a guest kernel should not: every intercepted
 * instruction (SVM's own, MONITOR/MWAIT, RDTSCP where TSC_AUX is not
 * switched, XSETBV without CR4.OSXSAVE, RDPRU, RDPMC),
 * every MSR of the architectural ranges, every I/O port, memory and code
 * beyond the end of RAM, a triple fault.  Each outcome is the one the
 * module specifies (docs/contract-notes.md, uapi/svmhv.h), and the host
 * keeps running guests afterwards.
 */
#include <stdlib.h>
#include <sys/ioctl.h>

#include "svmhv_test.h"

#define MSR_MTRRCAP		0x000000fe
#define MSR_MTRR_DEF_TYPE	0x000002ff
#define MSR_K7_HWCR		0xc0010015
#define MSR_AMD64_DE_CFG	0xc0011029
#define MSR_AMD64_NB_CFG	0xc001001f

static void guest_done(void)
{
	GUEST_DONE();
}

/* After every hostile guest, a fresh VM must still run. */
static void expect_fresh_vm_runs(struct __test_metadata *_metadata)
{
	struct svmhv_vcpu *vcpu;
	struct svmhv_vm *vm = vm_create_with_one_vcpu(&vcpu, guest_done);

	vcpu_run_expect_done(vcpu);
	vm_free(vm);
	ASSERT_TRUE(1);
}

/* The harness's default limit is 30 s; the exhaustive tests take longer. */
FIXTURE(exhaustive) {};
FIXTURE_SETUP(exhaustive) {}
FIXTURE_TEARDOWN(exhaustive) {}

/* ---- intercepted instructions --------------------------------------------- */

static volatile uint64_t fault_count, fault_vector, fault_error, fault_len;

static void skip_faulting_insn(struct ex_regs *regs)
{
	fault_count++;
	fault_vector = regs->vector;
	fault_error = regs->error_code;
	regs->rip += fault_len;
}

struct insn_case {
	const char *name;
	uint8_t bytes[3];
	uint8_t len;
	uint8_t vector;
};

static const struct insn_case intercepted[] = {
	{ "vmrun",   { 0x0f, 0x01, 0xd8 }, 3, UD_VECTOR },
	{ "vmload",  { 0x0f, 0x01, 0xda }, 3, UD_VECTOR },
	{ "vmsave",  { 0x0f, 0x01, 0xdb }, 3, UD_VECTOR },
	{ "stgi",    { 0x0f, 0x01, 0xdc }, 3, UD_VECTOR },
	{ "clgi",    { 0x0f, 0x01, 0xdd }, 3, UD_VECTOR },
	{ "skinit",  { 0x0f, 0x01, 0xde }, 3, UD_VECTOR },
	{ "invlpga", { 0x0f, 0x01, 0xdf }, 3, UD_VECTOR },
	{ "monitor", { 0x0f, 0x01, 0xc8 }, 3, UD_VECTOR },
	{ "mwait",   { 0x0f, 0x01, 0xc9 }, 3, UD_VECTOR },
	{ "xsetbv",  { 0x0f, 0x01, 0xd1 }, 3, UD_VECTOR },
	{ "rdtscp",  { 0x0f, 0x01, 0xf9 }, 3, UD_VECTOR },
	{ "rdpru",   { 0x0f, 0x01, 0xfd }, 3, UD_VECTOR },
	{ "rdpmc",   { 0x0f, 0x33 },       2, GP_VECTOR },
};

/*
 * Room for one instruction and a RET, written by the guest itself (its
 * identity map has no NX bit, so its data is executable).
 */
static uint8_t insn_slot[16] __attribute__((aligned(16)));

static volatile uint64_t rdtscp_ran;

static void guest_intercepted_insns(uint64_t tcg)
{
	void (*slot)(void) = (void (*)(void))insn_slot;

	/* RDTSCP runs where CPUID offers it (svmhv switches TSC_AUX). */
	rdtscp_ran = tcg || (guest_cpuid(0x80000001, 0).edx & (1u << 27));
	for (unsigned int i = 0; i < ARRAY_SIZE(intercepted); i++) {
		const struct insn_case *c = &intercepted[i];
		uint64_t before = fault_count;
		bool unintercepted = c->bytes[2] == 0xf9 && rdtscp_ran;

		memset(insn_slot, 0x90, sizeof(insn_slot));
		memcpy(insn_slot, c->bytes, c->len);
		insn_slot[c->len] = 0xc3;	/* ret */
		fault_len = c->len;
		/* Operands that would be harmful if the CPU ran them for real:
		 * VMRUN/VMLOAD/VMSAVE of the guest's own page 0. */
		asm volatile("call *%0" : : "r"(slot), "a"(0), "c"(0), "d"(0)
			     : "memory", "rsi", "rdi", "r8", "r9", "r10", "r11");
		if (unintercepted) {
			GUEST_ASSERT_MSG(fault_count == before, "%s: %lu faults",
					 c->name, fault_count - before);
			continue;
		}
		GUEST_ASSERT_MSG(fault_count == before + 1, "%s: %lu faults",
				 c->name, fault_count - before);
		GUEST_ASSERT_MSG(fault_vector == c->vector,
				 "%s: vector %lu", c->name, fault_vector);
		GUEST_ASSERT_MSG(fault_error == 0, "%s: error code %#lx",
				 c->name, fault_error);
	}
	GUEST_DONE();
}

/*
 * QEMU's TCG checks the RDTSC intercept, not RDTSCP's, when its guest runs
 * RDTSCP (target/i386/tcg/misc_helper.c: helper_rdtscp calls
 * helper_rdtsc), so under TCG the instruction runs and never reaches
 * svmhv.  The host's hypervisor signature tells TCG apart.
 */
TEST(intercepted_instructions_fault_in_guest_as_specified)
{
	struct svmhv_vcpu *vcpu;
	struct svmhv_vm *vm = vm_create_with_one_vcpu(&vcpu, guest_intercepted_insns);
	bool tcg = host_is_qemu_tcg();

	if (tcg)
		TH_LOG("host is QEMU TCG: RDTSCP never exits, expected to run");
	vcpu_args_set(vcpu, 1, (uint64_t)tcg);
	vm_install_exception_handler(vm, UD_VECTOR, skip_faulting_insn);
	vm_install_exception_handler(vm, GP_VECTOR, skip_faulting_insn);
	vcpu_run_expect_done(vcpu);
	EXPECT_EQ(ARRAY_SIZE(intercepted) - GUEST_VAR(vm, rdtscp_ran),
		  GUEST_VAR(vm, fault_count));
	vm_free(vm);
	expect_fresh_vm_runs(_metadata);
}

/* ---- every MSR -------------------------------------------------------------- */

static const uint32_t msr_bases[3] = { 0, 0xc0000000, 0xc0010000 };
#define MSRS_PER_RANGE	0x2000

/* 1: the access succeeded; 2: it raised #GP(0); 3: another fault. */
static volatile uint8_t msr_read_result[3][MSRS_PER_RANGE];
static volatile uint8_t msr_write_result[3][MSRS_PER_RANGE];
static volatile uint64_t msr_faulted, msr_fault_bad;

static void msr_gp_handler(struct ex_regs *regs)
{
	msr_faulted = 1;
	if (regs->vector != GP_VECTOR || regs->error_code != 0)
		msr_fault_bad = 1;
	regs->rax = 0;
	regs->rdx = 0;
	regs->rip += 2;		/* rdmsr 0f 32, wrmsr 0f 30 */
}

static void guest_every_msr(void)
{
	for (int r = 0; r < 3; r++) {
		for (uint32_t i = 0; i < MSRS_PER_RANGE; i++) {
			uint32_t msr = msr_bases[r] + i;
			uint64_t v;

			msr_faulted = msr_fault_bad = 0;
			v = rdmsr(msr);
			msr_read_result[r][i] = msr_fault_bad ? 3 : msr_faulted ? 2 : 1;
			/*
			 * Write back what was read (0 where the read
			 * faulted): every MSR is written, and those the
			 * guest may use keep their value.
			 */
			msr_faulted = msr_fault_bad = 0;
			wrmsr(msr, v);
			msr_write_result[r][i] = msr_fault_bad ? 3 : msr_faulted ? 2 : 1;
		}
	}
	GUEST_DONE();
}

struct msr_expect {
	uint32_t msr;
	bool writable;
};

/* docs/contract-notes.md and module/svm/msr.c: the MSRs a guest may use. */
static const struct msr_expect guest_msrs[] = {
	{ MSR_IA32_TSC, true },
	{ MSR_IA32_APICBASE, false },
	{ MSR_IA32_TSC_ADJUST, true },	/* emulated: CPUID 7 EBX[1] */
	{ MSR_MTRRCAP, false },
	{ MSR_IA32_SYSENTER_CS, true },
	{ MSR_IA32_SYSENTER_ESP, true },
	{ MSR_IA32_SYSENTER_EIP, true },
	{ MSR_IA32_CR_PAT, true },
	{ MSR_MTRR_DEF_TYPE, true },
	{ MSR_EFER, true },
	{ MSR_STAR, true },
	{ MSR_LSTAR, true },
	{ MSR_CSTAR, true },
	{ MSR_SYSCALL_MASK, true },
	{ MSR_FS_BASE, true },
	{ MSR_GS_BASE, true },
	{ MSR_KERNEL_GS_BASE, true },
	{ MSR_K7_HWCR, true },
	{ MSR_AMD64_DE_CFG, true },
	{ MSR_AMD64_NB_CFG, true },	/* reads 0, writes ignored */
	{ 0xc0000103, true },		/* TSC_AUX: CPUID shows RDTSCP */
};

static const struct msr_expect *find_guest_msr(uint32_t msr)
{
	for (unsigned int i = 0; i < ARRAY_SIZE(guest_msrs); i++)
		if (guest_msrs[i].msr == msr)
			return &guest_msrs[i];
	return NULL;
}

TEST_F_TIMEOUT(exhaustive, guest_reading_and_writing_every_msr_gets_gp_outside_emulated_set, 120)
{
	struct svmhv_vcpu *vcpu;
	struct svmhv_vm *vm = vm_create_with_one_vcpu(&vcpu, guest_every_msr);
	unsigned int bad = 0;

	vm_install_exception_handler(vm, GP_VECTOR, msr_gp_handler);
	vcpu_run_expect_done(vcpu);
	for (int r = 0; r < 3; r++) {
		for (uint32_t i = 0; i < MSRS_PER_RANGE; i++) {
			uint32_t msr = msr_bases[r] + i;
			const struct msr_expect *e = find_guest_msr(msr);
			uint8_t rd = GUEST_VAR(vm, msr_read_result[r][i]);
			uint8_t wr = GUEST_VAR(vm, msr_write_result[r][i]);
			uint8_t want_rd = e ? 1 : 2;
			uint8_t want_wr = e && e->writable ? 1 : 2;

			if (rd == want_rd && wr == want_wr)
				continue;
			if (bad++ < 20)
				TH_LOG("MSR %#x: read %s, write %s; expected read %s, write %s",
				       msr, rd == 1 ? "ok" : rd == 2 ? "#GP" : "other fault",
				       wr == 1 ? "ok" : wr == 2 ? "#GP" : "other fault",
				       want_rd == 1 ? "ok" : "#GP",
				       want_wr == 1 ? "ok" : "#GP");
		}
	}
	EXPECT_EQ(0U, bad);
	vm_free(vm);
	expect_fresh_vm_runs(_metadata);
}

/* ---- every I/O port ------------------------------------------------------- */

static uint8_t port_answer(uint32_t port)
{
	return (uint8_t)(port * 37 + (port >> 8) * 11 + 5);
}

static void guest_every_port(void)
{
	uint64_t wrong = 0, first_wrong = ~0ULL;

	for (uint32_t port = 0; port < 0x10000; port++) {
		uint8_t v = inb((uint16_t)port);

		if (v != port_answer(port) && !wrong++)
			first_wrong = port;
	}
	GUEST_SYNC_ARGS(1, wrong, first_wrong, 0, 0);
	GUEST_DONE();
}

TEST_F_TIMEOUT(exhaustive, guest_in_from_every_port_exits_to_host_which_answers, 120)
{
	struct svmhv_vcpu *vcpu;
	struct svmhv_vm *vm = vm_create_with_one_vcpu(&vcpu, guest_every_port);
	struct svmhv_run *run = vcpu->run;
	struct ucall uc;

	for (uint32_t port = 0; port < 0x10000; port++) {
		vcpu_run(vcpu);
		if (run->exit_reason != SVMHV_EXIT_IO ||
		    run->io.direction != SVMHV_IO_IN || run->io.port != port ||
		    run->io.size != 1 || run->io.count != 1 || run->io.string)
			TEST_FAIL("port %#x: expected IN of 1 byte, got exit %s%s",
				  port, exit_reason_str(run->exit_reason),
				  exit_details(run));
		run->io.data[0] = port_answer(port);
	}
	vcpu_run_expect_sync(vcpu, 1, &uc);
	EXPECT_EQ(0ULL, uc.args[1]) TH_LOG("first wrong port %#lx", uc.args[2]);
	vcpu_run_expect_done(vcpu);
	vm_free(vm);
	expect_fresh_vm_runs(_metadata);
}

/* ---- beyond the end of RAM ------------------------------------------------- */

static void guest_walk_off_ram(uint64_t ram_size)
{
	volatile uint64_t *last = (volatile uint64_t *)(ram_size - 8);
	uint64_t v;

	v = *last;
	GUEST_SYNC_ARGS(1, v, 0, 0, 0);
	/* The first byte past RAM is MMIO, read and write. */
	v = *(volatile uint64_t *)ram_size;
	GUEST_SYNC_ARGS(2, v, 0, 0, 0);
	*(volatile uint32_t *)(ram_size + 0x1004) = 0xdeadbeef;
	/* Code past RAM cannot be fetched: the module stops the guest. */
	((void (*)(void))(ram_size + 0x2000))();
	GUEST_FAIL("executed code beyond RAM");
}

TEST(guest_walking_off_end_of_ram_gets_mmio_then_fetch_error)
{
	struct svmhv_vcpu *vcpu;
	struct svmhv_vm *vm = vm_create_with_one_vcpu(&vcpu, guest_walk_off_ram);
	uint64_t ram = vm->ram_size;
	struct ucall uc;

	vcpu_args_set(vcpu, 1, ram);
	*(uint64_t *)addr_gpa2hva(vm, ram - 8) = 0x0123456789abcdefULL;
	vcpu_run_expect_sync(vcpu, 1, &uc);
	EXPECT_EQ(0x0123456789abcdefULL, uc.args[1]);

	vcpu_run(vcpu);
	TEST_ASSERT_EXIT_REASON(vcpu, SVMHV_EXIT_MMIO);
	EXPECT_EQ(ram, vcpu->run->mmio.phys_addr);
	EXPECT_EQ(8U, vcpu->run->mmio.len);
	EXPECT_EQ(0, vcpu->run->mmio.is_write);
	memcpy(vcpu->run->mmio.data, "\x01\x02\x03\x04\x05\x06\x07\x08", 8);
	vcpu_run_expect_sync(vcpu, 2, &uc);
	EXPECT_EQ(0x0807060504030201ULL, uc.args[1]);

	vcpu_run(vcpu);
	TEST_ASSERT_EXIT_REASON(vcpu, SVMHV_EXIT_MMIO);
	EXPECT_EQ(ram + 0x1004, vcpu->run->mmio.phys_addr);
	EXPECT_EQ(4U, vcpu->run->mmio.len);
	EXPECT_EQ(1, vcpu->run->mmio.is_write);
	EXPECT_EQ(0, memcmp(vcpu->run->mmio.data, "\xef\xbe\xad\xde", 4));

	vcpu_run(vcpu);
	TEST_ASSERT_EXIT_REASON(vcpu, SVMHV_EXIT_INTERNAL_ERROR);
	EXPECT_EQ((uint32_t)SVMHV_INTERNAL_EMULATION, vcpu->run->internal.suberror);
	EXPECT_EQ(ram + 0x2000, vcpu->run->internal.gpa);
	EXPECT_EQ(ram + 0x2000, vcpu->run->rip);
	vm_free(vm);
	expect_fresh_vm_runs(_metadata);
}

/* ---- triple fault ---------------------------------------------------------- */

static void guest_triple_fault_via_stack(void)
{
	/*
	 * A canonical stack pointer the guest's page tables do not map
	 * (PML4 entry 128 is empty): the push raises #PF, whose delivery
	 * pushes onto the same stack and faults again -> #DF -> shutdown.
	 */
	asm volatile("movabs $0x0000400000000000, %%rsp; pushq $0" ::: "memory");
	GUEST_FAIL("survived a triple fault");
}

TEST(triple_fault_from_unmapped_stack_is_shutdown_and_host_stays_healthy)
{
	struct svmhv_vcpu *vcpu;
	struct svmhv_vm *vm = vm_create_with_one_vcpu(&vcpu, guest_triple_fault_via_stack);

	vcpu_run(vcpu);
	TEST_ASSERT_EXIT_REASON(vcpu, SVMHV_EXIT_SHUTDOWN);
	vcpu_run(vcpu);
	TEST_ASSERT_EXIT_REASON(vcpu, SVMHV_EXIT_SHUTDOWN);
	vm_free(vm);
	expect_fresh_vm_runs(_metadata);
}

/* ---- EFER.LME without paging ------------------------------------------------ */

/*
 * EFER.LME=1 with CR0.PG=0 is a legal state (long mode enabled, not yet
 * active) that every OS passes through: a real-mode guest in it runs.
 */
static void expect_real_mode_hlt_with_lme(struct __test_metadata *_metadata,
					  uint64_t cr4)
{
	struct svmhv_vm *vm;
	struct svmhv_vcpu *vcpu;
	struct svmhv_sregs s;
	struct svmhv_regs r;

	vm = vm_create(DEFAULT_GUEST_RAM);
	vcpu = vcpu_create_reset(vm, 0);
	*(uint8_t *)addr_gpa2hva(vm, 0xc000) = 0xf4;	/* hlt */
	vcpu_sregs_get(vcpu, &s);
	s.cs.base = 0;
	s.cs.selector = 0;
	s.efer = EFER_LME;
	s.cr4 = cr4;
	vcpu_sregs_set(vcpu, &s);
	vcpu_regs_get(vcpu, &r);
	r.rip = 0xc000;
	vcpu_regs_set(vcpu, &r);
	vcpu_run(vcpu);
	TEST_ASSERT_EXIT_REASON(vcpu, SVMHV_EXIT_HLT);
	EXPECT_EQ(0xc000ULL, vcpu->run->rip);
	vcpu_sregs_get(vcpu, &s);
	EXPECT_EQ(EFER_LME, s.efer);
	EXPECT_EQ(cr4, s.cr4);
	vm_free(vm);
}

/* The order Linux and most OSes use: CR4.PAE before EFER.LME. */
TEST(efer_lme_with_pae_without_paging_real_mode_guest_runs_to_hlt)
{
	expect_real_mode_hlt_with_lme(_metadata, X86_CR4_PAE);
}

/*
 * EFER.LME before CR4.PAE is legal too, but QEMU's emulated SVM cannot
 * leave such a guest: its #VMEXIT loads the host's CR0 while the guest's
 * EFER and CR4 are still in place, sees paging turned on with LME=1 and
 * PAE=0, and drops the new CR0 (target/i386/helper.c,
 * cpu_x86_update_cr0), so the emulated host resumes with paging off and
 * freezes.  Real CPUs switch all of it at once.  SVMHV_RUN_HANGING_TESTS=1
 * runs it (on real hardware).
 */
TEST(efer_lme_without_pae_or_paging_real_mode_guest_runs_to_hlt)
{
	if (!getenv("SVMHV_RUN_HANGING_TESTS"))
		SKIP(return, "freezes QEMU's emulated host (its #VMEXIT drops the host CR0); SVMHV_RUN_HANGING_TESTS=1 runs it");
	expect_real_mode_hlt_with_lme(_metadata, 0);
}

SVMHV_TEST_HARNESS_MAIN
