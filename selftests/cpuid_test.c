// SPDX-License-Identifier: GPL-2.0
/*
 * CPUID tables from userspace: SVMHV_GET_SUPPORTED_CPUID lists what the
 * host offers, SVMHV_SET_CPUID gives a vCPU its own answers (and the
 * guest sees exactly them, with the CPU's dynamic bits), what a table
 * hides faults in the guest, and every kind of bad table is EINVAL with
 * nothing changed.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/ioctl.h>

#include "svmhv_test.h"

#define X86_CR4_OSXSAVE_BIT	(1ULL << 18)
#define L1_ECX_XSAVE		(1u << 26)
#define L1_ECX_OSXSAVE		(1u << 27)
#define L1_ECX_AVX		(1u << 28)
#define L1_ECX_FMA		(1u << 12)
#define L1_ECX_F16C		(1u << 29)
#define L7_EBX_AVX2		(1u << 5)
#define L7_ECX_VAES_VPCLMUL	(3u << 9)
#define L7_ECX_RDPID		(1u << 22)
#define E1_EDX_RDTSCP		(1u << 27)
#define MSR_TSC_AUX_NR		0xc0000103u

struct table {
	struct svmhv_cpuid c;
	struct svmhv_cpuid_entry e[SVMHV_CPUID_MAX_ENTRIES + 1];
};

static int get_table(int fd, unsigned long req, struct table *t)
{
	memset(t, 0, sizeof(*t));
	t->c.nent = SVMHV_CPUID_MAX_ENTRIES;
	return ioctl(fd, req, &t->c);
}

static struct svmhv_cpuid_entry *find(struct table *t, uint32_t fn,
				      uint32_t index)
{
	for (uint32_t i = 0; i < t->c.nent; i++)
		if (t->e[i].function == fn && t->e[i].index == index)
			return &t->e[i];
	return NULL;
}

static int set_table(struct svmhv_vcpu *vcpu, const struct svmhv_cpuid_entry *e,
		     uint32_t n)
{
	struct table t = { .c.nent = n };

	if (n)
		memcpy(t.e, e, n * sizeof(*e));
	return ioctl(vcpu->fd, SVMHV_SET_CPUID, &t.c);
}

TEST(supported_cpuid_lists_every_leaf_and_sizes_itself)
{
	int sys = svmhv_open_sys();
	struct table t;
	struct svmhv_cpuid small = { .nent = 1 };
	struct svmhv_cpuid_entry *l1;

	ASSERT_EQ(1, ioctl(sys, SVMHV_CHECK_CAP, SVMHV_CAP_CPUID));
	EXPECT_EQ(-1, ioctl(sys, SVMHV_GET_SUPPORTED_CPUID, &small));
	EXPECT_EQ(E2BIG, errno);
	EXPECT_LT(8U, small.nent);		/* told how many it needs */
	ASSERT_EQ(0, get_table(sys, SVMHV_GET_SUPPORTED_CPUID, &t));
	EXPECT_EQ(small.nent, t.c.nent);
	ASSERT_NE(NULL, find(&t, 0, 0));
	ASSERT_NE(NULL, find(&t, 7, 0));
	ASSERT_NE(NULL, find(&t, 0xd, 0));
	ASSERT_NE(NULL, find(&t, 0x80000001, 0));
	l1 = find(&t, 1, 0);
	ASSERT_NE(NULL, l1);
	EXPECT_TRUE(l1->ecx & (1u << 21));	/* x2APIC: with in-kernel APICs */
	EXPECT_TRUE(l1->ecx & (1u << 31));	/* hypervisor */
	close(sys);
}

/* ---- a table is what the guest sees ------------------------------------------- */

static volatile uint64_t gp_count;

static void gp_skip(struct ex_regs *regs)
{
	gp_count++;
	regs->rip += regs->rax;		/* the guest put the length in RAX */
}

