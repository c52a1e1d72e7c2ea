// SPDX-License-Identifier: GPL-2.0
/*
 * The vCPU run loop and exit dispatch (see vcpu.h).  Exits that touch a
 * device (port I/O, MMIO, the I/O APIC's EOI) are served under the
 * machine's lock; the console bytes they produce are written before the
 * vCPU runs again.  Exits that only concern this vCPU need no lock.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "console.h"
#include "exit_status.h"
#include "hypercall.h"
#include "machine.h"
#include "msg.h"
#include "signals.h"
#include "vcpu.h"

static const char *internal_suberror(uint32_t sub)
{
	switch (sub) {
	case SVMHV_INTERNAL_EMULATION:	return "instruction could not be emulated";
	case SVMHV_INTERNAL_MEMORY:	return "backing memory of a slot vanished";
	case SVMHV_INTERNAL_FETCH:	return "guest RIP not readable";
	}
	return "unknown suberror";
}

/* " cpu N" on an SMP guest's trace lines; nothing with one vCPU, so the
 * lines read as they always did. */
static const char *cpu_tag(const struct vcpu *v, char *buf, size_t len)
{
	buf[0] = 0;
	if (v->m && v->m->ncpus > 1)
		snprintf(buf, len, " cpu %u", v->id);
	return buf;
}

static void handle_io(struct vcpu *v, struct io_bus *bus, struct vm_stop *stop)
{
	struct svmhv_run *run = v->cpu->run;
	bool out = run->io.direction == SVMHV_IO_OUT;
	unsigned int size = run->io.size;
	uint32_t count = run->io.count;

	char tag[16];

	if (v->cfg->verbose)
		msg("exit: io %s port 0x%x size %u count %u%s%s rip 0x%" PRIx64
		    "%s", out ? "out" : "in", run->io.port, size, count,
		    run->io.string ? " string" : "", run->io.rep ? " rep" : "",
		    run->rip, cpu_tag(v, tag, sizeof(tag)));
	if ((size != 1 && size != 2 && size != 4) || count == 0 ||
	    count > SVMHV_IO_DATA_MAX / size ||
	    run->io.direction > SVMHV_IO_OUT) {
		stop_with(stop, VMCTL_EXIT_UNKNOWN_EXIT, "malformed I/O exit from"
			  " svmhv: direction %u size %u count %u",
			  run->io.direction, size, count);
		return;
	}
	io_bus_access(bus, out, run->io.port, size, count, run->io.data, stop);
}

static void handle_hlt(struct vcpu *v, struct vm_stop *stop)
{
	struct svmhv_run *run = v->cpu->run;

	if (v->m && !run->if_flag)
		/* Linux's halt and power-off end in cli; hlt when no
		 * firmware can switch the machine off.  With in-kernel
		 * APICs only a one-vCPU VM comes back with it. */
		stop_with(stop, 0, "guest halted with interrupts disabled:"
			  " powered off (rip 0x%" PRIx64 ")", run->rip);
	else if (v->m)
		return;	/* the run loop waits for an interrupt */
	else if (run->if_flag)
		stop_with(stop, VMCTL_EXIT_HLT_IF1, "guest halted with"
			  " interrupts enabled and no device to wake it (rip"
			  " 0x%" PRIx64 ")", run->rip);
	else
		stop_with(stop, VMCTL_EXIT_HLT_IF0, "guest halted with"
			  " interrupts disabled (rip 0x%" PRIx64 ")", run->rip);
}

