/*
 * One pass over a Breakpad .sym text: checks the MODULE line, then records where each FUNC,
 * PUBLIC, STACK WIN and STACK CFI INIT is and what FILE and INLINE_ORIGIN numbers name. Line,
 * INLINE and CFI delta records are validated and counted here but only their byte range is kept
 * (they are parsed again when their function or address is asked for), so memory follows the
 * number of records, never the size of the text.
 */
#include "sym/breakpad_internal.h"

#include <stdlib.h>
#include <string.h>

/* Growth state of the arrays while the pass runs. */
struct index_build {
    struct breakpad_sym *sym;
    size_t cap_funcs, cap_publics, cap_files, cap_origins, cap_win4, cap_win0, cap_cfi;
    size_t cur_func; /* index of the FUNC that line records belong to, or SIZE_MAX */
    size_t run_start; /* first FUNC of a run of same-name FUNCs sharing one line block */
    size_t cur_cfi;  /* index of the CFI INIT that delta records belong to, or SIZE_MAX */
    size_t lineno;
};

static bool grow(void **arr, size_t *cap, size_t count, size_t elem)
{
    if (count < *cap)
        return true;
    size_t ncap = *cap ? *cap * 2 : 256;
    if (ncap > SIZE_MAX / elem)
        return false;
    void *p = realloc(*arr, ncap * elem);
    if (!p)
        return false;
    *arr = p;
    *cap = ncap;
    return true;
}

/* Gives back the slack of a doubled array once its final size is known. */
static void shrink(void **arr, size_t count, size_t elem)
{
    if (count == 0) {
        free(*arr);
        *arr = NULL;
        return;
    }
    void *p = realloc(*arr, count * elem);
    if (p)
        *arr = p;
}

static void malformed(struct index_build *b)
{
    b->sym->stats.malformed++;
    if (b->sym->stats.first_malformed_line == 0)
        b->sym->stats.first_malformed_line = b->lineno;
}

static char *dup_span(const char *s, size_t n)
{
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

static bool all_hex(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))
            return false;
    }
    return n > 0;
}

/* MODULE operatingsystem architecture id name (F after "MODULE"). */
static struct dd_error *parse_module(struct breakpad_sym *sym, struct bp_fields *f,
                                     size_t line_off)
{
    const char *os, *arch, *id, *name;
    size_t os_n, arch_n, id_n, name_n;
    if (!bp_token(f, &os, &os_n) || !bp_token(f, &arch, &arch_n) || !bp_token(f, &id, &id_n) ||
        !bp_rest(f, &name, &name_n))
        return dd_error_at(DD_ERR_FORMAT, line_off,
                           "Breakpad symbol file: MODULE line lacks os, arch, id or name");
    if (!all_hex(id, id_n))
        return dd_error_at(DD_ERR_FORMAT, (uint64_t)(id - sym->text),
                           "Breakpad symbol file: MODULE id \"%.*s\" is not hexadecimal",
                           (int)(id_n > 64 ? 64 : id_n), id);
    struct breakpad_module *m = &sym->module;
    m->os = dup_span(os, os_n);
    m->arch = dup_span(arch, arch_n);
    m->debug_id = dup_span(id, id_n);
    m->name = dup_span(name, name_n);
    m->code_id = dup_span("", 0);
    m->code_file = dup_span("", 0);
    if (!m->os || !m->arch || !m->debug_id || !m->name || !m->code_id || !m->code_file)
        return &dd_error_no_memory;
    return NULL;
}

/* INFO CODE_ID id [file]; other INFO kinds carry nothing a debugger needs. */
static struct dd_error *parse_info(struct index_build *b, struct bp_fields *f)
{
    const char *kind, *id, *file = "";
    size_t kind_n, id_n, file_n = 0;
    if (!bp_token(f, &kind, &kind_n))
        return NULL;
    if (kind_n != 7 || memcmp(kind, "CODE_ID", 7) != 0)
        return NULL;
    if (!bp_token(f, &id, &id_n)) {
        malformed(b);
        return NULL;
    }
    bp_rest(f, &file, &file_n);
    struct breakpad_module *m = &b->sym->module;
    char *nid = dup_span(id, id_n), *nfile = dup_span(file, file_n);
    if (!nid || !nfile) {
        free(nid);
        free(nfile);
        return &dd_error_no_memory;
    }
    free(m->code_id);
    free(m->code_file);
    m->code_id = nid;
    m->code_file = nfile;
    return NULL;
}

/* Records that a line or INLINE record belongs to the current FUNC. */
static void extend_body(struct index_build *b, size_t line_off, size_t next_off)
{
    struct bp_func *fn = &b->sym->funcs[b->cur_func];
    if (fn->body_end == 0)
        fn->body_off = line_off;
    fn->body_end = next_off;
}

