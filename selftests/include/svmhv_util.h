/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Host-side library for svmhv selftests, after
 * tools/testing/selftests/kvm/include/kvm_util.h.
 *
 * vm_create() opens /dev/svmhv, creates a VM, backs guest physical
 * [0, ram_size) with anonymous memory (slot 0), copies the PT_LOAD segments
 * of the running test binary (/proc/self/exe, a non-PIE executable) to
 * guest physical == virtual addresses, and builds what a 64-bit guest needs:
 * identity page tables for the first 4 GiB, a GDT with a TSS and an IDT
 * whose every vector enters lib/handlers.S.  vcpu_create() then starts a C
 * function of the test binary in long mode on its own stack.
 *
 * Guest copies of globals are separate from the host's: the guest sees the
 * values of the ELF file, and the host reaches the guest's copy with
 * GUEST_VAR() or sync_global_to_guest()/sync_global_from_guest().
 */
#ifndef SELFTEST_SVMHV_UTIL_H
#define SELFTEST_SVMHV_UTIL_H

#include <stdint.h>
#include <stdbool.h>
#include <string.h>

#include <svmhv.h>

#include "test_util.h"
#include "processor.h"
#include "ucall.h"

#define SVMHV_DEV		"/dev/svmhv"
#define DEFAULT_GUEST_RAM	(32 * MiB)
#define GUEST_STACK_SIZE	(64 * KiB)

struct svmhv_vm;

struct svmhv_vcpu {
	struct svmhv_vm *vm;
	uint32_t id;
	int fd;
	struct svmhv_run *run;		/* mmap of the vCPU fd */
	uint64_t stack_top_gpa;		/* 0 for vcpu_create_reset() vCPUs */
};

struct svmhv_slot {
	bool used;
	uint32_t flags;
	uint64_t gpa;
	uint64_t size;
	void *hva;
};

struct svmhv_vm {
	int sys_fd;
	int fd;
	void *ram;			/* slot 0: guest physical [0, ram_size) */
	uint64_t ram_size;
	uint64_t alloc_next;		/* vm_alloc() bump pointer (GPA) */
	uint64_t image_end;		/* end of the loaded test binary (GPA) */
	struct svmhv_slot slots[SVMHV_MAX_MEM_SLOTS];
	struct svmhv_vcpu *vcpus[SVMHV_MAX_VCPUS];
};

/* /dev/svmhv */
int svmhv_open_sys(void);	/* asserts success */

/* VM lifecycle */
struct svmhv_vm *vm_create(uint64_t ram_size);
struct svmhv_vm *vm_create_with_one_vcpu(struct svmhv_vcpu **vcpu,
					 void *guest_code);
void vm_free(struct svmhv_vm *vm);

/* Guest physical memory */
int __vm_set_memory_region(struct svmhv_vm *vm, uint32_t slot, uint32_t flags,
			   uint64_t gpa, uint64_t size, void *hva);
void vm_set_memory_region(struct svmhv_vm *vm, uint32_t slot, uint32_t flags,
			  uint64_t gpa, uint64_t size, void *hva);
void *addr_gpa2hva(struct svmhv_vm *vm, uint64_t gpa);
uint64_t addr_gva2gpa(struct svmhv_vm *vm, uint64_t cr3, uint64_t gva);
uint64_t vm_alloc(struct svmhv_vm *vm, uint64_t size, uint64_t align);

/* The guest's copy of a global of the test binary. */
#define GUEST_VAR(vm, g)						\
	(*(typeof(&(g)))addr_gpa2hva(vm, (uint64_t)(uintptr_t)&(g)))
#define sync_global_to_guest(vm, g)	(GUEST_VAR(vm, g) = (g))
#define sync_global_from_guest(vm, g)	((g) = GUEST_VAR(vm, g))

/* vCPUs */
struct svmhv_vcpu *vcpu_create(struct svmhv_vm *vm, uint32_t id,
			       void *guest_code);
struct svmhv_vcpu *vcpu_create_reset(struct svmhv_vm *vm, uint32_t id);
void vcpu_args_set(struct svmhv_vcpu *vcpu, unsigned int n, ...);
int _vcpu_run(struct svmhv_vcpu *vcpu);	/* ioctl's return, errno kept */
void vcpu_run(struct svmhv_vcpu *vcpu);	/* retries EINTR, asserts 0 */
void vcpu_regs_get(struct svmhv_vcpu *vcpu, struct svmhv_regs *regs);
void vcpu_regs_set(struct svmhv_vcpu *vcpu, const struct svmhv_regs *regs);
void vcpu_sregs_get(struct svmhv_vcpu *vcpu, struct svmhv_sregs *sregs);
void vcpu_sregs_set(struct svmhv_vcpu *vcpu, const struct svmhv_sregs *sregs);
void vcpu_init_long_mode_sregs(struct svmhv_vcpu *vcpu);

void vm_install_exception_handler(struct svmhv_vm *vm, int vector,
				  guest_exception_handler_t handler);

/* Exit checks */
const char *exit_reason_str(uint32_t reason);
#define TEST_ASSERT_EXIT_REASON(vcpu, expected) do {			\
	uint32_t __r = (vcpu)->run->exit_reason;			\
	TEST_ASSERT(__r == (expected),					\
		    "exit reason %u (%s), expected %u (%s)%s",		\
		    __r, exit_reason_str(__r), (expected),		\
		    exit_reason_str(expected),				\
		    exit_details((vcpu)->run));				\
} while (0)
const char *exit_details(const struct svmhv_run *run);

/* ---- pieces vm_create() is made of, exposed for lib_unit_test ------------ */

struct elf_segment {
	uint64_t vaddr;
	uint64_t filesz;
	uint64_t memsz;
	uint64_t offset;
};
#define ELF_MAX_SEGMENTS	16

/* Parse a non-PIE x86-64 ELF executable; returns the number of PT_LOAD
 * segments (>= 1) or fails the test. */
int elf_read_load_segments(int fd, struct elf_segment *segs, int max);
/* Copy the PT_LOAD segments of @path into guest memory at their vaddr;
 * returns the end of the highest one. */
uint64_t vm_load_elf(struct svmhv_vm *vm, const char *path);

void virt_build_identity_map(void *pml4, void *pdpt, void *pd,
			     uint64_t pdpt_gpa, uint64_t pd_gpa);
void gdt_build(void *gdt, uint64_t tss_gpa);
void idt_build(void *idt, const uint64_t *stubs);

/*
 * Make the next n VMRUNs fail (the module's fail_vmrun test hook, root
 * only).  False if the parameter cannot be written.
 */
bool svmhv_set_fail_vmrun(unsigned int n);

/* SVMHV_GET_STATS of a VM or vCPU fd into @st (poisoned first, so a field
 * the module left alone shows); fails the test if the ioctl does. */
void svmhv_get_stats(int fd, struct svmhv_stats *st);

#endif /* SELFTEST_SVMHV_UTIL_H */
