// SPDX-License-Identifier: GPL-2.0
/*
 * svmbench's local APIC workloads, on each hypervisor's in-kernel APIC
 * (svmhv: SVMHV_ENABLE_LAPIC; KVM: KVM_CREATE_IRQCHIP):
 *   ipi      IPI round trip between two vCPUs, both waiting in HLT
 *   timer    LAPIC timer interrupts, one-shot, the guest spinning
 *   hltwake  the same timer waking the guest from HLT
 *
 * The guest enables x2APIC itself and reaches every APIC register through
 * the x2APIC MSRs (Intel SDM vol. 3, 11.12; AMD APM vol. 2, 16.11), as a
 * modern Linux guest does: each access is a #VMEXIT(MSR) on both
 * hypervisors (no AVIC on the emulated EPYC).  The guest code is written
 * in GNU assembler below and copied into guest memory at AG_CODE, so
 * that both backends run the very same bytes; interrupts in 32-bit
 * protected mode need a GDT (the selector 0x08 of the IDT gates and of
 * IRET), an IDT of 32-bit interrupt gates and a stack, all set up here by
 * the host before the guest runs.  Counters the guest keeps in its data
 * page are read back by the host, which checks that every interrupt the
 * workload promises was taken.
 */
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "svmbench.h"

/*
 * Guest physical layout, all in slot 0 (svmbench.c's guest_code[] is at
 * 0x1000).  Data and stacks have pages of their own, away from the code:
 * QEMU's TCG retranslates a page of code after every write to it.
 */
#define AG_MEM_SIZE	0x100000
#define AG_GDT		0x2000
#define AG_IDT		0x3000
#define AG_DATA		0x4000
#define AG_DATA_SIZE	0x1000
#define AG_STACK0	0x6000		/* top of vCPU 0's stack */
#define AG_STACK1	0x7000		/* top of vCPU 1's stack */
#define AG_CODE		0x8000

/* Counters in the data page, 32 bits each, zeroed by the host. */
#define AG_PONGS	0x4000		/* ipi: replies vCPU 0 took */
#define AG_PINGS	0x4004		/* ipi: IPIs vCPU 1 took */
#define AG_LEFT		0x4008		/* timer: interrupts still to come */
#define AG_TICKS	0x400c		/* timer, hltwake: interrupts taken */
#define AG_SHADOW	0x4010		/* interrupts taken at a HLT, below */

#define PORT_READY	0x502		/* vCPU 1's APIC is on */
#define PORT_FAULT	0x503		/* an exception; EAX = vector */

#define SEL_CODE	0x08
#define SEL_DATA	0x10

#define VEC_PING	0x40		/* vCPU 0 -> vCPU 1 */
#define VEC_PONG	0x50		/* vCPU 1 -> vCPU 0 */
#define VEC_STOP	0x60		/* vCPU 0 -> vCPU 1: leave */
#define VEC_TIMER	0x70		/* timer: the handler re-arms */
#define VEC_WAKE	0x71		/* hltwake: the loop re-arms */
#define VEC_SPURIOUS	0xff

/* MSRs (SDM vol. 3, 11.12.1, table 11-6: 0x800 + xAPIC offset / 16). */
#define MSR_APIC_BASE	0x1b
#define APIC_BASE_EXTD	0x400		/* x2APIC mode */
#define APIC_BASE_EN	0x800
#define X2APIC_EOI	0x80b
#define X2APIC_SVR	0x80f
#define X2APIC_ICR	0x830
#define X2APIC_LVTT	0x832
#define X2APIC_LVT0	0x835
#define X2APIC_TMICT	0x838
#define X2APIC_TDCR	0x83e

#define SVR_ENABLE	0x100		/* APIC software enable */
#define LVT_MASKED	0x10000
#define ICR_ASSERT	0x4000		/* fixed, physical, edge, assert */
#define TDCR_DIV1	0xb		/* divide by 1 (16.4.2, SDM 11.5.4) */

#define STR_(x)		#x
#define STR(x)		STR_(x)
#define ASM_SET(name)	".set " #name ", " STR(name) "\n"

