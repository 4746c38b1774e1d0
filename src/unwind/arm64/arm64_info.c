/*
 * A function's ARM64 unwind data (Microsoft "ARM64 exception handling"): reading an .xdata record
 * (header, extended header, epilog scopes, unwind codes, exception handler RVA), and expanding
 * packed .pdata unwind data into the codes of the canonical prolog and epilog it stands for, so
 * that both kinds are unwound by the same code interpreter.
 */
#include <string.h>

#include "base/cursor.h"
#include "unwind/arm64/arm64_internal.h"

size_t arm64_read_image(const struct unwind_env *env, uint64_t base, uint32_t rva, void *buf,
                        size_t len)
{
    if (env->read_image)
        return env->read_image(env->ctx, base, rva, buf, len);
    return env->read_memory(env->ctx, base + rva, buf, len);
}

/* ---- packed unwind data ------------------------------------------------------------------- */

/* Prolog codes in execution order while a packed word is expanded. */
struct packed_builder {
    uint8_t code[24][4]; /* each code's bytes, most significant first */
    uint8_t size[24];
    bool home_nop[24]; /* the H=1 nops: absent from the epilog */
    bool set_fp[24];   /* set_fp: absent from the epilog ("no mov x29,sp in the epilog") */
    unsigned n;
};

static void emit(struct packed_builder *b, unsigned size, unsigned b0, unsigned b1, unsigned b2,
                 unsigned b3)
{
    if (b->n >= sizeof(b->size))
        return; /* cannot happen: a packed prolog has at most 20 codes */
    b->code[b->n][0] = (uint8_t)b0;
    b->code[b->n][1] = (uint8_t)b1;
    b->code[b->n][2] = (uint8_t)b2;
    b->code[b->n][3] = (uint8_t)b3;
    b->size[b->n] = (uint8_t)size;
    b->home_nop[b->n] = false;
    b->set_fp[b->n] = false;
    b->n++;
}

/* sub sp, #SIZE with the shortest code: alloc_s (< 512), alloc_m (< 32K), alloc_l. */
static void emit_alloc(struct packed_builder *b, uint32_t size)
{
    uint32_t units = size / 16;
    if (units < 32)
        emit(b, 1, units, 0, 0, 0);
    else if (units < 2048)
        emit(b, 2, 0xc0 | (units >> 8), units & 0xff, 0, 0);
    else
        emit(b, 4, 0xe0, (units >> 16) & 0xff, (units >> 8) & 0xff, units & 0xff);
}

/*
 * Step 6's allocation: one `sub` up to 4080 bytes, else `sub sp,sp,4080` then the rest (the
 * document's cases 6c and 6e: two instructions, so two codes for a partly run prolog).
 */
static void emit_locals(struct packed_builder *b, uint32_t size)
{
    if (size > 4080) {
        emit_alloc(b, 4080);
        size -= 4080;
    }
    emit_alloc(b, size);
}

/* save_regp(_x) / save_reg(_x) of x(19+IDX) (IDX 11 = lr), at OFF or pre-decrementing by OFF. */
static void emit_int(struct packed_builder *b, unsigned idx, bool pair, bool writeback,
                     uint32_t off)
{
    uint32_t z = writeback ? off / 8 - 1 : off / 8;
    if (pair)
        emit(b, 2, (writeback ? 0xcc : 0xc8) | (idx >> 2), ((idx & 3) << 6) | (z & 0x3f), 0, 0);
    else if (writeback)
        emit(b, 2, 0xd4 | (idx >> 3), ((idx & 7) << 5) | (z & 0x1f), 0, 0);
    else
        emit(b, 2, 0xd0 | (idx >> 2), ((idx & 3) << 6) | (z & 0x3f), 0, 0);
}

/* save_fregp(_x) / save_freg(_x) of d(8+IDX). */
static void emit_fp(struct packed_builder *b, unsigned idx, bool pair, bool writeback, uint32_t off)
{
    uint32_t z = writeback ? off / 8 - 1 : off / 8;
    if (pair)
        emit(b, 2, (writeback ? 0xda : 0xd8) | (idx >> 2), ((idx & 3) << 6) | (z & 0x3f), 0, 0);
    else if (writeback)
        emit(b, 2, 0xde, ((idx & 7) << 5) | (z & 0x1f), 0, 0);
    else
        emit(b, 2, 0xdc | (idx >> 2), ((idx & 3) << 6) | (z & 0x3f), 0, 0);
}

