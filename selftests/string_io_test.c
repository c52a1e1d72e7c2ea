// SPDX-License-Identifier: GPL-2.0
/*
 * INS and OUTS respect the guest's protections.  Their memory operand is
 * accessed by svmhv after the IOIO intercept, so svmhv must make the
 * checks the CPU makes: page rights for the CPL (U/S, R/W with CR0.WP,
 * SMAP with RFLAGS.AC), not-present pages, Accessed/Dirty bits, canonical
 * addresses in 64-bit mode (#GP, #SS for SS), segment limits and types in
 * protected mode -- and fault without reading the port, or after exactly
 * the elements before the faulting one.
 *
 * Guest exception handlers record the fault and resume after the string
 * instruction (its address in R10, the resume address in R11), with the
 * registers as the fault left them; the guest then reports RDI, RSI and
 * RCX with a ucall.  The host counts the I/O exits of the test port: a
 * fault that reaches the guest must not have been preceded by a port
 * access for the faulting element.
 */
#include <cpuid.h>

#include "svmhv_test.h"
#include "guest_paging.h"

#define TEST_PORT	0x2100
#define PATTERN		0xcc
#define USER_STACK_SIZE	(64 * KiB)

#define PFERR_P		(1U << 0)
#define PFERR_W		(1U << 1)
#define PFERR_U		(1U << 2)

#define NONCANONICAL	0x0000800000000000ULL

/* ---- guest side ----------------------------------------------------------- */

struct fault_record {
	uint64_t count;
	uint64_t vector;
	uint64_t error;
	uint64_t cr2;
	uint64_t rip;
	uint64_t insn;		/* R10: where the string instruction is */
};

static struct fault_record fault_seen;

static void fault_handler(struct ex_regs *regs)
{
	if (regs->rip != regs->r10)
		GUEST_FAIL("exception %lu (error %#lx) at %#lx, not at the string instruction %#lx",
			   regs->vector, regs->error_code, regs->rip, regs->r10);
	fault_seen.count++;
	fault_seen.vector = regs->vector;
	fault_seen.error = regs->error_code;
	fault_seen.cr2 = regs->vector == PF_VECTOR ? get_cr2() : 0;
	fault_seen.rip = regs->rip;
	fault_seen.insn = regs->r10;
	regs->rip = regs->r11;
}

/* One string instruction; an exception in it resumes right after it. */
#define STRING_IO_SAFE(insn, rdi, rsi, rcx)				\
	asm volatile("lea 1f(%%rip), %%r10\n\t"				\
		     "lea 2f(%%rip), %%r11\n\t"				\
		     "1: " insn "\n\t"					\
		     "2:"						\
		     : "+D"(rdi), "+S"(rsi), "+c"(rcx)			\
		     : "d"(TEST_PORT) : "r10", "r11", "memory")

enum string_op {
	OP_REP_INSB,
	OP_REP_INSW,
	OP_REP_OUTSB,
	OP_SS_REP_OUTSB,
};

static void string_op(uint64_t op, uint64_t *rdi, uint64_t *rsi,
		      uint64_t *rcx)
{
	uint64_t d = *rdi, s = *rsi, c = *rcx;

	switch (op) {
	case OP_REP_INSB:
		STRING_IO_SAFE("rep insb", d, s, c);
		break;
	case OP_REP_INSW:
		STRING_IO_SAFE("rep insw", d, s, c);
		break;
	case OP_REP_OUTSB:
		STRING_IO_SAFE("rep outsb", d, s, c);
		break;
	case OP_SS_REP_OUTSB:
		STRING_IO_SAFE(".byte 0x36, 0xf3, 0x6e", d, s, c);
		break;
	default:
		GUEST_FAIL("op %lu", op);
	}
	*rdi = d;
	*rsi = s;
	*rcx = c;
}

/* What the host asks for: one string instruction on addr, count elements. */
static struct {
	uint64_t op;
	uint64_t addr;
	uint64_t count;
	uint64_t cr0_clear;
	uint64_t cr4_set;
	uint64_t rflags_set;
} op_args;

static void guest_op_body(uint64_t unused)
{
	uint64_t rdi = op_args.addr, rsi = op_args.addr, rcx = op_args.count;

	(void)unused;
	string_op(op_args.op, &rdi, &rsi, &rcx);
	GUEST_SYNC_ARGS(1, rdi, rsi, rcx, 0);
	GUEST_DONE();
}

/* Ring 0 entry: set up CR0/CR4/RFLAGS as asked, then run the op in
 * ring 3 if user_stack is given, else here.
 */
static void guest_op(uint64_t user_stack)
{
	if (op_args.cr0_clear)
		set_cr0(get_cr0() & ~op_args.cr0_clear);
	if (op_args.cr4_set)
		set_cr4(get_cr4() | op_args.cr4_set);
	if (user_stack)
		guest_enter_user(guest_op_body, 0, user_stack,
				 op_args.rflags_set);
	if (op_args.rflags_set)
		set_rflags(get_rflags() | op_args.rflags_set);
	guest_op_body(0);
}

