/* SPDX-License-Identifier: GPL-2.0 */
/*
 * HLT with interrupts disabled: vmctl must stop with status 80.
 * Status 1 would mean HLT returned.  Run: --mode long
 */
#include "guest.h"

	.code64
	.section .text.entry, "ax"
	.globl start
start:
	cli
	hlt
	GUEST_EXIT 1
