// SPDX-License-Identifier: GPL-2.0
/*
 * What the guest sees of the CPU, all handled inside the module: CPUID
 * (vendor, hypervisor bit and leaf, SVM hidden), the MSRs the guest may
 * use and the #GP for those it may not, #UD for the SVM instructions, the
 * next RIP after prefixed instructions (the emulated CPU has no NRIP
 * save), and SSE/FPU state kept apart between guest and host.
 */
#include <cpuid.h>
#include <pthread.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>

#include "svmhv_test.h"

/* ---- CPUID ---------------------------------------------------------------- */

static void guest_cpuid_vendor(void)
{
	struct cpuid_regs r = guest_cpuid(0, 0);

	GUEST_ASSERT(r.eax >= 1);
	GUEST_ASSERT_EQ(r.ebx, 0x68747541);	/* "Auth" */
	GUEST_ASSERT_EQ(r.edx, 0x69746e65);	/* "enti" */
	GUEST_ASSERT_EQ(r.ecx, 0x444d4163);	/* "cAMD" */
	GUEST_DONE();
}

TEST(cpuid_vendor_is_authentic_amd)
{
	struct svmhv_vcpu *vcpu;
	struct svmhv_vm *vm = vm_create_with_one_vcpu(&vcpu, guest_cpuid_vendor);

	vcpu_run_expect_done(vcpu);
	vm_free(vm);
}

static void guest_cpuid_features(void)
{
	struct cpuid_regs r1 = guest_cpuid(1, 0);
	struct cpuid_regs r81 = guest_cpuid(0x80000001, 0);

	GUEST_SYNC_ARGS(1, r1.ecx, r81.ecx, r1.edx, 0);
	GUEST_DONE();
}

TEST(cpuid_sets_hypervisor_bit_and_hides_svm_from_guest)
{
	struct svmhv_vcpu *vcpu;
	struct svmhv_vm *vm = vm_create_with_one_vcpu(&vcpu, guest_cpuid_features);
	unsigned int a, b, c, d;
	struct ucall uc;

	vcpu_run_expect_sync(vcpu, 1, &uc);
	EXPECT_EQ(1ULL, uc.args[1] >> 31 & 1) TH_LOG("CPUID.1:ECX %#lx", uc.args[1]);
	EXPECT_EQ(0ULL, uc.args[2] >> 2 & 1) TH_LOG("CPUID.80000001:ECX %#lx", uc.args[2]);
	/* The rest is the host's: SSE2 (CPUID.1:EDX bit 26) as on the host. */
	ASSERT_TRUE(__get_cpuid(1, &a, &b, &c, &d));
	EXPECT_EQ((uint64_t)(d >> 26 & 1), uc.args[3] >> 26 & 1);
	EXPECT_EQ(1ULL, uc.args[3] >> 26 & 1);
	vcpu_run_expect_done(vcpu);
	vm_free(vm);
}

static void guest_cpuid_hv_leaf(void)
{
	struct cpuid_regs r = guest_cpuid(0x40000000, 0);
	char sig[13];

	memcpy(sig, &r.ebx, 4);
	memcpy(sig + 4, &r.ecx, 4);
	memcpy(sig + 8, &r.edx, 4);
	sig[12] = '\0';
	GUEST_ASSERT(r.eax >= 0x40000000);
	GUEST_ASSERT_MSG(!memcmp(sig, "SVMHVSVMHVSV", 12), "signature \"%s\"", sig);
	GUEST_DONE();
}

TEST(cpuid_hypervisor_leaf_has_svmhv_signature)
{
	struct svmhv_vcpu *vcpu;
	struct svmhv_vm *vm = vm_create_with_one_vcpu(&vcpu, guest_cpuid_hv_leaf);

	vcpu_run_expect_done(vcpu);
	vm_free(vm);
}

static void guest_many_cpuids(void)
{
	uint32_t x = 0;

	GUEST_SYNC(1);
	for (int i = 0; i < 1000; i++)
		x ^= guest_cpuid(i & 1 ? 0x80000001 : 1, 0).eax;
	GUEST_SYNC_ARGS(2, x, 0, 0, 0);
	GUEST_DONE();
}

TEST(cpuid_is_handled_in_kernel_without_exits)
{
	struct svmhv_vcpu *vcpu;
	struct svmhv_vm *vm = vm_create_with_one_vcpu(&vcpu, guest_many_cpuids);

	vcpu_run_expect_sync(vcpu, 1, NULL);
	/* The very next exit must be the ucall after 1000 CPUIDs. */
	vcpu_run(vcpu);
	ASSERT_EQ((uint64_t)UCALL_SYNC, get_ucall(vcpu, NULL));
	vcpu_run_expect_done(vcpu);
	vm_free(vm);
}

/* ---- MSRs ----------------------------------------------------------------- */

struct msr_value {
	uint32_t msr;
	uint64_t value;
};

static const struct msr_value msr_values[] = {
	{ MSR_STAR,		0x0023001000000000ULL },
	{ MSR_LSTAR,		0xffffffff81a00000ULL },
	{ MSR_CSTAR,		0xffffffff81a00040ULL },
	{ MSR_SYSCALL_MASK,	0x0000000000047700ULL },
	{ MSR_KERNEL_GS_BASE,	0xffff888012345000ULL },
	{ MSR_IA32_SYSENTER_CS,	0x0000000000000010ULL },
	{ MSR_IA32_SYSENTER_ESP, 0x00000000fffe0000ULL },
	{ MSR_IA32_SYSENTER_EIP, 0x0000000012345678ULL },
	{ MSR_IA32_CR_PAT,	0x0007010600070106ULL },
	{ MSR_FS_BASE,		0x0000000000123000ULL },
	{ MSR_GS_BASE,		0x0000000000456000ULL },
};