/* Appends the codes of B (in reverse: unwind order), skipping those the epilog lacks. */
static void append_reversed(struct unwind_arm64_info *info, const struct packed_builder *b,
                            bool epilog)
{
    for (unsigned i = b->n; i-- > 0;) {
        if (epilog && (b->home_nop[i] || b->set_fp[i]))
            continue;
        memcpy(info->codes + info->ncodes, b->code[i], b->size[i]);
        info->ncodes += b->size[i];
    }
}

bool unwind_arm64_packed_expand(uint32_t word, struct unwind_arm64_info *ret)
{
    /* .pdata packed word: Flag 2, Function Length 11, RegF 3, RegI 4, H 1, CR 2, Frame Size 9. */
    unsigned flag = word & 3, regf = (word >> 13) & 7, regi = (word >> 16) & 15;
    unsigned h = (word >> 20) & 1, cr = (word >> 21) & 3;
    if (flag != ARM64_PDATA_PACKED && flag != ARM64_PDATA_FRAGMENT)
        return false;
    uint32_t famsz = ((word >> 23) & 0x1ff) * 16;

    /*
     * Step 0 of the document's table, in bytes. Homes take room in the save area only when some
     * register is saved (as RtlpExpandCompactToFull reads it): with nothing saved there is no
     * pre-decrementing store for them to follow, so they belong to the body.
     */
    uint32_t intsz = regi * 8 + (cr == 1 ? 8 : 0);
    uint32_t fpsz = regf ? (regf + 1) * 8 : 0;
    uint32_t savsz = intsz + fpsz;
    if (savsz > 0)
        savsz += h * 64;
    savsz = (savsz + 15) & ~15u;
    uint32_t locsz = famsz > savsz ? famsz - savsz : 0;

    struct packed_builder b;
    memset(&b, 0, sizeof(b));
    if (cr == 2)
        emit(&b, 1, 0xfc, 0, 0, 0); /* step 1: pacibsp */

    /* Step 2 (and 3): x19.. in pairs; the first store allocates the whole save area. */
    bool predec = false;
    uint32_t slot = 0;
    if (regi == 1 && cr == 1) {
        /* stp x19,lr cannot pre-decrement in unwind codes: sub sp first ("Only x19 saved"). */
        emit_alloc(&b, savsz);
        predec = true;
    }
    unsigned r = 0;
    for (; r + 1 < regi; r += 2) {
        emit_int(&b, r, true, !predec, predec ? slot : savsz);
        predec = true;
        slot += 16;
    }
    if (regi & 1) {
        if (cr == 1) {
            /* The last register and lr as one pair: save_lrpair. */
            emit(&b, 2, 0xd6 | ((r / 2) >> 2), (((r / 2) & 3) << 6) | ((slot / 8) & 0x3f), 0, 0);
            slot += 16;
        } else {
            emit_int(&b, r, false, !predec, predec ? slot : savsz);
            slot += 8;
        }
        predec = true;
    } else if (cr == 1) {
        emit_int(&b, 11, false, !predec, predec ? slot : savsz); /* lr = x(19+11) */
        predec = true;
        slot += 8;
    }

    /* Step 4: d8.. in pairs, an odd last one alone. */
    unsigned nfp = regf ? regf + 1 : 0, f = 0;
    for (; f + 1 < nfp; f += 2) {
        emit_fp(&b, f, true, !predec, predec ? slot : savsz);
        predec = true;
        slot += 16;
    }
    if (nfp & 1) {
        emit_fp(&b, f, false, !predec, predec ? slot : savsz);
        predec = true;
        slot += 8;
    }

    /* Step 5: homing x0-x7 (four stp) has no unwind effect: nop codes. */
    if (h && predec) {
        for (int k = 0; k < 4; k++) {
            emit(&b, 1, 0xe3, 0, 0, 0);
            b.home_nop[b.n - 1] = true;
        }
    }

    /* Step 6: the rest of the frame; chained functions save <x29,lr> at its bottom. */
    if (locsz > 0) {
        if (cr == 2 || cr == 3) {
            if (locsz <= 512) {
                emit(&b, 1, 0x80 | ((locsz / 8 - 1) & 0x3f), 0, 0, 0); /* save_fplr_x */
            } else {
                emit_locals(&b, locsz);
                emit(&b, 1, 0x40, 0, 0, 0); /* save_fplr 0 */
            }
            emit(&b, 1, 0xe1, 0, 0, 0); /* set_fp */
            b.set_fp[b.n - 1] = true;
        } else {
            emit_locals(&b, locsz);
        }
    }

    struct unwind_arm64_info info;
    memset(&info, 0, sizeof(info));
    info.flag = (uint8_t)flag;
    info.function_length = ((word >> 2) & 0x7ff) * 4;
    if (flag == ARM64_PDATA_FRAGMENT)
        info.codes[info.ncodes++] = 0xe5; /* end_c: no prolog of its own, no epilog */
    append_reversed(&info, &b, false);
    info.codes[info.ncodes++] = 0xe4;
    if (flag == ARM64_PDATA_PACKED) {
        /* One epilog at the end: the prolog undone in reverse, then ret. */
        info.single_epilog = true;
        info.epilog_index = (uint16_t)info.ncodes;
        append_reversed(&info, &b, true);
        info.codes[info.ncodes++] = 0xe4;
    }
    *ret = info;
    return true;
}

