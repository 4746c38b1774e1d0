/*
 * x86 frame data from the DBI optional debug streams. FPO (debug stream 0) holds winnt.h FPO_DATA
 * records {u32 ulOffStart, u32 cbProcSize, u32 cdwLocals, u16 cdwParams, u16 bits: cbProlog:8,
 * cbRegs:3, fHasSEH:1, fUseBP:1, reserved:1, cbFrame:2}. FrameData ("new FPO", debug stream 9)
 * holds {u32 RvaStart, u32 CodeSize, u32 LocalSize, u32 ParamsSize, u32 MaxStackSize,
 * u32 FrameFunc (offset of the program string in /names), u16 PrologSize, u16 SavedRegsSize,
 * u32 Flags} (LLVM FrameData, microsoft-pdb cvinfo.h). Both are in pre-OMAP addresses.
 * The records are loaded and sorted by address on first use.
 */
#include <stdlib.h>
#include <string.h>

#include "pdb/pdb_internal.h"

#define FPO_SIZE 16u
#define FRAMEDATA_SIZE 32u

/* Sort keys: start ascending; for one start the larger range first and, for equal ranges, the
 * later record first, so that a search stepping back from the last start at or below an address
 * meets the innermost record, and among duplicates (folded functions) the first in the stream,
 * which is the one DIA reports. */
struct frame_key {
    uint32_t rva, size, index;
};

static int frame_key_cmp(const void *a, const void *b)
{
    const struct frame_key *x = a, *y = b;
    if (x->rva != y->rva)
        return x->rva < y->rva ? -1 : 1;
    if (x->size != y->size)
        return x->size > y->size ? -1 : 1;
    return x->index > y->index ? -1 : x->index < y->index;
}

/* Reorders N records of SIZE bytes at V by their keys; false when out of memory. */
static bool frame_sort(void *v, uint32_t n, size_t size, struct frame_key *keys)
{
    if (n < 2)
        return true;
    qsort(keys, n, sizeof(*keys), frame_key_cmp);
    uint8_t *copy = malloc((size_t)n * size + 1);
    if (!copy)
        return false;
    memcpy(copy, v, (size_t)n * size);
    for (uint32_t i = 0; i < n; i++)
        memcpy((uint8_t *)v + (size_t)i * size, copy + (size_t)keys[i].index * size, size);
    free(copy);
    return true;
}

/* Reads debug stream KIND whole (records of SIZE bytes); ret_count 0 when it is absent. */
static struct dd_error *read_records(struct pdb *pdb, enum pdb_dbg_stream kind, uint32_t size,
                                     const char *what, uint8_t **ret, uint32_t *ret_count)
{
    *ret = NULL;
    *ret_count = 0;
    uint16_t stream = pdb_dbg_stream_get(pdb, kind);
    if (stream == PDB_NO_STREAM)
        return NULL;
    struct msf_stream s;
    struct dd_error *err = msf_stream_get(pdb->msf, stream, &s);
    if (err)
        return err;
    uint32_t n = s.size / size;
    if ((err = pdb_stream_copy(pdb, stream, 0, n * size, what, ret)))
        return err;
    *ret_count = n;
    return NULL;
}

