// SPDX-License-Identifier: GPL-2.0
/*
 * Host-side failure reporting for the svmhv selftests: TEST_ASSERT() ends
 * up here, prints the failure as TAP diagnostic lines ("# ...") on stderr
 * and abort()s the test process.
 */
#include <cpuid.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "test_util.h"

void test_assert_fail(const char *file, int line, const char *expr,
		      const char *fmt, ...)
{
	int saved_errno = errno;
	char msg[1024];
	va_list ap;
	char *p, *nl;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);

	fflush(stdout);
	fprintf(stderr, "# ==== Test Assertion Failure ====\n");
	fprintf(stderr, "#   %s:%d: %s\n", file, line, expr);
	fprintf(stderr, "#   errno=%d (%s)\n", saved_errno,
		strerror(saved_errno));
	for (p = msg; p && *p; p = nl) {
		nl = strchr(p, '\n');
		if (nl)
			*nl++ = '\0';
		fprintf(stderr, "#   %s\n", p);
	}
	fflush(stderr);
	abort();
}

bool host_is_qemu_tcg(void)
{
	unsigned int a, b, c, d;
	char sig[13];

	__cpuid(1, a, b, c, d);
	if (!(c & (1u << 31)))		/* no hypervisor at all */
		return false;
	__cpuid(0x40000000, a, b, c, d);
	memcpy(sig, &b, 4);
	memcpy(sig + 4, &c, 4);
	memcpy(sig + 8, &d, 4);
	sig[12] = '\0';
	return !strcmp(sig, "TCGTCGTCGTCG");
}

long read_long(const char *path)
{
	char buf[32] = "";
	long v = -1;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return -1;
	if (read(fd, buf, sizeof(buf) - 1) > 0)
		v = strtol(buf, NULL, 10);
	close(fd);
	return v;
}

int write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY);
	int ok;

	if (fd < 0)
		return -1;
	ok = write(fd, s, strlen(s)) == (ssize_t)strlen(s);
	close(fd);
	return ok ? 0 : -1;
}

void *anon_aligned(size_t size)
{
	const size_t huge = 2 * 1024 * 1024;
	uint8_t *p = mmap(NULL, size + huge, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint8_t *a;

	TEST_ASSERT(p != MAP_FAILED, "mmap: %s", strerror(errno));
	a = (uint8_t *)(((uintptr_t)p + huge - 1) & ~(huge - 1));
	if (a > p)
		munmap(p, a - p);
	munmap(a + size, p + huge - a);
	return a;
}
