// SPDX-License-Identifier: GPL-2.0
/*
 * Port I/O exits (APM vol. 2, 15.10.2).  Every port is intercepted and
 * handed to userspace through run->io.  EXITINFO1 describes the access
 * (direction, size, string, REP, address size; the segment only with
 * decode assists) and EXITINFO2 is always the next RIP, so no decoding is
 * needed to skip IN/OUT, even without NRIP save.
 *
 * OUT and OUTS are finished before returning to userspace; IN and INS are
 * finished by the next SVMHV_RUN with the data userspace put in
 * run->io.data.  A REP string instruction moves at most
 * SVMHV_IO_DATA_MAX bytes per exit and leaves RIP on itself until rCX
 * reaches zero, so it simply exits again for the rest.
 */
#include <linux/kernel.h>
#include <linux/log2.h>
#include <asm/processor-flags.h>

#include "svm.h"

#define SEG_ES	0
#define SEG_DS	3

static u64 svm_addr_mask(unsigned int asize)
{
	return asize == 8 ? ~0ULL : (1ULL << (asize * 8)) - 1;
}

/* Add delta to an address-sized register, as the string insns do. */
static void svm_advance_areg(struct svmhv_vcpu *vcpu, unsigned int reg,
			     s64 delta, unsigned int asize)
{
	u64 v = svm_vcpu_read_gpr(vcpu, reg);

	if (asize == 8)
		v += delta;
	else if (asize == 4)
		v = (u32)(v + delta);
	else
		v = (v & ~0xffffULL) | ((v + delta) & 0xffff);
	svm_vcpu_write_gpr(vcpu, reg, v);
}

/* Linear address of element i of a string operand at seg:reg. */
static u64 svm_string_addr(struct svmhv_vcpu *vcpu, unsigned int seg,
			   unsigned int reg, unsigned int i)
{
	const struct svmhv_completion *p = &vcpu->pending;
	struct vmcb_save *save = &vcpu->vmcb->save;
	s64 step = (save->rflags & X86_EFLAGS_DF) ? -(s64)p->size : p->size;
	u64 off = (svm_vcpu_read_gpr(vcpu, reg) + step * i) &
		  svm_addr_mask(p->addr_size);
	const struct vmcb_seg *segs = &save->es;	/* ES CS SS DS FS GS */

	if (svm_decode_mode(vcpu) == 8)
		/* Long mode ignores every base but FS's and GS's. */
		return seg >= 4 ? segs[seg].base + off : off;
	return (segs[seg].base + off) & 0xffffffff;
}

/* Move rSI/rDI and rCX past the elements just transferred, and RIP past
 * the instruction once rCX is exhausted.
 */
static void svm_string_done(struct svmhv_vcpu *vcpu, unsigned int reg)
{
	const struct svmhv_completion *p = &vcpu->pending;
	bool down = vcpu->vmcb->save.rflags & X86_EFLAGS_DF;
	s64 bytes = (s64)p->size * p->count;

	svm_advance_areg(vcpu, reg, down ? -bytes : bytes, p->addr_size);
	if (p->rep) {
		svm_advance_areg(vcpu, GPR_RCX, -(s64)p->count, p->addr_size);
		if (svm_vcpu_read_gpr(vcpu, GPR_RCX) &
		    svm_addr_mask(p->addr_size))
			return;
	}
	svm_set_rip(vcpu, p->next_rip);
}

/*
 * Address size and segment of a string I/O instruction.  EXITINFO1 has
 * both with decode assists; without them the segment is missing, and
 * QEMU's emulated SVM also leaves the address-size bits clear (measured:
 * EXITINFO1 0x3f8001c for a 64-bit REP OUTSB), so the prefixes decide.
 * OUTS reads DS unless overridden; INS always writes ES.
 */
static int svm_string_io_decode(struct svmhv_vcpu *vcpu, u64 info,
				unsigned int *addr_size, unsigned int *seg)
{
	unsigned int asz = (info >> SVM_IOIO_ASZ_SHIFT) & 7;	/* one-hot */
	struct svm_insn insn;

	if (svm_features.decode_assists && is_power_of_2(asz)) {
		*addr_size = asz * 2;
		*seg = (info >> SVM_IOIO_SEG_SHIFT) & 7;
		return 0;
	}
	if (svm_decode_fetch(vcpu, &insn) || svm_decode_prefixes(vcpu, &insn) < 0)
		return -EFAULT;
	*addr_size = is_power_of_2(asz) ? asz * 2 : insn.addrsize;
	*seg = insn.seg ? insn.seg - 1 : SEG_DS;
	return 0;
}

