// SPDX-License-Identifier: GPL-2.0
/*
 * Host-side VM and vCPU management for the svmhv selftests, after
 * tools/testing/selftests/kvm/lib/kvm_util.c: thin, asserting wrappers
 * around the ioctls of uapi/svmhv.h, the guest-physical bookkeeping the
 * other helpers need (slots, addr_gpa2hva(), a bump allocator), and exit
 * reporting.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "svmhv_util.h"

int svmhv_open_sys(void)
{
	int fd = open(SVMHV_DEV, O_RDWR | O_CLOEXEC);

	TEST_ASSERT(fd >= 0, "open(%s) failed", SVMHV_DEV);
	return fd;
}

int __vm_set_memory_region(struct svmhv_vm *vm, uint32_t slot, uint32_t flags,
			   uint64_t gpa, uint64_t size, void *hva)
{
	struct svmhv_memory_region r = {
		.slot = slot,
		.flags = flags,
		.guest_phys_addr = gpa,
		.memory_size = size,
		.userspace_addr = (uint64_t)(uintptr_t)hva,
	};
	int ret = ioctl(vm->fd, SVMHV_SET_MEMORY_REGION, &r);

	if (ret == 0 && slot < SVMHV_MAX_MEM_SLOTS) {
		struct svmhv_slot *s = &vm->slots[slot];

		s->used = size != 0;
		s->flags = flags;
		s->gpa = gpa;
		s->size = size;
		s->hva = hva;
	}
	return ret;
}

void vm_set_memory_region(struct svmhv_vm *vm, uint32_t slot, uint32_t flags,
			  uint64_t gpa, uint64_t size, void *hva)
{
	int ret = __vm_set_memory_region(vm, slot, flags, gpa, size, hva);

	TEST_ASSERT(ret == 0,
		    "SET_MEMORY_REGION slot %u flags %#x gpa %#lx size %#lx: %d",
		    slot, flags, gpa, size, ret);
}

void *addr_gpa2hva(struct svmhv_vm *vm, uint64_t gpa)
{
	for (int i = 0; i < SVMHV_MAX_MEM_SLOTS; i++) {
		struct svmhv_slot *s = &vm->slots[i];

		if (s->used && gpa >= s->gpa && gpa - s->gpa < s->size)
			return (uint8_t *)s->hva + (gpa - s->gpa);
	}
	TEST_FAIL("no memory slot holds guest physical address %#lx", gpa);
}

uint64_t vm_alloc(struct svmhv_vm *vm, uint64_t size, uint64_t align)
{
	uint64_t gpa = ALIGN_UP(vm->alloc_next, align);

	TEST_ASSERT(gpa + size <= vm->ram_size,
		    "guest RAM exhausted: %#lx + %#lx > %#lx",
		    gpa, size, vm->ram_size);
	vm->alloc_next = gpa + size;
	return gpa;
}

struct svmhv_vm *vm_create(uint64_t ram_size)
{
	struct svmhv_vm *vm = calloc(1, sizeof(*vm));
	uint8_t *ram;

	TEST_ASSERT(vm, "calloc");
	TEST_ASSERT(IS_ALIGNED(ram_size, 2 * MiB),
		    "guest RAM size %#lx is not a multiple of 2 MiB", ram_size);
	vm->sys_fd = svmhv_open_sys();
	vm->fd = ioctl(vm->sys_fd, SVMHV_CREATE_VM, 0);
	TEST_ASSERT(vm->fd >= 0, "SVMHV_CREATE_VM: %d", vm->fd);

	vm->ram_size = ram_size;
	vm->ram = mmap(NULL, ram_size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	TEST_ASSERT(vm->ram != MAP_FAILED, "mmap of %#lx bytes of guest RAM",
		    ram_size);
	vm_set_memory_region(vm, 0, 0, 0, ram_size, vm->ram);
	ram = vm->ram;

	vm->image_end = vm_load_elf(vm, "/proc/self/exe");
	vm->alloc_next = ALIGN_UP(vm->image_end, 2 * MiB);

	virt_build_identity_map(ram + GUEST_PML4_GPA, ram + GUEST_PDPT_GPA,
				ram + GUEST_PD_GPA, GUEST_PDPT_GPA,
				GUEST_PD_GPA);
	gdt_build(ram + GUEST_GDT_GPA, GUEST_TSS_GPA);
	memset(ram + GUEST_TSS_GPA, 0, GUEST_TSS_SIZE);
	/* I/O map base beyond the limit: no I/O permission bitmap. */
	*(uint16_t *)(ram + GUEST_TSS_GPA + 102) = GUEST_TSS_SIZE;
	{
		extern const uint64_t idt_stub_addrs[NR_VECTORS];

		idt_build(ram + GUEST_IDT_GPA, idt_stub_addrs);
	}
	return vm;
}

