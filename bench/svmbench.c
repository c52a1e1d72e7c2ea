// SPDX-License-Identifier: GPL-2.0
/*
 * svmbench: the same guest workloads under svmhv and under KVM, timed
 * from the host with CLOCK_MONOTONIC.  One program, two backends: the
 * svmhv ioctls of uapi/svmhv.h and the KVM API of <linux/kvm.h>.  Both
 * run identical guest code bytes (guest_code[] below) in 32-bit protected
 * mode with paging off and flat segments -- the simplest state both
 * hypervisors accept without any guest page tables or descriptor tables.
 * The local APIC workloads (svmbench_apic.c) add a GDT, an IDT and the
 * in-kernel APICs of both (svmhv: SVMHV_ENABLE_LAPIC; KVM:
 * KVM_CREATE_IRQCHIP); their guest code is GNU assembler, the same bytes
 * for both again.
 *
 *   svmbench run --backend svmhv|kvm [--round N] [--quick] [--hw] [--thp]
 *                [--only cpuid|out|hlt|ipi|timer|hltwake|touch|dirtylog|
 *                        lifecycle]
 *                [--label NAME] [--stats]
 *       run every workload (or one) once, print one "BENCH ..." line per
 *       number (--label: another name than the backend's, e.g. to compare
 *       two builds of svmhv.ko; report only reads "svmhv" and "kvm");
 *       --stats: after the loop workloads also a "STATS ..." line, the
 *       hypervisor's own exit counters per operation (svmhv: its
 *       SVMHV_GET_STATS; KVM: its debugfs directory, where mounted)
 *   svmbench report [--hw|--icount] [--json FILE] [FILE...]
 *       read BENCH lines (files or stdin), print the comparison table
 *       (min/median/max over rounds, ratio svmhv/kvm) and write JSON;
 *       --icount: the figures come from QEMU with -icount shift=0, where
 *       1e9/rate is instructions per operation (also printed)
 *
 * Workloads (rates: higher is better):
 *   cpuid       N x CPUID in a guest loop: exits handled in the kernel
 *   out         N x OUT to a port: each exits to this process and back
 *   hlt         N x HLT: each returns from RUN with a HLT exit
 *   ipi         N IPI round trips between two vCPUs (a thread each):
 *               vCPU 0 sends a fixed IPI through the x2APIC ICR and waits
 *               in STI;HLT, vCPU 1 (in HLT too) EOIs and sends one back
 *   timer       N LAPIC timer interrupts, one-shot with count 1, re-armed
 *               by the handler, the guest spinning in between
 *   hltwake     N x (arm that timer; STI;HLT), each HLT woken by it;
 *               the interrupt is due by the time the HLT exits, so
 *               neither hypervisor sleeps (ipi has the real sleeps)
 *   touch1      one byte written per 4 KiB page over 256 MiB of fresh
 *               guest RAM: one nested page fault per page
 *   touch2      the same pages again, four passes: no faults
 *   touch1-thp  (--thp) touch1 with the host's transparent huge pages
 *               left on: KVM then maps 2 MiB nested pages
 *   dirtylog-write   (dirty logging on a 1 GiB slot) the guest rewrites
 *               10% of its pages, each write a write-protection fault
 *   dirtylog-harvest one GET_DIRTY_LOG after such a pass: returns and
 *               clears the log, write-protects those pages again
 *   lifecycle   create VM + vCPU + 64 MiB region, run to the first exit,
 *               destroy
 * The guest reads the TSC before and after its loop and leaves both in
 * registers, so on real hardware (--hw) the table also gives cycles per
 * exit as the guest saw them.  On QEMU's emulated CPU (TCG) the TSC and
 * the wall clock measure host instructions executed by the emulator,
 * not hardware latency: only ratios between the two hypervisors in the
 * same boot mean something there.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "svmhv.h"
#include "svmbench.h"

#define PAGE		4096ul
#define MiB		(1024ul * 1024)

/* Guest physical layout (both backends). */
#define CODE_GPA	0x0ul		/* slot 0: code, 1 MiB */
#define CODE_SIZE	(1 * MiB)
#define CODE_OFF	0x1000ul	/* guest_code[] is copied here */
#define TOUCH_GPA	0x10000000ul	/* slot 1: 256 MiB for the touch test */
#define TOUCH_SIZE	(256 * MiB)
#define LIFE_SIZE	(64 * MiB)	/* lifecycle: slot 0 is this big */

/*
 * Guest code, 32-bit, hand-assembled so that both hypervisors run the
 * very same bytes (no assembler at build time, nothing to drift).  Every
 * loop counts ESI down to zero, keeps the starting TSC in EBP:EDI and ends
 * with the final TSC in EBX:EAX and an OUT to PORT_DONE, where the runner
 * reads the registers.
 */
#define RDTSC_START	0x0f, 0x31, 0x89, 0xc7, 0x89, 0xd5 /* rdtsc; mov edi,eax; mov ebp,edx */
#define DONE		0x0f, 0x31, 0x89, 0xd3, 0x66, 0xba, PORT_DONE & 0xff, \
			PORT_DONE >> 8, 0xee
			/* rdtsc; mov ebx,edx; mov dx,PORT_DONE; out dx,al */
#define DONE_LEN	9
enum {
	ENTRY_CPUID = 0,
	ENTRY_OUT = ENTRY_CPUID + 6 + 7 + DONE_LEN,
	ENTRY_HLT = ENTRY_OUT + 6 + 4 + 4 + DONE_LEN,
	ENTRY_TOUCH = ENTRY_HLT + 6 + 4 + DONE_LEN,
	ENTRY_FIRST_EXIT = ENTRY_TOUCH + 6 + 11 + DONE_LEN,
	GUEST_CODE_LEN = ENTRY_FIRST_EXIT + 1,
};

