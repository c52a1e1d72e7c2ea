/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What every svmhv selftest binary includes: kselftest_harness.h (TEST,
 * FIXTURE, TEST_F, ASSERT_*, TAP output with a "# Totals:" line) and the
 * svmhv test library.  End the file with SVMHV_TEST_HARNESS_MAIN instead of
 * TEST_HARNESS_MAIN: when /dev/svmhv cannot be opened it reports every test
 * as skipped (exit status KSFT_SKIP) instead of failing them all.
 */
#ifndef SELFTEST_SVMHV_TEST_H
#define SELFTEST_SVMHV_TEST_H

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "svmhv_util.h"

static inline void svmhv_skip_all_without_device(void)
{
	struct __fixture_variant_metadata no_variant = { .name = "", };
	struct __fixture_variant_metadata *v;
	struct __fixture_metadata *f;
	struct __test_metadata *t;
	unsigned int count = 0;
	int fd, err;

	fd = open(SVMHV_DEV, O_RDWR | O_CLOEXEC);
	if (fd >= 0) {
		close(fd);
		return;
	}
	err = errno;
	for (f = __fixture_list; f; f = f->next)
		for (v = f->variant ?: &no_variant; v; v = v->next)
			for (t = f->tests; t; t = t->next)
				count++;
	ksft_print_header();
	ksft_set_plan(count);
	for (f = __fixture_list; f; f = f->next)
		for (v = f->variant ?: &no_variant; v; v = v->next)
			for (t = f->tests; t; t = t->next)
				ksft_test_result_skip("%s%s%s.%s: cannot open %s: %s\n",
						      f->name, v->name[0] ? "." : "",
						      v->name, t->name, SVMHV_DEV,
						      strerror(err));
	ksft_print_cnts();
	exit(KSFT_SKIP);
}

#define SVMHV_TEST_HARNESS_MAIN						\
	static void __attribute__((constructor))			\
	__constructor_order_last(void)					\
	{								\
		if (!__constructor_order)				\
			__constructor_order = _CONSTRUCTOR_ORDER_BACKWARD; \
	}								\
	int main(int argc, char **argv)					\
	{								\
		svmhv_skip_all_without_device();			\
		return test_harness_run(argc, argv);			\
	}

#endif /* SELFTEST_SVMHV_TEST_H */