/*
 * dump_syms writes a function that OMAP split into pieces as consecutive FUNC records of the
 * same name followed by one block of line records for all pieces (Breakpad pdb-goldens
 * omap_reorder_bbs.sym). Breakpad gives those lines to the last piece only; here every piece of
 * the run gets the block, so an address in any piece finds its line.
 */
static void close_run(struct index_build *b)
{
    if (b->cur_func == SIZE_MAX)
        return;
    struct bp_func *funcs = b->sym->funcs, *last = &funcs[b->cur_func];
    for (size_t i = b->run_start; i < b->cur_func; i++) {
        funcs[i].body_off = last->body_off;
        funcs[i].body_end = last->body_end;
    }
}

/* True when FUNC R continues the run of the current FUNC: same name, no line records yet. */
static bool continues_run(const struct index_build *b, const struct bp_func_rec *r)
{
    if (b->cur_func == SIZE_MAX)
        return false;
    const struct bp_func *prev = &b->sym->funcs[b->cur_func];
    return prev->body_end == 0 && prev->name_len == r->name_len &&
           memcmp(b->sym->text + prev->name_off, r->name, r->name_len) == 0;
}

static struct dd_error *add_func(struct index_build *b, struct bp_fields *f, size_t line_off)
{
    struct breakpad_sym *sym = b->sym;
    struct bp_func_rec r;
    if (!bp_parse_func(f, &r)) {
        close_run(b);
        b->cur_func = SIZE_MAX;
        malformed(b);
        return NULL;
    }
    if (!continues_run(b, &r)) {
        close_run(b);
        b->run_start = sym->nfuncs;
    }
    if (!grow((void **)&sym->funcs, &b->cap_funcs, sym->nfuncs, sizeof(*sym->funcs)))
        return &dd_error_no_memory;
    struct bp_func *fn = &sym->funcs[sym->nfuncs];
    memset(fn, 0, sizeof(*fn));
    fn->span.addr = r.addr;
    fn->span.end = r.addr + r.size;
    fn->rec_off = line_off;
    fn->name_off = (size_t)(r.name - sym->text);
    fn->name_len = r.name_len;
    fn->param_size = r.param_size;
    fn->multiple = r.multiple;
    b->cur_func = sym->nfuncs++;
    sym->stats.funcs++;
    return NULL;
}

static struct dd_error *add_public(struct index_build *b, struct bp_fields *f)
{
    struct breakpad_sym *sym = b->sym;
    struct bp_func_rec r;
    /* Breakpad: line records never follow a PUBLIC. */
    close_run(b);
    b->cur_func = SIZE_MAX;
    if (!bp_parse_public(f, &r)) {
        malformed(b);
        return NULL;
    }
    if (!grow((void **)&sym->publics, &b->cap_publics, sym->npublics, sizeof(*sym->publics)))
        return &dd_error_no_memory;
    struct bp_public *p = &sym->publics[sym->npublics++];
    p->addr = r.addr;
    p->name_off = (size_t)(r.name - sym->text);
    p->name_len = r.name_len;
    p->param_size = r.param_size;
    p->multiple = r.multiple;
    sym->stats.publics++;
    return NULL;
}

static struct dd_error *add_named(struct index_build *b, struct bp_fields *f, bool origin)
{
    struct breakpad_sym *sym = b->sym;
    uint32_t num;
    const char *name;
    size_t len;
    if (!bp_parse_named(f, &num, &name, &len)) {
        malformed(b);
        return NULL;
    }
    struct bp_named **arr = origin ? &sym->origins : &sym->files;
    size_t *count = origin ? &sym->norigins : &sym->nfiles;
    size_t *cap = origin ? &b->cap_origins : &b->cap_files;
    if (!grow((void **)arr, cap, *count, sizeof(**arr)))
        return &dd_error_no_memory;
    struct bp_named *e = &(*arr)[(*count)++];
    e->num = num;
    e->off = (size_t)(name - sym->text);
    e->len = len;
    if (origin)
        sym->stats.inline_origins++;
    else
        sym->stats.files++;
    return NULL;
}

