// SPDX-License-Identifier: GPL-2.0
/*
 * The host's ISA in the guest: XSAVE with the AVX state, XCR0 switched at
 * every world switch, XSETBV checked as the CPU would, CPUID leaf 0xD that
 * describes what is offered, and TSC_AUX switched for RDTSCP/RDPID.
 *
 * QEMU's TCG executes AVX instructions whatever XCR0 says, so running
 * AVX code proves little here: the tests check register values across
 * exits and host preemption, and what XSETBV and CPUID answer.
 */
#include <cpuid.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "svmhv_test.h"

#define X86_CR4_OSXSAVE_BIT	(1ULL << 18)
#define CPUID1_ECX_XSAVE	(1u << 26)
#define CPUID1_ECX_OSXSAVE	(1u << 27)
#define CPUID1_ECX_AVX		(1u << 28)
#define CPUID7_EBX_AVX2		(1u << 5)
#define CPUID7_ECX_RDPID	(1u << 22)
#define CPUIDE1_EDX_RDTSCP	(1u << 27)
#define XCR0_X87_SSE_AVX	0x7ULL
#define MSR_TSC_AUX_NR		0xc0000103u
#define PORT_SPIN		0x2100

static bool host_has_avx2(void)
{
	unsigned int a, b, c, d;

	if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & CPUID1_ECX_AVX) ||
	    !(c & CPUID1_ECX_OSXSAVE))
		return false;
	__cpuid_count(7, 0, a, b, c, d);
	return b & CPUID7_EBX_AVX2;
}

static inline void xsetbv(uint32_t index, uint64_t value)
{
	asm volatile("xsetbv" : : "c"(index), "a"((uint32_t)value),
		     "d"((uint32_t)(value >> 32)) : "memory");
}

static inline uint64_t xgetbv(uint32_t index)
{
	uint32_t lo, hi;

	asm volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(index));
	return lo | ((uint64_t)hi << 32);
}

static volatile uint64_t gp_count, ud_count;

/* A faulting XSETBV (0f 01 d1): count it by vector and skip it. */
static void count_and_skip(struct ex_regs *regs)
{
	if (regs->vector == GP_VECTOR)
		gp_count++;
	else
		ud_count++;
	regs->rip += 3;		/* XSETBV is 0f 01 d1 */
}

/* ---- XSETBV and CPUID 0xD ----------------------------------------------------- */

static void guest_xsetbv_rules(void)
{
	struct cpuid_regs c1 = guest_cpuid(1, 0), d0 = guest_cpuid(0xd, 0),
			  d2 = guest_cpuid(0xd, 2);
	uint64_t sup = d0.eax | (uint64_t)d0.edx << 32;
	uint64_t gp = 0;

	GUEST_ASSERT(c1.ecx & CPUID1_ECX_XSAVE);
	GUEST_ASSERT(c1.ecx & CPUID1_ECX_AVX);
	GUEST_ASSERT(!(c1.ecx & CPUID1_ECX_OSXSAVE));
	GUEST_ASSERT_EQ(sup & XCR0_X87_SSE_AVX, XCR0_X87_SSE_AVX);
	GUEST_ASSERT_EQ(d0.ebx, 576);		/* XCR0 = x87 after RESET */
	GUEST_ASSERT_EQ(d2.eax, 256);		/* AVX: 16 x 16 bytes */
	GUEST_ASSERT_EQ(d2.ebx, 576);
	GUEST_ASSERT(d0.ecx >= 576 + 256);
	GUEST_ASSERT_EQ(guest_cpuid(0xd, 1).eax & (1u << 3), 0); /* no XSAVES */

	/* Without CR4.OSXSAVE, XSETBV is #UD. */
	xsetbv(0, 3);
	GUEST_ASSERT_EQ(ud_count, 1);
	set_cr4(get_cr4() | X86_CR4_OSXSAVE_BIT);
	GUEST_ASSERT(guest_cpuid(1, 0).ecx & CPUID1_ECX_OSXSAVE);
	GUEST_ASSERT_EQ(xgetbv(0), 1);

	/* Each of these is #GP and leaves XCR0 alone. */
	xsetbv(0, 0);				/* no x87 */
	xsetbv(0, 2);				/* no x87 */
	xsetbv(0, 5);				/* AVX without SSE */
	xsetbv(0, 1ULL << 63);
	xsetbv(0, 3 | 1ULL << 3);		/* MPX: never offered */
	xsetbv(0, XCR0_X87_SSE_AVX | 1ULL << 5); /* AVX-512 in part */
	xsetbv(1, 3);				/* no XCR1 to write */
	gp += 7;
	for (int bit = 10; bit < 64; bit++)	/* nothing offered up there */
		if (!(sup & (1ULL << bit))) {
			xsetbv(0, 3 | 1ULL << bit);
			gp++;
		}
	GUEST_ASSERT_EQ(gp_count, gp);
	GUEST_ASSERT_EQ(xgetbv(0), 1);
	GUEST_ASSERT_EQ(ud_count, 1);

	xsetbv(0, 3);
	GUEST_ASSERT_EQ(xgetbv(0), 3);
	GUEST_ASSERT_EQ(guest_cpuid(0xd, 0).ebx, 576);
	xsetbv(0, XCR0_X87_SSE_AVX);
	GUEST_ASSERT_EQ(xgetbv(0), XCR0_X87_SSE_AVX);
	/* EBX follows XCR0: now the AVX state is in the area. */
	GUEST_ASSERT_EQ(guest_cpuid(0xd, 0).ebx, 576 + 256);
	GUEST_ASSERT_EQ(gp_count, gp);
	GUEST_SYNC_ARGS(1, gp, sup, 0, 0);
	/* Still the guest's after an exit to userspace and back. */
	GUEST_ASSERT_EQ(xgetbv(0), XCR0_X87_SSE_AVX);
	GUEST_DONE();
}

