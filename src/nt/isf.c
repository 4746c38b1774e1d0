/*
 * ISF JSON reader (format: see isf.h). The file is parsed once with cJSON; the four named
 * sections are indexed into sorted arrays so each lookup is a binary search. Values are checked
 * when read: an offset must be a non-negative integral number, a name a string, a kind one of
 * the schema's words.
 */
#include "nt/isf.h"

#include <cjson/cJSON.h>
#include <lzma.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/mapfile.h"
#include "dump/xz.h"

struct isf_entry {
    const char *name;
    const cJSON *node;
};

struct isf_index {
    struct isf_entry *items;
    size_t count;
};

struct isf {
    cJSON *root;
    struct isf_index user_types, enums, base_types, symbols;
    struct isf_metadata meta;
    uint64_t pointer_size; /* base_types["pointer"].size, 0 when absent */
};

/* Largest integer a JSON number may carry exactly (2^53). */
#define ISF_MAX_INT 9007199254740992.0

static int entry_cmp(const void *a, const void *b)
{
    return strcmp(((const struct isf_entry *)a)->name, ((const struct isf_entry *)b)->name);
}

static struct dd_error *index_build(const cJSON *root, const char *section, bool required,
                                    struct isf_index *ret)
{
    const cJSON *obj = cJSON_GetObjectItemCaseSensitive(root, section);
    memset(ret, 0, sizeof(*ret));
    if (!obj) {
        if (required)
            return dd_error_create(DD_ERR_FORMAT, "ISF file has no \"%s\" object", section);
        return NULL;
    }
    if (!cJSON_IsObject(obj))
        return dd_error_create(DD_ERR_FORMAT, "ISF \"%s\" is not an object", section);
    size_t n = 0;
    for (const cJSON *c = obj->child; c; c = c->next)
        n++;
    if (!n)
        return NULL;
    ret->items = calloc(n, sizeof(*ret->items));
    if (!ret->items)
        return &dd_error_no_memory;
    for (const cJSON *c = obj->child; c; c = c->next) {
        if (!c->string)
            continue;
        if (!cJSON_IsObject(c)) {
            free(ret->items);
            ret->items = NULL;
            return dd_error_create(DD_ERR_FORMAT, "ISF %s entry \"%.200s\" is not an object",
                                   section, c->string);
        }
        ret->items[ret->count++] = (struct isf_entry){c->string, c};
    }
    qsort(ret->items, ret->count, sizeof(*ret->items), entry_cmp);
    return NULL;
}

static const cJSON *index_find(const struct isf_index *ix, const char *name)
{
    size_t lo = 0, hi = ix->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(ix->items[mid].name, name);
        if (c == 0)
            return ix->items[mid].node;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* Reads OBJ[KEY] as a non-negative integer below 2^53. */
static struct dd_error *get_uint(const cJSON *obj, const char *key, const char *what,
                                 uint64_t *ret)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!v)
        return dd_error_create(DD_ERR_FORMAT, "ISF %s has no \"%s\"", what, key);
    /* The range test first (it also rejects NaN), then integrality by a round trip. */
    if (!cJSON_IsNumber(v) || !(v->valuedouble >= 0 && v->valuedouble < ISF_MAX_INT) ||
        (double)(uint64_t)v->valuedouble != v->valuedouble)
        return dd_error_create(DD_ERR_FORMAT, "ISF %s \"%s\" is not a non-negative integer", what,
                               key);
    *ret = (uint64_t)v->valuedouble;
    return NULL;
}

/* Reads number node V as an integer of magnitude below 2^53. */
static bool node_int(const cJSON *v, int64_t *ret)
{
    if (!cJSON_IsNumber(v) || !(v->valuedouble > -ISF_MAX_INT && v->valuedouble < ISF_MAX_INT) ||
        (double)(int64_t)v->valuedouble != v->valuedouble)
        return false;
    *ret = (int64_t)v->valuedouble;
    return true;
}

static const char *get_string(const cJSON *obj, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    return cJSON_IsString(v) && v->valuestring ? v->valuestring : NULL;
}

