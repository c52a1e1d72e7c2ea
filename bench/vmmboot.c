// SPDX-License-Identifier: GPL-2.0
/*
 * vmmboot: how long a VMM takes to boot a guest to its /init, timed from
 * outside the VMM, so that vmctl and QEMU are timed the same way (make
 * bench, scripts/guest-init.sh).
 *
 *   vmmboot [-o FILE] [-t SECONDS] [-w SECONDS] MARKER CMD [ARG...]
 *
 * Runs CMD with its stdout on a pipe and copies what comes through to
 * FILE (default: nowhere); stdin and stderr are left as they are.  The
 * clock (CLOCK_MONOTONIC) starts just before CMD's process is created;
 * marker_ns is when MARKER first came through the pipe -- the guest's
 * /init writing it on its serial console, which both VMMs pass to their
 * stdout at once --, exit_ns when CMD ended.  -t: SIGKILL for CMD after
 * SECONDS of that clock (default 300).  -w: the same after SECONDS of
 * the real-time clock, /dev/rtc0, checked at each of its update
 * interrupts (RTC_UIE_ON: once a second of that clock) and when output
 * comes: under QEMU with -icount the RTC still follows the build
 * machine's wall clock, while CLOCK_MONOTONIC counts instructions and
 * nearly stops when a guest spins on PAUSE (each one leaves QEMU's
 * translated code; a poll timeout of 1 s, then 200 ms, of that clock made
 * a 120 s limit a 181 s one, a 180 s limit a 211 s one).  At the
 * end one line on stdout:
 *   marker_ns=N exit_ns=N status=S killed=K wall_s=W
 * marker_ns=-1 if the marker never came; S is CMD's exit status, or
 * 128 + the signal that ended it, as the shell reports it; K is "time"
 * or "wall" if -t or -w killed CMD, else "no"; W the whole seconds the RTC
 * counted from start to end (-1 without an RTC): what the run cost the
 * build machine, not a figure.  Exit status 0 if the
 * marker came, 1 if not, 2 on usage or host errors.
 *
 * This process waits on the pipe at SCHED_FIFO (when allowed): on a one-
 * CPU host it then runs the moment the VMM's write wakes it, not at the
 * scheduler's next occasion, which may be a tick later.  The VMM itself
 * runs at its normal policy.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/rtc.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static pid_t child;
static volatile sig_atomic_t killed;	/* 1: by -t, 2: by -w */

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void on_alarm(int sig)
{
	(void)sig;
	if (child > 0 && !kill(child, SIGKILL))
		killed = 1;
}

/* Seconds of the RTC's wall clock (any epoch will do), -1 if unreadable. */
static int64_t rtc_seconds(int fd)
{
	struct rtc_time rt;
	struct tm tm;

	if (fd < 0 || ioctl(fd, RTC_RD_TIME, &rt))
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_sec = rt.tm_sec;
	tm.tm_min = rt.tm_min;
	tm.tm_hour = rt.tm_hour;
	tm.tm_mday = rt.tm_mday;
	tm.tm_mon = rt.tm_mon;
	tm.tm_year = rt.tm_year;
	return (int64_t)timegm(&tm);
}

/*
 * Copy the VMM's stdout from fd to out (if >= 0) until EOF, noting in
 * *marker_ns when the marker first came; kill the VMM once the RTC says
 * more than wall seconds have passed since wall0 (unless wall0 < 0).
 * With uie, the RTC's update interrupt (once a second of the RTC's clock)
 * makes the rtc fd readable: the check then runs every wall-clock second
 * even while CLOCK_MONOTONIC, and so poll's timeout, nearly stands still.
 * The marker may be split over two reads: the last mlen - 1 bytes of the
 * previous read are kept in front of the new ones.  Returns 1 if the
 * marker came.
 */
