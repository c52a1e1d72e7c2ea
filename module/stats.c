// SPDX-License-Identifier: GPL-2.0
/*
 * Statistics: per-vCPU counters kept by the run loop, summed per VM, and
 * shown through SVMHV_GET_STATS and debugfs
 * (/sys/kernel/debug/svmhv/<pid>-<vm id>/<counter>, one number per file,
 * the layout kvm_stat-like tools read).
 *
 * Counters are plain u64s written only by their vCPU's thread; readers may
 * see a value one exit old, never a torn one (aligned 64-bit accesses).
 * Times are kept in TSC cycles on the exit path and converted to ns here.
 */
#include <linux/debugfs.h>
#include <linux/math64.h>
#include <linux/sched.h>
#include <asm/tsc.h>

#include "svmhv_core.h"

#define SVMHV_STAT_FIELD(name) \
	[offsetof(struct svmhv_stats, name) / sizeof(u64)] = #name

static const char * const svmhv_stat_names[SVMHV_STAT_NR] = {
	SVMHV_STAT_FIELD(exits),
	SVMHV_STAT_FIELD(userspace_exits),
	SVMHV_STAT_FIELD(io_exits),
	SVMHV_STAT_FIELD(mmio_exits),
	SVMHV_STAT_FIELD(npf_exits),
	SVMHV_STAT_FIELD(hlt_exits),
	SVMHV_STAT_FIELD(cpuid_exits),
	SVMHV_STAT_FIELD(msr_exits),
	SVMHV_STAT_FIELD(hypercall_exits),
	SVMHV_STAT_FIELD(host_event_exits),
	SVMHV_STAT_FIELD(irq_window_exits),
	SVMHV_STAT_FIELD(dr_exits),
	SVMHV_STAT_FIELD(exception_exits),
	SVMHV_STAT_FIELD(other_exits),
	SVMHV_STAT_FIELD(injected_events),
	SVMHV_STAT_FIELD(guest_ns),
	SVMHV_STAT_FIELD(run_ns),
	SVMHV_STAT_FIELD(pinned_pages),
	SVMHV_STAT_FIELD(npt_pages),
	SVMHV_STAT_FIELD(vcpus),
	SVMHV_STAT_FIELD(mapped_pages),
	SVMHV_STAT_FIELD(pause_exits),
};

static struct dentry *svmhv_debugfs_root;
static atomic_t svmhv_vm_ids = ATOMIC_INIT(0);

static u64 svmhv_cycles_to_ns(u64 cycles)
{
	return tsc_khz ? mul_u64_u32_div(cycles, 1000000, tsc_khz) : 0;
}

static void svmhv_vcpu_stats_add(const struct svmhv_vcpu *vcpu,
				 struct svmhv_stats *out)
{
	u64 *sum = (u64 *)out;
	int i;

	for (i = 0; i < SVMHV_STAT_NR; i++)
		sum[i] += READ_ONCE(vcpu->stat[i]);
}

static void svmhv_stats_finish(struct svmhv_stats *out)
{
	out->guest_ns = svmhv_cycles_to_ns(out->guest_ns);
	out->run_ns = svmhv_cycles_to_ns(out->run_ns);
}

void svmhv_vcpu_stats(const struct svmhv_vcpu *vcpu, struct svmhv_stats *out)
{
	memset(out, 0, sizeof(*out));
	svmhv_vcpu_stats_add(vcpu, out);
	svmhv_stats_finish(out);
}

void svmhv_vm_stats(struct svmhv_vm *vm, struct svmhv_stats *out)
{
	int i;

	memset(out, 0, sizeof(*out));
	mutex_lock(&vm->lock);
	for (i = 0; i < SVMHV_MAX_VCPUS; i++) {
		struct svmhv_vcpu *vcpu = svmhv_vm_vcpu_locked(vm, i);

		if (!vcpu)
			continue;
		svmhv_vcpu_stats_add(vcpu, out);
		out->vcpus++;
	}
	mutex_unlock(&vm->lock);
	/* Nothing is pinned for long (guest_mem.c): pinned_pages stays 0. */
	spin_lock(&vm->mmu_lock);
	out->npt_pages = vm->npt.nr_table_pages;
	out->mapped_pages = vm->npt.nr_mapped;
	spin_unlock(&vm->mmu_lock);
	svmhv_stats_finish(out);
}

static int svmhv_stat_file_get(void *data, u64 *val)
{
	struct svmhv_stat_file *f = data;
	struct svmhv_stats stats;

	svmhv_vm_stats(f->vm, &stats);
	*val = ((u64 *)&stats)[f->index];
	return 0;
}

DEFINE_DEBUGFS_ATTRIBUTE(svmhv_stat_fops, svmhv_stat_file_get, NULL,
			 "%llu\n");

void svmhv_vm_debugfs_add(struct svmhv_vm *vm)
{
	char name[32];
	int i;

	vm->id = atomic_inc_return(&svmhv_vm_ids);
	if (!svmhv_debugfs_root)
		return;
	snprintf(name, sizeof(name), "%d-%u", task_tgid_nr(current), vm->id);
	vm->debugfs = debugfs_create_dir(name, svmhv_debugfs_root);
	for (i = 0; i < SVMHV_STAT_NR; i++) {
		vm->stat_files[i].vm = vm;
		vm->stat_files[i].index = i;
		debugfs_create_file_unsafe(svmhv_stat_names[i], 0444,
					   vm->debugfs, &vm->stat_files[i],
					   &svmhv_stat_fops);
	}
}

/* Waits for readers of the files, so the VM may be freed after. */
void svmhv_vm_debugfs_remove(struct svmhv_vm *vm)
{
	debugfs_remove_recursive(vm->debugfs);
	vm->debugfs = NULL;
}

void svmhv_stats_init(void)
{
	/* Without debugfs, statistics remain available by ioctl. */
	svmhv_debugfs_root = debugfs_create_dir(SVMHV_NAME, NULL);
	if (IS_ERR(svmhv_debugfs_root))
		svmhv_debugfs_root = NULL;
}

void svmhv_stats_exit(void)
{
	debugfs_remove_recursive(svmhv_debugfs_root);
	svmhv_debugfs_root = NULL;
}