static void copy_text(char *dst, size_t cap, const char *src)
{
    if (!src)
        src = "";
    snprintf(dst, cap, "%s", src);
}

static void metadata_parse(struct isf *isf)
{
    const cJSON *meta = cJSON_GetObjectItemCaseSensitive(isf->root, "metadata");
    if (!cJSON_IsObject(meta))
        return;
    const cJSON *producer = cJSON_GetObjectItemCaseSensitive(meta, "producer");
    if (cJSON_IsObject(producer))
        copy_text(isf->meta.producer, sizeof(isf->meta.producer), get_string(producer, "name"));
    const cJSON *win = cJSON_GetObjectItemCaseSensitive(meta, "windows");
    const cJSON *pdb = cJSON_IsObject(win) ? cJSON_GetObjectItemCaseSensitive(win, "pdb") : NULL;
    if (!cJSON_IsObject(pdb))
        return;
    const char *guid = get_string(pdb, "GUID");
    const char *name = get_string(pdb, "database");
    uint64_t age = 0, machine = 0;
    if (!guid || strlen(guid) != 32 || dd_error_drop(get_uint(pdb, "age", "metadata", &age)) ||
        age > UINT32_MAX)
        return;
    if (dd_error_drop(get_uint(pdb, "machine_type", "metadata", &machine)) || machine > 0xffff)
        machine = 0;
    isf->meta.has_pdb = true;
    copy_text(isf->meta.guid, sizeof(isf->meta.guid), guid);
    copy_text(isf->meta.pdb_name, sizeof(isf->meta.pdb_name), name);
    isf->meta.age = (uint32_t)age;
    isf->meta.machine_type = (uint32_t)machine;
}

void isf_destroy(struct isf *isf)
{
    if (!isf)
        return;
    free(isf->user_types.items);
    free(isf->enums.items);
    free(isf->base_types.items);
    free(isf->symbols.items);
    cJSON_Delete(isf->root);
    free(isf);
}

/* Decompresses an xz stream, refusing output past ISF_MAX_BYTES (an xz bomb stops early). */
static struct dd_error *isf_unxz(const uint8_t *data, size_t size, uint8_t **ret, size_t *ret_size)
{
    lzma_stream strm = LZMA_STREAM_INIT;
    if (lzma_stream_decoder(&strm, (uint64_t)1 << 28, LZMA_CONCATENATED) != LZMA_OK)
        return dd_error_create(DD_ERR_NO_MEMORY, "cannot start the xz decoder");
    size_t cap = (size_t)8 << 20;
    uint8_t *out = malloc(cap + 1);
    if (!out) {
        lzma_end(&strm);
        return &dd_error_no_memory;
    }
    strm.next_in = data;
    strm.avail_in = size;
    strm.next_out = out;
    strm.avail_out = cap;
    struct dd_error *err = NULL;
    for (;;) {
        lzma_ret r = lzma_code(&strm, LZMA_FINISH);
        if (r == LZMA_STREAM_END)
            break;
        if (r == LZMA_OK && strm.avail_out == 0) {
            if (cap >= ISF_MAX_BYTES) {
                err = dd_error_create(DD_ERR_UNSUPPORTED,
                                      "ISF file expands past %zu MiB; refusing it",
                                      ISF_MAX_BYTES >> 20);
                break;
            }
            size_t ncap = cap * 2 > ISF_MAX_BYTES ? ISF_MAX_BYTES : cap * 2;
            uint8_t *n = realloc(out, ncap + 1);
            if (!n) {
                err = &dd_error_no_memory;
                break;
            }
            out = n;
            strm.next_out = out + cap;
            strm.avail_out = ncap - cap;
            cap = ncap;
            continue;
        }
        err = dd_error_at(DD_ERR_FORMAT, strm.total_in, "corrupt xz data in ISF file (lzma %d)",
                          (int)r);
        break;
    }
    size_t n = (size_t)strm.total_out;
    lzma_end(&strm);
    if (err) {
        free(out);
        return err;
    }
    *ret = out;
    *ret_size = n;
    return NULL;
}