/*
 * The guest code.  Every entry loads its own stack; the timed part starts
 * with RDTSC into EBP:EDI and ends, like svmbench.c's guest_code[], with
 * the TSC in EBX:EAX and an OUT to PORT_DONE.  ESI holds the number of
 * operations and is zero at the end.  Handlers save what they use.
 */
__asm__(ASM_SET(AG_STACK0) ASM_SET(AG_STACK1)
    ASM_SET(AG_CODE) ASM_SET(AG_PONGS) ASM_SET(AG_PINGS) ASM_SET(AG_LEFT)
    ASM_SET(AG_TICKS) ASM_SET(AG_SHADOW)
    ASM_SET(PORT_DONE) ASM_SET(PORT_READY) ASM_SET(PORT_FAULT)
    ASM_SET(VEC_PING) ASM_SET(VEC_PONG) ASM_SET(VEC_STOP)
    ASM_SET(VEC_TIMER) ASM_SET(VEC_WAKE) ASM_SET(VEC_SPURIOUS)
    ASM_SET(MSR_APIC_BASE) ASM_SET(APIC_BASE_EXTD) ASM_SET(APIC_BASE_EN)
    ASM_SET(X2APIC_EOI) ASM_SET(X2APIC_SVR) ASM_SET(X2APIC_ICR)
    ASM_SET(X2APIC_LVTT) ASM_SET(X2APIC_LVT0) ASM_SET(X2APIC_TMICT)
    ASM_SET(X2APIC_TDCR) ASM_SET(SVR_ENABLE) ASM_SET(LVT_MASKED)
    ASM_SET(ICR_ASSERT) ASM_SET(TDCR_DIV1)
"	.pushsection .rodata.svmbench_apic, \"a\"\n"
"	.code32\n"
/* WRMSR of a constant: ECX = msr, EDX:EAX = hi:lo. */
"	.macro ag_wrmsr msr, lo, hi=0\n"
"	movl	$\\msr, %ecx\n"
"	movl	$\\lo, %eax\n"
"	movl	$\\hi, %edx\n"
"	wrmsr\n"
"	.endm\n"
/*
 * x2APIC on (from xAPIC: EN stays, EXTD set, SDM 11.12.5), the APIC
 * software-enabled with its spurious vector (16.4.7), LINT0 masked: no
 * 8259 here, as in an OS that runs on its APICs (svmhv leaves HLT to
 * userspace while its BSP's LINT0 still passes ExtINT, lapic.c).
 */
"	.macro ag_apic_on\n"
"	movl	$MSR_APIC_BASE, %ecx\n"
"	rdmsr\n"
"	orl	$(APIC_BASE_EN|APIC_BASE_EXTD), %eax\n"
"	wrmsr\n"
"	ag_wrmsr X2APIC_SVR, SVR_ENABLE|VEC_SPURIOUS\n"
"	ag_wrmsr X2APIC_LVT0, LVT_MASKED\n"
"	.endm\n"
"	.macro ag_eoi\n"
"	ag_wrmsr X2APIC_EOI, 0\n"
"	.endm\n"
"	.macro ag_rdtsc_start\n"
"	rdtsc\n"
"	movl	%eax, %edi\n"
"	movl	%edx, %ebp\n"
"	.endm\n"
"	.macro ag_done\n"
"	rdtsc\n"
"	movl	%edx, %ebx\n"
"	movw	$PORT_DONE, %dx\n"
"	outb	%al, %dx\n"
"	.endm\n"
/*
 * In a handler that saved three registers: was the interrupt taken with
 * the HLT at `hlt' as its return address, i.e. inside the STI shadow?
 * Then return past it (and count it), or the guest would sleep in that
 * HLT with nothing left to wake it.  No CPU does that (the shadow holds
 * interrupts until HLT has begun; SDM vol. 2B, "STI"), but QEMU's
 * emulated SVM can: its #VMEXIT saves the shadow in the VMCB's interrupt
 * state and its VMRUN never loads it back (docs/testing.md).  When a host
 * interrupt exits between STI and HLT, kvm_amd re-enters at the HLT with
 * its interrupt window requested, QEMU opens the window at once, and
 * kvm_amd injects the interrupt there: hltwake hung so under
 * BENCH_CLOCK=wall, and ipi's vCPU 0 waits the same way.  svmhv is
 * immune (svm/vmenter.S puts its STI right before VMRUN then, and QEMU
 * carries that shadow into the guest).
 */
"	.macro ag_past_hlt hlt\n"
"	cmpl	$(AG_CODE + \\hlt - svmbench_apic_start), 12(%esp)\n"
"	jne	9f\n"
"	incl	12(%esp)\n"
"	incl	AG_SHADOW\n"
"9:\n"
"	.endm\n"
"	.balign 16\n"
"svmbench_apic_start:\n"

/*
 * ipi, vCPU 0: N round trips.  The reply may come before vCPU 0 halts
 * (vCPU 1 may run on another host CPU), so it is counted, not waited for:
 * CLI around the send and the test, STI;HLT to wait (the STI shadow
 * holds the interrupt until HLT has begun, SDM vol. 2B "STI"), and HLT
 * again until the count has moved.
 */
"svmbench_apic_ipi0:\n"
"	movl	$AG_STACK0, %esp\n"
"	ag_apic_on\n"
"	ag_rdtsc_start\n"
"	xorl	%ebx, %ebx\n"		/* replies expected so far */
"1:	cli\n"
"	ag_wrmsr X2APIC_ICR, ICR_ASSERT|VEC_PING, 1\n"
"	incl	%ebx\n"
"2:	sti\n"
"svmbench_apic_ipi0_hlt:\n"
"	hlt\n"
"	cli\n"
"	cmpl	%ebx, AG_PONGS\n"
"	jb	2b\n"
"	decl	%esi\n"
"	jnz	1b\n"
"	ag_wrmsr X2APIC_ICR, ICR_ASSERT|VEC_STOP, 1\n"
"	ag_done\n"
"svmbench_apic_pong_isr:\n"
"	pushl	%eax\n"
"	pushl	%ecx\n"
"	pushl	%edx\n"
"	ag_past_hlt svmbench_apic_ipi0_hlt\n"
"	ag_eoi\n"
"	incl	AG_PONGS\n"
"	popl	%edx\n"
"	popl	%ecx\n"
"	popl	%eax\n"
"	iret\n"

/* ipi, vCPU 1: tell the host its APIC is on, then live in HLT. */
"svmbench_apic_ipi1:\n"
"	movl	$AG_STACK1, %esp\n"
"	ag_apic_on\n"
"	movw	$PORT_READY, %dx\n"
"	outb	%al, %dx\n"
"1:	sti\n"
"	hlt\n"
"	jmp	1b\n"
"svmbench_apic_ping_isr:\n"
"	pushl	%eax\n"
"	pushl	%ecx\n"
"	pushl	%edx\n"
"	ag_eoi\n"
"	ag_wrmsr X2APIC_ICR, ICR_ASSERT|VEC_PONG, 0\n"
"	incl	AG_PINGS\n"
"	popl	%edx\n"
"	popl	%ecx\n"
"	popl	%eax\n"
"	iret\n"
/* EOI first: the host restarts vCPU 1 here for the next run. */
"svmbench_apic_stop_isr:\n"
"	ag_eoi\n"
"	movw	$PORT_DONE, %dx\n"
"	outb	%al, %dx\n"
"	ud2\n"				/* never resumed */

/*
 * timer: one-shot, divide by 1, initial count 1 (the shortest timer the
 * guest can ask for: 1 ns at both hypervisors' 1 GHz APIC clock), armed
 * again by the handler until AG_LEFT is zero; the guest spins meanwhile.
 */
"svmbench_apic_timer:\n"
"	movl	$AG_STACK0, %esp\n"
"	ag_apic_on\n"
"	ag_wrmsr X2APIC_TDCR, TDCR_DIV1\n"
"	ag_wrmsr X2APIC_LVTT, VEC_TIMER\n"	/* one-shot, unmasked */
"	movl	%esi, AG_LEFT\n"
"	ag_rdtsc_start\n"
"	ag_wrmsr X2APIC_TMICT, 1\n"
"	sti\n"
"1:	movl	AG_LEFT, %esi\n"
"	testl	%esi, %esi\n"
"	jnz	1b\n"
"	cli\n"
"	ag_done\n"
"svmbench_apic_timer_isr:\n"
"	pushl	%eax\n"
"	pushl	%ecx\n"
"	pushl	%edx\n"
"	ag_eoi\n"
"	incl	AG_TICKS\n"
"	decl	AG_LEFT\n"
"	jz	1f\n"
"	ag_wrmsr X2APIC_TMICT, 1\n"
"1:	popl	%edx\n"
"	popl	%ecx\n"
"	popl	%eax\n"
"	iret\n"

/*
 * hltwake: the same timer, armed before each HLT rather than in the
 * handler.  Armed in the handler, a timer that is already due at the
 * IRET (KVM fires a count of 1 while it emulates the write) would be
 * taken before the guest reaches its HLT, and the loop would measure the
 * spinning workload again.  Armed with CLI, STI;HLT: every HLT is woken
 * by its own timer interrupt, even one that is due at once.
 */
"svmbench_apic_hltwake:\n"
"	movl	$AG_STACK0, %esp\n"
"	ag_apic_on\n"
"	ag_wrmsr X2APIC_TDCR, TDCR_DIV1\n"
"	ag_wrmsr X2APIC_LVTT, VEC_WAKE\n"
"	ag_rdtsc_start\n"
"1:	cli\n"
"	ag_wrmsr X2APIC_TMICT, 1\n"
"	sti\n"
"svmbench_apic_hltwake_hlt:\n"
"	hlt\n"
"	decl	%esi\n"
"	jnz	1b\n"
"	cli\n"
"	ag_done\n"
"svmbench_apic_wake_isr:\n"
"	pushl	%eax\n"
"	pushl	%ecx\n"
"	pushl	%edx\n"
"	ag_past_hlt svmbench_apic_hltwake_hlt\n"
"	ag_eoi\n"
"	incl	AG_TICKS\n"
"	popl	%edx\n"
"	popl	%ecx\n"
"	popl	%eax\n"
"	iret\n"

/* The spurious vector: no EOI (16.4.7, SDM 11.9). */
"svmbench_apic_spurious_isr:\n"
"	iret\n"

/*
 * Exceptions 0-31, 8 bytes a stub: the vector to the host, which prints
 * it and the stack (EIP, or the error code and then EIP).
 */
"	.balign 8\n"
"svmbench_apic_fault_stubs:\n"
"	.set	ag_vec, 0\n"
"	.rept	32\n"
"	.balign 8\n"
"	pushl	$ag_vec\n"
"	jmp	svmbench_apic_fault\n"
"	.set	ag_vec, ag_vec + 1\n"
"	.endr\n"
"svmbench_apic_fault:\n"
"	popl	%eax\n"
"	movw	$PORT_FAULT, %dx\n"
"	outb	%al, %dx\n"
"	ud2\n"
"svmbench_apic_end:\n"
"	.code64\n"
"	.popsection\n");

