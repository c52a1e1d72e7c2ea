// SPDX-License-Identifier: GPL-2.0
/*
 * Guest-side runtime of the svmhv selftests: exception dispatch for the
 * stubs of lib/handlers.S and the report of a guest function that
 * returned.  Everything here runs inside the guest: no libc, no TLS, no
 * system calls (see the Makefile's guest-code flags).
 */
#include "svmhv_util.h"

/* Written by the host through vm_install_exception_handler(). */
guest_exception_handler_t guest_exception_handlers[NR_VECTORS];

void route_exception(struct ex_regs *regs);
void guest_fn_returned(void);

void route_exception(struct ex_regs *regs)
{
	guest_exception_handler_t h = guest_exception_handlers[regs->vector & 0xff];

	if (h) {
		h(regs);
		return;
	}
	/* No handler: tell the host, which fails the test; never resume. */
	for (;;)
		ucall(UCALL_UNHANDLED, 3, regs->vector, regs->error_code,
		      regs->rip);
}

void guest_fn_returned(void)
{
	for (;;)
		ucall_fmt(UCALL_ABORT,
			  "guest function returned without GUEST_DONE()");
}
