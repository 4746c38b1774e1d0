/*
 * Address lookups in an indexed Breakpad .sym file: FUNC / PUBLIC (Breakpad's resolution
 * rules), line records, INLINE frames, STACK WIN and STACK CFI. Line, INLINE and CFI delta
 * records are parsed here from the byte range the index kept for their function or INIT record.
 */
#include "sym/breakpad_internal.h"

#include <stdlib.h>
#include <string.h>

#define SPAN_AT(base, stride, i) ((const struct bp_span *)((const char *)(base) + (i) * (stride)))

/* Number of spans starting at or below RVA (spans sorted by start). */
static size_t span_upper(const void *base, size_t n, size_t stride, uint64_t rva)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (SPAN_AT(base, stride, mid)->addr <= rva)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

size_t bp_span_find(const void *base, size_t n, size_t stride, uint64_t rva)
{
    /* Walk down from the last span starting at or below RVA; equal starts are sorted larger
     * first, so the first hit is the innermost range. max_end says when no earlier span can
     * still reach RVA. */
    for (size_t i = span_upper(base, n, stride, rva); i-- > 0;) {
        const struct bp_span *s = SPAN_AT(base, stride, i);
        if (s->max_end <= rva)
            break;
        if (s->end > rva) {
            /* Identical duplicates: the first in the file wins, as in Breakpad. */
            while (i > 0 && SPAN_AT(base, stride, i - 1)->addr == s->addr &&
                   SPAN_AT(base, stride, i - 1)->end == s->end)
                i--;
            return i;
        }
    }
    return SIZE_MAX;
}

/* Name of FILE or INLINE_ORIGIN number NUM (the first record with it); false when none. */
static bool named_find(const struct breakpad_sym *sym, const struct bp_named *arr, size_t n,
                       uint32_t num, const char **name, size_t *len)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (arr[mid].num < num)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == n || arr[lo].num != num)
        return false;
    *name = sym->text + arr[lo].off;
    *len = arr[lo].len;
    return true;
}

static void func_symbol(const struct breakpad_sym *sym, const struct bp_func *f,
                        struct breakpad_symbol *ret)
{
    ret->kind = BREAKPAD_SYMBOL_FUNC;
    ret->addr = f->span.addr;
    ret->size = f->span.end - f->span.addr;
    ret->param_size = f->param_size;
    ret->multiple = f->multiple;
    ret->name = sym->text + f->name_off;
    ret->name_len = f->name_len;
}

/* Index of the first PUBLIC at or below RVA among those sharing its address, or SIZE_MAX. */
static size_t public_below(const struct breakpad_sym *sym, uint64_t rva)
{
    size_t lo = 0, hi = sym->npublics;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (sym->publics[mid].addr <= rva)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0)
        return SIZE_MAX;
    size_t i = lo - 1;
    while (i > 0 && sym->publics[i - 1].addr == sym->publics[i].addr)
        i--;
    return i;
}

/* Public's extent: up to the next FUNC or PUBLIC start above it, 0 when it is the last. */
static uint64_t public_extent(const struct breakpad_sym *sym, uint64_t addr)
{
    uint64_t next = 0;
    if (addr == UINT64_MAX)
        return 0;
    size_t f = span_upper(sym->funcs, sym->nfuncs, sizeof(*sym->funcs), addr);
    if (f < sym->nfuncs)
        next = sym->funcs[f].span.addr;
    size_t lo = 0, hi = sym->npublics;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (sym->publics[mid].addr <= addr)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < sym->npublics && (next == 0 || sym->publics[lo].addr < next))
        next = sym->publics[lo].addr;
    return next ? next - addr : 0;
}

static void public_symbol(const struct breakpad_sym *sym, const struct bp_public *p,
                          struct breakpad_symbol *ret)
{
    ret->kind = BREAKPAD_SYMBOL_PUBLIC;
    ret->addr = p->addr;
    ret->size = public_extent(sym, p->addr);
    ret->param_size = p->param_size;
    ret->multiple = p->multiple;
    ret->name = sym->text + p->name_off;
    ret->name_len = p->name_len;
}

static const struct bp_func *func_containing(const struct breakpad_sym *sym, uint64_t rva)
{
    size_t i = bp_span_find(sym->funcs, sym->nfuncs, sizeof(*sym->funcs), rva);
    return i == SIZE_MAX ? NULL : &sym->funcs[i];
}

