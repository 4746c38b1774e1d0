/*
 * Reading one TPI or IPI record by index, for the few names the symbol side needs (inlinee names
 * of S_INLINESITE, a member function's class). The type engineer's reader (tpi*.c) owns types;
 * this file only finds single records. Layout (LLVM "The TPI & IPI Hash Streams"): a header
 * {u32 Version, u32 HeaderSize, u32 TypeIndexBegin, u32 TypeIndexEnd, u32 TypeRecordBytes,
 * u16 HashStreamIndex, u16 HashAuxStreamIndex, u32 HashKeySize, u32 NumHashBuckets, i32/u32
 * HashValueBuffer offset/length, i32/u32 IndexOffsetBuffer offset/length, i32/u32 HashAdjBuffer
 * offset/length}, then records {u16 len, u16 leaf, data}. The index offset buffer in the hash
 * stream samples {u32 type index, u32 record offset} pairs so a lookup walks only a short run.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pdb/pdb_internal.h"

#define TPI_HEADER_SIZE 56u
/* Leaf kinds (cvinfo.h LEAF_ENUM_e). */
#define LF_CLASS 0x1504u
#define LF_STRUCTURE 0x1505u
#define LF_UNION 0x1506u
#define LF_ENUM 0x1507u
#define LF_INTERFACE 0x1519u
#define LF_FUNC_ID 0x1601u
#define LF_MFUNC_ID 0x1602u
#define LF_STRING_ID 0x1605u
#define LF_CLASS2 0x1608u
#define LF_STRUCTURE2 0x1609u
#define LF_NUMERIC 0x8000u

bool pdb_numeric_value(const uint8_t *d, uint32_t len, uint32_t *ret_size, int64_t *ret_value)
{
    uint32_t size;
    if (!pdb_numeric_skip(d, len, &size))
        return false;
    uint16_t leaf = dd_le16(d);
    int64_t v = 0;
    switch (leaf) {
    case 0x8000: v = (int8_t)d[2]; break;                   /* LF_CHAR */
    case 0x8001: v = (int16_t)dd_le16(d + 2); break;        /* LF_SHORT */
    case 0x8002: v = dd_le16(d + 2); break;                 /* LF_USHORT */
    case 0x8003: v = (int32_t)dd_le32(d + 2); break;        /* LF_LONG */
    case 0x8004: v = dd_le32(d + 2); break;                 /* LF_ULONG */
    case 0x8009: case 0x800a: v = (int64_t)dd_le64(d + 2); break; /* (U)QUADWORD */
    default: v = leaf < LF_NUMERIC ? leaf : 0; break;       /* reals and strings read 0 */
    }
    *ret_size = size;
    *ret_value = v;
    return true;
}

bool pdb_numeric_skip(const uint8_t *d, uint32_t len, uint32_t *ret_size)
{
    if (len < 2)
        return false;
    uint16_t leaf = dd_le16(d);
    uint32_t extra;
    if (leaf < LF_NUMERIC) {
        *ret_size = 2;
        return true;
    }
    switch (leaf) {
    case 0x8000: extra = 1; break;                          /* LF_CHAR */
    case 0x8001: case 0x8002: case 0x801c: extra = 2; break; /* SHORT, USHORT, REAL16 */
    case 0x8003: case 0x8004: case 0x8005: extra = 4; break; /* LONG, ULONG, REAL32 */
    case 0x800b: extra = 6; break;                          /* REAL48 */
    case 0x8006: case 0x8009: case 0x800a: case 0x800c: case 0x801a: extra = 8; break;
    case 0x8007: extra = 10; break;                         /* REAL80 */
    case 0x8008: case 0x800d: case 0x8017: case 0x8018: case 0x8019: extra = 16; break;
    case 0x800e: extra = 20; break;                         /* COMPLEX80 */
    case 0x800f: extra = 32; break;                         /* COMPLEX128 */
    case 0x8010:                                            /* LF_VARSTRING: u16 length + bytes */
        if (len < 4)
            return false;
        extra = 2u + dd_le16(d + 2);
        break;
    case 0x801b:                                            /* LF_UTF8STRING: NUL-terminated */
        extra = (uint32_t)pdb_strnlen(d + 2, len - 2) + 1;
        break;
    default:
        return false;
    }
    if (2u + extra > len)
        return false;
    *ret_size = 2 + extra;
    return true;
}