static void handle_exit(struct vcpu *v, struct vm_stop *stop)
{
	struct svmhv_run *run = v->cpu->run;
	struct machine *m = v->m;

	switch (run->exit_reason) {
	case SVMHV_EXIT_IO:
		if (m) {
			handle_io(v, &m->bus, stop);
			pc_board_sync_irqs(&m->board);
		} else {
			handle_io(v, v->bus, stop);
		}
		break;
	case SVMHV_EXIT_MMIO:
		if (m) {
			machine_mmio(m, run);
			break;
		}
		stop_with(stop, run->mmio.phys_addr >= v->cfg->mem ?
			  VMCTL_EXIT_OUTSIDE_RAM : VMCTL_EXIT_UNKNOWN_EXIT,
			  "guest %s %u bytes at 0x%" PRIx64 ", outside guest"
			  " RAM [0x0, 0x%" PRIx64 ") (rip 0x%" PRIx64 ")",
			  run->mmio.is_write ? "wrote" : "read",
			  run->mmio.len, run->mmio.phys_addr, v->cfg->mem,
			  run->rip);
		break;
	case SVMHV_EXIT_IOAPIC_EOI:
		if (m && m->lapic) {
			pc_board_eoi(&m->board, run->eoi.vector);
			break;
		}
		stop_with(stop, VMCTL_EXIT_UNKNOWN_EXIT, "svmhv reported an"
			  " I/O APIC EOI without in-kernel APICs (rip 0x%"
			  PRIx64 ")", run->rip);
		break;
	case SVMHV_EXIT_HLT:
		handle_hlt(v, stop);
		break;
	case SVMHV_EXIT_SHUTDOWN:
		if (m) {
			/* On a PC a triple fault resets the machine; Linux
			 * uses it as its last way to reboot. */
			stop_with(stop, 0, "guest rebooted (triple fault, cpu %u,"
				  " rip 0x%" PRIx64 ")", v->id, run->rip);
			break;
		}
		stop_with(stop, VMCTL_EXIT_TRIPLE_FAULT, "guest triple-faulted"
			  " (shutdown; rip 0x%" PRIx64 ")", run->rip);
		break;
	case SVMHV_EXIT_HYPERCALL:
		run->hypercall.ret = hypercall_serve(run, v->cfg->ram,
						     console_put, NULL);
		if (v->cfg->verbose)
			msg("exit: hypercall 0x%" PRIx64 " rip 0x%" PRIx64
			    ": returns 0x%" PRIx64, run->hypercall.rax,
			    run->rip, (uint64_t)run->hypercall.ret);
		break;
	case SVMHV_EXIT_FAIL_ENTRY:
		stop_with(stop, VMCTL_EXIT_FAIL_ENTRY, "VMRUN refused the guest"
			  " state (hardware exit code 0x%" PRIx64 ")",
			  run->fail_entry.hardware_exit_code);
		break;
	case SVMHV_EXIT_INTERNAL_ERROR: {
		char insn[3 * 16 + 1] = "";
		uint32_t i, n = run->internal.ninsn;

		for (i = 0; i < n && i < 16; i++)
			snprintf(insn + 3 * i, sizeof(insn) - 3 * i, " %02x",
				 run->internal.insn[i]);
		stop_with(stop, VMCTL_EXIT_INTERNAL, "svmhv internal error %u"
			  " (%s) at rip 0x%" PRIx64 ", gpa 0x%" PRIx64
			  ", SVM exit 0x%" PRIx64 ", insn%s",
			  run->internal.suberror,
			  internal_suberror(run->internal.suberror), run->rip,
			  run->internal.gpa, run->internal.exit_code,
			  n ? insn : " unknown");
		break;
	}
	case SVMHV_EXIT_UNHANDLED:
		stop_with(stop, VMCTL_EXIT_UNHANDLED, "SVM exit 0x%" PRIx64
			  " not handled by svmhv (info1 0x%" PRIx64 " info2 0x%"
			  PRIx64 " int_info 0x%" PRIx64 ", rip 0x%" PRIx64 ")",
			  run->unhandled.exit_code, run->unhandled.exit_info1,
			  run->unhandled.exit_info2,
			  run->unhandled.exit_int_info, run->rip);
		break;
	case SVMHV_EXIT_INTR:
	case SVMHV_EXIT_IRQ_WINDOW_OPEN:
		/* The run loop delivers interrupts before the next RUN. */
		break;
	default:
		stop_with(stop, VMCTL_EXIT_UNKNOWN_EXIT, "svmhv reported exit"
			  " reason %u, unknown to vmctl (rip 0x%" PRIx64 ")",
			  run->exit_reason, run->rip);
		break;
	}
}

/* After each exit: the guest's console bytes go out before it runs on. */
static void flush_console(struct vm_stop *stop)
{
	if (console_flush() < 0 && !stop->stop)
		stop_with(stop, VMCTL_EXIT_HOST_ERROR, "cannot write guest"
			  " output to stdout: %s", strerror(errno));
}

/* SVMHV_RUN; false (with @stop set) on a host error. */
static bool run_once(struct vcpu *v, struct vm_stop *stop, bool *again)
{
	char tag[16];

	*again = false;
	if (vm_run(v->cpu) == 0) {
		if (v->cfg->verbose && v->cpu->run->exit_reason != SVMHV_EXIT_IO)
			msg("exit: reason %u rip 0x%" PRIx64 "%s",
			    v->cpu->run->exit_reason, v->cpu->run->rip,
			    cpu_tag(v, tag, sizeof(tag)));
		return true;
	}
	if (errno == EINTR) {
		*again = true;
		return true;
	}
	stop_with(stop, VMCTL_EXIT_HOST_ERROR, "SVMHV_RUN of vCPU %u failed:"
		  " %s", v->id, strerror(errno));
	return false;
}

int vcpu_run_image(struct vcpu *v)
{
	struct vm_stop stop = { 0 };
	bool again;

	while (!stop.stop) {
		if (stop_signal)
			return -1;
		if (!run_once(v, &stop, &again))
			break;
		if (again)
			continue;
		handle_exit(v, &stop);
		flush_console(&stop);
	}
	if (!stop.quiet || v->cfg->verbose)
		msg("%s", stop.reason);
	return stop.status;
}

void vcpu_run_machine(struct vcpu *v)
{
	struct svmhv_run *run = v->cpu->run;
	struct machine *m = v->m;
	struct vm_stop stop = { 0 };
	bool again;

	for (;;) {
		/* Cleared first, then the stop flag read: a kick or timer
		 * expiry from here on sets it again and the RUN below
		 * returns at once (machine_stop() sets the flag before it
		 * kicks). */
		__atomic_store_n(&run->immediate_exit, 0, __ATOMIC_SEQ_CST);
		if (machine_stopping(m))
			return;
		if (v->id == 0) {
			if (stop_signal) {
				machine_report(m, run);
				stop.stop = true;
				stop.quiet = true;
				break;
			}
			machine_before_run(m, v, &stop);
			if (stop.stop)
				break;
		}
		if (!run_once(v, &stop, &again))
			break;
		if (again)
			continue;
		machine_lock(m);
		handle_exit(v, &stop);
		flush_console(&stop);
		machine_unlock(m);
		if (stop.stop)
			break;
		if (run->exit_reason == SVMHV_EXIT_HLT && !m->lapic)
			machine_wait_for_interrupt(m, &stop);
		if (stop.stop)
			break;
	}
	machine_stop(m, &stop);
}

void *vcpu_thread(void *arg)
{
	vcpu_run_machine(arg);
	return NULL;
}

void vcpu_kick(struct vcpu *v)
{
	__atomic_store_n(&v->cpu->run->immediate_exit, 1, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&v->started, __ATOMIC_SEQ_CST) &&
	    !pthread_equal(v->thread, pthread_self()))
		pthread_kill(v->thread, SIG_VCPU_KICK);
}
