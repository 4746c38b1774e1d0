#include "arch/x86/x86_family.h"

#include <stdio.h>
#include <string.h>

#include "base/cursor.h"

/* XMM_SAVE_AREA32 / FXSAVE layout (Intel SDM vol. 1, table 10-2). */
#define FX_ST0 32
#define FX_XMM0 160

/* CONTEXT_EX (winnt.h): CONTEXT_CHUNK All, Legacy, XState; each {LONG Offset; DWORD Length}. */
#define CONTEXT_EX_SIZE 24
#define CONTEXT_EX_XSTATE 16

/*
 * XSAVE area (Intel SDM vol. 1, 13.4): the 512-byte legacy region lives in the CONTEXT
 * itself (FltSave / ExtendedRegisters); the CONTEXT_EX XState chunk points at the 64-byte
 * XSAVE header (XSTATE_BV, XCOMP_BV) that is followed by the extended components.
 */
#define XSAVE_HEADER_SIZE 64
#define XCOMP_BV_COMPACTED (1ULL << 63)
#define XFEATURE_AVX 2
#define XFEATURE_CET_U 11
#define XFEATURE_MAX 19

/*
 * Component sizes in the compacted form (CPUID.(EAX=0DH,ECX=i):EAX on current parts);
 * 0 marks a component whose size varies by processor, past which nothing can be located.
 * Only TILEDATA asks for 64-byte alignment (CPUID.(EAX=0DH,ECX=i):ECX[1]).
 */
static const uint32_t xfeature_size[XFEATURE_MAX] = {
    [2] = 256,  /* AVX: upper halves of YMM0-15 */
    [3] = 64,   /* MPX BNDREGS */
    [4] = 64,   /* MPX BNDCSR */
    [5] = 64,   /* AVX-512 opmask k0-k7 */
    [6] = 512,  /* AVX-512 ZMM_Hi256 */
    [7] = 1024, /* AVX-512 Hi16_ZMM */
    [8] = 0,    /* processor trace: size varies */
    [9] = 8,    /* PKRU */
    [10] = 8,   /* PASID */
    [11] = 16,  /* CET_U: IA32_U_CET, IA32_PL3_SSP */
    [12] = 24,  /* CET_S */
    [13] = 8,   /* HDC */
    [14] = 48,  /* UINTR */
    [15] = 0,   /* arch LBR: size varies */
    [16] = 8,   /* HWP */
    [17] = 64,  /* AMX TILECFG */
    [18] = 8192 /* AMX TILEDATA */
};
#define XFEATURE_ALIGNED (1u << 18)

void x86_fxsave_decode(const uint8_t *fx, unsigned nxmm, struct regset *rs)
{
    for (unsigned i = 0; i < 8; i++)
        memcpy(rs->st[i], fx + FX_ST0 + 16 * i, 10);
    rs->st_valid = true;
    if (nxmm > ARCH_MAX_VEC)
        nxmm = ARCH_MAX_VEC;
    for (unsigned i = 0; i < nxmm; i++) {
        memcpy(rs->vec[i], fx + FX_XMM0 + 16 * i, 16);
        rs->vec_valid |= 1u << i;
    }
}

/*
 * Finds component FEATURE relative to the XSAVE header. Compacted form: components
 * named in XCOMP_BV follow the header in feature order. Standard form: the fixed
 * offsets; only AVX (576 from the XSAVE start = 64 after the header) is used here.
 */
static bool xstate_feature_offset(uint64_t xcomp_bv, unsigned feature, uint64_t *ret)
{
    if (!(xcomp_bv & XCOMP_BV_COMPACTED)) {
        if (feature != XFEATURE_AVX)
            return false;
        *ret = XSAVE_HEADER_SIZE;
        return true;
    }
    if (feature >= XFEATURE_MAX || !(xcomp_bv & (1ULL << feature)))
        return false;
    uint64_t off = XSAVE_HEADER_SIZE;
    for (unsigned i = 2; i < feature; i++) {
        if (!(xcomp_bv & (1ULL << i)))
            continue;
        if (xfeature_size[i] == 0)
            return false;
        if (XFEATURE_ALIGNED & (1u << i))
            off = (off + 63) & ~63ULL;
        off += xfeature_size[i];
    }
    if (XFEATURE_ALIGNED & (1u << feature))
        off = (off + 63) & ~63ULL;
    *ret = off;
    return true;
}

