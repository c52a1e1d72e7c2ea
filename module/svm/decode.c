// SPDX-License-Identifier: GPL-2.0
/*
 * Just enough x86 instruction decoding for the exits the hardware does not
 * describe for us.
 *
 * Without NRIP save (APM vol. 2, 15.7.1) the VMCB does not say where the
 * intercepted instruction ends, so skipping CPUID, RDMSR, HLT, ... needs
 * its length, prefixes included ("66 0f a2" is a valid CPUID; PAUSE is
 * "f3 90", a NOP with a REP prefix).  A nested page fault on MMIO reports
 * the address but not the data or the register (decode assists give at
 * most the bytes, 15.25.6), so the MOV family is decoded to find size,
 * direction, register and immediate.  Without decode assists, a MOV to or
 * from a debug register does not name its GPR (15.8.1).  Anything else is
 * left undecoded and reported to userspace as an internal error with the
 * bytes, never guessed.
 */
#include <linux/kernel.h>

#include "svm.h"

/*
 * Up to 15 bytes at CS:RIP; fewer if the next page is not mapped.
 *
 * The CPU fetched these bytes before the intercept, so they are read with
 * the same rights (a fetch, by the CPL's privilege: APM vol. 2, 5.6.1),
 * never injecting a fault: one can only arise if another vCPU changed the
 * page tables since, and then the bytes are not those the CPU executed.
 * The fetch has set the Accessed bits already; the second page, which the
 * instruction may not reach, is not marked.
 */
int svm_decode_fetch(struct svmhv_vcpu *vcpu, struct svm_insn *insn)
{
	unsigned int access = svm_access_cpl(vcpu, SVM_ACC_FETCH |
						   SVM_ACC_NO_AD);
	struct vmcb_save *save = &vcpu->vmcb->save;
	u64 linear = save->rip;
	struct svm_fault fault;
	size_t first;

	memset(insn, 0, sizeof(*insn));
	if (svm_decode_mode(vcpu) != 8)
		linear = (save->cs.base + (linear & 0xffffffff)) & 0xffffffff;
	first = min_t(size_t, sizeof(insn->bytes),
		      PAGE_SIZE - (linear & ~PAGE_MASK));
	if (svm_read_gva(vcpu, linear, insn->bytes, first, access, &fault))
		return -EFAULT;
	insn->avail = first;
	if (first < sizeof(insn->bytes) &&
	    !svm_read_gva(vcpu, linear + first, insn->bytes + first,
			  sizeof(insn->bytes) - first, access, &fault))
		insn->avail = sizeof(insn->bytes);
	return 0;
}

/*
 * The first 8 bytes at CS:RIP, when they lie in one page: what
 * svm_decode_fetch() gives, with the same rights, for the common case of
 * a short instruction, at a fraction of its cost (one translation, one
 * get_user(), no 15-byte copy).  Every instruction svm_decode_len() knows
 * fits unless it carries more than five prefixes; the caller decodes
 * these bytes and falls back to svm_decode_fetch() when they do not hold
 * the whole instruction, or when this fails (-EAGAIN: the full fetch then
 * finds and reports the reason).
 */
int svm_decode_fetch_short(struct svmhv_vcpu *vcpu, struct svm_insn *insn)
{
	unsigned int access = svm_access_cpl(vcpu, SVM_ACC_FETCH |
						   SVM_ACC_NO_AD);
	struct vmcb_save *save = &vcpu->vmcb->save;
	u64 linear = save->rip, gpa, val;
	struct svm_fault fault;

	if (svm_decode_mode(vcpu) != 8)
		linear = (save->cs.base + (linear & 0xffffffff)) & 0xffffffff;
	if ((linear & ~PAGE_MASK) > PAGE_SIZE - sizeof(val))
		return -EAGAIN;
	if (svm_gva_to_gpa(vcpu, linear, access, &gpa, &fault) ||
	    svmhv_read_gpa_u64(vcpu->vm, gpa, &val))
		return -EAGAIN;
	memset(insn, 0, sizeof(*insn));
	/* x86 is little-endian: the bytes in memory order. */
	memcpy(insn->bytes, &val, sizeof(val));
	insn->avail = sizeof(val);
	return 0;
}

