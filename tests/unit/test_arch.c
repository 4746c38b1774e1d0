/*
 * Register tables, CONTEXT decoders and `r` printers on synthetic CONTEXT buffers built
 * here with known values at the offsets winnt.h documents.
 */
#include <stdlib.h>

#include "arch/arch.h"
#include "arch/arm/arm_regs.h"
#include "arch/arm64/arm64_regs.h"
#include "arch/x64/x64_regs.h"
#include "arch/x86/x86_family.h"
#include "arch/x86/x86_regs.h"
#include "base/cursor.h"
#include "base/fmt.h"
#include "base/writer.h"
#include "check.h"

static const struct arch_ops *const all_arches[] = {&arch_x86, &arch_x64, &arch_arm64, &arch_arm};

static char *capture_regs(const struct regset *rs)
{
    struct dd_strbuf sb = {0};
    struct dd_writer w = dd_writer_strbuf(&sb);
    rs->arch->print_regs(&w, rs);
    return sb.data; /* caller frees */
}

static char *capture_reg(const struct regset *rs, const char *name)
{
    struct dd_strbuf sb = {0};
    struct dd_writer w = dd_writer_strbuf(&sb);
    const struct arch_reg *r = arch_reg_find(rs->arch, name);
    if (!r) {
        check_fail(__FILE__, __LINE__, "no register %s", name);
        return NULL;
    }
    arch_print_reg(&w, rs, r);
    return sb.data;
}

static uint64_t reg(const struct regset *rs, const char *name)
{
    const struct arch_reg *r = arch_reg_find(rs->arch, name);
    uint64_t v = 0xdeadbeefdeadbeefULL;
    if (!r || !regset_get(rs, r, &v))
        check_fail(__FILE__, __LINE__, "register %s not available", name);
    return v;
}

static bool reg_valid(const struct regset *rs, const char *name)
{
    const struct arch_reg *r = arch_reg_find(rs->arch, name);
    uint64_t v;
    return r && regset_get(rs, r, &v);
}

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

TEST(arch_tables_are_consistent)
{
    CHECK(arch_for_cpu(DD_CPU_X86) == &arch_x86);
    CHECK(arch_for_cpu(DD_CPU_X64) == &arch_x64);
    CHECK(arch_for_cpu(DD_CPU_ARM64) == &arch_arm64);
    CHECK(arch_for_cpu(DD_CPU_ARM) == &arch_arm);
    CHECK(arch_for_cpu(DD_CPU_UNKNOWN) == NULL);
    /* sizeof(CONTEXT) per winnt.h */
    CHECK_EQ(arch_x86.context_size, 0x2cc);
    CHECK_EQ(arch_x64.context_size, 0x4d0);
    CHECK_EQ(arch_arm64.context_size, 0x390);
    CHECK_EQ(arch_arm.context_size, 0x1a0);
    CHECK_EQ(arch_x86.ptr_size, 4);
    CHECK_EQ(arch_x64.ptr_size, 8);
    CHECK_EQ(arch_arm64.ptr_size, 8);
    CHECK_EQ(arch_arm.ptr_size, 4);
    for (size_t a = 0; a < 4; a++) {
        const struct arch_ops *ops = all_arches[a];
        CHECK(ops->context_decode && ops->print_regs && ops->nregs > 20);
        for (size_t i = 0; i < ops->nregs; i++) {
            const struct arch_reg *r = &ops->regs[i];
            if (r->kind == ARCH_REG_VEC)
                CHECK(r->slot < ARCH_MAX_VEC && r->shift + r->bits <= 256 && r->bits % 32 == 0);
            else
                CHECK(r->slot < ARCH_MAX_REGS && r->bits >= 1 && r->shift + r->bits <= 64);
            for (size_t j = 0; j < i; j++)
                if (dd_strcasecmp(ops->regs[j].name, r->name) == 0)
                    check_fail(__FILE__, __LINE__, "%s: %s listed twice", ops->name, r->name);
            CHECK(arch_reg_find(ops, r->name) == r);
        }
    }
    CHECK(arch_reg_find(&arch_x64, "RAX") == arch_reg_find(&arch_x64, "rax"));
    CHECK(arch_reg_find(&arch_x64, "@rip") == arch_reg_find(&arch_x64, "rip"));
    CHECK(arch_reg_find(&arch_x64, "xmm16") == NULL);
    CHECK(arch_reg_find(&arch_x86, "rax") == NULL);
    CHECK(arch_reg_find(&arch_x86, "xmm8") == NULL);
    CHECK(arch_reg_find(&arch_arm64, "x31") == NULL);
    CHECK(arch_reg_find(&arch_arm, "q16") == NULL);
}

/* --- x64 --- */