/* ---- host side ------------------------------------------------------------ */

struct op_result {
	uint64_t rdi, rsi, rcx;
	unsigned int io_exits;
	uint32_t io_count[8];	/* elements per I/O exit, first 8 exits */
	struct fault_record fault;
};

struct op_vm {
	struct svmhv_vm *vm;
	struct svmhv_vcpu *vcpu;
	uint64_t region;	/* a 2 MiB region of 4 KiB pages, for data */
};

/* A VM whose data region is split into 4 KiB pages filled with PATTERN;
 * with user set, all of the guest's memory is user memory and the op runs
 * in ring 3.
 */
static void op_vm_create(struct op_vm *t, bool user)
{
	uint64_t stack = 0;

	t->vm = vm_create(DEFAULT_GUEST_RAM);
	t->vcpu = vcpu_create(t->vm, 0, guest_op);
	t->region = vm_alloc(t->vm, 2 * MiB, 2 * MiB);
	memset(addr_gpa2hva(t->vm, t->region), PATTERN, 2 * MiB);
	virt_pte(t->vm, t->region);
	if (user) {
		vcpu_enable_user_mode(t->vcpu);
		stack = vm_alloc(t->vm, USER_STACK_SIZE, 4096) + USER_STACK_SIZE;
		virt_set_user(t->vm, 0, GUEST_IDENTITY_MAP_SIZE);
	}
	vcpu_args_set(t->vcpu, 1, stack);
	for (int v = 0; v < 32; v++)
		vm_install_exception_handler(t->vm, v, fault_handler);
}

static void op_set(struct op_vm *t, uint64_t op, uint64_t addr,
		   uint64_t count)
{
	GUEST_VAR(t->vm, op_args).op = op;
	GUEST_VAR(t->vm, op_args).addr = addr;
	GUEST_VAR(t->vm, op_args).count = count;
}

/* Input data: byte k of the whole transfer is 0x40 + k. */
static uint8_t in_byte(unsigned int k)
{
	return (uint8_t)(0x40 + k);
}

/*
 * Run until the guest's GUEST_SYNC(1), answering the I/O exits of
 * TEST_PORT (IN with in_byte(), OUT checked against expect_out if given).
 */
static void op_run(struct op_vm *t, struct op_result *r,
		   const uint8_t *expect_out)
{
	struct svmhv_run *run = t->vcpu->run;
	unsigned int k = 0;
	struct ucall uc;
	uint64_t cmd;

	memset(r, 0, sizeof(*r));
	for (;;) {
		vcpu_run(t->vcpu);
		if (run->exit_reason == SVMHV_EXIT_IO &&
		    run->io.port == TEST_PORT) {
			uint32_t bytes = run->io.count * run->io.size;

			TEST_ASSERT(run->io.string, "unexpected I/O exit%s",
				    exit_details(run));
			if (r->io_exits < ARRAY_SIZE(r->io_count))
				r->io_count[r->io_exits] = run->io.count;
			r->io_exits++;
			for (uint32_t i = 0; i < bytes; i++, k++) {
				if (run->io.direction == SVMHV_IO_IN)
					run->io.data[i] = in_byte(k);
				else if (expect_out)
					TEST_ASSERT(run->io.data[i] == expect_out[k],
						    "OUTS byte %u: %#x, expected %#x",
						    k, run->io.data[i], expect_out[k]);
			}
			continue;
		}
		cmd = get_ucall(t->vcpu, &uc);
		TEST_ASSERT(cmd != UCALL_NONE, "exit %s is not a ucall%s",
			    exit_reason_str(run->exit_reason),
			    exit_details(run));
		if (cmd == UCALL_ABORT)
			report_guest_assert(&uc);
		TEST_ASSERT(cmd == UCALL_SYNC && uc.args[0] == 1,
			    "ucall %lu arg0 %lu, expected GUEST_SYNC(1)",
			    cmd, uc.args[0]);
		break;
	}
	r->rdi = uc.args[1];
	r->rsi = uc.args[2];
	r->rcx = uc.args[3];
	r->fault = GUEST_VAR(t->vm, fault_seen);
}

static bool bytes_are(struct svmhv_vm *vm, uint64_t gpa, size_t len,
		      uint8_t v)
{
	const uint8_t *p = addr_gpa2hva(vm, gpa);

	for (size_t i = 0; i < len; i++)
		if (p[i] != v)
			return false;
	return true;
}

#define EXPECT_FAULT(r, vec, err, addr) do {				\
	EXPECT_EQ(1ULL, (r).fault.count);				\
	EXPECT_EQ((uint64_t)(vec), (r).fault.vector);			\
	EXPECT_EQ((uint64_t)(err), (r).fault.error);			\
	EXPECT_EQ((uint64_t)(addr), (r).fault.cr2);			\
	EXPECT_EQ((r).fault.insn, (r).fault.rip);			\
} while (0)

/* ---- ring 3 --------------------------------------------------------------- */