struct dd_error *isf_open_memory(const uint8_t *data, size_t size, struct isf **ret)
{
    uint8_t *text = NULL;
    size_t len = 0;
    if (dump_xz_probe(data, size)) {
        struct dd_error *err = isf_unxz(data, size, &text, &len);
        if (err)
            return err;
    } else {
        if (size > ISF_MAX_BYTES)
            return dd_error_create(DD_ERR_UNSUPPORTED, "ISF file of %zu bytes is over the %zu MiB "
                                   "limit", size, ISF_MAX_BYTES >> 20);
        text = malloc(size + 1);
        if (!text)
            return &dd_error_no_memory;
        if (size)
            memcpy(text, data, size);
        len = size;
    }
    text[len] = 0;
    cJSON *root = cJSON_ParseWithLength((const char *)text, len);
    free(text);
    if (!root)
        return dd_error_create(DD_ERR_FORMAT, "ISF file is not valid JSON");
    struct isf *isf = calloc(1, sizeof(*isf));
    if (!isf) {
        cJSON_Delete(root);
        return &dd_error_no_memory;
    }
    isf->root = root;
    struct dd_error *err = NULL;
    if (!cJSON_IsObject(root))
        err = dd_error_create(DD_ERR_FORMAT, "ISF file is not a JSON object");
    if (!err)
        err = index_build(root, "user_types", true, &isf->user_types);
    if (!err)
        err = index_build(root, "base_types", true, &isf->base_types);
    if (!err)
        err = index_build(root, "enums", false, &isf->enums);
    if (!err)
        err = index_build(root, "symbols", false, &isf->symbols);
    if (err) {
        isf_destroy(isf);
        return err;
    }
    metadata_parse(isf);
    const cJSON *ptr = index_find(&isf->base_types, "pointer");
    if (ptr && dd_error_drop(get_uint(ptr, "size", "base type \"pointer\"", &isf->pointer_size)))
        isf->pointer_size = 0;
    *ret = isf;
    return NULL;
}

struct dd_error *isf_open(const char *path, struct isf **ret)
{
    struct dd_mapfile m;
    struct dd_error *err = dd_mapfile_open(path, &m);
    if (err)
        return err;
    if (m.size > ISF_MAX_FILE) {
        dd_mapfile_close(&m);
        return dd_error_create(DD_ERR_UNSUPPORTED, "%s: ISF file is over the %zu MiB limit", path,
                               ISF_MAX_FILE >> 20);
    }
    err = isf_open_memory(m.data, m.size, ret);
    dd_mapfile_close(&m);
    if (err)
        return dd_error_wrap(err, "%s", path);
    return NULL;
}

const struct isf_metadata *isf_get_metadata(const struct isf *isf)
{
    return &isf->meta;
}

void isf_counts(const struct isf *isf, size_t *ret_user_types, size_t *ret_symbols,
                size_t *ret_enums, size_t *ret_base_types)
{
    *ret_user_types = isf->user_types.count;
    *ret_symbols = isf->symbols.count;
    *ret_enums = isf->enums.count;
    *ret_base_types = isf->base_types.count;
}

static const struct {
    const char *word;
    enum isf_kind kind;
} isf_kinds[] = {
    {"base", ISF_KIND_BASE},     {"pointer", ISF_KIND_POINTER}, {"array", ISF_KIND_ARRAY},
    {"bitfield", ISF_KIND_BITFIELD}, {"enum", ISF_KIND_ENUM},   {"struct", ISF_KIND_STRUCT},
    {"union", ISF_KIND_UNION},   {"class", ISF_KIND_CLASS},     {"function", ISF_KIND_FUNCTION},
};