extern const unsigned char svmbench_apic_start[], svmbench_apic_end[],
	svmbench_apic_ipi0[], svmbench_apic_ipi1[], svmbench_apic_timer[],
	svmbench_apic_hltwake[], svmbench_apic_pong_isr[],
	svmbench_apic_ping_isr[], svmbench_apic_stop_isr[],
	svmbench_apic_timer_isr[], svmbench_apic_wake_isr[],
	svmbench_apic_spurious_isr[], svmbench_apic_fault_stubs[];

/* Guest physical address of a label of the guest code. */
static uint32_t ag_gpa(const unsigned char *label)
{
	return AG_CODE + (uint32_t)(label - svmbench_apic_start);
}

/* A 32-bit interrupt gate, DPL 0 (APM vol. 2, 4.8.4; SDM vol. 3, 6.11). */
static uint64_t idt_gate(uint32_t handler)
{
	return (handler & 0xffff) | (uint64_t)SEL_CODE << 16 |
	       (uint64_t)0x8e00 << 32 | (uint64_t)(handler >> 16) << 48;
}

struct apic_guest {
	struct vm vcpu[2];
	unsigned char *mem;
	unsigned int nr_vcpus;
	pthread_t peer;			/* ipi: vCPU 1's thread */
	bool has_peer;
};