static void guest_msr_round_trip(void)
{
	for (unsigned int i = 0; i < ARRAY_SIZE(msr_values); i++) {
		wrmsr(msr_values[i].msr, msr_values[i].value);
		GUEST_ASSERT_EQ(rdmsr(msr_values[i].msr), msr_values[i].value);
	}
	/* An exit to userspace (where the host runs its own syscalls) must
	 * not lose or leak them. */
	GUEST_SYNC(1);
	for (unsigned int i = 0; i < ARRAY_SIZE(msr_values); i++)
		GUEST_ASSERT_MSG(rdmsr(msr_values[i].msr) == msr_values[i].value,
				 "MSR %#x reads %#lx after an exit, wrote %#lx",
				 msr_values[i].msr, rdmsr(msr_values[i].msr),
				 msr_values[i].value);
	GUEST_DONE();
}

TEST(msrs_round_trip_and_survive_exits_to_userspace)
{
	struct svmhv_vcpu *vcpu;
	struct svmhv_vm *vm = vm_create_with_one_vcpu(&vcpu, guest_msr_round_trip);
	char path[64];

	vcpu_run_expect_sync(vcpu, 1, NULL);
	/* Host system calls in between use the host's own STAR/LSTAR. */
	for (int i = 0; i < 100; i++)
		snprintf(path, sizeof(path), "%ld", syscall(SYS_getpid));
	vcpu_run_expect_done(vcpu);
	vm_free(vm);
}

static void guest_efer(void)
{
	uint64_t efer = rdmsr(MSR_EFER);

	GUEST_ASSERT_EQ(efer, GUEST_EFER);
	GUEST_ASSERT_EQ(efer & EFER_SVME, 0);
	wrmsr(MSR_EFER, efer & ~EFER_SCE);
	GUEST_ASSERT_EQ(rdmsr(MSR_EFER), GUEST_EFER & ~EFER_SCE);
	wrmsr(MSR_EFER, efer);
	GUEST_ASSERT_EQ(rdmsr(MSR_EFER), GUEST_EFER);
	GUEST_SYNC(1);
	GUEST_DONE();
}

TEST(efer_reads_without_svme_and_round_trips)
{
	struct svmhv_vcpu *vcpu;
	struct svmhv_vm *vm = vm_create_with_one_vcpu(&vcpu, guest_efer);
	struct svmhv_sregs s;

	vcpu_run_expect_sync(vcpu, 1, NULL);
	vcpu_sregs_get(vcpu, &s);
	EXPECT_EQ(GUEST_EFER, s.efer);
	vcpu_run_expect_done(vcpu);
	vm_free(vm);
}

static void guest_tsc(void)
{
	uint64_t prev = rdmsr(MSR_IA32_TSC);

	GUEST_ASSERT(prev != 0);
	for (int i = 0; i < 100; i++) {
		uint64_t a = rdmsr(MSR_IA32_TSC);
		uint64_t b = rdtsc();

		GUEST_ASSERT_MSG(a >= prev, "TSC went back: %#lx after %#lx", a, prev);
		GUEST_ASSERT_MSG(b >= a, "RDTSC %#lx before RDMSR's %#lx", b, a);
		prev = b;
		if (i == 50)
			GUEST_SYNC(1);
	}
	GUEST_DONE();
}

TEST(tsc_is_monotonic_across_exits)
{
	struct svmhv_vcpu *vcpu;
	struct svmhv_vm *vm = vm_create_with_one_vcpu(&vcpu, guest_tsc);

	vcpu_run_expect_sync(vcpu, 1, NULL);
	usleep(1000);
	vcpu_run_expect_done(vcpu);
	vm_free(vm);
}

static volatile uint64_t gp_count, gp_error, gp_rip;

static void gp_skip_2byte_insn(struct ex_regs *regs)
{
	gp_count++;
	gp_error = regs->error_code;
	gp_rip = regs->rip;
	regs->rip += 2;	/* rdmsr and wrmsr are 0f 32 / 0f 30 */
}

static const uint32_t forbidden_msrs[] = {
	MSR_VM_CR, MSR_VM_HSAVE_PA, 0x12345678, 0xc0010115 /* IGNNE */,
};

static void guest_forbidden_msrs(void)
{
	uint64_t n = 0;

	for (unsigned int i = 0; i < ARRAY_SIZE(forbidden_msrs); i++) {
		uint32_t msr = forbidden_msrs[i];

		rdmsr(msr);
		GUEST_ASSERT_MSG(gp_count == ++n, "rdmsr %#x: no #GP", msr);
		GUEST_ASSERT_EQ(gp_error, 0);
		wrmsr(msr, 0x1000);
		GUEST_ASSERT_MSG(gp_count == ++n, "wrmsr %#x: no #GP", msr);
		GUEST_ASSERT_EQ(gp_error, 0);
	}
	GUEST_DONE();
}

TEST(forbidden_msrs_raise_gp_in_guest)
{
	struct svmhv_vcpu *vcpu;
	struct svmhv_vm *vm = vm_create_with_one_vcpu(&vcpu, guest_forbidden_msrs);

	vm_install_exception_handler(vm, GP_VECTOR, gp_skip_2byte_insn);
	vcpu_run_expect_done(vcpu);
	EXPECT_EQ(2 * ARRAY_SIZE(forbidden_msrs), GUEST_VAR(vm, gp_count));
	vm_free(vm);
}

/* ---- CR4 writes (module/svm/cr.c) ----------------------------------------- */

static void gp_skip_mov_cr4(struct ex_regs *regs)
{
	gp_count++;
	gp_error = regs->error_code;
	regs->rip += 3;	/* mov %rax, %cr4 */
}

#define CPUID7_ECX_PKU		(1u << 3)
#define CPUID7_ECX_OSPKE	(1u << 4)

/* Each write must fault, with error code 0, and leave CR4 as it was. */
#define EXPECT_CR4_GP(val)						\
	do {								\
		set_cr4(val);						\
		GUEST_ASSERT_MSG(gp_count == ++n, "CR4 %#lx: no #GP",	\
				 (unsigned long)(val));			\
		GUEST_ASSERT_EQ(gp_error, 0);				\
		GUEST_ASSERT_EQ(get_cr4(), cr4);			\
	} while (0)