/* Decodes a type-tree node (a "type" or "subtype" object). */
static struct dd_error *type_decode(const cJSON *node, struct isf_type *ret)
{
    if (!cJSON_IsObject(node))
        return dd_error_create(DD_ERR_FORMAT, "ISF type is not an object");
    const char *kind = get_string(node, "kind");
    if (!kind)
        return dd_error_create(DD_ERR_FORMAT, "ISF type has no \"kind\" string");
    struct isf_type t = {.node = node};
    size_t i;
    for (i = 0; i < sizeof(isf_kinds) / sizeof(isf_kinds[0]); i++)
        if (strcmp(kind, isf_kinds[i].word) == 0)
            break;
    if (i == sizeof(isf_kinds) / sizeof(isf_kinds[0]))
        return dd_error_create(DD_ERR_FORMAT, "ISF type kind \"%.40s\" is unknown", kind);
    t.kind = isf_kinds[i].kind;
    struct dd_error *err = NULL;
    uint64_t v = 0;
    switch (t.kind) {
    case ISF_KIND_BASE:
    case ISF_KIND_ENUM:
    case ISF_KIND_STRUCT:
    case ISF_KIND_UNION:
    case ISF_KIND_CLASS:
        t.name = get_string(node, "name");
        if (!t.name)
            err = dd_error_create(DD_ERR_FORMAT, "ISF %s type has no \"name\"", kind);
        break;
    case ISF_KIND_ARRAY:
        err = get_uint(node, "count", "array type", &t.count);
        break;
    case ISF_KIND_BITFIELD:
        err = get_uint(node, "bit_position", "bitfield", &v);
        if (!err && v > 255)
            err = dd_error_create(DD_ERR_FORMAT, "ISF bitfield position %llu is too large",
                                  (unsigned long long)v);
        t.bit_position = (uint32_t)v;
        if (!err)
            err = get_uint(node, "bit_length", "bitfield", &v);
        if (!err && (v == 0 || v > 64))
            err = dd_error_create(DD_ERR_FORMAT, "ISF bitfield length %llu is not 1..64",
                                  (unsigned long long)v);
        t.bit_length = (uint32_t)v;
        break;
    case ISF_KIND_POINTER:
    case ISF_KIND_FUNCTION:
        break;
    }
    if (err)
        return err;
    *ret = t;
    return NULL;
}

struct dd_error *isf_type_subtype(struct isf *isf, const struct isf_type *type,
                                  struct isf_type *ret)
{
    (void)isf;
    const char *key = type->kind == ISF_KIND_BITFIELD ? "type" : "subtype";
    if (type->kind != ISF_KIND_POINTER && type->kind != ISF_KIND_ARRAY &&
        type->kind != ISF_KIND_BITFIELD)
        return dd_error_create(DD_ERR_UNSUPPORTED, "ISF type has no subtype");
    const cJSON *sub = cJSON_GetObjectItemCaseSensitive((const cJSON *)type->node, key);
    if (!sub)
        return dd_error_create(DD_ERR_FORMAT, "ISF type has no \"%s\"", key);
    return type_decode(sub, ret);
}

static struct dd_error *type_size_depth(struct isf *isf, const struct isf_type *type,
                                        unsigned depth, uint64_t *ret)
{
    if (depth > ISF_MAX_DEPTH)
        return dd_error_create(DD_ERR_FORMAT, "ISF type tree nests deeper than %d", ISF_MAX_DEPTH);
    const cJSON *def;
    switch (type->kind) {
    case ISF_KIND_POINTER:
        if (!isf->pointer_size)
            return dd_error_create(DD_ERR_FORMAT, "ISF has no \"pointer\" base type");
        *ret = isf->pointer_size;
        return NULL;
    case ISF_KIND_FUNCTION:
        *ret = 0;
        return NULL;
    case ISF_KIND_BASE:
        def = index_find(&isf->base_types, type->name);
        if (!def)
            return dd_error_create(DD_ERR_NOT_FOUND, "ISF base type \"%.200s\" is not defined",
                                   type->name);
        return get_uint(def, "size", "base type", ret);
    case ISF_KIND_ENUM:
        def = index_find(&isf->enums, type->name);
        if (!def)
            return dd_error_create(DD_ERR_NOT_FOUND, "ISF enum \"%.200s\" is not defined",
                                   type->name);
        return get_uint(def, "size", "enum", ret);
    case ISF_KIND_STRUCT:
    case ISF_KIND_UNION:
    case ISF_KIND_CLASS:
        return isf_struct_size(isf, type->name, ret);
    case ISF_KIND_ARRAY:
    case ISF_KIND_BITFIELD: {
        struct isf_type sub;
        uint64_t esize;
        struct dd_error *err = isf_type_subtype(isf, type, &sub);
        if (!err)
            err = type_size_depth(isf, &sub, depth + 1, &esize);
        if (err)
            return err;
        if (type->kind == ISF_KIND_BITFIELD) {
            *ret = esize;
            return NULL;
        }
        if (esize && type->count > UINT64_MAX / esize)
            return dd_error_create(DD_ERR_FORMAT, "ISF array size overflows");
        *ret = esize * type->count;
        return NULL;
    }
    }
    return dd_error_create(DD_ERR_FORMAT, "ISF type kind is unknown");
}