static int copy_output(int fd, int out, const char *marker, size_t mlen,
		       int64_t t0, int64_t *marker_ns, int rtc, int uie,
		       int64_t wall0, unsigned int wall)
{
	struct pollfd pfd[2] = {
		{ .fd = fd, .events = POLLIN },
		{ .fd = uie ? rtc : -1, .events = POLLIN },
	};
	char buf[4096], win[2 * sizeof(buf)];
	size_t kept = 0, len;
	unsigned long irqs;
	int matched = 0;
	ssize_t n;

	for (;;) {
		if (wall0 >= 0 && rtc_seconds(rtc) - wall0 > wall &&
		    !kill(child, SIGKILL)) {
			killed = 2;
			wall0 = -1;
		}
		if (poll(pfd, 2, 1000) <= 0)
			continue;
		if (pfd[1].revents & POLLIN &&
		    read(rtc, &irqs, sizeof(irqs)) < 0 && errno != EINTR)
			pfd[1].fd = -1;
		if (!pfd[0].revents)
			continue;
		n = read(fd, buf, sizeof(buf));
		if (!n)
			break;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			perror("vmmboot: read");
			break;
		}
		if (!matched) {
			memcpy(win + kept, buf, n);
			len = kept + n;
			if (memmem(win, len, marker, mlen)) {
				*marker_ns = now_ns() - t0;
				matched = 1;
			} else {
				kept = len < mlen - 1 ? len : mlen - 1;
				memmove(win, win + len - kept, kept);
			}
		}
		if (out >= 0 && write(out, buf, n) != n) {
			perror("vmmboot: write");
			out = -1;
		}
	}
	return matched;
}

static void usage(void)
{
	fprintf(stderr, "usage: vmmboot [-o FILE] [-t SECONDS] [-w SECONDS] MARKER CMD [ARG...]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct sched_param sp = { .sched_priority = 1 };
	const char *out_path = NULL, *marker;
	int64_t t0, marker_ns = -1, exit_ns, wall0 = -1, rtc0, rtc1;
	int opt, fds[2], out = -1, status, matched = 0, rtc = -1, uie = 0;
	unsigned int timeout = 300, wall = 0;
	size_t mlen;

	while ((opt = getopt(argc, argv, "+o:t:w:")) != -1) {
		switch (opt) {
		case 'o':
			out_path = optarg;
			break;
		case 't':
			timeout = (unsigned int)strtoul(optarg, NULL, 10);
			break;
		case 'w':
			wall = (unsigned int)strtoul(optarg, NULL, 10);
			break;
		default:
			usage();
		}
	}
	if (argc - optind < 2)
		usage();
	marker = argv[optind];
	mlen = strlen(marker);
	if (!mlen || mlen >= 4096)
		usage();
	if (out_path) {
		out = open(out_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (out < 0) {
			fprintf(stderr, "vmmboot: %s: %s\n", out_path, strerror(errno));
			return 2;
		}
	}
	rtc = open("/dev/rtc0", O_RDONLY | O_CLOEXEC);
	rtc0 = rtc_seconds(rtc);
	if (wall) {
		wall0 = rtc0;
		if (wall0 < 0)
			fprintf(stderr, "vmmboot: /dev/rtc0 unreadable: no -w limit\n");
		else
			uie = !ioctl(rtc, RTC_UIE_ON, 0);
	}
	if (pipe2(fds, O_CLOEXEC)) {
		perror("vmmboot: pipe");
		return 2;
	}

	t0 = now_ns();
	child = fork();
	if (child < 0) {
		perror("vmmboot: fork");
		return 2;
	}
	if (!child) {
		if (dup2(fds[1], STDOUT_FILENO) < 0)
			_exit(127);
		execvp(argv[optind + 1], argv + optind + 1);
		fprintf(stderr, "vmmboot: %s: %s\n", argv[optind + 1], strerror(errno));
		_exit(127);
	}
	close(fds[1]);
	/* Best effort: without it the times are a scheduler tick coarser. */
	sched_setscheduler(0, SCHED_FIFO, &sp);
	signal(SIGALRM, on_alarm);
	alarm(timeout);

	matched = copy_output(fds[0], out, marker, mlen, t0, &marker_ns,
			      rtc, uie, wall0, wall);
	if (uie)
		ioctl(rtc, RTC_UIE_OFF, 0);
	while (waitpid(child, &status, 0) < 0) {
		if (errno != EINTR) {
			perror("vmmboot: waitpid");
			return 2;
		}
	}
	exit_ns = now_ns() - t0;
	rtc1 = rtc_seconds(rtc);
	alarm(0);
	printf("marker_ns=%lld exit_ns=%lld status=%d killed=%s wall_s=%lld\n",
	       (long long)marker_ns, (long long)exit_ns,
	       WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status),
	       killed == 1 ? "time" : killed == 2 ? "wall" : "no",
	       rtc0 < 0 || rtc1 < 0 ? -1LL : (long long)(rtc1 - rtc0));
	return matched ? 0 : 1;
}