int svm_exit_ioio(struct svmhv_vcpu *vcpu)
{
	struct vmcb_control *ctl = &vcpu->vmcb->control;
	struct svmhv_completion *p = &vcpu->pending;
	struct svmhv_run *run = vcpu->run;
	u64 info = ctl->exit_info1;
	bool in = info & SVM_IOIO_TYPE_IN;
	unsigned int asize, seg, i;
	u64 count;

	run->exit_reason = SVMHV_EXIT_IO;
	memset(&run->io, 0, offsetof(typeof(run->io), data));
	run->io.direction = in ? SVMHV_IO_IN : SVMHV_IO_OUT;
	run->io.size = (info >> SVM_IOIO_SZ_SHIFT) & 7;	/* one-hot 1/2/4 */
	run->io.port = info >> SVM_IOIO_PORT_SHIFT;
	run->io.string = !!(info & SVM_IOIO_STR);
	run->io.rep = !!(info & SVM_IOIO_REP);
	p->size = run->io.size;
	p->next_rip = ctl->exit_info2;

	if (!run->io.string) {
		run->io.count = 1;
		p->count = 1;
		if (in) {
			memset(run->io.data, 0, sizeof(u32));
			p->kind = SVMHV_PENDING_IN;
		} else {
			u32 val = vcpu->vmcb->save.rax;

			memcpy(run->io.data, &val, p->size);
			svm_set_rip(vcpu, p->next_rip);
		}
		return 0;
	}

	if (svm_string_io_decode(vcpu, info, &asize, &seg))
		return svm_exit_internal(vcpu, SVMHV_INTERNAL_FETCH, NULL, 0);
	p->addr_size = asize;
	p->rep = run->io.rep;
	count = p->rep ? svm_vcpu_read_gpr(vcpu, GPR_RCX) &
			 svm_addr_mask(p->addr_size) : 1;
	if (!count) {				/* REP with rCX = 0: a no-op */
		svm_set_rip(vcpu, p->next_rip);
		return 1;
	}
	p->count = min_t(u64, count, SVMHV_IO_DATA_MAX / p->size);
	run->io.count = p->count;

	if (in) {
		memset(run->io.data, 0, p->count * p->size);
		p->kind = SVMHV_PENDING_INS;
		return 0;
	}
	for (i = 0; i < p->count; i++) {
		u64 addr = svm_string_addr(vcpu, seg, GPR_RSI, i);

		if (svm_read_gva(vcpu, addr, run->io.data + i * p->size,
				 p->size))
			return svm_exit_internal(vcpu, SVMHV_INTERNAL_MEMORY,
						 NULL, addr);
	}
	svm_string_done(vcpu, GPR_RSI);
	return 0;
}

/* Finish IN/INS with the data userspace supplied. */
int svm_complete_io(struct svmhv_vcpu *vcpu, bool string)
{
	const struct svmhv_completion *p = &vcpu->pending;
	struct svmhv_run *run = vcpu->run;
	struct vmcb_save *save = &vcpu->vmcb->save;
	unsigned int i;

	if (!string) {
		u32 val = 0;

		memcpy(&val, run->io.data, p->size);
		if (p->size == 4)	/* 32-bit results zero-extend */
			save->rax = val;
		else
			save->rax = (save->rax & ~((1ULL << (p->size * 8)) - 1)) |
				    val;
		svm_set_rip(vcpu, p->next_rip);
		return 1;
	}
	for (i = 0; i < p->count; i++) {
		u64 addr = svm_string_addr(vcpu, SEG_ES, GPR_RDI, i);

		if (svm_write_gva(vcpu, addr, run->io.data + i * p->size,
				  p->size))
			return svm_exit_internal(vcpu, SVMHV_INTERNAL_MEMORY,
						 NULL, addr);
	}
	svm_string_done(vcpu, GPR_RDI);
	return 1;
}