/* An AMD64 CONTEXT (winnt.h offsets) with a distinct value in every register. */
static void x64_fill(uint8_t *c, uint32_t flags)
{
    memset(c, 0, X64_CONTEXT_SIZE);
    dd_put_le32(c + 0x30, flags);
    dd_put_le32(c + 0x34, 0x1f80);  /* MxCsr */
    put16(c + 0x38, 0x33);          /* SegCs */
    put16(c + 0x3a, 0x2b);          /* SegDs */
    put16(c + 0x3c, 0x2b);          /* SegEs */
    put16(c + 0x3e, 0x53);          /* SegFs */
    put16(c + 0x40, 0x2b);          /* SegGs */
    put16(c + 0x42, 0x2b);          /* SegSs */
    dd_put_le32(c + 0x44, 0x10246); /* EFlags */
    for (int i = 0; i < 6; i++)     /* Dr0 Dr1 Dr2 Dr3 Dr6 Dr7 */
        dd_put_le64(c + 0x48 + 8 * i, 0xd0 + i);
    for (int i = 0; i < 16; i++) /* Rax Rcx Rdx Rbx Rsp Rbp Rsi Rdi R8-R15 */
        dd_put_le64(c + 0x78 + 8 * i, 0x1111111111111100ULL * (uint64_t)(i + 1) + (uint64_t)i);
    dd_put_le64(c + 0xf8, 0x00007ff7a13110d9ULL); /* Rip */
    put16(c + 0x100, 0x027f);                     /* FltSave.ControlWord */
    put16(c + 0x102, 0x0123);                     /* FltSave.StatusWord */
    dd_put_le32(c + 0x100 + 24, 0x1f80);          /* FltSave.MxCsr */
    for (int i = 0; i < 8; i++)                   /* FltSave.FloatRegisters (x87), 16 bytes each */
        c[0x120 + 16 * i] = (uint8_t)(0x70 + i);
    for (int i = 0; i < 16; i++) /* FltSave.XmmRegisters, Xmm0 at 0x1a0 */
        for (int b = 0; b < 16; b++)
            c[0x1a0 + 16 * i + b] = (uint8_t)(16 * i + b);
}

static uint64_t x64_gpr_value(int i)
{
    return 0x1111111111111100ULL * (uint64_t)(i + 1) + (uint64_t)i;
}

TEST(arch_x64_decodes_every_field)
{
    uint8_t *c = malloc(X64_CONTEXT_SIZE);
    x64_fill(c, 0x10001f);
    struct regset rs;
    CHECK_OK(arch_x64.context_decode(c, X64_CONTEXT_SIZE, &rs));
    CHECK(rs.arch == &arch_x64);
    CHECK_EQ(rs.context_flags, 0x10001f);
    static const char *const names[16] = {"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
                                          "r8",  "r9",  "r10", "r11", "r12", "r13", "r14", "r15"};
    for (int i = 0; i < 16; i++) {
        CHECK_EQ(reg(&rs, names[i]), x64_gpr_value(i));
        CHECK_EQ(regset_slot(&rs, (uint16_t)i), x64_gpr_value(i)); /* AMD64 numbering */
    }
    CHECK_EQ(reg(&rs, "rip"), 0x00007ff7a13110d9ULL);
    CHECK_EQ(regset_slot(&rs, arch_x64.pc_slot), 0x00007ff7a13110d9ULL);
    CHECK_EQ(regset_slot(&rs, arch_x64.sp_slot), x64_gpr_value(4));
    CHECK_EQ(regset_slot(&rs, arch_x64.fp_slot), x64_gpr_value(5));
    CHECK_EQ(regset_slot(&rs, arch_x64.flags_slot), 0x10246);
    CHECK_EQ(reg(&rs, "efl"), 0x10246);
    CHECK_EQ(reg(&rs, "cs"), 0x33);
    CHECK_EQ(reg(&rs, "ss"), 0x2b);
    CHECK_EQ(reg(&rs, "fs"), 0x53);
    CHECK_EQ(reg(&rs, "dr0"), 0xd0);
    CHECK_EQ(reg(&rs, "dr3"), 0xd3);
    CHECK_EQ(reg(&rs, "dr6"), 0xd4);
    CHECK_EQ(reg(&rs, "dr7"), 0xd5);
    CHECK_EQ(reg(&rs, "mxcsr"), 0x1f80);
    CHECK_EQ(reg(&rs, "fpcw"), 0x027f);
    CHECK_EQ(reg(&rs, "fpsw"), 0x0123);
    /* Sub-registers: rax = 0x1111111111111100, rbx = 0x4444444444444403, rsi = 7777...06. */
    CHECK_EQ(reg(&rs, "eax"), 0x11111100);
    CHECK_EQ(reg(&rs, "ax"), 0x1100);
    CHECK_EQ(reg(&rs, "al"), 0x00);
    CHECK_EQ(reg(&rs, "ah"), 0x11);
    CHECK_EQ(reg(&rs, "bl"), 0x03);
    CHECK_EQ(reg(&rs, "bh"), 0x44);
    CHECK_EQ(reg(&rs, "sil"), 0x06);
    CHECK_EQ(reg(&rs, "r8d"), 0x99999908);
    CHECK_EQ(reg(&rs, "r9w"), 0xaa09);
    CHECK_EQ(reg(&rs, "r15b"), 0x0f);
    CHECK_EQ(reg(&rs, "eip"), 0xa13110d9);
    /* Flag bits of 0x10246: ZF PF IF set, iopl 0. */
    CHECK_EQ(reg(&rs, "zf"), 1);
    CHECK_EQ(reg(&rs, "pf"), 1);
    CHECK_EQ(reg(&rs, "if"), 1);
    CHECK_EQ(reg(&rs, "cf"), 0);
    CHECK_EQ(reg(&rs, "sf"), 0);
    CHECK_EQ(reg(&rs, "of"), 0);
    CHECK_EQ(reg(&rs, "iopl"), 0);
    CHECK(rs.st_valid);
    CHECK_EQ(rs.st[3][0], 0x73);
    CHECK_EQ(rs.vec_valid, 0xffff);
    CHECK_EQ(rs.vec_upper_valid, 0);
    CHECK_EQ(rs.vec[15][0], 0xf0);
    char *x = capture_reg(&rs, "xmm1");
    CHECK_STR(x, "xmm1=1f1e1d1c 1b1a1918 17161514 13121110\n");
    free(x);
    x = capture_reg(&rs, "ymm1");
    CHECK_STR(x, "ymm1=<unavailable>\n");
    free(x);
    x = capture_reg(&rs, "r8d");
    CHECK_STR(x, "r8d=99999908\n");
    free(x);
    x = capture_reg(&rs, "zf");
    CHECK_STR(x, "zf=1\n");
    free(x);
    CHECK(!rs.has_ssp);
    CHECK(!reg_valid(&rs, "ssp"));
    free(c);
}