struct dd_error *breakpad_sym_find_func(const struct breakpad_sym *sym, uint64_t rva,
                                        struct breakpad_symbol *ret)
{
    const struct bp_func *f = func_containing(sym, rva);
    if (!f)
        return &dd_error_not_found;
    func_symbol(sym, f, ret);
    return NULL;
}

struct dd_error *breakpad_sym_find_public(const struct breakpad_sym *sym, uint64_t rva,
                                          struct breakpad_symbol *ret)
{
    size_t i = public_below(sym, rva);
    if (i == SIZE_MAX)
        return &dd_error_not_found;
    const struct bp_public *p = &sym->publics[i];
    /* Breakpad (BasicSourceLineResolver::LookupAddress) uses a PUBLIC only when it lies above
     * the nearest FUNC start at or below the address. */
    size_t f = span_upper(sym->funcs, sym->nfuncs, sizeof(*sym->funcs), rva);
    if (f > 0 && sym->funcs[f - 1].span.addr >= p->addr)
        return &dd_error_not_found;
    public_symbol(sym, p, ret);
    return NULL;
}

struct dd_error *breakpad_sym_lookup(const struct breakpad_sym *sym, uint64_t rva,
                                     struct breakpad_symbol *ret)
{
    if (!breakpad_sym_find_func(sym, rva, ret))
        return NULL;
    return breakpad_sym_find_public(sym, rva, ret);
}

/* Iterates the records of a byte range of the text, one line at a time. */
struct range_iter {
    const char *text;
    size_t pos, end;
};

static bool range_next(struct range_iter *it, struct bp_fields *f, enum bp_kind *kind)
{
    const char *line;
    size_t len;
    if (!bp_line_next(it->text, it->end, &it->pos, &line, &len))
        return false;
    f->p = line;
    f->end = line + len;
    *kind = bp_classify(f);
    return true;
}

struct dd_error *breakpad_sym_find_line(const struct breakpad_sym *sym, uint64_t rva,
                                        struct breakpad_line *ret)
{
    const struct bp_func *fn = func_containing(sym, rva);
    if (!fn || fn->body_end == 0)
        return &dd_error_not_found;
    struct range_iter it = {sym->text, fn->body_off, fn->body_end};
    struct bp_fields f;
    enum bp_kind kind;
    while (range_next(&it, &f, &kind)) {
        struct bp_line_rec r;
        if (kind != BP_LINE || !bp_parse_line(&f, &r))
            continue;
        /* The first record covering RVA wins, as Breakpad's RangeMap keeps the first. */
        if (rva < r.addr || rva - r.addr >= r.size)
            continue;
        struct breakpad_line l = {r.addr, r.size, r.line, r.file, NULL, 0};
        if (!named_find(sym, sym->files, sym->nfiles, r.file, &l.file, &l.file_len))
            l.file = NULL;
        *ret = l;
        return NULL;
    }
    return &dd_error_not_found;
}

struct dd_error *breakpad_sym_find_inlines(const struct breakpad_sym *sym, uint64_t rva,
                                           struct breakpad_inline_frame *frames, size_t max,
                                           size_t *ret)
{
    const struct bp_func *fn = func_containing(sym, rva);
    if (!fn)
        return &dd_error_not_found;
    for (size_t i = 0; i < max; i++)
        frames[i].nest_level = UINT32_MAX; /* empty slot */
    if (fn->body_end != 0) {
        struct range_iter it = {sym->text, fn->body_off, fn->body_end};
        struct bp_fields f;
        enum bp_kind kind;
        while (range_next(&it, &f, &kind)) {
            struct bp_inline_rec r;
            if (kind != BP_INLINE || !bp_parse_inline(&f, &r) || r.nest_level >= max ||
                frames[r.nest_level].nest_level != UINT32_MAX)
                continue;
            uint64_t a, s;
            struct bp_fields ranges = r.ranges;
            while (bp_inline_range_next(&ranges, &a, &s)) {
                if (rva < a || rva - a >= s)
                    continue;
                struct breakpad_inline_frame *fr = &frames[r.nest_level];
                memset(fr, 0, sizeof(*fr));
                fr->nest_level = r.nest_level;
                fr->addr = a;
                fr->size = s;
                fr->origin_num = r.origin;
                fr->call_line = r.call_line;
                fr->has_call_file = r.has_call_file;
                fr->call_file_num = r.call_file;
                if (!named_find(sym, sym->origins, sym->norigins, r.origin, &fr->name,
                                &fr->name_len))
                    fr->name = NULL;
                if (!r.has_call_file || !named_find(sym, sym->files, sym->nfiles, r.call_file,
                                                    &fr->call_file, &fr->call_file_len))
                    fr->call_file = NULL;
                break;
            }
        }
    }
    /* A missing level ends the chain: deeper records cannot belong to it. */
    size_t n = 0;
    while (n < max && frames[n].nest_level != UINT32_MAX)
        n++;
    *ret = n;
    return NULL;
}