static const unsigned char guest_code[GUEST_CODE_LEN] = {
	/* ENTRY_CPUID: */
	RDTSC_START,
	0x31, 0xc0,			/* 1: xor eax,eax   (leaf 0) */
	0x0f, 0xa2,			/*    cpuid */
	0x4e,				/*    dec esi */
	0x75, 0xf9,			/*    jnz 1b */
	DONE,
	/* ENTRY_OUT: */
	RDTSC_START,
	0x66, 0xba, PORT_LOOP & 0xff, PORT_LOOP >> 8,	/* mov dx,PORT_LOOP */
	0xee,				/* 1: out dx,al */
	0x4e,				/*    dec esi */
	0x75, 0xfc,			/*    jnz 1b */
	DONE,
	/* ENTRY_HLT: */
	RDTSC_START,
	0xf4,				/* 1: hlt */
	0x4e,				/*    dec esi */
	0x75, 0xfc,			/*    jnz 1b */
	DONE,
	/* ENTRY_TOUCH: EBX = first byte, ESI = pages */
	RDTSC_START,
	0x88, 0x03,			/* 1: mov [ebx],al */
	0x81, 0xc3, 0x00, 0x10, 0x00, 0x00, /* add ebx,4096 */
	0x4e,				/*    dec esi */
	0x75, 0xf5,			/*    jnz 1b */
	DONE,
	/* ENTRY_FIRST_EXIT: */
	0xf4,				/* hlt */
};

/* ---- backends (struct backend: svmbench.h) ------------------------------ */

void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("svmbench: ", stderr);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static int xioctl(int fd, unsigned long req, void *arg, const char *what)
{
	int ret = ioctl(fd, req, arg);

	if (ret < 0)
		die("%s: %s", what, strerror(errno));
	return ret;
}

/* svmhv */

static int svmhv_create_vm(int sys, struct vm *vm)
{
	vm->fd = xioctl(sys, SVMHV_CREATE_VM, 0, "SVMHV_CREATE_VM");
	return 0;
}

static int svmhv_enable_lapic(struct vm *vm)
{
	return xioctl(vm->fd, SVMHV_ENABLE_LAPIC, 0, "SVMHV_ENABLE_LAPIC");
}

static int svmhv_set_region(struct vm *vm, unsigned int slot, uint64_t gpa,
			    uint64_t size, void *host)
{
	struct svmhv_memory_region r = {
		.slot = slot, .guest_phys_addr = gpa, .memory_size = size,
		.userspace_addr = (uintptr_t)host,
	};

	return xioctl(vm->fd, SVMHV_SET_MEMORY_REGION, &r,
		      "SVMHV_SET_MEMORY_REGION");
}

static int svmhv_log_dirty(struct vm *vm, unsigned int slot, uint64_t gpa,
			   uint64_t size, void *host)
{
	struct svmhv_memory_region r = {
		.slot = slot, .flags = SVMHV_MEM_LOG_DIRTY,
		.guest_phys_addr = gpa, .memory_size = size,
		.userspace_addr = (uintptr_t)host,
	};

	return xioctl(vm->fd, SVMHV_SET_MEMORY_REGION, &r,
		      "SVMHV_SET_MEMORY_REGION (SVMHV_MEM_LOG_DIRTY)");
}

static int svmhv_get_dirty_log(struct vm *vm, unsigned int slot, void *bitmap)
{
	struct svmhv_dirty_log log = { .slot = slot,
				       .bitmap = (uintptr_t)bitmap };

	return xioctl(vm->fd, SVMHV_GET_DIRTY_LOG, &log, "SVMHV_GET_DIRTY_LOG");
}

static int svmhv_create_vcpu(int sys, struct vm *vm)
{
	(void)sys;
	vm->vcpu = xioctl(vm->fd, SVMHV_CREATE_VCPU, (void *)(uintptr_t)vm->id,
			  "SVMHV_CREATE_VCPU");
	vm->run_size = SVMHV_RUN_SIZE;
	vm->run = mmap(NULL, vm->run_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		       vm->vcpu, 0);
	if (vm->run == MAP_FAILED)
		die("mmap svmhv run: %s", strerror(errno));
	return 0;
}

static void svmhv_flat_seg(struct svmhv_segment *s, uint16_t sel,
			   uint8_t type)
{
	*s = (struct svmhv_segment){
		.base = 0, .limit = 0xffffffff, .selector = sel, .type = type,
		.s = 1, .present = 1, .db = 1, .g = 1,
	};
}

static int svmhv_flat32(struct vm *vm, const struct dtables *dt)
{
	struct svmhv_sregs sr;

	xioctl(vm->vcpu, SVMHV_GET_SREGS, &sr, "SVMHV_GET_SREGS");
	svmhv_flat_seg(&sr.cs, 0x08, 0xb);
	svmhv_flat_seg(&sr.ds, 0x10, 0x3);
	sr.es = sr.fs = sr.gs = sr.ss = sr.ds;
	sr.cr0 = 0x11;			/* PE | ET */
	if (dt) {
		sr.gdt.base = dt->gdt_base;
		sr.gdt.limit = dt->gdt_limit;
		sr.idt.base = dt->idt_base;
		sr.idt.limit = dt->idt_limit;
	}
	return xioctl(vm->vcpu, SVMHV_SET_SREGS, &sr, "SVMHV_SET_SREGS");
}

static int svmhv_set_runnable(struct vm *vm)
{
	struct svmhv_mp_state mp = { .state = SVMHV_MP_STATE_RUNNABLE };

	return xioctl(vm->vcpu, SVMHV_SET_MP_STATE, &mp, "SVMHV_SET_MP_STATE");
}

static int svmhv_set_regs(struct vm *vm, const struct regs *r)
{
	struct svmhv_regs g = {
		.rax = r->rax, .rbx = r->rbx, .rdx = r->rdx, .rsi = r->rsi,
		.rdi = r->rdi, .rbp = r->rbp, .rsp = r->rsp, .rip = r->rip,
		.rflags = 2,
	};

	return xioctl(vm->vcpu, SVMHV_SET_REGS, &g, "SVMHV_SET_REGS");
}

static int svmhv_get_regs(struct vm *vm, struct regs *r)
{
	struct svmhv_regs g;

	xioctl(vm->vcpu, SVMHV_GET_REGS, &g, "SVMHV_GET_REGS");
	*r = (struct regs){
		.rax = g.rax, .rbx = g.rbx, .rdx = g.rdx, .rsi = g.rsi,
		.rdi = g.rdi, .rbp = g.rbp, .rsp = g.rsp, .rip = g.rip,
	};
	return 0;
}