TEST(arch_x64_r_layout)
{
    uint8_t *c = malloc(X64_CONTEXT_SIZE);
    x64_fill(c, 0x10001f);
    struct regset rs;
    CHECK_OK(arch_x64.context_decode(c, X64_CONTEXT_SIZE, &rs));
    char *text = capture_regs(&rs);
    CHECK_STR(text,
              "rax=1111111111111100 rbx=4444444444444403 rcx=2222222222222201\n"
              "rdx=3333333333333302 rsi=7777777777777706 rdi=8888888888888807\n"
              "rip=00007ff7a13110d9 rsp=5555555555555504 rbp=6666666666666605\n"
              " r8=9999999999999908  r9=aaaaaaaaaaaaaa09 r10=bbbbbbbbbbbbbb0a\n"
              "r11=cccccccccccccc0b r12=dddddddddddddd0c r13=eeeeeeeeeeeeee0d\n"
              "r14=ffffffffffffff0e r15=111111111111100f\n"
              "iopl=0         nv up ei pl zr na po nc\n"
              "cs=0033  ss=002b  ds=002b  es=002b  fs=0053  gs=002b             efl=00010246\n");
    free(text);
    free(c);
}

TEST(arch_x64_context_flags_select_groups)
{
    uint8_t *c = malloc(X64_CONTEXT_SIZE);
    struct regset rs;
    /* CONTEXT_CONTROL only: rip/rsp/efl/cs/ss, nothing else. */
    x64_fill(c, 0x100001);
    CHECK_OK(arch_x64.context_decode(c, X64_CONTEXT_SIZE, &rs));
    CHECK(reg_valid(&rs, "rip") && reg_valid(&rs, "rsp") && reg_valid(&rs, "efl"));
    CHECK(reg_valid(&rs, "cs") && reg_valid(&rs, "ss"));
    CHECK(!reg_valid(&rs, "rax") && !reg_valid(&rs, "rbp") && !reg_valid(&rs, "ds"));
    CHECK(!reg_valid(&rs, "dr7") && !reg_valid(&rs, "mxcsr"));
    CHECK_EQ(rs.vec_valid, 0);
    CHECK(!rs.st_valid);
    char *text = capture_regs(&rs);
    CHECK_STR(text,
              "rax=???????????????? rbx=???????????????? rcx=????????????????\n"
              "rdx=???????????????? rsi=???????????????? rdi=????????????????\n"
              "rip=00007ff7a13110d9 rsp=5555555555555504 rbp=????????????????\n"
              " r8=????????????????  r9=???????????????? r10=????????????????\n"
              "r11=???????????????? r12=???????????????? r13=????????????????\n"
              "r14=???????????????? r15=????????????????\n"
              "iopl=0         nv up ei pl zr na po nc\n"
              "cs=0033  ss=002b  ds=????  es=????  fs=????  gs=????             efl=00010246\n");
    free(text);
    /* CONTEXT_INTEGER only: rbp is an integer register on AMD64, rsp is not. */
    x64_fill(c, 0x100002);
    CHECK_OK(arch_x64.context_decode(c, X64_CONTEXT_SIZE, &rs));
    CHECK(reg_valid(&rs, "rax") && reg_valid(&rs, "rbp") && reg_valid(&rs, "r15"));
    CHECK(!reg_valid(&rs, "rsp") && !reg_valid(&rs, "rip") && !reg_valid(&rs, "efl"));
    text = capture_regs(&rs);
    CHECK(text && strstr(text, "\niopl=?         ?? ?? ?? ?? ?? ?? ?? ??\n"));
    CHECK(text && strstr(text, "efl=????????\n"));
    free(text);
    /* No CONTEXT_AMD64 bit (some writers): a full-size context gives integer + control. */
    x64_fill(c, 0);
    CHECK_OK(arch_x64.context_decode(c, X64_CONTEXT_SIZE, &rs));
    CHECK(reg_valid(&rs, "rax") && reg_valid(&rs, "rsp") && reg_valid(&rs, "rip"));
    CHECK(!reg_valid(&rs, "ds") && !reg_valid(&rs, "dr0") && !reg_valid(&rs, "mxcsr"));
    CHECK_OK(arch_x64.context_decode(c, 0x200, &rs));
    CHECK(!reg_valid(&rs, "rax") && !reg_valid(&rs, "rip"));
    free(c);
}

TEST(arch_x64_short_context_never_overreads)
{
    uint8_t *full = malloc(X64_CONTEXT_SIZE);
    x64_fill(full, 0x10005f); /* every group, XSTATE too */
    for (size_t len = 0; len <= X64_CONTEXT_SIZE; len++) {
        uint8_t *c = malloc(len ? len : 1);
        memcpy(c, full, len);
        struct regset rs;
        struct dd_error *err = arch_x64.context_decode(c, len, &rs);
        CHECK_EQ(err != NULL, len < 0x34);
        dd_error_destroy(err);
        CHECK_EQ(reg_valid(&rs, "rip"), len >= 0x100);
        CHECK_EQ(reg_valid(&rs, "r15"), len >= 0xf8);
        CHECK_EQ(reg_valid(&rs, "gs"), len >= 0x42);
        CHECK_EQ(reg_valid(&rs, "dr7"), len >= 0x78);
        CHECK_EQ(reg_valid(&rs, "mxcsr"), len >= 0x300);
        CHECK_EQ(rs.vec_valid, len >= 0x300 ? 0xffffu : 0u);
        free(capture_regs(&rs));
        free(c);
    }
    free(full);
}