static uint32_t *ag_counter(struct apic_guest *g, uint32_t gpa)
{
	return (uint32_t *)(g->mem + gpa);
}

static void ag_create(struct apic_guest *g, unsigned int nr_vcpus)
{
	/*
	 * Flat 4 GiB code (type 0xb: execute/read, accessed) and data
	 * (0x3: read/write, accessed), 32-bit, granularity 4 KiB: what
	 * flat32() loads into the segment registers.
	 */
	static const uint64_t gdt[] = {
		0, 0x00cf9b000000ffffull, 0x00cf93000000ffffull,
	};
	const struct dtables dt = {
		.gdt_base = AG_GDT, .gdt_limit = sizeof(gdt) - 1,
		.idt_base = AG_IDT, .idt_limit = 256 * 8 - 1,
	};
	size_t code_len = svmbench_apic_end - svmbench_apic_start;
	uint64_t *idt;
	unsigned int i;

	if (AG_CODE + code_len > AG_MEM_SIZE)
		die("APIC guest code too large");
	memset(g, 0, sizeof(*g));
	g->nr_vcpus = nr_vcpus;
	be->create_vm(sys_fd, &g->vcpu[0]);
	be->enable_lapic(&g->vcpu[0]);
	g->mem = map_ram(AG_MEM_SIZE, false);
	memcpy(g->mem + AG_GDT, gdt, sizeof(gdt));
	idt = (uint64_t *)(g->mem + AG_IDT);
	for (i = 0; i < 32; i++)
		idt[i] = idt_gate(ag_gpa(svmbench_apic_fault_stubs) + 8 * i);
	idt[VEC_PING] = idt_gate(ag_gpa(svmbench_apic_ping_isr));
	idt[VEC_PONG] = idt_gate(ag_gpa(svmbench_apic_pong_isr));
	idt[VEC_STOP] = idt_gate(ag_gpa(svmbench_apic_stop_isr));
	idt[VEC_TIMER] = idt_gate(ag_gpa(svmbench_apic_timer_isr));
	idt[VEC_WAKE] = idt_gate(ag_gpa(svmbench_apic_wake_isr));
	idt[VEC_SPURIOUS] = idt_gate(ag_gpa(svmbench_apic_spurious_isr));
	memcpy(g->mem + AG_CODE, svmbench_apic_start, code_len);
	be->set_region(&g->vcpu[0], 0, 0, AG_MEM_SIZE, g->mem);
	for (i = 0; i < nr_vcpus; i++) {
		struct vm *v = &g->vcpu[i];

		v->fd = g->vcpu[0].fd;
		v->id = i;
		be->create_vcpu(sys_fd, v);
		be->flat32(v, &dt);
		if (i)
			be->set_runnable(v);
	}
}

