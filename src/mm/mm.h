/*
 * Virtual-to-physical translation for kernel dumps: walks the page tables of one address space
 * (x86 non-PAE and PAE, x64 4- and 5-level, ARM64 4K granule) through a physical-memory reader.
 * Format readers and the kernel target build one space per process DirectoryTableBase.
 */
#ifndef DD_MM_MM_H
#define DD_MM_MM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/error.h"

enum mm_paging {
    MM_PAGING_X86,      /* 2-level, 32-bit entries, 4 KB and 4 MB pages */
    MM_PAGING_X86_PAE,  /* 3-level, 64-bit entries, 4 KB and 2 MB pages */
    MM_PAGING_X64,      /* 4-level, 4 KB, 2 MB and 1 GB pages */
    MM_PAGING_X64_LA57, /* 5-level (CR4.LA57) */
    MM_PAGING_ARM64,    /* 4 KB granule, 48-bit VA, TTBR0/TTBR1 by VA top bit */
};

/* Reads physical memory: like target_ops.read_virtual (ret_read = bytes read contiguously). */
typedef struct dd_error *(*mm_phys_read_fn)(void *ctx, uint64_t pa, void *buf, size_t n,
                                            size_t *ret_read);

/* Why a walk ended (mm_walk.result). */
enum mm_walk_result {
    MM_WALK_PRESENT,       /* a leaf was reached: pa and page_size are valid */
    MM_WALK_NOT_PRESENT,   /* the last level's entry maps nothing (its value is in the level) */
    MM_WALK_TABLE_MISSING, /* the last level's page-table page is not in the dump */
    MM_WALK_NON_CANONICAL, /* the address is outside what the paging mode translates (nlevels 0) */
};

/* One level of a walk, for !pte and !vtop. */
struct mm_walk_level {
    const char *name;   /* "PXE", "PPE", "PDE", "PTE" (x64 names; x86 "PDE"/"PTE") */
    uint64_t entry_pa;  /* physical address of the entry */
    uint64_t entry;     /* its raw value (valid only when read_ok) */
    bool read_ok;       /* false: the page-table page is not in the dump */
};

#define MM_WALK_MAX_LEVELS 5

struct mm_walk {
    unsigned nlevels;                 /* levels visited, including the failing one */
    struct mm_walk_level level[MM_WALK_MAX_LEVELS];
    bool present;                     /* a valid leaf was reached */
    uint64_t pa;                      /* translated address when present */
    uint64_t page_size;               /* 4 KB, 2 MB, 4 MB or 1 GB when present */
    enum mm_walk_result result;       /* why the walk ended (MM_WALK_PRESENT when present) */
    /*
     * A Windows transition entry (valid bit clear, Transition bit 11 set, Prototype bit 10 clear)
     * was followed: the page sits on a standby/modified list, its PFN still holds the data.
     */
    bool transition;
};

struct mm_space;

/* Creates an address space over page tables rooted at DTB (CR3/TTBR value, flag bits allowed). */
struct dd_error *mm_space_create(enum mm_paging paging, uint64_t dtb, mm_phys_read_fn read,
                                 void *ctx, struct mm_space **ret);
/*
 * ARM64 only: walks VAs whose bit 55 is set (the upper half) from TTBR1 instead of the DTB given
 * at creation (which then serves only the lower half). Without this call both halves use the DTB:
 * Windows on ARM64 points TTBR0 and TTBR1 at one table, indexed like x64 (see mm_arm64.c).
 */
void mm_space_set_ttbr1(struct mm_space *space, uint64_t ttbr1);
/* The paging mode SPACE was created with. */
enum mm_paging mm_space_paging(const struct mm_space *space);
/* Frees SPACE; NULL is a no-op. */
void mm_space_destroy(struct mm_space *space);

/*
 * Translates VA; on failure a DD_ERR_MEMORY error at VA saying why (entry not present, page-table
 * page missing from the dump, non-canonical address). The message reads "memory at 0xVA is not
 * in the dump (PXE not present)": it starts like dd_error_memory's, so the command layer still
 * prints WinDbg's "Memory read error ADDR", and the parenthesis is there for verbose output.
 * Successful translations are cached (1,024 slots per space, by 4 KB virtual page).
 */
struct dd_error *mm_space_translate(struct mm_space *space, uint64_t va, uint64_t *ret_pa);
/* Fills RET with every level visited for VA (never fails; see present). */
void mm_space_walk(struct mm_space *space, uint64_t va, struct mm_walk *ret);
/*
 * Reads virtual memory page by page, like target_ops.read_virtual: ret_read is the count read
 * contiguously from VA; a DD_ERR_MEMORY error (as above) names the first byte not read.
 */
struct dd_error *mm_space_read(struct mm_space *space, uint64_t va, void *buf, size_t n,
                               size_t *ret_read);

#endif
