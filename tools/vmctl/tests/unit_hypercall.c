// SPDX-License-Identifier: GPL-2.0
/*
 * hypercall.c on the host: the feature query, console writes inside and
 * across the end of guest RAM, too long, and unknown numbers.
 */
#include <string.h>

#include "../hypercall.h"
#include "unit.h"

static char out[8192];
static size_t out_len;

static void put(void *opaque, uint8_t byte)
{
	(void)opaque;
	if (out_len < sizeof(out))
		out[out_len++] = (char)byte;
}

static uint64_t call(const struct guest_ram *ram, uint64_t nr, uint64_t rbx,
		     uint64_t rcx)
{
	struct svmhv_run run;

	memset(&run, 0, sizeof(run));
	run.hypercall.rax = nr;
	run.hypercall.rbx = rbx;
	run.hypercall.rcx = rcx;
	return hypercall_serve(&run, ram, put, NULL);
}

void unit_hypercall(void)
{
	static uint8_t mem[16384];
	struct guest_ram ram = { .mem = mem, .size = sizeof(mem),
				 .limit = sizeof(mem) };

	memcpy(mem + 100, "hi there", 8);
	CHECK(call(&ram, SVMHV_HC_VMM_FEATURES, 0, 0) == 3,
	      "hypercall: features are the query and the console");
	out_len = 0;
	CHECK(call(&ram, SVMHV_HC_CONSOLE_WRITE, 100, 8) == 8 &&
	      out_len == 8 && !memcmp(out, "hi there", 8),
	      "hypercall: console write copies the guest's bytes");
	CHECK(call(&ram, SVMHV_HC_CONSOLE_WRITE, 100, 0) == 0,
	      "hypercall: empty console write");
	out_len = 0;
	CHECK(call(&ram, SVMHV_HC_CONSOLE_WRITE, sizeof(mem) - 4, 8) ==
	      SVMHV_HC_EFAULT && out_len == 0,
	      "hypercall: console write across the end of RAM is EFAULT");
	CHECK(call(&ram, SVMHV_HC_CONSOLE_WRITE, UINT64_MAX - 2, 8) ==
	      SVMHV_HC_EFAULT, "hypercall: console write wrapping around");
	CHECK(call(&ram, SVMHV_HC_CONSOLE_WRITE, 0, HYPERCALL_CONSOLE_MAX + 1) ==
	      SVMHV_HC_EINVAL, "hypercall: console write too long is EINVAL");
	CHECK(call(NULL, SVMHV_HC_CONSOLE_WRITE, 0, 1) == SVMHV_HC_EFAULT,
	      "hypercall: console write without RAM");
	CHECK(call(&ram, 0x8123, 0, 0) == SVMHV_HC_ENOSYS,
	      "hypercall: unknown number is ENOSYS");
}
