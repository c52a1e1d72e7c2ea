/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Host-side assertion and small utility macros for the svmhv selftests,
 * after tools/testing/selftests/kvm/include/test_util.h.
 *
 * TEST_ASSERT() is for library code and for checks outside the harness's
 * ASSERT_*() reach: it prints file, line, the failed expression, errno and
 * a message as TAP diagnostics, then abort()s, which kselftest_harness.h
 * reports as "Test terminated by assertion" (a failure).
 */
#ifndef SELFTEST_SVMHV_TEST_UTIL_H
#define SELFTEST_SVMHV_TEST_UTIL_H

#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))
#endif
#define ALIGN_UP(x, a)		(((x) + (a) - 1) & ~((uint64_t)(a) - 1))
#define IS_ALIGNED(x, a)	(((x) & ((uint64_t)(a) - 1)) == 0)

#define READ_ONCE(x)		(*(const volatile typeof(x) *)&(x))
#define WRITE_ONCE(x, v)	(*(volatile typeof(x) *)&(x) = (v))

#define KiB			(1024ULL)
#define MiB			(1024ULL * KiB)
#define GiB			(1024ULL * MiB)

void __attribute__((noreturn, format(printf, 4, 5)))
test_assert_fail(const char *file, int line, const char *expr,
		 const char *fmt, ...);

#define TEST_ASSERT(cond, fmt, ...) do {				\
	if (!(cond))							\
		test_assert_fail(__FILE__, __LINE__, #cond,		\
				 fmt, ##__VA_ARGS__);			\
} while (0)

#define TEST_FAIL(fmt, ...)						\
	test_assert_fail(__FILE__, __LINE__, "failure", fmt, ##__VA_ARGS__)

/*
 * True when this host is itself a guest of QEMU's TCG emulator (the
 * emulated EPYC of `make check`), told apart by its hypervisor signature:
 * tests use it to name emulator behaviour real CPUs do not have.
 */
bool host_is_qemu_tcg(void);

/* The number in a sysfs or procfs file, -1 if it cannot be read. */
long read_long(const char *path);
/* Write @s to a sysfs or procfs file: 0, or -1 if that failed. */
int write_str(const char *path, const char *s);
/* @size bytes of private anonymous memory aligned to 2 MiB (a huge
 * page's size), or the test fails. */
void *anon_aligned(size_t size);

#endif /* SELFTEST_SVMHV_TEST_UTIL_H */
