/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Triple fault: with an empty IDT, #UD cannot be delivered, nor can the
 * resulting #GP and #DF, so the CPU shuts down: status 82.  Run: --mode long
 */
#include "guest.h"

	.code64
	.section .text.entry, "ax"
	.globl start
start:
	lidt idtr(%rip)
	ud2
	GUEST_EXIT 1

	.data
idtr:	.word 0
	.quad 0
