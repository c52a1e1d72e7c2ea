/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Nested page tables: guest physical to host physical, in the host's own
 * 4-level long-mode format (APM vol. 2, 15.25.5).
 */
#ifndef SVMHV_NPT_H
#define SVMHV_NPT_H

#include "../svmhv_core.h"

#define NPT_GPA_LIMIT	BIT_ULL(48)	/* what 4 levels can map */

int npt_init(struct svmhv_npt *npt);
void npt_destroy(struct svmhv_npt *npt);
u64 npt_root_pa(struct svmhv_npt *npt);
int npt_topup(struct svmhv_npt *npt);
/* Sizes npt_map() maps: 4 KiB, 2 MiB, 1 GiB. */
#define NPT_LEVEL_4K	1
#define NPT_LEVEL_2M	2
#define NPT_LEVEL_1G	3
#define NPT_LEVEL_SIZE(level)	(1ULL << (12 + 9 * ((level) - 1)))
int npt_map(struct svmhv_npt *npt, u64 gpa, u64 hpa, int level, bool writable,
	    bool *flush);
void npt_free_stale(struct svmhv_npt *npt);
/* What maps gpa now: 0, or NPT_MAPPED, with NPT_WRITABLE if writes may. */
#define NPT_MAPPED	1
#define NPT_WRITABLE	2
int npt_lookup(struct svmhv_npt *npt, u64 gpa);
/* Remove the mappings of [gpa, gpa + size); true if there were any. */
bool npt_unmap_range(struct svmhv_npt *npt, u64 gpa, u64 size);
/*
 * Take write access from the 4 KiB mappings of [gpa, gpa + size), remove
 * the larger ones; true if any changed (flush before relying on it).
 */
bool npt_write_protect_range(struct svmhv_npt *npt, u64 gpa, u64 size);

#endif /* SVMHV_NPT_H */
