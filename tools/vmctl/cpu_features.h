/* SPDX-License-Identifier: GPL-2.0 */
/*
 * CPU features a user may hide from the guest (--cpu-features), named as
 * Linux names them in /proc/cpuinfo, and the edits that hide them in a
 * vCPU's CPUID table.  Pure functions over struct svmhv_cpuid_entry
 * arrays, free of I/O, so tests/unit_cpu_features.c pins the names, the
 * bit positions and the dependency rules on the host; vcpu_cpuid.c does
 * the ioctls.
 *
 * The rules are svmhv's (module/svm/cpuid_table.c refuses a table that
 * breaks them): AVX needs XSAVE and the AVX state; AVX2, FMA, F16C, VAES
 * and VPCLMULQDQ need AVX; AVX-512F needs AVX2 and the three AVX-512
 * states; every other AVX-512 feature needs AVX-512F.  PKU needs XSAVE as
 * well (its PKRU register is an XSAVE state; Linux drops PKU without
 * XSAVE).  So hiding a feature hides all that is built on it.
 */
#ifndef VMCTL_CPU_FEATURES_H
#define VMCTL_CPU_FEATURES_H

#include <stddef.h>
#include <stdint.h>

#include "../../uapi/svmhv.h"

/* One bit per feature of the name table (cpu_features.c). */
typedef uint64_t cpu_feature_set;

struct cpu_features_req {
	cpu_feature_set hide;	/* named with '-' */
	cpu_feature_set keep;	/* named with '+': must be offered */
};

/*
 * Parse a comma-separated list of -name and +name items into @req.
 * Returns 0, or -1 with a sentence in @err: an empty list or item, an
 * item without its sign, an unknown name, a feature both hidden and
 * kept, or one kept while a hidden one it needs goes.
 */
int cpu_features_parse(const char *list, struct cpu_features_req *req,
		       char *err, size_t errlen);

/* The feature called @name ("pni" is sse3's alias), as a set; 0 if none. */
cpu_feature_set cpu_feature_named(const char *name);

/* @hide and every feature that needs one of them, however indirectly. */
cpu_feature_set cpu_features_closure(cpu_feature_set hide);

/* The features the table shows (leaves 1, 7.0 and 0x80000001). */
cpu_feature_set cpu_features_shown(const struct svmhv_cpuid_entry *e,
				   unsigned int n);

/*
 * Hide the closure of @hide: clear the features' bits, and take from
 * leaf 0xd what they used: the AVX state (XCR0 bit 2) with AVX, the
 * AVX-512 states (bits 5-7) with AVX-512F, PKRU (bit 9) with PKU, and
 * with XSAVE every state but x87 and SSE and the XSAVE extensions of
 * leaf 0xd.1 EAX (XSAVEOPT, XSAVEC, XGETBV with ECX=1, ...).
 */
void cpu_features_hide(struct svmhv_cpuid_entry *e, unsigned int n,
		       cpu_feature_set hide);

/* The names of @set, table order, separated by ", " ("" for none). */
void cpu_features_names(cpu_feature_set set, char *buf, size_t len);

#endif /* VMCTL_CPU_FEATURES_H */
