// SPDX-License-Identifier: GPL-2.0
/*
 * CPUID tables from userspace (SVMHV_GET_SUPPORTED_CPUID, SVMHV_SET_CPUID,
 * SVMHV_GET_CPUID; uapi/svmhv.h has the contract).
 *
 * A VMM sets a vCPU's table to hide features (a fleet kept uniform, a
 * migration target older than the source) and to describe its topology.
 * A table may only take away: every feature bit must be one svmhv offers
 * here, and the facts of the machine -- address sizes, the XSAVE layout,
 * the TSC frequency -- must be the host's, since the guest runs on it.
 * What the table hides then stays hidden: the vCPU's CR4, EFER and XCR0
 * rules and its RDTSCP intercept are computed from it, so a guest touching
 * a hidden feature faults as on a CPU without it.
 */
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/mm.h>
#include <asm/fpu/types.h>

#include "svm.h"

#define EAX 0
#define EBX 1
#define ECX 2
#define EDX 3

/* How a register of a table entry compares with svmhv's answer. */
enum svm_cpuid_rule {
	ANY,		/* the VMM's to say (vendor, model, topology, brand) */
	SUBSET,		/* feature bits: only those svmhv offers */
	AT_MOST,	/* a maximum leaf */
	EQUAL,		/* a fact of the host */
};

struct svm_cpuid_leaf_rule {
	u32 leaf;
	bool indexed;		/* ECX selects a subleaf */
	u8 rule[4];
};

static const struct svm_cpuid_leaf_rule svm_cpuid_rules[] = {
	{ 0x0,        false, { AT_MOST, ANY, ANY, ANY } },
	{ 0x1,        false, { ANY, ANY, SUBSET, SUBSET } },
	{ 0x7,        true,  { AT_MOST, SUBSET, SUBSET, SUBSET } },
	{ 0xb,        true,  { ANY, ANY, ANY, ANY } },
	{ 0xd,        true,  { SUBSET, ANY, ANY, SUBSET } },	/* index 0 */
	{ 0x40000000, false, { AT_MOST, ANY, ANY, ANY } },
	{ 0x40000010, false, { EQUAL, EQUAL, SUBSET, SUBSET } },
	{ 0x80000000, false, { AT_MOST, ANY, ANY, ANY } },
	{ 0x80000001, false, { ANY, ANY, SUBSET, SUBSET } },
	{ 0x80000002, false, { ANY, ANY, ANY, ANY } },
	{ 0x80000003, false, { ANY, ANY, ANY, ANY } },
	{ 0x80000004, false, { ANY, ANY, ANY, ANY } },
	{ 0x80000005, false, { ANY, ANY, ANY, ANY } },
	{ 0x80000006, false, { ANY, ANY, ANY, ANY } },
	{ 0x80000007, false, { SUBSET, SUBSET, SUBSET, SUBSET } },
	{ 0x80000008, false, { EQUAL, SUBSET, ANY, SUBSET } },
};

/* Leaf 0xd subleaf 1 (XSAVE instructions), and the per-state ones. */
static const u8 svm_cpuid_xsave1_rule[4] = { SUBSET, SUBSET, SUBSET, SUBSET };
static const u8 svm_cpuid_xstate_rule[4] = { EQUAL, EQUAL, EQUAL, EQUAL };

/* Bits the CPU keeps following the vCPU's state: not the table's. */
#define L1_ECX_OSXSAVE	BIT(27)
#define L7_ECX_OSPKE	BIT(4)

struct svm_cpuid_table {
	u32 nent;
	struct svmhv_cpuid_entry e[];
};

static const struct svm_cpuid_leaf_rule *svm_cpuid_rule_of(u32 leaf)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(svm_cpuid_rules); i++)
		if (svm_cpuid_rules[i].leaf == leaf)
			return &svm_cpuid_rules[i];
	return NULL;
}

static const struct svmhv_cpuid_entry *
svm_cpuid_find(const struct svmhv_cpuid_entry *e, u32 n, u32 leaf, u32 index)
{
	const struct svm_cpuid_leaf_rule *r = svm_cpuid_rule_of(leaf);
	u32 i;

	if (!r)
		return NULL;
	if (!r->indexed)
		index = 0;
	for (i = 0; i < n; i++)
		if (e[i].function == leaf && e[i].index == index)
			return &e[i];
	return NULL;
}