static struct dd_error *index_load(struct pdb *pdb, uint32_t stream, struct pdb_typeidx *x)
{
    struct dd_error *err = msf_stream_get(pdb->msf, stream, &x->s);
    if (err)
        return err;
    uint8_t h[TPI_HEADER_SIZE];
    if ((err = pdb_stream_read_exact(&x->s, 0, h, sizeof(h), "type stream header")))
        return err;
    x->header_size = dd_le32(h + 4);
    x->begin = dd_le32(h + 8);
    x->end = dd_le32(h + 12);
    x->record_bytes = dd_le32(h + 16);
    if (x->header_size < TPI_HEADER_SIZE || x->begin > x->end ||
        (uint64_t)x->header_size + x->record_bytes > x->s.size)
        return dd_error_create(DD_ERR_FORMAT, "type stream %u: header size %u, indices 0x%x..0x%x "
                               "and %u record bytes do not fit in %u bytes", stream,
                               x->header_size, x->begin, x->end, x->record_bytes, x->s.size);
    uint16_t hash_stream = dd_le16(h + 20);
    uint32_t io_off = dd_le32(h + 40), io_len = dd_le32(h + 44);
    struct msf_stream hs;
    /* The index offsets speed lookups up; without them records are walked from the start. */
    if (hash_stream == PDB_NO_STREAM)
        return NULL;
    struct dd_error *e1 = msf_stream_get(pdb->msf, hash_stream, &hs);
    if (e1 || io_off > hs.size || io_len > hs.size - io_off) {
        dd_error_destroy(e1);
        return NULL;
    }
    uint32_t n = io_len / 8;
    uint8_t *raw = NULL;
    struct dd_error *e2 = pdb_stream_copy(pdb, hash_stream, io_off, n * 8, "type index offsets",
                                          &raw);
    if (e2) {
        dd_error_destroy(e2);
        return NULL;
    }
    x->idx_ti = malloc((n ? n : 1) * sizeof(uint32_t));
    x->idx_off = malloc((n ? n : 1) * sizeof(uint32_t));
    if (!x->idx_ti || !x->idx_off) {
        free(raw);
        return &dd_error_no_memory;
    }
    uint32_t k = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t ti = dd_le32(raw + 8 * (size_t)i), off = dd_le32(raw + 8 * (size_t)i + 4);
        /* Keep a strictly increasing prefix; a disordered entry is ignored. */
        if (k && (ti <= x->idx_ti[k - 1] || off <= x->idx_off[k - 1]))
            continue;
        x->idx_ti[k] = ti;
        x->idx_off[k] = off;
        k++;
    }
    free(raw);
    x->nidx = k;
    return NULL;
}

struct dd_error *pdb_typerec_read(struct pdb *pdb, uint32_t stream, uint32_t ti, uint8_t *buf,
                                  uint16_t *ret_leaf, uint32_t *ret_len)
{
    struct pdb_typeidx *x = stream == PDB_STREAM_IPI ? &pdb->ipi_idx : &pdb->tpi_idx;
    if (x->state == PDB_LAZY_NO) {
        x->state = PDB_LAZY_FAILED;
        struct dd_error *err = index_load(pdb, stream, x);
        if (err)
            return dd_error_wrap(err, "%s", pdb->name);
        x->state = PDB_LAZY_OK;
    }
    if (x->state != PDB_LAZY_OK)
        return pdb_error(pdb, DD_ERR_FORMAT, "type stream %u is unreadable", stream);
    if (ti < x->begin || ti >= x->end)
        return pdb_error(pdb, DD_ERR_NOT_FOUND, "type index 0x%x is outside stream %u (0x%x..0x%x)",
                         ti, stream, x->begin, x->end);
    uint32_t cur = x->begin, off = 0;
    uint32_t lo = 0, hi = x->nidx;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (x->idx_ti[mid] <= ti)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo > 0 && x->idx_ti[lo - 1] >= x->begin) {
        cur = x->idx_ti[lo - 1];
        off = x->idx_off[lo - 1];
    }
    while (off + 4 <= x->record_bytes) {
        uint8_t h[4];
        struct dd_error *err = pdb_stream_read_exact(&x->s, (uint64_t)x->header_size + off, h, 4,
                                                     "type record");
        if (err)
            return dd_error_wrap(err, "%s", pdb->name);
        uint16_t len = dd_le16(h);
        if (len < 2 || off + 2u + len > x->record_bytes)
            break;
        if (cur == ti) {
            err = pdb_stream_read_exact(&x->s, (uint64_t)x->header_size + off + 4, buf, len - 2u,
                                        "type record");
            if (err)
                return dd_error_wrap(err, "%s", pdb->name);
            buf[len - 2u] = 0;
            *ret_leaf = dd_le16(h + 2);
            *ret_len = len - 2u;
            return NULL;
        }
        off += 2u + len;
        cur++;
    }
    return pdb_error(pdb, DD_ERR_FORMAT, "type record 0x%x of stream %u is past a damaged record",
                     ti, stream);
}