/* Legacy prefixes, then REX in 64-bit mode; sets sizes.  Returns the
 * opcode's offset, or -EINVAL if the bytes run out.
 */
int svm_decode_prefixes(struct svmhv_vcpu *vcpu, struct svm_insn *insn)
{
	unsigned int mode = svm_decode_mode(vcpu);
	bool opsize_prefix = false, addr_prefix = false;
	int i;

	for (i = 0; i < insn->avail; i++) {
		u8 b = insn->bytes[i];

		switch (b) {
		case 0x66:
			opsize_prefix = true;
			continue;
		case 0x67:
			addr_prefix = true;
			continue;
		case 0xf2:
		case 0xf3:
			insn->rep = true;
			continue;
		case 0xf0:
			continue;
		case 0x26: case 0x2e: case 0x36: case 0x3e:
			insn->seg = 1 + ((b >> 3) & 3);	/* ES, CS, SS, DS */
			continue;
		case 0x64: case 0x65:
			insn->seg = 1 + 4 + (b & 1);		/* FS, GS */
			continue;
		}
		break;
	}
	/* A REX prefix counts only directly before the opcode. */
	if (mode == 8 && i < insn->avail && (insn->bytes[i] & 0xf0) == 0x40)
		insn->rex = insn->bytes[i++];
	if (i >= insn->avail)
		return -EINVAL;
	insn->nprefix = i;

	if (mode == 8) {
		insn->opsize = (insn->rex & 8) ? 8 : (opsize_prefix ? 2 : 4);
		insn->addrsize = addr_prefix ? 4 : 8;
	} else if (mode == 4) {
		insn->opsize = opsize_prefix ? 2 : 4;
		insn->addrsize = addr_prefix ? 2 : 4;
	} else {
		insn->opsize = opsize_prefix ? 4 : 2;
		insn->addrsize = addr_prefix ? 4 : 2;
	}
	return i;
}

/* Length of the instructions svmhv intercepts and then skips. */
int svm_decode_len(struct svmhv_vcpu *vcpu, struct svm_insn *insn)
{
	int op = svm_decode_prefixes(vcpu, insn);
	int len;

	if (op < 0)
		return op;
	if (insn->bytes[op] == 0xf4) {			/* HLT */
		len = 1;
	} else if (insn->bytes[op] == 0x90) {		/* PAUSE: F3 90 */
		len = 1;				/* F3 is a prefix */
	} else if (insn->bytes[op] == 0x0f && op + 1 < insn->avail) {
		switch (insn->bytes[op + 1]) {
		case 0xa2:				/* CPUID */
		case 0x30:				/* WRMSR */
		case 0x32:				/* RDMSR */
		case 0x08:				/* INVD */
		case 0x09:				/* WBINVD */
			len = 2;
			break;
		case 0x01:				/* VMMCALL etc. */
		case 0x21:				/* MOV r, DRn */
		case 0x23:				/* MOV DRn, r */
			len = 3;			/* ModRM is mod=3 */
			break;
		default:
			return -EINVAL;
		}
	} else {
		return -EINVAL;
	}
	if (op + len > insn->avail)
		return -EINVAL;
	insn->len = op + len;
	return 0;
}

int svm_decode_mov_dr(struct svmhv_vcpu *vcpu, struct svm_insn *insn,
		      unsigned int *dr, unsigned int *gpr, bool *to_dr)
{
	int op = svm_decode_prefixes(vcpu, insn);
	u8 modrm;

	if (op < 0 || op + 3 > insn->avail || insn->bytes[op] != 0x0f ||
	    (insn->bytes[op + 1] != 0x21 && insn->bytes[op + 1] != 0x23))
		return -EINVAL;
	modrm = insn->bytes[op + 2];
	*to_dr = insn->bytes[op + 1] == 0x23;
	*dr = ((modrm >> 3) & 7) | ((insn->rex & 4) ? 8 : 0);
	*gpr = (modrm & 7) | ((insn->rex & 1) ? 8 : 0);
	insn->len = op + 3;
	return 0;
}

