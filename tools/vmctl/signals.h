/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmctl's signals.  SIGINT, SIGTERM and SIGHUP stop the guest: the
 * handler records the signal and sets vCPU 0's run->immediate_exit, so
 * that SVMHV_RUN returns -EINTR even if the signal lands just before the
 * ioctl.  SIGALRM is the device timer's: it pulls vCPU 0 out of RUN so
 * the board can be brought up to date.  These four are delivered to the
 * main thread (vCPU 0) only: every other vCPU thread blocks them.
 * SIGUSR1 is the kick (as kvmtool's SIGKVMEXIT): a no-op handler, sent
 * with pthread_kill() to a vCPU thread after setting its immediate_exit,
 * so that a thread inside SVMHV_RUN, or about to enter it, comes back.
 */
#ifndef VMCTL_SIGNALS_H
#define VMCTL_SIGNALS_H

#include <signal.h>

#include "../../uapi/svmhv.h"

#define SIG_VCPU_KICK	SIGUSR1

/* The stop signal received, 0 if none. */
extern volatile sig_atomic_t stop_signal;
/* vCPU 0's run structure, for the handlers; NULL when no VM runs. */
extern struct svmhv_run *volatile signal_run;

void install_signal_handlers(void);
/* Block the signals only vCPU 0 takes, saving the old mask in @old (to
 * create the other vCPU threads with them blocked). */
void block_main_signals(sigset_t *old);

#endif /* VMCTL_SIGNALS_H */
