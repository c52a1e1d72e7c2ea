/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One vCPU's run loop: SVMHV_RUN, then turn the exit the module reports
 * into a device access, an interrupt acknowledgement or one of the exit
 * statuses of exit_status.h.  An image guest runs its only vCPU on the
 * main thread with a bus of its own (COM1, exit port); a Linux guest's
 * vCPUs run one per thread against the shared machine (machine.h), whose
 * lock every device access takes.
 */
#ifndef VMCTL_VCPU_H
#define VMCTL_VCPU_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "io_bus.h"
#include "vm.h"

struct machine;
struct disk_opt;

struct guest_ram;
struct net_opt;
struct vcons_opt;

struct run_config {
	uint64_t mem;		/* guest RAM, for the outside-RAM message */
	const struct guest_ram *ram;	/* below 4 GiB: for hypercalls */
	bool verbose;
	const struct disk_opt *disks;	/* --disk: virtio-blk on PCI */
	unsigned int ndisks;
	bool rng;		/* --rng: a virtio-rng on PCI (SMP PC) */
	/* --net: a virtio-net on PCI per entry (SMP PC) */
	const struct net_opt *nets;
	unsigned int nnets;
	/* --vconsole: a virtio-console on PCI (SMP PC) unless VCONS_NONE */
	const struct vcons_opt *vconsole;
};

struct vcpu {
	unsigned int id;
	struct vm_cpu *cpu;
	struct machine *m;	/* NULL for an image guest */
	struct io_bus *bus;	/* an image guest's ports */
	const struct run_config *cfg;
	pthread_t thread;
	bool started;		/* @thread runs this vCPU's loop */
};

/* An image guest: run until it stops.  The exit status, or -1 when a
 * stop signal arrived. */
int vcpu_run_image(struct vcpu *v);
/* A Linux guest's vCPU: run until the machine stops (the stop record is
 * the machine's). */
void vcpu_run_machine(struct vcpu *v);
/* pthread entry for vCPUs 1..N-1. */
void *vcpu_thread(void *v);
/* Make @v leave SVMHV_RUN (or not enter it) soon: immediate_exit and,
 * if it runs on a thread, SIG_VCPU_KICK. */
void vcpu_kick(struct vcpu *v);

#endif /* VMCTL_VCPU_H */
