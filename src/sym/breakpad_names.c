/* Name queries over a Breakpad .sym file: wildcard listing (`x mod!pat*`) and name -> address. */
#include "sym/breakpad_internal.h"

#include <stdlib.h>
#include <string.h>

#include "base/fmt.h"

/* A reusable NUL-terminated copy of a name, since names in the mapping are not terminated. */
struct name_buf {
    char *s;
    size_t cap;
};

static bool name_buf_set(struct name_buf *b, const char *s, size_t n)
{
    if (n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < n + 1)
            cap *= 2;
        char *p = realloc(b->s, cap);
        if (!p)
            return false;
        b->s = p;
        b->cap = cap;
    }
    memcpy(b->s, s, n);
    b->s[n] = '\0';
    return true;
}

struct dd_error *breakpad_sym_match(const struct breakpad_sym *sym, const char *pattern,
                                    bool (*fn)(void *ctx, const struct breakpad_symbol *sym),
                                    void *ctx)
{
    struct name_buf buf = {NULL, 0};
    struct dd_error *err = NULL;
    size_t nfuncs = breakpad_sym_func_count(sym), total = nfuncs + breakpad_sym_public_count(sym);
    for (size_t i = 0; i < total; i++) {
        struct breakpad_symbol s;
        if (i < nfuncs)
            breakpad_sym_func_at(sym, i, &s);
        else
            breakpad_sym_public_at(sym, i - nfuncs, &s);
        if (!name_buf_set(&buf, s.name, s.name_len)) {
            err = &dd_error_no_memory;
            break;
        }
        if (dd_wildcard_match(pattern, buf.s) && !fn(ctx, &s))
            break;
    }
    free(buf.s);
    return err;
}

static bool name_equal(const char *a, size_t n, const char *name, size_t name_len, bool fold)
{
    if (n != name_len)
        return false;
    return fold ? dd_strncasecmp(a, name, n) == 0 : memcmp(a, name, n) == 0;
}

struct dd_error *breakpad_sym_find_name(const struct breakpad_sym *sym, const char *name,
                                        struct breakpad_symbol *ret)
{
    size_t name_len = strlen(name);
    /* Exact case first, then WinDbg's default case-insensitive match; FUNCs before PUBLICs,
     * each in address order so the lowest address wins. */
    for (int fold = 0; fold < 2; fold++) {
        for (size_t i = 0; i < sym->nfuncs; i++) {
            const struct bp_func *f = &sym->funcs[i];
            if (name_equal(sym->text + f->name_off, f->name_len, name, name_len, fold)) {
                breakpad_sym_func_at(sym, i, ret);
                return NULL;
            }
        }
        for (size_t i = 0; i < sym->npublics; i++) {
            const struct bp_public *p = &sym->publics[i];
            if (name_equal(sym->text + p->name_off, p->name_len, name, name_len, fold)) {
                breakpad_sym_public_at(sym, i, ret);
                return NULL;
            }
        }
    }
    return &dd_error_not_found;
}
