/*
 * Per-module symbol loading: which file a module's symbols come from and when it is read.
 * WinDbg defers loading until an address or name in the module is needed; so does this.
 * Matching: a PDB must carry the image's CodeView GUID (or NB10 signature) and age; a Breakpad
 * file must carry the same debug id; an image file must have the dump's timestamp and size.
 */
#include "sym/symbols.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "pdb/pdb.h"
#include "pe/pe_debug.h"
#include "pe/pe_exports.h"
#include "pe/pe_image.h"
#include "sym/breakpad_sym.h"
#include "sym/symfile.h"
#include "sym/symbols_internal.h"
#include "sym/symsrv.h"


static void noisy_log(void *ctx, const char *message)
{
    struct symbols *s = ctx;
    if (!s->noisy)
        return;
    /* The store and download code name themselves already ("SYMSRV:  ..."). */
    bool tagged = strncmp(message, "DBGHELP: ", 9) == 0 || strncmp(message, "SYMSRV:", 7) == 0;
    dd_printf(s->noisy, "%s%s\n", tagged ? "" : "DBGHELP: ", message);
}

void symbols_log(struct symbols *s, const char *fmt, ...)
{
    if (!s->noisy)
        return;
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    noisy_log(s, buf);
}

/* The dump's module memory, read without the image-file fallback (no recursion). */
static size_t dump_image_read(void *ctx, uint32_t rva, void *buf, size_t len)
{
    struct symbols_image_reader *r = ctx;
    size_t got = 0;
    struct dd_error *err = r->t->ops->read_virtual(r->t, r->base + rva, buf, len, &got);
    dd_error_destroy(err);
    return got;
}

/* Bytes the dump lacks, from the read-only parts of the module's image file. */
static size_t fallback_read(void *ctx, uint64_t addr, void *buf, size_t n)
{
    struct symbols *s = ctx;
    const struct target_module *m = target_module_by_addr(s->target, addr);
    if (!m)
        return 0;
    size_t idx = (size_t)(m - s->target->modules);
    struct symbols_module *sm = &s->mods[idx];
    if (!sm->file_image_tried)
        symbols_find_image_file(s, idx);
    struct pe_image *img = sm->file_image;
    if (!img)
        return 0;
    uint64_t rva64 = addr - m->base;
    if (rva64 >= img->hdr.size_of_image)
        return 0;
    uint32_t rva = (uint32_t)rva64;
    /* Writable sections hold run-time data the file does not know: only headers, code and
     * read-only data are taken from it (IMAGE_SCN_MEM_WRITE = 0x80000000). */
    const struct pe_section *sec = pe_image_section_by_rva(img, rva);
    uint64_t limit;
    if (sec) {
        if (sec->characteristics & 0x80000000u)
            return 0;
        limit = (uint64_t)sec->virtual_address + sec->virtual_size;
    } else if (rva < img->hdr.size_of_headers) {
        limit = img->hdr.size_of_headers;
    } else {
        return 0;
    }
    if (n > limit - rva)
        n = (size_t)(limit - rva);
    return pe_image_read_rva(img, rva, buf, n);
}

struct dd_error *symbols_create(struct target *t, struct symbols **ret)
{
    struct symbols *s = calloc(1, sizeof(*s));
    if (!s)
        return &dd_error_no_memory;
    s->target = t;
    s->x86 = t->sys.cpu == DD_CPU_X86;
    s->mods = calloc(t->nmodules ? t->nmodules : 1, sizeof(*s->mods));
    s->path_text = strdup("");
    s->image_path_text = strdup("");
    struct dd_error *err = NULL;
    if (!s->mods || !s->path_text || !s->image_path_text)
        err = &dd_error_no_memory;
    if (!err)
        err = sympath_parse("", &s->path);
    if (!err)
        err = sympath_parse("", &s->image_path);
    if (err) {
        symbols_destroy(s);
        return err;
    }
    for (size_t i = 0; i < t->nmodules; i++) {
        s->mods[i].reader.t = t;
        s->mods[i].reader.base = t->modules[i].base;
    }
    t->fallback_read = fallback_read;
    t->fallback_ctx = s;
    *ret = s;
    return NULL;
}

static void module_unload(struct symbols_module *sm)
{
    pdb_destroy(sm->pdb);
    breakpad_sym_destroy(sm->breakpad);
    symbols_isf_destroy(sm->isf);
    free(sm->symbol_file);
    sm->pdb = NULL;
    sm->breakpad = NULL;
    sm->isf = NULL;
    sm->symbol_file = NULL;
    sm->state = SYMBOLS_DEFERRED;
    sm->mismatch = false;
}

