/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A thin wrapper over the svmhv ioctls (uapi/svmhv.h): one VM, its vCPUs
 * (each an fd and its mmap'd run structure), its RAM slots, and the
 * VM-wide in-kernel local APICs (SVMHV_ENABLE_LAPIC, SVMHV_SIGNAL_MSI),
 * each vCPU's CPUID table (SVMHV_GET_CPUID, SVMHV_SET_CPUID).
 * Functions return 0 or -1 with errno set, like the ioctls they wrap;
 * vm_open() and vm_add_cpu() also leave a sentence for the user in @err.
 * The vCPU ioctls are called only by the thread that runs that vCPU
 * (and by the start-up code before the threads exist); SVMHV_SIGNAL_MSI
 * from any thread.
 */
#ifndef VMCTL_VM_H
#define VMCTL_VM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../../uapi/svmhv.h"
#include "options.h"

struct vm_cpu {
	int fd;
	struct svmhv_run *run;	/* SVMHV_RUN_SIZE bytes from fd */
};

struct vm {
	int sys_fd;
	int vm_fd;
	unsigned int ncpus;	/* vCPUs created, ids 0..ncpus-1 */
	struct vm_cpu cpu[VMCTL_MAX_CPUS];
};

#define VM_INIT { .sys_fd = -1, .vm_fd = -1, .ncpus = 0 }

/* Open @device, check the API version, create the VM (no vCPU yet). */
int vm_open(struct vm *vm, const char *device, char *err, size_t errlen);
/* Create vCPU number vm->ncpus and map its run structure. */
int vm_add_cpu(struct vm *vm, char *err, size_t errlen);
/* Give the guest @size bytes at @host as guest-physical [0, size). */
int vm_set_ram(struct vm *vm, void *host, uint64_t size);
/* Map @size bytes at @host as guest-physical [@gpa, @gpa+size) in @slot. */
int vm_set_slot(struct vm *vm, uint32_t slot, uint64_t gpa, void *host,
		uint64_t size);
/* SVMHV_CHECK_CAP: the capability's value, 0 if absent, -1 on error. */
long vm_check_cap(struct vm *vm, unsigned long cap);
/* SVMHV_ENABLE_LAPIC: before the first vm_add_cpu(). */
int vm_enable_lapic(struct vm *vm);
/* SVMHV_SIGNAL_MSI: the number of APICs that took it, or -1. */
int vm_signal_msi(struct vm *vm, uint64_t address, uint32_t data);
/* SVMHV_IOEVENTFD: a guest store of @len bytes (any value) at MMIO @addr
 * signals eventfd @fd; @assign false removes it. */
int vm_ioeventfd(struct vm *vm, uint64_t addr, unsigned int len, int fd,
		 bool assign);
/* SVMHV_IRQFD: writing eventfd @fd raises MSI @address/@data. */
int vm_irqfd(struct vm *vm, int fd, uint64_t address, uint32_t data,
	     bool assign);
/* Hand the ACPI PM timer at port, now reading count, to the kernel. */
int vm_set_pm_timer(struct vm *vm, uint16_t port, uint32_t count);
/* Queue external interrupt @vector (SVMHV_INJECT_EVENT). */
int vm_inject_irq(struct vm_cpu *c, uint8_t vector);
int vm_get_sregs(struct vm_cpu *c, struct svmhv_sregs *sregs);
int vm_set_sregs(struct vm_cpu *c, const struct svmhv_sregs *sregs);
int vm_set_regs(struct vm_cpu *c, const struct svmhv_regs *regs);
/* SVMHV_GET_CPUID: this vCPU's answers, at most @max entries into @e;
 * the number of entries, or -1 (E2BIG: more than @max). */
int vm_get_cpuid(struct vm_cpu *c, struct svmhv_cpuid_entry *e,
		 unsigned int max);
/* SVMHV_SET_CPUID: before the vCPU's first RUN. */
int vm_set_cpuid(struct vm_cpu *c, const struct svmhv_cpuid_entry *e,
		 unsigned int n);
/* One SVMHV_RUN; -1 with errno EINTR when a signal or immediate_exit hit. */
int vm_run(struct vm_cpu *c);
/* Unmap and close everything; safe on a partly opened vm. */
void vm_close(struct vm *vm);

#endif /* VMCTL_VM_H */