static void guest_cr4_writes(void)
{
	uint64_t cr4 = get_cr4(), n = 0;
	bool pku = guest_cpuid(7, 0).ecx & CPUID7_ECX_PKU;
	bool xsave = guest_cpuid(1, 0).ecx & (1u << 26);

	/* Features CPUID does not show, reserved bits, PAE in long mode. */
	EXPECT_CR4_GP(cr4 | X86_CR4_LA57);
	EXPECT_CR4_GP(cr4 | X86_CR4_VMXE);
	if (!xsave)
		EXPECT_CR4_GP(cr4 | X86_CR4_OSXSAVE);
	EXPECT_CR4_GP(cr4 | (1ULL << 14));		/* SMXE: never */
	EXPECT_CR4_GP(cr4 | X86_CR4_PCIDE);
	EXPECT_CR4_GP(cr4 | X86_CR4_CET);
	EXPECT_CR4_GP(cr4 | (1ULL << 32));
	EXPECT_CR4_GP(cr4 & ~X86_CR4_PAE);
	/* Legal changes are taken. */
	set_cr4(cr4 | X86_CR4_PGE);
	GUEST_ASSERT_EQ(get_cr4(), cr4 | X86_CR4_PGE);
	set_cr4(cr4);
	GUEST_ASSERT_EQ(get_cr4(), cr4);
	/* PKE only with PKU, and OSPKE mirrors it as on hardware. */
	if (pku) {
		set_cr4(cr4 | X86_CR4_PKE);
		GUEST_ASSERT(guest_cpuid(7, 0).ecx & CPUID7_ECX_OSPKE);
		set_cr4(cr4);
		GUEST_ASSERT(!(guest_cpuid(7, 0).ecx & CPUID7_ECX_OSPKE));
	} else {
		EXPECT_CR4_GP(cr4 | X86_CR4_PKE);
	}
	GUEST_SYNC_ARGS(1, n, pku, get_cr4(), xsave);
	GUEST_DONE();
}

TEST(cr4_writes_of_hidden_features_raise_gp)
{
	struct svmhv_vcpu *vcpu;
	struct svmhv_vm *vm = vm_create_with_one_vcpu(&vcpu, guest_cr4_writes);
	struct ucall uc;

	vm_install_exception_handler(vm, GP_VECTOR, gp_skip_mov_cr4);
	vcpu_run_expect_sync(vcpu, 1, &uc);
	EXPECT_EQ(7ULL + !uc.args[2] + !uc.args[4], uc.args[1]);
	EXPECT_EQ(GUEST_CR4, uc.args[3]);
	vcpu_run_expect_done(vcpu);
	vm_free(vm);
}

/* ---- single-stepping over what svmhv completes ----------------------------- */

static volatile uint64_t db_count, db_rip, db_dr6;

static void on_db(struct ex_regs *regs)
{
	db_count++;
	db_rip = regs->rip;
	db_dr6 = get_dr6();
	regs->rflags &= ~X86_EFLAGS_TF;
}

extern char guest_after_stepped_cpuid[];

/*
 * POPF sets TF, so the CPU traps after the next instruction: CPUID, which
 * svmhv completes itself.  The #DB must come right after it (DR6.BS), as
 * on hardware, not after the instruction that follows.
 */
static void guest_step_over_cpuid(void)
{
	asm volatile("pushfq\n\t"
		     "orq $0x100, (%%rsp)\n\t"
		     "popfq\n\t"
		     "cpuid\n"
		     ".globl guest_after_stepped_cpuid\n"
		     "guest_after_stepped_cpuid:\n\t"
		     "nop\n\t"
		     "nop"
		     : : "a"(0), "c"(0) : "rbx", "rdx", "memory");
	GUEST_SYNC_ARGS(1, db_count, db_rip, db_dr6, 0);
	GUEST_DONE();
}

TEST(single_step_traps_right_after_an_emulated_instruction)
{
	struct svmhv_vcpu *vcpu;
	struct svmhv_vm *vm = vm_create_with_one_vcpu(&vcpu, guest_step_over_cpuid);
	struct ucall uc;

	vm_install_exception_handler(vm, DB_VECTOR, on_db);
	vcpu_run_expect_sync(vcpu, 1, &uc);
	EXPECT_EQ(1ULL, uc.args[1]);
	EXPECT_EQ((uint64_t)(uintptr_t)guest_after_stepped_cpuid, uc.args[2]);
	EXPECT_NE(0ULL, uc.args[3] & (1ULL << 14)) TH_LOG("DR6 %#lx", uc.args[3]);
	vcpu_run_expect_done(vcpu);
	vm_free(vm);
}

/* ---- SVM instructions ----------------------------------------------------- */

static volatile uint64_t ud_count, ud_vector;

static void ud_skip_3byte_insn(struct ex_regs *regs)
{
	ud_count++;
	ud_vector = regs->vector;
	regs->rip += 3;
}

#define SVM_INSN(name, modrm)						\
	do {								\
		uint64_t before = ud_count;				\
		asm volatile(".byte 0x0f, 0x01, " #modrm		\
			     : : "a"(0), "c"(0) : "memory");		\
		GUEST_ASSERT_MSG(ud_count == before + 1,		\
				 "%s did not raise #UD", name);		\
		GUEST_ASSERT_EQ(ud_vector, UD_VECTOR);			\
	} while (0)

static void guest_svm_insns(void)
{
	SVM_INSN("vmrun", 0xd8);
	SVM_INSN("vmload", 0xda);
	SVM_INSN("vmsave", 0xdb);
	SVM_INSN("stgi", 0xdc);
	SVM_INSN("clgi", 0xdd);
	SVM_INSN("skinit", 0xde);
	SVM_INSN("invlpga", 0xdf);
	GUEST_DONE();
}