static void ag_destroy(struct apic_guest *g)
{
	unsigned int i;

	for (i = 0; i < g->nr_vcpus; i++) {
		munmap(g->vcpu[i].run, g->vcpu[i].run_size);
		close(g->vcpu[i].vcpu);
	}
	close(g->vcpu[0].fd);
	munmap(g->mem, AG_MEM_SIZE);
}

static void ag_start(struct vm *v, const unsigned char *entry, uint64_t n)
{
	struct regs r = { .rip = ag_gpa(entry), .rsi = n };

	be->set_regs(v, &r);
}

/*
 * A RUN ended by SIGTERM (the harness's timeout) or, in vCPU 1's thread,
 * by SIGUSR1 from vCPU 0's: the guest waited too long.  Print why it
 * might wait: each vCPU's RIP, MP state and APIC, and the counters.
 */
static void ag_hung(struct apic_guest *g, struct vm *v, const char *what)
{
	fprintf(stderr, "svmbench: %s: %s: vCPU %u interrupted; pongs %u pings %u left %u ticks %u\n",
		be->name, what, v->id, *(uint32_t *)(g->mem + AG_PONGS),
		*(uint32_t *)(g->mem + AG_PINGS),
		*(uint32_t *)(g->mem + AG_LEFT),
		*(uint32_t *)(g->mem + AG_TICKS));
	be->dump(v);
	if (v->id)
		pthread_exit(NULL);
	if (g->has_peer) {
		pthread_kill(g->peer, SIGUSR1);
		pthread_join(g->peer, NULL);
	}
	die("%s: %s: timed out", be->name, what);
}