/*
 * A CONTEXT with a CONTEXT_EX (winnt.h: All, Legacy, XState chunks, offsets relative to
 * the CONTEXT_EX) and a compacted XSAVE area: header (XSTATE_BV, XCOMP_BV) + components.
 */
#define XS_HDR 0x40 /* XState chunk offset from the CONTEXT_EX, as Windows writes it */
#define CONTEXT_EX_SIZE 24

static size_t x64_fill_xstate(uint8_t *c, uint64_t xstate_bv, uint64_t xcomp_bv, uint32_t xlen)
{
    x64_fill(c, 0x10005f);
    uint8_t *ex = c + X64_CONTEXT_SIZE;
    dd_put_le32(ex + 0, (uint32_t)-X64_CONTEXT_SIZE); /* All.Offset */
    dd_put_le32(ex + 4, X64_CONTEXT_SIZE + XS_HDR + xlen);
    dd_put_le32(ex + 8, (uint32_t)-X64_CONTEXT_SIZE); /* Legacy */
    dd_put_le32(ex + 12, X64_CONTEXT_SIZE);
    dd_put_le32(ex + 16, XS_HDR); /* XState */
    dd_put_le32(ex + 20, xlen);
    memset(ex + CONTEXT_EX_SIZE, 0, XS_HDR - CONTEXT_EX_SIZE);
    uint8_t *hdr = ex + XS_HDR;
    memset(hdr, 0, xlen);
    dd_put_le64(hdr, xstate_bv);
    dd_put_le64(hdr + 8, xcomp_bv);
    return X64_CONTEXT_SIZE + XS_HDR + xlen;
}

TEST(arch_x64_xstate_avx_and_cet)
{
    size_t cap = X64_CONTEXT_SIZE + XS_HDR + 64 + 256 + 16;
    uint8_t *c = malloc(cap);
    struct regset rs;

    /* Compacted, AVX (bit 2) then CET_U (bit 11). */
    size_t size = x64_fill_xstate(c, 0x804, 0x8000000000000804ULL, 64 + 256 + 16);
    CHECK_EQ(size, cap);
    uint8_t *avx = c + X64_CONTEXT_SIZE + XS_HDR + 64;
    for (int i = 0; i < 16; i++)
        for (int b = 0; b < 16; b++)
            avx[16 * i + b] = (uint8_t)(0x80 + 16 * i + b);
    dd_put_le64(avx + 256, 1);                   /* IA32_U_CET */
    dd_put_le64(avx + 256 + 8, 0xcbc83fefc8ULL); /* IA32_PL3_SSP */
    CHECK_OK(arch_x64.context_decode(c, size, &rs));
    CHECK_EQ(rs.vec_upper_valid, 0xffff);
    CHECK_EQ(rs.vec[2][16], 0xa0);
    CHECK(rs.has_ssp);
    CHECK_EQ(rs.ssp, 0xcbc83fefc8ULL);
    CHECK_EQ(reg(&rs, "ssp"), 0xcbc83fefc8ULL);
    char *x = capture_reg(&rs, "ymm0");
    CHECK_STR(x, "ymm0=8f8e8d8c 8b8a8988 87868584 83828180 0f0e0d0c 0b0a0908 07060504 03020100\n");
    free(x);

    /* AVX listed in XCOMP_BV but in its initial state (XSTATE_BV bit clear): zeros. */
    size = x64_fill_xstate(c, 0x800, 0x8000000000000804ULL, 64 + 256 + 16);
    memset(c + X64_CONTEXT_SIZE + XS_HDR + 64, 0xee, 256);
    CHECK_OK(arch_x64.context_decode(c, size, &rs));
    CHECK_EQ(rs.vec_upper_valid, 0xffff);
    CHECK_EQ(rs.vec[5][20], 0);

    /* Standard (non-compacted) form: AVX at 576 from the XSAVE start = 64 after the header. */
    size = x64_fill_xstate(c, 0x4, 0, 64 + 256);
    avx = c + X64_CONTEXT_SIZE + XS_HDR + 64;
    avx[16 * 15 + 15] = 0x5a;
    CHECK_OK(arch_x64.context_decode(c, size, &rs));
    CHECK_EQ(rs.vec_upper_valid, 0xffff);
    CHECK_EQ(rs.vec[15][31], 0x5a);
    CHECK(!rs.has_ssp);

    /* The stored bytes end inside the AVX component: nothing from it. */
    size = x64_fill_xstate(c, 0x804, 0x8000000000000804ULL, 64 + 256 + 16);
    CHECK_OK(arch_x64.context_decode(c, X64_CONTEXT_SIZE + XS_HDR + 64 + 200, &rs));
    CHECK_EQ(rs.vec_upper_valid, 0);
    CHECK(!rs.has_ssp);
    CHECK(reg_valid(&rs, "rip"));

    /* XState.Length shorter than the components it names. */
    x64_fill_xstate(c, 0x804, 0x8000000000000804ULL, 64 + 256 + 16);
    dd_put_le32(c + X64_CONTEXT_SIZE + 20, 64 + 100);
    CHECK_OK(arch_x64.context_decode(c, size, &rs));
    CHECK_EQ(rs.vec_upper_valid, 0);

    /* Hostile offsets: negative, past the end, wrapping. */
    static const uint32_t offs[] = {0x80000000u, 0xffffffc0u, 0x7fffffffu, 0x1000, 0x10000000};
    for (size_t i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
        x64_fill_xstate(c, 0x804, 0x8000000000000804ULL, 64 + 256 + 16);
        dd_put_le32(c + X64_CONTEXT_SIZE + 16, offs[i]);
        dd_put_le32(c + X64_CONTEXT_SIZE + 20, 0xffffffffu);
        CHECK_OK(arch_x64.context_decode(c, size, &rs));
        CHECK_EQ(rs.vec_upper_valid, 0);
        CHECK(!rs.has_ssp);
    }

    /* Without CONTEXT_XSTATE in ContextFlags the extension is ignored. */
    x64_fill_xstate(c, 0x804, 0x8000000000000804ULL, 64 + 256 + 16);
    dd_put_le32(c + 0x30, 0x10001f);
    CHECK_OK(arch_x64.context_decode(c, size, &rs));
    CHECK_EQ(rs.vec_upper_valid, 0);
    free(c);
}