TEST(xsetbv_rules_and_cpuid_leaf_0xd)
{
	struct svmhv_vcpu *vcpu;
	struct svmhv_vm *vm;
	struct ucall uc;

	if (!host_has_avx2())
		SKIP(return, "the host CPU has no AVX2 with XSAVE");
	if (host_is_qemu_tcg())
		TH_LOG("host is QEMU TCG: XSETBV is not intercepted, the CPU itself refuses the bad values");
	vm = vm_create_with_one_vcpu(&vcpu, guest_xsetbv_rules);
	vm_install_exception_handler(vm, GP_VECTOR, count_and_skip);
	vm_install_exception_handler(vm, UD_VECTOR, count_and_skip);
	vcpu_run_expect_sync(vcpu, 1, &uc);
	TH_LOG("XCR0 offered: %#llx, %llu bad XSETBVs refused",
	       (unsigned long long)uc.args[2], (unsigned long long)uc.args[1]);
	vcpu_run_expect_done(vcpu);
	vm_free(vm);
}

/* ---- vector registers across exits and host preemption -------------------------- */

#define SPINS		300
#define YMM_BYTES	(16 * 32)

static uint8_t guest_pattern[YMM_BYTES] __attribute__((aligned(32)));
static uint8_t guest_out[YMM_BYTES] __attribute__((aligned(32)));

#define LOAD_YMM(p)							\
	"vmovdqu 0*32(" p "), %%ymm0\n\t"  "vmovdqu 1*32(" p "), %%ymm1\n\t"	\
	"vmovdqu 2*32(" p "), %%ymm2\n\t"  "vmovdqu 3*32(" p "), %%ymm3\n\t"	\
	"vmovdqu 4*32(" p "), %%ymm4\n\t"  "vmovdqu 5*32(" p "), %%ymm5\n\t"	\
	"vmovdqu 6*32(" p "), %%ymm6\n\t"  "vmovdqu 7*32(" p "), %%ymm7\n\t"	\
	"vmovdqu 8*32(" p "), %%ymm8\n\t"  "vmovdqu 9*32(" p "), %%ymm9\n\t"	\
	"vmovdqu 10*32(" p "), %%ymm10\n\t" "vmovdqu 11*32(" p "), %%ymm11\n\t" \
	"vmovdqu 12*32(" p "), %%ymm12\n\t" "vmovdqu 13*32(" p "), %%ymm13\n\t" \
	"vmovdqu 14*32(" p "), %%ymm14\n\t" "vmovdqu 15*32(" p "), %%ymm15\n\t"
#define STORE_YMM(p)							\
	"vmovdqu %%ymm0, 0*32(" p ")\n\t"  "vmovdqu %%ymm1, 1*32(" p ")\n\t"	\
	"vmovdqu %%ymm2, 2*32(" p ")\n\t"  "vmovdqu %%ymm3, 3*32(" p ")\n\t"	\
	"vmovdqu %%ymm4, 4*32(" p ")\n\t"  "vmovdqu %%ymm5, 5*32(" p ")\n\t"	\
	"vmovdqu %%ymm6, 6*32(" p ")\n\t"  "vmovdqu %%ymm7, 7*32(" p ")\n\t"	\
	"vmovdqu %%ymm8, 8*32(" p ")\n\t"  "vmovdqu %%ymm9, 9*32(" p ")\n\t"	\
	"vmovdqu %%ymm10, 10*32(" p ")\n\t" "vmovdqu %%ymm11, 11*32(" p ")\n\t" \
	"vmovdqu %%ymm12, 12*32(" p ")\n\t" "vmovdqu %%ymm13, 13*32(" p ")\n\t" \
	"vmovdqu %%ymm14, 14*32(" p ")\n\t" "vmovdqu %%ymm15, 15*32(" p ")\n\t"
