/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A Linux guest's PC at run time: the board (pc_board.h) and its port
 * bus, console input, the device timer, and the vCPUs, one thread each
 * (vCPU 0 on the main thread).
 *
 * Threads and locking:
 *  - @lock (a mutex) protects the board, the bus and every device model
 *    on it, the I/O APIC, console input and output and the fields marked
 *    below.  A vCPU thread takes it to serve a port, MMIO or EOI exit;
 *    vCPU 0 also takes it before each RUN to bring the board up to date.
 *    SVMHV_SIGNAL_MSI is issued with it held (the I/O APIC's output).
 *  - vCPU 0's thread alone moves time forward (PIT, PM timer reads are
 *    live), reads stdin and injects the 8259's interrupts
 *    (SVMHV_INJECT_EVENT: the ExtINT path reaches the BSP only); the
 *    device timer's SIGALRM is delivered to it, every other vCPU thread
 *    blocks SIGALRM and the stop signals.
 *  - PCI devices (the SMP PC's virtio functions) are reached through
 *    their BARs and configuration space under @lock; each has its own
 *    lock and device thread (virtio/virtio_pci.h), which takes @lock
 *    only to move an INTx line.
 *  - @stopping is set once, with atomics; then every vCPU is kicked
 *    (immediate_exit + SIG_VCPU_KICK) and the main thread joins them.
 *    The first stop recorded in @stop wins.
 */
#ifndef VMCTL_MACHINE_H
#define VMCTL_MACHINE_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "console_in.h"
#include "io_bus.h"
#include "net_opt.h"
#include "options.h"
#include "pc_board.h"
#include "vcpu.h"
#include "virtio/guest_mem.h"
#include "virtio/virtio_pci.h"
#include "vm.h"

struct vblk;

struct machine_net;
struct machine_vcons;

struct machine {
	pthread_mutex_t lock;
	struct pc_board board;		/* @lock */
	struct io_bus bus;		/* @lock */
	struct console_in in;		/* @lock */
	struct vm *vm;
	bool lapic;			/* in-kernel local APICs: SMP PC */
	unsigned int ncpus;
	struct vcpu vcpu[VMCTL_MAX_CPUS];
	timer_t timer;			/* vCPU 0 only, as the fields below */
	bool timer_made;
	uint64_t t0_ns;			/* CLOCK_MONOTONIC at PIT time 0 */
	uint64_t armed_ns;		/* absolute expiry the timer is set to */
	uint64_t next_poll_ns;		/* next look at stdin */
	uint64_t injected;		/* 8259 interrupts injected */
	uint64_t windows;		/* interrupt windows requested */
	bool warned_mmio;		/* @lock */
	bool warned_msi;		/* @lock */
	bool stopping;			/* atomic */
	struct vm_stop stop;		/* @lock */
	struct machine_disk {		/* --disk, in command-line order */
		struct virtio_pci *vp;
		struct vblk *vb;
	} disk[VMCTL_MAX_DISKS];
	unsigned int ndisks;
	struct guest_mem mem;		/* guest RAM for device DMA */
	struct virtio_pci *rng;		/* --rng */
	struct machine_net *net[VMCTL_MAX_NETS];	/* --net */
	unsigned int nnets;
	struct machine_vcons *vcons;	/* --vconsole */
};

/* Set up the board (the SMP PC when @lapic) for @vm's vCPUs, the timer
 * and console input.  -1 with a message given. */
int machine_init(struct machine *m, struct vm *vm, const struct run_config *cfg,
		 bool lapic);
/* Run every vCPU until the guest stops; the exit status, or -1 when a
 * stop signal arrived.  Says why the guest stopped. */
int machine_run(struct machine *m);
void machine_destroy(struct machine *m);

/* For the vCPU loop (vcpu.c). */
void machine_lock(struct machine *m);
void machine_unlock(struct machine *m);
bool machine_stopping(struct machine *m);
/* Record @stop (if none yet), stop and kick every vCPU. */
void machine_stop(struct machine *m, const struct vm_stop *stop);
/* vCPU 0 before each RUN: time, input, interrupt delivery, timer. */
void machine_before_run(struct machine *m, struct vcpu *v,
			struct vm_stop *stop);
/* An MMIO exit (lock held): the I/O APIC, a PCI BAR, or nothing. */
void machine_mmio(struct machine *m, struct svmhv_run *run);
/* Without in-kernel APICs: HLT with IF=1 waits here for an interrupt. */
void machine_wait_for_interrupt(struct machine *m, struct vm_stop *stop);
/* One stderr line with the guest's interrupt state, for hang reports. */
void machine_report(struct machine *m, const struct svmhv_run *run);

#endif /* VMCTL_MACHINE_H */
