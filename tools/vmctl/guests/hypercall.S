/* SPDX-License-Identifier: GPL-2.0 */
/*
 * VMMCALL: vmctl implements no hypercalls and documents that it returns
 * -1 in RAX and continues.  Exits 1 if RAX is anything else, else prints
 * "hypercall returned -1" and exits 0.  Run: --mode long
 */
#include "guest.h"

	.code64
	.section .text.entry, "ax"
	.globl start
start:
	movl $1, %eax
	vmmcall
	cmpq $-1, %rax
	EXPECT_EQ 1
	leaq msg(%rip), %rsi
	call puts
	GUEST_EXIT 0

	PUTS_FUNC

	.section .rodata
msg:	.asciz "hypercall returned -1\n"