/* --- x86 --- */

static void x86_fill(uint8_t *c, uint32_t flags)
{
    memset(c, 0, X86_CONTEXT_SIZE);
    dd_put_le32(c + 0x00, flags);
    for (int i = 0; i < 6; i++) /* Dr0 Dr1 Dr2 Dr3 Dr6 Dr7 */
        dd_put_le32(c + 0x04 + 4 * i, 0xd0 + (uint32_t)i);
    dd_put_le32(c + 0x1c, 0xffff027f); /* FloatSave.ControlWord */
    dd_put_le32(c + 0x20, 0xffff4000); /* FloatSave.StatusWord */
    dd_put_le32(c + 0x24, 0xffffffff); /* FloatSave.TagWord */
    for (int i = 0; i < 80; i++)       /* FloatSave.RegisterArea */
        c[0x38 + i] = (uint8_t)i;
    dd_put_le32(c + 0x8c, 0x00);        /* SegGs */
    dd_put_le32(c + 0x90, 0x3b);        /* SegFs */
    dd_put_le32(c + 0x94, 0x23);        /* SegEs */
    dd_put_le32(c + 0x98, 0x23);        /* SegDs */
    dd_put_le32(c + 0x9c, 0xed1);       /* Edi */
    dd_put_le32(c + 0xa0, 0xe51);       /* Esi */
    dd_put_le32(c + 0xa4, 0x7ffdf000);  /* Ebx */
    dd_put_le32(c + 0xa8, 0xedc);       /* Edx */
    dd_put_le32(c + 0xac, 0xec0);       /* Ecx */
    dd_put_le32(c + 0xb0, 0x12345678);  /* Eax */
    dd_put_le32(c + 0xb4, 0x0012fe88);  /* Ebp */
    dd_put_le32(c + 0xb8, 0x0040429e);  /* Eip */
    dd_put_le32(c + 0xbc, 0x1b);        /* SegCs */
    dd_put_le32(c + 0xc0, 0x00003e97);  /* EFlags: iopl 3, OF DF IF SF AF PF CF, no ZF */
    dd_put_le32(c + 0xc4, 0x0012fe84);  /* Esp */
    dd_put_le32(c + 0xc8, 0x23);        /* SegSs */
    dd_put_le32(c + 0xcc + 24, 0x1f80); /* ExtendedRegisters (FXSAVE): MXCSR */
    for (int i = 0; i < 8; i++)         /* FXSAVE ST0-7 at +32 */
        c[0xcc + 32 + 16 * i] = 0xee;
    for (int i = 0; i < 128; i++) /* FXSAVE XMM0-7 at +160 */
        c[0xcc + 160 + i] = (uint8_t)(0x40 + i);
}

TEST(arch_x86_decodes_every_field)
{
    uint8_t *c = malloc(X86_CONTEXT_SIZE);
    x86_fill(c, 0x1003f);
    struct regset rs;
    CHECK_OK(arch_x86.context_decode(c, X86_CONTEXT_SIZE, &rs));
    CHECK_EQ(reg(&rs, "eax"), 0x12345678);
    CHECK_EQ(reg(&rs, "ebx"), 0x7ffdf000);
    CHECK_EQ(reg(&rs, "ecx"), 0xec0);
    CHECK_EQ(reg(&rs, "edx"), 0xedc);
    CHECK_EQ(reg(&rs, "esi"), 0xe51);
    CHECK_EQ(reg(&rs, "edi"), 0xed1);
    CHECK_EQ(reg(&rs, "ebp"), 0x12fe88);
    CHECK_EQ(reg(&rs, "esp"), 0x12fe84);
    CHECK_EQ(reg(&rs, "eip"), 0x40429e);
    CHECK_EQ(regset_slot(&rs, arch_x86.pc_slot), 0x40429e);
    CHECK_EQ(regset_slot(&rs, arch_x86.sp_slot), 0x12fe84);
    CHECK_EQ(regset_slot(&rs, arch_x86.fp_slot), 0x12fe88);
    CHECK_EQ(reg(&rs, "cs"), 0x1b);
    CHECK_EQ(reg(&rs, "gs"), 0);
    CHECK_EQ(reg(&rs, "dr6"), 0xd4);
    CHECK_EQ(reg(&rs, "fpcw"), 0x027f);
    CHECK_EQ(reg(&rs, "fpsw"), 0x4000);
    CHECK_EQ(reg(&rs, "fptw"), 0xffff);
    CHECK_EQ(reg(&rs, "mxcsr"), 0x1f80);
    CHECK_EQ(reg(&rs, "ah"), 0x56);
    CHECK_EQ(reg(&rs, "al"), 0x78);
    CHECK_EQ(reg(&rs, "ax"), 0x5678);
    CHECK_EQ(reg(&rs, "iopl"), 3);
    CHECK_EQ(reg(&rs, "of"), 1);
    CHECK_EQ(reg(&rs, "df"), 1);
    CHECK_EQ(reg(&rs, "zf"), 0);
    CHECK_EQ(reg(&rs, "tf"), 0);
    /* st0-7 come from the x87 save area (not the FXSAVE copy) when both are present. */
    CHECK(rs.st_valid);
    CHECK_EQ(rs.st[1][0], 10);
    CHECK_EQ(rs.vec_valid, 0xff);
    CHECK_EQ(rs.vec[7][15], 0x40 + 127);
    char *text = capture_regs(&rs);
    CHECK_STR(text,
              "eax=12345678 ebx=7ffdf000 ecx=00000ec0 edx=00000edc esi=00000e51 edi=00000ed1\n"
              "eip=0040429e esp=0012fe84 ebp=0012fe88 iopl=3         ov dn ei ng nz ac pe cy\n"
              "cs=001b  ss=0023  ds=0023  es=0023  fs=003b  gs=0000             efl=00003e97\n");
    free(text);
    free(c);
}

