// SPDX-License-Identifier: GPL-2.0
/*
 * ucall, guest and host halves (see include/ucall.h).  The guest half
 * (ucall, ucall_fmt, ucall_assert) runs in the guest: no libc.  The host
 * half (get_ucall and the run loops) runs in the test process.
 */
#include <stdio.h>

#include "svmhv_util.h"

/* ---- guest -------------------------------------------------------------- */

static inline void ucall_out(struct ucall *uc)
{
	asm volatile("outl %%eax, %%dx"
		     : : "a"((uint32_t)(uintptr_t)uc), "d"((uint16_t)UCALL_PORT)
		     : "memory");
}

static void ucall_init(struct ucall *uc, uint64_t cmd)
{
	uc->cmd = cmd;
	for (int i = 0; i < UCALL_MAX_ARGS; i++)
		uc->args[i] = 0;
	uc->buffer[0] = '\0';
}

void ucall(uint64_t cmd, int nargs, ...)
{
	struct ucall uc;
	va_list ap;

	ucall_init(&uc, cmd);
	va_start(ap, nargs);
	for (int i = 0; i < nargs && i < UCALL_MAX_ARGS; i++)
		uc.args[i] = va_arg(ap, uint64_t);
	va_end(ap);
	ucall_out(&uc);
}

void ucall_fmt(uint64_t cmd, const char *fmt, ...)
{
	struct ucall uc;
	va_list ap;

	ucall_init(&uc, cmd);
	va_start(ap, fmt);
	guest_vsnprintf(uc.buffer, sizeof(uc.buffer), fmt, ap);
	va_end(ap);
	ucall_out(&uc);
}

void ucall_assert(const char *file, int line, const char *expr, int has_values,
		  uint64_t a, uint64_t b, const char *fmt, ...)
{
	struct ucall uc;
	va_list ap;
	int n;

	ucall_init(&uc, UCALL_ABORT);
	uc.args[0] = line;
	uc.args[1] = a;
	uc.args[2] = b;
	uc.args[3] = has_values;
	n = guest_snprintf(uc.buffer, sizeof(uc.buffer), "%s:%d: %s", file,
			   line, expr);
	if (has_values && n < (int)sizeof(uc.buffer))
		n += guest_snprintf(uc.buffer + n, sizeof(uc.buffer) - n,
				    " (%#lx vs %#lx)", a, b);
	if (n < (int)sizeof(uc.buffer) - 2 && fmt[0] != ' ') {
		n += guest_snprintf(uc.buffer + n, sizeof(uc.buffer) - n, ": ");
		va_start(ap, fmt);
		guest_vsnprintf(uc.buffer + n, sizeof(uc.buffer) - n, fmt, ap);
		va_end(ap);
	}
	/* Never continue past a failed assertion, even if run again. */
	for (;;)
		ucall_out(&uc);
}

/* ---- host --------------------------------------------------------------- */

uint64_t get_ucall(struct svmhv_vcpu *vcpu, struct ucall *uc)
{
	const struct svmhv_run *run = vcpu->run;
	struct ucall tmp;
	uint32_t gpa;

	if (run->exit_reason != SVMHV_EXIT_IO || run->io.port != UCALL_PORT)
		return UCALL_NONE;
	TEST_ASSERT(run->io.direction == SVMHV_IO_OUT && run->io.size == 4 &&
		    run->io.count == 1 && !run->io.string,
		    "malformed ucall exit: dir %u size %u count %u string %u",
		    run->io.direction, run->io.size, run->io.count,
		    run->io.string);
	memcpy(&gpa, run->io.data, sizeof(gpa));
	/* Both ends must lie in guest memory. */
	addr_gpa2hva(vcpu->vm, gpa + sizeof(tmp) - 1);
	memcpy(&tmp, addr_gpa2hva(vcpu->vm, gpa), sizeof(tmp));
	tmp.buffer[UCALL_BUFFER_LEN - 1] = '\0';

	if (tmp.cmd == UCALL_UNHANDLED)
		TEST_FAIL("unexpected exception in guest vCPU %u: vector %lu, error code %#lx, at rip %#lx",
			  vcpu->id, tmp.args[0], tmp.args[1], tmp.args[2]);
	if (uc)
		*uc = tmp;
	return tmp.cmd;
}

void report_guest_assert(const struct ucall *uc)
{
	TEST_FAIL("guest assertion failed: %s", uc->buffer);
}

uint64_t vcpu_run_ucall(struct svmhv_vcpu *vcpu, struct ucall *uc)
{
	struct ucall tmp;

	if (!uc)
		uc = &tmp;
	for (;;) {
		uint64_t cmd;

		vcpu_run(vcpu);
		cmd = get_ucall(vcpu, uc);
		TEST_ASSERT(cmd != UCALL_NONE,
			    "vCPU %u: exit %u (%s) is not a ucall%s", vcpu->id,
			    vcpu->run->exit_reason,
			    exit_reason_str(vcpu->run->exit_reason),
			    exit_details(vcpu->run));
		if (cmd == UCALL_PRINTF) {
			fprintf(stderr, "# guest: %s\n", uc->buffer);
			continue;
		}
		if (cmd == UCALL_ABORT)
			report_guest_assert(uc);
		return cmd;
	}
}

void vcpu_run_expect_sync(struct svmhv_vcpu *vcpu, uint64_t stage,
			  struct ucall *uc)
{
	struct ucall tmp;
	uint64_t cmd;

	if (!uc)
		uc = &tmp;
	cmd = vcpu_run_ucall(vcpu, uc);
	TEST_ASSERT(cmd == UCALL_SYNC && uc->args[0] == stage,
		    "expected GUEST_SYNC(%lu), got ucall %lu arg0 %lu",
		    stage, cmd, uc->args[0]);
}

void vcpu_run_expect_done(struct svmhv_vcpu *vcpu)
{
	struct ucall uc;
	uint64_t cmd = vcpu_run_ucall(vcpu, &uc);

	TEST_ASSERT(cmd == UCALL_DONE, "expected GUEST_DONE, got ucall %lu arg0 %lu",
		    cmd, uc.args[0]);
}
