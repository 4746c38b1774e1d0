/*
 * Kernel memory extensions: !vtop, !pte and the physical displays !db !dc !dd !dq !dw.
 * They walk the page tables (src/mm) of the dump's DirectoryTableBase over its physical memory.
 *
 * !vtop DIRBASE VA (WinDbg's kdexts; layout from published transcripts):
 *     Amd64VtoP: Virt fffff8052e3ff090, pagedir 00000000001ad000
 *     Amd64VtoP: PML4E 00000000001adf80
 *     Amd64VtoP: PDPE 0000000004b090a0
 *     Amd64VtoP: PDE 0000000004b0ab88
 *     Amd64VtoP: Large page mapped phys 0000000002dff090
 *     Virtual address fffff8052e3ff090 translates to physical address 2dff090.
 * A 4 KB page ends "Amd64VtoP: PTE ..." and "Amd64VtoP: Mapped phys ..."; a zero entry
 * "Amd64VtoP: zero PDPE" then "Virtual address 7ff7 translation fails, error 0xD0000147."
 * (HRESULT_FROM_NT(STATUS_NO_PAGEFILE), dbgeng's HR_PAGE_NOT_AVAILABLE). x86 prints each entry
 * with its value: "X86VtoP: PDE 000000001735e004 - 17342067", and under PAE
 * "X86VtoP: PAE PDE 0000000017f20010 - 0000000017c63067", "X86VtoP: PAE Mapped phys ...".
 * DIRBASE is taken as a PFN unless it is aligned like a page directory (4 KB, 32 bytes for PAE):
 * the transcripts show "!vtop 185 ..." -> pagedir 185000 and "!vtop 1ad000 ..." -> 1ad000; 0
 * means the dump's own DirectoryTableBase. Like dbgeng, a transition PTE counts as mapped.
 * Not from a transcript (our wording): "Non-canonical address" (error 0xD0000141,
 * HRESULT_FROM_NT(STATUS_INVALID_ADDRESS)), "<level> read error 0x80004005" when a page-table page
 * is not in the dump, "<level> not present" for a paged-out entry, and the Arm64VtoP prefix.
 *
 * !pte VA: WinDbg's x64 columns, 27 characters each (transcripts of "!pte nt!NtCreateFile" and
 * kdmp-parser's "!pte 1a42ea30240"):
 *                                            VA fffff8052e3ff090
 *     PXE at FFFFE5F2F97CBF80    PPE at FFFFE5F2F97F00A0    PDE at ...    PTE at ...
 *     contains 0000000004B09063  contains 0000000004B0A063  contains ...  contains ...
 *     pfn 4b09      ---DA--KWEV  pfn 4b0a      ---DA--KWEV  pfn 2c00      -GL-A--KREV  LARGE PAGE pfn 2dff
 * An invalid entry prints "not valid" and its software state below it, one column to the right:
 * "Transition: 166b7", "Protect: 4 - ReadWrite", "Proto: FFFFC182CC1FFDF8", "PageFile:  2",
 * "Offset: def3", "DemandZero", "Page has been freed". The flag letters (Windows Internals' !pte
 * table): C copy-on-write (bit 9), G global (8), L large (7), D dirty (6), A accessed (5),
 * N cache disabled (4), T write-through (3), U/K owner (2), W/R writable (1), E executable (63
 * clear), V valid (0). Entry addresses come from the PTE self-map (t->kernel.pte_base; x86 uses
 * its fixed 0xC0000000); when the x64 base is unknown they are physical, marked '#'.
 *
 * !db ADDR [L count] (kdexts physical.cpp): "#%8llx" then the elements, 16 bytes a row, one space
 * apart (db puts '-' before the ninth byte), " " and 16 characters for db/dc. Counts default to
 * 128 bytes (db), 32 dwords (dd, dc), 64 words (dw), 16 qwords (dq); the address is rounded down
 * to 4 bytes. 128 bytes are read at a time; a block that is not all in the dump ends the display
 * with "physical memory read at ADDR failed" (and WinDbg's caching-attribute hint when nothing
 * could be read), the text of the !db documentation page.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/fmt.h"
#include "cmd/cmd_range.h"
#include "cmd/expr.h"
#include "ext/ext.h"
#include "mm/mm_target.h"

/* dbgeng HRESULTs: HR_PAGE_NOT_AVAILABLE, HR_NON_CANONICAL_VA, E_FAIL. */
#define HR_PAGE_NOT_AVAILABLE 0xD0000147u
#define HR_NON_CANONICAL_VA 0xD0000141u
#define HR_E_FAIL 0x80004005u

