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
 *
 * The memory operand of INS and OUTS is ours to access: the intercept
 * comes after the I/O permission checks (IOPL and the TSS bitmap, 15.10.2)
 * but before the CPU has looked at ES:rDI or seg:rSI at all.  So svmhv
 * makes the segment checks and the page walk the CPU would have made,
 * element by element, with the rights of the guest's CPL
 * (guest_access.c), and raises #GP/#SS/#PF as it would: elements before
 * the first faulting one are moved, registers advanced past exactly those
 * (for REP; RIP stays on the instruction), and when the first element of
 * an exit faults the exception is injected with RIP at the instruction.
 *
 * INS checks its destination before the port is read, at the exit, not
 * when the data comes back from userspace: a port read has side effects
 * (it pops a FIFO, acknowledges an interrupt) and cannot be undone.  The
 * CPU does the same -- a REP INS that page-faults must be restartable
 * without losing data, so the store's checks precede the I/O cycle;
 * QEMU's and Bochs's CPU models make exactly that "dummy" access to ES:rDI
 * before reading the port.  (KVM's emulator reads the port first and
 * faults in the write-back, so there a faulting INS consumes a port read;
 * svmhv does not.)  The data are written on the next RUN through a second
 * walk, which sets the A and D bits as the store does.  Should that walk
 * fault now -- only if the guest's page tables changed meanwhile, or
 * userspace changed the registers -- the elements before the fault are
 * written and the fault injected, as the CPU would fault there.
 */
#include <linux/kernel.h>
#include <linux/log2.h>
#include <asm/processor-flags.h>

#include "svm.h"

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

/* The effective address (offset in its segment) of element i at reg. */
static u64 svm_string_ea(struct svmhv_vcpu *vcpu, unsigned int reg, u32 i)
{
	const struct svmhv_completion *p = &vcpu->pending;
	bool down = vcpu->vmcb->save.rflags & X86_EFLAGS_DF;
	s64 step = down ? -(s64)p->size : p->size;

	return (svm_vcpu_read_gpr(vcpu, reg) + step * i) &
	       svm_addr_mask(p->addr_size);
}

/*
 * The elements of this exit's chunk, in the order the CPU moves them,
 * each through the segment checks and then the page walk.  OUTS (!in)
 * reads them into data; INS writes them from data, or with data NULL only
 * checks that they can be written.  Returns how many can be moved before
 * the first that faults (the fault in *fault), or -errno when guest
 * memory cannot be reached.
 */
static int svm_string_elements(struct svmhv_vcpu *vcpu, unsigned int seg,
			       bool in, u8 *data, struct svm_fault *fault)
{
	const struct svmhv_completion *p = &vcpu->pending;
	unsigned int access = svm_access_cpl(vcpu, in ? SVM_ACC_WRITE : 0);
	unsigned int reg = in ? GPR_RDI : GPR_RSI;
	struct svm_tlb tlb = { .valid = false };
	u32 i;
	int ret;

	if (!data)
		access |= SVM_ACC_NO_AD;
	for (i = 0; i < p->count; i++) {
		u64 linear;

		ret = svm_linearize(vcpu, seg, svm_string_ea(vcpu, reg, i),
				    p->size, access, &linear, fault);
		if (!ret)
			ret = svm_access_linear(vcpu, &tlb, linear,
						data ? data + i * p->size : NULL,
						p->size, access, fault);
		if (ret == SVM_GUEST_FAULT)
			break;
		if (ret)
			return ret;
	}
	return i;
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
	*seg = insn.seg ? insn.seg - 1 : SVM_SEG_DS;
	return 0;
}

/* Finish a non-string IN or OUT whose data is known: rAX, then RIP. */
static void svm_io_in_kernel_done(struct svmhv_vcpu *vcpu, bool in,
				  unsigned int size, u32 val, u64 next_rip)
{
	struct vmcb_save *save = &vcpu->vmcb->save;

	if (in && size == 4)		/* 32-bit results zero-extend */
		save->rax = val;
	else if (in)
		save->rax = (save->rax & ~((1ULL << (size * 8)) - 1)) |
			    (val & ((1U << (size * 8)) - 1));
	svm_set_rip(vcpu, next_rip);
}