TEST(ring3_rep_insb_into_read_only_page_faults_before_reading_the_port)
{
	struct op_result r;
	struct op_vm t;
	uint64_t dst;

	op_vm_create(&t, true);
	dst = t.region + 0x3010;
	*virt_pte(t.vm, dst) &= ~PTE_WRITE;
	op_set(&t, OP_REP_INSB, dst, 8);
	op_run(&t, &r, NULL);

	EXPECT_EQ(0U, r.io_exits);
	EXPECT_FAULT(r, PF_VECTOR, PFERR_P | PFERR_W | PFERR_U, dst);
	EXPECT_EQ(dst, r.rdi);
	EXPECT_EQ(8ULL, r.rcx);
	EXPECT_TRUE(bytes_are(t.vm, dst, 8, PATTERN));
	vcpu_run_expect_done(t.vcpu);
	vm_free(t.vm);
}

TEST(ring3_rep_insb_into_supervisor_page_faults)
{
	struct op_result r;
	struct op_vm t;
	uint64_t dst;

	op_vm_create(&t, true);
	dst = t.region + 0x5000;
	*virt_pte(t.vm, dst) &= ~PTE_USER;	/* writable, supervisor */
	op_set(&t, OP_REP_INSB, dst, 4);
	op_run(&t, &r, NULL);

	EXPECT_EQ(0U, r.io_exits);
	EXPECT_FAULT(r, PF_VECTOR, PFERR_P | PFERR_W | PFERR_U, dst);
	EXPECT_EQ(dst, r.rdi);
	EXPECT_EQ(4ULL, r.rcx);
	EXPECT_TRUE(bytes_are(t.vm, dst, 4, PATTERN));
	vm_free(t.vm);
}

TEST(ring3_rep_outsb_from_supervisor_page_faults_as_a_read)
{
	struct op_result r;
	struct op_vm t;
	uint64_t src;

	op_vm_create(&t, true);
	src = t.region + 0x6ffe;
	*virt_pte(t.vm, src) &= ~PTE_USER;
	op_set(&t, OP_REP_OUTSB, src, 2);
	op_run(&t, &r, NULL);

	EXPECT_EQ(0U, r.io_exits);
	EXPECT_FAULT(r, PF_VECTOR, PFERR_P | PFERR_U, src);
	EXPECT_EQ(src, r.rsi);
	EXPECT_EQ(2ULL, r.rcx);
	vm_free(t.vm);
}

/* The control: a user page that allows the write takes the data. */
TEST(ring3_rep_insb_into_writable_user_page_moves_the_data)
{
	struct op_result r;
	struct op_vm t;
	uint64_t dst;

	op_vm_create(&t, true);
	dst = t.region + 0x3010;
	op_set(&t, OP_REP_INSB, dst, 8);
	op_run(&t, &r, NULL);

	EXPECT_EQ(1U, r.io_exits);
	EXPECT_EQ(8U, r.io_count[0]);
	EXPECT_EQ(0ULL, r.fault.count);
	EXPECT_EQ(dst + 8, r.rdi);
	EXPECT_EQ(0ULL, r.rcx);
	for (int i = 0; i < 8; i++)
		EXPECT_EQ(in_byte(i), *(uint8_t *)addr_gpa2hva(t.vm, dst + i));
	vcpu_run_expect_done(t.vcpu);
	vm_free(t.vm);
}

/* ---- ring 0 --------------------------------------------------------------- */

TEST(ring0_rep_insb_into_read_only_page_faults_only_with_cr0_wp)
{
	struct op_result r;
	struct op_vm t;
	uint64_t dst;

	/* CR0.WP=1 (the library's default): a supervisor write faults. */
	op_vm_create(&t, false);
	dst = t.region + 0x7000;
	*virt_pte(t.vm, dst) &= ~PTE_WRITE;
	op_set(&t, OP_REP_INSB, dst, 4);
	op_run(&t, &r, NULL);
	EXPECT_EQ(0U, r.io_exits);
	EXPECT_FAULT(r, PF_VECTOR, PFERR_P | PFERR_W, dst);
	EXPECT_TRUE(bytes_are(t.vm, dst, 4, PATTERN));
	vm_free(t.vm);

	/* CR0.WP=0: it does not. */
	op_vm_create(&t, false);
	dst = t.region + 0x7000;
	*virt_pte(t.vm, dst) &= ~PTE_WRITE;
	op_set(&t, OP_REP_INSB, dst, 4);
	GUEST_VAR(t.vm, op_args).cr0_clear = X86_CR0_WP;
	op_run(&t, &r, NULL);
	EXPECT_EQ(1U, r.io_exits);
	EXPECT_EQ(0ULL, r.fault.count);
	EXPECT_EQ(dst + 4, r.rdi);
	for (int i = 0; i < 4; i++)
		EXPECT_EQ(in_byte(i), *(uint8_t *)addr_gpa2hva(t.vm, dst + i));
	vm_free(t.vm);
}

static bool host_has_smap(void)
{
	unsigned int a, b, c, d;

	return __get_cpuid_count(7, 0, &a, &b, &c, &d) && (b & (1U << 20));
}

