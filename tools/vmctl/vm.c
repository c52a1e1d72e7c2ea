// SPDX-License-Identifier: GPL-2.0
/*
 * svmhv ioctl wrapper.  The error messages for opening the device are the
 * ones users meet first when the module is not loaded, so they say what
 * to do rather than quoting an errno.  Teardown is by closing the fds: the
 * module destroys the VM when the last reference goes, which is also what
 * happens when vmctl is killed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vm.h"

static void open_error(const char *device, int e, char *err, size_t errlen)
{
	switch (e) {
	case ENOENT:
		snprintf(err, errlen, "%s does not exist: is the svmhv module"
			 " loaded? (modprobe svmhv or insmod svmhv.ko)", device);
		break;
	case EACCES:
	case EPERM:
		snprintf(err, errlen, "%s: permission denied: vmctl needs read"
			 " and write access to it (run as root or change its"
			 " mode)", device);
		break;
	case ENXIO:
	case ENODEV:
		snprintf(err, errlen, "%s exists but no driver answers: is the"
			 " svmhv module loaded?", device);
		break;
	default:
		snprintf(err, errlen, "cannot open %s: %s", device, strerror(e));
		break;
	}
}

int vm_open(struct vm *vm, const char *device, char *err, size_t errlen)
{
	int version, e;

	vm->sys_fd = open(device, O_RDWR | O_CLOEXEC);
	if (vm->sys_fd < 0) {
		e = errno;
		open_error(device, e, err, errlen);
		errno = e;
		return -1;
	}
	version = ioctl(vm->sys_fd, SVMHV_GET_API_VERSION, 0);
	if (version < 0) {
		e = errno;
		snprintf(err, errlen, "%s does not answer the svmhv API version"
			 " request (%s): is it really the svmhv device?",
			 device, strerror(e));
		errno = e;
		return -1;
	}
	if (version != SVMHV_API_VERSION) {
		snprintf(err, errlen, "%s speaks svmhv API version %d, vmctl"
			 " needs version %d", device, version, SVMHV_API_VERSION);
		errno = EPROTO;
		return -1;
	}
	vm->vm_fd = ioctl(vm->sys_fd, SVMHV_CREATE_VM, 0);
	if (vm->vm_fd < 0) {
		e = errno;
		snprintf(err, errlen, "cannot create a VM: %s%s", strerror(e),
			 e == ENODEV || e == EOPNOTSUPP ?
			 " (does this CPU have SVM enabled?)" : "");
		errno = e;
		return -1;
	}
	return 0;
}

int vm_add_cpu(struct vm *vm, char *err, size_t errlen)
{
	struct vm_cpu *c = &vm->cpu[vm->ncpus];
	void *run;
	int e;

	if (vm->ncpus == VMCTL_MAX_CPUS) {
		snprintf(err, errlen, "vmctl runs at most %d vCPUs",
			 VMCTL_MAX_CPUS);
		errno = ENOSPC;
		return -1;
	}
	c->fd = ioctl(vm->vm_fd, SVMHV_CREATE_VCPU, vm->ncpus);
	if (c->fd < 0) {
		e = errno;
		snprintf(err, errlen, "cannot create vCPU %u: %s", vm->ncpus,
			 strerror(e));
		errno = e;
		return -1;
	}
	run = mmap(NULL, SVMHV_RUN_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
		   c->fd, 0);
	if (run == MAP_FAILED) {
		e = errno;
		close(c->fd);
		c->fd = -1;
		snprintf(err, errlen, "cannot map the run structure of vCPU"
			 " %u: %s", vm->ncpus, strerror(e));
		errno = e;
		return -1;
	}
	c->run = run;
	vm->ncpus++;
	return 0;
}

int vm_enable_lapic(struct vm *vm)
{
	return ioctl(vm->vm_fd, SVMHV_ENABLE_LAPIC, 0) < 0 ? -1 : 0;
}

int vm_signal_msi(struct vm *vm, uint64_t address, uint32_t data)
{
	struct svmhv_msi msi = { .address = address, .data = data };

	return ioctl(vm->vm_fd, SVMHV_SIGNAL_MSI, &msi);
}

int vm_ioeventfd(struct vm *vm, uint64_t addr, unsigned int len, int fd,
		 bool assign)
{
	struct svmhv_ioeventfd io = {
		.addr = addr, .len = len, .fd = fd,
		.flags = assign ? 0 : SVMHV_IOEVENTFD_DEASSIGN,
	};

	return ioctl(vm->vm_fd, SVMHV_IOEVENTFD, &io) < 0 ? -1 : 0;
}

int vm_irqfd(struct vm *vm, int fd, uint64_t address, uint32_t data,
	     bool assign)
{
	struct svmhv_irqfd irq = {
		.fd = fd, .msi_address = address, .msi_data = data,
		.flags = assign ? 0 : SVMHV_IRQFD_DEASSIGN,
	};

	return ioctl(vm->vm_fd, SVMHV_IRQFD, &irq) < 0 ? -1 : 0;
}

int vm_set_pm_timer(struct vm *vm, uint16_t port, uint32_t count)
{
	struct svmhv_pm_timer t = { .port = port, .count = count };

	return ioctl(vm->vm_fd, SVMHV_SET_PM_TIMER, &t) < 0 ? -1 : 0;
}

int vm_set_slot(struct vm *vm, uint32_t slot, uint64_t gpa, void *host,
		uint64_t size)
{
	struct svmhv_memory_region r = {
		.slot = slot,
		.flags = 0,
		.guest_phys_addr = gpa,
		.memory_size = size,
		.userspace_addr = (uint64_t)(uintptr_t)host,
	};

	return ioctl(vm->vm_fd, SVMHV_SET_MEMORY_REGION, &r) < 0 ? -1 : 0;
}

int vm_set_ram(struct vm *vm, void *host, uint64_t size)
{
	return vm_set_slot(vm, 0, 0, host, size);
}

long vm_check_cap(struct vm *vm, unsigned long cap)
{
	int ret = ioctl(vm->sys_fd, SVMHV_CHECK_CAP, cap);

	return ret < 0 ? -1 : ret;
}

int vm_inject_irq(struct vm_cpu *c, uint8_t vector)
{
	struct svmhv_event ev = {
		.kind = SVMHV_EVENT_IRQ,
		.vector = vector,
	};

	return ioctl(c->fd, SVMHV_INJECT_EVENT, &ev) < 0 ? -1 : 0;
}

int vm_get_sregs(struct vm_cpu *c, struct svmhv_sregs *sregs)
{
	return ioctl(c->fd, SVMHV_GET_SREGS, sregs) < 0 ? -1 : 0;
}

int vm_set_sregs(struct vm_cpu *c, const struct svmhv_sregs *sregs)
{
	return ioctl(c->fd, SVMHV_SET_SREGS, sregs) < 0 ? -1 : 0;
}

int vm_set_regs(struct vm_cpu *c, const struct svmhv_regs *regs)
{
	return ioctl(c->fd, SVMHV_SET_REGS, regs) < 0 ? -1 : 0;
}

/* struct svmhv_cpuid ends in a flexible array: sized on the heap. */
static struct svmhv_cpuid *cpuid_alloc(unsigned int nent)
{
	struct svmhv_cpuid *t;