TEST(svm_instructions_raise_ud_in_guest)
{
	struct svmhv_vcpu *vcpu;
	struct svmhv_vm *vm = vm_create_with_one_vcpu(&vcpu, guest_svm_insns);

	vm_install_exception_handler(vm, UD_VECTOR, ud_skip_3byte_insn);
	vcpu_run_expect_done(vcpu);
	EXPECT_EQ(7ULL, GUEST_VAR(vm, ud_count));
	vm_free(vm);
}

/* ---- next RIP after prefixed instructions --------------------------------- */

/*
 * Each prefixed instruction is followed by a 5-byte mov of a marker into
 * EAX.  Resuming one byte early or late runs other bytes instead (or
 * faults), and EAX then does not hold the marker.
 */
#define PREFIXED(bytes, in_eax, in_ecx)					\
	({								\
		uint64_t __a = (in_eax), __c = (in_ecx), __d = 0;	\
		asm volatile(".byte " bytes "\n\t"			\
			     "movl $0x5eed1e55, %%eax"			\
			     : "+a"(__a), "+c"(__c), "+d"(__d)		\
			     : : "rbx", "memory");			\
		__a;							\
	})

static void guest_prefixed_insns(void)
{
	wrmsr(MSR_STAR, 0x0023001000000000ULL);

	/* CPUID with operand-size, REX.W and segment prefixes */
	GUEST_ASSERT_EQ(PREFIXED("0x66, 0x0f, 0xa2", 0, 0), 0x5eed1e55);
	GUEST_ASSERT_EQ(PREFIXED("0x48, 0x0f, 0xa2", 0, 0), 0x5eed1e55);
	GUEST_ASSERT_EQ(PREFIXED("0x2e, 0x0f, 0xa2", 1, 0), 0x5eed1e55);
	GUEST_ASSERT_EQ(PREFIXED("0x2e, 0x3e, 0x26, 0x66, 0x0f, 0xa2",
				 0x40000000, 0), 0x5eed1e55);
	/* RDMSR with prefixes */
	GUEST_ASSERT_EQ(PREFIXED("0x66, 0x0f, 0x32", 0, MSR_STAR), 0x5eed1e55);
	GUEST_ASSERT_EQ(PREFIXED("0x3e, 0x48, 0x0f, 0x32", 0, MSR_STAR),
			0x5eed1e55);
	GUEST_DONE();
}

TEST(prefixed_instructions_resume_at_next_instruction)
{
	struct svmhv_vcpu *vcpu;
	struct svmhv_vm *vm = vm_create_with_one_vcpu(&vcpu, guest_prefixed_insns);

	vcpu_run_expect_done(vcpu);
	vm_free(vm);
}

extern char guest_prefixed_out[], guest_after_prefixed_out[];

static void guest_prefixed_port_io(void)
{
	uint64_t rax = 0xabcd;

	/* out %ax, %dx with a segment and a REX prefix */
	asm volatile(".globl guest_prefixed_out\nguest_prefixed_out:\n\t"
		     ".byte 0x3e, 0x66, 0x40, 0xef\n\t"
		     ".globl guest_after_prefixed_out\nguest_after_prefixed_out:\n\t"
		     "movl $0x5eed1e55, %%eax"
		     : "+a"(rax) : "d"(0x2100) : "memory");
	GUEST_ASSERT_EQ(rax, 0x5eed1e55);
	GUEST_DONE();
}

TEST(prefixed_out_exits_and_resumes_after_prefixes)
{
	struct svmhv_vcpu *vcpu;
	struct svmhv_vm *vm = vm_create_with_one_vcpu(&vcpu, guest_prefixed_port_io);
	struct svmhv_regs r;

	vcpu_run(vcpu);
	TEST_ASSERT_EXIT_REASON(vcpu, SVMHV_EXIT_IO);
	EXPECT_EQ(0x2100, vcpu->run->io.port);
	EXPECT_EQ(2, vcpu->run->io.size);
	EXPECT_EQ(0, memcmp(vcpu->run->io.data, "\xcd\xab", 2));
	EXPECT_EQ((uint64_t)(uintptr_t)guest_prefixed_out, vcpu->run->rip);
	vcpu_regs_get(vcpu, &r);
	EXPECT_EQ((uint64_t)(uintptr_t)guest_after_prefixed_out, r.rip);
	vcpu_run_expect_done(vcpu);
	vm_free(vm);
}

/* ---- SSE and FPU state ------------------------------------------------------ */

/* sqrtsd itself: __builtin_sqrt may call libc's sqrt, unusable in a guest. */
static inline double sse_sqrt(double x)
{
	double r;

	asm("sqrtsd %1, %0" : "=x"(r) : "x"(x));
	return r;
}

static __attribute__((noinline)) double series(int n, double x)
{
	double sum = 0.0, term = 1.0;

	for (int i = 1; i <= n; i++) {
		term *= x / i;
		sum += term / (i * (double)i) + sse_sqrt((double)i);
	}
	return sum;
}

static void guest_sse(int n, uint64_t xbits)
{
	double x;

	memcpy(&x, &xbits, sizeof(x));
	double r = series(n, x);
	uint64_t rbits;

	memcpy(&rbits, &r, sizeof(rbits));
	GUEST_SYNC_ARGS(1, rbits, 0, 0, 0);
	GUEST_DONE();
}

TEST(sse_double_arithmetic_in_guest_matches_host)
{
	struct svmhv_vcpu *vcpu;
	struct svmhv_vm *vm = vm_create_with_one_vcpu(&vcpu, guest_sse);
	double x = 1.2345, expect = series(40, x);
	uint64_t xbits, ebits;
	struct ucall uc;

	memcpy(&xbits, &x, sizeof(x));
	memcpy(&ebits, &expect, sizeof(expect));
	vcpu_args_set(vcpu, 2, 40ULL, xbits);
	vcpu_run_expect_sync(vcpu, 1, &uc);
	EXPECT_EQ(ebits, uc.args[1]);
	vcpu_run_expect_done(vcpu);
	vm_free(vm);
}

