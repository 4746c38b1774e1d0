/* Shared by the page-table walkers of src/mm: the address space and the entry reader. */
#ifndef DD_MM_MM_INTERNAL_H
#define DD_MM_MM_INTERNAL_H

#include "mm/mm.h"

/* Translation cache: direct-mapped by virtual page number, a fixed 16 KiB per space. */
#define MM_CACHE_SLOTS 1024

struct mm_cache_slot {
    uint64_t vpn_tag; /* virtual page number + 1; 0 = empty */
    uint64_t ppn;     /* physical page number of that 4 KB virtual page */
};

struct mm_space {
    enum mm_paging paging;
    uint64_t root;  /* DTB / TTBR0 as given */
    uint64_t root1; /* ARM64 TTBR1 (== root unless mm_space_set_ttbr1) */
    mm_phys_read_fn read;
    void *ctx;
    struct mm_cache_slot cache[MM_CACHE_SLOTS];
};

/* 4 KB pages everywhere (x86, x64, ARM64 4K granule). */
#define MM_PAGE_SHIFT 12
#define MM_PAGE_SIZE 0x1000ULL

/* Reads the SIZE-byte (4 or 8) little-endian entry at physical PA; false when not in the dump. */
bool mm_entry_read(const struct mm_space *s, uint64_t pa, unsigned size, uint64_t *ret);

/*
 * Windows software PTE states shared by x86, x64 and ARM64 (bit positions from the _MMPTE_*
 * layouts in the ntoskrnl symbols): Prototype is bit 10, Transition bit 11, Valid bit 0.
 */
#define MM_WIN_PROTOTYPE (1ULL << 10)
#define MM_WIN_TRANSITION (1ULL << 11)
/* True for a Windows transition entry: not valid, Transition set, Prototype clear. */
static inline bool mm_win_is_transition(uint64_t e)
{
    return !(e & 1) && (e & MM_WIN_TRANSITION) && !(e & MM_WIN_PROTOTYPE);
}

/* Records level I of RET (name, entry address) before its entry is read. */
void mm_walk_level_start(struct mm_walk *ret, unsigned i, const char *name, uint64_t entry_pa);

/* The walkers: fill RET for VA (never fail). */
void mm_x86_walk(const struct mm_space *s, uint64_t va, struct mm_walk *ret);
void mm_x86_pae_walk(const struct mm_space *s, uint64_t va, struct mm_walk *ret);
void mm_x64_walk(const struct mm_space *s, uint64_t va, struct mm_walk *ret);
void mm_arm64_walk(const struct mm_space *s, uint64_t va, struct mm_walk *ret);

#endif