static enum exit_kind svmhv_run(struct vm *vm)
{
	struct svmhv_run *run = vm->run;

	if (ioctl(vm->vcpu, SVMHV_RUN, 0) < 0) {
		if (errno == EINTR)
			return EXIT_INTR;
		die("SVMHV_RUN: %s", strerror(errno));
	}
	vm->raw_reason = run->exit_reason;
	if (run->exit_reason == SVMHV_EXIT_HLT)
		return EXIT_HLT;
	if (run->exit_reason == SVMHV_EXIT_IO &&
	    run->io.direction == SVMHV_IO_OUT) {
		vm->port = run->io.port;
		return EXIT_OUT;
	}
	return EXIT_OTHER;
}

static void svmhv_stats(struct vm *vm, struct vm_stats *s)
{
	struct svmhv_stats st;

	xioctl(vm->fd, SVMHV_GET_STATS, &st, "SVMHV_GET_STATS");
	*s = (struct vm_stats){ 8,
		{ "exits", "userspace_exits", "io_exits", "hlt_exits",
		  "msr_exits", "host_event_exits", "irq_window_exits",
		  "injected_events" },
		{ st.exits, st.userspace_exits, st.io_exits, st.hlt_exits,
		  st.msr_exits, st.host_event_exits, st.irq_window_exits,
		  st.injected_events } };
}

/*
 * The registers of an APIC page in xAPIC layout (both hypervisors' GET
 * ioctls give them so), those that tell why a vCPU waits: IRR and ISR
 * (as 256-bit numbers, highest word first), the timer, SVR, LINT0.
 */
static void dump_apic(const unsigned char *regs)
{
	uint32_t r[0x40];
	int i;

	for (i = 0; i < 0x40; i++)
		memcpy(&r[i], regs + i * 16, 4);
	fprintf(stderr, "  IRR");
	for (i = 7; i >= 0; i--)
		fprintf(stderr, " %08x", r[0x20 + i]);
	fprintf(stderr, "\n  ISR");
	for (i = 7; i >= 0; i--)
		fprintf(stderr, " %08x", r[0x10 + i]);
	fprintf(stderr, "\n  SVR %#x LVT0 %#x LVTT %#x TMICT %u TMCCT %u TDCR %#x\n",
		r[0xf], r[0x35], r[0x32], r[0x38], r[0x39], r[0x3e]);
}

static void svmhv_dump(struct vm *vm)
{
	struct svmhv_lapic_state ls;
	struct svmhv_mp_state mp;
	struct svmhv_regs g;

	xioctl(vm->vcpu, SVMHV_GET_REGS, &g, "SVMHV_GET_REGS");
	xioctl(vm->vcpu, SVMHV_GET_MP_STATE, &mp, "SVMHV_GET_MP_STATE");
	xioctl(vm->vcpu, SVMHV_GET_LAPIC, &ls, "SVMHV_GET_LAPIC");
	fprintf(stderr, "svmhv vCPU %u: rip %#llx rflags %#llx esi %llu mp_state %u apic_base %#llx timer_ns_left %llu\n",
		vm->id, (unsigned long long)g.rip, (unsigned long long)g.rflags,
		(unsigned long long)g.rsi, mp.state,
		(unsigned long long)ls.apic_base,
		(unsigned long long)ls.timer_ns_left);
	dump_apic(ls.regs);
}

/* KVM */

static struct kvm_cpuid2 *kvm_cpuid;	/* KVM_GET_SUPPORTED_CPUID, once */

static int kvm_create_vm(int sys, struct vm *vm)
{
	vm->fd = xioctl(sys, KVM_CREATE_VM, 0, "KVM_CREATE_VM");
	return 0;
}

/*
 * The in-kernel irqchip: local APICs, and also the 8259s and the I/O
 * APIC, which the APIC workloads never touch.
 */
static int kvm_enable_lapic(struct vm *vm)
{
	return xioctl(vm->fd, KVM_CREATE_IRQCHIP, 0, "KVM_CREATE_IRQCHIP");
}

static int kvm_set_region(struct vm *vm, unsigned int slot, uint64_t gpa,
			  uint64_t size, void *host)
{
	struct kvm_userspace_memory_region r = {
		.slot = slot, .guest_phys_addr = gpa, .memory_size = size,
		.userspace_addr = (uintptr_t)host,
	};

	return xioctl(vm->fd, KVM_SET_USER_MEMORY_REGION, &r,
		      "KVM_SET_USER_MEMORY_REGION");
}

static int kvm_log_dirty(struct vm *vm, unsigned int slot, uint64_t gpa,
			 uint64_t size, void *host)
{
	struct kvm_userspace_memory_region r = {
		.slot = slot, .flags = KVM_MEM_LOG_DIRTY_PAGES,
		.guest_phys_addr = gpa, .memory_size = size,
		.userspace_addr = (uintptr_t)host,
	};

	return xioctl(vm->fd, KVM_SET_USER_MEMORY_REGION, &r,
		      "KVM_SET_USER_MEMORY_REGION (KVM_MEM_LOG_DIRTY_PAGES)");
}

static int kvm_get_dirty_log(struct vm *vm, unsigned int slot, void *bitmap)
{
	struct kvm_dirty_log log = { .slot = slot, .dirty_bitmap = bitmap };

	return xioctl(vm->fd, KVM_GET_DIRTY_LOG, &log, "KVM_GET_DIRTY_LOG");
}

static int kvm_create_vcpu(int sys, struct vm *vm)
{
	int size;

	vm->vcpu = xioctl(vm->fd, KVM_CREATE_VCPU, (void *)(uintptr_t)vm->id,
			  "KVM_CREATE_VCPU");
	size = xioctl(sys, KVM_GET_VCPU_MMAP_SIZE, 0, "KVM_GET_VCPU_MMAP_SIZE");
	vm->run_size = size;
	vm->run = mmap(NULL, vm->run_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		       vm->vcpu, 0);
	if (vm->run == MAP_FAILED)
		die("mmap kvm run: %s", strerror(errno));
	/*
	 * Every real VMM gives its vCPUs a CPUID table; without one KVM
	 * answers CPUID from an empty table, a path no VMM exercises.
	 */
	if (!kvm_cpuid) {
		int n = 100;

		kvm_cpuid = calloc(1, sizeof(*kvm_cpuid) +
				   n * sizeof(struct kvm_cpuid_entry2));
		if (!kvm_cpuid)
			die("out of memory");
		kvm_cpuid->nent = n;
		xioctl(sys, KVM_GET_SUPPORTED_CPUID, kvm_cpuid,
		       "KVM_GET_SUPPORTED_CPUID");
	}
	return xioctl(vm->vcpu, KVM_SET_CPUID2, kvm_cpuid, "KVM_SET_CPUID2");
}

