/* SPDX-License-Identifier: GPL-2.0 */
/*
 * HLT with interrupts enabled and no interrupt source: vmctl must stop
 * with status 81.  Status 1 would mean HLT returned.  Run: --mode long
 */
#include "guest.h"

	.code64
	.section .text.entry, "ax"
	.globl start
start:
	sti
	hlt
	GUEST_EXIT 1
