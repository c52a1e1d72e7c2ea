/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Print a line, then exit with status 42 through port 0xf4.  Run: --mode long
 */
#include "guest.h"

	.code64
	.section .text.entry, "ax"
	.globl start
start:
	leaq msg(%rip), %rsi
	call puts
	GUEST_EXIT 42

	PUTS_FUNC

	.section .rodata
msg:	.asciz "exiting with 42\n"