struct dd_error *isf_type_size(struct isf *isf, const struct isf_type *type, uint64_t *ret)
{
    return type_size_depth(isf, type, 0, ret);
}

static const cJSON *user_type(struct isf *isf, const char *name)
{
    return index_find(&isf->user_types, name);
}

struct dd_error *isf_struct_size(struct isf *isf, const char *name, uint64_t *ret)
{
    const cJSON *def = user_type(isf, name);
    if (!def)
        return dd_error_create(DD_ERR_NOT_FOUND, "ISF has no type \"%.200s\"", name);
    return get_uint(def, "size", "user type", ret);
}

struct dd_error *isf_field_lookup(struct isf *isf, const char *path, struct isf_field *ret)
{
    const char *dot = strchr(path, '.');
    if (!dot || dot == path)
        return dd_error_create(DD_ERR_SYNTAX, "\"%.200s\" is not TYPE.field", path);
    char name[256];
    size_t n = (size_t)(dot - path);
    if (n >= sizeof(name))
        return dd_error_create(DD_ERR_SYNTAX, "type name in \"%.200s\" is too long", path);
    memcpy(name, path, n);
    name[n] = 0;
    uint64_t offset = 0;
    struct isf_type type = {.kind = ISF_KIND_STRUCT, .name = NULL};
    const char *p = dot + 1;
    for (unsigned depth = 0;; depth++) {
        if (depth > ISF_MAX_DEPTH)
            return dd_error_create(DD_ERR_SYNTAX, "field path \"%.200s\" is too deep", path);
        const cJSON *def = user_type(isf, name);
        if (!def)
            return dd_error_create(DD_ERR_NOT_FOUND, "ISF has no type \"%.200s\"", name);
        const cJSON *fields = cJSON_GetObjectItemCaseSensitive(def, "fields");
        if (!cJSON_IsObject(fields))
            return dd_error_create(DD_ERR_FORMAT, "ISF type \"%.200s\" has no \"fields\" object",
                                   name);
        const char *next = strchr(p, '.');
        size_t flen = next ? (size_t)(next - p) : strlen(p);
        char field[256];
        if (flen == 0 || flen >= sizeof(field))
            return dd_error_create(DD_ERR_SYNTAX, "bad field name in \"%.200s\"", path);
        memcpy(field, p, flen);
        field[flen] = 0;
        const cJSON *f = cJSON_GetObjectItemCaseSensitive(fields, field);
        if (!f)
            return dd_error_create(DD_ERR_NOT_FOUND, "ISF type \"%.200s\" has no field \"%s\"",
                                   name, field);
        if (!cJSON_IsObject(f))
            return dd_error_create(DD_ERR_FORMAT, "ISF field \"%s\" is not an object", field);
        uint64_t off = 0;
        struct dd_error *err = get_uint(f, "offset", "field", &off);
        if (!err)
            err = type_decode(cJSON_GetObjectItemCaseSensitive(f, "type"), &type);
        if (err)
            return dd_error_wrap(err, "field %s.%s", name, field);
        if (offset + off < offset)
            return dd_error_create(DD_ERR_FORMAT, "ISF field offsets overflow");
        offset += off;
        if (!next)
            break;
        if (type.kind != ISF_KIND_STRUCT && type.kind != ISF_KIND_UNION &&
            type.kind != ISF_KIND_CLASS)
            return dd_error_create(DD_ERR_NOT_FOUND,
                                   "field %s.%s is not an embedded struct or union", name, field);
        snprintf(name, sizeof(name), "%s", type.name);
        p = next + 1;
    }
    ret->offset = offset;
    ret->type = type;
    return NULL;
}

