/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Read 4 bytes at 0xfffff000, in the last 2 MiB page below 4 GiB and
 * outside guest RAM: vmctl's identity map reaches it, so the access is an
 * MMIO exit and vmctl stops with status 83 naming the address (a page
 * fault would triple-fault, 82).  Run: --mode long --mem 16M
 */
#include "guest.h"

	.code64
	.section .text.entry, "ax"
	.globl start
start:
	movl $0xfffff000, %ebx
	movl (%rbx), %eax
	GUEST_EXIT 1
