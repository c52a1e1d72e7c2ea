/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Protection keys are the guest's own business: enable CR4.PKE and deny
 * every key (PKRU = 0x55555555: access-disable for keys 0-15), then print
 * through COM1 and exit 0.  If svmhv left the guest's PKRU in the CPU
 * after #VMEXIT, vmctl itself would lose access to its own memory and
 * die of a protection-key fault.  Needs a host CPU with PKU (else the CR4
 * write raises #GP and, without an IDT, the guest triple-faults: 82).
 * Run: --mode long
 */
#include "guest.h"

	.code64
	.section .text.entry, "ax"
	.globl start
start:
	movq %cr4, %rax
	orq $(1 << 22), %rax		/* CR4.PKE */
	movq %rax, %cr4
	movl $0x55555555, %eax
	xorl %ecx, %ecx
	xorl %edx, %edx
	wrpkru
	leaq msg(%rip), %rsi
	call puts
	GUEST_EXIT 0

	PUTS_FUNC

	.section .rodata
msg:	.asciz "pkru set\n"