#define YMM_CLOBBERS							\
	"xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7",	\
	"xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15"

/*
 * Sixteen YMM registers loaded once, then SPINS rounds of an in-kernel
 * exit (CPUID) and an exit to userspace (OUT), each adding ymm0 to ymm15
 * with AVX2 (VPADDD): at the end ymm0-14 hold the pattern and ymm15 the
 * pattern plus SPINS times ymm0, dword by dword.
 */
static void guest_vectors(void)
{
	uint64_t n = SPINS;

	for (int i = 0; i < YMM_BYTES; i++)
		guest_pattern[i] = (uint8_t)(i * 7 + 3);
	set_cr4(get_cr4() | X86_CR4_OSXSAVE_BIT);
	xsetbv(0, XCR0_X87_SSE_AVX);
	asm volatile(LOAD_YMM("%[p]")
		     "1:\n\t"
		     "xor %%eax, %%eax\n\t"
		     "cpuid\n\t"
		     "vpaddd %%ymm0, %%ymm15, %%ymm15\n\t"
		     "mov %[port], %%edx\n\t"
		     "out %%al, %%dx\n\t"
		     "dec %[n]\n\t"
		     "jnz 1b\n\t"
		     STORE_YMM("%[o]")
		     : [n] "+r"(n)
		     : [p] "r"(guest_pattern), [o] "r"(guest_out),
		       [port] "i"(PORT_SPIN)
		     : "rax", "rbx", "rcx", "rdx", "memory", YMM_CLOBBERS);
	for (int i = 0; i < 15 * 32; i++)
		GUEST_ASSERT_EQ(guest_out[i], guest_pattern[i]);
	for (int i = 0; i < 8; i++) {
		uint32_t a, b, got;

		memcpy(&a, &guest_pattern[15 * 32 + 4 * i], 4);
		memcpy(&b, &guest_pattern[4 * i], 4);
		memcpy(&got, &guest_out[15 * 32 + 4 * i], 4);
		GUEST_ASSERT_EQ(got, a + SPINS * b);
	}
	GUEST_ASSERT_EQ(xgetbv(0), XCR0_X87_SSE_AVX);
	GUEST_DONE();
}

struct vector_worker {
	pthread_t th;
	int cpu;
	volatile bool stop;
	uint64_t rounds, mismatches;
};

/*
 * A host thread on the vCPU's CPU that keeps its own values in all sixteen
 * YMM registers while it spins, and checks them: it is preempted by the
 * vCPU thread and preempts it, so a guest value leaking into the host (or
 * the other way) shows on one side or the other.
 */
static void *vector_worker(void *arg)
{
	struct vector_worker *w = arg;
	uint8_t mine[YMM_BYTES] __attribute__((aligned(32)));
	uint8_t got[YMM_BYTES] __attribute__((aligned(32)));
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(w->cpu, &set);
	pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
	for (int i = 0; i < YMM_BYTES; i++)
		mine[i] = (uint8_t)(0xa5 ^ (i * 13));
	while (!w->stop) {
		uint64_t spin = 20000;

		asm volatile(LOAD_YMM("%[p]")
			     "1: pause\n\t"
			     "dec %[n]\n\t"
			     "jnz 1b\n\t"
			     STORE_YMM("%[o]")
			     : [n] "+r"(spin)
			     : [p] "r"(mine), [o] "r"(got)
			     : "memory", YMM_CLOBBERS);
		w->rounds++;
		if (memcmp(mine, got, sizeof(mine)))
			w->mismatches++;
	}
	return NULL;
}