TEST(ring0_rep_insb_into_user_page_obeys_smap_and_rflags_ac)
{
	struct op_result r;
	struct op_vm t;
	uint64_t dst;

	if (!host_has_smap())
		SKIP(return, "the CPU has no SMAP");

	/* CR4.SMAP, RFLAGS.AC=0: a supervisor write to a user page faults. */
	op_vm_create(&t, false);
	dst = t.region + 0x9000;
	virt_set_user(t.vm, dst, 4096);
	op_set(&t, OP_REP_INSB, dst, 4);
	GUEST_VAR(t.vm, op_args).cr4_set = X86_CR4_SMAP;
	op_run(&t, &r, NULL);
	EXPECT_EQ(0U, r.io_exits);
	EXPECT_FAULT(r, PF_VECTOR, PFERR_P | PFERR_W, dst);
	EXPECT_TRUE(bytes_are(t.vm, dst, 4, PATTERN));
	vm_free(t.vm);

	/* RFLAGS.AC=1 (what STAC sets) lifts SMAP for it. */
	op_vm_create(&t, false);
	dst = t.region + 0x9000;
	virt_set_user(t.vm, dst, 4096);
	op_set(&t, OP_REP_INSB, dst, 4);
	GUEST_VAR(t.vm, op_args).cr4_set = X86_CR4_SMAP;
	GUEST_VAR(t.vm, op_args).rflags_set = X86_EFLAGS_AC;
	op_run(&t, &r, NULL);
	EXPECT_EQ(1U, r.io_exits);
	EXPECT_EQ(0ULL, r.fault.count);
	for (int i = 0; i < 4; i++)
		EXPECT_EQ(in_byte(i), *(uint8_t *)addr_gpa2hva(t.vm, dst + i));
	vm_free(t.vm);
}

TEST(rep_outsb_from_not_present_page_faults_as_a_supervisor_read)
{
	struct op_result r;
	struct op_vm t;
	uint64_t src;

	op_vm_create(&t, false);
	src = t.region + 0xa123;
	*virt_pte(t.vm, src) &= ~PTE_PRESENT;
	op_set(&t, OP_REP_OUTSB, src, 4);
	op_run(&t, &r, NULL);

	EXPECT_EQ(0U, r.io_exits);
	EXPECT_FAULT(r, PF_VECTOR, 0, src);
	EXPECT_EQ(src, r.rsi);
	EXPECT_EQ(4ULL, r.rcx);
	vm_free(t.vm);
}

/* INS sets Accessed in every level and Dirty in the leaf; OUTS only A. */
static void guest_ins_then_outs(uint64_t dst, uint64_t src)
{
	uint64_t rdi = dst, rsi = src, rcx = 4;

	STRING_IO_SAFE("rep insb", rdi, rsi, rcx);
	rcx = 4;
	STRING_IO_SAFE("rep outsb", rdi, rsi, rcx);
	GUEST_SYNC(1);
	GUEST_DONE();
}

TEST(ins_sets_accessed_and_dirty_outs_sets_accessed)
{
	struct svmhv_vcpu *vcpu;
	struct svmhv_vm *vm = vm_create_with_one_vcpu(&vcpu, guest_ins_then_outs);
	uint64_t region = vm_alloc(vm, 2 * MiB, 2 * MiB);
	uint64_t dst = region + 0x1000, src = region + 0x2000;
	uint64_t *pte_dst = virt_pte(vm, dst), *pte_src = virt_pte(vm, src);
	uint64_t *pde = virt_pde(vm, dst);
	struct svmhv_run *run = vcpu->run;
	int io = 0;

	*pde &= ~PTE_ACCESSED;
	*pte_dst &= ~(PTE_ACCESSED | PTE_DIRTY);
	*pte_src &= ~(PTE_ACCESSED | PTE_DIRTY);
	vcpu_args_set(vcpu, 2, dst, src);
	for (int v = 0; v < 32; v++)
		vm_install_exception_handler(vm, v, fault_handler);

	for (;;) {
		vcpu_run(vcpu);
		if (run->exit_reason != SVMHV_EXIT_IO || run->io.port != TEST_PORT)
			break;
		io++;
	}
	ASSERT_EQ((uint64_t)UCALL_SYNC, get_ucall(vcpu, NULL));
	EXPECT_EQ(2, io);
	EXPECT_EQ(0ULL, GUEST_VAR(vm, fault_seen).count);
	EXPECT_EQ(PTE_ACCESSED, *pde & PTE_ACCESSED);
	EXPECT_EQ(PTE_ACCESSED | PTE_DIRTY,
		  *pte_dst & (PTE_ACCESSED | PTE_DIRTY));
	EXPECT_EQ(PTE_ACCESSED, *pte_src & (PTE_ACCESSED | PTE_DIRTY));
	vm_free(vm);
}

/* ---- faults in the middle of a REP ---------------------------------------- */

