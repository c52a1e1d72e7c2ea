/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Port behaviour: a write to unclaimed port 0x80 is ignored; byte, word
 * and dword reads and a REP INSB from unclaimed ports give all-ones; the
 * COM1 scratch register keeps a value; LSR says the transmitter is empty;
 * the exit port reads as 0xff.  Exits with the number of the first failing
 * check, else prints "ports ok" and exits 0.  With --strict-io the first
 * access (the write to 0x80) must stop vmctl with status 84 instead.
 * Run: --mode long [--strict-io]
 */
#include "guest.h"

	.code64
	.section .text.entry, "ax"
	.globl start
start:
	movb $0x42, %al
	outb %al, $0x80
	inb $0x60, %al
	cmpb $0xff, %al
	EXPECT_EQ 1
	movw $0x60, %dx
	inw %dx, %ax
	cmpw $0xffff, %ax
	EXPECT_EQ 2
	inl %dx, %eax
	cmpl $0xffffffff, %eax
	EXPECT_EQ 3
	leaq buf(%rip), %rdi
	movl $8, %ecx
	movw $0x61, %dx
	cld
	rep insb
	cmpq $-1, buf(%rip)
	EXPECT_EQ 4
	movw $0x3ff, %dx
	movb $0x5a, %al
	outb %al, %dx
	movb $0, %al
	inb %dx, %al
	cmpb $0x5a, %al
	EXPECT_EQ 5
	movw $0x3fd, %dx
	inb %dx, %al
	andb $0x60, %al
	cmpb $0x60, %al
	EXPECT_EQ 6
	inb $0xf4, %al
	cmpb $0xff, %al
	EXPECT_EQ 7
	leaq msg(%rip), %rsi
	call puts
	GUEST_EXIT 0

	PUTS_FUNC

	.section .rodata
msg:	.asciz "ports ok\n"
	.data
buf:	.quad 0