/*
 * The table's answer, if it has one: an entry, or zeros for a leaf above
 * the maximum the table's leaf 0 or 0x80000000 gives (as on AMD CPUs).
 */
bool svm_cpuid_table_answer(const struct svm_cpuid_table *t, u32 leaf,
			    u32 index, u32 out[4])
{
	const struct svmhv_cpuid_entry *e = svm_cpuid_find(t->e, t->nent,
							   leaf, index);
	const struct svmhv_cpuid_entry *max;

	if (e) {
		out[EAX] = e->eax;
		out[EBX] = e->ebx;
		out[ECX] = e->ecx;
		out[EDX] = e->edx;
		return true;
	}
	max = svm_cpuid_find(t->e, t->nent, leaf & 0x80000000, 0);
	if (max && (leaf & 0x7fffffff) && leaf > max->eax &&
	    (leaf & 0xc0000000) != 0x40000000) {
		memset(out, 0, 4 * sizeof(u32));
		return true;
	}
	return false;
}

/* The leaves svmhv answers, in order (for the GET ioctls). */
static u32 svm_cpuid_leaves(u32 keys[][2], u32 max)
{
	static const u32 fixed[][2] = {
		{ 0x0, 0 }, { 0x1, 0 }, { 0x7, 0 }, { 0xb, 0 }, { 0xb, 1 },
		{ 0xd, 0 }, { 0xd, 1 },
	};
	struct svm_cpuid_who who = { .nr_vcpus = 1, .lapic = true };
	u32 n = 0, i, top[4];

	for (i = 0; i < ARRAY_SIZE(fixed) && n < max; i++, n++) {
		keys[n][0] = fixed[i][0];
		keys[n][1] = fixed[i][1];
	}
	for (i = 2; i < 64 && n < max; i++)
		if (svm_guest_xcr0_supported & BIT_ULL(i)) {
			keys[n][0] = 0xd;
			keys[n++][1] = i;
		}
	if (n < max) {
		keys[n][0] = 0x40000000;
		keys[n++][1] = 0;
	}
	if (n < max) {
		keys[n][0] = 0x40000010;
		keys[n++][1] = 0;
	}
	svm_cpuid_default(&who, 0x80000000, 0, top);
	for (i = 0x80000000; i <= top[EAX] && n < max; i++) {
		keys[n][0] = i;
		keys[n++][1] = 0;
	}
	return n;
}

/* A register of a table entry against svmhv's answer, by its rule. */
static bool svm_cpuid_reg_ok(u8 rule, u32 val, u32 sup)
{
	switch (rule) {
	case ANY:
		return true;
	case SUBSET:
		return !(val & ~sup);
	case AT_MOST:
		return val <= sup;
	default:
		return val == sup;
	}
}

/* Would the vCPU see (leaf, index) as out[] with these entries? */
static void svm_cpuid_effective(const struct svm_cpuid_who *who,
				const struct svmhv_cpuid_entry *e, u32 n,
				u32 leaf, u32 index, u32 out[4])
{
	const struct svmhv_cpuid_entry *f = svm_cpuid_find(e, n, leaf, index);

	if (f) {
		out[EAX] = f->eax;
		out[EBX] = f->ebx;
		out[ECX] = f->ecx;
		out[EDX] = f->edx;
	} else {
		svm_cpuid_default(who, leaf, index, out);
	}
}

/*
 * Features need what they are built on (Intel SDM vol. 1, 14.3 and 15.2;
 * APM vol. 3, E.3): AVX needs XSAVE and the AVX state in XCR0's mask; AVX2,
 * FMA, F16C, VAES and VPCLMULQDQ need AVX; any AVX-512 feature needs
 * AVX-512F, which needs AVX2 and all three AVX-512 states; an XSAVE mask
 * holds x87 and SSE.
 */
