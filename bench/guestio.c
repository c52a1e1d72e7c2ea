// SPDX-License-Identifier: GPL-2.0
/*
 * guestio: the I/O part of `make bench`, run inside a Linux guest of
 * either VMM (vmctl on svmhv, QEMU on kvm_amd) and, for the network sink,
 * in the emulated host (scripts/guest-init.sh, bench mode).
 *
 *   guestio blk-seq-write DEV MIB    MIB MiB of 1 MiB O_DIRECT writes from
 *                                    offset 0, then fdatasync (a FLUSH)
 *   guestio blk-seq-read DEV MIB     MIB MiB of 1 MiB O_DIRECT reads
 *   guestio blk-rand-read DEV OPS    OPS 4 KiB O_DIRECT reads, one at a
 *                                    time, at pseudo-random 4 KiB-aligned
 *                                    offsets (a fixed sequence) of DEV
 *   guestio tcp-send HOST PORT MIB   connect, send MIB MiB, close the
 *                                    sending half, wait for the sink's
 *                                    one-byte answer: everything arrived
 *   guestio tcp-sink PORT            accept one connection, read to EOF,
 *                                    answer one byte, exit
 *
 * Each measurement prints one line on stdout,
 *   GUESTIO workload=W ops=N ns=T
 * N being bytes (seq, tcp) or reads (rand), T the CLOCK_MONOTONIC
 * nanoseconds of the whole transfer -- the guest's clock, its TSC under
 * both VMMs (QEMU runs with kvm=off: no kvmclock).  Exit status 0 on
 * success, 1 on an I/O error (with a message on stderr), 2 on usage.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MIB		(1024 * 1024)
#define SECTOR_BLOCK	4096

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void report(const char *workload, uint64_t ops, int64_t ns)
{
	printf("GUESTIO workload=%s ops=%llu ns=%lld\n", workload,
	       (unsigned long long)ops, (long long)ns);
}

static int fail(const char *what)
{
	fprintf(stderr, "guestio: %s: %s\n", what, strerror(errno));
	return 1;
}

static unsigned long count_arg(const char *s)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	if (!*s || *end || !v || v > 1UL << 20) {
		fprintf(stderr, "guestio: %s: not a count from 1 to 1048576\n", s);
		exit(2);
	}
	return v;
}

/* An O_DIRECT buffer: aligned to the page, filled with a pattern. */
static void *io_buffer(size_t len)
{
	unsigned char *buf;
	size_t i;

	if (posix_memalign((void **)&buf, 4096, len))
		return NULL;
	for (i = 0; i < len; i++)
		buf[i] = (unsigned char)(i * 131 + 7);
	return buf;
}

static int blk_seq(const char *dev, unsigned long mib, int write)
{
	void *buf = io_buffer(MIB);
	int64_t t0, t1;
	unsigned long i;
	int fd;

	if (!buf)
		return fail("buffer");
	fd = open(dev, (write ? O_WRONLY : O_RDONLY) | O_DIRECT);
	if (fd < 0)
		return fail(dev);
	t0 = now_ns();
	for (i = 0; i < mib; i++) {
		ssize_t n = write ? pwrite(fd, buf, MIB, (off_t)i * MIB) :
				    pread(fd, buf, MIB, (off_t)i * MIB);
		if (n != MIB)
			return fail(write ? "pwrite" : "pread");
	}
	if (write && fdatasync(fd))
		return fail("fdatasync");
	t1 = now_ns();
	close(fd);
	free(buf);
	report(write ? "blk_seqwrite" : "blk_seqread", (uint64_t)mib * MIB,
	       t1 - t0);
	return 0;
}