TEST(rep_insb_faulting_mid_chunk_moves_exactly_the_elements_before_it)
{
	struct op_result r;
	struct op_vm t;
	uint64_t ro, dst;

	op_vm_create(&t, false);
	ro = t.region + 0xc000;
	dst = ro - 5;
	*virt_pte(t.vm, ro) &= ~PTE_WRITE;
	op_set(&t, OP_REP_INSB, dst, 10);
	op_run(&t, &r, NULL);

	/* Five port reads, in one exit; then the fault, without a sixth. */
	EXPECT_EQ(1U, r.io_exits);
	EXPECT_EQ(5U, r.io_count[0]);
	EXPECT_FAULT(r, PF_VECTOR, PFERR_P | PFERR_W, ro);
	EXPECT_EQ(ro, r.rdi);
	EXPECT_EQ(5ULL, r.rcx);
	for (int i = 0; i < 5; i++)
		EXPECT_EQ(in_byte(i), *(uint8_t *)addr_gpa2hva(t.vm, dst + i));
	EXPECT_TRUE(bytes_are(t.vm, ro, 5, PATTERN));
	vm_free(t.vm);
}

TEST(rep_outsb_faulting_mid_chunk_sends_exactly_the_elements_before_it)
{
	uint8_t expect[3] = { 0x11, 0x22, 0x33 };
	struct op_result r;
	struct op_vm t;
	uint64_t np, src;

	op_vm_create(&t, false);
	np = t.region + 0xe000;
	src = np - 3;
	memcpy(addr_gpa2hva(t.vm, src), expect, 3);
	*virt_pte(t.vm, np) &= ~PTE_PRESENT;
	op_set(&t, OP_REP_OUTSB, src, 7);
	op_run(&t, &r, expect);

	EXPECT_EQ(1U, r.io_exits);
	EXPECT_EQ(3U, r.io_count[0]);
	EXPECT_FAULT(r, PF_VECTOR, 0, np);
	EXPECT_EQ(np, r.rsi);
	EXPECT_EQ(4ULL, r.rcx);
	vm_free(t.vm);
}

/* An element across a page boundary faults as a whole, at the page. */
TEST(rep_insw_element_crossing_into_read_only_page_writes_none_of_it)
{
	struct op_result r;
	struct op_vm t;
	uint64_t ro, dst;

	op_vm_create(&t, false);
	ro = t.region + 0x10000;
	dst = ro - 3;
	*virt_pte(t.vm, ro) &= ~PTE_WRITE;
	op_set(&t, OP_REP_INSW, dst, 4);
	op_run(&t, &r, NULL);

	EXPECT_EQ(1U, r.io_exits);
	EXPECT_EQ(1U, r.io_count[0]);
	EXPECT_FAULT(r, PF_VECTOR, PFERR_P | PFERR_W, ro);
	EXPECT_EQ(ro - 1, r.rdi);
	EXPECT_EQ(3ULL, r.rcx);
	EXPECT_EQ(in_byte(0), *(uint8_t *)addr_gpa2hva(t.vm, dst));
	EXPECT_EQ(in_byte(1), *(uint8_t *)addr_gpa2hva(t.vm, dst + 1));
	EXPECT_TRUE(bytes_are(t.vm, ro - 1, 3, PATTERN));
	vm_free(t.vm);
}

/* ---- 64-bit mode: canonical addresses ------------------------------------- */

TEST(rep_insb_to_non_canonical_rdi_raises_gp0)
{
	struct op_result r;
	struct op_vm t;

	op_vm_create(&t, false);
	op_set(&t, OP_REP_INSB, NONCANONICAL, 4);
	op_run(&t, &r, NULL);

	EXPECT_EQ(0U, r.io_exits);
	EXPECT_FAULT(r, GP_VECTOR, 0, 0);
	EXPECT_EQ(NONCANONICAL, r.rdi);
	EXPECT_EQ(4ULL, r.rcx);
	vm_free(t.vm);
}

TEST(outs_from_non_canonical_address_raises_ss0_with_ss_override)
{
	static const struct {
		uint64_t op;
		uint64_t vector;
	} cases[] = {
		{ OP_SS_REP_OUTSB, SS_VECTOR },
		{ OP_REP_OUTSB, GP_VECTOR },	/* DS: #GP */
	};

	for (unsigned int i = 0; i < ARRAY_SIZE(cases); i++) {
		struct op_result r;
		struct op_vm t;

		op_vm_create(&t, false);
		op_set(&t, cases[i].op, NONCANONICAL, 4);
		op_run(&t, &r, NULL);

		EXPECT_EQ(0U, r.io_exits);
		EXPECT_FAULT(r, cases[i].vector, 0, 0);
		EXPECT_EQ(NONCANONICAL, r.rsi);
		EXPECT_EQ(4ULL, r.rcx);
		vm_free(t.vm);
	}
}

/* ---- 32-bit protected mode: segments, and paging without long mode ------ */

/*
 * CS, DS and the stack flat, ES (or SS) set by the host; paging off, or
 * on with 32-bit (CR4.PSE) or PAE tables.  The code runs the string
 * instruction with EDI/ESI/ECX/EDX from the host and reports 0x600d on
 * PM32_REPORT; the #SS, #GP and #PF handlers report the vector, error
 * code, EDI, ESI, ECX and CR2 there instead.
 */
