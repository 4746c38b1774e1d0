/*
 * ISF types -> TPI stream image (see isf_tpi.h). Record layouts from cvinfo.h: every record is
 * {u16 length, u16 leaf, body} padded to 4 bytes with LF_PADn bytes (0xf0 | bytes left), the
 * length counting leaf, body and padding; numeric leaves are a u16 below 0x8000 or LF_CHAR,
 * LF_SHORT, LF_USHORT, LF_LONG, LF_ULONG, LF_QUADWORD, LF_UQUADWORD and the value. The stream
 * header is microsoft-pdb tpi.h HDR (version V80 = 20040203, 56 bytes); no hash stream (0xffff).
 */
#include "nt/isf_tpi.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "nt/isf.h"
#include "pdb/tpi.h"

#define TPI_V80 20040203u
#define TPI_HEADER_BYTES 56u
/* A record's length is a u16; field lists longer than this continue through LF_INDEX. */
#define LIST_CHUNK_MAX 0xfe00u

/* Leaf numbers of numeric leaves (cvinfo.h LEAF_ENUM_e). */
#define LF_CHAR 0x8000
#define LF_SHORT 0x8001
#define LF_USHORT 0x8002
#define LF_LONG 0x8003
#define LF_ULONG 0x8004
#define LF_QUADWORD 0x8009
#define LF_UQUADWORD 0x800a

/* CodeView simple types (cvinfo.h TYPE_ENUM_e). */
#define T_VOID 0x0003
#define T_HRESULT 0x0008
#define T_UCHAR 0x0020
#define T_RCHAR 0x0070
#define T_WCHAR 0x0071
#define T_INT1 0x0068
#define T_UINT1 0x0069
#define T_SHORT 0x0011
#define T_USHORT 0x0021
#define T_LONG 0x0012
#define T_ULONG 0x0022
#define T_INT4 0x0074
#define T_UINT4 0x0075
#define T_QUAD 0x0013
#define T_UQUAD 0x0023
#define T_BOOL08 0x0030
#define T_REAL32 0x0040
#define T_REAL64 0x0041
/* Simple-type pointer modes (CV_prmode_e), shifted into bits 8..10. */
#define PRMODE_NEAR32 0x0400
#define PRMODE_NEAR64 0x0600
/* CV_ptrtype_e */
#define PTR_NEAR32 0x0a
#define PTR_64 0x0c
/* CV_access_e public, as the member attribute */
#define ACCESS_PUBLIC 3

struct bytes {
    uint8_t *p;
    size_t len, cap;
    bool oom;
};

static void put(struct bytes *b, const void *src, size_t n)
{
    if (b->oom)
        return;
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 256;
        while (cap < b->len + n)
            cap *= 2;
        uint8_t *p = realloc(b->p, cap);
        if (!p) {
            b->oom = true;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, src, n);
    b->len += n;
}

static void put_u8(struct bytes *b, uint8_t v)
{
    put(b, &v, 1);
}

static void put_u16(struct bytes *b, uint16_t v)
{
    uint8_t x[2] = {(uint8_t)v, (uint8_t)(v >> 8)};
    put(b, x, 2);
}