static struct dd_error *add_stack_win(struct index_build *b, struct bp_fields *f,
                                      size_t line_off, size_t line_len)
{
    struct breakpad_sym *sym = b->sym;
    struct breakpad_stack_win w;
    if (!bp_parse_stack_win(f, &w)) {
        malformed(b);
        return NULL;
    }
    sym->stats.stack_win++;
    /* Breakpad consults only FRAME_DATA (4) and FPO (0) records; the other DIA types are kept
     * out of the index. */
    struct bp_win **arr;
    size_t *count, *cap;
    if (w.type == BREAKPAD_STACK_WIN_FRAME_DATA) {
        arr = &sym->win4, count = &sym->nwin4, cap = &b->cap_win4;
    } else if (w.type == BREAKPAD_STACK_WIN_FPO) {
        arr = &sym->win0, count = &sym->nwin0, cap = &b->cap_win0;
    } else {
        return NULL;
    }
    if (!grow((void **)arr, cap, *count, sizeof(**arr)))
        return &dd_error_no_memory;
    struct bp_win *e = &(*arr)[(*count)++];
    e->span.addr = w.rva;
    e->span.end = w.rva + w.code_size;
    e->span.max_end = 0;
    e->rec_off = line_off;
    e->rec_len = line_len;
    return NULL;
}

static struct dd_error *add_cfi_init(struct index_build *b, struct bp_fields *f, size_t line_off)
{
    struct breakpad_sym *sym = b->sym;
    uint64_t addr, size;
    const char *rules;
    size_t rules_len;
    b->cur_cfi = SIZE_MAX;
    if (!bp_parse_cfi_init(f, &addr, &size, &rules, &rules_len)) {
        malformed(b);
        return NULL;
    }
    if (!grow((void **)&sym->cfi, &b->cap_cfi, sym->ncfi, sizeof(*sym->cfi)))
        return &dd_error_no_memory;
    struct bp_cfi *c = &sym->cfi[sym->ncfi];
    memset(c, 0, sizeof(*c));
    c->span.addr = addr;
    c->span.end = addr + size;
    c->rec_off = line_off;
    c->rules_off = (size_t)(rules - sym->text);
    c->rules_len = rules_len;
    b->cur_cfi = sym->ncfi++;
    sym->stats.cfi_init++;
    return NULL;
}

static void add_cfi_delta(struct index_build *b, struct bp_fields *f, size_t line_off,
                          size_t next_off)
{
    uint64_t addr;
    const char *rules;
    size_t rules_len;
    if (!bp_parse_cfi_delta(f, &addr, &rules, &rules_len) || b->cur_cfi == SIZE_MAX) {
        malformed(b);
        return;
    }
    struct bp_cfi *c = &b->sym->cfi[b->cur_cfi];
    if (c->delta_end == 0)
        c->delta_off = line_off;
    c->delta_end = next_off;
    b->sym->stats.cfi_delta++;
}

/* Handles one non-MODULE record. */
static struct dd_error *index_line(struct index_build *b, const char *line, size_t len,
                                   size_t next_off)
{
    struct breakpad_sym *sym = b->sym;
    struct bp_fields f = {line, line + len};
    size_t line_off = (size_t)(line - sym->text);
    switch (bp_classify(&f)) {
    case BP_EMPTY:
        return NULL;
    case BP_UNKNOWN:
        sym->stats.unknown++;
        return NULL;
    case BP_MODULE: /* only the first line may be MODULE */
        malformed(b);
        return NULL;
    case BP_INFO:
        return parse_info(b, &f);
    case BP_FILE:
        return add_named(b, &f, false);
    case BP_INLINE_ORIGIN:
        return add_named(b, &f, true);
    case BP_FUNC:
        return add_func(b, &f, line_off);
    case BP_PUBLIC:
        return add_public(b, &f);
    case BP_LINE: {
        struct bp_line_rec r;
        if (!bp_parse_line(&f, &r) || b->cur_func == SIZE_MAX) {
            malformed(b);
            return NULL;
        }
        extend_body(b, line_off, next_off);
        sym->stats.lines++;
        return NULL;
    }
    case BP_INLINE: {
        struct bp_inline_rec r;
        if (!bp_parse_inline(&f, &r) || b->cur_func == SIZE_MAX) {
            malformed(b);
            return NULL;
        }
        extend_body(b, line_off, next_off);
        sym->stats.inlines++;
        return NULL;
    }
    case BP_STACK_WIN:
        return add_stack_win(b, &f, line_off, len);
    case BP_CFI_INIT:
        return add_cfi_init(b, &f, line_off);
    case BP_CFI_DELTA:
        add_cfi_delta(b, &f, line_off, next_off);
        return NULL;
    }
    return NULL;
}

/* ---- sorting: by address, larger ranges first among equal starts, then file order ---- */

static int span_order(const struct bp_span *x, const struct bp_span *y, size_t xo, size_t yo)
{
    if (x->addr != y->addr)
        return x->addr < y->addr ? -1 : 1;
    if (x->end != y->end)
        return x->end > y->end ? -1 : 1;
    return xo < yo ? -1 : xo > yo;
}

static int func_cmp(const void *a, const void *b)
{
    const struct bp_func *x = a, *y = b;
    return span_order(&x->span, &y->span, x->rec_off, y->rec_off);
}