	t = calloc(1, sizeof(*t) + nent * sizeof(t->entries[0]));
	if (t)
		t->nent = nent;
	return t;
}

int vm_get_cpuid(struct vm_cpu *c, struct svmhv_cpuid_entry *e,
		 unsigned int max)
{
	struct svmhv_cpuid *t = cpuid_alloc(max);
	int n = -1, err;

	if (!t) {
		errno = ENOMEM;
		return -1;
	}
	if (ioctl(c->fd, SVMHV_GET_CPUID, t) == 0) {
		n = (int)t->nent;
		memcpy(e, t->entries, t->nent * sizeof(e[0]));
	}
	err = errno;
	free(t);
	errno = err;
	return n;
}

int vm_set_cpuid(struct vm_cpu *c, const struct svmhv_cpuid_entry *e,
		 unsigned int n)
{
	struct svmhv_cpuid *t = cpuid_alloc(n);
	int ret, err;

	if (!t) {
		errno = ENOMEM;
		return -1;
	}
	memcpy(t->entries, e, n * sizeof(e[0]));
	ret = ioctl(c->fd, SVMHV_SET_CPUID, t) < 0 ? -1 : 0;
	err = errno;
	free(t);
	errno = err;
	return ret;
}

int vm_run(struct vm_cpu *c)
{
	return ioctl(c->fd, SVMHV_RUN, 0) < 0 ? -1 : 0;
}

void vm_close(struct vm *vm)
{
	unsigned int i;

	for (i = 0; i < vm->ncpus; i++) {
		munmap(vm->cpu[i].run, SVMHV_RUN_SIZE);
		close(vm->cpu[i].fd);
	}
	vm->ncpus = 0;
	if (vm->vm_fd >= 0)
		close(vm->vm_fd);
	if (vm->sys_fd >= 0)
		close(vm->sys_fd);
	vm->vm_fd = vm->sys_fd = -1;
}
