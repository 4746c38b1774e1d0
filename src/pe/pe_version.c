/* VS_VERSIONINFO: a tree of blocks {wLength, wValueLength, wType, szKey, Padding, Value,
 * Padding, Children}, each aligned to 4 bytes (Microsoft Learn: "VS_VERSIONINFO structure",
 * "StringFileInfo", "StringTable", "String", "VarFileInfo", "Var", "VS_FIXEDFILEINFO"). The walk
 * goes root -> StringFileInfo/VarFileInfo -> StringTable/Var -> String and no deeper. */
#include "pe/pe_version.h"

#include <stdlib.h>
#include <string.h>

#include "base/cursor.h"
#include "base/fmt.h"
#include "pe/pe_internal.h"
#include "pe/pe_resource.h"

#define VER_MAX_SIZE 0x10000u /* wLength is 16 bits */
#define VER_HEADER 6u         /* wLength, wValueLength, wType */
#define VER_FIXED_SIZE 52u    /* VS_FIXEDFILEINFO */
#define VER_KEY_MAX 256u      /* UTF-16 units */
#define VER_TYPE_TEXT 1u

struct ver_block {
    size_t start, end; /* [start, end) inside the resource bytes */
    uint16_t value_len;
    uint16_t type;
    const char *key;     /* UTF-8, arena */
    size_t value_off;    /* after the key and its padding */
    size_t value_bytes;  /* clipped to the block */
    size_t children_off; /* <= end */
};

struct ver_ctx {
    struct pe_image *img;
    const uint8_t *data;
    size_t size;
    struct pe_version_info *v;
};

static size_t align4(size_t x)
{
    return (x + 3) & ~(size_t)3;
}

/* Converts N UTF-16 units at P, up to the first NUL, into an arena string. */
static const char *utf16_dup(struct pe_image *img, const uint8_t *p, size_t n)
{
    size_t len = 0;
    while (len < n && dd_le16(p + 2 * len) != 0)
        len++;
    char *tmp = dd_utf16_to_utf8(p, len);
    if (!tmp)
        return NULL;
    const char *s = dd_arena_strdup(&img->arena, tmp);
    free(tmp);
    return s;
}

/*
 * Reads the block header at OFF inside [OFF, PARENT_END). Sets *ret_stop (no error) at zero
 * padding; a block cut short by its parent is clipped and marks the result truncated.
 */
static struct dd_error *block_read(struct ver_ctx *vc, size_t off, size_t parent_end,
                                   struct ver_block *ret, bool *ret_stop)
{
    if (off + VER_HEADER > parent_end)
        return dd_error_create(DD_ERR_FORMAT, "PE: version block at 0x%zx is cut short", off);
    const uint8_t *p = vc->data + off;
    size_t len = dd_le16(p);
    if (len == 0) {
        *ret_stop = true; /* padding after the last child; ret is not written */
        return NULL;
    }
    struct ver_block b = {off, off + len, dd_le16(p + 2), dd_le16(p + 4), NULL, 0, 0, 0};
    if (len < VER_HEADER + 2)
        return dd_error_create(DD_ERR_FORMAT,
                               "PE: version block at 0x%zx has length %zu, too short for a key",
                               off, len);
    if (b.end > parent_end) {
        b.end = parent_end;
        vc->v->truncated = true;
    }
    size_t units = (b.end - off - VER_HEADER) / 2;
    if (units > VER_KEY_MAX)
        units = VER_KEY_MAX;
    size_t k = 0;
    while (k < units && dd_le16(p + VER_HEADER + 2 * k) != 0)
        k++;
    if (k == units)
        return dd_error_create(DD_ERR_FORMAT, "PE: version block at 0x%zx has no terminated key",
                               off);
    b.key = utf16_dup(vc->img, p + VER_HEADER, k);
    if (!b.key)
        return &dd_error_no_memory;
    b.value_off = align4(off + VER_HEADER + 2 * (k + 1));
    if (b.value_off > b.end)
        b.value_off = b.end;
    /* wValueLength counts UTF-16 units for text values and bytes otherwise. */
    size_t vbytes = b.type == VER_TYPE_TEXT ? 2u * b.value_len : b.value_len;
    b.value_bytes = vbytes < b.end - b.value_off ? vbytes : b.end - b.value_off;
    b.children_off = align4(b.value_off + b.value_bytes);
    if (b.children_off > b.end)
        b.children_off = b.end;
    *ret = b;
    *ret_stop = false;
    return NULL;
}