#define PTE_COLUMN 27

/* Creates the space for DTB, or prints why not; NULL when the command must stop. */
static struct mm_space *kernel_space(struct session *s, uint64_t dtb)
{
    struct target *t = s->target;
    if (t->kind != TARGET_KERNEL) {
        dd_printf(s->out, "This command is only valid for kernel targets\n");
        return NULL;
    }
    struct mm_space *sp = NULL;
    struct dd_error *err = mm_space_for_target(t, dtb, &sp);
    if (err) {
        dd_printf(s->out, "%s\n", err->message);
        dd_error_destroy(err);
        return NULL;
    }
    return sp;
}

/* ---- !vtop ---------------------------------------------------------------------------------- */

/* dbgeng's names of the x64 levels in !vtop (PML4E, PDPE) for our PXE/PPE. */
static const char *vtop_name(const char *name)
{
    if (strcmp(name, "PXE") == 0)
        return "PML4E";
    if (strcmp(name, "PPE") == 0 || strcmp(name, "PDPTE") == 0)
        return "PDPE";
    return name;
}

static struct dd_error *ext_vtop(struct session *s, const struct cmd_args *a)
{
    uint64_t dirbase, va;
    const char *end;
    if (!*a->rest || dd_error_drop(expr_eval_prefix(s, a->rest, &end, &dirbase)) || !*end ||
        dd_error_drop(expr_eval(s, end, &va))) {
        /* Like kdexts, any argument it cannot use gets the usage line. */
        dd_printf(s->out, "usage: vtop PFNOfPDE VA\n");
        return NULL;
    }
    struct target *t = s->target;
    enum mm_paging paging = MM_PAGING_X64;
    if (t->kind == TARGET_KERNEL && mm_paging_for_target(t, &paging) != NULL)
        paging = MM_PAGING_X64; /* kernel_space below reports it */
    bool pae = paging == MM_PAGING_X86_PAE, x86 = paging == MM_PAGING_X86 || pae;
    uint64_t align = pae ? 0x1f : 0xfff;
    if (dirbase == 0)
        dirbase = t->kernel.directory_table_base;
    else if (dirbase & align)
        dirbase <<= 12;
    struct mm_space *sp = kernel_space(s, dirbase);
    if (!sp)
        return NULL;
    uint64_t pagedir = pae ? dirbase & 0xffffffe0ULL
                     : x86 ? dirbase & 0xfffff000ULL
                           : dirbase & 0x000ffffffffff000ULL;
    const char *pfx = x86 ? "X86VtoP" : paging == MM_PAGING_ARM64 ? "Arm64VtoP" : "Amd64VtoP";
    const char *pae_tag = pae ? "PAE " : "";
    struct dd_writer *o = s->out;
    dd_printf(o, "%s: Virt %016llx, pagedir %016llx\n", pfx, (unsigned long long)va,
              (unsigned long long)pagedir);
    struct mm_walk w;
    mm_space_walk(sp, va, &w);
    mm_space_destroy(sp);
    unsigned status = HR_PAGE_NOT_AVAILABLE;
    for (unsigned i = 0; i < w.nlevels; i++) {
        const struct mm_walk_level *l = &w.level[i];
        const char *name = vtop_name(l->name);
        if (!x86)
            dd_printf(o, "%s: %s %016llx\n", pfx, name, (unsigned long long)l->entry_pa);
        else if (!l->read_ok)
            dd_printf(o, "%s: %s%s %016llx\n", pfx, pae_tag, name, (unsigned long long)l->entry_pa);
        else
            dd_printf(o, "%s: %s%s %016llx - %0*llx\n", pfx, pae_tag, name,
                      (unsigned long long)l->entry_pa, pae ? 16 : 8, (unsigned long long)l->entry);
        if (!l->read_ok) {
            status = HR_E_FAIL;
            dd_printf(o, "%s: %s%s read error 0x%X\n", pfx, pae_tag, name, status);
        } else if (i + 1 == w.nlevels && w.result == MM_WALK_NOT_PRESENT) {
            if (l->entry == 0)
                dd_printf(o, "%s: %szero %s\n", pfx, pae_tag, name);
            else if (strcmp(l->name, "PTE") == 0 && (l->entry & (1ULL << 10)))
                dd_printf(o, "%s: %sprototype PTE\n", pfx, pae_tag);
            else
                dd_printf(o, "%s: %s%s not present\n", pfx, pae_tag, name);
        }
    }
    if (w.result == MM_WALK_NON_CANONICAL) {
        status = HR_NON_CANONICAL_VA;
        dd_printf(o, "%s: Non-canonical address\n", pfx);
    }
    if (!w.present) {
        dd_printf(o, "Virtual address %llx translation fails, error 0x%X.\n",
                  (unsigned long long)va, status);
        return NULL;
    }
    dd_printf(o, "%s: %s%s %016llx\n", pfx, pae_tag,
              w.page_size > 0x1000 ? "Large page mapped phys" : "Mapped phys",
              (unsigned long long)w.pa);
    dd_printf(o, "Virtual address %llx translates to physical address %llx.\n",
              (unsigned long long)va, (unsigned long long)w.pa);
    return NULL;
}

