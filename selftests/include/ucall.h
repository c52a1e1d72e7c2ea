/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ucall: how guest code talks to the host test, after
 * tools/testing/selftests/kvm/include/ucall_common.h.
 *
 * The guest fills a struct ucall on its own stack and executes a 4-byte
 * `out` of the structure's address (guest physical == guest virtual, below
 * 4 GiB) to UCALL_PORT.  The host sees an SVMHV_EXIT_IO exit for that port,
 * reads the address from run->io.data and copies the structure out of guest
 * memory through its own mapping.  An OUT is complete when RUN returns, so
 * the next RUN continues after the ucall.
 *
 * GUEST_* macros are for guest code only; get_ucall() and friends are for
 * the host only.
 */
#ifndef SELFTEST_SVMHV_UCALL_H
#define SELFTEST_SVMHV_UCALL_H

#include <stdint.h>
#include <stdarg.h>

#define UCALL_PORT		0x1000
#define UCALL_MAX_ARGS		6
#define UCALL_BUFFER_LEN	512

enum ucall_cmd {
	UCALL_NONE = 0,		/* the exit was not a ucall */
	UCALL_SYNC,		/* args[0] = stage, args[1..] = values */
	UCALL_ABORT,		/* a GUEST_ASSERT failed: buffer says where */
	UCALL_PRINTF,		/* buffer holds GUEST_PRINTF's text */
	UCALL_DONE,		/* the guest finished */
	UCALL_UNHANDLED,	/* exception without handler: vector, error, rip */
};

struct ucall {
	uint64_t cmd;
	uint64_t args[UCALL_MAX_ARGS];
	char buffer[UCALL_BUFFER_LEN];
};

/* ---- guest side (lib/ucall.c, lib/guest_print.c) ------------------------ */

void ucall(uint64_t cmd, int nargs, ...);
void ucall_fmt(uint64_t cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void __attribute__((noreturn))
ucall_assert(const char *file, int line, const char *expr, int has_values,
	     uint64_t a, uint64_t b, const char *fmt, ...)
	__attribute__((format(printf, 7, 8)));

int guest_vsnprintf(char *buf, int n, const char *fmt, va_list ap);
int guest_snprintf(char *buf, int n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define GUEST_SYNC(stage)		ucall(UCALL_SYNC, 1, (uint64_t)(stage))
#define GUEST_SYNC_ARGS(stage, a, b, c, d)				\
	ucall(UCALL_SYNC, 5, (uint64_t)(stage), (uint64_t)(a),		\
	      (uint64_t)(b), (uint64_t)(c), (uint64_t)(d))
#define GUEST_DONE()			ucall(UCALL_DONE, 0)
#define GUEST_PRINTF(fmt, ...)		ucall_fmt(UCALL_PRINTF, fmt, ##__VA_ARGS__)

#define GUEST_ASSERT(cond) do {						\
	if (!(cond))							\
		ucall_assert(__FILE__, __LINE__, #cond, 0, 0, 0, " ");	\
} while (0)

#define GUEST_ASSERT_MSG(cond, fmt, ...) do {				\
	if (!(cond))							\
		ucall_assert(__FILE__, __LINE__, #cond, 0, 0, 0,	\
			     fmt, ##__VA_ARGS__);			\
} while (0)

#define GUEST_ASSERT_EQ(a, b) do {					\
	uint64_t __a = (uint64_t)(a), __b = (uint64_t)(b);		\
	if (__a != __b)							\
		ucall_assert(__FILE__, __LINE__, #a " == " #b, 1,	\
			     __a, __b, " ");				\
} while (0)

#define GUEST_ASSERT_NE(a, b) do {					\
	uint64_t __a = (uint64_t)(a), __b = (uint64_t)(b);		\
	if (__a == __b)							\
		ucall_assert(__FILE__, __LINE__, #a " != " #b, 1,	\
			     __a, __b, " ");				\
} while (0)

#define GUEST_FAIL(fmt, ...)						\
	ucall_assert(__FILE__, __LINE__, "GUEST_FAIL", 0, 0, 0,		\
		     fmt, ##__VA_ARGS__)

/* ---- host side (lib/ucall.c) -------------------------------------------- */

struct svmhv_vcpu;

/*
 * If the last exit of @vcpu was a ucall, copy it to @uc (may be NULL) and
 * return its command, else return UCALL_NONE.  An exception the guest had
 * no handler for (UCALL_UNHANDLED) fails the test here.
 */
uint64_t get_ucall(struct svmhv_vcpu *vcpu, struct ucall *uc);

/*
 * Run @vcpu until a ucall other than UCALL_PRINTF (printed as a TAP
 * diagnostic), and return its command.  Fails the test on UCALL_ABORT
 * (with the guest's file, line, expression and values) and on any exit
 * that is not a ucall.
 */
uint64_t vcpu_run_ucall(struct svmhv_vcpu *vcpu, struct ucall *uc);

/* Run @vcpu and require the next ucall to be GUEST_SYNC(@stage). */
void vcpu_run_expect_sync(struct svmhv_vcpu *vcpu, uint64_t stage,
			  struct ucall *uc);
/* Run @vcpu and require GUEST_DONE(). */
void vcpu_run_expect_done(struct svmhv_vcpu *vcpu);

void __attribute__((noreturn))
report_guest_assert(const struct ucall *uc);

#endif /* SELFTEST_SVMHV_UCALL_H */
