/*
 * Memory regions for !address and !vprot: the dump's MemoryInfoList
 * (MINIDUMP_MEMORY_INFO: BaseAddress, AllocationBase, AllocationProtect,
 * RegionSize, State, Protect, Type, as VirtualQuery reports them), or a
 * stand-in made from the module list and the captured memory when the dump
 * has none; and each region's usage as the debugger's !address names it
 * ("Free", "Image", "Stack", "TEB", "PEB", "<unknown>").
 */
#include "ext/ext_region.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd_format.h"
#include "cmd/expr.h"

/* PAGE_NOACCESS (winnt.h "Memory Protection Constants"): what VirtualQuery reports for free memory. */
#define PAGE_NOACCESS_VALUE 0x01
/* The page size of x86, x64 and ARM64 Windows. */
#define PAGE_SIZE_VALUE 0x1000ULL
/*
 * The top of user space (MmHighestUserAddress + 1): 0x7fff0000 on 32-bit
 * Windows without /3GB (the "Tot: 7fff0000" of !address -summary on x86),
 * 0x7fffffff0000 on x64 and ARM64 (user addresses end at 0x7ffffffeffff).
 */
#define USER_TOP_32 0x7fff0000ULL
#define USER_TOP_64 0x7fffffff0000ULL

uint64_t region_end(const struct target_region *r)
{
    return r->size > UINT64_MAX - r->base ? UINT64_MAX : r->base + r->size;
}

const struct target_region *region_set_find(const struct region_set *set, uint64_t addr)
{
    size_t lo = 0, hi = set->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const struct target_region *r = &set->r[mid];
        if (addr < r->base)
            hi = mid;
        else if (addr - r->base >= r->size)
            lo = mid + 1;
        else
            return r;
    }
    return NULL;
}

struct piece {
    uint64_t base, end;
    uint32_t type;
};

static uint64_t sat_end(uint64_t base, uint64_t size)
{
    return size > UINT64_MAX - base ? UINT64_MAX : base + size;
}

/* Regions from the module list and the captured memory (see region_set_get). */
static struct dd_error *synthesize(struct session *s, struct region_set *ret)
{
    const struct target *t = s->target;
    const struct dd_memmap *m = &t->memory;
    size_t cap = t->nmodules + m->count + t->nmodules + 1;
    struct piece *mods = dd_arena_calloc(&s->scratch, t->nmodules + 1, sizeof(*mods));
    struct piece *mem = dd_arena_calloc(&s->scratch, cap, sizeof(*mem));
    if (!mods || !mem)
        return &dd_error_no_memory;

    /* Module images, sorted by base; overlaps (hostile lists) are clipped. */
    size_t nm = 0;
    for (size_t i = 0; i < t->nmodules; i++) {
        uint64_t b = t->modules[i].base, e = sat_end(b, t->modules[i].size);
        if (nm && b < mods[nm - 1].end)
            b = mods[nm - 1].end;
        if (b >= e)
            continue;
        mods[nm++] = (struct piece){b, e, REGION_MEM_IMAGE};
    }
    /* Captured memory outside the images; contiguous pieces are joined. */
    size_t np = 0, j = 0;
    for (size_t i = 0; i < m->count; i++) {
        uint64_t rb = m->ranges[i].base, re = sat_end(rb, m->ranges[i].size);
        while (j < nm && mods[j].end <= rb)
            j++;
        size_t k = j;
        while (rb < re) {
            uint64_t pe = re, next = re;
            if (k < nm && mods[k].base < re) {
                if (mods[k].base > rb)
                    pe = mods[k].base;
                else
                    pe = rb; /* starts inside an image: nothing to add here */
                next = mods[k].end < re ? mods[k].end : re;
                k++;
            }
            if (pe > rb) {
                if (np && mem[np - 1].end == rb)
                    mem[np - 1].end = pe;
                else if (np < cap)
                    mem[np++] = (struct piece){rb, pe, REGION_MEM_PRIVATE};
            }
            rb = next;
        }
    }

    size_t rcap = 2 * (nm + np) + 1;
    struct target_region *out = dd_arena_calloc(&s->scratch, rcap, sizeof(*out));
    if (!out)
        return &dd_error_no_memory;
    size_t n = 0, a = 0, b = 0;
    uint64_t cur = 0;
    while (a < nm || b < np) {
        const struct piece *p = (b >= np || (a < nm && mods[a].base < mem[b].base)) ? &mods[a++]
                                                                                     : &mem[b++];
        if (p->base > cur)
            out[n++] = (struct target_region){.base = cur,
                                              .size = p->base - cur,
                                              .state = REGION_MEM_FREE,
                                              .protect = PAGE_NOACCESS_VALUE};
        out[n++] = (struct target_region){.base = p->base,
                                          .allocation_base = p->base,
                                          .size = p->end - p->base,
                                          .state = REGION_MEM_COMMIT,
                                          .type = p->type};
        cur = p->end;
    }
    uint64_t top = cmd_format_ptr_size(s) == 4 ? USER_TOP_32 : USER_TOP_64;
    if (cur < top)
        out[n++] = (struct target_region){
            .base = cur, .size = top - cur, .state = REGION_MEM_FREE, .protect = PAGE_NOACCESS_VALUE};
    ret->r = out;
    ret->n = n;
    ret->synthesized = true;
    return NULL;
}

