// SPDX-License-Identifier: GPL-2.0
/*
 * TSC_AUX (MSR C000_0103h), what RDTSCP and RDPID return.
 *
 * Neither VMRUN nor #VMEXIT switches it (APM vol. 2, 15.5.1), and Linux
 * keeps each CPU's number in it for user space (the vDSO's getcpu());
 * the kernel itself does not read it (its paranoid entry gave up RDPID so
 * that hypervisors may leave a guest's value loaded).  So the guest's
 * value is written before VMRUN only when it differs from what the MSR
 * holds, stays across exits handled in the kernel, and the host's value
 * is put back when this CPU next returns to user space -- whichever task
 * that is -- through a user-return notifier, as KVM does.  A vCPU moving
 * to another CPU finds its value there the same way.
 */
#include <linux/percpu.h>
#include <asm/msr.h>

#include "svm.h"

DEFINE_PER_CPU(struct svm_tsc_aux_cpu, svm_tsc_aux_cpu);
bool svm_tsc_aux_enabled;	/* RDTSCP/RDPID offered to guests */

/* Put the host's value back; interrupts off, on the CPU itself. */
static void svm_tsc_aux_restore_host(struct svm_tsc_aux_cpu *c)
{
	if (c->registered) {
		user_return_notifier_unregister(&c->urn);
		c->registered = false;
	}
	if (c->loaded != c->host) {
		wrmsrl(MSR_TSC_AUX, c->host);
		c->loaded = c->host;
	}
}

static void svm_tsc_aux_on_user_return(struct user_return_notifier *urn)
{
	struct svm_tsc_aux_cpu *c = container_of(urn, struct svm_tsc_aux_cpu,
						 urn);
	unsigned long flags;

	local_irq_save(flags);
	svm_tsc_aux_restore_host(c);
	local_irq_restore(flags);
}

void svm_tsc_aux_init(void)
{
	svm_tsc_aux_enabled = IS_ENABLED(CONFIG_USER_RETURN_NOTIFIER) &&
			      boot_cpu_has(X86_FEATURE_RDTSCP);
}

/* A CPU comes up (cpu.c): learn the value Linux gave it. */
void svm_tsc_aux_cpu_up(void)
{
	struct svm_tsc_aux_cpu *c = this_cpu_ptr(&svm_tsc_aux_cpu);
	u64 host;

	if (!svm_tsc_aux_enabled)
		return;
	rdmsrl(MSR_TSC_AUX, host);
	c->host = host;
	c->loaded = host;
	c->registered = false;
	c->urn.on_user_return = svm_tsc_aux_on_user_return;
}

/* A CPU goes down, SVM is turned off on it, or the module leaves. */
void svm_tsc_aux_cpu_down(void)
{
	unsigned long flags;

	if (!svm_tsc_aux_enabled)
		return;
	local_irq_save(flags);
	svm_tsc_aux_restore_host(this_cpu_ptr(&svm_tsc_aux_cpu));
	local_irq_restore(flags);
}

/* Before VMRUN, interrupts off, when the MSR holds another value. */
void svm_tsc_aux_load_slow(u32 val)
{
	struct svm_tsc_aux_cpu *c = this_cpu_ptr(&svm_tsc_aux_cpu);

	wrmsrl(MSR_TSC_AUX, val);
	c->loaded = val;
	if (!c->registered) {
		user_return_notifier_register(&c->urn);
		c->registered = true;
	}
}
