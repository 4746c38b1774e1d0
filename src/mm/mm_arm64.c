/*
 * ARM64 stage 1 translation, 4 KB granule, 48-bit VA (Arm ARM DDI 0487, "The VMSAv8-64 address
 * translation system": translation table descriptor formats, and "Selection between TTBR0 and
 * TTBR1").
 *
 *   range     VA bit 55 selects the table: 0 -> TTBR0, 1 -> TTBR1. With T0SZ = T1SZ = 16 (48-bit
 *             VA) and no top-byte-ignore, bits 63:48 must all equal bit 55, else the access
 *             faults at level 0; so only 0x0000xxxxxxxxxxxx and 0xFFFFxxxxxxxxxxxx translate
 *             (Windows does not enable TBI for these addresses).
 *   TTBRn     BADDR in bits 47:1; the table is 4 KB aligned, so bits 47:12 (ASID in 63:48, CnP 0)
 *   levels    0..3 indexed by VA bits 47:39, 38:30, 29:21, 20:12 (9 bits each)
 *   bits 1:0  x0 invalid; 11 table (levels 0-2) or page (level 3); 01 block at level 1 (1 GB)
 *             or 2 (2 MB), reserved (invalid) at levels 0 and 3
 *   address   bits 47:12 for tables and pages, 47:30 / 47:21 for 1 GB / 2 MB blocks
 *
 * Windows on ARM64 keeps one page-table tree per process, like x64: DirectoryTableBase is loaded
 * into both TTBR0 and TTBR1, user addresses index entries 0-255 of the top table and kernel
 * addresses 256-511 (Microsoft's own ARM64 dump tooling walks every address from
 * DirectoryTableBase with the PXE/PPE/PDE/PTE shifts 39/30/21/12). So a space made from one DTB
 * serves both halves; mm_space_set_ttbr1 gives the upper half its own root when it differs.
 *
 * Windows transition PTEs on ARM64 (_MMPTE_TRANSITION of the ARM64 ntoskrnl symbols: Valid bit 0,
 * Prototype 10, Transition 11, PageFrameNumber 12..51) are followed as on x64 (see mm_x64.c).
 */
#include "mm/mm_internal.h"

#define ARM64_VALID 1ULL
#define ARM64_TABLE_OR_PAGE 2ULL
#define ARM64_ADDR_4K 0x0000fffffffff000ULL
#define ARM64_ADDR_2M 0x0000ffffffe00000ULL
#define ARM64_ADDR_1G 0x0000ffffc0000000ULL
/* Windows _MMPTE_TRANSITION.PageFrameNumber: 40 bits from bit 12. */
#define ARM64_WIN_PFN 0x000ffffffffff000ULL

static const char *const arm64_names[4] = {"PXE", "PPE", "PDE", "PTE"};

void mm_arm64_walk(const struct mm_space *s, uint64_t va, struct mm_walk *ret)
{
    uint64_t top = va >> 48;
    if (top != 0 && top != 0xffff) {
        ret->result = MM_WALK_NON_CANONICAL;
        return;
    }
    uint64_t table = ((va >> 55) & 1 ? s->root1 : s->root) & ARM64_ADDR_4K;
    for (unsigned level = 0; level < 4; level++) {
        unsigned shift = MM_PAGE_SHIFT + 9 * (3 - level);
        uint64_t entry_pa = table + ((va >> shift) & 0x1ff) * 8;
        mm_walk_level_start(ret, level, arm64_names[level], entry_pa);
        uint64_t e;
        if (!mm_entry_read(s, entry_pa, 8, &e)) {
            ret->result = MM_WALK_TABLE_MISSING;
            return;
        }
        ret->level[level].entry = e;
        ret->level[level].read_ok = true;
        if (!(e & ARM64_VALID)) {
            if (!mm_win_is_transition(e)) {
                ret->result = MM_WALK_NOT_PRESENT;
                return;
            }
            ret->transition = true;
            table = e & ARM64_WIN_PFN;
            continue;
        }
        if (!(e & ARM64_TABLE_OR_PAGE)) {
            /* A block: 1 GB at level 1, 2 MB at level 2; reserved at levels 0 and 3. */
            if (level != 1 && level != 2) {
                ret->result = MM_WALK_NOT_PRESENT;
                return;
            }
            uint64_t size = 1ULL << shift;
            ret->pa = (e & (level == 1 ? ARM64_ADDR_1G : ARM64_ADDR_2M)) | (va & (size - 1));
            ret->page_size = size;
            ret->result = MM_WALK_PRESENT;
            return;
        }
        table = e & ARM64_ADDR_4K;
    }
    ret->pa = table | (va & (MM_PAGE_SIZE - 1));
    ret->page_size = MM_PAGE_SIZE;
    ret->result = MM_WALK_PRESENT;
}