/*
 * Run vCPU v until its OUT to port; any other exit is an error here
 * (HLT, timer interrupts and IPIs all stay in the kernel).
 */
static void ag_run_to(struct apic_guest *g, struct vm *v, uint16_t port,
		      const char *what)
{
	struct regs r;
	uint32_t *sp;

	for (;;) {
		enum exit_kind k = be->run(v);

		if (k == EXIT_OUT && v->port == port)
			return;
		if (k == EXIT_INTR)
			ag_hung(g, v, what);
		be->get_regs(v, &r);
		if (k == EXIT_OUT && v->port == PORT_FAULT) {
			sp = (uint32_t *)(g->mem + (uint32_t)r.rsp);
			if ((uint32_t)r.rsp < AG_DATA ||
			    (uint32_t)r.rsp + 12 > AG_CODE)
				die("%s: %s: vCPU %u: exception %u, esp %#x",
				    be->name, what, v->id, (unsigned int)r.rax & 0xff,
				    (unsigned int)r.rsp);
			die("%s: %s: vCPU %u: exception %u, stack %#x %#x %#x",
			    be->name, what, v->id, (unsigned int)r.rax & 0xff,
			    sp[0], sp[1], sp[2]);
		}
		die("%s: %s: vCPU %u: unexpected exit (reason %u, port %#x, rip %#llx)",
		    be->name, what, v->id, v->raw_reason,
		    k == EXIT_OUT ? v->port : 0, (unsigned long long)r.rip);
	}
}

/* The guest's TSC delta from the registers of ag_done, after a check. */
static uint64_t ag_tsc(struct vm *v, const char *what)
{
	struct regs r;

	be->get_regs(v, &r);
	if (r.rsi != 0)
		die("%s: %s: guest loop stopped with ESI=%llu", be->name, what,
		    (unsigned long long)r.rsi);
	return ((r.rbx << 32) | (uint32_t)r.rax) -
	       ((r.rbp << 32) | (uint32_t)r.rdi);
}

static void ag_expect(const char *what, const char *counter, uint32_t got,
		      uint64_t want)
{
	if (got != want)
		die("%s: %s: %s is %u, expected %llu", be->name, what, counter,
		    got, (unsigned long long)want);
}

/* How often the guest met QEMU's lost STI shadow (ag_past_hlt). */
static void ag_note_shadow(struct apic_guest *g, const char *what)
{
	uint32_t n = *ag_counter(g, AG_SHADOW);

	if (n)
		printf("NOTE backend=%s workload=%s interrupts_at_hlt=%u (taken inside the STI shadow: QEMU's VMRUN drops it)\n",
		       be->name, what, n);
}

/* ---- ipi ---------------------------------------------------------------- */

/*
 * vCPU 1 gets a thread of its own for the guest's whole life: KVM does
 * an RCU grace period when a vCPU is first run from another thread, and
 * that must not fall into a timed run.  For each run it restarts vCPU 1,
 * runs it to PORT_READY (its APIC accepts IPIs from then on: an IPI to a
 * software-disabled APIC is dropped), posts `ready' and runs it until
 * vCPU 0's VEC_STOP makes it leave.
 */
struct ipi_peer {
	struct apic_guest *g;
	unsigned int runs;
	sem_t ready;
};