/* ---- !pte ----------------------------------------------------------------------------------- */

/* The layout of one paging family's !pte. */
struct pte_style {
    unsigned first;       /* first walk level shown (PAE hides the PDPTE) */
    unsigned va_indent;   /* spaces before "VA" */
    unsigned va_digits;   /* 16, or 8 for 32-bit */
    unsigned entry_digits;/* "contains" digits */
    unsigned entry_shift; /* self-map: entry VA = base + ((va & mask) >> shift) */
    uint64_t va_mask;
    uint64_t default_base;
};

static const struct pte_style style_x64 = {0, 43, 16, 16, 9, 0x0000fffffffff000ULL, 0};
static const struct pte_style style_la57 = {0, 43, 16, 16, 9, 0x01fffffffffff000ULL, 0};
static const struct pte_style style_pae = {1, 20, 8, 16, 9, 0xfffff000ULL, 0xc0000000ULL};
static const struct pte_style style_x86 = {0, 20, 8, 8, 10, 0xfffff000ULL, 0xc0000000ULL};

/* Windows MM protection (the 5-bit Protection field): MM_READONLY.. plus NOCACHE/GUARD. */
static void protect_text(uint64_t prot, char *buf, size_t len)
{
    static const char *const base[8] = {"NoAccess",  "ReadOnly",  "Execute",          "ExecuteRead",
                                        "ReadWrite", "WriteCopy", "ExecuteReadWrite", "ExecuteWriteCopy"};
    static const char *const extra[4] = {"", " NoCache", " Guard", " WriteCombine"};
    snprintf(buf, len, "%llx - %s%s", (unsigned long long)prot, base[prot & 7], extra[(prot >> 3) & 3]);
}

/* The 11 flag letters of a valid entry. */
static void pte_flags(enum mm_paging paging, uint64_t e, bool large, char out[12])
{
    if (paging == MM_PAGING_ARM64) {
        /* Arm descriptor bits: AF 10, nG 11, AP[2] 7 (read-only), AP[1] 6 (EL0), PXN 53, UXN 54. */
        bool user = e & (1ULL << 6);
        snprintf(out, 12, "-%c%c%c%c--%c%c%cV", (e & (1ULL << 11)) ? '-' : 'G', large ? 'L' : '-',
                 (e & (1ULL << 7)) ? '-' : 'D', (e & (1ULL << 10)) ? 'A' : '-', user ? 'U' : 'K',
                 (e & (1ULL << 7)) ? 'R' : 'W', (e & (1ULL << (user ? 54 : 53))) ? '-' : 'E');
        return;
    }
    bool nx = paging != MM_PAGING_X86 && (e & (1ULL << 63));
    snprintf(out, 12, "%c%c%c%c%c%c%c%c%c%cV", (e & (1u << 9)) ? 'C' : '-', (e & (1u << 8)) ? 'G' : '-',
             (e & (1u << 7)) ? 'L' : '-', (e & (1u << 6)) ? 'D' : '-', (e & (1u << 5)) ? 'A' : '-',
             (e & (1u << 4)) ? 'N' : '-', (e & (1u << 3)) ? 'T' : '-', (e & (1u << 2)) ? 'U' : 'K',
             (e & (1u << 1)) ? 'W' : 'R', nx ? '-' : 'E');
}

