/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The world switch: VMRUN and back.
 *
 * void svmhv_vmrun(u64 vmcb_pa, u64 *gprs, u64 host_save_pa,
 *                  u64 in_shadow)
 *   %rdi  physical address of the vCPU's VMCB
 *   %rsi  the vCPU's GPR array, indexed by x86 register number; RAX and
 *         RSP live in the VMCB, the other fourteen here
 *   %rdx  physical address of this CPU's VMSAVE area for host state
 *   %rcx  nonzero if the guest enters in an interrupt shadow (STI, MOV SS)
 *
 * Called with interrupts disabled and GIF clear (CLGI).  VMRUN saves and
 * restores only part of the host (APM vol. 2, 15.5.1 and 15.5.2): RAX,
 * RSP, RIP, RFLAGS, CR0/3/4, EFER, GDTR/IDTR and the CS/SS/DS/ES selectors
 * go to VM_HSAVE_PA; the FS/GS/TR/LDTR hidden state, KernelGSBase and the
 * SYSCALL/SYSENTER MSRs are VMSAVE/VMLOAD's business, so we VMSAVE the
 * host into its own area first and VMLOAD it back last.  Between the
 * guest's VMLOAD and the host's VMLOAD the GS base is the guest's, so no
 * per-CPU data may be touched here.
 *
 * RFLAGS.IF is set around VMRUN: VMRUN sets GIF and the saved host IF then
 * decides whether physical interrupts reach the host, as #VMEXIT(INTR),
 * while the guest runs (15.21.1 and 15.17); GIF=0 keeps them pending on
 * either side of VMRUN, so they are taken only after the caller's STGI.
 *
 * VMSAVE, VMLOAD and VMRUN raise #UD when EFER.SVME is clear (15.4), which
 * a reboot does under a vCPU thread that is about to enter (the reboot
 * notifier in cpu.c).  The exception table sends each fault to a fixup
 * that goes on after the instruction if svm_hw_rebooting is set -- the
 * run loop then stops -- and stops at UD2 (a BUG) otherwise, as KVM's
 * __svm_vcpu_run does with kvm_rebooting.
 */
#include <linux/linkage.h>
#include <asm/asm.h>
#include <asm/nospec-branch.h>

#define GPR(n)	((n) * 8)
#define G_RCX	GPR(1)
#define G_RDX	GPR(2)
#define G_RBX	GPR(3)
#define G_RBP	GPR(5)
#define G_RSI	GPR(6)
#define G_RDI	GPR(7)
#define G_R8	GPR(8)
#define G_R9	GPR(9)
#define G_R10	GPR(10)
#define G_R11	GPR(11)
#define G_R12	GPR(12)
#define G_R13	GPR(13)
#define G_R14	GPR(14)
#define G_R15	GPR(15)

	.section .text, "ax"

SYM_FUNC_START(svmhv_vmrun)
	/* Callee-saved registers of the host; the guest will clobber them. */
	push	%rbp
	mov	%rsp, %rbp
	push	%r15
	push	%r14
	push	%r13
	push	%r12
	push	%rbx

	/* Kept on the stack across VMRUN: 16(%rsp) gprs, 8(%rsp) host save
	 * area, 0(%rsp) VMCB.
	 */
	push	%rsi
	push	%rdx
	push	%rdi

	/* Host FS/GS/TR/LDTR/KernelGSBase/STAR.. into the host save area. */
	mov	%rdx, %rax
1:	vmsave	%rax
2:

	/* In an interrupt shadow?  ZF is kept for the VMRUN below. */
	test	%rcx, %rcx

	/* Guest GPRs; %rsi last, it is the base. */
	mov	G_RCX(%rsi), %rcx
	mov	G_RDX(%rsi), %rdx
	mov	G_RBX(%rsi), %rbx
	mov	G_RBP(%rsi), %rbp
	mov	G_RDI(%rsi), %rdi
	mov	G_R8(%rsi),  %r8
	mov	G_R9(%rsi),  %r9
	mov	G_R10(%rsi), %r10
	mov	G_R11(%rsi), %r11
	mov	G_R12(%rsi), %r12
	mov	G_R13(%rsi), %r13
	mov	G_R14(%rsi), %r14
	mov	G_R15(%rsi), %r15
	mov	G_RSI(%rsi), %rsi

	/* The guest's share of VMLOAD state, then the guest itself.  RAX
	 * holds the VMCB address, and VMRUN gives it back on #VMEXIT.
	 *
	 * Where STI goes does not matter to real CPUs: GIF=0 holds every
	 * interrupt until VMRUN, which takes the guest's interrupt shadow
	 * from the VMCB (15.21.5).  QEMU's emulated SVM ignores that VMCB
	 * field and carries the host's STI shadow into the guest instead.
	 * So STI goes right before VMRUN only when the guest is in a shadow
	 * (the flags tested above, which MOV and VMLOAD leave alone), and
	 * before VMLOAD otherwise: QEMU then neither drops the guest's shadow
	 * nor invents one that would hold off a virtual interrupt (V_IRQ).
	 */
	mov	(%rsp), %rax
	jnz	.Lin_shadow
	sti