static void put_u32(struct bytes *b, uint32_t v)
{
    uint8_t x[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    put(b, x, 4);
}

static void put_u64(struct bytes *b, uint64_t v)
{
    put_u32(b, (uint32_t)v);
    put_u32(b, (uint32_t)(v >> 32));
}

static void put_unsigned(struct bytes *b, uint64_t v)
{
    if (v < 0x8000) {
        put_u16(b, (uint16_t)v);
    } else if (v <= 0xffff) {
        put_u16(b, LF_USHORT);
        put_u16(b, (uint16_t)v);
    } else if (v <= 0xffffffffu) {
        put_u16(b, LF_ULONG);
        put_u32(b, (uint32_t)v);
    } else {
        put_u16(b, LF_UQUADWORD);
        put_u64(b, v);
    }
}

static void put_signed(struct bytes *b, int64_t v)
{
    if (v >= 0) {
        put_unsigned(b, (uint64_t)v);
    } else if (v >= -128) {
        put_u16(b, LF_CHAR);
        put_u8(b, (uint8_t)(int8_t)v);
    } else if (v >= -32768) {
        put_u16(b, LF_SHORT);
        put_u16(b, (uint16_t)(int16_t)v);
    } else if (v >= INT32_MIN) {
        put_u16(b, LF_LONG);
        put_u32(b, (uint32_t)(int32_t)v);
    } else {
        put_u16(b, LF_QUADWORD);
        put_u64(b, (uint64_t)v);
    }
}

static void put_string(struct bytes *b, const char *s)
{
    put(b, s, strlen(s) + 1);
}

/* Pads B to a multiple of 4 from START with LF_PADn bytes (each says how many bytes are left). */
static void put_pad(struct bytes *b, size_t start)
{
    size_t n = (4 - (b->len - start) % 4) % 4;
    for (size_t i = n; i > 0; i--)
        put_u8(b, (uint8_t)(0xf0 | i));
}

/* A memo of composite types already made: (kind, a, b) -> index. */
struct memo_slot {
    uint64_t b;
    uint32_t a;
    uint32_t index; /* 0: empty */
    uint8_t kind;
};

struct builder {
    struct isf *isf;
    unsigned ptr_size;
    struct bytes *recs; /* recs[i] holds the record of index 0x1000 + i (header included) */
    size_t nrecs, cap;
    size_t n_user, n_enum;
    size_t total;
    struct memo_slot *memo;
    size_t memo_cap, memo_used;
    uint32_t proc; /* the one LF_PROCEDURE ISF "function" types become; 0 until made */
    bool oom;
};

static struct dd_error *reserve(struct builder *b, uint32_t *ret)
{
    if (b->nrecs == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 1024;
        struct bytes *r = realloc(b->recs, cap * sizeof(*r));
        if (!r)
            return &dd_error_no_memory;
        memset(r + b->cap, 0, (cap - b->cap) * sizeof(*r));
        b->recs = r;
        b->cap = cap;
    }
    if (b->nrecs >= UINT32_MAX - PDB_TYPE_FIRST_INDEX)
        return dd_error_create(DD_ERR_UNSUPPORTED, "too many ISF types");
    *ret = (uint32_t)(PDB_TYPE_FIRST_INDEX + b->nrecs++);
    return NULL;
}

/* Stores BODY (leaf and fields, no length) as the record of INDEX, padded and length-prefixed. */
static struct dd_error *store(struct builder *b, uint32_t index, struct bytes *body)
{
    struct bytes *r = &b->recs[index - PDB_TYPE_FIRST_INDEX];
    /* The 2-byte length comes before BODY: pad so the whole record ends 4-aligned. */
    for (size_t n = (4 - (body->len + 2) % 4) % 4; n > 0; n--)
        put_u8(body, (uint8_t)(0xf0 | n));
    if (body->oom)
        return &dd_error_no_memory;
    if (body->len > 0xffff)
        return dd_error_create(DD_ERR_UNSUPPORTED, "an ISF type record of %zu bytes is too long",
                               body->len);
    b->total += body->len + 2;
    if (b->total > ISF_TPI_MAX_BYTES)
        return dd_error_create(DD_ERR_UNSUPPORTED, "ISF types make over %zu MiB of type records",
                               ISF_TPI_MAX_BYTES >> 20);
    put_u16(r, (uint16_t)body->len);
    put(r, body->p, body->len);
    return r->oom ? &dd_error_no_memory : NULL;
}

static struct dd_error *append(struct builder *b, struct bytes *body, uint32_t *ret)
{
    uint32_t index = 0;
    struct dd_error *err = reserve(b, &index);
    if (!err)
        err = store(b, index, body);
    free(body->p);
    memset(body, 0, sizeof(*body));
    if (!err)
        *ret = index;
    return err;
}

static size_t memo_hash(uint8_t kind, uint32_t a, uint64_t bb, size_t cap)
{
    uint64_t h = (a * 0x9e3779b97f4a7c15ULL) ^ (bb * 0xc2b2ae3d27d4eb4fULL) ^ kind;
    h ^= h >> 29;
    return (size_t)(h % cap);
}

static uint32_t memo_get(const struct builder *b, uint8_t kind, uint32_t a, uint64_t bb)
{
    if (!b->memo_cap)
        return 0;
    for (size_t i = memo_hash(kind, a, bb, b->memo_cap);; i = (i + 1) % b->memo_cap) {
        const struct memo_slot *s = &b->memo[i];
        if (!s->index)
            return 0;
        if (s->kind == kind && s->a == a && s->b == bb)
            return s->index;
    }
}

static struct dd_error *memo_put(struct builder *b, uint8_t kind, uint32_t a, uint64_t bb,
                                 uint32_t index)
{
    if ((b->memo_used + 1) * 2 > b->memo_cap) {
        size_t cap = b->memo_cap ? b->memo_cap * 2 : 1024;
        struct memo_slot *m = calloc(cap, sizeof(*m));
        if (!m)
            return &dd_error_no_memory;
        for (size_t i = 0; i < b->memo_cap; i++) {
            const struct memo_slot *s = &b->memo[i];
            if (!s->index)
                continue;
            size_t j = memo_hash(s->kind, s->a, s->b, cap);
            while (m[j].index)
                j = (j + 1) % cap;
            m[j] = *s;
        }
        free(b->memo);
        b->memo = m;
        b->memo_cap = cap;
    }
    size_t j = memo_hash(kind, a, bb, b->memo_cap);
    while (b->memo[j].index)
        j = (j + 1) % b->memo_cap;
    b->memo[j] = (struct memo_slot){bb, a, index, kind};
    b->memo_used++;
    return NULL;
}

/* The CodeView simple type of ISF base type NAME (by name where the name says more). */
static uint32_t simple_type(struct builder *b, const char *name)
{
    struct isf_base_info bi;
    if (dd_error_drop(isf_base_type(b->isf, name, &bi)))
        return T_VOID;
    if (strcmp(name, "wchar") == 0)
        return T_WCHAR;
    if (strcmp(name, "HRESULT") == 0)
        return T_HRESULT;
    if (strcmp(bi.kind, "void") == 0)
        return T_VOID;
    if (strcmp(bi.kind, "bool") == 0)
        return T_BOOL08;
    if (strcmp(bi.kind, "char") == 0)
        return bi.is_signed ? T_RCHAR : T_UCHAR;
    if (strcmp(bi.kind, "float") == 0)
        return bi.size == 4 ? T_REAL32 : T_REAL64;
    bool is_long = strstr(name, "long") && !strstr(name, "long long");
    switch (bi.size) {
    case 1:
        return bi.is_signed ? T_INT1 : T_UINT1;
    case 2:
        return bi.is_signed ? T_SHORT : T_USHORT;
    case 4:
        if (is_long)
            return bi.is_signed ? T_LONG : T_ULONG;
        return bi.is_signed ? T_INT4 : T_UINT4;
    case 8:
        return bi.is_signed ? T_QUAD : T_UQUAD;
    default:
        return T_VOID;
    }
}

static struct dd_error *proc_type(struct builder *b, uint32_t *ret)
{
    if (!b->proc) {
        struct bytes body = {0};
        uint32_t args = 0;
        put_u16(&body, PDB_LF_ARGLIST);
        put_u32(&body, 0);
        struct dd_error *err = append(b, &body, &args);
        if (err)
            return err;
        put_u16(&body, PDB_LF_PROCEDURE);
        put_u32(&body, T_VOID); /* the ISF says nothing of the signature */
        put_u8(&body, 0);       /* CV_CALL_NEAR_C */
        put_u8(&body, 0);
        put_u16(&body, 0);
        put_u32(&body, args);
        if ((err = append(b, &body, &b->proc)))
            return err;
    }
    *ret = b->proc;
    return NULL;
}

/* A forward reference for a struct or union the ISF names but does not define. */
static struct dd_error *forward_type(struct builder *b, const struct isf_type *t, uint32_t *ret)
{
    struct bytes body = {0};
    bool is_union = t->kind == ISF_KIND_UNION;
    put_u16(&body, is_union                    ? PDB_LF_UNION
                   : t->kind == ISF_KIND_CLASS ? PDB_LF_CLASS
                                               : PDB_LF_STRUCTURE);
    put_u16(&body, 0);
    put_u16(&body, PDB_PROP_FWDREF);
    put_u32(&body, 0);
    if (!is_union) {
        put_u32(&body, 0);
        put_u32(&body, 0);
    }
    put_unsigned(&body, 0);
    put_string(&body, t->name);
    return append(b, &body, ret);
}

static struct dd_error *type_index(struct builder *b, const struct isf_type *t, unsigned depth,
                                   uint32_t *ret)
{
    if (depth > ISF_MAX_DEPTH)
        return dd_error_create(DD_ERR_FORMAT, "ISF type tree nests deeper than %d", ISF_MAX_DEPTH);
    size_t pos;
    struct isf_type sub;
    uint32_t si = 0, index;
    struct dd_error *err;
    struct bytes body = {0};
    switch (t->kind) {
    case ISF_KIND_BASE:
        *ret = simple_type(b, t->name);
        return NULL;
    case ISF_KIND_STRUCT:
    case ISF_KIND_UNION:
    case ISF_KIND_CLASS:
        if (isf_user_type_find(b->isf, t->name, &pos)) {
            *ret = (uint32_t)(PDB_TYPE_FIRST_INDEX + pos);
            return NULL;
        }
        return forward_type(b, t, ret);
    case ISF_KIND_ENUM:
        if (isf_enum_find(b->isf, t->name, &pos)) {
            *ret = (uint32_t)(PDB_TYPE_FIRST_INDEX + b->n_user + pos);
            return NULL;
        }
        *ret = T_INT4;
        return NULL;
    case ISF_KIND_FUNCTION:
        return proc_type(b, ret);
    case ISF_KIND_POINTER:
    case ISF_KIND_ARRAY:
    case ISF_KIND_BITFIELD:
        break;
    }
    if ((err = isf_type_subtype(b->isf, t, &sub)) || (err = type_index(b, &sub, depth + 1, &si)))
        return err;
    if (t->kind == ISF_KIND_POINTER) {
        /* Pointers to simple types are simple types themselves (mode in bits 8..10). */
        if (si < PDB_TYPE_FIRST_INDEX && (si >> 8) == 0) {
            *ret = si | (b->ptr_size == 8 ? PRMODE_NEAR64 : PRMODE_NEAR32);
            return NULL;
        }
        if ((index = memo_get(b, 'P', si, 0))) {
            *ret = index;
            return NULL;
        }
        put_u16(&body, PDB_LF_POINTER);
        put_u32(&body, si);
        /* lfPointerAttr: ptrtype bits 0-4, size bits 13-18. */
        put_u32(&body, (b->ptr_size == 8 ? PTR_64 : PTR_NEAR32) | (uint32_t)b->ptr_size << 13);
        if ((err = append(b, &body, &index)) || (err = memo_put(b, 'P', si, 0, index)))
            return err;
        *ret = index;
        return NULL;
    }
    if (t->kind == ISF_KIND_BITFIELD) {
        uint64_t key = t->bit_position | (uint64_t)t->bit_length << 8;
        if ((index = memo_get(b, 'B', si, key))) {
            *ret = index;
            return NULL;
        }
        put_u16(&body, PDB_LF_BITFIELD);
        put_u32(&body, si);
        put_u8(&body, (uint8_t)t->bit_length);
        put_u8(&body, (uint8_t)t->bit_position);
        if ((err = append(b, &body, &index)) || (err = memo_put(b, 'B', si, key, index)))
            return err;
        *ret = index;
        return NULL;
    }
    if ((index = memo_get(b, 'A', si, t->count))) {
        *ret = index;
        return NULL;
    }
    uint64_t esize = 0;
    if ((err = isf_type_size(b->isf, &sub, &esize)))
        return err;
    if (esize && t->count > UINT64_MAX / esize)
        return dd_error_create(DD_ERR_FORMAT, "ISF array size overflows");
    put_u16(&body, PDB_LF_ARRAY);
    put_u32(&body, si);
    put_u32(&body, b->ptr_size == 8 ? T_UQUAD : T_ULONG); /* the index type */
    put_unsigned(&body, esize * t->count);
    put_string(&body, "");
    if ((err = append(b, &body, &index)) || (err = memo_put(b, 'A', si, t->count, index)))
        return err;
    *ret = index;
    return NULL;
}

struct field {
    const char *name;
    uint64_t offset;
    struct isf_type type;
};

struct field_vec {
    struct field *items;
    size_t count, cap;
    bool oom;
};

static bool field_add(void *ctx, const char *name, uint64_t offset, const struct isf_type *type)
{
    struct field_vec *v = ctx;
    if (v->count == v->cap) {
        size_t cap = v->cap ? v->cap * 2 : 32;
        struct field *n = realloc(v->items, cap * sizeof(*n));
        if (!n) {
            v->oom = true;
            return false;
        }
        v->items = n;
        v->cap = cap;
    }
    v->items[v->count++] = (struct field){name, offset, *type};
    return true;
}

static int field_cmp(const void *pa, const void *pb)
{
    const struct field *a = pa, *b = pb;
    if (a->offset != b->offset)
        return a->offset < b->offset ? -1 : 1;
    bool ba = a->type.kind == ISF_KIND_BITFIELD, bb = b->type.kind == ISF_KIND_BITFIELD;
    if (ba != bb)
        return ba ? 1 : -1;
    if (ba && a->type.bit_position != b->type.bit_position)
        return a->type.bit_position < b->type.bit_position ? -1 : 1;
    return strcmp(a->name, b->name);
}

/*
 * Writes a field list whose members MEMBER writes, starting at reserved index FIRST, continued
 * through LF_INDEX records when it outgrows one record.
 */
struct list_writer {
    struct builder *b;
    uint32_t cur;      /* the reserved index the current chunk goes to */
    struct bytes body; /* the current chunk */
};

static void list_begin(struct list_writer *w)
{
    put_u16(&w->body, PDB_LF_FIELDLIST);
}

static struct dd_error *list_add(struct list_writer *w, struct bytes *member)
{
    struct dd_error *err = NULL;
    if (member->oom)
        return &dd_error_no_memory;
    if (w->body.len + member->len > LIST_CHUNK_MAX) {
        uint32_t next = 0;
        if ((err = reserve(w->b, &next)))
            return err;
        put_u16(&w->body, PDB_LF_INDEX);
        put_u16(&w->body, 0);
        put_u32(&w->body, next);
        err = store(w->b, w->cur, &w->body);
        w->body.len = 0;
        w->cur = next;
        list_begin(w);
        if (err)
            return err;
    }
    put(&w->body, member->p, member->len);
    member->len = 0;
    return w->body.oom ? &dd_error_no_memory : NULL;
}

static struct dd_error *user_type_build(struct builder *b, size_t i)
{
    struct isf_user_type ut;
    struct field_vec v = {0};
    struct dd_error *err = isf_user_type_at(b->isf, i, &ut);
    if (!err)
        err = isf_user_type_fields(b->isf, i, field_add, &v);
    if (!err && v.oom)
        err = &dd_error_no_memory;
    struct list_writer w = {b, 0, {0}};
    struct bytes m = {0};
    uint32_t list = 0;
    if (!err)
        err = reserve(b, &list);
    w.cur = list;
    list_begin(&w);
    if (!err && v.count)
        qsort(v.items, v.count, sizeof(*v.items), field_cmp);
    for (size_t k = 0; !err && k < v.count; k++) {
        uint32_t ti = 0;
        if ((err = type_index(b, &v.items[k].type, 0, &ti))) {
            err = dd_error_wrap(err, "field %.200s.%.200s", ut.name, v.items[k].name);
            break;
        }
        put_u16(&m, PDB_LF_MEMBER);
        put_u16(&m, ACCESS_PUBLIC);
        put_u32(&m, ti);
        put_unsigned(&m, v.items[k].offset);
        put_string(&m, v.items[k].name);
        put_pad(&m, 0);
        err = list_add(&w, &m);
    }
    if (!err)
        err = store(b, w.cur, &w.body);
    free(w.body.p);
    free(m.p);
    free(v.items);
    if (err)
        return err;
    struct bytes body = {0};
    uint16_t count = v.count > 0xffff ? 0xffff : (uint16_t)v.count;
    if (ut.kind == ISF_KIND_UNION) {
        put_u16(&body, PDB_LF_UNION);
        put_u16(&body, count);
        put_u16(&body, 0);
        put_u32(&body, list);
    } else {
        put_u16(&body, ut.kind == ISF_KIND_CLASS ? PDB_LF_CLASS : PDB_LF_STRUCTURE);
        put_u16(&body, count);
        put_u16(&body, 0);
        put_u32(&body, list);
        put_u32(&body, 0); /* derived */
        put_u32(&body, 0); /* vshape */
    }
    put_unsigned(&body, ut.size);
    put_string(&body, ut.name);
    err = store(b, (uint32_t)(PDB_TYPE_FIRST_INDEX + i), &body);
    free(body.p);
    return err;
}

struct constant {
    const char *name;
    int64_t value;
};

struct constant_vec {
    struct constant *items;
    size_t count, cap;
    bool oom;
};

static bool constant_add(void *ctx, const char *name, int64_t value)
{
    struct constant_vec *v = ctx;
    if (v->count == v->cap) {
        size_t cap = v->cap ? v->cap * 2 : 32;
        struct constant *n = realloc(v->items, cap * sizeof(*n));
        if (!n) {
            v->oom = true;
            return false;
        }
        v->items = n;
        v->cap = cap;
    }
    v->items[v->count++] = (struct constant){name, value};
    return true;
}

/* Enumerators by value (declaration order is lost; most enums are declared ascending). */
static int constant_cmp(const void *pa, const void *pb)
{
    const struct constant *a = pa, *b = pb;
    if (a->value != b->value)
        return a->value < b->value ? -1 : 1;
    return strcmp(a->name, b->name);
}

static struct dd_error *enum_build(struct builder *b, size_t j)
{
    struct isf_enum_info ei;
    struct dd_error *err = isf_enum_at(b->isf, j, &ei);
    if (err)
        return err;
    struct constant_vec v = {0};
    isf_enum_constants(b->isf, j, constant_add, &v);
    if (v.oom) {
        free(v.items);
        return &dd_error_no_memory;
    }
    if (v.count)
        qsort(v.items, v.count, sizeof(*v.items), constant_cmp);
    struct list_writer w = {b, 0, {0}};
    struct bytes m = {0};
    uint32_t list = 0;
    err = reserve(b, &list);
    w.cur = list;
    list_begin(&w);
    for (size_t k = 0; !err && k < v.count; k++) {
        put_u16(&m, PDB_LF_ENUMERATE);
        put_u16(&m, ACCESS_PUBLIC);
        put_signed(&m, v.items[k].value);
        put_string(&m, v.items[k].name);
        put_pad(&m, 0);
        err = list_add(&w, &m);
    }
    if (!err)
        err = store(b, w.cur, &w.body);
    free(w.body.p);
    free(m.p);
    size_t count = v.count;
    free(v.items);
    if (err)
        return err;
    uint32_t under = ei.base ? simple_type(b, ei.base) : T_VOID;
    if (under == T_VOID)
        under = ei.size == 1 ? T_UCHAR : ei.size == 2 ? T_USHORT : ei.size == 8 ? T_QUAD : T_INT4;
    struct bytes body = {0};
    put_u16(&body, PDB_LF_ENUM);
    put_u16(&body, count > 0xffff ? 0xffff : (uint16_t)count);
    put_u16(&body, 0);
    put_u32(&body, under);
    put_u32(&body, list);
    put_string(&body, ei.name);
    err = store(b, (uint32_t)(PDB_TYPE_FIRST_INDEX + b->n_user + j), &body);
    free(body.p);
    return err;
}

static void builder_free(struct builder *b)
{
    for (size_t i = 0; i < b->nrecs; i++)
        free(b->recs[i].p);
    free(b->recs);
    free(b->memo);
}

struct dd_error *isf_tpi_build(struct isf *isf, unsigned ptr_size, uint8_t **ret, size_t *ret_size)
{
    struct builder b;
    memset(&b, 0, sizeof(b));
    b.isf = isf;
    b.ptr_size = ptr_size == 4 ? 4 : 8;
    b.n_user = isf_user_type_count(isf);
    b.n_enum = isf_enum_count(isf);
    struct dd_error *err = NULL;
    /* The UDT and enum indices come first so any record can name them before they are made. */
    for (size_t i = 0; !err && i < b.n_user + b.n_enum; i++) {
        uint32_t index = 0;
        err = reserve(&b, &index);
    }
    for (size_t i = 0; !err && i < b.n_user; i++)
        err = user_type_build(&b, i);
    for (size_t j = 0; !err && j < b.n_enum; j++)
        err = enum_build(&b, j);
    for (size_t i = 0; !err && i < b.nrecs; i++)
        if (!b.recs[i].len)
            err = dd_error_create(DD_ERR_FORMAT, "ISF type record 0x%zx was never made",
                                  PDB_TYPE_FIRST_INDEX + i);
    struct bytes out = {0};
    if (!err) {
        put_u32(&out, TPI_V80);
        put_u32(&out, TPI_HEADER_BYTES);
        put_u32(&out, PDB_TYPE_FIRST_INDEX);
        put_u32(&out, (uint32_t)(PDB_TYPE_FIRST_INDEX + b.nrecs));
        put_u32(&out, (uint32_t)b.total);
        put_u16(&out, 0xffff); /* no hash stream */
        put_u16(&out, 0xffff);
        put_u32(&out, 4); /* hash key size */
        put_u32(&out, 0); /* buckets */
        for (int k = 0; k < 6; k++)
            put_u32(&out, 0); /* hash value, index offset and adjuster buffers: none */
        for (size_t i = 0; i < b.nrecs; i++)
            put(&out, b.recs[i].p, b.recs[i].len);
        if (out.oom)
            err = &dd_error_no_memory;
    }
    builder_free(&b);
    if (err) {
        free(out.p);
        return err;
    }
    *ret = out.p;
    *ret_size = out.len;
    return NULL;
}