static void kvm_flat_seg(struct kvm_segment *s, uint16_t sel, uint8_t type)
{
	*s = (struct kvm_segment){
		.base = 0, .limit = 0xffffffff, .selector = sel, .type = type,
		.s = 1, .present = 1, .db = 1, .g = 1,
	};
}

static int kvm_flat32(struct vm *vm, const struct dtables *dt)
{
	struct kvm_sregs sr;

	xioctl(vm->vcpu, KVM_GET_SREGS, &sr, "KVM_GET_SREGS");
	kvm_flat_seg(&sr.cs, 0x08, 0xb);
	kvm_flat_seg(&sr.ds, 0x10, 0x3);
	sr.es = sr.fs = sr.gs = sr.ss = sr.ds;
	sr.cr0 = 0x11;			/* PE | ET */
	if (dt) {
		sr.gdt.base = dt->gdt_base;
		sr.gdt.limit = dt->gdt_limit;
		sr.idt.base = dt->idt_base;
		sr.idt.limit = dt->idt_limit;
	}
	return xioctl(vm->vcpu, KVM_SET_SREGS, &sr, "KVM_SET_SREGS");
}

/*
 * With an in-kernel irqchip every vCPU but the BSP starts in
 * wait-for-SIPI (KVM_MP_STATE_UNINITIALIZED).
 */
static int kvm_set_runnable(struct vm *vm)
{
	struct kvm_mp_state mp = { .mp_state = KVM_MP_STATE_RUNNABLE };

	return xioctl(vm->vcpu, KVM_SET_MP_STATE, &mp, "KVM_SET_MP_STATE");
}

static int kvm_set_regs(struct vm *vm, const struct regs *r)
{
	struct kvm_regs g = {
		.rax = r->rax, .rbx = r->rbx, .rdx = r->rdx, .rsi = r->rsi,
		.rdi = r->rdi, .rbp = r->rbp, .rsp = r->rsp, .rip = r->rip,
		.rflags = 2,
	};

	return xioctl(vm->vcpu, KVM_SET_REGS, &g, "KVM_SET_REGS");
}

static int kvm_get_regs(struct vm *vm, struct regs *r)
{
	struct kvm_regs g;

	xioctl(vm->vcpu, KVM_GET_REGS, &g, "KVM_GET_REGS");
	*r = (struct regs){
		.rax = g.rax, .rbx = g.rbx, .rdx = g.rdx, .rsi = g.rsi,
		.rdi = g.rdi, .rbp = g.rbp, .rsp = g.rsp, .rip = g.rip,
	};
	return 0;
}

/*
 * KVM's per-VM debugfs directory (the sums over its vCPUs), where
 * kvm_stat reads them: no MSR counter there, but irq_exits (host
 * interrupts), halt_successful_poll (HLTs that ended while KVM polled
 * for an event instead of sleeping) and halt_wakeup (HLTs that slept).
 */
static void kvm_stats(struct vm *vm, struct vm_stats *s)
{
	static const char *const names[] = {
		"exits", "io_exits", "halt_exits", "halt_successful_poll",
		"halt_wakeup", "irq_exits", "irq_window_exits",
		"irq_injections", "insn_emulation",
	};
	char path[96];
	unsigned int i;

	_Static_assert(sizeof(names) / sizeof(names[0]) <= MAX_STATS,
		       "struct vm_stats too small");
	s->n = 0;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		unsigned long long v;
		FILE *f;
		int ok;

		snprintf(path, sizeof(path), "/sys/kernel/debug/kvm/%d-%d/%s",
			 (int)getpid(), vm->fd, names[i]);
		f = fopen(path, "r");
		if (!f)
			return;		/* no debugfs: no counters at all */
		ok = fscanf(f, "%llu", &v) == 1;
		fclose(f);
		if (!ok)
			return;
		s->name[s->n] = names[i];
		s->val[s->n++] = v;
	}
}

static enum exit_kind kvm_run(struct vm *vm)
{
	struct kvm_run *run = vm->run;

	if (ioctl(vm->vcpu, KVM_RUN, 0) < 0) {
		if (errno == EINTR)
			return EXIT_INTR;
		die("KVM_RUN: %s", strerror(errno));
	}
	vm->raw_reason = run->exit_reason;
	if (run->exit_reason == KVM_EXIT_HLT)
		return EXIT_HLT;
	if (run->exit_reason == KVM_EXIT_IO &&
	    run->io.direction == KVM_EXIT_IO_OUT) {
		vm->port = run->io.port;
		return EXIT_OUT;
	}
	return EXIT_OTHER;
}

static void kvm_dump(struct vm *vm)
{
	struct kvm_lapic_state ls;
	struct kvm_mp_state mp;
	struct kvm_regs g;

	xioctl(vm->vcpu, KVM_GET_REGS, &g, "KVM_GET_REGS");
	xioctl(vm->vcpu, KVM_GET_MP_STATE, &mp, "KVM_GET_MP_STATE");
	xioctl(vm->vcpu, KVM_GET_LAPIC, &ls, "KVM_GET_LAPIC");
	fprintf(stderr, "kvm vCPU %u: rip %#llx rflags %#llx esi %llu mp_state %u\n",
		vm->id, (unsigned long long)g.rip, (unsigned long long)g.rflags,
		(unsigned long long)g.rsi, mp.mp_state);
	dump_apic((const unsigned char *)ls.regs);
}