static struct dd_error *fpo_ready(struct pdb *pdb)
{
    if (pdb->fpo_state == PDB_LAZY_NO) {
        pdb->fpo_state = PDB_LAZY_FAILED;
        uint8_t *raw = NULL;
        uint32_t n = 0;
        struct dd_error *err = pdb_sections_ready(pdb);
        if (!err)
            err = read_records(pdb, PDB_DBG_FPO, FPO_SIZE, "FPO stream", &raw, &n);
        if (err)
            return dd_error_wrap(err, "%s", pdb->name);
        pdb->fpo = calloc(n ? n : 1, sizeof(*pdb->fpo));
        if (!pdb->fpo) {
            free(raw);
            return &dd_error_no_memory;
        }
        for (uint32_t i = 0; i < n; i++) {
            const uint8_t *p = raw + (size_t)i * FPO_SIZE;
            struct pdb_fpo *f = &pdb->fpo[i];
            f->rva = dd_le32(p);
            f->size = dd_le32(p + 4);
            f->locals = dd_le32(p + 8);
            f->params = dd_le16(p + 12);
            uint16_t bits = dd_le16(p + 14);
            f->prolog = (uint8_t)(bits & 0xff);
            f->regs = (uint8_t)((bits >> 8) & 7);
            f->has_seh = (bits >> 11) & 1;
            f->use_bp = (bits >> 12) & 1;
            f->frame_type = (uint8_t)(bits >> 14);
        }
        free(raw);
        pdb->nfpo = n;
        struct frame_key *keys = malloc((n ? n : 1) * sizeof(*keys));
        if (!keys)
            return &dd_error_no_memory;
        for (uint32_t i = 0; i < n; i++)
            keys[i] = (struct frame_key){pdb->fpo[i].rva, pdb->fpo[i].size, i};
        bool ok = frame_sort(pdb->fpo, n, sizeof(*pdb->fpo), keys);
        free(keys);
        if (!ok)
            return &dd_error_no_memory;
        pdb->fpo_state = PDB_LAZY_OK;
    }
    if (pdb->fpo_state != PDB_LAZY_OK)
        return pdb_error(pdb, DD_ERR_FORMAT, "FPO stream is unreadable");
    return NULL;
}

static struct dd_error *fd_ready(struct pdb *pdb)
{
    if (pdb->fd_state == PDB_LAZY_NO) {
        pdb->fd_state = PDB_LAZY_FAILED;
        uint8_t *raw = NULL;
        uint32_t n = 0;
        struct dd_error *err = pdb_sections_ready(pdb);
        if (!err)
            err = read_records(pdb, PDB_DBG_NEW_FPO, FRAMEDATA_SIZE, "FrameData stream", &raw, &n);
        if (err)
            return dd_error_wrap(err, "%s", pdb->name);
        pdb->fd = calloc(n ? n : 1, sizeof(*pdb->fd));
        if (!pdb->fd) {
            free(raw);
            return &dd_error_no_memory;
        }
        for (uint32_t i = 0; i < n; i++) {
            const uint8_t *p = raw + (size_t)i * FRAMEDATA_SIZE;
            struct pdb_framedata *f = &pdb->fd[i];
            f->rva = dd_le32(p);
            f->code_size = dd_le32(p + 4);
            f->local_size = dd_le32(p + 8);
            f->params_size = dd_le32(p + 12);
            f->max_stack_size = dd_le32(p + 16);
            f->frame_func = dd_le32(p + 20);
            f->prolog_size = dd_le16(p + 24);
            f->saved_regs_size = dd_le16(p + 26);
            f->flags = dd_le32(p + 28);
        }
        free(raw);
        pdb->nfd = n;
        struct frame_key *keys = malloc((n ? n : 1) * sizeof(*keys));
        if (!keys)
            return &dd_error_no_memory;
        for (uint32_t i = 0; i < n; i++)
            keys[i] = (struct frame_key){pdb->fd[i].rva, pdb->fd[i].code_size, i};
        bool ok = frame_sort(pdb->fd, n, sizeof(*pdb->fd), keys);
        free(keys);
        if (!ok)
            return &dd_error_no_memory;
        pdb->fd_state = PDB_LAZY_OK;
    }
    if (pdb->fd_state != PDB_LAZY_OK)
        return pdb_error(pdb, DD_ERR_FORMAT, "FrameData stream is unreadable");
    return NULL;
}

/* Copies IN to OUT with its program string resolved; false when OMAP maps its start nowhere
 * (OUT's rva is then left as the source RVA). */
static bool fd_finish(struct pdb *pdb, const struct pdb_framedata *in, struct pdb_framedata *out)
{
    *out = *in;
    out->program = "";
    if (in->frame_func) {
        struct dd_error *err = pdb_names_get(pdb, in->frame_func, &out->program);
        if (err) {
            dd_error_destroy(err);
            out->program = "";
        }
    }
    return pdb_src_to_rva(pdb, in->rva, &out->rva);
}

