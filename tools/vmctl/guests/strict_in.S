/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A read of unclaimed port 0x60 as the first access: with --strict-io
 * vmctl stops with status 84; without it the read gives 0xff and the
 * guest exits 0 (2 if the value was wrong).  Run: --mode long [--strict-io]
 */
#include "guest.h"

	.code64
	.section .text.entry, "ax"
	.globl start
start:
	inb $0x60, %al
	cmpb $0xff, %al
	EXPECT_EQ 2
	GUEST_EXIT 0