static const struct backend backends[] = {
	{
		.name = "svmhv", .dev = "/dev/svmhv",
		.create_vm = svmhv_create_vm,
		.enable_lapic = svmhv_enable_lapic,
		.set_region = svmhv_set_region,
		.log_dirty = svmhv_log_dirty,
		.get_dirty_log = svmhv_get_dirty_log,
		.create_vcpu = svmhv_create_vcpu,
		.flat32 = svmhv_flat32,
		.set_runnable = svmhv_set_runnable,
		.set_regs = svmhv_set_regs,
		.get_regs = svmhv_get_regs,
		.run = svmhv_run,
		.stats = svmhv_stats,
		.dump = svmhv_dump,
	}, {
		.name = "kvm", .dev = "/dev/kvm",
		.create_vm = kvm_create_vm,
		.enable_lapic = kvm_enable_lapic,
		.set_region = kvm_set_region,
		.log_dirty = kvm_log_dirty,
		.get_dirty_log = kvm_get_dirty_log,
		.create_vcpu = kvm_create_vcpu,
		.flat32 = kvm_flat32,
		.set_runnable = kvm_set_runnable,
		.set_regs = kvm_set_regs,
		.get_regs = kvm_get_regs,
		.run = kvm_run,
		.stats = kvm_stats,
		.dump = kvm_dump,
	},
};

/* ---- workloads -------------------------------------------------------- */

const struct backend *be;
int sys_fd;
bool want_stats;		/* --stats */
static int round_no = 1;
static bool quick, hw, thp, icount;
static const char *only;	/* --only: one group of workloads */
static const char *label;	/* --label: name printed instead of be->name */

static bool selected(const char *group)
{
	return !only || !strcmp(only, group);
}

double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

void *map_ram(size_t size, bool thp)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (p == MAP_FAILED)
		die("mmap %zu bytes: %s", size, strerror(errno));
	/*
	 * Debian's kernel has THP "always": KVM would then map 2 MiB nested
	 * pages and fault 512x less, svmhv maps 4 KiB only.  The 4 KiB
	 * numbers compare the fault paths themselves; "touch1-thp" shows
	 * what the host's default gives each.
	 */
	if (!thp && madvise(p, size, MADV_NOHUGEPAGE))
		die("madvise: %s", strerror(errno));
	return p;
}

struct guest {
	struct vm vm;
	void *code;
	void *touch;
};

static void guest_create(struct guest *g, size_t code_size, bool touch,
			 bool thp)
{
	memset(g, 0, sizeof(*g));
	be->create_vm(sys_fd, &g->vm);
	g->code = map_ram(code_size, false);
	memcpy((char *)g->code + CODE_OFF, guest_code, sizeof(guest_code));
	be->set_region(&g->vm, 0, CODE_GPA, code_size, g->code);
	if (touch) {
		g->touch = map_ram(TOUCH_SIZE, thp);
		be->set_region(&g->vm, 1, TOUCH_GPA, TOUCH_SIZE, g->touch);
	}
	be->create_vcpu(sys_fd, &g->vm);
	be->flat32(&g->vm, NULL);
}

static void guest_destroy(struct guest *g, size_t code_size)
{
	munmap(g->vm.run, g->vm.run_size);
	close(g->vm.vcpu);
	close(g->vm.fd);
	munmap(g->code, code_size);
	if (g->touch)
		munmap(g->touch, TOUCH_SIZE);
}

static void start(struct guest *g, unsigned int entry, uint64_t n,
		  uint64_t rbx)
{
	struct regs r = { .rip = CODE_GPA + CODE_OFF + entry, .rsi = n,
			  .rbx = rbx };

	be->set_regs(&g->vm, &r);
}

static void unexpected(struct guest *g, const char *where)
{
	struct regs r;

	be->get_regs(&g->vm, &r);
	die("%s: %s: unexpected exit (reason %u, rip %#llx)", be->name, where,
	    g->vm.raw_reason, (unsigned long long)r.rip);
}

/* Run until the guest's OUT to PORT_DONE; counts OUTs to PORT_LOOP and
 * HLTs on the way.  Returns the guest's TSC delta.
 */
static uint64_t run_to_done(struct guest *g, const char *what,
			    uint64_t *outs, uint64_t *hlts)
{
	struct regs r;

	for (;;) {
		enum exit_kind k = be->run(&g->vm);

		if (k == EXIT_OUT && g->vm.port == PORT_DONE)
			break;
		if (k == EXIT_OUT && g->vm.port == PORT_LOOP && outs)
			++*outs;
		else if (k == EXIT_HLT && hlts)
			++*hlts;
		else
			unexpected(g, what);
	}
	be->get_regs(&g->vm, &r);
	if (r.rsi != 0)
		die("%s: %s: guest loop stopped with ESI=%llu", be->name, what,
		    (unsigned long long)r.rsi);
	return ((r.rbx << 32) | (uint32_t)r.rax) -
	       ((r.rbp << 32) | (uint32_t)r.rdi);
}

void report(const char *workload, uint64_t ops, double secs, uint64_t tsc)
{
	printf("BENCH backend=%s round=%d workload=%s ops=%llu ns=%llu tsc=%llu\n",
	       label ? label : be->name, round_no, workload, (unsigned long long)ops,
	       (unsigned long long)(secs * 1e9), (unsigned long long)tsc);
	fflush(stdout);
}

/* --stats: what the hypervisor counted per operation of the timed run. */
void report_stats(const char *workload, uint64_t ops,
		  const struct vm_stats *before, const struct vm_stats *after)
{
	int i;

	if (!after->n || before->n != after->n || !ops)
		return;
	printf("STATS backend=%s round=%d workload=%s per_op",
	       label ? label : be->name, round_no, workload);
	for (i = 0; i < after->n; i++)
		printf(" %s=%.2f", after->name[i],
		       (double)(after->val[i] - before->val[i]) / ops);
	printf("\n");
	fflush(stdout);
}

uint64_t scaled(uint64_t emulated)
{
	/* Real hardware exits in ~1 us, TCG in ~50 us: same 0.2-1 s. */
	if (quick)
		return 50;
	return hw ? emulated * 50 : emulated;
}