struct svmhv_vm *vm_create_with_one_vcpu(struct svmhv_vcpu **vcpu,
					 void *guest_code)
{
	struct svmhv_vm *vm = vm_create(DEFAULT_GUEST_RAM);

	*vcpu = vcpu_create(vm, 0, guest_code);
	return vm;
}

void vm_free(struct svmhv_vm *vm)
{
	if (!vm)
		return;
	for (int i = 0; i < SVMHV_MAX_VCPUS; i++) {
		struct svmhv_vcpu *vcpu = vm->vcpus[i];

		if (!vcpu)
			continue;
		munmap(vcpu->run, SVMHV_RUN_SIZE);
		close(vcpu->fd);
		free(vcpu);
	}
	close(vm->fd);
	close(vm->sys_fd);
	munmap(vm->ram, vm->ram_size);
	free(vm);
}

struct svmhv_vcpu *vcpu_create_reset(struct svmhv_vm *vm, uint32_t id)
{
	struct svmhv_vcpu *vcpu = calloc(1, sizeof(*vcpu));

	TEST_ASSERT(vcpu, "calloc");
	TEST_ASSERT(id < SVMHV_MAX_VCPUS && !vm->vcpus[id],
		    "vCPU id %u out of range or taken", id);
	vcpu->vm = vm;
	vcpu->id = id;
	vcpu->fd = ioctl(vm->fd, SVMHV_CREATE_VCPU, id);
	TEST_ASSERT(vcpu->fd >= 0, "SVMHV_CREATE_VCPU %u: %d", id, vcpu->fd);
	vcpu->run = mmap(NULL, SVMHV_RUN_SIZE, PROT_READ | PROT_WRITE,
			 MAP_SHARED, vcpu->fd, 0);
	TEST_ASSERT(vcpu->run != MAP_FAILED, "mmap of the vCPU run structure");
	vm->vcpus[id] = vcpu;
	return vcpu;
}

int _vcpu_run(struct svmhv_vcpu *vcpu)
{
	return ioctl(vcpu->fd, SVMHV_RUN, 0);
}

void vcpu_run(struct svmhv_vcpu *vcpu)
{
	int ret;

	do {
		ret = _vcpu_run(vcpu);
	} while (ret == -1 && errno == EINTR);
	TEST_ASSERT(ret == 0, "SVMHV_RUN returned %d", ret);
}

void vcpu_regs_get(struct svmhv_vcpu *vcpu, struct svmhv_regs *regs)
{
	int ret = ioctl(vcpu->fd, SVMHV_GET_REGS, regs);

	TEST_ASSERT(ret == 0, "SVMHV_GET_REGS: %d", ret);
}

void vcpu_regs_set(struct svmhv_vcpu *vcpu, const struct svmhv_regs *regs)
{
	int ret = ioctl(vcpu->fd, SVMHV_SET_REGS, regs);

	TEST_ASSERT(ret == 0, "SVMHV_SET_REGS: %d", ret);
}

void vcpu_sregs_get(struct svmhv_vcpu *vcpu, struct svmhv_sregs *sregs)
{
	int ret = ioctl(vcpu->fd, SVMHV_GET_SREGS, sregs);

	TEST_ASSERT(ret == 0, "SVMHV_GET_SREGS: %d", ret);
}

void vcpu_sregs_set(struct svmhv_vcpu *vcpu, const struct svmhv_sregs *sregs)
{
	int ret = ioctl(vcpu->fd, SVMHV_SET_SREGS, sregs);

	TEST_ASSERT(ret == 0, "SVMHV_SET_SREGS: %d", ret);
}