/* Returns the name inside a class, structure, union or enum record, or NULL. */
static const char *udt_name(uint16_t leaf, const uint8_t *d, uint32_t len)
{
    uint32_t at = 0, size = 0;
    switch (leaf) {
    case LF_CLASS:
    case LF_STRUCTURE:
    case LF_INTERFACE:
        at = 16;
        break;
    case LF_UNION:
        at = 8;
        break;
    case LF_ENUM:
        return len >= 12 ? (const char *)d + 12 : NULL;
    case LF_CLASS2:
    case LF_STRUCTURE2:
        at = 18;
        break;
    default:
        return NULL;
    }
    if (at > len || !pdb_numeric_skip(d + at, len - at, &size))
        return NULL;
    return (const char *)d + at + size;
}

/* Appends S to the growing name in OUT (capacity CAP), truncating at the end. */
static void append(char *out, size_t cap, size_t *len, const char *s)
{
    size_t n = strlen(s);
    if (*len + n >= cap)
        n = cap - 1 - *len;
    memcpy(out + *len, s, n);
    *len += n;
    out[*len] = 0;
}

static struct dd_error *id_name(struct pdb *pdb, uint32_t id, int depth, const char **ret)
{
    const char *known = pdb_intern_find(pdb, PDB_KEY_ID(PDB_STREAM_IPI, id));
    if (known) {
        *ret = known;
        return NULL;
    }
    if (depth > 4)
        return pdb_error(pdb, DD_ERR_FORMAT, "IPI record 0x%x: scopes nest too deeply", id);
    uint8_t *buf = malloc(2 * (size_t)PDB_MAX_RECORD + 1);
    if (!buf)
        return &dd_error_no_memory;
    uint8_t *rec = buf, *aux = buf + PDB_MAX_RECORD;
    uint16_t leaf;
    uint32_t len = 0;
    struct dd_error *err = pdb_typerec_read(pdb, PDB_STREAM_IPI, id, rec, &leaf, &len);
    if (err) {
        free(buf);
        return err;
    }
    /* The qualified name is built in the space after the record. */
    char *out = (char *)aux;
    size_t cap = PDB_MAX_RECORD, n = 0;
    out[0] = 0;
    if (leaf == LF_FUNC_ID && len >= 8) {
        uint32_t scope = dd_le32(rec);
        const char *name = (const char *)rec + 8;
        if (scope) {
            const char *s = NULL;
            struct dd_error *e2 = id_name(pdb, scope, depth + 1, &s);
            if (!e2 && s && *s) {
                append(out, cap, &n, s);
                append(out, cap, &n, "::");
            }
            dd_error_destroy(e2);
        }
        append(out, cap, &n, name);
    } else if (leaf == LF_MFUNC_ID && len >= 8) {
        uint32_t parent = dd_le32(rec);
        char *name = strdup((const char *)rec + 8);
        uint16_t pleaf;
        uint32_t plen;
        if (!name) {
            free(buf);
            return &dd_error_no_memory;
        }
        struct dd_error *e2 = pdb_typerec_read(pdb, PDB_STREAM_TPI, parent, rec, &pleaf, &plen);
        const char *cls = e2 ? NULL : udt_name(pleaf, rec, plen);
        dd_error_destroy(e2);
        if (cls && *cls) {
            append(out, cap, &n, cls);
            append(out, cap, &n, "::");
        }
        append(out, cap, &n, name);
        free(name);
    } else if (leaf == LF_STRING_ID && len >= 4) {
        append(out, cap, &n, (const char *)rec + 4);
    } else {
        free(buf);
        return pdb_error(pdb, DD_ERR_FORMAT, "IPI record 0x%x is leaf 0x%04x, not a function or "
                         "string id", id, leaf);
    }
    known = pdb_intern(pdb, PDB_KEY_ID(PDB_STREAM_IPI, id), (const uint8_t *)out, n + 1);
    free(buf);
    if (!known)
        return &dd_error_no_memory;
    *ret = known;
    return NULL;
}

struct dd_error *pdb_id_name(struct pdb *pdb, uint32_t id, const char **ret)
{
    return id_name(pdb, id, 0, ret);
}
