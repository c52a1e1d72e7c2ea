/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What vmctl says: one "vmctl: ..." line on stderr per call, written with
 * one write(2) so that lines from different vCPU threads never mix, and
 * stop_with(), which records why and with which status the guest stops.
 */
#ifndef VMCTL_MSG_H
#define VMCTL_MSG_H

#include "io_bus.h"

/* No format attribute: the uapi's __u64 is unsigned long long, which
 * PRIx64 matches in value but not in type. */
void msg(const char *fmt, ...);
void stop_with(struct vm_stop *stop, int status, const char *fmt, ...);

#endif /* VMCTL_MSG_H */