static bool svm_cpuid_consistent(const u32 l1[4], const u32 l7[4],
				 const u32 d0[4])
{
	u64 mask = d0[EAX] | (u64)d0[EDX] << 32;
	bool xsave = l1[ECX] & BIT(26), avx = l1[ECX] & BIT(28);
	bool avx512f = l7[EBX] & BIT(16);

	if (xsave && (mask & (XFEATURE_MASK_FP | XFEATURE_MASK_SSE)) !=
		     (XFEATURE_MASK_FP | XFEATURE_MASK_SSE))
		return false;
	if (avx && (!xsave || !(mask & XFEATURE_MASK_YMM)))
		return false;
	if (!avx && ((l7[EBX] & BIT(5)) || (l1[ECX] & (BIT(12) | BIT(29))) ||
		     (l7[ECX] & (BIT(9) | BIT(10)))))
		return false;
	if ((l7[EBX] & (BIT(17) | BIT(21) | BIT(28) | BIT(30) | BIT(31)) ||
	     (l7[ECX] & (BIT(1) | BIT(6) | BIT(11) | BIT(12) | BIT(14)))) &&
	    !avx512f)
		return false;
	if (avx512f && (!(l7[EBX] & BIT(5)) ||
			(mask & XFEATURE_MASK_AVX512) != XFEATURE_MASK_AVX512))
		return false;
	return true;
}

/* Every entry allowed and within what svmhv offers, none twice. */
static int svm_cpuid_check_entries(const struct svm_cpuid_who *who,
				   const struct svmhv_cpuid_entry *e, u32 n)
{
	u32 i, j, r, sup[4], val[4];

	for (i = 0; i < n; i++) {
		const struct svm_cpuid_leaf_rule *lr =
			svm_cpuid_rule_of(e[i].function);
		const u8 *rule;

		if (!lr || e[i].reserved[0] || e[i].reserved[1])
			return -EINVAL;
		if (!lr->indexed && e[i].index)
			return -EINVAL;
		if ((e[i].function == 0x7 && e[i].index) ||
		    (e[i].function == 0xd && e[i].index >= 64))
			return -EINVAL;
		for (j = 0; j < i; j++)
			if (e[j].function == e[i].function &&
			    e[j].index == e[i].index)
				return -EINVAL;
		rule = lr->rule;
		if (e[i].function == 0xd && e[i].index == 1)
			rule = svm_cpuid_xsave1_rule;
		else if (e[i].function == 0xd && e[i].index >= 2)
			rule = svm_cpuid_xstate_rule;
		svm_cpuid_default(who, e[i].function, e[i].index, sup);
		val[EAX] = e[i].eax;
		val[EBX] = e[i].ebx;
		val[ECX] = e[i].ecx;
		val[EDX] = e[i].edx;
		if (e[i].function == 0x1)
			val[ECX] &= ~L1_ECX_OSXSAVE;
		if (e[i].function == 0x7)
			val[ECX] &= ~L7_ECX_OSPKE;
		for (r = 0; r < 4; r++)
			if (!svm_cpuid_reg_ok(rule[r], val[r], sup[r]))
				return -EINVAL;
	}
	return 0;
}

/* What a table makes of the vCPU's controls (see svm_vcpu_init). */
struct svm_cpuid_controls {
	u64 cr4_valid, efer_valid, xcr0_supported;
	bool tsc_aux_msr, rdtscp_ud;
};

static void svm_cpuid_derive(const u32 l1[4], const u32 l7[4],
			     const u32 e1[4], const u32 d0[4],
			     struct svm_cpuid_controls *c)
{
	svm_cpuid_controls(l1, l7, e1, &c->cr4_valid, &c->efer_valid);
	c->xcr0_supported = (l1[ECX] & BIT(26)) ?
			    (d0[EAX] | (u64)d0[EDX] << 32) : 0;
	c->rdtscp_ud = !svm_tsc_aux_enabled || !(e1[EDX] & BIT(27));
	c->tsc_aux_msr = svm_tsc_aux_enabled &&
			 ((e1[EDX] & BIT(27)) || (l7[ECX] & BIT(22)));
}