struct dd_error *region_set_get(struct session *s, struct region_set *ret)
{
    const struct target *t = s->target;
    if (t->nregions) {
        ret->r = t->regions;
        ret->n = t->nregions;
        ret->synthesized = false;
        return NULL;
    }
    return synthesize(s, ret);
}

/* A PEB or TEB range that gets a row of its own. */
struct special {
    uint64_t base, end;
    enum region_usage_kind kind;
    size_t thread;
};

/* What classifies the rows: the special ranges and the stacks' allocation bases. */
struct classifier {
    struct session *s;
    struct special *specials; /* sorted by base, not overlapping */
    size_t nspecials;
    struct special *stacks; /* base = allocation base, sorted */
    size_t nstacks;
};

static int special_cmp(const void *a, const void *b)
{
    const struct special *x = a, *y = b;
    if (x->base != y->base)
        return x->base < y->base ? -1 : 1;
    return x->thread < y->thread ? -1 : x->thread > y->thread;
}

static struct dd_error *classifier_init(struct classifier *c, struct session *s,
                                        const struct region_set *set)
{
    const struct target *t = s->target;
    memset(c, 0, sizeof(*c));
    c->s = s;
    c->specials = dd_arena_calloc(&s->scratch, t->nthreads + 1, sizeof(*c->specials));
    c->stacks = dd_arena_calloc(&s->scratch, t->nthreads + 1, sizeof(*c->stacks));
    if (!c->specials || !c->stacks)
        return &dd_error_no_memory;
    /*
     * The PEB is one page; a TEB is two pages on 64-bit Windows (_TEB is 0x1838
     * bytes on x64) and one on 32-bit: the PEB and TEB rows of the x64 "Mayhem"
     * transcript are 0x1000 and 0x2000 bytes long.
     */
    uint64_t teb_size = target_ptr_size(t) == 8 ? 2 * PAGE_SIZE_VALUE : PAGE_SIZE_VALUE;
    uint64_t peb = 0;
    struct dd_error *err = expr_eval(s, "@$peb", &peb);
    if (err)
        dd_error_destroy(err);
    else if (peb)
        c->specials[c->nspecials++] = (struct special){
            peb & ~(PAGE_SIZE_VALUE - 1), sat_end(peb & ~(PAGE_SIZE_VALUE - 1), PAGE_SIZE_VALUE),
            REGION_USAGE_PEB, 0};
    for (size_t i = 0; i < t->nthreads; i++) {
        const struct target_thread *th = &t->threads[i];
        if (th->teb) {
            uint64_t b = th->teb & ~(PAGE_SIZE_VALUE - 1);
            c->specials[c->nspecials++] =
                (struct special){b, sat_end(b, teb_size), REGION_USAGE_TEB, i};
        }
        /* The stack is the whole allocation holding the captured stack memory. */
        const struct target_region *r =
            th->stack_size ? region_set_find(set, th->stack_start) : NULL;
        if (r && r->state != REGION_MEM_FREE) {
            uint64_t a = r->allocation_base ? r->allocation_base : r->base;
            c->stacks[c->nstacks++] = (struct special){a, a, REGION_USAGE_STACK, i};
        }
    }
    qsort(c->specials, c->nspecials, sizeof(*c->specials), special_cmp);
    qsort(c->stacks, c->nstacks, sizeof(*c->stacks), special_cmp);
    /* Overlapping ranges (two TEBs a page apart, hostile input): the later one is clipped. */
    size_t out = 0;
    for (size_t i = 0; i < c->nspecials; i++) {
        struct special sp = c->specials[i];
        if (out && sp.base < c->specials[out - 1].end)
            sp.base = c->specials[out - 1].end;
        if (sp.base < sp.end)
            c->specials[out++] = sp;
    }
    c->nspecials = out;
    return NULL;
}

/* Index of the first special range of C ending above ADDR. */
static size_t special_from(const struct classifier *c, uint64_t addr)
{
    size_t lo = 0, hi = c->nspecials;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (c->specials[mid].end <= addr)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Usage of a piece of a region that is not the PEB or a TEB. */
static struct region_usage classify_plain(const struct classifier *c,
                                          const struct target_region *r)
{
    struct region_usage u = {REGION_USAGE_UNKNOWN, 0, NULL};
    if (r->state == REGION_MEM_FREE) {
        u.kind = REGION_USAGE_FREE;
        return u;
    }
    uint64_t alloc = r->allocation_base ? r->allocation_base : r->base;
    size_t lo = 0, hi = c->nstacks;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (c->stacks[mid].base < alloc)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < c->nstacks && c->stacks[lo].base == alloc) {
        u.kind = REGION_USAGE_STACK;
        u.thread = c->stacks[lo].thread;
        return u;
    }
    const struct target *t = c->s->target;
    const struct target_module *mod = target_module_by_addr(t, r->base);
    if (!mod && r->type == REGION_MEM_IMAGE && r->allocation_base)
        mod = target_module_by_addr(t, r->allocation_base);
    if (mod || r->type == REGION_MEM_IMAGE) {
        u.kind = REGION_USAGE_IMAGE;
        u.mod = mod;
    }
    return u;
}