static int win_cmp(const void *a, const void *b)
{
    const struct bp_win *x = a, *y = b;
    return span_order(&x->span, &y->span, x->rec_off, y->rec_off);
}

static int cfi_cmp(const void *a, const void *b)
{
    const struct bp_cfi *x = a, *y = b;
    return span_order(&x->span, &y->span, x->rec_off, y->rec_off);
}

static int public_cmp(const void *a, const void *b)
{
    const struct bp_public *x = a, *y = b;
    if (x->addr != y->addr)
        return x->addr < y->addr ? -1 : 1;
    return x->name_off < y->name_off ? -1 : x->name_off > y->name_off;
}

static int named_cmp(const void *a, const void *b)
{
    const struct bp_named *x = a, *y = b;
    if (x->num != y->num)
        return x->num < y->num ? -1 : 1;
    return x->off < y->off ? -1 : x->off > y->off;
}

/* Sorts unless already sorted: dump_syms writes most record kinds in address order. */
static void sort_if_needed(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
    const char *p = base;
    for (size_t i = 1; i < n; i++) {
        if (cmp(p + (i - 1) * size, p + i * size) > 0) {
            qsort(base, n, size, cmp);
            return;
        }
    }
}

/* Fills max_end, the running maximum of range ends, for bp_span_find. */
static void fill_max_end(void *base, size_t n, size_t stride)
{
    uint64_t max = 0;
    for (size_t i = 0; i < n; i++) {
        struct bp_span *s = (struct bp_span *)((char *)base + i * stride);
        if (s->end > max)
            max = s->end;
        s->max_end = max;
    }
}

struct dd_error *bp_index_build(struct breakpad_sym *sym)
{
    struct index_build b = {.sym = sym, .cur_func = SIZE_MAX, .cur_cfi = SIZE_MAX};
    const char *line;
    size_t len, pos = 0;
    /* A UTF-8 byte order mark, as some editors leave, is not part of the MODULE line. */
    if (sym->size >= 3 && memcmp(sym->text, "\xEF\xBB\xBF", 3) == 0)
        pos = 3;
    bool have_module = false;
    struct dd_error *err = NULL;
    while (bp_line_next(sym->text, sym->size, &pos, &line, &len)) {
        b.lineno++;
        if (!have_module) {
            struct bp_fields f = {line, line + len};
            enum bp_kind k = bp_classify(&f);
            if (k == BP_EMPTY)
                continue;
            if (k != BP_MODULE)
                return dd_error_at(DD_ERR_FORMAT, (uint64_t)(line - sym->text),
                                   "not a Breakpad symbol file: line %zu is not a MODULE record",
                                   b.lineno);
            err = parse_module(sym, &f, (size_t)(line - sym->text));
            if (err)
                return err;
            have_module = true;
            continue;
        }
        err = index_line(&b, line, len, pos);
        if (err)
            return err;
    }
    if (!have_module)
        return dd_error_create(DD_ERR_FORMAT, "not a Breakpad symbol file: no MODULE record");
    close_run(&b);

    shrink((void **)&sym->funcs, sym->nfuncs, sizeof(*sym->funcs));
    shrink((void **)&sym->publics, sym->npublics, sizeof(*sym->publics));
    shrink((void **)&sym->files, sym->nfiles, sizeof(*sym->files));
    shrink((void **)&sym->origins, sym->norigins, sizeof(*sym->origins));
    shrink((void **)&sym->win4, sym->nwin4, sizeof(*sym->win4));
    shrink((void **)&sym->win0, sym->nwin0, sizeof(*sym->win0));
    shrink((void **)&sym->cfi, sym->ncfi, sizeof(*sym->cfi));

    sort_if_needed(sym->funcs, sym->nfuncs, sizeof(*sym->funcs), func_cmp);
    sort_if_needed(sym->publics, sym->npublics, sizeof(*sym->publics), public_cmp);
    sort_if_needed(sym->files, sym->nfiles, sizeof(*sym->files), named_cmp);
    sort_if_needed(sym->origins, sym->norigins, sizeof(*sym->origins), named_cmp);
    sort_if_needed(sym->win4, sym->nwin4, sizeof(*sym->win4), win_cmp);
    sort_if_needed(sym->win0, sym->nwin0, sizeof(*sym->win0), win_cmp);
    sort_if_needed(sym->cfi, sym->ncfi, sizeof(*sym->cfi), cfi_cmp);
    fill_max_end(sym->funcs, sym->nfuncs, sizeof(*sym->funcs));
    fill_max_end(sym->win4, sym->nwin4, sizeof(*sym->win4));
    fill_max_end(sym->win0, sym->nwin0, sizeof(*sym->win0));
    fill_max_end(sym->cfi, sym->ncfi, sizeof(*sym->cfi));
    return NULL;
}