TEST(arch_x86_partial_contexts)
{
    uint8_t *c = malloc(X86_CONTEXT_SIZE);
    struct regset rs;
    /* Only 0xcc bytes (no ExtendedRegisters): registers yes, SSE no. */
    x86_fill(c, 0x1003f);
    CHECK_OK(arch_x86.context_decode(c, 0xcc, &rs));
    CHECK(reg_valid(&rs, "eip") && reg_valid(&rs, "eax") && reg_valid(&rs, "ds"));
    CHECK(!reg_valid(&rs, "mxcsr"));
    CHECK_EQ(rs.vec_valid, 0);
    /* Cut inside the control block. */
    CHECK_OK(arch_x86.context_decode(c, 0xc0, &rs));
    CHECK(reg_valid(&rs, "eax") && !reg_valid(&rs, "eip") && !reg_valid(&rs, "efl"));
    char *text = capture_regs(&rs);
    CHECK_STR(text,
              "eax=12345678 ebx=7ffdf000 ecx=00000ec0 edx=00000edc esi=00000e51 edi=00000ed1\n"
              "eip=???????? esp=???????? ebp=???????? iopl=?         ?? ?? ?? ?? ?? ?? ?? ??\n"
              "cs=????  ss=????  ds=0023  es=0023  fs=003b  gs=0000             efl=????????\n");
    free(text);
    /* CONTEXT_INTEGER | CONTEXT_CONTROL only. */
    x86_fill(c, 0x10003);
    CHECK_OK(arch_x86.context_decode(c, X86_CONTEXT_SIZE, &rs));
    CHECK(reg_valid(&rs, "eip") && !reg_valid(&rs, "ds") && !reg_valid(&rs, "dr0"));
    CHECK(!reg_valid(&rs, "fpcw") && !rs.st_valid && rs.vec_valid == 0);
    /* No CONTEXT_i386 bit: integer + control when the register block is complete. */
    x86_fill(c, 0);
    CHECK_OK(arch_x86.context_decode(c, X86_CONTEXT_SIZE, &rs));
    CHECK(reg_valid(&rs, "eip") && reg_valid(&rs, "eax") && !reg_valid(&rs, "fs"));
    CHECK_OK(arch_x86.context_decode(c, 0xc8, &rs));
    CHECK(!reg_valid(&rs, "eax"));
    /* Too small to hold ContextFlags. */
    struct dd_error *err = arch_x86.context_decode(c, 3, &rs);
    CHECK(err != NULL);
    dd_error_destroy(err);
    for (size_t len = 0; len <= X86_CONTEXT_SIZE; len++) {
        uint8_t *cut = malloc(len ? len : 1);
        x86_fill(c, 0x1007f);
        memcpy(cut, c, len);
        dd_error_destroy(arch_x86.context_decode(cut, len, &rs));
        free(capture_regs(&rs));
        free(cut);
    }
    free(c);
}

TEST(arch_eflags_mnemonics)
{
    char buf[X86_EFLAGS_BUF];
    CHECK_STR(x86_eflags_format(buf, 0x246, false), "nv up ei pl zr na pe nc");
    CHECK_STR(x86_eflags_format(buf, 0x202, false), "nv up ei pl nz na po nc");
    CHECK_STR(x86_eflags_format(buf, 0x286, false), "nv up ei ng nz na pe nc");
    CHECK_STR(x86_eflags_format(buf, 0x10a82, false), "ov up ei ng nz na po nc");
    CHECK_STR(x86_eflags_format(buf, 0xed5, false), "ov dn ei ng zr ac pe cy");
    CHECK_STR(x86_eflags_format(buf, 0x0, false), "nv up di pl nz na po nc");
    /* x64 display: parity shown the other way round. */
    CHECK_STR(x86_eflags_format(buf, 0x246, true), "nv up ei pl zr na po nc");
    CHECK_STR(x86_eflags_format(buf, 0x202, true), "nv up ei pl nz na pe nc");
    CHECK_STR(x86_eflags_format(buf, 0x10282, true), "nv up ei ng nz na pe nc");
}

/* --- ARM64 --- */