static void guest_report_cpuid(void)
{
	static const uint32_t leaves[][2] = {
		{ 0, 0 }, { 1, 0 }, { 7, 0 }, { 0xd, 0 }, { 0x40000000, 0 },
		{ 0x80000001, 0 }, { 0x80000002, 0 }, { 0x80000008, 0 },
	};

	for (unsigned int i = 0; i < ARRAY_SIZE(leaves); i++) {
		struct cpuid_regs r = guest_cpuid(leaves[i][0], leaves[i][1]);

		GUEST_SYNC_ARGS(i, r.eax, r.ebx, r.ecx, r.edx);
	}
	/* XSAVE is hidden: CR4.OSXSAVE is #GP (mov %rax,%cr4: 3 bytes). */
	asm volatile("mov %%cr4, %%rdx; or %%rcx, %%rdx; mov $3, %%eax;"
		     "mov %%rdx, %%cr4"
		     : : "c"(X86_CR4_OSXSAVE_BIT) : "rax", "rdx", "memory");
	GUEST_ASSERT_EQ(gp_count, 1);
	/* RDTSCP and RDPID are hidden: so is TSC_AUX (rdmsr: 2 bytes). */
	asm volatile("mov $2, %%eax; rdmsr" : : "c"(MSR_TSC_AUX_NR)
		     : "rax", "rdx", "memory");
	GUEST_ASSERT_EQ(gp_count, 2);
	GUEST_DONE();
}

TEST(the_guest_sees_the_table_and_svmhv_answers_the_rest)
{
	struct svmhv_vcpu *vcpu;
	struct svmhv_vm *vm = vm_create_with_one_vcpu(&vcpu, guest_report_cpuid);
	struct table before, after;
	struct svmhv_cpuid_entry e[4], *l1, *l7, *e1;
	struct ucall uc;
	const char brand[16] = "svmhv test cpu!";

	ASSERT_EQ(0, get_table(vcpu->fd, SVMHV_GET_CPUID, &before));
	l1 = find(&before, 1, 0);
	l7 = find(&before, 7, 0);
	e1 = find(&before, 0x80000001, 0);
	ASSERT_TRUE(l1 && l7 && e1);
	e[0] = *l1;
	e[0].eax = 0x00a00f11;			/* another family/model */
	e[0].ecx &= ~(L1_ECX_XSAVE | L1_ECX_AVX | L1_ECX_FMA | L1_ECX_F16C);
	e[1] = *l7;
	e[1].ebx &= ~(L7_EBX_AVX2 | 0xffff0000u);	/* AVX2, AVX-512 */
	e[1].ecx &= ~(L7_ECX_VAES_VPCLMUL | L7_ECX_RDPID | 0x5842);
	e[2] = *e1;
	e[2].edx &= ~E1_EDX_RDTSCP;
	e[3] = (struct svmhv_cpuid_entry){ .function = 0x80000002 };
	memcpy(&e[3].eax, brand, 16);
	ASSERT_EQ(0, set_table(vcpu, e, 4));
	ASSERT_EQ(0, get_table(vcpu->fd, SVMHV_GET_CPUID, &after));
	EXPECT_EQ(0x00a00f11U, find(&after, 1, 0)->eax);
	/* Not in the table: svmhv's answer, unchanged. */
	EXPECT_EQ(0, memcmp(find(&before, 0x80000008, 0),
			    find(&after, 0x80000008, 0), sizeof(e[0])));

	vm_install_exception_handler(vm, GP_VECTOR, gp_skip);
	for (unsigned int i = 0; i < 8; i++) {
		static const uint32_t fn[] = { 0, 1, 7, 0xd, 0x40000000,
					       0x80000001, 0x80000002,
					       0x80000008 };
		struct svmhv_cpuid_entry *want = find(&after, fn[i], 0);

		vcpu_run_expect_sync(vcpu, i, &uc);
		ASSERT_NE(NULL, want);
		EXPECT_EQ(want->eax, uc.args[1]);
		EXPECT_EQ(want->ebx, uc.args[2]);
		EXPECT_EQ(want->ecx, uc.args[3]);
		EXPECT_EQ(want->edx, uc.args[4]);
	}
	EXPECT_EQ(0, memcmp(brand, &find(&after, 0x80000002, 0)->eax, 16));
	vcpu_run_expect_done(vcpu);
	/* After RUN the table is fixed. */
	EXPECT_EQ(-1, set_table(vcpu, e, 4));
	EXPECT_EQ(EBUSY, errno);
	vm_free(vm);
}

/* ---- bad tables ------------------------------------------------------------------ */

static void guest_nothing(void)
{
	GUEST_DONE();
}