/* Appends to a malloc'd array, growing it; false when out of memory. */
static bool grow(void **arr, size_t *cap, size_t n, size_t elem)
{
    if (n < *cap)
        return true;
    size_t ncap = *cap ? *cap * 2 : 8;
    void *p = realloc(*arr, ncap * elem);
    if (!p)
        return false;
    *arr = p;
    *cap = ncap;
    return true;
}

/* Iterates the children of PARENT, calling FN for each; a malformed child ends the walk. */
static struct dd_error *children_each(struct ver_ctx *vc, const struct ver_block *parent,
                                      struct dd_error *(*fn)(struct ver_ctx *vc,
                                                             const struct ver_block *b, void *arg),
                                      void *arg)
{
    size_t pos = parent->children_off;
    while (pos + VER_HEADER <= parent->end) {
        struct ver_block b;
        bool stop;
        struct dd_error *err = block_read(vc, pos, parent->end, &b, &stop);
        if (err) {
            if (err->code == DD_ERR_NO_MEMORY)
                return err;
            dd_error_destroy(err);
            vc->v->truncated = true;
            return NULL;
        }
        if (stop)
            return NULL;
        err = fn(vc, &b, arg);
        if (err)
            return err;
        pos = align4(b.end); /* b.end >= pos + 8: always progresses */
    }
    return NULL;
}

struct table_build {
    struct pe_version_string *strings;
    size_t count, cap;
};

static struct dd_error *string_add(struct ver_ctx *vc, const struct ver_block *b, void *arg)
{
    struct table_build *tb = arg;
    if (!grow((void **)&tb->strings, &tb->cap, tb->count, sizeof(*tb->strings)))
        return &dd_error_no_memory;
    const char *value = utf16_dup(vc->img, vc->data + b->value_off, b->value_bytes / 2);
    if (!value)
        return &dd_error_no_memory;
    tb->strings[tb->count].key = b->key;
    tb->strings[tb->count].value = value;
    tb->count++;
    return NULL;
}

static unsigned hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return (unsigned)(c - '0');
    if (c >= 'a' && c <= 'f')
        return (unsigned)(c - 'a' + 10);
    if (c >= 'A' && c <= 'F')
        return (unsigned)(c - 'A' + 10);
    return 16;
}

struct tables_build {
    struct pe_version_table *tables;
    size_t count, cap;
};

static struct dd_error *table_add(struct ver_ctx *vc, const struct ver_block *b, void *arg)
{
    struct tables_build *all = arg;
    if (!grow((void **)&all->tables, &all->cap, all->count, sizeof(*all->tables)))
        return &dd_error_no_memory;
    struct table_build tb = {NULL, 0, 0};
    struct dd_error *err = children_each(vc, b, string_add, &tb);
    struct pe_version_table *t = &all->tables[all->count];
    memset(t, 0, sizeof(*t));
    if (!err && tb.count) {
        t->strings = dd_arena_calloc(&vc->img->arena, tb.count, sizeof(*t->strings));
        if (t->strings)
            memcpy(t->strings, tb.strings, tb.count * sizeof(*t->strings));
        else
            err = &dd_error_no_memory;
    }
    free(tb.strings);
    if (err)
        return err;
    t->name = b->key;
    t->count = tb.count;
    uint32_t lc = 0;
    size_t i = 0;
    for (; b->key[i] && i < 8 && hex_digit(b->key[i]) < 16; i++)
        lc = lc << 4 | hex_digit(b->key[i]);
    if (i == 8 && b->key[8] == '\0') {
        t->language = (uint16_t)(lc >> 16);
        t->codepage = (uint16_t)lc;
    }
    all->count++;
    return NULL;
}

static struct dd_error *var_add(struct ver_ctx *vc, const struct ver_block *b, void *arg)
{
    struct pe_version_info *v = vc->v;
    if (strcmp(b->key, "Translation") != 0 || v->translations)
        return NULL;
    size_t n = b->value_bytes / 4;
    if (n == 0)
        return NULL;
    v->translations = dd_arena_calloc(&vc->img->arena, n, sizeof(*v->translations));
    if (!v->translations)
        return &dd_error_no_memory;
    for (size_t i = 0; i < n; i++)
        v->translations[i] = dd_le32(vc->data + b->value_off + 4 * i);
    v->ntranslations = n;
    return NULL;
}