void symbols_destroy(struct symbols *s)
{
    if (!s)
        return;
    if (s->target && s->target->fallback_ctx == s) {
        s->target->fallback_read = NULL;
        s->target->fallback_ctx = NULL;
    }
    if (s->mods) {
        for (size_t i = 0; i < s->target->nmodules; i++) {
            module_unload(&s->mods[i]);
            pe_image_destroy(s->mods[i].mem_image);
            pe_image_destroy(s->mods[i].file_image);
            free(s->mods[i].image_file);
        }
    }
    free(s->mods);
    sympath_destroy(s->path);
    sympath_destroy(s->image_path);
    free(s->path_text);
    free(s->image_path_text);
    symsrv_http_destroy(s->http);
    free(s);
}

static struct dd_error *replace_path(struct sympath **path, char **text, const char *new_text,
                                     bool append)
{
    const char *t = new_text ? new_text : "";
    if (append && **text) {
        struct dd_error *err = sympath_append(*path, t);
        if (err)
            return err;
        size_t len = strlen(*text) + strlen(t) + 2;
        char *joined = malloc(len);
        if (!joined)
            return &dd_error_no_memory;
        snprintf(joined, len, "%s;%s", *text, t);
        free(*text);
        *text = joined;
        return NULL;
    }
    struct sympath *p;
    struct dd_error *err = sympath_parse(t, &p);
    if (err)
        return err;
    char *copy = strdup(t);
    if (!copy) {
        sympath_destroy(p);
        return &dd_error_no_memory;
    }
    sympath_destroy(*path);
    free(*text);
    *path = p;
    *text = copy;
    return NULL;
}

struct dd_error *symbols_set_path(struct symbols *s, const char *text)
{
    return replace_path(&s->path, &s->path_text, text, false);
}

struct dd_error *symbols_append_path(struct symbols *s, const char *text)
{
    return replace_path(&s->path, &s->path_text, text, true);
}

const char *symbols_path_text(struct symbols *s)
{
    return s->path_text;
}

struct dd_error *symbols_set_image_path(struct symbols *s, const char *text)
{
    /* A new image path may find files that were missing: forget the negative results. */
    for (size_t i = 0; i < s->target->nmodules; i++)
        if (!s->mods[i].file_image)
            s->mods[i].file_image_tried = false;
    return replace_path(&s->image_path, &s->image_path_text, text, false);
}

struct dd_error *symbols_append_image_path(struct symbols *s, const char *text)
{
    for (size_t i = 0; i < s->target->nmodules; i++)
        if (!s->mods[i].file_image)
            s->mods[i].file_image_tried = false;
    return replace_path(&s->image_path, &s->image_path_text, text, true);
}

const char *symbols_image_path_text(struct symbols *s)
{
    return s->image_path_text;
}

void symbols_set_load_anything(struct symbols *s, bool on)
{
    s->load_anything = on;
}

void symbols_set_noisy(struct symbols *s, struct dd_writer *w)
{
    s->noisy = w;
}

bool symbols_noisy(const struct symbols *s)
{
    return s->noisy != NULL;
}

/* One status line per download on a terminal, rewritten in place. */
static bool download_progress(void *ctx, const char *url, uint64_t done, uint64_t total)
{
    const char *name = strrchr(url, '/');
    name = name ? name + 1 : url;
    if (total)
        fprintf(stderr, "\rSYMSRV:  %s: %llu of %llu KB   ", name, (unsigned long long)(done / 1024),
                (unsigned long long)(total / 1024));
    else
        fprintf(stderr, "\rSYMSRV:  %s: %llu KB   ", name, (unsigned long long)(done / 1024));
    if (total && done >= total)
        fputc('\n', stderr);
    fflush(stderr);
    return true;
}

/* The HTTP session, created on the first URL tier that needs it. */
static struct symsrv_http *http_session(struct symbols *s)
{
    if (!s->http && !s->http_failed) {
        struct symsrv_http_settings st;
        symsrv_http_settings_init(&st);
        st.log.fn = noisy_log;
        st.log.ctx = s;
        if (isatty(2))
            st.progress = download_progress;
        struct dd_error *err = symsrv_http_create(&st, &s->http);
        if (err) {
            symbols_log(s, "cannot start downloads: %s", err->message);
            dd_error_destroy(err);
            s->http_failed = true;
        }
    }
    return s->http;
}

