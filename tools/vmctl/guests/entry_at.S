/* SPDX-License-Identifier: GPL-2.0 */
/*
 * --load/--entry: linked at 0x200000 and starting with 16 bytes of UD2,
 * so entering at the load address triple-faults; the real entry is at
 * 0x200010.  Prints "entry ok" (from an absolute address, so a wrong
 * load address prints garbage) and exits 0.
 * Run: --mode long --load 0x200000 --entry 0x200010
 */
#include "guest.h"

	.code64
	.section .text.entry, "ax"
	.globl start
start:
	.rept 8
	ud2
	.endr
real_entry:
	movl $msg, %esi
	call puts
	GUEST_EXIT 0

	PUTS_FUNC

	.section .rodata
msg:	.asciz "entry ok\n"
