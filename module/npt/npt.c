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

/* Bytes one entry of a table at @level maps: 4 KiB, 2 MiB, 1 GiB, 512 GiB. */
static u64 npt_span(int level)
{
	return 1ULL << (PAGE_SHIFT + 9 * (level - 1));
}

/* A leaf: a 4 KiB page at level 1, a 2 MiB or 1 GiB page (PS) above. */
static bool npt_is_leaf(u64 e, int level)
{
	return level == 1 || (e & NPT_PS);
}

/*
 * Free @table (at @level) and the tables below it; the leaves it held
 * are no longer counted as mapped.
 */
static void npt_free_table(struct svmhv_npt *npt, u64 *table, int level)
{
	int i;

	for (i = 0; i < 512; i++) {
		u64 e = table[i];

		if (!(e & NPT_P))
			continue;
		if (npt_is_leaf(e, level))
			npt->nr_mapped -= npt_span(level) >> PAGE_SHIFT;
		else
			npt_free_table(npt, npt_next_table(e), level - 1);
	}
	free_page((unsigned long)table);
	npt->nr_table_pages--;
}

static void npt_drain(struct svmhv_npt *npt)
{
	while (npt->nr_cache)
		free_page((unsigned long)npt->cache[--npt->nr_cache]);
}

void npt_destroy(struct svmhv_npt *npt)
{
	npt_drain(npt);
	npt_free_stale(npt);
	if (npt->root)
		npt_free_table(npt, npt->root, NPT_LEVELS);
	npt->root = NULL;
	WARN_ON_ONCE(npt->nr_table_pages || npt->nr_mapped);
}

/*
 * Fill the cache of table pages a mapping may need (one per level below
 * the root), here where sleeping is allowed: npt_map() runs under
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

/*
 * The entry for @gpa in the table at @target level.  Without @create, a
 * larger leaf on the way is returned instead, and NULL if a table is
 * missing.  With @create, missing tables come from the cache, and a
 * larger leaf on the way is removed first (*zapped: the caller flushes).
 */
static u64 *npt_walk(struct svmhv_npt *npt, u64 gpa, int target, bool create,
		     bool *zapped)
{
	u64 *table = npt->root;
	int level;

	for (level = NPT_LEVELS; level > target; level--) {
		u64 *entry = &table[npt_index(gpa, level)];
		u64 e = READ_ONCE(*entry);

		if ((e & NPT_P) && npt_is_leaf(e, level)) {
			if (!create)
				return entry;
			WRITE_ONCE(*entry, 0);
			npt->nr_mapped -= npt_span(level) >> PAGE_SHIFT;
			*zapped = true;
			e = 0;
		}
		if (!(e & NPT_P)) {
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
	return &table[npt_index(gpa, target)];
}

/*
 * Map the 4 KiB, 2 MiB or 1 GiB page (@level 1, 2, 3) at @hpa for @gpa,
 * both aligned to the size.  A table of smaller mappings in the way is
 * unhooked and kept in npt->stale until the caller has flushed every
 * guest TLB (a vCPU's walk may still be reading it); so is a larger leaf
 * in the way removed.  *flush tells the caller to flush, then to call
 * npt_free_stale().
 */
int npt_map(struct svmhv_npt *npt, u64 gpa, u64 hpa, int level, bool writable,
	    bool *flush)
{
	u64 *entry = npt_walk(npt, gpa, level, true, flush);
	u64 e;

	if (!entry)
		return -ENOMEM;
	e = READ_ONCE(*entry);
	if ((e & NPT_P) && !npt_is_leaf(e, level)) {
		if (WARN_ON_ONCE(npt->stale))
			return -EBUSY;
		WRITE_ONCE(*entry, 0);
		npt->stale = npt_next_table(e);
		npt->stale_level = level - 1;
		*flush = true;
		e = 0;
	}
	if (!(e & NPT_P))
		npt->nr_mapped += npt_span(level) >> PAGE_SHIFT;
	/*
	 * Memory type: PAT index 0 (write-back; bit 12 is the PAT bit of a
	 * large page, and stays 0), combined with the guest's own PAT by
	 * the hardware (15.25.8).  PS marks a 2 MiB or 1 GiB leaf as in the
	 * host's long-mode tables (15.25.5).
	 */
	WRITE_ONCE(*entry, __sme_set(hpa & NPT_ADDR_MASK) | NPT_P | NPT_US |
		   NPT_A | NPT_D | (writable ? NPT_RW : 0) |
		   (level > 1 ? NPT_PS : 0));
	return 0;
}

void npt_free_stale(struct svmhv_npt *npt)
{
	if (!npt->stale)
		return;
	npt_free_table(npt, npt->stale, npt->stale_level);
	npt->stale = NULL;
}

int npt_lookup(struct svmhv_npt *npt, u64 gpa)
{
	u64 *entry = npt_walk(npt, gpa, 1, false, NULL);
	u64 e = entry ? READ_ONCE(*entry) : 0;

	if (!(e & NPT_P))
		return 0;
	return NPT_MAPPED | ((e & NPT_RW) ? NPT_WRITABLE : 0);
}

/*
 * Clear the leaves for [gpa, end) below @table, a table of @level that
 * maps from @base -- or, with @wp_only, take write access from its 4 KiB
 * leaves; true if any entry changed.  A large leaf that the range covers
 * only in part goes entirely, and so does one under @wp_only (dirty
 * logging tracks 4 KiB pages): the next fault maps what the host has
 * there then.  Emptied tables stay; they are freed with the VM.
 */
static bool npt_zap(struct svmhv_npt *npt, u64 *table, int level, u64 base,
		    u64 gpa, u64 end, bool wp_only)
{
	u64 span = npt_span(level);
	unsigned int i = npt_index(gpa, level);
	bool changed = false;

	for (; i < 512 && base + i * span < end; i++) {
		u64 e = READ_ONCE(table[i]);
		u64 lo = base + i * span;

		if (!(e & NPT_P))
			continue;
		if (!npt_is_leaf(e, level)) {
			changed |= npt_zap(npt, npt_next_table(e), level - 1,
					   lo, max(gpa, lo),
					   min(end, lo + span), wp_only);
			continue;
		}
		if (wp_only && level == 1) {
			if (e & NPT_RW) {
				WRITE_ONCE(table[i], e & ~NPT_RW);
				changed = true;
			}
			continue;
		}
		WRITE_ONCE(table[i], 0);
		npt->nr_mapped -= span >> PAGE_SHIFT;
		changed = true;
	}
	return changed;
}

bool npt_unmap_range(struct svmhv_npt *npt, u64 gpa, u64 size)
{
	if (!size)
		return false;
	return npt_zap(npt, npt->root, NPT_LEVELS, 0, gpa, gpa + size, false);
}

bool npt_write_protect_range(struct svmhv_npt *npt, u64 gpa, u64 size)
{
	if (!size)
		return false;
	return npt_zap(npt, npt->root, NPT_LEVELS, 0, gpa, gpa + size, true);
}