struct dd_error *isf_field_offset(struct isf *isf, const char *path, uint64_t *ret)
{
    struct isf_field f;
    struct dd_error *err = isf_field_lookup(isf, path, &f);
    if (err)
        return err;
    *ret = f.offset;
    return NULL;
}

struct dd_error *isf_symbol_rva(struct isf *isf, const char *name, uint64_t *ret)
{
    const cJSON *s = index_find(&isf->symbols, name);
    if (!s)
        return dd_error_create(DD_ERR_NOT_FOUND, "ISF has no symbol \"%.200s\"", name);
    return get_uint(s, "address", "symbol", ret);
}

static const cJSON *enum_constants(struct isf *isf, const char *enum_name, struct dd_error **err)
{
    const cJSON *e = index_find(&isf->enums, enum_name);
    if (!e) {
        *err = dd_error_create(DD_ERR_NOT_FOUND, "ISF has no enum \"%.200s\"", enum_name);
        return NULL;
    }
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(e, "constants");
    if (!cJSON_IsObject(c)) {
        *err = dd_error_create(DD_ERR_FORMAT, "ISF enum \"%.200s\" has no \"constants\" object",
                               enum_name);
        return NULL;
    }
    *err = NULL;
    return c;
}

struct dd_error *isf_enum_value(struct isf *isf, const char *enum_name, const char *constant,
                                int64_t *ret)
{
    struct dd_error *err;
    const cJSON *c = enum_constants(isf, enum_name, &err);
    if (!c)
        return err;
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(c, constant);
    if (!v)
        return dd_error_create(DD_ERR_NOT_FOUND, "enum %.200s has no constant %.200s", enum_name,
                               constant);
    if (!node_int(v, ret))
        return dd_error_create(DD_ERR_FORMAT, "enum %.200s constant %.200s is not an integer",
                               enum_name, constant);
    return NULL;
}

struct dd_error *isf_enum_name(struct isf *isf, const char *enum_name, int64_t value,
                               const char **ret)
{
    struct dd_error *err;
    const cJSON *c = enum_constants(isf, enum_name, &err);
    if (!c)
        return err;
    const char *best = NULL;
    for (const cJSON *k = c->child; k; k = k->next) {
        int64_t v;
        if (!k->string || !node_int(k, &v) || v != value)
            continue;
        if (!best || strcmp(k->string, best) < 0)
            best = k->string;
    }
    if (!best)
        return dd_error_create(DD_ERR_NOT_FOUND, "enum %.200s has no constant equal to %lld",
                               enum_name, (long long)value);
    *ret = best;
    return NULL;
}

/* ---- enumeration ------------------------------------------------------------------------- */