#define LOAD_XMM(src)							\
	"movdqu 0x00(" src "), %%xmm0\n\t"  "movdqu 0x10(" src "), %%xmm1\n\t" \
	"movdqu 0x20(" src "), %%xmm2\n\t"  "movdqu 0x30(" src "), %%xmm3\n\t" \
	"movdqu 0x40(" src "), %%xmm4\n\t"  "movdqu 0x50(" src "), %%xmm5\n\t" \
	"movdqu 0x60(" src "), %%xmm6\n\t"  "movdqu 0x70(" src "), %%xmm7\n\t" \
	"movdqu 0x80(" src "), %%xmm8\n\t"  "movdqu 0x90(" src "), %%xmm9\n\t" \
	"movdqu 0xa0(" src "), %%xmm10\n\t" "movdqu 0xb0(" src "), %%xmm11\n\t" \
	"movdqu 0xc0(" src "), %%xmm12\n\t" "movdqu 0xd0(" src "), %%xmm13\n\t" \
	"movdqu 0xe0(" src "), %%xmm14\n\t" "movdqu 0xf0(" src "), %%xmm15\n\t"
#define STORE_XMM(dst)							\
	"movdqu %%xmm0, 0x00(" dst ")\n\t"  "movdqu %%xmm1, 0x10(" dst ")\n\t" \
	"movdqu %%xmm2, 0x20(" dst ")\n\t"  "movdqu %%xmm3, 0x30(" dst ")\n\t" \
	"movdqu %%xmm4, 0x40(" dst ")\n\t"  "movdqu %%xmm5, 0x50(" dst ")\n\t" \
	"movdqu %%xmm6, 0x60(" dst ")\n\t"  "movdqu %%xmm7, 0x70(" dst ")\n\t" \
	"movdqu %%xmm8, 0x80(" dst ")\n\t"  "movdqu %%xmm9, 0x90(" dst ")\n\t" \
	"movdqu %%xmm10, 0xa0(" dst ")\n\t" "movdqu %%xmm11, 0xb0(" dst ")\n\t" \
	"movdqu %%xmm12, 0xc0(" dst ")\n\t" "movdqu %%xmm13, 0xd0(" dst ")\n\t" \
	"movdqu %%xmm14, 0xe0(" dst ")\n\t" "movdqu %%xmm15, 0xf0(" dst ")\n\t"
#define XMM_CLOBBERS "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", \
	"xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", \
	"xmm15"

struct fpu_image {
	uint8_t xmm[16][16];
	uint32_t mxcsr;
	uint16_t fcw;
};

static void fill_image(struct fpu_image *f, uint8_t seed, uint32_t mxcsr,
		       uint16_t fcw)
{
	for (int i = 0; i < 16; i++)
		for (int j = 0; j < 16; j++)
			f->xmm[i][j] = (uint8_t)(seed + i * 16 + j * 7);
	f->mxcsr = mxcsr;
	f->fcw = fcw;
}

#define FPU_ROUNDS	50
#define FPU_PORT	0x2200

static struct fpu_image guest_in, guest_out;

/* Load distinctive SSE/x87 control state, exit to the host through a raw
 * OUT (no C code in between), and store what the registers hold after;
 * FPU_ROUNDS times, with different values each time. */
static void guest_fpu_state(void)
{
	struct fpu_image *in = &guest_in, *out = &guest_out;

	for (int round = 0; round < FPU_ROUNDS; round++) {
		fill_image(in, 0x80 + round,
			   0x7f80 /* RC=toward zero, all masked */,
			   0x0e7f /* RC=toward zero, PC=double */);
		asm volatile(LOAD_XMM("%0")
			     "ldmxcsr %c2(%0)\n\t"
			     "fldcw %c3(%0)\n\t"
			     "outb %%al, %%dx\n\t"
			     STORE_XMM("%1")
			     "stmxcsr %c2(%1)\n\t"
			     "fnstcw %c3(%1)"
			     : : "r"(in), "r"(out),
			       "i"(__builtin_offsetof(struct fpu_image, mxcsr)),
			       "i"(__builtin_offsetof(struct fpu_image, fcw)),
			       "a"(round), "d"(FPU_PORT)
			     : "memory", XMM_CLOBBERS);
		for (int i = 0; i < 16; i++) {
			uint64_t want[2], got[2];

			memcpy(want, in->xmm[i], 16);
			memcpy(got, out->xmm[i], 16);
			GUEST_ASSERT_MSG(want[0] == got[0] && want[1] == got[1],
					 "round %d: xmm%d %#lx:%#lx, loaded %#lx:%#lx",
					 round, i, got[1], got[0], want[1], want[0]);
		}
		GUEST_ASSERT_MSG(out->mxcsr == in->mxcsr,
				 "round %d: mxcsr %#x, loaded %#x", round,
				 out->mxcsr, in->mxcsr);
		GUEST_ASSERT_MSG(out->fcw == in->fcw,
				 "round %d: fcw %#x, loaded %#x", round,
				 out->fcw, in->fcw);
	}
	GUEST_DONE();
}

/* SVMHV_RUN as a raw system call between loading and storing the host's
 * SSE registers, MXCSR and x87 control word. */
static long run_with_fpu_image(int fd, struct fpu_image *in,
			       struct fpu_image *out)
{
	long ret;