void vcpu_args_set(struct svmhv_vcpu *vcpu, unsigned int n, ...)
{
	struct svmhv_regs regs;
	va_list ap;

	TEST_ASSERT(n <= 6, "at most 6 guest arguments, not %u", n);
	vcpu_regs_get(vcpu, &regs);
	va_start(ap, n);
	for (unsigned int i = 0; i < n; i++) {
		uint64_t v = va_arg(ap, uint64_t);

		switch (i) {
		case 0: regs.rdi = v; break;
		case 1: regs.rsi = v; break;
		case 2: regs.rdx = v; break;
		case 3: regs.rcx = v; break;
		case 4: regs.r8 = v; break;
		case 5: regs.r9 = v; break;
		}
	}
	va_end(ap);
	vcpu_regs_set(vcpu, &regs);
}

const char *exit_reason_str(uint32_t reason)
{
	static const char *const names[] = {
		[SVMHV_EXIT_NONE] = "NONE",
		[SVMHV_EXIT_IO] = "IO",
		[SVMHV_EXIT_MMIO] = "MMIO",
		[SVMHV_EXIT_HLT] = "HLT",
		[SVMHV_EXIT_SHUTDOWN] = "SHUTDOWN",
		[SVMHV_EXIT_HYPERCALL] = "HYPERCALL",
		[SVMHV_EXIT_FAIL_ENTRY] = "FAIL_ENTRY",
		[SVMHV_EXIT_INTERNAL_ERROR] = "INTERNAL_ERROR",
		[SVMHV_EXIT_UNHANDLED] = "UNHANDLED",
		[SVMHV_EXIT_INTR] = "INTR",
		[SVMHV_EXIT_IRQ_WINDOW_OPEN] = "IRQ_WINDOW_OPEN",
	};

	if (reason < ARRAY_SIZE(names) && names[reason])
		return names[reason];
	return "unknown";
}

/* A one-line description of the exit in @run, for failure messages. */
const char *exit_details(const struct svmhv_run *run)
{
	static char buf[256];

	switch (run->exit_reason) {
	case SVMHV_EXIT_IO:
		snprintf(buf, sizeof(buf),
			 "\nrip %#llx: %s port %#x size %u count %u string %u rep %u",
			 run->rip, run->io.direction == SVMHV_IO_OUT ? "OUT" : "IN",
			 run->io.port, run->io.size, run->io.count,
			 run->io.string, run->io.rep);
		break;
	case SVMHV_EXIT_MMIO:
		snprintf(buf, sizeof(buf),
			 "\nrip %#llx: MMIO %s gpa %#llx len %u data %#llx",
			 run->rip, run->mmio.is_write ? "write" : "read",
			 run->mmio.phys_addr, run->mmio.len,
			 *(const unsigned long long *)run->mmio.data);
		break;
	case SVMHV_EXIT_INTERNAL_ERROR:
		snprintf(buf, sizeof(buf),
			 "\nrip %#llx: suberror %u gpa %#llx svm exit %#llx",
			 run->rip, run->internal.suberror, run->internal.gpa,
			 run->internal.exit_code);
		break;
	case SVMHV_EXIT_UNHANDLED:
		snprintf(buf, sizeof(buf),
			 "\nrip %#llx: svm exit %#llx info1 %#llx info2 %#llx int_info %#llx",
			 run->rip, run->unhandled.exit_code,
			 run->unhandled.exit_info1, run->unhandled.exit_info2,
			 run->unhandled.exit_int_info);
		break;
	case SVMHV_EXIT_FAIL_ENTRY:
		snprintf(buf, sizeof(buf), "\nhardware exit code %#llx",
			 run->fail_entry.hardware_exit_code);
		break;
	default:
		snprintf(buf, sizeof(buf), "\nrip %#llx", run->rip);
		break;
	}
	return buf;
}

bool svmhv_set_fail_vmrun(unsigned int n)
{
	FILE *f = fopen("/sys/module/svmhv/parameters/fail_vmrun", "w");
	bool ok;

	if (!f)
		return false;
	ok = fprintf(f, "%u\n", n) > 0;
	return fclose(f) == 0 && ok;
}

void svmhv_get_stats(int fd, struct svmhv_stats *st)
{
	memset(st, 0xa5, sizeof(*st));
	TEST_ASSERT(!ioctl(fd, SVMHV_GET_STATS, st), "SVMHV_GET_STATS: %s",
		    strerror(errno));
}
