/* The symbol path walk: directories, stores, caches and servers in order. */
#include "sym/symsrv.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The not-found message keeps this much of the per-element reasons. */
#define REASONS_MAX 768

struct find_state {
    const struct sym_file_key *key;
    struct symstore_key skey;
    const struct sym_find_options *opts;
    const char *default_store;
    char reasons[REASONS_MAX];
    size_t reasons_len;
};

static void add_reason(struct find_state *st, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void add_reason(struct find_state *st, const char *fmt, ...)
{
    if (st->reasons_len + 8 >= sizeof(st->reasons))
        return;
    if (st->reasons_len > 0) {
        memcpy(st->reasons + st->reasons_len, "; ", 3);
        st->reasons_len += 2;
    }
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(st->reasons + st->reasons_len, sizeof(st->reasons) - st->reasons_len, fmt, ap);
    va_end(ap);
    if (n > 0)
        st->reasons_len += (size_t)n;
    if (st->reasons_len >= sizeof(st->reasons))
        st->reasons_len = sizeof(st->reasons) - 1;
}

/* Returns true (and hands PATH to ret) when the caller accepts PATH; else frees PATH. */
static bool try_accept(struct find_state *st, char *path, char **ret)
{
    const struct sym_find_options *o = st->opts;
    char *why = NULL;
    if (!o->accept || o->accept(o->accept_ctx, path, &why)) {
        free(why);
        *ret = path;
        return true;
    }
    sym_log_printf(&o->log, "DBGHELP: %s - %s", path, why ? why : "mismatched file");
    add_reason(st, "%s: %s", path, why ? why : "mismatched file");
    free(why);
    free(path);
    return false;
}

/* Records ERR as the reason WHERE failed and frees it; returns true for errors that end the search. */
static bool note_error(struct find_state *st, struct dd_error *err)
{
    if (err->code == DD_ERR_STOP || err->code == DD_ERR_NO_MEMORY)
        return true;
    add_reason(st, "%s", err->message);
    dd_error_destroy(err);
    return false;
}

enum tier_type { TIER_LOCAL, TIER_URL };

struct tier_ref {
    enum tier_type type;
    const char *loc;
};

/*
 * Copies the file at FOUND into the local tiers T[0..n) (a tier that has it already, such as the
 * one a download went to, is left alone); failures only get logged.
 */
static void copy_down(struct find_state *st, const struct tier_ref *t, size_t n, const char *found)
{
    for (size_t j = 0; j < n; j++) {
        if (t[j].type != TIER_LOCAL)
            continue;
        char *copy;
        struct dd_error *err = symstore_put(t[j].loc, &st->skey, found, false, &copy);
        if (err) {
            sym_log_printf(&st->opts->log, "SYMSRV:  copy to %s failed: %s", t[j].loc, err->message);
            dd_error_destroy(err);
        } else {
            free(copy);
        }
    }
}

/* Searches a srv* chain (with the cache in effect, or NULL). */
static struct dd_error *find_srv(struct find_state *st, const struct sympath_elem *e,
                                 const char *cache, char **ret, bool *found)
{
    const struct sym_log *log = &st->opts->log;
    struct tier_ref *t = calloc(e->tier_count + 1, sizeof(*t));
    if (!t)
        return &dd_error_no_memory;
    size_t n = 0;
    if (cache)
        t[n++] = (struct tier_ref){TIER_LOCAL, cache};
    for (size_t i = 0; i < e->tier_count; i++) {
        const struct sympath_tier *ti = &e->tiers[i];
        if (ti->kind == SYMPATH_TIER_DEFAULT) {
            if (ti->implicit && cache)
                continue;
            if (!st->default_store) {
                add_reason(st, "no default symbol store");
                continue;
            }
            t[n++] = (struct tier_ref){TIER_LOCAL, st->default_store};
        } else if (ti->foreign) {
            sym_log_printf(log, "SYMSRV:  %s - a Windows path, skipped", ti->location);
        } else {
            t[n++] = (struct tier_ref){ti->kind == SYMPATH_TIER_URL ? TIER_URL : TIER_LOCAL,
                                       ti->location};
        }
    }
    struct dd_error *err = NULL;
    for (size_t i = 0; i < n && !*found; i++) {
        /* The nearest local tier before this one takes decompressed files and downloads. */
        const char *down = NULL;
        for (size_t j = i; j-- > 0;)
            if (t[j].type == TIER_LOCAL) {
                down = t[j].loc;
                break;
            }
        char *path = NULL;
        if (t[i].type == TIER_LOCAL) {
            err = symstore_lookup(t[i].loc, &st->skey, down, log, &path);
            if (!err)
                copy_down(st, t, i, path);
        } else if (!st->opts->http) {
            sym_log_printf(log, "SYMSRV:  %s - downloads are off", t[i].loc);
            add_reason(st, "%s: downloads are off", t[i].loc);
            continue;
        } else {
            if (!down)
                down = st->default_store;
            if (!down) {
                add_reason(st, "%s: no local store to download into", t[i].loc);
                continue;
            }
            err = symsrv_http_fetch(st->opts->http, t[i].loc, &st->skey, down, &path);
            if (!err)
                copy_down(st, t, i, path);
        }
        if (err) {
            if (note_error(st, err))
                break;
            err = NULL;
            continue;
        }
        *found = try_accept(st, path, ret);
    }
    free(t);
    return err;
}

struct dd_error *symsrv_find(const struct sympath *path, const struct sym_file_key *key,
                             const struct sym_find_options *opts, char **ret)
{
    struct find_state st;
    memset(&st, 0, sizeof(st));
    st.key = key;
    st.opts = opts;
    struct dd_error *err = symstore_key_make(key, &st.skey);
    if (err)
        return err;
    char *default_store = NULL;
    if (opts->default_store) {
        st.default_store = opts->default_store;
    } else if ((err = sympath_default_store(&default_store)) != NULL) {
        sym_log_printf(&opts->log, "SYMSRV:  %s", err->message);
        dd_error_destroy(err);
        err = NULL;
    } else {
        st.default_store = default_store;
    }
    const char *cache = NULL;
    bool found = false;
    for (size_t i = 0; i < path->count && !found && !err; i++) {
        const struct sympath_elem *e = &path->elems[i];
        char *p;
        switch (e->kind) {
        case SYMPATH_ELEM_CACHE:
            if (e->foreign)
                sym_log_printf(&opts->log, "SYMSRV:  cache %s - a Windows path, skipped", e->dir);
            else
                cache = e->dir ? e->dir : st.default_store;
            break;
        case SYMPATH_ELEM_DIR:
            if (e->foreign) {
                sym_log_printf(&opts->log, "DBGHELP: %s - a Windows path, skipped", e->dir);
                add_reason(&st, "%s: a Windows path", e->dir);
                break;
            }
            err = symstore_lookup_dir(e->dir, &st.skey, &opts->log, &p);
            if (!err)
                found = try_accept(&st, p, ret);
            else if (!note_error(&st, err))
                err = NULL;
            break;
        case SYMPATH_ELEM_SRV:
            err = find_srv(&st, e, cache, ret, &found);
            break;
        }
    }
    free(default_store);
    if (err)
        return err;
    if (found)
        return NULL;
    if (path->count == 0)
        add_reason(&st, "the symbol path is empty");
    return dd_error_create(DD_ERR_NOT_FOUND, "%s not found: %s", st.skey.file, st.reasons);
}