	asm volatile(LOAD_XMM("%[in]")
		     "ldmxcsr %c[mx](%[in])\n\t"
		     "fldcw %c[cw](%[in])\n\t"
		     "syscall\n\t"
		     STORE_XMM("%[out]")
		     "stmxcsr %c[mx](%[out])\n\t"
		     "fnstcw %c[cw](%[out])"
		     : "=a"(ret)
		     : "0"((long)SYS_ioctl), "D"((long)fd),
		       "S"((long)SVMHV_RUN), "d"(0L),
		       [in] "r"(in), [out] "r"(out),
		       [mx] "i"(__builtin_offsetof(struct fpu_image, mxcsr)),
		       [cw] "i"(__builtin_offsetof(struct fpu_image, fcw))
		     : "rcx", "r11", "memory", XMM_CLOBBERS);
	return ret;
}

TEST(fpu_and_sse_state_is_separate_for_host_and_guest)
{
	struct svmhv_vcpu *vcpu;
	struct svmhv_vm *vm = vm_create_with_one_vcpu(&vcpu, guest_fpu_state);
	struct fpu_image host_in, host_out;
	volatile double d = 1.0;
	uint32_t saved_mxcsr;
	uint16_t saved_fcw;

	asm volatile("stmxcsr %0; fnstcw %1" : "=m"(saved_mxcsr), "=m"(saved_fcw));
	for (int round = 0; round < FPU_ROUNDS; round++) {
		long ret;

		/* RC=round down, FTZ+DAZ; x87 RC=round up, PC=single */
		fill_image(&host_in, 0x11 + 3 * round, 0x1f80 | 0x2000 | 0x8040,
			   0x087f);
		memset(&host_out, 0, sizeof(host_out));
		ret = run_with_fpu_image(vcpu->fd, &host_in, &host_out);
		asm volatile("ldmxcsr %0; fldcw %1"
			     : : "m"(saved_mxcsr), "m"(saved_fcw));
		ASSERT_EQ(0, ret);
		if (get_ucall(vcpu, NULL) == UCALL_ABORT) {
			struct ucall uc;

			get_ucall(vcpu, &uc);
			report_guest_assert(&uc);
		}
		TEST_ASSERT_EXIT_REASON(vcpu, SVMHV_EXIT_IO);
		ASSERT_EQ(FPU_PORT, vcpu->run->io.port);
		ASSERT_EQ(round, vcpu->run->io.data[0]);
		for (int i = 0; i < 16; i++) {
			ASSERT_EQ(0, memcmp(host_in.xmm[i], host_out.xmm[i], 16))
				TH_LOG("round %d: host xmm%d changed by RUN", round, i);
		}
		ASSERT_EQ(host_in.mxcsr, host_out.mxcsr) TH_LOG("round %d", round);
		ASSERT_EQ(host_in.fcw, host_out.fcw) TH_LOG("round %d", round);

		/* Use the host FPU in between; the guest must not see it. */
		for (int i = 0; i < 200; i++)
			d = sse_sqrt(d + i) * 1.5;
		ASSERT_LT(0.0, d);
	}
	vcpu_run_expect_done(vcpu);
	vm_free(vm);
}

/*
 * The host preempts the vCPU thread (timer exits, a second thread on the
 * same CPU that keeps its own values in the SSE registers) while the guest
 * spins with values of its own in them: they must still be there after.
 */
#define PREEMPT_ROUNDS	20

static void guest_sse_spin(uint64_t spins)
{
	struct fpu_image *in = &guest_in, *out = &guest_out;

	for (int round = 0; round < PREEMPT_ROUNDS; round++) {
		uint64_t left = spins;	/* counted down by the asm */

		fill_image(in, 0x40 + round, 0x7f80, 0x0e7f);
		asm volatile(LOAD_XMM("%1")
			     "ldmxcsr %c3(%1)\n\t"
			     "1: decq %0\n\t"
			     "jnz 1b\n\t"
			     STORE_XMM("%2")
			     "stmxcsr %c3(%2)"
			     : "+r"(left) : "r"(in), "r"(out),
			       "i"(__builtin_offsetof(struct fpu_image, mxcsr))
			     : "memory", "cc", XMM_CLOBBERS);
		for (int i = 0; i < 16; i++) {
			uint64_t want[2], got[2];

			memcpy(want, in->xmm[i], 16);
			memcpy(got, out->xmm[i], 16);
			GUEST_ASSERT_MSG(want[0] == got[0] && want[1] == got[1],
					 "round %d: xmm%d %#lx:%#lx, loaded %#lx:%#lx",
					 round, i, got[1], got[0], want[1], want[0]);
		}
		GUEST_ASSERT_MSG(out->mxcsr == in->mxcsr,
				 "round %d: mxcsr %#x, loaded %#x", round,
				 out->mxcsr, in->mxcsr);
	}
	GUEST_DONE();
}

struct fpu_noise {
	volatile int stop;
	cpu_set_t cpu;
};

static void *fpu_noise_thread(void *arg)
{
	struct fpu_noise *n = arg;
	struct fpu_image img;

	fill_image(&img, 0xee, 0x1f80, 0x037f);
	sched_setaffinity(0, sizeof(n->cpu), &n->cpu);
	while (!n->stop)
		asm volatile(LOAD_XMM("%0") : : "r"(&img) : "memory", XMM_CLOBBERS);
	return NULL;
}

TEST(guest_sse_state_survives_host_preemption)
{
	struct svmhv_vcpu *vcpu;
	struct svmhv_vm *vm = vm_create_with_one_vcpu(&vcpu, guest_sse_spin);
	struct fpu_noise noise = { 0 };
	pthread_t thread;
	int cpu = sched_getcpu();

	ASSERT_LE(0, cpu);
	CPU_ZERO(&noise.cpu);
	CPU_SET(cpu, &noise.cpu);
	ASSERT_EQ(0, sched_setaffinity(0, sizeof(noise.cpu), &noise.cpu));
	ASSERT_EQ(0, pthread_create(&thread, NULL, fpu_noise_thread, &noise));
	/* 3 million iterations: tens of milliseconds even on real hardware
	 * at the 5-10 ms preemption granularity of two busy threads. */
	vcpu_args_set(vcpu, 1, 3000000ULL);
	vcpu_run_expect_done(vcpu);
	noise.stop = 1;
	pthread_join(thread, NULL);
	vm_free(vm);
}

