// SPDX-License-Identifier: GPL-2.0
/*
 * Executes the marker instruction that makes bench/exitprof/insn_count.so
 * write out its counts (a NOP to everything else).
 */
int main(void)
{
	__asm__ volatile(".byte 0x66, 0x0f, 0x1f, 0x80, 0x42, 0xfe, 0xc1, 0x5a");
	return 0;
}
