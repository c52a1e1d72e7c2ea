/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Print "looping" and spin forever with interrupts off, for the
 * SIGINT/SIGTERM/SIGKILL tests.  Run: --mode long
 */
#include "guest.h"

	.code64
	.section .text.entry, "ax"
	.globl start
start:
	leaq msg(%rip), %rsi
	call puts
spin:
	pause
	jmp spin

	PUTS_FUNC

	.section .rodata
msg:	.asciz "looping\n"