/* ---- every CPUID leaf against module/svm/cpuid.c's promise ----------------- */

static const uint32_t cpuid_leaves[] = {
	0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0xa, 0xb, 0xc, 0xd, 0xe, 0xf, 0x10,
	0x1f, 0x20, 0x40000000, 0x40000001, 0x4000000f, 0x40000010, 0x40000011,
	0x80000000, 0x80000001, 0x80000002, 0x80000003, 0x80000004, 0x80000005,
	0x80000006, 0x80000007, 0x80000008, 0x80000009, 0x8000000a, 0x8000001f,
	0x80000020, 0xc0000000,
};

static void guest_all_cpuid(void)
{
	for (unsigned int i = 0; i < ARRAY_SIZE(cpuid_leaves); i++) {
		struct cpuid_regs r = guest_cpuid(cpuid_leaves[i], 0);

		GUEST_SYNC_ARGS(i, r.eax, r.ebx, r.ecx, r.edx);
	}
	/* Leaf 7 has subleaf 0 only. */
	{
		struct cpuid_regs r = guest_cpuid(7, 1);

		GUEST_SYNC_ARGS(1000, r.eax, r.ebx, r.ecx, r.edx);
	}
	GUEST_DONE();
}

#define B(n)	(1u << (n))

/* What the module offers, from the host's CPUID (module/svm/cpuid.c). */

static bool host_clocksource_is_tsc(void)
{
	char cs[32] = "";
	FILE *f = fopen("/sys/devices/system/clocksource/clocksource0/"
			"current_clocksource", "r");

	if (f) {
		if (!fgets(cs, sizeof(cs), f))
			cs[0] = 0;
		fclose(f);
	}
	return !strncmp(cs, "tsc\n", 4);
}
/* CPUID 8000_0007 EDX[8] of the host itself. */
static bool host_invariant_tsc(void)
{
	unsigned int a, b, c, d;

	if (__get_cpuid_max(0x80000000, NULL) < 0x80000007)
		return false;
	__cpuid(0x80000007, a, b, c, d);
	return d & B(8);
}

static void expected_cpuid(uint32_t leaf, uint32_t vcpu_id, long tsc_khz,
			   uint32_t out[4])
{
	const uint32_t l1_ecx = B(0) | B(1) | B(9) | B(12) | B(13) | B(19) |
		B(20) | B(22) | B(23) | B(25) | B(29) | B(30);
	const uint32_t l1_edx = B(0) | B(1) | B(2) | B(3) | B(4) | B(5) |
		B(6) | B(8) | B(11) | B(12) | B(13) | B(15) | B(16) | B(17) |
		B(19) | B(23) | B(24) | B(25) | B(26);
	const uint32_t l7_ebx = B(0) | B(3) | B(7) | B(8) | B(9) | B(18) |
		B(19) | B(20) | B(23) | B(24) | B(29);
	const uint32_t e1_ecx = B(0) | B(5) | B(6) | B(7) | B(8);
	const uint32_t e1_edx = (l1_edx & 0x0183f3ff) | B(11) | B(20) |
		B(22) | B(26) | B(29);
	unsigned int a, b, c, d, basic_max, ext_max;
	/*
	 * The XSAVE states offered: x87, SSE, AVX, AVX-512 (all three or
	 * none), PKRU with the host's OSPKE -- of those the host enables.
	 */
	uint64_t xcr0 = 0, avx512 = 0xe0;
	bool ymm, zmm;

	__cpuid(1, a, b, c, d);
	if (c & B(27)) {
		uint32_t lo, hi;

		asm volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
		__cpuid_count(7, 0, a, b, c, d);
		xcr0 = (lo | (uint64_t)hi << 32) &
		       (0x7 | avx512 | ((c & B(4)) ? 0x200 : 0));
		if ((xcr0 & avx512) != avx512)
			xcr0 &= ~avx512;
	}
	ymm = xcr0 & 0x4;
	zmm = xcr0 & avx512;

	memset(out, 0, 4 * sizeof(uint32_t));
	__cpuid(0, basic_max, b, c, d);
	basic_max = basic_max < 0xd ? basic_max : 0xd;
	__cpuid(0x80000000, ext_max, b, c, d);
	ext_max = ext_max < 0x80000008 ? ext_max : 0x80000008;
	if (leaf == 0x40000000) {
		out[0] = 0x40000010;
		memcpy(&out[1], "SVMHVSVMHVSV", 12);
		return;
	}
	if (leaf == 0x40000010) {
		out[0] = tsc_khz;
		return;
	}
	if (leaf > basic_max && (leaf < 0x80000000 || leaf > ext_max))
		return;
	__cpuid_count(leaf, 0, a, b, c, d);
	switch (leaf) {
	case 0:
		a = basic_max;
		break;
	case 1:
		b = (b & 0xffff) | (vcpu_id << 24) | (1 << 16);
		c = (c & (l1_ecx | (xcr0 ? B(26) : 0) | (ymm ? B(28) : 0))) |
		    B(31);
		d &= l1_edx;
		break;
	case 7:
		a = 0;
		b = (b & (l7_ebx | (ymm ? B(5) : 0) |
			  (zmm ? B(16) | B(17) | B(21) | B(28) | B(30) | B(31) : 0))) |
		    B(1);			/* TSC_ADJUST, emulated */
		/* PKU only where the host kernel uses it (OSPKE, bit 4). */
		c &= B(2) | ((c & B(4)) ? B(3) : 0) | B(8) /* GFNI */ |
		     B(22) /* RDPID */ | (ymm ? B(9) | B(10) : 0) |
		     (zmm ? B(1) | B(6) | B(11) | B(12) | B(14) : 0);
		d = 0;
		break;
	case 0xd: {
		uint32_t size = 576;

		for (int i = 2; i < 10; i++)
			if (xcr0 & (1ULL << i)) {
				__cpuid_count(0xd, i, a, b, c, d);
				size = a + b > size ? a + b : size;
			}
		a = (uint32_t)xcr0;
		b = xcr0 ? 576 : 0;	/* XCR0 is x87 after RESET */
		c = xcr0 ? size : 0;
		d = xcr0 >> 32;
		break;
	}
	case 0x80000000:
		a = ext_max;
		break;
	case 0x80000001:
		c &= e1_ecx;
		d &= e1_edx | B(27);		/* RDTSCP: TSC_AUX switched */
		break;
	case 0x80000002 ... 0x80000006:
		break;
	case 0x80000007:
		/* Invariant TSC: the host's bit, or a host keeping time
		 * with its TSC (module/svm/cpuid.c).
		 */
		a = b = c = 0;
		d = (d & B(8)) || host_clocksource_is_tsc() ? B(8) : 0;
		break;
	case 0x80000008:
		a &= 0xffff;
		b = c = d = 0;
		break;
	default:
		a = b = c = d = 0;	/* leaves 2-6, 8-0xc */
		break;
	}
	out[0] = a;
	out[1] = b;
	out[2] = c;
	out[3] = d;
}

