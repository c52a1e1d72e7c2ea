// SPDX-License-Identifier: GPL-2.0
/*
 * The vCPUs' CPUID tables (see vcpu_cpuid.h).  Every vCPU starts from its
 * own answer rather than SVMHV_GET_SUPPORTED_CPUID's, so what vmctl does
 * not own (family, brand, the XSAVE layout, the hypervisor leaves) stays
 * exactly svmhv's, and the table only ever takes away, as svmhv demands.
 * The features are checked once, on vCPU 0: every vCPU is offered the
 * same ones.
 */
#include <errno.h>
#include <string.h>

#include "cpu_topology.h"
#include "exit_status.h"
#include "msg.h"
#include "vcpu_cpuid.h"

/* Room for every feature name, comma-separated. */
#define NAMES_LEN	1024

/*
 * What vCPU 0's table @e offers against the request: a kept feature must
 * be offered; the dependents that go with the hidden ones are said.
 * Returns 0, or the exit status.
 */
static int features_check(const struct cpuid_plan *plan,
			  const struct svmhv_cpuid_entry *e, unsigned int n)
{
	const struct cpu_features_req *req = &plan->features;
	cpu_feature_set shown = cpu_features_shown(e, n);
	cpu_feature_set also = cpu_features_closure(req->hide) & shown &
			       ~req->hide;
	char names[NAMES_LEN];

	if (req->keep & ~shown) {
		cpu_features_names(req->keep & ~shown, names, sizeof(names));
		msg("--cpu-features: svmhv does not offer %s on this host"
		    " ('+' only keeps a feature that is there)", names);
		return VMCTL_EXIT_HOST_ERROR;
	}
	if (also) {
		cpu_features_names(also, names, sizeof(names));
		msg("--cpu-features: also hiding %s (built on a hidden"
		    " feature)", names);
	}
	if (plan->verbose && (req->hide & ~shown)) {
		cpu_features_names(req->hide & ~shown, names, sizeof(names));
		msg("--cpu-features: %s not offered here anyway", names);
	}
	return 0;
}

int vcpu_cpuid_setup(struct vm *vm, const struct cpuid_plan *plan)
{
	struct svmhv_cpuid_entry e[SVMHV_CPUID_MAX_ENTRIES];
	unsigned int i;
	int n, status;

	if (!plan->topology && !plan->features_set)
		return 0;
	if (vm_check_cap(vm, SVMHV_CAP_CPUID) != 1) {
		if (plan->features_set) {
			msg("--cpu-features: this svmhv module cannot change"
			    " what CPUID shows (no SVMHV_CAP_CPUID)");
			return VMCTL_EXIT_HOST_ERROR;
		}
		if (plan->verbose)
			msg("CPUID: no SVMHV_CAP_CPUID, the topology is"
			    " svmhv's own");
		return 0;
	}
	for (i = 0; i < vm->ncpus; i++) {
		n = vm_get_cpuid(&vm->cpu[i], e, SVMHV_CPUID_MAX_ENTRIES);
		if (n < 0) {
			msg("SVMHV_GET_CPUID of vCPU %u failed: %s", i,
			    strerror(errno));
			return VMCTL_EXIT_HOST_ERROR;
		}
		if (plan->features_set) {
			status = i ? 0 : features_check(plan, e, (unsigned int)n);
			if (status)
				return status;
			cpu_features_hide(e, (unsigned int)n,
					  plan->features.hide);
		}
		if (plan->topology)
			cpu_topology_apply(e, (unsigned int)n, i, vm->ncpus);
		if (vm_set_cpuid(&vm->cpu[i], e, (unsigned int)n) < 0) {
			msg("SVMHV_SET_CPUID of vCPU %u refused vmctl's"
			    " table: %s", i, strerror(errno));
			return VMCTL_EXIT_HOST_ERROR;
		}
	}
	if (plan->verbose)
		msg("CPUID: tables set for %u vCPU%s%s%s", vm->ncpus,
		    vm->ncpus > 1 ? "s" : "",
		    plan->topology ? ", topology: one package, a core each" : "",
		    plan->features_set ? ", --cpu-features applied" : "");
	return 0;
}
