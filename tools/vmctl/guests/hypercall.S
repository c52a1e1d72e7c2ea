/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The hypercall ABI (docs/hypercalls.md), as a guest uses it: the ABI
 * version from the kernel (number 0), the VMM's features from vmctl
 * (0x8000), then a line through vmctl's console-write hypercall (0x8001)
 * instead of the UART; an unknown number gives -1000 (ENOSYS).  Exit
 * status 0, or the number of the check that failed.  Run: --mode long
 */
#include "guest.h"

#define HC_ABI_VERSION		0x0
#define HC_VMM_FEATURES		0x8000
#define HC_CONSOLE_WRITE	0x8001

	.code64
	.section .text.entry, "ax"
	.globl start
start:
	movl $HC_ABI_VERSION, %eax
	vmmcall
	cmpq $1, %rax			/* ABI version 1 */
	EXPECT_EQ 1
	movl $HC_VMM_FEATURES, %eax
	vmmcall
	testq $2, %rax			/* console write served */
	jnz 1f
	GUEST_EXIT 2
1:	movl $HC_CONSOLE_WRITE, %eax
	leaq msg(%rip), %rbx		/* identity-mapped: GPA = address */
	movl $msg_len, %ecx
	vmmcall
	cmpq $msg_len, %rax
	EXPECT_EQ 3
	movl $0x8123, %eax		/* not a hypercall of vmctl's */
	vmmcall
	cmpq $-1000, %rax
	EXPECT_EQ 4
	GUEST_EXIT 0

	.section .rodata
msg:	.ascii "hello through a hypercall\n"
	.set msg_len, . - msg