static void add_row(struct region_rows *rows, size_t cap, const struct target_region *r,
                    uint64_t base, uint64_t end, struct region_usage u)
{
    if (rows->n >= cap || base >= end)
        return;
    struct region_row *row = &rows->row[rows->n++];
    row->r = *r;
    row->r.base = base;
    row->r.size = end - base;
    row->u = u;
}

struct dd_error *region_rows_build(struct session *s, const struct region_set *set,
                                   struct region_rows *ret)
{
    struct classifier c;
    struct dd_error *err = classifier_init(&c, s, set);
    if (err)
        return err;
    size_t cap = 3 * set->n + 2 * c.nspecials + 1;
    struct region_rows rows = {dd_arena_calloc(&s->scratch, cap, sizeof(struct region_row)), 0};
    if (!rows.row)
        return &dd_error_no_memory;
    for (size_t i = 0; i < set->n; i++) {
        const struct target_region *r = &set->r[i];
        uint64_t pos = r->base, end = region_end(r);
        struct region_usage plain = classify_plain(&c, r);
        if (r->state != REGION_MEM_FREE) {
            for (size_t k = special_from(&c, pos); k < c.nspecials && c.specials[k].base < end;
                 k++) {
                const struct special *sp = &c.specials[k];
                uint64_t b = sp->base > pos ? sp->base : pos;
                uint64_t e = sp->end < end ? sp->end : end;
                add_row(&rows, cap, r, pos, b, plain);
                add_row(&rows, cap, r, b, e,
                        (struct region_usage){sp->kind, sp->thread, NULL});
                pos = e;
            }
        }
        add_row(&rows, cap, r, pos, end, plain);
    }
    *ret = rows;
    return NULL;
}

const struct region_row *region_rows_find(const struct region_rows *rows, uint64_t addr)
{
    size_t lo = 0, hi = rows->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const struct target_region *r = &rows->row[mid].r;
        if (addr < r->base)
            hi = mid;
        else if (addr - r->base >= r->size)
            lo = mid + 1;
        else
            return &rows->row[mid];
    }
    return NULL;
}

const char *region_usage_name(enum region_usage_kind kind)
{
    static const char *const names[REGION_USAGE_COUNT] = {"Free",  "<unknown>", "Image",
                                                          "Stack", "TEB",       "PEB"};
    return kind < REGION_USAGE_COUNT ? names[kind] : "<unknown>";
}

const char *region_protect_name(char *buf, size_t len, uint32_t protect)
{
    /* winnt.h "Memory Protection Constants": one access value, then modifiers. */
    static const struct {
        uint32_t bit;
        const char *name;
    } access[] = {
        {0x01, "PAGE_NOACCESS"},     {0x02, "PAGE_READONLY"},
        {0x04, "PAGE_READWRITE"},    {0x08, "PAGE_WRITECOPY"},
        {0x10, "PAGE_EXECUTE"},      {0x20, "PAGE_EXECUTE_READ"},
        {0x40, "PAGE_EXECUTE_READWRITE"}, {0x80, "PAGE_EXECUTE_WRITECOPY"},
        {0x100, "PAGE_GUARD"},       {0x200, "PAGE_NOCACHE"},
        {0x400, "PAGE_WRITECOMBINE"},
    };
    size_t used = 0;
    if (len)
        buf[0] = '\0';
    for (size_t i = 0; i < sizeof(access) / sizeof(access[0]); i++) {
        if (!(protect & access[i].bit))
            continue;
        /* Modern debuggers join the names with " | " ("PAGE_READWRITE | PAGE_GUARD"). */
        int n = snprintf(buf + used, used < len ? len - used : 0, "%s%s", used ? " | " : "",
                         access[i].name);
        if (n < 0 || (size_t)n >= len - used)
            break;
        used += (size_t)n;
    }
    return buf;
}

const char *region_state_name(uint32_t state)
{
    switch (state) {
    case REGION_MEM_COMMIT:
        return "MEM_COMMIT";
    case REGION_MEM_RESERVE:
        return "MEM_RESERVE";
    case REGION_MEM_FREE:
        return "MEM_FREE";
    default:
        return "";
    }
}

const char *region_type_name(uint32_t type)
{
    switch (type) {
    case REGION_MEM_PRIVATE:
        return "MEM_PRIVATE";
    case REGION_MEM_MAPPED:
        return "MEM_MAPPED";
    case REGION_MEM_IMAGE:
        return "MEM_IMAGE";
    default:
        return "";
    }
}
