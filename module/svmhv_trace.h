/* SPDX-License-Identifier: GPL-2.0 */
/*
 * svmhv tracepoints, under events/svmhv/ in tracefs:
 *   svmhv_entry           a vCPU is about to VMRUN: RIP, RFLAGS, EVENTINJ
 *   svmhv_exit            #VMEXIT: code, EXITINFO1/2, guest RIP
 *   svmhv_npf             nested page fault: address, error code, outcome
 *   svmhv_inject          an event handed to the CPU (EVENTINJ, or V_IRQ
 *                         for an external interrupt)
 *   svmhv_userspace_exit  SVMHV_RUN returns to userspace
 * Disabled tracepoints cost a patched-out branch on the exit path.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM svmhv

#if !defined(SVMHV_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define SVMHV_TRACE_H

#include <linux/tracepoint.h>

TRACE_EVENT(svmhv_entry,
	    TP_PROTO(u32 vcpu_id, u64 rip, u64 rflags, u32 event_inj),
	    TP_ARGS(vcpu_id, rip, rflags, event_inj),
	    TP_STRUCT__entry(__field(u32, vcpu_id)
			     __field(u64, rip)
			     __field(u64, rflags)
			     __field(u32, event_inj)),
	    TP_fast_assign(__entry->vcpu_id = vcpu_id;
			   __entry->rip = rip;
			   __entry->rflags = rflags;
			   __entry->event_inj = event_inj;),
	    TP_printk("vcpu %u rip 0x%llx rflags 0x%llx event_inj 0x%x",
		      __entry->vcpu_id, __entry->rip, __entry->rflags,
		      __entry->event_inj)
);

TRACE_EVENT(svmhv_exit,
	    TP_PROTO(u32 vcpu_id, u64 exit_code, u64 info1, u64 info2,
		     u64 rip),
	    TP_ARGS(vcpu_id, exit_code, info1, info2, rip),
	    TP_STRUCT__entry(__field(u32, vcpu_id)
			     __field(u64, exit_code)
			     __field(u64, info1)
			     __field(u64, info2)
			     __field(u64, rip)),
	    TP_fast_assign(__entry->vcpu_id = vcpu_id;
			   __entry->exit_code = exit_code;
			   __entry->info1 = info1;
			   __entry->info2 = info2;
			   __entry->rip = rip;),
	    TP_printk("vcpu %u exit_code 0x%llx info1 0x%llx info2 0x%llx rip 0x%llx",
		      __entry->vcpu_id, __entry->exit_code, __entry->info1,
		      __entry->info2, __entry->rip)
);

/* What a nested page fault turned into. */
#define SVMHV_NPF_MAPPED	0
#define SVMHV_NPF_MMIO		1
#define SVMHV_NPF_RETRY		2	/* mapped by another vCPU meanwhile */
#define SVMHV_NPF_ERROR		3	/* reported as INTERNAL_ERROR */

TRACE_EVENT(svmhv_npf,
	    TP_PROTO(u32 vcpu_id, u64 gpa, u64 error_code, u32 outcome),
	    TP_ARGS(vcpu_id, gpa, error_code, outcome),
	    TP_STRUCT__entry(__field(u32, vcpu_id)
			     __field(u64, gpa)
			     __field(u64, error_code)
			     __field(u32, outcome)),
	    TP_fast_assign(__entry->vcpu_id = vcpu_id;
			   __entry->gpa = gpa;
			   __entry->error_code = error_code;
			   __entry->outcome = outcome;),
	    TP_printk("vcpu %u gpa 0x%llx error_code 0x%llx %s",
		      __entry->vcpu_id, __entry->gpa, __entry->error_code,
		      __print_symbolic(__entry->outcome,
				       { SVMHV_NPF_MAPPED, "mapped" },
				       { SVMHV_NPF_MMIO, "mmio" },
				       { SVMHV_NPF_RETRY, "retry" },
				       { SVMHV_NPF_ERROR, "error" }))
);

TRACE_EVENT(svmhv_inject,
	    TP_PROTO(u32 vcpu_id, u32 type, u32 vector, u32 error_code),
	    TP_ARGS(vcpu_id, type, vector, error_code),
	    TP_STRUCT__entry(__field(u32, vcpu_id)
			     __field(u32, type)
			     __field(u32, vector)
			     __field(u32, error_code)),
	    TP_fast_assign(__entry->vcpu_id = vcpu_id;
			   __entry->type = type;
			   __entry->vector = vector;
			   __entry->error_code = error_code;),
	    TP_printk("vcpu %u type %u vector %u error_code 0x%x",
		      __entry->vcpu_id, __entry->type, __entry->vector,
		      __entry->error_code)
);

TRACE_EVENT(svmhv_userspace_exit,
	    TP_PROTO(u32 vcpu_id, u32 exit_reason, u64 rip, int ret),
	    TP_ARGS(vcpu_id, exit_reason, rip, ret),
	    TP_STRUCT__entry(__field(u32, vcpu_id)
			     __field(u32, exit_reason)
			     __field(u64, rip)
			     __field(int, ret)),
	    TP_fast_assign(__entry->vcpu_id = vcpu_id;
			   __entry->exit_reason = exit_reason;
			   __entry->rip = rip;
			   __entry->ret = ret;),
	    TP_printk("vcpu %u exit_reason %u rip 0x%llx ret %d",
		      __entry->vcpu_id, __entry->exit_reason, __entry->rip,
		      __entry->ret)
);

#endif /* SVMHV_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE svmhv_trace
#include <trace/define_trace.h>
