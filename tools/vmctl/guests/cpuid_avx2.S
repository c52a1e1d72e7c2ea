/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Does CPUID show AVX2 (leaf 7 subleaf 0, EBX bit 5)?  Prints the answer
 * and exits through port 0xf4 with 10 if it does, 11 if not (also when
 * the maximum leaf is below 7), so vmctl_test.sh can see what
 * --cpu-features=-avx2 changes.  Run: --mode long
 */
#include "guest.h"

#define SHOWN	10
#define HIDDEN	11

	.code64
	.section .text.entry, "ax"
	.globl start
start:
	xorl %eax, %eax
	cpuid
	cmpl $7, %eax
	jb hidden
	movl $7, %eax
	xorl %ecx, %ecx
	cpuid
	btl $5, %ebx
	jnc hidden
	leaq shown_msg(%rip), %rsi
	call puts
	GUEST_EXIT SHOWN
hidden:
	leaq hidden_msg(%rip), %rsi
	call puts
	GUEST_EXIT HIDDEN

	PUTS_FUNC

	.section .rodata
shown_msg:	.asciz "avx2 shown\n"
hidden_msg:	.asciz "avx2 hidden\n"
