/*
 * 32-bit x86 paging, without and with PAE (Intel SDM Vol. 3A §4.3 "32-Bit Paging" and §4.4
 * "PAE Paging").
 *
 * 32-bit paging: CR3 bits 31:12 locate the page directory; 4-byte entries; the directory is
 * indexed by VA bits 31:22 and the page table by 21:12 (10 bits each). A PDE with PS (bit 7) maps
 * a 4 MB page: PA bits 31:22 from PDE bits 31:22 and, with PSE-36, PA bits 39:32 from PDE bits
 * 20:13 (SDM Table "Format of a 32-Bit Page-Directory Entry that Maps a 4-MByte Page"). Windows
 * turns CR4.PSE on wherever the CPU has it, so PS is always honoured.
 *
 * PAE: CR3 bits 31:5 locate a 4-entry page-directory-pointer table indexed by VA bits 31:30;
 * 8-byte entries; directory and table indexed by 29:21 and 20:12 (9 bits); PDPTEs have no PS bit;
 * a PDE with PS maps a 2 MB page (PA from bits 51:21); addresses use bits 51:12.
 *
 * Windows transition entries (see mm_x64.c) have the same bits on x86: Prototype 10, Transition
 * 11, PageFrameNumber from bit 12 (_MMPTE_TRANSITION of the x86 ntoskrnl symbols).
 */
#include "mm/mm_internal.h"

#define X86_PRESENT 1ULL
#define X86_PS (1ULL << 7)

/* A 32-bit mode translates only addresses below 4 GB. */
static bool fits_32(uint64_t va, struct mm_walk *ret)
{
    if (va >> 32) {
        ret->result = MM_WALK_NON_CANONICAL;
        return false;
    }
    return true;
}

/*
 * Reads level I's entry at ENTRY_PA into *E; returns false (RET's result set) unless the walk goes
 * on: the entry is present, or a Windows transition entry when TRANSITION_OK.
 */
static bool step(const struct mm_space *s, struct mm_walk *ret, unsigned i, const char *name,
                 uint64_t entry_pa, unsigned size, bool transition_ok, uint64_t *e)
{
    mm_walk_level_start(ret, i, name, entry_pa);
    if (!mm_entry_read(s, entry_pa, size, e)) {
        ret->result = MM_WALK_TABLE_MISSING;
        return false;
    }
    ret->level[i].entry = *e;
    ret->level[i].read_ok = true;
    if (*e & X86_PRESENT)
        return true;
    if (transition_ok && mm_win_is_transition(*e)) {
        ret->transition = true;
        return true;
    }
    ret->result = MM_WALK_NOT_PRESENT;
    return false;
}

static void leaf(struct mm_walk *ret, uint64_t pa, uint64_t size)
{
    ret->pa = pa;
    ret->page_size = size;
    ret->result = MM_WALK_PRESENT;
}

void mm_x86_walk(const struct mm_space *s, uint64_t va, struct mm_walk *ret)
{
    if (!fits_32(va, ret))
        return;
    uint64_t pde;
    uint64_t pd = s->root & 0xfffff000ULL;
    if (!step(s, ret, 0, "PDE", pd + (va >> 22) * 4, 4, true, &pde))
        return;
    if ((pde & X86_PRESENT) && (pde & X86_PS)) {
        uint64_t pa = (pde & 0xffc00000ULL) | (((pde >> 13) & 0xff) << 32);
        leaf(ret, pa | (va & 0x3fffff), 0x400000);
        return;
    }
    uint64_t pte;
    uint64_t pt = pde & 0xfffff000ULL;
    if (!step(s, ret, 1, "PTE", pt + ((va >> 12) & 0x3ff) * 4, 4, true, &pte))
        return;
    leaf(ret, (pte & 0xfffff000ULL) | (va & 0xfff), MM_PAGE_SIZE);
}

#define PAE_ADDR_4K 0x000ffffffffff000ULL
#define PAE_ADDR_2M 0x000fffffffe00000ULL

void mm_x86_pae_walk(const struct mm_space *s, uint64_t va, struct mm_walk *ret)
{
    if (!fits_32(va, ret))
        return;
    /* PDPTEs are loaded into the CPU when CR3 is written and have no transition state. */
    uint64_t pdpte;
    uint64_t pdpt = s->root & 0xffffffe0ULL;
    if (!step(s, ret, 0, "PDPTE", pdpt + (va >> 30) * 8, 8, false, &pdpte))
        return;
    uint64_t pde;
    if (!step(s, ret, 1, "PDE", (pdpte & PAE_ADDR_4K) + ((va >> 21) & 0x1ff) * 8, 8, true, &pde))
        return;
    if ((pde & X86_PRESENT) && (pde & X86_PS)) {
        leaf(ret, (pde & PAE_ADDR_2M) | (va & 0x1fffff), 0x200000);
        return;
    }
    uint64_t pte;
    if (!step(s, ret, 2, "PTE", (pde & PAE_ADDR_4K) + ((va >> 12) & 0x1ff) * 8, 8, true, &pte))
        return;
    leaf(ret, (pte & PAE_ADDR_4K) | (va & 0xfff), MM_PAGE_SIZE);
}