void x86_xstate_decode(const uint8_t *raw, size_t size, size_t ex_offset, unsigned nymm,
                       struct regset *rs)
{
    if (ex_offset > size || size - ex_offset < CONTEXT_EX_SIZE)
        return;
    int32_t xoff = (int32_t)dd_le32(raw + ex_offset + CONTEXT_EX_XSTATE);
    uint32_t xlen = dd_le32(raw + ex_offset + CONTEXT_EX_XSTATE + 4);
    if (xoff < 0)
        return;
    uint64_t hdr = (uint64_t)ex_offset + (uint64_t)xoff;
    if (hdr >= size)
        return;
    /* The area ends where the chunk says or where the bytes end, whichever is first. */
    uint64_t avail = size - hdr;
    if (xlen < avail)
        avail = xlen;
    if (avail < XSAVE_HEADER_SIZE)
        return;
    const uint8_t *area = raw + hdr;
    uint64_t xstate_bv = dd_le64(area);
    uint64_t xcomp_bv = dd_le64(area + 8);

    uint64_t off;
    if (nymm > 16)
        nymm = 16;
    if (nymm && xstate_feature_offset(xcomp_bv, XFEATURE_AVX, &off) && off <= avail &&
        avail - off >= 16ULL * nymm) {
        /* A clear XSTATE_BV bit means the component is in its initial state: zeros. */
        bool live = xstate_bv & (1ULL << XFEATURE_AVX);
        for (unsigned i = 0; i < nymm; i++) {
            if (live)
                memcpy(&rs->vec[i][16], area + off + 16 * i, 16);
            else
                memset(&rs->vec[i][16], 0, 16);
            rs->vec_upper_valid |= 1u << i;
        }
    }
    if (xstate_feature_offset(xcomp_bv, XFEATURE_CET_U, &off) && off <= avail &&
        avail - off >= 16) {
        bool live = xstate_bv & (1ULL << XFEATURE_CET_U);
        rs->ssp = live ? dd_le64(area + off + 8) : 0;
        rs->has_ssp = true;
    }
}

char *x86_eflags_format(char buf[X86_EFLAGS_BUF], uint64_t efl, bool pf_inverted)
{
    bool pf = (efl >> 2) & 1;
    if (pf_inverted)
        pf = !pf;
    snprintf(buf, X86_EFLAGS_BUF, "%s %s %s %s %s %s %s %s", (efl >> 11) & 1 ? "ov" : "nv",
             (efl >> 10) & 1 ? "dn" : "up", (efl >> 9) & 1 ? "ei" : "di",
             (efl >> 7) & 1 ? "ng" : "pl", (efl >> 6) & 1 ? "zr" : "nz",
             (efl >> 4) & 1 ? "ac" : "na", pf ? "pe" : "po", efl & 1 ? "cy" : "nc");
    return buf;
}

void x86_print_iopl_flags(struct dd_writer *w, const struct regset *rs, uint16_t efl_slot,
                          bool pf_inverted)
{
    if (!rs->valid[efl_slot]) {
        dd_puts(w, "iopl=?         ?? ?? ?? ?? ?? ?? ?? ??\n");
        return;
    }
    char flags[X86_EFLAGS_BUF];
    uint64_t efl = rs->r[efl_slot];
    dd_printf(w, "iopl=%-9u %s\n", (unsigned)((efl >> 12) & 3),
              x86_eflags_format(flags, efl, pf_inverted));
}

void x86_print_segments(struct dd_writer *w, const struct regset *rs, const uint16_t segs[6],
                        uint16_t efl_slot)
{
    static const char *const names[6] = {"cs", "ss", "ds", "es", "fs", "gs"};
    char v[17];
    for (size_t i = 0; i < 6; i++)
        dd_printf(w, "%s%s=%s", i ? "  " : "", names[i], arch_fmt_slot(v, rs, segs[i], 4));
    dd_printf(w, "             efl=%s\n", arch_fmt_slot(v, rs, efl_slot, 8));
}
