/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Macros shared by the test guests (included by every guests/*.S, which
 * go through cpp).  The same source assembles under .code16, .code32 and
 * .code64: lodsb/ret/movw take their width from the assembler mode, which
 * is why puts is a macro and not an object file.
 */
#ifndef VMCTL_GUEST_H
#define VMCTL_GUEST_H

#define COM1		0x3f8
#define COM1_LSR	0x3fd
#define EXIT_PORT	0xf4

/* End vmctl with exit status \code; hlt is only reached if it did not. */
.macro GUEST_EXIT code
	movb $\code, %al
	outb %al, $EXIT_PORT
	cli
.Lhalt\@:
	hlt
	jmp .Lhalt\@
.endm

/* After a compare: exit with status \code unless it said "equal". */
.macro EXPECT_EQ code
	je .Lok\@
	GUEST_EXIT \code
.Lok\@:
.endm

/*
 * puts: write the NUL-terminated string at (e/r)si to COM1, waiting for
 * LSR.THRE before each byte as a driver for real hardware must.
 * Clobbers ax, dx, si.
 */
.macro PUTS_FUNC
puts:
.Lnext\@:
	lodsb
	testb %al, %al
	jz .Ldone\@
	movb %al, %ah
	movw $COM1_LSR, %dx
.Lwait\@:
	inb %dx, %al
	testb $0x20, %al
	jz .Lwait\@
	movb %ah, %al
	movw $COM1, %dx
	outb %al, %dx
	jmp .Lnext\@
.Ldone\@:
	ret
.endm

#endif /* VMCTL_GUEST_H */
