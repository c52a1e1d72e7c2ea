/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A thin wrapper over the svmhv ioctls (uapi/svmhv.h): one VM with one
 * vCPU, its RAM slots and the mmap'd run structure.
 * Functions return 0 or -1 with errno set, like the ioctls they wrap;
 * vm_open() also leaves a sentence for the user in @err.
 */
#ifndef VMCTL_VM_H
#define VMCTL_VM_H

#include <stddef.h>
#include <stdint.h>

#include "../../uapi/svmhv.h"

struct vm {
	int sys_fd;
	int vm_fd;
	int vcpu_fd;
	struct svmhv_run *run;	/* SVMHV_RUN_SIZE bytes from vcpu_fd */
};

#define VM_INIT { .sys_fd = -1, .vm_fd = -1, .vcpu_fd = -1, .run = NULL }

/* Open @device, check the API version, create the VM and vCPU 0. */
int vm_open(struct vm *vm, const char *device, char *err, size_t errlen);
/* Give the guest @size bytes at @host as guest-physical [0, size). */
int vm_set_ram(struct vm *vm, void *host, uint64_t size);
/* Map @size bytes at @host as guest-physical [@gpa, @gpa+size) in @slot. */
int vm_set_slot(struct vm *vm, uint32_t slot, uint64_t gpa, void *host,
		uint64_t size);
/* SVMHV_CHECK_CAP: the capability's value, 0 if absent, -1 on error. */
long vm_check_cap(struct vm *vm, unsigned long cap);
/* Queue external interrupt @vector (SVMHV_INJECT_EVENT). */
int vm_inject_irq(struct vm *vm, uint8_t vector);
int vm_get_sregs(struct vm *vm, struct svmhv_sregs *sregs);
int vm_set_sregs(struct vm *vm, const struct svmhv_sregs *sregs);
int vm_set_regs(struct vm *vm, const struct svmhv_regs *regs);
/* One SVMHV_RUN; -1 with errno EINTR when a signal or immediate_exit hit. */
int vm_run(struct vm *vm);
/* Unmap and close everything; safe on a partly opened vm. */
void vm_close(struct vm *vm);

#endif /* VMCTL_VM_H */