/* Runs one search of PATH for KEY with ACCEPT deciding; ret is the new path of the file found. */
static bool find_file(struct symbols *s, const struct sympath *path, const struct sym_file_key *key,
                      bool (*accept)(void *ctx, const char *path, char **ret_reason), void *ctx,
                      char **ret)
{
    if (!path || path->count == 0)
        return false;
    struct sym_find_options o;
    memset(&o, 0, sizeof(o));
    o.http = http_session(s);
    o.accept = accept;
    o.accept_ctx = ctx;
    o.log.fn = noisy_log;
    o.log.ctx = s;
    struct dd_error *err = symsrv_find(path, key, &o, ret);
    if (err) {
        symbols_log(s, "%s: %s", key->name, err->message);
        dd_error_destroy(err);
        return false;
    }
    return true;
}

/* The CodeView identity of module IDX: from the dump's module record, else the image. */
bool symbols_module_codeview(struct symbols *s, size_t idx, struct pe_codeview *ret)
{
    const struct target_module *m = &s->target->modules[idx];
    memset(ret, 0, sizeof(*ret));
    if (m->cv_kind != TARGET_CV_NONE && m->pdb_name) {
        ret->kind = m->cv_kind == TARGET_CV_RSDS ? PE_CV_RSDS : PE_CV_NB10;
        memcpy(ret->guid, m->pdb_guid, 16);
        ret->signature = m->pdb_signature;
        ret->age = m->pdb_age;
        ret->pdb_path = m->pdb_name;
        return true;
    }
    struct pe_image *img = symbols_module_image(s, idx);
    const struct pe_debug_info *dbg;
    if (!img || dd_error_drop(pe_debug_get(img, &dbg)) || dbg->codeview.kind == PE_CV_NONE)
        return false;
    *ret = dbg->codeview;
    return true;
}

struct pdb_accept {
    struct symbols *s;
    const struct pe_codeview *cv;
    struct pdb *found;
    bool mismatch; /* accepted although GUID/age differ (SYMOPT_LOAD_ANYTHING) */
};

static bool accept_pdb(void *ctx, const char *path, char **ret_reason)
{
    struct pdb_accept *a = ctx;
    struct pdb *pdb;
    struct dd_error *err = pdb_open(path, &pdb);
    if (err) {
        *ret_reason = strdup(err->message);
        dd_error_destroy(err);
        return false;
    }
    const struct pdb_info *info = pdb_info_get(pdb);
    bool match = pdb_info_match_age(pdb) == a->cv->age &&
                 (a->cv->kind == PE_CV_RSDS ? memcmp(info->guid, a->cv->guid, 16) == 0
                                            : info->signature == a->cv->signature);
    if (!match) {
        char want[PE_KEY_MAX], have[PE_KEY_MAX];
        pe_codeview_key_format(want, a->cv);
        if (a->cv->kind == PE_CV_RSDS)
            pe_pdb_key_format(have, info->guid, pdb_info_match_age(pdb));
        else
            pe_nb10_key_format(have, info->signature, pdb_info_match_age(pdb));
        char reason[160];
        snprintf(reason, sizeof(reason), "mismatched pdb: the image wants %s, the file is %s", want,
                 have);
        if (a->s->load_anything) {
            /* .symopt+ 0x40: the user takes a PDB of the right name whatever its identity. */
            symbols_log(a->s, "%s: %s; loaded anyway (SYMOPT_LOAD_ANYTHING)", path, reason);
            a->found = pdb;
            a->mismatch = true;
            return true;
        }
        *ret_reason = strdup(reason);
        pdb_destroy(pdb);
        return false;
    }
    a->found = pdb;
    return true;
}

static bool load_pdb(struct symbols *s, size_t idx, const struct pe_codeview *cv)
{
    struct sym_file_key key;
    memset(&key, 0, sizeof(key));
    key.kind = cv->kind == PE_CV_RSDS ? SYM_KEY_PDB : SYM_KEY_PDB_NB10;
    key.name = cv->pdb_path;
    sym_guid_from_bytes(cv->guid, &key.guid);
    key.age = cv->age;
    key.signature = cv->signature;
    struct pdb_accept a = {s, cv, NULL, false};
    char *path = NULL;
    if (!find_file(s, s->path, &key, accept_pdb, &a, &path) || !a.found) {
        free(path);
        pdb_destroy(a.found);
        return false;
    }
    struct symbols_module *sm = &s->mods[idx];
    sm->pdb = a.found;
    sm->symbol_file = path;
    sm->mismatch = a.mismatch;
    /* A PDB with module streams carries procedures and lines; a stripped one only publics. */
    const struct pdb_dbi_header *dbi = pdb_dbi_header_get(a.found);
    bool stripped = !dbi || (dbi->flags & 2u) || pdb_module_count(a.found) == 0;
    sm->state = stripped ? SYMBOLS_PDB : SYMBOLS_PRIVATE_PDB;
    symbols_log(s, "%s - %s\n        %s", s->target->modules[idx].name,
                stripped ? "public symbols" : "private symbols & lines", path);
    return true;
}

