/*
 * x64 4-level and 5-level paging (Intel SDM Vol. 3A §4.5 "4-Level Paging and 5-Level Paging";
 * AMD APM Vol. 2 §5.3 "Long-Mode Page Translation").
 *
 *   CR3 bits 51:12   physical address of the top table (bits 11:0 are PCID or PWT/PCD flags)
 *   index            9 bits per level: PML5 56:48, PML4 47:39, PDPT 38:30, PD 29:21, PT 20:12
 *   entry bit 0      P (present)
 *   entry bit 7      PS in a PDPTE (1 GB page) or PDE (2 MB page); reserved in PML4E/PML5E and
 *                    PAT in a PTE, so it is only looked at on those two levels
 *   entry 51:12      next table or 4 KB page; 51:21 for a 2 MB page, 51:30 for a 1 GB page
 *                    (MAXPHYADDR is at most 52; bits 62:52 are ignored and 63 is XD)
 * A linear address is canonical when bits 63:47 (63:56 with LA57) all equal bit 47 (56);
 * anything else faults (#GP), so it is rejected before any table is read.
 *
 * Windows transition entries (valid bit clear, Transition bit 11 set, Prototype bit 10 clear;
 * _MMPTE_TRANSITION in the ntoskrnl symbols, PageFrameNumber at bits 12 and up) still name the
 * physical page: it is on the standby or modified list, unchanged, and complete and kernel dumps
 * hold it. WinDbg's Amd64 translation follows them ("not valid" and the Transition PFN in !pte,
 * the data read all the same), and so does kdmp-parser (its tests read a transition page of a
 * kernel+user dump); we do the same on every level, where a transition entry names a page-table
 * page (bit 7 is then part of the Protection field, not PS).
 */
#include "mm/mm_internal.h"

#define X64_PRESENT 1ULL
#define X64_PS (1ULL << 7)
#define X64_ADDR_4K 0x000ffffffffff000ULL
#define X64_ADDR_2M 0x000fffffffe00000ULL
#define X64_ADDR_1G 0x000fffffc0000000ULL

/* Windows names the levels PXE, PPE, PDE, PTE (the !pte columns); LA57 adds one on top. */
static const char *const x64_names[5] = {"PML5E", "PXE", "PPE", "PDE", "PTE"};

void mm_x64_walk(const struct mm_space *s, uint64_t va, struct mm_walk *ret)
{
    unsigned levels = s->paging == MM_PAGING_X64_LA57 ? 5 : 4;
    unsigned va_bits = levels == 5 ? 57 : 48;
    int64_t sign = (int64_t)(va << (64 - va_bits)) >> (64 - va_bits);
    if ((uint64_t)sign != va) {
        ret->result = MM_WALK_NON_CANONICAL;
        return;
    }
    uint64_t table = s->root & X64_ADDR_4K;
    for (unsigned i = 0; i < levels; i++) {
        unsigned shift = MM_PAGE_SHIFT + 9 * (levels - 1 - i);
        uint64_t entry_pa = table + ((va >> shift) & 0x1ff) * 8;
        mm_walk_level_start(ret, i, x64_names[5 - levels + i], entry_pa);
        uint64_t e;
        if (!mm_entry_read(s, entry_pa, 8, &e)) {
            ret->result = MM_WALK_TABLE_MISSING;
            return;
        }
        ret->level[i].entry = e;
        ret->level[i].read_ok = true;
        if (!(e & X64_PRESENT)) {
            if (!mm_win_is_transition(e)) {
                ret->result = MM_WALK_NOT_PRESENT;
                return;
            }
            ret->transition = true;
        } else if ((e & X64_PS) && (shift == 30 || shift == 21)) {
            uint64_t size = 1ULL << shift;
            ret->pa = (e & (shift == 30 ? X64_ADDR_1G : X64_ADDR_2M)) | (va & (size - 1));
            ret->page_size = size;
            ret->result = MM_WALK_PRESENT;
            return;
        }
        table = e & X64_ADDR_4K;
    }
    ret->pa = table | (va & (MM_PAGE_SIZE - 1));
    ret->page_size = MM_PAGE_SIZE;
    ret->result = MM_WALK_PRESENT;
}