int svm_cpuid_set(struct svmhv_vcpu *vcpu, struct svmhv_cpuid __user *uarg)
{
	struct svm_cpuid_who who = {
		.id = vcpu->id,
		.nr_vcpus = READ_ONCE(vcpu->vm->nr_vcpus),
		.lapic = vcpu->lapic,
	};
	struct vmcb_save *save = &vcpu->vmcb->save;
	struct svm_cpuid_controls c;
	struct svm_cpuid_table *t;
	u32 l1[4], l7[4], e1[4], d0[4], n, i;
	int ret;

	if (get_user(n, &uarg->nent))
		return -EFAULT;
	if (n > SVMHV_CPUID_MAX_ENTRIES)
		return -E2BIG;
	if (vcpu->ran)
		return -EBUSY;
	t = kzalloc(struct_size(t, e, n), GFP_KERNEL_ACCOUNT);
	if (!t)
		return -ENOMEM;
	t->nent = n;
	ret = -EFAULT;
	if (copy_from_user(t->e, uarg->entries, n * sizeof(t->e[0])))
		goto out;
	ret = svm_cpuid_check_entries(&who, t->e, n);
	if (ret)
		goto out;
	svm_cpuid_effective(&who, t->e, n, 0x1, 0, l1);
	svm_cpuid_effective(&who, t->e, n, 0x7, 0, l7);
	svm_cpuid_effective(&who, t->e, n, 0x80000001, 0, e1);
	svm_cpuid_effective(&who, t->e, n, 0xd, 0, d0);
	ret = -EINVAL;
	if (!svm_cpuid_consistent(l1, l7, d0))
		goto out;
	svm_cpuid_derive(l1, l7, e1, d0, &c);
	/* The vCPU as it is now must be possible under the new table. */
	if ((save->cr4 & ~c.cr4_valid) ||
	    (save->efer & ~(c.efer_valid | EFER_SVME)) ||
	    (vcpu->xcr0 & ~(c.xcr0_supported | XFEATURE_MASK_FP)))
		goto out;
	/* The size of the XSAVE area for all the states the table offers. */
	for (i = 0; i < n; i++)
		if (t->e[i].function == 0xd && t->e[i].index == 0)
			t->e[i].ecx = svm_xstate_size(c.xcr0_supported);
	kfree(vcpu->cpuid);
	vcpu->cpuid = t;
	vcpu->cr4_valid = c.cr4_valid;
	vcpu->efer_valid = c.efer_valid;
	vcpu->xcr0_supported = c.xcr0_supported;
	vcpu->tsc_aux_msr = c.tsc_aux_msr;
	vcpu->rdtscp_ud = c.rdtscp_ud;
	svm_vcpu_set_rdtscp_intercept(vcpu);
	return 0;
out:
	kfree(t);
	return ret;
}

/*
 * Copy out the answers for every leaf svmhv answers: what it offers
 * (vcpu NULL) or what this vCPU sees now.
 */
int svm_cpuid_get(struct svmhv_vcpu *vcpu, struct svmhv_cpuid __user *uarg)
{
	struct svm_cpuid_who who = { .nr_vcpus = 1, .lapic = true };
	u32 keys[SVMHV_CPUID_MAX_ENTRIES][2];
	struct svmhv_cpuid_entry e;
	u32 n, want, i, out[4];

	if (get_user(n, &uarg->nent))
		return -EFAULT;
	want = svm_cpuid_leaves(keys, SVMHV_CPUID_MAX_ENTRIES);
	if (n < want) {
		if (put_user(want, &uarg->nent))
			return -EFAULT;
		return -E2BIG;
	}
	for (i = 0; i < want; i++) {
		if (vcpu)
			svm_inkernel_cpuid(vcpu, keys[i][0], keys[i][1], out);
		else
			svm_cpuid_default(&who, keys[i][0], keys[i][1], out);
		e = (struct svmhv_cpuid_entry){
			.function = keys[i][0], .index = keys[i][1],
			.eax = out[EAX], .ebx = out[EBX],
			.ecx = out[ECX], .edx = out[EDX],
		};
		if (copy_to_user(&uarg->entries[i], &e, sizeof(e)))
			return -EFAULT;
	}
	if (put_user(want, &uarg->nent))
		return -EFAULT;
	return 0;
}

void svm_cpuid_table_free(struct svm_cpuid_table *t)
{
	kfree(t);
}
