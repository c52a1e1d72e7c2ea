// SPDX-License-Identifier: GPL-2.0
/*
 * Spinning vCPUs: PAUSE exits and a directed yield.
 *
 * A guest waits for a lock or a flag by spinning on PAUSE, often with
 * interrupts off (a spinlock's slow path, an IPI's completion).  When a
 * VM has more vCPUs than the host CPUs they run on, the vCPU it waits for
 * may be a thread that is runnable but not running: the spinner then
 * burns its whole time slice, and nothing but the host's next timer
 * interrupt ends it.  So svmhv intercepts PAUSE (APM vol. 2, 15.14.4,
 * "Pause Intercept Filtering") and, at the exit, hands the host CPU to
 * another of the VM's vCPU threads that is runnable but not on a CPU:
 * yield_to() gives it the rest of the spinner's slice, and does nothing
 * for a thread that is running elsewhere or asleep.
 *
 * With the pause filter (CPUID 8000_000A EDX[10]) the CPU counts PAUSEs
 * down from pause_filter_count and exits only at zero; with the filter
 * threshold (EDX[12]) the count starts again whenever two PAUSEs are
 * more than pause_filter_threshold cycles apart, so a guest that pauses
 * now and then never exits.  3000 and 128 are KVM's defaults, tuned on
 * real spinlocks.  Without a filter every PAUSE exits; KVM then does not
 * intercept PAUSE at all, svmhv does, so that an overcommitted host --
 * the one-CPU emulated machine of our tests runs eight vCPUs -- still
 * lets the lock holder run.  pause_exits=0 turns the intercept off: for
 * a host whose vCPUs each own a CPU, where a spinner's holder is always
 * running and the exits are pure cost.  The parameter can be changed at
 * run time (/sys/module/svmhv/parameters/pause_exits); a VM keeps the
 * value it was created with, so that all its vCPUs, and a vCPU reset
 * after a shutdown, agree.
 *
 * The intercept is checked before PAUSE executes (15.9): RIP still points
 * at it.  Without a filter the PAUSE must be skipped or the guest would
 * exit on it forever; with one, skipping it too is what PAUSE does anyway
 * (a hint that ends at once), as KVM's pause_interception() does.
 */
#include <linux/moduleparam.h>
#include <linux/pid.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/task.h>

#include "svm.h"

static bool pause_exits = true;
module_param(pause_exits, bool, 0644);
MODULE_PARM_DESC(pause_exits,
		 "A vCPU spinning on PAUSE exits and yields to a preempted vCPU of its VM (default: on)");

#define SVM_PAUSE_FILTER_COUNT		3000
#define SVM_PAUSE_FILTER_THRESHOLD	128

/* For SVMHV_CHECK_CAP and a new VM: what VMs created now get. */
bool svm_pause_exits(void)
{
	return READ_ONCE(pause_exits);
}

/* The PAUSE intercept and its filter, for a new VMCB (vcpu_state.c). */
void svm_spin_init_control(struct svmhv_vcpu *vcpu, struct vmcb_control *ctl)
{
	if (!vcpu->vm->pause_exits)
		return;
	ctl->intercept_misc1 |= SVM_INTERCEPT_PAUSE;
	if (svm_features.pause_filter)
		ctl->pause_filter_count = SVM_PAUSE_FILTER_COUNT;
	if (svm_features.pause_filter_thresh)
		ctl->pause_filter_threshold = SVM_PAUSE_FILTER_THRESHOLD;
}

/*
 * A new thread runs this vCPU (svm_spin_note_thread(), svm.h): note it for
 * other vCPUs' directed yields.  A vCPU changes threads rarely (never, for
 * vmctl): the old pid is dropped after a grace period, as readers hold
 * none.
 */
void svm_spin_set_thread(struct svmhv_vcpu *vcpu)
{
	struct pid *old = rcu_access_pointer(vcpu->pid);

	rcu_assign_pointer(vcpu->pid, get_task_pid(current, PIDTYPE_PID));
	if (old) {
		synchronize_rcu();
		put_pid(old);
	}
}

/*
 * Yield to the first vCPU, counting up from this one's id (so that the
 * waiters of one VM do not all pick vCPU 0), whose thread is runnable but
 * not running.  A vCPU inside VMRUN is running; yield_to() tells the rest.
 */
static void svm_vcpu_yield_to_sibling(struct svmhv_vcpu *vcpu)
{
	struct svmhv_vm *vm = vcpu->vm;
	unsigned int n, i;

	for (n = 1; n < SVMHV_MAX_VCPUS; n++) {
		struct task_struct *task = NULL;
		struct svmhv_vcpu *other;
		int yielded;

		i = (vcpu->id + n) % SVMHV_MAX_VCPUS;
		rcu_read_lock();
		other = rcu_dereference(vm->vcpus[i]);
		if (other && !READ_ONCE(other->in_guest))
			task = get_pid_task(rcu_dereference(other->pid),
					    PIDTYPE_PID);
		rcu_read_unlock();
		if (!task)
			continue;
		yielded = task != current ? yield_to(task, true) : 0;
		put_task_struct(task);
		if (yielded > 0)
			return;
	}
}

int svm_exit_pause(struct svmhv_vcpu *vcpu)
{
	if (!svm_skip_insn(vcpu))
		return 0;
	if (READ_ONCE(vcpu->vm->nr_vcpus) > 1)
		svm_vcpu_yield_to_sibling(vcpu);
	return 1;
}
