// SPDX-License-Identifier: GPL-2.0
/*
 * Signal handlers (see signals.h).  Handlers only store to sig_atomic_t
 * flags and to immediate_exit; everything else happens in the run loop.
 */
#include <string.h>

#include "signals.h"

volatile sig_atomic_t stop_signal;
struct svmhv_run *volatile signal_run;

static void on_stop_signal(int signo)
{
	struct svmhv_run *run = signal_run;

	stop_signal = signo;
	if (run)
		__atomic_store_n(&run->immediate_exit, 1, __ATOMIC_SEQ_CST);
}

/*
 * The device timer: SVMHV_RUN returns -EINTR because a signal is pending;
 * immediate_exit also catches the expiry that lands between the loop's
 * device update and the ioctl.  A handler, not SIG_IGN: an ignored signal
 * is never pending, so it would not interrupt the guest.
 */
static void on_timer_signal(int signo)
{
	struct svmhv_run *run = signal_run;

	(void)signo;
	if (run)
		__atomic_store_n(&run->immediate_exit, 1, __ATOMIC_SEQ_CST);
}

/* The kicker has set immediate_exit already; the signal only has to be
 * pending (or interrupt the ioctl). */
static void on_kick(int signo)
{
	(void)signo;
}

void install_signal_handlers(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	struct sigaction sa;
	unsigned int i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop_signal;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: SVMHV_RUN must come back with EINTR.  Installed even
	 * when the shell started us with SIGINT ignored (a background job),
	 * so "kill -INT" stops the guest cleanly either way. */
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
	sa.sa_handler = on_timer_signal;
	sigaction(SIGALRM, &sa, NULL);
	sa.sa_handler = on_kick;
	sigaction(SIG_VCPU_KICK, &sa, NULL);
}

void block_main_signals(sigset_t *old)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGALRM);
	pthread_sigmask(SIG_BLOCK, &set, old);
}
