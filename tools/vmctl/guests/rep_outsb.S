/* SPDX-License-Identifier: GPL-2.0 */
/*
 * String output: one REP OUTSB of 2500 bytes (50 lines of 50) to COM1,
 * more than one svmhv I/O exit can carry, then exit 0.  Run: --mode long
 */
#include "guest.h"

	.code64
	.section .text.entry, "ax"
	.globl start
start:
	leaq text(%rip), %rsi
	movl $(text_end - text), %ecx
	movw $COM1, %dx
	cld
	rep outsb
	GUEST_EXIT 0

	.section .rodata
text:
	.rept 50
	.ascii "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLM\n"
	.endr
text_end:
