/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The exit statuses of vmctl: the one table that --help, vmctl(1) and
 * docs/vmctl.md repeat.  Scripts tell "the guest chose this status" from
 * "vmctl stopped the guest" by these numbers, so they never change once
 * released.
 *
 *   0..255  a byte N the guest wrote to the exit port (0xf4) -> status N.
 *           Guests should keep to 0..63 so their codes cannot be mistaken
 *           for the vmctl outcomes below.
 *   1       host-side error: /dev/svmhv missing or not accessible, image
 *           missing/unreadable/too large, an ioctl failed
 *   2       usage error: bad option, bad size or address, missing IMAGE
 *   80      the guest executed HLT with RFLAGS.IF=0
 *   81      the guest executed HLT with RFLAGS.IF=1 (no device can wake it)
 *   82      triple fault (SVMHV_EXIT_SHUTDOWN)
 *   83      the guest accessed guest-physical memory outside RAM
 *   84      --strict-io: the guest accessed a port no device claims
 *   85      VMRUN refused the guest state (SVMHV_EXIT_FAIL_ENTRY)
 *   86      the module could not emulate/run the guest (INTERNAL_ERROR)
 *   87      an SVM exit the module does not handle (SVMHV_EXIT_UNHANDLED)
 *   88      the module reported an exit reason vmctl does not know
 *   128+N   vmctl was stopped by signal N (SIGINT 130, SIGTERM 143; the
 *           VM is destroyed before vmctl re-raises the signal)
 *
 * 80..88 sit above the sysexits.h range (64..78) and below the shell's
 * 126/127 and 128+N, so none of the common conventions collide.
 */
#ifndef VMCTL_EXIT_STATUS_H
#define VMCTL_EXIT_STATUS_H

enum vmctl_exit_status {
	VMCTL_EXIT_HOST_ERROR	= 1,
	VMCTL_EXIT_USAGE	= 2,
	VMCTL_EXIT_HLT_IF0	= 80,
	VMCTL_EXIT_HLT_IF1	= 81,
	VMCTL_EXIT_TRIPLE_FAULT	= 82,
	VMCTL_EXIT_OUTSIDE_RAM	= 83,
	VMCTL_EXIT_STRICT_IO	= 84,
	VMCTL_EXIT_FAIL_ENTRY	= 85,
	VMCTL_EXIT_INTERNAL	= 86,
	VMCTL_EXIT_UNHANDLED	= 87,
	VMCTL_EXIT_UNKNOWN_EXIT	= 88,
};

#endif /* VMCTL_EXIT_STATUS_H */