static void bench_loop(const char *name, unsigned int entry, uint64_t n)
{
	struct vm_stats before, after;
	struct guest g;
	uint64_t count = 0, tsc;
	double t;

	guest_create(&g, CODE_SIZE, false, false);
	start(&g, entry, 1, 0);		/* warm up: first faults on code */
	run_to_done(&g, name, &count, &count);
	count = 0;
	start(&g, entry, n, 0);
	if (want_stats)
		be->stats(&g.vm, &before);
	t = now_s();
	tsc = run_to_done(&g, name, &count, &count);
	t = now_s() - t;
	if (want_stats)
		be->stats(&g.vm, &after);
	if (entry != ENTRY_CPUID && count != n)
		die("%s: %s: %llu exits seen, %llu expected", be->name, name,
		    (unsigned long long)count, (unsigned long long)n);
	report(name, n, t, tsc);
	if (want_stats)
		report_stats(name, n, &before, &after);
	guest_destroy(&g, CODE_SIZE);
}

static void bench_touch(bool thp)
{
	uint64_t pages = quick ? 64 : TOUCH_SIZE / PAGE, tsc;
	struct guest g;
	double t;

	guest_create(&g, CODE_SIZE, true, thp);
	start(&g, ENTRY_CPUID, 1, 0);	/* code page mapped before timing */
	run_to_done(&g, "touch", NULL, NULL);
	start(&g, ENTRY_TOUCH, pages, TOUCH_GPA);
	t = now_s();
	tsc = run_to_done(&g, "touch1", NULL, NULL);
	t = now_s() - t;
	report(thp ? "touch1-thp" : "touch1", pages, t, tsc);
	if (!thp) {
		/* Four passes: one alone is too short to time well. */
		unsigned int pass;

		tsc = 0;
		t = now_s();
		for (pass = 0; pass < 4; pass++) {
			start(&g, ENTRY_TOUCH, pages, TOUCH_GPA);
			tsc += run_to_done(&g, "touch2", NULL, NULL);
		}
		t = now_s() - t;
		report("touch2", 4 * pages, t, tsc);
	}
	guest_destroy(&g, CODE_SIZE);
}

/*
 * Dirty logging of a 1 GiB slot with 10% of its pages written between
 * harvests: the guest writes those pages (every write a write-protection
 * fault, in both hypervisors), then one GET_DIRTY_LOG returns and clears
 * the log and write-protects them again.  dirtylog-harvest times the
 * harvests alone, dirtylog-write the guest's rewrites.
 */
#define DIRTY_SLOT_SIZE	(1024 * MiB)
#define DIRTY_GPA	0x40000000ul

static void bench_dirtylog(void)
{
	uint64_t pages = quick ? 64 : DIRTY_SLOT_SIZE / PAGE / 10;
	unsigned int rounds = quick ? 2 : 5, r;
	size_t bitmap_size = DIRTY_SLOT_SIZE / PAGE / 8;
	double t_harvest = 0, t_write = 0, t;
	uint64_t *bitmap = calloc(1, bitmap_size), tsc = 0;
	void *ram = map_ram(DIRTY_SLOT_SIZE, false);
	struct guest g;

	if (!bitmap)
		die("calloc: %s", strerror(errno));
	guest_create(&g, CODE_SIZE, false, false);
	be->log_dirty(&g.vm, 1, DIRTY_GPA, DIRTY_SLOT_SIZE, ram);
	start(&g, ENTRY_TOUCH, pages, DIRTY_GPA);	/* first touch */
	run_to_done(&g, "dirtylog", NULL, NULL);
	be->get_dirty_log(&g.vm, 1, bitmap);
	for (r = 0; r < rounds; r++) {
		start(&g, ENTRY_TOUCH, pages, DIRTY_GPA);
		t = now_s();
		tsc += run_to_done(&g, "dirtylog-write", NULL, NULL);
		t_write += now_s() - t;
		t = now_s();
		be->get_dirty_log(&g.vm, 1, bitmap);
		t_harvest += now_s() - t;
		if (bitmap[0] != ~0ull || bitmap[pages / 64 - 1] != ~0ull)
			die("%s: dirtylog: the log misses written pages", be->name);
	}
	report("dirtylog-write", rounds * pages, t_write, tsc);
	report("dirtylog-harvest", rounds, t_harvest, 0);
	guest_destroy(&g, CODE_SIZE);
	munmap(ram, DIRTY_SLOT_SIZE);
	free(bitmap);
}

/* As many as fit in min_s seconds, at least min_n: KVM's lifecycle is
 * some fifty times slower than svmhv's, one fixed count fits neither.
 */
static void bench_lifecycle(uint64_t min_n, double min_s)
{
	struct guest g;
	uint64_t i;
	double t = now_s();

	for (i = 0; i < min_n || now_s() - t < min_s; i++) {
		struct regs r = { .rip = CODE_GPA + CODE_OFF + ENTRY_FIRST_EXIT };

		guest_create(&g, LIFE_SIZE, false, false);
		be->set_regs(&g.vm, &r);
		if (be->run(&g.vm) != EXIT_HLT)
			unexpected(&g, "lifecycle");
		guest_destroy(&g, LIFE_SIZE);
	}
	t = now_s() - t;
	report("lifecycle", i, t, 0);
}

/*
 * Operations per run of the APIC workloads (before scaled()): each costs
 * several exits (an IPI round trip at least six, and two trips through
 * the scheduler), so fewer than the single-exit loops above.
 */
#define IPI_N		1500
#define TIMER_N		4000
#define HLTWAKE_N	3000

/* Only there to make a blocked RUN return -EINTR. */
static void on_signal(int sig)
{
	(void)sig;
}

static int cmd_run(void)
{
	/*
	 * SIGTERM (the harness's timeout) ends RUN with EINTR instead of the
	 * process, so that a workload that hangs says where its vCPUs are;
	 * SIGUSR1 passes that on to a second vCPU thread (svmbench_apic.c).
	 */
	struct sigaction sa = { .sa_handler = on_signal };

	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGTERM, &sa, NULL) || sigaction(SIGUSR1, &sa, NULL))
		die("sigaction: %s", strerror(errno));
	sys_fd = open(be->dev, O_RDWR | O_CLOEXEC);
	if (sys_fd < 0)
		die("open %s: %s", be->dev, strerror(errno));
	if (selected("cpuid"))
		bench_loop("cpuid", ENTRY_CPUID, scaled(15000));
	if (selected("out"))
		bench_loop("out", ENTRY_OUT, scaled(10000));
	if (selected("hlt"))
		bench_loop("hlt", ENTRY_HLT, scaled(8000));
	if (selected("ipi"))
		bench_ipi(scaled(IPI_N));
	if (selected("timer"))
		bench_timer(false, scaled(TIMER_N));
	if (selected("hltwake"))
		bench_timer(true, scaled(HLTWAKE_N));
	if (selected("touch"))
		bench_touch(false);
	if (selected("touch") && thp)
		bench_touch(true);
	if (selected("dirtylog"))
		bench_dirtylog();
	if (selected("lifecycle"))
		bench_lifecycle(quick ? 3 : 5, quick ? 0 : 0.5);
	close(sys_fd);
	return 0;
}

