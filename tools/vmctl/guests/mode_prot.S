/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Protected-mode starting state with --mem 16M (docs/vmctl.md): ESP at
 * the GDT (0xfff000), CR0 PE|MP|NE with EM and PG clear, CR4 OSFXSR and
 * OSXMMEXCPT, IF=0, CS 0x08, DS/SS 0x10, GDTR 0xfff000/0x1f, EFER.LME=0;
 * then reloads segments from vmctl's GDT and runs SSE code.  Exits with
 * the number of the first failing check (a broken GDT or SSE setup
 * triple-faults instead), else prints "protected mode ok" and exits 0.
 */
#include "guest.h"

	.code32
	.section .text.entry, "ax"
	.globl start
start:
	cmpl $0xfff000, %esp
	EXPECT_EQ 1
	movl %cr0, %eax
	andl $0x80000027, %eax
	cmpl $0x23, %eax
	EXPECT_EQ 2
	movl %cr4, %eax
	andl $0x620, %eax
	cmpl $0x600, %eax
	EXPECT_EQ 3
	pushfl
	popl %eax
	testl $0x200, %eax
	EXPECT_EQ 4
	movw %cs, %ax
	cmpw $0x08, %ax
	EXPECT_EQ 5
	movw %ds, %ax
	cmpw $0x10, %ax
	EXPECT_EQ 6
	movw %ss, %ax
	cmpw $0x10, %ax
	EXPECT_EQ 6
	sgdt gdtr
	cmpw $0x1f, gdtr
	EXPECT_EQ 7
	cmpl $0xfff000, gdtr + 2
	EXPECT_EQ 7
	movl $0xc0000080, %ecx
	rdmsr
	testl $0x500, %eax
	EXPECT_EQ 8

	movw $0x10, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	ljmp $0x08, $reloaded
reloaded:
	/* Register-only SSE: #UD (and so a triple fault) without OSFXSR. */
	movl $0x3f800000, %eax
	movd %eax, %xmm0
	addss %xmm0, %xmm0
	movd %xmm0, %eax
	cmpl $0x40000000, %eax
	EXPECT_EQ 9

	movl $msg, %esi
	call puts
	GUEST_EXIT 0

	PUTS_FUNC

	.section .rodata
msg:	.asciz "protected mode ok\n"
	.data
gdtr:	.skip 8