static struct dd_error *root_child(struct ver_ctx *vc, const struct ver_block *b, void *arg)
{
    if (strcmp(b->key, "StringFileInfo") == 0)
        return children_each(vc, b, table_add, arg);
    if (strcmp(b->key, "VarFileInfo") == 0)
        return children_each(vc, b, var_add, NULL);
    return NULL; /* unknown blocks are skipped */
}

static void fixed_decode(struct pe_fixed_file_info *f, const uint8_t *p)
{
    uint32_t *fields[] = {&f->signature,       &f->struct_version,     &f->file_version_ms,
                          &f->file_version_ls, &f->product_version_ms, &f->product_version_ls,
                          &f->file_flags_mask, &f->file_flags,         &f->file_os,
                          &f->file_type,       &f->file_subtype,       &f->file_date_ms,
                          &f->file_date_ls};
    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
        *fields[i] = dd_le32(p + 4 * i);
}

static struct dd_error *version_parse(struct pe_image *img, struct pe_version_info **ret)
{
    struct pe_resource res;
    struct dd_error *err = pe_resource_find(img, PE_RT_VERSION, &res);
    if (err)
        return err;
    size_t n = res.size < VER_MAX_SIZE ? res.size : VER_MAX_SIZE;
    if (n < VER_HEADER + 2)
        return dd_error_create(DD_ERR_FORMAT,
                               "PE: version resource at RVA 0x%x is only %u bytes", res.rva,
                               res.size);
    uint8_t *data;
    err = pe_read_alloc(img, res.rva, n, "version resource", &data);
    if (err)
        return err;
    struct pe_version_info *v = dd_arena_calloc(&img->arena, 1, sizeof(*v));
    if (!v) {
        free(data);
        return &dd_error_no_memory;
    }
    struct ver_ctx vc = {img, data, n, v};
    struct ver_block root;
    bool stop;
    err = block_read(&vc, 0, n, &root, &stop);
    if (!err && stop)
        err = dd_error_create(DD_ERR_FORMAT, "PE: version resource at RVA 0x%x is empty",
                              res.rva);
    if (!err && strcmp(root.key, "VS_VERSION_INFO") != 0)
        err = dd_error_create(DD_ERR_FORMAT,
                              "PE: version resource at RVA 0x%x starts with key \"%s\", not "
                              "VS_VERSION_INFO",
                              res.rva, root.key);
    struct tables_build tables = {NULL, 0, 0};
    if (!err) {
        if (root.value_bytes >= VER_FIXED_SIZE) {
            fixed_decode(&v->fixed, data + root.value_off);
            v->has_fixed = v->fixed.signature == PE_VS_FFI_SIGNATURE;
        }
        err = children_each(&vc, &root, root_child, &tables);
    }
    if (!err && tables.count) {
        v->tables = dd_arena_calloc(&img->arena, tables.count, sizeof(*v->tables));
        if (v->tables) {
            memcpy(v->tables, tables.tables, tables.count * sizeof(*v->tables));
            v->ntables = tables.count;
        } else {
            err = &dd_error_no_memory;
        }
    }
    free(tables.tables);
    free(data);
    if (err)
        return err;
    *ret = v;
    return NULL;
}

struct dd_error *pe_version_get(struct pe_image *img, const struct pe_version_info **ret)
{
    if (img->version_lazy.state == 2)
        return pe_lazy_replay(&img->version_lazy);
    if (img->version_lazy.state == 0) {
        struct pe_version_info *v = NULL;
        struct dd_error *err = version_parse(img, &v);
        if (err)
            return pe_lazy_fail(img, &img->version_lazy, err);
        img->version = v;
        img->version_lazy.state = 1;
    }
    *ret = img->version;
    return NULL;
}

static const char *table_lookup(const struct pe_version_table *t, const char *key)
{
    for (size_t i = 0; i < t->count; i++)
        if (strcmp(t->strings[i].key, key) == 0)
            return t->strings[i].value;
    return NULL;
}

const char *pe_version_string(const struct pe_version_info *v, const char *key)
{
    if (v->ntranslations) {
        uint16_t lang = (uint16_t)v->translations[0];
        uint16_t cp = (uint16_t)(v->translations[0] >> 16);
        for (size_t i = 0; i < v->ntables; i++) {
            const struct pe_version_table *t = &v->tables[i];
            if (t->language == lang && t->codepage == cp) {
                const char *s = table_lookup(t, key);
                if (s)
                    return s;
            }
        }
    }
    for (size_t i = 0; i < v->ntables; i++) {
        const char *s = table_lookup(&v->tables[i], key);
        if (s)
            return s;
    }
    return NULL;
}