static bool index_position(const struct isf_index *ix, const char *name, size_t *ret)
{
    size_t lo = 0, hi = ix->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(ix->items[mid].name, name);
        if (c == 0) {
            *ret = mid;
            return true;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return false;
}

size_t isf_symbol_count(const struct isf *isf)
{
    return isf->symbols.count;
}

struct dd_error *isf_symbol_at(struct isf *isf, size_t i, const char **ret_name,
                               uint64_t *ret_address)
{
    if (i >= isf->symbols.count)
        return &dd_error_not_found;
    uint64_t a = 0;
    struct dd_error *err = get_uint(isf->symbols.items[i].node, "address", "symbol", &a);
    if (err)
        return err;
    *ret_name = isf->symbols.items[i].name;
    *ret_address = a;
    return NULL;
}

size_t isf_user_type_count(const struct isf *isf)
{
    return isf->user_types.count;
}

struct dd_error *isf_user_type_at(struct isf *isf, size_t i, struct isf_user_type *ret)
{
    if (i >= isf->user_types.count)
        return &dd_error_not_found;
    const struct isf_entry *e = &isf->user_types.items[i];
    const char *kind = get_string(e->node, "kind");
    enum isf_kind k;
    if (kind && strcmp(kind, "struct") == 0)
        k = ISF_KIND_STRUCT;
    else if (kind && strcmp(kind, "union") == 0)
        k = ISF_KIND_UNION;
    else if (kind && strcmp(kind, "class") == 0)
        k = ISF_KIND_CLASS;
    else
        return dd_error_create(DD_ERR_FORMAT, "ISF user type \"%.200s\" has no struct, union or "
                               "class \"kind\"", e->name);
    uint64_t size = 0;
    struct dd_error *err = get_uint(e->node, "size", "user type", &size);
    if (err)
        return dd_error_wrap(err, "type %.200s", e->name);
    ret->name = e->name;
    ret->kind = k;
    ret->size = size;
    return NULL;
}

bool isf_user_type_find(const struct isf *isf, const char *name, size_t *ret)
{
    return index_position(&isf->user_types, name, ret);
}

struct dd_error *isf_user_type_fields(struct isf *isf, size_t i,
                                      bool (*fn)(void *ctx, const char *name, uint64_t offset,
                                                 const struct isf_type *type),
                                      void *ctx)
{
    if (i >= isf->user_types.count)
        return &dd_error_not_found;
    const struct isf_entry *e = &isf->user_types.items[i];
    const cJSON *fields = cJSON_GetObjectItemCaseSensitive(e->node, "fields");
    if (!fields)
        return NULL; /* an opaque type: no members */
    if (!cJSON_IsObject(fields))
        return dd_error_create(DD_ERR_FORMAT, "ISF type \"%.200s\" has no \"fields\" object",
                               e->name);
    for (const cJSON *f = fields->child; f; f = f->next) {
        if (!f->string)
            continue;
        if (!cJSON_IsObject(f))
            return dd_error_create(DD_ERR_FORMAT, "ISF field %.200s.%.200s is not an object",
                                   e->name, f->string);
        uint64_t off = 0;
        struct isf_type t = {.kind = ISF_KIND_BASE};
        struct dd_error *err = get_uint(f, "offset", "field", &off);
        if (!err)
            err = type_decode(cJSON_GetObjectItemCaseSensitive(f, "type"), &t);
        if (err)
            return dd_error_wrap(err, "field %.200s.%.200s", e->name, f->string);
        if (!fn(ctx, f->string, off, &t))
            break;
    }
    return NULL;
}

size_t isf_enum_count(const struct isf *isf)
{
    return isf->enums.count;
}

struct dd_error *isf_enum_at(struct isf *isf, size_t i, struct isf_enum_info *ret)
{
    if (i >= isf->enums.count)
        return &dd_error_not_found;
    const struct isf_entry *e = &isf->enums.items[i];
    uint64_t size = 0;
    struct dd_error *err = get_uint(e->node, "size", "enum", &size);
    if (err)
        return dd_error_wrap(err, "enum %.200s", e->name);
    ret->name = e->name;
    ret->base = get_string(e->node, "base");
    ret->size = size;
    return NULL;
}

bool isf_enum_find(const struct isf *isf, const char *name, size_t *ret)
{
    return index_position(&isf->enums, name, ret);
}

void isf_enum_constants(struct isf *isf, size_t i,
                        bool (*fn)(void *ctx, const char *name, int64_t value), void *ctx)
{
    if (i >= isf->enums.count)
        return;
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(isf->enums.items[i].node, "constants");
    if (!cJSON_IsObject(c))
        return;
    for (const cJSON *k = c->child; k; k = k->next) {
        int64_t v;
        if (k->string && node_int(k, &v) && !fn(ctx, k->string, v))
            return;
    }
}

struct dd_error *isf_base_type(struct isf *isf, const char *name, struct isf_base_info *ret)
{
    const cJSON *b = index_find(&isf->base_types, name);
    if (!b)
        return dd_error_create(DD_ERR_NOT_FOUND, "ISF base type \"%.200s\" is not defined", name);
    uint64_t size = 0;
    struct dd_error *err = get_uint(b, "size", "base type", &size);
    if (err)
        return err;
    const char *kind = get_string(b, "kind");
    ret->kind = kind ? kind : "";
    ret->size = size;
    ret->is_signed = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(b, "signed"));
    return NULL;
}