/* ---- .xdata ------------------------------------------------------------------------------- */

bool unwind_arm64_info_read(const struct unwind_env *env, uint64_t base, uint32_t word,
                            struct unwind_arm64_info *ret)
{
    if ((word & 3) != ARM64_PDATA_XDATA)
        return unwind_arm64_packed_expand(word, ret);
    uint32_t rva = word; /* low two bits are 0: the record is 4-byte aligned */
    uint8_t hb[8];
    size_t got = arm64_read_image(env, base, rva, hb, sizeof(hb));
    if (got < 4)
        return false;
    /* Header: Function Length 18, Vers 2, X 1, E 1, Epilog Count 5, Code Words 5. */
    uint32_t w0 = dd_le32(hb);
    if (((w0 >> 18) & 3) != 0)
        return false; /* only version 0 is defined */
    uint32_t epi = (w0 >> 22) & 31, words = (w0 >> 27) & 31;
    uint64_t off = 4;
    if (epi == 0 && words == 0) {
        /* Extension word: Extended Epilog Count 16, Extended Code Words 8. */
        if (got < 8)
            return false;
        uint32_t w1 = dd_le32(hb + 4);
        epi = w1 & 0xffff;
        words = (w1 >> 16) & 0xff;
        off = 8;
    }
    struct unwind_arm64_info info;
    memset(&info, 0, sizeof(info));
    info.flag = ARM64_PDATA_XDATA;
    info.function_length = (w0 & 0x3ffff) * 4;
    info.has_handler = (w0 >> 20) & 1;
    info.single_epilog = (w0 >> 21) & 1;
    if (info.single_epilog) {
        info.epilog_index = (uint16_t)epi; /* E=1: the field is the epilog's code index */
    } else {
        info.nscopes = epi;
        info.scopes_rva = (uint32_t)(rva + off);
        off += 4 * (uint64_t)epi;
    }
    if (rva + off + 4 * (uint64_t)words + 4 > UINT32_MAX)
        return false;
    info.ncodes = words * 4;
    if (info.ncodes &&
        arm64_read_image(env, base, (uint32_t)(rva + off), info.codes, info.ncodes) < info.ncodes)
        return false;
    if (info.single_epilog && info.epilog_index >= info.ncodes)
        return false;
    if (info.has_handler) {
        uint8_t h[4];
        if (arm64_read_image(env, base, (uint32_t)(rva + off + info.ncodes), h, 4) < 4)
            return false;
        info.handler_rva = dd_le32(h);
    }
    *ret = info;
    return true;
}

bool unwind_arm64_info_scope(const struct unwind_env *env, uint64_t base,
                             const struct unwind_arm64_info *info, uint32_t i, uint32_t *ret_start,
                             uint16_t *ret_index)
{
    if (i >= info->nscopes || (uint64_t)info->scopes_rva + 4 * (uint64_t)i + 4 > UINT32_MAX)
        return false;
    uint8_t b[4];
    if (arm64_read_image(env, base, info->scopes_rva + 4 * i, b, 4) < 4)
        return false;
    /* Scope: Epilog Start Offset 18 (in instructions), Res 4, Epilog Start Index 10. */
    uint32_t w = dd_le32(b);
    *ret_start = (w & 0x3ffff) * 4;
    *ret_index = (uint16_t)(w >> 22);
    return true;
}
