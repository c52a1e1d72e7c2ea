// SPDX-License-Identifier: GPL-2.0
/*
 * The ACPI power-management timer, served in the kernel.
 *
 * The PM timer (ACPI 6.5, 4.8.3.3 "Power Management Timer", and the FADT's
 * PM_TMR_BLK and TMR_VAL_EXT, 5.2.9) is a free-running counter at
 * 3.579545 MHz in an I/O port.  Guests read it far more often than any
 * other legacy port: Linux's TSC calibration and its clocksource watchdog
 * sample it every half second, other systems build their timers on it.
 * Each read answered by the VMM costs a trip to userspace and back; here it
 * costs an exit that never leaves the kernel.  The rest of the PM1 block
 * (status, enable, control: power-off) stays with the VMM, which tells the
 * module the port and the counter's current value (SVMHV_SET_PM_TIMER), so
 * the guest sees one counter whoever answers.
 *
 * The counter is 32 bits wide (the VMM's FADT sets TMR_VAL_EXT) and
 * advances with CLOCK_MONOTONIC.  Port and offset live in one u64 so that
 * a vCPU reading while userspace moves the timer sees one configuration or
 * the other, never half of each, without a lock on the exit path.
 */
#include <linux/ktime.h>
#include <linux/math64.h>

#include "svmhv_core.h"

#define PM_TIMER_HZ	3579545u

/* The counter a zero offset gives at CLOCK_MONOTONIC time ns. */
static u32 pm_timer_raw(u64 ns)
{
	return (u32)mul_u64_u32_div(ns, PM_TIMER_HZ, NSEC_PER_SEC);
}

static u64 pm_timer_pack(u16 port, u32 offset)
{
	return (u64)port << 32 | offset;
}

int svmhv_pm_timer_set(struct svmhv_vm *vm, const struct svmhv_pm_timer *t)
{
	if (t->pad || t->reserved[0] || t->reserved[1])
		return -EINVAL;
	if (t->port > 0x10000 - SVMHV_PM_TIMER_LEN)
		return -EINVAL;
	WRITE_ONCE(vm->pm_timer,
		   t->port ? pm_timer_pack(t->port,
					   t->count - pm_timer_raw(ktime_get_ns()))
			   : 0);
	return 0;
}

void svmhv_pm_timer_get(struct svmhv_vm *vm, struct svmhv_pm_timer *t)
{
	u64 cfg = READ_ONCE(vm->pm_timer);

	memset(t, 0, sizeof(*t));
	t->port = cfg >> 32;
	if (t->port)
		t->count = pm_timer_raw(ktime_get_ns()) + (u32)cfg;
}

/*
 * What a read of port, inside the timer configured as cfg, returns now
 * (svmhv_pm_timer_access() in svmhv_core.h checks the port).
 */
u32 svmhv_pm_timer_read(u64 cfg, u16 port)
{
	u32 count = pm_timer_raw(ktime_get_ns()) + (u32)cfg;

	return count >> (8 * (port - (u16)(cfg >> 32)));
}