3:	vmload	%rax
4:
5:	vmrun	%rax
6:
	jmp	.Lexited
.Lin_shadow:
7:	vmload	%rax
8:
	sti
9:	vmrun	%rax
10:
.Lexited:
	cli
11:	vmsave	%rax
12:

	/* Store guest GPRs: free a register by pushing the guest's %rsi. */
	push	%rsi
	mov	24(%rsp), %rsi
	mov	%rcx, G_RCX(%rsi)
	mov	%rdx, G_RDX(%rsi)
	mov	%rbx, G_RBX(%rsi)
	mov	%rbp, G_RBP(%rsi)
	mov	%rdi, G_RDI(%rsi)
	mov	%r8,  G_R8(%rsi)
	mov	%r9,  G_R9(%rsi)
	mov	%r10, G_R10(%rsi)
	mov	%r11, G_R11(%rsi)
	mov	%r12, G_R12(%rsi)
	mov	%r13, G_R13(%rsi)
	mov	%r14, G_R14(%rsi)
	mov	%r15, G_R15(%rsi)
	pop	%rax
	mov	%rax, G_RSI(%rsi)

	/* Host FS/GS/TR/.. back: from here on per-CPU data works again. */
	pop	%rax			/* VMCB, no longer needed */
	pop	%rax			/* host save area */
13:	vmload	%rax
14:
	pop	%rsi

	/*
	 * Speculation defences, before the host's first RET and before
	 * interrupts are back, as the kernel applies them for KVM (its
	 * svm/vmenter.S), each patched in only where the kernel chose that
	 * mitigation at boot:
	 *  - the guest may have filled the return stack buffer with its own
	 *    targets: overwrite it (X86_FEATURE_RSB_VMEXIT, which the kernel
	 *    clears when an IBPB below already flushes the RSB);
	 *  - Retbleed/SRSO: untrain the return predictor (entry_untrain_ret or
	 *    srso_alias_untrain_ret), then IBPB where the kernel asks for one
	 *    on every #VMEXIT (srso=ibpb-vmexit, retbleed=ibpb, which also
	 *    set X86_FEATURE_IBPB_ON_VMEXIT).  That pair is 6.12's
	 *    UNTRAIN_RET_VM; 6.1 has no such macro, and its UNTRAIN_RET would
	 *    add the IBPB of X86_FEATURE_ENTRY_IBPB a second time.
	 * entry_ibpb clobbers RAX, RCX and RDX, all free here.
	 */
	FILL_RETURN_BUFFER %rax, RSB_CLEAR_LOOPS, X86_FEATURE_RSB_VMEXIT
	CALL_UNTRAIN_RET
	ALTERNATIVE "", "call entry_ibpb", X86_FEATURE_IBPB_ON_VMEXIT

	/* Leave no guest values in caller-saved registers. */
	xor	%ecx, %ecx
	xor	%edx, %edx
	xor	%esi, %esi
	xor	%edi, %edi
	xor	%r8d, %r8d
	xor	%r9d, %r9d
	xor	%r10d, %r10d
	xor	%r11d, %r11d

	pop	%rbx
	pop	%r12
	pop	%r13
	pop	%r14
	pop	%r15
	pop	%rbp
	RET

	/* Fixups: an SVM instruction faulted (see the top of this file). */
.Lfault_vmsave_host:
	cmpb	$0, svm_hw_rebooting(%rip)
	jne	2b
	ud2
.Lfault_vmload_guest:
	cmpb	$0, svm_hw_rebooting(%rip)
	jne	4b
	ud2
.Lfault_vmrun:
	cmpb	$0, svm_hw_rebooting(%rip)
	jne	6b
	ud2
.Lfault_vmload_guest_shadow:
	cmpb	$0, svm_hw_rebooting(%rip)
	jne	8b
	ud2
.Lfault_vmrun_shadow:
	cmpb	$0, svm_hw_rebooting(%rip)
	jne	10b
	ud2
.Lfault_vmsave_guest:
	cmpb	$0, svm_hw_rebooting(%rip)
	jne	12b
	ud2
.Lfault_vmload_host:
	cmpb	$0, svm_hw_rebooting(%rip)
	jne	14b
	ud2

	_ASM_EXTABLE(1b, .Lfault_vmsave_host)
	_ASM_EXTABLE(3b, .Lfault_vmload_guest)
	_ASM_EXTABLE(5b, .Lfault_vmrun)
	_ASM_EXTABLE(7b, .Lfault_vmload_guest_shadow)
	_ASM_EXTABLE(9b, .Lfault_vmrun_shadow)
	_ASM_EXTABLE(11b, .Lfault_vmsave_guest)
	_ASM_EXTABLE(13b, .Lfault_vmload_host)
SYM_FUNC_END(svmhv_vmrun)