#define PM32_REPORT	0x2101
#define PM32_GDT_GPA	0x50000ULL
#define PM32_IDT_GPA	0x51000ULL
#define PM32_STACK	0xf000ULL	/* below every SS limit used */
#define PM32_ES_BASE	0x60000ULL
#define PM32_PD_GPA	0x20000ULL	/* 32-bit: PD, then one PT */
#define PM32_PT_GPA	0x21000ULL
#define PM32_PDPT_GPA	0x22000ULL	/* PAE: PDPT, then four PDs */
#define PM32_PAE_PD_GPA	0x23000ULL
#define PM32_RO_4K	(PM32_ES_BASE + 0x1000)	/* a read-only 4 KiB page */
#define PM32_RW_LARGE	(20 * MiB)	/* a writable large page */
#define PM32_RO_LARGE	(24 * MiB)	/* a read-only large page */
#define PM32_NX_LARGE	(28 * MiB)	/* NX set, EFER.NXE clear: reserved */

extern char pm32_rep_insb[], pm32_ss_rep_outsb[];
extern char pm32_ss[], pm32_gp[], pm32_pf[];

asm(".pushsection .text.svmhv_strio32, \"ax\"\n"
    ".code32\n"
    ".globl pm32_rep_insb, pm32_ss_rep_outsb, pm32_ss, pm32_gp, pm32_pf\n"
    "pm32_rep_insb:\n"
    "	cld\n"
    "	rep insb\n"
    "	jmp 1f\n"
    "pm32_ss_rep_outsb:\n"
    "	cld\n"
    "	.byte 0x36, 0xf3, 0x6e\n"		/* ss rep outsb */
    "1:	movl $0x600d, %eax\n"
    "	movw $0x2101, %dx\n"
    "	outl %eax, %dx\n"
    "	hlt\n"
    "pm32_ss:\n"
    "	movl $12, %ebp\n"
    "	jmp 2f\n"
    "pm32_gp:\n"
    "	movl $13, %ebp\n"
    "	jmp 2f\n"
    "pm32_pf:\n"
    "	movl $14, %ebp\n"
    "2:	popl %ebx\n"				/* error code */
    "	movw $0x2101, %dx\n"
    "	movl %ebp, %eax\n"
    "	outl %eax, %dx\n"
    "	movl %ebx, %eax\n"
    "	outl %eax, %dx\n"
    "	movl %edi, %eax\n"
    "	outl %eax, %dx\n"
    "	movl %esi, %eax\n"
    "	outl %eax, %dx\n"
    "	movl %ecx, %eax\n"
    "	outl %eax, %dx\n"
    "	movl %cr2, %eax\n"
    "	outl %eax, %dx\n"
    "	hlt\n"
    ".code64\n"
    ".popsection\n");

static void pm32_seg(struct svmhv_segment *s, uint16_t sel, uint64_t base,
		     uint32_t limit, uint8_t type, bool big)
{
	memset(s, 0, sizeof(*s));
	s->base = base;
	s->limit = limit;
	s->selector = sel;
	s->type = type;
	s->s = 1;
	s->present = 1;
	s->db = 1;
	s->g = big;
}

static void pm32_gate(uint64_t *idt, int vector, void *handler)
{
	uint32_t off = (uint32_t)(uintptr_t)handler;

	/* 32-bit interrupt gate, P=1 DPL=0, selector 0x08 (APM 4.8.4) */
	idt[vector] = (off & 0xffff) | (0x08ULL << 16) | (0x8eULL << 40) |
		      ((uint64_t)(off >> 16) << 48);
}

enum { PM32_NO_PAGING, PM32_PAGING_32, PM32_PAGING_PAE };

/*
 * Identity maps of the first 32 MiB: 32-bit paging with 4 KiB pages for
 * the first 4 MiB and 4 MiB pages above; PAE with 2 MiB pages.  The
 * pages at PM32_RO_* are read-only, the one at PM32_NX_LARGE has NX set.
 * Returns where the leaf entry mapping @leaf_of lives.
 */