TEST(bad_tables_are_einval_and_change_nothing)
{
	struct svmhv_vcpu *vcpu;
	struct svmhv_vm *vm = vm_create_with_one_vcpu(&vcpu, guest_nothing);
	struct table before, after;
	struct svmhv_cpuid_entry e[2], l1, l7, d0, x;
	struct svmhv_sregs s;
	unsigned int n = 0;

	ASSERT_EQ(0, get_table(vcpu->fd, SVMHV_GET_CPUID, &before));
	l1 = *find(&before, 1, 0);
	l7 = *find(&before, 7, 0);
	d0 = *find(&before, 0xd, 0);

#define BAD(...) do {							\
	const struct svmhv_cpuid_entry bad_[] = { __VA_ARGS__ };		\
	n++;								\
	EXPECT_EQ(-1, set_table(vcpu, bad_, ARRAY_SIZE(bad_)));		\
	EXPECT_EQ(EINVAL, errno) {					\
		TH_LOG("bad table %u", n);				\
	}								\
} while (0)
	BAD({ .function = 2 });				/* not settable */
	BAD({ .function = 0x80000009 });
	BAD({ .function = 0x1, .index = 1 });		/* no subleaves */
	BAD({ .function = 0x7, .index = 1 });
	BAD({ .function = 0x80000005 }, { .function = 0x80000005 });
	x = l1;
	x.reserved[0] = 1;
	BAD(x);
	x = l1;
	x.ecx |= 1u << 5;				/* VMX: never */
	BAD(x);
	x = l7;
	x.edx |= 1u << 31;				/* nothing offered in EDX */
	BAD(x);
	x = *find(&before, 0, 0);
	x.eax += 1;					/* beyond svmhv's leaves */
	BAD(x);
	x = *find(&before, 0x80000008, 0);
	x.eax ^= 1;					/* not the host's width */
	BAD(x);
	x = *find(&before, 0x40000010, 0);
	x.eax += 1;					/* not the TSC's rate */
	BAD(x);
	if ((l1.ecx & L1_ECX_AVX) && (l7.ebx & L7_EBX_AVX2)) {
		x = l1;
		x.ecx &= ~L1_ECX_XSAVE;			/* AVX without XSAVE */
		BAD(x);
		x = l1;
		x.ecx &= ~(L1_ECX_AVX | L1_ECX_FMA | L1_ECX_F16C);
		BAD(x);					/* AVX2 still in leaf 7 */
		x = d0;
		x.eax &= ~4u;				/* AVX without its state */
		BAD(x);
		x = *find(&before, 0xd, 2);
		x.eax = 128;				/* not the host's layout */
		BAD(x);
	}
	if (l1.ecx & L1_ECX_XSAVE) {
		/* A state the table would hide is in use. */
		vcpu_sregs_get(vcpu, &s);
		s.cr4 |= X86_CR4_OSXSAVE_BIT;
		vcpu_sregs_set(vcpu, &s);
		x = l1;
		x.ecx &= ~(L1_ECX_XSAVE | L1_ECX_AVX | L1_ECX_FMA | L1_ECX_F16C);
		e[0] = x;
		e[1] = l7;
		e[1].ebx &= ~(L7_EBX_AVX2 | 0xffff0000u);
		e[1].ecx &= ~(L7_ECX_VAES_VPCLMUL | 0x5842);
		EXPECT_EQ(-1, set_table(vcpu, e, 2));
		EXPECT_EQ(EINVAL, errno);
		s.cr4 &= ~X86_CR4_OSXSAVE_BIT;
		vcpu_sregs_set(vcpu, &s);
		EXPECT_EQ(0, set_table(vcpu, e, 2));	/* now it may */
		EXPECT_EQ(0, set_table(vcpu, NULL, 0));	/* back to svmhv's */
	}
	{
		struct svmhv_cpuid big = { .nent = SVMHV_CPUID_MAX_ENTRIES + 1 };

		EXPECT_EQ(-1, ioctl(vcpu->fd, SVMHV_SET_CPUID, &big));
		EXPECT_EQ(E2BIG, errno);
	}
	EXPECT_EQ(-1, ioctl(vcpu->fd, SVMHV_SET_CPUID, NULL));
	EXPECT_EQ(EFAULT, errno);
	ASSERT_EQ(0, get_table(vcpu->fd, SVMHV_GET_CPUID, &after));
	EXPECT_EQ(before.c.nent, after.c.nent);
	EXPECT_EQ(0, memcmp(before.e, after.e, before.c.nent * sizeof(before.e[0])));
	/* What the vCPU sees is a table it may be given. */
	EXPECT_EQ(0, set_table(vcpu, before.e, before.c.nent));
	vcpu_run_expect_done(vcpu);
	vm_free(vm);
}

SVMHV_TEST_HARNESS_MAIN