TEST(every_cpuid_leaf_matches_what_the_module_promises)
{
	struct svmhv_vm *vm = vm_create(DEFAULT_GUEST_RAM);
	struct svmhv_vcpu *vcpu = vcpu_create(vm, 5, guest_all_cpuid);
	int sys = svmhv_open_sys();
	long tsc_khz = ioctl(sys, SVMHV_CHECK_CAP, SVMHV_CAP_TSC_KHZ);
	struct ucall uc;

	close(sys);
	ASSERT_LT(0L, tsc_khz);
	for (unsigned int i = 0; i < ARRAY_SIZE(cpuid_leaves); i++) {
		uint32_t want[4];

		uint32_t mask[4] = { ~0u, ~0u, ~0u, ~0u };

		expected_cpuid(cpuid_leaves[i], 5, tsc_khz, want);
		/*
		 * Without the host's own invariant-TSC bit the module decides
		 * at insmod, from whether the host's TSC was stable then.  A
		 * TSC that is the clocksource now was stable then (unstable
		 * is for good); one that is not may have been marked unstable
		 * since, by the clocksource watchdog: bit 8 is not compared.
		 */
		if (cpuid_leaves[i] == 0x80000007 && !host_invariant_tsc() &&
		    !host_clocksource_is_tsc())
			mask[3] = ~B(8);
		vcpu_run_expect_sync(vcpu, i, &uc);
		for (int r = 0; r < 4; r++) {
			EXPECT_EQ((uint64_t)(want[r] & mask[r]),
				  uc.args[1 + r] & mask[r]) {
				TH_LOG("CPUID %#x %s: got %#lx, expected %#x",
				       cpuid_leaves[i], "\0eax\0ebx\0ecx\0edx" + 1 + 4 * r,
				       uc.args[1 + r], want[r]);
			}
		}
	}
	vcpu_run_expect_sync(vcpu, 1000, &uc);
	for (int r = 0; r < 4; r++)
		EXPECT_EQ(0ULL, uc.args[1 + r]);
	vcpu_run_expect_done(vcpu);
	vm_free(vm);
}

/* ---- MSRs Linux reads unconditionally on AMD ------------------------------ */

#define MSR_K7_HWCR		0xc0010015
#define MSR_AMD64_DE_CFG	0xc0011029

static void guest_amd_msrs(void)
{
	GUEST_ASSERT_EQ(rdmsr(MSR_K7_HWCR), 1ULL << 24);
	GUEST_ASSERT_EQ(rdmsr(MSR_AMD64_DE_CFG), 1ULL << 1);
	/* Writes are accepted and ignored. */
	wrmsr(MSR_K7_HWCR, 0);
	wrmsr(MSR_AMD64_DE_CFG, 0);
	GUEST_ASSERT_EQ(rdmsr(MSR_K7_HWCR), 1ULL << 24);
	GUEST_ASSERT_EQ(rdmsr(MSR_AMD64_DE_CFG), 1ULL << 1);
	/* MTRRs: no ranges; the default type round-trips. */
	GUEST_ASSERT_EQ(rdmsr(0xfe), 0);
	wrmsr(0x2ff, 0xc06);
	GUEST_ASSERT_EQ(rdmsr(0x2ff), 0xc06);
	GUEST_ASSERT_EQ(gp_count, 0);
	/* Invalid values raise #GP and leave the MSR alone. */
	wrmsr(0x2ff, 1ULL << 12);
	GUEST_ASSERT_EQ(gp_count, 1);
	GUEST_ASSERT_EQ(rdmsr(0x2ff), 0xc06);
	wrmsr(MSR_IA32_CR_PAT, 0x0202020202020202ULL);	/* type 2 is reserved */
	GUEST_ASSERT_EQ(gp_count, 2);
	/*
	 * (Non-canonical LSTAR & co. are not checked here: those MSRs are
	 * switched by VMLOAD and reach the CPU directly, and QEMU's TCG
	 * does not check them.)
	 */
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SVME);	/* SVM is hidden */
	GUEST_ASSERT_EQ(gp_count, 3);
	GUEST_ASSERT_EQ(rdmsr(MSR_EFER), GUEST_EFER);
	GUEST_DONE();
}

TEST(amd_hwcr_de_cfg_mtrr_read_as_promised_and_bad_writes_gp)
{
	struct svmhv_vcpu *vcpu;
	struct svmhv_vm *vm = vm_create_with_one_vcpu(&vcpu, guest_amd_msrs);

	vm_install_exception_handler(vm, GP_VECTOR, gp_skip_2byte_insn);
	vcpu_run_expect_done(vcpu);
	vm_free(vm);
}

SVMHV_TEST_HARNESS_MAIN