/* Prints the software state of invalid entry E under column COL (the lines after "not valid"). */
static void pte_invalid_details(struct dd_writer *o, enum mm_paging paging, uint64_t e, unsigned col)
{
    if (e == 0)
        return;
    int ind = (int)(col * PTE_COLUMN + 1);
    bool arm = paging == MM_PAGING_ARM64, wide = paging != MM_PAGING_X86 && paging != MM_PAGING_X86_PAE;
    /* Protection: bits 5-9 on x86/x64, 1-5 on ARM64 (_MMPTE_SOFTWARE / _MMPTE_TRANSITION). */
    uint64_t prot = arm ? (e >> 1) & 0x1f : (e >> 5) & 0x1f;
    char ptext[48];
    protect_text(prot, ptext, sizeof(ptext));
    if (e & (1ULL << 10)) {
        if (wide) /* ProtoAddress: bits 63:16, sign-extended */
            dd_printf(o, "%*sProto: %016llX\n", ind, "", (unsigned long long)((int64_t)e >> 16));
        return;
    }
    if (e & (1ULL << 11)) {
        uint64_t pfn_mask = paging == MM_PAGING_X86 ? 0xfffffULL : 0xffffffffffULL;
        dd_printf(o, "%*sTransition: %llx\n", ind, "", (unsigned long long)((e >> 12) & pfn_mask));
        dd_printf(o, "%*sProtect: %s\n", ind, "", ptext);
        return;
    }
    if (prot == 0) {
        dd_printf(o, "%*sPage has been freed\n", ind, "");
        return;
    }
    /* Page file number and offset: x64 (Windows 10) bits 12-15 and 32-63; x86 bits 1-4 and 32-63
     * (PAE) or 12-31; ARM64 bits 6-9 and 32-63. */
    uint64_t file = paging == MM_PAGING_X64 || paging == MM_PAGING_X64_LA57 ? (e >> 12) & 0xf
                    : arm                                                   ? (e >> 6) & 0xf
                                                                            : (e >> 1) & 0xf;
    uint64_t offset = paging == MM_PAGING_X86 ? (e >> 12) & 0xfffff : e >> 32;
    if (file == 0 && offset == 0) {
        dd_printf(o, "%*sDemandZero\n", ind, "");
    } else {
        dd_printf(o, "%*sPageFile:  %llx\n", ind, "", (unsigned long long)file);
        dd_printf(o, "%*sOffset: %llx\n", ind, "", (unsigned long long)offset);
    }
    dd_printf(o, "%*sProtect: %s\n", ind, "", ptext);
}

/* Appends one column (padded to PTE_COLUMN unless LAST) to LINE. */
static void column(char *line, size_t len, bool last, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void column(char *line, size_t len, bool last, const char *fmt, ...)
{
    char cell[64];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cell, sizeof(cell), fmt, ap);
    va_end(ap);
    size_t used = strlen(line);
    if (used >= len)
        return;
    if (last)
        snprintf(line + used, len - used, "%s", cell);
    else
        snprintf(line + used, len - used, "%-*s", PTE_COLUMN, cell);
}

