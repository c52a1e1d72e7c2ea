// SPDX-License-Identifier: GPL-2.0
/*
 * Nested page tables, built lazily: the table starts empty, and each
 * nested page fault on RAM (npf.c) maps one 4 KiB page.  Entries use the
 * host's long-mode format (APM vol. 2, 15.25.5): every guest access is
 * treated as a user access (15.25.5, "nested page table accesses are
 * treated as user"), so U must be set at every level.  A and D are preset
 * so the walker never has to write them back.
 *
 * Removing mappings (slot deletion, the MMU notifier) leaves the
 * intermediate tables in place; they are freed with the VM.  Every
 * function here but npt_init/npt_destroy/npt_topup runs under
 * vm->mmu_lock, a spinlock: tables are allocated ahead by npt_topup().
 *
 * Under SME (APM vol. 2, 7.10) the kernel maps its memory encrypted, and
 * the nested walk reads tables and guest pages through the physical
 * addresses written here: nCR3, every table pointer and every leaf carry
 * the encryption bit (__sme_set), as KVM's SPTEs do; it is stripped
 * (__sme_clr) before an entry is used as an address by the kernel.
 * Leaves only ever map RAM (host pages), never MMIO, which would need
 * the bit clear.
 */
#include <linux/gfp.h>
#include <linux/mem_encrypt.h>
#include <linux/mm.h>

#include "npt.h"

#define NPT_P		BIT_ULL(0)
#define NPT_RW		BIT_ULL(1)
#define NPT_US		BIT_ULL(2)
#define NPT_A		BIT_ULL(5)
#define NPT_D		BIT_ULL(6)
#define NPT_PS		BIT_ULL(7)
#define NPT_ADDR_MASK	GENMASK_ULL(51, 12)
#define NPT_TABLE_FLAGS	(NPT_P | NPT_RW | NPT_US | NPT_A)
#define NPT_LEVELS	4

static unsigned int npt_index(u64 gpa, int level)
{
	return (gpa >> (PAGE_SHIFT + 9 * (level - 1))) & 511;
}

int npt_init(struct svmhv_npt *npt)
{
	npt->root = (u64 *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	if (!npt->root)
		return -ENOMEM;
	npt->nr_table_pages = 1;
	return 0;
}

u64 npt_root_pa(struct svmhv_npt *npt)
{
	return __sme_set(__pa(npt->root));
}

/* The kernel's address of the table an entry points to. */
static u64 *npt_next_table(u64 entry)
{
	return __va(__sme_clr(entry & NPT_ADDR_MASK));
}

static void npt_free_table(u64 *table, int level)
{
	int i;

	if (level > 1) {
		for (i = 0; i < 512; i++)
			if (table[i] & NPT_P)
				npt_free_table(npt_next_table(table[i]),
					       level - 1);
	}
	free_page((unsigned long)table);
}

static void npt_drain(struct svmhv_npt *npt)
{
	while (npt->nr_cache)
		free_page((unsigned long)npt->cache[--npt->nr_cache]);
}

void npt_destroy(struct svmhv_npt *npt)
{
	npt_drain(npt);
	if (npt->root)
		npt_free_table(npt->root, NPT_LEVELS);
	npt->root = NULL;
	npt->nr_table_pages = 0;
	npt->nr_mapped = 0;
}

/*
 * Fill the cache of table pages a mapping may need (one per level below
 * the root), here where sleeping is allowed: npt_map_page() runs under
 * vm->mmu_lock, a spinlock, because the MMU notifier takes it in contexts
 * that may not sleep.  Caller holds vm->lock, which serialises refills.
 */
int npt_topup(struct svmhv_npt *npt)
{
	while (npt->nr_cache < ARRAY_SIZE(npt->cache)) {
		u64 *page = (u64 *)get_zeroed_page(GFP_KERNEL_ACCOUNT);

		if (!page)
			return -ENOMEM;
		npt->cache[npt->nr_cache++] = page;
	}
	return 0;
}

/* The level-1 entry for gpa, creating tables (from the cache) if asked. */
static u64 *npt_walk(struct svmhv_npt *npt, u64 gpa, bool create)
{
	u64 *table = npt->root;
	int level;

	for (level = NPT_LEVELS; level > 1; level--) {
		u64 *entry = &table[npt_index(gpa, level)];

		if (!(*entry & NPT_P)) {
			u64 *next;

			if (!create || WARN_ON_ONCE(!npt->nr_cache))
				return NULL;
			next = npt->cache[--npt->nr_cache];
			npt->nr_table_pages++;
			WRITE_ONCE(*entry, __sme_set(__pa(next)) |
					   NPT_TABLE_FLAGS);
		}
		table = npt_next_table(*entry);
	}
	return &table[npt_index(gpa, 1)];
}

int npt_map_page(struct svmhv_npt *npt, u64 gpa, u64 hpa, bool writable)
{
	u64 *pte = npt_walk(npt, gpa, true);

	if (!pte)
		return -ENOMEM;
	if (!(*pte & NPT_P))
		npt->nr_mapped++;
	/* Memory type: PAT index 0 (write-back), combined with the guest's
	 * own PAT by the hardware (15.25.8).
	 */
	WRITE_ONCE(*pte, __sme_set(hpa & NPT_ADDR_MASK) | NPT_P | NPT_US |
		   NPT_A | NPT_D | (writable ? NPT_RW : 0));
	return 0;
}

int npt_lookup(struct svmhv_npt *npt, u64 gpa)
{
	u64 *pte = npt_walk(npt, gpa, false);
	u64 e = pte ? READ_ONCE(*pte) : 0;

	if (!(e & NPT_P))
		return 0;
	return NPT_MAPPED | ((e & NPT_RW) ? NPT_WRITABLE : 0);
}

/*
 * Clear the leaves for [gpa, end) below @table, a table of @level that
 * maps from @base; true if any was present.  Empty tables stay: they are
 * freed with the VM.
 */
static bool npt_zap(struct svmhv_npt *npt, u64 *table, int level, u64 base,
		    u64 gpa, u64 end)
{
	u64 span = 1ULL << (PAGE_SHIFT + 9 * (level - 1));
	unsigned int i = npt_index(gpa, level);
	bool zapped = false;

	for (; i < 512 && base + i * span < end; i++) {
		u64 e = READ_ONCE(table[i]);
		u64 lo = base + i * span;

		if (!(e & NPT_P))
			continue;
		if (level > 1) {
			zapped |= npt_zap(npt, npt_next_table(e), level - 1, lo,
					  max(gpa, lo), min(end, lo + span));
			continue;
		}
		WRITE_ONCE(table[i], 0);
		npt->nr_mapped--;
		zapped = true;
	}
	return zapped;
}

bool npt_unmap_range(struct svmhv_npt *npt, u64 gpa, u64 size)
{
	if (!size)
		return false;
	return npt_zap(npt, npt->root, NPT_LEVELS, 0, gpa, gpa + size);
}
