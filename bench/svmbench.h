/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What svmbench.c (the two backends, the runner, the report) shares with
 * svmbench_apic.c (the workloads that need the in-kernel local APICs:
 * ipi, timer, hltwake).
 */
#ifndef SVMBENCH_H
#define SVMBENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Ports of the guest code.  Plain numbers: svmbench_apic.c hands them to
 * the assembler as text.
 */
#define PORT_LOOP	0x500		/* the "out" workload's port */
#define PORT_DONE	0x501		/* every loop ends with OUT here */

/* EXIT_INTR: RUN interrupted by a signal (SIGTERM: a timeout). */
enum exit_kind { EXIT_OUT, EXIT_HLT, EXIT_INTR, EXIT_OTHER };

struct regs {			/* the few registers the workloads use */
	uint64_t rax, rbx, rdx, rsi, rdi, rbp, rsp, rip;
};

/* Descriptor tables for flat32(): interrupts need a GDT and an IDT. */
struct dtables {
	uint64_t gdt_base, idt_base;
	uint16_t gdt_limit, idt_limit;
};

/* --stats: a hypervisor's own exit counters for a VM, by its names. */
#define MAX_STATS	10
struct vm_stats {
	int n;
	const char *name[MAX_STATS];
	uint64_t val[MAX_STATS];
};

/* One vCPU of a VM (two vCPUs of one VM share fd). */
struct vm {
	int fd, vcpu;
	unsigned int id;	/* vCPU id, for create_vcpu */
	void *run;		/* mmap'd struct svmhv_run / kvm_run */
	size_t run_size;
	uint16_t port;		/* of the last EXIT_OUT */
	unsigned int raw_reason;
};

struct backend {
	const char *name;
	const char *dev;
	int (*create_vm)(int sys, struct vm *vm);
	/* In-kernel local APICs for every vCPU; before the first vCPU. */
	int (*enable_lapic)(struct vm *vm);
	int (*set_region)(struct vm *vm, unsigned int slot, uint64_t gpa,
			  uint64_t size, void *host);
	/* The region again, with dirty logging on. */
	int (*log_dirty)(struct vm *vm, unsigned int slot, uint64_t gpa,
			 uint64_t size, void *host);
	int (*get_dirty_log)(struct vm *vm, unsigned int slot, void *bitmap);
	int (*create_vcpu)(int sys, struct vm *vm);	/* vCPU vm->id */
	/* Protected mode, no paging; dt NULL: no descriptor tables. */
	int (*flat32)(struct vm *vm, const struct dtables *dt);
	/* With in-kernel APICs: out of wait-for-SIPI, without a SIPI. */
	int (*set_runnable)(struct vm *vm);
	int (*set_regs)(struct vm *vm, const struct regs *r);
	int (*get_regs)(struct vm *vm, struct regs *r);
	enum exit_kind (*run)(struct vm *vm);
	/* Counters of the whole VM; n = 0 if there are none to read. */
	void (*stats)(struct vm *vm, struct vm_stats *s);
	/* In-kernel APICs: print the vCPU's state (RIP, MP state, APIC). */
	void (*dump)(struct vm *vm);
};

extern const struct backend *be;
extern int sys_fd;
extern bool want_stats;

void die(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
void *map_ram(size_t size, bool thp);
double now_s(void);
uint64_t scaled(uint64_t emulated);
void report(const char *workload, uint64_t ops, double secs, uint64_t tsc);
void report_stats(const char *workload, uint64_t ops,
		  const struct vm_stats *before, const struct vm_stats *after);

/* svmbench_apic.c */
void bench_ipi(uint64_t n);
void bench_timer(bool halt, uint64_t n);

#endif /* SVMBENCH_H */