static uint64_t pm32_build_paging(struct svmhv_vm *vm, int mode,
				  uint64_t leaf_of)
{
	if (mode == PM32_PAGING_32) {
		uint32_t *pd = addr_gpa2hva(vm, PM32_PD_GPA);
		uint32_t *pt = addr_gpa2hva(vm, PM32_PT_GPA);

		memset(pd, 0, 4096);
		pd[0] = PM32_PT_GPA | PTE_PRESENT | PTE_WRITE;
		for (uint32_t i = 0; i < 1024; i++)
			pt[i] = (i << 12) | PTE_PRESENT | PTE_WRITE;
		pt[PM32_RO_4K >> 12] &= ~PTE_WRITE;
		for (uint32_t i = 1; i < 8; i++)
			pd[i] = (i << 22) | PTE_PRESENT | PTE_WRITE | PTE_LARGE;
		pd[PM32_RO_LARGE >> 22] &= ~PTE_WRITE;
		if (leaf_of < 4 * MiB)
			return PM32_PT_GPA + (leaf_of >> 12) * 4;
		return PM32_PD_GPA + (leaf_of >> 22) * 4;
	}
	if (mode == PM32_PAGING_PAE) {
		uint64_t *pdpt = addr_gpa2hva(vm, PM32_PDPT_GPA);
		uint64_t *pd = addr_gpa2hva(vm, PM32_PAE_PD_GPA);

		memset(pdpt, 0, 32);
		pdpt[0] = PM32_PAE_PD_GPA | PTE_PRESENT;
		memset(pd, 0, 4096);
		for (uint64_t i = 0; i < 16; i++)
			pd[i] = (i << 21) | PTE_PRESENT | PTE_WRITE | PTE_LARGE;
		pd[PM32_RO_LARGE >> 21] &= ~PTE_WRITE;
		pd[PM32_NX_LARGE >> 21] |= PTE_NX;
		return PM32_PAE_PD_GPA + (leaf_of >> 21) * 8;
	}
	return 0;
}

struct pm32_case {
	const char *name;
	int paging;		/* PM32_* */
	bool ss_outs;		/* ss rep outsb instead of rep insb */
	uint8_t type;		/* ES (or SS) descriptor type */
	uint32_t limit;
	bool not_present;
	uint32_t addr;		/* EDI or ESI */
	uint32_t count;
	uint32_t moved;		/* elements moved before the end or fault */
	int vector;		/* -1: no fault */
	uint32_t error;
};

#define FLAT	0x3, 0xffffffff, false
#define ES_TO(lin)	((uint32_t)((lin) - PM32_ES_BASE))

static const struct pm32_case pm32_cases[] = {
	{ "expand-up, within the limit", PM32_NO_PAGING, false,
	  0x3, 0xfff, false, 0xffc, 4, 4, -1, 0 },
	{ "expand-up, crossing the limit", PM32_NO_PAGING, false,
	  0x3, 0xfff, false, 0xffe, 4, 2, GP_VECTOR, 0 },
	{ "expand-down, at the limit", PM32_NO_PAGING, false,
	  0x7, 0xfff, false, 0xfff, 1, 0, GP_VECTOR, 0 },
	{ "expand-down, above the limit", PM32_NO_PAGING, false,
	  0x7, 0xfff, false, 0x1000, 2, 2, -1, 0 },
	{ "read-only data segment", PM32_NO_PAGING, false,
	  0x1, 0xffff, false, 0x10, 1, 0, GP_VECTOR, 0 },
	{ "null (not present) ES", PM32_NO_PAGING, false,
	  0x3, 0xffff, true, 0x10, 1, 0, GP_VECTOR, 0 },
	{ "SS override, crossing the SS limit", PM32_NO_PAGING, true,
	  0x3, 0xffff, false, 0xfffe, 4, 2, SS_VECTOR, 0 },
	{ "32-bit paging, into a read-only 4 KiB page", PM32_PAGING_32, false,
	  FLAT, 0xffe, 4, 2, PF_VECTOR, 3 },
	{ "32-bit paging, into a writable 4 MiB page", PM32_PAGING_32, false,
	  FLAT, ES_TO(PM32_RW_LARGE), 4, 4, -1, 0 },
	{ "32-bit paging, into a read-only 4 MiB page", PM32_PAGING_32, false,
	  FLAT, ES_TO(PM32_RO_LARGE), 4, 0, PF_VECTOR, 3 },
	{ "PAE paging, into a writable 2 MiB page", PM32_PAGING_PAE, false,
	  FLAT, ES_TO(PM32_RW_LARGE), 4, 4, -1, 0 },
	{ "PAE paging, into a read-only 2 MiB page", PM32_PAGING_PAE, false,
	  FLAT, ES_TO(PM32_RO_LARGE) - 1, 4, 1, PF_VECTOR, 3 },
	{ "PAE paging, NX set without EFER.NXE", PM32_PAGING_PAE, false,
	  FLAT, ES_TO(PM32_NX_LARGE), 4, 0, PF_VECTOR, 0xb },
};