struct breakpad_accept {
    const char *debug_id;
    struct breakpad_sym *found;
};

static bool accept_breakpad(void *ctx, const char *path, char **ret_reason)
{
    struct breakpad_accept *a = ctx;
    struct breakpad_sym *bp;
    struct dd_error *err = breakpad_sym_open(path, &bp);
    if (err) {
        *ret_reason = strdup(err->message);
        dd_error_destroy(err);
        return false;
    }
    if (strcasecmp(breakpad_sym_module(bp)->debug_id, a->debug_id) != 0) {
        char reason[200];
        snprintf(reason, sizeof(reason), "mismatched .sym: debug id %s, the image wants %s",
                 breakpad_sym_module(bp)->debug_id, a->debug_id);
        *ret_reason = strdup(reason);
        breakpad_sym_destroy(bp);
        return false;
    }
    a->found = bp;
    return true;
}

static bool load_breakpad(struct symbols *s, size_t idx, const struct pe_codeview *cv)
{
    if (cv->kind != PE_CV_RSDS)
        return false;
    char id[PE_KEY_MAX];
    pe_pdb_key_format(id, cv->guid, cv->age);
    struct sym_file_key key;
    memset(&key, 0, sizeof(key));
    key.kind = SYM_KEY_BREAKPAD;
    key.name = cv->pdb_path;
    key.debug_id = id;
    struct breakpad_accept a = {id, NULL};
    char *path = NULL;
    bool found = find_file(s, s->path, &key, accept_breakpad, &a, &path) && a.found;
    /* Breakpad users point at the store root itself (NAME.pdb/ID/NAME.sym under a plain dir). */
    for (size_t i = 0; !found && i < s->path->count; i++) {
        const struct sympath_elem *e = &s->path->elems[i];
        if (e->kind != SYMPATH_ELEM_DIR || e->foreign || !e->dir)
            continue;
        free(path);
        path = NULL;
        if (breakpad_store_path(e->dir, cv->pdb_path, id, &path) == NULL) {
            char *reason = NULL;
            if (symfile_is_file(path) && accept_breakpad(&a, path, &reason))
                found = true;
            else if (reason)
                symbols_log(s, "%s: %s", path, reason);
            free(reason);
        }
    }
    if (!found) {
        free(path);
        breakpad_sym_destroy(a.found);
        return false;
    }
    struct symbols_module *sm = &s->mods[idx];
    sm->breakpad = a.found;
    sm->symbol_file = path;
    sm->state = SYMBOLS_BREAKPAD;
    symbols_log(s, "%s - Breakpad symbols\n        %s", s->target->modules[idx].name, path);
    return true;
}

static bool has_exports(struct symbols *s, size_t idx)
{
    struct pe_image *img = symbols_module_image(s, idx);
    const struct pe_exports *ex;
    if (!img || dd_error_drop(pe_exports_get(img, &ex)))
        return false;
    return ex->count > 0;
}

void symbols_module_load(struct symbols *s, size_t idx)
{
    if (idx >= s->target->nmodules)
        return;
    struct symbols_module *sm = &s->mods[idx];
    if (sm->state != SYMBOLS_DEFERRED)
        return;
    sm->state = SYMBOLS_NONE; /* also guards against re-entry while loading */
    struct pe_codeview cv;
    if (symbols_module_codeview(s, idx, &cv) &&
        (load_pdb(s, idx, &cv) || load_breakpad(s, idx, &cv)))
        return;
    if (symbols_isf_load(s, idx))
        return;
    if (has_exports(s, idx)) {
        sm->state = SYMBOLS_EXPORT;
        symbols_log(s, "%s - export symbols", s->target->modules[idx].name);
        return;
    }
    symbols_log(s, "%s - no symbols loaded", s->target->modules[idx].name);
}