static struct dd_error *ext_pte(struct session *s, const struct cmd_args *a)
{
    uint64_t va;
    if (!*a->rest) {
        dd_printf(s->out, "usage: !pte VA\n");
        return NULL;
    }
    struct dd_error *err = expr_eval(s, a->rest, &va);
    if (err)
        return err;
    struct target *t = s->target;
    struct mm_space *sp = kernel_space(s, t->kernel.directory_table_base);
    if (!sp)
        return NULL;
    enum mm_paging paging = mm_space_paging(sp);
    const struct pte_style *st = paging == MM_PAGING_X86       ? &style_x86
                                 : paging == MM_PAGING_X86_PAE ? &style_pae
                                 : paging == MM_PAGING_X64_LA57 ? &style_la57
                                                                : &style_x64;
    if (st->va_digits == 8)
        va &= 0xffffffffULL;
    struct mm_walk w;
    mm_space_walk(sp, va, &w);
    mm_space_destroy(sp);
    unsigned total = (paging == MM_PAGING_X86 ? 2 : paging == MM_PAGING_X86_PAE ? 3
                      : paging == MM_PAGING_X64_LA57 ? 5 : 4);
    struct dd_writer *o = s->out;
    dd_printf(o, "%*sVA %0*llx\n", (int)st->va_indent, "", (int)st->va_digits, (unsigned long long)va);
    if (w.result == MM_WALK_NON_CANONICAL) {
        dd_printf(o, "Non-canonical address\n");
        return NULL;
    }
    if (w.nlevels <= st->first) {
        /* PAE: the PDPTE itself is missing or not present. */
        const struct mm_walk_level *l = &w.level[0];
        dd_printf(o, "PDPTE at #%llX contains %016llX not valid\n", (unsigned long long)l->entry_pa,
                  (unsigned long long)l->entry);
        return NULL;
    }
    /* Entry virtual addresses through the self-map: the PTE of VA, then the PTE of that... */
    uint64_t base = t->kernel.pte_base ? t->kernel.pte_base : st->default_base;
    uint64_t entry_va[MM_WALK_MAX_LEVELS];
    uint64_t cur = va;
    for (unsigned i = total; i-- > 0;) {
        cur = base + ((cur & st->va_mask) >> st->entry_shift);
        if (st->va_digits == 8)
            cur &= 0xffffffffULL;
        entry_va[i] = cur;
    }
    char l2[256] = "", l3[256] = "", l4[256] = "";
    unsigned stop_col = 0; /* column of "not valid", 0 = none */
    uint64_t stop_entry = 0;
    bool done = false;
    for (unsigned i = st->first; i < total; i++) {
        bool last = i + 1 == total;
        const struct mm_walk_level *l = i < w.nlevels ? &w.level[i] : NULL;
        const char *name = l ? l->name : (i + 1 == total ? "PTE" : "PDE");
        if (base)
            column(l2, sizeof(l2), last, "%s at %0*llX", name, (int)st->va_digits,
                   (unsigned long long)entry_va[i]);
        else
            column(l2, sizeof(l2), last, "%s at #%016llX", name,
                   (unsigned long long)(l ? l->entry_pa : 0));
        if (l && !l->read_ok) {
            column(l3, sizeof(l3), last, "contains %.*s", (int)st->entry_digits,
                   "????????????????");
            if (!done)
                column(l4, sizeof(l4), last, "not in the dump");
            done = true;
            continue;
        }
        column(l3, sizeof(l3), last, "contains %0*llX", (int)st->entry_digits,
               (unsigned long long)(l ? l->entry : 0));
        if (done || !l)
            continue;
        bool leaf = w.present && i + 1 == w.nlevels;
        if (!(l->entry & 1)) {
            column(l4, sizeof(l4), last, "not valid");
            stop_col = i - st->first + 1;
            stop_entry = l->entry;
            done = true;
            continue;
        }
        char flags[12];
        pte_flags(paging, l->entry, leaf && w.page_size > 0x1000, flags);
        column(l4, sizeof(l4), last && !(leaf && w.page_size > 0x1000), "pfn %-10llx%s",
               (unsigned long long)((l->entry & 0x000ffffffffff000ULL) >> 12), flags);
        if (leaf && w.page_size > 0x1000) {
            size_t used = strlen(l4);
            snprintf(l4 + used, sizeof(l4) - used, "LARGE PAGE pfn %llx", (unsigned long long)(w.pa >> 12));
            done = true;
        }
    }
    /* Trailing blanks of short lines are WinDbg's too, but nobody can see them: trim. */
    char *lines[3] = {l2, l3, l4};
    for (unsigned i = 0; i < 3; i++) {
        size_t n = strlen(lines[i]);
        while (n && lines[i][n - 1] == ' ')
            lines[i][--n] = '\0';
        dd_printf(o, "%s\n", lines[i]);
    }
    if (stop_col)
        pte_invalid_details(o, paging, stop_entry, stop_col - 1);
    if (!base)
        dd_printf(o, "(the PTE base is unknown: entry addresses are physical)\n");
    return NULL;
}

/* ---- !db !dc !dd !dq !dw -------------------------------------------------------------------- */

#define PHYS_BLOCK 128

struct phys_format {
    const char *name;
    unsigned size;
    uint64_t default_count;
    bool chars;
};

static const struct phys_format phys_formats[] = {
    {"!db", 1, 128, true}, {"!dc", 4, 32, true}, {"!dd", 4, 32, false},
    {"!dq", 8, 16, false}, {"!dw", 2, 64, false},
};

static void phys_value(struct dd_writer *o, const uint8_t *p, unsigned size, unsigned col)
{
    switch (size) {
    case 1:
        dd_printf(o, "%c%02x", col == 8 ? '-' : ' ', p[0]);
        break;
    case 2:
        dd_printf(o, " %04x", (unsigned)(p[0] | p[1] << 8));
        break;
    case 4:
        dd_printf(o, " %08x", (unsigned)(p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24));
        break;
    default: {
        uint32_t lo = (uint32_t)(p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24);
        uint32_t hi = (uint32_t)(p[4] | p[5] << 8 | p[6] << 16 | (uint32_t)p[7] << 24);
        dd_printf(o, " %08x`%08x", hi, lo);
        break;
    }
    }
}