static void pm32_run_case(struct __test_metadata *_metadata,
			  const struct pm32_case *c)
{
	struct svmhv_vm *vm = vm_create(DEFAULT_GUEST_RAM);
	struct svmhv_vcpu *vcpu = vcpu_create_reset(vm, 0);
	uint64_t *gdt = addr_gpa2hva(vm, PM32_GDT_GPA);
	uint64_t *idt = addr_gpa2hva(vm, PM32_IDT_GPA);
	uint64_t first = PM32_ES_BASE + c->addr, leaf_gpa;
	struct svmhv_run *run = vcpu->run;
	uint32_t report[6], moved = 0;
	unsigned int nreport = 0;
	struct svmhv_sregs s;
	struct svmhv_regs regs;

	TH_LOG("%s", c->name);
	gdt[0] = 0;
	gdt[1] = 0x00cf9b000000ffffULL;		/* 0x08: 32-bit code */
	gdt[2] = 0x00cf93000000ffffULL;		/* 0x10: data */
	memset(idt, 0, 32 * 8);
	pm32_gate(idt, SS_VECTOR, pm32_ss);
	pm32_gate(idt, GP_VECTOR, pm32_gp);
	pm32_gate(idt, PF_VECTOR, pm32_pf);
	if (!c->ss_outs)
		memset(addr_gpa2hva(vm, first - 16), PATTERN, c->count + 32);
	leaf_gpa = pm32_build_paging(vm, c->paging, first);

	vcpu_sregs_get(vcpu, &s);
	pm32_seg(&s.cs, 0x08, 0, 0xffffffff, 0xb, true);
	pm32_seg(&s.ds, 0x10, 0, 0xffffffff, 0x3, true);
	s.ss = s.fs = s.gs = s.ds;
	pm32_seg(&s.es, 0x10, PM32_ES_BASE, c->limit, c->type,
		 c->limit > 0xfffff);
	s.es.present = !c->not_present;
	if (c->not_present)
		s.es.selector = 0;
	if (c->ss_outs)		/* the stack stays below the limit */
		pm32_seg(&s.ss, 0x10, 0, c->limit, c->type, false);
	s.gdt.base = PM32_GDT_GPA;
	s.gdt.limit = 3 * 8 - 1;
	s.idt.base = PM32_IDT_GPA;
	s.idt.limit = 32 * 8 - 1;
	s.cr0 = X86_CR0_PE | X86_CR0_ET | X86_CR0_NE;
	s.cr4 = 0;
	s.efer = 0;
	if (c->paging == PM32_PAGING_32) {
		s.cr3 = PM32_PD_GPA;
		s.cr4 = 1ULL << 4;		/* PSE */
	} else if (c->paging == PM32_PAGING_PAE) {
		s.cr3 = PM32_PDPT_GPA;
		s.cr4 = X86_CR4_PAE;
	}
	if (c->paging != PM32_NO_PAGING)
		s.cr0 |= X86_CR0_PG | X86_CR0_WP;
	vcpu_sregs_set(vcpu, &s);

	vcpu_regs_get(vcpu, &regs);
	regs.rip = (uint64_t)(uintptr_t)(c->ss_outs ? pm32_ss_rep_outsb :
						       pm32_rep_insb);
	regs.rflags = X86_EFLAGS_FIXED;
	regs.rsp = PM32_STACK;
	regs.rdx = TEST_PORT;
	regs.rcx = c->count;
	regs.rdi = c->ss_outs ? 0 : c->addr;
	regs.rsi = c->ss_outs ? c->addr : 0;
	vcpu_regs_set(vcpu, &regs);

	for (;;) {
		vcpu_run(vcpu);
		if (run->exit_reason != SVMHV_EXIT_IO)
			break;
		if (run->io.port == TEST_PORT) {
			ASSERT_TRUE(run->io.string);
			memset(run->io.data, 0x5a, run->io.count);
			moved += run->io.count;
			continue;
		}
		ASSERT_EQ(PM32_REPORT, run->io.port);
		ASSERT_GT(ARRAY_SIZE(report), nreport);
		memcpy(&report[nreport++], run->io.data, 4);
	}
	TEST_ASSERT_EXIT_REASON(vcpu, SVMHV_EXIT_HLT);
	EXPECT_EQ(c->moved, moved);
	if (c->vector < 0) {
		ASSERT_EQ(1U, nreport);
		EXPECT_EQ(0x600dU, report[0]);
	} else {
		uint32_t reg = c->addr + c->moved;

		ASSERT_EQ(6U, nreport);
		EXPECT_EQ((uint32_t)c->vector, report[0]);
		EXPECT_EQ(c->error, report[1]);
		EXPECT_EQ(reg, c->ss_outs ? report[3] : report[2]);
		EXPECT_EQ(c->count - c->moved, report[4]);	/* ECX */
		if (c->vector == PF_VECTOR)
			EXPECT_EQ((uint32_t)(PM32_ES_BASE + reg), report[5]);
	}
	if (!c->ss_outs) {
		EXPECT_TRUE(bytes_are(vm, first, c->moved, 0x5a));
		EXPECT_TRUE(bytes_are(vm, first + c->moved,
				      c->count - c->moved, PATTERN));
	}
	/* A successful INS leaves A and D in the leaf it wrote through. */
	if (c->paging != PM32_NO_PAGING && c->vector < 0) {
		uint32_t leaf = *(uint32_t *)addr_gpa2hva(vm, leaf_gpa);

		EXPECT_EQ((uint32_t)(PTE_ACCESSED | PTE_DIRTY),
			  leaf & (PTE_ACCESSED | PTE_DIRTY));
	}
	vm_free(vm);
}

TEST(protected_mode_ins_and_outs_check_segments_and_legacy_paging)
{
	for (unsigned int i = 0; i < ARRAY_SIZE(pm32_cases); i++)
		pm32_run_case(_metadata, &pm32_cases[i]);
}

SVMHV_TEST_HARNESS_MAIN