static void arm64_fill(uint8_t *c, uint32_t flags)
{
    memset(c, 0, ARM64_CONTEXT_SIZE);
    dd_put_le32(c + 0x00, flags);
    dd_put_le32(c + 0x04, 0x60000000); /* Cpsr: Z C, EL0 */
    for (int i = 0; i < 29; i++)       /* X0-X28 */
        dd_put_le64(c + 0x08 + 8 * i, 0x000000d7d6dff600ULL + (uint64_t)i);
    dd_put_le64(c + 0xf0, 0x000000293a8ffc10ULL);  /* Fp */
    dd_put_le64(c + 0xf8, 0x00007ffea80f7388ULL);  /* Lr */
    dd_put_le64(c + 0x100, 0x000000293a8ff9e0ULL); /* Sp */
    dd_put_le64(c + 0x108, 0x00007ffea80e30f4ULL); /* Pc */
    for (int i = 0; i < 32 * 16; i++)              /* V[32] */
        c[0x110 + i] = (uint8_t)i;
    dd_put_le32(c + 0x310, 0x03000000); /* Fpcr */
    dd_put_le32(c + 0x314, 0x00000010); /* Fpsr */
}

TEST(arch_arm64_decodes_and_prints)
{
    uint8_t *c = malloc(ARM64_CONTEXT_SIZE);
    arm64_fill(c, 0x40000f);
    struct regset rs;
    CHECK_OK(arch_arm64.context_decode(c, ARM64_CONTEXT_SIZE, &rs));
    CHECK_EQ(reg(&rs, "x0"), 0xd7d6dff600ULL);
    CHECK_EQ(reg(&rs, "x28"), 0xd7d6dff61cULL);
    CHECK_EQ(reg(&rs, "w28"), 0xd6dff61c);
    CHECK_EQ(reg(&rs, "fp"), 0x293a8ffc10ULL);
    CHECK_EQ(reg(&rs, "x29"), 0x293a8ffc10ULL);
    CHECK_EQ(reg(&rs, "w29"), 0x3a8ffc10);
    CHECK_EQ(reg(&rs, "lr"), 0x7ffea80f7388ULL);
    CHECK_EQ(reg(&rs, "sp"), 0x293a8ff9e0ULL);
    CHECK_EQ(reg(&rs, "pc"), 0x7ffea80e30f4ULL);
    CHECK_EQ(regset_slot(&rs, arch_arm64.pc_slot), 0x7ffea80e30f4ULL);
    CHECK_EQ(regset_slot(&rs, arch_arm64.sp_slot), 0x293a8ff9e0ULL);
    CHECK_EQ(regset_slot(&rs, arch_arm64.fp_slot), 0x293a8ffc10ULL);
    CHECK_EQ(regset_slot(&rs, 30), 0x7ffea80f7388ULL); /* x30 by number */
    CHECK_EQ(reg(&rs, "cpsr"), 0x60000000);
    CHECK_EQ(reg(&rs, "nf"), 0);
    CHECK_EQ(reg(&rs, "zf"), 1);
    CHECK_EQ(reg(&rs, "cf"), 1);
    CHECK_EQ(reg(&rs, "vf"), 0);
    CHECK_EQ(reg(&rs, "fpcr"), 0x03000000);
    CHECK_EQ(reg(&rs, "fpsr"), 0x10);
    char *x = capture_reg(&rs, "q1");
    CHECK_STR(x, "q1=1f1e1d1c 1b1a1918 17161514 13121110\n");
    free(x);
    x = capture_reg(&rs, "d31");
    CHECK_STR(x, "d31=f7f6f5f4 f3f2f1f0\n");
    free(x);
    x = capture_reg(&rs, "s2");
    CHECK_STR(x, "s2=23222120\n");
    free(x);
    char *text = capture_regs(&rs);
    CHECK_STR(
        text,
        " x0=000000d7d6dff600   x1=000000d7d6dff601   x2=000000d7d6dff602   x3=000000d7d6dff603\n"
        " x4=000000d7d6dff604   x5=000000d7d6dff605   x6=000000d7d6dff606   x7=000000d7d6dff607\n"
        " x8=000000d7d6dff608   x9=000000d7d6dff609  x10=000000d7d6dff60a  x11=000000d7d6dff60b\n"
        "x12=000000d7d6dff60c  x13=000000d7d6dff60d  x14=000000d7d6dff60e  x15=000000d7d6dff60f\n"
        "x16=000000d7d6dff610  x17=000000d7d6dff611  x18=000000d7d6dff612  x19=000000d7d6dff613\n"
        "x20=000000d7d6dff614  x21=000000d7d6dff615  x22=000000d7d6dff616  x23=000000d7d6dff617\n"
        "x24=000000d7d6dff618  x25=000000d7d6dff619  x26=000000d7d6dff61a  x27=000000d7d6dff61b\n"
        "x28=000000d7d6dff61c   fp=000000293a8ffc10   lr=00007ffea80f7388   sp=000000293a8ff9e0\n"
        " pc=00007ffea80e30f4  psr=60000000 -ZC- EL0\n");
    free(text);
    /* Control only, and a kernel-mode psr (EL1, N and V). */
    arm64_fill(c, 0x400001);
    dd_put_le32(c + 0x04, 0x90000005);
    CHECK_OK(arch_arm64.context_decode(c, ARM64_CONTEXT_SIZE, &rs));
    CHECK(!reg_valid(&rs, "x0") && !reg_valid(&rs, "fpcr") && rs.vec_valid == 0);
    text = capture_regs(&rs);
    CHECK(text && strncmp(text, " x0=????????????????   x1=", 26) == 0);
    CHECK(text && strstr(text, "\nx28=????????????????   fp=000000293a8ffc10"));
    CHECK(text && strstr(text, "\n pc=00007ffea80e30f4  psr=90000005 N--V EL1\n"));
    free(text);
    /* No CONTEXT_ARM64 bit, full size: integer + control. */
    arm64_fill(c, 0);
    CHECK_OK(arch_arm64.context_decode(c, ARM64_CONTEXT_SIZE, &rs));
    CHECK(reg_valid(&rs, "x3") && reg_valid(&rs, "pc") && rs.vec_valid == 0);
    /* Truncations. */
    arm64_fill(c, 0x40000f);
    for (size_t len = 0; len <= ARM64_CONTEXT_SIZE; len++) {
        uint8_t *cut = malloc(len ? len : 1);
        memcpy(cut, c, len);
        struct dd_error *err = arch_arm64.context_decode(cut, len, &rs);
        CHECK_EQ(err != NULL, len < 4);
        dd_error_destroy(err);
        CHECK_EQ(reg_valid(&rs, "x28"), len >= 0xf0);
        CHECK_EQ(reg_valid(&rs, "pc"), len >= 0x110);
        CHECK_EQ(reg_valid(&rs, "fpsr"), len >= 0x318);
        free(capture_regs(&rs));
        free(cut);
    }
    free(c);
}