/* The index of the first record starting above SRC in a sorted array (RVA at offset 0). */
#define UPPER_BOUND(arr, n, src, ret)                                                             \
    do {                                                                                          \
        uint32_t lo_ = 0, hi_ = (n);                                                              \
        while (lo_ < hi_) {                                                                       \
            uint32_t mid_ = lo_ + (hi_ - lo_) / 2;                                                \
            if ((arr)[mid_].rva <= (src))                                                         \
                lo_ = mid_ + 1;                                                                   \
            else                                                                                  \
                hi_ = mid_;                                                                       \
        }                                                                                         \
        (ret) = lo_;                                                                              \
    } while (0)

struct dd_error *pdb_fpo_find(struct pdb *pdb, uint32_t rva, struct pdb_fpo *ret)
{
    struct dd_error *err = fpo_ready(pdb);
    if (err)
        return err;
    uint32_t src = 0, i = 0;
    if (!pdb_rva_to_src(pdb, rva, &src))
        return pdb_error(pdb, DD_ERR_NOT_FOUND, "OMAP maps RVA 0x%x nowhere", rva);
    UPPER_BOUND(pdb->fpo, pdb->nfpo, src, i);
    /* The innermost record: the nearest start whose range covers the address. */
    for (uint32_t tries = 0; i > 0 && tries < 16; i--, tries++) {
        const struct pdb_fpo *f = &pdb->fpo[i - 1];
        if (src - f->rva < f->size) {
            struct pdb_fpo out = *f;
            if (!pdb_src_to_rva(pdb, f->rva, &out.rva))
                out.rva = rva; /* the start maps nowhere: report where it was found */
            *ret = out;
            return NULL;
        }
    }
    return pdb_error(pdb, DD_ERR_NOT_FOUND, "no FPO record covers RVA 0x%x", rva);
}

struct dd_error *pdb_framedata_find(struct pdb *pdb, uint32_t rva, struct pdb_framedata *ret)
{
    struct dd_error *err = fd_ready(pdb);
    if (err)
        return err;
    uint32_t src = 0, i = 0;
    if (!pdb_rva_to_src(pdb, rva, &src))
        return pdb_error(pdb, DD_ERR_NOT_FOUND, "OMAP maps RVA 0x%x nowhere", rva);
    UPPER_BOUND(pdb->fd, pdb->nfd, src, i);
    for (uint32_t tries = 0; i > 0 && tries < 16; i--, tries++) {
        const struct pdb_framedata *f = &pdb->fd[i - 1];
        if (src - f->rva < f->code_size) {
            struct pdb_framedata out;
            if (!fd_finish(pdb, f, &out))
                out.rva = rva; /* the start maps nowhere: report where it was found */
            *ret = out;
            return NULL;
        }
    }
    return pdb_error(pdb, DD_ERR_NOT_FOUND, "no FrameData record covers RVA 0x%x", rva);
}

struct dd_error *pdb_fpo_iterate(struct pdb *pdb, bool (*fn)(void *ctx, const struct pdb_fpo *f),
                                 void *ctx)
{
    struct dd_error *err = fpo_ready(pdb);
    if (err)
        return err;
    for (uint32_t i = 0; i < pdb->nfpo; i++) {
        struct pdb_fpo out = pdb->fpo[i];
        if (!pdb_src_to_rva(pdb, pdb->fpo[i].rva, &out.rva))
            continue;
        if (!fn(ctx, &out))
            break;
    }
    return NULL;
}

struct dd_error *pdb_framedata_iterate(struct pdb *pdb,
                                       bool (*fn)(void *ctx, const struct pdb_framedata *f),
                                       void *ctx)
{
    struct dd_error *err = fd_ready(pdb);
    if (err)
        return err;
    for (uint32_t i = 0; i < pdb->nfd; i++) {
        struct pdb_framedata out;
        if (!fd_finish(pdb, &pdb->fd[i], &out))
            continue;
        if (!fn(ctx, &out))
            break;
    }
    return NULL;
}
