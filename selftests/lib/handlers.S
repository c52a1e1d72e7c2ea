/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest exception entry for the svmhv selftests, after
 * tools/testing/selftests/kvm/lib/x86_64/handlers.S.
 *
 * One 16-byte-aligned stub per vector.  The CPU pushes an error code for
 * vectors 8, 10-14, 17, 21, 29 and 30 (APM vol. 2, 8.2); the other stubs
 * push a 0 in its place so that every frame has the same shape.  Each stub
 * then pushes its vector number and jumps to guest_exception_entry, which
 * saves the general-purpose registers as a struct ex_regs
 * (include/processor.h), calls route_exception(regs) in lib/guest.c, and
 * returns with IRETQ using whatever the handler left in the frame.
 * idt_stub_addrs[] lists the stubs' addresses for idt_build().
 */

	.pushsection .rodata.idt_stub_addrs, "a"
	.balign 8
	.globl idt_stub_addrs
idt_stub_addrs:
	.popsection

	.text
	.globl idt_stubs
	.balign 16
idt_stubs:
	vector = 0
	.rept 256
	.balign 16
666:
	.pushsection .rodata.idt_stub_addrs, "a"
	.quad 666b
	.popsection
	.if (vector == 8) || ((vector >= 10) && (vector <= 14)) || (vector == 17) || (vector == 21) || (vector == 29) || (vector == 30)
	.else
	pushq	$0
	.endif
	pushq	$vector
	jmp	guest_exception_entry
	vector = vector + 1
	.endr

	.globl guest_exception_entry
guest_exception_entry:
	pushq	%rax
	pushq	%rcx
	pushq	%rdx
	pushq	%rbx
	pushq	%rbp
	pushq	%rsi
	pushq	%rdi
	pushq	%r8
	pushq	%r9
	pushq	%r10
	pushq	%r11
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	/* The CPU aligned RSP to 16 before its 5-word frame; with error
	 * code, vector and 15 registers RSP is 16-byte aligned here. */
	movq	%rsp, %rdi
	cld
	call	route_exception
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%r11
	popq	%r10
	popq	%r9
	popq	%r8
	popq	%rdi
	popq	%rsi
	popq	%rbp
	popq	%rbx
	popq	%rdx
	popq	%rcx
	popq	%rax
	addq	$16, %rsp		/* vector, error code */
	iretq

/*
 * vcpu_create() plants this as the return address of the guest function:
 * a guest that returns instead of calling GUEST_DONE() is reported.
 */
	.globl guest_return_trap
guest_return_trap:
	andq	$-16, %rsp
	call	guest_fn_returned
	ud2

	.section .note.GNU-stack, "", @progbits