int svm_exit_ioio(struct svmhv_vcpu *vcpu)
{
	struct vmcb_control *ctl = &vcpu->vmcb->control;
	struct svmhv_completion *p = &vcpu->pending;
	struct svmhv_run *run = vcpu->run;
	u64 info = ctl->exit_info1;
	bool in = info & SVM_IOIO_TYPE_IN;
	unsigned int asize, seg;
	struct svm_fault fault;
	u64 count;
	u32 val;
	int n;

	/* Ports the kernel serves: no trip to userspace (pm_timer.c). */
	if (!(info & SVM_IOIO_STR) &&
	    svmhv_pm_timer_access(vcpu->vm, info >> SVM_IOIO_PORT_SHIFT,
				  (info >> SVM_IOIO_SZ_SHIFT) & 7, &val)) {
		svm_io_in_kernel_done(vcpu, in, (info >> SVM_IOIO_SZ_SHIFT) & 7,
				      val, ctl->exit_info2);
		return 1;
	}
	/* Doorbells: an OUT that only signals an eventfd (ioeventfd.c). */
	if (!in && !(info & SVM_IOIO_STR) &&
	    unlikely(svmhv_has_ioeventfds(vcpu->vm)) &&
	    svmhv_ioeventfd_write(vcpu->vm, true, info >> SVM_IOIO_PORT_SHIFT,
				  (info >> SVM_IOIO_SZ_SHIFT) & 7,
				  (u32)vcpu->vmcb->save.rax &
				  GENMASK(8 * ((info >> SVM_IOIO_SZ_SHIFT) & 7) - 1, 0))) {
		svm_io_in_kernel_done(vcpu, false, 0, 0, ctl->exit_info2);
		return 1;
	}

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

	n = svm_string_elements(vcpu, in ? SVM_SEG_ES : seg, in,
				in ? NULL : run->io.data, &fault);
	if (n < 0)
		return svm_exit_internal(vcpu, SVMHV_INTERNAL_MEMORY, NULL, 0);
	if (!n) {
		/* The first element faults: no I/O cycle, nothing moves. */
		run->exit_reason = SVMHV_EXIT_NONE;
		svm_inject_fault(vcpu, &fault);
		return 1;
	}
	/* A later one faults: this exit moves those before it, and the
	 * instruction, still at RIP with rCX left, faults when it resumes.
	 */
	p->count = n;
	run->io.count = n;
	if (in) {
		memset(run->io.data, 0, p->count * p->size);
		p->kind = SVMHV_PENDING_INS;
		return 0;
	}
	svm_string_done(vcpu, GPR_RSI);
	return 0;
}

/* Finish IN/INS with the data userspace supplied. */
int svm_complete_io(struct svmhv_vcpu *vcpu, bool string)
{
	struct svmhv_completion *p = &vcpu->pending;
	struct svmhv_run *run = vcpu->run;
	struct svm_fault fault;
	int n;

	if (!string) {
		u32 val = 0;

		memcpy(&val, run->io.data, p->size);
		svm_io_in_kernel_done(vcpu, true, p->size, val, p->next_rip);
		return 1;
	}
	n = svm_string_elements(vcpu, SVM_SEG_ES, true, run->io.data, &fault);
	if (n < 0)
		return svm_exit_internal(vcpu, SVMHV_INTERNAL_MEMORY, NULL, 0);
	if (n < p->count) {
		/* Checked at the exit, faulting now: see the top of the file. */
		p->count = n;
		if (n)
			svm_string_done(vcpu, GPR_RDI);
		svm_inject_fault(vcpu, &fault);
		return 1;
	}
	svm_string_done(vcpu, GPR_RDI);
	return 1;
}