/* Bytes of ModRM, SIB and displacement starting at pos. */
static int svm_decode_modrm_len(struct svm_insn *insn, int pos)
{
	u8 modrm, mod, rm;
	int len = 1;

	if (pos >= insn->avail)
		return -EINVAL;
	modrm = insn->bytes[pos];
	mod = modrm >> 6;
	rm = modrm & 7;
	if (mod == 3)
		return -EINVAL;		/* register operand: no memory access */
	if (insn->addrsize == 2) {
		if (mod == 1)
			len += 1;
		else if (mod == 2 || (mod == 0 && rm == 6))
			len += 2;
		return len;
	}
	if (rm == 4) {
		if (pos + 1 >= insn->avail)
			return -EINVAL;
		len += 1;
		if (mod == 0 && (insn->bytes[pos + 1] & 7) == 5)
			len += 4;
	}
	if (mod == 1)
		len += 1;
	else if (mod == 2 || (mod == 0 && rm == 5))
		len += 4;
	return len;
}

static u64 svm_decode_imm(const u8 *p, unsigned int size)
{
	u64 v = 0;
	unsigned int i;

	for (i = 0; i < size; i++)
		v |= (u64)p[i] << (8 * i);
	return v;
}

/*
 * The MOV family between a register or immediate and memory:
 * 88/89/8a/8b (MOV r/m), c6/c7 /0 (MOV r/m, imm), a0-a3 (MOV moffs),
 * 0f b6/b7 (MOVZX), 0f be/bf (MOVSX).
 */
int svm_decode_mov(struct svmhv_vcpu *vcpu, struct svm_insn *insn)
{
	int op = svm_decode_prefixes(vcpu, insn);
	int pos, mlen;
	u8 b, modrm_reg;

	if (op < 0)
		return op;
	b = insn->bytes[op];
	pos = op + 1;
	insn->extend = SVMHV_EXTEND_ZERO;

	switch (b) {
	case 0x88: case 0x89: case 0x8a: case 0x8b:
	case 0xc6: case 0xc7:
		insn->is_load = b == 0x8a || b == 0x8b;
		if (!(b & 1))
			insn->opsize = 1;
		mlen = svm_decode_modrm_len(insn, pos);
		if (mlen < 0)
			return mlen;
		modrm_reg = (insn->bytes[pos] >> 3) & 7;
		pos += mlen;
		if (b == 0xc6 || b == 0xc7) {
			unsigned int isize = min_t(unsigned int, insn->opsize, 4);

			if (modrm_reg != 0 || pos + isize > insn->avail)
				return -EINVAL;
			insn->has_imm = true;
			insn->imm = svm_decode_imm(&insn->bytes[pos], isize);
			if (insn->opsize == 8)		/* imm32 sign-extended */
				insn->imm = (u64)(s64)(s32)insn->imm;
			pos += isize;
		} else {
			insn->reg = modrm_reg | ((insn->rex & 4) ? 8 : 0);
			insn->high8 = insn->opsize == 1 && !insn->rex &&
				      modrm_reg >= 4;
			if (insn->high8)
				insn->reg -= 4;
		}
		insn->dst_size = insn->opsize;
		break;
	case 0xa0: case 0xa1: case 0xa2: case 0xa3:
		insn->is_load = b <= 0xa1;
		if (!(b & 1))
			insn->opsize = 1;
		insn->reg = GPR_RAX;
		insn->dst_size = insn->opsize;
		pos += insn->addrsize;			/* moffs */
		break;
	case 0x0f:
		if (pos >= insn->avail)
			return -EINVAL;
		b = insn->bytes[pos++];
		if (b != 0xb6 && b != 0xb7 && b != 0xbe && b != 0xbf)
			return -EINVAL;
		insn->is_load = true;
		insn->dst_size = insn->opsize;
		insn->opsize = (b & 1) ? 2 : 1;
		insn->extend = (b >= 0xbe) ? SVMHV_EXTEND_SIGN :
					     SVMHV_EXTEND_ZERO;
		mlen = svm_decode_modrm_len(insn, pos);
		if (mlen < 0)
			return mlen;
		insn->reg = ((insn->bytes[pos] >> 3) & 7) |
			    ((insn->rex & 4) ? 8 : 0);
		pos += mlen;
		break;
	default:
		return -EINVAL;
	}
	if (pos > insn->avail)
		return -EINVAL;
	insn->len = pos;
	return 0;
}
