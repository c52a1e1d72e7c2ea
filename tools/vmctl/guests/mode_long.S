/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Long-mode starting state with --mem 16M (docs/vmctl.md): RSP at the
 * GDT (0xff9000), CR0 PG|PE|MP|NE with EM clear, CR4 PAE|OSFXSR|OSXMMEXCPT,
 * EFER LME|LMA, IF=0, CS 0x18, DS/SS 0x10, GDTR 0xff9000/0x1f,
 * CR3 0xffa000 whose PML4[0] points at the PDPT (0xffb000); then reloads
 * CS and data segments from vmctl's GDT and runs SSE code.  Exits with the
 * number of the first failing check, else prints "long mode ok", exit 0.
 */
#include "guest.h"

	.code64
	.section .text.entry, "ax"
	.globl start
start:
	cmpq $0xff9000, %rsp
	EXPECT_EQ 1
	movq %cr0, %rax
	andl $0x80000027, %eax
	cmpl $0x80000023, %eax
	EXPECT_EQ 2
	movq %cr4, %rax
	andl $0x620, %eax
	cmpl $0x620, %eax
	EXPECT_EQ 3
	movl $0xc0000080, %ecx
	rdmsr
	andl $0x500, %eax
	cmpl $0x500, %eax
	EXPECT_EQ 4
	pushfq
	popq %rax
	testl $0x200, %eax
	EXPECT_EQ 5
	movw %cs, %ax
	cmpw $0x18, %ax
	EXPECT_EQ 6
	movw %ds, %ax
	cmpw $0x10, %ax
	EXPECT_EQ 7
	movw %ss, %ax
	cmpw $0x10, %ax
	EXPECT_EQ 7
	sgdt gdtr(%rip)
	cmpw $0x1f, gdtr(%rip)
	EXPECT_EQ 8
	cmpq $0xff9000, gdtr + 2(%rip)
	EXPECT_EQ 8
	movq %cr3, %rax
	cmpq $0xffa000, %rax
	EXPECT_EQ 9
	movq (%rax), %rbx
	movabsq $0x000ffffffffff000, %rcx
	andq %rcx, %rbx
	cmpq $0xffb000, %rbx
	EXPECT_EQ 10

	movw $0x10, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	pushq $0x18
	leaq reloaded(%rip), %rax
	pushq %rax
	lretq
reloaded:
	/* Register-only SSE: #UD (and so a triple fault) without OSFXSR. */
	movl $0x3f800000, %eax
	movd %eax, %xmm0
	addss %xmm0, %xmm0
	movd %xmm0, %eax
	cmpl $0x40000000, %eax
	EXPECT_EQ 11

	leaq msg(%rip), %rsi
	call puts
	GUEST_EXIT 0

	PUTS_FUNC

	.section .rodata
msg:	.asciz "long mode ok\n"
	.data
gdtr:	.skip 10
