/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The demo guest (make run): in long mode, print a greeting on COM1,
 * polling LSR, and exit with status 0.  Run: vmctl start --mode long hello.bin
 */
#include "guest.h"

	.code64
	.section .text.entry, "ax"
	.globl start
start:
	leaq msg(%rip), %rsi
	call puts
	GUEST_EXIT 0

	PUTS_FUNC

	.section .rodata
msg:	.asciz "Hello from a guest under svmhv!\n"
