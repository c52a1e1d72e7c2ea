/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Real-mode starting state (docs/vmctl.md): SP=0, CR0.PE=0, IF=0,
 * CS=DS=0.  Exits with the number of the first check that fails, else
 * prints "real mode ok" and exits 0.  Run: --mode real
 */
#include "guest.h"

	.code16
	.section .text.entry, "ax"
	.globl start
start:
	cmpw $0, %sp
	EXPECT_EQ 1
	smsw %ax
	testw $1, %ax
	EXPECT_EQ 2
	pushfw
	popw %ax
	testw $0x200, %ax
	EXPECT_EQ 3
	movw %cs, %ax
	cmpw $0, %ax
	EXPECT_EQ 4
	movw %ds, %ax
	cmpw $0, %ax
	EXPECT_EQ 5
	movw $msg, %si
	call puts
	GUEST_EXIT 0

	PUTS_FUNC

	.section .rodata
msg:	.asciz "real mode ok\n"
