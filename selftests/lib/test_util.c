// SPDX-License-Identifier: GPL-2.0
/*
 * Host-side failure reporting for the svmhv selftests: TEST_ASSERT() ends
 * up here, prints the failure as TAP diagnostic lines ("# ...") on stderr
 * and abort()s the test process.
 */
#include <cpuid.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