static int blk_rand_read(const char *dev, unsigned long ops)
{
	void *buf = io_buffer(SECTOR_BLOCK);
	uint64_t size, blocks, x = 0x9e3779b97f4a7c15ull;
	struct stat st;
	int64_t t0, t1;
	unsigned long i;
	int fd;

	if (!buf)
		return fail("buffer");
	fd = open(dev, O_RDONLY | O_DIRECT);
	if (fd < 0)
		return fail(dev);
	if (fstat(fd, &st))
		return fail("fstat");
	if (S_ISREG(st.st_mode))	/* an image file, to try it on a host */
		size = (uint64_t)st.st_size;
	else if (ioctl(fd, BLKGETSIZE64, &size))
		return fail("BLKGETSIZE64");
	blocks = size / SECTOR_BLOCK;
	if (!blocks) {
		fprintf(stderr, "guestio: %s: smaller than 4 KiB\n", dev);
		return 1;
	}
	t0 = now_ns();
	for (i = 0; i < ops; i++) {
		/* xorshift64: the same offsets under both VMMs. */
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		if (pread(fd, buf, SECTOR_BLOCK,
			  (off_t)(x % blocks) * SECTOR_BLOCK) != SECTOR_BLOCK)
			return fail("pread");
	}
	t1 = now_ns();
	close(fd);
	free(buf);
	report("blk_randread", ops, t1 - t0);
	return 0;
}

static int tcp_send(const char *host, const char *port, unsigned long mib)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	char *buf = io_buffer(MIB), ack;
	int64_t t0, t1;
	unsigned long i;
	int fd;

	if (!buf)
		return fail("buffer");
	sa.sin_port = htons((uint16_t)atoi(port));
	if (inet_pton(AF_INET, host, &sa.sin_addr) != 1) {
		fprintf(stderr, "guestio: %s: not an IPv4 address\n", host);
		return 2;
	}
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0)
		return fail("socket");
	t0 = now_ns();
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)))
		return fail("connect");
	for (i = 0; i < mib; i++) {
		size_t off = 0;

		while (off < MIB) {
			ssize_t n = send(fd, buf + off, MIB - off, 0);

			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				return fail("send");
			off += (size_t)n;
		}
	}
	if (shutdown(fd, SHUT_WR))
		return fail("shutdown");
	if (recv(fd, &ack, 1, MSG_WAITALL) != 1) {
		fprintf(stderr, "guestio: the sink did not confirm\n");
		return 1;
	}
	t1 = now_ns();
	close(fd);
	free(buf);
	report("net_tcp_tx", (uint64_t)mib * MIB, t1 - t0);
	return 0;
}

static int tcp_sink(const char *port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	static char buf[256 * 1024];
	uint64_t total = 0;
	int one = 1, lfd, fd;
	ssize_t n;

	sa.sin_port = htons((uint16_t)atoi(port));
	sa.sin_addr.s_addr = htonl(INADDR_ANY);
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	if (lfd < 0)
		return fail("socket");
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) || listen(lfd, 1))
		return fail("bind/listen");
	fd = accept(lfd, NULL, NULL);
	if (fd < 0)
		return fail("accept");
	while ((n = recv(fd, buf, sizeof(buf), 0)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return fail("recv");
		total += (uint64_t)n;
	}
	if (send(fd, "k", 1, 0) != 1)
		return fail("send");
	close(fd);
	close(lfd);
	printf("GUESTIO sink bytes=%llu\n", (unsigned long long)total);
	return 0;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: guestio blk-seq-write|blk-seq-read DEV MIB\n"
		"       guestio blk-rand-read DEV OPS\n"
		"       guestio tcp-send HOST PORT MIB\n"
		"       guestio tcp-sink PORT\n");
	exit(2);
}

int main(int argc, char **argv)
{
	int rc;

	if (argc < 3)
		usage();
	if (!strcmp(argv[1], "blk-seq-write") && argc == 4)
		rc = blk_seq(argv[2], count_arg(argv[3]), 1);
	else if (!strcmp(argv[1], "blk-seq-read") && argc == 4)
		rc = blk_seq(argv[2], count_arg(argv[3]), 0);
	else if (!strcmp(argv[1], "blk-rand-read") && argc == 4)
		rc = blk_rand_read(argv[2], count_arg(argv[3]));
	else if (!strcmp(argv[1], "tcp-send") && argc == 5)
		rc = tcp_send(argv[2], argv[3], count_arg(argv[4]));
	else if (!strcmp(argv[1], "tcp-sink") && argc == 3)
		rc = tcp_sink(argv[2]);
	else
		usage();
	fflush(stdout);
	return rc;
}