/* ---- report ----------------------------------------------------------- */

#define MAX_ROUNDS	64

static const struct {
	const char *name, *what, *unit;
} workloads[] = {
	{ "cpuid", "in-kernel exit (CPUID)", "exits/s" },
	{ "out", "userspace exit (OUT)", "exits/s" },
	{ "hlt", "HLT to userspace", "exits/s" },
	{ "ipi", "IPI round trip, 2 vCPUs", "trips/s" },
	{ "timer", "APIC timer IRQ, spinning", "IRQs/s" },
	{ "hltwake", "HLT woken by APIC timer", "wakes/s" },
	{ "touch1", "first touch, 4K (NPF)", "pages/s" },
	{ "touch2", "second touch, 4K", "pages/s" },
	{ "touch1-thp", "first touch, host THP", "pages/s" },
	{ "dirtylog-write", "dirty-log rewrite (WP fault)", "pages/s" },
	{ "dirtylog-harvest", "dirty-log harvest, 1G 10%", "harvests/s" },
	{ "lifecycle", "VM lifecycle", "VMs/s" },
};
#define NR_WL	(sizeof(workloads) / sizeof(workloads[0]))

struct series {
	int n;
	double rate[MAX_ROUNDS];	/* ops per second */
	double cycles[MAX_ROUNDS];	/* guest TSC ticks per op */
	int round[MAX_ROUNDS];
};

static struct series data[2][NR_WL];

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

struct stats {
	double min, med, max;
};

static struct stats stats_of(const double *v, int n)
{
	double s[MAX_ROUNDS];

	memcpy(s, v, n * sizeof(*s));
	qsort(s, n, sizeof(*s), cmp_double);
	return (struct stats){ s[0], n % 2 ? s[n / 2] :
			       (s[n / 2 - 1] + s[n / 2]) / 2, s[n - 1] };
}

static void parse_line(const char *line)
{
	char bname[16], wname[32];
	unsigned long long ops, ns, tsc;
	int r, b;
	size_t w;

	if (sscanf(line, "BENCH backend=%15s round=%d workload=%31s ops=%llu ns=%llu tsc=%llu",
		   bname, &r, wname, &ops, &ns, &tsc) != 6)
		return;
	if (!strcmp(bname, "svmhv"))
		b = 0;
	else if (!strcmp(bname, "kvm"))
		b = 1;
	else
		return;
	for (w = 0; w < NR_WL; w++) {
		struct series *s = &data[b][w];

		if (strcmp(wname, workloads[w].name) || s->n >= MAX_ROUNDS ||
		    !ns || !ops)
			continue;
		s->rate[s->n] = ops / (ns * 1e-9);
		s->cycles[s->n] = (double)tsc / ops;
		s->round[s->n] = r;
		s->n++;
	}
}

static void read_file(FILE *f)
{
	char line[512];

	while (fgets(line, sizeof(line), f)) {
		const char *p = strstr(line, "BENCH backend=");

		if (p)
			parse_line(p);
	}
}

/*
 * Ratio per round (svmhv and kvm of the same round ran back to back, so
 * they share that round's noise), then min/median/max of those ratios.
 */
static int ratios(size_t w, double *out)
{
	const struct series *s = &data[0][w], *k = &data[1][w];
	int i, j, n = 0;

	for (i = 0; i < s->n; i++)
		for (j = 0; j < k->n; j++)
			if (s->round[i] == k->round[j] && k->rate[j] > 0)
				out[n++] = s->rate[i] / k->rate[j];
	return n;
}

static const char *emulated_note =
	"Emulated-CPU figures (QEMU TCG's EPYC): rates count the host "
	"instructions each exit path executes under emulation; they are "
	"not hardware latencies. Only the svmhv/kvm_amd ratio of the same "
	"boot is meaningful.";
static const char *icount_note =
	"Emulated-CPU figures (QEMU TCG's EPYC with -icount shift=0): the "
	"emulated clock advances 1 ns per instruction the emulated CPU "
	"executes, so 1e9/rate is the number of instructions one operation "
	"costs the emulated host, exactly and free of host noise; "
	"VMRUN/#VMEXIT themselves count as one instruction each. Not "
	"hardware latencies: only the svmhv/kvm_amd ratio is meaningful.";
static const char *hw_note =
	"Hardware figures: both hypervisors on the same real AMD host, "
	"cycles from the guest's RDTSC.";

static void print_table(void)
{
	size_t w;

	printf("%s\n\n", hw ? hw_note : icount ? icount_note : emulated_note);
	printf("%-24s %-8s %29s %29s %22s\n", "workload", "unit",
	       "svmhv min/median/max", "kvm_amd min/median/max",
	       "svmhv/kvm min/med/max");
	for (w = 0; w < NR_WL; w++) {
		const struct series *s = &data[0][w], *k = &data[1][w];
		double r[MAX_ROUNDS];
		int nr = ratios(w, r);
		struct stats a, b, c;

		if (!s->n && !k->n)
			continue;
		printf("%-24s %-8s", workloads[w].what, workloads[w].unit);
		if (s->n) {
			a = stats_of(s->rate, s->n);
			printf(" %9.0f/%9.0f/%9.0f", a.min, a.med, a.max);
		} else {
			printf(" %29s", "-");
		}
		if (k->n) {
			b = stats_of(k->rate, k->n);
			printf(" %9.0f/%9.0f/%9.0f", b.min, b.med, b.max);
		} else {
			printf(" %29s", "-");
		}
		if (nr) {
			c = stats_of(r, nr);
			printf("   %6.2f/%6.2f/%6.2f", c.min, c.med, c.max);
		}
		printf("\n");
	}
	if (icount) {
		printf("\nemulated instructions per operation (median):\n");
		for (w = 0; w < NR_WL; w++) {
			const struct series *s = &data[0][w], *k = &data[1][w];

			if (!s->n || !k->n)
				continue;
			printf("%-24s svmhv %10.0f  kvm_amd %10.0f\n",
			       workloads[w].what,
			       1e9 / stats_of(s->rate, s->n).med,
			       1e9 / stats_of(k->rate, k->n).med);
		}
	}
	if (!hw)
		return;
	printf("\nguest TSC cycles per operation (median): \n");
	for (w = 0; w < NR_WL; w++) {
		const struct series *s = &data[0][w], *k = &data[1][w];

		if (!strcmp(workloads[w].name, "lifecycle"))
			continue;
		printf("%-24s", workloads[w].what);
		printf(" svmhv %10.0f", s->n ? stats_of(s->cycles, s->n).med : 0);
		printf("  kvm_amd %10.0f\n",
		       k->n ? stats_of(k->cycles, k->n).med : 0);
	}
}

