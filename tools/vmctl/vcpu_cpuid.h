/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Each vCPU's CPUID table, given before its first RUN: a Linux guest's
 * topology on the SMP PC (cpu_topology.h) and the features --cpu-features
 * hides (cpu_features.h), each applied to the vCPU's own SVMHV_GET_CPUID
 * answer and handed back with SVMHV_SET_CPUID.
 */
#ifndef VMCTL_VCPU_CPUID_H
#define VMCTL_VCPU_CPUID_H

#include <stdbool.h>

#include "cpu_features.h"
#include "vm.h"

struct cpuid_plan {
	bool topology;		/* the SMP PC: vmctl states the topology */
	bool features_set;	/* --cpu-features was given */
	struct cpu_features_req features;
	bool verbose;
};

/*
 * Set the tables of all of @vm's vCPUs (created, not yet run).  Nothing
 * to do gives 0 at once; so does a module without SVMHV_CAP_CPUID when
 * only the topology was asked for (svmhv's own answer describes it).
 * Returns 0, or an exit status with a message given: --cpu-features on a
 * module without tables, a '+' feature svmhv does not offer, an ioctl
 * refused.
 */
int vcpu_cpuid_setup(struct vm *vm, const struct cpuid_plan *plan);

#endif /* VMCTL_VCPU_CPUID_H */