void symbols_module_reload(struct symbols *s, size_t idx, bool load_now)
{
    if (idx >= s->target->nmodules)
        return;
    module_unload(&s->mods[idx]);
    if (!s->mods[idx].file_image)
        s->mods[idx].file_image_tried = false;
    if (load_now)
        symbols_module_load(s, idx);
}

enum symbols_state symbols_module_state(const struct symbols *s, size_t idx)
{
    return idx < s->target->nmodules ? s->mods[idx].state : SYMBOLS_NONE;
}

const char *symbols_module_file(const struct symbols *s, size_t idx)
{
    return idx < s->target->nmodules ? s->mods[idx].symbol_file : NULL;
}

char symbols_module_flag(const struct symbols *s, size_t idx)
{
    if (idx >= s->target->nmodules)
        return ' ';
    const struct symbols_module *sm = &s->mods[idx];
    if (sm->state == SYMBOLS_DEFERRED || sm->state == SYMBOLS_NONE)
        return ' ';
    if (sm->mismatch)
        return 'M';
    return s->target->modules[idx].checksum == 0 ? 'C' : ' ';
}

struct image_accept {
    uint32_t timestamp;
    uint32_t size;
    struct pe_image *found;
};

static bool accept_image(void *ctx, const char *path, char **ret_reason)
{
    struct image_accept *a = ctx;
    struct pe_image *img;
    struct dd_error *err = pe_image_open_file(path, &img);
    if (err) {
        *ret_reason = strdup(err->message);
        dd_error_destroy(err);
        return false;
    }
    if (img->hdr.timestamp != a->timestamp || img->hdr.size_of_image != a->size) {
        char reason[160];
        snprintf(reason, sizeof(reason),
                 "mismatched image: timestamp %08X size %x, the dump has %08X %x",
                 img->hdr.timestamp, img->hdr.size_of_image, a->timestamp, a->size);
        *ret_reason = strdup(reason);
        pe_image_destroy(img);
        return false;
    }
    a->found = img;
    return true;
}

void symbols_find_image_file(struct symbols *s, size_t idx)
{
    struct symbols_module *sm = &s->mods[idx];
    sm->file_image_tried = true;
    const struct target_module *m = &s->target->modules[idx];
    if (!m->path || !*m->path)
        return;
    struct sym_file_key key;
    memset(&key, 0, sizeof(key));
    key.kind = SYM_KEY_IMAGE;
    key.name = m->path;
    key.timestamp = m->timestamp;
    key.image_size = (uint32_t)m->size;
    struct image_accept a = {m->timestamp, (uint32_t)m->size, NULL};
    char *path = NULL;
    /* The image path first, then the symbol path (stores keep images too). */
    if ((find_file(s, s->image_path, &key, accept_image, &a, &path) ||
         find_file(s, s->path, &key, accept_image, &a, &path)) &&
        a.found) {
        sm->file_image = a.found;
        sm->image_file = path;
        symbols_log(s, "%s - image %s", m->name, path);
        return;
    }
    free(path);
    pe_image_destroy(a.found);
}

struct pe_image *symbols_module_image(struct symbols *s, size_t idx)
{
    if (idx >= s->target->nmodules)
        return NULL;
    struct symbols_module *sm = &s->mods[idx];
    if (!sm->file_image_tried)
        symbols_find_image_file(s, idx);
    if (sm->file_image)
        return sm->file_image;
    if (!sm->mem_image_tried) {
        sm->mem_image_tried = true;
        const struct target_module *m = &s->target->modules[idx];
        struct dd_error *err = pe_image_open_reader(dump_image_read, &sm->reader, m->base,
                                                    (uint32_t)m->size, &sm->mem_image);
        if (err) {
            symbols_log(s, "%s - image headers not in the dump: %s", m->name, err->message);
            dd_error_destroy(err);
        }
    }
    return sm->mem_image;
}

const char *symbols_module_image_file(struct symbols *s, size_t idx)
{
    return idx < s->target->nmodules ? s->mods[idx].image_file : NULL;
}

struct pdb *symbols_module_pdb(struct symbols *s, size_t idx)
{
    symbols_module_load(s, idx);
    return idx < s->target->nmodules ? s->mods[idx].pdb : NULL;
}

struct breakpad_sym *symbols_module_breakpad(struct symbols *s, size_t idx)
{
    symbols_module_load(s, idx);
    return idx < s->target->nmodules ? s->mods[idx].breakpad : NULL;
}