/* --- ARM --- */

static void arm_fill(uint8_t *c, uint32_t flags)
{
    memset(c, 0, ARM_CONTEXT_SIZE);
    dd_put_le32(c + 0x00, flags);
    for (int i = 0; i < 13; i++) /* R0-R12 */
        dd_put_le32(c + 0x04 + 4 * i, 0x01507800u + (uint32_t)i);
    dd_put_le32(c + 0x38, 0x028df6c8); /* Sp */
    dd_put_le32(c + 0x3c, 0x76ccce01); /* Lr */
    dd_put_le32(c + 0x40, 0x76ccce24); /* Pc */
    dd_put_le32(c + 0x44, 0x600f0030); /* Cpsr: Z C, Thumb, user mode */
    dd_put_le32(c + 0x48, 0x03c00000); /* Fpscr */
    for (int i = 0; i < 256; i++)      /* D[32] */
        c[0x50 + i] = (uint8_t)i;
}

TEST(arch_arm_decodes_and_prints)
{
    uint8_t *c = malloc(ARM_CONTEXT_SIZE);
    arm_fill(c, 0x200007);
    struct regset rs;
    CHECK_OK(arch_arm.context_decode(c, ARM_CONTEXT_SIZE, &rs));
    CHECK_EQ(reg(&rs, "r0"), 0x01507800);
    CHECK_EQ(reg(&rs, "r12"), 0x0150780c);
    CHECK_EQ(reg(&rs, "sp"), 0x028df6c8);
    CHECK_EQ(reg(&rs, "r13"), 0x028df6c8);
    CHECK_EQ(reg(&rs, "lr"), 0x76ccce01);
    CHECK_EQ(reg(&rs, "pc"), 0x76ccce24);
    CHECK_EQ(regset_slot(&rs, arch_arm.pc_slot), 0x76ccce24);
    CHECK_EQ(regset_slot(&rs, arch_arm.fp_slot), 0x0150780b); /* r11 */
    CHECK_EQ(reg(&rs, "psr"), 0x600f0030);
    CHECK_EQ(reg(&rs, "tf"), 1);
    CHECK_EQ(reg(&rs, "mode"), 0x10);
    CHECK_EQ(reg(&rs, "zf"), 1);
    CHECK_EQ(reg(&rs, "fpscr"), 0x03c00000);
    char *x = capture_reg(&rs, "d1");
    CHECK_STR(x, "d1=0f0e0d0c 0b0a0908\n");
    free(x);
    x = capture_reg(&rs, "q15");
    CHECK_STR(x, "q15=fffefdfc fbfaf9f8 f7f6f5f4 f3f2f1f0\n");
    free(x);
    x = capture_reg(&rs, "s3");
    CHECK_STR(x, "s3=0f0e0d0c\n");
    free(x);
    char *text = capture_regs(&rs);
    CHECK_STR(text,
              " r0=01507800  r1=01507801  r2=01507802  r3=01507803  r4=01507804  r5=01507805\n"
              " r6=01507806  r7=01507807  r8=01507808  r9=01507809 r10=0150780a r11=0150780b\n"
              "r12=0150780c  sp=028df6c8  lr=76ccce01  pc=76ccce24 psr=600f0030 -ZC-- Thumb\n");
    free(text);
    arm_fill(c, 0x200001);
    CHECK_OK(arch_arm.context_decode(c, ARM_CONTEXT_SIZE, &rs));
    CHECK(!reg_valid(&rs, "r0") && reg_valid(&rs, "pc") && rs.vec_valid == 0);
    x = capture_reg(&rs, "d0");
    CHECK_STR(x, "d0=<unavailable>\n");
    free(x);
    for (size_t len = 0; len <= ARM_CONTEXT_SIZE; len++) {
        uint8_t *cut = malloc(len ? len : 1);
        arm_fill(c, 0x20000f);
        memcpy(cut, c, len);
        dd_error_destroy(arch_arm.context_decode(cut, len, &rs));
        CHECK_EQ(reg_valid(&rs, "pc"), len >= 0x48);
        CHECK_EQ(rs.vec_valid != 0, len >= 0x150);
        free(capture_regs(&rs));
        free(cut);
    }
    free(c);
}