static bool win_find(const struct breakpad_sym *sym, const struct bp_win *arr, size_t n,
                     uint64_t rva, struct breakpad_stack_win *ret)
{
    size_t i = bp_span_find(arr, n, sizeof(*arr), rva);
    if (i == SIZE_MAX)
        return false;
    const char *line = sym->text + arr[i].rec_off;
    struct bp_fields f = {line, line + arr[i].rec_len};
    /* The line parsed at open; parse it the same way again for its fields. */
    return bp_classify(&f) == BP_STACK_WIN && bp_parse_stack_win(&f, ret);
}

struct dd_error *breakpad_sym_find_stack_win(const struct breakpad_sym *sym, uint64_t rva,
                                             struct breakpad_stack_win *ret)
{
    /* Breakpad prefers FRAME_DATA (program strings) over FPO when both cover an address. */
    if (win_find(sym, sym->win4, sym->nwin4, rva, ret) ||
        win_find(sym, sym->win0, sym->nwin0, rva, ret))
        return NULL;
    return &dd_error_not_found;
}

static int row_cmp(const void *a, const void *b)
{
    const struct breakpad_cfi_row *x = a, *y = b;
    if (x->addr != y->addr)
        return x->addr < y->addr ? -1 : 1;
    /* Same address: file order, which is the order of the rule pointers in the text. */
    return x->rules < y->rules ? -1 : x->rules > y->rules;
}

struct dd_error *breakpad_sym_find_cfi(const struct breakpad_sym *sym, uint64_t rva,
                                       struct breakpad_cfi *ret)
{
    size_t i = bp_span_find(sym->cfi, sym->ncfi, sizeof(*sym->cfi), rva);
    if (i == SIZE_MAX)
        return &dd_error_not_found;
    const struct bp_cfi *c = &sym->cfi[i];
    size_t cap = 8, n = 0;
    struct breakpad_cfi_row *rows = malloc(cap * sizeof(*rows));
    if (!rows)
        return &dd_error_no_memory;
    rows[n++] = (struct breakpad_cfi_row){c->span.addr, sym->text + c->rules_off, c->rules_len};
    bool sorted = true;
    if (c->delta_end != 0) {
        struct range_iter it = {sym->text, c->delta_off, c->delta_end};
        struct bp_fields f;
        enum bp_kind kind;
        while (range_next(&it, &f, &kind)) {
            uint64_t addr;
            const char *rules;
            size_t rules_len;
            if (kind != BP_CFI_DELTA || !bp_parse_cfi_delta(&f, &addr, &rules, &rules_len))
                continue;
            /* Deltas apply from their address up to RVA, inside the INIT's range. */
            if (addr < c->span.addr || addr > rva || addr >= c->span.end)
                continue;
            if (n == cap) {
                struct breakpad_cfi_row *r = realloc(rows, cap * 2 * sizeof(*rows));
                if (!r) {
                    free(rows);
                    return &dd_error_no_memory;
                }
                rows = r;
                cap *= 2;
            }
            if (addr < rows[n - 1].addr)
                sorted = false;
            rows[n++] = (struct breakpad_cfi_row){addr, rules, rules_len};
        }
    }
    if (!sorted)
        qsort(rows + 1, n - 1, sizeof(*rows), row_cmp);
    ret->init_addr = c->span.addr;
    ret->init_size = c->span.end - c->span.addr;
    ret->rows = rows;
    ret->count = n;
    return NULL;
}

void breakpad_cfi_deinit(struct breakpad_cfi *cfi)
{
    free(cfi->rows);
    cfi->rows = NULL;
    cfi->count = 0;
}

size_t breakpad_sym_func_count(const struct breakpad_sym *sym)
{
    return sym->nfuncs;
}

void breakpad_sym_func_at(const struct breakpad_sym *sym, size_t index,
                          struct breakpad_symbol *ret)
{
    func_symbol(sym, &sym->funcs[index], ret);
}

size_t breakpad_sym_public_count(const struct breakpad_sym *sym)
{
    return sym->npublics;
}

void breakpad_sym_public_at(const struct breakpad_sym *sym, size_t index,
                            struct breakpad_symbol *ret)
{
    public_symbol(sym, &sym->publics[index], ret);
}