static void *ipi_peer_thread(void *arg)
{
	struct ipi_peer *p = arg;
	struct vm *v = &p->g->vcpu[1];
	unsigned int i;

	for (i = 0; i < p->runs; i++) {
		ag_start(v, svmbench_apic_ipi1, 0);
		ag_run_to(p->g, v, PORT_READY, "ipi");
		sem_post(&p->ready);
		ag_run_to(p->g, v, PORT_DONE, "ipi");
	}
	return NULL;
}

void bench_ipi(uint64_t n)
{
	struct apic_guest g;
	struct ipi_peer peer = { .g = &g, .runs = 2 };
	uint64_t runs[2] = { 1, n }, tsc = 0;
	struct vm_stats before, after;
	sigset_t term, old;
	unsigned int i;
	double t = 0;
	int err;

	ag_create(&g, 2);
	if (sem_init(&peer.ready, 0, 0))
		die("sem_init: %s", strerror(errno));
	/* SIGTERM for this thread only; vCPU 1's thread hears SIGUSR1. */
	sigemptyset(&term);
	sigaddset(&term, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &term, &old);
	err = pthread_create(&g.peer, NULL, ipi_peer_thread, &peer);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err)
		die("pthread_create: %s", strerror(err));
	g.has_peer = true;
	/* A first round trip (faults on code and data), then the timed run. */
	for (i = 0; i < 2; i++) {
		if (sem_wait(&peer.ready)) {
			if (errno == EINTR)
				ag_hung(&g, &g.vcpu[0], "ipi (vCPU 1 not ready)");
			die("sem_wait: %s", strerror(errno));
		}
		memset(g.mem + AG_DATA, 0, AG_DATA_SIZE);
		ag_start(&g.vcpu[0], svmbench_apic_ipi0, runs[i]);
		if (want_stats)
			be->stats(&g.vcpu[0], &before);
		t = now_s();
		ag_run_to(&g, &g.vcpu[0], PORT_DONE, "ipi");
		t = now_s() - t;
		tsc = ag_tsc(&g.vcpu[0], "ipi");
		ag_expect("ipi", "replies", *ag_counter(&g, AG_PONGS), runs[i]);
		ag_note_shadow(&g, "ipi");
	}
	err = pthread_join(g.peer, NULL);
	if (err)
		die("pthread_join: %s", strerror(err));
	/* vCPU 1's last exits (the stop) are counted, by both alike. */
	if (want_stats)
		be->stats(&g.vcpu[0], &after);
	ag_expect("ipi", "IPIs taken by vCPU 1", *ag_counter(&g, AG_PINGS), n);
	sem_destroy(&peer.ready);
	report("ipi", n, t, tsc);
	if (want_stats)
		report_stats("ipi", n, &before, &after);
	ag_destroy(&g);
}

/* ---- timer, hltwake ------------------------------------------------------- */

void bench_timer(bool halt, uint64_t n)
{
	const char *what = halt ? "hltwake" : "timer";
	const unsigned char *entry = halt ? svmbench_apic_hltwake :
					    svmbench_apic_timer;
	uint64_t runs[2] = { 1, n }, tsc = 0;
	struct vm_stats before, after;
	struct apic_guest g;
	unsigned int i;
	double t = 0;

	ag_create(&g, 1);
	for (i = 0; i < 2; i++) {
		memset(g.mem + AG_DATA, 0, AG_DATA_SIZE);
		ag_start(&g.vcpu[0], entry, runs[i]);
		if (want_stats)
			be->stats(&g.vcpu[0], &before);
		t = now_s();
		ag_run_to(&g, &g.vcpu[0], PORT_DONE, what);
		t = now_s() - t;
		if (want_stats)
			be->stats(&g.vcpu[0], &after);
		tsc = ag_tsc(&g.vcpu[0], what);
		ag_expect(what, "timer interrupts", *ag_counter(&g, AG_TICKS),
			  runs[i]);
		ag_note_shadow(&g, what);
	}
	report(what, n, t, tsc);
	if (want_stats)
		report_stats(what, n, &before, &after);
	ag_destroy(&g);
}