static struct dd_error *ext_phys_display(struct session *s, const struct cmd_args *a)
{
    const struct phys_format *f = NULL;
    for (size_t i = 0; i < sizeof(phys_formats) / sizeof(phys_formats[0]); i++)
        if (dd_strcasecmp(phys_formats[i].name, a->name) == 0)
            f = &phys_formats[i];
    if (!f)
        return dd_error_create(DD_ERR_SYNTAX, "Syntax error in '%s'", a->line);
    if (s->target->kind != TARGET_KERNEL) {
        dd_printf(s->out, "This command is only valid for kernel targets\n");
        return NULL;
    }
    if (!*a->rest)
        return dd_error_create(DD_ERR_SYNTAX, "usage: %s [ADDRESS] [L COUNT]", f->name);
    uint64_t addr, count = f->default_count;
    const char *end;
    struct dd_error *err = expr_eval_prefix(s, a->rest, &end, &addr);
    if (err)
        return err;
    while (*end == ' ' || *end == '\t')
        end++;
    if (*end == 'l' || *end == 'L') {
        err = expr_eval(s, end + 1, &count);
        if (err)
            return err;
    } else if (*end) {
        return dd_error_create(DD_ERR_SYNTAX, "Syntax error at '%s'", end);
    }
    if (count == 0)
        count = f->default_count;
    if (count > CMD_RANGE_LIMIT / f->size)
        return dd_error_create(DD_ERR_SYNTAX, "Range error in '%s'", a->line);
    /* kdexts undoes a sign extension of 32-bit values and aligns to 4 bytes. */
    if ((addr >> 32) == 0xffffffffULL)
        addr &= 0xffffffffULL;
    addr &= ~3ULL;

    struct dd_writer *o = s->out;
    uint8_t block[PHYS_BLOCK];
    while (count) {
        memset(block, 0, sizeof(block));
        size_t got = 0;
        dd_error_drop(target_read_physical(s->target, addr, block, PHYS_BLOCK, &got));
        if (got != PHYS_BLOCK && got < count * f->size) {
            dd_printf(o, "physical memory read at %llx failed\n", (unsigned long long)addr);
            if (got == 0)
                dd_puts(o, "If you know the caching attributes used for the memory,\n"
                           "try specifying [c], [uc] or [wc], as in !dd [c] <params>.\n"
                           "WARNING: Incorrect use of these flags will cause unpredictable\n"
                           "processor corruption. This may immediately (or at any time in\n"
                           "the future until reboot) result in a system hang, incorrect data\n"
                           "being displayed or other strange crashes and corruption.\n");
            return NULL;
        }
        for (unsigned off = 0; off < PHYS_BLOCK && count; off += 16) {
            dd_printf(o, "#%8llx", (unsigned long long)(addr + off));
            for (unsigned col = 0; col < 16 && count; col += f->size, count--)
                phys_value(o, block + off + col, f->size, col);
            if (f->chars) {
                dd_puts(o, " ");
                for (unsigned i = 0; i < 16; i++) {
                    uint8_t c = block[off + i];
                    dd_printf(o, "%c", c >= 0x20 && c <= 0x7e ? (char)c : '.');
                }
            }
            dd_puts(o, "\n");
        }
        addr += PHYS_BLOCK;
    }
    return NULL;
}

const struct cmd_def ext_table_kmem[] = {
    {"!vtop", ext_vtop, 0, "!vtop DIRBASE VA - translate VA through the page directory DIRBASE"},
    {"!pte", ext_pte, 0, "!pte VA - show the page-table entries that map VA"},
    {"!db", ext_phys_display, 0, "!db PA [L count] - display physical memory as bytes"},
    {"!dc", ext_phys_display, 0, "!dc PA [L count] - display physical memory as dwords and characters"},
    {"!dd", ext_phys_display, 0, "!dd PA [L count] - display physical memory as dwords"},
    {"!dq", ext_phys_display, 0, "!dq PA [L count] - display physical memory as qwords"},
    {"!dw", ext_phys_display, 0, "!dw PA [L count] - display physical memory as words"},
    {NULL, NULL, 0, NULL},
};