static void json_stats(FILE *f, const char *key, const double *v, int n)
{
	struct stats st;
	int i;

	if (!n) {
		fprintf(f, "\"%s\": null", key);
		return;
	}
	st = stats_of(v, n);
	fprintf(f, "\"%s\": {\"min\": %.6g, \"median\": %.6g, \"max\": %.6g, \"values\": [",
		key, st.min, st.med, st.max);
	for (i = 0; i < n; i++)
		fprintf(f, "%s%.6g", i ? ", " : "", v[i]);
	fprintf(f, "]}");
}

static void write_json(FILE *f)
{
	size_t w;
	int rounds = 0, b;

	for (w = 0; w < NR_WL; w++)
		for (b = 0; b < 2; b++)
			if (data[b][w].n > rounds)
				rounds = data[b][w].n;
	fprintf(f, "{\n  \"emulated\": %s,\n  \"clock\": \"%s\",\n  \"note\": \"%s\",\n",
		hw ? "false" : "true",
		hw ? "hardware" : icount ? "icount" : "wall",
		hw ? hw_note : icount ? icount_note : emulated_note);
	fprintf(f, "  \"rounds\": %d,\n  \"workloads\": [\n", rounds);
	for (w = 0; w < NR_WL; w++) {
		double r[MAX_ROUNDS];
		int nr = ratios(w, r);

		fprintf(f, "    {\"name\": \"%s\", \"description\": \"%s\", \"unit\": \"%s\",\n      ",
			workloads[w].name, workloads[w].what, workloads[w].unit);
		json_stats(f, "svmhv", data[0][w].rate, data[0][w].n);
		fprintf(f, ",\n      ");
		json_stats(f, "kvm_amd", data[1][w].rate, data[1][w].n);
		fprintf(f, ",\n      ");
		json_stats(f, "ratio", r, nr);
		if (hw && strcmp(workloads[w].name, "lifecycle")) {
			fprintf(f, ",\n      ");
			json_stats(f, "svmhv_cycles", data[0][w].cycles,
				   data[0][w].n);
			fprintf(f, ",\n      ");
			json_stats(f, "kvm_amd_cycles", data[1][w].cycles,
				   data[1][w].n);
		}
		fprintf(f, "}%s\n", w + 1 < NR_WL ? "," : "");
	}
	fprintf(f, "  ]\n}\n");
}

static int cmd_report(int argc, char **argv)
{
	const char *json = NULL;
	int i, files = 0;

	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--json") && i + 1 < argc) {
			json = argv[++i];
		} else if (!strcmp(argv[i], "--hw")) {
			hw = true;
		} else if (!strcmp(argv[i], "--icount")) {
			icount = true;
		} else {
			FILE *f = fopen(argv[i], "r");

			if (!f)
				die("%s: %s", argv[i], strerror(errno));
			read_file(f);
			fclose(f);
			files++;
		}
	}
	if (!files)
		read_file(stdin);
	print_table();
	if (json) {
		FILE *f = strcmp(json, "-") ? fopen(json, "w") : stdout;

		if (!f)
			die("%s: %s", json, strerror(errno));
		write_json(f);
		if (f != stdout)
			fclose(f);
	}
	return 0;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: svmbench run --backend svmhv|kvm [--round N] [--quick] [--hw] [--thp]\n"
		"           [--stats]\n"
		"           [--only cpuid|out|hlt|ipi|timer|hltwake|touch|lifecycle]\n"
		"           [--label NAME]\n"
		"       svmbench report [--hw|--icount] [--json FILE|-] [FILE...]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	int i;

	if (argc < 2)
		usage();
	if (!strcmp(argv[1], "report"))
		return cmd_report(argc - 2, argv + 2);
	if (strcmp(argv[1], "run"))
		usage();
	for (i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--backend") && i + 1 < argc) {
			i++;
			be = !strcmp(argv[i], "svmhv") ? &backends[0] :
			     !strcmp(argv[i], "kvm") ? &backends[1] : NULL;
		} else if (!strcmp(argv[i], "--round") && i + 1 < argc) {
			round_no = atoi(argv[++i]);
		} else if (!strcmp(argv[i], "--quick")) {
			quick = true;
		} else if (!strcmp(argv[i], "--hw")) {
			hw = true;
		} else if (!strcmp(argv[i], "--thp")) {
			thp = true;
		} else if (!strcmp(argv[i], "--stats")) {
			want_stats = true;
		} else if (!strcmp(argv[i], "--only") && i + 1 < argc) {
			only = argv[++i];
		} else if (!strcmp(argv[i], "--label") && i + 1 < argc) {
			label = argv[++i];
		} else {
			usage();
		}
	}
	if (!be)
		usage();
	/* The hand-computed entry offsets must land on their first bytes. */
	if (guest_code[ENTRY_OUT] != 0x0f || guest_code[ENTRY_HLT] != 0x0f ||
	    guest_code[ENTRY_TOUCH] != 0x0f ||
	    guest_code[ENTRY_FIRST_EXIT] != 0xf4)
		die("guest_code[] and its ENTRY_* offsets disagree");
	return cmd_run();
}