TEST(vector_registers_survive_exits_and_host_preemption)
{
	struct vector_worker w = { .cpu = 0 };
	struct svmhv_vcpu *vcpu;
	struct svmhv_vm *vm;
	cpu_set_t set;
	int outs = 0;

	if (!host_has_avx2())
		SKIP(return, "the host CPU has no AVX2 with XSAVE");
	CPU_ZERO(&set);
	CPU_SET(0, &set);
	ASSERT_EQ(0, sched_setaffinity(0, sizeof(set), &set));
	vm = vm_create_with_one_vcpu(&vcpu, guest_vectors);
	ASSERT_EQ(0, pthread_create(&w.th, NULL, vector_worker, &w));
	for (;;) {
		vcpu_run(vcpu);
		if (vcpu->run->exit_reason != SVMHV_EXIT_IO ||
		    vcpu->run->io.port != PORT_SPIN)
			break;
		outs++;
		if (outs % 16 == 0)
			sched_yield();		/* let the worker run */
	}
	w.stop = true;
	pthread_join(w.th, NULL);
	ASSERT_EQ(UCALL_DONE, get_ucall(vcpu, NULL));
	EXPECT_EQ(SPINS, outs);
	EXPECT_LT(0, w.rounds);
	EXPECT_EQ(0, w.mismatches);
	TH_LOG("%d exits to userspace, %llu rounds of the host's vector thread",
	       outs, (unsigned long long)w.rounds);
	vm_free(vm);
	CPU_ZERO(&set);
	for (int i = 0; i < CPU_SETSIZE; i++)
		CPU_SET(i, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

/* ---- TSC_AUX ------------------------------------------------------------------ */

#define GUEST_AUX	0x5eed1234u

static inline uint32_t guest_rdtscp_aux(void)
{
	uint32_t lo, hi, aux;

	asm volatile("rdtscp" : "=a"(lo), "=d"(hi), "=c"(aux));
	return aux;
}

static void guest_tsc_aux(uint64_t rounds)
{
	bool rdpid = guest_cpuid(7, 0).ecx & CPUID7_ECX_RDPID;

	GUEST_ASSERT(guest_cpuid(0x80000001, 0).edx & CPUIDE1_EDX_RDTSCP);
	GUEST_ASSERT_EQ(rdmsr(MSR_TSC_AUX_NR), 0);	/* after RESET */
	wrmsr(MSR_TSC_AUX_NR, GUEST_AUX);
	/* The high half is reserved: #GP, value kept. */
	wrmsr(MSR_TSC_AUX_NR, 1ULL << 32 | 1);
	GUEST_ASSERT_EQ(gp_count, 1);
	for (uint64_t i = 0; i < rounds; i++) {
		GUEST_ASSERT_EQ(guest_rdtscp_aux(), GUEST_AUX);
		GUEST_ASSERT_EQ(rdmsr(MSR_TSC_AUX_NR), GUEST_AUX);
		if (rdpid) {
			uint64_t v;

			asm volatile("rdpid %0" : "=r"(v));
			GUEST_ASSERT_EQ(v, GUEST_AUX);
		}
		GUEST_SYNC(i);
	}
	GUEST_DONE();
}

/* WRMSR is 0f 30: two bytes. */
static void gp_skip_wrmsr(struct ex_regs *regs)
{
	gp_count++;
	regs->rip += 2;
}

TEST(rdtscp_gives_the_guest_tsc_aux_on_every_cpu_and_the_host_its_own)
{
	long ncpus = sysconf(_SC_NPROCESSORS_ONLN);
	uint64_t rounds = 4 * (ncpus > 0 ? ncpus : 1);
	struct svmhv_vcpu *vcpu;
	struct svmhv_vm *vm;
	unsigned int a, b, c, d;
	cpu_set_t set;

	if (!__get_cpuid(0x80000001, &a, &b, &c, &d) || !(d & CPUIDE1_EDX_RDTSCP))
		SKIP(return, "the host CPU has no RDTSCP");
	vm = vm_create_with_one_vcpu(&vcpu, guest_tsc_aux);
	vcpu_args_set(vcpu, 1, rounds);
	vm_install_exception_handler(vm, GP_VECTOR, gp_skip_wrmsr);
	/* Pinned from the start: no move between RDTSCP and sched_getcpu(). */
	CPU_ZERO(&set);
	CPU_SET(0, &set);
	ASSERT_EQ(0, sched_setaffinity(0, sizeof(set), &set));
	for (uint64_t i = 0; i < rounds; i++) {
		int cpu = (i + 1) % ncpus;
		unsigned int aux;

		vcpu_run_expect_sync(vcpu, i, NULL);
		/* Back in user space: the host's value (Linux: node << 12 | cpu). */
		asm volatile("rdtscp" : "=c"(aux) : : "rax", "rdx");
		EXPECT_EQ((unsigned int)sched_getcpu(), aux & 0xfff);
		/* Next round on another CPU: the guest's value follows it. */
		CPU_ZERO(&set);
		CPU_SET(cpu, &set);
		ASSERT_EQ(0, sched_setaffinity(0, sizeof(set), &set));
	}
	vcpu_run_expect_done(vcpu);
	vm_free(vm);
	CPU_ZERO(&set);
	for (int i = 0; i < CPU_SETSIZE; i++)
		CPU_SET(i, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

SVMHV_TEST_HARNESS_MAIN
